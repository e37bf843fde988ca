"""Before anything is committed: the records against the last committed snapshots.

`suiji check` and `suiji commit` refuse a deleted row, an un-retired row or a retirement
dated before the last snapshot in which the row was active, naming the row and the
commitment that holds it (docs/spec/02-records.md §2.9). The comparison itself is the
verifier's (`suiji.verify.registry.compare`), so the clerk is stopped by the very rule
that would otherwise fail `verify` for good. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.ledger.reading import read_entries
from suiji.model.entries import COMMIT
from suiji.model.tasks import Commit
from suiji.records.fairness import row_id
from suiji.records.schema import BY_NAME
from suiji.records.snapshot import parse_snapshot
from suiji.shared.errors import Refusal
from suiji.verify.plancheck import unit_known
from suiji.verify.registry import compare, is_active

_HINT = "改正记录后运行 suiji check 复查"


def last_commitment(root: Path) -> Entry | None:
    """The ledger's last `commit` entry (voided or not: its snapshots were committed)."""
    if not (ledger_dir(root) / LEDGER_FILE).is_file():
        return None
    last: Entry | None = None
    for entry in read_entries(root):
        if entry.kind == COMMIT:
            last = entry
    return last


def refuse_regressions(root: Path, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Raise Refusal if `rows` (by record) delete, revive or back-date a committed row."""
    entry = last_commitment(root)
    if entry is None:
        return
    body = entry.typed_as(Commit)
    store = ObjectStore(root)
    held = f"条目 #{entry.seq}（任务 {body.task} 的承诺，{body.as_of}）"
    for name, oid in body.snapshots:
        if name not in rows:
            continue
        schema = BY_NAME[name]
        _, before = parse_snapshot(store.get(oid))
        active = {row_id(schema, r): body.as_of for r in before if is_active(schema, r)}
        c = compare(name, before, rows[name], last_active=active)
        if c.dropped:
            raise Refusal(
                f"{schema.title}删除了 {c.dropped[0]}"
                f"{f' 等 {len(c.dropped)} 行' if len(c.dropped) > 1 else ''}，"
                f"它在{held}的快照中：行不得删除，退出请保留该行并填写状态、退出日期和退出原因；{_HINT}",
                code="registry-row-deleted",
            )
        if c.reinstated:
            raise Refusal(
                f"{schema.title}中 {c.reinstated[0]} 在{held}的快照中已退出，现又改为在用："
                f"退出是最终的，重新开业请作为新行登记；{_HINT}",
                code="registry-reinstated",
            )
        if c.backdated:
            rid, retired_on, active_on = c.backdated[0]
            raise Refusal(
                f"{schema.title}中 {rid} 的退出日期 {retired_on} 早于{held}，"
                f"而该快照（{active_on}）中它仍在用：退出日期请填写登记退出的当天或之后；{_HINT}",
                code="registry-backdated",
            )


def refuse_unknown_unit(unit: str, inspectors: Sequence[Mapping[str, Any]], plan: str) -> None:
    """A plan's unit must be a 所在股室 of the inspector registry being committed."""
    if not unit_known(unit, inspectors):
        raise Refusal(
            f"{plan}: 执法单位 unit「{unit}」不是执法检查人员名录库中的所在股室："
            "请改正计划的 unit，或在名录库中登记该股室的人员后运行 suiji check",
            code="plan-unit-unknown",
        )
