"""Typed entry bodies (suiji.model) and the one task lifecycle (suiji.ledger.history)."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from suiji.ledger.codec import Entry
from suiji.ledger.history import History, replayed
from suiji.ledger.reading import read_entries
from suiji.model.entries import DECODERS, Withdrawal, decode_body
from suiji.model.fields import EntryError
from suiji.model.genesis import MAX_YEARLY_CAP, Genesis, Policy
from suiji.model.keychange import KeyChange, key_body
from suiji.model.tasks import BeaconRound, ChainRound, Commit, CommitVoid, Draw, PersonVoid
from suiji.shared.errors import InputError


def entries(root: Path) -> list[Entry]:
    return list(read_entries(root))


def body_of(root: Path, kind: str) -> dict[str, Any]:
    return copy.deepcopy(next(e.body for e in entries(root) if e.kind == kind))


# ---------------------------------------------------------------- round trips


def test_every_body_of_the_demo_ledger_round_trips(demo_year: Path) -> None:
    seen = set()
    for entry in entries(demo_year):
        typed = decode_body(entry.kind, entry.body)
        assert typed is not None, entry.kind
        assert typed.to_json() == entry.body, entry.seq
        assert type(typed).from_json(typed.to_json()) == typed
        seen.add(entry.kind)
    assert seen == {
        "genesis",
        "commit",
        "commit-void",
        "extra-input",
        "beacon",
        "draw",
        "reveal",
        "person-void",
        "person-replace",
        "result",
        "withdrawal",
    }


def test_genesis_policy_and_free_members_round_trip(demo_year: Path) -> None:
    body = body_of(demo_year, "genesis")
    # the demo's policy names only its witnesses: every other member takes its default
    coverage = Genesis.from_json(body).coverage
    assert coverage.witnesses is not None and coverage.witnesses.threshold == 2
    assert dataclasses.replace(coverage, witnesses=None) == Policy()
    assert (Genesis.from_json(body).coverage.cap, Policy().min_percent) == (2, 30)
    for policy in ({}, {"yearly_cap": 1}, {"yearly_cap": 3, "min_random_percent": 0}):
        body["policy"] = policy
        genesis = Genesis.from_json(body)
        assert genesis.to_json() == body
        assert genesis.coverage.cap == policy.get("yearly_cap", 2)
    assert Genesis.from_json(body).others == {"name": body["name"]}


def test_key_and_withdrawal_bodies_round_trip() -> None:
    kid = "ab" * 32
    for body in (
        key_body("retire", genesis="00" * 32, key=kid, threshold=2, reason="离任"),
        key_body("revoke", genesis="00" * 32, key=kid, from_seq=3),
    ):
        assert KeyChange.from_json(body).to_json() == body
    withdrawal = {"withdrawn": [kid], "reason": "误传个人信息"}
    assert Withdrawal.from_json(withdrawal).to_json() == withdrawal


def test_kinds_without_a_model_are_free() -> None:
    assert decode_body("note", {"anything": [1, 2]}) is None
    assert set(DECODERS) >= {"genesis", "key", "withdrawal", "commit", "draw"}


# ---------------------------------------------------------------- rejects: code and path


def _rejects(decode: Any, body: Any, code: str, path: str) -> None:
    with pytest.raises(EntryError) as err:
        decode(body)
    assert (err.value.code, err.value.path) == (code, path), err.value.message
    assert isinstance(err.value, InputError)


@pytest.mark.parametrize(
    ("policy", "code", "path"),
    [
        ({"min_random_percent": 150}, "policy-range", "body.policy.min_random_percent"),
        ({"yearly_cap": 0}, "policy-range", "body.policy.yearly_cap"),
        ({"yearly_cap": MAX_YEARLY_CAP + 1}, "policy-range", "body.policy.yearly_cap"),
        ({"yearly_cap": "2"}, "policy-type", "body.policy.yearly_cap"),
        ({"yearly_cap": True}, "policy-type", "body.policy.yearly_cap"),
        ({"max_per_day": 1}, "policy-unknown", "body.policy.max_per_day"),
        ([2, 30], "policy-type", "body.policy"),
    ],
)
def test_genesis_policy_rejects(demo_year: Path, policy: Any, code: str, path: str) -> None:
    body = body_of(demo_year, "genesis")
    body["policy"] = policy
    _rejects(Genesis.from_json, body, code, path)


def test_genesis_rejects(demo_year: Path) -> None:
    good = body_of(demo_year, "genesis")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"origin": "has space"}, "bad-origin", "body.origin"),
        ({"demo": "yes"}, "wrong-type", "body.demo"),
        ({"draw_delay_seconds": None}, "wrong-type", "body.draw_delay_seconds"),
        ({"root_threshold": 2}, "out-of-range", "body.root_threshold"),
        ({"demo": False}, "demo-chain", "body.beacons"),
    ]
    for change, code, path in cases:
        _rejects(Genesis.from_json, {**good, **change}, code, path)
    bad_chain = copy.deepcopy(good)
    bad_chain["beacons"][0]["period"] = 0
    _rejects(Genesis.from_json, bad_chain, "out-of-range", "body.beacons[0].period")


def test_genesis_chains_are_interpreted_by_the_beacon_layer(demo_year: Path) -> None:
    genesis = Genesis.from_json(body_of(demo_year, "genesis"))
    chain = genesis.first_chain()
    assert chain is not None and genesis.chains() == (chain,) and chain.name == "suiji-demo"


def test_commit_rejects(demo_year: Path) -> None:
    good = body_of(demo_year, "commit")
    missing = {k: v for k, v in good.items() if k != "population_object"}
    _rejects(Commit.from_json, missing, "missing-member", "body.population_object")
    _rejects(Commit.from_json, {**good, "note": "x"}, "unknown-member", "body.note")
    _rejects(Commit.from_json, {**good, "eligible": "161"}, "wrong-type", "body.eligible")
    beacon = {**good["beacon"], "round": "1"}
    _rejects(Commit.from_json, {**good, "beacon": beacon}, "wrong-type", "body.beacon.round")
    beacon = {**good["beacon"], "round_time": "2026-01-13 01:00"}
    _rejects(Commit.from_json, {**good, "beacon": beacon}, "bad-time", "body.beacon.round_time")
    snaps = {k: v for k, v in good["snapshots"].items() if k != "recusals_object"}
    _rejects(
        Commit.from_json,
        {**good, "snapshots": snaps},
        "missing-member",
        "body.snapshots.recusals_object",
    )
    extra_only = {"source": "lottery", "draw_after": "2026-01-13T01:00:00Z"}
    _rejects(Commit.from_json, {**good, "beacon": extra_only}, "bad-source", "body.beacon.source")


def test_extra_only_terms(demo_year: Path) -> None:
    good = body_of(demo_year, "commit")
    good["beacon"] = {"source": "extra-only", "draw_after": "2026-01-13T01:00:00Z"}
    commit = Commit.from_json(good)
    assert commit.to_json() == good and not isinstance(commit.beacon, ChainRound)
    assert commit.available_at == datetime.fromisoformat("2026-01-13T01:00:00+00:00")


def test_task_entry_rejects(demo_year: Path) -> None:
    draw = body_of(demo_year, "draw")
    _rejects(
        Draw.from_json, {**draw, "extra": [{"name": "x"}]}, "missing-member", "body.extra[0].value"
    )
    _rejects(Draw.from_json, {**draw, "targets": [1]}, "wrong-type", "body.targets[0]")
    _rejects(Draw.from_json, {**draw, "beacon_seq": "2"}, "wrong-type", "body.beacon_seq")
    _rejects(Draw.from_json, {**draw, "result_object": "AB"}, "bad-hash", "body.result_object")
    void = body_of(demo_year, "commit-void")
    _rejects(CommitVoid.from_json, {**void, "commit_seq": None}, "wrong-type", "body.commit_seq")
    beacon = body_of(demo_year, "beacon")
    _rejects(BeaconRound.from_json, {**beacon, "extra": 1}, "unknown-member", "body.extra")
    person = body_of(demo_year, "person-void")
    _rejects(PersonVoid.from_json, {**person, "draw_seq": "14"}, "wrong-type", "body.draw_seq")
    _rejects(PersonVoid.from_json, [], "not-object", "body")


def test_key_and_withdrawal_rejects() -> None:
    kid = "ab" * 32
    body = key_body("retire", genesis="00" * 32, key=kid)
    _rejects(KeyChange.from_json, {**body, "action": "drop"}, "bad-action", "body.action")
    _rejects(KeyChange.from_json, {**body, "role": "root"}, "unknown-member", "body.role")
    _rejects(
        lambda b: KeyChange.from_json(b, genesis="11" * 32), body, "other-ledger", "body.genesis"
    )
    _rejects(Withdrawal.from_json, {"withdrawn": []}, "bad-withdrawal", "body.withdrawn")


# ---------------------------------------------------------------- the one lifecycle


def test_the_lifecycle_of_the_demo_year(demo_year: Path) -> None:
    all_entries = entries(demo_year)
    hist = replayed(all_entries)
    state = hist.tasks["2026-004"]
    first, second = (
        e.seq for e in all_entries if e.kind == "commit" and e.body["task"] == "2026-004"
    )
    assert [v.body.commit_seq for v in state.voided] == [first]
    assert state.commit is not None and state.commit.seq == second
    assert state.draw is not None and state.draw.body.commit_seq == second
    assert [v.body.person for v in hist.tasks["2026-003"].person_voids] == ["ZF032"]
    assert [r.body.replacement for r in hist.tasks["2026-003"].replacements] == ["ZF028"]
    assert hist.tasks["2026-003"].pending_voids == []
    assert (
        len(hist.drawn) == 6 and hist.due(datetime.fromisoformat("2027-01-01T00:00:00+08:00")) == []
    )
    # every rule holds for the demo's own entries, replayed in order
    fresh = History()
    for entry in all_entries:
        assert fresh.check(entry) == [], entry.seq
        fresh.apply(entry)
    # and the rules name what a second commitment or draw would break
    drawn_at = state.draw.moment
    assert [v.code for v in hist.check_commit("2026-004")] == ["commit-after-draw", "commit-twice"]
    assert [(v.code, v.fatal, v.seq) for v in hist.check_draw("2026-004", drawn_at)] == [
        ("draw-twice", True, state.draw.seq)
    ]
    assert [v.code for v in hist.check_draw("2099-001", drawn_at)] == ["draw-uncommitted"]
    assert [v.code for v in hist.check_person_void("2026-002")] == []
    assert [v.code for v in hist.check_person_void("2099-001")] == ["void-undrawn"]


def test_lifecycle_rules_before_a_draw(demo_year: Path) -> None:
    all_entries = entries(demo_year)
    first_commit = next(e for e in all_entries if e.kind == "commit")
    hist = replayed(all_entries[: first_commit.seq + 1])
    task = first_commit.typed_as(Commit)
    early = first_commit.moment
    assert [v.code for v in hist.check_draw(task.task, early)] == ["draw-early"]
    late_void = CommitVoid(task.task, first_commit.seq, first_commit.hash, "理由")
    assert [v.code for v in hist.check_commit_void(late_void, task.available_at)] == ["void-late"]
    wrong = CommitVoid(task.task, first_commit.seq, "0" * 64, "理由")
    assert [(v.code, v.fatal) for v in hist.check_commit_void(wrong, early)] == [
        ("void-unknown", True)
    ]


def test_the_verifier_never_loads_the_file_reading_history() -> None:
    code = "import sys, suiji.verify; print('suiji.ledger.taskhistory' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
