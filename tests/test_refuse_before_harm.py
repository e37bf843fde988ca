"""Refuse before harm: an explicit randomness choice at init, and a confirmation before
every step that appends to the ledger."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.support.bureau import make_bureau, suiji

from suiji.cli.app import main
from suiji.cli.common import CONFIRM_PROMPT
from suiji.cli.keycmds import EXTRA_ONLY_WARNING
from suiji.ledger.reading import genesis, read_entries

PLANS = Path("content") / "records" / "plans"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
LATER = "2026-03-16T10:00:00+08:00"


class _Terminal(io.StringIO):
    """A stdin that claims to be a terminal, holding the clerk's answer."""

    def isatty(self) -> bool:
        return True


def ledger_bytes(root: Path) -> dict[str, bytes]:
    base = root / "ledger"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name not in {".writer-cache.json", ".lock"}
    }


def run(root: Path, now: str, *args: str) -> int:
    """`suiji` without --yes (tests/support/bureau.suiji adds it)."""
    key = ["--key", str(root / "private" / "signing.key")]
    return main(["--root", str(root), "--now", now, *args, *key])


# ---------------------------------------------------------------- init: the randomness choice


def test_init_without_a_randomness_choice_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_bureau(tmp_path / "b")
    assert not (root / "ledger" / "ledger.jsonl").exists()
    err = capsys.readouterr().err
    assert "--beacon drand-quicknet" in err and "--extra-only" in err


def test_init_refuses_both_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "drand-quicknet", "--extra-only")
    assert not (root / "ledger" / "ledger.jsonl").exists()
    assert "不能同时使用" in capsys.readouterr().err


def test_extra_only_prints_what_it_weakens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_bureau(tmp_path / "b", "--extra-only", "--demo")
    assert genesis(root).body["beacons"] == []
    out = capsys.readouterr().out
    assert EXTRA_ONLY_WARNING in out and "预知" in out and "--beacon drand-quicknet" in out


def test_drand_quicknet_is_recorded(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "drand-quicknet", "--demo")
    assert [b["name"] for b in genesis(root).body["beacons"]] == ["drand-quicknet"]


# ---------------------------------------------------------------- confirmation


def test_without_yes_and_without_a_terminal_every_write_is_refused(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = str(bureau / PLANS / "2026-001.toml")
    before = ledger_bytes(bureau)
    assert run(bureau, COMMIT_AT, "commit", plan) == 2
    assert "--yes" in capsys.readouterr().err
    assert ledger_bytes(bureau) == before
    assert suiji(bureau, COMMIT_AT, "commit", plan) == 0  # --yes proceeds
    committed = ledger_bytes(bureau)
    for args in (
        ("inputs", "2026-001", "--extra", "福彩3D=371"),
        ("draw", "2026-001"),
        ("void", "2026-001", "--reason", "写错了"),
    ):
        assert run(bureau, LATER, *args) == 2, args
        assert "--yes" in capsys.readouterr().err
        assert ledger_bytes(bureau) == committed, args


def test_answering_no_leaves_the_ledger_byte_identical(
    bureau: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = str(bureau / PLANS / "2026-001.toml")
    assert suiji(bureau, COMMIT_AT, "commit", plan) == 0
    before = ledger_bytes(bureau)
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert run(bureau, LATER, "void", "2026-001", "--reason", "写错了") == 2
    captured = capsys.readouterr()
    assert CONFIRM_PROMPT in captured.out and "作废任务 2026-001" in captured.out
    assert "写错了" in captured.out and "已取消" in captured.err
    assert ledger_bytes(bureau) == before
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert run(bureau, LATER, "void", "2026-001", "--reason", "写错了") == 0
    assert [e.kind for e in read_entries(bureau)][-1] == "commit-void"


def test_a_terminal_commit_shows_the_plan_then_writes(
    bureau: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert run(bureau, COMMIT_AT, "commit", str(bureau / PLANS / "2026-001.toml")) == 0
    out = capsys.readouterr().out
    assert out.index("承诺任务 2026-001") < out.index(CONFIRM_PROMPT) < out.index("已承诺任务")
