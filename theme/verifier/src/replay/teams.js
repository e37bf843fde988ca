// Teams, experts and person voids (docs/spec/11-teams.md): a second implementation of the
// walk, so a verifier re-derives every team from the committed rosters and the seed.
import { canonicalize, taggedHex, SuijiError, cleanText, idKey, matchKey } from "../encoding.js";
import { orderIds } from "./order.js";
import { activeOn } from "./draw.js";

export const ROLES = ["leader", "officer", "accompany", "expert"];
const REASONS = "（状态、证件有效期、回避或负荷上限）";
const ADVICE = "。请核对人员名录、回避登记，或调整计划的 [team] 设置。";
const RULE_CODES = {
  leader: "no-leader",
  group_officer: "no-group-officer",
  officers: "no-officers",
  accompany: "no-accompany",
  experts: "no-experts",
  load_limit: "over-load-limit",
};

/** The walk cannot keep a rule: `team`, `rule` and the exact message the result records. */
export class TeamInfeasible extends SuijiError {
  constructor(team, rule, message) {
    super(RULE_CODES[rule] ?? "team-infeasible", message);
    this.team = team;
    this.rule = rule;
  }
}

export function roleSeed(seedHex, team, role) {
  if (typeof seedHex === "object") ({ seed: seedHex, team, role } = seedHex); // vector form
  return taggedHex("suiji/team/v1", canonicalize({ role, seed: seedHex, team }));
}

export function replacementSeedOf(seedHex, voidHash, randomness) {
  return taggedHex("suiji/replacement-seed/v1", canonicalize({ randomness, seed: seedHex, void: voidHash }));
}

const text = (row, key) => (typeof row[key] === "string" ? cleanText(row[key]) : "");
const rowId = (row, key) => {
  const v = row[key];
  const id = typeof v === "string" ? idKey(v) : "";
  if (!id) throw new SuijiError("team-input", `缺少 ${key}`);
  return id;
};

/** The plan's `[team]` table (TOML form, defaults filled) as the rules JSON of §11.2. */
export function rulesFromTable(t) {
  const ex = t.experts;
  return {
    per: t.per ?? "target",
    officers: t.officers ?? 2,
    leader: t.leader ?? true,
    group_officer: t.group_officer ?? true,
    accompany: t.accompany ?? 0,
    load_limit: t.load_limit ?? null,
    leader_load_limit: t.leader_load_limit ?? null,
    experts: ex
      ? { count: ex.count ?? 1, specialties: (ex.specialties ?? []).map(cleanText), load_limit: ex.load_limit ?? null }
      : { count: 0, specialties: [], load_limit: null },
  };
}

function limitFor(rules, role) {
  if (role === "expert") return rules.experts.load_limit;
  if (role === "leader") return rules.leader_load_limit;
  return rules.load_limit;
}

function inspectorRoles(row, windowEnd) {
  if (!activeOn(row, "在岗", windowEnd)) return [];
  if (text(row, "staffing") === "编外") return ["accompany"];
  const expiry = row.cert_expiry == null || row.cert_expiry === "" ? null : String(row.cert_expiry).trim();
  const certified = text(row, "staffing") === "编内" && Boolean(text(row, "cert_no")) && expiry !== null && expiry >= windowEnd;
  if (!certified) return [];
  return row.leader ? ["leader"] : ["officer"];
}

/** Static predicates applied once (§11.4). */
export function preparePool(inspectors, experts, recusals, rules, windowEnd) {
  const eligible = { leader: [], officer: [], accompany: [], expert: [] };
  const district = new Map();
  const groups = new Map();
  const seen = new Set();
  for (const row of inspectors) {
    const pid = rowId(row, "person_id");
    if (seen.has(pid)) throw new SuijiError("team-input", `执法检查人员名录：人员编号 ${pid} 重复`);
    seen.add(pid);
    const d = matchKey(text(row, "district"));
    if (d && text(row, "group")) {
      if (!groups.has(d)) groups.set(d, new Set());
      groups.get(d).add(text(row, "group"));
    }
    for (const role of inspectorRoles(row, windowEnd)) {
      eligible[role].push(pid);
      district.set(pid, d);
    }
  }
  const wanted = new Set(rules.experts.specialties.map(matchKey));
  const seenE = new Set();
  for (const row of experts) {
    const eid = rowId(row, "expert_id");
    if (seenE.has(eid)) throw new SuijiError("team-input", `专家库：专家编号 ${eid} 重复`);
    seenE.add(eid);
    const specs = Array.isArray(row.specialties) ? row.specialties : [];
    const has = wanted.size === 0 || specs.some((s) => typeof s === "string" && wanted.has(matchKey(s)));
    if (activeOn(row, "在库", windowEnd) && has) eligible.expert.push(eid);
  }
  const recused = new Map();
  for (const row of recusals) {
    const pid = rowId(row, "person_id");
    if (!recused.has(pid)) recused.set(pid, new Set());
    recused.get(pid).add(rowId(row, "uscc"));
  }
  const sortedGroups = new Map([...groups].map(([d, s]) => [d, [...s].sort()]));
  return { eligible, district, recused, groups: sortedGroups };
}

function specOf(key, rows) {
  const districts = [];
  const labels = new Map();
  for (const [, d, written] of rows) {
    if (!labels.has(d)) {
      districts.push(d);
      labels.set(d, written);
    }
  }
  const targets = rows.map((r) => r[0]);
  const label = key === "task" ? `检查任务（全部 ${targets.length} 家企业）` : `企业 ${key}`;
  return { key, targets, districts, labels, label };
}

export function teamSpecs(targets, rules) {
  const rows = [];
  const seen = new Set();
  for (const row of targets) {
    const uscc = rowId(row, "uscc");
    if (seen.has(uscc)) throw new SuijiError("team-input", `抽中企业列表中 ${uscc} 重复`);
    seen.add(uscc);
    const written = text(row, "district");
    rows.push([uscc, matchKey(written), written]);
  }
  if (rules.per === "target") return rows.map((r) => specOf(r[0], [r]));
  return rows.length ? [specOf("task", rows)] : [];
}

function candidates(seedHex, spec, role, pool) {
  const targets = new Set(spec.targets);
  const ids = pool.eligible[role].filter((p) => {
    const r = pool.recused.get(p);
    return !r || ![...r].some((u) => targets.has(u));
  });
  return orderIds(ids, roleSeed(seedHex, spec.key, role));
}

function take(cands, count, fits, exclude) {
  const out = [];
  for (const p of cands) {
    if (out.length === count) break;
    if (!exclude.has(p) && fits(p)) out.push(p);
  }
  return out;
}

function fillOfficers(cands, kept, spec, rules, pool, fits, exclude) {
  const chosen = [...kept];
  const uncovered = (rules.group_officer ? spec.districts : []).filter((d) => !chosen.some((o) => pool.district.get(o) === d));
  const added = [];
  for (const p of cands) {
    if (chosen.length === rules.officers) break;
    if (exclude.has(p) || chosen.includes(p) || !fits(p)) continue;
    const d = pool.district.get(p);
    const at = uncovered.indexOf(d);
    if (at >= 0) uncovered.splice(at, 1);
    else if (uncovered.length >= rules.officers - chosen.length) continue;
    chosen.push(p);
    added.push(p);
  }
  return [added, uncovered];
}

function officerFailure(spec, uncovered, pool, prefix) {
  if (uncovered.length) {
    const d = uncovered[0];
    let message;
    if (!d) message = `${spec.label}：${prefix}名录中没有执法片区，无法确定对应的检查组`;
    else {
      const group = (pool.groups.get(d) ?? []).join("、") || "对应检查组";
      message = `${spec.label}：${prefix}${spec.labels.get(d)}没有可抽取的${group}执法人员${REASONS}`;
    }
    return new TeamInfeasible(spec.key, "group_officer", message + ADVICE);
  }
  return new TeamInfeasible(spec.key, "officers", `${spec.label}：${prefix}可抽取的编内持证执法人员不足${REASONS}${ADVICE}`);
}

function roleFailure(spec, role, rules, prefix) {
  if (role === "leader") return new TeamInfeasible(spec.key, "leader", `${spec.label}：${prefix}没有可抽取的带队分管领导${REASONS}${ADVICE}`);
  if (role === "accompany") {
    return new TeamInfeasible(spec.key, "accompany", `${spec.label}：${prefix}可抽取的编外随行人员不足 ${rules.accompany} 名（状态、回避或负荷上限）${ADVICE}`);
  }
  const wanted = rules.experts.specialties.join("、");
  const scope = wanted ? `具备专业领域（${wanted}）之一的` : "";
  return new TeamInfeasible(spec.key, "experts", `${spec.label}：${prefix}${scope}可抽取专家不足 ${rules.experts.count} 名（状态、回避或负荷上限）${ADVICE}`);
}

const loadKey = (role, person) => `${role === "expert" ? "expert" : "inspector"}\u0000${person}`;

function fitsFor(loads, rules, role, n) {
  const limit = limitFor(rules, role);
  return (p) => limit === null || (loads.get(loadKey(role, p)) ?? 0) + n <= limit;
}

function checkTaskLoad(spec, rules) {
  const roles = ["officer", ...(rules.leader ? ["leader"] : []), ...(rules.accompany ? ["accompany"] : []), ...(rules.experts.count ? ["expert"] : [])];
  const n = spec.targets.length;
  for (const role of roles) {
    const limit = limitFor(rules, role);
    if (limit !== null && limit < n) {
      throw new TeamInfeasible(spec.key, "load_limit", `${spec.label}：全任务一组须承担全部 ${n} 家企业，超过负荷上限 ${limit}${ADVICE}`);
    }
  }
  if (rules.group_officer && spec.districts.length > rules.officers) {
    throw new TeamInfeasible(
      spec.key,
      "group_officer",
      `${spec.label}：涉及 ${spec.districts.length} 个执法片区，每个片区须有一名对应检查组执法人员，但每组只抽 ${rules.officers} 名执法人员${ADVICE}`,
    );
  }
}

function* members(team) {
  if (team.leader !== null) yield ["leader", team.leader];
  for (const o of team.officers) yield ["officer", o.person];
  for (const p of team.accompany) yield ["accompany", p];
  for (const p of team.experts) yield ["expert", p];
}

function roleOf(team, person) {
  for (const [role, p] of members(team)) if (p === person) return role;
  return null;
}

const isGroupOfficer = (p, spec, pool) => spec.districts.includes(pool.district.get(p) ?? "");

function formTeam(seedHex, spec, pool, rules, loads) {
  if (spec.key === "task") checkTaskLoad(spec, rules);
  const n = spec.targets.length;
  const pick = (role, count) => {
    const found = take(candidates(seedHex, spec, role, pool), count, fitsFor(loads, rules, role, n), new Set());
    if (found.length < count) throw roleFailure(spec, role, rules, "");
    return found;
  };
  const leader = rules.leader ? pick("leader", 1) : [];
  const [officers, uncovered] = fillOfficers(candidates(seedHex, spec, "officer", pool), [], spec, rules, pool, fitsFor(loads, rules, "officer", n), new Set());
  if (officers.length < rules.officers) throw officerFailure(spec, uncovered, pool, "");
  const team = {
    team: spec.key,
    targets: [...spec.targets],
    leader: leader.length ? leader[0] : null,
    officers: officers.map((p) => ({ person: p, group_officer: isGroupOfficer(p, spec, pool) })),
    accompany: pick("accompany", rules.accompany),
    experts: pick("expert", rules.experts.count),
  };
  for (const [role, p] of members(team)) loads.set(loadKey(role, p), (loads.get(loadKey(role, p)) ?? 0) + n);
  return team;
}

/** Every team of a task (§11.8) as the TeamDraw JSON of §11.10 (voids empty). Throws TeamInfeasible. */
export function drawTeams({ seed, targets, inspectors, experts, recusals, rules, window }) {
  const pool = preparePool(inspectors, experts, recusals, rules, window.end);
  const loads = new Map();
  const teams = teamSpecs(targets, rules).map((spec) => formTeam(seed, spec, pool, rules, loads));
  return { seed, window: { start: window.start, end: window.end }, rules, teams, voids: [] };
}

/** Apply one void (§11.9) to a TeamDraw JSON; returns the new TeamDraw JSON. */
export function applyVoid(current, { team, person, reason, ticketSeed, seed, targets, inspectors, experts, recusals }) {
  if (seed !== undefined && seed !== current.seed) throw new SuijiError("void-refused", "撤换所用的种子或检查时间窗口与原抽取不一致");
  const rules = current.rules;
  const why = cleanText(reason ?? "");
  if (!why) throw new SuijiError("void-refused", "撤换必须写明事由");
  const key = team === "task" ? team : idKey(team);
  const teamNow = current.teams.find((t) => t.team === key);
  if (!teamNow) throw new SuijiError("void-refused", `本次抽取中没有检查组 ${key}`);
  const pid = idKey(person);
  const role = roleOf(teamNow, pid);
  if (role === null) throw new SuijiError("void-refused", `人员 ${pid} 不在检查组 ${key} 中，无法撤换`);
  const spec = teamSpecs(targets, rules).find((s) => s.key === key);
  if (!spec || spec.targets.join("\n") !== teamNow.targets.join("\n")) throw new SuijiError("void-refused", `撤换所用的抽中企业与原抽取不一致（检查组 ${key}）`);
  const pool = preparePool(inspectors, experts, recusals, rules, current.window.end);
  const loads = new Map();
  for (const t of current.teams) for (const [r, p] of members(t)) loads.set(loadKey(r, p), (loads.get(loadKey(r, p)) ?? 0) + t.targets.length);
  loads.set(loadKey(role, pid), loads.get(loadKey(role, pid)) - teamNow.targets.length);
  const exclude = new Set([...members(teamNow)].map((m) => m[1]));
  for (const v of current.voids) if (v.team === key) exclude.add(v.person);
  const fits = fitsFor(loads, rules, role, teamNow.targets.length);
  const cands = candidates(ticketSeed ?? current.seed, spec, role, pool);
  const prefix = `撤换 ${pid} 后，`;
  let replacement;
  if (role === "officer") {
    const kept = teamNow.officers.map((o) => o.person).filter((p) => p !== pid);
    const [added, uncovered] = fillOfficers(cands, kept, spec, rules, pool, fits, exclude);
    if (!added.length) throw officerFailure(spec, uncovered, pool, prefix);
    replacement = added[0];
  } else {
    const found = take(cands, 1, fits, exclude);
    if (!found.length) throw roleFailure(spec, role, rules, prefix);
    replacement = found[0];
  }
  const swap = (t) => {
    if (t.team !== key) return t;
    const out = { ...t };
    if (role === "leader") out.leader = replacement;
    else if (role === "officer") out.officers = t.officers.map((o) => (o.person === pid ? { person: replacement, group_officer: isGroupOfficer(replacement, spec, pool) } : o));
    else if (role === "accompany") out.accompany = t.accompany.map((p) => (p === pid ? replacement : p));
    else out.experts = t.experts.map((p) => (p === pid ? replacement : p));
    return out;
  };
  return {
    ...current,
    teams: current.teams.map(swap),
    voids: [...current.voids, { team: key, person: pid, role, replacement, reason: why }],
  };
}

// ---------------------------------------------------------------- vector kinds (teams.json)

const CASES = new Map();
/** Register a vector file's cases, so `void` and `teams_error` can name a draw case by id. */
export function registerCases(cases) {
  for (const c of cases) CASES.set(c.id, c);
}

function drawCase(input) {
  return drawTeams({ ...input, rules: rulesFromTable(input.team) });
}

export function replacementSeed({ seed, void: v, randomness }) {
  return replacementSeedOf(seed, v, randomness);
}

export function draw(input) {
  const result = drawCase(input);
  return { result, canonical: canonicalize(result) };
}

export function teamsError({ draw: id }) {
  try {
    drawCase(CASES.get(id).input);
  } catch (e) {
    if (e instanceof TeamInfeasible) return { team: e.team, rule: e.rule, message: e.message };
    throw e;
  }
  throw new Error(`${id} does not fail`);
}

function voidVector({ draw: id, voids }) {
  const base = CASES.get(id).input;
  let current = drawCase(base);
  for (const step of voids) {
    current = applyVoid(current, { ...step, ticketSeed: step.ticket_seed, targets: base.targets, inspectors: base.inspectors, experts: base.experts, recusals: base.recusals });
  }
  return current;
}
export { voidVector as void };
