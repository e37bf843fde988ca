"""Validating the six records together, collecting every problem in one pass.

Work is column-wise so a million-row registry is checked in seconds: a column with few
distinct values (industries, dates, 是/否) is judged once per distinct value and the
verdict spread back with numpy; a column of free text is cleaned with one C-level map and
scanned for personal data with a numpy pre-filter. Python loops run only over the rows
that already have a problem.

Nothing here reads or writes files: `validate_tables` takes `RawTable`s (io.py) and returns
`LoadedRecord`s plus the problems, located as `file:row:column` the way Excel shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from suiji.shared.errors import Location

from .fairness import ID_COLUMNS, id_problems
from .io import RawTable
from .model import LoadedRecord
from .privacy import scan_outside
from .problems import RecordProblem
from .rules import checklist_rules, cross_rules, enterprise_rules, inspector_rules, plan_rules
from .sheet import BoolArray, Collector, Sheet
from .structure import drop_empty_rows, duplicates, map_columns, parse_columns, status_rules


def validate_tables(
    raws: Mapping[str, RawTable], today: date
) -> tuple[dict[str, LoadedRecord], list[RecordProblem]]:
    """Validate the records that could be read; return them and every problem found.

    Cross-record rules run only between records that were read, so one unreadable file
    does not bury the others under follow-on errors.
    """
    from .schema import BY_NAME

    out = Collector()
    sheets: dict[str, Sheet] = {}
    active: dict[str, BoolArray] = {}
    for name, raw in raws.items():
        sheet = Sheet(raw, BY_NAME[name], out)
        file_rules(sheet)
        map_columns(sheet)
        drop_empty_rows(sheet)
        parse_columns(sheet)
        active[name] = status_rules(sheet)
        schema = sheet.schema
        if schema.name == "recusals":
            duplicates(sheet, schema.key, "recusal.duplicate", "回避登记")
        elif schema.name == "annual-plan":
            duplicates(sheet, schema.key, "plan.duplicate", "年度与执法单位")
        else:
            duplicates(sheet, schema.key, "id.duplicate", schema.column(schema.key[0]).header)
        _id_rules(sheet)
        if name == "enterprises":
            enterprise_rules(sheet, today)
        elif name == "inspectors":
            inspector_rules(sheet, active[name], today)
        elif name == "checklist":
            checklist_rules(sheet)
        elif name == "annual-plan":
            plan_rules(sheet)
        sheets[name] = sheet
    cross_rules(sheets, active)
    records = {
        name: LoadedRecord(
            schema=s.schema,
            path=s.raw.path,
            label=s.raw.label,
            encoding=s.raw.encoding,
            values=s.values,
            excel_rows=s.excel_rows,
            active=active[name],
            codes=s.codes,
        )
        for name, s in sheets.items()
    }
    return records, out.sorted()


def file_rules(sheet: Sheet) -> None:
    """What reading found in the file itself: notes, personal data outside the visible
    cells, formulas whose result was never saved."""
    raw = sheet.raw
    for loc, message in raw.notes:
        sheet.add_at(loc, (0, -1), "warning", "file.note", message)
    scan_outside(sheet)
    if raw.formulas:
        shown = "、".join(raw.formulas[:5]) + (
            f" 等 {len(raw.formulas)} 处" if len(raw.formulas) > 5 else ""
        )
        sheet.add_at(
            Location(raw.label),
            (0, -1),
            "error",
            "file.formula_no_value",
            f"单元格 {shown} 是公式，但文件里没有保存公式的计算结果（多见于其他软件生成的"
            f"文件），这些单元格读出来是空的：请用 Excel 打开这个文件、保存一次，"
            f"再运行 suiji check",
        )


def _id_rules(sheet: Sheet) -> None:
    """Ids and certificate numbers in ASCII or CJK only, none confusable with another."""
    for alias in ID_COLUMNS.get(sheet.schema.name, ()):
        if alias not in sheet.colmap:
            continue
        values = [str(v) for v in sheet.values[alias]]
        for i, code, message in id_problems(values):
            if sheet.schema.name == "recusals" and code == "id.confusable":
                continue  # recusals name people the staff records define
            sheet.add(i, alias, "error", code, message)
