"""The key state the ledger's entries evolve: roles, rotation, revocation, disputes.

Who may sign what (docs/spec/05-keys.md): a threshold of *root* keys authorises the
ledger (genesis) and every key change, signing only entry *bodies* so they can sign offline;
exactly one *signing* key (the writer) signs each whole entry and each checkpoint.
`KeyState` is the pure state machine both the writer and the verifier run; it never
reads files, so a second implementation can follow it line by line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from suiji.crypto.ed25519 import PublicKey
from suiji.crypto.keyfiles import demo_witness_key, is_demo_key
from suiji.model.genesis import GenesisKeys, declares_demo, parse_genesis_keys
from suiji.model.genesis import count_distinct as count_distinct
from suiji.model.keychange import ROLE_ROOT, ROLE_SIGNING, KeyChange
from suiji.model.keychange import key_body as key_body
from suiji.shared.errors import Refusal
from suiji.standards.note import NoteError, b64decode_strict, parse_vkey

# ---------------------------------------------------------------- key state

ACTIVE, RETIRED, REVOKED = "active", "retired", "revoked"


@dataclass
class KeyRecord:
    """What the ledger has said about one key so far.

    `since`..`until` (inclusive) are the entries the key was authorised for: for a signing
    key exactly the entries it signed as writer, since only one writer exists at a time.
    """

    public: PublicKey
    role: str
    status: str
    since: int
    until: int | None = None
    revoked_from: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "public_key": self.public.b64,
            "role": self.role,
            "status": self.status,
            "since": self.since,
            "until": self.until,
            "revoked_from": self.revoked_from,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> KeyRecord:
        return cls(
            PublicKey(b64decode_strict(value["public_key"])),
            str(value["role"]),
            str(value["status"]),
            int(value["since"]),
            value["until"],
            value["revoked_from"],
        )


@dataclass
class KeyState:
    """Roots, threshold and the one writer after each entry; approvals kept for revocation.

    `approvals` holds, for each root-authorised entry (genesis and key changes — a handful
    in a ledger's life), which roots were counted and the threshold then in force, so that
    a later revocation can say which of them stood only on the revoked key.
    """

    records: dict[str, KeyRecord]
    threshold: int
    writer: str
    approvals: list[tuple[int, tuple[str, ...], int]] = field(default_factory=list)

    def copy(self) -> KeyState:
        return KeyState(
            {k: KeyRecord(**vars(r)) for k, r in self.records.items()},
            self.threshold,
            self.writer,
            list(self.approvals),
        )

    def roots(self) -> dict[str, PublicKey]:
        return {
            k: r.public
            for k, r in self.records.items()
            if r.role == ROLE_ROOT and r.status == ACTIVE
        }

    @property
    def writer_key(self) -> PublicKey:
        return self.records[self.writer].public

    def to_json(self) -> dict[str, Any]:
        return {
            "records": {k: r.to_json() for k, r in self.records.items()},
            "threshold": self.threshold,
            "writer": self.writer,
            "approvals": [[s, list(ids), t] for s, ids, t in self.approvals],
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> KeyState:
        return cls(
            {k: KeyRecord.from_json(r) for k, r in value["records"].items()},
            int(value["threshold"]),
            str(value["writer"]),
            [(int(s), tuple(ids), int(t)) for s, ids, t in value["approvals"]],
        )


def genesis_state(keys: GenesisKeys) -> KeyState:
    records = {r.id: KeyRecord(r, ROLE_ROOT, ACTIVE, 0) for r in keys.roots}
    records[keys.signing.id] = KeyRecord(keys.signing, ROLE_SIGNING, ACTIVE, 0)
    return KeyState(records, keys.threshold, keys.signing.id)


@dataclass(frozen=True)
class Dispute:
    seq: int
    key: str
    revoked_at: int
    from_seq: int


def apply_key_change(
    state: KeyState, change: KeyChange, seq: int, counted_roots: tuple[str, ...]
) -> list[Dispute]:
    """Apply a validated, sufficiently signed key change at entry `seq`; return disputes.

    Raises ValueError (Chinese) when the change is impossible in this state; the caller
    then reports the entry and leaves the state unchanged.
    """
    record = state.records.get(change.key)
    roots = state.roots()
    approved_under = state.threshold
    threshold = change.threshold if change.threshold is not None else state.threshold
    disputes: list[Dispute] = []
    if change.action == "add":
        assert change.public is not None
        if record is not None or change.public.raw in {
            r.public.raw for r in state.records.values()
        }:
            raise ValueError("此密钥已在本账本中出现过，不能再次添加（防止重放旧请求）")
        if change.role == ROLE_SIGNING:
            old = state.records[state.writer]
            old.status, old.until = RETIRED, seq - 1
            state.records[change.key] = KeyRecord(change.public, ROLE_SIGNING, ACTIVE, seq)
            state.writer = change.key
        else:
            if threshold > len(roots) + 1:
                raise ValueError(f"新门限 {threshold} 超过根密钥数 {len(roots) + 1}")
            state.records[change.key] = KeyRecord(change.public, ROLE_ROOT, ACTIVE, seq + 1)
            state.threshold = threshold
    elif change.action == "retire":
        if record is None:
            raise ValueError("要停用的密钥不在本账本中")
        if record.status != ACTIVE:
            raise ValueError(f"此密钥已是 {record.status} 状态")
        if record.role == ROLE_SIGNING:
            raise ValueError("不能直接停用当前签名密钥：请用 key add --role signing 轮换")
        if threshold > len(roots) - 1:
            raise ValueError(f"停用后根密钥只剩 {len(roots) - 1} 个，低于门限 {threshold}")
        record.status, record.until = RETIRED, seq
        state.threshold = threshold
    else:  # revoke
        assert change.from_seq is not None
        if record is None:
            raise ValueError("要吊销的密钥不在本账本中")
        if record.status == REVOKED:
            raise ValueError("此密钥已被吊销")
        if change.from_seq > seq:
            raise ValueError(f"from_seq {change.from_seq} 不能晚于本条目 #{seq}")
        if change.key == state.writer:
            raise ValueError("不能吊销当前签名密钥：请先用 key add --role signing 换上新密钥")
        if record.role == ROLE_ROOT and record.status == ACTIVE:
            if threshold > len(roots) - 1:
                raise ValueError(f"吊销后根密钥只剩 {len(roots) - 1} 个，低于门限 {threshold}")
            record.until = seq
            state.threshold = threshold
        elif change.threshold is not None:
            raise ValueError("只有吊销现行根密钥时才能修改门限")
        record.status, record.revoked_from = REVOKED, change.from_seq
        if record.role == ROLE_SIGNING:
            last = record.until if record.until is not None else seq - 1
            for s in range(max(change.from_seq, record.since), last + 1):
                disputes.append(Dispute(s, change.key, seq, change.from_seq))
        else:
            for s, ids, thr in state.approvals:
                if s >= change.from_seq and change.key in ids and len(ids) - 1 < thr:
                    disputes.append(Dispute(s, change.key, seq, change.from_seq))
    state.approvals.append((seq, counted_roots, approved_under))
    return disputes


DEMO_KEY_FINDING = "公开的演示密钥（由演示种子派生，任何人都能用它签名），只能用于演示账本"


def refuse_demo_keys(pubs: Iterable[PublicKey]) -> None:
    """Refuse a demo key offered to a ledger that is not a demo ledger."""
    for pub in pubs:
        if is_demo_key(pub):
            raise Refusal(
                f"密钥 {pub.id[:16]}… 是{DEMO_KEY_FINDING}（--demo）；"
                "真实账本请用 suiji keygen 生成自己的密钥",
                code="demo-key",
            )


def refuse_demo_genesis(body: Mapping[str, Any]) -> None:
    """`refuse_demo_keys` for a genesis body that is not demo=true (malformed: left alone)."""
    if declares_demo(body):
        return
    try:
        keys = parse_genesis_keys(body)
    except ValueError:
        return  # refused with its own message where the body is parsed
    refuse_demo_keys((*keys.roots, keys.signing))
    policy = body.get("policy")
    witnesses = policy.get("witnesses") if isinstance(policy, dict) else None
    keys_json = witnesses.get("keys") if isinstance(witnesses, dict) else None
    for w in keys_json if isinstance(keys_json, list) else []:
        with contextlib.suppress(NoteError, TypeError, AttributeError):
            if demo_witness_key(parse_vkey(w.get("vkey")).public) is not None:
                raise Refusal(
                    f"见证人密钥 {w.get('vkey')} 是{DEMO_KEY_FINDING}（--demo）；"
                    "请用见证人自己用 suiji witness keygen 生成的密钥",
                    code="demo-key",
                )
