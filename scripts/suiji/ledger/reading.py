"""Reading a ledger: the streaming scan, batched signature checks, entry iteration."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suiji.ledger.codec import (
    ENTRY_TAG,
    GENESIS_PREV,
    MAX_LINE,
    Entry,
    RawLine,
    _decode,
    _Invalid,
    iter_lines,
)
from suiji.ledger.objects import ObjectStore
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.ledger.sigbatch import SignatureBatcher
from suiji.ledger.state import LedgerState, Snapshot
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis
from suiji.shared.canonical import tagged_hex
from suiji.shared.errors import CanonicalError, InputError, Location
from suiji.shared.files import open_regular
from suiji.shared.findings import Finding

# ---------------------------------------------------------------- scanning


@dataclass
class ScanResult:
    state: LedgerState
    findings: list[Finding]
    snapshots: dict[int, Snapshot]
    tail: RawLine | None


PARALLEL_FROM = 4096


def scan(
    root: Path,
    state: LedgerState,
    store: ObjectStore,
    *,
    sizes: set[int] | frozenset[int] = frozenset(),
    on_entry: Any = None,
    parallel: bool = False,
) -> ScanResult:
    """Stream the lines after `state`, applying each; snapshot root+writer at `sizes`.

    `on_entry(entry)` is called for every entry that produced no finding (the verifier's
    checkers hook in here). With `parallel`, a long ledger's ordinary writer signatures
    are shared between this process and a second one (`SignatureBatcher`); the findings
    are the same.
    """
    path = ledger_dir(root) / LEDGER_FILE
    if parallel and os.cpu_count() != 1 and _new_bytes(path, state) >= PARALLEL_FROM * 256:
        batcher = state.defer = SignatureBatcher()
        try:
            result = scan(root, state, store, sizes=sizes, on_entry=on_entry)
            result.findings.extend(batcher.findings())
        finally:
            batcher.close()
            state.defer = None
        result.findings.sort(key=lambda f: (f.seq is None, f.seq or 0))
        return result
    findings: list[Finding] = []
    snapshots: dict[int, Snapshot] = {}
    tail: RawLine | None = None
    if state.size in sizes:
        snapshots[state.size] = state.snapshot()
    with open_regular(path) as fh:
        for raw in iter_lines(fh, seq=state.size, offset=state.offset):
            entry, found = state.apply(raw, store)
            if not raw.complete:
                tail = raw
            findings.extend(found)
            if entry is not None and not found and on_entry is not None:
                findings.extend(on_entry(entry))
            if state.size in sizes and raw.complete:
                snapshots[state.size] = state.snapshot()
    return ScanResult(state, findings, snapshots, tail)


def _new_bytes(path: Path, state: LedgerState) -> int:
    """How many bytes of ledger lie beyond `state` (a cheap proxy for new lines)."""
    try:
        return path.stat().st_size - state.offset
    except OSError:
        return 0


# ---------------------------------------------------------------- reading


def read_entries(root: Path) -> Iterator[Entry]:
    """Stream every entry, strictly parsed (canonical form, fields, seq, prev).

    Signatures are not checked here — that is `suiji.verify.verify`. Raises InputError
    naming the entry for anything malformed, including a partial last line.
    """
    path = ledger_dir(root) / LEDGER_FILE
    try:
        fh = open_regular(path)
    except OSError as exc:
        raise InputError(
            f"{path}: 无法读取账本：{exc.strerror}",
            code="file-unreadable",
            location=Location(str(path)),
        ) from None
    with fh:
        prev = GENESIS_PREV
        for raw in iter_lines(fh):
            where = f"{path}: 条目 #{raw.seq}"
            at = Location(str(path), entry=raw.seq)
            if not raw.complete:
                raise InputError(
                    f"{where}: 最后一行不完整（缺少换行）；运行 suiji ledger repair",
                    code="line-partial",
                    location=at,
                )
            if raw.data is None:
                raise InputError(
                    f"{where}: 行长超过 {MAX_LINE} 字节", code="line-too-long", location=at
                )
            try:
                entry, _, _ = _decode(raw)
            except _Invalid as exc:
                raise CanonicalError(
                    f"{where}: {exc.message}", code=exc.code, location=at
                ) from None
            if entry.seq != raw.seq or entry.prev != prev:
                raise InputError(
                    f"{where}: seq 或 prev 与位置不符（账本链断裂）；运行 suiji verify",
                    code="chain-broken",
                    location=at,
                )
            prev = entry.hash
            yield entry


def appended_problems(before: bytes, appended: bytes) -> list[tuple[int, str, str]]:
    """Structural problems of `appended`, the bytes added after the ledger file `before`.

    Each new line must be complete, at most MAX_LINE bytes, canonical with the entry's
    exact fields, and continue the chain from `before`'s last line (seq, prev). No
    signature is checked (that is `suiji verify`); this is the cheap check a git hook can
    afford on every commit. Returns (seq, code, Chinese message) per problem; the first
    broken line ends the check, since everything after it is unanchored.
    """
    old = before.split(b"\n")[:-1] if before else []
    seq = len(old)
    prev = tagged_hex(ENTRY_TAG, old[-1]) if old else GENESIS_PREV
    for raw in iter_lines(io.BytesIO(appended), seq=seq):
        if not raw.complete:
            return [(raw.seq, "line-partial", "最后一行不完整（缺少换行）")]
        if raw.data is None:
            return [(raw.seq, "line-too-long", f"行长超过 {MAX_LINE} 字节")]
        try:
            entry, _, _ = _decode(raw)
        except _Invalid as exc:
            return [(raw.seq, exc.code, exc.message)]
        if entry.seq != raw.seq:
            return [(raw.seq, "seq", f"seq 为 {entry.seq}，按位置应为 {raw.seq}")]
        if entry.prev != prev:
            return [(raw.seq, "prev", "prev 不是前一条的条目哈希（账本链断裂）")]
        prev = entry.hash
    return []


def genesis(root: Path) -> Entry:
    """The genesis entry (line 0), strictly parsed; InputError if there is none."""
    for entry in read_entries(root):
        if entry.kind != "genesis":
            raise InputError(f"{ledger_dir(root) / LEDGER_FILE}: 条目 #0 不是创世条目")
        return entry
    raise InputError(f"{ledger_dir(root) / LEDGER_FILE}: 账本为空；请先运行 suiji init")


def genesis_info(root: Path) -> Genesis:
    try:
        return genesis(root).typed_as(Genesis)
    except EntryError as exc:
        raise InputError(f"创世条目无效：{exc}") from None


def get_object(root: Path, oid: str) -> bytes:
    """An object's bytes, checked against its name (ObjectError otherwise)."""
    return ObjectStore(root).get(oid)
