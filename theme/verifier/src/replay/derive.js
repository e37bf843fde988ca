// Re-deriving a commitment's population and a draw's result object from the committed
// objects (docs/spec/07-plans.md §7.3, 09, 10, 11): the same bytes `suiji` committed.
import { canonicalize, cleanText, idKey, matchKey, taggedHex, SuijiError } from "../encoding.js";
import { exclusions } from "./coverage.js";
import { activeOn, allocate, drawItems, drawTargets } from "./draw.js";
import { drawTeams, applyVoid, TeamInfeasible } from "./teams.js";
import { cmpBytes } from "./order.js";

export const INDUSTRIES = ["危险化学品生产", "危险化学品经营（带储存）", "危险化学品经营（不带储存）", "危险化学品使用", "危险化学品储存", "烟花爆竹批发", "烟花爆竹零售"];
export const CATEGORY_KEYS = {
  industry: INDUSTRIES,
  affiliation: ["中央", "省属", "市属", "县属", "其他"],
  district: null,
  scale: ["大型", "中型", "小型", "微型"],
  risk: ["重大风险", "较大风险", "一般风险", "低风险"],
};
export const FLAG_KEYS = ["key_unit", "complaints", "accidents", "penalties", "serious_violation", "blacklist", "major_hazard"];

/** A category cell on its official spelling, so `（）` and `()` land in one stratum. */
export function official(key, value) {
  const text = cleanText(String(value ?? ""));
  const allowed = CATEGORY_KEYS[key];
  if (allowed) {
    const k = matchKey(text);
    for (const o of allowed) if (matchKey(o) === k) return o;
  }
  return text;
}

/** The plan object's stratification key (null: not stratified). */
export function strataBy(plan) {
  return plan.size.mode === "total" || plan.size.mode === "quotas" ? plan.size.by : null;
}

/** The quota size in the form `allocate` takes. */
function sizeOf(plan) {
  const s = plan.size;
  if (s.mode === "count") return { mode: "count", n: s.count };
  return s;
}

/** The eligible population (§7.3) as the committed `suiji/population/v1` object. */
export function derivePopulation(plan, enterprises, asOf, drawn, yearlyCap) {
  const excl = exclusions({ year: plan.year, yearly_cap: yearlyCap, exclude_drawn_this_year: plan.exclude_drawn_this_year, draws: drawn });
  const barred = new Map(Object.entries(excl).map(([k, v]) => [idKey(k), cleanText(v)]));
  const by = strataBy(plan);
  const listed = plan.size.mode === "quotas" ? new Set(plan.size.quotas.map((q) => q.stratum)) : null;
  const tests = Object.entries(plan.filters ?? {}).map(([key, allowed]) =>
    FLAG_KEYS.includes(key) ? [key, new Set(allowed)] : [key, new Set(allowed.map((v) => matchKey(String(v))))],
  );
  const matches = (row) =>
    tests.every(([key, allowed]) => allowed.has(FLAG_KEYS.includes(key) ? Boolean(row[key] ?? false) : matchKey(official(key, row[key] ?? ""))));
  const seen = new Set();
  const members = new Map();
  const excluded = new Map();
  for (const row of enterprises) {
    const uid = idKey(String(row.uscc));
    if (seen.has(uid)) throw new SuijiError("registry-duplicate", `名录中统一社会信用代码重复：${uid}`);
    seen.add(uid);
    if (!activeOn(row, "在册", asOf) || !matches(row)) continue;
    const stratum = by ? official(by, row[by] ?? "") : null;
    if (listed && !listed.has(stratum)) continue;
    if (barred.has(uid)) {
      excluded.set(uid, barred.get(uid));
      continue;
    }
    members.set(uid, { id: uid, industry: official("industry", row.industry ?? ""), stratum });
  }
  return {
    schema: "suiji/population/v1",
    task_id: plan.task_id,
    as_of: asOf,
    by,
    members: [...members.keys()].sort(cmpBytes).map((k) => members.get(k)),
    excluded: [...excluded.keys()].sort(cmpBytes).map((id) => ({ id, reason: excluded.get(id) })),
  };
}

/** Targets, items and teams for a seed: the draw's `suiji/draw-result/v1` object. */
export function deriveResult(committed, seedHex) {
  const { plan, rows, population } = committed;
  const quotas = allocate(sizeOf(plan), population);
  const targets = drawTargets(plan.task_id, quotas, population, seedHex);
  const industry = new Map(population.members.map((m) => [m.id, m.industry]));
  const ids = targets.selected.map((p) => p.id);
  const items = ids.map((t) => ({
    target: t,
    items: drawItems(seedHex, t, industry.get(t), rows.checklist, plan.items_per_target, population.as_of, (s) => official("industry", s)),
  }));
  const byId = new Map(rows.enterprises.map((r) => [String(r.uscc), r]));
  const result = { schema: "suiji/draw-result/v1", targets, items, teams: null, teams_error: null };
  try {
    result.teams = drawTeams({
      seed: seedHex,
      targets: ids.map((t) => byId.get(t)),
      inspectors: rows.inspectors,
      experts: rows.experts,
      recusals: rows.recusals,
      rules: plan.team,
      window: plan.window,
    });
  } catch (e) {
    if (!(e instanceof TeamInfeasible)) throw e;
    result.teams_error = { team: e.team, rule: e.rule, message: e.message };
  }
  return result;
}

/** The teams after the replaced person voids (each {team, person, reason, ticketSeed}) in order. */
export function deriveVoids(committed, result, voids, seed) {
  if (!result.teams) throw new SuijiError("void-refused", "该任务的检查组未能组成，没有可替换的人员");
  const byId = new Map(committed.rows.enterprises.map((r) => [String(r.uscc), r]));
  const targets = result.targets.selected.map((p) => byId.get(p.id));
  let current = result.teams;
  for (const v of voids) {
    current = applyVoid(current, {
      ...v,
      seed,
      targets,
      inspectors: committed.rows.inspectors,
      experts: committed.rows.experts,
      recusals: committed.rows.recusals,
    });
  }
  return current;
}

const NOT_CONTENT = new Set(["task_id", "name", "note", "seed_extra"]);

/** What a plan draws apart from its labels (§13.9): two live commitments may not share it. */
export function planContent(plan) {
  const body = {};
  for (const [k, v] of Object.entries(plan)) if (!NOT_CONTENT.has(k)) body[k] = v;
  return taggedHex("suiji/plan-content/v1", canonicalize(body));
}

/** Which parts of a draw result differ (the `draw-result` message). */
export function diffResult(expected, recorded) {
  if (!recorded || typeof recorded !== "object" || Array.isArray(recorded)) return "抽取结果对象格式错误";
  const parts = Object.keys(expected)
    .sort()
    .filter((k) => canonicalOrNull(expected[k]) !== canonicalOrNull(recorded[k]));
  return `抽取结果与复算不符（不同部分：${parts.join("、") || "格式"}）`;
}

function canonicalOrNull(v) {
  try {
    return v === undefined ? "\u0000undefined" : canonicalize(v);
  } catch {
    return "\u0000bad";
  }
}
