// The `--state` file of `suiji verify` (docs/spec/14-verifier.md §14.6), read as the Python
// verifier reads it. The page keeps no state yet (it runs once per visit); the reader is
// here so a visitor's saved state can be compared in a later version, and for the vectors.
import { SuijiError, hex, parseCanonical, taggedHash, utf8 } from "./encoding.js";
import { b64decodeStrict } from "./checkpoint.js";
import { validTime } from "./ledger.js";

const V1 = ["checkpoint", "genesis", "origin", "root", "size", "type"];
const V2 = [...V1, "last_hash", "last_line", "seen_at", "verified_size"].sort();

export function readState(text) {
  const bad = () => new SuijiError("state-file", "不是 suiji 验证状态文件");
  let value;
  try {
    value = parseCanonical(text.endsWith("\n") ? text.slice(0, -1) : text);
  } catch {
    throw bad();
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw bad();
  const keys = Object.keys(value).sort().join();
  if (value.type === "suiji/verify-state/v1") {
    if (keys !== [...V1].sort().join()) throw bad();
  } else if (value.type === "suiji/verify-state/v2") {
    if (keys !== V2.join()) throw bad();
    const { seen_at, last_hash, last_line, verified_size, size } = value;
    if (![seen_at, last_hash, last_line].every((x) => typeof x === "string")) throw bad();
    if (!validTime(seen_at)) throw bad();
    if (!Number.isInteger(verified_size) || !(size <= verified_size && verified_size <= size + 1)) throw bad();
    if (hex(taggedHash("suiji/entry/v1", utf8(last_line))) !== last_hash) throw bad();
  } else throw bad();
  if (!Number.isInteger(value.size) || typeof value.root !== "string") throw bad();
  try {
    b64decodeStrict(value.root);
  } catch {
    throw bad();
  }
  return value;
}

// Vector kind `state`.
export function state({ text }) {
  const v = readState(text);
  return {
    seen_at: v.seen_at ?? null,
    verified_size: v.verified_size ?? null,
    last_hash: v.last_hash ?? null,
    size: v.size,
  };
}
