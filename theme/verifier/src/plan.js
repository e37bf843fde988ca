// A task's plan in its two committed forms (docs/spec/07-plans.md): the clerk's TOML
// (`plan_source_object`, what the public reads) and the canonical plan object the draw
// runs (`plan_object`, `suiji/plan/v2`). A port of suiji.draw.plan, planfile, teamrules and
// extras: `planFromToml` rebuilds the plan object from the TOML as `suiji verify` does
// (`plan-source`), `planFromJson` reads a plan object strictly and requires its normal form
// (what `suiji verify` reports as semantic-unreadable, PlanError, and `plan-form`).
import { SuijiError, canonicalize, matchKey } from "./encoding.js";
import { cleanText, compareText, isRealDate } from "./cells.js";
import { INDUSTRIES, AFFILIATIONS, SCALES, RISKS } from "./records.js";
import { parseToml, TomlDate, TomlFloat } from "./toml.js";

export const PLAN_SCHEMA = "suiji/plan/v2";
const TASK_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const UNDIRECTED = "不定向";
const DIRECTED = "定向";
const CATEGORY_KEYS = { industry: INDUSTRIES, affiliation: AFFILIATIONS, district: null, scale: SCALES, risk: RISKS };
const FLAG_KEYS = ["key_unit", "complaints", "accidents", "penalties", "serious_violation", "blacklist", "major_hazard"];
const FILTER_KEYS = [...Object.keys(CATEGORY_KEYS), ...FLAG_KEYS];
const TOP_KEYS = new Set(["task_id", "name", "year", "unit", "kind", "count", "ratio", "items_per_target", "exclude_drawn_this_year", "note", "filters", "strata", "window", "team", "seed", "sealed"]);
const REQUIRED = ["task_id", "name", "year", "unit", "kind", "items_per_target", "window"];
const TEAM_KEYS = ["per", "officers", "leader", "group_officer", "accompany", "load_limit", "leader_load_limit", "experts"];
const EXPERT_KEYS = ["count", "specialties", "load_limit"];
const EXTRA_KEYS = ["kind", "name", "game", "draw", "draw_date", "note"];
const EXTRA_KINDS = ["lottery", "dice", "other"];
const LOTTERY_GAMES = ["福彩3D"];
const MAX_COUNT = 1000;
const JSON_KEYS = ["schema", "task_id", "name", "year", "unit", "kind", "filters", "size", "items_per_target", "window", "team", "seed_extra", "exclude_drawn_this_year", "note"];

/** A field that cannot be used: `message` and the key path it concerns (suiji's `_Bad`). */
class Bad extends Error {
  constructor(message, path) {
    super(message);
    this.path = path;
  }
}

const isTable = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof TomlDate) && !(v instanceof TomlFloat);
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const show = (v) => (typeof v === "string" ? `'${v}'` : v instanceof TomlFloat ? String(v.value) : v === true ? "True" : v === false ? "False" : v === null || v === undefined ? "None" : String(v));

function text(value, path, what) {
  if (typeof value !== "string" || !cleanText(value)) throw new Bad(`${what}必须是非空文字（写成 "..."）`, path);
  return cleanText(value);
}
function int(value, path, what, lo, hi) {
  if (value instanceof TomlFloat) throw new Bad(`${what}不能写小数，请写整数`, path);
  if (!isInt(value) || value < lo || value > hi) throw new Bad(`${what}必须是 ${lo} 到 ${hi} 之间的整数`, path);
  return value;
}
function taskId(value) {
  if (typeof value !== "string" || !TASK_ID_RE.test(value)) throw new Bad('任务编号只能用英文字母、数字和连字符，且不以连字符开头，最长 32 个字符（如 "2026-001"）', ["task_id"]);
  return value;
}
function category(key, value, path) {
  const t = text(value, path, `${key} 的取值`);
  const allowed = CATEGORY_KEYS[key];
  if (allowed === null) return t;
  const found = allowed.find((o) => matchKey(o) === matchKey(t));
  if (found === undefined) throw new Bad(`${key} 的取值“${t}”不在允许范围内（可选：${allowed.join("、")}）`, path);
  return found;
}
function filterValues(key, raw, path) {
  const items = Array.isArray(raw) ? raw : [raw];
  if (!items.length) throw new Bad(`筛选条件 ${key} 不能为空列表（删去该行即不按此条件筛选）`, path);
  if (FLAG_KEYS.includes(key)) {
    if (!items.every((v) => typeof v === "boolean")) throw new Bad(`筛选条件 ${key} 是“是/否”项，请写 ${key} = [true] 或 [false]`, path);
    return [...new Set(items)].sort((a, b) => a - b);
  }
  return [...new Set(items.map((v) => category(key, v, path)))].sort(compareText);
}
function filters(kind, raw) {
  if (raw === null || raw === undefined) {
    if (kind === DIRECTED) throw new Bad('定向抽查必须在 [filters] 中写明至少一个筛选条件（如 industry = ["烟花爆竹零售"]）', ["kind"]);
    return {};
  }
  if (kind !== DIRECTED) throw new Bad('不定向抽查不能有 [filters]；要按条件筛选请写 kind = "定向"', ["filters"]);
  if (!isTable(raw) || !Object.keys(raw).length) throw new Bad("[filters] 至少要有一个筛选条件", ["filters"]);
  const out = {};
  for (const key of Object.keys(raw).sort(compareText)) {
    if (!FILTER_KEYS.includes(key)) throw new Bad(`未知的筛选条件 ${key}（可用：${FILTER_KEYS.join("、")}）`, ["filters", key]);
    out[key] = filterValues(key, raw[key], ["filters", key]);
  }
  return out;
}
function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}
function ratio(raw, path = ["ratio"]) {
  if (isInt(raw) || raw instanceof TomlFloat) throw new Bad('比例请写成带引号的文字，如 ratio = "5%" 或 ratio = "1/20"（不用小数，保证精确）', path);
  if (typeof raw !== "string") throw new Bad('比例必须是文字，如 "5%" 或 "1/20"', path);
  const t = cleanText(raw);
  const folded = t.normalize("NFKC").replace(/\s+/gu, "");
  let num;
  let den;
  let m;
  if ((m = /^([0-9]+)(?:\.([0-9]+))?%$/.exec(folded))) {
    const decimals = m[2] || "";
    num = Number(m[1] + decimals);
    den = 100 * 10 ** decimals.length;
  } else if ((m = /^([0-9]+)\/([0-9]+)$/.exec(folded))) {
    num = Number(m[1]);
    den = Number(m[2]);
  } else throw new Bad(`无法识别的比例“${t}”，请写成 "5%" 或 "1/20"`, path);
  if (den === 0 || num === 0 || num > den) throw new Bad(`比例“${t}”必须大于 0 且不超过 100%`, path);
  const g = gcd(num, den);
  return { mode: "ratio", numerator: num / g, denominator: den / g, text: t };
}
function strata(raw) {
  if (!isTable(raw)) throw new Bad("[strata] 必须是一个表", ["strata"]);
  const unknown = Object.keys(raw).filter((k) => !["by", "total", "quotas"].includes(k)).sort(compareText);
  if (unknown.length) throw new Bad(`[strata] 中有未知的键 ${unknown[0]}（只能有 by、total 或 quotas）`, ["strata", unknown[0]]);
  const by = raw.by;
  if (!(by in CATEGORY_KEYS)) throw new Bad(`分层依据 by = ${show(by)} 不可用（可选：${Object.keys(CATEGORY_KEYS).join("、")}）`, ["strata", "by"]);
  if ("total" in raw === "quotas" in raw) throw new Bad("[strata] 中 total（按比例分配总数）和 quotas（各层指定数量）必须且只能写一个", ["strata"]);
  if ("total" in raw) return { mode: "total", by, total: int(raw.total, ["strata", "total"], "抽取总数 total", 1, 1e9) };
  const path = ["strata", "quotas"];
  if (!isTable(raw.quotas) || !Object.keys(raw.quotas).length) throw new Bad('quotas 必须是非空的表，如 quotas = { "危险化学品生产" = 3 }', path);
  const out = new Map();
  for (const [key, value] of Object.entries(raw.quotas)) {
    const s = category(by, key, path);
    if (out.has(s)) throw new Bad(`quotas 中“${s}”重复出现`, path);
    out.set(s, int(value, path, `“${s}”的数量`, 1, 1e9));
  }
  return { mode: "quotas", by, quotas: [...out].sort((a, b) => compareText(a[0], b[0])).map(([stratum, quota]) => ({ stratum, quota })) };
}
function size(raw) {
  const given = ["count", "ratio", "strata"].filter((k) => k in raw);
  if (given.length !== 1) throw new Bad('抽取数量必须且只能用一种写法：count = N、ratio = "5%" 或 [strata] 分层', given.length > 1 ? [given[1]] : []);
  if (given[0] === "count") return { mode: "count", count: int(raw.count, ["count"], "抽取数量 count", 1, 1e9) };
  if (given[0] === "ratio") return ratio(raw.ratio);
  return strata(raw.strata);
}
function windowOf(raw, year) {
  if (!isTable(raw)) throw new Bad("[window] 必须是一个表，含 start 和 end 两个日期", ["window"]);
  const unknown = Object.keys(raw).filter((k) => k !== "start" && k !== "end").sort(compareText);
  if (unknown.length) throw new Bad(`[window] 中有未知的键 ${unknown[0]}（只能有 start、end）`, ["window", unknown[0]]);
  const days = ["start", "end"].map((key) => {
    if (!(raw[key] instanceof TomlDate)) throw new Bad(`[window] 的 ${key} 必须是不带引号的日期，如 ${key} = 2026-04-01`, ["window", key]);
    return raw[key].iso;
  });
  const [start, end] = days;
  if (end < start) throw new Bad(`检查时段结束日 ${end} 早于开始日 ${start}，请交换或改正`, ["window", "end"]);
  if (year !== null && Number(start.slice(0, 4)) !== year) throw new Bad(`检查时段开始日 ${start} 不在计划年度 ${year} 内`, ["window", "start"]);
  return { start, end };
}
function bool(value, path, what) {
  if (typeof value !== "boolean") throw new Bad(`${what}必须写 true 或 false`, path);
  return value;
}
function kindOf(value) {
  if (value !== UNDIRECTED && value !== DIRECTED) throw new Bad(`抽查类型 kind 只能是 "${UNDIRECTED}" 或 "${DIRECTED}"`, ["kind"]);
  return value;
}

// ---------------------------------------------------------------- [seed] extra (suiji.draw.extras)

function extraText(value, what) {
  if (typeof value !== "string" || !cleanText(value)) throw new Bad(`${what}必须是非空文字（写成 "..."）`, ["seed", "extra"]);
  return cleanText(value);
}
const extraOpt = (value, what) => (value === null || value === undefined ? null : extraText(value, what));
function extras(raw) {
  if (raw === null || raw === undefined) return [];
  if (!isTable(raw) || Object.keys(raw).some((k) => k !== "extra")) throw new Bad("[seed] 中只能有 extra = [ { kind = ..., name = ... }, ... ]", ["seed"]);
  const items = raw.extra ?? [];
  if (!Array.isArray(items)) throw new Bad("[seed] 的 extra 必须是列表", ["seed", "extra"]);
  const out = items.map(extraOne);
  if (new Set(out.map((e) => e.name)).size !== out.length) throw new Bad("[seed] extra 中的 name 不能重复", ["seed", "extra"]);
  return out;
}
function extraOne(item) {
  const where = ["seed", "extra"];
  if (!isTable(item)) throw new Bad("extra 的每一项必须是 { kind = ..., name = ... }", where);
  const unknown = Object.keys(item).filter((k) => !EXTRA_KEYS.includes(k)).sort(compareText);
  if (unknown.length) throw new Bad(`extra 中有未知的键 ${unknown[0]}（只能有 ${EXTRA_KEYS.join("、")}）`, where);
  if (!EXTRA_KINDS.includes(item.kind)) throw new Bad(`extra 的 kind = ${show(item.kind)} 不可用（可选：${EXTRA_KINDS.join("、")}）`, where);
  const name = extraText(item.name, "extra 的 name ");
  const note = extraOpt(item.note, "extra 的 note ");
  const game = extraOpt(item.game, "extra 的 game（彩票名称）");
  const draw = extraOpt(item.draw, "extra 的 draw（期号）");
  const rawDate = item.draw_date ?? null;
  if (item.kind !== "lottery") {
    if (game !== null || draw !== null || rawDate !== null) throw new Bad(`只有彩票输入才有 game、draw、draw_date：“${name}”`, where);
    return { kind: item.kind, name, game: null, draw: null, draw_date: null, note };
  }
  if (game === null || draw === null || rawDate === null) {
    throw new Bad(`彩票输入“${name}”必须写明彩票、期号和官方开奖日期（如 game = "福彩3D", draw = "2026-070", draw_date = 2026-03-16）`, where);
  }
  if (!LOTTERY_GAMES.includes(game)) throw new Bad(`彩票输入“${name}”的 game = ${show(game)} 不可用（可选：${LOTTERY_GAMES.join("、")}）`, where);
  let day = null;
  if (rawDate instanceof TomlDate) day = rawDate.iso;
  else if (typeof rawDate === "string" && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(rawDate) && isRealDate(rawDate)) day = rawDate;
  if (day === null) throw new Bad(`彩票输入“${name}”的 draw_date 必须是不带引号的日期，如 draw_date = 2026-03-16`, where);
  return { kind: "lottery", name, game, draw, draw_date: day, note };
}

// ---------------------------------------------------------------- [team] (suiji.draw.teamrules)

function teamFail(message) {
  throw new Bad(message, ["team"]);
}
function takeInt(table, key, where, dflt, minimum) {
  if (!(key in table)) return dflt;
  const v = table[key];
  if (!isInt(v) || v < minimum || v > MAX_COUNT) teamFail(`${where}: ${key} 必须是 ${minimum} 到 ${MAX_COUNT} 之间的整数，现为 ${show(v)}`);
  return v;
}
function takeBool(table, key, where, dflt) {
  if (!(key in table)) return dflt;
  if (typeof table[key] !== "boolean") teamFail(`${where}: ${key} 必须是 true 或 false，现为 ${show(table[key])}`);
  return table[key];
}
function rejectUnknown(table, allowed, where) {
  const unknown = Object.keys(table).filter((k) => !allowed.includes(k)).sort(compareText);
  if (unknown.length) teamFail(`${where}: 不认识的键 ${unknown.join("、")}（可用的键：${allowed.join("、")}）`);
}
function teamRules(table, where) {
  if (!isTable(table)) teamFail(`${where}: 必须是表（TOML table）`);
  rejectUnknown(table, TEAM_KEYS, where);
  const per = "per" in table ? table.per : "target";
  if (per !== "target" && per !== "task") teamFail(`${where}: per 必须是 "target"（每家企业一组）或 "task"（全任务一组），现为 ${show(per)}`);
  const officers = takeInt(table, "officers", where, 2, 2);
  const accompany = takeInt(table, "accompany", where, 0, 0);
  let experts = { count: 0, specialties: [], load_limit: null };
  if ("experts" in table) {
    const sub = table.experts;
    const here = `${where}.experts`;
    if (!isTable(sub)) teamFail(`${here}: 必须是表，如 { count = 1, specialties = ["化工工艺"] }`);
    rejectUnknown(sub, EXPERT_KEYS, here);
    const raw = "specialties" in sub ? sub.specialties : [];
    if (!Array.isArray(raw) || !raw.every((s) => typeof s === "string")) teamFail(`${here}: specialties 必须是专业领域名称的列表，现为 ${show(raw)}`);
    const cleaned = raw.map(cleanText);
    if (cleaned.some((s) => !s)) teamFail(`${here}: specialties 含空的专业领域名称`);
    if (new Set(cleaned.map(matchKey)).size !== cleaned.length) teamFail(`${here}: specialties 含重复的专业领域：${cleaned.join("、")}`);
    experts = { count: takeInt(sub, "count", here, 1, 0), specialties: cleaned, load_limit: takeInt(sub, "load_limit", here, null, 1) };
  }
  return {
    per,
    officers,
    leader: takeBool(table, "leader", where, true),
    group_officer: takeBool(table, "group_officer", where, true),
    accompany,
    load_limit: takeInt(table, "load_limit", where, null, 1),
    leader_load_limit: takeInt(table, "leader_load_limit", where, null, 1),
    experts,
  };
}

// ---------------------------------------------------------------- the two forms

function assemble(fields) {
  const { task_id, name, year, unit, kind, filters: f, size: s, items_per_target, window: w, team, seed_extra, exclude_drawn_this_year, note, sealed } = fields;
  const plan = { schema: PLAN_SCHEMA, task_id, name, year, unit, kind, filters: f, size: s, items_per_target, window: w, team, seed_extra, exclude_drawn_this_year, note };
  // Present only in a sealed plan (spec 18 §18.2), so an unsealed plan's object is unchanged.
  if (sealed != null) plan.sealed = { secret_hash: sealed };
  return plan;
}

/** `[sealed]` / `sealed` (spec 18 §18.2): exactly `secret_hash`, 64 lower-case hex digits. */
function sealedHash(raw) {
  if (!isTable(raw) || !sameSet(Object.keys(raw), ["secret_hash"])) throw new Bad("[sealed] 只能有 secret_hash 一项（由 suiji seal 写入，请勿手改）", ["sealed"]);
  const value = raw.secret_hash;
  if (typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) throw new Bad("secret_hash 必须是 64 位小写十六进制数字（由 suiji seal 写入）", ["sealed"]);
  return value;
}

/**
 * The plan object a clerk's TOML file says (suiji.draw.planfile.plan_from_toml): what
 * `suiji commit` would have committed. Throws SuijiError "plan-invalid" naming the first
 * problem (suiji lists them all, each with its line).
 */
export function planFromToml(data) {
  let source = typeof data === "string" ? data : null;
  if (source === null) {
    try {
      source = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
    } catch {
      throw new SuijiError("plan-invalid", "计划文件不是 UTF-8 编码（请用 UTF-8 另存）");
    }
  }
  let table;
  try {
    table = parseToml(source);
  } catch (e) {
    throw new SuijiError("plan-invalid", e.message);
  }
  try {
    for (const key of Object.keys(table).sort(compareText)) if (!TOP_KEYS.has(key)) throw new Bad(`未知的键 ${key}（请检查拼写；可用的键见 docs/spec/07-plans.md §7.1）`, [key]);
    for (const key of REQUIRED) if (!(key in table)) throw new Bad(`缺少必填项 ${key}`, [key]);
    const year = int(table.year, ["year"], "年度 year ", 2000, 2099);
    const kind = kindOf(table.kind);
    return assemble({
      task_id: taskId(table.task_id),
      name: text(table.name, ["name"], "任务名称 name "),
      year,
      unit: text(table.unit, ["unit"], "执法单位 unit "),
      kind,
      filters: filters(kind, table.filters),
      size: size(table),
      items_per_target: int(table.items_per_target, ["items_per_target"], "每家抽查事项数 items_per_target ", 1, 100),
      window: windowOf(table.window, year),
      seed_extra: extras(table.seed),
      exclude_drawn_this_year: bool(table.exclude_drawn_this_year ?? false, ["exclude_drawn_this_year"], "exclude_drawn_this_year "),
      note: table.note === undefined ? null : text(table.note, ["note"], "备注 note "),
      team: teamRules(table.team ?? {}, "[team]"),
      sealed: "sealed" in table ? sealedHash(table.sealed) : null,
    });
  } catch (e) {
    if (e instanceof Bad) throw new SuijiError("plan-invalid", `${e.path.join(".") || "plan"}: ${e.message}`);
    throw e;
  }
}

function exactKeys(d, keys, path) {
  if (!isTable(d) || Object.keys(d).length !== keys.length || !keys.every((k) => k in d)) throw new Bad(`必须是恰有这些键的对象：${[...keys].sort().join(", ")}`, path);
  return d;
}
function isoDate(value, path) {
  if (typeof value !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) throw new Bad("日期必须形如 2026-04-01", path);
  if (!isRealDate(value)) throw new Bad(`不存在的日期 ${value}`, path);
  return new TomlDate(value);
}
const dropNulls = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));

function sizeFromJson(raw) {
  if (!isTable(raw)) throw new Bad("size 必须是对象", ["size"]);
  if (raw.mode === "count") return { mode: "count", count: int(exactKeys(raw, ["mode", "count"], ["size"]).count, ["size", "count"], "count ", 1, 1e9) };
  if (raw.mode === "ratio") {
    const d = exactKeys(raw, ["mode", "numerator", "denominator", "text"], ["size"]);
    const r = ratio(d.text, ["size", "text"]);
    if (r.numerator !== d.numerator || r.denominator !== d.denominator) throw new Bad("numerator/denominator 与 text 不一致", ["size"]);
    return r;
  }
  if (raw.mode === "total") {
    const d = exactKeys(raw, ["mode", "by", "total"], ["size"]);
    return strata({ by: d.by, total: d.total });
  }
  if (raw.mode === "quotas") {
    const d = exactKeys(raw, ["mode", "by", "quotas"], ["size"]);
    if (!Array.isArray(d.quotas)) throw new Bad("quotas 必须是列表", ["size", "quotas"]);
    const table = {};
    for (const row of d.quotas) {
      const r = exactKeys(row, ["stratum", "quota"], ["size", "quotas"]);
      if (typeof r.stratum !== "string" || r.stratum in table) throw new Bad("quotas 的 stratum 必须是不重复的文字", ["size", "quotas"]);
      table[r.stratum] = r.quota;
    }
    return strata({ by: d.by, quotas: table });
  }
  throw new Bad("size.mode 必须是 count、ratio、total 或 quotas", ["size", "mode"]);
}
function teamFromJson(value) {
  if (!isTable(value) || !isTable(value.experts)) teamFail("team: 不是检查组规则对象");
  const sameKeys = (v, keys) => Object.keys(v).length === keys.length && keys.every((k) => k in v);
  if (!sameKeys(value, TEAM_KEYS)) teamFail(`team: 键必须恰好是 ${[...TEAM_KEYS].sort().join("、")}`);
  if (!sameKeys(value.experts, EXPERT_KEYS)) teamFail(`team.experts: 键必须恰好是 ${[...EXPERT_KEYS].sort().join("、")}`);
  const table = dropNulls(value);
  table.experts = dropNulls(value.experts);
  return teamRules(table, "team");
}
function extrasFromJson(raw) {
  if (!Array.isArray(raw)) throw new Bad("seed_extra 必须是列表", ["seed_extra"]);
  const items = raw.map((item) => {
    if (!isTable(item) || !sameSet(Object.keys(item), EXTRA_KEYS)) throw new Bad(`seed_extra 的每一项必须恰有这些键：${[...EXTRA_KEYS].sort().join(", ")}`, ["seed_extra"]);
    return dropNulls(item);
  });
  try {
    return extras({ extra: items });
  } catch (e) {
    if (e instanceof Bad) throw new Bad(e.message, ["seed_extra"]);
    throw e;
  }
}
const sameSet = (a, b) => a.length === b.length && b.every((k) => a.includes(k));

/**
 * Read a committed plan object strictly (suiji.draw.plan.plan_from_json) and return its
 * normal form: a value off the schema, or not in normal form (values unsorted, repeated or
 * spelled otherwise), throws SuijiError "plan-invalid" with `pythonName` "PlanError" and
 * suiji's words, `计划对象 $.<path>: …`.
 */
export function planFromJson(d) {
  try {
    exactKeys(d, isTable(d) && "sealed" in d ? [...JSON_KEYS, "sealed"] : JSON_KEYS, []);
    if (d.schema !== PLAN_SCHEMA) throw new Bad(`schema 必须是 ${PLAN_SCHEMA}`, ["schema"]);
    const kind = kindOf(d.kind);
    const year = int(d.year, ["year"], "year ", 2000, 2099);
    const f = filters(kind, d.filters && Object.keys(d.filters).length ? d.filters : null);
    const w = exactKeys(d.window, ["start", "end"], ["window"]);
    const start = isoDate(w.start, ["window", "start"]);
    const end = isoDate(w.end, ["window", "end"]);
    const plan = assemble({
      task_id: taskId(d.task_id),
      name: text(d.name, ["name"], "name "),
      year,
      unit: text(d.unit, ["unit"], "unit "),
      kind,
      filters: f,
      size: sizeFromJson(d.size),
      items_per_target: int(d.items_per_target, ["items_per_target"], "items_per_target ", 1, 100),
      window: { start: start.iso, end: end.iso },
      team: teamFromJson(d.team),
      seed_extra: extrasFromJson(d.seed_extra),
      exclude_drawn_this_year: bool(d.exclude_drawn_this_year, ["exclude_drawn_this_year"], "exclude_drawn_this_year "),
      note: d.note === null ? null : text(d.note, ["note"], "note "),
      sealed: "sealed" in d ? sealedHash(d.sealed) : null,
    });
    windowOf({ start, end }, year);
    if (canonicalize(plan) !== canonicalize(d)) throw new Bad("不是规范形式（取值未按规定排序、去重或书写）", []);
    return plan;
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    const err = new SuijiError("plan-invalid", `计划对象 $.${e.path.join(".")}: ${e.message}`);
    err.pythonName = "PlanError";
    throw err;
  }
}

const decode = (bytes) => (typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes));

/**
 * `plan-form` (spec 14 §14.3.3 step 2): the committed plan object must be its own normal
 * form. `plan`: the parsed object; `bytes`: the object's bytes. Returns the finding's message
 * or null; throws like `planFromJson` for a plan object off the schema.
 */
export function planFormProblem(plan, bytes) {
  return canonicalize(planFromJson(plan)) === decode(bytes) ? null : "方案对象不是其规范形式";
}

/**
 * `plan-source`: the plan object rebuilt from the committed TOML (`plan_source_object`) must
 * be the committed plan object, byte for byte, so the plan people read is the plan that
 * runs. Returns the finding's message or null.
 */
export function planSourceProblem(sourceBytes, planBytes) {
  let plan;
  try {
    plan = planFromToml(sourceBytes);
  } catch (e) {
    if (!(e instanceof SuijiError)) throw e;
    return `承诺的计划文件（plan_source_object）不是有效的计划：${e.message}`;
  }
  return canonicalize(plan) === decode(planBytes) ? null : "由承诺的计划文件（TOML）复算的方案对象与承诺的方案对象不同：公开的计划不是执行的计划";
}
