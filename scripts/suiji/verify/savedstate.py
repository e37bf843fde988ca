"""The verifier's saved state (`verify --state`): what it accepted last time, and when.

Truncation, rollback, forks and backdating are only visible against what an earlier run
saw (docs/spec/14-verifier.md §14.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suiji.ledger.codec import ENTRY_TAG
from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.errors import CanonicalError, InputError, Location
from suiji.shared.files import read_regular, write_atomic
from suiji.shared.times import parse_time
from suiji.standards.note import (
    b64decode_strict,
    b64encode,
)
from suiji.verify.lookback import Seen

STATE_TYPE = "suiji/verify-state/v2"
STATE_TYPE_V1 = "suiji/verify-state/v1"


@dataclass(frozen=True)
class SavedState:
    """The last checkpoint this verifier accepted: for truncation, rollback and forks.

    v2 adds what it saw beyond the checkpoint (`seen`): when it looked, how many lines and
    the last one — for backdated entries and a swapped un-checkpointed line. A v1 file
    reads with `seen` None; the next run that passes writes v2.
    """

    origin: str
    genesis: str
    size: int
    root: bytes
    checkpoint: str
    seen: Seen | None = None

    def encode(self) -> bytes:
        value: dict[str, Any] = {
            "type": STATE_TYPE if self.seen is not None else STATE_TYPE_V1,
            "origin": self.origin,
            "genesis": self.genesis,
            "size": self.size,
            "root": b64encode(self.root),
            "checkpoint": self.checkpoint,
        }
        if self.seen is not None:
            value.update(
                seen_at=self.seen.seen_at,
                verified_size=self.seen.size,
                last_hash=self.seen.last_hash,
                last_line=self.seen.last_line,
            )
        return canonical_json(value) + b"\n"


def read_state(path: Path) -> SavedState | None:
    """None if the file does not exist yet (first run: trust on first use)."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(
            f"{path}: 无法读取验证状态：{exc.strerror}",
            code="file-unreadable",
            location=Location(str(path)),
        ) from None
    try:
        value = parse_canonical(data[:-1] if data.endswith(b"\n") else data)
        if not isinstance(value, dict) or value.get("type") not in (STATE_TYPE, STATE_TYPE_V1):
            raise ValueError("type")
        return SavedState(
            str(value["origin"]),
            str(value["genesis"]),
            int(value["size"]),
            b64decode_strict(str(value["root"])),
            str(value["checkpoint"]),
            _read_seen(value),
        )
    except (CanonicalError, ValueError, KeyError, TypeError):
        raise InputError(
            f"{path}: 不是 suiji 验证状态文件", code="state-file", location=Location(str(path))
        ) from None


def _read_seen(value: dict[str, Any]) -> Seen | None:
    """The v2 members, checked: exact keys, a time, sizes, and the line matching its hash."""
    v1 = {"type", "origin", "genesis", "size", "root", "checkpoint"}
    if value["type"] == STATE_TYPE_V1:
        if set(value) != v1:
            raise ValueError("members")
        return None
    if set(value) != v1 | {"seen_at", "verified_size", "last_hash", "last_line"}:
        raise ValueError("members")
    seen = Seen(
        seen_at=value["seen_at"],
        size=value["verified_size"],
        last_hash=value["last_hash"],
        last_line=value["last_line"],
        checkpoint=value["checkpoint"],
    )
    if not all(isinstance(x, str) for x in (seen.seen_at, seen.last_hash, seen.last_line)):
        raise ValueError("types")
    parse_time(seen.seen_at)
    if not isinstance(seen.size, int) or not value["size"] <= seen.size <= value["size"] + 1:
        raise ValueError("verified_size")
    if tagged_hex(ENTRY_TAG, seen.last_line.encode("utf-8")) != seen.last_hash:
        raise ValueError("last_hash")
    return seen


def write_state(path: Path, state: SavedState) -> None:
    write_atomic(path, state.encode())
