// Spec 01 encoding (canonical JSON, tagged hashes, match and id keys).
// Throw-away copy with the exports of the branch that owns this file (i16-replay); the
// merged tree keeps that branch's file. It exists so the ledger checks run before the merge.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export class SuijiError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8(str) {
  return encoder.encode(str);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
export function hex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

export function fromHex(str) {
  if (typeof str !== "string" || str.length % 2 || !/^[0-9a-fA-F]*$/.test(str)) {
    throw new SuijiError("bad-hex", `不是十六进制：${String(str).slice(0, 20)}`);
  }
  const out = new Uint8Array(str.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(str.substr(i * 2, 2), 16);
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
  return nobleSha256(buf);
}

const MAX_INT = Number.MAX_SAFE_INTEGER;

function quote(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) {
      if (c === 8) out += "\\b";
      else if (c === 9) out += "\\t";
      else if (c === 10) out += "\\n";
      else if (c === 12) out += "\\f";
      else if (c === 13) out += "\\r";
      else out += "\\u00" + HEX[c];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else throw new SuijiError("lone-surrogate", "字符串含有不成对的代理项");
    } else out += s[i];
  }
  return out + '"';
}

function checkString(s) {
  // quote() rejects lone surrogates; NFC is checked here
  if (s.normalize("NFC") !== s) throw new SuijiError("not-nfc", "字符串不是 NFC 形式");
}

export function canonicalize(value, depth = 0) {
  if (depth > 64) throw new SuijiError("too-deep", "嵌套超过 64 层");
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new SuijiError("non-finite-number", "NaN 或 Infinity");
    if (!Number.isInteger(value)) throw new SuijiError("float", "只允许整数");
    if (value < 0 || value > MAX_INT || Object.is(value, -0)) {
      if (Object.is(value, -0)) return "0";
      throw new SuijiError("integer-out-of-range", "整数超出 0..2^53-1");
    }
    return String(value);
  }
  if (typeof value === "string") {
    const q = quote(value);
    checkString(value);
    return q;
  }
  if (Array.isArray(value)) {
    return "[" + value.map((v) => canonicalize(v, depth + 1)).join(",") + "]";
  }
  if (typeof value === "object") {
    const keys = Object.keys(value);
    for (const k of keys) {
      if (!/^[\x00-\x7f]*$/.test(k)) throw new SuijiError("non-ascii-key", `键不是 ASCII：${k}`);
    }
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + keys.map((k) => quote(k) + ":" + canonicalize(value[k], depth + 1)).join(",") + "}";
  }
  throw new SuijiError("invalid-json", `不能编码的值：${typeof value}`);
}

function checkDepth(text) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > 64) throw new SuijiError("too-deep", "嵌套超过 64 层");
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

// A strict JSON parser: duplicate keys, floats, negatives, lone surrogates are errors of
// their own; everything else non-canonical is found by the round trip in parseCanonical.
class Parser {
  constructor(text) {
    this.t = text;
    this.i = 0;
  }
  fail(code, msg) {
    throw new SuijiError(code, msg || `JSON 语法错误（位置 ${this.i}）`);
  }
  ws() {
    const t = this.t;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }
  value() {
    this.ws();
    const c = this.t[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "t" && this.t.startsWith("true", this.i)) return (this.i += 4), true;
    if (c === "f" && this.t.startsWith("false", this.i)) return (this.i += 5), false;
    if (c === "n" && this.t.startsWith("null", this.i)) return (this.i += 4), null;
    if (c === "N" && this.t.startsWith("NaN", this.i)) this.fail("non-finite-number", "NaN");
    if (c === "I" && this.t.startsWith("Infinity", this.i)) this.fail("non-finite-number", "Infinity");
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    this.fail("invalid-json");
  }
  number() {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.t.slice(this.i, this.i + 400));
    if (!m) this.fail("invalid-json");
    this.i += m[0].length;
    if (m[0].startsWith("-Infinity")) this.fail("non-finite-number");
    if (m[2] || m[3]) this.fail("float", `不允许小数或指数：${m[0]}`);
    if (m[0].startsWith("-")) {
      if (m[0] === "-0") this.fail("not-canonical", "-0");
      this.fail("integer-out-of-range", `负数：${m[0]}`);
    }
    const n = Number(m[0]);
    if (n > MAX_INT) this.fail("integer-out-of-range", `整数超出 2^53-1：${m[0]}`);
    // leading zeros: "007" parses as 0 then 07 remains -> syntax error below
    return n;
  }
  string() {
    const t = this.t;
    this.i++;
    let out = "";
    let start = this.i;
    for (;;) {
      if (this.i >= t.length) this.fail("invalid-json", "字符串未结束");
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        out += t.slice(start, this.i);
        this.i++;
        break;
      }
      if (c < 0x20) this.fail("invalid-json", "字符串中有控制字符");
      if (c === 0x5c) {
        out += t.slice(start, this.i);
        const e = t[this.i + 1];
        this.i += 2;
        if (e === '"') out += '"';
        else if (e === "\\") out += "\\";
        else if (e === "/") out += "/";
        else if (e === "b") out += "\b";
        else if (e === "f") out += "\f";
        else if (e === "n") out += "\n";
        else if (e === "r") out += "\r";
        else if (e === "t") out += "\t";
        else if (e === "u") {
          const h = t.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("invalid-json", "\\u 转义错误");
          out += String.fromCharCode(parseInt(h, 16));
          this.i += 4;
        } else this.fail("invalid-json", "未知转义");
        start = this.i;
        continue;
      }
      this.i++;
    }
    for (let k = 0; k < out.length; k++) {
      const c = out.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = out.charCodeAt(k + 1);
        if (d >= 0xdc00 && d <= 0xdfff) k++;
        else this.fail("lone-surrogate", "字符串含有不成对的代理项");
      } else if (c >= 0xdc00 && c <= 0xdfff) this.fail("lone-surrogate", "字符串含有不成对的代理项");
    }
    return out;
  }
  array() {
    this.i++;
    const out = [];
    this.ws();
    if (this.t[this.i] === "]") return this.i++, out;
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.t[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail("invalid-json");
    }
  }
  object() {
    this.i++;
    const out = Object.create(null);
    const seen = new Set();
    this.ws();
    if (this.t[this.i] === "}") return this.i++, Object.assign({}, out);
    for (;;) {
      this.ws();
      if (this.t[this.i] !== '"') this.fail("invalid-json");
      const k = this.string();
      if (seen.has(k)) this.fail("duplicate-key", `重复的键：${k}`);
      seen.add(k);
      this.ws();
      if (this.t[this.i++] !== ":") this.fail("invalid-json");
      const v = this.value();
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.t[this.i++];
      if (c === "}") {
        const plain = {};
        for (const key of Object.keys(out)) {
          Object.defineProperty(plain, key, { value: out[key], enumerable: true, writable: true, configurable: true });
        }
        return plain;
      }
      if (c !== ",") this.fail("invalid-json");
    }
  }
}

// Parse canonical JSON text (or UTF-8 bytes) strictly; the value must re-serialise to the
// exact same text.
export function parseCanonical(text) {
  if (text instanceof Uint8Array) {
    try {
      text = decoder.decode(text);
    } catch {
      throw new SuijiError("invalid-utf8", "不是有效的 UTF-8");
    }
  }
  if (text.length === 0) throw new SuijiError("invalid-json", "空文本");
  if (text.charCodeAt(0) === 0xfeff) throw new SuijiError("invalid-json", "有字节顺序标记 (BOM)");
  checkDepth(text);
  const p = new Parser(text);
  const value = p.value();
  p.ws();
  if (p.i !== text.length) p.fail("invalid-json", "JSON 之后还有内容");
  if (canonicalize(value) !== text) throw new SuijiError("not-canonical", "不是规范 JSON（空白、键序、转义或数字写法不符）");
  return value;
}

const SPACES = /[\s\u3000\u00a0]+/gu;
export function matchKey(text) {
  return text.normalize("NFKC").replace(SPACES, " ").trim().replace(/[a-z]/g, (c) => c.toUpperCase());
}

export function idKey(text) {
  return matchKey(text).replace(/ /g, "");
}
