// The Chinese messages of `suiji verify`'s lifecycle findings (scripts/suiji/verify/replay.py
// and results.py): the same words, so a reader sees one text whichever verifier ran.
export const MESSAGES = {
  "commit-after-draw": "任务 {task} 已抽取，不能再次承诺",
  "commit-twice": "任务 {task} 已有有效承诺（条目 #{seq}）",
  "void-unknown": "作废的承诺不存在或已失效：任务 {task}",
  "void-late": "承诺在信标轮次产生之后才作废：结果已可计算，不得作废",
  "draw-uncommitted": "任务 {task} 没有有效承诺就抽取",
  "draw-twice": "任务 {task} 重复抽取（已于条目 #{seq}）",
  "draw-commitment": "抽取所引用的承诺不是该任务的有效承诺",
  "draw-early": "抽取时间早于承诺的随机数产生的时间",
  "draw-beacon": "抽取所用信标不是承诺的第 {round} 轮",
  "void-undrawn": "任务 {task} 尚未抽取，不能替换人员",
  "void-draw": "人员替换引用的抽取条目不符",
  "void-slot-again": "任务 {task} 同一检查组岗位再次撤换（同一人重复撤换，或撤换替换上来的人员）",
  "replace-unknown": "替换条目引用的不是该任务最早一条待替换的人员撤换（应为条目 #{seq}）",
  "replace-beacon": "替换所用信标不是撤换条目指定的第 {round} 轮",
  "replace-early": "替换记录时间早于撤换指定的信标轮次产生的时间（撤换条目 #{seq}）",
  "extra-uncommitted": "任务 {task} 没有有效承诺，却登记了附加输入“{detail}”",
  "extra-commitment": "附加输入引用的承诺不是任务 {task} 的有效承诺（条目 #{seq}）",
  "extra-twice": "附加输入“{detail}”重复登记（已于条目 #{seq} 登记，以先登记的为准）",
  "extra-late": "附加输入“{detail}”在承诺的随机数产生之时或之后才登记：结果已可计算",
  "extra-unknown": "附加输入“{detail}”不是方案 [seed] extra 中声明的输入",
  "extra-format": "附加输入格式不符：{detail}",
  "extra-early": "彩票输入“{detail}”在官方开奖之前就登记了：不是开奖结果",
  "lottery-date": "{detail}",
  "draw-extra-missing": "抽取时方案声明的附加输入没有全部登记：缺少 {detail}",
  "draw-extra": "抽取条目的 extra 与登记的附加输入不符（应恰为按方案顺序的 {detail}）",
};

export const RESULT_MESSAGES = {
  "result-task-unknown": "任务 {task} 尚未抽取，却登记了对「{detail}」的检查结果",
  "result-not-drawn": "「{detail}」不是任务 {task} 抽中的单位（抽取条目 #{seq}），却登记了检查结果",
  "result-withdrawn": "任务 {task} 对「{detail}」的检查结果已于条目 #{seq} 撤回，之后不得再登记",
  "result-corrects": "任务 {task} 对「{detail}」的检查结果：corrects_seq 必须是当前版本的条目（{current}）",
  "result-withdrawal-partial": "撤回条目只撤回了任务 {task} 对「{detail}」检查结果的部分版本：必须同时撤回每个版本的对象",
};

/** Fill `{task}`, `{seq}`, `{round}`, `{detail}`, `{current}` like Python's str.format. */
export function fill(template, v) {
  const values = {
    task: v.task,
    seq: v.seq === null ? "None" : v.seq,
    round: v.round === null ? "None" : v.round,
    detail: v.detail,
    current: v.seq !== null ? `#${v.seq}` : "没有已登记的版本，应为 null",
  };
  return template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
}
