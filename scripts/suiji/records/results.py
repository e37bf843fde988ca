"""Inspection results (content/records/results/): reading and the checks that need only the files.

Results are optional — a bureau has none before its first inspection — and are not one of
the six draw records: no snapshot, never an input of a draw. Each file in the folder is
read by the same importer with the same located errors as the registries (io.py,
structure.py, columns.py, privacy.py); one row is one enterprise inspected in one task.

What is checked here needs only the files themselves: required columns, dates and their
order, the category vocabulary, the item-finding syntax, one row per task and enterprise,
credit codes, personal data in free text. Whether the task, the enterprise, the team and
the items are those of a draw needs the ledger and is checked where the ledger is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from suiji.shared.errors import Location

from .cells import FINDINGS_HINT
from .io import RawTable, ReadFailure, file_label, read_table
from .model import LoadedRecord
from .problems import RecordProblem
from .schema import INSPECTED_CATEGORIES, NO_PROBLEM, RECORD_NAMES, RESULTS
from .sheet import Collector, Sheet
from .structure import drop_empty_rows, map_columns, parse_columns
from .validate import file_rules

RESULTS_DIR = "results"
FORMATS = (".csv", ".xlsx")

DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("started_on", "ended_on", "result.ended_before_start"),
    ("ended_on", "reported_on", "result.report_before_end"),
    ("reported_on", "feedback_on", "result.feedback_before_report"),
    ("started_on", "rectified_on", "result.rectified_before_start"),
    ("started_on", "rectify_by", "result.rectify_by_before_start"),
    ("started_on", "decided_on", "result.decided_before_start"),
)
"""(earlier, later, code): the later date may equal the earlier one, never precede it."""

PENALTY = ("decision_no", "decided_on", "penalty")
"""查处结果: a decision is written in full (文号, 日期, 内容) or not at all."""


@dataclass(frozen=True)
class ResultFiles:
    """The results folder as `suiji check` sees it: each file read, and every problem."""

    records: tuple[LoadedRecord, ...]
    problems: tuple[RecordProblem, ...]


def find_results(results_dir: Path) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """The .csv/.xlsx files of the folder (sorted by name) and the files it cannot read.

    An absent folder is no problem: results are optional. Lock files (~$…) and hidden
    files are skipped; an old .xls is an error; other files (README) are not records.
    """
    if not results_dir.is_dir():
        return [], []
    files: list[Path] = []
    bad: list[tuple[Path, str, str]] = []
    for path in sorted(results_dir.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        suffix = path.suffix.lower()
        if suffix in FORMATS:
            files.append(path)
        elif suffix == ".xls":
            bad.append(
                (
                    path,
                    "file.xls",
                    "不能读取旧版 .xls 文件：请在 Excel 中“另存为” Excel 工作簿（.xlsx）或 CSV UTF-8",
                )
            )
    return files, bad


def check_results(records_dir: Path, labels: Path | None) -> ResultFiles:
    """Read and check every results file under `records_dir/results/` (reads only).

    Problems are sorted by file (in file-name order, after the six records), row, column.
    """
    out = Collector()
    files, bad = find_results(records_dir / RESULTS_DIR)
    names = sorted([p.name for p in files] + [p.name for p, _, _ in bad])
    order = {name: len(RECORD_NAMES) + k for k, name in enumerate(names)}
    for path, code, message in bad:
        out.add(
            (order[path.name], 0, -1),
            RecordProblem(Location(file_label(path, labels)), "error", code, message),
        )
    raws: list[RawTable] = []
    for path in files:
        try:
            raws.append(read_table(path, file_label(path, labels), RESULTS))
        except ReadFailure as failure:
            out.add(
                (order[path.name], 0, -1),
                RecordProblem(failure.location, "error", "file.unreadable", failure.message),
            )
    records = validate_results(raws, out, [order[r.path.name] for r in raws])
    return ResultFiles(records=records, problems=tuple(out.sorted()))


def validate_results(
    raws: Sequence[RawTable], out: Collector, orders: Sequence[int]
) -> tuple[LoadedRecord, ...]:
    """Validate each results file into `out`; across files, one row per task and enterprise.

    `orders[k]` sorts the problems of `raws[k]` among the others (see `Collector`).
    """
    sheets: list[Sheet] = []
    for raw, order in zip(raws, orders, strict=True):
        sheet = Sheet(raw, RESULTS, out)
        sheet.order = order
        file_rules(sheet)
        map_columns(sheet)
        drop_empty_rows(sheet)
        parse_columns(sheet)
        _row_rules(sheet)
        sheets.append(sheet)
    _duplicates(sheets)
    return tuple(
        LoadedRecord(
            schema=RESULTS,
            path=s.raw.path,
            label=s.raw.label,
            encoding=s.raw.encoding,
            values=s.values,
            excel_rows=s.excel_rows,
            active=np.ones(s.n, dtype=bool),
        )
        for s in sheets
    )


def _row_rules(sheet: Sheet) -> None:
    v = sheet.values
    for earlier, later, code in DATE_ORDER:
        a, b = v[earlier], v[later]
        for i in range(sheet.n):
            if a[i] is not None and b[i] is not None and b[i] < a[i]:
                sheet.add(
                    i,
                    later,
                    "error",
                    code,
                    f"{sheet.header(later)} {b[i]} 早于{sheet.header(earlier)} {a[i]}："
                    f"日期顺序应为 检查开始 ≤ 检查结束 ≤ 检查报告 ≤ 反馈，"
                    f"整改和处罚不早于检查开始，请核对",
                )
    filled = {
        a: ~sheet.blank[a] if a in sheet.blank else np.array([bool(x) for x in v[a]], dtype=bool)
        for a in PENALTY
    }
    for i in range(sheet.n):
        have = [a for a in PENALTY if filled[a][i]]
        if have and len(have) < len(PENALTY):
            missing = [a for a in PENALTY if a not in have]
            sheet.add(
                i,
                missing[0],
                "error",
                "result.penalty_incomplete",
                f"查处结果不完整：填写了{'、'.join(sheet.header(a) for a in have)}，"
                f"却没有{'、'.join(sheet.header(a) for a in missing)}：处罚决定要写全"
                f"（文号、日期、内容），没有处罚时三列都留空",
            )
    categories, findings = v["categories"], v["findings"]
    inspected = set(INSPECTED_CATEGORIES)
    blank = sheet.blank.get("findings", np.ones(sheet.n, dtype=bool))
    sheet.add_rows(
        [i for i in range(sheet.n) if blank[i] and inspected.intersection(categories[i])],
        "findings",
        "error",
        "result.no_findings",
        lambda i: (
            f"检查结果为“{'、'.join(categories[i])}”，却没有填写检查事项及结果：{FINDINGS_HINT}"
            f"（只有未能实施检查时，如已关闭停业、无法联系，才可留空）"
        ),
    )
    sheet.add_rows(
        [
            i
            for i in range(sheet.n)
            if NO_PROBLEM in categories[i] and any(f == "不符合" for _, f in findings[i])
        ],
        "categories",
        "error",
        "result.findings_contradict",
        lambda i: (
            f"检查结果为“{NO_PROBLEM}”，但检查事项中有“不符合”"
            f"（{'、'.join(item for item, f in findings[i] if f == '不符合')}）：请改正检查结果类别或事项结果"
        ),
    )
    rectified, by = v["rectified_on"], v["rectify_by"]
    sheet.add_rows(
        [i for i in range(sheet.n) if rectified[i] is not None and by[i] is None],
        "rectify_by",
        "error",
        "result.rectify_no_deadline",
        "填写了整改完成日期却没有整改期限：请补上责令整改时给出的期限",
    )


def _duplicates(sheets: Sequence[Sheet]) -> None:
    """One row per (task, enterprise) across all results files.

    A correction is made by changing the row itself (and saying why in 更正说明), never
    by adding a second row: the ledger keeps the earlier version.
    """
    seen: dict[tuple[str, str], tuple[Sheet, int]] = {}
    for sheet in sheets:
        if not (sheet.has("task_id") and sheet.has("uscc")):
            continue
        task, code = sheet.values["task_id"], sheet.values["uscc"]
        for i in range(sheet.n):
            key = (str(task[i]), str(code[i]))
            if not all(key):
                continue
            first = seen.get(key)
            if first is None:
                seen[key] = (sheet, i)
                continue
            other, j = first
            where = (
                f"第 {int(other.excel_rows[j])} 行"
                if other is sheet
                else f"{other.raw.label} 第 {int(other.excel_rows[j])} 行"
            )
            sheet.add(
                i,
                "uscc",
                "error",
                "result.duplicate",
                f"任务 {key[0]} 对「{key[1]}」的检查结果已在{where}登记：每个任务每家单位只登记一行；"
                f"更正时请直接修改原来那一行，并在“更正说明”中写明更正了什么",
            )
