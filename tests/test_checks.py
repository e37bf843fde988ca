"""`suiji verify` re-derives every draw: tampering re-signed with the bureau's key is caught."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support.bureau import DEMO_NOW
from tests.support.resign import find, get, put, resign

from suiji.beacon.chain import randomness_of
from suiji.beacon.sources import demo_sign_round
from suiji.shared.canonical import canonical_json
from suiji.shared.findings import Finding
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import verify


def findings(root: Path) -> list[Finding]:
    report = verify(
        root, now=datetime.fromisoformat(DEMO_NOW), checkers=default_checkers(), allow_demo=True
    )
    return list(report.findings)


def codes(root: Path) -> set[str]:
    return {f.code for f in findings(root)}


def test_demo_year_verifies(demo_year: Path) -> None:
    assert findings(demo_year) == []


def test_resign_alone_keeps_the_ledger_valid(demo_copy: Path) -> None:
    """The tamper helper itself breaks nothing: a control for the tests below."""
    resign(demo_copy, lambda root, values: None, expect_change=False)
    assert findings(demo_copy) == []


def _population_short(root: Path, values: list[dict[str, Any]]) -> None:
    commit = find(values, "commit", "2026-001")
    pop = get(root, commit["body"]["population_object"])
    pop["members"] = pop["members"][1:]
    commit["body"]["population_object"] = put(root, pop)
    commit["body"]["eligible"] -= 1


def _swap_target(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    alternate = result["targets"]["alternates"][0]["id"]
    assert alternate != result["targets"]["selected"][0]["id"]  # the swap changes bytes
    result["targets"]["selected"][0]["id"] = alternate
    result["items"][0]["target"] = alternate
    drawn["body"]["targets"][0] = alternate
    drawn["body"]["result_object"] = put(root, result)


def _change_quota(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-003")
    result = get(root, drawn["body"]["result_object"])
    result["targets"]["quotas"][0]["quota"] += 1
    drawn["body"]["result_object"] = put(root, result)


def _other_round(root: Path, values: list[dict[str, Any]]) -> None:
    b = find(values, "beacon")
    signature = demo_sign_round(b["body"]["round"] + 1)
    b["body"]["signature"] = signature
    b["body"]["randomness"] = randomness_of(signature)


def _swap_team_member(root: Path, values: list[dict[str, Any]]) -> None:
    """Two officers trade teams. The draw is random per run (fresh demo keys), so two teams
    may share an officer at a position: the pair swapped is one that makes a difference."""
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    teams = result["teams"]["teams"]

    def people(team: dict[str, Any]) -> set[str]:
        return {o["person"] for o in team["officers"]}

    a, b, k = next(
        (a, b, k)
        for i, a in enumerate(teams)
        for b in teams[i + 1 :]
        for k in range(min(len(a["officers"]), len(b["officers"])))
        if a["officers"][k]["person"] not in people(b)
        and b["officers"][k]["person"] not in people(a)
    )
    before = canonical_json(result)
    a["officers"][k]["person"], b["officers"][k]["person"] = (
        b["officers"][k]["person"],
        a["officers"][k]["person"],
    )
    assert canonical_json(result) != before  # the swap changes the result's bytes
    drawn["body"]["result_object"] = put(root, result)


def _swap_item(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    first, second = result["items"][0]["items"], result["items"][1]["items"]
    assert first[0] != second[0]  # the swap changes bytes
    first[0], second[0] = second[0], first[0]
    drawn["body"]["result_object"] = put(root, result)


def _replace_target_everywhere(root: Path, values: list[dict[str, Any]]) -> None:
    """A target replaced in the draw, its items and its team: consistent, but not the draw."""
    drawn = find(values, "draw", "2026-002")
    result = get(root, drawn["body"]["result_object"])
    old = result["targets"]["selected"][-1]["id"]
    new = result["targets"]["alternates"][0]["id"]
    assert new != old  # the replacement changes bytes
    result = _rename(result, old, new)
    drawn["body"]["targets"] = [new if t == old else t for t in drawn["body"]["targets"]]
    drawn["body"]["result_object"] = put(root, result)


def _rename(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    return new if value == old else value


def _other_replacement(root: Path, values: list[dict[str, Any]]) -> None:
    """The bureau records the officer it prefers instead of the one the round decided."""
    rep = find(values, "person-replace")
    assert rep["body"]["replacement"] != "ZF023"
    rep["body"]["replacement"] = "ZF023"


def _void_on_a_public_round(root: Path, values: list[dict[str, Any]]) -> None:
    """The void names a round already public (the draw's), so its outcome is known."""
    void = find(values, "person-void")
    drawn = find(values, "draw", void["body"]["task"])
    beacon = values[drawn["body"]["beacon_seq"]]["body"]
    assert void["body"]["beacon"]["round"] != beacon["round"]  # the edit changes bytes
    void["body"]["beacon"]["round"] = beacon["round"]


def _replacement_seed(root: Path, values: list[dict[str, Any]]) -> None:
    rep = find(values, "person-replace")
    assert rep["body"]["seed"] != "0" * 64  # the edit changes bytes
    rep["body"]["seed"] = "0" * 64


def _drop_enterprise(root: Path, values: list[dict[str, Any]]) -> None:
    """The last commitment's registry snapshot silently loses a row (no retirement)."""
    commit = find(values, "commit", "2026-003")
    data = (
        root / "ledger" / "objects" / commit["body"]["snapshots"]["enterprises_object"]
    ).read_bytes()
    lines = data.split(b"\n")

    header = json.loads(lines[0])
    header["rows"] -= 1
    from suiji.ledger.append import put_object
    from suiji.shared.canonical import canonical_json

    kept = [canonical_json(header), *lines[1:3], *lines[4:]]
    commit["body"]["snapshots"]["enterprises_object"] = put_object(root, b"\n".join(kept))


def _late_commit_void(root: Path, values: list[dict[str, Any]]) -> None:
    void = find(values, "commit-void")
    assert void["time"] != "2026-03-22T00:00:00Z"  # the edit changes bytes
    void["time"] = "2026-03-22T00:00:00Z"  # after its round (2026-03-21T01:00:00Z)


def _seed(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-002")
    assert drawn["body"]["seed"] != "0" * 64  # the edit changes bytes
    drawn["body"]["seed"] = "0" * 64


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_population_short, "population"),
        (_swap_target, "draw-result"),
        (_change_quota, "draw-result"),
        (_other_round, "beacon-signature"),
        (_swap_team_member, "draw-result"),
        (_swap_item, "draw-result"),
        (_replace_target_everywhere, "draw-targets"),
        (_other_replacement, "void-replacement"),
        (_void_on_a_public_round, "void-round"),
        (_replacement_seed, "replace-seed"),
        (_drop_enterprise, "registry-dropped"),
        (_late_commit_void, "void-late"),
        (_seed, "seed"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)).strip("_"),
)
def test_resigned_tampering_is_caught(demo_copy: Path, edit: Any, expected: str) -> None:
    before = (demo_copy / "ledger" / "ledger.jsonl").read_bytes().splitlines()
    changed = resign(demo_copy, edit)
    # the forgery is in place: the targeted entry's bytes (its body, not only its
    # re-chained link and signature) differ from the honest ledger's
    assert changed is not None
    after = (demo_copy / "ledger" / "ledger.jsonl").read_bytes().splitlines()

    def signed(line: bytes) -> tuple[Any, ...]:
        v = json.loads(line)
        return v["kind"], v["time"], v["body"]

    assert signed(after[changed]) != signed(before[changed])
    found = findings(demo_copy)
    # Every finding is about integrity, except that results recorded against the true
    # draw no longer match a forged one (compliance findings with the result-* codes).
    assert found and all(f.tag == "integrity" or f.code.startswith("result-") for f in found)
    # The first problem reported is the tampered entry itself, for the right reason; later
    # findings are consequences (a changed commitment hash changes every later seed).
    first = min(f.seq for f in found if f.seq is not None)
    assert first == changed, found
    assert expected in {f.code for f in found if f.seq == changed}, found


# ---------------------------------------------------------------- verify --no-cache


def _poison(round: int, signature: str) -> None:
    """Someone who can write the cache file vouches for a forged signature (§8.8)."""
    from suiji.beacon.cache import VerifiedCache
    from suiji.beacon.chain import chain_facts, chain_from_facts

    demo = chain_from_facts(chain_facts("suiji-demo"))
    VerifiedCache()._remember(demo, round, signature, randomness_of(signature))


def _beacon_codes(root: Path, seq: int, **kw: Any) -> set[str]:
    checkers = default_checkers(use_cache=kw.pop("use_cache", True))
    report = verify(
        root, now=datetime.fromisoformat(DEMO_NOW), checkers=checkers, allow_demo=True, **kw
    )
    return {f.code for f in report.findings if f.seq == seq}


def test_no_cache_ignores_a_poisoned_cache(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "poisoned"))  # not the session's cache
    changed = resign(demo_copy, _other_round)
    assert changed is not None

    forged = json.loads((demo_copy / "ledger" / "ledger.jsonl").read_bytes().splitlines()[changed])
    body = forged["body"]
    assert body["signature"] == demo_sign_round(body["round"] + 1)  # the forgery is in place
    _poison(body["round"], body["signature"])
    # the documented limit of a cache: whoever writes the file can vouch for a forgery
    assert "beacon-signature" not in _beacon_codes(demo_copy, changed)
    # --no-cache (the CLI option, the checkers' flag, or verify's) checks the pairing itself
    assert "beacon-signature" in _beacon_codes(demo_copy, changed, use_cache=False)
    assert "beacon-signature" in _beacon_codes(demo_copy, changed, beacon_cache=False)
    from suiji.cli.app import main

    assert main(["verify", "--root", str(demo_copy), "--allow-demo", "--no-cache"]) == 1


def test_cache_entry_for_one_signature_never_validates_another(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "poisoned"))

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        b = find(values, "beacon")
        signature = demo_sign_round(b["body"]["round"] + 2)
        b["body"]["signature"] = signature
        b["body"]["randomness"] = randomness_of(signature)

    changed = resign(demo_copy, edit)
    assert changed is not None

    body = json.loads((demo_copy / "ledger" / "ledger.jsonl").read_bytes().splitlines()[changed])[
        "body"
    ]
    # signature A (round + 1's) is vouched for at this round; the ledger carries B (round + 2's)
    _poison(body["round"], demo_sign_round(body["round"] + 1))
    assert "beacon-signature" in _beacon_codes(demo_copy, changed)


# ---------------------------------------------------------------- withdrawals of draw inputs


def _forge_append(root: Path, kind: str, body: dict[str, Any]) -> int:
    """Append one entry signed with the bureau's own key, checkpoint re-signed (no checks)."""

    from suiji.crypto.keyfiles import load_private_key
    from suiji.ledger.codec import encode_entry
    from suiji.shared.canonical import tagged_hex
    from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
    from suiji.standards.merkle import merkle_root

    key = load_private_key(root / "private" / "signing.key")
    path = root / "ledger" / "ledger.jsonl"
    lines = path.read_bytes().splitlines()
    last = json.loads(lines[-1])
    line = encode_entry(
        seq=len(lines),
        prev=tagged_hex("suiji/entry/v1", lines[-1]),
        kind=kind,
        time=last["time"],
        body=body,
        key=key,
    )
    lines.append(line)
    path.write_bytes(b"".join(x + b"\n" for x in lines))
    origin = json.loads(lines[0])["body"]["origin"]
    cp = Checkpoint(origin, len(lines), merkle_root(lines))
    (root / "ledger" / "checkpoint").write_bytes(sign_checkpoint(cp, origin, key))
    (root / "ledger" / ".writer-cache.json").unlink(missing_ok=True)
    return len(lines) - 1


def _commit_population(root: Path) -> str:

    for line in (root / "ledger" / "ledger.jsonl").read_bytes().splitlines():
        value = json.loads(line)
        if value["kind"] == "commit":
            return str(value["body"]["population_object"])
    raise LookupError("commit")


def test_withdrawing_a_draw_input_is_refused_and_reported(demo_copy: Path) -> None:
    from datetime import timedelta

    from suiji.crypto.keyfiles import load_private_key
    from suiji.ledger.append import append
    from suiji.shared.errors import Refusal

    oid = _commit_population(demo_copy)
    ledger = demo_copy / "ledger" / "ledger.jsonl"
    before = ledger.read_bytes()
    body = {"withdrawn": [oid], "reason": "开奖结果更正"}
    with pytest.raises(Refusal) as raised:
        append(
            demo_copy,
            "withdrawal",
            body,
            key=load_private_key(demo_copy / "private" / "signing.key"),
            now=datetime.fromisoformat(DEMO_NOW) + timedelta(days=1),
            clock_overridden=True,
        )
    assert "withdrawal-draw-input" in str(raised.value)
    assert ledger.read_bytes() == before  # nothing written
    seq = _forge_append(demo_copy, "withdrawal", body)
    assert ledger.read_bytes() != before
    (demo_copy / "ledger" / "objects" / oid).unlink()
    found = findings(demo_copy)
    assert ("withdrawal-draw-input", seq) in {(f.code, f.seq) for f in found}, found
    assert "object-missing" in {f.code for f in found}  # the withdrawal excuses nothing
