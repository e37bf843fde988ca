"""Official working-day calendars and the seed document's deadlines (docs/spec/15-calendar-and-deadlines.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors

from suiji.draw.deadlines import (
    Deadline,
    DisclosureRule,
    WorkingDays,
    add_working_days,
    is_working_day,
    task_deadlines,
)
from suiji.records.calendar import (
    CalendarError,
    YearCalendar,
    load_calendars,
    parse_calendar,
    shipped_calendars,
)
from suiji.shared.errors import InputError

SHIPPED = shipped_calendars()
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "scripts" / "suiji" / "data" / "calendar"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ---------------------------------------------------------------- the shipped files


@pytest.mark.parametrize("year", [2025, 2026])
def test_shipped_calendar_agrees_with_chinesecalendar_on_every_day(year: int) -> None:
    cal = SHIPPED[year]
    day = dt.date(year, 1, 1)
    disagree = []
    while day.year == year:
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            disagree.append(day.isoformat())
        day += dt.timedelta(days=1)
    assert disagree == []


def test_shipped_2026_holds_the_notice_and_its_make_up_days() -> None:
    cal = SHIPPED[2026]
    assert (cal.document, cal.notice_date) == ("国办发明电〔2025〕7号", d("2025-11-04"))
    assert cal.note is not None and "核对" in cal.note
    assert sorted(cal.workdays) == [
        d(x)
        for x in (
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        )
    ]
    assert sorted(SHIPPED[2025].workdays) == [
        d(x) for x in ("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")
    ]
    assert SHIPPED[2025].document == "国办发明电〔2024〕12号"


def test_each_deadline_names_the_hash_of_the_file_it_used() -> None:
    data = (SHIPPED_DIR / "2026.toml").read_bytes()
    import hashlib

    expected = hashlib.sha256(b"suiji/object/v1\n" + data).hexdigest()
    assert SHIPPED[2026].hash == expected
    got = add_working_days(d("2026-02-13"), 1, SHIPPED)
    assert got.calendars == ((2026, expected),)
    assert vectors.case("calendar", "parse_shipped_2026").output["hash"] == expected


# ---------------------------------------------------------------- Spring Festival, National Day


def test_deadlines_across_the_2026_spring_festival() -> None:
    # Ends Friday 2/13: the report is due on Saturday 2/14, a make-up working day; feedback
    # waits for the end of the holiday (2/15–23).
    got = task_deadlines(d("2026-02-13"), SHIPPED)
    assert (got.report.day, got.feedback.day) == (d("2026-02-14"), d("2026-02-24"))
    assert got.disclosure.day == d("2026-02-23")  # ten calendar days from 2/14
    assert not got.provisional
    # Ends on the make-up Saturday itself: the next working day is after the holiday.
    got = task_deadlines(d("2026-02-14"), SHIPPED)
    assert (got.report.day, got.feedback.day) == (d("2026-02-24"), d("2026-02-25"))
    # The second make-up day, Saturday 2/28, is a working day.
    assert is_working_day(d("2026-02-28"), SHIPPED)
    assert add_working_days(d("2026-02-27"), 1, SHIPPED).day == d("2026-02-28")


def test_deadlines_across_the_2026_national_day() -> None:
    got = task_deadlines(d("2026-09-30"), SHIPPED)
    assert (got.report.day, got.feedback.day) == (d("2026-10-08"), d("2026-10-09"))
    assert got.disclosure.day == d("2026-10-10")
    # Make-up Sunday 9/20 and Saturday 10/10 are working days; 中秋 9/25 is not.
    assert add_working_days(d("2026-09-19"), 1, SHIPPED).day == d("2026-09-20")
    assert add_working_days(d("2026-09-24"), 1, SHIPPED).day == d("2026-09-28")
    got = task_deadlines(d("2026-10-09"), SHIPPED)
    assert (got.report.day, got.feedback.day) == (d("2026-10-10"), d("2026-10-12"))


def test_disclosure_in_working_days_where_a_province_requires_it() -> None:
    got = task_deadlines(d("2026-09-18"), SHIPPED, disclosure=DisclosureRule(20, "working"))
    assert got.disclosure.day == d("2026-10-22")
    assert got.disclosure.calendars == ((2026, SHIPPED[2026].hash),)


def test_feedback_counts_from_the_report_once_its_date_is_known() -> None:
    got = task_deadlines(d("2026-09-28"), SHIPPED, report_on=d("2026-09-29"))
    assert got.feedback.day == d("2026-09-30")


# ---------------------------------------------------------------- provisional years


def test_a_year_without_a_file_is_provisional_and_says_how_to_add_it() -> None:
    got = task_deadlines(d("2031-09-30"), SHIPPED)
    # Weekends and 10/1–3 only: 10/4–5 is a weekend, Monday 10/6 counts provisionally.
    assert got.report == Deadline(d("2031-10-06"), True, ((2031, None),), got.report.note)
    assert got.provisional and got.report.provisional_years == (2031,)
    assert got.report.note is not None
    assert "content/records/calendar/2031.toml" in got.report.note
    assert "暂定" in got.report.note
    # Calendar days need no calendar: that deadline is not provisional.
    assert got.disclosure == Deadline(d("2031-10-10"), False, ())


def test_a_count_that_runs_into_a_year_without_a_file_is_provisional() -> None:
    got = add_working_days(d("2026-12-31"), 1, SHIPPED)
    assert (got.day, got.provisional, got.calendars) == (d("2027-01-04"), True, ((2027, None),))
    got = add_working_days(d("2026-12-30"), 2, SHIPPED)
    assert got.calendars == ((2026, SHIPPED[2026].hash), (2027, None))
    assert got.provisional


def test_bad_counts_are_refused_with_a_code() -> None:
    for n in (0, -1, 367):
        with pytest.raises(InputError) as caught:
            add_working_days(d("2026-03-02"), n, SHIPPED)
        assert caught.value.code == "deadline-days"
    with pytest.raises(InputError) as caught:
        DisclosureRule(10, "weeks")  # type: ignore[arg-type]
    assert caught.value.code == "deadline-unit"


# ---------------------------------------------------------------- the bureau's own files


def test_a_bureau_file_replaces_the_shipped_year(tmp_path: Path) -> None:
    text = (SHIPPED_DIR / "2026.toml").read_text(encoding="utf-8")
    # A bureau's province adds a local day off on Monday 2026-03-02 (as an extra range).
    text += '\n[[holiday]]\nname = "春节"\nfirst = 2026-03-02\nlast = 2026-03-02\nworkdays = []\n'
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2026.toml").write_text(text, encoding="utf-8")
    cals = load_calendars(tmp_path)
    assert cals[2026].source == str(folder / "2026.toml")
    assert cals[2026].hash != SHIPPED[2026].hash
    assert cals[2025] == SHIPPED[2025]
    assert add_working_days(d("2026-02-27"), 2, cals).day == d("2026-03-03")


def test_a_misnamed_bureau_file_is_refused_not_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2026年.toml").write_bytes((SHIPPED_DIR / "2026.toml").read_bytes())
    with pytest.raises(CalendarError) as caught:
        load_calendars(tmp_path)
    assert caught.value.code == "calendar-file-name"
    assert "2026.toml" in caught.value.message


def test_no_calendar_folder_means_the_shipped_files(tmp_path: Path) -> None:
    assert load_calendars(tmp_path) == SHIPPED


def test_errors_name_the_file_and_line() -> None:
    text = (SHIPPED_DIR / "2026.toml").read_text(encoding="utf-8")
    bad = text.replace("workdays = [2026-05-09]", "workdays = [2026-05-08]")
    with pytest.raises(CalendarError) as caught:
        parse_calendar(bad.encode(), "content/records/calendar/2026.toml")
    err = caught.value
    line = bad.splitlines().index("workdays = [2026-05-08]") + 1
    assert err.code == "calendar-workday-not-weekend"
    assert str(err.location) == f"content/records/calendar/2026.toml:{line}"
    assert err.message.startswith(f"content/records/calendar/2026.toml:{line}: ")
    assert "2026-05-08" in err.message and "周末" in err.message


# ---------------------------------------------------------------- vectors


def _calendars(years: list[int]) -> dict[int, YearCalendar]:
    return {y: SHIPPED[y] for y in years}


def _deadline(x: Deadline) -> dict[str, Any]:
    return {
        "day": x.day.isoformat(),
        "provisional": x.provisional,
        "calendars": {str(y): h for y, h in x.calendars},
    }


@vectors.parametrize("calendar", "parse")
def test_vector_parse(case: vectors.Case) -> None:
    data = case.input["text"].encode("utf-8")

    def run() -> dict[str, Any]:
        cal = parse_calendar(data, case.input["file"])
        return {
            "year": cal.year,
            "document": cal.document,
            "notice_date": cal.notice_date.isoformat(),
            "days_off": sorted(x.isoformat() for x in cal.days_off),
            "workdays": sorted(x.isoformat() for x in cal.workdays),
            "hash": cal.hash,
        }

    if case.rejects:
        assert vectors.raised_code("calendar", run) == case.error
    else:
        assert run() == case.output


def test_vector_parse_shipped_files_are_the_package_files() -> None:
    for year in (2025, 2026):
        text = vectors.case("calendar", f"parse_shipped_{year}").input["text"]
        assert text == (SHIPPED_DIR / f"{year}.toml").read_text(encoding="utf-8")


@vectors.parametrize("calendar", "working_day")
def test_vector_working_day(case: vectors.Case) -> None:
    working, digest = WorkingDays(_calendars(case.input["calendars"])).status(d(case.input["day"]))
    assert {"working": working, "provisional": digest is None} == case.output


@vectors.parametrize("calendar", "add_working_days")
def test_vector_add_working_days(case: vectors.Case) -> None:
    def run() -> dict[str, Any]:
        cals = _calendars(case.input["calendars"])
        return _deadline(add_working_days(d(case.input["day"]), case.input["n"], cals))

    if case.rejects:
        assert vectors.raised_code("calendar", run) == case.error
    else:
        assert run() == case.output


@vectors.parametrize("calendar", "deadlines")
def test_vector_deadlines(case: vectors.Case) -> None:
    rule = case.input["disclosure"]
    report_on = case.input.get("report_on")
    got = task_deadlines(
        d(case.input["inspection_end"]),
        _calendars(case.input["calendars"]),
        disclosure=DisclosureRule(rule["days"], rule["unit"]),
        report_on=d(report_on) if report_on else None,
    )
    assert {
        "report": _deadline(got.report),
        "feedback": _deadline(got.feedback),
        "disclosure": _deadline(got.disclosure),
    } == case.output


def test_a_file_that_is_not_utf8_is_refused() -> None:
    data = (SHIPPED_DIR / "2026.toml").read_text(encoding="utf-8").encode("gb18030")
    with pytest.raises(CalendarError) as caught:
        parse_calendar(data, "content/records/calendar/2026.toml")
    assert caught.value.code == "calendar-encoding"
    assert "UTF-8" in caught.value.message


@settings(max_examples=200)
@given(
    start=st.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2027, 1, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_working_days_lands_on_the_nth_working_day(start: dt.date, n: int) -> None:
    days = WorkingDays(SHIPPED)
    got = days.add_working_days(start, n)
    between = [start + dt.timedelta(days=i) for i in range(1, (got.day - start).days + 1)]
    assert days.is_working_day(got.day)
    assert sum(days.is_working_day(x) for x in between) == n
    # provisional exactly when a day counted lies in a year without a file
    assert got.provisional == any(x.year not in SHIPPED for x in between)
    assert {y for y, _ in got.calendars} == {x.year for x in between}
