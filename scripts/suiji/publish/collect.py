"""What the site shows, gathered from the ledger, its objects and the committed snapshots.

Pure over (entries, object source, published notice codes, today): no record file, no key,
no clock. Each task is read through `suiji.verify.taskview` — the same code `suiji show`
and `suiji ticket` use, over one replayed history — so a page says what the command says.
The registries shown are the snapshots of the latest commitment (what the ledger proves
was public then), with the change history `suiji verify --json` lists
(`RegistryChecker`, the same function).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Protocol

from suiji.crypto.noticecode import NoticeCodes
from suiji.draw.coverage import CoverageReport, report
from suiji.draw.deadlinestatus import DeadlineReport, deadline_report, disclosure_rule
from suiji.draw.derive import ObjectSource
from suiji.ledger.codec import Entry
from suiji.ledger.drawn import drawn_tasks
from suiji.ledger.history import History, replayed, withheld, withheld_grace
from suiji.ledger.objects import ObjectStore
from suiji.model.results import ResultContent, ResultEntry
from suiji.model.tasks import Commit, CommitVoid
from suiji.records.calendar import YearCalendar
from suiji.records.snapshot import parse_snapshot
from suiji.verify.registry import RegistryChecker
from suiji.verify.taskview import TaskView, TicketView, all_tickets, task_view


class RecordedResultLike(Protocol):
    """What a page needs of one recorded result version (`suiji.ledger.results`)."""

    @property
    def seq(self) -> int: ...
    @property
    def recorded_at(self) -> Any: ...
    @property
    def first_recorded_at(self) -> Any: ...
    @property
    def entry(self) -> ResultEntry: ...
    @property
    def content(self) -> ResultContent | None: ...
    @property
    def version(self) -> int: ...
    @property
    def superseded_by(self) -> int | None: ...
    @property
    def withdrawn_seq(self) -> int | None: ...


class ResultsLike(Protocol):
    def current(self) -> Sequence[RecordedResultLike]: ...
    def versions(self, task: str, uscc: str) -> Sequence[RecordedResultLike]: ...


@dataclass(frozen=True)
class TaskInfo:
    """One task for the site: `suiji show`'s view, every ticket, the commitment's objects."""

    view: TaskView
    commit: Commit
    tickets: tuple[TicketView, ...]
    commit_voids: tuple[tuple[int, CommitVoid], ...]
    notices: NoticeCodes | None = None
    withheld_hours: int | None = None
    """Set when the live commitment is undrawn past the grace (hours): shown as withheld."""
    witnessed: Mapping[str, Any] | None = None
    """Who cosigned the live commitment's checkpoint and when (`verify.witnessed`)."""


@dataclass(frozen=True)
class Registry:
    """A record's latest committed snapshot: rows (alias → value), at which commitment."""

    name: str
    rows: tuple[Mapping[str, Any], ...]
    commit_seq: int
    task: str
    as_of: str
    object: str


@dataclass
class SiteData:
    today: date
    tasks: list[TaskInfo] = field(default_factory=list)
    results: list[RecordedResultLike] = field(default_factory=list)  # current, by (task, uscc)
    versions: dict[tuple[str, str], list[RecordedResultLike]] = field(default_factory=dict)
    registries: dict[str, Registry] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    coverage: CoverageReport | None = None
    deadlines: DeadlineReport | None = None  # with per-unit shares; needs the calendars
    demo: bool = False
    withheld_hours: int = 24  # the grace in force (genesis policy `withheld_hours`)

    def enterprise_names(self) -> dict[str, str]:
        """Names from the latest enterprises snapshot, then from older tasks' views."""
        names: dict[str, str] = {}
        for t in self.tasks:
            for tk in t.tickets:
                if tk.name:
                    names[tk.uscc] = tk.name
        reg = self.registries.get("enterprises")
        for r in reg.rows if reg else ():
            names[str(r["uscc"])] = str(r.get("name") or "")
        return names


class _Memo:
    """An object source that reads each object once (commitments share snapshots)."""

    def __init__(self, store: ObjectSource) -> None:
        self.store = store
        self.seen: dict[str, bytes] = {}

    def get(self, oid: str) -> bytes:
        data = self.seen.get(oid)
        if data is None:
            data = self.seen[oid] = self.store.get(oid)
        return data


def collect(
    entries: Iterable[Entry],
    store: ObjectStore,
    *,
    today: date,
    results: ResultsLike | None = None,
    notices: Mapping[str, NoticeCodes] | None = None,
    now: datetime | None = None,
    witnessed: Mapping[int, Mapping[str, Any]] | None = None,
    calendars: Mapping[int, YearCalendar] | None = None,
    annual_plan: Sequence[Mapping[str, Any]] | None = None,
) -> SiteData:
    """Everything the pages show. `notices`: task → its public notice-code file; `now`
    judges withheld commitments as `suiji verify` does (none are marked without it);
    `calendars` (the working-day calendars) give the deadline report `suiji deadlines
    --by-unit` prints, for the statistics page (none without them); `annual_plan`: the
    bureau's plan rows when no commitment snapshots one (`site.read_annual_plan`)."""
    lines = list(entries)
    hist = replayed(lines)
    late = {s.task for s in withheld(hist, now)} if now is not None else set()
    hours = int(withheld_grace(hist).total_seconds() // 3600)
    memo = _Memo(store)
    data = SiteData(
        today=today, demo=bool(hist.genesis and hist.genesis.demo), withheld_hours=hours
    )
    voids = _commit_voids(lines)
    for task in sorted(hist.tasks):
        state = hist.tasks[task]
        if state.commit is None:
            continue
        notice = (notices or {}).get(task)
        data.tasks.append(
            TaskInfo(
                view=task_view(hist, memo, task),
                commit=state.commit.body,
                tickets=tuple(all_tickets(hist, memo, task)),
                commit_voids=tuple(voids.get(task, ())),
                notices=notice,
                withheld_hours=hours if task in late else None,
                witnessed=(witnessed or {}).get(state.commit.seq),
            )
        )
    checker = RegistryChecker()
    for e in lines:
        checker.check(e, store)
    data.changes = list(checker.changes)
    data.registries = _latest_snapshots(hist, memo)
    if results is not None:
        data.results = sorted(results.current(), key=lambda r: (r.entry.task, r.entry.uscc))
        for r in data.results:
            key = (r.entry.task, r.entry.uscc)
            data.versions[key] = list(results.versions(*key))
    data.coverage = _coverage(hist, data.registries, today, annual_plan)
    if calendars is not None and hist.genesis is not None:
        data.deadlines = deadline_report(
            drawn_tasks(lines, memo),
            data.results,
            calendars,
            today,
            disclosure_rule(hist.genesis.coverage),
            by_unit=True,
        )
    return data


def _commit_voids(lines: Sequence[Entry]) -> dict[str, list[tuple[int, CommitVoid]]]:
    out: dict[str, list[tuple[int, CommitVoid]]] = {}
    for e in lines:
        if isinstance(e.typed, CommitVoid):
            out.setdefault(e.typed.task, []).append((e.seq, e.typed))
    return out


def _latest_snapshots(hist: History, store: ObjectSource) -> dict[str, Registry]:
    """Each record's snapshot as of the latest live commitment (by ledger order)."""
    latest = max(
        (s.commit for s in hist.tasks.values() if s.commit is not None),
        key=lambda c: c.seq,
        default=None,
    )
    if latest is None:
        return {}
    out: dict[str, Registry] = {}
    for name, oid in latest.body.snapshots:
        _, rows = parse_snapshot(store.get(oid))
        out[name] = Registry(
            name, tuple(dict(r) for r in rows), latest.seq, latest.body.task, latest.body.as_of, oid
        )
    return out


def _coverage(
    hist: History,
    regs: Mapping[str, Registry],
    today: date,
    annual_plan: Sequence[Mapping[str, Any]] | None = None,
) -> CoverageReport | None:
    """Coverage as `suiji coverage` computes it, on the committed registry (not the files);
    the annual plan from a committed snapshot if any, else the bureau's plan file."""
    if hist.genesis is None or "enterprises" not in regs:
        return None
    pol = hist.genesis.coverage
    plan = regs.get("annual-plan")
    return report(
        hist.drawn,
        regs["enterprises"].rows,
        plan.rows if plan else (annual_plan or ()),
        today=today,
        yearly_cap=pol.cap,
        min_ratio=Fraction(pol.min_percent, 100),
    )
