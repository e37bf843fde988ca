// Semantic replay of a bureau's ledger in the browser (docs/spec/14-verifier.md §14.3.3):
// every population, seed, order, selection, item, team, void, extra-input ordering and
// result re-derived from the committed objects, with the finding codes and tags of
// `suiji verify`. The structural checks (lines, chain, signatures, BLS) are i16-core's.
import { canonicalize, hex, matchKey, parseCanonical, sha256, fromHex, taggedHex, SuijiError } from "../encoding.js";
import { History, availableAt, civilDate, formatTime, unix, COMPLIANCE_RULES } from "./lifecycle.js";
import { derivePopulation, deriveResult, deriveVoids, diffResult, planContent } from "./derive.js";
import { deriveSeed } from "./draw.js";
import { replacementSeedOf } from "./teams.js";
import { readSnapshot } from "../records.js";
import { MESSAGES, RESULT_MESSAGES, fill } from "./messages.js";
import { buildTasks } from "./steps.js";
import { PUBLIC_CHAINS, isDemoChain, isPublicChain, roundTime, firstRoundAfter } from "./chains.js";
import { drawnTask, checkAgainstDraw } from "../results.js";
import { ledgerDeadlineFindings } from "../deadlines.js";
import { planFormProblem, planSourceProblem } from "../plan.js";
import { SEALED_MESSAGES, RESULT_SEALED_MESSAGES, commitFinding, roundRecorded, sealedSeedOf, unrevealedMessage, isSealed } from "./sealed.js";

Object.assign(MESSAGES, SEALED_MESSAGES);
Object.assign(RESULT_MESSAGES, RESULT_SEALED_MESSAGES);

/** calendar.js (spec 15), if this build has it: deadlines need its working-day arithmetic. */
async function calendarModule() {
  try {
    return await import("../calendar.js");
  } catch {
    return null;
  }
}

/** registry.js (spec 02 §2.9), if this build has it: registry history and fairness rules. */
async function registryModule() {
  try {
    return await import("../registry.js");
  } catch {
    return null;
  }
}

const DEFINED_KINDS = new Set(["genesis", "key", "withdrawal", "commit", "commit-void", "beacon", "draw", "person-void", "person-replace", "extra-input", "result", "reveal", "sealed-void"]);
const ROOT_SIGNED = new Set(["genesis", "key"]);

export { enterpriseView, findEnterprises } from "./enterprise.js";

const MIN_DRAW_DELAY = 600;
const VOID_DELAY = 60;
const SNAPSHOTS = [
  ["enterprises", "enterprises_object"],
  ["inspectors", "inspectors_object"],
  ["experts", "experts_object"],
  ["checklist", "checklist_object"],
  ["recusals", "recusals_object"],
];
const RECORDED_ON = { enterprises: ["added_on", "updated_on"], recusals: ["registered_on"] };
const RECORD_KEYS = { enterprises: ["uscc"], recusals: ["person_id", "uscc"] };
const RECORD_HEADERS = { added_on: "纳入日期", updated_on: "更新日期", registered_on: "登记日期" };

/** An object a step needs is not in the copy: the step cannot be checked ("数据无法获取"). */
class Unavailable extends Error {}

const ENTRY_FIELDS = ["seq", "prev", "kind", "time", "body", "sigs"];

export function entryHash(entry) {
  if (typeof entry.hash === "string") return entry.hash;
  const bare = {};
  for (const k of ENTRY_FIELDS) bare[k] = entry[k];
  return taggedHex("suiji/entry/v1", canonicalize(bare));
}

export async function replayLedger({ entries, getObject, asOf, onProgress, calendars, calendar, registry }) {
  const r = new Replay(getObject, asOf);
  const cal = calendar ?? (await calendarModule());
  const reg = registry ?? (await registryModule());
  if (reg && reg.RegistryChecker) r.registry = new reg.RegistryChecker();
  const total = entries.length;
  for (let i = 0; i < total; i++) {
    r.entry(entries[i]);
    if (onProgress && (i % 8 === 7 || i === total - 1)) {
      onProgress(i + 1, total);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page paint progress
    }
  }
  r.finish();
  if (cal) {
    try {
      r.findings.push(...ledgerDeadlineFindings(r.deadlineInput(), cal, calendars, asOf));
    } catch (e) {
      // a broken object or body: the other checks report it at its entry (as suiji does)
      if (!(e instanceof Unavailable) && !(e instanceof SuijiError)) throw e;
    }
  } else r.deadlinesUnchecked = true;
  return r.report();
}

class Replay {
  constructor(getObject, asOf) {
    this.getObjectRaw = getObject;
    this.asOf = asOf;
    this.hist = new History();
    this.chains = new Map();
    this.committed = new Map(); // task → {plan, rows, population, seq}
    this.results = new Map(); // task → derived result object
    this.applied = new Map(); // task → [{team, person, reason, ticketSeed}]
    this.contents = new Map(); // task → plan content hash
    this.findings = [];
    this.unavailable = new Map(); // seq → what could not be read
    this.snapshotCache = new Map();
    this.objectCache = new Map();
    this.evidence = new Map(); // seq → evidence object for the UI
    this.draws = []; // {task, seq, seed, committed, result}
    this.resultEntries = []; // {task, uscc, seq, object, withdrawn}
    this.pendingResultObjects = new Map(); // seq → result record whose object is missing
    this.entries = [];
  }

  bytes(oid) {
    const b = this.getObjectRaw(oid);
    if (b === null || b === undefined) throw new Unavailable(oid);
    return b;
  }

  json(oid) {
    if (!this.objectCache.has(oid)) this.objectCache.set(oid, parseCanonical(this.bytes(oid)));
    return this.objectCache.get(oid);
  }

  rows(oid) {
    if (!this.snapshotCache.has(oid)) {
      try {
        this.snapshotCache.set(oid, readSnapshot(this.bytes(oid)).rows);
      } catch (e) {
        if (e instanceof SuijiError) e.pythonName = "CanonicalError"; // suiji verify's words for it
        throw e;
      }
    }
    return this.snapshotCache.get(oid);
  }

  add(seq, code, message, tag) {
    this.findings.push({ seq, tag: tag ?? (COMPLIANCE_RULES.has(code) ? "compliance" : "integrity"), code, message });
  }

  violations(entry, list, messages = MESSAGES) {
    for (const v of list) {
      let message;
      if (v.code === "draw-beacon" && v.round === null) message = "承诺只用附加输入，抽取却引用了信标条目";
      else message = fill(messages[v.code] ?? v.code, v);
      this.add(entry.seq, v.code, message);
    }
    return !list.some((v) => v.fatal);
  }

  entry(raw) {
    const entry = { ...raw, hash: entryHash(raw) };
    this.entries.push(entry);
    if (!DEFINED_KINDS.has(entry.kind)) {
      this.add(entry.seq, "kind-unknown", `条目类型 '${entry.kind}' 不是规范定义的类型：其内容无法验证`);
    } else if (!ROOT_SIGNED.has(entry.kind) && (entry.sigs ?? []).length !== 1) {
      this.add(entry.seq, "signers-kind", `${entry.kind} 条目只能由当前签名密钥签署（恰好一个签名），实有 ${(entry.sigs ?? []).length} 个`);
    }
    this.handle(entry);
    if (entry.kind === "commit") this.commitRecords(entry);
  }

  /** The registry rules (registry.js) and the plan's unit (§13.2), after the draw checks. */
  commitRecords(entry) {
    const body = entry.body;
    if (this.registry) {
      for (const f of this.registry.check(entry.seq, body, (oid) => this.getObjectRaw(oid))) this.findings.push(f);
    }
    const source = typeof body.plan_source_object === "string" ? this.getObjectRaw(body.plan_source_object) : null;
    const planBytes = typeof body.plan_object === "string" ? this.getObjectRaw(body.plan_object) : null;
    if (source && planBytes) {
      const problem = planSourceProblem(source, planBytes);
      if (problem) this.add(entry.seq, "plan-source", problem);
    }
    const oid = body.snapshots?.inspectors_object;
    if (typeof oid !== "string") return;
    let rows;
    try {
      rows = this.rows(oid);
    } catch {
      return; // missing or unreadable: reported where the snapshot is read
    }
    const key = matchKey(String(body.unit));
    if (!rows.some((r) => matchKey(String(r.unit)) === key)) {
      this.add(entry.seq, "plan-unit", `执法单位「${body.unit}」不是承诺的执法检查人员名录库中的所在股室`, "compliance");
    }
  }

  handle(entry) {
    const handler = HANDLERS[entry.kind];
    if (!handler) return;
    try {
      handler.call(this, entry);
    } catch (e) {
      if (e instanceof Unavailable) {
        this.unavailable.set(entry.seq, e.message);
        return;
      }
      const name = e.pythonName ?? (e instanceof SuijiError ? e.code : e.name);
      this.add(entry.seq, "semantic-unreadable", `无法复算：${name}: ${e.message}`);
    }
  }

  genesis(entry) {
    this.hist.apply(entry);
    const g = entry.body;
    for (const facts of g.beacons ?? []) {
      if (isDemoChain(facts) && !g.demo) this.add(entry.seq, "demo-beacon", "非演示账本不得使用演示随机信标 suiji-demo");
      this.chains.set(facts.chain_hash, facts);
    }
    if (g.draw_delay_seconds < MIN_DRAW_DELAY) {
      this.add(entry.seq, "draw-delay", `抽取延迟 draw_delay_seconds = ${g.draw_delay_seconds} 秒，少于最低的 ${MIN_DRAW_DELAY} 秒：承诺时轮次可能已经公布`);
    }
    if (!g.demo) {
      for (const b of g.beacons ?? []) {
        if (isPublicChain(b)) continue;
        if ((g.beacons ?? []).some((x) => x.name === b.name && isDemoChain(x))) continue;
        this.add(
          entry.seq,
          "beacon-not-public",
          `非演示账本登记了不在公开信标允许清单（${Object.keys(PUBLIC_CHAINS).join("、")}）中的信标链 ${b.name}：其私钥可能由本局持有，随机数可被预知`,
        );
      }
    }
  }

  commit(entry) {
    const body = entry.body;
    this.violations(entry, this.hist.check(entry));
    const plan = this.json(body.plan_object);
    const form = planFormProblem(plan, this.bytes(body.plan_object));
    if (form) this.add(entry.seq, "plan-form", form);
    const rows = {};
    for (const [name, key] of SNAPSHOTS) rows[name] = this.rows(body.snapshots[key]);
    const committedPopulation = this.json(body.population_object);
    if (plan.task_id !== body.task || plan.unit !== body.unit || plan.name !== body.name) {
      this.add(entry.seq, "plan-mismatch", "承诺中的任务编号、名称或执法单位与方案对象不符");
    }
    const asOf = civilDate(entry.time);
    if (body.as_of !== asOf) this.add(entry.seq, "as-of", `as_of ${body.as_of} 与承诺时间的日期 ${asOf} 不符`);
    this.datedLater(entry, body.as_of, rows);
    const genesis = this.hist.genesis;
    const cap = genesis.policy?.yearly_cap ?? 2;
    const population = derivePopulation(plan, rows.enterprises, asOf, this.hist.drawn, cap);
    if (canonicalize(population) !== canonicalize(committedPopulation)) {
      this.add(
        entry.seq,
        "population",
        `可抽取名单与由快照、方案和此前抽取记录复算的结果不符（复算 ${population.members.length} 家，承诺 ${committedPopulation.members.length} 家）`,
      );
    }
    if (body.eligible !== population.members.length) this.add(entry.seq, "population-count", "承诺中的可抽取家数与复算不符");
    this.checkRound(entry, body.beacon);
    const sealedTerms = commitFinding(entry.seq, body, plan, genesis);
    if (sealedTerms) this.findings.push(sealedTerms);
    const content = planContent(plan);
    for (const [task, state] of [...this.hist.tasks].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (task !== body.task && state.commit && this.contents.get(task) === content) {
        this.add(entry.seq, "same-plan", `任务 ${body.task} 的方案与任务 ${task} 的有效承诺（条目 #${state.commit.seq}）内容相同：同一方案只能有一个有效承诺`, "compliance");
        break;
      }
    }
    this.contents.set(body.task, content);
    this.violations(entry, this.hist.checkCommitExtras(body, unix(entry.time), plan.seed_extra ?? []));
    this.hist.apply(entry);
    this.committed.set(body.task, { plan, rows, population: committedPopulation, derived: population, seq: entry.seq });
    this.evidence.set(entry.seq, { eligible: population.members.length, excluded: population.excluded.length, as_of: asOf, population_object: body.population_object });
  }

  datedLater(entry, asOf, rows) {
    for (const [name, recs] of Object.entries(rows)) {
      const cols = RECORDED_ON[name];
      if (!cols) continue;
      const late = [];
      for (const row of recs) {
        for (const c of cols) {
          const v = row[c];
          if (typeof v === "string" && v > asOf) late.push({ key: RECORD_KEYS[name].map((k) => String(row[k] ?? "")).join("/"), header: RECORD_HEADERS[c], date: v });
        }
      }
      if (late.length) {
        const shown = late.slice(0, 3).map((l) => `${l.key} 的${l.header} ${l.date}`).join("、");
        const more = late.length > 3 ? `等 ${late.length} 行` : "";
        this.add(entry.seq, "records-dated-later", `承诺日期为 ${asOf}，但其 ${name} 快照中有晚于该日的记录（${shown}${more}）：承诺是事后补写、倒签日期的`);
      }
    }
  }

  checkRound(entry, info) {
    const genesis = this.hist.genesis;
    const delay = genesis.draw_delay_seconds;
    if (info.round === undefined) {
      const expected = formatTime(unix(entry.time) + delay);
      if (this.chains.size || info.draw_after !== expected || info.source === undefined) {
        this.add(entry.seq, "round", "账本登记了随机信标，或仅用附加输入时的最早抽取时间不符");
      }
      return;
    }
    const chain = this.chains.get(info.chain_hash);
    if (!chain) {
      this.add(entry.seq, "beacon-chain", `创世条目未登记信标链 ${info.chain_hash}`);
      return;
    }
    const first = (genesis.beacons ?? [])[0];
    if (first && info.chain_hash !== first.chain_hash) {
      this.add(entry.seq, "beacon-not-first", `承诺使用了信标链 ${info.chain}，而非创世条目登记的第一条链 ${first.name}：可在多条链间挑选结果`);
    }
    const expected = firstRoundAfter(chain, unix(entry.time) + delay);
    if (info.round !== expected) {
      this.add(entry.seq, "round", `信标轮次应为 ${expected}（严格晚于承诺时间 + ${delay} 秒的第一轮），记录为 ${info.round}`);
    }
    const when = formatTime(roundTime(chain, info.round));
    if (info.round_time !== when || info.chain !== chain.name) this.add(entry.seq, "round-time", `轮次时间应为 ${when}`);
  }

  commitVoid(entry) {
    if (!this.violations(entry, this.hist.check(entry))) return;
    this.hist.apply(entry);
    this.committed.delete(entry.body.task);
  }

  beacon(entry) {
    const b = entry.body;
    const chain = this.chains.get(b.chain_hash);
    if (!chain) {
      this.add(entry.seq, "beacon-chain", "信标链未在创世条目登记");
      return;
    }
    // The BLS signature itself is checked by the structural layer (src/bls.js).
    let randomness = null;
    try {
      randomness = hex(sha256(fromHex(b.signature)));
    } catch {
      randomness = null;
    }
    if (randomness !== b.randomness) this.add(entry.seq, "beacon-randomness", "信标随机值不等于 sha256(签名)");
    if (unix(entry.time) < roundTime(chain, b.round)) this.add(entry.seq, "beacon-early", "信标记录时间早于该轮次产生的时间");
    this.hist.apply(entry);
    this.evidence.set(entry.seq, { chain: chain.name, round: b.round, randomness: b.randomness });
  }

  draw(entry) {
    const body = entry.body;
    if (!this.violations(entry, this.hist.check(entry))) return;
    const commit = this.hist.liveCommit(body.task);
    const committed = this.committed.get(body.task);
    if (!committed) throw new Unavailable("commitment objects");
    const beacon = commit.body.beacon.round !== undefined ? this.hist.beaconsBySeq.get(body.beacon_seq).body : null;
    const extra = body.extra ?? [];
    this.violations(entry, this.hist.checkDrawExtra(body.task, extra, committed.plan.seed_extra ?? []));
    const publicSeed = deriveSeed({
      task_id: body.task,
      commitment: commit.hash,
      chain_hash: beacon?.chain_hash,
      round: beacon?.round,
      randomness: beacon?.randomness,
      extra,
    });
    // a reveal is the sealed task's draw: its seed also takes the secret (spec 18 §18.4)
    const seed = entry.kind === "reveal" ? sealedSeedOf(publicSeed, body.secret) : publicSeed;
    if (seed !== body.seed) this.add(entry.seq, "seed", `种子应为 ${seed}`);
    const result = deriveResult(committed, seed);
    let recorded = null;
    let recordedText = null;
    try {
      recordedText = new TextDecoder().decode(this.bytes(body.result_object));
      recorded = parseCanonical(recordedText);
    } catch (e) {
      if (e instanceof Unavailable) throw e;
    }
    if (canonicalize(result) !== recordedText) this.add(entry.seq, "draw-result", diffResult(result, recorded));
    const ids = result.targets.selected.map((p) => p.id);
    if (body.targets.length !== ids.length || body.targets.some((t, i) => t !== ids[i])) this.add(entry.seq, "draw-targets", "条目中的抽中企业与复算结果不符");
    const err = result.teams_error ? result.teams_error.message : null;
    if ((body.teams_error ?? null) !== err || body.unit !== commit.body.unit) this.add(entry.seq, "draw-fields", "条目中的检查组错误说明或执法单位与复算不符");
    this.hist.apply(entry);
    this.results.set(body.task, result);
    if (entry.kind === "reveal") {
      // the disclosed sealed voids, each timed by its sealed entry (spec 18 §18.12.5)
      for (const v of this.hist.tasks.get(body.task).personVoids) this.voidFindings(entry.seq, v.time, v.body);
    }
    this.draws.push({ task: body.task, seq: entry.seq, commitSeq: commit.seq, seed, committed, result, time: entry.time });
    if (body.teams_error != null) {
      this.add(entry.seq, "teams-error", `任务 ${body.task} 的检查组未能组成：${body.teams_error}（应以新任务在新的将来轮次重新抽取，见规范 §13.9）`, "compliance");
    }
    this.evidence.set(entry.seq, { seed, targets: ids, result_object: body.result_object });
  }

  personVoid(entry) {
    const body = entry.body;
    if (!this.violations(entry, this.hist.check(entry))) return;
    this.voidFindings(entry.seq, entry.time, body);
    this.hist.apply(entry);
  }

  /** A salted void only (spec 18 §18.12): checked, and replayed as a person void, at the reveal. */
  sealedVoid(entry) {
    if (this.violations(entry, this.hist.check(entry))) this.hist.apply(entry);
  }

  /** A void (public, or disclosed at a reveal and timed by its sealed entry) names the round
   * after its own time, before the window, a member in the role named; findings at `seq`. */
  voidFindings(seq, time, body) {
    const entry = { seq, time };
    const first = (this.hist.genesis.beacons ?? [])[0];
    if (!first) this.add(entry.seq, "void-no-beacon", "本账本没有登记随机信标，不能撤换人员");
    else {
      const round = firstRoundAfter(first, unix(entry.time) + VOID_DELAY);
      const expected = { chain: first.name, chain_hash: first.chain_hash, round, round_time: formatTime(roundTime(first, round)) };
      if (canonicalize(expected) !== canonicalize(body.beacon)) {
        this.add(entry.seq, "void-round", `撤换应指定第 ${round} 轮（撤换时间 + ${VOID_DELAY} 秒之后的第一轮），记录为第 ${body.beacon.round} 轮`);
      }
    }
    const committed = this.committed.get(body.task);
    if (committed && civilDate(entry.time) >= committed.plan.window.start) {
      this.add(entry.seq, "void-in-window", `任务 ${body.task} 在检查时间窗口开始（${committed.plan.window.start}）之后撤换人员`, "compliance");
    }
    try {
      const current = this.teamsNow(body.task, []);
      const team = current.teams.find((t) => t.team === body.team);
      if (!team) throw new SuijiError("void-refused", `本次抽取中没有检查组 ${body.team}（检查组以企业统一社会信用代码或 task 标识）`);
      const role = roleOf(team, body.person);
      if (role !== body.role) this.add(entry.seq, "void-invalid", `人员 ${body.person} 不是检查组 ${body.team} 的 ${body.role}（现为 ${role ?? "None"}）`);
    } catch (e) {
      if (e instanceof Unavailable || !(e instanceof SuijiError)) throw e;
      this.add(entry.seq, "void-invalid", `人员撤换不能复算：${e.message}`);
    }
  }

  personReplace(entry) {
    const body = entry.body;
    if (!this.violations(entry, this.hist.check(entry))) return;
    const state = this.hist.tasks.get(body.task);
    const v = this.hist.pending(state)[0];
    const randomness = this.hist.beaconsBySeq.get(body.beacon_seq).body.randomness;
    const ticketSeed = replacementSeedOf(state.draw.body.seed, v.hash, randomness);
    if (body.seed !== ticketSeed) this.add(entry.seq, "replace-seed", `替换票号种子应为 ${ticketSeed}`);
    this.hist.apply(entry);
    const applied = { team: v.body.team, person: v.body.person, reason: v.body.reason, ticketSeed };
    let after;
    try {
      after = this.teamsNow(body.task, [applied]);
    } catch (e) {
      if (e instanceof Unavailable || !(e instanceof SuijiError)) throw e;
      this.add(entry.seq, "void-invalid", `人员替换不能复算：${e.message}`);
      return;
    }
    if (!this.applied.has(body.task)) this.applied.set(body.task, []);
    this.applied.get(body.task).push(applied);
    const last = after.voids[after.voids.length - 1];
    if (last.team !== v.body.team || last.person !== v.body.person || last.role !== v.body.role || last.replacement !== body.replacement) {
      this.add(entry.seq, "void-replacement", `替换人员应为 ${last.replacement}（${last.role}），记录为 ${body.replacement}`);
    }
    this.evidence.set(entry.seq, { ticket_seed: ticketSeed, replacement: last.replacement, role: last.role });
  }

  teamsNow(task, more) {
    const committed = this.committed.get(task);
    const result = this.results.get(task);
    if (!committed || !result) throw new Unavailable("draw");
    const seed = this.hist.tasks.get(task).draw.body.seed; // the recorded seed, as suiji does
    return deriveVoids(committed, result, [...(this.applied.get(task) ?? []), ...more], seed);
  }

  extraInput(entry) {
    const body = entry.body;
    const committed = this.committed.get(body.task);
    const declared = committed ? committed.plan.seed_extra ?? [] : null;
    const list = this.hist.checkExtraInput(body, unix(entry.time), declared);
    if (this.violations(entry, list)) this.hist.apply(entry);
  }

  result(entry) {
    const body = entry.body;
    if (!this.violations(entry, this.hist.check(entry), RESULT_MESSAGES)) return;
    this.hist.apply(entry);
    const rec = { task: body.task, uscc: body.uscc, seq: entry.seq, corrects_seq: body.corrects_seq, object: body.result_object, withdrawn: null, content: null };
    this.resultEntries.push(rec);
    let content;
    try {
      content = this.json(body.result_object);
    } catch (e) {
      // A withdrawn result's object may be deleted (信用修复): settled at the end.
      if (e instanceof Unavailable) this.pendingResultObjects.set(entry.seq, rec);
      throw e;
    }
    rec.content = content;
    if (content && (content.task !== body.task || content.uscc !== body.uscc)) {
      this.add(entry.seq, "result-object-mismatch", `结果对象写的是任务 ${content.task}「${content.uscc}」，条目写的是任务 ${body.task}「${body.uscc}」`);
      return;
    }
    const state = this.hist.tasks.get(body.task);
    const commit = state.commit;
    if (!commit) return;
    const task = drawnTask(state, this.json(commit.body.plan_object), this.json(state.draw.body.result_object));
    for (const p of checkAgainstDraw(content, task)) this.add(entry.seq, p.code, p.message, "compliance");
  }

  withdrawal(entry) {
    const list = this.hist.check(entry);
    this.hist.apply(entry);
    const named = new Set(entry.body.withdrawn);
    for (const r of this.resultEntries) if (named.has(r.object) && r.withdrawn === null) r.withdrawn = entry.seq;
    this.violations(entry, list, RESULT_MESSAGES);
  }

  /** What the deadline check reads (suiji.verify.deadlinecheck): drawn tasks with a live commitment, every entry. */
  deadlineInput() {
    const drawn = [];
    for (const [task, state] of [...this.hist.tasks].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!state.commit || !state.draw) continue;
      const snaps = state.commit.body.snapshots;
      for (const k of ["enterprises_object", "inspectors_object"]) this.rows(snaps[k]); // read as Python's drawn_tasks does
      const plan = this.json(state.commit.body.plan_object);
      drawn.push({ task, unit: state.commit.body.unit, group: null, window_end: plan.window.end, targets: state.draw.body.targets, seq: state.draw.seq });
    }
    return { drawn, entries: this.entries, getObject: (oid) => this.getObjectRaw(oid), policy: this.hist.genesis?.policy };
  }

  finish() {
    for (const [seq, rec] of this.pendingResultObjects) if (rec.withdrawn !== null) this.unavailable.delete(seq);
    const grace = (this.hist.genesis?.policy?.withheld_hours ?? 24) * 3600;
    const now = unix(this.asOf);
    for (const [task, state] of [...this.hist.tasks].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!state.commit || state.draw) continue;
      // a sealed task: withheld past its reveal deadline, or when its round's beacon is missing
      const unrevealed = unrevealedMessage(state, now);
      const late = now - availableAt(state.commit.body.beacon) > grace && !(isSealed(state) && roundRecorded(this.hist, state.commit.body));
      if (unrevealed || late) {
        const at = formatTime(availableAt(state.commit.body.beacon));
        this.add(state.commit.seq, "withheld", unrevealed ?? `任务 ${task} 的承诺（条目 #${state.commit.seq}）的随机数已于 ${at} 产生，超过 ${grace / 3600} 小时仍未抽取：不得只抽取满意的承诺`, "compliance");
        state.withheld = true;
      }
    }
  }

  report() {
    const findings = this.findings.slice().sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
    return {
      findings,
      tasks: buildTasks(this, findings),
      // private members for enterpriseView / findEnterprises
      _draws: this.draws,
      _committed: this.committed,
      _results: this.resultEntries,
      _hist: this.hist,
      _unavailable: this.unavailable,
      deadlines_checked: !this.deadlinesUnchecked,
    };
  }
}

function roleOf(team, person) {
  if (team.leader === person) return "leader";
  if (team.officers.some((o) => o.person === person)) return "officer";
  if (team.accompany.includes(person)) return "accompany";
  if (team.experts.includes(person)) return "expert";
  return null;
}

const HANDLERS = {
  genesis: Replay.prototype.genesis,
  commit: Replay.prototype.commit,
  "commit-void": Replay.prototype.commitVoid,
  beacon: Replay.prototype.beacon,
  draw: Replay.prototype.draw,
  "person-void": Replay.prototype.personVoid,
  "sealed-void": Replay.prototype.sealedVoid,
  "person-replace": Replay.prototype.personReplace,
  "extra-input": Replay.prototype.extraInput,
  result: Replay.prototype.result,
  reveal: Replay.prototype.draw,
  withdrawal: Replay.prototype.withdrawal,
};
