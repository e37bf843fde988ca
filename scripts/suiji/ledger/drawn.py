"""The drawn tasks as the ledger has them: what each recorded result is checked against.

Built from the task lifecycle (`suiji.ledger.history`) and the objects the entries name:
the plan (window, name, kind), the draw-result object (targets, items, teams), the
committed enterprises and inspectors snapshots (names, 检查组), and the recorded person
voids and replacements applied in ledger order. A task whose commitment was voided, or
that is committed but not drawn, is absent: no result can belong to it.

The replacements are taken as recorded: whether each is the one its round decided is the
verifier's replay's business, reported there; a view that re-derived them would fail on
exactly the ledgers that most need their results shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from suiji.draw.derive import ObjectSource
from suiji.draw.plan import plan_from_json
from suiji.draw.resultcheck import DrawnTarget, DrawnTask
from suiji.draw.teamdraw import team_draw_from_json
from suiji.ledger.codec import Entry
from suiji.ledger.history import TaskState, replayed
from suiji.shared.canonical import parse_canonical


def drawn_tasks(entries: Iterable[Entry], store: ObjectSource) -> dict[str, DrawnTask]:
    """Every drawn task with a live commitment, by task id."""
    hist = replayed(entries)
    snapshots: dict[str, list[dict[str, Any]]] = {}
    out: dict[str, DrawnTask] = {}
    for task, state in sorted(hist.tasks.items()):
        if state.commit is None or state.draw is None:
            continue
        out[task] = _task(state, store, snapshots)
    return out


def drawn_task(
    state: TaskState, store: ObjectSource, snapshots: dict[str, list[dict[str, Any]]]
) -> DrawnTask | None:
    """One task as it stands in a history being replayed (None: not drawn, or voided).

    `snapshots` caches parsed snapshot rows across calls: the writer and the verifier
    check many results of the same few tasks.
    """
    if state.commit is None or state.draw is None:
        return None
    return _task(state, store, snapshots)


def _snapshot(
    store: ObjectSource, oid: str, cache: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """A committed snapshot's rows, parsed once per object (tasks usually share them)."""
    if oid not in cache:
        from suiji.records import parse_snapshot

        _header, rows = parse_snapshot(store.get(oid))
        cache[oid] = [dict(r) for r in rows]
    return cache[oid]


def _task(
    state: TaskState, store: ObjectSource, cache: dict[str, list[dict[str, Any]]]
) -> DrawnTask:
    assert state.commit is not None and state.draw is not None
    commit, draw = state.commit.body, state.draw.body
    plan = plan_from_json(parse_canonical(store.get(commit.plan_object)))
    oids = dict(commit.snapshots)
    names = {
        str(r["uscc"]): str(r.get("name") or "")
        for r in _snapshot(store, oids["enterprises"], cache)
    }
    groups = {
        str(r["person_id"]): str(r.get("group") or "")
        for r in _snapshot(store, oids["inspectors"], cache)
    }
    result = parse_canonical(store.get(draw.result_object))
    items = {x["target"]: tuple(x["items"]) for x in result["items"]}
    teams, voided = _teams(result.get("teams"), state)
    team_of: dict[str, str] = {}  # target → the first team (in draw order) visiting it
    for k, (ts, _m) in teams.items():
        for t in ts:
            team_of.setdefault(t, k)
    targets: dict[str, DrawnTarget] = {}
    for uscc in draw.targets:
        key = team_of.get(uscc)
        members = teams[key][1] if key is not None else ()
        targets[uscc] = DrawnTarget(
            uscc=uscc,
            items=items.get(uscc, ()),
            team=tuple(members),
            name=names.get(uscc, ""),
            team_key=key,
            groups=_distinct(groups.get(p, "") for p in members),
            voided=tuple(voided.get(key, ())) if key is not None else (),
        )
    every = _distinct(g for t in targets.values() for g in t.groups)
    return DrawnTask(
        task=state.task,
        unit=commit.unit,
        window_start=plan.window_start,
        window_end=plan.window_end,
        targets=targets,
        group=every[0] if len(every) == 1 else None,
        name=commit.name,
        kind=plan.kind,
        draw_seq=state.draw.seq,
        alternates=tuple(p["id"] for p in result["targets"]["alternates"]),
        teams_error=draw.teams_error,
    )


def _teams(
    raw: object, state: TaskState
) -> tuple[dict[str, tuple[tuple[str, ...], list[str]]], dict[str, list[str]]]:
    """Each team's (targets, members) after the recorded voids, and who was voided per team.

    A replacement takes its voided person's place; a void still waiting for its round
    leaves the place empty. Voids apply in ledger order, so a replacement who is voided in
    turn leaves too.
    """
    if raw is None:
        return {}, {}
    drawn = team_draw_from_json(raw)
    teams = {t.key: (t.targets, [p for _role, p in t.members()]) for t in drawn.teams}
    voided: dict[str, list[str]] = {}
    for i, void in enumerate(state.person_voids):
        rep = state.replacements[i] if i < len(state.replacements) else None
        key, gone = void.body.team, void.body.person
        if key not in teams:
            continue  # the replay reports a void naming no team; nothing to apply here
        members = teams[key][1]
        if rep is None:
            teams[key][1][:] = [p for p in members if p != gone]
        else:
            teams[key][1][:] = [rep.body.replacement if p == gone else p for p in members]
        voided.setdefault(key, []).append(gone)
    return teams, voided


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return tuple(out)
