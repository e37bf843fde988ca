"""The key state the ledger's entries evolve: roles, rotation, revocation, disputes.

Who may sign what (docs/spec/05-keys.md): a threshold of *root* keys authorises the
ledger (genesis) and every key change, signing only entry *bodies* so they can sign offline;
exactly one *signing* key (the writer) signs each whole entry and each checkpoint.
`KeyState` is the pure state machine both the writer and the verifier run; it never
reads files, so a second implementation can follow it line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from suiji.crypto.ed25519 import _HEX64, PublicKey, parse_public_json
from suiji.crypto.keyfiles import is_demo_key
from suiji.shared.errors import Refusal, UsageError
from suiji.standards.note import b64decode_strict

# ---------------------------------------------------------------- key state

ROLE_ROOT = "root"
ROLE_SIGNING = "signing"
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


def count_distinct(keys: Iterable[PublicKey]) -> int:
    """How many *distinct keys* (by raw public key bytes) — the only count a threshold uses."""
    return len({k.raw for k in keys})


@dataclass(frozen=True)
class GenesisKeys:
    roots: tuple[PublicKey, ...]
    threshold: int
    signing: PublicKey


def parse_genesis_keys(body: Mapping[str, Any]) -> GenesisKeys:
    """Roots (sorted by id, distinct), threshold 1..len(roots), a signing key that is no root."""
    roots_json = body.get("roots")
    if not isinstance(roots_json, list) or not roots_json:
        raise ValueError("roots 必须是非空数组")
    roots = tuple(parse_public_json(r, f"roots[{i}]") for i, r in enumerate(roots_json))
    ids = [r.id for r in roots]
    if ids != sorted(set(ids)) or count_distinct(roots) != len(roots):
        raise ValueError("roots 必须按 key 排序且互不重复（同一密钥只能出现一次）")
    threshold = body.get("root_threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise ValueError("root_threshold 必须是整数")
    if not 1 <= threshold <= len(roots):
        raise ValueError(f"root_threshold 必须在 1..{len(roots)} 之间")
    signing = parse_public_json(body.get("signing_key"), "signing_key")
    if signing.raw in {r.raw for r in roots}:
        raise ValueError("signing_key 不能同时是根密钥")
    return GenesisKeys(roots, threshold, signing)


def genesis_state(keys: GenesisKeys) -> KeyState:
    records = {r.id: KeyRecord(r, ROLE_ROOT, ACTIVE, 0) for r in keys.roots}
    records[keys.signing.id] = KeyRecord(keys.signing, ROLE_SIGNING, ACTIVE, 0)
    return KeyState(records, keys.threshold, keys.signing.id)


# ---------------------------------------------------------------- key-change bodies

KEY_ACTIONS = ("add", "retire", "revoke")
_KEY_FIELDS = {
    "add": ({"action", "genesis", "key", "public_key", "role"}, {"threshold", "reason"}),
    "retire": ({"action", "genesis", "key"}, {"threshold", "reason"}),
    "revoke": ({"action", "genesis", "key", "from_seq"}, {"threshold", "reason"}),
}


def key_body(
    action: str,
    *,
    genesis: str,
    key: PublicKey | str,
    role: str | None = None,
    threshold: int | None = None,
    from_seq: int | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Build the body of a `key` entry (what root holders sign offline)."""
    body: dict[str, Any] = {"action": action, "genesis": genesis}
    if action == "add":
        if not isinstance(key, PublicKey) or role not in (ROLE_ROOT, ROLE_SIGNING):
            raise UsageError("key add 需要公钥和角色 (--role signing|root)")
        body.update(key=key.id, public_key=key.b64, role=role)
    else:
        body["key"] = key.id if isinstance(key, PublicKey) else key
    if action == "revoke":
        if from_seq is None:
            raise UsageError("key revoke 需要 --from-seq（从哪个条目起不再信任）")
        body["from_seq"] = from_seq
    if threshold is not None:
        body["threshold"] = threshold
    if reason:
        body["reason"] = reason
    return body


@dataclass(frozen=True)
class KeyChange:
    """A validated key-entry body."""

    action: str
    key: str
    public: PublicKey | None
    role: str | None
    threshold: int | None
    from_seq: int | None


def parse_key_body(body: Mapping[str, Any], genesis_hash: str) -> KeyChange:
    """Check a `key` body's shape (not its effect on the state); ValueError in Chinese."""
    action = body.get("action")
    if action not in _KEY_FIELDS:
        raise ValueError(f"action 必须是 {'/'.join(KEY_ACTIONS)} 之一")
    required, optional = _KEY_FIELDS[str(action)]
    missing, extra = required - set(body), set(body) - required - optional
    if missing or extra:
        raise ValueError(f"字段不符：缺少 {sorted(missing)}，多余 {sorted(extra)}")
    if body["genesis"] != genesis_hash:
        raise ValueError("genesis 与本账本的创世条目哈希不符（请求属于另一个账本）")
    kid = body["key"]
    if not isinstance(kid, str) or not _HEX64.match(kid):
        raise ValueError("key 必须是 64 位小写十六进制")
    public = None
    role = None
    if action == "add":
        public = parse_public_json({"key": kid, "public_key": body["public_key"]}, "public_key")
        role = body["role"]
        if role not in (ROLE_ROOT, ROLE_SIGNING):
            raise ValueError("role 必须是 signing 或 root")
    threshold = body.get("threshold")
    if threshold is not None and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1
    ):
        raise ValueError("threshold 必须是正整数")
    if threshold is not None and role == ROLE_SIGNING:
        raise ValueError("更换签名密钥时不能修改根密钥门限")
    from_seq = body.get("from_seq")
    if action == "revoke" and (not isinstance(from_seq, int) or isinstance(from_seq, bool)):
        raise ValueError("from_seq 必须是整数")
    if "reason" in body and not isinstance(body["reason"], str):
        raise ValueError("reason 必须是字符串")
    return KeyChange(str(action), kid, public, role, threshold, from_seq)


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
    if body.get("demo") is True:
        return
    try:
        keys = parse_genesis_keys(body)
    except ValueError:
        return  # refused with its own message where the body is parsed
    refuse_demo_keys((*keys.roots, keys.signing))
