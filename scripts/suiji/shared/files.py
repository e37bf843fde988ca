"""Crash-safe file writes: temporary file, fsync, rename, fsync the directory.

`write_atomic` is the one implementation: the ledger's appending module, request files,
the verifier's saved state and the beacon cache all write through it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

CRASH_ENV = "SUIJI_LEDGER_CRASH_AT"


# ---------------------------------------------------------------- writing helpers


def _crash_point(step: str) -> None:
    """Test hook (SIGKILL at a named step); inert unless $SUIJI_LEDGER_CRASH_AT names it."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # a directory cannot be opened there; NTFS journals the rename
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    path: Path, data: bytes, *, step: str | None = None, tmp_dir: Path | None = None
) -> None:
    """tmp (same file system), fsync, rename, fsync the directory.

    Readers see the old bytes or the new, never a mix. A failure before the rename removes
    the temporary file; `step` names the crash points tests use (`CRASH_ENV`).
    """
    tmp = (tmp_dir or path.parent) / f".{path.name}.tmp-{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            if step and os.environ.get(CRASH_ENV) == f"{step}-partial":
                os.write(fd, data[: len(data) // 2])
                _crash_point(f"{step}-partial")
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if step:
            _crash_point(f"{step}-written")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if step:
        _crash_point(f"{step}-renamed")
    _fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
