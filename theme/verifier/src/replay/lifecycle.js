// The one task lifecycle (docs/spec/13-task-entries.md), a second implementation of what
// `suiji.ledger.history` checks: commit → (commit-void → commit)* → draw → (person-void …
// person-replace)* → results. `check*` return violations, `apply` records an entry.
import { byChance } from "./coverage.js";
import { extraProblem, lotteryDrawnAt } from "./draw.js";
import { disclosureProblems, isSealed, revealDisclosures, sealedViolations } from "./sealed.js";

export const COMPLIANCE_RULES = new Set(["void-slot-again", "reveal-late"]);

/** Seconds since the epoch of a ledger time `YYYY-MM-DDTHH:MM:SSZ`. */
export function unix(time) {
  return Date.parse(time) / 1000;
}

/** The civil date (Asia/Shanghai, UTC+8 without daylight saving) of a ledger time. */
export function civilDate(time) {
  return new Date(Date.parse(time) + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function formatTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/** When a commitment's (or void's) randomness exists: round time, or `draw_after`. */
export function availableAt(terms) {
  return unix(terms.round_time ?? terms.draw_after);
}

const violation = (code, task, more = {}) => ({ code, task, fatal: false, seq: null, round: null, detail: "", ...more });

export class History {
  constructor() {
    this.genesis = null;
    this.tasks = new Map();
    this.beaconsBySeq = new Map();
    this.drawn = [];
    this.results = new Map(); // "task\0uscc" → {versions: [entry], withdrawn: seq|null}
    this.resultObjects = new Map(); // oid → key
  }

  state(task) {
    if (!this.tasks.has(task)) {
      this.tasks.set(task, {
        task,
        commit: null,
        voided: [],
        draw: null,
        personVoids: [],
        replacements: [],
        slotOf: new Map(),
        slotVoids: new Map(),
        extras: new Map(),
        sealedVoids: [], // until the reveal (spec 18 §18.12)
      });
    }
    return this.tasks.get(task);
  }

  liveCommit(task) {
    return this.tasks.get(task)?.commit ?? null;
  }

  check(entry) {
    const b = entry.body;
    switch (entry.kind) {
      case "commit":
        return this.checkCommit(b.task);
      case "commit-void":
        return this.checkCommitVoid(b, unix(entry.time));
      case "draw":
      case "reveal": // a sealed task's draw (spec 18)
        return this.checkDraw(b, unix(entry.time), entry.kind);
      case "person-void":
        return this.checkPersonVoid(b);
      case "sealed-void":
        return this.checkSealedVoid(b);
      case "person-replace":
        return this.checkPersonReplace(b, unix(entry.time));
      case "result":
        return this.checkResult(b);
      case "withdrawal":
        return this.checkWithdrawal(b);
      default:
        return [];
    }
  }

  checkCommit(task) {
    const s = this.tasks.get(task);
    const out = [];
    if (s?.draw) out.push(violation("commit-after-draw", task, { seq: s.draw.seq }));
    if (s?.commit) out.push(violation("commit-twice", task, { seq: s.commit.seq }));
    return out;
  }

  checkCommitVoid(v, at) {
    const live = this.liveCommit(v.task);
    if (!live || live.seq !== v.commit_seq || live.hash !== v.commitment) return [violation("void-unknown", v.task, { fatal: true })];
    if (at >= availableAt(live.body.beacon)) return [violation("void-late", v.task, { seq: live.seq })];
    return [];
  }

  checkDraw(d, at, kind = "draw") {
    const s = this.tasks.get(d.task);
    if (!s || !s.commit) return [violation("draw-uncommitted", d.task, { fatal: true })];
    if (s.draw) return [violation("draw-twice", d.task, { fatal: true, seq: s.draw.seq })];
    const commit = s.commit;
    const out = [];
    if (d.commit_seq !== commit.seq || d.commitment !== commit.hash) out.push(violation("draw-commitment", d.task, { seq: commit.seq }));
    if (at < availableAt(commit.body.beacon)) out.push(violation("draw-early", d.task, { seq: commit.seq }));
    out.push(...sealedViolations(commit, at, kind, d));
    if (out.some((v) => v.fatal)) return out;
    if (kind === "reveal") {
      const [found] = disclosureProblems(d.task, salted(s), revealDisclosures(d));
      for (const p of found) out.push(violation(p.code, d.task, { detail: p.detail }));
    }
    const terms = commit.body.beacon;
    if (terms.round !== undefined) {
      const b = d.beacon_seq != null ? this.beaconsBySeq.get(d.beacon_seq) : undefined;
      if (!b || b.body.round !== terms.round || b.body.chain_hash !== terms.chain_hash) {
        out.push(violation("draw-beacon", d.task, { fatal: true, round: terms.round }));
      }
    } else if (d.beacon_seq != null) out.push(violation("draw-beacon", d.task));
    return out;
  }

  slot(s, team, person) {
    return s.slotOf.get(`${team}\0${person}`) ?? `${team}\0${person}`;
  }

  checkPersonVoid(v) {
    const s = this.tasks.get(v.task);
    if (!s || !s.draw || !s.commit) return [violation("void-undrawn", v.task, { fatal: true })];
    if (v.draw_seq !== s.draw.seq) return [violation("void-draw", v.task, { seq: s.draw.seq })];
    if (s.slotVoids.get(this.slot(s, v.team, v.person))) return [violation("void-slot-again", v.task)];
    return [];
  }

  /** A salted void only for a sealed task before its reveal, naming its live commitment (§18.12.4). */
  checkSealedVoid(v) {
    const live = this.liveCommit(v.task);
    const named = !!live && live.seq === v.commit_seq && live.hash === v.commitment;
    if (!named || !isSealed(this.tasks.get(v.task))) return [violation("sealed-void-task", v.task, { fatal: true })];
    return [];
  }

  pending(s) {
    return s ? s.personVoids.slice(s.replacements.length) : [];
  }

  checkPersonReplace(r, at) {
    const pending = this.pending(this.tasks.get(r.task));
    if (!pending.length || pending[0].seq !== r.void_seq || pending[0].hash !== r.void) {
      return [violation("replace-unknown", r.task, { fatal: true, seq: pending.length ? pending[0].seq : null })];
    }
    const terms = pending[0].body.beacon;
    const b = this.beaconsBySeq.get(r.beacon_seq);
    if (!b || b.body.round !== terms.round || b.body.chain_hash !== terms.chain_hash) {
      return [violation("replace-beacon", r.task, { fatal: true, round: terms.round })];
    }
    if (at < availableAt(terms)) return [violation("replace-early", r.task, { seq: pending[0].seq })];
    return [];
  }

  checkResult(r) {
    const s = this.tasks.get(r.task);
    if (isSealed(s)) return [violation("result-sealed", r.task, { fatal: true, detail: r.uscc })];
    if (!s || !s.draw) return [violation("result-task-unknown", r.task, { fatal: true, detail: r.uscc })];
    if (!s.draw.body.targets.includes(r.uscc)) return [violation("result-not-drawn", r.task, { fatal: true, seq: s.draw.seq, detail: r.uscc })];
    const rec = this.results.get(`${r.task}\0${r.uscc}`);
    if (rec && rec.withdrawn !== null) return [violation("result-withdrawn", r.task, { fatal: true, seq: rec.withdrawn, detail: r.uscc })];
    const current = rec ? rec.versions[rec.versions.length - 1].seq : null;
    if ((r.corrects_seq ?? null) !== current) return [violation("result-corrects", r.task, { fatal: true, seq: current, detail: r.uscc })];
    return [];
  }

  checkWithdrawal(w) {
    const named = new Set(w.withdrawn);
    const keys = [...new Set(w.withdrawn.filter((o) => this.resultObjects.has(o)).map((o) => this.resultObjects.get(o)))].sort();
    const out = [];
    for (const key of keys) {
      const st = this.results.get(key);
      if (st.versions.some((v) => !named.has(v.body.result_object))) out.push(violation("result-withdrawal-partial", key.split("\0")[0], { detail: key.split("\0")[1] }));
    }
    return out;
  }

  checkExtraInput(value, at, declared) {
    const task = value.task;
    const live = this.liveCommit(task);
    if (!live) return [violation("extra-uncommitted", task, { fatal: true, detail: value.name })];
    if (live.seq !== value.commit_seq || live.hash !== value.commitment) return [violation("extra-commitment", task, { fatal: true, seq: live.seq })];
    const out = [];
    const earlier = this.tasks.get(task).extras.get(value.name);
    if (earlier) out.push(violation("extra-twice", task, { fatal: true, seq: earlier.seq, detail: value.name }));
    if (at >= availableAt(live.body.beacon)) out.push(violation("extra-late", task, { seq: live.seq, detail: value.name }));
    if (!declared) return out;
    const spec = declared.find((d) => d.name === value.name);
    if (!spec) {
      out.push(violation("extra-unknown", task, { fatal: true, detail: value.name }));
      return out;
    }
    const problem = extraProblem(spec, value.value);
    if (problem) out.push(violation("extra-format", task, { detail: problem }));
    const drawnAt = lotteryDrawnAt(spec);
    if (drawnAt !== null && at * 1000 < drawnAt) out.push(violation("extra-early", task, { detail: value.name }));
    return out;
  }

  checkCommitExtras(commit, at, declared) {
    const out = [];
    const available = availableAt(commit.beacon);
    for (const spec of declared) {
      const drawn = lotteryDrawnAt(spec);
      if (drawn === null) continue;
      if (!(at * 1000 < drawn && drawn < available * 1000)) {
        const iso = new Date(drawn + 8 * 3600 * 1000).toISOString().slice(0, 19) + "+08:00";
        const avail = new Date(available * 1000).toISOString().slice(0, 19) + "+00:00";
        out.push(
          violation("lottery-date", commit.task, {
            detail: `彩票输入“${spec.name}”（${spec.game} 第 ${spec.draw} 期）的官方开奖时间 ${iso} 必须晚于承诺时间、早于信标轮次时间 ${avail}`,
          }),
        );
      }
    }
    return out;
  }

  recordedExtra(task, declared) {
    const extras = this.tasks.get(task)?.extras ?? new Map();
    const pairs = declared.filter((d) => extras.has(d.name)).map((d) => ({ name: d.name, value: extras.get(d.name).body.value }));
    return [pairs, declared.filter((d) => !extras.has(d.name)).map((d) => d.name)];
  }

  checkDrawExtra(task, extra, declared) {
    const [pairs, missing] = this.recordedExtra(task, declared);
    if (missing.length) return [violation("draw-extra-missing", task, { detail: missing.join("、") })];
    const same = extra.length === pairs.length && extra.every((e, i) => e.name === pairs[i].name && e.value === pairs[i].value);
    if (!same) return [violation("draw-extra", task, { detail: pairs.map((p) => `${p.name}=${p.value}`).join("，") || "无" })];
    return [];
  }

  apply(entry) {
    const b = entry.body;
    const rec = { seq: entry.seq, hash: entry.hash, time: entry.time, body: b };
    switch (entry.kind) {
      case "genesis":
        this.genesis = b;
        break;
      case "commit": {
        const s = this.state(b.task);
        s.commit = rec;
        s.extras = new Map();
        s.sealedVoids = [];
        break;
      }
      case "commit-void": {
        const s = this.state(b.task);
        s.voided.push(rec);
        s.commit = null;
        s.extras = new Map();
        break;
      }
      case "beacon":
        this.beaconsBySeq.set(entry.seq, rec);
        break;
      case "draw":
      case "reveal": {
        const s = this.state(b.task);
        s.draw = rec;
        this.drawn.push({
          task: b.task,
          unit: s.commit ? s.commit.body.unit : b.unit,
          drawn_on: civilDate(entry.time),
          targets: b.targets,
          random: drawnByChance(s, b),
        });
        if (entry.kind === "reveal") openDisclosed(this, s, b, entry.seq);
        break;
      }
      case "person-void":
        addVoid(this, this.state(b.task), rec);
        break;
      case "sealed-void":
        this.state(b.task).sealedVoids.push(rec);
        break;
      case "person-replace": {
        const s = this.state(b.task);
        const v = this.pending(s)[0].body;
        s.replacements.push(rec);
        s.slotOf.set(`${v.team}\0${b.replacement}`, this.slot(s, v.team, v.person));
        break;
      }
      case "extra-input": {
        const s = this.state(b.task);
        if (!s.extras.has(b.name)) s.extras.set(b.name, rec);
        break;
      }
      case "result": {
        const key = `${b.task}\0${b.uscc}`;
        if (!this.results.has(key)) this.results.set(key, { versions: [], withdrawn: null });
        this.results.get(key).versions.push(rec);
        this.resultObjects.set(b.result_object, key);
        break;
      }
      case "withdrawal":
        for (const oid of b.withdrawn) {
          const key = this.resultObjects.get(oid);
          if (key !== undefined && this.results.get(key).withdrawn === null) this.results.get(key).withdrawn = entry.seq;
        }
        break;
      default:
    }
  }
}

const salted = (s) => s.sealedVoids.map((r) => ({ seq: r.seq, salted: r.body.salted }));

function addVoid(hist, s, rec) {
  s.personVoids.push(rec);
  const slot = hist.slot(s, rec.body.team, rec.body.person);
  s.slotVoids.set(slot, (s.slotVoids.get(slot) ?? 0) + 1);
}

/** history.py `open_disclosed`: each disclosure of the reveal (at `seq`) that opens its sealed
 * void becomes a person void recorded where its hash was (spec 18 §18.12.5). */
function openDisclosed(hist, s, reveal, seq) {
  const [, opened] = disclosureProblems(reveal.task, salted(s), revealDisclosures(reveal));
  const where = new Map(s.sealedVoids.map((r) => [r.seq, r]));
  for (const d of opened) {
    const r = where.get(d.seq);
    const body = { task: reveal.task, draw_seq: seq, team: d.team, person: d.person, role: d.role, reason: d.reason, beacon: d.beacon };
    addVoid(hist, s, { seq: r.seq, hash: r.hash, time: r.time, body });
  }
}

/** False when the draw took every eligible enterprise (§12.1). */
export function drawnByChance(state, draw) {
  const eligible = state.commit ? state.commit.body.eligible : null;
  return eligible === null || byChance({ eligible, targets: draw.targets.length });
}
