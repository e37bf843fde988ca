"""A recorded inspection result checked against the draw it belongs to (pure).

The results files are checked on their own by `suiji.records.results`; what needs the
ledger is checked here, against the task as drawn (docs/spec/02-records.md §2.10.5): the
task was drawn, the enterprise was one of its targets, the team actually present is the
drawn team after the recorded person voids and replacements, the items checked are the
drawn items, and the inspection dates lie in the task's window.

Why so strict: 双随机 means the bureau chooses neither whom it inspects nor who inspects
nor what is checked. A result that departs from the draw is either a typing error or a
choice the draw was meant to prevent; either way it must not be recorded as if it were the
drawn inspection. An enterprise is never replaced by another: one that could not be
inspected keeps its row with the category that says why (已关闭停业 …), and its items may
then be missing. A person who could not come is replaced BEFORE the inspection by a
recorded void, whose replacement a later public round decides.

The same function serves `suiji record` (refuse before writing) and `suiji verify`
(`compliance` findings with the same codes); the ledger's view that feeds it is built by
`suiji.ledger.drawn.drawn_tasks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from suiji.model.results import ResultContent
from suiji.records.schema import INSPECTED_CATEGORIES
from suiji.shared.text import id_key

TASK_UNKNOWN = "result-task-unknown"
NOT_DRAWN = "result-not-drawn"
TEAM_MISMATCH = "result-team-mismatch"
ITEMS_MISMATCH = "result-items-mismatch"
OUTSIDE_WINDOW = "result-outside-window"
CODES = (TASK_UNKNOWN, NOT_DRAWN, TEAM_MISMATCH, ITEMS_MISMATCH, OUTSIDE_WINDOW)

NOT_INSPECTED_HINT = (
    "已关闭停业或正在组织清算、通过登记的住所（经营场所）无法联系、"
    "未发现开展本次抽查涉及的经营活动、注销、被吊销、迁出"
)


@dataclass(frozen=True)
class DrawnTarget:
    """One drawn enterprise as it is owed an inspection.

    `team`: person ids expected present, AFTER the recorded person voids and their
    replacements, in role order (a voided person whose replacement is not recorded yet is
    simply absent). `items`: the drawn item ids. The rest is for display and statistics:
    `name` (from the committed enterprises snapshot), `team_key` (the team's key: the
    credit code, or "task" for a task-wide team; None when the teams could not be formed),
    `groups` (the distinct 检查组 of the team's inspectors, in team order), `voided`
    (people voided from this target's team, so a message can say so).
    """

    uscc: str
    items: tuple[str, ...]
    team: tuple[str, ...]
    name: str = ""
    team_key: str | None = None
    groups: tuple[str, ...] = ()
    voided: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrawnTask:
    """A drawn task whose commitment is live: what its results are checked against.

    `unit`: the plan's 执行股室; `window_start`..`window_end`: its inspection window;
    `targets` by credit code. `group`: the one 检查组 every drawn team's inspectors belong
    to, or None when they span several (or none). `name` and `kind` are the plan's;
    `alternates` are published only, never inspected; `teams_error` is the draw's message
    when its teams could not be formed (then no team can match).
    """

    task: str
    unit: str
    window_start: date
    window_end: date
    targets: Mapping[str, DrawnTarget]
    group: str | None
    name: str = ""
    kind: str = ""
    draw_seq: int | None = None
    alternates: tuple[str, ...] = ()
    teams_error: str | None = None


@dataclass(frozen=True)
class ResultProblem:
    """A rule broken: `column` is the internal column name of `RESULTS` (task_id, uscc,
    team, findings, started_on, ended_on); `message` is Chinese and says what to do."""

    code: str
    column: str
    message: str


def inspected(categories: tuple[str, ...]) -> bool:
    """Whether the categories say the inspection took place (then every item is due)."""
    return any(c in INSPECTED_CATEGORIES for c in categories)


def check_result(content: ResultContent, drawn: Mapping[str, DrawnTask]) -> list[ResultProblem]:
    """Every way `content` departs from its draw; empty when it is the drawn inspection.

    An unknown task or an enterprise not drawn stops the check there: nothing else can be
    compared.
    """
    task = drawn.get(content.task)
    if task is None:
        return [_task_unknown(content.task, drawn)]
    uscc = id_key(content.uscc)
    target = task.targets.get(uscc)
    if target is None:
        return [_not_drawn(task, uscc)]
    out: list[ResultProblem] = []
    team = _team(task, target, content)
    if team is not None:
        out.append(team)
    items = _items(task, target, content)
    if items is not None:
        out.append(items)
    out += _window(task, content)
    return out


# ---------------------------------------------------------------- the rules


def _shown(ids: list[str], limit: int = 12) -> str:
    head = "、".join(ids[:limit])
    return head if len(ids) <= limit else f"{head} 等 {len(ids)} 个"


def _task_unknown(task: str, drawn: Mapping[str, DrawnTask]) -> ResultProblem:
    known = _shown(sorted(drawn)) or "无"
    return ResultProblem(
        TASK_UNKNOWN,
        "task_id",
        f"账本中没有已抽取的任务 {task}（任务编号写错、承诺已作废或尚未抽取）："
        f"只能为已抽取任务的抽中企业登记检查结果。已抽取的任务：{known}；"
        f"请核对任务编号，可用 suiji show {task} 查看该任务的状态",
    )


def _not_drawn(task: DrawnTask, uscc: str) -> ResultProblem:
    spare = "（它是备选企业：备选名单只为公开，从不替补）" if uscc in task.alternates else ""
    return ResultProblem(
        NOT_DRAWN,
        "uscc",
        f"{uscc} 不是任务 {task.task} 抽中的企业{spare}：抽中的企业一经抽取不作废、"
        f"也不由其他企业替补。抽中的企业已停业、无法联系或不再从事相关经营的，"
        f"仍为该抽中企业登记一行，检查结果选填相应类别（{NOT_INSPECTED_HINT}）。"
        f"请核对统一社会信用代码和任务编号；抽中企业可用 suiji show {task.task} 查看",
    )


def _team(task: DrawnTask, target: DrawnTarget, content: ResultContent) -> ResultProblem | None:
    present = [id_key(p) for p in content.team]
    if task.teams_error is not None:
        return ResultProblem(
            TEAM_MISMATCH,
            "team",
            f"任务 {task.task} 抽取时检查组未能组成（{task.teams_error}），没有可对照的检查组："
            f"该任务不能按抽取结果实施。请按规定改正名录或检查组规则后，以新的任务编号"
            f"重新承诺并抽取（suiji commit 新方案），再为新任务登记检查结果",
        )
    expected = set(target.team)
    extra = [p for p in present if p not in expected]
    missing = [p for p in target.team if p not in set(present)]
    if not extra and not missing:
        return None
    parts = []
    if extra:
        gone = [p for p in extra if p in target.voided]
        other = [p for p in extra if p not in target.voided]
        if other:
            parts.append(f"多出 {_shown(other)}（不在抽取的检查组中）")
        if gone:
            parts.append(f"多出 {_shown(gone)}（已登记撤换，不应到场）")
    if missing:
        parts.append(f"缺少 {_shown(missing)}（抽取的检查组成员）")
    who = "、".join(target.team) or "无"
    return ResultProblem(
        TEAM_MISMATCH,
        "team",
        f"实际检查人员与任务 {task.task} 为 {target.uscc} 抽取的检查组（{who}）不一致："
        f"{'；'.join(parts)}。抽中人员不能到场时，应在检查开始前登记撤换"
        f"（suiji void {task.task} 人员编号 --reason 理由），替补由之后的信标轮次决定"
        f"（suiji replace {task.task}）；若只是填写有误，请改正本行的实际检查人员",
    )


def _items(task: DrawnTask, target: DrawnTarget, content: ResultContent) -> ResultProblem | None:
    checked = [id_key(item) for item, _ in content.findings]
    drawn = set(target.items)
    extra = [i for i in checked if i not in drawn]
    missing = [i for i in target.items if i not in set(checked)]
    took_place = inspected(content.categories)
    if not extra and (not missing or not took_place):
        return None
    parts = []
    if extra:
        parts.append(f"多出 {_shown(extra)}（不是抽取的检查事项）")
    if missing and took_place:
        parts.append(f"缺少 {_shown(missing)}")
    shown = "、".join(target.items) or "无"
    why = (
        f"检查结果为“{'、'.join(content.categories)}”，说明检查已实施，抽取的事项都要逐项填写"
        f"结果（只有未能实施检查的，如{NOT_INSPECTED_HINT}，才可不填或少填）"
        if missing and took_place
        else "只能填写抽取的事项，不能增加其他事项"
    )
    return ResultProblem(
        ITEMS_MISMATCH,
        "findings",
        f"检查事项与任务 {task.task} 为 {target.uscc} 抽取的事项（{shown}）不一致："
        f"{'；'.join(parts)}。{why}；请按抽取的事项改正本行的检查事项及结果",
    )


def _window(task: DrawnTask, content: ResultContent) -> list[ResultProblem]:
    out = []
    for column, day, what in (
        ("started_on", content.started_on, "检查开始日期"),
        ("ended_on", content.ended_on, "检查结束日期"),
    ):
        if not task.window_start <= day <= task.window_end:
            out.append(
                ResultProblem(
                    OUTSIDE_WINDOW,
                    column,
                    f"{what} {day} 不在任务 {task.task} 的检查时间窗口"
                    f"（{task.window_start} 至 {task.window_end}）之内：抽查须在方案规定的"
                    f"时段内实施；请核对日期，填写有误的请改正",
                )
            )
    return out
