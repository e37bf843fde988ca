"""The target and item draw (suiji.draw, docs/spec/09-seed-and-targets.md, docs/spec/10-items.md).

The reference for every order is Rivest's own `consistent_sampler.sampler`; the vectors in
tests/vectors/draw.json pin the bytes; hypothesis checks the properties a bureau relies on
(row order is irrelevant, dropping an undrawn enterprise changes nobody else, quotas).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from consistent_sampler import first_fraction, sampler
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.example import example_records
from tests.support.vectors import Case

from suiji.draw.eligibility import enterprise_active
from suiji.draw.items import (
    ItemsError,
    applicable_items,
    check_items_feasible,
    draw_items,
    draw_items_for_targets,
    item_seed,
)
from suiji.draw.plan import DIRECTED, UNDIRECTED, Count, ExtraInput, Plan, Ratio, Size, Strata
from suiji.draw.population import (
    POPULATION_SCHEMA,
    DrawObjectError,
    Population,
    eligible,
    population_from_json,
    population_to_json,
)
from suiji.draw.sampler import (
    LOW_DIGITS,
    order,
    select_lowest,
    ticket,
    ticket_int_key,
    ticket_prefix_key,
)
from suiji.draw.seed import derive_seed, extra_inputs, seed_input
from suiji.draw.targets import (
    QuotaError,
    allocate,
    check_targets_feasible,
    draw_targets,
    largest_remainder,
    target_draw_from_json,
    target_draw_to_json,
)
from suiji.draw.teamrules import TeamRules
from suiji.records.schema import INDUSTRIES
from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.errors import InputError, UsageError
from suiji.shared.text import id_key

ROOT = Path(__file__).resolve().parents[1]
SEED = tagged_hex("suiji/test/v1", b"draw")
AS_OF = date(2026, 3, 1)
Row = dict[str, Any]


def make_plan(
    size: Size, *, filters: Sequence[tuple[str, tuple[Any, ...]]] = (), **kw: Any
) -> Plan:
    args: dict[str, Any] = {
        "task_id": "2026-009",
        "name": "测试任务",
        "year": 2026,
        "unit": "监督管理股",
        "kind": DIRECTED if filters else UNDIRECTED,
        "filters": tuple(filters),
        "size": size,
        "items_per_target": 2,
        "window_start": date(2026, 4, 1),
        "window_end": date(2026, 4, 30),
        "team": TeamRules(),
    }
    args.update(kw)
    return Plan(**args)


def enterprise(uscc: str, industry: str = "危险化学品使用", **kw: Any) -> Row:
    """An enterprise row as suiji.records hands it over (English alias keys)."""
    row: Row = {
        "uscc": uscc,
        "name": f"测试企业{uscc[-4:]}",
        "industry": industry,
        "affiliation": "县属",
        "township": "城关镇",
        "district": "第一片区",
        "scale": "小型",
        "risk": "一般风险",
        "key_unit": False,
        "complaints": False,
        "accidents": False,
        "penalties": False,
        "serious_violation": False,
        "blacklist": False,
        "major_hazard": False,
        "added_on": "2024-01-01",
        "status": "在册",
        "retired_on": None,
    }
    row.update(kw)
    return row


def uid(i: int) -> str:
    return f"9134112200000{i:05d}"


def rows(n: int, industries: Sequence[str] = INDUSTRIES) -> list[Row]:
    return [enterprise(uid(i), industries[i % len(industries)]) for i in range(n)]


def reference_order(ids: Sequence[str], seed: str) -> list[str]:
    return list(sampler(list(ids), seed=seed, output="id"))


# ---------------------------------------------------------------- vectors


@vectors.parametrize("draw", "ticket")
def test_vector_ticket_doctest(case: Case) -> None:
    seed, pid = case.input["seed"], case.input["id"]
    assert ticket(seed, pid) == case.output["ticket"]
    assert first_fraction(pid, seed) == case.output["ticket"]
    assert hashlib.sha256(seed.encode()).hexdigest() == case.output["sha256_hex_seed"]


@vectors.parametrize("draw", "seed")
def test_vector_seed(case: Case) -> None:
    v = case.input
    args: dict[str, Any] = {
        "task_id": v["task_id"],
        "commitment": v["commitment"],
        "chain_hash": v["chain_hash"],
        "round": v["round"],
        "randomness": v["randomness"],
        "extra": [(e["name"], e["value"]) for e in v["extra"]],
    }
    canonical_input, seed = case.output["canonical_input"], case.output["seed"]
    assert canonical_json(seed_input(**args)).decode() == canonical_input
    assert derive_seed(**args) == seed
    by_hand = hashlib.sha256(b"suiji/seed/v1\n" + canonical_input.encode()).hexdigest()
    assert by_hand == seed


@vectors.parametrize("draw", "order")
def test_vector_undirected_order(case: Case) -> None:
    ids, seed, out = case.input["ids"], case.input["seed"], case.output
    assert order(ids, seed) == out["order"] == reference_order(ids, seed)
    assert select_lowest(ids, seed, 3) == out["first_3"]
    assert {i: ticket(seed, i) for i in out["order"]} == out["tickets"]


@vectors.parametrize("draw", "allocation")
def test_vector_allocation(case: Case) -> None:
    sizes = [(s["stratum"], s["available"]) for s in case.input["sizes"]]
    got = largest_remainder(case.input["total"], sizes)
    assert [{"stratum": s, "quota": q} for s, q in got] == case.output["quotas"]
    # the vector has a tie in remainders (生产 and 使用, 7 each): byte order gives it to 使用
    assert dict(got)["危险化学品使用"] == dict(got)["危险化学品生产"] + 1


@vectors.parametrize("draw", "stratified")
def test_vector_stratified_draw(case: Case) -> None:
    v = case.input
    pop = population_from_json(v["population"])
    plan = make_plan(Strata("industry", total=v["total"]), task_id=pop.task_id)
    got = draw_targets(plan, pop, v["seed"], alternates=v["alternates_per_stratum"])
    assert target_draw_to_json(got) == case.output
    for stratum, ids in pop.groups().items():
        ref = reference_order(ids, v["seed"])
        mine = [p.id for p in got.selected if p.stratum == stratum]
        assert mine == ref[: len(mine)]


@vectors.parametrize("draw", "items")
def test_vector_items(case: Case) -> None:
    v, out = case.input, case.output
    assert (
        canonical_json({"seed": v["seed"], "target": v["target"]}).decode()
        == out["item_seed_input"]
    )
    assert item_seed(v["seed"], v["target"]) == out["item_seed"]
    as_of = date.fromisoformat(v["as_of"])
    assert applicable_items(v["industry"], v["checklist"], as_of=as_of) == out["applicable"]
    got = draw_items(v["seed"], v["target"], v["industry"], v["checklist"], v["n"], as_of=as_of)
    assert got == out["items"] == reference_order(out["applicable"], out["item_seed"])[: v["n"]]


# ---------------------------------------------------------------- tickets and order


def test_example_county_order_equals_sampler() -> None:
    """The example county's registry, exactly as Rivest's sampler orders it."""
    path = example_records() / "enterprises.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        ids = sorted({id_key(r["统一社会信用代码"]) for r in csv.DictReader(fh)})
    assert len(ids) > 50
    ref = reference_order(ids, SEED)
    assert order(ids, SEED) == ref
    for k in (1, 7, len(ids) // 3, len(ids)):
        assert select_lowest(ids, SEED, k) == ref[:k]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=0, max_size=120, unique=True),
    st.binary(min_size=32, max_size=32),
    st.integers(min_value=0, max_value=130),
)
def test_select_lowest_equals_sampler(ids: list[str], raw: bytes, k: int) -> None:
    seed = raw.hex()
    ref = reference_order(ids, seed)
    assert select_lowest(ids, seed, k) == ref[:k]
    assert order(ids, seed) == ref


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=200, max_value=3000), st.integers(min_value=1, max_value=60), st.randoms()
)
def test_select_lowest_equals_string_sort(n: int, k: int, rnd: random.Random) -> None:
    """Large enough populations for the zero-run filter to go several digits deep."""
    ids = [f"E{rnd.getrandbits(48):012x}" for _ in range(n)]
    ids = list(dict.fromkeys(ids))
    seed = f"{rnd.getrandbits(256):064x}"
    by_string = sorted(ids, key=lambda x: (ticket(seed, x), x))
    assert select_lowest(ids, seed, k) == by_string[:k]


def _ticket_of(n: int) -> str:
    return "0." + f"{n:064d}"[::-1]


def test_integer_keys_agree_with_string_compare() -> None:
    """Exact keys on crafted values: shared leading ticket digits, 64- to 78-digit N."""
    rnd = random.Random(20260301)
    values: list[int] = [0, 1, 10, 10**63, 10**64, 10**64 + 1, 2**256 - 1, 10**77, 10**77 - 1]
    for _ in range(400):
        low = rnd.randrange(10**6)
        for _ in range(3):  # same 6, 18 or 30 leading ticket digits, different rest
            width = rnd.choice((6, 18, 30))
            values.append(low + rnd.randrange(2**256 // 10**width) * 10**width)
        values.append(rnd.randrange(2**256))
        values.append(rnd.randrange(10**64))  # pads to exactly 64 digits
    values = [v for v in values if v < 2**256]
    tickets = [_ticket_of(v) for v in values]
    assert sorted(tickets) == sorted(tickets, key=ticket_int_key)
    for a, b in itertools.pairwise(values):
        ta, tb = _ticket_of(a), _ticket_of(b)
        assert (ta < tb) == (ticket_int_key(ta) < ticket_int_key(tb))
        assert (ta == tb) == (ticket_int_key(ta) == ticket_int_key(tb))
        if ticket_prefix_key(a) < ticket_prefix_key(b):
            assert ta < tb
        if ta < tb:
            assert ticket_prefix_key(a) <= ticket_prefix_key(b)
        assert str(ticket_prefix_key(a)).zfill(LOW_DIGITS) == ta[2 : 2 + LOW_DIGITS]
        assert str(ticket_prefix_key(a, 20)).zfill(20) == ta[2:22]


def test_select_lowest_edges() -> None:
    ids = [uid(i) for i in range(30)]
    ref = reference_order(ids, SEED)
    assert select_lowest(ids, SEED, 0) == []
    assert select_lowest([], SEED, 3) == []
    assert select_lowest(ids, SEED, 30) == ref
    assert select_lowest(ids, SEED, 99) == ref
    with pytest.raises(ValueError, match="duplicate"):
        select_lowest([*ids, ids[3]], SEED, 2)
    with pytest.raises(ValueError, match="duplicate"):
        order(["a", "b", "a"], SEED)


def test_ticket_accepts_any_text_seed() -> None:
    assert ticket("314159", "cd-1").startswith("0.317685817")  # consistent_sampler's doctest


# ---------------------------------------------------------------- seed


def _seed_args(**kw: Any) -> dict[str, Any]:
    v = vectors.case("draw", "seed_with_extra").input
    args: dict[str, Any] = {
        "task_id": v["task_id"],
        "commitment": v["commitment"],
        "chain_hash": v["chain_hash"],
        "round": v["round"],
        "randomness": v["randomness"],
        "extra": [("福彩3D", "371")],
    }
    args.update(kw)
    return args


@pytest.mark.parametrize(
    "change",
    [
        {"task_id": "2026-002"},
        {"round": 1000001},
        {"commitment": "0" * 64},
        {"randomness": "f" * 64},
        {"chain_hash": "1" * 64},
        {"extra": [("福彩3D", "372")]},
        {"extra": [("福彩3", "D371")]},
        {"extra": []},
        {"extra": [("福彩3D", "371"), ("骰子", "5")]},
    ],
)
def test_every_seed_input_matters(change: dict[str, Any]) -> None:
    assert derive_seed(**_seed_args(**change)) != derive_seed(**_seed_args())


@pytest.mark.parametrize(
    "bad",
    [
        {"task_id": "2026 001"},
        {"commitment": "AB" * 32},
        {"randomness": "abc"},
        {"round": 0},
        {"round": True},
        {"extra": [("福彩3D", " 371")]},
        {"extra": [("", "371")]},
    ],
)
def test_seed_rejects_bad_inputs(bad: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        derive_seed(**_seed_args(**bad))


def test_extra_inputs_follow_the_plan() -> None:
    plan = make_plan(
        Count(1),
        seed_extra=(ExtraInput("lottery", "福彩3D", "2026-070"), ExtraInput("dice", "掷骰")),
    )
    assert extra_inputs(plan, {"掷骰": "4", "福彩3D": " 371 "}) == (
        ("福彩3D", "371"),
        ("掷骰", "4"),
    )
    with pytest.raises(UsageError, match="缺少 掷骰"):
        extra_inputs(plan, {"福彩3D": "371"})
    with pytest.raises(UsageError, match="多出 体彩"):
        extra_inputs(plan, {"福彩3D": "371", "掷骰": "4", "体彩": "1"})
    assert extra_inputs(make_plan(Count(1)), {}) == ()


# ---------------------------------------------------------------- eligibility


def test_eligible_applies_status_retirement_filters_and_exclusions() -> None:
    plan = make_plan(
        Count(1),
        filters=(("industry", ("危险化学品经营（带储存）",)), ("key_unit", (True,))),
    )
    registry = [
        enterprise(uid(1), "危险化学品经营(带储存)", key_unit=True),  # half-width brackets
        enterprise(uid(2), "危险化学品经营（带储存）", key_unit=False),
        enterprise(
            uid(3),
            "危险化学品经营（带储存）",
            key_unit=True,
            status="注销",
            retired_on="2025-06-01",
        ),
        enterprise(uid(4), "危险化学品经营（带储存）", key_unit=True, retired_on="2026-03-01"),
        enterprise(uid(5), "危险化学品经营（带储存）", key_unit=True, retired_on="2026-03-02"),
        enterprise(uid(6), "危险化学品使用", key_unit=True),
        enterprise(uid(7).lower(), "危险化学品经营（带储存）", key_unit=True),
        enterprise(uid(8), "危险化学品经营（带储存）", key_unit=True),
    ]
    pop = eligible(plan, registry, as_of=AS_OF, exclude={uid(8): "已达年度抽查上限", uid(2): "x"})
    assert pop.ids == [uid(1), uid(5), uid(7)]
    assert {m.industry for m in pop.members} == {"危险化学品经营（带储存）"}
    assert pop.excluded == ((uid(8), "已达年度抽查上限"),)
    assert all(m.stratum is None for m in pop.members)


def test_enterprise_active_boundaries() -> None:
    assert enterprise_active(enterprise(uid(1)), AS_OF)
    assert not enterprise_active(enterprise(uid(1), retired_on="2026-03-01"), AS_OF)
    assert enterprise_active(enterprise(uid(1), retired_on="2026-03-02"), AS_OF)
    assert not enterprise_active(enterprise(uid(1), status="关闭"), AS_OF)


def test_eligible_strata_and_quota_restriction() -> None:
    registry = rows(21)
    total = eligible(make_plan(Strata("industry", total=7)), registry, as_of=AS_OF)
    assert {m.stratum for m in total.members} == set(INDUSTRIES)
    quotas = make_plan(Strata("industry", quotas=(("烟花爆竹零售", 1), ("危险化学品生产", 2))))
    pop = eligible(quotas, registry, as_of=AS_OF)
    assert Counter(m.stratum for m in pop.members) == {"烟花爆竹零售": 3, "危险化学品生产": 3}


def test_eligible_rejects_duplicate_ids() -> None:
    with pytest.raises(InputError, match="重复"):
        eligible(make_plan(Count(1)), [enterprise(uid(1)), enterprise(" " + uid(1))], as_of=AS_OF)
    with pytest.raises(InputError, match="重复"):
        closed = enterprise(uid(1), status="关闭", retired_on="2025-01-01")
        eligible(make_plan(Count(1)), [closed, enterprise(uid(1).lower())], as_of=AS_OF)


def test_population_json_round_trip_and_strictness() -> None:
    pop = eligible(
        make_plan(Strata("industry", total=3)),
        rows(10),
        as_of=AS_OF,
        exclude={uid(2): "本周期已抽中"},
    )
    d = population_to_json(pop)
    assert population_from_json(parse_canonical(canonical_json(d))) == pop
    assert d["schema"] == POPULATION_SCHEMA
    unsorted = dict(d, members=list(reversed(d["members"])))
    extra = dict(d, note="x")
    mixed = dict(d, by=None)
    for bad in (unsorted, extra, mixed):
        with pytest.raises(DrawObjectError):
            population_from_json(bad)


# ---------------------------------------------------------------- allocation and targets


def test_count_and_ratio() -> None:
    pop = eligible(make_plan(Count(1)), rows(41), as_of=AS_OF)
    assert allocate(make_plan(Ratio(1, 20, "5%")), pop)[0].quota == 3  # ceil(41/20)
    assert allocate(make_plan(Ratio(1, 41, "1/41")), pop)[0].quota == 1
    assert allocate(make_plan(Ratio(1, 1, "100%")), pop)[0].quota == 41
    draw = draw_targets(make_plan(Count(5)), pop, SEED, alternates=3)
    ref = reference_order(pop.ids, SEED)
    assert draw.ids == ref[:5]
    assert [p.id for p in draw.alternates] == ref[5:8]
    assert [p.ticket for p in draw.selected] == sorted(p.ticket for p in draw.selected)


def test_quota_errors_name_the_stratum() -> None:
    registry = rows(14)
    with pytest.raises(QuotaError, match="需抽取 15 家，但可抽查对象只有 14 家"):
        draw_targets(
            make_plan(Count(15)), eligible(make_plan(Count(15)), registry, as_of=AS_OF), SEED
        )
    plan = make_plan(Strata("industry", quotas=(("烟花爆竹批发", 3), ("危险化学品生产", 1))))
    pop = eligible(plan, registry, as_of=AS_OF)
    with pytest.raises(QuotaError, match="分层“烟花爆竹批发”需抽取 3 家，但可抽查对象只有 2 家"):
        check_targets_feasible(plan, pop)
    empty = make_plan(Count(1), filters=(("blacklist", (True,)),))
    with pytest.raises(QuotaError, match="没有符合条件"):
        allocate(empty, eligible(empty, registry, as_of=AS_OF))
    too_many = make_plan(Strata("industry", total=15))
    with pytest.raises(QuotaError, match="超过"):
        allocate(too_many, eligible(too_many, registry, as_of=AS_OF))


def test_plan_and_population_must_match() -> None:
    pop = eligible(make_plan(Count(1)), rows(5), as_of=AS_OF)
    with pytest.raises(UsageError):
        draw_targets(make_plan(Strata("industry", total=2)), pop, SEED)
    with pytest.raises(UsageError):
        draw_targets(make_plan(Count(1), task_id="2026-010"), pop, SEED)
    with pytest.raises(UsageError):
        draw_targets(make_plan(Count(1)), pop, "not a seed")


def test_target_draw_json_round_trip_and_tamper() -> None:
    plan = make_plan(Strata("industry", total=9))
    pop = eligible(plan, rows(40), as_of=AS_OF)
    draw = draw_targets(plan, pop, SEED)
    d = target_draw_to_json(draw)
    assert target_draw_from_json(parse_canonical(canonical_json(d))) == draw
    assert sum(q["quota"] for q in d["quotas"]) == 9 == len(d["selected"])
    spare = sum(min(5, q["available"] - q["quota"]) for q in d["quotas"])
    assert len(d["alternates"]) == spare > 0
    assert not {p["id"] for p in d["selected"]} & {p["id"] for p in d["alternates"]}
    swapped = dict(d, selected=list(reversed(d["selected"])))
    assert target_draw_from_json(swapped) != draw  # readable, and the verifier's compare fails
    with pytest.raises(DrawObjectError):
        target_draw_from_json(dict(d, quotas=[{"stratum": None, "quota": True, "available": 1}]))
    with pytest.raises(DrawObjectError):
        target_draw_from_json({k: v for k, v in d.items() if k != "seed"})


@settings(max_examples=60)
@given(
    st.integers(min_value=0, max_value=60),
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=7),
)
def test_largest_remainder_properties(total: int, counts: list[int]) -> None:
    names = [f"层{i}" for i in range(len(counts))]
    whole = sum(counts)
    if whole == 0 or total > whole:
        with pytest.raises(ValueError):
            largest_remainder(total, list(zip(names, counts, strict=True)))
        return
    got = dict(largest_remainder(total, list(zip(names, counts, strict=True))))
    assert sum(got.values()) == total
    for name, n in zip(names, counts, strict=True):
        exact = Fraction(total * n, whole)
        assert exact - 1 < got[name] <= exact + 1 and got[name] <= n
        assert got[name] in (
            exact.numerator // exact.denominator,
            -(-exact.numerator // exact.denominator),
        )


# ---------------------------------------------------------------- properties


registries = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400),
        st.sampled_from(INDUSTRIES[:4]),
        st.sampled_from(["在册", "在册", "在册", "注销"]),
        st.booleans(),
    ),
    min_size=0,
    max_size=60,
    unique_by=lambda t: t[0],
).map(
    lambda ts: [
        enterprise(
            uid(i),
            ind,
            status=status,
            key_unit=key,
            retired_on=None if status == "在册" else "2025-01-01",
        )
        for i, ind, status, key in ts
    ]
)

sizes = st.one_of(
    st.integers(min_value=1, max_value=12).map(Count),
    st.sampled_from([Ratio(1, 20, "5%"), Ratio(1, 3, "1/3"), Ratio(1, 1, "100%")]),
    st.integers(min_value=1, max_value=12).map(lambda t: Strata("industry", total=t)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)).map(
        lambda q: Strata("industry", quotas=((INDUSTRIES[0], q[0]), (INDUSTRIES[2], q[1])))
    ),
)


def _try_draw(plan: Plan, registry: Sequence[Row]) -> Any:
    pop = eligible(plan, registry, as_of=AS_OF)
    try:
        return target_draw_to_json(draw_targets(plan, pop, SEED, alternates=2))
    except QuotaError as exc:
        return ("QuotaError", str(exc))


@settings(max_examples=40, deadline=None)
@given(registries, sizes, st.randoms())
def test_row_order_never_matters(registry: list[Row], size: Size, rnd: random.Random) -> None:
    plan = make_plan(size)
    first = _try_draw(plan, registry)
    shuffled = list(registry)
    rnd.shuffle(shuffled)
    assert _try_draw(plan, shuffled) == first == _try_draw(plan, registry)


@settings(max_examples=40, deadline=None)
@given(registries, sizes)
def test_quotas_met_iff_population_allows(registry: list[Row], size: Size) -> None:
    plan = make_plan(size)
    pop = eligible(plan, registry, as_of=AS_OF)
    groups = {k: len(v) for k, v in pop.groups().items()}
    n = len(pop.members)
    if isinstance(size, Count):
        possible = 0 < size.n <= n
    elif isinstance(size, Ratio):
        possible = n > 0
    elif size.total is not None:
        possible = 0 < size.total <= n
    else:
        assert size.quotas is not None
        possible = all(q <= groups.get(s, 0) for s, q in size.quotas)
    if not possible:
        with pytest.raises(QuotaError):
            draw_targets(plan, pop, SEED)
        return
    draw = draw_targets(plan, pop, SEED)
    got = Counter(p.stratum for p in draw.selected)
    for q in draw.quotas:
        assert got[q.stratum] == q.quota <= q.available
        ref = reference_order(pop.groups()[q.stratum], SEED) if q.available else []
        assert [p.id for p in draw.selected if p.stratum == q.stratum] == ref[: q.quota]


@settings(max_examples=40, deadline=None)
@given(
    registries,
    st.sampled_from([Count(3), Strata("industry", quotas=((INDUSTRIES[1], 2),))]),
    st.data(),
)
def test_removing_an_unselected_candidate_changes_nobody(
    registry: list[Row], size: Size, data: st.DataObject
) -> None:
    plan = make_plan(size)
    pop = eligible(plan, registry, as_of=AS_OF)
    try:
        before = draw_targets(plan, pop, SEED, alternates=0)
    except QuotaError:
        return
    chosen = set(before.ids)
    others = [m for m in pop.members if m.id not in chosen]
    if not others:
        return
    gone = data.draw(st.sampled_from(others))
    smaller = Population(pop.task_id, pop.as_of, pop.by, tuple(m for m in pop.members if m != gone))
    after = draw_targets(plan, smaller, SEED, alternates=0)
    assert after.ids == before.ids


def test_same_inputs_same_result_across_calls() -> None:
    plan = make_plan(Strata("industry", total=6))
    pop = eligible(plan, rows(70), as_of=AS_OF)
    a = canonical_json(target_draw_to_json(draw_targets(plan, pop, SEED)))
    b = canonical_json(
        target_draw_to_json(draw_targets(plan, population_from_json(population_to_json(pop)), SEED))
    )
    assert a == b


# ---------------------------------------------------------------- items


def checklist_rows() -> list[Row]:
    def item(i: str, inds: list[str], status: str = "有效", retired: str | None = None) -> Row:
        return {
            "item_id": i,
            "title": "事项",
            "legal_basis": "《安全生产法》",
            "industries": inds,
            "status": status,
            "retired_on": retired,
        }

    return [
        item("WH-001", ["危险化学品使用", "危险化学品生产"]),
        item("WH-002", ["危险化学品使用"]),
        item("WH-003", ["危险化学品使用"], "废止", "2026-01-01"),
        item("wh-004", ["危险化学品使用"]),
        item("YH-001", ["烟花爆竹零售"]),
    ]


def test_items_apply_by_industry_and_status() -> None:
    items = checklist_rows()
    assert applicable_items("危险化学品使用", items, as_of=AS_OF) == ["WH-001", "WH-002", "WH-004"]
    assert applicable_items("危险化学品使用", items, as_of=date(2025, 12, 31)) == [
        "WH-001",
        "WH-002",
        "WH-004",
    ]  # status 废止 counts, whatever the date
    text_cell = [dict(items[0], industries="危险化学品生产、危险化学品使用")]
    assert applicable_items("危险化学品生产", text_cell, as_of=AS_OF) == ["WH-001"]
    got = draw_items(SEED, uid(1), "危险化学品使用", items, 2, as_of=AS_OF)
    assert got == reference_order(["WH-001", "WH-002", "WH-004"], item_seed(SEED, uid(1)))[:2]
    with pytest.raises(ItemsError, match="烟花爆竹零售"):
        draw_items(SEED, uid(1), "烟花爆竹零售", items, 2, as_of=AS_OF)
    with pytest.raises(InputError, match="重复"):
        applicable_items("危险化学品使用", [*items, items[0]], as_of=AS_OF)


def test_items_feasibility_and_per_target() -> None:
    plan = make_plan(Count(2))
    pop = eligible(plan, rows(6, ["危险化学品使用", "危险化学品生产"]), as_of=AS_OF)
    with pytest.raises(ItemsError, match="危险化学品生产”只有 1 项"):
        check_items_feasible(plan, pop, checklist_rows())
    fine = make_plan(Count(2), items_per_target=1)
    check_items_feasible(fine, pop, checklist_rows())
    draw = draw_targets(fine, pop, SEED)
    per = draw_items_for_targets(fine, pop, draw, checklist_rows())
    assert list(per) == draw.ids and all(len(v) == 1 for v in per.values())


# ---------------------------------------------------------------- the example county


@pytest.fixture(scope="module")
def county() -> Any:
    from suiji.records import load_all

    return load_all(example_records(), date(2026, 3, 1))


@pytest.mark.parametrize("task", ["2026-001", "2026-002", "2026-003"])
def test_example_plans_draw_on_the_example_county(county: Any, task: str) -> None:
    """Each example plan is feasible on the example registries and draws as the sampler would."""
    from suiji.draw.planfile import load_plan

    plan = load_plan(example_records() / "plans" / f"{task}.toml")
    as_of = date(2026, 3, 1)
    enterprises, checklist = county["enterprises"].rows(), county["checklist"].rows()
    pop = eligible(plan, enterprises, as_of=as_of)
    check_targets_feasible(plan, pop)
    check_items_feasible(plan, pop, checklist)
    draw = draw_targets(plan, pop, SEED)
    by_id = {r["uscc"]: r for r in enterprises}
    for q in draw.quotas:
        ref = reference_order(pop.groups()[q.stratum], SEED)
        assert [p.id for p in draw.selected if p.stratum == q.stratum] == ref[: q.quota]
    for p in draw.selected:
        row = by_id[p.id]
        assert enterprise_active(row, as_of)
        assert all(row[k] in v for k, v in plan.filters)
    items = draw_items_for_targets(plan, pop, draw, checklist)
    assert all(len(v) == plan.items_per_target for v in items.values())
