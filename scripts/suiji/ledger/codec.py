"""Ledger lines: bytes to `Entry` and back, strictly (docs/spec/04-ledger.md §4.2)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX, Sig, parse_sig_json, public_of
from suiji.ledger.objects import object_refs
from suiji.model.entries import Body, decode_body
from suiji.model.fields import EntryError
from suiji.shared.canonical import HEX64_RE, canonical_json, parse_canonical, tagged_hash
from suiji.shared.errors import CanonicalError, CheckFailed
from suiji.shared.times import parse_time
from suiji.standards.merkle import leaf_hash
from suiji.standards.note import b64encode

ENTRY_TAG = "suiji/entry/v1"
MAX_LINE = 1 << 20
GENESIS_PREV = "0" * 64
ENTRY_FIELDS = frozenset({"seq", "prev", "kind", "time", "body", "sigs"})
KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
B = TypeVar("B")


@dataclass(frozen=True)
class Entry:
    """A parsed ledger line. `line` is its exact bytes without `\\n`; `hash` its entry hash.

    `body` is the raw JSON object, for the line codec, signatures and object references;
    treat it as read-only. Everything else reads `typed`, the kind's frozen value
    (`suiji.model.entries`), decoded once on first use (docs/adr/0018-typed-bodies.md).
    """

    seq: int
    prev: str
    kind: str
    time: str
    body: dict[str, Any]
    sigs: tuple[Sig, ...]
    line: bytes
    hash: str

    @property
    def moment(self) -> datetime:
        return parse_time(self.time)

    def objects(self) -> list[str]:
        return object_refs(self.body)

    @functools.cached_property
    def typed(self) -> Body | None:
        """The typed body (None for a kind without a model); EntryError if malformed."""
        return decode_body(self.kind, self.body)

    def typed_as(self, cls: type[B]) -> B:
        """The typed body, which must be a `cls` (EntryError otherwise)."""
        value = self.typed
        if not isinstance(value, cls):
            raise EntryError(
                "wrong-kind", "kind", f"条目 #{self.seq} 的类型是 {self.kind}，不是 {cls.__name__}"
            )
        return value


class LedgerError(CheckFailed):
    """The ledger is not valid; the message lists the first findings."""

    code = "ledger-invalid"


# ---------------------------------------------------------------- raw lines


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line as read: bytes (None if over the limit), hashes, whether `\\n` ended it."""

    seq: int
    offset: int
    data: bytes | None
    length: int
    hash: bytes
    leaf: bytes
    complete: bool


def _raw(seq: int, offset: int, data: bytes) -> RawLine:
    return RawLine(
        seq, offset, data, len(data), tagged_hash(ENTRY_TAG, data), leaf_hash(data), True
    )


def iter_lines(fh: BinaryIO, *, seq: int = 0, offset: int = 0) -> Iterator[RawLine]:
    """Stream lines from `offset` with memory bounded by MAX_LINE.

    An oversized line is hashed incrementally (its hash still chains) but not kept; a
    final chunk without `\\n` is yielded once with `complete=False`.
    """
    fh.seek(offset)
    while True:
        chunk = fh.readline(MAX_LINE + 1)
        if not chunk:
            return
        if chunk.endswith(b"\n"):
            yield _raw(seq, offset, chunk[:-1])
            offset += len(chunk)
            seq += 1
            continue
        if len(chunk) <= MAX_LINE:
            yield RawLine(seq, offset, chunk, len(chunk), b"", b"", False)
            return
        # Same construction as encoding.tagged_hash, fed incrementally.
        entry_h = hashlib.sha256(ENTRY_TAG.encode("ascii") + b"\n" + chunk)
        leaf_h = hashlib.sha256(b"\x00" + chunk)
        length = len(chunk)
        while True:
            more = fh.readline(1 << 16)
            if not more:
                yield RawLine(seq, offset, None, length, b"", b"", False)
                return
            part = more[:-1] if more.endswith(b"\n") else more
            entry_h.update(part)
            leaf_h.update(part)
            length += len(part)
            if more.endswith(b"\n"):
                break
        yield RawLine(seq, offset, None, length, entry_h.digest(), leaf_h.digest(), True)
        offset += length + 1
        seq += 1


# ---------------------------------------------------------------- entry codec


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_TIME_TAIL = len(',"time":"2026-01-01T00:00:00Z"}')


def _decode(raw: RawLine) -> tuple[Entry, list[tuple[Sig, bytes]], bytes]:
    """Canonical parse + field shapes. Returns the entry, decoded sigs and the signed bytes."""
    assert raw.data is not None
    try:
        value = parse_canonical(raw.data)
    except CanonicalError as exc:
        raise _Invalid("noncanonical", f"不是规范 JSON 行：{exc}") from None
    if not isinstance(value, dict) or set(value) != ENTRY_FIELDS:
        got = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise _Invalid("fields", f"条目必须恰好有字段 {sorted(ENTRY_FIELDS)}，实际为 {got}")
    seq, prev, kind, time, body, sigs = (
        value["seq"],
        value["prev"],
        value["kind"],
        value["time"],
        value["body"],
        value["sigs"],
    )
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise _Invalid("fields", "seq 必须是整数")
    if not isinstance(prev, str) or not HEX64_RE.match(prev):
        raise _Invalid("fields", "prev 必须是 64 位小写十六进制")
    if not isinstance(kind, str) or not KIND_RE.match(kind):
        raise _Invalid("fields", f"kind 格式错误：{kind!r}")
    if not isinstance(time, str):
        raise _Invalid("time-format", "time 必须是字符串")
    try:
        parse_time(time)
    except CanonicalError as exc:
        raise _Invalid("time-format", str(exc)) from None
    if not time.isascii():  # parse_time's \d also matches other scripts' digits
        raise _Invalid("time-format", f"时间只能用 ASCII 数字：{time!r}")
    if not isinstance(body, dict):
        raise _Invalid("fields", "body 必须是 JSON 对象")
    if not isinstance(sigs, list) or not sigs:
        raise _Invalid("fields", "sigs 必须是非空数组")
    parsed: list[tuple[Sig, bytes]] = []
    for i, s in enumerate(sigs):
        try:
            parsed.append(parse_sig_json(s, f"sigs[{i}]"))
        except ValueError as exc:
            raise _Invalid("sig-format", str(exc)) from None
    entry = Entry(
        seq, prev, kind, time, body, tuple(p[0] for p in parsed), raw.data, raw.hash.hex()
    )
    return entry, parsed, _unsigned_bytes(raw.data, parsed, value)


def _unsigned_bytes(line: bytes, sigs: list[tuple[Sig, bytes]], value: dict[str, Any]) -> bytes:
    """canonical_json(entry without "sigs"), cut out of the canonical line itself.

    In canonical order `sigs` is the member just before `time`, whose 31-byte tail is fixed,
    so removing `,"sigs":<sigs>` is exact; fall back to re-serialising if it ever is not.
    """
    # key (hex) and sig (base64) were validated, so their JSON needs no escaping
    members = ",".join(f'{{"key":"{s.key}","sig":"{s.sig}"}}' for s, _ in sigs)
    segment = f',"sigs":[{members}]'.encode("ascii")
    start = len(line) - _TIME_TAIL - len(segment)
    if start > 0 and line[start : start + len(segment)] == segment:
        return line[:start] + line[start + len(segment) :]
    return canonical_json({k: v for k, v in value.items() if k != "sigs"})  # pragma: no cover


def encode_entry(
    *,
    seq: int,
    prev: str,
    kind: str,
    time: str,
    body: Mapping[str, Any],
    key: Ed25519PrivateKey,
    extra_sigs: Sequence[Sig] = (),
) -> bytes:
    """The canonical line (without `\\n`) of an entry signed by `key` plus `extra_sigs`."""
    unsigned = {"seq": seq, "prev": prev, "kind": kind, "time": time, "body": body}
    message = ENTRY_SIG_PREFIX + canonical_json(unsigned)
    writer = Sig(public_of(key).id, b64encode(key.sign(message)))
    sigs = sorted([writer, *extra_sigs], key=lambda s: s.key)
    return canonical_json({**unsigned, "sigs": [s.to_json() for s in sigs]})
