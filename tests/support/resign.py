"""Rewrite a ledger after tampering and re-sign it with the bureau's own key.

This is what a dishonest bureau could do: every signature, link and the checkpoint stay
valid, so only re-derivation (suiji.checks) can catch the change.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import sign_body
from suiji.crypto.keyfiles import DEMO_WITNESS_ROLES, demo_key, load_private_key
from suiji.ledger.append import put_object
from suiji.ledger.codec import encode_entry
from suiji.ledger.paths import COSIGNATURES_DIR
from suiji.ledger.reading import get_object
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.standards.checkpoint import (
    Checkpoint,
    cosignature_key_id,
    parse_checkpoint,
    sign_checkpoint,
    sign_cosignature,
)
from suiji.standards.merkle import merkle_root
from suiji.standards.note import Note, parse_note, sign_note

Edit = Callable[[Path, list[dict[str, Any]]], None]


def put(root: Path, value: Any) -> str:
    """Store a (tampered) JSON value as an object; returns its id."""
    return put_object(root, canonical_json(value))


def get(root: Path, oid: str) -> Any:
    return json.loads(get_object(root, oid))


def _remap(value: Any, renamed: dict[str, str]) -> Any:
    """Replace references to re-signed entries (e.g. a draw's `commitment`) by their new hash."""
    if isinstance(value, dict):
        return {k: _remap(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, renamed) for v in value]
    return renamed.get(value, value) if isinstance(value, str) else value


def resign(root: Path, edit: Edit, *, expect_change: bool = True) -> int | None:
    """Apply `edit` to the parsed entries, then re-chain, re-sign and re-checkpoint them all.

    References to earlier entries' hashes are carried over to the re-signed hashes, as a
    careful forger would. Returns the first entry the edit changed (None: no change).

    A tampering test whose edit happens to change nothing (two swapped values that were
    equal in this run's random draw) would assert a finding about an honest ledger and
    fail at random; unless `expect_change` is False (the controls that re-sign unchanged
    entries on purpose) an edit that leaves every entry as it was is an error in the test.
    """
    key = load_private_key(root / "private" / "signing.key")
    path = root / "ledger" / "ledger.jsonl"
    lines = path.read_bytes().splitlines()
    values = [json.loads(line) for line in lines]
    original = copy.deepcopy(values)
    edit(root, values)
    changed = next(
        (i for i, (a, b) in enumerate(zip(original, values, strict=True)) if a != b), None
    )
    if expect_change and changed is None:
        raise AssertionError("the tampering edit changed no entry: the test forged nothing")
    out = [lines[0]]  # genesis (root-signed) stays as it was, unless the edit changed it
    if values[0] != original[0]:  # re-signed with the bureau's own root key too
        root_key = load_private_key(root / "private" / "root.key")
        g = values[0]
        out[0] = encode_entry(
            seq=0,
            prev=g["prev"],
            kind=g["kind"],
            time=g["time"],
            body=g["body"],
            key=key,
            extra_sigs=[sign_body(root_key, g["body"])],
        )
    renamed: dict[str, str] = {
        tagged_hex("suiji/entry/v1", lines[0]): tagged_hex("suiji/entry/v1", out[0])
    }
    for seq, v in enumerate(values[1:], start=1):
        prev = tagged_hex("suiji/entry/v1", out[-1])
        line = encode_entry(
            seq=seq,
            prev=prev,
            kind=v["kind"],
            time=v["time"],
            body=_remap(v["body"], renamed),
            key=key,
        )
        renamed[tagged_hex("suiji/entry/v1", lines[seq])] = tagged_hex("suiji/entry/v1", line)
        out.append(line)
    path.write_bytes(b"".join(line + b"\n" for line in out))
    origin = values[0]["body"]["origin"]
    cp = Checkpoint(origin, len(out), merkle_root(out))
    (root / "ledger" / "checkpoint").write_bytes(sign_checkpoint(cp, origin, key))
    (root / "ledger" / ".writer-cache.json").unlink(missing_ok=True)
    recosign(root, out, origin, key)
    return changed


def recosign(root: Path, lines: list[bytes], origin: str, key: Ed25519PrivateKey) -> None:
    """Redo `ledger/cosignatures/` for the rewritten lines, as far as the forger can.

    A demo ledger's witnesses use published demo keys, so its forger re-cosigns every
    checkpoint with them at the original times (only the targeted change then remains);
    a real witness's line cannot be redone and is dropped, and a checkpoint beyond the
    new end goes (a forger hides what the witnesses saw).
    """
    directory = root / "ledger" / COSIGNATURES_DIR
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        note = parse_note(path.read_bytes())
        size = parse_checkpoint(note.text).size
        if size > len(lines):
            path.unlink()
            continue
        cp = Checkpoint(origin, size, merkle_root(lines[:size]))
        body = cp.body()
        sigs = [sign_note(body, origin, key)]
        for sig in note.signatures:
            for role in DEMO_WITNESS_ROLES:
                private = demo_key(role)
                public = private.public_key().public_bytes_raw()
                if sig.key_id == cosignature_key_id(sig.name, public):
                    when = int.from_bytes(sig.signature[:8], "big")
                    sigs.append(sign_cosignature(body, sig.name, private, when))
        path.write_bytes(Note(body, tuple(sigs)).encode())


def find(values: list[dict[str, Any]], kind: str, task: str | None = None) -> dict[str, Any]:
    """The last entry of `kind` (for `task`)."""
    for v in reversed(values):
        if v["kind"] == kind and (task is None or v["body"].get("task") == task):
            return v
    raise LookupError(kind)


def truncate(root: Path, keep: int) -> None:
    """Keep the first `keep` entries (a forger rewriting the ledger's tail); `resign` next."""
    path = root / "ledger" / "ledger.jsonl"
    lines = path.read_bytes().splitlines()[:keep]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
