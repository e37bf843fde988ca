"""Where every drawn target stands against its three deadlines (docs/spec/15 §15.9).

Pure: drawn tasks, recorded results, the calendars and a day in; one row per drawn target
out, with report, feedback and disclosure each due, overdue or done (on time or late).
`suiji deadlines` prints these rows and `suiji verify` turns the overdue and late ones
into `compliance` findings, so the clerk's list and the public's check cannot disagree.

Inputs are read through small protocols, not the ledger's own classes: this module sits
in the draw layer, below the ledger that builds drawn tasks and the results view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from suiji.draw.deadlines import (
    Deadline,
    DisclosureRule,
    WorkingDays,
    provisional_note,
    task_deadlines,
)
from suiji.model.genesis import Policy
from suiji.model.results import ResultContent
from suiji.records.calendar import YearCalendar
from suiji.shared.times import civil_date

Kind = Literal["report", "feedback", "disclosure"]
KINDS: tuple[Kind, ...] = ("report", "feedback", "disclosure")
Status = Literal["pending", "due", "overdue", "done", "late"]
"""pending: the inspection has not ended yet; due: open, not past its day; overdue: open
and past it; done: met on or before its day; late: met after it."""

DEFAULT_RULE = DisclosureRule()
"""The seed document's period: 10 calendar days from the day after the inspection ends."""

WARN_DAYS_LEFT = 3
"""The disclosure warning starts when at most this many days of the period remain after
today's: day 7 of the default 10 (the seed document asks for a warning from day 7)."""


def disclosure_rule(policy: Policy) -> DisclosureRule:
    """The disclosure period the genesis policy pins (default: 10 calendar days)."""
    days, unit = policy.disclosure
    return DisclosureRule(days, "working" if unit == "working" else "calendar")


class DrawnTaskLike(Protocol):
    """What a drawn task must offer (the ledger's drawn-task view provides it)."""

    @property
    def task(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def window_end(self) -> dt.date: ...
    @property
    def targets(self) -> Iterable[str]: ...  # the drawn enterprises' credit codes
    @property
    def group(self) -> str | None: ...


class ResultKeyLike(Protocol):
    @property
    def task(self) -> str: ...
    @property
    def uscc(self) -> str: ...


class RecordedResultLike(Protocol):
    """What a recorded result must offer (the ledger's results view provides it)."""

    @property
    def first_recorded_at(self) -> dt.datetime: ...
    @property
    def entry(self) -> ResultKeyLike: ...
    @property
    def content(self) -> ResultContent | None: ...
    @property
    def withdrawn_seq(self) -> int | None: ...


@dataclass(frozen=True)
class DeadlineState:
    """One deadline of one target: its due day (with calendars), when it was met, status."""

    kind: Kind
    due: Deadline
    done_on: dt.date | None
    status: Status
    warning: bool = False  # disclosure only: in its last days and not yet done

    @property
    def on_time(self) -> bool | None:
        """True/False once decided (met, or overdue); None while it may still be met."""
        if self.status == "done":
            return True
        if self.status in ("late", "overdue"):
            return False
        return None


@dataclass(frozen=True)
class TargetDeadlines:
    """One drawn enterprise of one task against its three deadlines."""

    task: str
    unit: str
    group: str | None
    uscc: str
    ended_on: dt.date  # the inspection's end: the result's, else the window's last day
    recorded: bool  # a result is recorded for it
    report: DeadlineState
    feedback: DeadlineState
    disclosure: DeadlineState

    @property
    def states(self) -> tuple[DeadlineState, DeadlineState, DeadlineState]:
        return (self.report, self.feedback, self.disclosure)

    @property
    def overdue(self) -> bool:
        return any(s.status == "overdue" for s in self.states)

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(sorted({y for s in self.states for y in s.due.provisional_years}))


def _state(
    kind: Kind, due: Deadline, done_on: dt.date | None, today: dt.date, ended_on: dt.date
) -> DeadlineState:
    if done_on is not None:
        return DeadlineState(kind, due, done_on, "done" if done_on <= due.day else "late")
    if today > due.day:
        return DeadlineState(kind, due, None, "overdue")
    if today <= ended_on:
        return DeadlineState(kind, due, None, "pending")
    return DeadlineState(kind, due, None, "due")


def warning_day(ended_on: dt.date, rule: DisclosureRule, days: WorkingDays) -> dt.date:
    """The first day the open disclosure deadline warns: day n − 3 of its n days."""
    n = max(1, rule.days - WARN_DAYS_LEFT)
    if rule.unit == "calendar":
        return days.add_calendar_days(ended_on, n).day
    return days.add_working_days(ended_on, n).day


def target_deadlines(
    task: DrawnTaskLike,
    uscc: str,
    result: RecordedResultLike | None,
    calendars: Mapping[int, YearCalendar],
    today: dt.date,
    rule: DisclosureRule = DEFAULT_RULE,
) -> TargetDeadlines:
    """Where one target stands on `today`.

    Until a result exists the window's last day stands in for the inspection's end. With a
    result: its `ended_on`, its report and feedback dates, and disclosure done on the civil
    date (Asia/Shanghai) it was first recorded — the day it became public.
    """
    content = result.content if result is not None else None
    ended = content.ended_on if content is not None else task.window_end
    reported = content.reported_on if content is not None else None
    fed_back = content.feedback_on if content is not None else None
    published = civil_date(result.first_recorded_at) if result is not None else None
    due = task_deadlines(ended, calendars, disclosure=rule, report_on=reported)
    disclosure = _state("disclosure", due.disclosure, published, today, ended)
    if disclosure.status == "due":
        warn = today >= warning_day(ended, rule, WorkingDays(calendars))
        disclosure = DeadlineState("disclosure", due.disclosure, None, "due", warn)
    return TargetDeadlines(
        task=task.task,
        unit=task.unit,
        group=task.group,
        uscc=uscc,
        ended_on=ended,
        recorded=result is not None,
        report=_state("report", due.report, reported, today, ended),
        feedback=_state("feedback", due.feedback, fed_back, today, ended),
        disclosure=disclosure,
    )


def deadline_status(
    drawn: Mapping[str, DrawnTaskLike],
    results: Iterable[RecordedResultLike],
    calendars: Mapping[int, YearCalendar],
    today: dt.date,
    rule: DisclosureRule = DEFAULT_RULE,
) -> list[TargetDeadlines]:
    """Every drawn target of every drawn task on `today`, sorted by (task, uscc).

    A withdrawn result (信用修复) was published and has since left the site on purpose:
    its target is left out — its deadlines were met when it was published, and what it
    said is no longer ours to show. A result for a target that was not drawn is not a
    deadline matter (the results checks report it) and is ignored here.
    """
    by_key: dict[tuple[str, str], RecordedResultLike] = {}
    withdrawn: set[tuple[str, str]] = set()
    for r in results:
        key = (r.entry.task, r.entry.uscc)
        if r.withdrawn_seq is not None:
            withdrawn.add(key)
        else:
            by_key[key] = r
    rows: list[TargetDeadlines] = []
    for task_id in sorted(drawn):
        task = drawn[task_id]
        for uscc in sorted(task.targets):
            if (task_id, uscc) in withdrawn:
                continue
            result = by_key.get((task_id, uscc))
            rows.append(target_deadlines(task, uscc, result, calendars, today, rule))
    return rows


# ---------------------------------------------------------------- 业绩考评: on-time shares


@dataclass(frozen=True)
class Share:
    """Of the deadlines decided (met, or overdue), how many were met on time."""

    on_time: int
    decided: int

    @property
    def percent(self) -> float | None:
        return None if self.decided == 0 else 100.0 * self.on_time / self.decided


@dataclass(frozen=True)
class UnitShares:
    """One unit (股室队), or one group within it, with its on-time shares per deadline."""

    unit: str
    group: str | None  # None: the unit as a whole
    targets: int
    overdue: int  # open deadlines past their day
    shares: tuple[tuple[Kind, Share], ...]

    def share(self, kind: Kind) -> Share:
        return dict(self.shares)[kind]


def _shares(unit: str, group: str | None, rows: Sequence[TargetDeadlines]) -> UnitShares:
    out: list[tuple[Kind, Share]] = []
    for kind in KINDS:
        decided = [getattr(r, kind).on_time for r in rows]
        known = [v for v in decided if v is not None]
        out.append((kind, Share(sum(known), len(known))))
    overdue = sum(s.status == "overdue" for r in rows for s in r.states)
    return UnitShares(unit, group, len(rows), overdue, tuple(out))


def unit_shares(rows: Iterable[TargetDeadlines]) -> list[UnitShares]:
    """Per unit, then per (unit, group) where tasks name a group; sorted by unit, group."""
    by_unit: dict[str, list[TargetDeadlines]] = {}
    by_group: dict[tuple[str, str], list[TargetDeadlines]] = {}
    for r in rows:
        by_unit.setdefault(r.unit, []).append(r)
        if r.group is not None:
            by_group.setdefault((r.unit, r.group), []).append(r)
    out: list[UnitShares] = []
    for unit in sorted(by_unit):
        out.append(_shares(unit, None, by_unit[unit]))
        for (u, group), members in sorted(by_group.items()):
            if u == unit:
                out.append(_shares(unit, group, members))
    return out


def deadline_json(row: TargetDeadlines) -> dict[str, object]:
    """A row as `suiji deadlines --json` prints it (dates ISO, calendars by hash)."""

    def one(s: DeadlineState) -> dict[str, object]:
        return {
            "due": s.due.day.isoformat(),
            "status": s.status,
            "done_on": None if s.done_on is None else s.done_on.isoformat(),
            "warning": s.warning,
            "provisional": s.due.provisional,
            "calendars": [{"year": y, "hash": h} for y, h in s.due.calendars],
        }

    return {
        "task": row.task,
        "unit": row.unit,
        "group": row.group,
        "uscc": row.uscc,
        "ended_on": row.ended_on.isoformat(),
        "recorded": row.recorded,
        **{kind: one(getattr(row, kind)) for kind in KINDS},
    }


def shares_json(shares: UnitShares) -> dict[str, object]:
    return {
        "unit": shares.unit,
        "group": shares.group,
        "targets": shares.targets,
        "overdue": shares.overdue,
        **{
            kind: {"on_time": s.on_time, "decided": s.decided, "percent": s.percent}
            for kind, s in shares.shares
        },
    }


@dataclass(frozen=True)
class DeadlineReport:
    """What `suiji deadlines` shows: every target on `today`, and per unit when asked."""

    today: dt.date
    rule: DisclosureRule
    rows: tuple[TargetDeadlines, ...]
    units: tuple[UnitShares, ...] | None = None

    @property
    def overdue(self) -> int:
        return sum(s.status == "overdue" for r in self.rows for s in r.states)

    def count(self, status: Status) -> int:
        return sum(s.status == status for r in self.rows for s in r.states)

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(sorted({y for r in self.rows for y in r.provisional_years}))

    @property
    def provisional_note(self) -> str | None:
        years = self.provisional_years
        return provisional_note(years) if years else None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "today": self.today.isoformat(),
            "disclosure": {"days": self.rule.days, "unit": self.rule.unit},
            "overdue": self.overdue,
            "provisional_years": list(self.provisional_years),
            "provisional_note": self.provisional_note,
            "targets": [deadline_json(r) for r in self.rows],
        }
        if self.units is not None:
            out["units"] = [shares_json(u) for u in self.units]
        return out


def deadline_report(
    drawn: Mapping[str, DrawnTaskLike],
    results: Iterable[RecordedResultLike],
    calendars: Mapping[int, YearCalendar],
    today: dt.date,
    rule: DisclosureRule = DEFAULT_RULE,
    *,
    by_unit: bool = False,
) -> DeadlineReport:
    rows = tuple(deadline_status(drawn, results, calendars, today, rule))
    return DeadlineReport(today, rule, rows, tuple(unit_shares(rows)) if by_unit else None)
