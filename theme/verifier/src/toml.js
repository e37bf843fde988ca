// A strict reader for the TOML the calendar files use (docs/spec/15-calendar-and-deadlines.md
// §15.1): comments, bare/quoted/dotted keys, [table], [[array of tables]], basic and literal
// strings (one-line and multi-line), integers, booleans, local dates, date-times, arrays and
// inline tables. Anything it cannot read — including rarer TOML it does not implement
// (floats, times) — throws SuijiError "calendar-toml", which is what a calendar file gets
// for text that is not TOML.
import { SuijiError } from "./encoding.js";

/** A TOML local date ("YYYY-MM-DD"), kept apart from text. */
export class TomlDate {
  constructor(iso) {
    this.iso = iso;
  }
}
/** A TOML float (kept apart from integers, which JavaScript numbers cannot tell from 1.0). */
export class TomlFloat {
  constructor(value) {
    this.value = value;
  }
}
/** A TOML date-time or time: never a valid calendar day. */
export class TomlDateTime {
  constructor(text) {
    this.text = text;
  }
}

function fail(line, what) {
  throw new SuijiError("calendar-toml", `TOML 语法错误（第 ${line} 行）：${what}`);
}

const ESC = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/** Parse TOML text → plain object (tables as objects, arrays, TomlDate values). */
export function parseToml(text) {
  let i = 0;
  let line = 1;
  const root = {};
  const defined = new Set(); // tables created by a header or by key assignment
  let current = root;

  const peek = () => text[i];
  const skipWs = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  const skipComment = () => {
    if (text[i] === "#") {
      while (i < text.length && text[i] !== "\n") {
        const c = text.charCodeAt(i);
        if ((c < 0x20 && c !== 9) || c === 0x7f) fail(line, "注释中有控制字符");
        i++;
      }
    }
  };
  const endOfLine = () => {
    skipWs();
    skipComment();
    if (i >= text.length) return;
    if (text[i] === "\r" && text[i + 1] === "\n") i++;
    if (text[i] !== "\n") fail(line, "一行只能写一个键值");
    i++;
    line++;
  };
  const skipBlankAndComments = () => {
    for (;;) {
      skipWs();
      skipComment();
      if (text[i] === "\r" && text[i + 1] === "\n") i++;
      if (text[i] === "\n") {
        i++;
        line++;
      } else return;
    }
  };

  function basicString() {
    // at opening quote
    if (text.startsWith('"""', i)) return multiString('"""', true);
    i++;
    let out = "";
    for (;;) {
      if (i >= text.length || text[i] === "\n") fail(line, "字符串缺少结尾的引号");
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (ESC[e] !== undefined) {
          out += ESC[e];
          i += 2;
        } else if (e === "u" || e === "U") {
          const n = e === "u" ? 4 : 8;
          const h = text.slice(i + 2, i + 2 + n);
          if (!/^[0-9A-Fa-f]+$/.test(h) || h.length !== n) fail(line, "错误的 \\u 转义");
          const cp = parseInt(h, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(line, "错误的 \\u 转义");
          out += String.fromCodePoint(cp);
          i += 2 + n;
        } else fail(line, "错误的转义");
        continue;
      }
      const code = c.charCodeAt(0);
      if ((code < 0x20 && code !== 9) || code === 0x7f) fail(line, "字符串中有控制字符");
      out += c;
      i++;
    }
  }
  function literalString() {
    if (text.startsWith("'''", i)) return multiString("'''", false);
    i++;
    const end = text.indexOf("'", i);
    const nl = text.indexOf("\n", i);
    if (end < 0 || (nl >= 0 && nl < end)) fail(line, "字符串缺少结尾的引号");
    const s = text.slice(i, end);
    i = end + 1;
    return s;
  }
  function multiString(delim, escapes) {
    i += 3;
    if (text[i] === "\n") {
      i++;
      line++;
    } else if (text[i] === "\r" && text[i + 1] === "\n") {
      i += 2;
      line++;
    }
    let out = "";
    for (;;) {
      if (i >= text.length) fail(line, "多行字符串没有结尾");
      if (text.startsWith(delim, i)) {
        let extra = 0;
        while (text[i + 3 + extra] === delim[0] && extra < 2) extra++;
        out += delim[0].repeat(extra);
        i += 3 + extra;
        return out;
      }
      const c = text[i];
      if (c === "\n") line++;
      if (escapes && c === "\\") {
        const e = text[i + 1];
        if (ESC[e] !== undefined) {
          out += ESC[e];
          i += 2;
          continue;
        }
        if (e === "u" || e === "U") {
          const n = e === "u" ? 4 : 8;
          const h = text.slice(i + 2, i + 2 + n);
          if (!/^[0-9A-Fa-f]+$/.test(h) || h.length !== n) fail(line, "错误的 \\u 转义");
          out += String.fromCodePoint(parseInt(h, 16));
          i += 2 + n;
          continue;
        }
        // line-ending backslash: trim white space up to the next non-space
        let j = i + 1;
        while (text[j] === " " || text[j] === "\t") j++;
        if (text[j] === "\n" || (text[j] === "\r" && text[j + 1] === "\n")) {
          i = j;
          while (i < text.length && /[ \t\r\n]/.test(text[i])) {
            if (text[i] === "\n") line++;
            i++;
          }
          continue;
        }
        fail(line, "错误的转义");
      }
      out += c;
      i++;
    }
  }

  function key() {
    const parts = [];
    for (;;) {
      skipWs();
      const c = peek();
      if (c === '"') {
        if (text.startsWith('"""', i)) fail(line, "键不能是多行字符串");
        parts.push(basicString());
      } else if (c === "'") {
        if (text.startsWith("'''", i)) fail(line, "键不能是多行字符串");
        parts.push(literalString());
      } else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 200));
        if (!m) fail(line, "缺少键名");
        parts.push(m[0]);
        i += m[0].length;
      }
      skipWs();
      if (peek() === ".") {
        i++;
        continue;
      }
      return parts;
    }
  }

  function value() {
    const c = peek();
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === "[") return array();
    if (c === "{") return inlineTable();
    const m = /^[^ \t\r\n,\]}#]+/.exec(text.slice(i, i + 100));
    if (!m) fail(line, "缺少值");
    let tok = m[0];
    // a date-time may have a space between date and time
    const dt = /^(\d{4}-\d{2}-\d{2})[ ](\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)/.exec(text.slice(i, i + 60));
    if (dt && tok === dt[1]) tok = dt[0];
    i += tok.length;
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (/^[+-]?(0|[1-9](_?[0-9])*)$/.test(tok)) {
      const n = Number(tok.replace(/_/g, ""));
      if (!Number.isSafeInteger(n)) fail(line, "整数超出范围");
      return n;
    }
    let d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(tok);
    if (d) {
      if (!validDay(+d[1], +d[2], +d[3])) fail(line, "不存在的日期");
      return new TomlDate(tok);
    }
    d = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/.exec(tok);
    if (d) {
      if (!validDay(+d[1], +d[2], +d[3]) || +d[4] > 23 || +d[5] > 59 || +d[6] > 60) fail(line, "不存在的时间");
      return new TomlDateTime(tok);
    }
    if (/^\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(tok)) return new TomlDateTime(tok);
    if (/^[+-]?(0|[1-9](_?[0-9])*)(\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?$/.test(tok) || /^[+-]?(inf|nan)$/.test(tok)) {
      return new TomlFloat(Number(tok.replace(/_/g, ""))); // never a valid calendar value
    }
    return fail(line, `无法识别的值「${tok}」`);
  }

  function array() {
    i++;
    const out = [];
    for (;;) {
      skipBlankAndComments();
      if (peek() === "]") {
        i++;
        return out;
      }
      out.push(value());
      skipBlankAndComments();
      if (peek() === ",") {
        i++;
        continue;
      }
      if (peek() === "]") {
        i++;
        return out;
      }
      fail(line, "数组中缺少逗号或右方括号");
    }
  }

  function inlineTable() {
    i++;
    const out = {};
    skipWs();
    if (peek() === "}") {
      i++;
      return out;
    }
    for (;;) {
      const k = key();
      if (peek() !== "=") fail(line, "缺少等号");
      i++;
      skipWs();
      assign(out, k, value(), new Set());
      skipWs();
      if (peek() === ",") {
        i++;
        continue;
      }
      if (peek() === "}") {
        i++;
        return out;
      }
      fail(line, "内联表缺少逗号或右花括号");
    }
  }

  function assign(table, parts, v, defs) {
    let t = table;
    for (const p of parts.slice(0, -1)) {
      if (!Object.prototype.hasOwnProperty.call(t, p)) t[p] = {};
      else if (!isTable(t[p]) || defs.has(t[p])) fail(line, `键「${p}」重复`);
      t = t[p];
    }
    const last = parts[parts.length - 1];
    if (Object.prototype.hasOwnProperty.call(t, last)) fail(line, `键「${last}」重复`);
    t[last] = v;
    if (isTable(v)) defs.add(v); // inline tables are closed
  }
  const closed = new Set();

  function isTable(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof TomlDate) && !(v instanceof TomlDateTime) && !(v instanceof TomlFloat);
  }

  const arrayTables = new Set();
  while (i < text.length) {
    skipBlankAndComments();
    if (i >= text.length) break;
    if (peek() === "[") {
      const isArray = text[i + 1] === "[";
      i += isArray ? 2 : 1;
      const parts = key();
      if (isArray) {
        if (!text.startsWith("]]", i)) fail(line, "表头缺少 ]]");
        i += 2;
      } else {
        if (peek() !== "]") fail(line, "表头缺少 ]");
        i++;
      }
      let t = root;
      for (const p of parts.slice(0, -1)) {
        if (!Object.prototype.hasOwnProperty.call(t, p)) t[p] = {};
        let next = t[p];
        if (Array.isArray(next) && arrayTables.has(next)) next = next[next.length - 1];
        else if (!isTable(next) || closed.has(next)) fail(line, `表「${p}」重复`);
        t = next;
      }
      const last = parts[parts.length - 1];
      if (isArray) {
        if (!Object.prototype.hasOwnProperty.call(t, last)) {
          t[last] = [];
          arrayTables.add(t[last]);
        } else if (!arrayTables.has(t[last])) fail(line, `「${last}」重复`);
        const nt = {};
        t[last].push(nt);
        current = nt;
      } else {
        if (Object.prototype.hasOwnProperty.call(t, last)) {
          const ex = t[last];
          if (!isTable(ex) || defined.has(ex) || closed.has(ex)) fail(line, `表「${last}」重复`);
          current = ex;
        } else {
          t[last] = {};
          current = t[last];
        }
        defined.add(current);
      }
      endOfLine();
      continue;
    }
    const parts = key();
    if (peek() !== "=") fail(line, "缺少等号");
    i++;
    skipWs();
    assign(current, parts, value(), closed);
    endOfLine();
  }
  return root;
}

function validDay(y, m, d) {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return d <= dim;
}
