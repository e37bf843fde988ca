"""`suiji write`: the one writer reconciles the ledger with the committed record files.

Offline throughout: the demo beacon is signed locally, a real-chain round comes from a
recorded file (`--beacons`), and the clock is `--now`. Every run is the CLI itself; the
ledger is compared byte for byte where a run must change nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from suiji.beacon.sources import demo_sign_round
from suiji.cli.app import main
from suiji.ledger.reading import read_entries
from suiji.ledger.taskhistory import history

PLANS = Path("content") / "records" / "plans"
RECORDS = Path("content") / "records"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
INPUTS_AT = "2026-03-16T21:40:00+08:00"
DRAW_AT = "2026-03-17T10:00:00+08:00"


def write(root: Path, now: str, *extra: str, summary: Path | None = None) -> int:
    """`suiji write --yes` at `now` with the bureau's signing key; returns the exit code."""
    args = ["--root", str(root), "--now", now, "write", "--yes"]
    args += ["--key", str(root / "private" / "signing.key"), *extra]
    if summary is not None:
        args += ["--summary", str(summary)]
    return main(args)


def ledger(root: Path) -> dict[str, bytes]:
    base = root / "ledger"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name not in {".writer-cache.json", ".lock"}
    }


def kinds(root: Path) -> list[tuple[str, str | None]]:
    return [(e.kind, e.body.get("task")) for e in read_entries(root)]


def only_plans(root: Path, *tasks: str) -> None:
    """Keep only these plan files (the example county ships four)."""
    for path in (root / PLANS).glob("*.toml"):
        if path.stem not in tasks:
            path.unlink()


def put(root: Path, relative: str, text: str) -> Path:
    path = root / RECORDS / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def commit_seq(root: Path, task: str) -> int:
    state = history(root).tasks[task]
    assert state.commit is not None
    return state.commit.seq


def verify_codes(root: Path, now: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list]:
    capsys.readouterr()
    code = main(["--root", str(root), "--now", now, "verify", "--allow-demo", "--json"])
    report = json.loads(capsys.readouterr().out)
    return code, [(f["seq"], f["tag"], f["code"]) for f in report["findings"]]


def test_no_genesis_exits_0_with_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    assert main(["--root", str(tmp_path), "write", "--yes", "--summary", str(summary)]) == 0
    assert "账本尚未建立" in capsys.readouterr().out
    assert "suiji init" in summary.read_text("utf-8")
    assert not (tmp_path / "ledger").exists()


def test_a_year_of_files_through_the_writer(bureau: Path, tmp_path: Path) -> None:
    """Commit, second run idempotent, inputs and a void before the round, the due draw."""
    only_plans(bureau, "2026-001", "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    assert kinds(bureau)[1:] == [("commit", "2026-001"), ("commit", "2026-004")]
    before = ledger(bureau)
    assert write(bureau, COMMIT_AT) == 0
    assert ledger(bureau) == before  # nothing new: byte-identical

    put(bureau, "inputs/2026-001.toml", '"福彩3D" = "371"\n')
    seq = commit_seq(bureau, "2026-004")
    put(
        bureau,
        "voids/commitments/2026-004.toml",
        f'commit_seq = {seq}\nreason = "抽取数量写错，作废后重新承诺"\n',
    )
    assert write(bureau, INPUTS_AT) == 0
    assert kinds(bureau)[3:] == [("commit-void", "2026-004"), ("extra-input", "2026-001")]
    before = ledger(bureau)
    assert write(bureau, INPUTS_AT) == 0  # the void is done; the unchanged plan stays withdrawn
    assert ledger(bureau) == before

    assert write(bureau, DRAW_AT) == 0
    assert kinds(bureau)[5:] == [("beacon", None), ("draw", "2026-001")]
    assert history(bureau).tasks["2026-004"].draw is None  # voided: untouched
    before = ledger(bureau)
    assert write(bureau, "2026-03-18T10:00:00+08:00") == 0
    assert ledger(bureau) == before

    # Editing the voided plan commits the new version.
    plan = bureau / PLANS / "2026-004.toml"
    plan.write_text(plan.read_text("utf-8").replace("count = 5", "count = 4"), "utf-8")
    assert write(bureau, "2026-03-18T10:00:00+08:00") == 0
    assert kinds(bureau)[-1] == ("commit", "2026-004")


def test_a_late_commitment_void_is_refused_and_the_due_draw_still_happens(
    bureau: Path, tmp_path: Path
) -> None:
    only_plans(bureau, "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    seq = commit_seq(bureau, "2026-004")
    put(bureau, "voids/commitments/2026-004.toml", f'commit_seq = {seq}\nreason = "改主意了"\n')
    summary = tmp_path / "summary.md"
    assert write(bureau, DRAW_AT, summary=summary) == 1
    assert kinds(bureau)[-2:] == [("beacon", None), ("draw", "2026-004")]
    text = summary.read_text("utf-8")
    assert "content/records/voids/commitments/2026-004.toml" in text
    assert "round-passed" in text and "承诺不能再作废" in text
    # Once drawn, the request names a drawn commitment: still refused, nothing written.
    before = ledger(bureau)
    assert write(bureau, "2026-03-18T10:00:00+08:00", summary=summary) == 1
    assert ledger(bureau) == before
    assert "task-already-drawn" in summary.read_text("utf-8")


def test_a_beacon_failing_its_signature_is_refused_with_the_ledger_unchanged(
    bureau: Path, tmp_path: Path
) -> None:
    only_plans(bureau, "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    state = history(bureau).tasks["2026-004"]
    assert state.commit is not None
    rnd = state.commit.body.beacon.round  # type: ignore[union-attr]
    forged = tmp_path / "rounds.json"
    forged.write_text(
        json.dumps({"rounds": [{"round": rnd, "signature": demo_sign_round(rnd + 1)}]}), "utf-8"
    )
    before = ledger(bureau)
    summary = tmp_path / "summary.md"
    assert write(bureau, DRAW_AT, "--beacons", str(forged), summary=summary) == 1
    assert ledger(bureau) == before
    assert "ledger/ledger.jsonl（任务 2026-004）" in summary.read_text("utf-8")
    genuine = tmp_path / "genuine.json"
    genuine.write_text(
        json.dumps({"rounds": [{"round": rnd, "signature": demo_sign_round(rnd)}]}), "utf-8"
    )
    assert write(bureau, DRAW_AT, "--beacons", str(genuine)) == 0
    assert kinds(bureau)[-1] == ("draw", "2026-004")


def test_person_voids_from_a_file_then_the_replacement(bureau: Path) -> None:
    only_plans(bureau, "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    assert write(bureau, DRAW_AT) == 0
    from suiji.draw.teamdraw import team_draw_from_json
    from suiji.ledger.reading import get_object
    from suiji.shared.canonical import parse_canonical

    draw = history(bureau).tasks["2026-004"].draw
    assert draw is not None
    teams = team_draw_from_json(
        parse_canonical(get_object(bureau, draw.body.result_object))["teams"]
    )
    team = teams.teams[0]
    person = team.officers[0].person
    put(
        bureau,
        "voids/2026-004.toml",
        f'[[void]]\nperson = "{person}"\nteam = "{team.key}"\nreason = "本人申请回避"\n',
    )
    assert write(bureau, "2026-03-18T09:00:00+08:00") == 0
    assert kinds(bureau)[-1] == ("person-void", "2026-004")
    assert write(bureau, "2026-03-18T09:05:00+08:00") == 0
    assert [k for k, _ in kinds(bureau)[-2:]] == ["beacon", "person-replace"]
    before = ledger(bureau)
    assert write(bureau, "2026-03-18T09:10:00+08:00") == 0
    assert ledger(bureau) == before


@pytest.mark.parametrize(
    ("relative", "text", "code"),
    [
        ("voids/commitments/2026-004.toml", 'reason = "x"\n', "commit-seq"),
        ("voids/commitments/2026-004.toml", "commit_seq = 1\n", "reason-missing"),
        ("inputs/2026-001.toml", "福彩3D = \n", "toml-syntax"),
        ("voids/2026-004.toml", '[[void]]\nperson = "x"\n', "reason-missing"),
        ("voids/bad name.toml", '[[void]]\nperson = "x"\nreason = "y"\n', "task-file-name"),
    ],
)
def test_a_malformed_request_file_is_skipped_with_a_located_message(
    bureau: Path, tmp_path: Path, relative: str, text: str, code: str
) -> None:
    only_plans(bureau, "2026-004")
    put(bureau, relative, text)
    summary = tmp_path / "summary.md"
    assert write(bureau, COMMIT_AT, summary=summary) == 1
    assert kinds(bureau)[-1] == ("commit", "2026-004")  # the rest still ran
    out = summary.read_text("utf-8")
    assert f"content/records/{relative}" in out and f"（{code}）" in out


def test_writes_need_confirmation_without_yes(bureau: Path) -> None:
    only_plans(bureau, "2026-004")
    before = ledger(bureau)
    args = ["--root", str(bureau), "--now", COMMIT_AT, "write"]
    assert main([*args, "--key", str(bureau / "private" / "signing.key")]) == 2
    assert ledger(bureau) == before


def test_a_demo_copy_with_nothing_new_is_left_byte_identical(demo_copy: Path) -> None:
    shutil.rmtree(demo_copy / "drafts")
    before = ledger(demo_copy)
    assert main(["--root", str(demo_copy), "write", "--yes"]) == 0
    assert ledger(demo_copy) == before


# ---------------------------------------------------------------- results and the demo year

LATE_2026 = "2026-12-16T02:00:00Z"
NEXT_DAY = "2026-12-17T03:00:00Z"


def add_plan(root: Path, task: str, count: int) -> None:
    """A new plan for the demo's December, built from 2026-002 (another count and window)."""
    text = (root / PLANS / "2026-002.toml").read_text("utf-8")
    text = text.replace('task_id = "2026-002"', f'task_id = "{task}"')
    text = text.replace("count = 4 ", f"count = {count} ")
    text = text.replace("start = 2026-02-05", "start = 2026-12-21")
    text = text.replace("end = 2026-02-13", "end = 2026-12-29")
    (root / PLANS / f"{task}.toml").write_text(text, "utf-8")


def test_results_are_recorded_and_a_second_run_changes_nothing(demo_copy: Path) -> None:
    from tests.test_record_results import drawn_rows, put_rows

    put_rows(demo_copy, drawn_rows(demo_copy))
    assert main(["--root", str(demo_copy), "--now", LATE_2026, "write", "--yes"]) == 0
    assert [k for k, _ in kinds(demo_copy)[-3:]] == ["result"] * 3
    before = ledger(demo_copy)
    assert main(["--root", str(demo_copy), "--now", NEXT_DAY, "write", "--yes"]) == 0
    assert ledger(demo_copy) == before


def test_an_invalid_results_file_is_skipped_while_the_due_draw_happens(
    demo_copy: Path, tmp_path: Path
) -> None:
    from tests.test_record_results import TASK, drawn_rows, put_rows

    add_plan(demo_copy, "2026-099", 3)
    assert main(["--root", str(demo_copy), "--now", LATE_2026, "write", "--yes"]) == 0
    assert kinds(demo_copy)[-1] == ("commit", "2026-099")
    rows = drawn_rows(demo_copy)
    rows[1]["统一社会信用代码"] = "91330000MA0000000X"  # not drawn (and not even valid)
    put_rows(demo_copy, rows)
    results = [k for k, _ in kinds(demo_copy)].count("result")
    summary = tmp_path / "summary.md"
    code = main(
        [
            "--root",
            str(demo_copy),
            "--now",
            NEXT_DAY,
            "write",
            "--yes",
            "--summary",
            str(summary),
        ]
    )
    assert code == 1
    assert kinds(demo_copy)[-2:] == [("beacon", None), ("draw", "2026-099")]
    assert [k for k, _ in kinds(demo_copy)].count("result") == results  # none of the file's
    text = summary.read_text("utf-8")
    assert f"content/records/results/{TASK}.csv:3" in text  # the file and its row
    assert "### 未处理（1 项）" in text
    assert "抽取 任务 2026-099" in text


# ---------------------------------------------------------------- SIGKILL at each step

KILLER = """
import os, signal
k, phase = os.environ["SUIJI_TEST_KILL_AT"].split(":")
import suiji.ledger.append as appending
real, seen = appending._crash_point, [0]
def crash_point(step):
    if step == "locked":
        seen[0] += 1
    if seen[0] == int(k) and step == phase:
        os.kill(os.getpid(), signal.SIGKILL)
    real(step)
appending._crash_point = crash_point
"""


def _ready(root: Path) -> None:
    """Two commitments and the lottery number: the next run appends beacon, draw, draw."""
    only_plans(root, "2026-001", "2026-004")
    assert write(root, COMMIT_AT) == 0
    put(root, "inputs/2026-001.toml", '"福彩3D" = "371"\n')
    assert write(root, INPUTS_AT) == 0


@pytest.fixture
def ready(bureau: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """The bureau before the run, and the ledger an uninterrupted run leaves."""
    _ready(bureau)
    reference = tmp_path / "reference"
    shutil.copytree(bureau, reference)
    assert write(reference, DRAW_AT) == 0
    assert [k for k, _ in kinds(reference)[-3:]] == ["beacon", "draw", "draw"]
    return bureau, (reference / "ledger" / "ledger.jsonl").read_bytes()


@pytest.mark.parametrize("phase", ["objects", "line-synced", "cache-written"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_sigkill_at_each_step_of_a_run_then_the_next_run_completes(
    ready: tuple[Path, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    k: int,
    phase: str,
) -> None:
    import os
    import subprocess
    import sys

    root, reference = ready
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(KILLER, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), "SUIJI_TEST_KILL_AT": f"{k}:{phase}"}
    key = str(root / "private" / "signing.key")
    argv = ["--root", str(root), "--now", DRAW_AT, "write", "--yes", "--key", key]
    proc = subprocess.run(
        [sys.executable, "-m", "suiji", *argv], env=env, capture_output=True, timeout=300
    )
    assert proc.returncode == -9, proc.stderr.decode()
    code, found = verify_codes(root, DRAW_AT, capsys)
    assert (code, found) == (0, [])
    assert write(root, DRAW_AT) == 0
    assert (root / "ledger" / "ledger.jsonl").read_bytes() == reference
    assert verify_codes(root, DRAW_AT, capsys) == (0, [])


# ---------------------------------------------------------------- the plan, on its own


def test_the_plan_orders_actions_and_leaves_done_requests_out(bureau: Path) -> None:
    from suiji.ledger.requests import Request
    from suiji.shared.times import parse_user_time as parse_time
    from suiji.writing.reconcile import STEPS, plan_write
    from suiji.writing.recordfiles import (
        CommitVoidRequest,
        InputsRequest,
        PersonVoidRequest,
        PlanFile,
        RecordFiles,
        RootRequest,
    )
    from suiji.writing.writerun import ledger_facts

    _ready(bureau)
    facts = ledger_facts(bureau)
    live = facts.hist.tasks["2026-004"].commit
    assert live is not None
    source = live.body.plan_source_object
    files = RecordFiles(
        plans=(
            PlanFile("2026-002", "p/2026-002.toml", "new-bytes"),
            PlanFile("2026-004", "p/2026-004.toml", source),  # voided below, unchanged
        ),
        commit_voids=(CommitVoidRequest("2026-004", "v/2026-004.toml", live.seq, "理由"),),
        inputs=(InputsRequest("2026-001", "i/2026-001.toml", (("福彩3D", "371"),)),),
        person_voids=(
            PersonVoidRequest("2026-001", "pv/2026-001.toml", "ZF001", "回避"),
            PersonVoidRequest("2026-001", "pv/2026-001.toml", "ZF002", "回避"),  # waits
            PersonVoidRequest("2026-003", "pv/2026-003.toml", "ZF001", "回避"),  # not drawn
        ),
        results=("content/records/results/2026-001.csv",),
        requests=(RootRequest("r/1.json", Request("key", {"action": "add"})),),
    )
    plan = plan_write(files, facts, parse_time(DRAW_AT))
    steps = [(a.step, a.task) for a in plan.actions]
    assert steps == [
        ("commit-void", "2026-004"),
        ("commit", "2026-002"),
        ("draw", "2026-001"),
        ("draw", "2026-004"),
        ("person-void", "2026-001"),
        ("record", None),
        ("request", None),
    ]
    order = [STEPS.index(a.step) for a in plan.actions]
    assert order == sorted(order)
    assert [(s.source, s.code) for s in plan.skipped] == [("pv/2026-003.toml", "task-not-drawn")]
    # Before the round, nothing is due; the recorded input is not planned again.
    early = plan_write(files, facts, parse_time(INPUTS_AT))
    assert "draw" not in {a.step for a in early.actions}
    assert "inputs" not in {a.step for a in early.actions}


def test_the_plan_of_a_ledger_with_everything_done_is_empty(bureau: Path) -> None:
    from suiji.shared.times import parse_user_time as parse_time
    from suiji.writing.reconcile import plan_write
    from suiji.writing.recordfiles import read_record_files
    from suiji.writing.writerun import ledger_facts

    _ready(bureau)
    assert write(bureau, DRAW_AT) == 0
    plan = plan_write(read_record_files(bureau), ledger_facts(bureau), parse_time(DRAW_AT))
    assert plan.actions == () and plan.skipped == () and plan.notices == ()


def test_a_root_signed_request_is_appended_once(bureau: Path) -> None:
    from tests.support.bureau import keygen

    only_plans(bureau)
    assert keygen(bureau, "root2.key") == 0
    request = bureau / RECORDS / "requests" / "add-root.json"
    request.parent.mkdir(parents=True)
    private = bureau / "private"
    args = ["--root", str(bureau), "--now", COMMIT_AT, "key", "add", str(private / "root2.key.pub")]
    args += ["--role", "root", "--out", str(request), "--sign", str(private / "root.key")]
    args += ["--sign", str(private / "root2.key")]  # a new root proves it holds its key
    assert main(args) == 0
    assert write(bureau, COMMIT_AT) == 0
    assert kinds(bureau)[-1] == ("key", None)
    before = ledger(bureau)
    assert write(bureau, DRAW_AT) == 0
    assert ledger(bureau) == before


def test_a_real_chain_round_from_a_recorded_file(tmp_path: Path) -> None:
    """A ledger pinned to drand quicknet, drawn offline from the recorded round 1000000."""
    from datetime import UTC, datetime

    from tests.support.bureau import clip_record_dates, make_bureau

    from suiji.beacon.chain import chain_facts, chain_from_facts, round_time
    from suiji.beacon.sources import recorded_path

    chain = chain_from_facts(chain_facts("drand-quicknet"))
    commit_unix = round_time(chain, 1_000_000) - 86400 - 1
    at = datetime.fromtimestamp(commit_unix - 3600, UTC).isoformat()
    root = make_bureau(tmp_path / "b", "--beacon", "drand-quicknet", "--demo", at=at)
    clip_record_dates(root, datetime.fromtimestamp(commit_unix, UTC).date().isoformat())
    only_plans(root, "2026-002")
    assert write(root, datetime.fromtimestamp(commit_unix, UTC).isoformat()) == 0
    assert next(e for e in read_entries(root) if e.kind == "commit").body["beacon"]["round"] == (
        1_000_000
    )
    later = datetime.fromtimestamp(commit_unix + 86400 + 60, UTC).isoformat()
    rounds = str(recorded_path("drand-quicknet"))
    assert write(root, later, "--beacons", rounds) == 0
    assert [k for k, _ in kinds(root)[-2:]] == ["beacon", "draw"]


def test_the_demo_year_is_written_by_the_writer_alone(tmp_path: Path) -> None:
    """Every entry after the genesis comes from a `suiji write` run on changed files."""
    import io
    import re

    from suiji.cli.demo import run_demo

    out = io.StringIO()
    run_demo(tmp_path / "demo", force=False, out=out, main=main)
    commands = re.findall(r"\$ suiji --now \S+ (\S+)", out.getvalue())
    writes = {"commit", "inputs", "draw", "void", "replace", "record", "withdraw"}
    assert commands.count("write") >= 15 and not writes & set(commands)
    records = tmp_path / "demo" / RECORDS
    for made in (
        "voids/commitments/2026-004.toml",
        "inputs/2026-003.toml",
        "voids/2026-003.toml",
        "withdrawals/2026-002.toml",
    ):
        assert (records / made).is_file(), made
    before = ledger(tmp_path / "demo")
    assert main(["--root", str(tmp_path / "demo"), "write", "--yes"]) == 0
    assert ledger(tmp_path / "demo") == before


def test_a_key_that_is_not_the_writers_is_refused_at_each_step(
    bureau: Path, tmp_path: Path
) -> None:
    only_plans(bureau, "2026-004")
    summary = tmp_path / "summary.md"
    wrong = tmp_path / "wrong.key"
    from tests.support.bureau import keygen

    assert keygen(bureau, "other.key") == 0
    shutil.copy(bureau / "private" / "other.key", wrong)
    before = ledger(bureau)
    args = ["--root", str(bureau), "--now", COMMIT_AT, "write", "--yes", "--key", str(wrong)]
    assert main([*args, "--summary", str(summary)]) == 1
    assert ledger(bureau) == before
    assert "key-not-authorised" in summary.read_text("utf-8")


def test_a_run_that_cannot_start_says_so_in_the_summary(bureau: Path, tmp_path: Path) -> None:
    only_plans(bureau, "2026-004")
    summary = tmp_path / "summary.md"
    before = ledger(bureau)
    args = ["--root", str(bureau), "--now", COMMIT_AT, "write", "--yes"]
    assert main([*args, "--key", str(tmp_path / "missing.key"), "--summary", str(summary)]) == 2
    assert ledger(bureau) == before
    assert "写入程序未能完成" in summary.read_text("utf-8")
