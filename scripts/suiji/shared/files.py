"""Crash-safe file writes: temporary file, fsync, rename, fsync the directory.

`write_atomic` is the one implementation: the ledger's appending module, request files,
the verifier's saved state and the beacon cache all write through it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
from pathlib import Path
from typing import BinaryIO

from suiji.shared.errors import InputError, Location

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


# ---------------------------------------------------------------- reading


MAX_SMALL_FILE = 1 << 20
"""Checkpoints, cosignatures, state and cache files: far below 1 MiB when genuine."""

MAX_OBJECT = 1 << 30
"""An object (a records snapshot, a result) larger than 1 GiB is refused, not read."""


def read_regular(path: Path, *, limit: int = MAX_SMALL_FILE) -> bytes:
    """A regular file's bytes, at most `limit` of them; never follows a symlink.

    A symlink (a checkpoint pointing at a local secrets file), a device (`/dev/zero`), a
    FIFO or an oversized file raises InputError naming the file, without reading or
    echoing its content. FileNotFoundError passes through (callers decide what absence
    means).
    """
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"{path}: 文件超过 {limit} 字节上限，拒绝读取；请检查此文件是否被替换",
            code="file-too-large",
            location=Location(str(path)),
        )
    return data


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading without following a symlink (O_NOFOLLOW)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(
                f"{path}: 是符号链接，出于安全不会跟随读取；请换成普通文件",
                code="symlink-refused",
                location=Location(str(path)),
            ) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(
                f"{path}: 不是普通文件（设备、管道或目录），拒绝读取；请换成普通文件",
                code="not-regular-file",
                location=Location(str(path)),
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
