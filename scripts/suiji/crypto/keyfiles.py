"""Private and public key files: PEM, optional passphrase, SUIJI_SIGNING_KEY."""

from __future__ import annotations

import base64
import binascii
import functools
import os
from collections.abc import Mapping
from pathlib import Path

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

from suiji.crypto.ed25519 import KeyError_, PublicKey, from_seed, public_of
from suiji.shared.canonical import tagged_hash
from suiji.shared.errors import UsageError
from suiji.standards.note import b64decode_strict

SIGNING_KEY_ENV = "SUIJI_SIGNING_KEY"
KEYS_DIR = "keys"


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


DEMO_KEY_TAG = "suiji/demo-key/v1"
DEMO_ROLES = ("root", "signing")


def demo_key(role: str) -> Ed25519PrivateKey:
    """The demo's published key: seed = SHA-256("suiji/demo-key/v1" ‖ 0x0A ‖ role).

    `role` is "root" or "signing". Anyone can derive these, so only a demo ledger
    (genesis demo=true) may carry them; init refuses them and verify flags them otherwise.
    """
    return from_seed(tagged_hash(DEMO_KEY_TAG, role.encode("ascii")))


DEMO_WITNESS_ROLES = ("witness-1", "witness-2")
"""The demo year's two witnesses (docs/spec/19-witnesses.md): published keys, like the others."""


def demo_witness_key(public: bytes) -> Ed25519PrivateKey | None:
    """The demo witness private key whose public key is `public`, or None."""
    for role in DEMO_WITNESS_ROLES:
        key = demo_key(role)
        if public_of(key).raw == public:
            return key
    return None


@functools.cache
def _demo_publics() -> frozenset[bytes]:
    return frozenset(public_of(demo_key(role)).raw for role in DEMO_ROLES)


def is_demo_key(pub: PublicKey) -> bool:
    """True for a public key derived from the published demo seed (`demo_key`)."""
    return pub.raw in _demo_publics()
