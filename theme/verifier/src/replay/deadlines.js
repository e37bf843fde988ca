// The seed document's deadlines as verification findings (docs/spec/15 §15.9.3): report,
// feedback and disclosure of every drawn target, judged on the civil date of the as-of
// time; overdue ones at the draw, late ones at the target's last result entry, all
// `compliance`. The working-day arithmetic is calendar.js's (spec 15 vectors).
import { civilDate } from "./lifecycle.js";

const WHAT = { report: "检查报告", feedback: "反馈被检查对象", disclosure: "结果公示" };

function status(due, doneOn, today, end) {
  if (doneOn) return doneOn <= due ? "done" : "late";
  if (today > due) return "overdue";
  if (today <= end) return "pending";
  return "due";
}

/**
 * `cal`: the calendar module ({inspectionDeadlines, calendarsInForce}); `bureauCalendars`:
 * the bureau's content/records/calendar/<year>.toml files by name (text or bytes).
 */
export function deadlineFindings(r, cal, bureauCalendars, asOf) {
  const out = [];
  let calendars;
  try {
    calendars = cal.calendarsInForce(bureauCalendars ?? {});
  } catch (e) {
    calendars = cal.calendarsInForce({});
    out.push({ seq: null, tag: "compliance", code: "deadline-calendar", message: `日历文件无效，期限按随附日历计算：${e.message}；请改正后运行 suiji deadlines` });
  }
  const policy = r.hist.genesis?.policy ?? {};
  const disclosure = { days: policy.disclosure_days ?? 10, unit: policy.disclosure_unit === "working" ? "working" : "calendar" };
  const today = civilDate(asOf);
  // Every result entry, as `suiji`'s results view reads them (withdrawn ones included).
  const withdrawnAt = new Map();
  const versions = new Map();
  const lastSeq = new Map();
  for (const e of r.entries) {
    if (e.kind === "withdrawal") for (const oid of e.body.withdrawn) if (!withdrawnAt.has(oid)) withdrawnAt.set(oid, e.seq);
    if (e.kind === "result") lastSeq.set(`${e.body.task}\0${e.body.uscc}`, e.seq);
  }
  for (const e of r.entries) {
    if (e.kind !== "result") continue;
    const k = `${e.body.task}\0${e.body.uscc}`;
    if (!versions.has(k)) versions.set(k, []);
    versions.get(k).push(e);
  }
  for (const task of [...r.hist.tasks.keys()].sort()) {
    const state = r.hist.tasks.get(task);
    if (!state.commit || !state.draw) continue;
    const plan = r.json(state.commit.body.plan_object);
    for (const uscc of [...state.draw.body.targets].sort()) {
      const chain = versions.get(`${task}\0${uscc}`);
      const current = chain ? chain[chain.length - 1] : null;
      if (current && withdrawnAt.has(current.body.result_object)) continue;
      const content = current ? r.json(current.body.result_object) : null;
      const ended = content ? content.ended_on : plan.window.end;
      const reported = content ? content.reported_on ?? null : null;
      const fedBack = content ? content.feedback_on ?? null : null;
      const published = current ? civilDate(chain[0].time) : null;
      const due = cal.inspectionDeadlines({ inspectionEnd: ended, calendars, disclosure, reportOn: reported });
      for (const [kind, done] of [
        ["report", reported],
        ["feedback", fedBack],
        ["disclosure", published],
      ]) {
        const d = due[kind];
        const s = status(d.day, done, today, ended);
        if (s !== "overdue" && s !== "late") continue;
        const base = `任务 ${task} 企业 ${uscc}：${WHAT[kind]}应于 ${d.day} 前完成`;
        let text = s === "late" ? `${base}，实际 ${done ?? "?"} 才完成（逾期）` : `${base}，至今未记录（已逾期）；请尽快补办并录入结果；运行 suiji deadlines 查看全部期限`;
        if (!current) text += `（尚无检查结果，按检查时段末日 ${ended} 计算）`;
        if (d.provisional && d.note) text += `（期限为暂定：${d.note}）`;
        const seq = s === "overdue" ? state.draw.seq : lastSeq.get(`${task}\0${uscc}`) ?? null;
        out.push({ seq, tag: "compliance", code: `${kind}-${s}`, message: text });
      }
    }
  }
  return out;
}
