"""Who may be drawn: the one rule family for enterprises, inspectors and experts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from suiji.draw.teamrules import ACCOMPANY, LEADER, OFFICER
from suiji.shared.errors import InputError
from suiji.shared.text import clean_text, id_key, match_key

ACTIVE_ENTERPRISE = "在册"


def _row_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def is_active(row: Row, as_of: date, *, status: str = ACTIVE_ENTERPRISE) -> bool:
    """Active on `as_of`: status says active and no retirement date on or before it."""
    if row.get("status") != status:
        return False
    retired = _row_date(row.get("retired_on"))
    return retired is None or retired > as_of


Row = Mapping[str, Any]
INSPECTOR_ACTIVE = "在岗"
EXPERT_ACTIVE = "在库"
ESTABLISHED = "编内"
NON_ESTABLISHED = "编外"


# ---------------------------------------------------------------- population


def _date(value: Any, what: str) -> date | None:
    """A date cell as rows carry it: None/"" (empty), "YYYY-MM-DD", or a date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{what}: 日期应为 YYYY-MM-DD，现为 {value!r}")


def _text(row: Row, key: str) -> str:
    value = row.get(key)
    return clean_text(value) if isinstance(value, str) else ""


def _row_id(row: Row, key: str, what: str, index: int) -> str:
    value = row.get(key)
    ident = id_key(value) if isinstance(value, str) else ""
    if not ident:
        raise InputError(f"{what}第 {index + 1} 条：缺少 {key}")
    return ident


def _active(row: Row, status: str, window_end: date, what: str) -> bool:
    """In service for the whole window: the active status and no exit date on or before its end."""
    retired = _date(row.get("retired_on"), f"{what} retired_on")
    return _text(row, "status") == status and (retired is None or retired > window_end)


def _certified(row: Row, window_end: date, what: str) -> bool:
    """编内 with a certificate whose last valid day is on or after the window's last day."""
    expiry = _date(row.get("cert_expiry"), f"{what} cert_expiry")
    return (
        _text(row, "staffing") == ESTABLISHED
        and bool(_text(row, "cert_no"))
        and expiry is not None
        and expiry >= window_end
    )


def _inspector_roles(row: Row, window_end: date, what: str) -> tuple[str, ...]:
    """The roles an inspector row may fill: the pools never overlap."""
    if not _active(row, INSPECTOR_ACTIVE, window_end, what):
        return ()
    if _text(row, "staffing") == NON_ESTABLISHED:
        return (ACCOMPANY,)
    if not _certified(row, window_end, what):
        return ()
    leader = row.get("leader")
    if leader not in (True, False, None):
        raise InputError(f"{what}: leader 应为布尔值，现为 {leader!r}")
    return (LEADER,) if leader else (OFFICER,)


def _has_specialty(row: Row, wanted: set[str], what: str) -> bool:
    if not wanted:
        return True
    raw = row.get("specialties") or []
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise InputError(f"{what}: specialties 应为列表，现为 {raw!r}")
    return any(isinstance(s, str) and match_key(s) in wanted for s in raw)
