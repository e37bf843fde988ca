// THROW-AWAY COPY (i16-lib) of i16-replay's encoding.js, same exports (docs/spec/01-encoding.md).
// The merged tree keeps i16-replay's file; this one exists only so i16-lib's modules and
// tests run on their own branch before the merge.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export class SuijiError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
    this.name = "SuijiError";
  }
}

const ENC = new TextEncoder();
export function utf8(str) {
  return ENC.encode(str);
}
export function hex(bytes) {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
export function fromHex(str) {
  if (typeof str !== "string" || str.length % 2 || !/^[0-9a-fA-F]*$/.test(str)) {
    throw new SuijiError("bad-hex", "not hexadecimal");
  }
  const out = new Uint8Array(str.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(str.slice(2 * i, 2 * i + 2), 16);
  return out;
}
export function sha256(bytes) {
  return nobleSha256(bytes);
}
export function taggedHash(tag, data) {
  const t = utf8(tag);
  const buf = new Uint8Array(t.length + 1 + data.length);
  buf.set(t, 0);
  buf[t.length] = 0x0a;
  buf.set(data, t.length + 1);
  return sha256(buf);
}

function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function str(s) {
  if (hasLoneSurrogate(s)) throw new SuijiError("lone-surrogate", "lone surrogate");
  if (s.normalize("NFC") !== s) throw new SuijiError("not-nfc", "string not NFC");
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c === 8) out += "\\b";
    else if (c === 9) out += "\\t";
    else if (c === 10) out += "\\n";
    else if (c === 12) out += "\\f";
    else if (c === 13) out += "\\r";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function ser(v, depth) {
  if (depth > 64) throw new SuijiError("too-deep", "nested too deep");
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new SuijiError("non-finite-number", "NaN or Infinity");
    if (!Number.isInteger(v)) throw new SuijiError("float", "not an integer");
    if (v < 0 || v > Number.MAX_SAFE_INTEGER || Object.is(v, -0)) {
      if (Object.is(v, -0)) return "0";
      throw new SuijiError("integer-out-of-range", "integer out of range");
    }
    return String(v);
  }
  if (typeof v === "string") return str(v);
  if (Array.isArray(v)) return "[" + v.map((x) => ser(x, depth + 1)).join(",") + "]";
  if (typeof v === "object") {
    const keys = Object.keys(v);
    for (const k of keys) {
      if (!/^[\x00-\x7f]*$/.test(k)) throw new SuijiError("non-ascii-key", "non-ASCII key");
    }
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + keys.map((k) => str(k) + ":" + ser(v[k], depth + 1)).join(",") + "}";
  }
  throw new SuijiError("invalid-json", "not a JSON value");
}

export function canonicalize(value) {
  return ser(value, 1);
}

export function parseCanonical(text) {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "[" || c === "{") {
      if (++depth > 64) throw new SuijiError("too-deep", "nested too deep");
    } else if (c === "]" || c === "}") depth--;
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SuijiError("invalid-json", "not JSON");
  }
  if (canonicalize(value) !== text) throw new SuijiError("not-canonical", "not canonical JSON");
  return value;
}

const SPACE_RE = /[\s\x1c-\x1f\x85\u200b\ufeff]+/gu;
export function matchKey(text) {
  return text.normalize("NFKC").replace(SPACE_RE, " ").trim().toUpperCase();
}
export function idKey(text) {
  return text.normalize("NFKC").replace(SPACE_RE, "").toUpperCase();
}
