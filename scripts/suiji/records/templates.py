"""Empty record templates: one .xlsx per record, the right headers, drop-down lists.

A new bureau starts from these (`suiji new`) rather than from the example county, so no
fictional unit or person can be published by mistake. The drop-downs come from the same
vocabularies `suiji check` enforces, so a clerk who picks from them cannot misspell a
value; the lists are written inline (no helper worksheet), because a record's workbook
must hold its one table and nothing else.
"""

from __future__ import annotations

from pathlib import Path

from suiji.records.schema import SCHEMAS, Column, RecordSchema

TEMPLATE_ROWS = 2000
"""Rows (after the header) the drop-downs cover; more rows can be added in Excel."""

YES_NO = ("是", "否")
_LIST_LIMIT = 255  # Excel's limit on an inline list formula


def choices_of(column: Column) -> tuple[str, ...]:
    """The values a drop-down offers for `column` (none for free text, dates, codes)."""
    if column.choices:
        return column.choices
    if column.kind == "bool":
        return YES_NO
    return ()


def write_template(path: Path, schema: RecordSchema) -> None:
    """One empty workbook: the header row, frozen, with a drop-down per enumerated column."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = schema.title[:31]
    ws.append([c.header for c in schema.columns])
    ws.freeze_panes = "A2"
    for j, column in enumerate(schema.columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, 2 * len(column.header) + 2)
        values = choices_of(column)
        formula = '"' + ",".join(values) + '"'
        if not values or len(formula) > _LIST_LIMIT:
            continue
        multi = column.kind == "multi"  # several values joined by 、: a list that only suggests
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=not column.required,
            showErrorMessage=not multi,
            errorTitle="无效的值",
            error=f"{column.header}只能从下拉列表中选择：{'、'.join(values)}",
            showInputMessage=multi,
            promptTitle=column.header,
            prompt="可填多项，用“、”分隔" if multi else None,
        )
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_templates(records: Path) -> list[Path]:
    """Every record's template under `records/` (an existing file is never overwritten)."""
    written = []
    for schema in SCHEMAS:
        path = records / f"{schema.name}.xlsx"
        if not path.exists():
            write_template(path, schema)
            written.append(path)
    return written
