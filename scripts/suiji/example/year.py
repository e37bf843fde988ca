"""The demo year's inspections: who was inspected when, what was found, and when it was
recorded, corrected and withdrawn.

The demo draws its tasks through the real commands; this module is the other half of the
year, the part people do: after each draw the drawn enterprises are inspected on working
days inside the task's window, the clerk fills in the results file from the draw (the
rows come from `suiji.example.results`, read from the ledger with the code behind
`suiji show`) and records it. The script keeps every deadline of the seed document: the
report at most 1 working day after the inspection ends, the feedback at most 1 working day
after the report, the recording at most 10 days after the end (working days from the
shipped 2026 calendar). One task (2026-005) is left unrecorded at the demo's "today": its
results are due, not yet overdue.

A results file at a moment holds the rows whose feedback was given by that day (a clerk
writes a row when the paperwork is done), in ticket order; a row that was corrected is
written as corrected from the correction's moment on, and a withdrawn row is gone from the
withdrawal's moment on. So the same function gives every version of every file, and the
demo can write each version into `drafts/results/` before it is put in place.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from suiji.draw.deadlines import add_working_days, is_working_day
from suiji.example.county import SEED
from suiji.example.results import (
    CLOSED,
    FINED,
    FIXED,
    OK,
    PENDING,
    DrawnVisit,
    Inspection,
    drawn_visits,
    result_row,
    results_csv,
)
from suiji.records.calendar import YearCalendar, shipped_calendars

RESULTS = Path("content") / "records" / "results"
DRAFTS = Path("drafts") / "results"


@dataclass(frozen=True)
class Story:
    """What happened at one drawn enterprise (by its place in ticket order)."""

    outcome: str
    decision_no: str = ""


@dataclass(frozen=True)
class Round:
    """How a task's drawn enterprises were inspected: from `first_day`, `per_day` of them
    on each working day, in ticket order; `stories` by place, the others by a seeded rule
    (mostly nothing found, now and then a problem corrected on the spot)."""

    first_day: date
    per_day: int
    stories: Mapping[int, Story] = field(default_factory=dict)


ROUNDS: dict[str, Round] = {
    "2026-002": Round(date(2026, 2, 5), 1, {1: Story(FINED, "示应急罚〔2026〕3号")}),
    "2026-004": Round(date(2026, 4, 13), 1, {1: Story(PENDING, "示应急罚〔2026〕9号")}),
    "2026-001": Round(
        date(2026, 5, 11), 2, {2: Story(CLOSED), 4: Story(FINED, "示应急罚〔2026〕11号")}
    ),
    "2026-003": Round(date(2026, 9, 7), 2, {3: Story(FINED, "示应急罚〔2026〕21号")}),
    "2026-006": Round(date(2026, 10, 19), 1),
}
"""The five recorded tasks (2026-006 sealed: recorded after its reveal). 2026-005 (window ending 2026-12-14) has no round: at the demo's
today its results are due and not yet recorded."""

PENDING_RECTIFY_DAYS = 15
PENDING_RECTIFIED_DAYS = 13
PENDING_DECIDED_DAYS = 14
"""A PENDING inspection: rectification deadline, rectification accepted, penalty decided —
calendar days after the inspection ended."""


@dataclass(frozen=True)
class Filing:
    """The clerk puts a version of a task's results file in place, then records it."""

    when: str
    what: str
    task: str
    draft: str  # file name under drafts/results/


@dataclass(frozen=True)
class Withdrawal:
    """信用修复: a penalty's publicity ends; the row leaves the results file (`removed`),
    then the result is withdrawn from the ledger and the site (`when`)."""

    removed: str
    when: str
    task: str
    place: int  # the drawn enterprise's place in ticket order
    reason: str


FILINGS: tuple[Filing, ...] = (
    Filing(
        "2026-02-12T16:00:00+08:00",
        "2 月 5 日至 10 日逐家检查后，按抽取结果填写 2026-002 的检查结果（含一起当场处罚），放入结果目录",
        "2026-002",
        "2026-002.csv",
    ),
    Filing(
        "2026-04-20T16:00:00+08:00",
        "4 月 13 日至 17 日检查后填写 2026-004 的检查结果（一家限期整改、立案调查），放入结果目录",
        "2026-004",
        "2026-004.csv",
    ),
    Filing(
        "2026-04-30T10:00:00+08:00",
        "整改复查合格、处罚决定作出后，更正 2026-004 中那一行（填写更正说明）",
        "2026-004",
        "2026-004-corrected.csv",
    ),
    Filing(
        "2026-05-15T16:00:00+08:00",
        "2026-001 第一批检查结果（本周已反馈的 7 家，其中一家已关闭停业）",
        "2026-001",
        "2026-001-part1.csv",
    ),
    Filing(
        "2026-05-22T16:00:00+08:00",
        "2026-001 其余 9 家的检查结果补进同一文件（已登记的行不变）",
        "2026-001",
        "2026-001.csv",
    ),
    Filing(
        "2026-06-01T09:00:00+08:00",
        "信用修复前，先从 2026-002 的结果文件中删去被处罚的那一行",
        "2026-002",
        "2026-002-withdrawn.csv",
    ),
    Filing(
        "2026-09-15T16:00:00+08:00",
        "9 月 7 日至 11 日检查后填写 2026-003 的检查结果（回避人员不到场，替换人员到场），放入结果目录",
        "2026-003",
        "2026-003.csv",
    ),
    Filing(
        "2026-10-27T16:00:00+08:00",
        "暗查暗访任务 2026-006 揭示之后，填写并登记其检查结果",
        "2026-006",
        "2026-006.csv",
    ),
)

SEALED_TASK = "2026-006"
SEALED_PLAN = """# 2026 年度第 006 号抽查任务：危险化学品经营单位暗查暗访（抽取结果检查之后才公开）

task_id = "2026-006"
name = "2026年危险化学品经营单位暗查暗访"
year = 2026
unit = "危化股"
kind = "定向"
count = 2
items_per_target = 2
note = "暗查暗访：被检查对象名单暂不公开，检查结束后由密钥持有人揭示"

[filters]
industry = ["危险化学品经营（带储存）", "危险化学品经营（不带储存）"]

[window]
start = 2026-10-19
end = 2026-10-23

[team]
per = "target"
officers = 2
"""
"""The demo's sealed task (docs/spec/18-sealed.md): committed on 10-12, its beacon
recorded on 10-13, inspected 10-19 and 10-20, revealed on 10-26, results on 10-27."""

DEMO_SECRET_TAG = "suiji/demo-secret/v1"


def demo_secret(task: str) -> str:
    """The demo's sealed secret: SHA-256(tag ‖ 0x0A ‖ task) — public and predictable like
    the demo keys, so two demo runs are byte-identical; `suiji seal` draws a real one."""
    import hashlib

    return hashlib.sha256(f"{DEMO_SECRET_TAG}\n{task}".encode()).hexdigest()


CORRECTIONS: dict[tuple[str, int], str] = {("2026-004", 1): "2026-04-30T10:00:00+08:00"}
"""(task, place) → when the row was corrected."""

WITHDRAWAL = Withdrawal(
    "2026-06-01T09:00:00+08:00",
    "2026-06-01T09:30:00+08:00",
    "2026-002",
    1,
    "当事人已履行行政处罚决定，最短公示期（三个月）届满，经信用修复申请审核同意，停止公示",
)


def _day(moment: str) -> date:
    return date.fromisoformat(moment[:10])


def _working_days(start: date, calendars: Mapping[int, YearCalendar]) -> list[date]:
    """Working days from `start` on (a generous supply: no round lasts two months)."""
    return [
        d for d in (start + timedelta(days=k) for k in range(60)) if is_working_day(d, calendars)
    ]


def _next_working_day(day: date, calendars: Mapping[int, YearCalendar]) -> date:
    return add_working_days(day, 1, calendars).day


def inspections(
    task: str, visits: Sequence[DrawnVisit], calendars: Mapping[int, YearCalendar] | None = None
) -> list[Inspection]:
    """The task's inspections as they happened, in ticket order (the script of `ROUNDS`)."""
    cal = shipped_calendars() if calendars is None else calendars
    plan = ROUNDS[task]
    days = _working_days(plan.first_day, cal)
    out = []
    for place, visit in enumerate(visits):
        day = days[place // plan.per_day]
        reported = day if place % 2 == 0 else _next_working_day(day, cal)
        story = plan.stories.get(place)
        if story is None:
            chance = random.Random(f"{SEED}:{task}:{visit.uscc}").random()
            story = Story(FIXED if chance < 0.25 else OK)
        pending = story.outcome == PENDING
        out.append(
            Inspection(
                visit=visit,
                started_on=day,
                ended_on=day,
                reported_on=reported,
                feedback_on=_next_working_day(reported, cal),
                outcome=story.outcome,
                decision_no=story.decision_no,
                rectify_by=day + timedelta(days=PENDING_RECTIFY_DAYS) if pending else None,
                rectified_on=day + timedelta(days=PENDING_RECTIFIED_DAYS) if pending else None,
                decided_on=day + timedelta(days=PENDING_DECIDED_DAYS) if pending else None,
            )
        )
    return out


def file_rows(task: str, done: Sequence[Inspection], moment: str) -> list[dict[str, str]]:
    """The task's results file as it stands at `moment` (see the module docstring)."""
    today = _day(moment)
    rows = []
    for place, insp in enumerate(done):
        if insp.feedback_on > today:
            continue
        if (task, place) == (WITHDRAWAL.task, WITHDRAWAL.place) and moment >= WITHDRAWAL.removed:
            continue
        corrected_at = CORRECTIONS.get((task, place))
        rows.append(result_row(insp, corrected=corrected_at is not None and moment >= corrected_at))
    return rows


def results_file(root: Path, filing: Filing) -> bytes:
    """The bytes of one filing, written from the task's draw in the ledger under `root`."""
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import task_view

    view = task_view(read_entries(root), ObjectStore(root), filing.task)
    done = inspections(filing.task, drawn_visits(view))
    return results_csv(file_rows(filing.task, done, filing.when))


def withdrawn_uscc(root: Path) -> str:
    """The credit code of the enterprise whose result the demo withdraws."""
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import task_view

    view = task_view(read_entries(root), ObjectStore(root), WITHDRAWAL.task)
    return view.targets[WITHDRAWAL.place].id
