"""Times and dates (docs/spec/01-encoding.md §1.4): RFC 3339 UTC in the ledger, civil dates at UTC+8."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from suiji.shared.errors import CanonicalError

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


# ---------------------------------------------------------------- time

_TIME_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, e.g. 2026-03-01T02:00:00Z (the ledger's only time form)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse the ledger's time form strictly; anything else is a CanonicalError."""
    if not _TIME_RE.match(text):
        raise CanonicalError(f"时间必须形如 2026-03-01T02:00:00Z: {text!r}")
    try:  # slicing, not strptime: this runs once per ledger entry
        return datetime(
            int(text[0:4]),
            int(text[5:7]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[14:16]),
            int(text[17:19]),
            tzinfo=UTC,
        )
    except ValueError:
        raise CanonicalError(f"不存在的时间: {text!r}") from None


def parse_user_time(text: str) -> datetime:
    """A time a person typed (--now, SUIJI_NOW): RFC 3339 with offset, or a civil date.

    A bare date means 00:00 that day in Asia/Shanghai; a time without offset is Shanghai time.
    """
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CanonicalError(
            f"无法识别的时间 {text!r}：请写成 2026-03-01 或 2026-03-01T10:00:00+08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def beijing(moment: datetime) -> str:
    """A moment as people read it: 北京时间 (UTC+8), to the second. The ledger keeps UTC."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"


def civil_date(moment: datetime) -> date:
    """The calendar date in Asia/Shanghai: deadlines and years are counted in it."""
    return moment.astimezone(SHANGHAI).date()
