"""The body of a `key` entry: add, retire or revoke a key (docs/spec/05-keys.md §5.4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suiji.crypto.ed25519 import PublicKey, parse_public_json
from suiji.model.fields import EntryError, Members, is_int
from suiji.shared.canonical import HEX64_RE
from suiji.shared.errors import UsageError

ROLE_ROOT = "root"
ROLE_SIGNING = "signing"
KEY_ACTIONS = ("add", "retire", "revoke")
_KEY_FIELDS = {
    "add": ({"action", "genesis", "key", "public_key", "role"}, {"threshold", "reason"}),
    "retire": ({"action", "genesis", "key"}, {"threshold", "reason"}),
    "revoke": ({"action", "genesis", "key", "from_seq"}, {"threshold", "reason"}),
}


@dataclass(frozen=True)
class KeyChange:
    """A validated key-entry body. `public` and `role` are set for `add` only."""

    action: str
    key: str
    public: PublicKey | None
    role: str | None
    threshold: int | None
    from_seq: int | None
    genesis: str = ""
    reason: str | None = None

    @classmethod
    def from_json(cls, value: object, *, genesis: str | None = None) -> KeyChange:
        """Check a `key` body's shape (not its effect on the key state).

        With `genesis`, the body must name that ledger's genesis entry hash.
        """
        m = Members(value)
        action = m.value.get("action")
        if action not in _KEY_FIELDS:
            raise EntryError(
                "bad-action", "body.action", f"action 必须是 {'/'.join(KEY_ACTIONS)} 之一"
            )
        required, optional = _KEY_FIELDS[str(action)]
        missing, extra = required - set(m.value), set(m.value) - required - optional
        if missing or extra:
            first = sorted(missing)[0] if missing else sorted(extra)[0]
            raise EntryError(
                "missing-member" if missing else "unknown-member",
                m.at(first),
                f"字段不符：缺少 {sorted(missing)}，多余 {sorted(extra)}",
            )
        body_genesis = m.value["genesis"]
        if genesis is not None and body_genesis != genesis:
            raise EntryError(
                "other-ledger",
                "body.genesis",
                "genesis 与本账本的创世条目哈希不符（请求属于另一个账本）",
            )
        if not isinstance(body_genesis, str):
            raise EntryError("wrong-type", "body.genesis", "genesis 必须是字符串")
        kid = m.value["key"]
        if not isinstance(kid, str) or not HEX64_RE.match(kid):
            raise EntryError("bad-hash", "body.key", "key 必须是 64 位小写十六进制")
        public = None
        role = None
        if action == "add":
            try:
                public = parse_public_json(
                    {"key": kid, "public_key": m.value["public_key"]}, "public_key"
                )
            except ValueError as exc:
                raise EntryError("public-key", "body.public_key", str(exc)) from None
            role = m.value["role"]
            if role not in (ROLE_ROOT, ROLE_SIGNING):
                raise EntryError("bad-role", "body.role", "role 必须是 signing 或 root")
        threshold = m.value.get("threshold")
        if threshold is not None and (not is_int(threshold) or threshold < 1):
            raise EntryError("wrong-type", "body.threshold", "threshold 必须是正整数")
        if threshold is not None and role == ROLE_SIGNING:
            raise EntryError(
                "threshold-on-rotation", "body.threshold", "更换签名密钥时不能修改根密钥门限"
            )
        from_seq = m.value.get("from_seq")
        if action == "revoke" and not is_int(from_seq):
            raise EntryError("wrong-type", "body.from_seq", "from_seq 必须是整数")
        reason = m.value.get("reason")
        if "reason" in m.value and not isinstance(reason, str):
            raise EntryError("wrong-type", "body.reason", "reason 必须是字符串")
        return cls(
            action=str(action),
            key=kid,
            public=public,
            role=role,
            threshold=threshold,
            from_seq=from_seq,
            genesis=body_genesis,
            reason=reason,
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"action": self.action, "genesis": self.genesis, "key": self.key}
        if self.public is not None:
            body.update(public_key=self.public.b64, role=self.role)
        if self.from_seq is not None:
            body["from_seq"] = self.from_seq
        if self.threshold is not None:
            body["threshold"] = self.threshold
        if self.reason is not None:
            body["reason"] = self.reason
        return body


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
    public: PublicKey | None = None
    if action == "add":
        if not isinstance(key, PublicKey) or role not in (ROLE_ROOT, ROLE_SIGNING):
            raise UsageError("key add 需要公钥和角色 (--role signing|root)")
        public, kid = key, key.id
    else:
        kid = key.id if isinstance(key, PublicKey) else key
        role = None
    if action == "revoke" and from_seq is None:
        raise UsageError("key revoke 需要 --from-seq（从哪个条目起不再信任）")
    change = KeyChange(
        action=action,
        key=kid,
        public=public,
        role=role,
        threshold=threshold,
        from_seq=from_seq if action == "revoke" else None,
        genesis=genesis,
        reason=reason or None,
    )
    return change.to_json()
