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
    person = teams.teams[0].officers[0].person
    put(
        bureau,
        "voids/2026-004.toml",
        f'[[void]]\nperson = "{person}"\nreason = "本人申请回避"\n',
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
    from tests.test_record_results import drawn_rows, put_rows

    add_plan(demo_copy, "2026-005", 3)
    assert main(["--root", str(demo_copy), "--now", LATE_2026, "write", "--yes"]) == 0
    assert kinds(demo_copy)[-1] == ("commit", "2026-005")
    rows = drawn_rows(demo_copy)
    rows[1]["统一社会信用代码"] = "91330000MA0000000X"  # not drawn (and not even valid)
    put_rows(demo_copy, rows)
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
    assert kinds(demo_copy)[-2:] == [("beacon", None), ("draw", "2026-005")]
    assert not any(k == "result" for k, _ in kinds(demo_copy))
    text = summary.read_text("utf-8")
    assert "content/records/results/2026-002.csv:3" in text  # the file and its row
    assert "### 未处理（1 项）" in text
    assert "抽取 任务 2026-005" in text
