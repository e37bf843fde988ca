"""The ledger's pure state machine, shared by the verifier and the writer.

It applies one line at a time and never writes, so the writer can never write what the
verifier rejects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from suiji.crypto import ed25519
from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX, PublicKey, Sig
from suiji.crypto.keyfiles import demo_witness_key, is_demo_key
from suiji.ledger.codec import GENESIS_PREV, MAX_LINE, Entry, RawLine, _decode, _Invalid
from suiji.ledger.objects import ObjectStore, object_refs
from suiji.ledger.sigbatch import SignatureBatcher
from suiji.model.entries import Withdrawal
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis
from suiji.model.keychange import ROLE_SIGNING, KeyChange
from suiji.model.keystate import (
    DEMO_KEY_FINDING,
    RETIRED,
    REVOKED,
    KeyState,
    apply_key_change,
    genesis_state,
)
from suiji.shared.findings import Finding
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, parse_checkpoint
from suiji.standards.merkle import MerkleFrontier
from suiji.standards.note import NoteError, NoteVerifier, open_note, parse_note

WRITER_TOLERATES = frozenset({"disputed", "line-partial"})


# ---------------------------------------------------------------- the state machine


@dataclass
class Snapshot:
    """Root and writer key after `size` entries — what a checkpoint of that size must show."""

    size: int
    root: bytes
    writer: PublicKey | None


_DRAW_INPUT_KINDS = frozenset({"commit", "draw", "reveal"})
"""Kinds whose objects are a draw's inputs or record: never withdrawable (§13.7)."""


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
        self.keys: KeyState | None = None
        self.genesis_hash: str | None = None
        self.origin: str | None = None
        self.demo = False
        self.withdrawn: set[str] = set()
        self.pending: dict[str, int] = {}
        # objects a commitment or draw references: the inputs and record of a draw, which
        # a withdrawal may never remove (docs/spec/13-task-entries.md §13.7)
        self.draw_inputs: dict[str, int] = {}
        self.now: datetime | None = None
        # Not persisted: where ordinary entries' writer signatures go when a scan checks
        # them in a second process (see `SignatureBatcher`); None checks them at once.
        self.defer: SignatureBatcher | None = None

    # -- persistence -------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "v": 2,
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
            "draw_inputs": self.draw_inputs,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> LedgerState:
        if value.get("v") != 2:
            raise ValueError("cache version")
        s = cls()
        s.size, s.offset = int(value["size"]), int(value["offset"])
        s.last_hash, s.last_len = str(value["last_hash"]), int(value["last_len"])
        s.last_time = value["last_time"]
        s.frontier = MerkleFrontier.from_json(value["frontier"])
        s.keys = KeyState.from_json(value["keys"]) if value["keys"] else None
        s.genesis_hash, s.origin = value["genesis_hash"], value["origin"]
        s.demo = bool(value["demo"])
        s.withdrawn = set(value["withdrawn"])
        s.pending = {str(k): int(v) for k, v in value["pending"].items()}
        s.draw_inputs = {str(k): int(v) for k, v in value["draw_inputs"].items()}
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
        c.draw_inputs = dict(self.draw_inputs)
        return c

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.size, self.frontier.root(), self.keys.writer_key if self.keys else None
        )

    def _roots(self, ks: KeyState) -> dict[str, PublicKey]:
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
            info = entry.typed_as(Genesis)
        except EntryError as exc:
            bad("genesis", f"创世条目内容无效：{exc}")
            return
        if not info.demo and any(is_demo_key(k) for k in (*info.keys.roots, info.keys.signing)):
            bad("demo-key", f"非演示账本的创世条目登记了{DEMO_KEY_FINDING}")
        witnesses = info.policy.witnesses if info.policy else None
        if (
            not info.demo
            and witnesses
            and any(demo_witness_key(w.verifier.public) for w in witnesses.keys)
        ):
            bad("demo-key", f"非演示账本的见证人策略登记了{DEMO_KEY_FINDING}")
        roots = {r.id: r for r in info.keys.roots}
        counted = _check_sigs(entry, sigs, unsigned, info.keys.signing, roots, None, None, bad)
        if len(counted) < info.keys.threshold:
            bad(
                "threshold",
                f"创世条目只有 {len(counted)} 个有效根密钥签名，门限为 {info.keys.threshold}",
            )
        state = genesis_state(info.keys)
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
        change: KeyChange | None = None
        if entry.kind == "key":
            try:
                change = KeyChange.from_json(entry.body, genesis=self.genesis_hash)
            except EntryError as exc:
                bad("key-body", f"密钥变更条目无效：{exc}")
        if change and change.public and not self.demo and is_demo_key(change.public):
            bad("demo-key", f"非演示账本的密钥变更登记了{DEMO_KEY_FINDING}")
        writer = ks.writer_key
        new_root = None
        if change and change.action == "add":
            assert change.public is not None
            if change.role == ROLE_SIGNING:
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
            disputes = apply_key_change(trial, change, entry.seq, tuple(sorted(counted.values())))
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
            # Members named `*_object(s)` appear literally in a canonical line (no escapes
            # in ASCII names), so a line without the text has no references to walk.
            refs = object_refs(entry.body) if b"_object" in entry.line else []
        except ValueError as exc:
            bad("object-ref", str(exc))
            return
        if entry.kind == "withdrawal":
            try:
                withdrawal = entry.typed_as(Withdrawal)
            except EntryError as exc:
                bad("withdrawal", str(exc))
            else:
                for oid in withdrawal.withdrawn:
                    used = self.draw_inputs.get(oid)
                    if used is not None:
                        bad(
                            "withdrawal-draw-input",
                            f"撤回了条目 #{used}（承诺或抽取）引用的对象 {oid[:16]}…："
                            "抽取的输入和结果不得撤回；如需更正，请用 suiji void 作废承诺后重新承诺",
                        )
                        continue
                    self.withdrawn.add(oid)
                    self.pending.pop(oid, None)
        if entry.kind in _DRAW_INPUT_KINDS:
            for oid in refs:
                self.draw_inputs.setdefault(oid, entry.seq)
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
    ks: KeyState | None,
    bad: Any,
    defer: SignatureBatcher | None = None,
) -> dict[bytes, str]:
    """Verify every signature against the key authorised for it; return counted roots.

    The writer's signature covers the whole entry but `sigs`; a root's covers only the
    body. Roots are counted by raw public key, so no key counts twice however often it
    signs (docs/spec/05-keys.md). With `defer`, the writer's signature of an ordinary entry
    is handed over and its verdict reported later (nothing else depends on it).
    """
    keys_in_order = [s.key for s, _ in sigs]
    if len(keys_in_order) > 1 and keys_in_order != sorted(set(keys_in_order)):
        bad("sig-order", "sigs 必须按 key 升序排列且每个密钥只出现一次")
    entry_message = ENTRY_SIG_PREFIX + unsigned
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
                body_message = ed25519.body_message(entry.body)
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
        elif record.status == REVOKED:
            bad("sig-revoked-key", f"签名来自已吊销的密钥 {sig.key[:16]}…")
        elif record.status == RETIRED:
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
    data: bytes,
    *,
    origin: str | None,
    size: int,
    snapshots: Mapping[int, Snapshot],
    writer_active: bool = False,
) -> tuple[Checkpoint | None, list[Finding]]:
    """Check `ledger/checkpoint` against a scanned ledger of `size` complete lines.

    It must name our origin, be signed by the writer key in force at its size, have a
    size of `size` or `size - 1` (one fully written line may await its checkpoint after a
    crash) and the RFC 6962 root of that many lines. With `writer_active` (the verifier
    saw the checkpoint change while it read the ledger) any lag is a writer's appends,
    each line already verified in full, not `checkpoint-stale`.
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
    if cp.size < size - 1 and not writer_active:
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
