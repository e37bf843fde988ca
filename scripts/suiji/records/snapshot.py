"""The canonical snapshot of a record (docs/spec/records.md): the bytes a draw commits to.

Format (`suiji/snapshot/v1`), UTF-8, every line ending in LF:

    {"columns":[...aliases...],"record":"enterprises","rows":N,"type":"suiji/snapshot/v1"}
    [value, value, ...]        ← N lines, one per row, canonical JSON arrays in column order

Rows are sorted by the record's key (ids by their UTF-8 bytes; recusals by
(person_id, uscc); the annual plan by (year, unit)). The snapshot's name in the ledger is
`tagged_hash("suiji/object/v1", bytes)`.

Two writers that must agree byte for byte: `snapshot_from_rows` (plain, one row at a time —
the reference) and `table_snapshot` (column-wise with numpy, for a million rows).
`parse_snapshot` is strict: it accepts exactly the bytes a writer produces.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from suiji.encoding import canonical_json, clean_text, id_key, parse_canonical, tagged_hex
from suiji.errors import CanonicalError

from .schema import BY_NAME, Column, RecordSchema

SNAPSHOT_TYPE = "suiji/snapshot/v1"
OBJECT_TAG = "suiji/object/v1"
CHUNK_ROWS = 65536

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
        if any(a >= b for a, b in zip(value, value[1:], strict=False)):
            return "数组必须按 UTF-8 字节升序且无重复"
        return "必填项为空" if col.required and not value else None
    # int
    if value is None:
        return "必填整数为空" if col.required else None
    return None if isinstance(value, int) and not isinstance(value, bool) else "必须是整数"


def _key_part(value: Any) -> Any:
    """Order of one key value: integers by value, text by its UTF-8 bytes."""
    return value.encode("utf-8") if isinstance(value, str) else value


def row_key(schema: RecordSchema, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(_key_part(row[a]) for a in schema.key)


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
    for (a, _), (b, _) in zip(keyed, keyed[1:], strict=False):
        if a == b:
            raise ValueError(f"duplicate key {a!r}")
    return header_line(schema, len(keyed)) + b"".join(line for _, line in keyed)


# ---------------------------------------------------------------- column-wise writer

ObjArray = npt.NDArray[np.object_]


def sort_order(schema: RecordSchema, values: Mapping[str, np.ndarray], n: int) -> npt.NDArray[np.intp]:
    """Row indices in snapshot order (keys are unique after validation)."""
    if len(schema.key) == 1 and schema.column(schema.key[0]).kind in ("uscc", "id"):
        keys = values[schema.key[0]]
        if n == 0:
            return np.zeros(0, dtype=np.intp)
        # Fixed-width UCS-4 compares by code point, which is the UTF-8 byte order.
        return np.argsort(np.asarray(keys, dtype=str), kind="stable")
    cols = [values[a] for a in schema.key]
    return np.array(
        sorted(range(n), key=lambda i: tuple(_key_part(c[i]) for c in cols)), dtype=np.intp
    )


def _null_or_json(value: Any) -> str:
    # pandas turns a missing value (None) into NaN among factorize's uniques: JSON null.
    if value is None or value != value:
        return "null"
    return canonical_json(value).decode("utf-8")


Codes = tuple[npt.NDArray[np.intp], ObjArray]


def _encoded(
    col: Column, column: np.ndarray, cached: tuple[np.ndarray, ObjArray] | None
) -> Codes | None:
    """(code per row, JSON text per code) for a column with few distinct values, else None."""
    if cached is not None:
        codes_, per_code = cached
        texts_ = np.empty(len(per_code), dtype=object)
        texts_[:] = [_null_or_json(v) for v in per_code]
        return codes_.astype(np.intp), texts_
    if col.kind == "bool":
        return column.astype(bool).astype(np.intp), np.array(["false", "true"], dtype=object)
    if col.low_card or col.kind == "date":
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        texts = np.empty(len(uniques), dtype=object)
        texts[:] = [_null_or_json(u) for u in uniques]
        return codes.astype(np.intp), texts
    return None


def _combine(run: list[Codes], n: int) -> Codes:
    """Adjacent few-valued columns as one block: the text "v1,v2,…" once per combination.

    Joining 21 fragments per row is the snapshot's main cost; a block per run of such
    columns leaves a handful of pieces per row.
    """
    if len(run) == 1:
        return run[0]
    key = run[0][0].astype(np.int64)
    for codes, texts in run[1:]:
        if n and int(key.max()) * len(texts) >= 2**62:
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * len(texts) + codes
    block_codes, uniques = pd.factorize(key)
    first = np.empty(len(uniques), dtype=np.intp)
    first[block_codes[::-1]] = np.arange(n, dtype=np.intp)[::-1]  # first row of each block
    blocks = np.empty(len(uniques), dtype=object)
    blocks[:] = [",".join(str(t[c[f]]) for c, t in run) for f in first.tolist()]
    return block_codes.astype(np.intp), blocks


def _many(col: Column, column: np.ndarray) -> list[str]:
    """JSON text of each cell of a column with many distinct values."""
    if col.kind == "multi":
        return [canonical_json(list(v)).decode("utf-8") for v in column]
    if col.kind == "int":
        return ["null" if v is None else str(int(v)) for v in column]
    # Values are clean_text/id_key output (NFC, no lone surrogates), so json's own string
    # encoder (ensure_ascii=False) gives exactly canonical_json's minimal escaping.
    return list(map(encode_basestring, column))


def snapshot_chunks(
    schema: RecordSchema,
    values: Mapping[str, np.ndarray],
    n: int,
    codes: Mapping[str, tuple[np.ndarray, ObjArray]] | None = None,
) -> Iterator[bytes]:
    """The snapshot bytes in pieces (header line, then blocks of rows), column-wise.

    The same bytes as `snapshot_from_rows`, built for a million rows: few-valued columns
    are encoded once per distinct value (`codes` may supply their factorization), runs of
    them are joined into blocks, and rows are assembled CHUNK_ROWS at a time.
    """
    order = sort_order(schema, values, n)
    plan: list[Codes | tuple[Column, np.ndarray]] = []
    run: list[Codes] = []
    for col in schema.columns:
        enc = _encoded(col, values[col.alias], (codes or {}).get(col.alias))
        if enc is not None:
            run.append(enc)
            continue
        if run:
            plan.append(_combine(run, n))
            run = []
        plan.append((col, values[col.alias]))
    if run:
        plan.append(_combine(run, n))
    yield header_line(schema, n)
    for start in range(0, n, CHUNK_ROWS):
        idx = order[start : start + CHUNK_ROWS]
        parts: list[list[str]] = []
        for first, second in plan:
            if isinstance(first, Column):
                parts.append(_many(first, second[idx]))
            else:
                parts.append(second[first[idx]].tolist())
        lines = map(",".join, zip(*parts, strict=True))
        yield ("[" + "]\n[".join(lines) + "]\n").encode("utf-8")


def table_snapshot(schema: RecordSchema, values: Mapping[str, np.ndarray], n: int) -> bytes:
    """Column-wise writer of the same bytes as `snapshot_from_rows`, for large records."""
    return b"".join(snapshot_chunks(schema, values, n))


def streamed_hash(chunks: Iterable[bytes]) -> str:
    """`snapshot_hash(b"".join(chunks))` without holding the joined bytes (SPEC §1.2)."""
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


def parse_snapshot(data: bytes) -> tuple[dict[str, Any], list[Row]]:
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
