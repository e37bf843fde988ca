"""Who may be drawn (suiji.draw.eligibility): the example county, boundaries, properties."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.support.example import example_records

from suiji import records
from suiji.draw.eligibility import (
    active_on,
    certified,
    enterprise_active,
    expert_in_pool,
    in_service,
    inspector_roles,
    item_in_force,
)
from suiji.draw.rows import Row
from suiji.draw.teamrules import ACCOMPANY, LEADER, OFFICER
from suiji.records.schema import (
    ENTERPRISE_ACTIVE,
    EXPERT_ACTIVE,
    INSPECTOR_ACTIVE,
    INSPECTOR_RETIRED,
    ITEM_ACTIVE,
    OFF_STAFF,
    ON_STAFF,
)
from suiji.shared.errors import InputError

EXAMPLE = example_records()
TODAY = date(2026, 3, 1)

ACTIVE_ON = {
    "enterprises": enterprise_active,
    "inspectors": in_service,
    "experts": lambda row, day: expert_in_pool(row, day, ()),
    "checklist": item_in_force,
}


@pytest.fixture(scope="module")
def county() -> Any:
    return records.load_all(EXAMPLE, TODAY)


def test_example_inspectors(county: Any) -> None:
    rows = {r["person_id"]: r for r in county.rows("inspectors")}
    end = date(2026, 3, 31)
    roles = {pid: inspector_roles(r, end) for pid, r in rows.items()}
    assert roles["ZF004"] == (OFFICER,)  # 编内, cert to 2029
    assert roles["ZF011"] == ()  # 编内, cert expired 2025-12-31: in no pool, not demoted
    assert roles["ZF012"] == roles["ZF013"] == (ACCOMPANY,)  # 编外
    assert roles["ZF017"] == ()  # 调离
    assert not in_service(rows["ZF017"], end) and in_service(rows["ZF004"], end)
    # ZF014's certificate runs to 2027-06-30: valid through a window ending that day, not after.
    assert certified(rows["ZF014"], date(2027, 6, 30))
    assert not certified(rows["ZF014"], date(2027, 7, 1))
    assert inspector_roles(rows["ZF014"], date(2027, 7, 5)) == ()


def test_check_summary_counts_the_rows_active_today(county: Any) -> None:
    """`suiji check`'s "有效 N 行" (the status word) is the eligibility rule on a valid record:
    an active row never carries a 退出日期 (retire.still_active), a retired row always does."""
    for name, active in ACTIVE_ON.items():
        rows = county.rows(name)
        assert county.records[name].n_active == sum(active(r, TODAY) for r in rows), name
    for name in ("recusals", "annual-plan"):
        assert county.records[name].n_active == len(county.rows(name))


def test_boundaries_and_malformed_cells() -> None:
    day = date(2026, 3, 1)
    row = {"status": ENTERPRISE_ACTIVE, "retired_on": "2026-03-02"}
    assert enterprise_active(row, day) and not enterprise_active(row, date(2026, 3, 2))
    assert not item_in_force(row, day)  # the status word is the record's own
    assert item_in_force({"status": ITEM_ACTIVE, "retired_on": None}, day)
    assert active_on({"status": f" {EXPERT_ACTIVE} ", "retired_on": ""}, EXPERT_ACTIVE, day)
    with pytest.raises(InputError, match="retired_on"):
        enterprise_active({"status": ENTERPRISE_ACTIVE, "retired_on": "3/1"}, day)
    with pytest.raises(InputError, match="leader"):
        inspector_roles(_inspector(leader="是"), day)
    with pytest.raises(InputError, match="specialties"):
        expert_in_pool({"status": EXPERT_ACTIVE, "specialties": "化工工艺"}, day, {"化工工艺"})
    assert expert_in_pool({"status": EXPERT_ACTIVE, "specialties": ["消防安全"]}, day, ())


# ---------------------------------------------------------------- properties

START = date(2026, 1, 1)
days = st.integers(-400, 400).map(lambda n: START + timedelta(days=n))
optional_days = st.none() | days


def _inspector(**kw: Any) -> Row:
    row: dict[str, Any] = {
        "person_id": "ZF001",
        "status": INSPECTOR_ACTIVE,
        "retired_on": None,
        "staffing": ON_STAFF,
        "cert_no": "示应急执字第0001号",
        "cert_expiry": "2099-12-31",
        "leader": False,
    }
    row.update(kw)
    return row


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(days)
    return start, start + timedelta(days=draw(st.integers(0, 120)))


@st.composite
def inspectors(draw: st.DrawFn) -> Row:
    retired = draw(optional_days)
    expiry = draw(optional_days)
    return _inspector(
        status=draw(st.sampled_from([INSPECTOR_ACTIVE, *INSPECTOR_RETIRED])),
        retired_on=None if retired is None else retired.isoformat(),
        staffing=draw(st.sampled_from([ON_STAFF, OFF_STAFF])),
        cert_no=draw(st.sampled_from(["", "示应急执字第0001号"])),
        cert_expiry=None if expiry is None else expiry.isoformat(),
        leader=draw(st.sampled_from([True, False, None])),
    )


@given(inspectors(), windows())
def test_retired_before_the_window_start_is_never_eligible(
    row: Row, window: tuple[date, date]
) -> None:
    start, end = window
    retired = row["retired_on"]
    if retired is not None and date.fromisoformat(retired) <= start:
        assert inspector_roles(row, end) == ()
        assert not in_service(row, end)
        assert not expert_in_pool({**row, "status": EXPERT_ACTIVE}, end, ())
        assert not enterprise_active({**row, "status": ENTERPRISE_ACTIVE}, start)


@given(inspectors(), windows())
def test_a_certificate_expiring_inside_the_window_is_never_eligible(
    row: Row, window: tuple[date, date]
) -> None:
    start, end = window
    expiry = row["cert_expiry"]
    if expiry is not None and start <= date.fromisoformat(expiry) < end:
        assert not certified(row, end)
        assert set(inspector_roles(row, end)) <= {ACCOMPANY}


@given(inspectors(), windows())
def test_pools_are_disjoint_and_follow_the_spec(row: Row, window: tuple[date, date]) -> None:
    """docs/spec/11-teams.md §11.4, restated: one role at most, and exactly the table's."""
    _, end = window
    retired, expiry = row["retired_on"], row["cert_expiry"]
    active = row["status"] == INSPECTOR_ACTIVE and (
        retired is None or date.fromisoformat(retired) > end
    )
    cert = (
        row["staffing"] == ON_STAFF
        and bool(row["cert_no"])
        and expiry is not None
        and date.fromisoformat(expiry) >= end
    )
    want: tuple[str, ...] = ()
    if active and row["staffing"] == OFF_STAFF:
        want = (ACCOMPANY,)
    elif active and cert:
        want = (LEADER,) if row["leader"] else (OFFICER,)
    assert inspector_roles(row, end) == want


@given(inspectors(), windows(), days)
def test_eligible_for_a_window_means_eligible_on_each_of_its_days(
    row: Row, window: tuple[date, date], day: date
) -> None:
    """A window's rule is its last day's: whoever qualifies for it qualifies on every day."""
    start, end = window
    if inspector_roles(row, end) and start <= day <= end:
        assert in_service(row, day)
        if row["staffing"] == ON_STAFF:
            assert certified(row, day)
