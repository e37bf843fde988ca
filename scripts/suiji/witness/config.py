"""A witness's configuration file (TOML): its name, key file, state directory and logs.

    name = "justice.example.gov.cn/witness"
    key = "witness-key.pem"        # Ed25519 PKCS#8 PEM, relative to this file
    state = "state"                # where the latest cosigned checkpoints and forks live
    [[log]]
    origin = "example.gov.cn/suiji"
    key = "example.gov.cn/suiji+1a2b3c4d+AQ…"   # the log's verifier key (type 0x01)

A log may list several keys (`keys = [...]`) for a key rotation. docs/guide/见证人指南.md.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.keyfiles import load_private_key
from suiji.shared.errors import InputError
from suiji.standards.checkpoint import cosignature_key_id
from suiji.standards.note import (
    SIG_COSIGNATURE,
    SIG_ED25519,
    NoteError,
    NoteVerifier,
    b64encode,
    parse_vkey,
    raw_public,
)
from suiji.witness.core import Witness


def witness_vkey(name: str, key: Ed25519PrivateKey) -> str:
    """The witness's public verifier key string (`name+hexid+base64(0x04 ‖ key)`)."""
    public = raw_public(key.public_key())
    return f"{name}+{cosignature_key_id(name, public).hex()}+{b64encode(bytes([SIG_COSIGNATURE]) + public)}"


def load_witness(path: Path, *, clock: Callable[[], int] | None = None) -> Witness:
    """Read the configuration file and build the witness it describes."""
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: 无法读取见证人配置：{exc}", code="witness-config") from None
    base = path.parent
    name = value.get("name")
    key_file = value.get("key")
    if not isinstance(name, str) or not name or not isinstance(key_file, str):
        raise InputError(f"{path}: 需要 name 和 key（私钥文件）", code="witness-config")
    logs: dict[str, list[NoteVerifier]] = {}
    for i, log in enumerate(value.get("log", [])):
        origin = log.get("origin") if isinstance(log, dict) else None
        keys = log.get("keys", [log.get("key")]) if isinstance(log, dict) else []
        if not isinstance(origin, str) or not isinstance(keys, list) or not keys:
            raise InputError(
                f"{path}: 第 {i + 1} 个 [[log]] 需要 origin 和 key", code="witness-config"
            )
        for k in keys:
            try:
                verifier = parse_vkey(k) if isinstance(k, str) else None
            except NoteError as exc:
                raise InputError(
                    f"{path}: 日志 {origin} 的 key 无效：{exc}", code="witness-config"
                ) from None
            if verifier is None or verifier.sig_type != SIG_ED25519 or verifier.name != origin:
                raise InputError(
                    f"{path}: 日志 {origin} 的 key 必须是名为 {origin} 的 Ed25519 验证密钥",
                    code="witness-config",
                )
            logs.setdefault(origin, []).append(verifier)
    if not logs:
        raise InputError(f"{path}: 至少需要一个 [[log]]", code="witness-config")
    key = load_private_key(base / key_file)
    state = base / str(value.get("state", "state"))
    return Witness(name, key, logs, state, clock or (lambda: int(time.time())))
