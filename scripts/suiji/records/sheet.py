"""One record while it is validated: raw cells, column map, parsed values, problems.

`Sheet` holds a record's cells and what validation has found; the helpers read a column
once per distinct value (numpy), so a million-row registry is checked in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from suiji.shared.errors import Location
from suiji.shared.text import clean_text

from .io import RawTable
from .problems import RecordProblem, Severity
from .schema import RECORD_NAMES, Column, RecordSchema

ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]

LIST_KINDS = ("multi", "ids", "categories", "findings")
"""Kinds whose value is a tuple (empty when the cell is blank)."""

SMALL = 5000
"""Below this many rows a column is simply checked cell by cell."""


class Sheet:
    """One record while it is being validated: raw cells, column map, parsed values."""

    def __init__(self, raw: RawTable, schema: RecordSchema, out: Collector) -> None:
        self.raw = raw
        self.schema = schema
        self.out = out
        self.colmap: dict[str, int] = {}
        self.values: dict[str, np.ndarray] = {}
        self.blank: dict[str, BoolArray] = {}
        """Cells left blank, for columns whose parsed value cannot tell blank from bad."""
        self.codes: dict[str, tuple[npt.NDArray[np.integer[Any]], ObjArray]] = {}
        """Per low-cardinality column: a code per row and the value of each code, kept
        so the snapshot need not factorize the column again."""
        self.cells: tuple[ObjArray, ...] = raw.cells
        self.factorized = list(raw.factorized or (None,) * len(raw.cells))
        self.excel_rows = raw.excel_rows
        self.order = (
            RECORD_NAMES.index(schema.name) if schema.name in RECORD_NAMES else len(RECORD_NAMES)
        )
        """Sort position of this file's problems (results files: after the six records)."""

    @property
    def n(self) -> int:
        return len(self.excel_rows)

    def has(self, alias: str) -> bool:
        return alias in self.colmap

    def header(self, alias: str) -> str:
        return self.schema.column(alias).header

    def add(
        self, i: int | None, alias: str | None, severity: Severity, code: str, message: str
    ) -> None:
        row = int(self.excel_rows[i]) if i is not None else None
        column: str | None = None
        j = -1
        if alias is not None:
            if alias in self.colmap:
                j = self.colmap[alias]
                column = self.raw.column_label(j)
            else:
                column = self.header(alias)
        self.add_at(Location(self.raw.label, row, column), (row or 0, j), severity, code, message)

    def add_at(
        self, loc: Location, pos: tuple[int, int], severity: Severity, code: str, message: str
    ) -> None:
        self.out.add((self.order, *pos), RecordProblem(loc, severity, code, message))

    def add_rows(
        self,
        rows: Iterable[int],
        alias: str | None,
        severity: Severity,
        code: str,
        message: str | Callable[[int], str],
    ) -> None:
        for i in rows:
            text = message(int(i)) if callable(message) else message
            self.add(int(i), alias, severity, code, text)


class Collector:
    """The problems of one validation pass, sorted at the end by file, row and column."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[int, int, int], RecordProblem]] = []

    def add(self, key: tuple[int, int, int], problem: RecordProblem) -> None:
        self.items.append((key, problem))

    def sorted(self) -> list[RecordProblem]:
        return [p for _, p in sorted(self.items, key=lambda kp: kp[0])]


# ---------------------------------------------------------------- helpers


def obj_array(values: Iterable[Any], n: int) -> ObjArray:
    """An object array from an iterable, element by element (tuples stay elements)."""
    arr = np.empty(n, dtype=object)
    for i, v in enumerate(values):
        arr[i] = v
    return arr


def is_empty(col: Column, values: np.ndarray) -> BoolArray:
    if col.kind == "bool":
        return np.zeros(len(values), dtype=bool)
    if col.kind in ("date", "int"):
        return np.asarray(pd.isna(values), dtype=bool)
    if col.kind in LIST_KINDS:
        return np.fromiter((len(v) == 0 for v in values), dtype=bool, count=len(values))
    return np.asarray(values == "", dtype=bool)


def default_values(col: Column, n: int) -> np.ndarray:
    """The value of a column the file does not have (optional columns only)."""
    if col.kind == "bool":
        return np.zeros(n, dtype=bool)
    if col.kind in ("date", "int"):
        return np.full(n, None, dtype=object)
    if col.kind in LIST_KINDS:
        return obj_array((() for _ in range(n)), n)
    return np.full(n, "", dtype=object)


def factorize(sheet: Sheet, j: int) -> tuple[npt.NDArray[np.integer[Any]], ObjArray]:
    """(code per row, text per code) of column j: from the reader if it has them."""
    known = sheet.factorized[j]
    if known is not None:
        return known
    codes, uniques = pd.factorize(sheet.cells[j])
    return codes, np.asarray(uniques, dtype=object)


def by_unique(
    sheet: Sheet,
    col: Column,
    j: int,
    judge: Callable[[str], tuple[Any, tuple[Severity, str, str] | None]],
) -> ObjArray:
    """Judge each distinct cell text once; spread values back and report every bad row."""
    codes, uniques = factorize(sheet, j)
    verdicts = [judge(str(u)) for u in uniques]
    per_code = obj_array((v for v, _ in verdicts), len(verdicts))
    values = per_code[codes]
    sheet.codes[col.alias] = (codes, per_code)
    blank = np.array([not clean_text(str(u)) for u in uniques], dtype=bool)
    sheet.blank[col.alias] = blank[codes] if len(uniques) else np.zeros(len(codes), dtype=bool)
    for k, (_, problem) in enumerate(verdicts):
        if problem is not None:
            severity, code, message = problem
            sheet.add_rows(np.flatnonzero(codes == k), col.alias, severity, code, message)
    return np.asarray(values, dtype=object)


def clean_column(sheet: Sheet, col: Column, j: int) -> ObjArray:
    cells = sheet.cells[j]
    if sheet.factorized[j] is not None or (col.low_card and len(cells) > SMALL):
        codes, uniques = factorize(sheet, j)
        cleaned = obj_array((clean_text(str(u)) for u in uniques), len(uniques))
        sheet.codes[col.alias] = (codes, cleaned)
        return np.asarray(cleaned[codes], dtype=object)
    return np.fromiter(map(clean_text, cells), dtype=object, count=len(cells))
