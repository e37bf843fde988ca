"""The .xlsx reader: values from python-calamine, the rest from the worksheet's XML.

The workbooks here are written as Excel writes them (attribute order `r`, `s`, `t`,
shared strings, legacy notes and threaded comments, hidden rows far into the sheet), so
what calamine does not expose is shown to come from the one XML scan.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from suiji.records.io import read_xlsx_file
from suiji.records.schema import BY_NAME
from suiji.records.xlsx import cell_text, column_index, letter

SCHEMA = BY_NAME["experts"]
HEADER = ["姓名", "专业领域", "职称", "工作单位", "退出日期", "退出原因"]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _workbook(path: Path, rows_xml: str, *, extra: dict[str, str] | None = None) -> Path:
    strings = [*HEADER, "林志远", "化工工艺", "正高级工程师", "示例院"]
    sst = "".join(f"<si><t>{s}</t></si>" for s in strings)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}><sheets>'
            '<sheet name="专家" sheetId="1" r:id="rId7"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(strings)}">{sst}</sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
            '<cols><col min="4" max="4" width="9" hidden="1"/></cols>'
            f"<sheetData>{rows_xml}</sheetData></worksheet>"
        ),
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def _header_row() -> str:
    cells = "".join(f'<c r="{letter(j)}1" t="s"><v>{j}</v></c>' for j in range(len(HEADER)))
    return f'<row r="1">{cells}</row>'


def _person(r: int, *, hidden: bool = False, numbers: str = "") -> str:
    attrs = ' hidden="1"' if hidden else ""
    return (
        f'<row r="{r}"{attrs}><c r="A{r}" t="s"><v>6</v></c><c r="B{r}" t="s"><v>7</v></c>'
        f'<c r="C{r}" t="s"><v>8</v></c><c r="D{r}" t="s"><v>9</v></c>{numbers}</row>'
    )


def test_hidden_rows_far_into_the_sheet_and_hidden_columns_come_from_the_xml(
    tmp_path: Path,
) -> None:
    """A hidden row beyond the scan's first 1 MiB chunk, and a hidden column D."""
    rows = [_header_row()] + [_person(r, hidden=r == 30000) for r in range(2, 30002)]
    path = _workbook(tmp_path / "experts.xlsx", "".join(rows))
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size > 3 << 20
    table = read_xlsx_file(path, "experts.xlsx", SCHEMA)
    hidden = {(loc.row, loc.column) for loc, what, _text in table.outside if what == "隐藏的行或列"}
    assert {(30000, "A列"), (30000, "B列"), (30000, "C列")} <= hidden  # the hidden row
    assert (2, "D列") in hidden and (30001, "D列") in hidden  # the hidden column
    assert (2, "A列") not in hidden
    assert table.n == 30000 and table.cells[0][0] == "林志远"


def test_legacy_notes_and_threaded_comments_come_from_the_xml(tmp_path: Path) -> None:
    notes = (
        f"<comments {NS}><authors><author>科员</author></authors><commentList>"
        '<comment ref="B3" authorId="0"><text><r><t>联系电话 </t></r><r><t>13812345678</t></r>'
        "</text></comment></commentList></comments>"
    )
    threaded = (
        '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        '<threadedComment ref="C2" id="{1}"><text>请核对职称</text></threadedComment>'
        "</ThreadedComments>"
    )
    path = _workbook(
        tmp_path / "experts.xlsx",
        _header_row() + _person(2) + _person(3),
        extra={
            "xl/comments1.xml": notes,
            "xl/threadedComments/threadedComment1.xml": threaded,
        },
    )
    table = read_xlsx_file(path, "experts.xlsx", SCHEMA)
    found = [(str(loc), text) for loc, what, text in table.outside if what == "批注"]
    assert found == [
        ("experts.xlsx:3:B列", "联系电话 13812345678"),
        ("experts.xlsx:2:C列", "请核对职称"),
    ]


def test_numbers_keep_the_type_openpyxl_gave(tmp_path: Path) -> None:
    """Integers stored as integers stay exact ints (a credit code typed as a number);
    Excel's own E-notation stays a float shown with 15 digits; a date serial in a plain
    number cell is an int; shared-string indices are never mistaken for numbers."""
    numbers = (
        '<c r="E2" s="3"><v>919901015450123456</v></c>'
        '<c r="F2" t="n"><v>45000</v></c>'
        '<c r="G2"><v>9.19901015450123E+17</v></c>'
        '<c r="H2"><v>5.5</v></c>'
        '<c r="I2"><f>SUM(1,1)</f></c>'
    )
    path = _workbook(tmp_path / "experts.xlsx", _header_row() + _person(2, numbers=numbers))
    table = read_xlsx_file(path, "experts.xlsx", SCHEMA)
    col = {table.letters[j]: j for j in range(len(table.headers))} if table.letters else {}
    typed = {letter_: table.typed[j].get(0) for letter_, j in col.items()}
    assert typed["E"] == 919901015450123456 and type(typed["E"]) is int
    assert typed["F"] == 45000 and type(typed["F"]) is int
    assert type(typed["G"]) is float and table.cells[col["G"]][0] == "919901015450123000"
    assert typed["H"] == 5.5 and table.cells[col["H"]][0] == "5.5"
    assert typed["A"] is None and table.cells[col["A"]][0] == "林志远"  # t="s" index 6
    assert table.formulas == ("I2",)


def test_cell_text_and_letters() -> None:
    assert [letter(j) for j in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert [column_index(letter(j)) for j in (0, 25, 26, 701, 702)] == [0, 25, 26, 701, 702]
    assert cell_text(9.19901015450123e17) == "919901015450123000"
    assert cell_text(True) == "TRUE" and cell_text(None) == ""
