"""What the deadlines need from the ledger: drawn tasks and recorded results.

A stop-gap, kept small on purpose: the ledger's drawn-task view (`drawn_tasks`) and results
view (`results_view`) are the real sources and replace these two functions once they exist;
both return values that satisfy the protocols of `suiji.draw.deadlinestatus`. Until then
this module reads the same entries the same way: a task's drawn targets from its `draw`
entry, its unit and window from the committed plan object, and each (task, enterprise)'s
current result along `corrects_seq`, with the day it was first published.

Tolerant by design: the verifier calls it on ledgers it is still judging, so an entry that
does not decode, or an object that is missing, is skipped here — the other checkers report
it. A result without its object (withdrawn) has no content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from suiji.draw.plan import plan_from_json
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import Withdrawal
from suiji.model.fields import EntryError
from suiji.model.results import ResultContent, ResultEntry
from suiji.model.tasks import Commit, CommitVoid, Draw
from suiji.shared.canonical import parse_canonical
from suiji.shared.errors import InputError


@dataclass(frozen=True)
class DeadlineTask:
    """A drawn, live task as the deadlines read it."""

    task: str
    unit: str
    window_end: dt.date
    targets: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True)
class DeadlineResult:
    """The current version of one recorded result, as the deadlines read it."""

    seq: int
    first_recorded_at: dt.datetime
    entry: ResultEntry
    content: ResultContent | None
    withdrawn_seq: int | None


def deadline_tasks(entries: Iterable[Entry], store: ObjectStore) -> dict[str, DeadlineTask]:
    """Every task with a draw, by task id (a commitment void before the draw removes it)."""
    commits: dict[str, Commit] = {}
    out: dict[str, DeadlineTask] = {}
    for entry in entries:
        try:
            body = entry.typed
        except EntryError:
            continue
        if isinstance(body, Commit):
            commits[body.task] = body
        elif isinstance(body, CommitVoid):
            commits.pop(body.task, None)
        elif isinstance(body, Draw) and body.task in commits:
            try:
                plan = plan_from_json(parse_canonical(store.get(commits[body.task].plan_object)))
            except (InputError, ValueError):
                continue
            out[body.task] = DeadlineTask(body.task, plan.unit, plan.window_end, body.targets)
    return out


def deadline_results(entries: Iterable[Entry], store: ObjectStore) -> list[DeadlineResult]:
    """The current result per (task, enterprise), sorted by (task, uscc)."""
    current: dict[tuple[str, str], DeadlineResult] = {}
    first: dict[tuple[str, str], dt.datetime] = {}
    withdrawn_by: dict[str, int] = {}
    for entry in entries:
        try:
            body = entry.typed
        except EntryError:
            continue
        if isinstance(body, Withdrawal):
            for oid in body.withdrawn:
                withdrawn_by.setdefault(oid, entry.seq)
        elif isinstance(body, ResultEntry):
            key = (body.task, body.uscc)
            first.setdefault(key, entry.moment)
            current[key] = DeadlineResult(entry.seq, first[key], body, None, None)
    out: list[DeadlineResult] = []
    for key in sorted(current):
        r = current[key]
        gone = withdrawn_by.get(r.entry.result_object)
        content: ResultContent | None = None
        if gone is None:
            try:
                content = ResultContent.from_json(parse_canonical(store.get(r.entry.result_object)))
            except (InputError, EntryError, ValueError):
                content = None
        out.append(DeadlineResult(r.seq, r.first_recorded_at, r.entry, content, gone))
    return out
