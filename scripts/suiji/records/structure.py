"""One record's shape: headers, empty rows, required cells, duplicate keys, status words."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from suiji.shared.errors import Location
from suiji.shared.text import match_key

from .columns import PARSERS
from .sheet import BoolArray, Sheet, default_values, is_empty

REQUIRED_HINTS: dict[tuple[str, str], str] = {
    ("checklist", "legal_basis"): (
        "该事项没有检查依据：每个抽查事项都必须有法律法规依据，请写明法规名称和条款"
        "（如《中华人民共和国安全生产法》第二十一条），或将该事项状态改为“废止”"
    ),
    ("checklist", "industries"): "没有填写适用行业：请填写该事项适用的行业类别（多个用“、”分隔）",
    ("experts", "specialties"): "没有填写专业领域：请填写至少一个专业领域（多个用“、”分隔）",
}


# ---------------------------------------------------------------- one record


def map_columns(sheet: Sheet) -> None:
    """Headers → schema columns; unknown, duplicated and missing columns are errors."""
    index = sheet.schema.header_index()
    raw = sheet.raw
    for j, header in enumerate(raw.headers):
        loc = Location(raw.label, None, raw.column_label(j))
        if not header:
            if any(c != "" for c in raw.cells[j]):
                sheet.add_at(
                    loc,
                    (0, j),
                    "error",
                    "column.no_header",
                    "这一列有内容但没有列名：请填写标准列名（见 docs/RECORDS.md），或删除这一列",
                )
            continue
        col = index.get(match_key(header))
        if col is None:
            sheet.add_at(
                loc,
                (0, j),
                "error",
                "column.unknown",
                f"列「{header}」不在{sheet.schema.title}的公开字段清单中：本仓库和网站是公开的，"
                f"联系电话、身份证号等非公开数据不得提交，请删除这一列"
                f"（如是列名写错，请改为 docs/RECORDS.md 中的标准列名）",
            )
            continue
        if col.alias in sheet.colmap:
            first = raw.column_label(sheet.colmap[col.alias])
            sheet.add_at(
                loc,
                (0, j),
                "error",
                "column.duplicate",
                f"与「{first}」是同一列（{col.header}）：请删除其中一列",
            )
            continue
        sheet.colmap[col.alias] = j
    for col in sheet.schema.columns:
        if col.required and col.alias not in sheet.colmap:
            sheet.add_at(
                Location(raw.label, raw.header_row, col.header),
                (raw.header_row, -1),
                "error",
                "column.missing",
                f"缺少必填列「{col.header}」（也可写作 {col.alias}）：请在表头加上这一列并逐行填写",
            )


def drop_empty_rows(sheet: Sheet) -> None:
    """Rows with no content at all (Excel leaves them) are skipped, keeping row numbers."""
    if not sheet.cells or sheet.n == 0:
        return
    first = sheet.colmap.get(sheet.schema.key[0], 0)
    maybe = np.flatnonzero(sheet.cells[first] == "")
    if len(maybe) == 0:
        return
    empty = np.ones(len(maybe), dtype=bool)
    for col in sheet.cells:
        empty &= col[maybe] == ""
    if not empty.any():
        return
    keep = np.ones(sheet.n, dtype=bool)
    keep[maybe[empty]] = False
    sheet.cells = tuple(c[keep] for c in sheet.cells)
    sheet.factorized = [None if f is None else (f[0][keep], f[1]) for f in sheet.factorized]
    sheet.excel_rows = sheet.excel_rows[keep]


def parse_columns(sheet: Sheet) -> None:
    for col in sheet.schema.columns:
        j = sheet.colmap.get(col.alias)
        sheet.values[col.alias] = (
            default_values(col, sheet.n) if j is None else PARSERS[col.kind](sheet, col, j)
        )
    for col in sheet.schema.columns:
        if not col.required or col.alias not in sheet.colmap:
            continue
        blank = sheet.blank.get(col.alias)
        empty = np.flatnonzero(is_empty(col, sheet.values[col.alias]) if blank is None else blank)
        hint = REQUIRED_HINTS.get(
            (sheet.schema.name, col.alias), f"「{col.header}」是必填项，不能为空：请补上"
        )
        code = "checklist.no_legal_basis" if col.alias == "legal_basis" else "cell.required"
        sheet.add_rows(empty, col.alias, "error", code, hint)


def duplicates(sheet: Sheet, aliases: tuple[str, ...], code: str, what: str) -> None:
    """Rows repeating a key: each is reported with the rows it repeats."""
    if any(a not in sheet.colmap for a in aliases):
        return
    cols = [sheet.values[a] for a in aliases]
    if len(aliases) == 1:
        column = cols[0]
        dup = np.flatnonzero(pd.Series(column, dtype=object).duplicated(keep=False).to_numpy())
        keys = [(column[i],) for i in dup.tolist()]
    else:
        frame = pd.DataFrame(
            {a: pd.Series(c, dtype=object) for a, c in zip(aliases, cols, strict=True)}
        )
        match = frame.map(lambda v: match_key(v) if isinstance(v, str) else v)
        dup = np.flatnonzero(match.duplicated(keep=False).to_numpy(dtype=bool))
        keys = [tuple(match.iloc[i]) for i in dup]
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, key in zip(dup.tolist(), keys, strict=True):
        if all(k not in ("", None) for k in key):
            groups[key].append(i)
    for key, rows in groups.items():
        shown = "、".join(str(k) for k in key)
        for i in rows:
            others = "、".join(str(int(sheet.excel_rows[o])) for o in rows if o != i)
            sheet.add(
                i,
                aliases[-1] if len(aliases) > 1 else aliases[0],
                "error",
                code,
                f"{what}「{shown}」与第 {others} 行重复：每条只能登记一次"
                f"（退出的行保留并填写状态，不要重复新增）",
            )


def status_rules(sheet: Sheet) -> BoolArray:
    """Active rows; retired rows must carry 退出日期 and 退出原因, active rows neither."""
    schema = sheet.schema
    if not schema.has_status:
        return np.ones(sheet.n, dtype=bool)
    status = sheet.values["status"]
    active: BoolArray = np.asarray(status == schema.active[0], dtype=bool)
    retired = ~active & pd.Series(status, dtype=object).isin(schema.retired).to_numpy(dtype=bool)
    no_date = np.asarray(pd.isna(sheet.values["retired_on"]), dtype=bool)
    no_reason = np.asarray(sheet.values["retire_reason"] == "", dtype=bool)
    sheet.add_rows(
        np.flatnonzero(retired & no_date),
        "retired_on",
        "error",
        "retire.no_date",
        lambda i: f"状态为“{status[i]}”但没有退出日期：退出的行要保留，并填写退出日期和退出原因",
    )
    sheet.add_rows(
        np.flatnonzero(retired & no_reason),
        "retire_reason",
        "error",
        "retire.no_reason",
        lambda i: f"状态为“{status[i]}”但没有退出原因：请填写退出原因（如 注销、调离）",
    )
    sheet.add_rows(
        np.flatnonzero(active & ~(no_date & no_reason)),
        "status",
        "error",
        "retire.still_active",
        f"填写了退出日期或退出原因，但状态仍为“{schema.active[0]}”：已退出请改状态，未退出请清空退出日期和原因",
    )
    return active
