"""`suiji export`: recorded results in the provincial platform's public-notice columns.

Provincial 双随机 platforms take a result notice as a table with the columns of
`COLUMNS` (../shared reference §2); a clerk uploads or pastes it. Rows come from the
ledger's recorded results — the current version of each (task, enterprise), withdrawn
results left out — never from the results files, so what is exported is what the ledger
proves. Names and plan details come from each task's committed snapshots.

CSV is UTF-8 with a byte order mark (Excel opens it without garbling); .xlsx stores every
cell as text, so credit codes and dates are not reinterpreted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from suiji.draw.derive import ObjectSource
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.ledger.results import results_view
from suiji.model.genesis import Genesis
from suiji.model.results import ResultContent, ResultEntry
from suiji.verify.taskview import TaskView, task_view

COLUMNS: tuple[str, ...] = (
    "计划/任务编号与名称",
    "抽查类型",
    "检查机关",
    "市场主体名称",
    "统一社会信用代码",
    "检查完成日期",
    "检查结果",
    "备注",
)


class Recorded(Protocol):
    """What export reads of one recorded result (`suiji.ledger.results.RecordedResult`)."""

    @property
    def entry(self) -> ResultEntry: ...
    @property
    def content(self) -> ResultContent | None: ...
    @property
    def version(self) -> int: ...


class ResultsSource(Protocol):
    """What export reads of the ledger's results (`suiji.ledger.results.ResultsView`)."""

    def current(self) -> Sequence[Recorded]: ...


def results_of(entries: Iterable[Entry], store: ObjectStore) -> ResultsSource:
    """The ledger's one view of results."""
    return results_view(entries, store)


@dataclass(frozen=True)
class Export:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def export_table(entries: Iterable[Entry], store: ObjectSource, view: ResultsSource) -> Export:
    """One row per current, not withdrawn, result, in the view's (task, uscc) order."""
    entries = list(entries)
    bureau = _bureau(entries)
    tasks: dict[str, TaskView] = {}
    rows = []
    for r in view.current():
        c = r.content
        if c is None:
            continue
        task = r.entry.task
        if task not in tasks:
            tasks[task] = task_view(entries, store, task)
        tv = tasks[task]
        names = {t.id: t.name for t in tv.targets}
        rows.append(
            (
                f"{task} {tv.plan.name}",
                f"{tv.plan.kind}抽查",
                bureau or tv.plan.unit,
                names.get(r.entry.uscc, ""),
                r.entry.uscc,
                c.ended_on.isoformat(),
                "、".join(c.categories),
                remark(c, r.version),
            )
        )
    return Export(COLUMNS, tuple(rows))


def remark(c: ResultContent, version: int) -> str:
    """备注: the penalty decided, and that the result was corrected (with why)."""
    parts = []
    if c.penalty is not None:
        p = c.penalty
        parts.append(f"行政处罚：{p.decision_no}（{p.decided_on.isoformat()}）{p.content}")
    if version > 1:
        why = f"：{c.correction}" if c.correction else ""
        parts.append(f"已更正（第 {version} 版{why}）")
    return "；".join(parts)


def _bureau(entries: list[Entry]) -> str:
    if not entries or entries[0].kind != "genesis":
        return ""
    name = entries[0].typed_as(Genesis).others.get("name")
    return name if isinstance(name, str) else ""


def csv_bytes(table: Export) -> bytes:
    """UTF-8 with BOM, CRLF line ends: what Excel's own "CSV UTF-8" writes."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(path: Path, table: Export) -> None:
    """One worksheet, every cell text (credit codes keep their form)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "抽查检查结果"
    ws.append(list(table.header))
    for row in table.rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            cell.number_format = "@"
    widths: dict[int, Any] = {1: 40, 4: 36, 5: 22, 7: 30, 8: 40}
    from openpyxl.utils import get_column_letter

    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = w
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
