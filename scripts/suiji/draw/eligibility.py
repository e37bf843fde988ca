"""Who may be drawn: the ONE rule family for enterprises, checklist items, inspectors, experts.

Each rule is a small pure function over one snapshot row (alias → canonical value), so a
verifier holding only the snapshots reaches the answer the writer reached from the clerks'
files. Specified in docs/spec/07-plans.md §7.3 (enterprises), 10-items.md (checklist items)
and 11-teams.md §11.4 (inspectors and experts); the words come from the records schema.

* `active_on(row, status, day)` — the base: the status word, and no 退出日期 on or before `day`.
* `enterprise_active(row, as_of)` — 在册 on `as_of` (the population, coverage).
* `item_in_force(row, as_of)` — 有效 on `as_of` (the checklist items).
* `in_service(row, window_end)` — 在岗 for the whole window (teams).
* `certified(row, window_end)` — 编内 with a certificate valid for the whole window.
* `inspector_roles(row, window_end)` — the disjoint pools an inspector row belongs to.
* `expert_in_pool(row, window_end, wanted)` — 在库 for the whole window, with a wanted specialty.

A window `[start, end]` is covered exactly when its last day is: retirement and certificate
expiry only ever end a period, so every rule over a window takes `window_end`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from suiji.draw.rows import Row, cell_date, row_text
from suiji.draw.teamrules import ACCOMPANY, LEADER, OFFICER
from suiji.records.schema import (
    ENTERPRISE_ACTIVE,
    EXPERT_ACTIVE,
    INSPECTOR_ACTIVE,
    ITEM_ACTIVE,
    OFF_STAFF,
    ON_STAFF,
)
from suiji.shared.errors import InputError
from suiji.shared.text import match_key


def active_on(row: Row, status: str, day: date, what: str = "") -> bool:
    """`status` is the row's active word and it has no 退出日期 on or before `day`."""
    retired = cell_date(row.get("retired_on"), f"{what} retired_on".lstrip())
    return row_text(row, "status") == status and (retired is None or retired > day)


def enterprise_active(row: Row, as_of: date) -> bool:
    """An enterprise 在册 on `as_of` (docs/spec/07-plans.md §7.3 step 1)."""
    return active_on(row, ENTERPRISE_ACTIVE, as_of, "企业")


def item_in_force(row: Row, as_of: date) -> bool:
    """A checklist item 有效 on `as_of` (docs/spec/10-items.md)."""
    return active_on(row, ITEM_ACTIVE, as_of, "检查事项")


def in_service(row: Row, window_end: date, what: str = "执法检查人员") -> bool:
    """An inspector 在岗 for the whole window: `active(row, 在岗)` of §11.4."""
    return active_on(row, INSPECTOR_ACTIVE, window_end, what)


def certified(row: Row, window_end: date, what: str = "执法检查人员") -> bool:
    """编内 with a 执法证号 whose last valid day is on or after the window's last day."""
    expiry = cell_date(row.get("cert_expiry"), f"{what} cert_expiry")
    return (
        row_text(row, "staffing") == ON_STAFF
        and bool(row_text(row, "cert_no"))
        and expiry is not None
        and expiry >= window_end
    )


def inspector_roles(row: Row, window_end: date, what: str = "执法检查人员") -> tuple[str, ...]:
    """The roles an inspector row may fill: the pools never overlap.

    编外 staff only accompany (they never count toward the two officers); a 编内 officer
    without a certificate valid through the window is in no pool, not demoted.
    """
    if not in_service(row, window_end, what):
        return ()
    if row_text(row, "staffing") == OFF_STAFF:
        return (ACCOMPANY,)
    if not certified(row, window_end, what):
        return ()
    leader = row.get("leader")
    if leader not in (True, False, None):
        raise InputError(f"{what}: leader 应为布尔值，现为 {leader!r}")
    return (LEADER,) if leader else (OFFICER,)


def has_specialty(row: Row, wanted: Collection[str], what: str = "专家") -> bool:
    """No wanted specialty (match keys), or at least one of the row's is wanted."""
    if not wanted:
        return True
    raw = row.get("specialties") or []
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise InputError(f"{what}: specialties 应为列表，现为 {raw!r}")
    return any(isinstance(s, str) and match_key(s) in wanted for s in raw)


def expert_in_pool(row: Row, window_end: date, wanted: Collection[str], what: str = "专家") -> bool:
    """An expert 在库 for the whole window with one of the `wanted` specialties (match keys)."""
    return active_on(row, EXPERT_ACTIVE, window_end, what) and has_specialty(row, wanted, what)
