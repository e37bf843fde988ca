// Witnesses in the browser (docs/spec/19-witnesses.md): C2SP cosignature/v1 lines checked
// with Ed25519, the genesis `policy.witnesses`, RFC 6962 proofs and tlog-tiles names, and
// the rule of §19.4 — every commitment covered, at least `lead_seconds` before its round,
// by a checkpoint of this ledger cosigned by `threshold` distinct policy keys — with the
// finding code and message of `suiji verify` (suiji.verify.witnessed). A forged or
// unknown-key cosignature line counts for nothing and hides nothing.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { SuijiError, utf8, fromHex, hex } from "./encoding.js";
import { b64decodeStrict, b64encode, noteKeyId, parseCheckpoint, parseNote } from "./checkpoint.js";

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE = 0x04;
export const DEFAULT_LEAD_SECONDS = 3600;
const MAX_WITNESSES = 32;
const MAX_TIME = 2n ** 63n - 1n;
export const UNWITNESSED = "unwitnessed";
/** The page's notice when the genesis names no witnesses (suiji verify's CLOCK_NOTICE). */

const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const isInt = (v) => typeof v === "number" && Number.isInteger(v);

// ---------------------------------------------------------------- keys and policy

/** `name+hexid+base64(type ‖ key)` (Go's sumdb/note verifier key), id checked. */
export function parseVkey(text) {
  const bad = (why) => new SuijiError("witness-key", `验证密钥格式错误（${why}）：${String(text).slice(0, 80)}`);
  if (typeof text !== "string") throw bad("不是字符串");
  const a = text.indexOf("+");
  const b = a < 0 ? -1 : text.indexOf("+", a + 1);
  if (b < 0) throw bad("应为 名称+编号+密钥");
  const name = text.slice(0, a);
  const id = text.slice(a + 1, b);
  if (!name || /[\s+]/.test(name) || !/^[0-9a-f]{8}$/.test(id)) throw bad("名称或编号无效");
  let blob;
  try {
    blob = b64decodeStrict(text.slice(b + 1));
  } catch {
    throw bad("base64 部分无效");
  }
  if (blob.length !== 33 || (blob[0] !== SIG_ED25519 && blob[0] !== SIG_COSIGNATURE)) throw bad("只支持 Ed25519 验证密钥");
  const type = blob[0];
  const publicKey = blob.slice(1);
  if (hex(noteKeyId(name, publicKey, type)) !== id) throw bad("编号与公钥不符");
  return { name, type, publicKey, keyId: id, vkey: text };
}

/** The genesis `policy.witnesses` as suiji.model.witnesspolicy reads it (same error codes). */
export function readPolicy(value, path = "body.policy.witnesses") {
  const fail = (code, message) => {
    throw new SuijiError(code, `${path}: ${message}`);
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) fail("policy-type", "policy.witnesses 必须是 JSON 对象");
  for (const name of Object.keys(value).sort()) {
    if (!["keys", "threshold", "lead_seconds"].includes(name)) fail("policy-unknown", `policy.witnesses 不允许的字段 ${name}`);
  }
  const raw = value.keys;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_WITNESSES) fail("policy-type", `policy.witnesses.keys 必须是 1..${MAX_WITNESSES} 个见证人`);
  const keys = raw.map((k) => {
    if (!k || typeof k !== "object" || Array.isArray(k) || typeof k.vkey !== "string") fail("policy-type", "见证人必须是含 vkey 的对象");
    for (const name of Object.keys(k)) if (name !== "vkey" && name !== "url") fail("policy-unknown", `见证人不允许的字段 ${name}`);
    const v = parseVkey(k.vkey);
    if (v.type !== SIG_COSIGNATURE) fail("witness-key", "见证人密钥必须是 cosignature/v1 密钥（类型字节 0x04）");
    if (k.url !== undefined && (typeof k.url !== "string" || !/^https?:\/\//.test(k.url))) fail("policy-type", "见证人 url 必须以 http:// 或 https:// 开头");
    return { ...v, url: k.url ?? null };
  });
  if (new Set(keys.map((k) => hex(k.publicKey))).size !== keys.length || new Set(keys.map((k) => k.name)).size !== keys.length) {
    fail("witness-duplicate", "同一见证人密钥或名称只能出现一次（门限按不同的密钥计数）");
  }
  const t = value.threshold;
  if (!isInt(t) || t < 1 || t > keys.length) fail("policy-range", `policy.witnesses.threshold 必须在 1..${keys.length} 之间`);
  const lead = value.lead_seconds;
  if (lead !== undefined && (!isInt(lead) || lead < 0 || lead > 30 * 86400)) fail("policy-range", "policy.witnesses.lead_seconds 必须在 0..2592000 之间");
  return { keys, threshold: t, lead: lead ?? DEFAULT_LEAD_SECONDS };
}

// ---------------------------------------------------------------- cosignature/v1

/** `cosignature/v1\ntime <t>\n` ‖ the checkpoint body (c2sp.org/tlog-cosignature). */
export function cosignatureMessageOf(body, timestamp) {
  const t = BigInt(timestamp);
  if (t < 0n || t > MAX_TIME) throw new SuijiError("cosignature-time", "联署时间超出范围");
  return `cosignature/v1\ntime ${t}\n${body}`;
}

/** A signature line's parts: name, key id (hex), timestamp and the 64 signature bytes. */
function lineParts(sig) {
  if (sig.signature.length !== 72) return null;
  const dv = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8);
  const t = dv.getBigUint64(0, false);
  return { name: sig.name, keyId: hex(sig.keyId), time: t, signature: sig.signature.slice(8) };
}

function edOk(publicKey, signature, message) {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * The earliest time (seconds, Number) of `key`'s valid cosignature lines on a parsed note,
 * or null. Each line is checked alone: a forged line under the witness's name neither
 * counts nor hides a genuine one beside it. `verify(pub, sig, msg)` may be async.
 */
export async function cosignedAt(note, key, verify = edOk) {
  const id = hex(noteKeyId(key.name, key.publicKey, SIG_COSIGNATURE));
  let found = null;
  for (const sig of note.signatures) {
    if (sig.name !== key.name || hex(sig.keyId) !== id) continue;
    const p = lineParts(sig);
    if (!p || p.time > MAX_TIME) continue;
    if (await verify(key.publicKey, p.signature, utf8(cosignatureMessageOf(note.text, p.time)))) {
      const t = Number(p.time);
      found = found === null ? t : Math.min(found, t);
    }
  }
  return found;
}

// ---------------------------------------------------------------- RFC 6962 trees

const leafOf = (data) => sha256(new Uint8Array([0, ...data]));
const nodeOf = (a, b) => {
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(a, 1);
  buf.set(b, 33);
  return sha256(buf);
};
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaf hashes [lo, hi). */
export function rootOf(leaves, lo = 0, hi = leaves.length) {
  if (hi === lo) return sha256(new Uint8Array(0));
  if (hi - lo === 1) return leaves[lo];
  const k = split(hi - lo);
  return nodeOf(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/** RFC 6962 §2.1.1 PATH(m, D[lo:hi]). */
export function inclusionProof(leaves, m, lo = 0, hi = leaves.length) {
  if (hi - lo <= 1) return [];
  const k = split(hi - lo);
  if (m < k) return [...inclusionProof(leaves, m, lo, lo + k), rootOf(leaves, lo + k, hi)];
  return [...inclusionProof(leaves, m - k, lo + k, hi), rootOf(leaves, lo, lo + k)];
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]). */
export function consistencyProof(leaves, m, n) {
  if (m === 0 || m === n) return [];
  const sub = (m2, lo, hi, whole) => {
    if (m2 === hi - lo) return whole ? [] : [rootOf(leaves, lo, hi)];
    const k = split(hi - lo);
    if (m2 <= k) return [...sub(m2, lo, lo + k, whole), rootOf(leaves, lo + k, hi)];
    return [...sub(m2 - k, lo + k, hi, false), rootOf(leaves, lo, lo + k)];
  };
  return sub(m, 0, n, true);
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leaf, index, size, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeOf(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = nodeOf(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(r, root);
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(m, n, oldRoot, newRoot, proof) {
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && eq(oldRoot, newRoot);
  if (m > n || !proof.length) return false;
  let path = proof;
  if ((m & (m - 1)) === 0) path = [oldRoot, ...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeOf(c, fr);
      sr = nodeOf(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else sr = nodeOf(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, oldRoot) && eq(sr, newRoot);
}

// ---------------------------------------------------------------- tlog-tiles names

export function tileIndexPath(index) {
  const groups = [];
  let n = index;
  do {
    groups.push(n % 1000);
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups
    .reverse()
    .map((g, i, all) => (i < all.length - 1 ? "x" : "") + String(g).padStart(3, "0"))
    .join("/");
}

// ---------------------------------------------------------------- vector kinds (witness.json)

export function cosignatureLine({ line, vkey, checkpoint }) {
  const note = parseNote(utf8(`x\n\n${line}\n`));
  const sig = note.signatures[0];
  const p = lineParts(sig);
  if (vkey !== undefined) {
    const key = parseVkey(vkey);
    const when = edOk(key.publicKey, p.signature, utf8(cosignatureMessageOf(checkpoint, p.time)));
    if (!when || key.name !== sig.name || key.keyId !== hex(sig.keyId)) throw new SuijiError("cosignature-invalid", "联署不能用该见证人密钥验证");
  }
  return { name: sig.name, key_id: hex(sig.keyId), timestamp: Number(p.time), signature_bytes: sig.signature.length - 8 };
}

export const cosignatureMessage = ({ checkpoint, timestamp }) => cosignatureMessageOf(checkpoint, timestamp);

/** A tlog-witness add-checkpoint body (suiji.standards.witnessproto); `bad-request` otherwise. */
export function addCheckpoint({ body }) {
  const bad = (m) => new SuijiError("bad-request", m);
  const data = utf8(body);
  if (data.length > 1 << 20) throw bad("请求过大");
  const cut = body.indexOf("\n\n");
  if (cut < 0) throw bad("请求缺少空行");
  const head = body.slice(0, cut);
  if (/[^\x00-\x7f]/.test(head)) throw bad("请求头不是 ASCII");
  const lines = head.split("\n");
  const m = /^old (0|[1-9][0-9]{0,19})$/.exec(lines[0]);
  if (!m) throw bad("请求第一行必须是 old <size>");
  const proof = [];
  for (const l of lines.slice(1)) {
    let h;
    try {
      h = b64decodeStrict(l);
    } catch {
      throw bad("一致性证明行不是规范 base64");
    }
    if (h.length !== 32) throw bad("一致性证明的哈希必须是 32 字节");
    proof.push(l);
  }
  if (proof.length > 63) throw bad("一致性证明超过 63 行");
  let note;
  let cp;
  try {
    note = parseNote(utf8(body.slice(cut + 2)));
    cp = parseCheckpoint(note.text);
  } catch (e) {
    throw bad(`检查点无效：${e.message}`);
  }
  return { old: Number(m[1]), proof, origin: cp.origin, size: cp.size, signatures: note.signatures.length };
}

export function tilePath({ level, index, width }) {
  if (!(width >= 1 && width <= 256)) throw new SuijiError("tile-width", "tile width must be 1..256");
  return `tile/${level}/${tileIndexPath(index)}${width === 256 ? "" : `.p/${width}`}`;
}

/** [level, width, how many] of every tile of a tree of `size`, sorted. */
export function tileWidths({ size }) {
  const counts = new Map();
  let level = 0;
  let span = 1;
  while (size && size >= span) {
    const hashes = Math.floor(size / span);
    const full = Math.floor(hashes / 256);
    if (full) counts.set(`${level},256`, (counts.get(`${level},256`) ?? 0) + full);
    if (hashes % 256) counts.set(`${level},${hashes % 256}`, (counts.get(`${level},${hashes % 256}`) ?? 0) + 1);
    level++;
    span *= 256;
  }
  return [...counts.entries()].map(([k, n]) => [...k.split(",").map(Number), n]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

export function inclusion({ leaves_hex, index, size }) {
  const data = leaves_hex.map((x) => fromHex(x));
  const leaves = data.slice(0, size).map(leafOf);
  const proof = inclusionProof(leaves, index);
  const root = rootOf(leaves);
  if (!verifyInclusion(leafOf(data[index]), index, size, proof, root)) throw new SuijiError("proof", "inclusion proof does not verify");
  return { proof: proof.map(b64encode), root: b64encode(root) };
}

export function consistency({ leaves_hex, old, new: n }) {
  const leaves = leaves_hex.map((x) => leafOf(fromHex(x)));
  const proof = consistencyProof(leaves.slice(0, n), old, n);
  const oldRoot = rootOf(leaves, 0, old);
  const newRoot = rootOf(leaves, 0, n);
  if (!verifyConsistency(old, n, oldRoot, newRoot, proof)) throw new SuijiError("proof", "consistency proof does not verify");
  return { proof: proof.map(b64encode), old_root: b64encode(oldRoot), new_root: b64encode(newRoot) };
}

export function policy({ policy: value }) {
  const p = readPolicy(value);
  return { threshold: p.threshold, lead_seconds: p.lead, witnesses: p.keys.map((k) => k.name) };
}
