"""Ledger lines: bytes to `Entry` and back, strictly (docs/spec/04-ledger.md §4.2)."""

from __future__ import annotations

import functools
import hashlib
import re
from binascii import a2b_base64
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX, Sig, parse_sig_json, public_of
from suiji.ledger.objects import object_refs
from suiji.model.entries import Body, decode_body
from suiji.model.fields import EntryError
from suiji.shared.canonical import (
    HEX64_RE,
    MAX_INT,
    canonical_json,
    check_depth,
    parse_canonical,
)
from suiji.shared.errors import CanonicalError, CheckFailed
from suiji.shared.times import parse_time
from suiji.standards.note import b64encode

ENTRY_TAG = "suiji/entry/v1"
MAX_LINE = 1 << 20
GENESIS_PREV = "0" * 64
ENTRY_FIELDS = frozenset({"seq", "prev", "kind", "time", "body", "sigs"})
KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
B = TypeVar("B")


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        seq: int,
        prev: str,
        kind: str,
        time: str,
        body: dict[str, Any],
        sigs: tuple[Sig, ...],
        line: bytes,
        hash: str,
    ) -> None:
        # One dict update instead of the frozen dataclass's object.__setattr__ per field:
        # one Entry is built per ledger line.
        self.__dict__.update(
            seq=seq, prev=prev, kind=kind, time=time, body=body, sigs=sigs, line=line, hash=hash
        )

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


class RawLine:
    """One line as read: bytes (None if over the limit), hashes, whether `\\n` ended it.

    A plain slotted class, not a frozen dataclass: one is built per ledger line and the
    dataclass's per-field `object.__setattr__` showed in profiles. Treat it as read-only.
    """

    __slots__ = ("complete", "data", "hash", "leaf", "length", "offset", "seq")

    def __init__(
        self,
        seq: int,
        offset: int,
        data: bytes | None,
        length: int,
        hash: bytes,
        leaf: bytes,
        complete: bool,
    ) -> None:
        self.seq = seq
        self.offset = offset
        self.data = data
        self.length = length
        self.hash = hash
        self.leaf = leaf
        self.complete = complete

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawLine):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__)
        return f"RawLine({fields})"


# tagged_hash(ENTRY_TAG, ·) and leaf_hash(·) with their prefixes fixed once (same bytes).
_ENTRY_PREFIX = ENTRY_TAG.encode("ascii") + b"\n"
_sha256 = hashlib.sha256
_BLOCK = 1 << 18


def _raw(seq: int, offset: int, data: bytes) -> RawLine:
    return RawLine(
        seq,
        offset,
        data,
        len(data),
        _sha256(_ENTRY_PREFIX + data).digest(),
        _sha256(b"\x00" + data).digest(),
        True,
    )


def iter_lines(fh: BinaryIO, *, seq: int = 0, offset: int = 0) -> Iterator[RawLine]:
    """Stream lines from `offset` with memory bounded by MAX_LINE (plus one read block).

    An oversized line is hashed incrementally (its hash still chains) but not kept; a
    final chunk without `\\n` is yielded once with `complete=False`. Reads blocks and
    splits them (a `readline` per line showed in profiles); the results are those of a
    `readline(MAX_LINE + 1)` loop.
    """
    fh.seek(offset)
    sha = _sha256
    prefix = _ENTRY_PREFIX
    carry = b""
    while True:
        block = fh.read(_BLOCK)
        if not block and not carry:
            return
        lines = (carry + block if carry else block).split(b"\n")
        carry = lines.pop()
        for data in lines:
            n = len(data)
            yield RawLine(
                seq,
                offset,
                data if n <= MAX_LINE else None,
                n,
                sha(prefix + data).digest(),
                sha(b"\x00" + data).digest(),
                True,
            )
            offset += n + 1
            seq += 1
        if not block:  # end of file: what is left has no `\\n`
            if carry:
                kept = carry if len(carry) <= MAX_LINE else None
                yield RawLine(seq, offset, kept, len(carry), b"", b"", False)
            return
        if len(carry) <= MAX_LINE:
            continue
        # An unfinished line already over the limit: hash the rest as it comes, keep nothing.
        entry_h = sha(prefix + carry)
        leaf_h = sha(b"\x00" + carry)
        length = len(carry)
        while True:
            block = fh.read(_BLOCK)
            if not block:
                yield RawLine(seq, offset, None, length, b"", b"", False)
                return
            end = block.find(b"\n")
            part = block if end < 0 else block[:end]
            entry_h.update(part)
            leaf_h.update(part)
            length += len(part)
            if end >= 0:
                break
        yield RawLine(seq, offset, None, length, entry_h.digest(), leaf_h.digest(), True)
        offset += length + 1
        seq += 1
        carry = block[end + 1 :]
        # `carry` may hold whole lines again: split it on the next turn, with the next block.


# ---------------------------------------------------------------- entry codec


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_TIME_TAIL = len(',"time":"2026-01-01T00:00:00Z"}')


# The envelope after the body, in canonical member order, with every field in the one
# shape the slow path accepts without question (signatures: 64 bytes, canonical base64).
_SIG = rb'\{"key":"[0-9a-f]{64}","sig":"[A-Za-z0-9+/]{85}[AQgw]=="\}'
_TAIL_RE = re.compile(
    rb',"kind":"([a-z][a-z0-9_-]{0,63})","prev":"([0-9a-f]{64})","seq":(0|[1-9][0-9]{0,15})'
    rb'(,"sigs":\[(?:' + _SIG + rb",)*" + _SIG + rb"\])"
    rb',"time":"(([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z)"\}'
)
_SIG_RE = re.compile(rb'"key":"([0-9a-f]{64})","sig":"([A-Za-z0-9+/=]{88})"')
_BODY_HEAD = b'{"body":{'


@functools.lru_cache(maxsize=256)
def _day_exists(day: bytes) -> bool:
    try:
        parse_time(day.decode("ascii") + "T00:00:00Z")
    except CanonicalError:
        return False
    return True


def _decode_fast(
    data: bytes, entry_hash: bytes
) -> tuple[Entry, list[tuple[Sig, bytes]], bytes] | None:
    """`_decode` for the usual line, or None to let the strict path decide (and word it).

    The envelope is matched with one bytes regex anchored at the line's end: in canonical
    order `body` comes first and `kind`, `prev`, `seq`, `sigs`, `time` follow in a fixed
    shape that cannot occur inside any of them, so the last `},"kind":"` ends the body.
    Then the whole line is canonical exactly when the body is, and the signed message is
    the line with `,"sigs":[…]` cut out. Anything unusual returns None.
    """
    if not data.startswith(_BODY_HEAD):
        return None
    cut = data.rfind(b'},"kind":"') + 1
    if cut <= 0:
        return None
    m = _TAIL_RE.fullmatch(data, cut)
    if m is None:
        return None
    kind, prev, seq_text, time, day, hh, mm, ss = m.group(1, 2, 3, 5, 6, 7, 8, 9)
    if len(seq_text) == 16 and int(seq_text) > MAX_INT:
        return None
    if hh >= b"24" or mm >= b"60" or ss >= b"60" or not _day_exists(day):
        return None
    try:
        check_depth(data)
        body = parse_canonical(data[8:cut])
    except CanonicalError:
        return None
    if type(body) is not dict:
        return None
    start, end = m.span(4)
    parsed = [
        (Sig(kid.decode("ascii"), b64.decode("ascii")), a2b_base64(b64))
        for kid, b64 in _SIG_RE.findall(data, start, end)
    ]
    entry = Entry(
        int(seq_text),
        prev.decode("ascii"),
        kind.decode("ascii"),
        time.decode("ascii"),
        body,
        tuple(p[0] for p in parsed),
        data,
        entry_hash.hex(),
    )
    return entry, parsed, data[:start] + data[end:]


def _decode(raw: RawLine) -> tuple[Entry, list[tuple[Sig, bytes]], bytes]:
    """Canonical parse + field shapes. Returns the entry, decoded sigs and the signed bytes."""
    assert raw.data is not None
    fast = _decode_fast(raw.data, raw.hash)
    if fast is not None:
        return fast
    return _decode_strict(raw)


def _decode_strict(raw: RawLine) -> tuple[Entry, list[tuple[Sig, bytes]], bytes]:
    """Every line `_decode_fast` does not take: the full parse, and the precise complaint."""
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
