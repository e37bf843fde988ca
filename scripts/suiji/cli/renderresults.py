"""Text of the results half: deadlines, `suiji record`/`withdraw`, the inspection's documents
and `suiji publish` (all human text still lives in the CLI; `render` holds the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the CLI imports the heavy sides only for the command that needs them
    from suiji.draw.deadlinestatus import DeadlineReport, DeadlineState, Share
    from suiji.publish.build import BuildResult
    from suiji.publish.site import Summary as PublishSummary
    from suiji.writing.results import RecordPlan, WithdrawPlan

FailOn = Literal["any", "integrity"]

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-8": "UTF-8",
    "gb18030": "GB18030",
    "xlsx": "Excel 工作簿",
}
"""How `suiji check` names the encoding a record file was read in."""


# ---------------------------------------------------------------- deadlines

_DEADLINE_WHAT = {"report": "检查报告", "feedback": "反馈企业", "disclosure": "结果公示"}


def _deadline_state(s: DeadlineState) -> str:
    due = s.due.day.isoformat() + ("（暂定）" if s.due.provisional else "")
    done = s.done_on.isoformat() if s.done_on is not None else ""
    words = {
        "pending": f"{due} 到期（检查尚未结束）",
        "due": f"{due} 到期，待办",
        "overdue": f"{due} 到期，已逾期",
        "done": f"{due} 到期，已于 {done} 按时完成",
        "late": f"{due} 到期，{done} 才完成（逾期完成）",
    }[s.status]
    if s.warning:
        words += "；提醒：公示期即将届满"
    return f"{_DEADLINE_WHAT[s.kind]} {words}"


def _share(s: Share) -> str:
    if s.decided == 0:
        return "—（尚无到期项）"
    return f"{s.on_time * 100 // s.decided}%（{s.on_time}/{s.decided}）"


def deadlines(rep: DeadlineReport) -> str:
    """`suiji deadlines`: per task and enterprise, then per unit and group when asked."""
    unit_word = "自然日" if rep.rule.unit == "calendar" else "工作日"
    lines = [
        f"期限（截至 {rep.today.isoformat()}；检查报告：检查结束后 1 个工作日内；"
        f"反馈企业：报告后 1 个工作日内；结果公示：检查结束次日起 {rep.rule.days} 个{unit_word}内）"
    ]
    task = None
    for row in rep.rows:
        if row.task != task:
            task = row.task
            lines.append(f"任务 {row.task}（{row.unit}）")
        source = "检查结果" if row.recorded else "检查时段末日，尚无检查结果"
        lines.append(f"  {row.uscc}  检查结束 {row.ended_on.isoformat()}（{source}）")
        lines.extend(f"    {_deadline_state(s)}" for s in row.states)
    if not rep.rows:
        lines.append("尚无已抽取的任务，没有期限")
    if rep.units is not None:
        lines.append("按股室和检查组统计按时完成率（按时完成 / 已完成或已逾期）：")
        for u in rep.units:
            name = u.unit if u.group is None else f"  {u.unit} {u.group}"
            lines.append(
                f"  {name}：企业 {u.targets} 家次；检查报告 {_share(u.share('report'))}；"
                f"反馈企业 {_share(u.share('feedback'))}；结果公示 {_share(u.share('disclosure'))}；"
                f"逾期未办 {u.overdue} 项"
            )
    lines.append(
        f"合计：待办 {rep.count('due')} 项，已逾期 {rep.overdue} 项，"
        f"按时完成 {rep.count('done')} 项，逾期完成 {rep.count('late')} 项，"
        f"未到期 {rep.count('pending')} 项"
    )
    if rep.provisional_note:
        lines.append(f"注意：{rep.provisional_note}")
    return "\n".join(lines)


# ---------------------------------------------------------------- results


def record_plan(plan: RecordPlan, *, dry_run: bool) -> str:
    """What `suiji record` found in the results files."""
    lines = [
        f"检查结果：新登记 {len(plan.new)} 项，更正 {len(plan.corrections)} 项，"
        f"未改变 {plan.unchanged} 项"
    ]
    for p in plan.planned:
        what = (
            "新结果"
            if p.corrects_seq is None
            else f"更正条目 #{p.corrects_seq}（第 {p.version} 版）"
        )
        lines.append(f"  {p.content.task} 「{p.content.uscc}」：{what}（{p.where}）")
    if not plan.planned:
        lines.append("没有需要登记的内容：账本未改动。")
    elif dry_run:
        lines.append("试运行（--dry-run）：未写入账本；去掉 --dry-run 后登记。")
    return "\n".join(lines) + "\n"


def record_summary(plan: RecordPlan) -> list[str]:
    return [
        f"登记检查结果 {len(plan.new)} 项、更正 {len(plan.corrections)} 项：写入账本后公开，"
        "不能删除；以后的修改只能作为更正登记，两个版本都公开"
    ]


def recorded(plan: RecordPlan, seqs: Sequence[int]) -> str:
    if not seqs:
        return ""
    return (
        f"已登记 {len(seqs)} 个条目（#{seqs[0]}–#{seqs[-1]}）；"
        "运行 suiji verify 复核，suiji verify --json 列出全部结果\n"
    )


def withdraw_summary(plan: WithdrawPlan) -> list[str]:
    r = plan.result
    return [
        f"撤回任务 {r.task} 对「{r.uscc}」的检查结果（共 {len(plan.objects)} 个版本）：理由“{plan.reason}”",
        "账本保留条目和哈希，结果对象将从 ledger/objects/ 删除，网站不再显示其内容；"
        "git 历史中仍有这些对象（见 docs/spec/16-results.md §16.4）",
    ]


def withdrawn(plan: WithdrawPlan, seq: int) -> str:
    r = plan.result
    return (
        f"已撤回任务 {r.task} 对「{r.uscc}」的检查结果（条目 #{seq}），"
        f"删除对象 {len(plan.objects)} 个；请提交 ledger/ 的改动（suiji gitcheck 允许这次删除）\n"
    )


# ---------------------------------------------------------------- inspection documents


def _rel(root: Any, path: Any) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def notice_lines(root: Any, task: str, run: Any) -> list[str]:
    """`suiji notice`: what was written, what to commit, what to print."""
    n = len(run.codes.codes)
    return [
        f"任务 {task}：已为 {n} 家企业写出检查通知书（含核验码）和检查记录：{_rel(root, run.folder)}/",
        "  通知书含核验码，只在 private/（不进仓库）；请打印后送达，不要把核验码发到群里或贴到网上",
        f"公开核验码文件（只含加盐慢哈希）：{_rel(root, run.public)}",
        f"  请提交并发布：git add {_rel(root, run.public)} && git commit；"
        f"企业可用 suiji notice-check {task} 统一社会信用代码 核验码 核验",
    ]


def notice_checked(task: str, uscc: str, ok: bool) -> str:
    """`suiji notice-check`: the answer an enterprise reads."""
    if ok:
        return f"核验通过：这是本局为任务 {task} 发给 {uscc} 的通知书上的核验码"
    return (
        f"核验不通过：这不是本局为任务 {task} 发给 {uscc} 的核验码（或输入有误，请再核对一次）；"
        f"仍不通过的，请勿接待持此通知书的人员，并立即向本局电话核实"
    )


def notice_not_listed(task: str, uscc: str) -> str:
    return (
        f"核验不通过：任务 {task} 的公开核验码文件中没有 {uscc}：该单位不是本任务的检查对象，"
        f"或统一社会信用代码输入有误；请向本局电话核实"
    )


def written_lines(what: str, root: Any, files: Sequence[Any]) -> list[str]:
    return [f"已写出 {len(files)} 份{what}：", *(f"  {_rel(root, f)}" for f in files)]


def template_lines(root: Any, task: str, out: Any) -> list[str]:
    return [
        f"已写出任务 {task} 的检查结果模板：{_rel(root, out)}",
        "  已填任务编号、统一社会信用代码和抽中的检查组；选中单元格可看到单位名称、人员姓名和抽中的事项",
        f"  填好后另存到 content/records/results/（如 {task}.xlsx），运行 suiji check 检查",
    ]


def exported(out: Any, n: int) -> str:
    return f"已导出 {n} 条检查结果（省级平台公示栏目）：{out}"


def publish_summary(summary: PublishSummary) -> str:
    """What `suiji publish` prints: where, how many pages, what changed."""
    return (
        f"已生成 {summary.pages} 个页面到 {summary.out}：写入 {summary.written} 个，"
        f"未变 {summary.unchanged} 个，删除 {summary.removed} 个。"
        "构建网站：suiji build（本地预览：suiji serve）"
    )


def build_summary(result: BuildResult, *, portal: bool) -> str:
    """What `suiji build` prints: the as-of time, what was built, how to look at it."""
    lines = [*(f"注意：{n}" for n in result.notices)]
    lines.append(
        f"已构建网站到 {result.out}：{result.pages} 个生成页面，共 {result.html_files} 个 HTML 文件；"
        f"数据截至 {result.as_of}（UTC）"
    )
    if result.verifier:
        lines.append(f"浏览器核验页（可写入发布说明）：{result.verifier}")
    if portal:
        lines.append(
            f"门户粘贴包：{result.out / 'portal'}（每个公示一个文件夹，另有整站压缩包 site.zip）"
        )
    lines.append(
        f"本地预览：suiji serve --out {result.out}，然后在浏览器打开 http://localhost:8000/"
    )
    return "\n".join(lines)
