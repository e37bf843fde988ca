"""The records library: load_all, workbooks, headers, rows, encodings."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from tests.support.example import example_records

from suiji import records
from suiji.records import RecordProblem
from suiji.records.uscc import check_char, make_code
from suiji.shared.errors import CheckFailed

EXAMPLE = example_records()
TODAY = date(2026, 3, 1)


def county(tmp_path: Path) -> Path:
    target = tmp_path / "records"
    target.mkdir(parents=True)
    for path in EXAMPLE.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    return target


def rows_of(name: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO((EXAMPLE / f"{name}.csv").read_text("utf-8-sig")))
    return header, rows


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def problems(directory: Path, today: date = TODAY) -> list[RecordProblem]:
    return list(records.check(directory, today).problems)


def codes(found: list[RecordProblem]) -> dict[str, list[RecordProblem]]:
    out: dict[str, list[RecordProblem]] = {}
    for p in found:
        out.setdefault(p.code, []).append(p)
    return out


# ---------------------------------------------------------------- load_all


def test_load_all_example_county() -> None:
    loaded = records.load_all(EXAMPLE, TODAY)
    assert set(loaded) == set(records.RECORD_NAMES)
    assert set(records.DRAW_RECORDS) <= set(loaded)
    assert all(p.severity == "warning" for p in loaded.problems)
    ent = loaded["enterprises"]
    assert ent.n_rows == len(rows_of("enterprises")[1]) and ent.n_active < ent.n_rows
    assert loaded.snapshot("enterprises") == ent.snapshot
    assert len(ent.snapshot_hash) == 64


def test_load_all_raises_with_every_problem(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("checklist")
    rows[0][header.index("检查依据")] = ""
    rows[1][header.index("适用行业")] = "危险化学品运输"
    write_csv(directory / "checklist.csv", [header, *rows])
    with pytest.raises(records.RecordsInvalid) as err:
        records.load_all(directory, TODAY)
    assert isinstance(err.value, CheckFailed) and err.value.code == "records-invalid"
    found = {p.code for p in err.value.problems if p.severity == "error"}
    assert {"checklist.no_legal_basis", "industries.unknown"} <= found
    assert "checklist.csv:2:检查依据" in str(err.value)


# ---------------------------------------------------------------- workbooks


def _workbook(path: Path, table: list[list[object]], *, title_rows: int = 0) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for _ in range(title_rows):
        ws.append(["示例县应急管理局执法检查人员名录库"])
    for row in table:
        ws.append(row)
    wb.save(path)


def test_xlsx_damage_dates_and_letters(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("enterprises")
    table: list[list[object]] = [list(header), *[list(r) for r in rows]]
    code_col, added_col = header.index("统一社会信用代码"), header.index("纳入日期")
    table[1][code_col] = 9.1111e17  # typed as a number: Excel shows 9.1111E+17
    table[2][added_col] = datetime(2020, 5, 6)  # a real date cell
    table[3][added_col] = 43957  # a bare serial number
    (directory / "enterprises.csv").unlink()
    _workbook(directory / "enterprises.xlsx", table)
    found = codes(problems(directory))
    (damaged,) = found["uscc.excel_damaged"]
    assert str(damaged.location) == "enterprises.xlsx:2:统一社会信用代码（A列）"
    assert "文本" in damaged.message
    assert "cell.date" not in found


def test_xlsx_number_code_as_excel_shows_it(tmp_path: Path) -> None:
    """A number cell whose 15 significant digits make an 18-digit valid code is accepted.

    Excel keeps 15 significant digits; a code like 91330100xxxxxx1000 survives being typed
    as a number (the example county's xlsx sample has one). The check character decides.
    """
    digits = next(
        code
        for i in range(100000)
        if (code := make_code("9", "1", "330100", f"{i:05d}000")).isdigit() and code.endswith("000")
    )
    directory = county(tmp_path)
    header, rows = rows_of("enterprises")
    table: list[list[object]] = [list(header), *[list(r) for r in rows]]
    table[5][0] = float(digits)
    (directory / "enterprises.csv").unlink()
    _workbook(directory / "enterprises.xlsx", table)
    loaded = records.load_all(directory, TODAY)
    assert digits in {r["uscc"] for r in loaded.rows("enterprises")}


def test_xlsx_title_rows_numbers_and_second_sheet(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("experts")
    table: list[list[object]] = [list(header), *[list(r) for r in rows]]
    table[1][0] = 1  # 专家编号 typed as a number
    table[3][header.index("专业领域")] = "炼金术"
    (directory / "experts.csv").unlink()
    path = directory / "experts.xlsx"
    _workbook(path, table, title_rows=2)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("草稿")["B2"] = "旧数据"
    wb.save(path)
    found = codes(problems(directory))
    (unknown,) = found["specialties.unknown"]
    assert (
        str(unknown.location) == "experts.xlsx:6:专业领域（C列）"
    )  # 2 title rows + header + 3rd row
    assert found["id.number_cell"][0].location.row == 4
    assert "草稿" in found["file.note"][0].message


# ---------------------------------------------------------------- headers and rows


def test_aliases_title_rows_and_blank_rows_keep_row_numbers(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("checklist")
    aliases = [records.BY_NAME["checklist"].header_index()[h].alias for h in header]
    blank = [""] * len(header)
    rows[2][header.index("检查依据")] = ""
    table = [["随机抽查事项清单（2026年版）"], aliases, rows[0], blank, rows[1], rows[2], *rows[3:]]
    write_csv(directory / "checklist.csv", table)
    (problem,) = codes(problems(directory))["checklist.no_legal_basis"]
    assert str(problem.location) == "checklist.csv:6:legal_basis"  # title, header, 2 rows, blank
    loaded = records.load_all(county(tmp_path / "again"), TODAY)
    assert loaded["checklist"].n_rows == len(rows)


def test_duplicate_missing_and_headerless_columns(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("recusals")
    table = [[*header[:3], "uscc", ""], *[[*r[:3], r[1], "x"] for r in rows]]
    write_csv(directory / "recusals.csv", table)
    found = codes(problems(directory))
    assert found["column.duplicate"][0].location.column == "uscc"
    assert found["column.missing"][0].location.column == "登记日期"
    assert found["column.no_header"][0].location.column == "（无表头）"


def test_extra_fields_in_a_row(tmp_path: Path) -> None:
    directory = county(tmp_path)
    text = (directory / "experts.csv").read_text("utf-8").splitlines()
    text[3] += ",多出来的,字段"
    (directory / "experts.csv").write_text("\n".join(text) + "\n", "utf-8")
    (problem,) = codes(problems(directory))["file.unreadable"]
    assert problem.location.row == 4 and "引号" in problem.message


def test_late_gb18030_byte_falls_back(tmp_path: Path) -> None:
    """Valid UTF-8 for the first 64 KiB, then a GB18030 byte: the whole file is GB18030."""
    directory = county(tmp_path)
    header, rows = rows_of("recusals")
    aliases = [records.BY_NAME["recusals"].header_index()[h].alias for h in header]
    body = [aliases, *[[r[0], r[1], "other", r[3]] for r in rows]]
    text = "\r\n".join(",".join(r) for r in body) + "\r\n"
    text = text + "\r\n" * 70000  # blank lines: ASCII beyond the first 64 KiB
    text += f"{rows[0][0]},{rows[1][1]},近亲属在该单位任职,2025-03-12\r\n"
    (directory / "recusals.csv").write_bytes(text.encode("gb18030"))
    loaded = records.load_all(directory, TODAY)
    assert loaded["recusals"].encoding == "gb18030"
    assert "近亲属在该单位任职" in {r["reason"] for r in loaded.rows("recusals")}


# ---------------------------------------------------------------- more rules


def test_codes_and_spellings(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("enterprises")
    c = header.index("统一社会信用代码")
    zero = make_code("0", "1", "330100", "12345678")  # a code that starts with 0
    rows[0][c] = zero[1:]  # Excel dropped the 0
    org_bad = make_code("9", "1", "330100", "12345678")
    first17 = org_bad[:16] + ("0" if org_bad[16] != "0" else "1")
    rows[1][c] = first17 + check_char(first17)  # GB 32100 check fine, GB 11714 not
    rows[2][c] = rows[2][c][:5] + "O" + rows[2][c][6:]  # the letter O
    rows[3][header.index("行业类别")] = "危险化学品经营(带储存)"  # half-width brackets
    rows[4][header.index("退出日期")] = "2025-01-01"  # but still 在册
    write_csv(directory / "enterprises.csv", [header, *rows])
    found = codes(problems(directory))
    assert f"0{zero[1:]}" in found["uscc.leading_zero"][0].message
    assert found["uscc.org_code"][0].severity == "warning"
    assert "是否应为 0" in found["uscc.invalid"][0].message
    assert "industry.unknown" not in found
    assert found["retire.still_active"][0].location.row == 6
    directory2 = county(tmp_path / "b")
    header, rows = rows_of("enterprises")
    rows[3][header.index("行业类别")] = "危险化学品经营(带储存)"
    write_csv(directory2 / "enterprises.csv", [header, *rows])
    ent = {r["uscc"]: r for r in records.load_all(directory2, TODAY).rows("enterprises")}
    assert (
        ent[rows[3][c]]["industry"] == "危险化学品经营（带储存）"
    )  # stored in the list's spelling


def test_person_id_clash_and_duplicate_certificate(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, rows = rows_of("experts")
    rows[0][0] = "ZF004"
    write_csv(directory / "experts.csv", [header, *rows])
    header, rows = rows_of("inspectors")
    rows[5][header.index("执法证号")] = rows[4][header.index("执法证号")]
    write_csv(directory / "inspectors.csv", [header, *rows])
    found = codes(problems(directory))
    assert found["person.id_clash"][0].location.file == "experts.csv"
    assert {p.location.row for p in found["inspector.cert_duplicate"]} == {6, 7}


def test_empty_cert_no_for_staff_outside_the_establishment() -> None:
    """编外 staff hold no 执法证: their 执法证号 is the empty string in the snapshot, and
    several empty ones are not a duplicate (docs/spec/02-records.md §2.6)."""
    loaded = records.load_all(EXAMPLE, TODAY)
    snap = loaded["inspectors"].snapshot.decode().splitlines()
    cols = json.loads(snap[0])["columns"]
    rows = [dict(zip(cols, json.loads(line), strict=True)) for line in snap[1:]]
    outside = [r for r in rows if r["staffing"] == "编外"]
    assert len(outside) > 1 and all(r["cert_no"] == "" for r in outside)
    assert not [
        p for p in loaded.problems if p.code in ("inspector.cert_duplicate", "inspector.no_cert")
    ]
