"""Reading snapshot rows (alias → canonical value) the way every draw rule reads them.

Text is compared after `clean_text`, ids by `id_key`, dates are civil dates `YYYY-MM-DD`
and an empty cell is *none* (docs/spec/11-teams.md §11.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from suiji.shared.errors import InputError
from suiji.shared.text import clean_text, id_key

Row = Mapping[str, Any]


def cell_date(value: Any, what: str) -> date | None:
    """A date cell as rows carry it: None/"" (empty), "YYYY-MM-DD", or a date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{what}: 日期应为 YYYY-MM-DD，现为 {value!r}")


def row_text(row: Row, key: str) -> str:
    """A text cell after `clean_text`; "" when missing or not text."""
    value = row.get(key)
    return clean_text(value) if isinstance(value, str) else ""


def row_id(row: Row, key: str, what: str, index: int) -> str:
    """A row's id by `id_key`; a missing id is an error naming the record and row."""
    value = row.get(key)
    ident = id_key(value) if isinstance(value, str) else ""
    if not ident:
        raise InputError(f"{what}第 {index + 1} 条：缺少 {key}")
    return ident


def unique_ids(rows: Sequence[Row], key: str, what: str, name: str) -> list[str]:
    """Every row's id (`row_id`), in row order; an id twice is an error naming it."""
    ids: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        ident = row_id(row, key, what, i)
        if ident in seen:
            raise InputError(f"{what}：{name} {ident} 重复")
        seen.add(ident)
        ids.append(ident)
    return ids
