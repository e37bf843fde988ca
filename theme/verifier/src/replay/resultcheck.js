// A recorded result checked against the task as drawn (docs/spec/02-records.md §2.10.5,
// 16-results.md §16.5): the drawn enterprise, the drawn team after recorded voids and
// replacements, the drawn items, dates inside the window. `compliance` findings with the
// codes and words of `suiji.draw.resultcheck`.
import { idKey } from "../encoding.js";

const INSPECTED = ["未发现问题", "发现问题待后续处理", "发现问题经责令已改正", "违反其他部门相关规定"];
const NOT_INSPECTED_HINT = "已关闭停业或正在组织清算、通过登记的住所（经营场所）无法联系、未发现开展本次抽查涉及的经营活动、注销、被吊销、迁出";

const shown = (ids, limit = 12) => (ids.length <= limit ? ids.join("、") : `${ids.slice(0, limit).join("、")} 等 ${ids.length} 个`);

function members(team) {
  const out = [];
  if (team.leader !== null) out.push(team.leader);
  for (const o of team.officers) out.push(o.person);
  out.push(...team.accompany, ...team.experts);
  return out;
}

/** The task as drawn, from the recorded result object and the lifecycle's voids. */
export function drawnTask(state, plan, recorded) {
  const items = new Map(recorded.items.map((x) => [x.target, x.items]));
  const teams = new Map();
  const voided = new Map();
  if (recorded.teams) {
    for (const t of recorded.teams.teams) teams.set(t.team, [t.targets, members(t)]);
    state.personVoids.forEach((v, i) => {
      const rep = state.replacements[i];
      const key = v.body.team;
      const gone = v.body.person;
      if (!teams.has(key)) return;
      const m = teams.get(key)[1];
      teams.get(key)[1] = rep ? m.map((p) => (p === gone ? rep.body.replacement : p)) : m.filter((p) => p !== gone);
      if (!voided.has(key)) voided.set(key, []);
      voided.get(key).push(gone);
    });
  }
  const targets = new Map();
  for (const uscc of state.draw.body.targets) {
    const key = [...teams.keys()].find((k) => teams.get(k)[0].includes(uscc));
    targets.set(uscc, { uscc, items: items.get(uscc) ?? [], team: key !== undefined ? teams.get(key)[1] : [], voided: key !== undefined ? voided.get(key) ?? [] : [] });
  }
  return {
    task: state.task,
    windowStart: plan.window.start,
    windowEnd: plan.window.end,
    targets,
    alternates: recorded.targets.alternates.map((p) => p.id),
    teamsError: state.draw.body.teams_error ?? null,
  };
}

/** [{code, message}] for every way `content` departs from `task` (not-drawn codes are the lifecycle's). */
export function resultProblems(content, task) {
  const target = task.targets.get(idKey(content.uscc));
  if (!target) return [];
  const out = [];
  const present = content.team.map(idKey);
  if (task.teamsError !== null) {
    out.push({
      code: "result-team-mismatch",
      message: `任务 ${task.task} 抽取时检查组未能组成（${task.teamsError}），没有可对照的检查组：该任务不能按抽取结果实施。请按规定改正名录或检查组规则后，以新的任务编号重新承诺并抽取（suiji commit 新方案），再为新任务登记检查结果`,
    });
  } else {
    const expected = new Set(target.team);
    const extra = present.filter((p) => !expected.has(p));
    const have = new Set(present);
    const missing = target.team.filter((p) => !have.has(p));
    if (extra.length || missing.length) {
      const parts = [];
      const gone = extra.filter((p) => target.voided.includes(p));
      const other = extra.filter((p) => !target.voided.includes(p));
      if (other.length) parts.push(`多出 ${shown(other)}（不在抽取的检查组中）`);
      if (gone.length) parts.push(`多出 ${shown(gone)}（已登记撤换，不应到场）`);
      if (missing.length) parts.push(`缺少 ${shown(missing)}（抽取的检查组成员）`);
      const who = target.team.join("、") || "无";
      out.push({
        code: "result-team-mismatch",
        message:
          `实际检查人员与任务 ${task.task} 为 ${target.uscc} 抽取的检查组（${who}）不一致：${parts.join("；")}。` +
          `抽中人员不能到场时，应在检查开始前登记撤换（suiji void ${task.task} 人员编号 --reason 理由），替补由之后的信标轮次决定` +
          `（suiji replace ${task.task}）；若只是填写有误，请改正本行的实际检查人员`,
      });
    }
  }
  const checked = content.findings.map((f) => idKey(f.item));
  const drawn = new Set(target.items);
  const extra = checked.filter((i) => !drawn.has(i));
  const have = new Set(checked);
  const missing = target.items.filter((i) => !have.has(i));
  const tookPlace = content.categories.some((c) => INSPECTED.includes(c));
  if (extra.length || (missing.length && tookPlace)) {
    const parts = [];
    if (extra.length) parts.push(`多出 ${shown(extra)}（不是抽取的检查事项）`);
    if (missing.length && tookPlace) parts.push(`缺少 ${shown(missing)}`);
    const why =
      missing.length && tookPlace
        ? `检查结果为“${content.categories.join("、")}”，说明检查已实施，抽取的事项都要逐项填写结果（只有未能实施检查的，如${NOT_INSPECTED_HINT}，才可不填或少填）`
        : "只能填写抽取的事项，不能增加其他事项";
    out.push({
      code: "result-items-mismatch",
      message: `检查事项与任务 ${task.task} 为 ${target.uscc} 抽取的事项（${target.items.join("、") || "无"}）不一致：${parts.join("；")}。${why}；请按抽取的事项改正本行的检查事项及结果`,
    });
  }
  for (const [day, what] of [
    [content.started_on, "检查开始日期"],
    [content.ended_on, "检查结束日期"],
  ]) {
    if (!(task.windowStart <= day && day <= task.windowEnd)) {
      out.push({
        code: "result-outside-window",
        message: `${what} ${day} 不在任务 ${task.task} 的检查时间窗口（${task.windowStart} 至 ${task.windowEnd}）之内：抽查须在方案规定的时段内实施；请核对日期，填写有误的请改正`,
      });
    }
  }
  return out;
}
