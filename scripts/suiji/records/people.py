"""Who may be drawn: the predicates the draw code applies to inspector rows.

They read snapshot rows (`Row`: alias → canonical value), so a verifier that has only the
snapshot reaches the same answer as the writer that had the clerks' files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .schema import BY_NAME, OFF_STAFF, ON_STAFF
from .snapshot import Row


def is_active(record: str, row: Row) -> bool:
    """The row's 状态 is the record's active word (在册 / 在岗 / 在库 / 有效).

    Records without a 状态 column (recusals, annual plan) are always active.
    """
    schema = BY_NAME[record]
    return not schema.has_status or row["status"] == schema.active[0]


def counts_toward_two(row: Row) -> bool:
    """编内 staff count toward the two officers an inspection needs; 编外 staff never do."""
    return bool(row["staffing"] == ON_STAFF)


def cert_valid_through(row: Row, last_day: date) -> bool:
    """A 编内 officer whose 执法证 is valid on every day up to and including `last_day`."""
    expiry = row["cert_expiry"]
    return (
        counts_toward_two(row)
        and bool(row["cert_no"])
        and isinstance(expiry, str)
        and expiry >= last_day.isoformat()
    )


def drawable_inspectors(rows: Iterable[Row], window_start: date, window_end: date) -> list[Row]:
    """Officers who may be drawn for an inspection window [window_start, window_end].

    Active (在岗), 编内, and holding a certificate valid through the window's last day: an
    officer whose certificate lapses inside the window is never drawn. 分管领导 are
    included (the draw code picks leaders and group members from this list); 编外 staff are
    not (see `accompanying_staff`). Order is kept.
    """
    if window_end < window_start:
        raise ValueError(f"window ends before it starts: {window_start} … {window_end}")
    return [r for r in rows if is_active("inspectors", r) and cert_valid_through(r, window_end)]


def accompanying_staff(rows: Iterable[Row]) -> list[Row]:
    """Active 编外 staff: they may accompany a team but never count toward the two officers."""
    return [r for r in rows if is_active("inspectors", r) and r["staffing"] == OFF_STAFF]
