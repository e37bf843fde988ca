"""The official working-day calendar: one TOML file per year (docs/spec/15-calendar-and-deadlines.md).

Deadlines of the seed document count working days, and which days are working days is
decided each year by the State Council's notice (放假日 and 调休上班日), not by a rule. So a
year's answer comes from a file that copies the notice; the package ships the years it
knows (`suiji/data/calendar/<year>.toml`) and a bureau may replace one with its own
`content/records/calendar/<year>.toml` (the whole file, never merged). Reading is strict:
an unknown key, a day outside the year, a make-up working day that is not a weekend day or
a day named twice is refused with its line, because a wrong day moves every deadline after
it silently.

Each calendar carries the tagged hash of its exact bytes (`suiji/object/v1`, the name it
would have in `ledger/objects/`), so a deadline can say which file it was counted with.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from suiji.shared.canonical import tagged_hex
from suiji.shared.errors import InputError, Location, os_failure

CALENDAR_TAG = "suiji/object/v1"
"""Calendar files are hashed like ledger objects: the hash is the name they would be stored under."""

RECORDS_SUBDIR = "calendar"
"""`content/records/calendar/<year>.toml`: a bureau's files, each replacing the shipped one."""

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
"""The festivals of 《全国年节及纪念日放假办法》 with a public holiday for everyone."""

FIXED_STATUTORY = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
"""Statutory holidays on fixed Gregorian dates (2024 revision): 元旦 1, 劳动节 2, 国庆 3 days.

Every official file must list them as holidays (a check against typing errors), and a year
without a file counts them as holidays (the provisional answer)."""

MAX_HOLIDAY_DAYS = 14
"""A longer range is a typing error (the longest arrangement since 2008 is 9 days)."""

_FILE_RE = re.compile(r"^([0-9]{4})\.toml$")
_TOP_KEYS = frozenset({"year", "notice", "holiday"})
_NOTICE_KEYS = frozenset({"title", "document", "date", "note"})
_NOTICE_REQUIRED = frozenset({"title", "document", "date"})
_HOLIDAY_KEYS = frozenset({"name", "first", "last", "workdays"})


class CalendarError(InputError):
    """A calendar file that cannot be read or breaks the format; the message names its line."""

    code = "calendar-invalid"


@dataclass(frozen=True)
class Holiday:
    """One arrangement of the notice: days off `first`..`last` and the weekend days worked."""

    name: str
    first: dt.date
    last: dt.date
    workdays: tuple[dt.date, ...]

    def days(self) -> tuple[dt.date, ...]:
        count = (self.last - self.first).days + 1
        return tuple(self.first + dt.timedelta(days=i) for i in range(count))


@dataclass(frozen=True)
class YearCalendar:
    """One year's official calendar, as read from its file."""

    year: int
    title: str
    document: str
    notice_date: dt.date
    note: str | None
    holidays: tuple[Holiday, ...]
    source: str
    """Where it was read from: `suiji/data/calendar/2026.toml` or the bureau's path."""
    hash: str
    """`H("suiji/object/v1", bytes)` of the file, lower-case hex."""

    @property
    def days_off(self) -> frozenset[dt.date]:
        return frozenset(d for h in self.holidays for d in h.days())

    @property
    def workdays(self) -> frozenset[dt.date]:
        """The make-up working days (调休上班日): weekend days that are working days."""
        return frozenset(d for h in self.holidays for d in h.workdays)

    def is_working_day(self, day: dt.date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day} is not in {self.year}")
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off


def _fail(message: str, source: str, line: int | None, code: str) -> CalendarError:
    return CalendarError(
        f"{source}{f':{line}' if line else ''}: {message}",
        code=code,
        location=Location(source, row=line),
    )


def _line_of(text: str, *needles: str) -> int | None:
    """The first line holding every needle (tomllib reports no line for semantic errors)."""
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if all(n in code for n in needles):
            return number
    return None


def parse_calendar(data: bytes, source: str) -> YearCalendar:
    """Read one calendar file; `source` is its path, whose name must be `<year>.toml`.

    Raises `CalendarError` with a narrower code (docs/spec/15-calendar-and-deadlines.md §15.2).
    """
    name = Path(source).name
    m = _FILE_RE.match(name)
    if not m:
        raise _fail(
            f"日历文件名应为“四位年份.toml”（如 2026.toml），而不是 {name}",
            source,
            None,
            "calendar-file-name",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("日历文件必须用 UTF-8 编码保存", source, None, "calendar-encoding") from None
    if text.startswith("\ufeff"):
        raise _fail(
            "日历文件开头有字节顺序标记（BOM）：请用“UTF-8（无 BOM）”另存",
            source,
            1,
            "calendar-encoding",
        )
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise _fail(
            f"TOML 语法错误：请检查这一行的引号、等号和日期写法（如 2026-02-15）（{exc}）",
            source,
            line,
            "calendar-toml",
        ) from None
    return _build(raw, text, source, int(m.group(1)), data)


def _keys(
    table: Mapping[str, Any],
    allowed: frozenset[str],
    required: frozenset[str],
    where: str,
    text: str,
    source: str,
) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(
            f"{where}中有不认识的键 {'、'.join(unknown)}：只能写 {'、'.join(sorted(allowed))}",
            source,
            _line_of(text, unknown[0]),
            "calendar-key",
        )
    missing = sorted(required - set(table))
    if missing:
        raise _fail(f"{where}缺少 {'、'.join(missing)}", source, None, "calendar-key")


def _date(value: Any, what: str, year: int | None, text: str, source: str, key: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _fail(
            f"{what}应是不加引号的日期（如 2026-02-15），而不是 {value!r}",
            source,
            _line_of(text, key),
            "calendar-date",
        )
    if year is not None and value.year != year:
        raise _fail(
            f"{what} {value.isoformat()} 不在 {year} 年内：每年一个文件，只写本年的日子",
            source,
            _line_of(text, value.isoformat()),
            "calendar-date",
        )
    return value


def _text(value: Any, what: str, text: str, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _fail(
            f"{what}应是一段不为空、首尾无空格的文字（用英文双引号括起来）",
            source,
            _line_of(text, key),
            "calendar-key",
        )
    return value


def _build(raw: dict[str, Any], text: str, source: str, year: int, data: bytes) -> YearCalendar:
    _keys(raw, _TOP_KEYS, _TOP_KEYS, "文件顶层", text, source)
    if type(raw["year"]) is not int or raw["year"] != year:
        raise _fail(
            f"year = {raw['year']!r} 与文件名 {year}.toml 不一致",
            source,
            _line_of(text, "year"),
            "calendar-year",
        )
    notice = raw["notice"]
    if not isinstance(notice, dict):
        raise _fail("notice 应是一个表 [notice]", source, _line_of(text, "notice"), "calendar-key")
    _keys(notice, _NOTICE_KEYS, _NOTICE_REQUIRED, "[notice] ", text, source)
    entries = raw["holiday"]
    if not isinstance(entries, list) or not entries:
        raise _fail(
            "holiday 应是一个或多个 [[holiday]] 表",
            source,
            _line_of(text, "holiday"),
            "calendar-key",
        )
    holidays = tuple(_holiday(entry, year, text, source) for entry in entries)
    _no_day_twice(holidays, text, source)
    off = {d for h in holidays for d in h.days()}
    for month, day in FIXED_STATUTORY:
        fixed = dt.date(year, month, day)
        if fixed not in off:
            raise _fail(
                f"法定节假日 {fixed.isoformat()} 不在任何 [[holiday]] 的放假日内：请对照通知检查放假日期",
                source,
                None,
                "calendar-missing-statutory",
            )
    return YearCalendar(
        year=year,
        title=_text(notice["title"], "notice.title（通知标题）", text, source, "title"),
        document=_text(notice["document"], "notice.document（文号）", text, source, "document"),
        notice_date=_date(notice["date"], "notice.date（发文日期）", None, text, source, "date"),
        note=(
            _text(notice["note"], "notice.note（备注）", text, source, "note")
            if "note" in notice
            else None
        ),
        holidays=holidays,
        source=source,
        hash=tagged_hex(CALENDAR_TAG, data),
    )


def _holiday(entry: Any, year: int, text: str, source: str) -> Holiday:
    if not isinstance(entry, dict):
        raise _fail("每个 [[holiday]] 应是一个表", source, None, "calendar-key")
    _keys(entry, _HOLIDAY_KEYS, _HOLIDAY_KEYS, "[[holiday]] ", text, source)
    name = _text(entry["name"], "holiday.name（节日名称）", text, source, "name")
    parts = name.split("、")
    if any(p not in FESTIVALS for p in parts) or len(set(parts)) != len(parts):
        raise _fail(
            f"节日名称“{name}”不认识：应是 {'、'.join(FESTIVALS)} 之一，"
            "两节合并放假时用顿号连写（如 国庆节、中秋节）",
            source,
            _line_of(text, name),
            "calendar-holiday-name",
        )
    first = _date(entry["first"], f"{name}的 first（放假首日）", year, text, source, "first")
    last = _date(entry["last"], f"{name}的 last（放假末日）", year, text, source, "last")
    if last < first or (last - first).days + 1 > MAX_HOLIDAY_DAYS:
        raise _fail(
            f"{name}的放假日 {first.isoformat()} 至 {last.isoformat()} 不对："
            f"末日不能早于首日，且一次放假不超过 {MAX_HOLIDAY_DAYS} 天",
            source,
            _line_of(text, last.isoformat()),
            "calendar-range",
        )
    workdays = entry["workdays"]
    if not isinstance(workdays, list):
        raise _fail(
            f"{name}的 workdays（调休上班日）应是方括号里的日期列表，没有则写 []",
            source,
            _line_of(text, "workdays"),
            "calendar-date",
        )
    days = tuple(_date(d, f"{name}的调休上班日", year, text, source, "workdays") for d in workdays)
    for day in days:
        if day.weekday() < 5:
            raise _fail(
                f"{name}的调休上班日 {day.isoformat()} 不是周六或周日：调休上班日总是周末，请对照通知检查",
                source,
                _line_of(text, day.isoformat()),
                "calendar-workday-not-weekend",
            )
    return Holiday(name, first, last, days)


def _no_day_twice(holidays: tuple[Holiday, ...], text: str, source: str) -> None:
    seen: set[dt.date] = set()
    for h in holidays:
        for day in (*h.days(), *h.workdays):
            if day in seen:
                raise _fail(
                    f"{day.isoformat()} 写了两次（放假日与调休上班日、或两次放假重叠）：请对照通知改正",
                    source,
                    _line_of(text, day.isoformat()),
                    "calendar-day-twice",
                )
            seen.add(day)


# ---------------------------------------------------------------- the files


def shipped_calendars() -> dict[int, YearCalendar]:
    """The years the package ships, read from `suiji/data/calendar/`."""
    folder = resources.files("suiji") / "data" / RECORDS_SUBDIR
    out: dict[int, YearCalendar] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        m = _FILE_RE.match(entry.name)
        if m:
            cal = parse_calendar(entry.read_bytes(), f"suiji/data/calendar/{entry.name}")
            out[cal.year] = cal
    return out


def load_calendars(records_dir: Path | str | None = None) -> dict[int, YearCalendar]:
    """The shipped calendars, each replaced by the bureau's file for the same year.

    `records_dir` is `content/records`; its `calendar/` folder may be absent. A file there
    whose name is not `<year>.toml` is refused rather than ignored, so a misnamed override
    cannot leave the shipped file in force unnoticed.
    """
    out = shipped_calendars()
    if records_dir is None:
        return out
    folder = Path(records_dir) / RECORDS_SUBDIR
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise os_failure(exc, path) from None
        cal = parse_calendar(data, str(path))
        out[cal.year] = cal
    return out
