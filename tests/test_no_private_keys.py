"""No private key material anywhere in the repository outside tests/ (published test vectors).

Scans what git tracks plus untracked files git would let you add (`git ls-files`, with and
without `--others --exclude-standard`); without git, every file under the tree except
caches and virtual environments.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from suiji.crypto.ed25519 import generate, public_of
from suiji.crypto.keyfiles import private_pem

REPO = Path(__file__).resolve().parent.parent
PATTERNS = [
    # PEM private keys of any kind (PKCS#8, encrypted, OpenSSH, RSA/EC), with a body
    re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n:,\-]{16,}"),
    # raw PKCS#8 Ed25519 (v1 and v2) in base64 and in hex
    re.compile(rb"MC4CAQAwBQYDK2VwBCIEI[A-Za-z0-9+/]{20,}"),
    re.compile(rb"MFECAQEwBQYDK2VwBCIEI[A-Za-z0-9+/]{20,}"),
    re.compile(rb"(?i)30(?:2e020100|51020101)300506032b657004220420[0-9a-f]{64}"),
]
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "output",
    "demo",
    "build",
    "dist",
}


def candidate_files() -> list[Path]:
    try:
        tracked = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z"],
            capture_output=True,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout
        untracked = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout
        names = {
            n
            for n in (tracked + b"\0" + untracked).decode("utf-8", "surrogateescape").split("\0")
            if n
        }
        return [REPO / n for n in sorted(names)]
    except (OSError, subprocess.CalledProcessError):
        out: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(REPO):
            dirnames[:] = [
                d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
            ]
            out.extend(Path(dirpath) / f for f in filenames)
        return out


def leaks(data: bytes) -> list[str]:
    return [m.group(0)[:40].decode("ascii", "replace") for p in PATTERNS for m in p.finditer(data)]


def test_detector_finds_real_private_keys() -> None:
    key = generate()
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    assert leaks(private_pem(key))
    assert leaks(private_pem(key, b"passphrase"))
    assert leaks(base64.b64encode(der))
    assert leaks(der.hex().encode())
    assert not leaks(public_of(key).pem())
    assert not leaks(b'header = b"-----BEGIN PRIVATE KEY-----"')  # mentioning it is fine


def test_no_private_keys_outside_tests() -> None:
    found = []
    for path in candidate_files():
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("tests/") or not path.is_file() or path.stat().st_size > 20_000_000:
            continue
        hits = leaks(path.read_bytes())
        if hits:
            found.append(f"{rel}: {hits[0]}…")
    assert not found, "仓库中出现私钥材料（只允许在 tests/ 的公开测试向量中）：\n" + "\n".join(
        found
    )
