// The enterprise self-check: every draw an enterprise (credit code) was eligible for, its
// ticket and rank in its stratum, drawn or not, excluded and why, and its results — all
// computed from the replayed ledger, in the browser.
import { idKey, matchKey } from "../encoding.js";
import { ticketer } from "./order.js";
import { cmpBytes } from "./order.js";

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
    } else if (excluded) out.reason = `不可抽取：被排除（${excluded.reason}）`;
    else out.reason = "不在本任务的抽取范围内（状态或筛选条件）";
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
