"""The bodies of task entries: commit, commit-void, extra-input, beacon, draw, person-void,
person-replace.

docs/spec/13-task-entries.md. Each `from_json` checks members (none missing, none unknown)
and their JSON types; values the verifier re-derives (seed, targets, rounds, …) are
compared by the replay, which names the difference. `to_json(from_json(x)) == x`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from suiji.model.fields import EntryError, Members
from suiji.shared.errors import CanonicalError
from suiji.shared.times import parse_time

SNAPSHOT_RECORDS = ("enterprises", "inspectors", "experts", "checklist", "recusals")
EXTRA_ONLY = "extra-only"


def _time(m: Members, name: str) -> str:
    text = m.text(name)
    try:
        parse_time(text)
    except CanonicalError as exc:
        raise EntryError("bad-time", m.at(name), f"{name}: {exc}") from None
    return text


# ---------------------------------------------------------------- beacon terms


@dataclass(frozen=True)
class ChainRound:
    """A commitment's future randomness: a round of a chain the genesis accepts."""

    chain: str
    chain_hash: str
    round: int
    round_time: str

    @property
    def available_at(self) -> datetime:
        return parse_time(self.round_time)

    def to_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "chain_hash": self.chain_hash,
            "round": self.round,
            "round_time": self.round_time,
        }


@dataclass(frozen=True)
class ExtraOnly:
    """No beacon: the draw uses typed-in public inputs only, not before `draw_after`."""

    draw_after: str

    @property
    def available_at(self) -> datetime:
        return parse_time(self.draw_after)

    def to_json(self) -> dict[str, Any]:
        return {"source": EXTRA_ONLY, "draw_after": self.draw_after}


BeaconTerms = ChainRound | ExtraOnly


def beacon_terms_from_json(value: object, path: str = "body.beacon") -> BeaconTerms:
    m = Members(value, path)
    if m.has("round") or not m.has("source"):
        m.exactly(("chain", "chain_hash", "round", "round_time"))
        return ChainRound(
            chain=m.text("chain"),
            chain_hash=m.text("chain_hash"),
            round=m.integer("round"),
            round_time=_time(m, "round_time"),
        )
    m.exactly(("source", "draw_after"))
    if m.text("source") != EXTRA_ONLY:
        raise EntryError("bad-source", m.at("source"), f"source 只能是 {EXTRA_ONLY}")
    return ExtraOnly(_time(m, "draw_after"))


# ---------------------------------------------------------------- sealed terms


@dataclass(frozen=True)
class SealTerms:
    """A sealed commitment's `sealed` member (docs/spec/18-sealed.md): the hash of the
    secret that will also seed the draw, and the time by which it must be revealed."""

    secret_hash: str
    reveal_by: str

    @property
    def deadline(self) -> datetime:
        return parse_time(self.reveal_by)

    @classmethod
    def from_json(cls, value: object, path: str = "body.sealed") -> SealTerms:
        m = Members(value, path)
        m.exactly(("secret_hash", "reveal_by"))
        return cls(m.hex64("secret_hash"), _time(m, "reveal_by"))

    def to_json(self) -> dict[str, Any]:
        return {"secret_hash": self.secret_hash, "reveal_by": self.reveal_by}


# ---------------------------------------------------------------- commit


@dataclass(frozen=True)
class Commit:
    """`commit` (§13.1): the plan, the record snapshots, the population and the round."""

    task: str
    name: str
    unit: str
    as_of: str
    plan_object: str
    plan_source_object: str
    snapshots: tuple[tuple[str, str], ...]  # (record name, object hash) in SNAPSHOT_RECORDS order
    population_object: str
    eligible: int
    beacon: BeaconTerms
    sealed: SealTerms | None = None  # present only in a sealed task's commitment

    MEMBERS = (
        "task",
        "name",
        "unit",
        "as_of",
        "plan_object",
        "plan_source_object",
        "snapshots",
        "population_object",
        "eligible",
        "beacon",
    )

    @classmethod
    def from_json(cls, value: object) -> Commit:
        m = Members(value)
        m.exactly(cls.MEMBERS, ("sealed",))
        snaps = m.object("snapshots")
        snaps.exactly(f"{n}_object" for n in SNAPSHOT_RECORDS)
        return cls(
            task=m.text("task"),
            name=m.text("name"),
            unit=m.text("unit"),
            as_of=m.text("as_of"),
            plan_object=m.hex64("plan_object"),
            plan_source_object=m.hex64("plan_source_object"),
            snapshots=tuple((n, snaps.hex64(f"{n}_object")) for n in SNAPSHOT_RECORDS),
            population_object=m.hex64("population_object"),
            eligible=m.integer("eligible"),
            beacon=beacon_terms_from_json(m.raw("beacon")),
            sealed=SealTerms.from_json(m.raw("sealed")) if m.has("sealed") else None,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "task": self.task,
            "name": self.name,
            "unit": self.unit,
            "as_of": self.as_of,
            "plan_object": self.plan_object,
            "plan_source_object": self.plan_source_object,
            "snapshots": {f"{n}_object": oid for n, oid in self.snapshots},
            "population_object": self.population_object,
            "eligible": self.eligible,
            "beacon": self.beacon.to_json(),
        }
        if self.sealed is not None:
            out["sealed"] = self.sealed.to_json()
        return out

    def snapshot(self, record: str) -> str:
        """The object hash of one record's snapshot."""
        return dict(self.snapshots)[record]

    @property
    def available_at(self) -> datetime:
        """When the committed randomness exists: the round time, or the earliest draw time."""
        return self.beacon.available_at


# ---------------------------------------------------------------- commit-void


@dataclass(frozen=True)
class CommitVoid:
    """`commit-void` (§13.2): withdraw the live commitment before its round exists."""

    task: str
    commit_seq: int
    commitment: str
    reason: str

    @classmethod
    def from_json(cls, value: object) -> CommitVoid:
        m = Members(value)
        m.exactly(("task", "commit_seq", "commitment", "reason"))
        return cls(m.text("task"), m.integer("commit_seq"), m.text("commitment"), m.text("reason"))

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "commit_seq": self.commit_seq,
            "commitment": self.commitment,
            "reason": self.reason,
        }


# ---------------------------------------------------------------- extra-input


@dataclass(frozen=True)
class ExtraValue:
    """`extra-input` (§13.3): one declared extra input's value, fixed before the round.

    Recorded in its own signed entry so its time proves it was known before the committed
    randomness; the draw may only take recorded values.
    """

    task: str
    commit_seq: int
    commitment: str
    name: str
    value: str

    MEMBERS = ("task", "commit_seq", "commitment", "name", "value")

    @classmethod
    def from_json(cls, value: object) -> ExtraValue:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        return cls(
            task=m.text("task"),
            commit_seq=m.integer("commit_seq"),
            commitment=m.text("commitment"),
            name=m.text("name"),
            value=m.text("value"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "commit_seq": self.commit_seq,
            "commitment": self.commitment,
            "name": self.name,
            "value": self.value,
        }


# ---------------------------------------------------------------- beacon


@dataclass(frozen=True)
class BeaconRound:
    """`beacon` (§13.3): one round of a chain, recorded once before the draws that use it."""

    chain: str
    chain_hash: str
    round: int
    signature: str
    randomness: str

    @classmethod
    def from_json(cls, value: object) -> BeaconRound:
        m = Members(value)
        m.exactly(("chain", "chain_hash", "round", "signature", "randomness"))
        return cls(
            m.text("chain"),
            m.text("chain_hash"),
            m.integer("round"),
            m.text("signature"),
            m.text("randomness"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "chain_hash": self.chain_hash,
            "round": self.round,
            "signature": self.signature,
            "randomness": self.randomness,
        }


# ---------------------------------------------------------------- draw


@dataclass(frozen=True)
class ExtraInput:
    """One extra public input as typed in at the draw."""

    name: str
    value: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class Draw:
    """`draw` (§13.4): the seed and the result of a task's one draw."""

    task: str
    unit: str
    commit_seq: int
    commitment: str
    beacon_seq: int | None
    extra: tuple[ExtraInput, ...]
    seed: str
    targets: tuple[str, ...]
    teams_error: str | None
    result_object: str

    MEMBERS: tuple[str, ...] = (
        "task",
        "unit",
        "commit_seq",
        "commitment",
        "beacon_seq",
        "extra",
        "seed",
        "targets",
        "teams_error",
        "result_object",
    )

    @classmethod
    def from_json(cls, value: object) -> Draw:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        extra = []
        for i, item in enumerate(m.array("extra")):
            e = Members(item, f"body.extra[{i}]")
            e.exactly(("name", "value"))
            extra.append(ExtraInput(e.text("name"), e.text("value")))
        return cls(
            task=m.text("task"),
            unit=m.text("unit"),
            commit_seq=m.integer("commit_seq"),
            commitment=m.text("commitment"),
            beacon_seq=m.opt_integer("beacon_seq"),
            extra=tuple(extra),
            seed=m.text("seed"),
            targets=m.texts("targets"),
            teams_error=m.opt_text("teams_error"),
            result_object=m.hex64("result_object"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "unit": self.unit,
            "commit_seq": self.commit_seq,
            "commitment": self.commitment,
            "beacon_seq": self.beacon_seq,
            "extra": [e.to_json() for e in self.extra],
            "seed": self.seed,
            "targets": list(self.targets),
            "teams_error": self.teams_error,
            "result_object": self.result_object,
        }

    @property
    def extra_pairs(self) -> list[tuple[str, str]]:
        return [(e.name, e.value) for e in self.extra]


@dataclass(frozen=True)
class Disclosure:
    """One sealed void disclosed by a reveal (docs/spec/18-sealed.md §18.12): the
    `sealed-void` entry's seq, the salt, and the person void it hid (without `draw_seq`)."""

    seq: int
    salt: str
    team: str
    person: str
    role: str
    reason: str
    beacon: ChainRound

    MEMBERS = ("seq", "salt", "team", "person", "role", "reason", "beacon")

    @classmethod
    def from_json(cls, value: object, path: str) -> Disclosure:
        m = Members(value, path)
        m.exactly(cls.MEMBERS)
        beacon = beacon_terms_from_json(m.raw("beacon"), f"{path}.beacon")
        if not isinstance(beacon, ChainRound):
            raise EntryError("bad-source", m.at("beacon"), "人员撤换必须指明将来的信标轮次")
        return cls(
            seq=m.integer("seq"),
            salt=m.hex64("salt"),
            team=m.text("team"),
            person=m.text("person"),
            role=m.text("role"),
            reason=m.text("reason"),
            beacon=beacon,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "salt": self.salt,
            "team": self.team,
            "person": self.person,
            "role": self.role,
            "reason": self.reason,
            "beacon": self.beacon.to_json(),
        }

    def content(self, task: str) -> dict[str, Any]:
        """What the salted hash covers: the person void's body without `draw_seq`."""
        return {
            "task": task,
            "team": self.team,
            "person": self.person,
            "role": self.role,
            "reason": self.reason,
            "beacon": self.beacon.to_json(),
        }

    def person_void(self, task: str, draw_seq: int) -> PersonVoid:
        """The ordinary person void this disclosure stands for once the draw exists."""
        return PersonVoid(
            task, draw_seq, self.team, self.person, self.role, self.reason, self.beacon
        )


@dataclass(frozen=True)
class Reveal(Draw):
    """`reveal` (docs/spec/18-sealed.md): a sealed task's draw, recorded with its secret.

    A draw in every respect (the lifecycle treats it as the task's one draw, so coverage
    and the yearly cap count it from here on), plus the secret whose hash the commitment
    holds; its `seed` is the sealed seed. `voids` discloses the task's sealed voids (the
    member is present only when there are some, so a reveal without them is unchanged).
    """

    secret: str = ""
    voids: tuple[Disclosure, ...] = ()

    MEMBERS = (*Draw.MEMBERS, "secret")

    @classmethod
    def from_json(cls, value: object) -> Reveal:
        m = Members(value)
        m.exactly(cls.MEMBERS, ("voids",))
        rest = {k: v for k, v in m.value.items() if k not in ("secret", "voids")}
        draw = Draw.from_json(rest)
        voids: tuple[Disclosure, ...] = ()
        if m.has("voids"):
            items = m.array("voids")
            if not items:
                raise EntryError("bad-voids", m.at("voids"), "voids 不能为空数组：没有撤换时省略")
            voids = tuple(Disclosure.from_json(x, f"body.voids[{i}]") for i, x in enumerate(items))
        return cls(
            **{f: getattr(draw, f) for f in Draw.MEMBERS}, secret=m.hex64("secret"), voids=voids
        )

    def to_json(self) -> dict[str, Any]:
        out = {**super().to_json(), "secret": self.secret}
        if self.voids:
            out["voids"] = [d.to_json() for d in self.voids]
        return out


@dataclass(frozen=True)
class SealedVoid:
    """`sealed-void` (docs/spec/18-sealed.md §18.12): a person void of a sealed task before
    its reveal, as a salted hash only; the reveal discloses it."""

    task: str
    commit_seq: int
    commitment: str
    salted: str

    MEMBERS = ("task", "commit_seq", "commitment", "salted")

    @classmethod
    def from_json(cls, value: object) -> SealedVoid:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        return cls(
            m.text("task"), m.integer("commit_seq"), m.hex64("commitment"), m.hex64("salted")
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "commit_seq": self.commit_seq,
            "commitment": self.commitment,
            "salted": self.salted,
        }


# ---------------------------------------------------------------- person-void


@dataclass(frozen=True)
class PersonVoid:
    """`person-void` (§13.5): a drawn person leaves; the replacement waits for `beacon`.

    The entry names who leaves, from which team and role, why, and the future round whose
    randomness will order the candidates: nobody knows the replacement when it is written.
    """

    task: str
    draw_seq: int
    team: str
    person: str
    role: str
    reason: str
    beacon: ChainRound

    MEMBERS = ("task", "draw_seq", "team", "person", "role", "reason", "beacon")

    @classmethod
    def from_json(cls, value: object) -> PersonVoid:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        beacon = beacon_terms_from_json(m.raw("beacon"))
        if not isinstance(beacon, ChainRound):
            raise EntryError("bad-source", m.at("beacon"), "人员撤换必须指明将来的信标轮次")
        return cls(
            task=m.text("task"),
            draw_seq=m.integer("draw_seq"),
            team=m.text("team"),
            person=m.text("person"),
            role=m.text("role"),
            reason=m.text("reason"),
            beacon=beacon,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "draw_seq": self.draw_seq,
            "team": self.team,
            "person": self.person,
            "role": self.role,
            "reason": self.reason,
            "beacon": self.beacon.to_json(),
        }

    @property
    def available_at(self) -> datetime:
        """When the round that decides the replacement exists."""
        return self.beacon.available_at


# ---------------------------------------------------------------- person-replace


@dataclass(frozen=True)
class PersonReplace:
    """`person-replace` (§13.5.1): the replacement a void's round decided, recorded after it."""

    task: str
    void_seq: int
    void: str
    beacon_seq: int
    seed: str
    replacement: str

    MEMBERS = ("task", "void_seq", "void", "beacon_seq", "seed", "replacement")

    @classmethod
    def from_json(cls, value: object) -> PersonReplace:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        return cls(
            task=m.text("task"),
            void_seq=m.integer("void_seq"),
            void=m.text("void"),
            beacon_seq=m.integer("beacon_seq"),
            seed=m.text("seed"),
            replacement=m.text("replacement"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "void_seq": self.void_seq,
            "void": self.void,
            "beacon_seq": self.beacon_seq,
            "seed": self.seed,
            "replacement": self.replacement,
        }
