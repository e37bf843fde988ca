// Shared encodings (docs/spec/01-encoding.md): canonical JSON, strict parsing, tagged
// hashes, text keys. Every value the verifier re-computes goes through these few
// functions; they must agree byte for byte with the Python implementation, which is why
// the parser is hand-written (JSON.parse silently keeps the last of duplicate keys).
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** An error a user can act on; `code` is the stable kebab code of the vectors and of `suiji verify`. */
export class SuijiError extends Error {
  constructor(code, message) {
    super(message ?? code);
    this.name = "SuijiError";
    this.code = code;
  }
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8(str) {
  return ENCODER.encode(str);
}

/** Decode UTF-8 strictly (invalid bytes → SuijiError invalid-utf8; a BOM is kept, not eaten). */
export function fromUtf8(bytes) {
  try {
    return DECODER.decode(bytes);
  } catch {
    throw new SuijiError("invalid-utf8", "不是合法的 UTF-8");
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function hex(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

export function fromHex(str) {
  if (typeof str !== "string" || str.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(str)) {
    throw new SuijiError("bad-hex", `不是十六进制: ${String(str).slice(0, 40)}`);
  }
  const out = new Uint8Array(str.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(str.substr(i * 2, 2), 16);
  return out;
}

export function sha256(bytes) {
  return nobleSha256(bytes);
}

export function concatBytes(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const TAG_RE = /^suiji\/[a-z0-9][a-z0-9-]*\/v[1-9][0-9]*$/;

/** H(tag, data) = SHA-256(ASCII(tag) ‖ 0x0A ‖ data) (§1.2). */
export function taggedHash(tag, data) {
  if (typeof tag === "object" && tag !== null) return taggedHex(tag.tag, utf8(tag.data_utf8)); // vector form
  if (!TAG_RE.test(tag)) throw new SuijiError("bad-tag", `bad hash tag: ${tag}`);
  const bytes = typeof data === "string" ? utf8(data) : data;
  return sha256(concatBytes(utf8(tag + "\n"), bytes));
}

export function taggedHex(tag, data) {
  return hex(taggedHash(tag, data));
}


// ---------------------------------------------------------------- canonical JSON

export const MAX_INT = Number.MAX_SAFE_INTEGER;
export const MAX_DEPTH = 64;
const NON_ASCII = /[^\x00-\x7f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkString(s) {
  if (!NON_ASCII.test(s)) return;
  if (LONE_SURROGATE.test(s)) throw new SuijiError("lone-surrogate", "字符串含孤立代理字符");
  if (s.normalize("NFC") !== s) throw new SuijiError("not-nfc", "字符串不是 NFC 规范形式");
}

function checkNumber(n) {
  if (!Number.isFinite(n)) throw new SuijiError("non-finite-number", `不允许的数值: ${n}`);
  if (!Number.isInteger(n)) throw new SuijiError("float", `不允许小数: ${n}`);
  if (n < 0 || n > MAX_INT) throw new SuijiError("integer-out-of-range", `整数超出范围 0..2^53-1: ${n}`);
}

function serialise(v, out) {
  if (v === null) return void out.push("null");
  switch (typeof v) {
    case "boolean":
      return void out.push(v ? "true" : "false");
    case "number":
      checkNumber(v);
      return void out.push(String(v === 0 ? 0 : v));
    case "bigint":
      if (v < 0n || v > BigInt(MAX_INT)) throw new SuijiError("integer-out-of-range", `整数超出范围: ${v}`);
      return void out.push(v.toString());
    case "string":
      checkString(v);
      // Well-formed JSON.stringify writes exactly the minimal escapes of §1.1.
      return void out.push(JSON.stringify(v));
    case "object":
      break;
    default:
      throw new SuijiError("bad-type", `不允许的类型 ${typeof v}`);
  }
  if (Array.isArray(v)) {
    out.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i) out.push(",");
      serialise(v[i], out);
    }
    return void out.push("]");
  }
  const keys = Object.keys(v);
  for (const k of keys) {
    if (NON_ASCII.test(k)) throw new SuijiError("non-ascii-key", `键必须是 ASCII 字符串: ${k}`);
  }
  keys.sort(); // ASCII keys: UTF-16 order = code point order = byte order
  out.push("{");
  let first = true;
  for (const k of keys) {
    if (v[k] === undefined) continue;
    if (!first) out.push(",");
    first = false;
    out.push(JSON.stringify(k), ":");
    serialise(v[k], out);
  }
  out.push("}");
}

/** The canonical text of a value (§1.1); SuijiError for anything outside the subset. */
export function canonicalize(value) {
  const out = [];
  serialise(value, out);
  return out.join("");
}

/** Canonical JSON bytes. */
export function canonicalBytes(value) {
  return utf8(canonicalize(value));
}

/** Vector kind `canonical_json`. */
export function canonicalJson({ value }) {
  return canonicalize(value);
}

/** Reject nesting deeper than `limit` by a linear scan outside strings (§1.1). */
export function checkDepth(text, limit = MAX_DEPTH) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) {
        throw new SuijiError("too-deep", `嵌套层数超过 ${limit}（数组或对象套得太深），拒绝解析`);
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

// A strict JSON reader with Python's json semantics (which the spec's error codes name):
// NaN/Infinity are "non-finite-number", fractions and exponents "float", duplicate keys
// "duplicate-key", anything else malformed "invalid-json".
class Reader {
  constructor(text) {
    this.s = text;
    this.i = 0;
  }
  fail(what) {
    throw new SuijiError("invalid-json", `不是合法的 JSON: ${what}（位置 ${this.i}）`);
  }
  ws() {
    const s = this.s;
    let c;
    while (this.i < s.length && ((c = s.charCodeAt(this.i)) === 32 || c === 9 || c === 10 || c === 13)) this.i++;
  }
  value() {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "t" && s.startsWith("true", this.i)) return (this.i += 4), true;
    if (c === "f" && s.startsWith("false", this.i)) return (this.i += 5), false;
    if (c === "n" && s.startsWith("null", this.i)) return (this.i += 4), null;
    if (c === "N" && s.startsWith("NaN", this.i)) throw new SuijiError("non-finite-number", "不允许的数值: NaN");
    if (c === "I" && s.startsWith("Infinity", this.i)) throw new SuijiError("non-finite-number", "不允许的数值: Infinity");
    if (c === "-" && s.startsWith("-Infinity", this.i)) throw new SuijiError("non-finite-number", "不允许的数值: -Infinity");
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    return this.fail("意外的字符");
  }
  number() {
    const s = this.s;
    const m = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(s);
    if (!r) this.fail("数字写法不对");
    if (r[1] !== undefined || r[2] !== undefined) throw new SuijiError("float", `不允许小数: ${r[0]}`);
    this.i = m.lastIndex;
    return Number(r[0]);
  }
  string() {
    const s = this.s;
    let i = this.i + 1;
    let out = "";
    let start = i;
    for (;;) {
      if (i >= s.length) this.fail("字符串没有结束");
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.i = i;
        this.fail("字符串中有控制字符");
      }
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(s.substr(i + 2, 4))) {
          out += String.fromCharCode(parseInt(s.substr(i + 2, 4), 16));
          i += 6;
        } else {
          this.i = i;
          this.fail("非法转义");
        }
        start = i;
        continue;
      }
      i++;
    }
    out += s.slice(start, i);
    this.i = i + 1;
    return out;
  }
  array() {
    this.i++;
    const out = [];
    this.ws();
    if (this.s[this.i] === "]") return this.i++, out;
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail("数组中缺少 , 或 ]");
    }
  }
  object() {
    this.i++;
    const out = {};
    const seen = new Set();
    this.ws();
    if (this.s[this.i] === "}") return this.i++, out;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("键必须是字符串");
      const k = this.string();
      this.ws();
      if (this.s[this.i++] !== ":") this.fail("缺少 :");
      const v = this.value();
      if (seen.has(k)) throw new SuijiError("duplicate-key", `重复的键: ${k}`);
      seen.add(k);
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return out;
      if (c !== ",") this.fail("对象中缺少 , 或 }");
    }
  }
}

/** Parse JSON that need not be canonical, strictly (no duplicates, floats, NaN). */
export function parseStrict(input) {
  const text = typeof input === "string" ? input : fromUtf8(input);
  checkDepth(text);
  const r = new Reader(text);
  const v = r.value();
  r.ws();
  if (r.i !== text.length) r.fail("值之后还有内容");
  return v;
}

/**
 * Parse text (or UTF-8 bytes) that must already be canonical JSON: the value is
 * re-serialised and must give back the same text (§1.1's round-trip rule).
 */
export function parseCanonical(input) {
  if (typeof input === "object" && input !== null && !(input instanceof Uint8Array)) {
    input = utf8(input.text); // vector form {text}: the text encoded as UTF-8
  }
  const text = typeof input === "string" ? input : fromUtf8(input);
  checkDepth(text);
  // Fast path: canonical input parses plainly and re-serialises to itself; duplicates,
  // floats and NaN never survive that round trip, so the strict reader only runs to name
  // the precise fault.
  try {
    const value = JSON.parse(text);
    if (canonicalize(value) === text) return value;
  } catch {
    // fall through to the strict reader
  }
  const value = parseStrict(text);
  if (canonicalize(value) !== text) {
    throw new SuijiError("not-canonical", "不是规范 JSON（键序、空白、转义或数字写法不符）");
  }
  return value;
}

// ---------------------------------------------------------------- text keys (§1.3)

// Python's str.isspace set (what its \s and strip() use) plus U+200B and U+FEFF.
const SPACE_CLASS = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200b\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
const SPACE_RUN = new RegExp(`[${SPACE_CLASS}]+`, "g");
const OUTER_SPACE = /^[ \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]+|[ \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff]+$/g;
const STRIP_SPACE = /^[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Comparison key (never stored as official text): NFKC, white-space runs → one space, trimmed, upper case. */
export function matchKey(text) {
  if (typeof text === "object" && text !== null) text = text.text; // vector form {text}
  const folded = text.normalize("NFKC").replace(SPACE_RUN, " ");
  return folded.replace(STRIP_SPACE, "").toUpperCase();
}

/** Identifier key: like matchKey with every space removed; how ids are stored. */
export function idKey(text) {
  if (typeof text === "object" && text !== null) text = text.text; // vector form {text}
  return text.normalize("NFKC").replace(SPACE_RUN, "").toUpperCase();
}

/** Official text as written: outer spaces trimmed, NFC. */
export function cleanText(text) {
  return text.replace(OUTER_SPACE, "").normalize("NFC");
}



