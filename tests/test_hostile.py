"""Hostile input and a hostile system: a Chinese message and exit 2, never a traceback.

A 400 KB line of nested `[`, a symlinked checkpoint, an object that is `/dev/zero`, a full
disk and a read-only checkout each end the command with a message naming the file, and
leave the ledger byte-identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.bureau import SETUP_AT, make_bureau, suiji

from suiji.cli.app import main
from suiji.ledger.reading import read_entries

PLANS = Path("content") / "records" / "plans"
COMMIT_AT = "2026-03-16T09:00:00+08:00"


def _ledger_bytes(root: Path) -> dict[str, bytes]:
    base = root / "ledger"
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name not in {".writer-cache.json", ".lock"}
    }


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `suiji` process: a segfault or a traceback would show here."""
    return subprocess.run(
        [sys.executable, "-m", "suiji", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONFAULTHANDLER": "0"},
    )


def test_deeply_nested_line_is_refused_not_fatal(demo_copy: Path) -> None:
    ledger = demo_copy / "ledger" / "ledger.jsonl"
    hostile = f"条目 #{len(ledger.read_bytes().splitlines())}"  # the line about to be added
    with ledger.open("ab") as fh:
        fh.write(b"[" * 400_000 + b"\n")
    before = _ledger_bytes(demo_copy)
    verified = _cli(demo_copy, "verify")
    assert verified.returncode == 1, verified.stderr  # a finding at the line, not a crash
    assert "Traceback" not in verified.stderr + verified.stdout
    assert "条目 #" in verified.stdout
    for args in (("ledger", "repair"), ("draw", "--due")):
        done = _cli(demo_copy, *args)
        # repair: the ledger does not verify (CheckFailed, exit 1, ADR 0018); draw: the
        # line cannot be read (InputError, exit 2)
        assert done.returncode in (1, 2), (args, done.stderr)
        assert "嵌套层数超过 64" in done.stderr
        assert "Traceback" not in done.stderr
        assert hostile in done.stderr
    assert _ledger_bytes(demo_copy) == before


def test_symlinked_checkpoint_is_refused_without_echo(
    demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secrets.txt"
    secret.write_text("password=hunter2-very-secret\n\n— x y\n", encoding="utf-8")
    cp = demo_copy / "ledger" / "checkpoint"
    cp.unlink()
    cp.symlink_to(secret)
    for args in (["verify"], ["ledger", "repair"]):
        assert main(["--root", str(demo_copy), *args]) == 2
        out = capsys.readouterr()
        assert "hunter2" not in out.out + out.err
        assert "符号链接" in out.err and "checkpoint" in out.err


def test_object_that_is_dev_zero_is_refused(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draw = next(e for e in read_entries(demo_copy) if e.kind == "draw")
    obj = demo_copy / "ledger" / "objects" / draw.body["result_object"]
    obj.unlink()
    obj.symlink_to("/dev/zero")
    assert main(["--root", str(demo_copy), "verify"]) == 1
    out = capsys.readouterr().out
    assert f"条目 #{draw.seq}" in out and "object-corrupt" in out
    (demo_copy / "ledger" / ".writer-cache.json").unlink()  # the writer replays it all
    assert main(["--root", str(demo_copy), "ledger", "repair"]) == 1  # ledger invalid
    assert "object-corrupt" in capsys.readouterr().err


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_disk_full_gives_a_message_and_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount permission)")
    try:
        root = make_bureau(disk / "b", "--beacon", "suiji-demo", "--demo", at=SETUP_AT)
        before = _ledger_bytes(root)
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        with pytest.raises(OSError):
            while True:
                os.write(fd, b"\0" * (1 << 16))
        os.close(fd)
        capsys.readouterr()
        assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 2
        err = capsys.readouterr().err
        assert "磁盘空间不足" in err and "Traceback" not in err
        assert _ledger_bytes(root) == before
        filler.unlink()
        assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / "2026-001.toml")) == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def test_read_only_checkout_gives_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo", at=SETUP_AT)
    view = tmp_path / "ro"
    view.mkdir()
    if not _mount("--bind", str(root), str(view)):
        pytest.skip("cannot bind-mount here (needs root and mount permission)")
    try:
        if not _mount("-o", "remount,bind,ro", str(view)):
            pytest.skip("cannot remount read-only here")
        shutil.rmtree(root / "ledger" / ".lock", ignore_errors=True)
        before = _ledger_bytes(root)
        capsys.readouterr()
        assert suiji(view, COMMIT_AT, "commit", str(view / PLANS / "2026-001.toml")) == 2
        err = capsys.readouterr().err
        assert "只读" in err and "Traceback" not in err
        assert _ledger_bytes(root) == before
        assert main(["--root", str(view), "--now", COMMIT_AT, "verify", "--allow-demo"]) == 0
    finally:
        subprocess.run(["umount", "-l", str(view)], capture_output=True, timeout=30)


def test_demo_clock_file_in_a_real_bureau_is_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planted suiji-demo.toml must not move a non-demo bureau's verifier clock."""
    from suiji.cli.common import resolve_clock

    monkeypatch.delenv("SUIJI_NOW", raising=False)
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from suiji.ledger.append import create

    root = tmp_path / "b"
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    create(root, origin="test.invalid/real", roots=keys[:1], signing=keys[1], now=datetime.now(UTC))
    (root / "suiji-demo.toml").write_text('now = "2099-01-01T00:00:00Z"\n', encoding="utf-8")
    now, overridden = resolve_clock(root, None)
    assert not overridden and now.year < 2099
