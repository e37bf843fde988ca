"""Registry history in the open: what changed between committed snapshots, and what may not.

The population a draw starts from is the committed snapshots. A bureau could shape it
quietly between commitments: drop a row, revive a retired one, back-date a retirement, or
flip a draw-relevant value for one task only (a shop marked 关闭, a 重点单位 flag). The
rules (docs/spec/02-records.md §2.9), for every record of a commitment:

* rows never disappear (`registry-dropped`, integrity);
* a retirement is final (`registry-reinstated`, compliance: a reopened shop is a new row);
* a retirement is not dated before an earlier snapshot in which the row was active
  (`registry-backdated`, integrity);
* a draw-relevant value that changes and changes back around a commitment
  (`registry-flip`, compliance, at the commitment that saw the other value).

`compare` is the one pure comparison: the verifier runs it over consecutive commitments,
and `suiji check` and `suiji commit` run it against the last committed snapshot before
anything is written (`suiji.writing.registryguard`). `RegistryChecker` also re-runs the
fairness rules (`suiji.records.fairness`) and lists every change of a draw-relevant
column for `verify --json` (`registry_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import COMMIT
from suiji.model.tasks import Commit
from suiji.records.fairness import row_id, snapshot_problems
from suiji.records.schema import BY_NAME, RecordSchema
from suiji.records.snapshot import parse_snapshot
from suiji.shared.errors import CanonicalError
from suiji.shared.findings import Finding

Rows = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Change:
    """One draw-relevant value that differs between two consecutive snapshots."""

    record: str
    id: str
    column: str
    old: Any
    new: Any
    updated_on: str | None


@dataclass
class Comparison:
    """What a snapshot did to the rows of the one before it."""

    dropped: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    backdated: list[tuple[str, str, str]] = field(default_factory=list)  # id, retired_on, active
    changes: list[Change] = field(default_factory=list)


def is_active(schema: RecordSchema, row: Mapping[str, Any]) -> bool:
    """Active by its 状态 word (a record without 状态, the recusals, is always in force)."""
    return not schema.has_status or row.get("status") == schema.active[0]


def compare(
    record: str,
    before: Rows,
    after: Rows,
    *,
    last_active: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare two snapshots of `record` (rows as parsed). Pure.

    `last_active` maps a row id to the latest `as_of` (YYYY-MM-DD) of a committed snapshot
    in which it was active; without it, rows active in `before` count as active then only
    if the caller put them there.
    """
    schema = BY_NAME[record]
    draw_cols = [c.alias for c in schema.columns if c.draw]
    old = {row_id(schema, r): r for r in before}
    out = Comparison()
    seen: set[str] = set()
    for row in after:
        rid = row_id(schema, row)
        seen.add(rid)
        prev = old.get(rid)
        if prev is None:
            continue
        if schema.has_status and not is_active(schema, prev) and is_active(schema, row):
            out.reinstated.append(rid)
        retired_on = row.get("retired_on")
        active_on = (last_active or {}).get(rid)
        if (
            schema.has_status
            and not is_active(schema, row)
            and isinstance(retired_on, str)
            and active_on is not None
            and retired_on < active_on
        ):
            out.backdated.append((rid, retired_on, active_on))
        if prev == row:
            continue
        updated = row.get("updated_on")
        for alias in draw_cols:
            if prev[alias] != row[alias]:
                out.changes.append(
                    Change(
                        record,
                        rid,
                        alias,
                        prev[alias],
                        row[alias],
                        updated if isinstance(updated, str) else None,
                    )
                )
    out.dropped = sorted(set(old) - seen)
    return out


def _shown(ids: Sequence[str]) -> str:
    return "、".join(ids[:5]) + ("等" if len(ids) > 5 else "")


@dataclass
class _Seen:
    """One record as of the last commitment: its snapshot and when each row was active."""

    oid: str
    rows: list[dict[str, Any]]
    last_active: dict[str, str]


@dataclass(frozen=True)
class _At:
    seq: int
    task: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "task": self.task}


@dataclass
class RegistryChecker:
    """Streams commitments and keeps each record's previous snapshot (bounded by its size)."""

    seen: dict[str, _Seen] = field(default_factory=dict)
    previous: _At | None = None
    last_changes: dict[tuple[str, str, str], tuple[Any, _At]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if entry.kind != COMMIT:
            return []
        body = entry.typed_as(Commit)
        at = _At(entry.seq, body.task)
        as_of = date.fromisoformat(body.as_of).isoformat()
        out: list[Finding] = []
        fresh: dict[str, list[dict[str, Any]]] = {}
        this_changes: dict[tuple[str, str, str], tuple[Any, _At]] = {}
        for name, oid in body.snapshots:
            schema = BY_NAME[name]
            before = self.seen.get(name)
            if before is not None and before.oid == oid:
                rows = before.rows
            else:
                try:
                    _, parsed = parse_snapshot(objects.get(oid))
                except CanonicalError:
                    continue  # the replay reports it at this entry (semantic-unreadable)
                rows = [dict(r) for r in parsed]
                fresh[name] = rows
            if before is not None and before.oid != oid:
                self._compared(entry, at, name, before, rows, out, this_changes)
            last_active = before.last_active if before is not None else {}
            for r in rows:
                if is_active(schema, r):
                    last_active[row_id(schema, r)] = as_of
            self.seen[name] = _Seen(oid, rows, last_active)
        for p in snapshot_problems(fresh):
            out.append(
                Finding(
                    entry.seq,
                    p.tag,
                    p.code,
                    f"{BY_NAME[p.record].title} {p.row}（{p.column}）：{p.message}",
                )
            )
        self.last_changes = this_changes
        self.previous = at
        return out

    def _compared(
        self,
        entry: Entry,
        at: _At,
        name: str,
        before: _Seen,
        rows: list[dict[str, Any]],
        out: list[Finding],
        this_changes: dict[tuple[str, str, str], tuple[Any, _At]],
    ) -> None:
        title = BY_NAME[name].title
        held = f"条目 #{self.previous.seq}" if self.previous else "上一承诺"
        c = compare(name, before.rows, rows, last_active=before.last_active)
        if c.dropped:
            out.append(
                Finding(
                    entry.seq,
                    "integrity",
                    "registry-dropped",
                    f"{title}快照删除了 {len(c.dropped)} 行（{held} 的快照中有）：{_shown(c.dropped)}；"
                    "行不得删除，退出应填写状态与退出日期",
                )
            )
        if c.reinstated:
            out.append(
                Finding(
                    entry.seq,
                    "compliance",
                    "registry-reinstated",
                    f"{title}中已退出的行又恢复为在用：{_shown(c.reinstated)}（退出是最终的，重新开业应作为新行登记）",
                )
            )
        for rid, retired_on, active_on in c.backdated:
            out.append(
                Finding(
                    entry.seq,
                    "integrity",
                    "registry-backdated",
                    f"{title} {rid} 的退出日期 {retired_on} 早于此前一次承诺快照（{active_on}）中它仍在用的日期",
                )
            )
        for ch in c.changes:
            key = (name, ch.id, ch.column)
            earlier = self.last_changes.get(key)
            if earlier is not None and earlier[0] == ch.new and self.previous is not None:
                out.append(
                    Finding(
                        self.previous.seq,
                        "compliance",
                        "registry-flip",
                        f"{title} {ch.id} 的 {ch.column} 只在此承诺（任务 {self.previous.task}）"
                        f"中为 {ch.old!r}，前后两次承诺均为 {ch.new!r}",
                    )
                )
            this_changes[key] = (ch.old, at)
            self.changes.append(
                {
                    "record": name,
                    "id": ch.id,
                    "column": ch.column,
                    "old": ch.old,
                    "new": ch.new,
                    "updated_on": ch.updated_on,
                    "before": self.previous.to_json() if self.previous else None,
                    "after": at.to_json(),
                }
            )

    def finish(self) -> Iterable[Finding]:
        return []

    def report_data(self) -> dict[str, Any]:
        """For `verify --json`: every draw-relevant change between consecutive commitments."""
        return {"registry_changes": self.changes}
