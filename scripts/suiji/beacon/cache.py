"""The local verified-round cache: a pairing check is slow, a cache hit is not."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from suiji.beacon.chain import _PK_BYTES, _SIG_BYTES, BeaconError, Chain, _check_round, _hex_bytes
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.shared.files import write_atomic

# ---------------------------------------------------------------- cache

CACHE_FORMAT = "suiji-beacon-cache/v1"
CACHE_TAG = "suiji/beacon-cache/v1"
_MAX_CACHE_ENTRIES = 4096


def default_cache_path() -> Path:
    """$XDG_CACHE_HOME/suiji/beacons.json, else ~/.cache/suiji/beacons.json."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "suiji" / "beacons.json"


def _entry_check(entry: Mapping[str, Any]) -> str:
    body = {k: entry[k] for k in ("chain_hash", "public_key", "round", "signature", "randomness")}
    return tagged_hex(CACHE_TAG, canonical_json(body))


class VerifiedCache:
    """Rounds already verified on this machine, in a small JSON file written atomically.

    A hit needs the same chain hash, public key, round and *exact* signature, an intact
    entry checksum and randomness = sha256(signature); anything else is a miss and gets
    verified afresh. The file is an optimisation only: unreadable or damaged, it counts
    as empty, and failing to write it never fails a verification.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()

    def _load(self) -> list[Any]:
        """The file's entries, NOT yet checked; a damaged file counts as empty."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return []
        entries = data.get("entries")
        return entries if isinstance(entries, list) else []

    def lookup(self, chain: Chain, round: int, signature_hex: str) -> str | None:
        """The randomness if this exact triple was verified before, else None.

        Only entries matching the triple are integrity-checked, so a lookup stays cheap
        however many rounds the file holds.
        """
        key = (chain.chain_hash, chain.public_key, round, signature_hex)
        for e in self._load():
            if isinstance(e, dict) and _key(e) == key and _intact(e):
                randomness: str = e["randomness"]
                return randomness
        return None

    def _remember(self, chain: Chain, round: int, signature_hex: str, randomness: str) -> None:
        """Record a triple that verify_round has just verified (private on purpose)."""
        entry: dict[str, Any] = {
            "chain_hash": chain.chain_hash,
            "public_key": chain.public_key,
            "round": round,
            "signature": signature_hex,
            "randomness": randomness,
        }
        entry["check"] = _entry_check(entry)
        key = (chain.chain_hash, chain.public_key, round, signature_hex)
        entries = [e for e in self._load() if _intact(e) and _key(e) != key]
        entries.append(entry)
        data = canonical_json({"format": CACHE_FORMAT, "entries": entries[-_MAX_CACHE_ENTRIES:]})
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data)


def _key(e: dict[str, Any]) -> tuple[Any, ...]:
    return (e.get("chain_hash"), e.get("public_key"), e.get("round"), e.get("signature"))


def _intact(e: object) -> bool:
    if not isinstance(e, dict) or set(e) != {
        "chain_hash",
        "public_key",
        "round",
        "signature",
        "randomness",
        "check",
    }:
        return False
    try:
        sig = _hex_bytes(e["signature"], _SIG_BYTES, "", "")
        _hex_bytes(e["chain_hash"], 32, "", "")
        _hex_bytes(e["public_key"], _PK_BYTES, "", "")
        _check_round(e["round"])
        ok = bool(
            e["randomness"] == hashlib.sha256(sig).hexdigest() and e["check"] == _entry_check(e)
        )
    except (BeaconError, ValueError, TypeError):
        return False
    return ok
