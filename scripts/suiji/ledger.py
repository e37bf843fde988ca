"""The signed, hash-chained ledger: entry codec, objects, the verifying state machine, append.

docs/SPEC.md part 3 is the byte-exact contract; this module is its reference
implementation. Three layers:

- the **codec** (`Entry`, `iter_lines`, `object_refs`): bytes ↔ values, strictly;
- the **state machine** (`LedgerState.apply`): pure, one line at a time, shared by the
  verifier and the writer so the writer can never write what the verifier rejects;
- the **writer** (`append`, `put_object`, `repair`): the only code that writes ledger
  files, under one lock, crash-safe (docs/SPEC.md §3.8).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import signal
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji import keys as K
from suiji.checkpoint import (
    Checkpoint,
    MerkleFrontier,
    NoteError,
    NoteVerifier,
    b64encode,
    leaf_hash,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
)
from suiji.encoding import (
    canonical_json,
    format_time,
    parse_canonical,
    parse_time,
    tagged_hash,
    tagged_hex,
)
from suiji.errors import CanonicalError, CheckFailed, InputError, UsageError
from suiji.keys import PublicKey, Sig

# ---------------------------------------------------------------- constants

LEDGER_DIR = "ledger"
LEDGER_FILE = "ledger.jsonl"
CHECKPOINT_FILE = "checkpoint"
OBJECTS_DIR = "objects"
COSIGNATURES_DIR = "cosignatures"
LOCK_FILE = ".lock"
CACHE_FILE = ".writer-cache.json"

ENTRY_TAG = "suiji/entry/v1"
OBJECT_TAG = "suiji/object/v1"
MAX_LINE = 1 << 20
"""A line (without its `\\n`) may hold at most 1 MiB; bulk data belongs in objects."""
GENESIS_PREV = "0" * 64
ENTRY_FIELDS = frozenset({"seq", "prev", "kind", "time", "body", "sigs"})
KIND_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
ORIGIN_RE = re.compile(r"^[\x21-\x2a\x2c-\x7e]{1,255}$")
"""Printable ASCII without space or '+': a valid C2SP note key name as well as an origin."""
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
BEACON_FIELDS = {
    "name": str,
    "chain_hash": str,
    "public_key": str,
    "scheme": str,
    "genesis_time": int,
    "period": int,
}
WRITER_TOLERATES = frozenset({"disputed", "line-partial"})
"""Findings the verifier reports but that do not stop the writer: disputes are the outcome of
a revocation the writer just recorded, and a partial tail is what `repair` fixes."""
CRASH_ENV = "SUIJI_LEDGER_CRASH_AT"
"""Test hook: the writer SIGKILLs itself at the named step (docs/SPEC.md §3.8)."""

Tag = Literal["integrity", "compliance"]


def ledger_dir(root: Path) -> Path:
    return root / LEDGER_DIR


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Finding:
    """One problem: the entry it concerns (None: the ledger as a whole), its kind and what.

    `integrity` findings mean the ledger cannot be trusted as written; `compliance`
    findings (later issues: late results, overdue notices) mean it is intact but records a
    breach of the rules.
    """

    seq: int | None
    tag: Tag
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "tag": self.tag, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        where = f"条目 #{self.seq}" if self.seq is not None else "账本"
        return f"{where} [{self.tag}/{self.code}] {self.message}"


@dataclass(frozen=True)
class Entry:
    """A parsed ledger line. `line` is its exact bytes without `\\n`; `hash` its entry hash.

    `body` is a plain dict for convenience; treat it as read-only.
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


class LedgerError(CheckFailed):
    """The ledger is not valid (exit 1); the message lists the first findings."""


class ObjectError(InputError):
    """An object that is missing or does not hash to its name."""

    def __init__(self, message: str, code: str, oid: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.oid = oid


# ---------------------------------------------------------------- object references


def object_refs(body: Mapping[str, Any]) -> list[str]:
    """Every object hash an entry names, in document order (docs/SPEC.md §3.3).

    The one rule: anywhere in the body, a member whose name ends in `_object` holds one
    object hash and a member whose name ends in `_objects` holds an array of them.
    ValueError (naming the member) if such a member holds anything else.
    """
    out: list[str] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if name.endswith("_object"):
                    if not isinstance(item, str) or not HEX64_RE.match(item):
                        raise ValueError(f"{_path(path, name)} 必须是对象哈希（64 位小写十六进制）")
                    out.append(item)
                elif name.endswith("_objects"):
                    if not isinstance(item, list) or not all(
                        isinstance(x, str) and HEX64_RE.match(x) for x in item
                    ):
                        raise ValueError(f"{_path(path, name)} 必须是对象哈希数组")
                    out.extend(item)
                elif isinstance(item, dict | list):
                    walk(item, (*path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict | list):
                    walk(item, (*path, i))

    walk(body, ())
    return out


def _path(path: tuple[str | int, ...], name: str) -> str:
    """`body.a[2].b` — built only when there is something to report."""
    text = "body"
    for part in (*path, name):
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def object_id(data: bytes) -> str:
    return tagged_hex(OBJECT_TAG, data)


class ObjectStore:
    """Read access to `ledger/objects/`, hash-checked; what `EntryChecker`s receive.

    `pending` overlays objects about to be written (the writer's dry run). A bounded LRU
    of already-verified ids keeps repeated references cheap without memory growing with
    the ledger.
    """

    def __init__(
        self, root: Path, pending: Mapping[str, bytes] | None = None, cache_size: int = 4096
    ) -> None:
        self.dir = ledger_dir(root) / OBJECTS_DIR
        self._pending = dict(pending or {})
        self._verified: OrderedDict[str, None] = OrderedDict()
        self._cache_size = cache_size
        self.bytes_hashed = 0

    def path(self, oid: str) -> Path:
        return self.dir / oid

    def get(self, oid: str) -> bytes:
        """The object's bytes; ObjectError if missing or if they do not hash to `oid`."""
        if not HEX64_RE.match(oid):
            raise ObjectError(f"对象编号格式错误：{oid!r}", "object-ref")
        if oid in self._pending:
            return self._pending[oid]
        try:
            data = self.path(oid).read_bytes()
        except FileNotFoundError:
            raise ObjectError(f"缺少对象 ledger/objects/{oid}", "object-missing", oid) from None
        except OSError as exc:
            raise ObjectError(
                f"无法读取对象 {oid}：{exc.strerror}", "object-missing", oid
            ) from None
        self.bytes_hashed += len(data)
        if object_id(data) != oid:
            raise ObjectError(
                f"对象 ledger/objects/{oid} 的内容与其哈希不符（被改动）", "object-corrupt", oid
            )
        self._remember(oid)
        return data

    def status(self, oid: str) -> Literal["ok", "missing", "corrupt"]:
        if oid in self._verified:
            self._verified.move_to_end(oid)
            return "ok"
        try:
            self.get(oid)
        except ObjectError as exc:
            return "corrupt" if exc.code == "object-corrupt" else "missing"
        return "ok"

    def _remember(self, oid: str) -> None:
        self._verified[oid] = None
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)


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
            parsed.append(K.parse_sig_json(s, f"sigs[{i}]"))
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
    message = K.ENTRY_SIG_PREFIX + canonical_json(unsigned)
    writer = Sig(K.public_of(key).id, b64encode(key.sign(message)))
    sigs = sorted([writer, *extra_sigs], key=lambda s: s.key)
    return canonical_json({**unsigned, "sigs": [s.to_json() for s in sigs]})


# ---------------------------------------------------------------- genesis


@dataclass(frozen=True)
class GenesisInfo:
    origin: str
    demo: bool
    draw_delay_seconds: int
    beacons: tuple[dict[str, Any], ...]
    keys: K.GenesisKeys


def parse_genesis(body: Mapping[str, Any]) -> GenesisInfo:
    """Validate a genesis body (ValueError in Chinese). Unknown extra fields are carried."""
    origin = body.get("origin")
    if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
        raise ValueError(
            "origin 必须是 1..255 个可打印 ASCII 字符，不含空格和 '+'（例如 example.gov.cn/suiji）"
        )
    demo = body.get("demo")
    if not isinstance(demo, bool):
        raise ValueError("demo 必须是 true 或 false")
    delay = body.get("draw_delay_seconds")
    if not isinstance(delay, int) or isinstance(delay, bool):
        raise ValueError("draw_delay_seconds 必须是整数")
    beacons = body.get("beacons")
    if not isinstance(beacons, list):
        raise ValueError("beacons 必须是数组")
    names = []
    for i, b in enumerate(beacons):
        if not isinstance(b, dict):
            raise ValueError(f"beacons[{i}] 必须是对象")
        for name, typ in BEACON_FIELDS.items():
            v = b.get(name)
            if not isinstance(v, typ) or isinstance(v, bool):
                raise ValueError(f"beacons[{i}].{name} 缺失或类型错误")
        if b["period"] < 1:
            raise ValueError(f"beacons[{i}].period 必须为正")
        names.append(b["name"])
    if len(set(names)) != len(names):
        raise ValueError("beacons 的 name 不能重复")
    from suiji.beacon import is_demo_chain

    if not demo and any(is_demo_chain(b) for b in beacons):
        raise ValueError("演示随机信标 suiji-demo 的私钥是公开的，只能用于演示账本（--demo）")
    keys = K.parse_genesis_keys(body)
    return GenesisInfo(origin, demo, delay, tuple(beacons), keys)


def make_genesis_body(
    *,
    origin: str,
    roots: Sequence[PublicKey],
    threshold: int,
    signing: PublicKey,
    beacons: Sequence[Mapping[str, Any]],
    draw_delay_seconds: int = 86400,
    demo: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The genesis body, roots sorted by id; validated so a bad one fails before signing."""
    body: dict[str, Any] = dict(extra or {})
    body.update(
        origin=origin,
        roots=[r.to_json() for r in sorted(roots, key=lambda r: r.id)],
        root_threshold=threshold,
        signing_key=signing.to_json(),
        beacons=[dict(b) for b in beacons],
        draw_delay_seconds=draw_delay_seconds,
        demo=demo,
    )
    try:
        canonical_json(body)
        parse_genesis(body)
    except (ValueError, CanonicalError) as exc:
        raise UsageError(f"创世条目内容无效：{exc}") from None
    return body


# ---------------------------------------------------------------- the state machine


@dataclass
class Snapshot:
    """Root and writer key after `size` entries — what a checkpoint of that size must show."""

    size: int
    root: bytes
    writer: PublicKey | None


class LedgerState:
    """Everything a verifier remembers between lines: O(log n + keys) memory.

    `apply` checks one raw line against the state, records findings and advances. The
    state is JSON-serialisable so the writer can cache it (`ledger/.writer-cache.json`)
    and verify only the lines after it (appends stay O(1) amortised).
    """

    def __init__(self) -> None:
        self.size = 0
        self.offset = 0
        self.last_hash = GENESIS_PREV
        self.last_len = 0
        self.last_time: str | None = None
        self.frontier = MerkleFrontier()
        self.keys: K.KeyState | None = None
        self.genesis_hash: str | None = None
        self.origin: str | None = None
        self.demo = False
        self.withdrawn: set[str] = set()
        self.pending: dict[str, int] = {}
        self.now: datetime | None = None
        # Not persisted: where ordinary entries' writer signatures go when a scan checks
        # them in a second process (see `SignatureBatcher`); None checks them at once.
        self.defer: SignatureBatcher | None = None

    # -- persistence -------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "size": self.size,
            "offset": self.offset,
            "last_hash": self.last_hash,
            "last_len": self.last_len,
            "last_time": self.last_time,
            "frontier": self.frontier.to_json(),
            "keys": self.keys.to_json() if self.keys else None,
            "genesis_hash": self.genesis_hash,
            "origin": self.origin,
            "demo": self.demo,
            "withdrawn": sorted(self.withdrawn),
            "pending": self.pending,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> LedgerState:
        if value.get("v") != 1:
            raise ValueError("cache version")
        s = cls()
        s.size, s.offset = int(value["size"]), int(value["offset"])
        s.last_hash, s.last_len = str(value["last_hash"]), int(value["last_len"])
        s.last_time = value["last_time"]
        s.frontier = MerkleFrontier.from_json(value["frontier"])
        s.keys = K.KeyState.from_json(value["keys"]) if value["keys"] else None
        s.genesis_hash, s.origin = value["genesis_hash"], value["origin"]
        s.demo = bool(value["demo"])
        s.withdrawn = set(value["withdrawn"])
        s.pending = {str(k): int(v) for k, v in value["pending"].items()}
        if s.frontier.size != s.size:
            raise ValueError("cache frontier size")
        return s

    def copy(self) -> LedgerState:
        c = LedgerState()
        c.__dict__.update(self.__dict__)
        c.frontier = self.frontier.copy()
        c.keys = self.keys.copy() if self.keys else None
        c.withdrawn = set(self.withdrawn)
        c.pending = dict(self.pending)
        return c

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.size, self.frontier.root(), self.keys.writer_key if self.keys else None
        )

    def _roots(self, ks: K.KeyState) -> dict[str, PublicKey]:
        """The active roots, cached per key state (key states are replaced, not mutated)."""
        cached = self.__dict__.get("_roots_cache")
        if cached is None or cached[0] is not ks:
            cached = (ks, ks.roots())
            self.__dict__["_roots_cache"] = cached
        roots: dict[str, PublicKey] = cached[1]
        return roots

    def _now_text(self) -> str:
        assert self.now is not None
        cached = self.__dict__.get("_now_cache")
        if cached is None or cached[0] != self.now:
            cached = (self.now, format_time(self.now))
            self.__dict__["_now_cache"] = cached
        return str(cached[1])

    # -- one line ----------------------------------------------------------------
    def apply(self, raw: RawLine, store: ObjectStore) -> tuple[Entry | None, list[Finding]]:
        """Check one line and advance. Returns the entry (None if unparsable) and findings.

        The chain and the Merkle tree advance over the raw bytes whatever they hold, so one
        damaged line yields findings for itself (and its successor's `prev` only if the
        damage changed its hash), not a cascade over the rest of the ledger.
        """
        seq = self.size
        out: list[Finding] = []

        def bad(code: str, message: str, at: int | None = seq) -> None:
            out.append(Finding(at, "integrity", code, message))

        if not raw.complete:
            bad(
                "line-partial",
                f"最后一行不完整（缺少结尾换行，{raw.length} 字节）："
                "写入中断；运行 suiji ledger repair",
            )
            return None, out
        expected_prev = self.last_hash
        self.size += 1
        self.offset = raw.offset + raw.length + 1
        self.last_hash = raw.hash.hex()
        self.last_len = raw.length
        self.frontier.append_hash(raw.leaf)
        if raw.data is None:
            bad("line-too-long", f"行长 {raw.length} 字节，超过上限 {MAX_LINE} 字节")
            return None, out
        try:
            entry, sigs, unsigned = _decode(raw)
        except _Invalid as exc:
            bad(exc.code, exc.message)
            return None, out

        if entry.seq != seq:
            bad("seq", f"seq 为 {entry.seq}，应为 {seq}（seq 等于行号，从 0 起）")
        if entry.prev != expected_prev:
            bad("prev", f"prev 与上一行的哈希不符：应为 {expected_prev}，实为 {entry.prev}")
        if self.last_time is not None and entry.time < self.last_time:
            bad("time-backwards", f"时间 {entry.time} 早于上一条目的 {self.last_time}")
        else:
            self.last_time = entry.time
        if self.now is not None and entry.time > self._now_text():
            # both in the one fixed-width form, so text order is time order
            bad("time-future", f"时间 {entry.time} 晚于当前时间 {format_time(self.now)}")

        if seq == 0 or entry.kind == "genesis":
            self._genesis(entry, sigs, unsigned, bad)
            if out:
                return entry, out
        elif self.keys is None:
            bad("no-genesis", "没有有效的创世条目，无法验证此条目的签名")
            return entry, out
        else:
            self._signed(entry, sigs, unsigned, bad, out)
        self._objects(entry, store, bad)
        return entry, out

    def _genesis(
        self, entry: Entry, sigs: list[tuple[Sig, bytes]], unsigned: bytes, bad: Any
    ) -> None:
        if entry.seq != 0 or self.size != 1:
            bad(
                "genesis",
                "创世条目只能是第 0 条"
                if entry.kind == "genesis"
                else "第 0 条必须是创世条目 (kind genesis)",
            )
            return
        if entry.kind != "genesis":
            bad("genesis", "第 0 条必须是创世条目 (kind genesis)")
            return
        try:
            info = parse_genesis(entry.body)
        except ValueError as exc:
            bad("genesis", f"创世条目内容无效：{exc}")
            return
        if not info.demo and any(K.is_demo_key(k) for k in (*info.keys.roots, info.keys.signing)):
            bad("demo-key", f"非演示账本的创世条目登记了{K.DEMO_KEY_FINDING}")
        roots = {r.id: r for r in info.keys.roots}
        counted = _check_sigs(entry, sigs, unsigned, info.keys.signing, roots, None, None, bad)
        if len(counted) < info.keys.threshold:
            bad(
                "threshold",
                f"创世条目只有 {len(counted)} 个有效根密钥签名，门限为 {info.keys.threshold}",
            )
        state = K.genesis_state(info.keys)
        state.approvals.append((0, tuple(sorted(counted.values())), info.keys.threshold))
        self.keys = state
        self.genesis_hash = entry.hash
        self.origin = info.origin
        self.demo = info.demo

    def _signed(
        self,
        entry: Entry,
        sigs: list[tuple[Sig, bytes]],
        unsigned: bytes,
        bad: Any,
        out: list[Finding],
    ) -> None:
        ks = self.keys
        assert ks is not None and self.genesis_hash is not None
        change: K.KeyChange | None = None
        if entry.kind == "key":
            try:
                change = K.parse_key_body(entry.body, self.genesis_hash)
            except ValueError as exc:
                bad("key-body", f"密钥变更条目无效：{exc}")
        if change and change.public and not self.demo and K.is_demo_key(change.public):
            bad("demo-key", f"非演示账本的密钥变更登记了{K.DEMO_KEY_FINDING}")
        writer = ks.writer_key
        new_root = None
        if change and change.action == "add":
            assert change.public is not None
            if change.role == K.ROLE_SIGNING:
                writer = change.public
            else:
                new_root = change.public
        defer = self.defer if entry.kind != "key" else None
        counted = _check_sigs(
            entry, sigs, unsigned, writer, self._roots(ks), new_root, ks, bad, defer
        )
        if entry.kind != "key":
            return
        if len(counted) < ks.threshold:
            bad("threshold", f"密钥变更只有 {len(counted)} 个有效根密钥签名，门限为 {ks.threshold}")
        if change is None or out:
            return
        trial = ks.copy()
        try:
            disputes = K.apply_key_change(trial, change, entry.seq, tuple(sorted(counted.values())))
        except ValueError as exc:
            bad("key-change", f"密钥变更不成立：{exc}")
            return
        self.keys = trial
        for d in disputes:
            bad(
                "disputed",
                f"此条目由密钥 {d.key[:16]}… 签署，该密钥已于条目 #{d.revoked_at} 被吊销"
                f"（自 #{d.from_seq} 起不可信）：内容存疑，保留不删",
                d.seq,
            )

    def _objects(self, entry: Entry, store: ObjectStore, bad: Any) -> None:
        try:
            refs = object_refs(entry.body)
        except ValueError as exc:
            bad("object-ref", str(exc))
            return
        if entry.kind == "withdrawal":
            withdrawn = entry.body.get("withdrawn")
            if (
                not isinstance(withdrawn, list)
                or not withdrawn
                or not all(isinstance(x, str) and HEX64_RE.match(x) for x in withdrawn)
            ):
                bad("withdrawal", "withdrawal 条目的 body.withdrawn 必须是非空的对象哈希数组")
            else:
                for oid in withdrawn:
                    self.withdrawn.add(oid)
                    self.pending.pop(oid, None)
        for oid in refs:
            status = store.status(oid)
            if status == "corrupt":
                bad("object-corrupt", f"对象 ledger/objects/{oid} 的内容与其哈希不符（被改动）")
            elif status == "missing" and oid not in self.withdrawn:
                self.pending.setdefault(oid, entry.seq)

    def finish(self) -> list[Finding]:
        """Objects still missing at the end and never withdrawn."""
        return [
            Finding(
                seq,
                "integrity",
                "object-missing",
                f"缺少对象 ledger/objects/{oid}（且没有撤回条目）",
            )
            for oid, seq in sorted(self.pending.items(), key=lambda kv: (kv[1], kv[0]))
        ]


def _check_sigs(
    entry: Entry,
    sigs: list[tuple[Sig, bytes]],
    unsigned: bytes,
    writer: PublicKey,
    roots: Mapping[str, PublicKey],
    new_root: PublicKey | None,
    ks: K.KeyState | None,
    bad: Any,
    defer: SignatureBatcher | None = None,
) -> dict[bytes, str]:
    """Verify every signature against the key authorised for it; return counted roots.

    The writer's signature covers the whole entry but `sigs`; a root's covers only the
    body. Roots are counted by raw public key, so no key counts twice however often it
    signs (docs/SPEC.md §3.5). With `defer`, the writer's signature of an ordinary entry
    is handed over and its verdict reported later (nothing else depends on it).
    """
    keys_in_order = [s.key for s, _ in sigs]
    if keys_in_order != sorted(set(keys_in_order)):
        bad("sig-order", "sigs 必须按 key 升序排列且每个密钥只出现一次")
    entry_message = K.ENTRY_SIG_PREFIX + unsigned
    body_message: bytes | None = None
    counted: dict[bytes, str] = {}
    writer_ok = False
    new_root_ok = False
    for sig, raw in sigs:
        if sig.key == writer.id:
            if defer is not None:
                defer.submit(entry.seq, writer, raw, entry_message)
                writer_ok = True
            elif writer.verify(raw, entry_message):
                writer_ok = True
            else:
                bad("sig-invalid", f"签名密钥 {sig.key[:16]}… 的签名无效")
                bad("sig-writer-missing", f"缺少当前签名密钥 {writer.id[:16]}… 的有效签名")
                writer_ok = True  # reported just above
            continue
        if sig.key in roots or (new_root is not None and sig.key == new_root.id):
            pub = roots.get(sig.key) or new_root
            assert pub is not None
            if body_message is None:
                body_message = K.body_message(entry.body)
            if not pub.verify(raw, body_message):
                bad("sig-invalid", f"根密钥 {sig.key[:16]}… 对 body 的签名无效")
            elif sig.key in roots:
                counted[pub.raw] = sig.key
            else:
                new_root_ok = True
            continue
        record = ks.records.get(sig.key) if ks else None
        if record is None:
            bad("sig-unknown-key", f"签名来自未知密钥 {sig.key[:16]}…")
        elif record.status == K.REVOKED:
            bad("sig-revoked-key", f"签名来自已吊销的密钥 {sig.key[:16]}…")
        elif record.status == K.RETIRED:
            bad("sig-retired-key", f"签名来自已停用的密钥 {sig.key[:16]}…")
        else:
            bad("sig-not-allowed", f"密钥 {sig.key[:16]}… 不是本条目的签名者")
    if not writer_ok:
        bad("sig-writer-missing", f"缺少当前签名密钥 {writer.id[:16]}… 的有效签名")
    if new_root is not None and not new_root_ok:
        bad("key-possession", "新增根密钥必须自己也签署此变更（证明持有私钥）")
    return counted


# ---------------------------------------------------------------- checkpoint check


def check_checkpoint(
    data: bytes, *, origin: str | None, size: int, snapshots: Mapping[int, Snapshot]
) -> tuple[Checkpoint | None, list[Finding]]:
    """Check `ledger/checkpoint` against a scanned ledger of `size` complete lines.

    It must name our origin, be signed by the writer key in force at its size, have a
    size of `size` or `size - 1` (one fully written line may await its checkpoint after a
    crash) and the RFC 6962 root of that many lines.
    """
    out: list[Finding] = []

    def bad(code: str, message: str) -> None:
        out.append(Finding(None, "integrity", code, message))

    try:
        note = parse_note(data)
        cp = parse_checkpoint(note.text)
    except NoteError as exc:
        bad("checkpoint-format", f"检查点格式错误：{exc}")
        return None, out
    if cp.origin != origin:
        bad("checkpoint-origin", f"检查点的 origin {cp.origin!r} 与创世条目的 {origin!r} 不符")
    if cp.size > size:
        bad(
            "checkpoint-size",
            f"检查点记录 {cp.size} 条，账本只有 {size} 条完整条目："
            "账本被截断，或检查点不属于此账本",
        )
        return cp, out
    if cp.size < size - 1:
        bad("checkpoint-stale", f"检查点只覆盖 {cp.size} 条，账本有 {size} 条：检查点落后超过一条")
    snap = snapshots.get(cp.size)
    if snap is None:
        bad("checkpoint-size", f"无法计算大小为 {cp.size} 的根")
        return cp, out
    if snap.root != cp.root:
        bad("checkpoint-root", f"检查点的根哈希与账本前 {cp.size} 条不符")
    if snap.writer is None:
        bad("checkpoint-signature", "无法确定检查点的签名密钥（没有有效的创世条目）")
    elif origin is not None:
        try:
            open_note(data, [NoteVerifier(origin, snap.writer.raw)])
        except NoteError as exc:
            bad("checkpoint-signature", f"检查点签名无效（应由当时的签名密钥签署）：{exc}")
    return cp, out


# ---------------------------------------------------------------- scanning


@dataclass
class ScanResult:
    state: LedgerState
    findings: list[Finding]
    snapshots: dict[int, Snapshot]
    tail: RawLine | None


def _verify_batch(batch: list[tuple[int, bytes, bytes, bytes]]) -> list[tuple[int, str]]:
    """Worker side: (seq, key id) of every writer signature that does not verify."""
    keys: dict[bytes, PublicKey] = {}
    bad = []
    for seq, raw_key, sig, message in batch:
        pub = keys.setdefault(raw_key, PublicKey(raw_key))
        if not pub.verify(sig, message):
            bad.append((seq, pub.id))
    return bad


class SignatureBatcher:
    """Checks ordinary entries' writer signatures in a second process, in batches.

    Ed25519 verification is most of a verifier's work and the rest is Python parsing, so
    on two cores the two overlap. At most `window` batches are in flight, which keeps
    memory independent of the ledger's length; verdicts come back as findings at the end
    (findings are reported sorted by entry anyway).
    """

    def __init__(self, batch: int = 512, window: int = 4) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        self._size = batch
        self._window = window
        self._batch: list[tuple[int, bytes, bytes, bytes]] = []
        self._flight: list[Any] = []
        self._bad: list[tuple[int, str]] = []

    def submit(self, seq: int, writer: PublicKey, sig: bytes, message: bytes) -> None:
        self._batch.append((seq, writer.raw, sig, message))
        if len(self._batch) >= self._size:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._flight.append(self._pool.submit(_verify_batch, self._batch))
            self._batch = []
        while len(self._flight) > self._window:
            self._bad.extend(self._flight.pop(0).result())

    def findings(self) -> list[Finding]:
        """Wait for every batch; the findings a synchronous check would have made."""
        self._send()
        for future in self._flight:
            self._bad.extend(future.result())
        self._flight = []
        self._pool.shutdown()
        out: list[Finding] = []
        for seq, key_id in self._bad:
            key = key_id[:16]
            out.append(Finding(seq, "integrity", "sig-invalid", f"签名密钥 {key}… 的签名无效"))
            out.append(
                Finding(
                    seq, "integrity", "sig-writer-missing", f"缺少当前签名密钥 {key}… 的有效签名"
                )
            )
        return out


PARALLEL_FROM = 4096
"""Ledgers with at least this many new lines are verified with a second process."""


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
    are checked in a second process (`SignatureBatcher`); the findings are the same.
    """
    path = ledger_dir(root) / LEDGER_FILE
    if parallel and os.cpu_count() != 1 and _new_bytes(path, state) >= PARALLEL_FROM * 256:
        state.defer = SignatureBatcher()
        try:
            result = scan(root, state, store, sizes=sizes, on_entry=on_entry)
            result.findings.extend(state.defer.findings())
        finally:
            state.defer = None
        result.findings.sort(key=lambda f: (f.seq is None, f.seq or 0))
        return result
    findings: list[Finding] = []
    snapshots: dict[int, Snapshot] = {}
    tail: RawLine | None = None
    if state.size in sizes:
        snapshots[state.size] = state.snapshot()
    with path.open("rb") as fh:
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
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: 无法读取账本：{exc.strerror}") from None
    with fh:
        prev = GENESIS_PREV
        for raw in iter_lines(fh):
            where = f"{path}: 条目 #{raw.seq}"
            if not raw.complete:
                raise InputError(f"{where}: 最后一行不完整（缺少换行）；运行 suiji ledger repair")
            if raw.data is None:
                raise InputError(f"{where}: 行长超过 {MAX_LINE} 字节")
            try:
                entry, _, _ = _decode(raw)
            except _Invalid as exc:
                raise CanonicalError(f"{where}: {exc.message}") from None
            if entry.seq != raw.seq or entry.prev != prev:
                raise InputError(
                    f"{where}: seq 或 prev 与位置不符（账本链断裂）；运行 suiji verify"
                )
            prev = entry.hash
            yield entry


def genesis(root: Path) -> Entry:
    """The genesis entry (line 0), strictly parsed; InputError if there is none."""
    for entry in read_entries(root):
        if entry.kind != "genesis":
            raise InputError(f"{ledger_dir(root) / LEDGER_FILE}: 条目 #0 不是创世条目")
        return entry
    raise InputError(f"{ledger_dir(root) / LEDGER_FILE}: 账本为空；请先运行 suiji init")


def genesis_info(root: Path) -> GenesisInfo:
    try:
        return parse_genesis(genesis(root).body)
    except ValueError as exc:
        raise InputError(f"创世条目无效：{exc}") from None


def get_object(root: Path, oid: str) -> bytes:
    """An object's bytes, checked against its name (ObjectError otherwise)."""
    return ObjectStore(root).get(oid)


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


# ---------------------------------------------------------------- writing helpers


def _crash_point(step: str) -> None:
    """Test hook (SIGKILL at a named step); inert unless $SUIJI_LEDGER_CRASH_AT names it."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(
    path: Path, data: bytes, *, step: str | None = None, tmp_dir: Path | None = None
) -> None:
    """tmp (same file system), fsync, rename, fsync the directory."""
    tmp = (tmp_dir or path.parent) / f".{path.name}.tmp-{os.getpid()}"
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
    if step:
        _crash_point(f"{step}-renamed")
    _fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def put_object(root: Path, data: bytes) -> str:
    """Store bytes as `ledger/objects/<hash>` atomically; idempotent. Returns the hash."""
    oid = object_id(data)
    directory = ledger_dir(root) / OBJECTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / oid
    try:
        if object_id(path.read_bytes()) == oid:
            return oid
    except FileNotFoundError:
        pass
    # the temporary file lives in ledger/, not objects/, so that cleaning up after a killed
    # writer never has to list the (large) objects directory
    _atomic_write(path, data, tmp_dir=directory.parent)
    return oid


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
            raise InputError(f"{ld / LOCK_FILE}: 无法创建锁文件：{exc.strerror}") from None
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


def _summarise(findings: Sequence[Finding], limit: int = 5) -> str:
    shown = "；".join(str(f) for f in findings[:limit])
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
        state = LedgerState.from_json(json.loads((ld / CACHE_FILE).read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if state.size == 0:
        return None
    try:
        with (ld / LEDGER_FILE).open("rb") as fh:
            fh.seek(state.offset - state.last_len - 1)
            last = fh.read(state.last_len + 1)
    except OSError:
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
        cp_bytes = (ld / CHECKPOINT_FILE).read_bytes()
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


def _tail_action(loaded: _Loaded, root: Path) -> Literal["none", "complete", "truncate", "refuse"]:
    """What to do with a final line lacking `\\n` (docs/SPEC.md §3.8).

    A tail that is a complete, valid next entry missing only its newline is completed; a
    tail that does not even parse as JSON (an interrupted write, never signed) is cut;
    anything else — a complete but invalid entry — is evidence and is left for a human.
    """
    tail = loaded.tail
    if tail is None:
        return "none"
    if tail.data is None:
        return "truncate"
    try:
        json.loads(tail.data)
    except (ValueError, UnicodeDecodeError):
        return "truncate"
    trial = loaded.state.copy()
    _, found = trial.apply(_raw(tail.seq, tail.offset, tail.data), ObjectStore(root))
    return "refuse" if found else "complete"


def repair(root: Path) -> str:
    """Fix an interrupted last write (the only repair there is); returns what was done."""
    ld = ledger_dir(root)
    if not (ld / LEDGER_FILE).exists():
        raise InputError(f"{ld / LEDGER_FILE}: 账本文件不存在")
    with _locked(ld):
        _cleanup_tmp(ld)
        loaded = _load(root, now=None)
        if loaded.findings:
            raise LedgerError(_summarise(loaded.findings))
        action = _tail_action(loaded, root)
        _fix_tail(loaded, root, action)
    return {
        "none": "账本完好，无需修复",
        "complete": "最后一行缺少换行，已补上（该条目完整且签名有效）",
        "truncate": "已截去未写完、未签名的最后一行",
    }[action]


def _fix_tail(
    loaded: _Loaded, root: Path, action: Literal["none", "complete", "truncate", "refuse"]
) -> Literal["none", "complete", "truncate"]:
    """Carry out `_tail_action`'s verdict on the file (the caller advances its state)."""
    if action == "none":
        return "none"
    assert loaded.tail is not None
    if action == "refuse":
        raise LedgerError(
            f"条目 #{loaded.tail.seq}: 最后一行缺少换行，且是一个完整但无效的条目；"
            "这不是写入中断造成的，请人工检查，不会自动删除"
        )
    path = ledger_dir(root) / LEDGER_FILE
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        if action == "complete":
            _write_all(fd, b"\n")
        else:
            os.ftruncate(fd, loaded.tail.offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    loaded.tail = None
    return action


# ---------------------------------------------------------------- append


def append(
    root: Path,
    kind: str,
    body: Mapping[str, Any],
    *,
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
    objects: Sequence[bytes] = (),
    extra_sigs: Sequence[Sig | Mapping[str, str]] = (),
) -> Entry:
    """Append one entry signed by `key`: the only function that writes ledger lines.

    Under an exclusive lock: verify what is new since the cached state; refuse an
    overridden clock unless genesis says demo, time going backwards, an unauthorised key or
    anything the verifier would reject (dry run on a copy of the state) — all before
    touching a file; then write objects, the line (one O_APPEND write + fsync), the
    checkpoint (tmp, fsync, rename, fsync dir), the cache; finally re-read and compare.
    A failure before the line is written leaves the ledger byte-identical.
    """
    ld = ledger_dir(root)
    body = dict(body)
    sigs = [s if isinstance(s, Sig) else Sig(str(s["key"]), str(s["sig"])) for s in extra_sigs]
    with _locked(ld):
        _crash_point("locked")
        _cleanup_tmp(ld)
        loaded = _load(root, now=None)
        if loaded.findings:
            raise LedgerError(_summarise(loaded.findings))
        state = loaded.state
        action = _tail_action(loaded, root)
        if action == "refuse":
            _fix_tail(loaded, root, action)  # raises with the explanation
        if action == "complete":
            assert loaded.tail is not None and loaded.tail.data is not None
            state = state.copy()
            state.apply(
                _raw(loaded.tail.seq, loaded.tail.offset, loaded.tail.data), ObjectStore(root)
            )
        entry, line, pending, new_keys, new_state = _prepare(
            root, state, kind, body, key, now, clock_overridden, objects, sigs
        )

        # Nothing has been written so far; from here on the ledger changes.
        _fix_tail(loaded, root, action)
        for data in pending.values():
            put_object(root, data)
        for pub in new_keys:
            install_public_key(root, pub)
        if kind == "genesis":
            _ensure_gitignore(ld)
        _crash_point("objects")

        path = ld / LEDGER_FILE
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _write_all(fd, line + b"\n")
            _crash_point("line-written")
            os.fsync(fd)
        finally:
            os.close(fd)
        if state.size == 0:
            _fsync_dir(ld)
        _crash_point("line-synced")

        assert new_state.keys is not None and new_state.origin is not None
        cp = Checkpoint(new_state.origin, new_state.size, new_state.frontier.root())
        cp_bytes = sign_checkpoint(cp, new_state.origin, key)
        _atomic_write(ld / CHECKPOINT_FILE, cp_bytes, step="checkpoint")
        _crash_point("checkpoint-done")
        new_state.now = None
        _atomic_write(ld / CACHE_FILE, json.dumps(new_state.to_json(), sort_keys=True).encode())
        _crash_point("cache-written")

        with path.open("rb") as fh:
            fh.seek(state.offset)
            if fh.read(len(line) + 2) != line + b"\n":
                raise LedgerError(f"条目 #{entry.seq}: 写入后回读不一致：有其他程序在写账本？")
        if (ld / CHECKPOINT_FILE).read_bytes() != cp_bytes:
            raise LedgerError("检查点写入后回读不一致：有其他程序在写账本？")
    return entry


def _prepare(
    root: Path,
    state: LedgerState,
    kind: str,
    body: dict[str, Any],
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
    objects: Sequence[bytes],
    extra_sigs: Sequence[Sig],
) -> tuple[Entry, bytes, dict[str, bytes], list[PublicKey], LedgerState]:
    """Everything append decides before writing: checks, the signed line, a dry run."""
    seq = state.size
    if seq == 0 and kind != "genesis":
        raise UsageError("账本尚未初始化：请先运行 suiji init")
    if seq > 0 and kind == "genesis":
        raise UsageError("账本已经初始化（已有创世条目），不能再次 init")
    if not KIND_RE.match(kind):
        raise UsageError(f"条目类型格式错误：{kind!r}")
    new_keys: list[PublicKey] = []
    if kind == "genesis":
        try:
            info = parse_genesis(body)
        except ValueError as exc:
            raise UsageError(f"创世条目内容无效：{exc}") from None
        demo = info.demo
        writer = info.keys.signing
        new_keys = [*info.keys.roots, info.keys.signing]
    else:
        assert state.keys is not None
        demo = state.demo
        writer = state.keys.writer_key
        if kind == "key":
            try:
                change = K.parse_key_body(body, state.genesis_hash or "")
            except ValueError as exc:
                raise UsageError(f"密钥变更请求无效：{exc}") from None
            if change.public is not None:
                new_keys = [change.public]
                if change.role == K.ROLE_SIGNING:
                    writer = change.public
    if not demo:
        K.refuse_demo_keys(new_keys)
    if clock_overridden and not demo:
        raise UsageError(
            "此账本不是演示账本（创世条目 demo=false），不能用 --now / SUIJI_NOW / 演示时钟写入；"
            "请去掉这些设置，使用真实时钟"
        )
    time = format_time(now)
    if state.last_time is not None and time < state.last_time:
        raise UsageError(f"时间倒退：现在是 {time}，上一条目是 {state.last_time}；请检查系统时钟")
    signer = K.public_of(key)
    if signer.raw != writer.raw:
        raise UsageError(
            f"此私钥（{signer.id[:16]}…）不是当前授权的签名密钥（{writer.id[:16]}…）；"
            "请用正确的 --key，或先通过 key add 轮换"
        )
    pending = {object_id(d): bytes(d) for d in objects}
    try:
        refs = set(object_refs(body))
    except ValueError as exc:
        raise UsageError(f"条目内容中的对象引用无效：{exc}") from None
    unreferenced = set(pending) - refs
    if unreferenced:
        raise UsageError(
            "提供的对象未被条目引用（body 中以 _object/_objects 结尾的字段）："
            f"{sorted(unreferenced)}"
        )
    try:
        line = encode_entry(
            seq=seq,
            prev=state.last_hash,
            kind=kind,
            time=time,
            body=body,
            key=key,
            extra_sigs=[s for s in extra_sigs if s.key != signer.id],
        )
    except CanonicalError as exc:
        raise UsageError(f"条目内容不能写成规范 JSON：{exc}") from None
    if len(line) > MAX_LINE:
        raise UsageError(f"条目过长（{len(line)} 字节，上限 {MAX_LINE}）：请把大块数据放进对象")
    trial = state.copy()
    entry, found = trial.apply(_raw(seq, state.offset, line), ObjectStore(root, pending))
    found.extend(trial.finish())
    found = [f for f in found if f.code not in WRITER_TOLERATES]
    if found or entry is None:
        raise UsageError("条目未通过校验，未写入：" + "；".join(str(f) for f in found))
    return entry, line, pending, new_keys, trial


GITIGNORE = f"# suiji: local writer files, never committed\n/{LOCK_FILE}\n/{CACHE_FILE}\n.*.tmp-*\n"


def _ensure_gitignore(ld: Path) -> None:
    """Keep the lock, the writer's cache and temporary files out of git (gitcheck refuses them)."""
    path = ld / ".gitignore"
    if not path.exists():
        _atomic_write(path, GITIGNORE.encode())


def install_public_key(root: Path, pub: PublicKey) -> Path:
    """Copy a public key to `ledger/keys/<keyid>.pub` (PEM); idempotent. Never a private key."""
    directory = ledger_dir(root) / K.KEYS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{pub.id}.pub"
    if not path.exists() or path.read_bytes() != pub.pem():
        _atomic_write(path, pub.pem())
    return path


# ---------------------------------------------------------------- requests (root-signed bodies)

REQUEST_TYPE = "suiji/request/v1"


@dataclass(frozen=True)
class Request:
    """A body prepared for root holders to sign offline (`suiji key sign`), then appended.

    Root signatures cover only the body, so they can be collected before anyone knows the
    entry's seq, prev or time.
    """

    kind: str
    body: dict[str, Any]
    sigs: tuple[Sig, ...] = ()

    def encode(self) -> bytes:
        return (
            canonical_json(
                {
                    "type": REQUEST_TYPE,
                    "kind": self.kind,
                    "body": self.body,
                    "sigs": [s.to_json() for s in self.sigs],
                }
            )
            + b"\n"
        )


def read_request(path: Path) -> Request:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: 无法读取请求文件：{exc.strerror}") from None
    if not data.endswith(b"\n"):
        raise InputError(f"{path}: 请求文件应以换行结尾")
    try:
        value = parse_canonical(data[:-1])
    except CanonicalError as exc:
        raise InputError(f"{path}: 请求文件不是规范 JSON：{exc}") from None
    if (
        not isinstance(value, dict)
        or value.get("type") != REQUEST_TYPE
        or set(value) != {"type", "kind", "body", "sigs"}
    ):
        raise InputError(f"{path}: 不是 suiji 请求文件（type 应为 {REQUEST_TYPE}）")
    if (
        value["kind"] not in ("genesis", "key")
        or not isinstance(value["body"], dict)
        or not isinstance(value["sigs"], list)
    ):
        raise InputError(f"{path}: 请求文件字段错误")
    try:
        sigs = tuple(K.parse_sig_json(s, f"sigs[{i}]")[0] for i, s in enumerate(value["sigs"]))
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    return Request(value["kind"], value["body"], sigs)


def write_request(path: Path, request: Request) -> None:
    _atomic_write(path, request.encode())


def sign_request(request: Request, private: Ed25519PrivateKey) -> Request:
    """Add (or replace) this key's body signature; the request's other signatures stay."""
    sig = K.sign_body(private, request.body)
    sigs = sorted([s for s in request.sigs if s.key != sig.key] + [sig], key=lambda s: s.key)
    return Request(request.kind, request.body, tuple(sigs))


def create(
    root: Path,
    *,
    origin: str,
    roots: Sequence[Ed25519PrivateKey],
    signing: Ed25519PrivateKey,
    now: datetime,
    beacons: Sequence[Mapping[str, Any]] = (),
    demo: bool = False,
    clock_overridden: bool = False,
) -> Entry:
    """Write a genesis signed on the spot by every root key (threshold = their number).

    For tests, benchmarks and single-machine set-ups; a bureau whose root holders sign
    offline uses `suiji init --prepare` and a request file instead.
    """
    body = make_genesis_body(
        origin=origin,
        roots=[K.public_of(k) for k in roots],
        threshold=len(roots),
        signing=K.public_of(signing),
        beacons=beacons,
        demo=demo,
    )
    return append(
        root,
        "genesis",
        body,
        key=signing,
        now=now,
        clock_overridden=clock_overridden,
        extra_sigs=[K.sign_body(k, body) for k in roots],
    )


def append_request(
    root: Path,
    request: Request,
    *,
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
) -> Entry:
    """Append a root-signed request (a key change, or the genesis) as an entry.

    The future automatic writer calls this; until then `suiji key append` and `suiji init`
    do. Signatures are checked by the same dry run as every append.
    """
    return append(
        root,
        request.kind,
        request.body,
        key=key,
        now=now,
        clock_overridden=clock_overridden,
        extra_sigs=request.sigs,
    )
