// Where every drawn target stands against its three deadlines, and the findings `suiji
// verify` makes of it (docs/spec/15-calendar-and-deadlines.md §15.9, spec 14 §14.5):
// overdue deadlines at the task's draw entry, late ones at the result entry, all
// `compliance`. Pure: drawn tasks, current results, calendars and a day in.
import { compareText } from "./cells.js";
import { inspectionDeadlines, deadlineStatus, disclosureWarningDay, shanghaiDate } from "./calendar.js";
import { readResultObject } from "./results.js";
import { SuijiError } from "./encoding.js";

export const KINDS = ["report", "feedback", "disclosure"];
const WHAT = { report: "检查报告", feedback: "反馈被检查对象", disclosure: "结果公示" };

/** The genesis policy's disclosure period (§15.9.1): {days (default 10), unit ("calendar" | "working")}. */
export function disclosureRule(policy) {
  const p = policy || {};
  return { days: p.disclosure_days ?? 10, unit: p.disclosure_unit === "working" ? "working" : "calendar" };
}

/**
 * The current result of every (task, uscc) as `suiji verify`'s deadline check reads the ledger:
 * every `result` entry in ledger order (whatever its lifecycle), the last one per key is
 * current, version 1's time is when it was first published, and a version whose object any
 * `withdrawal` names is withdrawn (its object is not read).
 * @param {{seq, kind, time, body}[]} entries in ledger order
 * @param {(oid: string) => Uint8Array|null} getObject
 * @returns {[{task, uscc, seq, content, first_time, withdrawn}]} sorted by (task, uscc)
 * @throws SuijiError when a current, not withdrawn object is missing or invalid: then `suiji
 *   verify` makes no deadline findings at all (the result checks report the object)
 */
export function currentResults(entries, getObject) {
  const withdrawn = new Set();
  for (const e of entries) if (e.kind === "withdrawal" && Array.isArray(e.body.withdrawn)) for (const o of e.body.withdrawn) withdrawn.add(o);
  const chains = new Map();
  for (const e of entries) {
    if (e.kind !== "result") continue;
    const k = `${e.body.task}\n${e.body.uscc}`;
    if (!chains.has(k)) chains.set(k, []);
    chains.get(k).push(e);
  }
  const out = [];
  for (const chain of chains.values()) {
    const last = chain[chain.length - 1];
    const gone = withdrawn.has(last.body.result_object);
    let content = null;
    if (!gone) {
      const data = getObject(last.body.result_object);
      if (!data) {
        throw new SuijiError("object-missing", `对象 ledger/objects/${last.body.result_object} 缺失`);
      }
      content = readResultObject(data);
    }
    out.push({ task: last.body.task, uscc: last.body.uscc, seq: last.seq, content, first_time: chain[0].time, withdrawn: gone });
  }
  return out.sort((a, b) => compareText(a.task, b.task) || compareText(a.uscc, b.uscc));
}

function state(kind, due, doneOn, today, end) {
  return { kind, due, done_on: doneOn, status: deadlineStatus(due.day, doneOn, today, end), warning: false };
}

/**
 * One row per drawn target of every drawn task on `today`, sorted by (task, uscc) (§15.9.2);
 * targets whose current result is withdrawn are left out.
 * @param {{drawn: [{task, unit, group: string|null, window_end, targets: string[]}],
 *   results: ReturnType<typeof currentResults>, calendars: Map, today: string, disclosure: {days, unit}}} args
 * @returns {[{task, unit, group, uscc, ended_on, recorded, report, feedback, disclosure}]} each deadline
 *   `{kind, due: {day, provisional, calendars, note?}, done_on, status, warning}`
 */
export function deadlineRows({ drawn, results, calendars, today, disclosure = { days: 10, unit: "calendar" } }) {
  const byKey = new Map();
  const gone = new Set();
  for (const r of results) {
    const k = `${r.task}\n${r.uscc}`;
    if (r.withdrawn) gone.add(k);
    else byKey.set(k, r);
  }
  const rows = [];
  for (const task of [...drawn].sort((a, b) => compareText(a.task, b.task))) {
    for (const uscc of [...task.targets].sort(compareText)) {
      const k = `${task.task}\n${uscc}`;
      if (gone.has(k)) continue;
      const r = byKey.get(k) || null;
      const c = r ? r.content : null;
      const ended = c ? c.ended_on : task.window_end;
      const reported = c ? c.reported_on : null;
      const fedBack = c ? c.feedback_on : null;
      const published = r ? shanghaiDate(r.first_time) : null;
      const due = inspectionDeadlines({ inspectionEnd: ended, calendars, disclosure, reportOn: reported });
      const disc = state("disclosure", due.disclosure, published, today, ended);
      if (disc.status === "due") disc.warning = today >= disclosureWarningDay(ended, disclosure, calendars);
      rows.push({
        task: task.task,
        unit: task.unit,
        group: task.group ?? null,
        uscc,
        ended_on: ended,
        recorded: r !== null,
        report: state("report", due.report, reported, today, ended),
        feedback: state("feedback", due.feedback, fedBack, today, ended),
        disclosure: disc,
      });
    }
  }
  return rows;
}

/**
 * The deadline findings of `suiji verify` (all `compliance`): `<kind>-overdue` at the task's
 * draw entry, `<kind>-late` at the (task, uscc)'s last `result` entry.
 * @param rows deadlineRows' output; @param {(task) => number|null} drawSeq; @param {(task, uscc) => number|null} resultSeq
 * @returns {[{seq, tag, code, message}]}
 */
export function deadlineFindings(rows, drawSeq, resultSeq) {
  const out = [];
  for (const row of rows) {
    for (const kind of KINDS) {
      const s = row[kind];
      if (s.status === "overdue") out.push({ seq: drawSeq(row.task) ?? null, tag: "compliance", code: `${kind}-overdue`, message: message(row, s) });
      else if (s.status === "late") out.push({ seq: resultSeq(row.task, row.uscc) ?? null, tag: "compliance", code: `${kind}-late`, message: message(row, s) });
    }
  }
  return out;
}

function message(row, s) {
  const base = `任务 ${row.task} 企业 ${row.uscc}：${WHAT[s.kind]}应于 ${s.due.day} 前完成`;
  let text =
    s.status === "late"
      ? `${base}，实际 ${s.done_on || "?"} 才完成（逾期）`
      : `${base}，至今未记录（已逾期）；请尽快补办并录入结果；运行 suiji deadlines 查看全部期限`;
  if (!row.recorded) text += `（尚无检查结果，按检查时段末日 ${row.ended_on} 计算）`;
  if (s.due.provisional && s.due.note) text += `（期限为暂定：${s.due.note}）`;
  return text;
}

/** A row as `suiji deadlines --json` prints it. */
export function deadlineJson(row) {
  const one = (s) => ({
    due: s.due.day,
    status: s.status,
    done_on: s.done_on,
    warning: s.warning,
    provisional: s.due.provisional,
    calendars: Object.keys(s.due.calendars).sort().map((y) => ({ year: +y, hash: s.due.calendars[y] })),
  });
  return { task: row.task, unit: row.unit, group: row.group, uscc: row.uscc, ended_on: row.ended_on, recorded: row.recorded, report: one(row.report), feedback: one(row.feedback), disclosure: one(row.disclosure) };
}

/**
 * The deadline findings `suiji verify` adds at the end of a ledger (spec 14 §14.5), judged on
 * the civil date of `asOf`. `input`: {drawn: [{task, unit, group, window_end, targets, seq (the
 * draw's)}], entries (every entry replayed, in ledger order), getObject, policy (the
 * genesis's)}; `calendar`: calendar.js (its `calendarsInForce`); `bureauCalendars`: the
 * bureau's `content/records/calendar/<year>.toml` files by name. An invalid bureau calendar
 * gives `deadline-calendar` and the shipped calendars stand in. Throws SuijiError when a
 * current result object is missing or invalid (then no deadline can be judged).
 */
export function ledgerDeadlineFindings(input, calendar, bureauCalendars, asOf) {
  const out = [];
  let calendars;
  try {
    calendars = calendar.calendarsInForce(bureauCalendars ?? {});
  } catch (e) {
    calendars = calendar.calendarsInForce({});
    out.push({ seq: null, tag: "compliance", code: "deadline-calendar", message: `日历文件无效，期限按随附日历计算：${e.message}；请改正后运行 suiji deadlines` });
  }
  const results = currentResults(input.entries, input.getObject);
  const lastResult = new Map();
  for (const e of input.entries) if (e.kind === "result") lastResult.set(`${e.body.task}\n${e.body.uscc}`, e.seq);
  const drawSeq = new Map(input.drawn.map((t) => [t.task, t.seq]));
  const rows = deadlineRows({ drawn: input.drawn, results, calendars, today: shanghaiDate(asOf), disclosure: disclosureRule(input.policy) });
  out.push(...deadlineFindings(rows, (task) => drawSeq.get(task), (task, uscc) => lastResult.get(`${task}\n${uscc}`)));
  return out;
}
