"""The ONE task lifecycle: commitments, voids, beacons, draws, person voids, results — over
typed bodies.

A task goes commit → (commit-void → commit again)* → draw (once, from the committed
round) → (person-void … person-replace)*: each person void names a future round, and its
replacement is recorded, in void order, once that round exists. After the draw, each drawn
enterprise's result is recorded (result → correction*, each naming the current version) and
may be withdrawn (信用修复), after which nothing more is recorded for it. `History` holds what the ledger has recorded so far and knows the
rules of each transition: `check` says what an entry would break, as `Violation`s (data:
the verifier turns them into findings, the writer into refusals); `apply` records the
entry. Both the writer's steps and the verifier's replay drive it. This module reads no
files: `suiji.ledger.taskhistory.history(root)` builds a History from a ledger file for the
writer (the verifier streams entries into one instead and never imports that module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from suiji.draw.coverage import DrawnTask
from suiji.draw.extras import ExtraInput, lottery_window_problem, value_problem
from suiji.draw.sealed import secret_hash
from suiji.ledger.codec import Entry
from suiji.ledger.sealedvoids import disclosure_problems
from suiji.model.entries import (
    BEACON,
    COMMIT,
    COMMIT_VOID,
    DRAW,
    EXTRA_INPUT,
    PERSON_REPLACE,
    PERSON_VOID,
    REVEAL,
    SEALED_VOID,
    WITHDRAWAL,
    Withdrawal,
)
from suiji.model.genesis import Genesis
from suiji.model.results import RESULT, ResultEntry
from suiji.model.tasks import (
    BeaconRound,
    ChainRound,
    Commit,
    CommitVoid,
    Draw,
    ExtraValue,
    PersonReplace,
    PersonVoid,
    Reveal,
    SealedVoid,
)
from suiji.shared.times import civil_date, parse_time

__all__ = [
    "BEACON",
    "COMMIT",
    "COMMIT_VOID",
    "DRAW",
    "EXTRA_INPUT",
    "PERSON_REPLACE",
    "PERSON_VOID",
    "RESULT",
    "REVEAL",
    "SEALED_VOID",
    "WITHDRAWAL",
    "WITHHELD_GRACE",
    "History",
    "Recorded",
    "ResultState",
    "TaskState",
    "Violation",
    "drawn_by_chance",
    "open_disclosed",
    "replayed",
    "same_plan",
    "unrevealed",
    "withheld",
    "withheld_grace",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Recorded(Generic[T]):
    """A typed body together with where and when the ledger recorded it."""

    seq: int
    hash: str
    time: str
    body: T

    @property
    def moment(self) -> datetime:
        return parse_time(self.time)

    @classmethod
    def of(cls, entry: Entry, body: T) -> Recorded[T]:
        return cls(entry.seq, entry.hash, entry.time, body)


COMPLIANCE_RULES = frozenset({"void-slot-again", "reveal-late"})
"""Rules whose breach leaves the ledger intact but records a breach of the task rules
(`compliance`): a writer may record one on purpose, saying so (`--accept-finding`). A
sealed void never disclosed, or disclosed wrongly, is integrity: the ledger holds a
commitment it never opens, so nobody can check who was recused (docs/spec/18-sealed.md)."""


@dataclass(frozen=True)
class Violation:
    """A broken lifecycle rule. `code` is the verifier's finding code (spec §14.3.3).

    `fatal`: the entry cannot take effect at all (nothing more is derived from it).
    `seq` names the earlier entry involved (the live commitment, the draw), `round` the
    committed round (None for an extra-only commitment).
    """

    code: str
    task: str
    fatal: bool = False
    seq: int | None = None
    round: int | None = None
    detail: str = ""  # what exactly (an input's name, the expected value), for messages


@dataclass
class TaskState:
    """One task as the ledger has it so far (the latest commitment wins after a void)."""

    task: str
    commit: Recorded[Commit] | None = None
    voided: list[Recorded[CommitVoid]] = field(default_factory=list)
    draw: Recorded[Draw] | None = None
    person_voids: list[Recorded[PersonVoid]] = field(default_factory=list)
    replacements: list[Recorded[PersonReplace]] = field(default_factory=list)
    # A slot is a place on a team: named by whoever held it at the draw, (team, person).
    slot_of: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    slot_voids: dict[tuple[str, str], int] = field(default_factory=dict)
    extras: dict[str, Recorded[ExtraValue]] = field(default_factory=dict)  # live commitment's
    sealed_voids: list[Recorded[SealedVoid]] = field(default_factory=list)  # until the reveal

    @property
    def live(self) -> bool:
        return self.commit is not None

    @property
    def sealed(self) -> bool:
        """A sealed task whose draw is not revealed yet (docs/spec/18-sealed.md)."""
        return self.commit is not None and self.commit.body.sealed is not None and self.draw is None

    @property
    def pending_voids(self) -> list[Recorded[PersonVoid]]:
        """Person voids whose replacement is not recorded yet, oldest first (FIFO)."""
        return self.person_voids[len(self.replacements) :]

    def slot(self, team: str, person: str) -> tuple[str, str]:
        """The slot `person` holds on `team`: a replacement inherits the voided person's."""
        return self.slot_of.get((team, person), (team, person))


@dataclass
class ResultState:
    """One drawn enterprise's result in one task: its versions, and the withdrawal if any."""

    versions: list[Recorded[ResultEntry]] = field(default_factory=list)
    withdrawn: int | None = None  # seq of the withdrawal entry

    @property
    def current(self) -> Recorded[ResultEntry]:
        return self.versions[-1]


@dataclass
class History:
    """Everything a later step needs from earlier entries, built in one pass."""

    genesis: Genesis | None = None
    tasks: dict[str, TaskState] = field(default_factory=dict)
    beacons: dict[tuple[str, int], Recorded[BeaconRound]] = field(default_factory=dict)
    beacons_by_seq: dict[int, Recorded[BeaconRound]] = field(default_factory=dict)
    drawn: list[DrawnTask] = field(default_factory=list)
    results: dict[tuple[str, str], ResultState] = field(default_factory=dict)
    result_objects: dict[str, tuple[str, str]] = field(default_factory=dict)  # oid → key

    # ------------------------------------------------------------ rules

    def check(self, entry: Entry) -> list[Violation]:
        """What recording `entry` would break (nothing for kinds without task rules)."""
        body = entry.typed
        if isinstance(body, Commit):
            return self.check_commit(body.task)
        if isinstance(body, CommitVoid):
            return self.check_commit_void(body, entry.moment)
        if isinstance(body, Draw):
            return self.check_draw(body.task, entry.moment, body)
        if isinstance(body, PersonVoid):
            return self.check_person_void(body.task, body)
        if isinstance(body, SealedVoid):
            return self.check_sealed_void(body)
        if isinstance(body, PersonReplace):
            return self.check_person_replace(body, entry.moment)
        if isinstance(body, ExtraValue):
            return self.check_extra_input(body, entry.moment)
        if isinstance(body, ResultEntry):
            return self.check_result(body)
        if isinstance(body, Withdrawal):
            return self.check_withdrawal(body)
        return []

    def check_commit(self, task: str) -> list[Violation]:
        """A task is committed once per live commitment, and never after its draw."""
        state = self.tasks.get(task)
        out = []
        if state is not None and state.draw is not None:
            out.append(Violation("commit-after-draw", task, seq=state.draw.seq))
        if state is not None and state.commit is not None:
            out.append(Violation("commit-twice", task, seq=state.commit.seq))
        return out

    def check_commit_void(self, void: CommitVoid, at: datetime) -> list[Violation]:
        """Only the live commitment, and only before its randomness exists."""
        live = self.live_commit(void.task)
        if live is None or live.seq != void.commit_seq or live.hash != void.commitment:
            return [Violation("void-unknown", void.task, fatal=True)]
        if at >= live.body.available_at:
            return [Violation("void-late", void.task, seq=live.seq)]
        return []

    def check_draw(self, task: str, at: datetime, draw: Draw | None = None) -> list[Violation]:
        """Drawn once, from the live commitment, not early, with the committed round.

        Without `draw` (the writer, before computing one) only the task's state and the
        time are checked.
        """
        state = self.tasks.get(task)
        if state is None or state.commit is None:
            return [Violation("draw-uncommitted", task, fatal=True)]
        if state.draw is not None:
            return [Violation("draw-twice", task, fatal=True, seq=state.draw.seq)]
        commit = state.commit
        out = []
        if draw is not None and (draw.commit_seq != commit.seq or draw.commitment != commit.hash):
            out.append(Violation("draw-commitment", task, seq=commit.seq))
        if at < commit.body.available_at:
            out.append(Violation("draw-early", task, seq=commit.seq))
        if draw is None:
            return out
        out.extend(_sealed_violations(commit, at, draw))
        if any(v.fatal for v in out):
            return out
        if isinstance(draw, Reveal):
            found, _ = disclosure_problems(task, _salted(state), draw.voids)
            out.extend(Violation(code, task, detail=detail) for code, detail in found)
        terms = commit.body.beacon
        if isinstance(terms, ChainRound):
            b = self.beacons_by_seq.get(draw.beacon_seq) if draw.beacon_seq is not None else None
            if b is None or b.body.round != terms.round or b.body.chain_hash != terms.chain_hash:
                out.append(Violation("draw-beacon", task, fatal=True, round=terms.round))
        elif draw.beacon_seq is not None:
            out.append(Violation("draw-beacon", task))
        return out

    def check_person_void(self, task: str, void: PersonVoid | None = None) -> list[Violation]:
        """People are replaced only after the task's draw (its commitment live), naming it."""
        state = self.tasks.get(task)
        if state is None or state.draw is None or state.commit is None:
            return [Violation("void-undrawn", task, fatal=True)]
        if void is not None and void.draw_seq != state.draw.seq:
            return [Violation("void-draw", task, seq=state.draw.seq)]
        if void is not None and state.slot_voids.get(state.slot(void.team, void.person)):
            return [Violation("void-slot-again", task)]  # compliance: a walk along the order
        return []

    def check_sealed_void(self, void: SealedVoid) -> list[Violation]:
        """A salted void only for a sealed task before its reveal, naming its live commitment."""
        live = self.live_commit(void.task)
        named = live is not None and (live.seq, live.hash) == (void.commit_seq, void.commitment)
        if not named or not self.tasks[void.task].sealed:
            return [Violation("sealed-void-task", void.task, fatal=True)]
        return []

    def check_person_replace(self, rep: PersonReplace, at: datetime) -> list[Violation]:
        """The oldest pending void's replacement, from the round it named, once that exists."""
        state = self.tasks.get(rep.task)
        pending = state.pending_voids if state is not None else []
        if not pending or pending[0].seq != rep.void_seq or pending[0].hash != rep.void:
            first = pending[0].seq if pending else None
            return [Violation("replace-unknown", rep.task, fatal=True, seq=first)]
        terms = pending[0].body.beacon
        b = self.beacons_by_seq.get(rep.beacon_seq)
        if b is None or b.body.round != terms.round or b.body.chain_hash != terms.chain_hash:
            return [Violation("replace-beacon", rep.task, fatal=True, round=terms.round)]
        if at < terms.available_at:
            return [Violation("replace-early", rep.task, seq=pending[0].seq)]
        return []

    def check_result(self, result: ResultEntry) -> list[Violation]:
        """Only for a drawn task's target; a correction names the current version; nothing
        after a withdrawal (spec §16.3)."""
        task, uscc = result.task, result.uscc
        state = self.tasks.get(task)
        if state is not None and state.sealed:
            return [Violation("result-sealed", task, fatal=True, detail=uscc)]
        if state is None or state.draw is None:
            return [Violation("result-task-unknown", task, fatal=True, detail=uscc)]
        if uscc not in state.draw.body.targets:
            return [
                Violation("result-not-drawn", task, fatal=True, seq=state.draw.seq, detail=uscc)
            ]
        recorded = self.results.get((task, uscc))
        if recorded is not None and recorded.withdrawn is not None:
            return [
                Violation("result-withdrawn", task, fatal=True, seq=recorded.withdrawn, detail=uscc)
            ]
        current = recorded.current.seq if recorded is not None else None
        if result.corrects_seq != current:
            return [Violation("result-corrects", task, fatal=True, seq=current, detail=uscc)]
        return []

    def check_withdrawal(self, withdrawal: Withdrawal) -> list[Violation]:
        """A result is withdrawn whole: every version's object, or none (spec §16.4)."""
        named = set(withdrawal.withdrawn)
        out = []
        for key in sorted({self.result_objects[o] for o in named if o in self.result_objects}):
            state = self.results[key]
            if any(v.body.result_object not in named for v in state.versions):
                out.append(Violation("result-withdrawal-partial", key[0], detail=key[1]))
        return out

    # ------------------------------------------------------------ transitions

    def apply(self, entry: Entry) -> None:
        """Record `entry` (its rules are `check`'s business; a fatal violation is skipped)."""
        body = entry.typed
        if isinstance(body, Genesis):
            self.genesis = body
        elif isinstance(body, Commit):
            state = self.tasks.setdefault(body.task, TaskState(body.task))
            state.commit = Recorded.of(entry, body)
            state.extras = {}
            state.sealed_voids = []
        elif isinstance(body, CommitVoid):
            state = self.tasks[body.task]
            state.voided.append(Recorded.of(entry, body))
            state.commit = None
            state.extras = {}
        elif isinstance(body, BeaconRound):
            recorded = Recorded.of(entry, body)
            self.beacons[(body.chain_hash, body.round)] = recorded
            self.beacons_by_seq[entry.seq] = recorded
        elif isinstance(body, Draw):
            state = self.tasks[body.task]
            state.draw = Recorded.of(entry, body)
            self.drawn.append(
                DrawnTask(
                    task=body.task,
                    unit=state.commit.body.unit if state.commit else body.unit,
                    drawn_on=civil_date(entry.moment),
                    targets=body.targets,
                    random=drawn_by_chance(state, body),
                )
            )
            if isinstance(body, Reveal):
                open_disclosed(state, body, entry.seq)
        elif isinstance(body, PersonVoid):
            _add_void(self.tasks[body.task], Recorded.of(entry, body))
        elif isinstance(body, SealedVoid):
            self.tasks[body.task].sealed_voids.append(Recorded.of(entry, body))
        elif isinstance(body, PersonReplace):
            state = self.tasks[body.task]
            void = state.pending_voids[0].body
            state.replacements.append(Recorded.of(entry, body))
            state.slot_of[(void.team, body.replacement)] = state.slot(void.team, void.person)
        elif isinstance(body, ExtraValue):
            self.tasks[body.task].extras.setdefault(body.name, Recorded.of(entry, body))
        elif isinstance(body, ResultEntry):
            key = (body.task, body.uscc)
            self.results.setdefault(key, ResultState()).versions.append(Recorded.of(entry, body))
            self.result_objects[body.result_object] = key
        elif isinstance(body, Withdrawal):
            for oid in body.withdrawn:
                named = self.result_objects.get(oid)
                if named is not None and self.results[named].withdrawn is None:
                    self.results[named].withdrawn = entry.seq

    # ------------------------------------------------------------ extra inputs
    # A plan's extra inputs are fixed before the beacon: each value in its own entry,
    # strictly before the committed round time (or `draw_after`), once, in the declared
    # format; the draw takes exactly those values in plan order. The rules that need the
    # plan's declarations take them as an argument (writer and verifier both load the plan).

    def check_extra_input(
        self, value: ExtraValue, at: datetime, declared: Sequence[ExtraInput] | None = None
    ) -> list[Violation]:
        """One recorded value: for the live commitment, before its round, once, well formed."""
        task = value.task
        live = self.live_commit(task)
        if live is None:
            return [Violation("extra-uncommitted", task, fatal=True, detail=value.name)]
        if live.seq != value.commit_seq or live.hash != value.commitment:
            return [Violation("extra-commitment", task, fatal=True, seq=live.seq)]
        out = []
        earlier = self.tasks[task].extras.get(value.name)
        if earlier is not None:
            out.append(
                Violation("extra-twice", task, fatal=True, seq=earlier.seq, detail=value.name)
            )
        if at >= live.body.available_at:
            out.append(Violation("extra-late", task, seq=live.seq, detail=value.name))
        if declared is None:
            return out
        spec = next((d for d in declared if d.name == value.name), None)
        if spec is None:
            out.append(Violation("extra-unknown", task, fatal=True, detail=value.name))
            return out
        problem = value_problem(spec, value.value)
        if problem is not None:
            out.append(Violation("extra-format", task, detail=problem))
        drawn_at = spec.drawn_at
        if drawn_at is not None and at < drawn_at:
            out.append(Violation("extra-early", task, detail=value.name))
        return out

    def check_commit_extras(
        self, commit: Commit, at: datetime, declared: Sequence[ExtraInput]
    ) -> list[Violation]:
        """Each lottery is drawn after the commitment and before the committed round."""
        out = []
        for spec in declared:
            problem = lottery_window_problem(spec, at, commit.available_at)
            if problem is not None:
                out.append(Violation("lottery-date", commit.task, detail=problem))
        return out

    def recorded_extra(
        self, task: str, declared: Sequence[ExtraInput]
    ) -> tuple[tuple[tuple[str, str], ...], list[str]]:
        """The recorded values in plan order, and the names of declared inputs without one."""
        state = self.tasks.get(task)
        extras = state.extras if state is not None else {}
        pairs = tuple((d.name, extras[d.name].body.value) for d in declared if d.name in extras)
        return pairs, [d.name for d in declared if d.name not in extras]

    def check_draw_extra(
        self, task: str, extra: Sequence[tuple[str, str]], declared: Sequence[ExtraInput]
    ) -> list[Violation]:
        """The draw's `extra` is exactly the recorded values, in plan order, one each."""
        pairs, missing = self.recorded_extra(task, declared)
        if missing:
            return [Violation("draw-extra-missing", task, detail="、".join(missing))]
        if tuple(extra) != pairs:
            shown = "，".join(f"{n}={v}" for n, v in pairs) or "无"
            return [Violation("draw-extra", task, detail=shown)]
        return []

    def live_commit(self, task: str) -> Recorded[Commit] | None:
        state = self.tasks.get(task)
        return state.commit if state is not None else None

    def due(self, now: datetime) -> list[str]:
        """Tasks with a live commitment whose randomness exists and that are not drawn
        (a sealed task only until its round's beacon is recorded: the rest is the reveal)."""
        return [
            task
            for task, state in sorted(self.tasks.items())
            if state.commit is not None
            and state.draw is None
            and now >= state.commit.body.available_at
            and not (state.sealed and self.round_recorded(state.commit.body))
        ]

    def round_recorded(self, commit: Commit) -> bool:
        """The committed round's beacon is in the ledger (always so for extra-only)."""
        terms = commit.beacon
        if not isinstance(terms, ChainRound):
            return True
        return (terms.chain_hash, terms.round) in self.beacons


def replayed(entries: Iterable[Entry]) -> History:
    hist = History()
    for entry in entries:
        hist.apply(entry)
    return hist


# ---------------------------------------------------------------- no quiet choices
# Rules that stop a bureau from choosing among outcomes without a trace (spec §13.9):
# a commitment whose randomness exists must be drawn; two live commitments may not share a
# plan; a draw that took every eligible enterprise is not counted as random.

WITHHELD_GRACE = timedelta(hours=24)
"""The default grace (spec §13.9); the genesis policy's `withheld_hours` may set another."""


def withheld_grace(hist: History) -> timedelta:
    """The grace in force: the genesis policy's `withheld_hours`, else 24 hours."""
    return hist.genesis.coverage.withheld_grace if hist.genesis is not None else WITHHELD_GRACE


def withheld(hist: History, now: datetime, grace: timedelta | None = None) -> list[TaskState]:
    """Tasks whose live commitment's round (or `draw_after`) passed more than `grace` (the
    policy's, by default) ago without a draw: drawing only the outcomes one likes is
    withholding the rest. A sealed task is withheld once its reveal deadline has passed
    without a reveal, or when its round's beacon was not recorded within the grace."""
    if grace is None:
        grace = withheld_grace(hist)
    past = {id(s) for s in unrevealed(hist, now)}
    return [
        state
        for _task, state in sorted(hist.tasks.items())
        if state.commit is not None
        and state.draw is None
        and (
            id(state) in past
            or (
                now - state.commit.body.available_at > grace
                and not (state.sealed and hist.round_recorded(state.commit.body))
            )
        )
    ]


def unrevealed(hist: History, now: datetime) -> list[TaskState]:
    """Sealed tasks past their reveal deadline without a reveal (docs/spec/18-sealed.md):
    a sealed outcome kept secret for ever is a withheld one."""
    return [
        state
        for _task, state in sorted(hist.tasks.items())
        if state.sealed
        and state.commit is not None
        and state.commit.body.sealed is not None
        and now > state.commit.body.sealed.deadline
    ]


def open_disclosed(state: TaskState, reveal: Reveal, seq: int) -> None:
    """Each disclosure of `reveal` (at `seq`) that opens its sealed void becomes a person
    void recorded where its hash was (docs/spec/18-sealed.md §18.12.5)."""
    _, opened = disclosure_problems(reveal.task, _salted(state), reveal.voids)
    where = {r.seq: r for r in state.sealed_voids}
    for d in opened:
        r = where[d.seq]
        _add_void(state, Recorded(r.seq, r.hash, r.time, d.person_void(reveal.task, seq)))


def _salted(state: TaskState) -> list[tuple[int, str]]:
    return [(r.seq, r.body.salted) for r in state.sealed_voids]


def _add_void(state: TaskState, void: Recorded[PersonVoid]) -> None:
    state.person_voids.append(void)
    slot = state.slot(void.body.team, void.body.person)
    state.slot_voids[slot] = state.slot_voids.get(slot, 0) + 1


def _sealed_violations(commit: Recorded[Commit], at: datetime, draw: Draw) -> list[Violation]:
    """A sealed task is drawn only by its reveal, with the secret whose hash it committed,
    by the deadline fixed then (late: recorded, but a compliance finding)."""
    sealed, task = commit.body.sealed, commit.body.task
    if sealed is None:
        return [Violation("reveal-unsealed", task, fatal=True)] if isinstance(draw, Reveal) else []
    if not isinstance(draw, Reveal):
        return [Violation("draw-sealed", task, fatal=True, seq=commit.seq)]
    if secret_hash(draw.secret) != sealed.secret_hash:
        return [Violation("reveal-secret", task, fatal=True, seq=commit.seq)]
    if at > sealed.deadline:
        return [Violation("reveal-late", task, seq=commit.seq, detail=sealed.reveal_by)]
    return []


def same_plan(
    hist: History, task: str, content: str, content_of: Callable[[Commit], str]
) -> Recorded[Commit] | None:
    """Another task's live (not voided) commitment with the same plan content, if any.

    `content_of` gives a commitment's plan content (the caller reads the plan object:
    this module reads no files). Eight copies of one plan under eight task ids are eight
    chances at the outcome; one live copy is all a bureau needs.
    """
    for other, state in sorted(hist.tasks.items()):
        if other != task and state.commit is not None and content_of(state.commit.body) == content:
            return state.commit
    return None


def drawn_by_chance(state: TaskState, draw: Draw) -> bool:
    """False when the draw took every eligible enterprise: nothing was left to chance.

    Decided from recorded members only (the commitment's `eligible`, the draw's
    `targets`, both re-derived by the verifier), so the writer and the verifier agree.
    """
    eligible = state.commit.body.eligible if state.commit is not None else None
    return eligible is None or len(draw.targets) < eligible
