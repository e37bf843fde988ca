"""Validated records as values: what `load_all` returns and `suiji check` summarises."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .columnar import snapshot_chunks, sort_order
from .problems import RecordProblem
from .schema import RecordSchema
from .snapshot import Row, snapshot_hash, streamed_hash


@dataclass(frozen=True, eq=False)
class LoadedRecord:
    """One validated record: canonical values column by column, in file order.

    `values[alias]` is a numpy array (object; bool for yes/no columns) with the snapshot
    value of each row; `excel_rows[i]` is where row i sits in the clerk's file. `rows()`
    and `snapshot` present the rows in snapshot order.
    """

    schema: RecordSchema
    path: Path
    label: str
    encoding: str
    values: Mapping[str, np.ndarray]
    excel_rows: npt.NDArray[np.int64]
    active: npt.NDArray[np.bool_]
    codes: Mapping[str, tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.object_]]] = field(
        default_factory=dict
    )
    """Optional: low-cardinality columns as (code per row, value per code) — a speed-up
    for the snapshot writer, which otherwise factorizes those columns itself."""

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def n_rows(self) -> int:
        return len(self.excel_rows)

    @property
    def n_active(self) -> int:
        return int(self.active.sum())

    @cached_property
    def order(self) -> npt.NDArray[np.intp]:
        return sort_order(self.schema, self.values, self.n_rows)

    @cached_property
    def snapshot(self) -> bytes:
        """The canonical snapshot bytes (docs/spec/02-records.md)."""
        return b"".join(snapshot_chunks(self.schema, self.values, self.n_rows, self.codes))

    @cached_property
    def snapshot_hash(self) -> str:
        """tagged_hash("suiji/object/v1", snapshot) as hex; streamed if the bytes were not
        needed yet (a million-row snapshot is ~250 MB that `suiji check` never keeps)."""
        if "snapshot" in self.__dict__:
            return snapshot_hash(self.snapshot)
        return streamed_hash(snapshot_chunks(self.schema, self.values, self.n_rows, self.codes))

    def rows(self) -> list[Row]:
        """Every row (retired ones included) as a dict keyed by alias, in snapshot order."""
        cols = [(a, self.values[a]) for a in self.schema.aliases]
        out: list[Row] = []
        for i in self.order:
            row: Row = {}
            for alias, column in cols:
                value: Any = column[i]
                if isinstance(value, np.bool_):
                    value = bool(value)
                elif isinstance(value, tuple):
                    value = list(value)
                row[alias] = value
            out.append(row)
        return out


@dataclass(frozen=True, eq=False)
class LoadedRecords(Mapping[str, LoadedRecord]):
    """All six records, validated together; `problems` holds the warnings (no errors)."""

    records: Mapping[str, LoadedRecord]
    problems: tuple[RecordProblem, ...]
    today: date

    def __getitem__(self, name: str) -> LoadedRecord:
        return self.records[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def rows(self, name: str) -> list[Row]:
        return self.records[name].rows()

    def snapshot(self, name: str) -> bytes:
        return self.records[name].snapshot


@dataclass(frozen=True)
class RecordSummary:
    """One line of `suiji check`: the file, how it was read, its size and snapshot hash."""

    record: str
    file: str
    encoding: str
    rows: int
    active_rows: int
    snapshot: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "active_rows": self.active_rows,
            "encoding": self.encoding,
            "file": self.file,
            "record": self.record,
            "rows": self.rows,
            "snapshot": self.snapshot,
        }


@dataclass(frozen=True)
class CheckReport:
    """Everything `suiji check` found. `ok` is False exactly when there is an error."""

    records: tuple[RecordSummary, ...]
    problems: tuple[RecordProblem, ...]

    @property
    def errors(self) -> tuple[RecordProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[RecordProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """Stable shape: {"ok": bool, "records": [...], "problems": [...]}."""
        return {
            "ok": self.ok,
            "problems": [p.to_json() for p in self.problems],
            "records": [r.to_json() for r in self.records],
        }
