// Records and snapshots (docs/spec/02-records.md): the six records' columns, the strict
// snapshot reader the verifier needs for committed objects, the reference writer, a
// clerk's CSV, and the cell parsers (dates, result categories, item findings).
// A second implementation written from the spec; error codes are those of
// tests/vectors/README.md (records).
import { SuijiError, canonicalize, parseCanonical, taggedHash, utf8, hex, matchKey, idKey } from "./encoding.js";
import { validateUscc, isLegacyRegno } from "./uscc.js";
import { cleanText, compareText, isRealDate, parseYesNo, parseDateCell, splitMulti, parseCount, parseCategories, parseFindings, parseCsv } from "./cells.js";

export * from "./cells.js";

export const SNAPSHOT_TYPE = "suiji/snapshot/v1";
export const OBJECT_TAG = "suiji/object/v1";

// ---------------------------------------------------------------- schema (§2.4)

export const INDUSTRIES = [
  "危险化学品生产",
  "危险化学品经营（带储存）",
  "危险化学品经营（不带储存）",
  "危险化学品使用",
  "危险化学品储存",
  "烟花爆竹批发",
  "烟花爆竹零售",
];
export const AFFILIATIONS = ["中央", "省属", "市属", "县属", "其他"];
export const SCALES = ["大型", "中型", "小型", "微型"];
export const RISKS = ["重大风险", "较大风险", "一般风险", "低风险"];
const SPECIALTIES = ["化工工艺", "电气安全", "消防安全", "危化品储运", "烟花爆竹", "特种设备", "安全管理"];
export const STAFFING = ["编内", "编外"];

/** Active word and retired words of each record's 状态 (§2.5). */
export const STATUS_WORDS = {
  enterprises: ["在册", "注销", "吊销", "迁出", "关闭"],
  inspectors: ["在岗", "调离", "退休"],
  experts: ["在库", "退出"],
  checklist: ["有效", "废止"],
};

function col(header, alias, kind, opts = {}) {
  return { header, alias, kind, required: !!opts.required, draw: !!opts.draw, choices: opts.choices || [] };
}
function status(record) {
  return [
    col("状态", "status", "enum", { required: true, draw: true, choices: STATUS_WORDS[record] }),
    col("退出日期", "retired_on", "date", { draw: true }),
    col("退出原因", "retire_reason", "text"),
  ];
}
const flag = (h, a) => col(h, a, "bool", { draw: true });

/** The six records: name → {name, columns: [{header, alias, kind, required, draw, choices}], key}. */
export const SCHEMAS = {
  enterprises: {
    columns: [
      col("统一社会信用代码", "uscc", "uscc", { required: true, draw: true }),
      col("单位名称", "name", "text", { required: true }),
      col("行业类别", "industry", "enum", { required: true, draw: true, choices: INDUSTRIES }),
      col("隶属关系", "affiliation", "enum", { required: true, draw: true, choices: AFFILIATIONS }),
      col("乡镇", "township", "ref", { required: true }),
      col("执法片区", "district", "ref", { required: true, draw: true }),
      col("规模", "scale", "enum", { required: true, draw: true, choices: SCALES }),
      col("风险等级", "risk", "enum", { required: true, draw: true, choices: RISKS }),
      flag("重点单位", "key_unit"),
      flag("投诉较多", "complaints"),
      flag("事故多发", "accidents"),
      flag("行政处罚", "penalties"),
      flag("严重违法", "serious_violation"),
      flag("黑名单", "blacklist"),
      flag("重大事故隐患", "major_hazard"),
      col("经营地址", "address", "text"),
      col("纳入日期", "added_on", "date", { required: true, draw: true }),
      col("更新日期", "updated_on", "date"),
      ...status("enterprises"),
    ],
    key: ["uscc"],
  },
  inspectors: {
    columns: [
      col("人员编号", "person_id", "id", { required: true, draw: true }),
      col("姓名", "name", "text", { required: true }),
      col("执法证号", "cert_no", "id", { draw: true }),
      col("证件有效期至", "cert_expiry", "date", { draw: true }),
      col("编制", "staffing", "enum", { required: true, draw: true, choices: STAFFING }),
      col("职务", "position", "text", { required: true }),
      col("所在股室", "unit", "ref", { required: true, draw: true }),
      col("检查组", "group", "ref", { draw: true }),
      col("负责片区", "district", "ref", { draw: true }),
      flag("分管领导", "leader"),
      ...status("inspectors"),
    ],
    key: ["person_id"],
  },
  experts: {
    columns: [
      col("专家编号", "expert_id", "id", { required: true, draw: true }),
      col("姓名", "name", "text", { required: true }),
      col("专业领域", "specialties", "multi", { required: true, draw: true, choices: SPECIALTIES }),
      col("职称", "title", "text"),
      col("工作单位", "employer", "text"),
      ...status("experts"),
    ],
    key: ["expert_id"],
  },
  checklist: {
    columns: [
      col("事项编号", "item_id", "id", { required: true, draw: true }),
      col("检查事项", "title", "text", { required: true, draw: true }),
      col("检查内容", "content", "text"),
      col("检查依据", "legal_basis", "text", { required: true, draw: true }),
      col("适用行业", "industries", "multi", { required: true, draw: true, choices: INDUSTRIES }),
      col("检查方式", "method", "text"),
      ...status("checklist"),
    ],
    key: ["item_id"],
  },
  recusals: {
    columns: [
      col("人员编号", "person_id", "id", { required: true, draw: true }),
      col("统一社会信用代码", "uscc", "uscc", { required: true, draw: true }),
      col("回避事由", "reason", "text", { required: true }),
      col("登记日期", "registered_on", "date", { required: true, draw: true }),
    ],
    key: ["person_id", "uscc"],
  },
  "annual-plan": {
    columns: [
      col("年度", "year", "int", { required: true, draw: true }),
      col("执法单位", "unit", "ref", { required: true, draw: true }),
      col("计划检查次数", "planned_total", "int", { required: true, draw: true }),
      col("其中双随机次数", "planned_random", "int", { required: true, draw: true }),
    ],
    key: ["year", "unit"],
  },
};
for (const [name, s] of Object.entries(SCHEMAS)) s.name = name;

function schemaOf(record) {
  const s = Object.prototype.hasOwnProperty.call(SCHEMAS, record) ? SCHEMAS[record] : null;
  if (!s) throw new SuijiError("bad-header", `未知的记录「${record}」`);
  return s;
}

// ---------------------------------------------------------------- values and order

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Throw SuijiError if `value` is not the canonical snapshot value of column `c`. */
export function checkValue(c, value) {
  const k = c.kind;
  if (k === "uscc" || k === "id") {
    if (typeof value !== "string" || idKey(value) !== value) {
      throw new SuijiError("bad-id", `${c.alias}：编号必须是 id_key 规范形式的字符串`);
    }
    if (c.required && !value) throw new SuijiError("bad-id", `${c.alias}：必填编号为空`);
  } else if (k === "text" || k === "ref" || k === "enum") {
    if (typeof value !== "string" || cleanText(value) !== value) {
      throw new SuijiError("bad-text", `${c.alias}：文字必须是 clean_text 规范形式的字符串`);
    }
    if (c.required && !value) throw new SuijiError("bad-text", `${c.alias}：必填项为空`);
  } else if (k === "bool") {
    if (typeof value !== "boolean") throw new SuijiError("bad-bool", `${c.alias}：必须是 true 或 false`);
  } else if (k === "date") {
    if (value === null) {
      if (c.required) throw new SuijiError("bad-date", `${c.alias}：必填日期为空`);
    } else if (typeof value !== "string" || !DATE_RE.test(value)) {
      throw new SuijiError("bad-date", `${c.alias}：日期必须是 YYYY-MM-DD 或 null`);
    } else if (!isRealDate(value)) throw new SuijiError("bad-date", `${c.alias}：日期不存在`);
  } else if (k === "multi") {
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new SuijiError("bad-text", `${c.alias}：必须是字符串数组`);
    }
    if (value.some((v) => !v || cleanText(v) !== v)) {
      throw new SuijiError("bad-text", `${c.alias}：数组元素必须是非空的 clean_text 规范形式`);
    }
    for (let i = 1; i < value.length; i++) {
      if (compareText(value[i - 1], value[i]) >= 0) {
        throw new SuijiError("bad-text", `${c.alias}：数组必须按 UTF-8 字节升序且无重复`);
      }
    }
    if (c.required && !value.length) throw new SuijiError("bad-text", `${c.alias}：必填项为空`);
  } else if (value === null) {
    if (c.required) throw new SuijiError("bad-int", `${c.alias}：必填整数为空`);
  } else if (!Number.isInteger(value)) throw new SuijiError("bad-int", `${c.alias}：必须是整数`);
}

function compareKey(schema, a, b) {
  for (const alias of schema.key) {
    const x = a[alias];
    const y = b[alias];
    const c = typeof x === "string" ? compareText(x, y) : x === y ? 0 : x < y ? -1 : 1;
    if (c) return c;
  }
  return 0;
}

function headerLine(schema, n) {
  return canonicalize({ columns: schema.columns.map((c) => c.alias), record: schema.name, rows: n, type: SNAPSHOT_TYPE }) + "\n";
}

/**
 * The reference writer: rows (objects keyed by English alias, canonical values, any order)
 * → the snapshot text. Rows are sorted by key; a repeated key throws rows-not-ascending.
 * @returns {string}
 */
export function snapshotText(record, rows) {
  const schema = schemaOf(record);
  for (const row of rows) for (const c of schema.columns) checkValue(c, row[c.alias]);
  const sorted = [...rows].sort((a, b) => compareKey(schema, a, b));
  for (let i = 1; i < sorted.length; i++) {
    if (compareKey(schema, sorted[i - 1], sorted[i]) === 0) {
      throw new SuijiError("rows-not-ascending", "键重复");
    }
  }
  const lines = sorted.map((row) => canonicalize(schema.columns.map((c) => row[c.alias])) + "\n");
  return headerLine(schema, sorted.length) + lines.join("");
}

/** The object name (hex) of snapshot text or bytes: H("suiji/object/v1", bytes). */
export function objectHash(data) {
  return hex(taggedHash(OBJECT_TAG, typeof data === "string" ? utf8(data) : data));
}

// ---------------------------------------------------------------- strict reader (§2.4)

const DECODER = new TextDecoder("utf-8", { fatal: true });

/**
 * Read a committed snapshot strictly (text or Uint8Array): exactly what a writer produces.
 * @returns {{record: string, header: object, rows: object[]}} rows keyed by English alias
 * @throws SuijiError no-final-newline | bad-header | row-count-mismatch | rows-not-ascending |
 *   not-canonical (and the other spec 01 codes) | bad-id | bad-text | bad-date | bad-bool | bad-int
 */
export function readSnapshot(data) {
  let text = data;
  if (typeof data !== "string") {
    try {
      text = DECODER.decode(data);
    } catch {
      throw new SuijiError("invalid-utf8", "快照不是合法的 UTF-8");
    }
  }
  if (!text.endsWith("\n")) throw new SuijiError("no-final-newline", "快照必须以换行符结尾");
  const lines = text.slice(0, -1).split("\n");
  const header = parseCanonical(lines[0]);
  const keys = header && typeof header === "object" && !Array.isArray(header) ? Object.keys(header).sort() : [];
  if (keys.join(",") !== "columns,record,rows,type") {
    throw new SuijiError("bad-header", "快照第 1 行：表头必须恰好含 columns、record、rows、type");
  }
  if (header.type !== SNAPSHOT_TYPE) throw new SuijiError("bad-header", `快照第 1 行：type 必须是 ${SNAPSHOT_TYPE}`);
  const schema = typeof header.record === "string" ? schemaOf(header.record) : schemaOf("");
  const aliases = schema.columns.map((c) => c.alias);
  if (!Array.isArray(header.columns) || header.columns.join("\u0000") !== aliases.join("\u0000") || header.columns.length !== aliases.length) {
    throw new SuijiError("bad-header", `快照第 1 行：${schema.name} 的列必须是 ${aliases.join(",")}`);
  }
  const body = lines.slice(1);
  if (header.rows !== body.length) {
    throw new SuijiError("row-count-mismatch", `快照第 1 行：rows=${header.rows}，实际有 ${body.length} 行`);
  }
  const rows = [];
  let previous = null;
  body.forEach((line, i) => {
    const values = parseCanonical(line);
    if (!Array.isArray(values) || values.length !== aliases.length) {
      throw new SuijiError("not-canonical", `快照第 ${i + 2} 行：必须是 ${aliases.length} 个值的数组`);
    }
    const row = {};
    schema.columns.forEach((c, j) => {
      try {
        checkValue(c, values[j]);
      } catch (e) {
        throw e instanceof SuijiError ? new SuijiError(e.code, `快照第 ${i + 2} 行 ${e.message}`) : e;
      }
      row[c.alias] = values[j];
    });
    if (previous && compareKey(schema, previous, row) >= 0) {
      throw new SuijiError("rows-not-ascending", `快照第 ${i + 2} 行：行未按键升序排列或键重复`);
    }
    previous = row;
    rows.push(row);
  });
  return { record: schema.name, header, rows };
}

/** A row's key as one string (recusals: "person_id/uscc"; annual plan: "year/unit"). */
export function rowId(record, row) {
  return schemaOf(record).key.map((a) => String(row[a])).join("/");
}

/** True iff a row is active on day `d` (YYYY-MM-DD): active 状态 and no 退出日期 on or before d (§2.6). */
export function activeOn(record, row, d) {
  const words = STATUS_WORDS[record];
  if (!words) return true;
  return row.status === words[0] && (row.retired_on === null || row.retired_on > d);
}

/** True iff the row's 状态 is the record's active word (recusals: always). */
export function isActive(record, row) {
  const words = STATUS_WORDS[record];
  return !words || row.status === words[0];
}

// ---------------------------------------------------------------- a clerk's CSV (§2.2)

function cellValue(c, text) {
  const k = c.kind;
  if (k === "uscc") {
    const v = idKey(text);
    if (v && !isLegacyRegno(v)) validateUscc(v);
    return v;
  }
  if (k === "id") return idKey(text);
  if (k === "text" || k === "ref") return cleanText(text);
  if (k === "enum") {
    const t = cleanText(text);
    if (!t) return "";
    const hit = c.choices.find((ch) => matchKey(ch) === matchKey(t));
    if (!hit) throw new SuijiError("bad-text", `${c.header}「${t}」不在可选值内：${c.choices.join("、")}`);
    return hit;
  }
  if (k === "bool") return parseYesNo(text);
  if (k === "date") return parseDateCell(text);
  if (k === "multi") {
    const vals = splitMulti(text).map((v) => {
      const hit = c.choices.find((ch) => matchKey(ch) === matchKey(v));
      if (!hit) throw new SuijiError("bad-text", `${c.header}「${v}」不在可选值内：${c.choices.join("、")}`);
      return hit;
    });
    return [...new Set(vals)].sort(compareText);
  }
  return parseCount(text);
}

/**
 * A clerk's CSV text of one record → rows of canonical values (objects keyed by alias).
 * The header is the first of the first 10 rows with at least two known column names.
 * Cell problems throw SuijiError (this reader is for checking, not for reporting every
 * problem as `suiji check` does).
 */
export function readClerkCsv(record, text) {
  const schema = schemaOf(record);
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const known = new Map();
  for (const c of schema.columns) {
    known.set(matchKey(c.header), c);
    known.set(matchKey(c.alias), c);
  }
  const rows = parseCsv(text);
  let h = -1;
  for (let i = 0; i < Math.min(10, rows.length); i++) {
    if (rows[i].filter((t) => known.has(matchKey(t))).length >= 2) {
      h = i;
      break;
    }
  }
  if (h < 0) throw new SuijiError("bad-header", "找不到表头行");
  const cols = rows[h].map((t, j) => {
    const k = matchKey(t);
    if (!k) return null;
    const c = known.get(k);
    if (!c) throw new SuijiError("bad-header", `未知的列「${cleanText(t)}」`);
    return c;
  });
  const seen = new Set();
  for (const c of cols) {
    if (!c) continue;
    if (seen.has(c.alias)) throw new SuijiError("bad-header", `列「${c.header}」出现两次`);
    seen.add(c.alias);
  }
  for (const c of schema.columns) {
    if (c.required && !seen.has(c.alias)) throw new SuijiError("bad-header", `缺少必填列「${c.header}」`);
  }
  const out = [];
  for (const cells of rows.slice(h + 1)) {
    if (cells.every((t) => !cleanText(t))) continue;
    if (cells.length > cols.length) throw new SuijiError("bad-csv", "一行的字段比表头多");
    const row = {};
    for (const c of schema.columns) {
      const j = cols.indexOf(c);
      const text = j >= 0 && j < cells.length ? cells[j] : "";
      row[c.alias] = cellValue(c, text);
      if (c.required && (row[c.alias] === "" || row[c.alias] === null || (Array.isArray(row[c.alias]) && !row[c.alias].length))) {
        throw new SuijiError("bad-text", `必填列「${c.header}」为空`);
      }
    }
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- vector kinds

export function snapshotRows(input) {
  const snapshot = snapshotText(input.record, input.rows);
  return { snapshot, object_hash: objectHash(snapshot) };
}
export function clerkCsv(input) {
  const snapshot = snapshotText(input.record, readClerkCsv(input.record, input.csv));
  return { snapshot, object_hash: objectHash(snapshot) };
}
export function parseSnapshot(input) {
  return readSnapshot(input.snapshot);
}
export function date(input) {
  return parseDateCell(input.text);
}
export function resultCategories(input) {
  return parseCategories(input.text);
}
export function itemFindings(input) {
  return parseFindings(input.text);
}
