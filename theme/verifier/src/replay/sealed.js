// Sealed draws (暗查暗访, docs/spec/18-sealed.md) in the browser: the secret's hash, the
// sealed seed, the reveal deadline, and the lifecycle rules of a sealed task — a second
// implementation of suiji.draw.sealed, suiji.ledger.history's sealed rules and
// suiji.verify.sealedcheck, with the same finding codes and messages. A sealed task is
// committed in public; at its round only the beacon is recorded; its draw is the `reveal`
// entry that carries the secret, re-derived exactly as a draw with the sealed seed.
import { canonicalize, taggedHex, utf8, SuijiError } from "../encoding.js";
import { ticketer, orderIds } from "./order.js";

/** Seconds since the epoch of a ledger time (as lifecycle.js; no import cycle). */
const unix = (time) => Date.parse(time) / 1000;

export const SECRET_TAG = "suiji/sealed-secret/v1";
export const SEED_TAG = "suiji/sealed-seed/v1";
const HEX64 = /^[0-9a-f]{64}$/;

/** The messages of suiji.verify.sealedcheck (filled like the lifecycle's). */
export const SEALED_MESSAGES = {
  "draw-sealed": "任务 {task} 是暗查暗访任务（承诺条目 #{seq}），只能以揭示（reveal）条目记录抽取结果",
  "reveal-unsealed": "任务 {task} 不是暗查暗访任务，却记录了揭示条目",
  "reveal-secret": "任务 {task} 揭示的密钥与承诺（条目 #{seq}）中的密钥哈希不符",
  "reveal-late": "任务 {task} 的暗查暗访结果在揭示期限 {detail} 之后才揭示",
  "result-sealed": "任务 {task} 是尚未揭示的暗查暗访任务，不能登记检查结果（{detail}）",
};

/** A result entry's own wording (suiji.verify.results), used by the replay of `result` entries. */
export const RESULT_SEALED_MESSAGES = { "result-sealed": "任务 {task} 是尚未揭示的暗查暗访任务，却登记了对「{detail}」的检查结果" };

/** The codes of the task page's reveal step (steps.js). */
export const SEALED_STEP_CODES = ["draw-sealed", "reveal-unsealed", "reveal-secret", "reveal-late", "result-sealed", "sealed-void-task", "sealed-void-disclosure", "sealed-void-undisclosed"];

/** A late reveal is recorded (the truth is better late than never) but non-compliant. */
export const SEALED_COMPLIANCE = new Set(["reveal-late"]);

function checkSecret(secret, message) {
  if (typeof secret !== "string" || !HEX64.test(secret)) throw new SuijiError("secret-invalid", message);
  return secret;
}

/** hex(H("suiji/sealed-secret/v1", the 64 ASCII hex digits)) — §18.1. */
export function secretHashOf(secret) {
  checkSecret(secret, "暗查暗访密钥必须是 64 位小写十六进制数字");
  return taggedHex(SECRET_TAG, utf8(secret));
}

/** A secret file's text: surrounding white space stripped, then exactly 64 hex digits. */
export function parseSecretText(text) {
  return checkSecret(String(text).trim(), "密钥文件必须恰为 64 位小写十六进制数字");
}

/** §18.4: the sealed seed from the public seed of §9.1 and the secret. */
export function sealedSeedOf(publicSeed, secret) {
  if (typeof publicSeed !== "string" || !HEX64.test(publicSeed)) throw new SuijiError("secret-invalid", "种子和密钥必须是 64 位小写十六进制数字");
  checkSecret(secret, "种子和密钥必须是 64 位小写十六进制数字");
  return taggedHex(SEED_TAG, canonicalize({ public_seed: publicSeed, secret }));
}

/** §18.3: 00:00 Beijing time of window end + days + 1 (calendar days), as a UTC ledger time. */
export function revealDeadlineOf(windowEnd, days) {
  const [y, m, d] = windowEnd.split("-").map(Number);
  // midnight UTC+8 of day end + days + 1 = 16:00 UTC of day end + days
  const t = Date.UTC(y, m - 1, d + days, 16, 0, 0);
  return new Date(t).toISOString().replace(".000Z", "Z");
}

/** The commitment's `sealed` member a plan calls for (null: the plan is not sealed). */
export function sealTerms(plan, genesis) {
  const sealed = plan?.sealed;
  if (!sealed) return null;
  const days = genesis?.policy?.disclosure_days ?? 10;
  return { reveal_by: revealDeadlineOf(plan.window.end, days), secret_hash: sealed.secret_hash };
}

// ---------------------------------------------------------------- vector kinds (sealed.json)

export const secretHash = ({ secret }) => secretHashOf(secret);
export const parseSecret = ({ text }) => parseSecretText(text);
export function sealedSeed({ public_seed, secret }) {
  const seed = sealedSeedOf(public_seed, secret);
  return { canonical_input: canonicalize({ public_seed, secret }), seed };
}
export const revealDeadline = ({ window_end, disclosure_days }) => revealDeadlineOf(window_end, disclosure_days);
/** `order_sealed`: the ids ordered under the sealed seed, with the tickets of the first three. */
export function order({ public_seed, secret, ids }) {
  const seed = sealedSeedOf(public_seed, secret);
  const ordered = orderIds(ids, seed);
  const t = ticketer(seed);
  const tickets = {};
  for (const id of ordered.slice(0, 3)) tickets[id] = t(id);
  return { seed, order: ordered, tickets };
}

// ---------------------------------------------------------------- the lifecycle's sealed rules

/** A sealed task whose draw is not revealed yet. */
export function isSealed(state) {
  return !!(state && state.commit && state.commit.body.sealed && !state.draw);
}

/** The committed round's beacon is in the ledger (always so for extra-only terms). */
export function roundRecorded(hist, commitBody) {
  const terms = commitBody.beacon;
  if (terms.round === undefined) return true;
  for (const b of hist.beaconsBySeq.values()) if (b.body.round === terms.round && b.body.chain_hash === terms.chain_hash) return true;
  return false;
}

const violation = (code, task, more = {}) => ({ code, task, fatal: false, seq: null, round: null, detail: "", ...more });

/** history.py `_sealed_violations`: a sealed task is drawn only by its reveal, with the
 * committed secret, by the deadline fixed at commitment; a reveal of an unsealed one is void. */
export function sealedViolations(commit, at, kind, body) {
  const sealed = commit.body.sealed;
  const task = commit.body.task;
  if (!sealed) return kind === "reveal" ? [violation("reveal-unsealed", task, { fatal: true })] : [];
  if (kind !== "reveal") return [violation("draw-sealed", task, { fatal: true, seq: commit.seq })];
  let hash = null;
  try {
    hash = secretHashOf(body.secret);
  } catch {
    hash = null;
  }
  if (hash !== sealed.secret_hash) return [violation("reveal-secret", task, { fatal: true, seq: commit.seq })];
  if (at > unix(sealed.reveal_by)) return [violation("reveal-late", task, { seq: commit.seq, detail: sealed.reveal_by })];
  return [];
}

/** The finding's message for a sealed task kept secret past its deadline (null otherwise). */
export function unrevealedMessage(state, nowUnix) {
  if (!isSealed(state)) return null;
  const sealed = state.commit.body.sealed;
  if (nowUnix <= unix(sealed.reveal_by)) return null;
  return (
    `暗查暗访任务 ${state.task}（承诺条目 #${state.commit.seq}）的揭示期限 ` +
    `${sealed.reveal_by} 已过，抽取结果仍未揭示：` +
    "持有密钥的人应提交 content/records/reveals/ 下的揭示文件"
  );
}

/** sealedcheck.commit_findings: `sealed` exactly as the plan and the genesis call for. */
export function commitFinding(seq, body, plan, genesis) {
  const expected = sealTerms(plan, genesis);
  const got = body.sealed ?? null;
  if (canonicalize(expected) === canonicalize(got)) return null;
  const shown = expected ? `应为密钥哈希 ${expected.secret_hash}、揭示期限 ${expected.reveal_by}` : "方案没有 [sealed]，承诺不得带 sealed";
  return { seq, tag: "integrity", code: "sealed-terms", message: `承诺的暗查暗访条款与方案不符（${shown}）：揭示期限在承诺时确定，不得推迟` };
}

// ---------------------------------------------------------------- sealed person voids (§18.12)
// A person void of a sealed task before its reveal is recorded as a salted hash only; the
// reveal discloses each one (content and salt) and the replay then treats it as an ordinary
// person void recorded where its hash was (suiji.draw.sealed, ADR 0053).

export const SEALED_VOID_TAG = "suiji/sealed-void/v1";
export const VOID_SALT_TAG = "suiji/sealed-void-salt/v1";
/** A disclosed void's content: a person-void body (spec §13.5) without `draw_seq`. */
export const VOID_CONTENT = ["task", "team", "person", "role", "reason", "beacon"];
export const DISCLOSURE_MEMBERS = ["seq", "salt", "team", "person", "role", "reason", "beacon"];

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const TIME_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

/** A ledger time that exists (suiji.shared.times.parse_time). */
function ledgerTime(t) {
  if (typeof t !== "string" || !TIME_RE.test(t)) return false;
  const [y, mo, d, h, mi, s] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 13), t.slice(14, 16), t.slice(17, 19)].map(Number);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= dim;
}

/** §18.12: the salt of the task's `n`-th sealed void (0-based), derived from the secret. */
export function voidSaltOf(secret, commitment, n) {
  if (typeof secret !== "string" || !HEX64.test(secret) || typeof commitment !== "string" || !HEX64.test(commitment) || !isInt(n) || n < 0) {
    throw new SuijiError("secret-invalid", "密钥和承诺哈希必须是 64 位小写十六进制数字");
  }
  return taggedHex(VOID_SALT_TAG, canonicalize({ commitment, n, secret }));
}

/** §18.12: H("suiji/sealed-void/v1", canonical_json({salt, void: content})). */
export function sealedVoidHashOf(salt, content) {
  const keys = isObject(content) ? Object.keys(content).sort() : null;
  if (typeof salt !== "string" || !HEX64.test(salt) || !keys || keys.join("\n") !== [...VOID_CONTENT].sort().join("\n")) {
    throw new SuijiError("secret-invalid", "撤换盐值须为 64 位十六进制数字，内容须恰为人员撤换的各项");
  }
  return taggedHex(SEALED_VOID_TAG, canonicalize({ salt, void: content }));
}

/** Disclosure.from_json: exactly the members, a chain round (never extra-only); throws a message. */
function disclosureFromJson(value, path) {
  const at = (name) => `${path}.${name}`;
  const exactly = (obj, names, where) => {
    if (!isObject(obj)) throw new Error(`${where} 必须是对象`);
    const missing = names.filter((k) => !(k in obj)).sort();
    if (missing.length) throw new Error(`缺少字段 ${missing[0]}`);
    const extra = Object.keys(obj).filter((k) => !names.includes(k)).sort();
    if (extra.length) throw new Error(`不允许的字段 ${extra[0]}`);
  };
  exactly(value, DISCLOSURE_MEMBERS, path);
  const b = value.beacon;
  if (!isObject(b)) throw new Error(`${at("beacon")} 必须是对象`);
  if (!("round" in b) && "source" in b) {
    exactly(b, ["source", "draw_after"], at("beacon"));
    if (b.source !== "extra-only") throw new Error("source 只能是 extra-only");
    if (typeof b.draw_after !== "string") throw new Error("draw_after 必须是字符串");
    if (!ledgerTime(b.draw_after)) throw new Error(`draw_after: 时间必须形如 2026-03-01T02:00:00Z: ${b.draw_after}`);
    throw new Error("人员撤换必须指明将来的信标轮次");
  }
  exactly(b, ["chain", "chain_hash", "round", "round_time"], at("beacon"));
  for (const k of ["chain", "chain_hash"]) if (typeof b[k] !== "string") throw new Error(`${k} 必须是字符串`);
  if (!isInt(b.round)) throw new Error("round 必须是整数");
  if (b.round < 0) throw new Error("round 必须不小于 0");
  if (typeof b.round_time !== "string") throw new Error("round_time 必须是字符串");
  if (!ledgerTime(b.round_time)) throw new Error(`round_time: 时间必须形如 2026-03-01T02:00:00Z: ${b.round_time}`);
  if (!isInt(value.seq)) throw new Error("seq 必须是整数");
  if (value.seq < 0) throw new Error("seq 必须不小于 0");
  if (typeof value.salt !== "string") throw new Error("salt 必须是字符串");
  if (!HEX64.test(value.salt)) throw new Error("salt 必须是 64 位小写十六进制");
  for (const k of ["team", "person", "role", "reason"]) if (typeof value[k] !== "string") throw new Error(`${k} 必须是字符串`);
  return {
    seq: value.seq,
    salt: value.salt,
    team: value.team,
    person: value.person,
    role: value.role,
    reason: value.reason,
    beacon: { chain: b.chain, chain_hash: b.chain_hash, round: b.round, round_time: b.round_time },
  };
}

/** What a disclosure's salted hash covers: the person void's body without `draw_seq`. */
export function disclosureContent(d, task) {
  return { task, team: d.team, person: d.person, role: d.role, reason: d.reason, beacon: { ...d.beacon } };
}

/** parse_disclosures: one JSON disclosure per non-blank line (a `.voids` file, a reveal's voids). */
export function parseDisclosures(text, label) {
  const out = [];
  const lines = String(text).split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/); // str.splitlines
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, i) => {
    const n = i + 1;
    if (!line.trim()) return;
    try {
      out.push(disclosureFromJson(JSON.parse(line), `${label}:${n}`));
    } catch (exc) {
      throw new SuijiError("sealed-voids-file", `${label} 第 ${n} 行不是 suiji void --secret 写出的暗查撤换：${exc.message}`);
    }
  });
  return out;
}

// vector kinds void_salt, void_hash, disclosures
export function voidSalt({ secret, commitment, n }) {
  const salt = voidSaltOf(secret, commitment, n);
  return { canonical_input: canonicalize({ commitment, n, secret }), salt };
}
export function voidHash({ salt, void: content }) {
  const salted = sealedVoidHashOf(salt, content);
  return { canonical_input: canonicalize({ salt, void: content }), salted };
}
export const disclosures = ({ text }) => parseDisclosures(text, "voids");

/** A reveal body's disclosures (its optional `voids`), as parsed objects; malformed ones are skipped
 * here (the entry's shape is the structural layer's business). */
export function revealDisclosures(body) {
  const out = [];
  if (!Array.isArray(body?.voids)) return out;
  body.voids.forEach((x, i) => {
    try {
      out.push(disclosureFromJson(x, `body.voids[${i}]`));
    } catch {
      // not a disclosure: the structural layer reports the body
    }
  });
  return out;
}

/** suiji.ledger.sealedvoids.disclosure_problems: `sealed` = [{seq, salted}] in seq order.
 * Returns [problems as {code, detail}, the disclosures that open a sealed void]. */
export function disclosureProblems(task, sealed, voids) {
  const recorded = new Map(sealed.map((s) => [s.seq, s.salted]));
  const problems = [];
  const valid = [];
  let last = -1;
  for (const d of voids) {
    const salted = recorded.get(d.seq);
    if (salted === undefined || d.seq <= last) {
      problems.push({ code: "sealed-void-disclosure", detail: `#${d.seq}：不是本任务尚未公开的暗查撤换` });
      continue;
    }
    last = d.seq;
    if (sealedVoidHashOf(d.salt, disclosureContent(d, task)) !== salted) {
      problems.push({ code: "sealed-void-disclosure", detail: `#${d.seq}：公开的内容与盐值的哈希不符` });
      continue;
    }
    valid.push(d);
  }
  const opened = new Set(voids.filter((d) => recorded.has(d.seq)).map((d) => d.seq));
  for (const s of sealed) if (!opened.has(s.seq)) problems.push({ code: "sealed-void-undisclosed", detail: `#${s.seq}` });
  const seen = new Set();
  for (const d of valid) {
    const key = `${d.team}\0${d.person}`;
    if (seen.has(key)) problems.push({ code: "void-slot-again", detail: `#${d.seq}` });
    seen.add(key);
  }
  return [problems, valid];
}

/** The sealed-void messages of suiji.verify.sealedcheck. */
Object.assign(SEALED_MESSAGES, {
  "sealed-void-task": "任务 {task} 不是尚未揭示的暗查暗访任务，或暗查撤换引用的不是其有效承诺：暗查撤换（加盐哈希）只用于揭示之前",
  "sealed-void-disclosure": "任务 {task} 的揭示条目公开的暗查撤换 {detail}，该撤换不予采用",
  "sealed-void-undisclosed": "任务 {task} 的暗查撤换条目 {detail} 在揭示时没有公开：无法核对撤换了谁",
});
