"""Ed25519 key ids, public keys and the two signature forms (entry, body)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
)

from suiji.shared.canonical import canonical_json, is_hex64, tagged_hex
from suiji.shared.errors import InputError
from suiji.standards.note import b64decode_strict, b64encode

KEY_ID_TAG = "suiji/key-id/v1"
ENTRY_SIG_PREFIX = b"suiji/entry-sig/v1\n"
BODY_SIG_PREFIX = b"suiji/body-sig/v1\n"


class KeyError_(InputError):
    """A key file that cannot be read, or a key that is not what it claims to be."""

    code = "key-invalid"


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
    kid, _, raw = _keyed_bytes(value, "public_key", 32, where)
    pub = PublicKey(raw)
    if pub.id != kid:
        raise ValueError(f"{where} 的 key 与 public_key 推导出的密钥编号不符")
    return pub


def public_of(private: Ed25519PrivateKey) -> PublicKey:
    return PublicKey(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


# ---------------------------------------------------------------- signatures


@dataclass(frozen=True, init=False)
class Sig:
    """One element of an entry's `sigs`: key id and base64 Ed25519 signature."""

    key: str
    sig: str

    def __init__(self, key: str, sig: str) -> None:
        # One dict update instead of object.__setattr__ per field: one per ledger line.
        self.__dict__.update(key=key, sig=sig)

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "sig": self.sig}


def body_message(body: Mapping[str, Any]) -> bytes:
    """What a root key signs: "suiji/body-sig/v1\\n" ‖ canonical_json(body)."""
    return BODY_SIG_PREFIX + canonical_json(body)


def sign_body(private: Ed25519PrivateKey, body: Mapping[str, Any]) -> Sig:
    return Sig(public_of(private).id, b64encode(private.sign(body_message(body))))


def parse_sig_json(value: object, where: str) -> tuple[Sig, bytes]:
    """`{"key": id, "sig": base64}`: a key id and a 64-byte signature."""
    kid, b64, raw = _keyed_bytes(value, "sig", 64, where)
    return Sig(kid, b64), raw


def _keyed_bytes(value: object, field: str, size: int, where: str) -> tuple[str, str, bytes]:
    """`{"key": 64 hex, field: strict base64 of `size` bytes}` → (key, base64, bytes)."""
    if not isinstance(value, dict) or set(value) != {"key", field}:
        raise ValueError(f'{where} 必须是 {{"key", "{field}"}} 对象')
    kid, b64 = value["key"], value[field]
    if not isinstance(kid, str) or not is_hex64(kid) or not isinstance(b64, str):
        raise ValueError(f"{where} 的 key 必须是 64 位小写十六进制")
    try:
        raw = b64decode_strict(b64)
    except ValueError as exc:
        raise ValueError(f"{where} 的 {field}: {exc}") from None
    if len(raw) != size:
        raise ValueError(f"{where} 的 {field} 必须是 {size} 字节")
    return kid, b64, raw


# ---------------------------------------------------------------- private key files


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def from_seed(seed: bytes) -> Ed25519PrivateKey:
    """A key from its 32-byte RFC 8032 seed (test vectors use published seeds)."""
    return Ed25519PrivateKey.from_private_bytes(seed)
