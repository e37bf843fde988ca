"""The canonical snapshot: the vector, strict parsing, and "same data → same bytes".

The same registry as .xlsx, UTF-8 CSV with or without BOM and GB18030 CSV, in any row
order, must give identical snapshot bytes; the column-wise writer must agree with the
plain reference writer on every record.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.example import example_records
from tests.support.vectors import Case

from suiji import records
from suiji.cli import render
from suiji.records.columnar import snapshot_chunks, table_snapshot
from suiji.records.io import read_table
from suiji.records.schema import BY_NAME, INDUSTRIES, SPECIALTIES
from suiji.records.snapshot import streamed_hash
from suiji.records.uscc import make_code
from suiji.records.validate import validate_tables
from suiji.shared.canonical import tagged_hex
from suiji.shared.errors import CanonicalError
from suiji.shared.text import clean_text, id_key

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = example_records()
TODAY = date(2026, 3, 1)


def load_one(path: Path, record: str) -> records.LoadedRecord:
    """Read and validate one record file on its own; it must have no error."""
    raw = read_table(path, path.name, BY_NAME[record])
    loaded, problems = validate_tables({record: raw}, TODAY)
    errors = [render.record_problem(p) for p in problems if p.severity == "error"]
    assert not errors, errors
    return loaded[record]


# ---------------------------------------------------------------- the vector


ENTERPRISES = vectors.case("records", "snapshot_rows_enterprises")


@vectors.parametrize("records", "snapshot_rows")
def test_vector_bytes_and_hash(case: Case) -> None:
    data = records.snapshot_from_rows(case.input["record"], case.input["rows"])
    assert data == case.output["snapshot"].encode("utf-8")
    assert records.snapshot_hash(data) == case.output["object_hash"]
    assert tagged_hex("suiji/object/v1", data) == case.output["object_hash"]
    assert data.count(b"\n") == len(case.input["rows"]) + 1 and data.endswith(b"\n")


@vectors.parametrize("records", "snapshot_rows")
def test_vector_parses_back_to_sorted_rows(case: Case) -> None:
    record, snapshot = case.input["record"], case.output["snapshot"].encode("utf-8")
    header, rows = records.parse_snapshot(snapshot)
    assert header == {
        "columns": list(BY_NAME[record].aliases),
        "record": record,
        "rows": len(case.input["rows"]),
        "type": "suiji/snapshot/v1",
    }
    assert rows == sorted(case.input["rows"], key=lambda r: r["uscc"].encode())
    assert records.snapshot_from_rows(record, reversed(rows)) == snapshot


@vectors.parametrize("records", "clerk_csv")
def test_vector_from_a_clerks_csv(case: Case, tmp_path: Path) -> None:
    """The clerk's spelling (BOM, 2025/3/1, Y, 43661, (带储存), spaced code) → the same bytes."""
    record = case.input["record"]
    path = tmp_path / f"{record}.csv"
    path.write_bytes(case.input["csv"].encode("utf-8"))
    loaded = load_one(path, record)
    assert loaded.encoding == "utf-8-sig"
    assert loaded.snapshot == case.output["snapshot"].encode("utf-8")
    assert loaded.snapshot_hash == case.output["object_hash"]


@vectors.parametrize("records", "parse_snapshot")
def test_parse_rejects(case: Case) -> None:
    with pytest.raises(CanonicalError) as err:
        records.parse_snapshot(case.input["snapshot"].encode("utf-8"))
    assert vectors.error_code("records", err.value) == case.error


def test_parse_rejects_bad_utf8_and_empty() -> None:
    with pytest.raises(CanonicalError):
        records.parse_snapshot(b"")
    good = ENTERPRISES.output["snapshot"].encode()
    with pytest.raises(CanonicalError):
        records.parse_snapshot(good.replace("石门乡".encode(), b"\xff\xfe"))


def test_empty_record_snapshot() -> None:
    data = records.snapshot_from_rows("recusals", [])
    assert data == (
        b'{"columns":["person_id","uscc","reason","registered_on"],"record":"recusals",'
        b'"rows":0,"type":"suiji/snapshot/v1"}\n'
    )
    assert records.parse_snapshot(data) == (json.loads(data), [])


def test_reference_writer_rejects_non_canonical_values() -> None:
    row = dict(ENTERPRISES.input["rows"][0])
    for alias, bad in (
        ("uscc", "91310115591693856a"),
        ("name", " 示例 "),
        ("key_unit", "否"),
        ("added_on", "2025/3/1"),
        ("updated_on", "2025-02-30"),
    ):
        with pytest.raises(ValueError):
            records.snapshot_from_rows("enterprises", [{**row, alias: bad}])
    with pytest.raises(ValueError, match="duplicate"):
        records.snapshot_from_rows("enterprises", [row, row])


# ---------------------------------------------------------------- the example county


@pytest.fixture(scope="module")
def county() -> records.LoadedRecords:
    return records.load_all(EXAMPLE, TODAY)


def test_column_writer_equals_reference_writer(county: records.LoadedRecords) -> None:
    for name in records.RECORD_NAMES:
        record = county[name]
        rows = record.rows()
        reference = records.snapshot_from_rows(name, rows)
        assert record.snapshot == reference, name
        assert records.snapshot_bytes(record) == reference
        assert table_snapshot(record.schema, record.values, record.n_rows) == reference
        assert streamed_hash(snapshot_chunks(record.schema, record.values, record.n_rows)) == (
            records.snapshot_hash(reference)
        )
        header, parsed = records.parse_snapshot(reference)
        assert parsed == rows and header["rows"] == record.n_rows


def test_rows_are_dicts_keyed_by_alias(county: records.LoadedRecords) -> None:
    rows = county.rows("enterprises")
    assert all(list(r) == list(BY_NAME["enterprises"].aliases) for r in rows)
    assert [r["uscc"] for r in rows] == sorted(r["uscc"] for r in rows)
    assert {type(r["key_unit"]) for r in rows} == {bool}
    experts = county.rows("experts")
    assert all(
        isinstance(r["specialties"], list) and r["specialties"] == sorted(set(r["specialties"]))
        for r in experts
    )
    plan = county.rows("annual-plan")
    assert all(isinstance(r["year"], int) for r in plan)
    assert [(r["year"], r["unit"].encode()) for r in plan] == sorted(
        (r["year"], r["unit"].encode()) for r in plan
    )
    recusals = county.rows("recusals")
    keys = [(r["person_id"].encode(), r["uscc"].encode()) for r in recusals]
    assert keys == sorted(keys)


def test_samples_give_identical_snapshots(county: records.LoadedRecords, tmp_path: Path) -> None:
    expected = county["enterprises"].snapshot
    gb = load_one(EXAMPLE / "samples" / "enterprises.gb18030.csv", "enterprises")
    assert gb.encoding == "gb18030" and gb.snapshot == expected
    xlsx = load_one(EXAMPLE / "samples" / "enterprises.xlsx", "enterprises")
    assert xlsx.encoding == "xlsx" and xlsx.snapshot == expected
    plain = tmp_path / "enterprises.csv"
    plain.write_bytes((EXAMPLE / "enterprises.csv").read_bytes().removeprefix(b"\xef\xbb\xbf"))
    utf8 = load_one(plain, "enterprises")
    assert utf8.encoding == "utf-8" and utf8.snapshot == expected


# ---------------------------------------------------------------- any format, any order

_EXAMPLE_ROWS: list[list[str]] = list(
    csv.reader(io.StringIO((EXAMPLE / "enterprises.csv").read_text("utf-8-sig")))
)


def _write(path_dir: Path, fmt: str, header: list[str], rows: list[list[str]]) -> Path:
    if fmt == "xlsx":
        path = path_dir / "enterprises.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
        return path
    path = path_dir / "enterprises.csv"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    text = out.getvalue()
    data = {
        "utf-8": text.encode(),
        "utf-8-sig": b"\xef\xbb\xbf" + text.encode(),
        "gb18030": text.encode("gb18030"),
    }[fmt]
    path.write_bytes(data)
    return path


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32 - 1), fmt=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "xlsx"])
)
def test_format_and_row_order_do_not_matter(
    county: records.LoadedRecords, tmp_path_factory: pytest.TempPathFactory, seed: int, fmt: str
) -> None:
    header, *rows = _EXAMPLE_ROWS
    rows = [list(r) for r in rows]
    random.Random(seed).shuffle(rows)
    directory = tmp_path_factory.mktemp("fmt")
    record = load_one(_write(directory, fmt, header, rows), "enterprises")
    assert record.encoding == ("xlsx" if fmt == "xlsx" else fmt)
    assert record.snapshot == county["enterprises"].snapshot
    shutil.rmtree(directory)


# ---------------------------------------------------------------- random canonical rows

_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
).map(clean_text)
_ids = st.text("ABCDEFGHJKLMNPQRTUWXY0123456789-", min_size=1, max_size=8).map(id_key).filter(bool)
_dates = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2099, 12, 31)).map(date.isoformat))


@st.composite
def _expert_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(_ids, unique=True, max_size=30))
    return [
        {
            "expert_id": i,
            "name": draw(_text.filter(bool)),
            "specialties": sorted(draw(st.sets(st.sampled_from(SPECIALTIES), min_size=1))),
            "title": draw(_text),
            "employer": draw(_text),
            "status": draw(st.sampled_from(["在库", "退出"])),
            "retired_on": draw(_dates),
            "retire_reason": draw(_text),
        }
        for i in ids
    ]


@st.composite
def _checklist_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(_ids, unique=True, max_size=30))
    return [
        {
            "item_id": i,
            "title": draw(_text.filter(bool)),
            "content": draw(_text),
            "legal_basis": draw(_text.filter(bool)),
            "industries": sorted(draw(st.sets(st.sampled_from(INDUSTRIES), min_size=1))),
            "method": draw(_text),
            "status": "有效",
            "retired_on": None,
            "retire_reason": "",
        }
        for i in ids
    ]


def _columns(record: str, rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for col in BY_NAME[record].columns:
        arr = np.empty(len(rows), dtype=bool if col.kind == "bool" else object)
        for i, row in enumerate(rows):
            arr[i] = tuple(row[col.alias]) if col.kind == "multi" else row[col.alias]
        values[col.alias] = arr
    return values


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        _expert_rows().map(lambda r: ("experts", r)),
        _checklist_rows().map(lambda r: ("checklist", r)),
    )
)
def test_writers_agree_and_round_trip(case: tuple[str, list[dict[str, Any]]]) -> None:
    record, rows = case
    reference = records.snapshot_from_rows(record, rows)
    assert table_snapshot(BY_NAME[record], _columns(record, rows), len(rows)) == reference
    header, parsed = records.parse_snapshot(reference)
    assert header["rows"] == len(rows)
    assert records.snapshot_from_rows(record, parsed) == reference


# ---------------------------------------------------------------- a larger registry


def test_twenty_thousand_rows(tmp_path: Path) -> None:
    """A 20k-row registry: still clean, and the column writer equals the reference."""
    header, *rows = _EXAMPLE_ROWS
    rng = random.Random(7)
    col = header.index("统一社会信用代码")
    out = []
    for i in range(20_000):
        row = list(rng.choice(rows))
        row[col] = make_code("9", "1", "330100", f"{i:08d}")
        row[header.index("单位名称")] = f"示例县第{i}号化工有限公司"
        out.append(row)
    path = _write(tmp_path, "utf-8", header, out)
    record = load_one(path, "enterprises")
    assert record.n_rows == 20_000
    assert record.snapshot == records.snapshot_from_rows("enterprises", record.rows())
