// Registry history and fairness rules on committed snapshots (docs/spec/02-records.md §2.9):
// what changed between consecutive commitments and what may not (rows dropped, retirements
// undone or back-dated, values flipped for one task), and the fairness rules re-run on every
// snapshot that differs from the previous commitment's. Findings carry the codes and tags of
// `suiji verify` (§14.5); the messages are Chinese and follow the Python ones.
import { canonicalize, matchKey } from "./encoding.js";
import { SCHEMAS, readSnapshot, rowId, isActive, compareText } from "./records.js";
import { isValidUscc, isLegacyRegno } from "./uscc.js";

export const SNAPSHOT_RECORDS = ["enterprises", "inspectors", "experts", "checklist", "recusals"];
const TITLES = {
  enterprises: "随机抽查市场主体名录库",
  inspectors: "执法检查人员名录库",
  experts: "专家库",
  checklist: "随机抽查事项清单",
  recusals: "回避登记",
  "annual-plan": "年度执法检查计划",
};
const ID_COLUMNS = { inspectors: ["person_id", "cert_no"], experts: ["expert_id"], checklist: ["item_id"], recusals: ["person_id"] };

/** Python-like repr of a snapshot value, for messages only. */
function repr(v) {
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  return String(v);
}
const shown = (ids) => ids.slice(0, 5).join("、") + (ids.length > 5 ? "等" : "");

// ---------------------------------------------------------------- fairness (§2.9)

function allowed(cp) {
  return (cp >= 0x21 && cp <= 0x7e) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf);
}
/** Why an id has a character outside printable ASCII and CJK (null if fine). */
export function idCharsetProblem(value) {
  let pos = 0;
  for (const ch of value) {
    pos++;
    const cp = ch.codePointAt(0);
    if (!allowed(cp)) return `第 ${pos} 个字符 U+${cp.toString(16).toUpperCase().padStart(4, "0")} 不是 ASCII 字母数字或汉字（易与其他字符混淆）`;
  }
  return null;
}
const skeleton = (v) => v.replace(/O/g, "0").replace(/I/g, "1");
/** Distinct non-empty values that look the same (O read as 0, I as 1), each group sorted. */
export function confusableGroups(values) {
  const by = new Map();
  for (const v of values) {
    if (!v) continue;
    const k = skeleton(v);
    if (!by.has(k)) by.set(k, new Set());
    by.get(k).add(v);
  }
  return [...by.entries()]
    .sort((a, b) => compareText(a[0], b[0]))
    .filter(([, g]) => g.size > 1)
    .map(([, g]) => [...g].sort(compareText));
}

/**
 * Every fairness rule broken by snapshot rows, in `suiji verify`'s order.
 * @param {{[record: string]: object[]}} rows parsed rows by record name (only the records to check)
 * @returns {[{record, row, column, tag, code, message}]}
 */
export function fairnessProblems(rows) {
  const out = [];
  const p = (record, row, column, tag, code, message) => out.push({ record, row, column, tag, code, message });
  for (const [name, recordRows] of Object.entries(rows)) {
    const schema = SCHEMAS[name];
    const cols = schema.columns.filter((c) => c.choices.length && (c.kind === "enum" || c.kind === "multi"));
    for (const row of recordRows) {
      for (const c of cols) {
        const values = Array.isArray(row[c.alias]) ? row[c.alias] : [row[c.alias]];
        const bad = values.filter((v) => !c.choices.includes(v));
        if (bad.length) p(name, rowId(name, row), c.alias, "integrity", "vocabulary", `${c.header}「${bad[0]}」不在规定的取值（${c.choices.join("、")}）中`);
      }
    }
    if (schema.columns.some((c) => c.alias === "uscc")) {
      for (const row of recordRows) {
        const code = String(row.uscc);
        if (!(isValidUscc(code) || isLegacyRegno(code))) p(name, rowId(name, row), "uscc", "integrity", "uscc-invalid", `统一社会信用代码 ${code} 的 GB 32100 校验码不符`);
      }
    }
    for (const alias of ID_COLUMNS[name] || []) {
      const header = schema.columns.find((c) => c.alias === alias).header;
      for (const row of recordRows) {
        const problem = idCharsetProblem(String(row[alias]));
        if (problem) p(name, rowId(name, row), alias, "integrity", "id-charset", `${header} ${repr(row[alias])}：${problem}`);
      }
      if (name !== "recusals") {
        for (const g of confusableGroups(recordRows.map((r) => String(r[alias])))) {
          p(name, g[0], alias, "integrity", "id-confusable", `${header} ${g.join("、")} 看起来相同（O 与 0、I 与 1）：同一人或同一事项不得有两个编号`);
        }
      }
    }
  }
  if (rows.inspectors) {
    const holders = new Map();
    for (const r of rows.inspectors) {
      if (!r.cert_no) continue;
      if (!holders.has(r.cert_no)) holders.set(r.cert_no, []);
      holders.get(r.cert_no).push(String(r.person_id));
    }
    for (const [cert, people] of [...holders.entries()].sort((a, b) => compareText(a[0], b[0]))) {
      if (people.length > 1) p("inspectors", people[0], "cert_no", "integrity", "cert-duplicate", `执法证号 ${cert} 登记在 ${people.join("、")} 多人名下`);
    }
  }
  if (rows.inspectors && rows.experts) {
    const staff = new Set(rows.inspectors.map((r) => String(r.person_id)));
    for (const r of rows.experts) {
      if (staff.has(String(r.expert_id))) p("experts", String(r.expert_id), "expert_id", "integrity", "person-id-clash", `专家编号 ${r.expert_id} 与执法检查人员的人员编号相同`);
    }
  }
  if (rows.enterprises) {
    const seen = new Map();
    for (const r of rows.enterprises) {
      if (!r.address) continue;
      const k = [matchKey(String(r.name)), matchKey(String(r.address))];
      const key = JSON.stringify(k);
      if (!seen.has(key)) seen.set(key, { k, codes: [] });
      seen.get(key).codes.push(String(r.uscc));
    }
    const groups = [...seen.values()].sort((a, b) => compareText(a.k[0], b.k[0]) || compareText(a.k[1], b.k[1]));
    for (const { codes } of groups) {
      if (codes.length > 1) p("enterprises", codes[0], "address", "compliance", "same-name-address", `${codes.join("、")} 的单位名称和经营地址相同：同一单位登记了两次？`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- history (§2.9)

/**
 * Compare two snapshots of one record (rows as parsed). Pure.
 * @param {Map<string,string>|object} [lastActive] row id → latest as_of at which it was active
 * @returns {{dropped: string[], reinstated: string[], backdated: [id, retired_on, active_on][],
 *   changes: [{record, id, column, old, new, updated_on}]}}
 */
export function compareSnapshots(record, before, after, lastActive = new Map()) {
  const schema = SCHEMAS[record];
  const hasStatus = schema.columns.some((c) => c.alias === "status");
  const drawCols = schema.columns.filter((c) => c.draw).map((c) => c.alias);
  const get = (id) => (lastActive instanceof Map ? lastActive.get(id) : lastActive[id]);
  const old = new Map(before.map((r) => [rowId(record, r), r]));
  const out = { dropped: [], reinstated: [], backdated: [], changes: [] };
  const seen = new Set();
  for (const row of after) {
    const rid = rowId(record, row);
    seen.add(rid);
    const prev = old.get(rid);
    if (!prev) continue;
    if (hasStatus && !isActive(record, prev) && isActive(record, row)) out.reinstated.push(rid);
    const activeOn = get(rid);
    if (hasStatus && !isActive(record, row) && typeof row.retired_on === "string" && activeOn !== undefined && row.retired_on < activeOn) {
      out.backdated.push([rid, row.retired_on, activeOn]);
    }
    if (canonicalize(prev) === canonicalize(row)) continue;
    const updated = typeof row.updated_on === "string" ? row.updated_on : null;
    for (const a of drawCols) {
      if (canonicalize(prev[a]) !== canonicalize(row[a])) out.changes.push({ record, id: rid, column: a, old: prev[a], new: row[a], updated_on: updated });
    }
  }
  out.dropped = [...old.keys()].filter((k) => !seen.has(k)).sort(compareText);
  return out;
}

/**
 * Streams `commit` entries in ledger order and returns their registry findings.
 * `check(seq, body, getObject)` with the commit body ({task, as_of, snapshots: {"<record>_object": oid}})
 * and getObject(oid) → Uint8Array|null returns [{seq, tag, code, message}] (a flip is reported at
 * the previous commitment's seq). `changes` is verify --json's `registry_changes`.
 * A snapshot object that is missing or unreadable is skipped here (the ledger checks report it).
 */
export class RegistryChecker {
  constructor() {
    this.seen = new Map(); // record → {oid, rows, lastActive: Map}
    this.previous = null; // {seq, task}
    this.lastChanges = new Map();
    this.changes = [];
  }
  check(seq, body, getObject) {
    const at = { seq, task: body.task };
    const asOf = String(body.as_of).slice(0, 10);
    const out = [];
    const fresh = {};
    const thisChanges = new Map();
    for (const name of SNAPSHOT_RECORDS) {
      const oid = body.snapshots && body.snapshots[`${name}_object`];
      if (typeof oid !== "string") continue;
      const before = this.seen.get(name);
      let rows;
      if (before && before.oid === oid) rows = before.rows;
      else {
        const data = getObject(oid);
        if (!data) continue;
        try {
          rows = readSnapshot(data).rows;
        } catch {
          continue;
        }
        fresh[name] = rows;
      }
      if (before && before.oid !== oid) this.compared(seq, at, name, before, rows, out, thisChanges);
      const lastActive = before ? before.lastActive : new Map();
      for (const r of rows) if (isActive(name, r)) lastActive.set(rowId(name, r), asOf);
      this.seen.set(name, { oid, rows, lastActive });
    }
    for (const p of fairnessProblems(fresh)) out.push({ seq, tag: p.tag, code: p.code, message: `${TITLES[p.record]} ${p.row}（${p.column}）：${p.message}` });
    this.lastChanges = thisChanges;
    this.previous = at;
    return out;
  }
  compared(seq, at, name, before, rows, out, thisChanges) {
    const title = TITLES[name];
    const held = this.previous ? `条目 #${this.previous.seq}` : "上一承诺";
    const c = compareSnapshots(name, before.rows, rows, before.lastActive);
    if (c.dropped.length) {
      out.push({ seq, tag: "integrity", code: "registry-dropped", message: `${title}快照删除了 ${c.dropped.length} 行（${held} 的快照中有）：${shown(c.dropped)}；行不得删除，退出应填写状态与退出日期` });
    }
    if (c.reinstated.length) {
      out.push({ seq, tag: "compliance", code: "registry-reinstated", message: `${title}中已退出的行又恢复为在用：${shown(c.reinstated)}（退出是最终的，重新开业应作为新行登记）` });
    }
    for (const [rid, retiredOn, activeOn] of c.backdated) {
      out.push({ seq, tag: "integrity", code: "registry-backdated", message: `${title} ${rid} 的退出日期 ${retiredOn} 早于此前一次承诺快照（${activeOn}）中它仍在用的日期` });
    }
    for (const ch of c.changes) {
      const key = `${name}\n${ch.id}\n${ch.column}`;
      const earlier = this.lastChanges.get(key);
      if (earlier && canonicalize(earlier.old) === canonicalize(ch.new) && this.previous) {
        out.push({
          seq: this.previous.seq,
          tag: "compliance",
          code: "registry-flip",
          message: `${title} ${ch.id} 的 ${ch.column} 只在此承诺（任务 ${this.previous.task}）中为 ${repr(ch.old)}，前后两次承诺均为 ${repr(ch.new)}`,
        });
      }
      thisChanges.set(key, { old: ch.old, at });
      this.changes.push({ record: name, id: ch.id, column: ch.column, old: ch.old, new: ch.new, updated_on: ch.updated_on, before: this.previous ? { ...this.previous } : null, after: { ...at } });
    }
  }
}
