// Seed, allocation, the target draw, items and extra-input values (docs/spec/09, 10, 07 §7.1.1).
import { canonicalize, taggedHex, SuijiError, cleanText, matchKey, idKey } from "../encoding.js";
import { cmpBytes, orderIds, selectLowest, sha256Hex, ticketer } from "./order.js";

export const PROTOCOL = "suiji/v1";
export const ALTERNATES = 5;

/** The seed input object (§9.1); beacon members absent for an extra-inputs-only draw. */
export function seedInput({ task_id, commitment, chain_hash, round, randomness, extra }) {
  const obj = { protocol: PROTOCOL, task_id, commitment, extra: (extra ?? []).map((e) => ({ name: e.name, value: e.value })) };
  if (chain_hash != null || round != null || randomness != null) Object.assign(obj, { chain_hash, round, randomness });
  return obj;
}

export function deriveSeed(args) {
  return taggedHex("suiji/seed/v1", canonicalize(seedInput(args)));
}

// ---------------------------------------------------------------- vector kinds (draw.json)

export function ticket({ seed, id }) {
  return { ticket: ticketer(seed)(id), sha256_hex_seed: sha256Hex(seed) };
}

export function seed(input) {
  const canonical_input = canonicalize(seedInput(input));
  return { canonical_input, seed: taggedHex("suiji/seed/v1", canonical_input) };
}

export function order({ seed, ids }) {
  const t = ticketer(seed);
  const ordered = orderIds(ids, seed);
  const tickets = {};
  for (const id of ordered) tickets[id] = t(id);
  return { order: ordered, first_3: selectLowest(ids, seed, 3), tickets };
}

/** Hamilton's largest remainder in exact integers; ties to the stratum first in byte order. */
export function largestRemainder(total, sizes) {
  const whole = sizes.reduce((s, [, n]) => s + n, 0);
  if (whole === 0 || total < 0 || total > whole) throw new SuijiError("quota-too-large", "total out of range");
  const T = BigInt(total);
  const W = BigInt(whole);
  const shares = sizes.map(([, n]) => Number((T * BigInt(n)) / W));
  const rem = sizes.map(([, n]) => (T * BigInt(n)) % W);
  const ranked = sizes.map((_, i) => i).sort((a, b) => (rem[a] > rem[b] ? -1 : rem[a] < rem[b] ? 1 : cmpBytes(sizes[a][0], sizes[b][0])));
  const left = total - shares.reduce((s, x) => s + x, 0);
  for (const i of ranked.slice(0, left)) shares[i] += 1;
  return sizes.map(([name], i) => [name, shares[i]]);
}

export function allocation({ total, sizes }) {
  const got = largestRemainder(total, sizes.map((s) => [s.stratum, s.available]));
  return { quotas: got.map(([stratum, quota]) => ({ stratum, quota })) };
}

/** Members grouped by stratum (null for an unstratified population), member order kept. */
export function groups(population) {
  const out = new Map();
  for (const m of population.members) {
    const k = m.stratum ?? null;
    if (!out.has(k)) out.set(k, []);
    out.get(k).push(m.id);
  }
  return out;
}

/**
 * Quotas (§9.3) from the plan object's `size` and the population: [{stratum, quota, available}].
 * Throws SuijiError quota-too-large where the writer would have refused.
 */
export function allocate(size, population) {
  const g = groups(population);
  const n = population.members.length;
  const short = (qs) => {
    if (qs.some((q) => q.quota > q.available)) throw new SuijiError("quota-too-large", "配额超过可抽查对象数");
    return qs;
  };
  if (n === 0 && !(size.mode === "quotas")) throw new SuijiError("quota-too-large", "没有符合条件的可抽查对象");
  if (size.mode === "count") return short([{ stratum: null, quota: size.n, available: n }]);
  if (size.mode === "ratio") {
    const want = Number((BigInt(size.numerator) * BigInt(n) + BigInt(size.denominator) - 1n) / BigInt(size.denominator));
    return short([{ stratum: null, quota: want, available: n }]);
  }
  if (size.mode === "quotas") {
    return short(size.quotas.map((q) => ({ stratum: q.stratum, quota: q.quota, available: (g.get(q.stratum) ?? []).length })));
  }
  if (size.total > n) throw new SuijiError("quota-too-large", "抽取总数超过可抽查对象数");
  const present = [...g.entries()].map(([s, ids]) => [s ?? "", ids.length]).sort((a, b) => cmpBytes(a[0], b[0]));
  return short(largestRemainder(size.total, present).map(([s, q]) => ({ stratum: s, quota: q, available: g.get(s).length })));
}

/** The target draw (§9.4) as the committed `suiji/targets/v1` object. */
export function drawTargets(taskId, quotas, population, seedHex, alternates = ALTERNATES) {
  const g = groups(population);
  const t = ticketer(seedHex);
  const selected = [];
  const spare = [];
  for (const q of quotas) {
    const picked = selectLowest(g.get(q.stratum) ?? [], seedHex, q.quota + alternates);
    const picks = picked.map((id) => ({ id, ticket: t(id), stratum: q.stratum }));
    selected.push(...picks.slice(0, q.quota));
    spare.push(...picks.slice(q.quota));
  }
  const byTicket = (a, b) => (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : cmpBytes(a.id, b.id));
  selected.sort(byTicket);
  spare.sort(byTicket);
  return {
    schema: "suiji/targets/v1",
    task_id: taskId,
    seed: seedHex,
    quotas: quotas.map((q) => ({ stratum: q.stratum, quota: q.quota, available: q.available })),
    selected,
    alternates: spare,
    alternates_per_stratum: alternates,
  };
}

export function stratified({ seed, total, alternates_per_stratum, population }) {
  const quotas = allocate({ mode: "total", by: population.by, total }, population);
  return drawTargets(population.task_id, quotas, population, seed, alternates_per_stratum);
}

// ---------------------------------------------------------------- items (§10.1)

export function itemSeed(seedHex, target) {
  return taggedHex("suiji/items/v1", canonicalize({ seed: seedHex, target }));
}

function cellDate(v) {
  if (v === null || v === undefined || v === "") return null;
  return String(v);
}

/** `status` is the row's active word and no 退出日期 on or before `day` (ISO date strings compare as text). */
export function activeOn(row, status, day) {
  const retired = cellDate(row.retired_on);
  return cleanText(String(row.status ?? "")) === status && (retired === null || retired > day);
}

function industriesOf(value, official) {
  let parts;
  if (Array.isArray(value)) parts = value.map(String);
  else {
    let text = String(value ?? "");
    for (const sep of [";", "；", ",", "，"]) text = text.split(sep).join("、");
    parts = text.split("、");
  }
  return parts.filter((p) => cleanText(p)).map((p) => official(p));
}

/** Ids of active checklist items for `industry`, sorted; `official` maps a category to its official spelling. */
export function applicableItems(industry, checklist, asOf, official = (s) => cleanText(String(s))) {
  const want = matchKey(official(industry));
  const out = new Set();
  for (const row of checklist) {
    const item = idKey(String(row.item_id));
    if (out.has(item)) throw new SuijiError("items-duplicate", `检查事项清单中事项编号重复：${item}`);
    if (activeOn(row, "有效", asOf) && industriesOf(row.industries, official).some((i) => matchKey(i) === want)) out.add(item);
  }
  return [...out].sort(cmpBytes);
}

export function drawItems(seedHex, target, industry, checklist, n, asOf, official) {
  const pool = applicableItems(industry, checklist, asOf, official);
  if (pool.length < n) throw new SuijiError("items-too-few", `行业“${industry}”只有 ${pool.length} 项有效检查事项`);
  return selectLowest(pool, itemSeed(seedHex, target), n);
}

export function items({ seed, target, industry, as_of, n, checklist }) {
  const s = itemSeed(seed, target);
  return {
    item_seed_input: canonicalize({ seed, target }),
    item_seed: s,
    applicable: applicableItems(industry, checklist, as_of),
    items: drawItems(seed, target, industry, checklist, n, as_of),
  };
}

// ---------------------------------------------------------------- extra inputs (§7.1.1)

const LOTTERY = { 福彩3D: { pattern: /^[0-9]{3}$/, drawTime: "21:15:00" } };
export const OTHER_MAX = 200;

/** What a clerk typed, in its kind's one written form (spelling folded, never meaning). */
// Python's white space (str.isspace, and `\s` of its re): not U+FEFF, unlike JavaScript's `\s`.
const WS = "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_EDGES = new RegExp(`^[${WS}]+|[${WS}]+$`, "g");
const DICE_SPLIT = new RegExp(`[${WS},、;]+`);
const WS_RUNS = new RegExp(`[${WS}]+`, "g");

export function normalizeExtra(spec, typed) {
  const text = typed.normalize("NFKC").replace(WS_EDGES, "");
  if (spec.kind === "dice") return text.split(DICE_SPLIT).filter((p) => p).join(",");
  if (spec.kind === "lottery") return text.replace(WS_RUNS, "");
  return cleanText(typed);
}

/** Why `value` is not a valid recorded value of `spec` (null: it is). */
export function extraProblem(spec, value) {
  if (spec.kind === "dice") return /^[1-6],[1-6],[1-6]$/.test(value) ? null : `“${spec.name}”应为三枚骰子的点数（1–6），用逗号分隔，如 3,5,6`;
  if (spec.kind === "lottery") {
    const game = LOTTERY[spec.game];
    return game && game.pattern.test(value) ? null : `“${spec.name}”应为${spec.game}开奖号码，如 371`;
  }
  if (!value || cleanText(value) !== value || [...value].length > OTHER_MAX || value.includes("\n")) {
    return `“${spec.name}”应为一行非空文字（不超过 ${OTHER_MAX} 个字符，首尾无空白）`;
  }
  return null;
}

/** When a lottery's result becomes public, as a UTC time string (null: not a lottery). */
export function lotteryDrawnAt(spec) {
  if (spec.kind !== "lottery" || !spec.game || !spec.draw_date || !LOTTERY[spec.game]) return null;
  return new Date(`${spec.draw_date}T${LOTTERY[spec.game].drawTime}+08:00`).getTime();
}

export function extraValue({ input, typed }) {
  const value = normalizeExtra(input, typed);
  const problem = extraProblem(input, value);
  if (problem) throw new SuijiError("extra-format", problem);
  return value;
}
