"""A huge first worksheet is read in parts; what the reader returns must not change.

The parts path is forced here on small workbooks (every part a few rows) and compared,
field by field, with the whole-sheet read of the same file.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from suiji.records import xlsx
from suiji.records.io import RawTable, ReadFailure, read_xlsx_file
from suiji.records.schema import BY_NAME

HEADERS = ["统一社会信用代码", "单位名称", "行业类别", "纳入日期", "规模"]


def _build(path: Path, *, offset_col: int = 0) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名录"
    pad = [None] * offset_col
    ws.append([*pad, "示例县应急管理局企业名录库"])  # a title row above the header
    ws.append([*pad, *HEADERS])
    for i in range(40):
        if i in (7, 8, 23):
            ws.append([])  # blank rows, some falling between parts
            continue
        code: object = f"91990101{i:09d}X"
        if i == 5:
            code = 919901015450123456  # typed as a number
        ws.append([*pad, code, f"单位{i % 6}", "危险化学品生产", date(2024, 1, 1 + i % 20), i])
    ws.row_dimensions[12].hidden = True
    ws.column_dimensions["Z"].hidden = True
    ws["Z3"] = "隐藏列里的字"
    wb.create_sheet("备注")["A1"] = "另一个工作表"
    wb.save(path)
    return path


def _same(a: RawTable, b: RawTable) -> None:
    for name in ("headers", "typed", "letters", "header_row", "notes", "outside", "formulas"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.excel_rows.tolist() == b.excel_rows.tolist()
    assert [c.tolist() for c in a.cells] == [c.tolist() for c in b.cells]


@pytest.mark.parametrize("offset_col", [0, 2])
@pytest.mark.parametrize("part_bytes", [600, 1 << 20])
def test_reading_in_parts_gives_the_same_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset_col: int, part_bytes: int
) -> None:
    path = _build(tmp_path / "enterprises.xlsx", offset_col=offset_col)
    schema = BY_NAME["enterprises"]
    whole = read_xlsx_file(path, "enterprises.xlsx", schema)
    assert whole.n > 30 and whole.typed[offset_col] and whole.outside and whole.notes
    monkeypatch.setattr(xlsx, "PART_FROM", 0)
    monkeypatch.setattr(xlsx, "PART_BYTES", part_bytes)
    opened = xlsx.read_workbook(path, "enterprises.xlsx")
    assert opened._parts is not None  # the parts path is really taken
    made: list[int] = []
    build = xlsx._workbook_bytes

    def counted(members: dict[str, bytes], member: str, sheet: bytes) -> object:
        made.append(len(sheet))
        return build(members, member, sheet)

    monkeypatch.setattr(xlsx, "_workbook_bytes", counted)
    _same(whole, read_xlsx_file(path, "enterprises.xlsx", schema))
    assert (len(made) > 5) == (part_bytes < 1000), made  # small parts: many of them


def test_a_damaged_later_part_is_reported_like_a_damaged_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _build(tmp_path / "source.xlsx")
    damaged = tmp_path / "enterprises.xlsx"
    bad = b'<c r="A35" t="s"><v>99999</v></c>'  # a shared string that does not exist
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(damaged, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b'<c r="A35"')
                data = data[:at] + bad + data[at:]
            out.writestr(info, data)
    assert bad in zipfile.ZipFile(damaged).read("xl/worksheets/sheet1.xml")
    schema = BY_NAME["enterprises"]
    monkeypatch.setattr(xlsx, "PART_FROM", 0)
    monkeypatch.setattr(xlsx, "PART_BYTES", 600)  # row 35 is met long after the header
    with pytest.raises(ReadFailure) as caught:
        read_xlsx_file(damaged, "enterprises.xlsx", schema)
    assert caught.value.message.startswith("无法作为 Excel 工作簿（.xlsx）打开")
