"""The bundled example county (as `suiji.example.county.generate` writes it) against
docs/RECORDS.md.

Reads the files with csv/openpyxl directly, independent of suiji.records, so the example
data and the records module check each other.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.support.example import example_records

from suiji.example.county import generate
from suiji.records import schema
from suiji.records.schema import SCHEMAS
from suiji.records.uscc import is_valid, org_code_ok

RECORDS = example_records()
CSV_FILES = (
    "enterprises.csv",
    "inspectors.csv",
    "experts.csv",
    "checklist.csv",
    "recusals.csv",
    "annual-plan.csv",
    "samples/enterprises.gb18030.csv",
    "samples/results.csv",
)
XLSX = "samples/enterprises.xlsx"

INDUSTRIES = set(schema.INDUSTRIES)
SPECIALTIES = set(schema.SPECIALTIES)
MULTI = re.compile(r"[、;；,，]")
ARTICLE = re.compile(r"《[^》]+》.*第[一二三四五六七八九十百]+[条项]")  # a law and an article

# Headers exactly as the records schema (docs/RECORDS.md) lists them, in that order.
HEADERS = {f"{schema.name}.csv": [c.header for c in schema.columns] for schema in SCHEMAS}

Row = dict[str, str]


def _read(name: str, encoding: str = "utf-8") -> tuple[list[str], list[Row]]:
    text = (RECORDS / name).read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = [dict(zip(header, cells, strict=True)) for cells in reader]
    return header, rows


def _rows(name: str) -> list[Row]:
    return _read(name, "utf-8-sig" if name == "enterprises.csv" else "utf-8")[1]


def _split(cell: str) -> list[str]:
    return [v.strip() for v in MULTI.split(cell) if v.strip()]


def _active(rows: list[Row], status: str) -> list[Row]:
    return [r for r in rows if r["状态"] == status]


# ---------------------------------------------------------------- reproducible files


def test_regenerating_gives_identical_files(tmp_path: Path) -> None:
    """CSVs byte for byte; the xlsx by cell values and formats (zip bytes depend on zlib).

    Two generations are compared, not the repository's content/records/: a bureau that
    adopts suiji replaces those with its own records."""
    generate(tmp_path)
    for name in CSV_FILES:
        assert (tmp_path / name).read_bytes() == (RECORDS / name).read_bytes(), name
    ours, committed = load_workbook(tmp_path / XLSX), load_workbook(RECORDS / XLSX)
    a = [[(c.value, c.number_format) for c in row] for row in ours.active.iter_rows()]
    b = [[(c.value, c.number_format) for c in row] for row in committed.active.iter_rows()]
    assert a == b


def test_encodings_and_line_ends() -> None:
    for name in CSV_FILES:
        data = (RECORDS / name).read_bytes()
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), name
        bom = name in ("enterprises.csv", "samples/results.csv")  # Excel's "CSV UTF-8"
        assert data.startswith(b"\xef\xbb\xbf") == bom, name
    sample = (RECORDS / "samples/enterprises.gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        sample.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        sample.decode("gbk")  # 𠮷 is outside GBK: only a gb18030 reader gets every name
    assert "𠮷" in sample.decode("gb18030")


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_headers_are_the_documented_ones(name: str) -> None:
    encoding = "utf-8-sig" if name == "enterprises.csv" else "utf-8"
    assert _read(name, encoding)[0] == HEADERS[name]


# ---------------------------------------------------------------- enterprises


def test_enterprise_codes_and_ids() -> None:
    rows = _rows("enterprises.csv")
    codes = [r["统一社会信用代码"] for r in rows]
    assert all(is_valid(c) and org_code_ok(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert len({r["单位名称"] for r in rows}) == len(rows)
    assert {c[:2] for c in codes} == {"91", "92"}
    assert all(c[2:8] == "990101" for c in codes)


def test_enterprise_contents() -> None:
    rows = _rows("enterprises.csv")
    assert len(rows) >= 300
    counts = Counter(r["行业类别"] for r in rows)
    assert set(counts) == INDUSTRIES and min(counts.values()) >= 3
    assert {r["隶属关系"] for r in rows} <= {"中央", "省属", "市属", "县属", "其他"}
    assert {r["规模"] for r in rows} <= {"大型", "中型", "小型", "微型"}
    assert {r["风险等级"] for r in rows} <= {"重大风险", "较大风险", "一般风险", "低风险"}
    assert all("示例" in r["单位名称"] or r["单位名称"].startswith("国联") for r in rows)
    flags = ("重点单位", "投诉较多", "事故多发", "行政处罚", "严重违法", "黑名单", "重大事故隐患")
    for flag in flags:
        assert {r[flag] for r in rows} <= {"是", "否", ""}
        assert any(r[flag] == "是" for r in rows), flag
    retired = [r for r in rows if r["状态"] != "在册"]
    assert 3 <= len(retired) <= 15
    assert {r["状态"] for r in retired} <= {"注销", "吊销", "迁出", "关闭"}
    assert all(r["退出日期"] and r["退出原因"] for r in retired)
    assert not any(r["退出日期"] or r["退出原因"] for r in _active(rows, "在册"))


def test_enterprise_dates() -> None:
    rows = _rows("enterprises.csv")
    for r in rows:
        added, updated = date.fromisoformat(r["纳入日期"]), date.fromisoformat(r["更新日期"])
        assert date(2019, 1, 1) <= added <= updated <= date(2026, 12, 31)
        if r["退出日期"]:
            assert added < date.fromisoformat(r["退出日期"]) <= date(2026, 12, 31)
    in_2026 = sum(r["更新日期"].startswith("2026") for r in rows)
    assert in_2026 > 0.7 * len(rows)


def test_every_district_is_covered_by_a_group() -> None:
    inspectors = _active(_rows("inspectors.csv"), "在岗")
    covered = {r["负责片区"] for r in inspectors if r["检查组"]}
    assert {r["执法片区"] for r in _rows("enterprises.csv")} <= covered


# ---------------------------------------------------------------- inspectors


def test_inspectors() -> None:
    rows = _rows("inspectors.csv")
    assert len(rows) >= 40
    ids = [r["人员编号"] for r in rows]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"ZF\d{3}", i) for i in ids)
    leaders = [r for r in rows if r["分管领导"] == "是"]
    assert len(leaders) >= 3 and all(r["编制"] == "编内" and not r["检查组"] for r in leaders)
    district_of: dict[str, set[str]] = {}
    for r in rows:
        if r["分管领导"] != "是":
            assert r["检查组"] and r["负责片区"], r["人员编号"]
            district_of.setdefault(r["检查组"], set()).add(r["负责片区"])
    assert all(len(d) == 1 for d in district_of.values())  # a group has one district
    assert len(district_of) == 4


def test_inspector_certificates() -> None:
    rows = _rows("inspectors.csv")
    outside = [r for r in rows if r["编制"] == "编外"]
    inside = [r for r in rows if r["编制"] == "编内"]
    assert len(outside) >= 5 and all(not r["执法证号"] and not r["证件有效期至"] for r in outside)
    assert all(r["执法证号"] and r["证件有效期至"] for r in inside)
    certs = [r["执法证号"] for r in inside]
    assert len(set(certs)) == len(certs)
    expiries = [date.fromisoformat(r["证件有效期至"]) for r in inside]
    assert sum(d < date(2026, 1, 1) for d in expiries) >= 1
    assert sum(date(2026, 1, 1) <= d <= date(2026, 12, 31) for d in expiries) >= 2
    gone = [r for r in rows if r["状态"] != "在岗"]
    assert [r["状态"] for r in gone] == ["调离"] and gone[0]["退出日期"] and gone[0]["退出原因"]


# ---------------------------------------------------------------- experts, checklist


def test_experts() -> None:
    rows = _rows("experts.csv")
    assert len(rows) >= 15
    assert len({r["专家编号"] for r in rows}) == len(rows)
    for r in rows:
        assert set(_split(r["专业领域"])) <= SPECIALTIES and _split(r["专业领域"])
    seen = Counter(s for r in _active(rows, "在库") for s in _split(r["专业领域"]))
    assert set(seen) == SPECIALTIES and min(seen.values()) >= 2


def test_checklist() -> None:
    rows = _rows("checklist.csv")
    assert len(_active(rows, "有效")) >= 40
    assert len({r["事项编号"] for r in rows}) == len(rows)
    per_industry: Counter[str] = Counter()
    for r in rows:
        industries = _split(r["适用行业"])
        assert industries and set(industries) <= INDUSTRIES, r["事项编号"]
        assert ARTICLE.search(r["检查依据"]), r["事项编号"]
        assert r["检查方式"] in {"实地检查", "书面检查", "检验检测", "委托专业机构辅助"}
        if r["状态"] == "有效":
            per_industry.update(industries)
        else:
            assert r["状态"] == "废止" and r["退出日期"] and r["退出原因"]
    assert set(per_industry) == INDUSTRIES and min(per_industry.values()) >= 4


# ---------------------------------------------------------------- recusals, plan


def test_recusals_point_at_known_people_and_units() -> None:
    rows = _rows("recusals.csv")
    people = {r["人员编号"] for r in _rows("inspectors.csv")} | {
        r["专家编号"] for r in _rows("experts.csv")
    }
    codes = {r["统一社会信用代码"] for r in _rows("enterprises.csv")}
    assert 4 <= len(rows) <= 10
    pairs = [(r["人员编号"], r["统一社会信用代码"]) for r in rows]
    assert len(set(pairs)) == len(pairs)
    for r in rows:
        assert r["人员编号"] in people and r["统一社会信用代码"] in codes
        assert is_valid(r["统一社会信用代码"])
        assert len(r["回避事由"]) <= 12  # a category, not a story about a person
        date.fromisoformat(r["登记日期"])


def test_annual_plan() -> None:
    rows = _rows("annual-plan.csv")
    units = {r["所在股室"] for r in _rows("inspectors.csv")}
    body = [r for r in rows if r["执法单位"] != "合计"]
    (total,) = [r for r in rows if r["执法单位"] == "合计"]
    assert {r["年度"] for r in rows} == {"2026"}
    assert {r["执法单位"] for r in body} == units
    planned = sum(int(r["计划检查次数"]) for r in body)
    random_ = sum(int(r["其中双随机次数"]) for r in body)
    assert int(total["计划检查次数"]) == planned and int(total["其中双随机次数"]) == random_
    assert all(int(r["其中双随机次数"]) <= int(r["计划检查次数"]) for r in rows)
    assert random_ * 10 >= planned * 3


# ---------------------------------------------------------------- samples


def _xlsx_rows() -> tuple[list[Row], list[float]]:
    """Rows of the xlsx as the CSV spells them; also the codes stored as numbers."""
    ws = load_workbook(RECORDS / XLSX).active
    values = list(ws.iter_rows(values_only=True))
    header = [str(v) for v in values[0]]
    numbers: list[float] = []
    rows: list[Row] = []
    for raw in values[1:]:
        row: Row = {}
        for h, v in zip(header, raw, strict=True):
            if v is None:
                row[h] = ""
            elif isinstance(v, datetime):
                row[h] = v.date().isoformat()
            elif isinstance(v, float | int):
                numbers.append(float(v))
                row[h] = str(int(Decimal(repr(v))))  # 15 significant digits, exact here
            else:
                row[h] = str(v)
        rows.append(row)
    return rows, numbers


def _key(rows: list[Row]) -> list[tuple[str, ...]]:
    return sorted(tuple(r[h] for h in HEADERS["enterprises.csv"]) for r in rows)


def test_xlsx_sample_holds_the_same_rows() -> None:
    csv_rows = _rows("enterprises.csv")
    rows, numbers = _xlsx_rows()
    assert _key(rows) == _key(csv_rows)
    assert [r["统一社会信用代码"] for r in rows] != [r["统一社会信用代码"] for r in csv_rows]
    assert len(numbers) == 1  # exactly one code typed as a number
    code = str(int(Decimal(repr(numbers[0]))))
    assert code.endswith("000") and is_valid(code)


def test_xlsx_dates_are_serials_with_a_date_format() -> None:
    ws = load_workbook(RECORDS / XLSX).active
    dated = [c for row in ws.iter_rows(min_row=2) for c in row if c.is_date]
    assert len(dated) >= 2 * (ws.max_row - 1)
    assert all(c.number_format == "yyyy/m/d" for c in dated)


def test_gb18030_sample_holds_the_same_rows() -> None:
    header, rows = _read("samples/enterprises.gb18030.csv", "gb18030")
    assert header == HEADERS["enterprises.csv"]
    for r in rows:
        for h in ("纳入日期", "更新日期", "退出日期"):
            if r[h]:
                y, m, d = (int(x) for x in r[h].split("/"))  # Excel's display form 2026/1/5
                r[h] = date(y, m, d).isoformat()
    csv_rows = _rows("enterprises.csv")
    assert _key(rows) == _key(csv_rows)
    assert [r["单位名称"] for r in rows] != [r["单位名称"] for r in csv_rows]


# ---------------------------------------------------------------- no personal data

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def test_no_personal_data_in_any_cell() -> None:
    cells = [v for name in HEADERS for r in _rows(name) for v in r.values()]
    cells += [v for r in _xlsx_rows()[0] for v in r.values()]
    assert len(cells) > 5000
    for cell in cells:
        assert not MOBILE.search(cell), cell
        assert not ID_CARD.search(cell), cell
        assert not EMAIL.search(cell), cell
