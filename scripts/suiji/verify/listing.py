"""The per-task section of a verify report: which chain and round each draw used.

A separate checker so it stays independent of how each entry is re-derived: it lists what
the ledger records (the findings say whether it is valid). Every report names, for every
committed task, the chain and round of its commitment and the entry that drew it, so a
reader can fetch that round from drand and check it themselves
(docs/spec/14-verifier.md §14.4).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import COMMIT, COMMIT_VOID, DRAW, REVEAL
from suiji.model.tasks import ChainRound, Commit, CommitVoid, Draw
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding


@dataclass(frozen=True)
class TaskLine:
    """One task's live commitment and draw, as the ledger records them.

    `chain`/`chain_hash`/`round`/`round_time` are None for an extra-inputs-only commitment
    (`draw_after` then says when it may be drawn); `draw` is None while undrawn.
    """

    task: str
    commitment: int
    chain: str | None
    chain_hash: str | None
    round: int | None
    round_time: str | None
    draw_after: str | None
    draw: int | None = None
    beacon: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "commitment": self.commitment,
            "chain": self.chain,
            "chain_hash": self.chain_hash,
            "round": self.round,
            "round_time": self.round_time,
            "draw_after": self.draw_after,
            "draw": self.draw,
            "beacon": self.beacon,
        }


@dataclass
class DrawListing:
    """An `EntryChecker` that finds nothing and lists every task's chain, round and draw."""

    lines: dict[str, TaskLine]

    def __init__(self) -> None:
        self.lines = {}

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        # an unreadable body is reported by the re-derivation, not here
        with contextlib.suppress(SuijiError, KeyError, TypeError, ValueError):
            self._note(entry)
        return []

    def _note(self, entry: Entry) -> None:
        if entry.kind == COMMIT:
            body = entry.typed_as(Commit)
            terms = body.beacon
            if isinstance(terms, ChainRound):
                line = TaskLine(
                    body.task,
                    entry.seq,
                    terms.chain,
                    terms.chain_hash,
                    terms.round,
                    terms.round_time,
                    None,
                )
            else:
                line = TaskLine(body.task, entry.seq, None, None, None, None, terms.draw_after)
            if body.task not in self.lines or self.lines[body.task].draw is None:
                self.lines[body.task] = line
        elif entry.kind == COMMIT_VOID:
            void = entry.typed_as(CommitVoid)
            current = self.lines.get(void.task)
            if current is not None and current.draw is None:
                del self.lines[void.task]
        elif entry.kind in (DRAW, REVEAL):  # a reveal is a sealed task's draw
            draw = entry.typed_as(Draw)
            current = self.lines.get(draw.task)
            if current is not None and current.draw is None:
                self.lines[draw.task] = replace(current, draw=entry.seq, beacon=draw.beacon_seq)

    def finish(self) -> Iterable[Finding]:
        return []

    def task_lines(self) -> list[TaskLine]:
        """Every listed task, in the order of its commitment."""
        return sorted(self.lines.values(), key=lambda t: t.commitment)
