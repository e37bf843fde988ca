"""The task lifecycle as the ledger records it: commitments, voids, beacons, draws."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suiji.beacon.chain import Chain, chain_from_facts
from suiji.draw.coverage import DEFAULT_YEARLY_CAP, DrawnTask
from suiji.ledger.codec import Entry
from suiji.ledger.genesis import GenesisInfo, parse_genesis
from suiji.ledger.reading import read_entries
from suiji.records.schema import MIN_RANDOM_PERCENT
from suiji.shared.times import civil_date

DEFAULT_POLICY: dict[str, Any] = {
    "yearly_cap": DEFAULT_YEARLY_CAP,
    "min_random_percent": MIN_RANDOM_PERCENT,
}

COMMIT, COMMIT_VOID, BEACON, DRAW, PERSON_VOID = (
    "commit",
    "commit-void",
    "beacon",
    "draw",
    "person-void",
)


# ---------------------------------------------------------------- the ledger's view of tasks


@dataclass
class TaskState:
    """One task as the ledger has it so far (the latest commitment wins after a void)."""

    task: str
    commit: Entry | None = None
    voided: list[Entry] = field(default_factory=list)
    draw: Entry | None = None
    person_voids: list[Entry] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.commit is not None


@dataclass
class History:
    """Everything a later step needs from earlier entries, built in one pass."""

    genesis: GenesisInfo | None = None
    genesis_body: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    beacons: dict[tuple[str, int], Entry] = field(default_factory=dict)
    drawn: list[DrawnTask] = field(default_factory=list)

    def apply(self, entry: Entry) -> None:
        body = entry.body
        if entry.kind == "genesis":
            self.genesis = parse_genesis(body)
            self.genesis_body = body
        elif entry.kind == COMMIT:
            state = self.tasks.setdefault(body["task"], TaskState(body["task"]))
            state.commit = entry
        elif entry.kind == COMMIT_VOID:
            state = self.tasks[body["task"]]
            state.voided.append(entry)
            state.commit = None
        elif entry.kind == BEACON:
            self.beacons[(body["chain_hash"], body["round"])] = entry
        elif entry.kind == DRAW:
            state = self.tasks[body["task"]]
            state.draw = entry
            self.drawn.append(
                DrawnTask(
                    task=body["task"],
                    unit=body["unit"],
                    drawn_on=civil_date(entry.moment),
                    targets=tuple(body["targets"]),
                )
            )
        elif entry.kind == PERSON_VOID:
            self.tasks[body["task"]].person_voids.append(entry)


def history(root: Path) -> History:
    hist = History()
    for entry in read_entries(root):
        hist.apply(entry)
    return hist


def policy(genesis_body: Mapping[str, Any]) -> dict[str, Any]:
    """The bureau's coverage policy, pinned in the genesis body's `policy` (defaults where absent)."""
    out = dict(DEFAULT_POLICY)
    given = genesis_body.get("policy", {})
    if isinstance(given, Mapping):
        out.update(given)
    return out


# ---------------------------------------------------------------- pure derivations


def chain_for(genesis: GenesisInfo) -> Chain | None:
    """The chain a commitment uses: the genesis' first accepted chain (None: extra inputs only)."""
    return chain_from_facts(genesis.beacons[0]) if genesis.beacons else None
