"""The canonical snapshot of a record (docs/spec/02-records.md): the bytes a draw commits to.

Format (`suiji/snapshot/v1`), UTF-8, every line ending in LF:

    {"columns":[...aliases...],"record":"enterprises","rows":N,"type":"suiji/snapshot/v1"}
    [value, value, ...]        ← N lines, one per row, canonical JSON arrays in column order

Rows are sorted by the record's key (ids by their UTF-8 bytes; recusals by
(person_id, uscc); the annual plan by (year, unit)). The snapshot's name in the ledger is
`tagged_hash("suiji/object/v1", bytes)`.

Two writers that must agree byte for byte: `snapshot_from_rows` here (plain, one row at a
time — the reference) and `columnar.snapshot_chunks` (column-wise with numpy, for a
million rows). `parse_snapshot` is strict: it accepts exactly the bytes a writer produces.
This module needs neither numpy nor pandas, so a verifier that only reads snapshots does
not load them.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from itertools import pairwise
from typing import Any

from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.errors import CanonicalError
from suiji.shared.text import clean_text, id_key

from .schema import BY_NAME, Column, RecordSchema

SNAPSHOT_TYPE = "suiji/snapshot/v1"
OBJECT_TAG = "suiji/object/v1"

Row = dict[str, Any]
"""One record row keyed by the English alias names, holding canonical snapshot values."""

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def snapshot_hash(data: bytes) -> str:
    """The snapshot's ledger object name: tagged_hash("suiji/object/v1", bytes) as hex."""
    return tagged_hex(OBJECT_TAG, data)


def header_line(schema: RecordSchema, rows: int) -> bytes:
    header = {
        "columns": list(schema.aliases),
        "record": schema.name,
        "rows": rows,
        "type": SNAPSHOT_TYPE,
    }
    return canonical_json(header) + b"\n"


# ---------------------------------------------------------------- values and order


def value_problem(col: Column, value: Any) -> str | None:
    """Why `value` is not a canonical snapshot value for `col` (None if it is)."""
    kind = col.kind
    if kind in ("uscc", "id"):
        if not isinstance(value, str) or id_key(value) != value:
            return "编号必须是 id_key 规范形式的字符串"
        return "必填编号为空" if col.required and not value else None
    if kind in ("text", "ref", "enum"):
        if not isinstance(value, str) or clean_text(value) != value:
            return "文字必须是 clean_text 规范形式的字符串"
        return "必填项为空" if col.required and not value else None
    if kind == "bool":
        return None if isinstance(value, bool) else "必须是 true 或 false"
    if kind == "date":
        if value is None:
            return "必填日期为空" if col.required else None
        if not isinstance(value, str) or not _DATE_RE.match(value):
            return "日期必须是 YYYY-MM-DD 或 null"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "日期不存在"
        return None
    if kind == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "必须是字符串数组"
        if any(not v or clean_text(v) != v for v in value):
            return "数组元素必须是非空的 clean_text 规范形式"
        if any(a >= b for a, b in pairwise(value)):
            return "数组必须按 UTF-8 字节升序且无重复"
        return "必填项为空" if col.required and not value else None
    # int
    if value is None:
        return "必填整数为空" if col.required else None
    return None if isinstance(value, int) and not isinstance(value, bool) else "必须是整数"


def key_part(value: Any) -> Any:
    """Order of one key value: integers by value, text by its UTF-8 bytes."""
    return value.encode("utf-8") if isinstance(value, str) else value


def row_key(schema: RecordSchema, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(key_part(row[a]) for a in schema.key)


# ---------------------------------------------------------------- reference writer


def snapshot_from_rows(record: str, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Serialise rows of canonical values (any order) to the snapshot bytes.

    The plain reference: every value is checked, rows are sorted by key, duplicates of a
    key are rejected (ValueError). `parse_snapshot` followed by this gives back the bytes.
    """
    schema = BY_NAME[record]
    keyed: list[tuple[tuple[Any, ...], bytes]] = []
    for n, row in enumerate(rows):
        values = []
        for col in schema.columns:
            value = row[col.alias]
            problem = value_problem(col, value)
            if problem:
                raise ValueError(f"row {n}: {col.alias}: {problem}: {value!r}")
            values.append(value)
        keyed.append((row_key(schema, row), canonical_json(values) + b"\n"))
    keyed.sort(key=lambda kv: kv[0])
    for (a, _), (b, _) in pairwise(keyed):
        if a == b:
            raise ValueError(f"duplicate key {a!r}")
    return header_line(schema, len(keyed)) + b"".join(line for _, line in keyed)


def streamed_hash(chunks: Iterable[bytes]) -> str:
    """`snapshot_hash(b"".join(chunks))` without holding the joined bytes (docs/spec/01-encoding.md §1.2)."""
    digest = hashlib.sha256(OBJECT_TAG.encode("ascii") + b"\n")
    # hashlib releases the GIL on large updates: hash chunk k while chunk k+1 is built.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        for chunk in chunks:
            if pending is not None:
                pending.result()
            pending = pool.submit(digest.update, chunk)
        if pending is not None:
            pending.result()
    return digest.hexdigest()


# ---------------------------------------------------------------- strict reader


_PARSED: OrderedDict[bytes, tuple[dict[str, Any], list[Row]]] = OrderedDict()
_PARSED_ROWS = 300_000
"""Snapshots parsed in this process, by SHA-256 of their bytes (most recent last), up to
about `_PARSED_ROWS` rows in all (the last one read is always kept).

A verifier reads a commitment's registry snapshot for the replay, the registry history
and the results: at province scale each strict parse is seconds, a hash milliseconds.
Callers get fresh dicts, so none can change another's rows."""


def parse_snapshot(data: bytes) -> tuple[dict[str, Any], list[Row]]:
    """`parse_strict_snapshot`, remembered per process for the last few snapshots read."""
    digest = hashlib.sha256(data).digest()
    hit = _PARSED.get(digest)
    if hit is None:
        hit = _PARSED[digest] = parse_strict_snapshot(data)
        while len(_PARSED) > 1 and sum(len(r) for _h, r in _PARSED.values()) > _PARSED_ROWS:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(digest)
    header, rows = hit
    return dict(header), [dict(r) for r in rows]


def parse_strict_snapshot(data: bytes) -> tuple[dict[str, Any], list[Row]]:
    """Read snapshot bytes strictly: (header, rows as dicts keyed by alias).

    Rejects (CanonicalError) anything a writer would not produce: a non-canonical line, an
    unknown record or column list, a wrong row count, a value not in canonical form, rows
    out of order or with a repeated key, a missing final LF.
    """
    if not data.endswith(b"\n"):
        raise CanonicalError("快照必须以换行符结尾")
    lines = data[:-1].split(b"\n")
    header = parse_canonical(lines[0])
    if not isinstance(header, dict) or set(header) != {"columns", "record", "rows", "type"}:
        raise CanonicalError("快照第 1 行：表头必须恰好含 columns、record、rows、type")
    if header["type"] != SNAPSHOT_TYPE:
        raise CanonicalError(f"快照第 1 行：type 必须是 {SNAPSHOT_TYPE}")
    schema = BY_NAME.get(header["record"]) if isinstance(header["record"], str) else None
    if schema is None:
        raise CanonicalError(f"快照第 1 行：未知的记录 {header['record']!r}")
    if header["columns"] != list(schema.aliases):
        raise CanonicalError(f"快照第 1 行：{schema.name} 的列必须是 {list(schema.aliases)}")
    body = lines[1:]
    if header["rows"] != len(body):
        raise CanonicalError(f"快照第 1 行：rows={header['rows']}，实际有 {len(body)} 行")
    rows: list[Row] = []
    previous: tuple[Any, ...] | None = None
    for number, line in enumerate(body, start=2):
        try:
            values = parse_canonical(line)
        except CanonicalError as exc:
            raise CanonicalError(f"快照第 {number} 行：{exc}") from None
        if not isinstance(values, list) or len(values) != len(schema.columns):
            raise CanonicalError(f"快照第 {number} 行：必须是 {len(schema.columns)} 个值的数组")
        for col, value in zip(schema.columns, values, strict=True):
            problem = value_problem(col, value)
            if problem:
                raise CanonicalError(f"快照第 {number} 行 {col.alias}：{problem}")
        row = dict(zip(schema.aliases, values, strict=True))
        key = row_key(schema, row)
        if previous is not None and key <= previous:
            raise CanonicalError(f"快照第 {number} 行：行未按键升序排列或键重复")
        previous = key
        rows.append(row)
    return header, rows
