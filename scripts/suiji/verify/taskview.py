"""One task as a person reads it: names, items, teams and voids from the committed objects.

Read-only and pure over the ledger's entries and its objects (no key, no records files): a
drawn enterprise's name comes from the committed enterprises snapshot, an item's title and
legal basis from the committed checklist snapshot, a person's name from the committed
inspectors and experts snapshots. So what `suiji show` prints is what the ledger proves,
not what today's (possibly edited) record files say. The words are the CLI's
(`suiji.cli.render`); this module only gathers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from suiji.draw.derive import Committed, ObjectSource, load_committed
from suiji.draw.eligibility import enterprise_active
from suiji.draw.plan import Count, Plan
from suiji.draw.population import eligible
from suiji.draw.sampler import order, ticket
from suiji.draw.teamdraw import team_draw_from_json
from suiji.ledger.codec import Entry
from suiji.ledger.history import History, Recorded, TaskState, replayed
from suiji.model.tasks import BeaconTerms, Commit
from suiji.records.schema import ENTERPRISES
from suiji.shared.canonical import parse_canonical
from suiji.shared.errors import InputError
from suiji.shared.text import id_key


class TaskUnknown(InputError):
    """The ledger has no commitment for the task asked about."""

    code = "task-unknown"


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    legal_basis: str


@dataclass(frozen=True)
class Target:
    """A drawn (or alternate) enterprise: id, name from the snapshot, ticket, its items."""

    id: str
    name: str
    ticket: str
    stratum: str | None
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str  # leader | officer | group-officer | accompany | expert


@dataclass(frozen=True)
class Team:
    key: str
    targets: tuple[tuple[str, str], ...]  # (uscc, name)
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Void:
    """A drawn person's void, with the replacement once its round decided one."""

    seq: int
    time: datetime
    team: str
    person: str
    person_name: str
    role: str
    reason: str
    round: int
    round_time: datetime
    replacement: str | None
    replacement_name: str | None
    replace_seq: int | None


@dataclass(frozen=True)
class TaskView:
    """Everything `suiji show` prints about a task; times are UTC datetimes (the CLI
    converts them to Beijing time)."""

    task: str
    plan: Plan
    commit_seq: int
    committed_at: datetime
    beacon: BeaconTerms
    eligible: int
    excluded: tuple[tuple[str, str, str], ...]  # (uscc, name, reason)
    extras: tuple[tuple[str, str], ...]  # recorded extra inputs (name, value)
    draw_seq: int | None = None
    drawn_at: datetime | None = None
    randomness: str | None = None
    seed: str | None = None
    targets: tuple[Target, ...] = ()
    alternates: tuple[Target, ...] = ()
    teams: tuple[Team, ...] = ()
    teams_error: str | None = None
    voids: tuple[Void, ...] = ()
    sealed_until: datetime | None = None  # a sealed task's reveal deadline (spec 18)


def _state(entries: Iterable[Entry] | History, task: str) -> tuple[TaskState, History]:
    """The task's state in a replayed history (replayed here from entries if not given)."""
    hist = entries if isinstance(entries, History) else replayed(entries)
    state = hist.tasks.get(task)
    if state is None or state.commit is None:
        known = "、".join(sorted(t for t, s in hist.tasks.items() if s.commit)) or "无"
        raise TaskUnknown(
            f"账本中没有任务 {task} 的有效承诺（已承诺的任务：{known}）；请检查任务编号"
        )
    return state, hist


def _names(rows: Sequence[Mapping[str, Any]], key: str) -> dict[str, str]:
    return {str(r[key]): str(r.get("name") or "") for r in rows}


def task_view(entries: Iterable[Entry] | History, store: ObjectSource, task: str) -> TaskView:
    """The task's live commitment and, once drawn, its result with every name filled in.

    `entries` may be an already replayed `History` (the site builder replays once for all
    tasks)."""
    state, hist = _state(entries, task)
    commit: Recorded[Commit] = state.commit  # type: ignore[assignment]
    committed = load_committed(store, commit.body)
    enterprises = _names(committed.rows["enterprises"], "uscc")
    people = {
        **_names(committed.rows["experts"], "expert_id"),
        **_names(committed.rows["inspectors"], "person_id"),
    }
    view = TaskView(
        task=task,
        plan=committed.plan,
        commit_seq=commit.seq,
        committed_at=commit.moment,
        beacon=commit.body.beacon,
        eligible=commit.body.eligible,
        excluded=tuple(
            (u, enterprises.get(u, ""), why) for u, why in committed.population.excluded
        ),
        extras=tuple((n, r.body.value) for n, r in state.extras.items()),
        sealed_until=commit.body.sealed.deadline if commit.body.sealed else None,
    )
    if state.draw is None:
        return view
    draw = state.draw
    result = parse_canonical(store.get(draw.body.result_object))
    items = _items(committed.rows["checklist"])
    item_ids = {x["target"]: x["items"] for x in result["items"]}

    def target(p: Mapping[str, Any], with_items: bool) -> Target:
        chosen = tuple(items[i] for i in item_ids.get(p["id"], [])) if with_items else ()
        return Target(p["id"], enterprises.get(p["id"], ""), p["ticket"], p["stratum"], chosen)

    seq = draw.body.beacon_seq
    beacon = hist.beacons_by_seq.get(seq) if seq is not None else None
    voids = _voids(state, people)
    return replace(
        view,
        extras=tuple((e.name, e.value) for e in draw.body.extra) or view.extras,
        draw_seq=draw.seq,
        drawn_at=draw.moment,
        randomness=beacon.body.randomness if beacon is not None else None,
        seed=draw.body.seed,
        targets=tuple(target(p, True) for p in result["targets"]["selected"]),
        alternates=tuple(target(p, False) for p in result["targets"]["alternates"]),
        teams=_teams(result.get("teams"), voids, enterprises, people),
        teams_error=draw.body.teams_error,
        voids=voids,
    )


def _items(checklist: Sequence[Mapping[str, Any]]) -> dict[str, Item]:
    return {
        str(r["item_id"]): Item(
            str(r["item_id"]), str(r.get("title") or ""), str(r.get("legal_basis") or "")
        )
        for r in checklist
    }


def _voids(state: TaskState, people: Mapping[str, str]) -> tuple[Void, ...]:
    out = []
    for i, v in enumerate(state.person_voids):
        rep = state.replacements[i] if i < len(state.replacements) else None
        b = v.body
        out.append(
            Void(
                seq=v.seq,
                time=v.moment,
                team=b.team,
                person=b.person,
                person_name=people.get(b.person, ""),
                role=b.role,
                reason=b.reason,
                round=b.beacon.round,
                round_time=b.beacon.available_at,
                replacement=rep.body.replacement if rep else None,
                replacement_name=people.get(rep.body.replacement, "") if rep else None,
                replace_seq=rep.seq if rep else None,
            )
        )
    return tuple(out)


def _teams(
    raw: object,
    voids: Sequence[Void],
    enterprises: Mapping[str, str],
    people: Mapping[str, str],
) -> tuple[Team, ...]:
    """The teams as they stand: each recorded replacement takes its voided person's place."""
    if raw is None:
        return ()
    drawn = team_draw_from_json(raw)
    swaps = [(v.team, v.person, v.replacement, v.role) for v in voids if v.replacement]
    out = []
    for t in drawn.teams:
        members: list[tuple[str, str]] = []
        if t.leader is not None:
            members.append((t.leader, "leader"))
        members += [
            (o.person, "group-officer" if o.group_officer else "officer") for o in t.officers
        ]
        members += [(p, "accompany") for p in t.accompany]
        members += [(p, "expert") for p in t.experts]
        for team, gone, new, role in swaps:  # a replacement holds the slot, in the void's role
            if team == t.key:
                members = [(new, role) if p == gone else (p, r) for p, r in members]
        out.append(
            Team(
                t.key,
                tuple((u, enterprises.get(u, "")) for u in t.targets),
                tuple(Member(p, people.get(p, ""), r) for p, r in members),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- one enterprise's ticket


@dataclass(frozen=True)
class TicketView:
    """One enterprise in one task: whether it could be drawn, why, and where it ranked.

    `status`: drawn | alternate | not-drawn (eligible), excluded, filtered, retired,
    unlisted (not in the committed registry). `ticket` and `rank` need the draw's seed;
    `rank` counts within the enterprise's stratum (1 = lowest ticket).
    """

    task: str
    uscc: str
    name: str
    status: str
    reason: str  # the exclusion reason, or the plan filter that left it out
    stratum: str | None
    seed: str | None
    ticket: str | None
    rank: int | None
    of: int | None


def ticket_view(
    entries: Iterable[Entry] | History, store: ObjectSource, task: str, code: str
) -> TicketView:
    """Why `code` was or was not eligible in `task`, and its ticket and rank once drawn."""
    state, _ = _state(entries, task)
    commit: Recorded[Commit] = state.commit  # type: ignore[assignment]
    committed = load_committed(store, commit.body)
    uscc = id_key(code)
    row = next((r for r in committed.rows["enterprises"] if str(r["uscc"]) == uscc), None)
    seed = state.draw.body.seed if state.draw is not None else None
    pop = committed.population
    member = next((m for m in pop.members if m.id == uscc), None)
    status, reason = _eligibility(committed, row, uscc)
    rank = of = None
    if member is not None and seed is not None:
        group = [m.id for m in pop.members if m.stratum == member.stratum]
        rank, of = order(group, seed).index(uscc) + 1, len(group)
        if uscc in state.draw.body.targets:  # type: ignore[union-attr]
            status = "drawn"
        else:
            result = parse_canonical(store.get(state.draw.body.result_object))  # type: ignore[union-attr]
            spare = {p["id"] for p in result["targets"]["alternates"]}
            status = "alternate" if uscc in spare else "not-drawn"
    return TicketView(
        task=task,
        uscc=uscc,
        name=str(row.get("name") or "") if row else "",
        status=status,
        reason=reason,
        stratum=member.stratum if member else None,
        seed=seed,
        ticket=ticket(seed, uscc) if seed is not None else None,
        rank=rank,
        of=of,
    )


def all_tickets(
    entries: Iterable[Entry] | History, store: ObjectSource, task: str
) -> list[TicketView]:
    """`ticket_view` for every enterprise of the committed population and every excluded
    one, in one pass: each stratum is ordered once (not once per enterprise).

    Sorted by status group (members first, by stratum and rank; then the excluded by id).
    """
    state, _ = _state(entries, task)
    commit: Recorded[Commit] = state.commit  # type: ignore[assignment]
    committed = load_committed(store, commit.body)
    names = _names(committed.rows["enterprises"], "uscc")
    pop = committed.population
    draw = state.draw
    seed = draw.body.seed if draw is not None else None
    drawn: set[str] = set(draw.body.targets) if draw is not None else set()
    spare: set[str] = set()
    if draw is not None:
        result = parse_canonical(store.get(draw.body.result_object))
        spare = {p["id"] for p in result["targets"]["alternates"]}
    strata: dict[str | None, list[str]] = {}
    for m in pop.members:
        strata.setdefault(m.stratum, []).append(m.id)
    out: list[TicketView] = []
    for stratum in sorted(strata, key=lambda s: s or ""):
        ids = strata[stratum]
        ranked = order(ids, seed) if seed is not None else sorted(ids)
        for i, uscc in enumerate(ranked, 1):
            if seed is None:
                status = "eligible"
            else:
                status = "drawn" if uscc in drawn else "alternate" if uscc in spare else "not-drawn"
            out.append(
                TicketView(
                    task=task,
                    uscc=uscc,
                    name=names.get(uscc, ""),
                    status=status,
                    reason="",
                    stratum=stratum,
                    seed=seed,
                    ticket=ticket(seed, uscc) if seed is not None else None,
                    rank=i if seed is not None else None,
                    of=len(ids) if seed is not None else None,
                )
            )
    for uscc, why in sorted(pop.excluded):
        out.append(
            TicketView(
                task=task,
                uscc=uscc,
                name=names.get(uscc, ""),
                status="excluded",
                reason=why,
                stratum=None,
                seed=seed,
                ticket=ticket(seed, uscc) if seed is not None else None,
                rank=None,
                of=None,
            )
        )
    return out


def _eligibility(committed: Committed, row: Mapping[str, Any] | None, uscc: str) -> tuple[str, str]:
    """(status, reason) before the draw, by the same rule that built the population."""
    pop = committed.population
    if any(m.id == uscc for m in pop.members):
        return "eligible", ""
    for u, why in pop.excluded:
        if u == uscc:
            return "excluded", why
    if row is None:
        return "unlisted", ""
    if not enterprise_active(row, pop.as_of):
        return "retired", ""
    plan = committed.plan
    for key, allowed in plan.filters:
        alone = replace(plan, filters=((key, allowed),), size=Count(1))
        if not eligible(alone, [row], as_of=pop.as_of).members:
            shown = "、".join(_cell(a) for a in allowed)
            header = ENTERPRISES.column(key).header
            return "filtered", f"{header}为“{_cell(row.get(key))}”，方案只抽 {shown}"
    return "filtered", f"所在分层“{row.get(plan.strata_by or '')}”不在方案的分层配额之中"


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "是" if value else "否"
    return str(value)
