"""Teams, experts and person voids (suiji.teams, docs/spec/11-teams.md).

The property tests re-derive eligibility here, independently of suiji.teams, and check
every drawn team against it; a brute-force search checks that the first team is reported
infeasible exactly when no team satisfying the rules exists.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.example import example_records
from tests.support.vectors import Case

from suiji.draw.sampler import ticket
from suiji.draw.teamdraw import (
    TeamDraw,
    TeamInfeasible,
    VoidError,
    team_draw_from_json,
    team_draw_to_json,
)
from suiji.draw.teamrules import (
    TASK_TEAM,
    TeamRules,
    TeamRulesError,
    team_rules_from_json,
    team_rules_from_toml,
    team_rules_to_json,
)
from suiji.draw.teams import apply_void, draw_teams, replacement_seed, role_seed
from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.errors import InputError, UsageError

Row = dict[str, Any]
START, END = date(2026, 3, 2), date(2026, 3, 31)
SEED = tagged_hex("suiji/test/v1", b"teams")
GROUPS = {"第一片区": "第一检查组", "第二片区": "第二检查组", "第三片区": "第三检查组"}
USCC = ("91110000600037341L", "91110108551385082Q", "91310115591693856A", "91310110666007217T")


def inspector(
    pid: str,
    district: str = "第一片区",
    *,
    staffing: str = "编内",
    leader: bool = False,
    expiry: str | None = "2027-12-31",
    status: str = "在岗",
    retired_on: str | None = None,
) -> Row:
    """An inspector row as suiji.records hands it over (English alias keys)."""
    return {
        "person_id": pid,
        "name": f"人员{pid}",
        "cert_no": f"ZJ-{pid}" if staffing == "编内" else None,
        "cert_expiry": expiry if staffing == "编内" else None,
        "staffing": staffing,
        "position": "副局长" if leader else "科员",
        "unit": "执法大队",
        "group": None if leader else GROUPS[district],
        "district": None if leader else district,
        "leader": leader,
        "status": status,
        "retired_on": retired_on,
    }


def expert(eid: str, *specialties: str, status: str = "在库") -> Row:
    return {
        "expert_id": eid,
        "specialties": list(specialties),
        "status": status,
        "retired_on": None,
    }


def target(uscc: str, district: str = "第一片区") -> Row:
    return {"uscc": uscc, "district": district, "industry": "危险化学品使用"}


def draw(rules: TeamRules, targets: Sequence[Row], people: Sequence[Row], **kw: Any) -> TeamDraw:
    args: dict[str, Any] = {
        "seed": SEED,
        "targets": targets,
        "inspectors": people,
        "experts": [],
        "recusals": [],
        "rules": rules,
        "window_start": START,
        "window_end": END,
    }
    args.update(kw)
    return draw_teams(**args)


def order(seed: str, team: str, role: str, ids: Sequence[str]) -> list[str]:
    rs = role_seed(seed, team, role)
    return sorted(ids, key=lambda p: (ticket(rs, p), p))


BASIC = [
    inspector("L1", leader=True),
    inspector("L2", leader=True),
    *[inspector(f"A{i}", "第一片区") for i in range(1, 4)],
    *[inspector(f"B{i}", "第二片区") for i in range(1, 4)],
    inspector("X1", staffing="编外"),
]

# ---------------------------------------------------------------- rules


def test_rules_defaults_and_json() -> None:
    rules = team_rules_from_toml({}, "plan.toml [team]")
    assert rules == TeamRules()
    as_json = team_rules_to_json(rules)
    assert canonical_json(as_json) == (
        b'{"accompany":0,"experts":{"count":0,"load_limit":null,"specialties":[]},'
        b'"group_officer":true,"leader":true,"leader_load_limit":null,"load_limit":null,'
        b'"officers":2,"per":"target"}'
    )
    assert team_rules_from_json(parse_canonical(canonical_json(as_json))) == rules


def test_rules_full_table() -> None:
    table = {
        "per": "task",
        "officers": 3,
        "leader": False,
        "group_officer": False,
        "accompany": 1,
        "load_limit": 3,
        "leader_load_limit": 5,
        "experts": {"count": 2, "specialties": [" 化工工艺", "电气安全"], "load_limit": 2},
    }
    rules = team_rules_from_toml(table, "w")
    assert rules.expert_specialties == ("化工工艺", "电气安全")
    assert rules.limit_for("leader") == 5 and rules.limit_for("officer") == 3
    assert team_rules_from_toml({"load_limit": 3}, "w").limit_for("leader") is None
    assert rules.limit_for("accompany") == 3 and rules.limit_for("expert") == 2
    assert team_rules_from_json(team_rules_to_json(rules)) == rules
    assert team_rules_from_toml({"experts": {}}, "w").expert_count == 1


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"officers": 1}, "officers"),
        ({"officers": True}, "officers"),
        ({"officers": 2.0}, "officers"),
        ({"per": "enterprise"}, "per"),
        ({"leader": "是"}, "leader"),
        ({"accompany": -1}, "accompany"),
        ({"load_limit": 0}, "load_limit"),
        ({"leader_load_limit": 0}, "leader_load_limit"),
        ({"offcers": 2}, "offcers"),
        ({"experts": 2}, "experts"),
        ({"experts": {"count": 1, "specialty": []}}, "specialty"),
        ({"experts": {"specialties": "化工工艺"}}, "specialties"),
        ({"experts": {"specialties": ["化工工艺", "化工工艺 "]}}, "specialties"),
        ({"experts": {"specialties": [""]}}, "specialties"),
    ],
)
def test_rules_rejected_naming_where_and_key(table: dict[str, Any], key: str) -> None:
    with pytest.raises(TeamRulesError) as err:
        team_rules_from_toml(table, "plans/2026-01.toml [team]")
    assert "plans/2026-01.toml [team]" in str(err.value) and key in str(err.value)
    assert isinstance(err.value, InputError)


def test_rules_json_is_strict() -> None:
    good = team_rules_to_json(TeamRules())
    for bad in (
        {k: v for k, v in good.items() if k != "per"},
        {**good, "extra": 1},
        {**good, "load_limit": 0},
        {**good, "experts": {"count": 0, "specialties": []}},
        {**good, "experts": {**good["experts"], "specialties": [" 化工工艺"]}},
        [],
    ):
        with pytest.raises(TeamRulesError):
            team_rules_from_json(bad)


# ---------------------------------------------------------------- vectors


@vectors.parametrize("teams", "role_seed")
def test_role_seed_vectors(case: Case) -> None:
    v = case.input
    got = role_seed(v["seed"], v["team"], v["role"])
    assert got == case.output
    payload = canonical_json({"role": v["role"], "seed": v["seed"], "team": v["team"]})
    assert got == hashlib.sha256(b"suiji/team/v1\n" + payload).hexdigest()


def _inputs(case: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "seed": case["seed"],
        "targets": case["targets"],
        "inspectors": case["inspectors"],
        "experts": case["experts"],
        "recusals": case["recusals"],
        "window_start": date.fromisoformat(case["window"]["start"]),
        "window_end": date.fromisoformat(case["window"]["end"]),
    }


@vectors.parametrize("teams", "draw")
def test_draw_vectors(case: Case) -> None:
    v = case.input
    rules = team_rules_from_toml(v["team"], "vector")
    if case.rejects:
        with pytest.raises(TeamInfeasible) as err:
            draw_teams(rules=rules, **_inputs(v))
        assert vectors.error_code("teams", err.value) == case.error
        detail = vectors.case("teams", "teams_error_" + case.id.removeprefix("draw_reject_"))
        assert detail.input == {"draw": case.id}
        assert {"team": err.value.team, "rule": err.value.rule, "message": str(err.value)} == (
            detail.output
        )
        return
    got = draw_teams(rules=rules, **_inputs(v))
    assert team_draw_to_json(got) == case.output["result"]
    assert canonical_json(team_draw_to_json(got)).decode() == case.output["canonical"]


def test_draw_vector_depends_on_recusal_and_load_limit() -> None:
    """The recusal and the load limit each changed the result, as the vector claims."""
    case = vectors.case("teams", "draw_example")
    v, expect = case.input, case.output["result"]
    rules = team_rules_from_toml(v["team"], "vector")
    free = draw_teams(rules=rules, **{**_inputs(v), "recusals": []})
    assert team_draw_to_json(free) != expect
    unlimited = team_rules_from_toml(
        {**v["team"], "load_limit": 1000, "leader_load_limit": 1000}, "vector"
    )
    assert team_draw_to_json(draw_teams(rules=unlimited, **_inputs(v))) != expect


def test_every_reject_has_its_exact_teams_error() -> None:
    """The hashed text of a failed team draw is a vector for every infeasible case."""
    rejects = {
        c.id.removeprefix("draw_reject_") for c in vectors.cases("teams", "draw") if c.rejects
    }
    errors = {c.id.removeprefix("teams_error_") for c in vectors.cases("teams", "teams_error")}
    assert rejects == errors
    rules = {c.output["rule"] for c in vectors.cases("teams", "teams_error")}
    assert rules == {"leader", "group_officer", "officers", "accompany", "experts", "load_limit"}


@vectors.parametrize("teams", "replacement_seed")
def test_replacement_seed_vectors(case: Case) -> None:
    v = case.input
    assert replacement_seed(v["seed"], v["void"], v["randomness"]) == case.output


def test_a_later_round_reorders_the_replacement() -> None:
    """The same void under the draw's order and under a later round's: different people."""
    later = vectors.case("teams", "void_later_round")
    base = vectors.case("teams", "draw_example").input
    first = later.input["voids"][0]
    drawn = draw_teams(rules=team_rules_from_toml(base["team"], "vector"), **_inputs(base))
    step = {k: first[k] for k in ("team", "person", "reason")}
    by_draw = apply_void(drawn, **step, **_inputs(base))
    by_round = apply_void(drawn, **step, ticket_seed=first["ticket_seed"], **_inputs(base))
    assert by_draw.voids[0].replacement != by_round.voids[0].replacement
    with pytest.raises(VoidError):
        apply_void(drawn, **step, ticket_seed="X" * 64, **_inputs(base))


@vectors.parametrize("teams", "void")
def test_void_vectors(case: Case) -> None:
    base = vectors.case("teams", case.input["draw"]).input
    current = draw_teams(rules=team_rules_from_toml(base["team"], "vector"), **_inputs(base))
    for step in case.input["voids"]:
        current = apply_void(
            current,
            team=step["team"],
            person=step["person"],
            reason=step["reason"],
            ticket_seed=step.get("ticket_seed"),
            **_inputs(base),
        )
    assert team_draw_to_json(current) == case.output
    final = parse_canonical(canonical_json(team_draw_to_json(current)))
    assert team_draw_from_json(final) == current


# ---------------------------------------------------------------- behaviour


def test_certificate_must_cover_whole_window() -> None:
    people = [
        inspector("L1", leader=True),
        inspector("A1", expiry=END.isoformat()),  # last valid day = window end: eligible
        inspector("A2", expiry="2026-03-30"),  # expires inside the window
        inspector("A3", expiry=None),
        inspector("A4"),
    ]
    got = draw(TeamRules(), [target(USCC[0])], people)
    assert {o.person for o in got.teams[0].officers} == {"A1", "A4"}
    with pytest.raises(TeamInfeasible) as err:
        draw(TeamRules(), [target(USCC[0])], people, window_end=date(2026, 4, 1))
    assert err.value.rule == "officers"


def test_retired_and_inactive_people_are_not_drawn() -> None:
    people = [
        inspector("L1", leader=True, status="调离", retired_on="2026-01-01"),
        inspector("L2", leader=True, retired_on="2026-03-31"),  # leaves on the last day
        inspector("L3", leader=True, retired_on="2026-04-01"),
        inspector("A1"),
        inspector("A2"),
    ]
    assert draw(TeamRules(), [target(USCC[0])], people).teams[0].leader == "L3"


def test_off_staff_only_accompany() -> None:
    people = [
        inspector("L1", leader=True),
        inspector("A1"),
        inspector("X1", staffing="编外"),
        inspector("X2", staffing="编外"),
    ]
    with pytest.raises(TeamInfeasible) as err:
        draw(TeamRules(), [target(USCC[0])], people)
    assert err.value.rule == "officers"
    people.append(inspector("A2"))
    got = draw(TeamRules(accompany=2), [target(USCC[0])], people).teams[0]
    assert sorted(got.accompany) == ["X1", "X2"]
    assert sorted(o.person for o in got.officers) == ["A1", "A2"]


def test_group_officer_look_ahead() -> None:
    """Two non-group officers first in ticket order: the second must be skipped."""
    ids = ["P1", "P2", "P3", "P4"]
    ranked = order(SEED, USCC[0], "officer", ids)
    people = [inspector("L1", leader=True)]
    people += [inspector(p, "第二片区") for p in ranked[:2]]
    people += [inspector(p, "第一片区") for p in ranked[2:]]
    team = draw(TeamRules(), [target(USCC[0])], people).teams[0]
    assert [o.person for o in team.officers] == [ranked[0], ranked[2]]
    assert [o.group_officer for o in team.officers] == [False, True]
    # Without the group rule the walk simply takes the first two.
    team = draw(TeamRules(group_officer=False), [target(USCC[0])], people).teams[0]
    assert [o.person for o in team.officers] == ranked[:2]


def test_missing_group_officer_message() -> None:
    people = [
        inspector("L1", leader=True),
        inspector("B1", "第二片区"),
        inspector("B2", "第二片区"),
        inspector("A1", expiry="2026-03-01"),
    ]
    with pytest.raises(TeamInfeasible) as err:
        draw(TeamRules(), [target(USCC[0])], people)
    assert err.value.rule == "group_officer" and err.value.team == USCC[0]
    assert str(err.value).startswith(
        f"企业 {USCC[0]}：第一片区没有可抽取的第一检查组执法人员"
        "（状态、证件有效期、回避或负荷上限）"
    )


def test_recusal_excludes_everyone_in_every_role() -> None:
    people = [
        inspector("L1", leader=True),
        inspector("L2", leader=True),
        *[inspector(f"A{i}") for i in range(1, 5)],
        inspector("X1", staffing="编外"),
        inspector("X2", staffing="编外"),
    ]
    experts = [expert("E1", "化工工艺"), expert("E2", "化工工艺")]
    rules = TeamRules(accompany=1, expert_count=1)
    base = draw(rules, [target(USCC[0])], people, experts=experts).teams[0]
    recused = [{"person_id": pid, "uscc": USCC[0]} for _role, pid in base.members()]
    again = draw(rules, [target(USCC[0])], people, experts=experts, recusals=recused).teams[0]
    assert not {p for _r, p in base.members()} & {p for _r, p in again.members()}


def test_load_limit_spreads_people() -> None:
    targets = [target(u) for u in USCC[:3]]
    people = [
        inspector("L1", leader=True),
        inspector("L2", leader=True),
        *[inspector(f"A{i}") for i in range(1, 7)],
    ]
    got = draw(TeamRules(load_limit=1, leader_load_limit=2), targets, people)
    officers = [o.person for t in got.teams for o in t.officers]
    assert len(officers) == len(set(officers)) == 6
    leaders = [t.leader for t in got.teams]
    assert all(leaders.count(x) <= 2 for x in leaders)
    with pytest.raises(TeamInfeasible) as err:
        draw(TeamRules(load_limit=1, leader_load_limit=1), targets, people)
    assert (err.value.team, err.value.rule) == (USCC[2], "leader")


def test_task_wide_team() -> None:
    targets = [target(USCC[0]), target(USCC[1], "第二片区"), target(USCC[2])]
    rules = TeamRules(per="task")
    team = draw(rules, targets, BASIC).teams[0]
    assert team.key == TASK_TEAM and team.targets == USCC[:3]
    districts = {p["person_id"]: p["district"] for p in BASIC}
    assert {districts[o.person] for o in team.officers} == {"第一片区", "第二片区"}
    assert all(o.group_officer for o in team.officers)
    # A recusal for any one enterprise keeps the person off the task-wide team.
    recusals = [{"person_id": team.leader, "uscc": USCC[2]}]
    assert draw(rules, targets, BASIC, recusals=recusals).teams[0].leader != team.leader
    with pytest.raises(TeamInfeasible) as err:
        draw(TeamRules(per="task", load_limit=2), targets, BASIC)
    assert err.value.rule == "load_limit" and err.value.team == TASK_TEAM
    with pytest.raises(TeamInfeasible) as err:
        draw(rules, [*targets, target(USCC[3], "第三片区")], BASIC)
    assert err.value.rule == "group_officer"
    assert draw(rules, [], BASIC).teams == ()


def test_experts_by_specialty() -> None:
    experts = [
        expert("E1", "电气安全"),
        expert("E2", "化工工艺", "消防安全"),
        expert("E3", "消防安全"),
        expert("E4", "化工工艺", status="退出"),
    ]
    rules = team_rules_from_toml({"experts": {"count": 1, "specialties": ["化工工艺"]}}, "w")
    assert draw(rules, [target(USCC[0])], BASIC, experts=experts).teams[0].experts == ("E2",)
    rules = team_rules_from_toml({"experts": {"count": 2, "specialties": ["化工工艺"]}}, "w")
    with pytest.raises(TeamInfeasible) as err:
        draw(rules, [target(USCC[0])], BASIC, experts=experts)
    assert err.value.rule == "experts" and "化工工艺" in str(err.value)


def test_bad_inputs() -> None:
    with pytest.raises(UsageError):
        draw(TeamRules(), [target(USCC[0])], BASIC, seed="AB" * 32)
    with pytest.raises(UsageError):
        draw(TeamRules(), [target(USCC[0])], BASIC, window_start=date(2026, 4, 1))
    with pytest.raises(UsageError):
        draw(TeamRules(), [target(USCC[0]), target(USCC[0])], BASIC)
    with pytest.raises(InputError):
        draw(TeamRules(), [target(USCC[0])], [*BASIC, inspector("A1")])
    with pytest.raises(InputError):
        draw(TeamRules(), [target(USCC[0])], [*BASIC[:-1], {**BASIC[-1], "retired_on": "3/1"}])


def test_ids_are_compared_as_id_keys() -> None:
    people = [{**p, "person_id": p["person_id"].lower()} for p in BASIC]
    recusal = [{"person_id": "l1", "uscc": USCC[0].lower()}]
    a = draw(TeamRules(), [target(USCC[0].lower())], people, recusals=recusal)
    b = draw(TeamRules(), [target(USCC[0])], BASIC, recusals=[{"person_id": "L1", "uscc": USCC[0]}])
    assert a == b and a.teams[0].leader == "L2"


# ---------------------------------------------------------------- voids


def _void(
    d: TeamDraw, team: str, person: str, people: Sequence[Row], targets: Sequence[Row], **kw: Any
) -> TeamDraw:
    args: dict[str, Any] = {
        "seed": SEED,
        "targets": targets,
        "inspectors": people,
        "experts": [],
        "recusals": [],
        "window_start": START,
        "window_end": END,
    }
    args.update(kw)
    return apply_void(d, team=team, person=person, reason="申请回避", **args)


def test_void_replaces_with_next_in_ticket_order() -> None:
    targets = [target(USCC[0]), target(USCC[1])]
    d = draw(TeamRules(), targets, BASIC)
    first = d.teams[0]
    ranked = order(SEED, USCC[0], "leader", ["L1", "L2"])
    assert first.leader == ranked[0]
    after = _void(d, USCC[0], ranked[0], BASIC, targets)
    assert after.teams[0].leader == ranked[1] and after.teams[1] == d.teams[1]
    assert after.voids[0].replacement == ranked[1] and after.voids[0].role == "leader"
    # The first leader was voided from this team: there is nobody left.
    with pytest.raises(TeamInfeasible) as err:
        _void(after, USCC[0], ranked[1], BASIC, targets)
    assert err.value.rule == "leader" and "撤换" in str(err.value)


def test_void_keeps_group_officer() -> None:
    """Voiding the only group officer brings in the next group officer, at the same place."""
    ids = [f"P{i}" for i in range(1, 8)]
    r = order(SEED, USCC[0], "officer", ids)
    people = [inspector("L1", leader=True)]
    people += [inspector(p, "第一片区" if p in (r[2], r[3]) else "第二片区") for p in ids]
    targets = [target(USCC[0])]
    d = draw(TeamRules(), targets, people)
    assert [(o.person, o.group_officer) for o in d.teams[0].officers] == [
        (r[0], False),
        (r[2], True),
    ]
    after = _void(d, USCC[0], r[2], people, targets)
    # r[1] is skipped: the last place must go to a 第一片区 officer.
    assert [(o.person, o.group_officer) for o in after.teams[0].officers] == [
        (r[0], False),
        (r[3], True),
    ]
    with pytest.raises(TeamInfeasible) as err:
        _void(after, USCC[0], r[3], people, targets)
    assert err.value.rule == "group_officer"
    # Voiding the other officer needs no group officer: the next in order, r[1], comes in.
    other = _void(d, USCC[0], r[0], people, targets)
    assert [o.person for o in other.teams[0].officers] == [r[1], r[2]]


def test_void_errors() -> None:
    targets = [target(USCC[0])]
    d = draw(TeamRules(), targets, BASIC)
    outsider = next(p["person_id"] for p in BASIC if d.teams[0].role_of(p["person_id"]) is None)
    with pytest.raises(VoidError):
        _void(d, USCC[0], outsider, BASIC, targets)
    with pytest.raises(VoidError):
        _void(d, USCC[1], "L1", BASIC, targets)
    with pytest.raises(VoidError):
        _void(d, USCC[0], d.teams[0].officers[0].person, BASIC, targets, seed="0" * 64)
    with pytest.raises(VoidError):
        _void(d, USCC[0], d.teams[0].officers[0].person, BASIC, [target(USCC[1])])
    with pytest.raises(VoidError):
        apply_void(
            d,
            team=USCC[0],
            person=d.teams[0].officers[0].person,
            reason=" \u3000",
            seed=SEED,
            targets=targets,
            inspectors=BASIC,
            experts=[],
            recusals=[],
            window_start=START,
            window_end=END,
        )


def test_team_draw_json_is_strict() -> None:
    d = draw(TeamRules(accompany=1), [target(USCC[0])], BASIC)
    d = _void(d, USCC[0], d.teams[0].officers[0].person, BASIC, [target(USCC[0])])
    value = team_draw_to_json(d)
    assert team_draw_from_json(value) == d
    for bad in (
        {**value, "seed": "x"},
        {**value, "window": {"start": "2026-3-2", "end": "2026-03-31"}},
        {**value, "teams": [{**value["teams"][0], "leader": 1}]},
        {**value, "voids": [{**value["voids"][0], "role": "boss"}]},
        {k: v for k, v in value.items() if k != "voids"},
    ):
        with pytest.raises(InputError):
            team_draw_from_json(bad)


# ---------------------------------------------------------------- properties

DISTRICTS = list(GROUPS)
SPECIALTIES = ["化工工艺", "电气安全", "消防安全"]
EXPIRIES = [
    None,
    "2026-03-01",
    "2026-03-30",
    "2026-03-31",
    "2027-01-01",
    "2027-01-01",
    "2027-01-01",
]


@st.composite
def inspectors_st(draw_: st.DrawFn) -> list[Row]:
    """Small populations, mostly valid, so that both outcomes are common."""
    n = draw_(st.integers(0, 14))
    rows = []
    if draw_(st.booleans()):  # a sound core, so that feasible draws are common too
        rows += [inspector(f"ZL{i}", leader=True) for i in range(2)]
        rows += [inspector(f"Z{d[1]}{i}", d) for d in DISTRICTS[:2] for i in range(3)]
        rows += [inspector(f"ZX{i}", staffing="编外") for i in range(2)]
    for i in range(n):
        staffing = draw_(st.sampled_from(["编内"] * 5 + ["编外"]))
        rows.append(
            inspector(
                f"ZF{i:02d}",
                draw_(st.sampled_from(DISTRICTS)),
                staffing=staffing,
                leader=staffing == "编内" and draw_(st.integers(0, 3)) == 0,
                expiry=draw_(st.sampled_from(EXPIRIES)),
                status=draw_(st.sampled_from(["在岗"] * 6 + ["调离"])),
                retired_on=draw_(st.sampled_from([None] * 6 + ["2026-03-15", "2026-04-30"])),
            )
        )
    return rows


@st.composite
def experts_st(draw_: st.DrawFn) -> list[Row]:
    n = draw_(st.integers(0, 6))
    core = [expert(f"ZK{i}", *SPECIALTIES) for i in range(3)] if draw_(st.booleans()) else []
    return core + [
        expert(
            f"ZJ{i:02d}",
            *draw_(st.lists(st.sampled_from(SPECIALTIES), unique=True)),
            status=draw_(st.sampled_from(["在库", "在库", "在库", "退出"])),
        )
        for i in range(n)
    ]


rules_st = st.builds(
    TeamRules,
    per=st.sampled_from(["target", "target", "target", "task"]),
    officers=st.sampled_from([2, 2, 3]),
    leader=st.booleans(),
    group_officer=st.booleans(),
    accompany=st.sampled_from([0, 0, 1]),
    load_limit=st.sampled_from([None, None, 1, 2, 3]),
    leader_load_limit=st.sampled_from([None, None, 1, 2, 3]),
    expert_count=st.sampled_from([0, 0, 1, 2]),
    expert_specialties=st.lists(st.sampled_from(SPECIALTIES), unique=True, max_size=2).map(tuple),
    expert_load_limit=st.sampled_from([None, 1, 2]),
)


@st.composite
def world_st(draw_: st.DrawFn) -> dict[str, Any]:
    people = draw_(inspectors_st())
    experts = draw_(experts_st())
    n = draw_(st.integers(1, 4))
    targets = [target(USCC[i], draw_(st.sampled_from(DISTRICTS[:2]))) for i in range(n)]
    ids = [p["person_id"] for p in people] + [e["expert_id"] for e in experts]
    recusals = (
        draw_(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(USCC[:n])), max_size=4))
        if ids
        else []
    )
    return {
        "seed": draw_(st.binary(min_size=32, max_size=32)).hex(),
        "targets": targets,
        "inspectors": people,
        "experts": experts,
        "recusals": [{"person_id": p, "uscc": u} for p, u in recusals],
        "rules": draw_(rules_st),
        "window_start": START,
        "window_end": END,
    }


def _eligible(world: Mapping[str, Any], role: str, targets: Sequence[str]) -> set[str]:
    """Eligibility re-derived from docs/spec/11-teams.md, independently of suiji.teams."""
    recused = {r["person_id"] for r in world["recusals"] if r["uscc"] in targets}
    end = world["window_end"].isoformat()
    rules: TeamRules = world["rules"]
    out = set()
    if role == "expert":
        for e in world["experts"]:
            wanted = set(rules.expert_specialties)
            ok = e["status"] == "在库" and (not wanted or set(e["specialties"]) & wanted)
            if ok and e["expert_id"] not in recused:
                out.add(e["expert_id"])
        return out
    for p in world["inspectors"]:
        active = p["status"] == "在岗" and (p["retired_on"] is None or p["retired_on"] > end)
        cert = p["staffing"] == "编内" and p["cert_expiry"] is not None and p["cert_expiry"] >= end
        fits = {
            "leader": cert and p["leader"],
            "officer": cert and not p["leader"],
            "accompany": p["staffing"] == "编外",
        }[role]
        if active and fits and p["person_id"] not in recused:
            out.add(p["person_id"])
    return out


def _districts(world: Mapping[str, Any]) -> dict[str, str]:
    return {p["person_id"]: p["district"] for p in world["inspectors"]}


def _check_team_rules(world: Mapping[str, Any], d: TeamDraw) -> None:
    """Every invariant a drawn team must keep."""
    rules: TeamRules = world["rules"]
    district_of = _districts(world)
    target_district = {t["uscc"]: t["district"] for t in world["targets"]}
    loads: dict[tuple[str, str], int] = {}
    for team in d.teams:
        members = [p for _r, p in team.members()]
        assert len(members) == len(set(members))
        if rules.leader:
            assert team.leader in _eligible(world, "leader", team.targets)
        else:
            assert team.leader is None
        officers = [o.person for o in team.officers]
        assert len(officers) == rules.officers
        assert set(officers) <= _eligible(world, "officer", team.targets)
        needed = {target_district[u] for u in team.targets}
        if rules.group_officer:
            assert needed <= {district_of[o] for o in officers}
        flags = [o.group_officer for o in team.officers]
        assert flags == [district_of[o] in needed for o in officers]
        assert len(team.accompany) == rules.accompany
        assert set(team.accompany) <= _eligible(world, "accompany", team.targets)
        assert len(team.experts) == rules.expert_count
        assert set(team.experts) <= _eligible(world, "expert", team.targets)
        for role, person in team.members():
            key = ("e" if role == "expert" else "i", person)
            loads[key] = loads.get(key, 0) + len(team.targets)
            limit = rules.limit_for(role)
            assert limit is None or loads[key] <= limit


def _first_team_possible(world: Mapping[str, Any]) -> bool:
    """Brute force: does any team satisfy the rules for the first team, with no loads yet?"""
    rules: TeamRules = world["rules"]
    usccs = [t["uscc"] for t in world["targets"]]
    targets = usccs if rules.per == "task" else usccs[:1]
    n = len(targets)
    needed = {t["district"] for t in world["targets"] if t["uscc"] in targets}

    def ok(role: str) -> bool:
        limit = rules.limit_for(role)
        return limit is None or n <= limit

    if rules.leader and not (ok("leader") and _eligible(world, "leader", targets)):
        return False
    if rules.accompany and not (
        ok("accompany") and len(_eligible(world, "accompany", targets)) >= rules.accompany
    ):
        return False
    if rules.expert_count and not (
        ok("expert") and len(_eligible(world, "expert", targets)) >= rules.expert_count
    ):
        return False
    if not ok("officer"):
        return False
    district_of = _districts(world)
    pool = sorted(_eligible(world, "officer", targets))
    return any(
        not rules.group_officer or needed <= {district_of[p] for p in combo}
        for combo in itertools.combinations(pool, rules.officers)
    )


def _run(world: Mapping[str, Any]) -> TeamDraw | TeamInfeasible:
    try:
        return draw_teams(**world)
    except TeamInfeasible as exc:
        return exc


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(world_st())
def test_property_teams_keep_rules(world: dict[str, Any]) -> None:
    result = _run(world)
    first_key = TASK_TEAM if world["rules"].per == "task" else world["targets"][0]["uscc"]
    if isinstance(result, TeamInfeasible):
        assert result.rule in {
            "leader",
            "group_officer",
            "officers",
            "accompany",
            "experts",
            "load_limit",
        }
        assert result.team in {first_key, *(t["uscc"] for t in world["targets"])}
        label = "检查任务" if result.team == TASK_TEAM else f"企业 {result.team}"
        assert str(result).startswith(label)
        if result.team == first_key:
            assert not _first_team_possible(world)
        return
    assert _first_team_possible(world)
    _check_team_rules(world, result)
    assert team_draw_from_json(parse_canonical(canonical_json(team_draw_to_json(result)))) == result


def _outcome(result: TeamDraw | TeamInfeasible) -> Any:
    if isinstance(result, TeamInfeasible):
        return (result.team, result.rule, str(result))
    return team_draw_to_json(result)


@PROPS
@given(world_st(), st.randoms(use_true_random=False))
def test_property_row_order_never_matters(world: dict[str, Any], rnd: random.Random) -> None:
    shuffled = dict(world)
    for key in ("inspectors", "experts", "recusals"):
        rows = list(world[key])
        rnd.shuffle(rows)
        shuffled[key] = rows
    assert _outcome(_run(world)) == _outcome(_run(shuffled))
    assert _outcome(_run(world)) == _outcome(_run(dict(world)))


@PROPS
@given(
    world_st(), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 8)), min_size=1, max_size=3)
)
def test_property_voids(world: dict[str, Any], picks: list[tuple[int, int]]) -> None:
    result = _run(world)
    if isinstance(result, TeamInfeasible):
        return
    inputs = {k: v for k, v in world.items() if k != "rules"}
    current = result
    voided: dict[str, set[str]] = {}
    for team_pick, person_pick in picks:
        if not current.teams:
            return
        team = current.teams[team_pick % len(current.teams)]
        members = [p for _r, p in team.members()]
        person = members[person_pick % len(members)]
        try:
            after = apply_void(current, team=team.key, person=person, reason="请假", **inputs)
        except TeamInfeasible as exc:
            assert exc.team == team.key and str(exc).count("撤换") == 1
            return
        voided.setdefault(team.key, set()).add(person)
        changed = [t.key for t, u in zip(current.teams, after.teams, strict=True) if t != u]
        assert changed == [team.key]
        new_team = after.team(team.key)
        assert person not in {p for _r, p in new_team.members()}
        assert not voided[team.key] & {p for _r, p in new_team.members()}
        _check_team_rules(world, after)
        current = after
    # The draw plus the ordered voids determine the result: replay from scratch.
    replay = draw_teams(**world)
    for v in current.voids:
        replay = apply_void(replay, team=v.team, person=v.person, reason=v.reason, **inputs)
    assert replay == current
    assert team_draw_from_json(team_draw_to_json(current)) == current


# ---------------------------------------------------------------- the example county

RECORDS = example_records()


def test_example_county_teams() -> None:
    """Each example plan forms teams for sixteen enterprises, recused ones among them."""
    from suiji.draw.planfile import load_plan
    from suiji.records import load_all

    records = load_all(RECORDS, date(2026, 1, 1))
    inspectors, experts = records.rows("inspectors"), records.rows("experts")
    recusals = records.rows("recusals")
    active = [e for e in records.rows("enterprises") if e["status"] == "在册"]
    recused = {r["uscc"] for r in recusals}
    targets = [e for e in active if e["uscc"] in recused][:6]
    targets += [e for e in active if e["uscc"] not in recused][: 16 - len(targets)]
    seed = tagged_hex("suiji/test/v1", b"example-county")
    plans = sorted((RECORDS / "plans").glob("*.toml"))
    assert plans
    for path in plans:
        plan = load_plan(path)
        world = {
            "seed": seed,
            "targets": targets,
            "inspectors": inspectors,
            "experts": experts,
            "recusals": recusals,
            "rules": plan.team,
            "window_start": plan.window_start,
            "window_end": plan.window_end,
        }
        result = draw_teams(**world)
        assert len(result.teams) == len(targets)
        _check_team_rules(world, result)
