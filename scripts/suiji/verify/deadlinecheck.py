"""Deadlines as verification findings: overdue and late ones are `compliance` findings.

docs/spec/15-calendar-and-deadlines.md §15.9 and docs/spec/14-verifier.md §14.5. The same
rows `suiji deadlines` prints (`suiji.draw.deadlinestatus`), judged on the civil date
(Asia/Shanghai) of the verifier's `now`, so a reader's verify and the clerk's list agree.
The disclosure period is the genesis policy's; the calendars are the shipped files, each
replaced by the bureau's `content/records/calendar/<year>.toml` in the repository being
verified (a calendar file is public like every record file, and each finding names the
hash of each calendar it counted with).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from suiji.draw.deadlinestatus import (
    DeadlineState,
    TargetDeadlines,
    deadline_status,
    disclosure_rule,
)
from suiji.ledger.codec import Entry
from suiji.ledger.drawn import drawn_tasks
from suiji.ledger.objects import ObjectStore
from suiji.ledger.results import results_view
from suiji.model.entries import COMMIT, COMMIT_VOID, DRAW, GENESIS, REVEAL, WITHDRAWAL
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis, Policy
from suiji.model.results import RESULT, ResultEntry
from suiji.model.tasks import Draw
from suiji.records.calendar import CalendarError, YearCalendar, load_calendars, shipped_calendars
from suiji.shared.errors import InputError
from suiji.shared.findings import Finding
from suiji.shared.times import civil_date

_KEPT = frozenset({GENESIS, COMMIT, COMMIT_VOID, DRAW, REVEAL, RESULT, WITHDRAWAL})
_WHAT = {"report": "检查报告", "feedback": "反馈被检查对象", "disclosure": "结果公示"}

DEADLINE_CODES = (
    "report-overdue",
    "feedback-overdue",
    "disclosure-overdue",
    "report-late",
    "feedback-late",
    "disclosure-late",
    "deadline-calendar",
)
"""Every code this checker gives; all are tagged `compliance`."""


class DeadlineChecker:
    """Collects the entries deadlines depend on; judges them all at `finish`."""

    def __init__(
        self,
        now: datetime,
        calendars: Mapping[int, YearCalendar],
        calendar_problem: str | None = None,
    ) -> None:
        self.now = now
        self.calendars = dict(calendars)
        self.calendar_problem = calendar_problem
        self._entries: list[Entry] = []
        self._draw_seq: dict[str, int] = {}
        self._result_seq: dict[tuple[str, str], int] = {}
        self._policy = Policy()
        self._store: ObjectStore | None = None

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if entry.kind not in _KEPT:
            return ()
        self._store = objects
        self._entries.append(entry)
        try:
            body = entry.typed
        except EntryError:
            return ()
        if isinstance(body, Genesis):
            self._policy = body.coverage
        elif isinstance(body, Draw):
            self._draw_seq[body.task] = entry.seq
        elif isinstance(body, ResultEntry):
            self._result_seq[(body.task, body.uscc)] = entry.seq
        return ()

    def finish(self) -> Iterable[Finding]:
        out: list[Finding] = []
        if self.calendar_problem is not None:
            out.append(Finding(None, "compliance", "deadline-calendar", self.calendar_problem))
        if self._store is None:
            return out
        try:
            drawn = drawn_tasks(self._entries, self._store)
            results = results_view(self._entries, self._store).current()
        except (InputError, LookupError):
            # A broken object or body, or a history the lifecycle rejects (an entry whose
            # commitment was itself rejected: a tampered ledger): the other checkers report
            # it at its entry, and no deadline can be judged on it.
            return out
        rows = deadline_status(
            drawn,
            results,
            self.calendars,
            civil_date(self.now),
            disclosure_rule(self._policy),
        )
        for row in rows:
            for state in row.states:
                if state.status == "overdue":
                    seq = self._draw_seq.get(row.task)
                    out.append(
                        Finding(seq, "compliance", f"{state.kind}-overdue", _message(row, state))
                    )
                elif state.status == "late":
                    seq = self._result_seq.get((row.task, row.uscc))
                    out.append(
                        Finding(seq, "compliance", f"{state.kind}-late", _message(row, state))
                    )
        return out


def _message(row: TargetDeadlines, state: DeadlineState) -> str:
    what = _WHAT[state.kind]
    base = f"任务 {row.task} 企业 {row.uscc}：{what}应于 {state.due.day.isoformat()} 前完成"
    if state.status == "late":
        text = f"{base}，实际 {state.done_on.isoformat() if state.done_on else '?'} 才完成（逾期）"
    else:
        text = (
            f"{base}，至今未记录（已逾期）；请尽快补办并录入结果；运行 suiji deadlines 查看全部期限"
        )
    if not row.recorded:
        text += f"（尚无检查结果，按检查时段末日 {row.ended_on.isoformat()} 计算）"
    if state.due.provisional and state.due.note:
        text += f"（期限为暂定：{state.due.note}）"
    return text


def deadline_checker(root: Path, now: datetime) -> DeadlineChecker:
    """The checker for the repository at `root`, judged at `now`.

    A bureau calendar file that is invalid does not stop verification: the shipped
    calendars stand in and the problem is the finding `deadline-calendar`.
    """
    try:
        calendars = load_calendars(root / "content" / "records")
    except CalendarError as exc:
        return DeadlineChecker(
            now,
            shipped_calendars(),
            f"日历文件无效，期限按随附日历计算：{exc}；请改正后运行 suiji deadlines",
        )
    return DeadlineChecker(now, calendars)
