"""The clerks' records: read (.xlsx / CSV in UTF-8 or GB18030), validate, snapshot.

Public API (what the CLI, the draw code and the tests use):

* `check(records_dir, today)` → `CheckReport` — every problem, one pass, nothing written.
* `load_all(records_dir, today)` → `LoadedRecords` — validated records (rows + snapshot
  bytes); raises `RecordsInvalid` (a `CheckFailed`) if there is any error.
* `snapshot_bytes(record)`, `parse_snapshot(data)`, `snapshot_from_rows(name, rows)`,
  `snapshot_hash(data)` — the canonical snapshot (docs/spec/02-records.md).
* `parse_date` — a date as clerks write it.

Who may be drawn is not decided here: `suiji.draw.eligibility` is the one rule family,
over snapshot rows and the status words of `schema`.

Reading and validating need pandas; the snapshot reader and the schema do not. The pandas side is imported on first use, so `from suiji.records import
parse_snapshot` stays light for a verifier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cells import CellError, parse_date
from .problems import RecordProblem, RecordsInvalid, Severity
from .schema import BY_NAME, DRAW_RECORDS, RECORD_NAMES, SCHEMAS, Column, RecordSchema
from .snapshot import (
    OBJECT_TAG,
    SNAPSHOT_TYPE,
    Row,
    parse_snapshot,
    snapshot_from_rows,
    snapshot_hash,
)

if TYPE_CHECKING:
    from .load import check, find_files, load_all
    from .model import CheckReport, LoadedRecord, LoadedRecords, RecordSummary

_LAZY = {
    "check": "load",
    "find_files": "load",
    "load_all": "load",
    "CheckReport": "model",
    "LoadedRecord": "model",
    "LoadedRecords": "model",
    "RecordSummary": "model",
}


def __getattr__(name: str) -> Any:
    """Import the pandas side (reading, validating, the column-wise writer) on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'suiji.records' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def snapshot_bytes(record: LoadedRecord) -> bytes:
    """The canonical snapshot of a validated record (same as `record.snapshot`)."""
    return record.snapshot


__all__ = [
    "BY_NAME",
    "DRAW_RECORDS",
    "OBJECT_TAG",
    "RECORD_NAMES",
    "SCHEMAS",
    "SNAPSHOT_TYPE",
    "CellError",
    "CheckReport",
    "Column",
    "LoadedRecord",
    "LoadedRecords",
    "RecordProblem",
    "RecordSchema",
    "RecordSummary",
    "RecordsInvalid",
    "Row",
    "Severity",
    "check",
    "find_files",
    "load_all",
    "parse_date",
    "parse_snapshot",
    "snapshot_bytes",
    "snapshot_from_rows",
    "snapshot_hash",
]
