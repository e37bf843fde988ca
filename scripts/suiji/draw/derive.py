"""Derivations the writer and the verifier share: same rules, same bytes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from suiji.beacon.chain import Chain, first_round_after, round_time
from suiji.draw.coverage import DrawnTask, exclusions
from suiji.draw.items import draw_items_for_targets
from suiji.draw.plan import Plan, plan_from_json, plan_to_json
from suiji.draw.population import Population, eligible, population_from_json
from suiji.draw.rows import Row
from suiji.draw.seed import derive_seed
from suiji.draw.targets import draw_targets, target_draw_to_json
from suiji.draw.teamdraw import (
    TeamDraw,
    TeamInfeasible,
    VoidError,
    team_draw_from_json,
    team_draw_to_json,
)
from suiji.draw.teams import apply_void, draw_teams, replacement_seed
from suiji.model.tasks import (
    SNAPSHOT_RECORDS,
    BeaconRound,
    BeaconTerms,
    ChainRound,
    Commit,
    ExtraOnly,
    PersonVoid,
)
from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.errors import InputError
from suiji.shared.times import format_time

DRAW_RECORDS = SNAPSHOT_RECORDS
RESULT_SCHEMA = "suiji/draw-result/v1"


def beacon_terms(chain: Chain | None, committed_at: datetime, delay: int) -> BeaconTerms:
    """The commitment's `beacon` member: which future value seeds the draw, and from when.

    With a chain: the first round strictly after commitment + delay. Without one (the bureau
    draws from typed-in public inputs only), no draw before commitment + delay.
    """
    if chain is None:
        return ExtraOnly(format_time(committed_at + _seconds(delay)))
    rnd = committed_round(chain, committed_at, delay)
    return ChainRound(
        chain=chain.name,
        chain_hash=chain.chain_hash,
        round=rnd,
        round_time=format_time(utc_from_unix(round_time(chain, rnd))),
    )


def _seconds(n: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=n)


def committed_round(chain: Chain, committed_at: datetime, delay: int) -> int:
    """The first round strictly after the commitment time (whole seconds) plus the delay."""
    return first_round_after(chain, int(committed_at.timestamp()) + delay)


def derive_population(
    plan: Plan,
    enterprises: Sequence[Mapping[str, Any]],
    *,
    as_of: date,
    drawn: Sequence[DrawnTask],
    yearly_cap: int,
) -> Population:
    """The eligible population at the commitment, exclusions included."""
    excluded = exclusions(
        drawn,
        year=plan.year,
        yearly_cap=yearly_cap,
        exclude_drawn_this_year=plan.exclude_drawn_this_year,
    )
    return eligible(plan, enterprises, as_of=as_of, exclude=excluded)


class ObjectSource(Protocol):
    """Where committed objects come from: the ledger's object store, or a published copy."""

    def get(self, oid: str) -> bytes: ...


@dataclass(frozen=True)
class Committed:
    """A commitment's inputs, rebuilt from its objects."""

    plan: Plan
    rows: Mapping[str, list[dict[str, Any]]]
    population: Population


def load_committed(store: ObjectSource, commit: Commit) -> Committed:
    """Rebuild plan, record rows and population from the objects a commitment names."""
    from suiji.records import parse_snapshot

    plan = plan_from_json(parse_canonical(store.get(commit.plan_object)))
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, oid in commit.snapshots:
        header, recs = parse_snapshot(store.get(oid))
        if header.get("record") != name:
            raise InputError(f"快照 {name} 的记录类型不符：{header.get('record')!r}")
        rows[name] = [dict(r) for r in recs]
    population = population_from_json(parse_canonical(store.get(commit.population_object)))
    return Committed(plan, rows, population)


def derive_result(committed: Committed, *, seed: str) -> dict[str, Any]:
    """Targets, items and teams for a seed: the draw object, canonical-JSON ready.

    A team rule that cannot be met is part of the result (`teams_error`), not a refusal:
    the seed is public by then, and hiding a failed draw is exactly what suiji prevents.
    """
    plan = committed.plan
    targets = draw_targets(plan, committed.population, seed)
    items = draw_items_for_targets(plan, committed.population, targets, committed.rows["checklist"])
    by_id = {str(r["uscc"]): r for r in committed.rows["enterprises"]}
    result: dict[str, Any] = {
        "schema": RESULT_SCHEMA,
        "targets": target_draw_to_json(targets),
        "items": [{"target": t, "items": list(items[t])} for t in targets.ids],
        "teams": None,
        "teams_error": None,
    }
    try:
        team_draw = draw_teams(
            seed=seed,
            targets=[by_id[t] for t in targets.ids],
            inspectors=committed.rows["inspectors"],
            experts=committed.rows["experts"],
            recusals=committed.rows["recusals"],
            rules=plan.team,
            window_start=plan.window_start,
            window_end=plan.window_end,
        )
        result["teams"] = team_draw_to_json(team_draw)
    except TeamInfeasible as exc:
        result["teams_error"] = {"team": exc.team, "rule": exc.rule, "message": str(exc)}
    return result


# ---------------------------------------------------------------- person voids

VOID_DELAY_SECONDS = 60
"""A person void's round is the first strictly after the void's time plus this delay."""


def void_round(chain: Chain, voided_at: datetime) -> ChainRound:
    """The round whose randomness decides a person void's replacement (spec §13.5).

    Strictly after the void's time (whole seconds) plus VOID_DELAY_SECONDS: the void is
    signed and appended while that round is still in the future.
    """
    rnd = first_round_after(chain, int(voided_at.timestamp()) + VOID_DELAY_SECONDS)
    return ChainRound(
        chain=chain.name,
        chain_hash=chain.chain_hash,
        round=rnd,
        round_time=format_time(utc_from_unix(round_time(chain, rnd))),
    )


@dataclass(frozen=True)
class AppliedVoid:
    """A person void together with the ticket seed its later round gave it."""

    team: str
    person: str
    reason: str
    ticket_seed: str


def applied_void(void: PersonVoid, void_hash: str, seed: str, randomness: str) -> AppliedVoid:
    """A recorded void with its replacement seed (task seed, void entry hash, round value)."""
    return AppliedVoid(
        void.team, void.person, void.reason, replacement_seed(seed, void_hash, randomness)
    )


def derive_void(
    committed: Committed,
    result: Mapping[str, Any],
    voids: Iterable[AppliedVoid],
    *,
    seed: str,
    start: TeamDraw | None = None,
    targets: Sequence[Row] | None = None,
) -> TeamDraw:
    """The teams after applying replaced person voids in ledger order.

    Applying voids is a fold: `start` (the teams after the earlier voids, as this function
    returned them) and `voids` (only the later ones) give what all the voids from the draw
    would, so a replay carries its state forward instead of redoing every earlier void
    (linear, not quadratic, in the number of voids). `targets` are `target_rows(...)`,
    computed once per task by a caller applying many voids.
    """
    if start is None:
        if result.get("teams") is None:
            raise VoidError("该任务的检查组未能组成，没有可替换的人员")
        start = team_draw_from_json(result["teams"])
    current = start
    plan = committed.plan
    for void in voids:
        if targets is None:
            targets = target_rows(committed, result)
        current = apply_void(
            current,
            team=void.team,
            person=void.person,
            reason=void.reason,
            seed=seed,
            targets=targets,
            inspectors=committed.rows["inspectors"],
            experts=committed.rows["experts"],
            recusals=committed.rows["recusals"],
            window_start=plan.window_start,
            window_end=plan.window_end,
            ticket_seed=void.ticket_seed,
        )
    return current


def target_rows(committed: Committed, result: Mapping[str, Any]) -> list[Row]:
    """The committed registry rows of the drawn targets, in draw order."""
    wanted = {p["id"] for p in result["targets"]["selected"]}
    by_id = {str(r["uscc"]): r for r in committed.rows["enterprises"] if str(r["uscc"]) in wanted}
    return [by_id[p["id"]] for p in result["targets"]["selected"]]


def seed_for(
    task: str,
    commitment: str,
    beacon: BeaconRound | None,
    extra: Sequence[tuple[str, str]],
) -> str:
    """The task's seed; without a beacon (extra-only ledgers) from the extra inputs alone."""
    return derive_seed(
        task_id=task,
        commitment=commitment,
        chain_hash=beacon.chain_hash if beacon else None,
        round=beacon.round if beacon else None,
        randomness=beacon.randomness if beacon else None,
        extra=extra,
    )


# ---------------------------------------------------------------- plan content

PLAN_CONTENT_TAG = "suiji/plan-content/v1"
_NOT_CONTENT = ("task_id", "name", "note", "seed_extra", "sealed")  # sealed: only the seed


def plan_content(plan: Plan) -> str:
    """What a plan draws, apart from its labels: two live commitments may not share it.

    `tagged_hex("suiji/plan-content/v1", canonical_json(plan object without task_id, name,
    note, seed_extra))` (spec §13.9): a task id, a title, a remark or another lottery issue
    changes who is drawn only through the seed, so copies that differ only there are the
    same plan committed twice — more tickets for the bureau, not another inspection.
    """
    body = {k: v for k, v in plan_to_json(plan).items() if k not in _NOT_CONTENT}
    return tagged_hex(PLAN_CONTENT_TAG, canonical_json(body))


# ---------------------------------------------------------------- helpers


def utc_from_unix(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)
