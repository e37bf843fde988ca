"""The command's contract: help, version, one-line usage errors with exit 2, global options."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from suiji import __version__
from suiji.cli.app import main
from suiji.cli.common import resolve_clock


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suiji", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in (
        "check",
        "keygen",
        "init",
        "key",
        "commit",
        "draw",
        "void",
        "coverage",
        "verify",
        "gitcheck",
        "ledger",
        "demo",
        "new",
    ):
        assert command in out.stdout
    assert "随机" in out.stdout


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0
    assert __version__ in out.stdout


@pytest.mark.parametrize("args", [["no-such-command"], ["demo"], ["--no-such-option"]])
def test_usage_error_is_one_line_exit_2(args: list[str]) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "suiji --help" in out.stderr


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "suiji" in capsys.readouterr().out


def test_clock_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUIJI_NOW", raising=False)
    now, overridden = resolve_clock(tmp_path, None)
    assert not overridden and abs((datetime.now(UTC) - now).total_seconds()) < 60
    (tmp_path / "suiji-demo.toml").write_text('now = "2026-12-15T10:00:00+08:00"\n', "utf-8")
    assert resolve_clock(tmp_path, None) == (
        datetime.fromisoformat("2026-12-15T10:00:00+08:00"),
        True,
    )
    monkeypatch.setenv("SUIJI_NOW", "2026-01-02")
    assert resolve_clock(tmp_path, None)[0].date().isoformat() == "2026-01-02"
    assert resolve_clock(tmp_path, "2026-03-04")[0].date().isoformat() == "2026-03-04"


def test_bad_now_is_exit_2(tmp_path: Path) -> None:
    out = run("--now", "明天", "demo", str(tmp_path / "d"))
    assert out.returncode == 2
    assert "无法识别的时间" in out.stderr
