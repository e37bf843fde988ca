// Cell-level readers of the records (docs/spec/02-records.md §2.2–2.3, §2.10.2–2.10.3):
// text trimming and ordering, dates as clerks write them, yes/no, counts, multi-value and
// results cells, and RFC 4180 CSV. records.js re-exports all of it.
import { SuijiError, matchKey, idKey } from "./encoding.js";

const DECODER = new TextDecoder("utf-8", { fatal: true });

// ---------------------------------------------------------------- text (spec 01 §1.3)

const TRIM_CHARS = " \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff";

/** clean_text: outer white space (incl. U+3000, NBSP, U+200B, BOM) trimmed, then NFC. */
export function cleanText(s) {
  let a = 0;
  let b = s.length;
  while (a < b && TRIM_CHARS.includes(s[a])) a++;
  while (b > a && TRIM_CHARS.includes(s[b - 1])) b--;
  return s.slice(a, b).normalize("NFC");
}

/** Compare two strings by code point (= UTF-8 byte order), as every suiji sort does. */
export function compareText(a, b) {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0);
    const cy = y.value.codePointAt(0);
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

// ---------------------------------------------------------------- days

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** True iff "YYYY-MM-DD" names a real proleptic-Gregorian day (years 0001-9999). */
export function isRealDate(s) {
  if (typeof s !== "string" || !DATE_RE.test(s)) return false;
  const y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}
export function daysInMonth(y, m) {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

// ---------------------------------------------------------------- cells (§2.3)

const DATE_SEP_RE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const DATE_CN_RE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const SERIAL_RE = /^(\d{5,7})(?:\.0+)?$/;
const MIDNIGHT_RE = /\s+0?0:00(?::00)?$/;
const DATE_HINT = "请写成 2025-03-01、2025/3/1、2025.3.1 或 2025年3月1日";

function isoDay(y, m, d) {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Days since 1970-01-01 of a YYYY-MM-DD day, and back. */
export function dayNumber(s) {
  // days from civil (proleptic Gregorian), exact for every year 0001-9999
  let y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
export function dayFromNumber(n) {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return isoDay(era * 400 + yoe + (m <= 2 ? 1 : 0), m, d);
}
/**
 * A date cell as clerks write it → "YYYY-MM-DD", or null for an empty cell.
 * @throws SuijiError unrecognised-date | no-such-date
 */
export function parseDateCell(text) {
  const raw = cleanText(text);
  if (!raw) return null;
  let folded = raw.normalize("NFKC").replace(MIDNIGHT_RE, "").replace(/\s+/gu, "");
  let m = DATE_SEP_RE.exec(folded);
  let y;
  let mo;
  let d;
  if (m) [y, mo, d] = [+m[1], +m[3], +m[4]];
  else if ((m = DATE_CN_RE.exec(folded))) [y, mo, d] = [+m[1], +m[2], +m[3]];
  else {
    const s = SERIAL_RE.exec(folded);
    if (!s) throw new SuijiError("unrecognised-date", `无法识别的日期「${raw}」：${DATE_HINT}`);
    const serial = +s[1];
    if (serial < 10000 || serial > 2958465) {
      throw new SuijiError("unrecognised-date", `「${raw}」不像 Excel 日期序号：${DATE_HINT}`);
    }
    return dayFromNumber(dayNumber("1899-12-30") + serial);
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new SuijiError("no-such-date", `日期「${raw}」不存在（请核对月份和日）`);
  }
  if (y < 1900 || y > 2100) throw new SuijiError("unrecognised-date", `日期「${raw}」的年份不合理：${DATE_HINT}`);
  return isoDay(y, mo, d);
}

const YES = new Set(["是", "Y", "YES", "1", "TRUE", "√", "✓"]);
const NO = new Set(["否", "N", "NO", "0", "FALSE", "×", "✗", ""]);

/** 是/否 (Y/N, 1/0, TRUE/FALSE, √/×; empty = 否) → boolean. @throws SuijiError bad-bool */
export function parseYesNo(text) {
  const k = matchKey(text);
  if (YES.has(k)) return true;
  if (NO.has(k)) return false;
  throw new SuijiError("bad-bool", `「${cleanText(text)}」不是“是/否”：请填写 是 或 否（留空表示否）`);
}

const MULTI_SEP_RE = /[、;；,，]/u;
/** The values of a multi-value cell, each clean_text, empty parts dropped. */
export function splitMulti(text) {
  return text.split(MULTI_SEP_RE).map(cleanText).filter((v) => v);
}

/** A whole number cell → integer or null. @throws SuijiError bad-int */
export function parseCount(text) {
  const raw = cleanText(text);
  if (!raw) return null;
  let f = raw.normalize("NFKC");
  if (f.endsWith(".0")) f = f.slice(0, -2);
  if (!/^(0|[1-9][0-9]*)$/.test(f) || f.length > 15) throw new SuijiError("bad-int", `「${raw}」不是整数`);
  return Number(f);
}

/** Several ids in one cell → sorted, de-duplicated id_keys. */
export function parseIds(text) {
  return [...new Set(splitMulti(text).map(idKey))].filter((v) => v).sort(compareText);
}

// ---------------------------------------------------------------- results cells (§2.10)

/** The national result categories [code, official name] in their order (§2.10.2). */
export const RESULT_CATEGORIES = [
  ["1", "未发现问题"],
  ["A", "发现问题待后续处理"],
  ["E", "发现问题经责令已改正"],
  ["F", "未发现开展本次抽查涉及的经营活动"],
  ["6", "通过登记的住所（经营场所）无法联系"],
  ["7", "已关闭停业或正在组织清算"],
  ["8", "不配合检查情节严重"],
  ["9", "注销"],
  ["10", "被吊销"],
  ["11", "被撤销"],
  ["12", "迁出"],
  ["5", "违反其他部门相关规定"],
];
const CATEGORY_ALIASES = {
  发现问题已责令改正: "发现问题经责令已改正",
  通过登记的住所无法联系: "通过登记的住所（经营场所）无法联系",
  通过登记的经营场所无法联系: "通过登记的住所（经营场所）无法联系",
  吊销: "被吊销",
  撤销: "被撤销",
};
export const NO_PROBLEM = "未发现问题";
/** Categories that say the inspection took place (items checked must be listed). */
export const INSPECTED_CATEGORIES = ["未发现问题", "发现问题待后续处理", "发现问题经责令已改正", "违反其他部门相关规定"];
export const FINDINGS = ["符合", "不符合", "不适用"];

const CATEGORY_LOOKUP = new Map();
for (const [code, name] of RESULT_CATEGORIES) CATEGORY_LOOKUP.set(matchKey(code), name);
for (const [, name] of RESULT_CATEGORIES) CATEGORY_LOOKUP.set(matchKey(name), name);
for (const [a, name] of Object.entries(CATEGORY_ALIASES)) CATEGORY_LOOKUP.set(matchKey(a), name);

/**
 * A 检查结果 cell → official category names in national order.
 * @throws SuijiError unknown-category | category-conflict
 */
export function parseCategories(text) {
  const parts = splitMulti(text);
  const unknown = parts.filter((p) => !CATEGORY_LOOKUP.has(matchKey(p)));
  if (unknown.length) {
    throw new SuijiError("unknown-category", `「${unknown.join("、")}」不是全国统一的检查结果类别`);
  }
  const chosen = new Set(parts.map((p) => CATEGORY_LOOKUP.get(matchKey(p))));
  if (chosen.has(NO_PROBLEM) && chosen.size > 1) {
    throw new SuijiError("category-conflict", `“${NO_PROBLEM}”不能与其他类别同时选择`);
  }
  return RESULT_CATEGORIES.map(([, n]) => n).filter((n) => chosen.has(n));
}

const FINDINGS_SEP_RE = /[;；、\n]/u;
/**
 * A 检查事项及结果 cell → [[item id, finding], …] sorted by item id.
 * @throws SuijiError findings-syntax | unknown-finding | item-repeated
 */
export function parseFindings(text) {
  const out = new Map();
  for (let part of text.normalize("NFKC").split(FINDINGS_SEP_RE)) {
    part = cleanText(part);
    if (!part) continue;
    const at = part.indexOf(":");
    const item = at < 0 ? "" : idKey(part.slice(0, at));
    const finding = at < 0 ? "" : cleanText(part.slice(at + 1));
    if (at < 0 || !item || !finding) {
      throw new SuijiError("findings-syntax", `无法识别「${cleanText(text)}」中的「${part}」`);
    }
    if (!FINDINGS.includes(finding)) {
      throw new SuijiError("unknown-finding", `事项 ${item} 的结果「${finding}」无效`);
    }
    if (out.has(item)) throw new SuijiError("item-repeated", `事项 ${item} 写了两次`);
    out.set(item, finding);
  }
  return [...out.entries()].sort((a, b) => compareText(a[0], b[0]));
}

// ---------------------------------------------------------------- CSV (§2.2)

/** RFC 4180 rows of a CSV text (`,`, `"` quoting, CRLF or LF). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  let any = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === "") {
      quoted = true;
      any = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
      any = true;
    } else if (ch === "\r" || ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      any = false;
      if (ch === "\r" && text[i + 1] === "\n") i++;
    } else {
      cell += ch;
      any = true;
    }
    i++;
  }
  if (quoted) throw new SuijiError("bad-csv", "CSV 引号未闭合");
  if (any || cell) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Decode CSV bytes as §2.2 says: BOM → UTF-8; valid UTF-8 → UTF-8; else GB18030. */
export function decodeCsv(bytes) {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    try {
      return DECODER.decode(bytes.subarray(3));
    } catch {
      throw new SuijiError("bad-csv", "文件带 UTF-8 BOM 却不是合法的 UTF-8");
    }
  }
  try {
    return DECODER.decode(bytes);
  } catch {
    try {
      return new TextDecoder("gb18030", { fatal: true }).decode(bytes);
    } catch {
      throw new SuijiError("bad-csv", "文件既不是 UTF-8 也不是 GB18030");
    }
  }
}

