"""Keys: ids, key files (0600, passphrase, CI secret), public key files, genesis key rules."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from suiji.cli.app import main
from suiji.crypto.ed25519 import PublicKey, from_seed, generate, parse_public_json, public_of
from suiji.crypto.keyfiles import (
    SIGNING_KEY_ENV,
    load_private_key,
    private_pem,
    read_public_key,
    write_key_pair,
)
from suiji.model.keystate import KeyState, count_distinct, genesis_state, parse_genesis_keys
from suiji.shared.errors import InputError, UsageError


def test_key_id_is_tagged_hash_of_raw_public_key() -> None:
    pub = public_of(from_seed(bytes([1]) * 32))
    assert pub.id == hashlib.sha256(b"suiji/key-id/v1\n" + pub.raw).hexdigest()
    assert parse_public_json(pub.to_json(), "x") == pub
    with pytest.raises(ValueError, match="不符"):
        parse_public_json({"key": "0" * 64, "public_key": pub.b64}, "x")
    with pytest.raises(ValueError):
        parse_public_json({"key": pub.id, "public_key": _malleate(pub.b64)}, "x")


def _malleate(b64: str) -> str:
    """Same bytes, non-canonical spelling: set a padding bit of the last character."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = b64.rstrip("=")
    pad = b64[len(last) :]
    flipped = alphabet[alphabet.index(last[-1]) ^ 1]
    out = last[:-1] + flipped + pad
    assert base64.b64decode(out) == base64.b64decode(b64) and out != b64
    return out


def test_keygen_writes_0600_pkcs8_and_public_key(tmp_path: Path) -> None:
    private = generate()
    priv_path, pub_path = write_key_pair(tmp_path / "w.key", private)
    assert stat.S_IMODE(priv_path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in priv_path.read_bytes()
    assert read_public_key(pub_path) == public_of(private)
    assert public_of(load_private_key(priv_path, environ={})) == public_of(private)
    with pytest.raises(UsageError, match="已存在"):
        write_key_pair(tmp_path / "w.key", private)
    with pytest.raises(InputError, match="私钥"):
        read_public_key(priv_path)  # a private key is never accepted as a public key


def test_passphrase_encrypted_key(tmp_path: Path) -> None:
    private = generate()
    path, _ = write_key_pair(tmp_path / "w.key", private, passphrase=b"s3cret")
    assert b"ENCRYPTED" in path.read_bytes()
    with pytest.raises(InputError, match="passphrase-env"):
        load_private_key(path, environ={})
    with pytest.raises(InputError):
        load_private_key(path, passphrase_env="PW", environ={"PW": "wrong"})
    with pytest.raises(UsageError, match="PW"):
        load_private_key(path, passphrase_env="PW", environ={})
    loaded = load_private_key(path, passphrase_env="PW", environ={"PW": "s3cret"})
    assert public_of(loaded) == public_of(private)


def test_signing_key_from_environment() -> None:
    private = generate()
    pem = private_pem(private).decode()
    der = private.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    for secret in (pem, base64.b64encode(der).decode()):
        loaded = load_private_key(None, environ={SIGNING_KEY_ENV: secret})
        assert public_of(loaded) == public_of(private)
    with pytest.raises(UsageError, match=SIGNING_KEY_ENV):
        load_private_key(None, environ={})
    with pytest.raises(InputError, match=SIGNING_KEY_ENV):
        load_private_key(None, environ={SIGNING_KEY_ENV: "not a key"})


def test_public_key_file_forms(tmp_path: Path) -> None:
    pub = public_of(from_seed(bytes([2]) * 32))
    (tmp_path / "a.pub").write_bytes(pub.pem())
    (tmp_path / "b.pub").write_text(pub.b64 + "\n")
    (tmp_path / "c.pub").write_text("AAAA\n")
    assert read_public_key(tmp_path / "a.pub") == pub
    assert read_public_key(tmp_path / "b.pub") == pub
    with pytest.raises(InputError):
        read_public_key(tmp_path / "c.pub")


def _pj(seed: int) -> dict[str, str]:
    return public_of(from_seed(bytes([seed]) * 32)).to_json()


def test_genesis_key_rules_count_each_key_once() -> None:
    r1, r2, s = _pj(1), _pj(2), _pj(3)
    roots = sorted([r1, r2], key=lambda r: r["key"])
    good = parse_genesis_keys({"roots": roots, "root_threshold": 2, "signing_key": s})
    assert good.threshold == 2 and len(good.roots) == 2
    bad_bodies = [
        {"roots": [r1, r1], "root_threshold": 2, "signing_key": s},  # one key listed twice
        {"roots": roots[::-1], "root_threshold": 1, "signing_key": s},  # not sorted
        {"roots": roots, "root_threshold": 3, "signing_key": s},  # threshold > keys
        {"roots": roots, "root_threshold": 0, "signing_key": s},
        {"roots": roots, "root_threshold": True, "signing_key": s},
        {"roots": [r1], "root_threshold": 1, "signing_key": r1},  # writer is a root
        {"roots": [], "root_threshold": 1, "signing_key": s},
    ]
    for body in bad_bodies:
        with pytest.raises(ValueError):
            parse_genesis_keys(body)
    same = public_of(from_seed(bytes([1]) * 32))
    assert count_distinct([same, same, PublicKey(same.raw)]) == 1


def test_key_state_json_round_trip() -> None:
    keys = parse_genesis_keys({"roots": [_pj(1)], "root_threshold": 1, "signing_key": _pj(3)})
    state = genesis_state(keys)
    again = KeyState.from_json(state.to_json())
    assert again == state and again.writer_key == keys.signing


def test_cli_keygen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen", str(tmp_path / "k")]) == 0
    out = capsys.readouterr().out
    pub = read_public_key(tmp_path / "k.pub")
    assert pub.id in out
    assert main(["keygen", str(tmp_path / "k")]) == 2
