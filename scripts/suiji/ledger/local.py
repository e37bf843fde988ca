"""The writer's local view of its ledger: the lock, the cached verified state.

fcntl lives here, never in the verifier's import graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from suiji.crypto.ed25519 import PublicKey
from suiji.ledger.codec import ENTRY_TAG, LedgerError, RawLine
from suiji.ledger.objects import ObjectStore
from suiji.ledger.paths import CACHE_FILE, CHECKPOINT_FILE, LEDGER_FILE, LOCK_FILE, ledger_dir
from suiji.ledger.reading import scan
from suiji.ledger.state import WRITER_TOLERATES, LedgerState, check_checkpoint
from suiji.shared.canonical import tagged_hex
from suiji.shared.errors import InputError, os_failure
from suiji.shared.files import open_regular, read_regular
from suiji.shared.findings import Finding
from suiji.standards.checkpoint import Checkpoint, parse_checkpoint
from suiji.standards.note import NoteError, parse_note


def signing_key(root: Path) -> PublicKey:
    """The signing key currently authorised (the writer after the last entry).

    Uses the writer's cache when it matches the ledger, else replays the ledger; raises
    LedgerError if the ledger does not verify.
    """
    with _locked(ledger_dir(root), shared=True):
        loaded = _load(root, now=None)
    if loaded.findings:
        raise LedgerError(_summarise(loaded.findings))
    if loaded.state.keys is None:
        raise InputError("账本为空；请先运行 suiji init")
    return loaded.state.keys.writer_key


@contextlib.contextmanager
def _locked(ld: Path, *, shared: bool = False) -> Iterator[None]:
    """fcntl.flock on `ledger/.lock`: one writer at a time, readers see whole appends."""
    if shared and not ld.is_dir():
        raise InputError(f"{ld}: 账本目录不存在；请先运行 suiji init")
    ld.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(ld / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if not shared:
            raise os_failure(exc, ld / LOCK_FILE) from None
        yield  # a read-only checkout: nobody can be writing here anyway
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _cleanup_tmp(ld: Path) -> None:
    """Remove temporary files left by writers that died (their pid no longer runs)."""
    if not ld.is_dir():
        return
    for p in ld.glob(".*.tmp-*"):
        pid_text = p.name.rsplit("-", 1)[-1]
        if not pid_text.isdigit():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            p.unlink(missing_ok=True)
        except PermissionError:
            pass


def _described(f: Finding) -> str:
    """A finding as an error message quotes it (same words as `suiji verify` prints)."""
    where = f"条目 #{f.seq}" if f.seq is not None else "账本"
    return f"{where} [{f.tag}/{f.code}] {f.message}"


def _summarise(findings: Sequence[Finding], limit: int = 5) -> str:
    shown = "；".join(_described(f) for f in findings[:limit])
    more = f"；另有 {len(findings) - limit} 项" if len(findings) > limit else ""
    return f"账本校验未通过，未做任何修改：{shown}{more}。请运行 suiji verify 查看全部问题"


# ---------------------------------------------------------------- loading the verified state


@dataclass
class _Loaded:
    state: LedgerState
    findings: list[Finding]
    tail: RawLine | None
    checkpoint: Checkpoint | None


def _read_cache(ld: Path) -> LedgerState | None:
    """The writer's cached state, if it still matches the bytes of the ledger file."""
    try:
        state = LedgerState.from_json(json.loads(read_regular(ld / CACHE_FILE)))
    except (OSError, InputError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if state.size == 0:
        return None
    try:
        with open_regular(ld / LEDGER_FILE) as fh:
            fh.seek(state.offset - state.last_len - 1)
            last = fh.read(state.last_len + 1)
    except (OSError, InputError, ValueError):
        return None
    if len(last) != state.last_len + 1 or not last.endswith(b"\n"):
        return None
    if tagged_hex(ENTRY_TAG, last[:-1]) != state.last_hash:
        return None
    return state


def _load(root: Path, *, now: datetime | None, use_cache: bool = True) -> _Loaded:
    """Verify what is new since the cached state (or everything) plus the checkpoint."""
    ld = ledger_dir(root)
    path = ld / LEDGER_FILE
    cp_bytes: bytes | None = None
    with contextlib.suppress(FileNotFoundError):
        cp_bytes = read_regular(ld / CHECKPOINT_FILE)
    if not path.exists():
        if cp_bytes is not None:
            raise LedgerError("账本文件 ledger/ledger.jsonl 不存在，但检查点存在：账本被删除")
        return _Loaded(LedgerState(), [], None, None)
    cp_size: int | None = None
    if cp_bytes is not None:
        with contextlib.suppress(NoteError):
            cp_size = parse_checkpoint(parse_note(cp_bytes).text).size
    state = _read_cache(ld) if use_cache else None
    if state is None or (cp_size is not None and cp_size < state.size):
        state = LedgerState()
    state.now = now
    store = ObjectStore(root)
    sizes = {cp_size} if cp_size is not None else set()
    result = scan(root, state, store, sizes=sizes)
    findings = [f for f in result.findings if f.code not in WRITER_TOLERATES]
    findings.extend(state.finish())
    checkpoint = None
    if cp_bytes is not None:
        checkpoint, cp_findings = check_checkpoint(
            cp_bytes, origin=state.origin, size=state.size, snapshots=result.snapshots
        )
        findings.extend(cp_findings)
    elif state.size > 1:
        findings.append(
            Finding(None, "integrity", "checkpoint-missing", "缺少检查点 ledger/checkpoint")
        )
    return _Loaded(state, findings, result.tail, checkpoint)
