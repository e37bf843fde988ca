"""The writing steps: commit, draw, voids — happy paths and refusals that change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.bureau import clip_record_dates, make_bureau, suiji

from suiji.beacon.chain import chain_facts, chain_from_facts, round_time
from suiji.beacon.sources import demo_sign_round, recorded_path
from suiji.draw.derive import DRAW_RECORDS
from suiji.draw.teamdraw import team_draw_from_json
from suiji.ledger.codec import Entry
from suiji.ledger.reading import get_object, read_entries
from suiji.shared.canonical import parse_canonical
from suiji.shared.times import parse_time

PLANS = Path("content") / "records" / "plans"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
INPUTS_AT = "2026-03-16T21:40:00+08:00"  # after the 福彩3D drawing (21:15), before the round
DRAW_AT = "2026-03-17T10:00:00+08:00"


def record_lottery(root: Path, at: str = INPUTS_AT) -> int:
    """`suiji inputs 2026-001 --extra 福彩3D=371`: the plan's one extra input, before the round."""
    return suiji(root, at, "inputs", "2026-001", "--extra", "福彩3D=371")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ledger/ (the writer's own cache excepted) with its bytes."""
    base = root / "ledger"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name not in {".writer-cache.json", ".lock"}
    }


def entries(root: Path) -> list[Entry]:
    return list(read_entries(root))


def test_commit_names_inputs_and_a_future_round(bureau: Path) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    entry = entries(bureau)[-1]
    assert entry.kind == "commit"
    body = entry.body
    assert set(body["snapshots"]) == {f"{n}_object" for n in DRAW_RECORDS}
    for oid in entry.objects():
        assert (bureau / "ledger" / "objects" / oid).is_file()
    chain = chain_from_facts(chain_facts("suiji-demo"))
    committed = int(entry.moment.timestamp())
    rnd = body["beacon"]["round"]
    # The first round strictly after commitment + 24 h: never at it, and not one later.
    assert round_time(chain, rnd) > committed + 86400 >= round_time(chain, rnd - 1)
    assert body["eligible"] == 317  # 325 enterprises, 8 retired


def test_draw_before_round_is_refused_and_changes_nothing(bureau: Path) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    assert record_lottery(bureau) == 0
    before = tree(bureau)
    assert suiji(bureau, "2026-03-16T22:00:00+08:00", "draw", "2026-001") == 2
    assert tree(bureau) == before


def test_draw_records_beacon_then_draw_and_refuses_a_second(bureau: Path) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    assert record_lottery(bureau) == 0
    assert suiji(bureau, DRAW_AT, "draw", "2026-001") == 0
    kinds = [e.kind for e in entries(bureau)]
    assert kinds == ["genesis", "commit", "extra-input", "beacon", "draw"]
    drawn = entries(bureau)[-1]
    result = parse_canonical(get_object(bureau, drawn.body["result_object"]))
    assert len(drawn.body["targets"]) == 16  # ceil(5% of 317)
    assert [i["target"] for i in result["items"]] == drawn.body["targets"]
    assert all(len(i["items"]) == 3 for i in result["items"])
    before = tree(bureau)
    assert suiji(bureau, "2026-03-18T10:00:00+08:00", "draw", "2026-001") == 2
    assert tree(bureau) == before


def test_missing_extra_input_is_refused(bureau: Path) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    before = tree(bureau)
    assert suiji(bureau, DRAW_AT, "draw", "2026-001") == 2  # never recorded: cannot draw
    with pytest.raises(SystemExit):  # values are recorded before the round, not at the draw
        suiji(bureau, DRAW_AT, "draw", "2026-001", "--extra", "福彩3D=371")
    assert tree(bureau) == before


def test_void_commitment_only_before_its_round(bureau: Path) -> None:
    plan = str(bureau / PLANS / "2026-001.toml")
    assert suiji(bureau, COMMIT_AT, "commit", plan) == 0
    assert suiji(bureau, COMMIT_AT, "commit", plan) == 2  # still live: void it first
    assert (
        suiji(bureau, "2026-03-16T10:00:00+08:00", "void", "2026-001", "--reason", "方案有误") == 0
    )
    assert suiji(bureau, "2026-03-16T11:00:00+08:00", "commit", plan) == 0
    before = tree(bureau)
    assert (
        suiji(bureau, "2026-03-18T11:00:00+08:00", "void", "2026-001", "--reason", "结果不满意")
        == 2
    )
    assert tree(bureau) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: (
                t.replace('kind = "不定向"', 'kind = "定向"') + '\n[filters]\ncolour = ["红"]\n'
            ),
            "colour",
        ),
        (lambda t: t.replace('ratio = "5%"', 'ratio = "120%"'), "120%"),
    ],
    ids=["unknown-filter", "ratio-above-1"],
)
def test_bad_plans_are_refused_with_a_located_message(
    bureau: Path, edit: object, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = bureau / PLANS / "2026-001.toml"
    assert callable(edit)
    plan.write_text(edit(plan.read_text("utf-8")), "utf-8")
    before = tree(bureau)
    assert suiji(bureau, COMMIT_AT, "commit", str(plan)) == 2
    err = capsys.readouterr().err
    assert "2026-001.toml:" in err and message in err
    assert tree(bureau) == before


def _recorded(tmp_path: Path, rnd: int, signature: str) -> Path:
    path = tmp_path / "rounds.json"
    path.write_text(json.dumps({"rounds": [{"round": rnd, "signature": signature}]}), "utf-8")
    return path


@pytest.mark.parametrize(
    "bad", ["zz" * 48, "ab" * 10, None], ids=["not-hex", "short", "other-round"]
)
def test_bad_beacon_values_are_refused(bureau: Path, tmp_path: Path, bad: str | None) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    rnd = entries(bureau)[-1].body["beacon"]["round"]
    assert record_lottery(bureau) == 0
    signature = bad if bad is not None else demo_sign_round(rnd + 1)
    before = tree(bureau)
    code = suiji(
        bureau,
        DRAW_AT,
        "draw",
        "2026-001",
        "--beacons",
        str(_recorded(tmp_path, rnd, signature)),
    )
    assert code in (1, 2)
    assert tree(bureau) == before


def test_person_void_then_replace_touches_no_other_team(bureau: Path) -> None:
    assert suiji(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    assert record_lottery(bureau) == 0
    assert suiji(bureau, DRAW_AT, "draw", "2026-001") == 0
    drawn = entries(bureau)[-1]
    result = parse_canonical(get_object(bureau, drawn.body["result_object"]))
    before = team_draw_from_json(result["teams"])
    first = before.teams[0]
    person = first.officers[0].person
    void_args = ("void", "2026-001", person, "--team", first.key, "--reason", "本人申请回避")
    assert suiji(bureau, "2026-03-18T09:00:00+08:00", *void_args) == 0
    void = entries(bureau)[-1]
    assert void.kind == "person-void" and void.body["person"] == person
    assert suiji(bureau, "2026-03-18T09:05:00+08:00", "replace", "2026-001") == 0
    rep = entries(bureau)[-1]
    assert rep.kind == "person-replace" and rep.body["void_seq"] == void.seq
    assert rep.body["replacement"] not in {p for _, p in first.members()}
    # Voiding a person who is no longer on that team is refused.
    assert suiji(bureau, "2026-03-18T10:00:00+08:00", *void_args[:-1], "again") == 2


def test_genuine_quicknet_round_end_to_end(tmp_path: Path) -> None:
    """A demo-clock ledger pinned to the real quicknet chain, drawn with recorded round 1000000."""
    from datetime import UTC, datetime

    from suiji.cli.app import main

    chain = chain_from_facts(chain_facts("drand-quicknet"))
    commit_unix = round_time(chain, 1_000_000) - 86400 - 1  # the round is strictly after
    at = datetime.fromtimestamp(commit_unix - 3600, UTC).isoformat()
    root = make_bureau(tmp_path / "b", "--beacon", "drand-quicknet", "--demo", at=at)
    clip_record_dates(root, datetime.fromtimestamp(commit_unix, UTC).date().isoformat())
    commit_at = datetime.fromtimestamp(commit_unix, UTC).isoformat()
    assert suiji(root, commit_at, "commit", str(root / PLANS / "2026-002.toml")) == 0
    assert entries(root)[-1].body["beacon"]["round"] == 1_000_000
    later = datetime.fromtimestamp(commit_unix + 86400 + 60, UTC).isoformat()
    # No recorded value and no network: a clear refusal, nothing written.
    before = tree(root)
    assert suiji(root, later, "draw", "2026-002") == 2
    assert tree(root) == before
    rounds = str(recorded_path("drand-quicknet"))
    assert suiji(root, later, "draw", "2026-002", "--beacons", rounds) == 0
    b = next(e for e in entries(root) if e.kind == "beacon")
    assert (
        b.body["randomness"] == "b22aad4794f7451896f7a371aa46106fd84d919f3f569acd5b2fddf1d1440af3"
    )
    assert main(["--root", str(root), "--now", later, "verify", "--allow-demo"]) == 0
    assert parse_time(entries(root)[-1].time) >= parse_time(b.time)


def test_extra_inputs_only_ledger(tmp_path: Path) -> None:
    """A bureau without a beacon: the typed-in lottery number is the only randomness."""
    from suiji.cli.app import main

    root = make_bureau(tmp_path / "b", "--extra-only", "--demo")
    # A plan without extra inputs would have no randomness at all: refused.
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-004.toml")) == 2
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    terms = entries(root)[-1].body["beacon"]
    assert terms == {"source": "extra-only", "draw_after": "2026-03-17T01:00:00Z"}
    assert record_lottery(root) == 0
    assert suiji(root, "2026-03-16T22:00:00+08:00", "draw", "2026-001") == 2
    # recorded at or after draw_after: too late, refused
    late = "2026-03-17T09:00:00+08:00"
    assert suiji(root, late, "inputs", "2026-001", "--extra", "福彩3D=372") == 2
    assert suiji(root, DRAW_AT, "draw", "2026-001") == 0
    assert [e.kind for e in entries(root)] == ["genesis", "commit", "extra-input", "draw"]
    assert main(["--root", str(root), "--now", DRAW_AT, "verify", "--allow-demo"]) == 0


def test_demo_beacon_is_refused_by_a_real_ledger(tmp_path: Path) -> None:
    """The demo chain's secret key is published: only a demo genesis may accept it."""
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo")  # `suiji init` refuses
    assert not (root / "ledger" / "ledger.jsonl").exists()
