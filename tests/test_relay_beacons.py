"""`--beacons FILE` takes what a drand relay itself returns: one round, or a list of them.

The offline workflow: on a connected machine save
`https://api.drand.sh/{chain_hash}/public/{round}` as it is, carry the file, draw. Tested
with the genuine quicknet round 1000000 the package records.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support.bureau import clip_record_dates, make_bureau, suiji

from suiji.beacon.chain import BeaconError, chain_facts, chain_from_facts, round_time
from suiji.beacon.sources import QUICKNET, load_recorded, recorded_path
from suiji.ledger.reading import read_entries

PLANS = Path("content") / "records" / "plans"


def _genuine() -> dict[str, Any]:
    data = json.loads(recorded_path("drand-quicknet").read_text(encoding="utf-8"))
    found: dict[str, Any] = data["rounds"][0]
    assert found["round"] == 1_000_000
    return found


def relay_body(r: dict[str, Any]) -> bytes:
    """The bytes a relay serves for one round (drand HTTP API v1: round, randomness, signature)."""
    body = {"round": r["round"], "randomness": r["randomness"], "signature": r["signature"]}
    return json.dumps(body, separators=(",", ":")).encode()


def test_one_round_as_the_relay_returns_it(tmp_path: Path) -> None:
    r = _genuine()
    path = tmp_path / "round.json"
    path.write_bytes(relay_body(r))
    assert load_recorded(path, chain=QUICKNET) == {r["round"]: r["signature"]}


def test_a_list_of_relay_answers(tmp_path: Path) -> None:
    r = _genuine()
    path = tmp_path / "rounds.json"
    path.write_bytes(b"[" + relay_body(r) + b"]")
    assert load_recorded(path) == {r["round"]: r["signature"]}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"randomness": "00" * 32}, "sha256"),
        ({"previous_signature": "00"}, "键应为"),
        ({"signature": None}, "签名"),
    ],
)
def test_a_relay_answer_that_does_not_add_up_is_refused(
    tmp_path: Path, change: dict[str, Any], fragment: str
) -> None:
    body = {**_genuine(), **change}
    path = tmp_path / "round.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(BeaconError, match=fragment):
        load_recorded(path)


def test_draw_with_the_relays_own_json(tmp_path: Path) -> None:
    """A quicknet-pinned ledger drawn from a saved relay answer for round 1000000."""
    chain = chain_from_facts(chain_facts("drand-quicknet"))
    commit_unix = round_time(chain, 1_000_000) - 86400 - 1  # the round is strictly after
    at = datetime.fromtimestamp(commit_unix - 3600, UTC).isoformat()
    root = make_bureau(tmp_path / "b", "--beacon", "drand-quicknet", "--demo", at=at)
    clip_record_dates(root, datetime.fromtimestamp(commit_unix, UTC).date().isoformat())
    commit_at = datetime.fromtimestamp(commit_unix, UTC).isoformat()
    assert suiji(root, commit_at, "commit", str(root / PLANS / "2026-002.toml")) == 0
    saved = tmp_path / "quicknet-1000000.json"
    saved.write_bytes(relay_body(_genuine()))
    later = datetime.fromtimestamp(commit_unix + 86400 + 60, UTC).isoformat()
    assert suiji(root, later, "draw", "2026-002", "--beacons", str(saved)) == 0
    beacon = next(e for e in read_entries(root) if e.kind == "beacon")
    assert beacon.body["round"] == 1_000_000
    assert beacon.body["randomness"] == _genuine()["randomness"]
