// The enterprise self-check: every draw an enterprise (credit code) was eligible for, its
// ticket and rank in its stratum, drawn or not, excluded and why, and its results — all
// computed from the replayed ledger, in the browser.
import { idKey, matchKey } from "../encoding.js";
import { ticketer } from "./order.js";
import { cmpBytes } from "./order.js";
import { derivePopulation, strataBy } from "./derive.js";
import { activeOn } from "./draw.js";
import { SCHEMAS } from "../records.js";

const cell = (v) => (typeof v === "boolean" || v === null || v === undefined ? (v ? "是" : "否") : String(v));

/**
 * Why an enterprise not in a task's population was not, by the rule that built it (as
 * `suiji ticket` says, suiji.verify.taskview): excluded (and the recorded reason), unlisted
 * (not in the committed registry), retired (not 在册 on the commitment's day) or filtered
 * (the first plan filter it fails, or a stratum without a quota). [status, reason].
 */
function eligibility(committed, row, code) {
  const pop = committed.population;
  const ex = pop.excluded.find((e) => e.id === code);
  if (ex) return ["excluded", ex.reason];
  if (!row) return ["unlisted", ""];
  if (!activeOn(row, "在册", pop.as_of)) return ["retired", ""];
  const plan = committed.plan;
  for (const [key, allowed] of Object.entries(plan.filters ?? {})) {
    const alone = { ...plan, filters: { [key]: allowed }, size: { mode: "count", count: 1 } };
    if (!derivePopulation(alone, [row], pop.as_of, [], 0).members.length) {
      const header = SCHEMAS.enterprises.columns.find((c) => c.alias === key).header;
      return ["filtered", `${header}为“${cell(row[key])}”，方案只抽 ${allowed.map(cell).join("、")}`];
    }
  }
  const by = strataBy(plan);
  return ["filtered", `所在分层“${by && row[by] !== undefined && row[by] !== null ? row[by] : "None"}”不在方案的分层配额之中`];
}

function nameOf(replayed, code) {
  for (let i = replayed._draws.length - 1; i >= 0; i--) {
    const row = replayed._draws[i].committed.rows.enterprises.find((r) => r.uscc === code);
    if (row) return row.name;
  }
  for (const c of replayed._committed.values()) {
    const row = c.rows.enterprises.find((r) => r.uscc === code);
    if (row) return row.name;
  }
  return null;
}

export function enterpriseView(replayed, creditCode) {
  const code = idKey(creditCode);
  const draws = [];
  for (const d of replayed._draws) {
    const pop = d.committed.population;
    const member = pop.members.find((m) => m.id === code);
    const excluded = pop.excluded.find((e) => e.id === code);
    const row = d.committed.rows.enterprises.find((r) => r.uscc === code);
    if (!member && !excluded && !row) continue;
    const t = ticketer(d.seed);
    const out = {
      task: d.task,
      title: d.committed.plan.name,
      draw_seq: d.seq,
      drawn_on: d.time,
      seed: d.seed,
      ticket: t(code),
      eligible: Boolean(member),
      stratum: member ? member.stratum : null,
      rank: null,
      of: null,
      drawn: false,
      alternate: false,
      excluded: excluded ? excluded.reason : null,
      reason: null,
    };
    if (member) {
      const peers = pop.members.filter((m) => m.stratum === member.stratum).map((m) => [t(m.id), m.id]);
      peers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : cmpBytes(a[1], b[1])));
      out.rank = peers.findIndex((p) => p[1] === code) + 1;
      out.of = peers.length;
      out.drawn = d.result.targets.selected.some((p) => p.id === code);
      out.alternate = d.result.targets.alternates.some((p) => p.id === code);
      const team = d.result.teams?.teams.find((x) => x.targets.includes(code));
      if (team) out.team = team;
      const items = d.result.items.find((x) => x.target === code);
      if (items) out.items = items.items;
      out.reason = out.drawn ? "已抽中" : "可抽取，但票号未排进抽取数量";
      out.status = out.drawn ? "drawn" : out.alternate ? "alternate" : "not-drawn";
    } else {
      const [status, why] = eligibility(d.committed, row, code);
      out.status = status;
      out.why = why;
      if (status === "excluded") out.reason = `不可抽取：被排除（${why}）`;
      else if (status === "retired") out.reason = "不可抽取：承诺当日不是在册企业";
      else out.reason = `不在本任务的抽取范围内：${why}`;
    }
    draws.push(out);
  }
  const results = replayed._results
    .filter((r) => r.uscc === code)
    .map((r) => ({ task: r.task, seq: r.seq, corrects_seq: r.corrects_seq, object: r.object, withdrawn_seq: r.withdrawn, content: r.content }));
  return { code, name: nameOf(replayed, code), draws, results };
}

/** Enterprises whose name or credit code contains `query` (by match key), at most 50. */
export function findEnterprises(replayed, query) {
  const q = matchKey(String(query ?? ""));
  if (!q) return [];
  const seen = new Map();
  const sources = [...replayed._draws.map((d) => d.committed), ...replayed._committed.values()];
  for (const c of sources) {
    for (const row of c.rows.enterprises) {
      if (seen.has(row.uscc)) continue;
      if (row.uscc.includes(q) || matchKey(String(row.name ?? "")).includes(q)) seen.set(row.uscc, row.name);
    }
  }
  return [...seen].sort((a, b) => cmpBytes(a[0], b[0])).slice(0, 50).map(([code, name]) => ({ code, name }));
}
