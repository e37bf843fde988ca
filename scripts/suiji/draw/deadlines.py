"""Working days and the seed document's deadlines (docs/spec/15-calendar-and-deadlines.md).

Pure: calendars in (`suiji.records.calendar`), dates out. A day of a year with an official
calendar file is decided by that file; a day of any other year gets a provisional answer —
weekends plus the fixed-date statutory holidays (元旦 1/1, 劳动节 5/1–2, 国庆 10/1–3) —
because the lunar festivals and every make-up working day of a year exist only once the
State Council announces them. A deadline that touched such a day says so (`provisional`
and a note saying how to add the file); it is never a silent guess and never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from suiji.records.calendar import FIXED_STATUTORY, YearCalendar
from suiji.shared.errors import InputError

MAX_WORKING_DAYS = 366
"""A count of working days beyond a year is a configuration error, not a deadline."""


@dataclass(frozen=True)
class Deadline:
    """A due date and what it was counted with.

    `calendars` names, for each year the count passed through, the hash of the calendar
    file used, or `None` where the year had none (then `provisional` is true and `note`
    says which file to add).
    """

    day: dt.date
    provisional: bool
    calendars: tuple[tuple[int, str | None], ...]
    note: str | None = None

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(year for year, digest in self.calendars if digest is None)


def provisional_note(years: tuple[int, ...]) -> str:
    """How to make a provisional answer final: the file to add, for each year."""
    names = "、".join(f"content/records/calendar/{y}.toml" for y in years)
    listed = "、".join(str(y) for y in years)
    return (
        f"{listed} 年没有官方日历文件，只按周末和固定日期的法定节假日（元旦、劳动节、国庆）推算，"
        f"春节等农历节日和调休未计入，期限是暂定的。国务院办公厅公布当年放假安排后，"
        f"请照 docs/spec/15-calendar-and-deadlines.md 的格式写 {names}"
    )


class WorkingDays:
    """Which days are working days, from the official calendars by year."""

    def __init__(self, calendars: Mapping[int, YearCalendar]) -> None:
        for year, cal in calendars.items():
            if cal.year != year:
                raise ValueError(f"calendar for {cal.year} filed under {year}")
        self._calendars = dict(calendars)

    def calendar(self, year: int) -> YearCalendar | None:
        return self._calendars.get(year)

    def is_working_day(self, day: dt.date) -> bool:
        """True on a working day; provisional for a year without a file (see `status`)."""
        return self.status(day)[0]

    def status(self, day: dt.date) -> tuple[bool, str | None]:
        """(working day?, hash of the calendar file used or None when provisional)."""
        cal = self._calendars.get(day.year)
        if cal is not None:
            return cal.is_working_day(day), cal.hash
        fixed = (day.month, day.day) in FIXED_STATUTORY
        return day.weekday() < 5 and not fixed, None

    def add_working_days(self, day: dt.date, n: int) -> Deadline:
        """The `n`-th working day after `day` (`day` itself never counts; n ≥ 1)."""
        _check_count(n)
        used: dict[int, str | None] = {}
        current = day
        left = n
        while left:
            current += dt.timedelta(days=1)
            working, digest = self.status(current)
            used[current.year] = digest
            if working:
                left -= 1
        return _deadline(current, used)

    def add_calendar_days(self, day: dt.date, n: int) -> Deadline:
        """`n` calendar days counted from the day after `day`: day 1 is `day` + 1.

        No calendar is used, so the answer is never provisional.
        """
        _check_count(n)
        return Deadline(day + dt.timedelta(days=n), False, ())


def _check_count(n: int) -> None:
    if type(n) is not int or not 1 <= n <= MAX_WORKING_DAYS:
        raise InputError(
            f"期限天数应是 1 到 {MAX_WORKING_DAYS} 之间的整数，而不是 {n!r}",
            code="deadline-days",
        )


def _deadline(day: dt.date, used: Mapping[int, str | None]) -> Deadline:
    calendars = tuple(sorted(used.items()))
    missing = tuple(y for y, digest in calendars if digest is None)
    return Deadline(day, bool(missing), calendars, provisional_note(missing) if missing else None)


def is_working_day(day: dt.date, calendars: Mapping[int, YearCalendar]) -> bool:
    return WorkingDays(calendars).is_working_day(day)


def add_working_days(day: dt.date, n: int, calendars: Mapping[int, YearCalendar]) -> Deadline:
    return WorkingDays(calendars).add_working_days(day, n)


# ---------------------------------------------------------------- the seed document's deadlines


@dataclass(frozen=True)
class DisclosureRule:
    """How long publication may take: 10 calendar days by default (the seed document).

    A bureau whose province requires another period sets it, e.g. 20 working days.
    """

    days: int = 10
    unit: Literal["calendar", "working"] = "calendar"

    def __post_init__(self) -> None:
        _check_count(self.days)
        if self.unit not in ("calendar", "working"):
            raise InputError(
                f"公示期限的单位应是 calendar（自然日）或 working（工作日），而不是 {self.unit!r}",
                code="deadline-unit",
            )


REPORT_WORKING_DAYS = 1
"""检查报告: within 1 working day after the inspection ends."""
FEEDBACK_WORKING_DAYS = 1
"""反馈被检查对象: within 1 working day after the report."""


@dataclass(frozen=True)
class TaskDeadlines:
    """The three deadlines of one inspection, counted from the end of its window."""

    report: Deadline
    feedback: Deadline
    disclosure: Deadline

    @property
    def provisional(self) -> bool:
        return self.report.provisional or self.feedback.provisional or self.disclosure.provisional


def task_deadlines(
    inspection_end: dt.date,
    calendars: Mapping[int, YearCalendar],
    *,
    disclosure: DisclosureRule = DisclosureRule(),
    report_on: dt.date | None = None,
) -> TaskDeadlines:
    """Report, feedback and disclosure deadlines for an inspection that ended `inspection_end`.

    Until a result exists the end of the task's inspection window stands in for the end of
    the inspection. Feedback counts from the report: from `report_on` once the report's
    date is known, otherwise from the report's deadline. Disclosure counts from the day
    after the inspection ends.
    """
    days = WorkingDays(calendars)
    report = days.add_working_days(inspection_end, REPORT_WORKING_DAYS)
    feedback = days.add_working_days(
        report.day if report_on is None else report_on, FEEDBACK_WORKING_DAYS
    )
    if disclosure.unit == "calendar":
        published = days.add_calendar_days(inspection_end, disclosure.days)
    else:
        published = days.add_working_days(inspection_end, disclosure.days)
    return TaskDeadlines(report, feedback, published)
