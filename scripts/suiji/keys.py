"""Ed25519 keys: ids, files, signatures, and the key state the ledger's entries evolve.

Who may sign what (docs/SPEC.md §3.5): a threshold of *root* keys authorises the
ledger (genesis) and every key change, signing only entry *bodies* so they can sign offline;
exactly one *signing* key (the writer) signs each whole entry and each checkpoint.
`KeyState` is the pure state machine both the writer and the verifier run; it never
reads files, so a second implementation can follow it line by line.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
    load_pem_private_key,
    load_pem_public_key,
)

from suiji.checkpoint import b64decode_strict, b64encode
from suiji.encoding import canonical_json, tagged_hash, tagged_hex
from suiji.errors import InputError, UsageError

KEY_ID_TAG = "suiji/key-id/v1"
ENTRY_SIG_PREFIX = b"suiji/entry-sig/v1\n"
BODY_SIG_PREFIX = b"suiji/body-sig/v1\n"
SIGNING_KEY_ENV = "SUIJI_SIGNING_KEY"
KEYS_DIR = "keys"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class KeyError_(InputError):
    """A key file that cannot be read, or a key that is not what it claims to be."""


# ---------------------------------------------------------------- ids and public keys


def key_id(public: bytes) -> str:
    """Hex of H("suiji/key-id/v1", raw 32-byte Ed25519 public key) — all 32 bytes.

    Derived, never chosen: one key has exactly one id, so a key cannot be counted twice
    toward a threshold under two names.
    """
    if len(public) != 32:
        raise ValueError("Ed25519 public keys are 32 bytes")
    return tagged_hex(KEY_ID_TAG, public)


@dataclass(frozen=True)
class PublicKey:
    """A raw Ed25519 public key with its derived id."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise ValueError("Ed25519 public keys are 32 bytes")

    @functools.cached_property
    def id(self) -> str:
        """Derived once: the verifier asks for it at every entry."""
        return key_id(self.raw)

    @property
    def b64(self) -> str:
        return b64encode(self.raw)

    def to_json(self) -> dict[str, str]:
        """The form used in genesis and key entries: `{"key": id, "public_key": base64}`."""
        return {"key": self.id, "public_key": self.b64}

    @functools.cached_property
    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def pem(self) -> bytes:
        return Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
        )


def parse_public_json(value: object, where: str) -> PublicKey:
    """`{"key": id, "public_key": base64}` with the id re-derived; ValueError names `where`."""
    if not isinstance(value, dict) or set(value) != {"key", "public_key"}:
        raise ValueError(f'{where} 必须是 {{"key", "public_key"}} 对象')
    kid, b64 = value["key"], value["public_key"]
    if not isinstance(kid, str) or not _HEX64.match(kid) or not isinstance(b64, str):
        raise ValueError(f"{where} 的 key 必须是 64 位小写十六进制")
    try:
        raw = b64decode_strict(b64)
    except ValueError as exc:
        raise ValueError(f"{where} 的 public_key: {exc}") from None
    if len(raw) != 32:
        raise ValueError(f"{where} 的 public_key 必须是 32 字节")
    pub = PublicKey(raw)
    if pub.id != kid:
        raise ValueError(f"{where} 的 key 与 public_key 推导出的密钥编号不符")
    return pub


def public_of(private: Ed25519PrivateKey) -> PublicKey:
    return PublicKey(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


# ---------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Sig:
    """One element of an entry's `sigs`: key id and base64 Ed25519 signature."""

    key: str
    sig: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "sig": self.sig}


def body_message(body: Mapping[str, Any]) -> bytes:
    """What a root key signs: "suiji/body-sig/v1\\n" ‖ canonical_json(body)."""
    return BODY_SIG_PREFIX + canonical_json(body)


def sign_body(private: Ed25519PrivateKey, body: Mapping[str, Any]) -> Sig:
    return Sig(public_of(private).id, b64encode(private.sign(body_message(body))))


def parse_sig_json(value: object, where: str) -> tuple[Sig, bytes]:
    if not isinstance(value, dict) or set(value) != {"key", "sig"}:
        raise ValueError(f'{where} 必须是 {{"key", "sig"}} 对象')
    kid, b64 = value["key"], value["sig"]
    if not isinstance(kid, str) or not _HEX64.match(kid) or not isinstance(b64, str):
        raise ValueError(f"{where} 的 key 必须是 64 位小写十六进制")
    try:
        raw = b64decode_strict(b64)
    except ValueError as exc:
        raise ValueError(f"{where} 的 sig: {exc}") from None
    if len(raw) != 64:
        raise ValueError(f"{where} 的 sig 必须是 64 字节")
    return Sig(kid, b64), raw


# ---------------------------------------------------------------- private key files


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def from_seed(seed: bytes) -> Ed25519PrivateKey:
    """A key from its 32-byte RFC 8032 seed (test vectors use published seeds)."""
    return Ed25519PrivateKey.from_private_bytes(seed)


DEMO_KEY_TAG = "suiji/demo-key/v1"
DEMO_ROLES = ("root", "signing")


def demo_key(role: str) -> Ed25519PrivateKey:
    """The demo's published key: seed = SHA-256("suiji/demo-key/v1" ‖ 0x0A ‖ role).

    `role` is "root" or "signing". Anyone can derive these, so only a demo ledger
    (genesis demo=true) may carry them; init refuses them and verify flags them otherwise.
    """
    return from_seed(tagged_hash(DEMO_KEY_TAG, role.encode("ascii")))


@functools.cache
def _demo_publics() -> frozenset[bytes]:
    return frozenset(public_of(demo_key(role)).raw for role in DEMO_ROLES)


def is_demo_key(pub: PublicKey) -> bool:
    """True for a public key derived from the published demo seed (`demo_key`)."""
    return pub.raw in _demo_publics()


DEMO_KEY_FINDING = "公开的演示密钥（由演示种子派生，任何人都能用它签名），只能用于演示账本"


def refuse_demo_keys(pubs: Iterable[PublicKey]) -> None:
    """UsageError (exit 2) for a demo key offered to a ledger that is not a demo ledger."""
    for pub in pubs:
        if is_demo_key(pub):
            raise UsageError(
                f"密钥 {pub.id[:16]}… 是{DEMO_KEY_FINDING}（--demo）；"
                "真实账本请用 suiji keygen 生成自己的密钥"
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


def private_pem(private: Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with the best available scheme if a passphrase is given."""
    enc = BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    return private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, enc)


def parse_private_key(data: bytes, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """PKCS#8 PEM (optionally encrypted) or base64 of PKCS#8 DER (for a CI secret)."""
    text = data.strip()
    try:
        if text.startswith(b"-----"):
            key = load_pem_private_key(text, password=passphrase)
        else:
            key = load_der_private_key(base64.b64decode(text, validate=True), password=passphrase)
    except TypeError:
        raise KeyError_(
            "私钥已加密，请用 --passphrase-env 指定保存口令的环境变量 (key is encrypted)"
        ) from None
    except (ValueError, binascii.Error):
        raise KeyError_(
            "无法读取私钥：不是 PKCS#8 PEM 或 base64 DER，或口令错误 (bad private key)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_("私钥不是 Ed25519 密钥 (not an Ed25519 key)")
    return key


def load_private_key(
    path: Path | None,
    *,
    passphrase_env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Ed25519PrivateKey:
    """The key in `path`, else the one in $SUIJI_SIGNING_KEY (a CI secret), else an error."""
    env = os.environ if environ is None else environ
    passphrase: bytes | None = None
    if passphrase_env:
        if passphrase_env not in env:
            raise UsageError(f"环境变量 {passphrase_env} 未设置（应保存私钥口令）")
        passphrase = env[passphrase_env].encode("utf-8")
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyError_(f"{path}: 无法读取私钥文件：{exc.strerror}") from None
        try:
            return parse_private_key(data, passphrase)
        except KeyError_ as exc:
            raise KeyError_(f"{path}: {exc}") from None
    secret = env.get(SIGNING_KEY_ENV)
    if secret:
        try:
            return parse_private_key(secret.encode("utf-8"), passphrase)
        except KeyError_ as exc:
            raise KeyError_(f"环境变量 {SIGNING_KEY_ENV}: {exc}") from None
    raise UsageError(f"需要签名私钥：请用 --key 指定私钥文件，或设置环境变量 {SIGNING_KEY_ENV}")


def write_key_pair(
    out: Path, private: Ed25519PrivateKey, *, passphrase: bytes | None = None, force: bool = False
) -> tuple[Path, Path]:
    """Write the private key to `out` (mode 0600, created exclusively) and `out`.pub.

    The file is opened with O_EXCL and mode 0600 at creation, so the key is never readable
    by others even for an instant; an existing file is kept unless `force`.
    """
    pub_path = out.with_name(out.name + ".pub")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(out, flags, 0o600)
    except FileExistsError:
        raise UsageError(f"{out}: 文件已存在；如确需覆盖请加 --force") from None
    except OSError as exc:
        raise UsageError(f"{out}: 无法创建私钥文件：{exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, private_pem(private, passphrase))
        os.fsync(fd)
    finally:
        os.close(fd)
    pub_path.write_bytes(public_of(private).pem())
    return out, pub_path


def read_public_key(path: Path) -> PublicKey:
    """A public key file: PEM SubjectPublicKeyInfo, or one line of base64 (raw 32 bytes)."""
    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise KeyError_(f"{path}: 无法读取公钥文件：{exc.strerror}") from None
    return parse_public_key(data, str(path))


def parse_public_key(data: bytes, where: str) -> PublicKey:
    if b"PRIVATE KEY" in data:
        raise KeyError_(f"{where}: 这是私钥，不是公钥；请给出 .pub 文件")
    if data.startswith(b"-----"):
        try:
            key = load_pem_public_key(data)
        except ValueError:
            raise KeyError_(f"{where}: 不是合法的 PEM 公钥") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyError_(f"{where}: 公钥不是 Ed25519 密钥")
        return PublicKey(key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    try:
        raw = b64decode_strict(data.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise KeyError_(f"{where}: 公钥应为 PEM 或 32 字节的 base64") from None
    if len(raw) != 32:
        raise KeyError_(f"{where}: 公钥应为 32 字节")
    return PublicKey(raw)


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
