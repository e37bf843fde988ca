"""Coverage: the yearly cap, cycle exclusions, who is due, the 30% ratio."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.example import example_records

from suiji.cli import render
from suiji.draw.coverage import (
    DEFAULT_MIN_RATIO,
    DrawnTask,
    draws_in_year,
    exclusions,
    report,
)
from suiji.draw.derive import (
    derive_population,  # tasks loads py_ecc, which raises the recursion limit
)
from suiji.ledger.history import Recorded


def ent(uscc: str, **flags: Any) -> dict[str, Any]:
    return {"uscc": uscc, "name": f"单位{uscc}", "status": "在册", "retired_on": None, **flags}


def test_cap_and_cycle_exclusions() -> None:
    history = [
        DrawnTask("2026-001", "股", date(2026, 2, 1), ("A", "B")),
        DrawnTask("2026-002", "股", date(2026, 5, 1), ("A",)),
        DrawnTask("2025-009", "股", date(2025, 12, 1), ("C",)),
    ]
    capped = exclusions(history, year=2026, yearly_cap=2, exclude_drawn_this_year=False)
    assert list(capped) == ["A"] and "上限" in capped["A"]
    cycle = exclusions(history, year=2026, yearly_cap=2, exclude_drawn_this_year=True)
    assert sorted(cycle) == ["A", "B"]  # C was drawn in 2025: a new year, a new cycle


@given(
    st.lists(st.lists(st.sampled_from("ABCDEFG"), max_size=4, unique=True), max_size=8),
    st.integers(1, 3),
)
def test_over_cap_never_eligible(tasks: list[list[str]], cap: int) -> None:
    history = [DrawnTask(f"t{i}", "股", date(2026, 3, 1), tuple(t)) for i, t in enumerate(tasks)]
    excluded = exclusions(history, year=2026, yearly_cap=cap, exclude_drawn_this_year=False)
    counts = draws_in_year(history, 2026)
    for uscc, n in counts.items():
        assert (uscc in excluded) == (n >= cap)


def test_due_lists_key_units_yearly_and_flagged_half_yearly() -> None:
    rows = [
        ent("K1", key_unit=True),
        ent("K2", key_unit=True),
        ent("F1", complaints=True),
        ent("F2", blacklist=True),
        ent("H1", major_hazard=True),
        ent("R1", key_unit=True, status="注销", retired_on="2026-01-01"),
    ]
    history = [
        DrawnTask("t1", "危化股", date(2026, 3, 1), ("K1", "F1")),
        DrawnTask("t2", "危化股", date(2026, 8, 1), ("F2",)),
    ]
    rep = report(history, rows, [], today=date(2026, 9, 30))
    due = {(d.uscc, d.rule) for d in rep.due}
    # K1 covered this year; F1 covered only in the first half; F2 covered this half.
    assert due == {("K2", "key_unit"), ("F1", "flagged"), ("H1", "major_hazard")}


def test_ratio_per_unit_against_annual_plan() -> None:
    plan = [
        {"year": 2026, "unit": "危化股", "planned_total": 20, "planned_random": 8},
        {"year": 2026, "unit": "执法大队", "planned_total": 10, "planned_random": 2},
        {"year": 2026, "unit": "合计", "planned_total": 30, "planned_random": 10},
    ]
    history = [DrawnTask("t1", "危化股", date(2026, 3, 1), tuple("ABCDEF"))]
    rep = report(history, [], plan, today=date(2026, 6, 1))
    by_unit = {r.unit: r for r in rep.ratios}
    assert by_unit["危化股"].share == Fraction(6, 20)
    assert by_unit["危化股"].planned_share == Fraction(8, 20)
    assert by_unit["执法大队"].planned_share < DEFAULT_MIN_RATIO
    assert by_unit["合计"].done_random == 6
    text = render.coverage(rep)
    assert "计划占比 40.0%，达标" in text and "计划占比 20.0%，未达标" in text


@settings(deadline=None, max_examples=40)
@given(st.integers(1, 3), st.lists(st.integers(0, 316), min_size=1, max_size=40))
def test_enterprise_over_cap_is_never_in_the_population(cap: int, picks: list[int]) -> None:
    """Whatever earlier draws did, the committed population never holds an over-cap unit."""
    rows, plan = _example()
    active = sorted(str(r["uscc"]) for r in rows if r["status"] == "在册")
    history = [
        DrawnTask(f"t{i}", "股", date(2026, 2, 1), (active[p],)) for i, p in enumerate(picks)
    ]
    pop = derive_population(plan, rows, as_of=date(2026, 3, 1), drawn=history, yearly_cap=cap)
    counts = draws_in_year(history, 2026)
    members = {m.id for m in pop.members}
    for uscc, n in counts.items():
        assert (uscc in members) == (n < cap)
    assert all(dict(pop.excluded)[u] for u, n in counts.items() if n >= cap)


_CACHE: dict[str, Any] = {}


def _example() -> tuple[list[dict[str, Any]], Any]:
    """Example county's enterprises and plan 2026-001 (loaded once)."""
    if not _CACHE:
        from suiji import records
        from suiji.draw.planfile import load_plan

        base = example_records()
        _CACHE["rows"] = records.load_all(base, date(2026, 3, 1)).rows("enterprises")
        _CACHE["plan"] = load_plan(base / "plans" / "2026-001.toml")
    return _CACHE["rows"], _CACHE["plan"]


# ---------------------------------------------------------------- vectors (§12.1, §12.2)


@vectors.parametrize("coverage", "by_chance")
def test_by_chance_vectors(case: vectors.Case) -> None:
    from suiji.ledger.history import TaskState, drawn_by_chance
    from suiji.model.tasks import Commit, Draw

    commit = Recorded(1, "c" * 64, "2026-03-16T01:00:00Z", _commit(case.input["eligible"]))
    state = TaskState("t", commit=commit)  # type: ignore[arg-type]
    draw = Draw(
        "t", "股", 1, "c" * 64, None, (), "0" * 64, ("X",) * case.input["targets"], None, "0" * 64
    )
    assert isinstance(commit.body, Commit) and isinstance(draw, Draw)
    assert drawn_by_chance(state, draw) == case.output


@vectors.parametrize("coverage", "exclusions")
def test_exclusions_vectors(case: vectors.Case) -> None:
    i = case.input
    history = [
        DrawnTask(
            f"t{n}", "股", date.fromisoformat(d["drawn_on"]), tuple(d["targets"]), d["random"]
        )
        for n, d in enumerate(i["draws"])
    ]
    out = exclusions(
        history,
        year=i["year"],
        yearly_cap=i["yearly_cap"],
        exclude_drawn_this_year=i["exclude_drawn_this_year"],
    )
    assert out == case.output


def _commit(eligible: int) -> Any:
    from suiji.model.tasks import SNAPSHOT_RECORDS, Commit, ExtraOnly

    return Commit(
        task="t",
        name="n",
        unit="股",
        as_of="2026-03-16",
        plan_object="0" * 64,
        plan_source_object="0" * 64,
        snapshots=tuple((n, "0" * 64) for n in SNAPSHOT_RECORDS),
        population_object="0" * 64,
        eligible=eligible,
        beacon=ExtraOnly("2026-03-17T01:00:00Z"),
    )
