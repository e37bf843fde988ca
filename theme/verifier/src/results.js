// Inspection results in the ledger (docs/spec/16-results.md): the salted result object
// (suiji/result/v1), the demo ledger's derived salts, the per-(task, uscc) lifecycle of
// result and withdrawal entries (§16.3–16.4), the `results` list of `verify --json`
// (§16.5) and the check of a result against its drawn task (spec 02 §2.10.5).
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { SuijiError, canonicalize, parseCanonical, taggedHash, utf8, hex, idKey } from "./encoding.js";
import { compareText, isRealDate, INSPECTED_CATEGORIES } from "./records.js";

export const RESULT_SCHEMA = "suiji/result/v1";
export const SALT_TAG = "suiji/result-salt/v1";
export const DEMO_KEY_TAG = "suiji/demo-key/v1";

const MEMBERS = [
  "schema", "salt", "task", "uscc", "started_on", "ended_on", "team", "findings", "categories",
  "observations", "assessment", "opinions", "penalty", "reported_on", "feedback_on", "rectify_by",
  "rectified_on", "correction",
];

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function exactly(value, names, path) {
  if (!isObj(value)) throw new SuijiError("not-object", `${path} 必须是 JSON 对象`);
  const missing = names.filter((n) => !(n in value)).sort();
  if (missing.length) throw new SuijiError("missing-member", `${path}：缺少字段 ${missing[0]}`);
  const extra = Object.keys(value).filter((k) => !names.includes(k)).sort();
  if (extra.length) throw new SuijiError("unknown-member", `${path}：不允许的字段 ${extra[0]}`);
}
function text(v, name) {
  if (typeof v !== "string") throw new SuijiError("wrong-type", `${name} 必须是字符串`);
  return v;
}
function texts(v, name) {
  if (!Array.isArray(v)) throw new SuijiError("wrong-type", `${name} 必须是数组`);
  v.forEach((x, i) => text(x, `${name}[${i}]`));
  return v;
}
function day(v, name, optional = false) {
  if (v === null && optional) return null;
  if (typeof v !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v)) throw new SuijiError("bad-date", `${name} 必须是 YYYY-MM-DD 形式的日期`);
  if (!isRealDate(v)) throw new SuijiError("bad-date", `${name} 不是有效日期：${v}`);
  return v;
}

/**
 * Check a parsed value is a valid suiji/result/v1 object (§16.1) and return it.
 * @throws SuijiError missing-member | unknown-member | bad-schema | bad-salt | bad-order | bad-date | wrong-type | not-object
 */
export function checkResultObject(value) {
  exactly(value, MEMBERS, "result");
  if (text(value.schema, "schema") !== RESULT_SCHEMA) throw new SuijiError("bad-schema", `schema 必须是 ${RESULT_SCHEMA}`);
  if (!/^[0-9a-f]{32}$/.test(text(value.salt, "salt"))) throw new SuijiError("bad-salt", "salt 必须是 32 位小写十六进制（128 位）");
  if (!Array.isArray(value.findings)) throw new SuijiError("wrong-type", "findings 必须是数组");
  const items = value.findings.map((f, i) => {
    exactly(f, ["item", "finding"], `result.findings[${i}]`);
    return [text(f.item, "item"), text(f.finding, "finding")];
  });
  for (let i = 1; i < items.length; i++) {
    const c = compareText(items[i - 1][0], items[i][0]) || compareText(items[i - 1][1], items[i][1]);
    if (c > 0 || items[i - 1][0] === items[i][0]) throw new SuijiError("bad-order", "findings 必须按 item 排序且每个事项只出现一次");
  }
  day(value.started_on, "started_on");
  day(value.ended_on, "ended_on");
  text(value.task, "task");
  text(value.uscc, "uscc");
  texts(value.team, "team");
  texts(value.categories, "categories");
  for (const n of ["observations", "assessment", "opinions", "correction"]) text(value[n], n);
  if (value.penalty !== null) {
    exactly(value.penalty, ["decision_no", "decided_on", "content"], "result.penalty");
    day(value.penalty.decided_on, "penalty.decided_on");
    text(value.penalty.decision_no, "penalty.decision_no");
    text(value.penalty.content, "penalty.content");
  }
  for (const n of ["reported_on", "feedback_on", "rectify_by", "rectified_on"]) day(value[n], n, true);
  return value;
}

/**
 * Read a result object from its stored bytes and check §16.1.
 * Like `suiji verify` (which reads result objects with a plain JSON parser: the object's
 * hash, checked by the ledger, already pins its bytes), the default accepts any JSON
 * spelling; `{canonical: true}` also requires canonical JSON (spec 01).
 * @param {Uint8Array|string} data
 * @returns {object} the result (members as in §16.1)
 * @throws SuijiError result-object-invalid (the cause's code in `.cause`)
 */
export function readResultObject(data, opts = {}) {
  try {
    const t = typeof data === "string" ? data : new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data);
    let value;
    if (opts.canonical) value = parseCanonical(t);
    else {
      try {
        value = JSON.parse(t);
      } catch {
        throw new SuijiError("invalid-json", "不是合法的 JSON");
      }
    }
    return checkResultObject(value);
  } catch (e) {
    const err = new SuijiError("result-object-invalid", `结果对象不是有效的 suiji/result/v1：${e.message}`);
    err.cause = e.code || "invalid-utf8";
    throw err;
  }
}

/**
 * What `suiji verify` adds for a `result` entry that took effect, given its object's bytes
 * (present and hash-checked by the ledger checks): a valid object for the entry's own task and
 * enterprise. @returns {{content: object|null, findings: [{tag, code, message}]}}
 */
export function checkResultEntry(body, data) {
  let content;
  try {
    content = readResultObject(data);
  } catch (e) {
    return { content: null, findings: [{ tag: "integrity", code: e.code, message: `结果对象 ledger/objects/${body.result_object} ${e.message}` }] };
  }
  if (content.task !== body.task || content.uscc !== body.uscc) {
    return {
      content,
      findings: [{ tag: "integrity", code: "result-object-mismatch", message: `结果对象写的是任务 ${content.task}「${content.uscc}」，条目写的是任务 ${body.task}「${body.uscc}」` }],
    };
  }
  return { content, findings: [] };
}

/** Two result objects have the same content when equal apart from `salt` (§16.1). */
export function sameContent(a, b) {
  return canonicalize({ ...a, salt: "" }) === canonicalize({ ...b, salt: "" });
}

/** The demo signing key's Ed25519 seed: H("suiji/demo-key/v1", "signing") (spec 05). */
export function demoSeed(role = "signing") {
  return taggedHash(DEMO_KEY_TAG, utf8(role));
}

/** A demo ledger's salt of version `version` of (task, uscc) (§16.1), 32 hex digits. */
export function demoSalt(task, uscc, version) {
  const msg = utf8(`${SALT_TAG}\n${canonicalize([task, uscc, version])}`);
  return hex(hmac(sha256, demoSeed("signing"), msg).slice(0, 16));
}

// ---------------------------------------------------------------- lifecycle (§16.3–16.4)

/**
 * The results' lifecycle over ledger order — the same rules the writer and `suiji verify`
 * apply (one violation per entry, first rule broken; a fatal one leaves the entry out).
 *
 * Usage: `const lc = new ResultLifecycle(drawn)` where `drawn(task)` returns the drawn
 * task's targets (array of credit codes) or null (no live draw); for each entry in ledger
 * order call `lc.result(seq, body, time)` / `lc.withdrawal(seq, body)`, each returning the
 * violation code or null. `lc.versions()` is the `results` list of `verify --json`.
 */
export class ResultLifecycle {
  constructor(drawn) {
    this.drawn = typeof drawn === "function" ? drawn : (t) => drawn[t] ?? null;
    this.states = new Map(); // "task\nuscc" → {task, uscc, versions: [{seq, body, time}], withdrawn}
    this.objects = new Map(); // object id → key
  }
  static key(task, uscc) {
    return `${task}\n${uscc}`;
  }
  /** The state of (task, uscc): {task, uscc, versions: [{seq, body, time}], withdrawn: seq|null} or undefined. */
  state(task, uscc) {
    return this.states.get(ResultLifecycle.key(task, uscc));
  }
  /** Check and (unless fatal) apply one `result` entry body {task, uscc, result_object, corrects_seq}. */
  result(seq, body, time = null) {
    const targets = this.drawn(body.task);
    if (!targets) return "result-task-unknown";
    if (!targets.includes(body.uscc)) return "result-not-drawn";
    const k = ResultLifecycle.key(body.task, body.uscc);
    const st = this.states.get(k);
    if (st && st.withdrawn !== null) return "result-withdrawn";
    const current = st ? st.versions[st.versions.length - 1].seq : null;
    if ((body.corrects_seq ?? null) !== current) return "result-corrects";
    if (!st) this.states.set(k, { task: body.task, uscc: body.uscc, versions: [], withdrawn: null });
    this.states.get(k).versions.push({ seq, body, time, withdrawn: null });
    this.objects.set(body.result_object, k);
    return null;
  }
  /** Check and apply one `withdrawal` entry body {withdrawn: [object id…], …}; not fatal. */
  withdrawal(seq, body) {
    const named = new Set(body.withdrawn);
    let violation = null;
    const keys = [...new Set([...named].filter((o) => this.objects.has(o)).map((o) => this.objects.get(o)))].sort(compareText);
    for (const k of keys) {
      if (this.states.get(k).versions.some((v) => !named.has(v.body.result_object))) {
        violation = violation || "result-withdrawal-partial";
      }
    }
    for (const o of body.withdrawn) {
      const k = this.objects.get(o);
      if (k !== undefined && this.states.get(k).withdrawn === null) this.states.get(k).withdrawn = seq;
    }
    for (const st of this.states.values()) {
      for (const v of st.versions) if (named.has(v.body.result_object) && v.withdrawn === null) v.withdrawn = seq;
    }
    return violation;
  }
  /** Object ids of versions named by withdrawals (their files may be absent). */
  withdrawnObjects() {
    const out = new Set();
    for (const st of this.states.values()) for (const v of st.versions) if (v.withdrawn !== null) out.add(v.body.result_object);
    return out;
  }
  /**
   * Every version sorted by (task, uscc, seq) as `verify --json` lists them (§16.5; a version is
 * withdrawn when a withdrawal named its object):
   * {task, uscc, seq, version, corrects_seq, object, withdrawn_seq, status: current|corrected|withdrawn}.
   */
  versions() {
    const out = [];
    for (const st of this.states.values()) {
      st.versions.forEach((v, i) => {
        const last = i === st.versions.length - 1;
        out.push({
          task: st.task,
          uscc: st.uscc,
          seq: v.seq,
          version: i + 1,
          corrects_seq: v.body.corrects_seq ?? null,
          object: v.body.result_object,
          withdrawn_seq: v.withdrawn,
          status: v.withdrawn !== null ? "withdrawn" : last ? "current" : "corrected",
        });
      });
    }
    return out.sort((a, b) => compareText(a.task, b.task) || compareText(a.uscc, b.uscc) || a.seq - b.seq);
  }
}

// ---------------------------------------------------------------- against the draw (§2.10.5)

const NOT_INSPECTED_HINT = "已关闭停业或正在组织清算、通过登记的住所（经营场所）无法联系、未发现开展本次抽查涉及的经营活动、注销、被吊销、迁出";

const shown = (ids, limit = 12) => (ids.length <= limit ? ids.join("、") : `${ids.slice(0, limit).join("、")} 等 ${ids.length} 个`);

function teamMembers(team) {
  const out = [];
  if (team.leader !== null) out.push(team.leader);
  for (const o of team.officers) out.push(o.person);
  out.push(...team.accompany, ...team.experts);
  return out;
}

/**
 * The task as drawn (`suiji.ledger.drawn`), in the shape `checkAgainstDraw` takes: each
 * target's items, its team after the recorded voids (a replacement takes the voided
 * person's place; a void still waiting for its round leaves the place empty) and who was
 * voided from it. `state`: the lifecycle's task state ({task, draw, personVoids,
 * replacements}); `plan`: the plan object; `recorded`: the draw's result object.
 */
export function drawnTask(state, plan, recorded) {
  const items = new Map(recorded.items.map((x) => [x.target, x.items]));
  const teams = new Map();
  const voided = new Map();
  if (recorded.teams) {
    for (const t of recorded.teams.teams) teams.set(t.team, [t.targets, teamMembers(t)]);
    state.personVoids.forEach((v, i) => {
      const rep = state.replacements[i];
      const key = v.body.team;
      const gone = v.body.person;
      if (!teams.has(key)) return; // the replay reports a void naming no team
      const m = teams.get(key)[1];
      teams.get(key)[1] = rep ? m.map((p) => (p === gone ? rep.body.replacement : p)) : m.filter((p) => p !== gone);
      if (!voided.has(key)) voided.set(key, []);
      voided.get(key).push(gone);
    });
  }
  const targets = {};
  for (const uscc of state.draw.body.targets) {
    const key = [...teams.keys()].find((k) => teams.get(k)[0].includes(uscc));
    targets[uscc] = { items: items.get(uscc) ?? [], team: key !== undefined ? teams.get(key)[1] : [], voided: key !== undefined ? voided.get(key) ?? [] : [] };
  }
  return {
    task: state.task,
    window_start: plan.window.start,
    window_end: plan.window.end,
    targets,
    alternates: recorded.targets.alternates.map((p) => p.id),
    teams_error: state.draw.body.teams_error ?? null,
  };
}

/**
 * Every way a result departs from its drawn task; [] when it is the drawn inspection. The
 * codes, columns and words of `suiji.draw.resultcheck` (the replay's findings must equal
 * `suiji verify`'s, messages included).
 * @param {object} content a checked result object (§16.1)
 * @param {{task, window_start, window_end, teams_error: string|null, alternates?: string[],
 *   targets: {[uscc]: {team: string[] (as it stands, role order), items: string[], voided?: string[]}}}|null} task
 *   the drawn task the result names (null: no live drawn task of that id)
 * @param {string[]} known the ids of the drawn tasks (named when the task is unknown)
 * @returns {[{code, column, message}]} in the order of the table of §2.10.5
 */
export function checkAgainstDraw(content, task, known = []) {
  if (!task) {
    return [
      {
        code: "result-task-unknown",
        column: "task_id",
        message:
          `账本中没有已抽取的任务 ${content.task}（任务编号写错、承诺已作废或尚未抽取）：只能为已抽取任务的抽中企业登记检查结果。` +
          `已抽取的任务：${shown([...known].sort(compareText)) || "无"}；请核对任务编号，可用 suiji show ${content.task} 查看该任务的状态`,
      },
    ];
  }
  const uscc = idKey(content.uscc);
  const target = Object.prototype.hasOwnProperty.call(task.targets, uscc) ? task.targets[uscc] : null;
  if (!target) {
    const spare = (task.alternates || []).includes(uscc) ? "（它是备选企业：备选名单只为公开，从不替补）" : "";
    return [
      {
        code: "result-not-drawn",
        column: "uscc",
        message:
          `${uscc} 不是任务 ${task.task} 抽中的企业${spare}：抽中的企业一经抽取不作废、也不由其他企业替补。` +
          `抽中的企业已停业、无法联系或不再从事相关经营的，仍为该抽中企业登记一行，检查结果选填相应类别（${NOT_INSPECTED_HINT}）。` +
          `请核对统一社会信用代码和任务编号；抽中企业可用 suiji show ${task.task} 查看`,
      },
    ];
  }
  const out = [];
  const present = content.team.map(idKey);
  if (task.teams_error !== null && task.teams_error !== undefined) {
    out.push({
      code: "result-team-mismatch",
      column: "team",
      message: `任务 ${task.task} 抽取时检查组未能组成（${task.teams_error}），没有可对照的检查组：该任务不能按抽取结果实施。请按规定改正名录或检查组规则后，以新的任务编号重新承诺并抽取（suiji commit 新方案），再为新任务登记检查结果`,
    });
  } else {
    const expected = new Set(target.team);
    const extra = present.filter((p) => !expected.has(p));
    const have = new Set(present);
    const missing = target.team.filter((p) => !have.has(p));
    if (extra.length || missing.length) {
      const voided = target.voided || [];
      const parts = [];
      const other = extra.filter((p) => !voided.includes(p));
      const gone = extra.filter((p) => voided.includes(p));
      if (other.length) parts.push(`多出 ${shown(other)}（不在抽取的检查组中）`);
      if (gone.length) parts.push(`多出 ${shown(gone)}（已登记撤换，不应到场）`);
      if (missing.length) parts.push(`缺少 ${shown(missing)}（抽取的检查组成员）`);
      out.push({
        code: "result-team-mismatch",
        column: "team",
        message:
          `实际检查人员与任务 ${task.task} 为 ${uscc} 抽取的检查组（${target.team.join("、") || "无"}）不一致：${parts.join("；")}。` +
          `抽中人员不能到场时，应在检查开始前登记撤换（suiji void ${task.task} 人员编号 --reason 理由），替补由之后的信标轮次决定` +
          `（suiji replace ${task.task}）；若只是填写有误，请改正本行的实际检查人员`,
      });
    }
  }
  const checked = content.findings.map((f) => idKey(f.item));
  const drawnItems = new Set(target.items);
  const extraItems = checked.filter((i) => !drawnItems.has(i));
  const have = new Set(checked);
  const missingItems = target.items.filter((i) => !have.has(i));
  const tookPlace = inspected(content.categories);
  if (extraItems.length || (missingItems.length && tookPlace)) {
    const parts = [];
    if (extraItems.length) parts.push(`多出 ${shown(extraItems)}（不是抽取的检查事项）`);
    if (missingItems.length && tookPlace) parts.push(`缺少 ${shown(missingItems)}`);
    const why =
      missingItems.length && tookPlace
        ? `检查结果为“${content.categories.join("、")}”，说明检查已实施，抽取的事项都要逐项填写结果（只有未能实施检查的，如${NOT_INSPECTED_HINT}，才可不填或少填）`
        : "只能填写抽取的事项，不能增加其他事项";
    out.push({
      code: "result-items-mismatch",
      column: "findings",
      message: `检查事项与任务 ${task.task} 为 ${uscc} 抽取的事项（${target.items.join("、") || "无"}）不一致：${parts.join("；")}。${why}；请按抽取的事项改正本行的检查事项及结果`,
    });
  }
  for (const [column, d, what] of [
    ["started_on", content.started_on, "检查开始日期"],
    ["ended_on", content.ended_on, "检查结束日期"],
  ]) {
    if (d < task.window_start || d > task.window_end) {
      out.push({
        code: "result-outside-window",
        column,
        message: `${what} ${d} 不在任务 ${task.task} 的检查时间窗口（${task.window_start} 至 ${task.window_end}）之内：抽查须在方案规定的时段内实施；请核对日期，填写有误的请改正`,
      });
    }
  }
  return out;
}

/** Whether the categories say the inspection took place (then every drawn item is due). */
export function inspected(categories) {
  return categories.some((c) => INSPECTED_CATEGORIES.includes(c));
}

// ---------------------------------------------------------------- vector kinds

export function object(input) {
  checkResultObject(input.object);
  const bytes = canonicalize(input.object);
  return { bytes, id: hex(taggedHash("suiji/object/v1", utf8(bytes))) };
}
export function salt(input) {
  return demoSalt(input.task, input.uscc, input.version);
}
export function chain(input) {
  const lc = new ResultLifecycle((t) => input.drawn[t] ?? null);
  return input.entries.map((e) =>
    e.kind === "result"
      ? lc.result(e.seq, { task: e.task, uscc: e.uscc, result_object: e.result_object, corrects_seq: e.corrects_seq })
      : lc.withdrawal(e.seq, { withdrawn: e.withdrawn }),
  );
}
