"""Person voids cannot walk to a chosen person: a later round decides each replacement.

A void names who leaves and a future round; `suiji replace` records the replacement once
that round exists (docs/spec/13-task-entries.md §13.5–§13.6, docs/spec/11-teams.md §11.9).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from tests.support.bureau import make_bureau, suiji

from suiji.crypto.keyfiles import load_private_key
from suiji.draw.derive import applied_void, derive_void, load_committed
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.ledger.taskhistory import history
from suiji.model.tasks import PersonReplace, PersonVoid
from suiji.shared.canonical import parse_canonical
from suiji.shared.findings import Finding
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import verify
from suiji.writing.people import replace_due, void_person
from suiji.writing.steps import TaskError, Writer

PLANS = Path("content") / "records" / "plans"
TASK = "2026-001"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
DRAW_AT = "2026-03-17T10:00:00+08:00"
INPUTS_AT = "2026-03-16T21:40:00+08:00"  # after the 福彩3D drawing, before the round
VOID_AT = "2026-03-18T09:00:00+08:00"
LATER = "2026-12-15T10:00:00+08:00"


def at(when: str) -> datetime:
    return datetime.fromisoformat(when)


def writer(root: Path, when: str) -> Writer:
    return Writer(root, load_private_key(root / "private" / "signing.key"), at(when), True)


def ledger_bytes(root: Path) -> bytes:
    return (root / "ledger" / "ledger.jsonl").read_bytes()


def findings(root: Path) -> list[Finding]:
    report = verify(root, now=at(LATER), checkers=default_checkers(), allow_demo=True)
    return list(report.findings)


def first_officer(root: Path, team_index: int = 0) -> tuple[str, str]:
    """(team, person) of a team's first officer (the first team's) as the teams stand now."""
    hist = history(root)
    state = hist.tasks[TASK]
    assert state.commit is not None and state.draw is not None
    store = ObjectStore(root)
    result = parse_canonical(store.get(state.draw.body.result_object))
    applied = [
        applied_void(
            v.body,
            v.hash,
            state.draw.body.seed,
            hist.beacons_by_seq[r.body.beacon_seq].body.randomness,
        )
        for v, r in zip(state.person_voids, state.replacements, strict=False)
    ]
    teams = derive_void(
        load_committed(store, state.commit.body), result, applied, seed=state.draw.body.seed
    )
    team = teams.teams[team_index]
    return team.key, team.officers[0].person


@pytest.fixture
def drawn(bureau: Path) -> Path:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / f"{TASK}.toml")) == 0
    assert suiji(bureau, INPUTS_AT, "inputs", TASK, "--extra", "福彩3D=371") == 0
    assert suiji(bureau, DRAW_AT, "draw", TASK) == 0
    return bureau


def _void_then_replace(root: Path, when: str, later: str) -> tuple[Entry, Entry]:
    team, person = first_officer(root)
    void = void_person(writer(root, when), TASK, team, person, "本人申请回避")
    (rep,) = replace_due(writer(root, later), TASK)
    return void, rep


def test_the_replacement_is_unknown_at_void_time_and_decided_by_the_later_round(
    drawn: Path,
) -> None:
    team, person = first_officer(drawn)
    void = void_person(writer(drawn, VOID_AT), TASK, team, person, "本人申请回避")
    body = void.typed_as(PersonVoid)
    assert "replacement" not in void.body  # nobody is named when the void is written
    assert (body.person, body.team, body.role) == (person, team, "officer")
    # The deciding round is the first strictly after the void's time plus 60 s.
    assert (body.available_at - void.moment).total_seconds() > 60
    # Before that round exists, nothing can be recorded, and nothing is.
    before = ledger_bytes(drawn)
    assert replace_due(writer(drawn, "2026-03-18T09:01:00+08:00"), TASK) == []
    assert ledger_bytes(drawn) == before
    assert suiji(drawn, "2026-03-18T09:05:00+08:00", "replace") == 0
    kinds = [e.kind for e in read_entries(drawn)]
    assert kinds[-3:] == ["person-void", "beacon", "person-replace"]
    rep_entry = list(read_entries(drawn))[-1]
    rep = rep_entry.typed_as(PersonReplace)
    assert (rep.void_seq, rep.void) == (void.seq, void.hash)
    assert findings(drawn) == []

    # The recorded replacement is the derivation from that round's randomness; other round
    # values give other replacements, so whoever wrote the void could not have chosen it.
    hist = history(drawn)
    state = hist.tasks[TASK]
    assert state.commit is not None and state.draw is not None
    store = ObjectStore(drawn)
    committed = load_committed(store, state.commit.body)
    result = parse_canonical(store.get(state.draw.body.result_object))
    seed = state.draw.body.seed

    def replacement_for(randomness: str) -> str:
        step = applied_void(body, void.hash, seed, randomness)
        return derive_void(committed, result, [step], seed=seed).voids[-1].replacement

    real = hist.beacons_by_seq[rep.beacon_seq].body.randomness
    assert replacement_for(real) == rep.replacement
    others = {replacement_for(hashlib.sha256(bytes([i])).hexdigest()) for i in range(12)}
    assert len(others - {rep.replacement}) >= 2
    assert person not in others | {rep.replacement}


def test_a_second_void_of_the_same_slot_is_refused_then_flagged(drawn: Path) -> None:
    _void, rep = _void_then_replace(drawn, VOID_AT, "2026-03-18T09:05:00+08:00")
    new = rep.typed_as(PersonReplace).replacement
    team, person = first_officer(drawn)
    assert person == new  # the replacement holds the voided person's place
    before = ledger_bytes(drawn)
    with pytest.raises(TaskError) as err:
        void_person(writer(drawn, "2026-03-19T09:00:00+08:00"), TASK, team, new, "请假")
    assert err.value.code == "void-slot-again"
    assert ledger_bytes(drawn) == before
    again = void_person(
        writer(drawn, "2026-03-19T09:00:00+08:00"), TASK, team, new, "请假", accept_finding=True
    )
    found = findings(drawn)
    assert [(f.seq, f.tag, f.code) for f in found] == [(again.seq, "compliance", "void-slot-again")]


def test_the_same_person_twice_is_refused_and_flagged(drawn: Path) -> None:
    """A void still waiting for its round cannot be written twice; the lifecycle flags one."""
    team, person = first_officer(drawn)
    void = void_person(writer(drawn, VOID_AT), TASK, team, person, "本人申请回避")
    with pytest.raises(TaskError) as err:
        void_person(writer(drawn, "2026-03-18T09:00:10+08:00"), TASK, team, person, "再次")
    assert err.value.code == "void-pending"
    again = replace(void.typed_as(PersonVoid), reason="再次")
    assert [v.code for v in history(drawn).check_person_void(TASK, again)] == ["void-slot-again"]


def test_a_void_after_the_window_starts_is_a_compliance_finding(drawn: Path) -> None:
    team, person = first_officer(drawn)
    before = ledger_bytes(drawn)
    in_window = "2026-04-02T09:00:00+08:00"  # 2026-001's window starts on 2026-04-01
    with pytest.raises(TaskError) as err:
        void_person(writer(drawn, in_window), TASK, team, person, "出差")
    assert err.value.code == "void-in-window"
    assert ledger_bytes(drawn) == before
    void = void_person(writer(drawn, in_window), TASK, team, person, "出差", accept_finding=True)
    replace_due(writer(drawn, "2026-04-02T09:05:00+08:00"), TASK)
    found = findings(drawn)
    assert [(f.seq, f.tag, f.code) for f in found] == [(void.seq, "compliance", "void-in-window")]


def test_report_counts_voids_per_task(drawn: Path) -> None:
    team, person = first_officer(drawn)
    void_person(writer(drawn, VOID_AT), TASK, team, person, "本人申请回避")
    report = verify(drawn, now=at(LATER), checkers=default_checkers(), allow_demo=True)
    assert report.to_json()["person_voids"] == [{"task": TASK, "voids": 1, "replaced": 0}]
    replace_due(writer(drawn, "2026-03-18T09:05:00+08:00"), TASK)
    report = verify(drawn, now=at(LATER), checkers=default_checkers(), allow_demo=True)
    assert report.person_voids == ((TASK, 1, 1),)


def test_an_extra_only_ledger_refuses_person_voids(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--extra-only", "--demo")  # no beacon chain
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / f"{TASK}.toml")) == 0
    assert suiji(root, INPUTS_AT, "inputs", TASK, "--extra", "福彩3D=371") == 0
    assert suiji(root, DRAW_AT, "draw", TASK) == 0
    team, person = first_officer(root)
    before = ledger_bytes(root)
    with pytest.raises(TaskError) as err:
        void_person(writer(root, VOID_AT), TASK, team, person, "本人申请回避")
    assert err.value.code == "void-needs-beacon"
    assert ledger_bytes(root) == before


def test_voids_applied_one_at_a_time_equal_all_at_once(drawn: Path) -> None:
    """The verifier carries the teams forward from void to void (linear replay): the same
    teams as applying every void from the draw again, and the ledger verifies."""
    whens = [
        ("2026-03-18T09:00:00+08:00", "2026-03-18T09:05:00+08:00"),
        ("2026-03-19T09:00:00+08:00", "2026-03-19T09:05:00+08:00"),
        ("2026-03-20T09:00:00+08:00", "2026-03-20T09:05:00+08:00"),
    ]
    for i, (when, later) in enumerate(whens):  # one slot each: a slot is voided once
        team, person = first_officer(drawn, i)
        void_person(writer(drawn, when), TASK, team, person, "本人申请回避")
        assert len(replace_due(writer(drawn, later), TASK)) == 1
    hist = history(drawn)
    state = hist.tasks[TASK]
    assert state.commit is not None and state.draw is not None
    assert len(state.replacements) == 3
    store = ObjectStore(drawn)
    committed = load_committed(store, state.commit.body)
    result = parse_canonical(store.get(state.draw.body.result_object))
    seed = state.draw.body.seed
    applied = [
        applied_void(v.body, v.hash, seed, hist.beacons_by_seq[r.body.beacon_seq].body.randomness)
        for v, r in zip(state.person_voids, state.replacements, strict=True)
    ]
    at_once = derive_void(committed, result, applied, seed=seed)
    stepwise = None
    for step in applied:
        stepwise = derive_void(committed, result, [step], seed=seed, start=stepwise)
    assert stepwise == at_once and len(at_once.voids) == 3
    assert findings(drawn) == []
