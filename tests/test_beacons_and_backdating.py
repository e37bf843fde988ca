"""Only public beacons, the first chain only, demo ledgers said and failed, and backdating.

Attacks are forged the way a dishonest bureau would: with its own keys (root and signing),
every hash, link and checkpoint recomputed (tests/support/resign.py), so only the targeted
change remains. Each test first checks that the forgery changed what it meant to, then
the finding code at the expected entry.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from py_ecc.bls.point_compression import compress_G2
from py_ecc.optimized_bls12_381.optimized_curve import G2, multiply
from tests.support import vectors
from tests.support.bureau import make_bureau, suiji
from tests.support.resign import find, resign
from tests.support.vectors import Case

from suiji.beacon.chain import SCHEME, chain_facts, chain_from_facts, is_public_chain, round_time
from suiji.cli.app import main
from suiji.crypto.ed25519 import from_seed, public_of, sign_body
from suiji.draw.derive import committed_round, utc_from_unix
from suiji.ledger.append import append, put_object
from suiji.ledger.genesis import make_genesis_body
from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
from suiji.ledger.reading import get_object
from suiji.model.genesis import refuse_private_beacons
from suiji.records.snapshot import parse_snapshot, snapshot_from_rows
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import Refusal
from suiji.shared.times import format_time, parse_time, parse_user_time
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import Report, read_state, verify

PLANS = Path("content") / "records" / "plans"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
LOOKED_AT = "2026-03-18T09:00:00+08:00"
LATER = "2026-03-20T09:00:00+08:00"
DEMO_NOTICE = "演示账本：随机数可预测，不具证明力"


def run(root: Path, now: str, **kw: Any) -> Report:
    return verify(root, now=parse_user_time(now), checkers=default_checkers(), **kw)


def at(report: Report) -> list[tuple[int | None, str]]:
    return [(f.seq, f.code) for f in report.findings]


def ledger_lines(root: Path) -> list[bytes]:
    return (ledger_dir(root) / LEDGER_FILE).read_bytes().splitlines()


# ---------------------------------------------------------------- only public beacons


def _held_chain() -> dict[str, Any]:
    """A well-formed chain whose BLS secret key the bureau holds: every value known early."""
    pk = compress_G2(multiply(G2, 123456789))
    raw = b"".join(int(x).to_bytes(48, "big") for x in pk)
    return {
        "name": "county-beacon",
        "chain_hash": "ab" * 32,
        "public_key": raw.hex(),
        "scheme": SCHEME,
        "genesis_time": 1735689600,
        "period": 3,
    }


def test_only_quicknet_is_on_the_allow_list() -> None:
    assert is_public_chain(chain_facts("drand-quicknet"))
    assert not is_public_chain(chain_facts("suiji-demo"))
    assert not is_public_chain(_held_chain())
    chain_from_facts(_held_chain())  # a valid chain by §8.1: only the allow-list refuses it
    altered = {**chain_facts("drand-quicknet"), "period": 30}
    assert not is_public_chain(altered)


def test_init_refuses_a_chain_off_the_allow_list(tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    for name in ("root.key", "signing.key"):
        assert main(["keygen", str(tmp_path / "private" / name)]) == 0
    facts = tmp_path / "beacon.json"
    facts.write_text(json.dumps(_held_chain()), "utf-8")
    args = ["--root", str(tmp_path), "init", "--origin", "test.invalid/suiji"]
    args += ["--root-key", str(tmp_path / "private" / "root.key")]
    args += ["--key", str(tmp_path / "private" / "signing.key"), "--beacon-json", str(facts)]
    assert main(args) == 2
    assert not (ledger_dir(tmp_path) / LEDGER_FILE).exists()
    body = make_genesis_body(
        origin="test.invalid/suiji",
        roots=[public_of(from_seed(bytes([1]) * 32))],
        threshold=1,
        signing=public_of(from_seed(bytes([2]) * 32)),
        beacons=[_held_chain()],
    )
    with pytest.raises(Refusal) as caught:
        refuse_private_beacons(body)
    assert caught.value.code == "beacon-not-public"
    refuse_private_beacons({**body, "demo": True})  # a demo ledger may (it is reported)
    refuse_private_beacons({**body, "beacons": [chain_facts("drand-quicknet")]})


def test_a_non_demo_genesis_naming_a_held_chain_fails_verify(tmp_path: Path) -> None:
    """The bureau's own root and signing keys write a genesis the CLI would refuse."""
    root_key, signing_key = from_seed(bytes([1]) * 32), from_seed(bytes([2]) * 32)
    body = make_genesis_body(
        origin="test.invalid/suiji",
        roots=[public_of(root_key)],
        threshold=1,
        signing=public_of(signing_key),
        beacons=[_held_chain()],
    )
    t0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    append(
        tmp_path,
        "genesis",
        body,
        key=signing_key,
        now=t0,
        clock_overridden=False,
        extra_sigs=[sign_body(root_key, body)],
    )
    genesis = json.loads(ledger_lines(tmp_path)[0])
    assert genesis["body"]["demo"] is False
    assert genesis["body"]["beacons"] == [_held_chain()]
    report = verify(tmp_path, now=t0 + timedelta(days=1), checkers=default_checkers())
    assert at(report) == [(0, "beacon-not-public")]
    # the same genesis with quicknet passes
    quick = tmp_path / "q"
    body["beacons"] = [chain_facts("drand-quicknet")]
    append(
        quick,
        "genesis",
        body,
        key=signing_key,
        now=t0,
        clock_overridden=False,
        extra_sigs=[sign_body(root_key, body)],
    )
    assert at(verify(quick, now=t0 + timedelta(days=1), checkers=default_checkers())) == []


def test_a_commitment_on_the_second_chain(tmp_path: Path) -> None:
    root = make_bureau(
        tmp_path / "b", "--beacon", "suiji-demo", "--beacon", "drand-quicknet", "--demo"
    )
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    assert at(run(root, LATER, allow_demo=True)) == []
    second = chain_from_facts(chain_facts("drand-quicknet"))

    def on_second_chain(root: Path, values: list[dict[str, Any]]) -> None:
        commit = find(values, "commit", "2026-001")
        rnd = committed_round(second, parse_time(commit["time"]), 86400)
        commit["body"]["beacon"] = {
            "chain": second.name,
            "chain_hash": second.chain_hash,
            "round": rnd,
            "round_time": format_time(utc_from_unix(round_time(second, rnd))),
        }

    assert resign(root, on_second_chain) == 1
    assert json.loads(ledger_lines(root)[1])["body"]["beacon"]["chain"] == "drand-quicknet"
    assert at(run(root, LATER, allow_demo=True)) == [(1, "beacon-not-first")]


# ---------------------------------------------------------------- a demo ledger says so


def test_verify_on_the_demo_says_so_and_fails_without_allow_demo(
    demo_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(demo_year), "verify"]) == 1
    out = capsys.readouterr().out
    assert DEMO_NOTICE in out and "demo-ledger" in out and "--allow-demo" in out
    assert main(["--root", str(demo_year), "verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["demo"] is True and DEMO_NOTICE in report["notices"]
    assert [(f["seq"], f["code"]) for f in report["findings"]] == [(0, "demo-ledger")]
    assert main(["--root", str(demo_year), "verify", "--allow-demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["demo"] is True and DEMO_NOTICE in report["notices"]
    # every draw is named with its chain and round
    draws = [t for t in report["tasks"] if t["draw_seq"] is not None]
    assert len(draws) == 6 and all(t["chain"] == "suiji-demo" and t["round"] for t in draws)
    # the demo year is witnessed (two demo witnesses, threshold two): no clock notice
    assert not any("时钟为准" in n for n in report["notices"])
    assert report["witness_policy"]["threshold"] == 2
    assert all(c["witnessed"] for c in report["witnessed"]) and len(report["witnessed"]) == 7
    assert main(["--root", str(demo_year), "verify", "--allow-demo"]) == 0
    human = capsys.readouterr().out
    assert "信标链 suiji-demo 第" in human and DEMO_NOTICE in human


# ---------------------------------------------------------------- backdating


def test_a_commitment_backdated_after_a_saved_state(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo")
    state = tmp_path / "state.json"
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    first = run(root, LOOKED_AT, state_file=state, allow_demo=True)
    assert first.state_advanced and at(first) == []
    saved = json.loads(state.read_text("utf-8"))
    assert saved["type"] == "suiji/verify-state/v2" and saved["verified_size"] == 2
    assert saved["seen_at"] == format_time(parse_user_time(LOOKED_AT))
    # later, with its clock set back, the bureau appends a commitment stamped before the look
    backdated = "2026-03-17T09:00:00+08:00"
    assert suiji(root, backdated, "commit", str(root / PLANS / "2026-004.toml")) == 0
    entry = json.loads(ledger_lines(root)[2])
    assert entry["kind"] == "commit" and entry["time"] < saved["seen_at"]
    assert at(run(root, LATER, allow_demo=True)) == []  # nothing else is wrong
    report = run(root, LATER, state_file=state, allow_demo=True)
    assert at(report) == [(2, "state-backdated")]
    assert saved["checkpoint"] in report.evidence
    assert ledger_lines(root)[2].decode() + "\n" in report.evidence
    assert not report.state_advanced
    assert json.loads(state.read_text("utf-8")) == saved


def test_a_swapped_uncheckpointed_last_line(tmp_path: Path) -> None:
    """The last line no checkpoint covers yet is still the line the verifier saw."""
    a = make_bureau(tmp_path / "a", "--beacon", "suiji-demo", "--demo")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    cp = (ledger_dir(a) / CHECKPOINT_FILE).read_bytes()
    assert suiji(a, COMMIT_AT, "commit", str(a / PLANS / "2026-001.toml")) == 0
    assert suiji(b, COMMIT_AT, "commit", str(b / PLANS / "2026-004.toml")) == 0
    for root in (a, b):  # as if each write stopped before the checkpoint was updated
        (ledger_dir(root) / CHECKPOINT_FILE).write_bytes(cp)
    state = tmp_path / "state.json"
    first = run(a, LOOKED_AT, state_file=state, allow_demo=True)
    assert first.state_advanced and at(first) == []
    saved = json.loads(state.read_text("utf-8"))
    assert (saved["size"], saved["verified_size"]) == (1, 2)
    # the bureau swaps line #1 for another, signed with its key, objects and all
    seen_line = ledger_lines(a)[1]
    for obj in (ledger_dir(b) / "objects").iterdir():
        target = ledger_dir(a) / "objects" / obj.name
        if not target.exists():
            shutil.copy(obj, target)
    (ledger_dir(a) / LEDGER_FILE).write_bytes((ledger_dir(b) / LEDGER_FILE).read_bytes())
    swapped = ledger_lines(a)[1]
    assert swapped != seen_line and ledger_lines(a)[0] == ledger_lines(b)[0]
    assert at(run(a, LATER, allow_demo=True)) == []  # valid on its own
    report = run(a, LATER, state_file=state, allow_demo=True)
    assert at(report) == [(1, "state-line-changed")]
    assert seen_line.decode() + "\n" in report.evidence
    assert swapped.decode() + "\n" in report.evidence
    # and if the line is simply dropped, the saved size catches it
    (ledger_dir(a) / LEDGER_FILE).write_bytes(ledger_lines(a)[0] + b"\n")
    assert at(run(a, LATER, state_file=state, allow_demo=True)) == [(None, "state-truncated")]


def test_a_v1_state_file_is_read_and_upgraded(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo")
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    state = tmp_path / "state.json"
    assert run(root, LOOKED_AT, state_file=state, allow_demo=True).state_advanced
    v2 = json.loads(state.read_text("utf-8"))
    v1 = {k: v2[k] for k in ("checkpoint", "genesis", "origin", "root", "size")}
    v1["type"] = "suiji/verify-state/v1"
    state.write_bytes(canonical_json(v1) + b"\n")
    report = run(root, LATER, state_file=state, allow_demo=True)
    assert at(report) == [] and report.state_advanced
    assert json.loads(state.read_text("utf-8"))["type"] == "suiji/verify-state/v2"


def test_a_snapshot_row_updated_after_its_as_of(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo")
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    target = "2026-03-20"

    def updated_later(root: Path, values: list[dict[str, Any]]) -> None:
        commit = find(values, "commit", "2026-001")
        snaps = commit["body"]["snapshots"]
        _, rows = parse_snapshot(get_object(root, snaps["enterprises_object"]))
        rows[0]["updated_on"] = target
        snaps["enterprises_object"] = put_object(root, snapshot_from_rows("enterprises", rows))

    assert resign(root, updated_later) == 1
    body = json.loads(ledger_lines(root)[1])["body"]
    assert body["as_of"] == "2026-03-16"
    assert at(run(root, LATER, allow_demo=True)) == [(1, "records-dated-later")]


def test_the_writer_refuses_rows_dated_after_today(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo")
    before = (ledger_dir(root) / LEDGER_FILE).read_bytes()
    assert (
        suiji(root, "2026-01-06T09:00:00+08:00", "commit", str(root / PLANS / "2026-001.toml")) == 2
    )
    assert (ledger_dir(root) / LEDGER_FILE).read_bytes() == before


# ---------------------------------------------------------------- vectors


@vectors.parametrize("beacon", "public_chain")
def test_public_chain_vectors(case: Case) -> None:
    assert is_public_chain(case.input["facts"]) is case.output


@vectors.parametrize("verify", "state")
def test_state_vectors(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(case.input["text"], "utf-8")
    if case.error is not None:
        assert vectors.raised_code("verify", lambda: read_state(path)) == case.error
        return
    saved = read_state(path)
    assert saved is not None
    seen = saved.seen
    got = {
        "seen_at": seen.seen_at if seen else None,
        "verified_size": seen.size if seen else None,
        "last_hash": seen.last_hash if seen else None,
        "size": saved.size,
    }
    assert got == case.output
    assert saved.encode() == case.input["text"].encode("utf-8")  # one spelling
