"""Extra inputs fixed before the beacon, and no same-second peeks: each attack refused by the
step, or — forged with the bureau's own keys, every downstream value recomputed — reported by
`suiji verify` with its code at the entry it concerns."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support import vectors
from tests.support.bureau import DEMO_NOW, make_bureau, suiji
from tests.support.resign import get, put, resign, truncate

from suiji.beacon.chain import chain_facts, chain_from_facts, round_time
from suiji.crypto.keyfiles import load_private_key
from suiji.draw.derive import committed_round, derive_result, load_committed, seed_for
from suiji.draw.extras import ExtraInput, normalize_value, value_problem
from suiji.ledger.append import put_object
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.model.tasks import BeaconRound, Commit
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import Refusal
from suiji.shared.findings import Finding
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import verify
from suiji.writing.inputs import record_inputs
from suiji.writing.steps import TaskError, Writer

PLANS = Path("content") / "records" / "plans"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
INPUTS_AT = "2026-03-16T21:40:00+08:00"


def findings(root: Path, now: str = DEMO_NOW) -> list[Finding]:
    report = verify(
        root, now=datetime.fromisoformat(now), checkers=default_checkers(), allow_demo=True
    )
    return list(report.findings)


def where(root: Path) -> list[tuple[int | None, str]]:
    return [(f.seq, f.code) for f in findings(root)]


def lines(root: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (root / "ledger" / "ledger.jsonl").read_bytes().splitlines()]


def seq_of(root: Path, kind: str, task: str, nth: int = -1) -> int:
    return [v["seq"] for v in lines(root) if v["kind"] == kind and v["body"]["task"] == task][nth]


def redraw(root: Path, task: str) -> None:
    """Recompute the task's draw from its (edited) `extra` list, as a careful forger would."""
    entries = list(read_entries(root))
    drawn = next(e for e in reversed(entries) if e.kind == "draw" and e.body["task"] == task)
    commit = entries[drawn.body["commit_seq"]]
    beacon = entries[drawn.body["beacon_seq"]].typed_as(BeaconRound)
    extra = [(x["name"], x["value"]) for x in drawn.body["extra"]]
    seed = seed_for(task, commit.hash, beacon, extra)
    committed = load_committed(ObjectStore(root), commit.typed_as(Commit))
    result = derive_result(committed, seed=seed)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = values[drawn.seq]["body"]
        body["seed"] = seed
        body["result_object"] = put(root, result)
        body["targets"] = [p["id"] for p in result["targets"]["selected"]]
        body["teams_error"] = result["teams_error"]["message"] if result["teams_error"] else None

    resign(root, edit)


def through_draw(root: Path, task: str) -> None:
    """Drop the entries after the task's draw (a forger rewrites the tail too)."""
    truncate(root, seq_of(root, "draw", task) + 1)
    resign(root, lambda root, values: None, expect_change=False)


# ---------------------------------------------------------------- forged draws


def test_truncating_after_a_draw_alone_keeps_the_ledger_valid(demo_copy: Path) -> None:
    through_draw(demo_copy, "2026-003")
    assert findings(demo_copy) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda extra: [extra[0], *extra],  # the lottery number twice: another seed
        lambda extra: list(reversed(extra)),  # the dice before the lottery: another seed
    ],
    ids=["duplicated", "reordered"],
)
def test_a_draw_whose_extra_list_is_not_the_recorded_one_is_caught(
    demo_copy: Path, change: Any
) -> None:
    through_draw(demo_copy, "2026-003")
    draw_seq = seq_of(demo_copy, "draw", "2026-003")
    before = lines(demo_copy)[draw_seq]["body"]

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        values[draw_seq]["body"]["extra"] = change(values[draw_seq]["body"]["extra"])

    resign(demo_copy, edit)
    redraw(demo_copy, "2026-003")
    after = lines(demo_copy)[draw_seq]["body"]
    assert after["extra"] == change(before["extra"]) and after["seed"] != before["seed"]
    assert where(demo_copy) == [(draw_seq, "draw-extra")]


def test_dice_recorded_after_the_round_is_caught(demo_copy: Path) -> None:
    through_draw(demo_copy, "2026-003")  # later voids chain to the draw: not this attack
    dice_seq = seq_of(demo_copy, "extra-input", "2026-003")
    draw_seq = seq_of(demo_copy, "draw", "2026-003")
    draw_time = lines(demo_copy)[draw_seq]["time"]

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        assert values[dice_seq]["body"]["name"] == "现场掷骰（三枚）"
        values[dice_seq]["time"] = draw_time  # typed in with the round already public

    resign(demo_copy, edit)
    assert lines(demo_copy)[dice_seq]["time"] == draw_time
    assert where(demo_copy) == [(dice_seq, "extra-late")]


def test_a_lottery_drawn_before_the_commitment_is_caught(demo_copy: Path) -> None:
    through_draw(demo_copy, "2026-001")
    commit_seq = seq_of(demo_copy, "commit", "2026-001")

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = values[commit_seq]["body"]
        plan = get(root, body["plan_object"])
        plan["seed_extra"][0]["draw_date"] = "2026-03-15"  # drawn the evening before
        body["plan_object"] = put(root, plan)
        source = (root / "ledger" / "objects" / body["plan_source_object"]).read_text("utf-8")
        body["plan_source_object"] = put_object(
            root, source.replace("draw_date = 2026-03-16", "draw_date = 2026-03-15").encode()
        )

    resign(demo_copy, edit)
    redraw(demo_copy, "2026-001")  # the commitment's hash changed: so did the seed
    plan = get(demo_copy, lines(demo_copy)[commit_seq]["body"]["plan_object"])
    assert plan["seed_extra"][0]["draw_date"] == "2026-03-15"
    # The demo withdrew one of 2026-002's earlier results later in the year and deleted its
    # object: a ledger cut before that withdrawal lacks it (no forger can bring it back).
    withdrawn = [
        v["seq"]
        for v in lines(demo_copy)
        if v["kind"] == "result"
        and not (demo_copy / "ledger" / "objects" / v["body"]["result_object"]).exists()
    ]
    assert len(withdrawn) == 1
    assert where(demo_copy) == [(withdrawn[0], "object-missing"), (commit_seq, "lottery-date")]


def test_a_zero_delay_genesis_is_caught(bureau: Path) -> None:
    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        values[0]["body"]["draw_delay_seconds"] = 0

    resign(bureau, edit)
    assert lines(bureau)[0]["body"]["draw_delay_seconds"] == 0
    assert where(bureau) == [(0, "draw-delay")]


# ---------------------------------------------------------------- refused at the step


def writer(root: Path, now: str) -> Writer:
    key = load_private_key(root / "private" / "signing.key")
    return Writer(root, key, datetime.fromisoformat(now), clock_overridden=True)


def tree(root: Path) -> bytes:
    return (root / "ledger" / "ledger.jsonl").read_bytes()


def refused(root: Path, now: str, task: str, *typed: tuple[str, str]) -> str:
    before = tree(root)
    with pytest.raises(TaskError) as info:
        record_inputs(writer(root, now), task, list(typed))
    assert tree(root) == before
    return info.value.code


def test_inputs_are_refused_unless_declared_once_well_formed_and_in_time(bureau: Path) -> None:
    assert (
        suiji(bureau, "2026-06-15T09:00:00+08:00", "commit", str(bureau / PLANS / "2026-003.toml"))
        == 0
    )
    dice, lottery = "现场掷骰（三枚）", "福彩3D"
    at = "2026-06-15T22:00:00+08:00"
    assert refused(bureau, at, "2026-003", ("体彩", "1")) == "extra-unknown"
    assert refused(bureau, at, "2026-003", (dice, "7,1,1")) == "extra-format"
    assert refused(bureau, at, "2026-003", (lottery, "3712")) == "extra-format"
    assert refused(bureau, "2026-06-15T20:00:00+08:00", "2026-003", (lottery, "529")) == (
        "extra-early"  # 福彩3D is drawn at 21:15
    )
    assert refused(bureau, "2026-06-16T09:30:00+08:00", "2026-003", (dice, "4,2,6")) == (
        "extra-late"  # the committed round (09:00:03) is public
    )
    [entry] = record_inputs(writer(bureau, at), "2026-003", [(dice, "４ ２ ６")])
    assert entry.body["value"] == "4,2,6"
    assert refused(bureau, at, "2026-003", (dice, "6,6,6")) == "extra-twice"
    assert refused(bureau, at, "2099-001", (dice, "6,6,6")) == "task-not-committed"
    # the draw needs every declared input: the lottery is missing
    assert suiji(bureau, "2026-06-16T10:00:00+08:00", "draw", "2026-003") == 2
    assert findings(bureau, "2026-06-16T10:00:00+08:00") == []


def test_a_lottery_drawn_before_the_commitment_is_refused(bureau: Path) -> None:
    plan = bureau / PLANS / "2026-001.toml"
    plan.write_text(
        plan.read_text("utf-8").replace("draw_date = 2026-03-16", "draw_date = 2026-03-15"), "utf-8"
    )
    before = tree(bureau)
    assert suiji(bureau, COMMIT_AT, "commit", str(plan)) == 2
    assert tree(bureau) == before


def test_a_short_delay_is_refused_by_init(tmp_path: Path) -> None:
    for delay in ("0", "599"):
        root = make_bureau(
            tmp_path / delay, "--beacon", "suiji-demo", "--demo", "--draw-delay", delay
        )
        assert not (root / "ledger" / "ledger.jsonl").exists()
    root = make_bureau(tmp_path / "600", "--beacon", "suiji-demo", "--demo", "--draw-delay", "600")
    assert (root / "ledger" / "ledger.jsonl").exists()


def test_short_delay_refusal_code() -> None:
    from suiji.ledger.genesis import refuse_short_delay

    with pytest.raises(Refusal) as info:
        refuse_short_delay(0)
    assert info.value.code == "draw-delay-too-short"
    refuse_short_delay(600)


# ---------------------------------------------------------------- rules with vectors


def test_the_committed_round_is_strictly_after_commitment_plus_delay() -> None:
    chain = chain_from_facts(chain_facts("suiji-demo"))
    t = datetime.fromisoformat(COMMIT_AT)  # 01:00:00Z: a round is produced at t + 86400 exactly
    rnd = committed_round(chain, t, 86400)
    assert round_time(chain, rnd - 1) == int(t.timestamp()) + 86400 < round_time(chain, rnd)


@vectors.parametrize("beacon", "committed_round")
def test_committed_round_vectors(case: vectors.Case) -> None:
    from datetime import UTC

    chain = chain_from_facts(chain_facts(case.input["chain"]))
    at = datetime.fromtimestamp(case.input["commit_unix_time"], UTC)
    assert committed_round(chain, at, case.input["delay"]) == case.output


@vectors.parametrize("draw", "extra_value")
def test_extra_value_vectors(case: vectors.Case) -> None:
    d = case.input["input"]
    spec = ExtraInput(
        d["kind"],
        d["name"],
        d.get("draw"),
        None,
        d.get("game"),
        date.fromisoformat(d["draw_date"]) if d.get("draw_date") else None,
    )
    value = normalize_value(spec, case.input["typed"])
    problem = value_problem(spec, value)
    if case.rejects:
        assert problem is not None
        assert vectors.error_code("draw", ValueError(problem)) == case.error
    else:
        assert problem is None and value == case.output


def test_canonical_form_of_recorded_values() -> None:
    assert canonical_json({"value": normalize_value(ExtraInput("dice", "d"), "3、5，6")}) == (
        b'{"value":"3,5,6"}'
    )
