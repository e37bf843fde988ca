"""Rows dated after the day they were committed: evidence of a backdated commitment.

A commitment snapshots the records as of its civil date (`as_of`). A row whose
inclusion or update date (纳入日期/更新日期; 登记日期 of a recusal) is later than that
day cannot have been in the records on that day, so the commitment was written later
than it claims. The writer refuses such rows; the verifier reports them
(docs/spec/13-task-entries.md §13.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from suiji.records.schema import BY_NAME

RECORDED_ON: dict[str, tuple[str, ...]] = {
    "enterprises": ("added_on", "updated_on"),
    "recusals": ("registered_on",),
}
"""Per record, the columns (aliases) saying when a row was put into or last changed in it."""


@dataclass(frozen=True)
class LateRow:
    """One row dated after `as_of`: which record, its key, the column and the date."""

    record: str
    key: str
    column: str
    header: str
    date: str


def rows_dated_after(record: str, rows: Iterable[Mapping[str, Any]], as_of: str) -> list[LateRow]:
    """Rows of `record` whose inclusion/update date is later than `as_of` (YYYY-MM-DD)."""
    columns = RECORDED_ON.get(record, ())
    if not columns:
        return []
    schema = BY_NAME[record]
    headers = {c.alias: c.header for c in schema.columns}
    out: list[LateRow] = []
    for row in rows:
        for column in columns:
            value = row.get(column)
            # canonical snapshot dates are YYYY-MM-DD, so text order is date order
            if isinstance(value, str) and value > as_of:
                key = "/".join(str(row.get(k, "")) for k in schema.key)
                out.append(LateRow(record, key, column, headers[column], value))
    return out
