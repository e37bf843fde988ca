"""One typed value per ledger entry kind, and the one place that decodes a body by kind.

`decode_body(kind, body)` returns the kind's frozen value (or None for a kind this version
does not interpret, e.g. `note`); it raises `EntryError` for a malformed body. Every body
codec round-trips: `decode_body(k, x).to_json() == x` for every valid body `x`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from suiji.model.fields import EntryError, Members, frozen_copy
from suiji.model.genesis import Genesis
from suiji.model.keychange import KeyChange
from suiji.model.results import RESULT, ResultEntry
from suiji.model.tasks import (
    BeaconRound,
    Commit,
    CommitVoid,
    Draw,
    ExtraValue,
    PersonReplace,
    PersonVoid,
    Reveal,
    SealedVoid,
)
from suiji.shared.canonical import HEX64_RE

GENESIS, KEY, WITHDRAWAL = "genesis", "key", "withdrawal"
COMMIT, COMMIT_VOID, BEACON, DRAW, PERSON_VOID = (
    "commit",
    "commit-void",
    "beacon",
    "draw",
    "person-void",
)
PERSON_REPLACE = "person-replace"
EXTRA_INPUT = "extra-input"
REVEAL = "reveal"
SEALED_VOID = "sealed-void"


@dataclass(frozen=True)
class Withdrawal:
    """`withdrawal` (docs/spec/04-ledger.md §4.3): objects that may be deleted.

    Only `withdrawn` is interpreted; other members (usually `reason`) are free and carried.
    """

    withdrawn: tuple[str, ...]
    others: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: object) -> Withdrawal:
        m = Members(value)
        items = m.value.get("withdrawn")
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(x, str) and HEX64_RE.match(x) for x in items)
        ):
            raise EntryError(
                "bad-withdrawal",
                "body.withdrawn",
                "withdrawal 条目的 body.withdrawn 必须是非空的对象哈希数组",
            )
        return cls(tuple(items), frozen_copy(m.others(("withdrawn",))))

    def to_json(self) -> dict[str, Any]:
        return {**frozen_copy(self.others), "withdrawn": list(self.withdrawn)}


Body = (
    Genesis
    | KeyChange
    | Withdrawal
    | Commit
    | CommitVoid
    | BeaconRound
    | Draw
    | Reveal
    | PersonVoid
    | SealedVoid
    | PersonReplace
    | ExtraValue
    | ResultEntry
)

DECODERS: dict[str, Callable[[object], Body]] = {
    GENESIS: Genesis.from_json,
    KEY: KeyChange.from_json,
    WITHDRAWAL: Withdrawal.from_json,
    COMMIT: Commit.from_json,
    COMMIT_VOID: CommitVoid.from_json,
    BEACON: BeaconRound.from_json,
    DRAW: Draw.from_json,
    PERSON_VOID: PersonVoid.from_json,
    PERSON_REPLACE: PersonReplace.from_json,
    EXTRA_INPUT: ExtraValue.from_json,
    RESULT: ResultEntry.from_json,
    REVEAL: Reveal.from_json,
    SEALED_VOID: SealedVoid.from_json,
}


def decode_body(kind: str, body: object) -> Body | None:
    """The typed body of an entry of `kind` (None: a kind without a model, body free)."""
    decoder = DECODERS.get(kind)
    return None if decoder is None else decoder(body)
