"""`suiji check` on the example county and on copies with one defect planted each.

Every defect must come back as a located message (`file:row:column: …`) with the right
code and exit 1 (warnings: exit 0), and check must never write anything.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from tests.support.example import example_records

from suiji.cli.app import main
from suiji.records.cells import id_card_ok

EXAMPLE = example_records()
NOW = "2026-03-01"


def make_county(tmp_path: Path) -> Path:
    """A bureau root whose content/records/ holds the example county's six records."""
    root = tmp_path / "bureau"
    records = root / "content" / "records"
    records.mkdir(parents=True)
    for path in EXAMPLE.iterdir():
        if path.is_file():
            shutil.copy(path, records / path.name)
    return root


def read_csv(path: Path) -> tuple[list[str], list[list[str]], bool]:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return rows[0], rows[1:], bom


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def edit(root: Path, record: str, change: Callable[[list[str], list[list[str]]], None]) -> None:
    """Apply `change(header, rows)` to content/records/<record>.csv in place."""
    path = root / "content" / "records" / f"{record}.csv"
    header, rows, bom = read_csv(path)
    change(header, rows)
    write_csv(path, header, rows, bom=bom)


def set_cell(
    record_rows: list[list[str]], header: list[str], row: int, column: str, value: str
) -> None:
    """Set the cell at Excel row `row` (header = 1) under `column`."""
    record_rows[row - 2][header.index(column)] = value


def run(root: Path, *args: str, now: str = NOW) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), "--now", now, "check", *args])
    return code, out.getvalue(), err.getvalue()


def check_json(root: Path, now: str = NOW) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(root, "--json", now=now)
    return code, json.loads(out)


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def id_number(birth: str = "19800101", area: str = "110101", seq: str = "123") -> str:
    body = area + birth + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    number = body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    assert id_card_ok(number)
    return number


# ---------------------------------------------------------------- the example county


def test_example_county_is_clean(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    before = tree_hash(root)
    code, out, err = run(root)
    assert code == 0, out + err
    lines = out.splitlines()
    for name in ("enterprises", "inspectors", "experts", "checklist", "recusals", "annual-plan"):
        line = next(x for x in lines if x.startswith(f"content/records/{name}.csv: "))
        assert "快照" in line and len(line.split("快照 ")[1]) == 64
    assert lines[-1].startswith("检查通过：6 个记录")
    assert tree_hash(root) == before


def test_json_shape_is_stable(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    code, report = check_json(root)
    assert code == 0
    assert set(report) == {"ok", "records", "problems"} and report["ok"] is True
    ent = report["records"][0]
    assert set(ent) == {"record", "file", "encoding", "rows", "active_rows", "snapshot"}
    assert ent["record"] == "enterprises" and ent["encoding"] == "utf-8-sig"
    assert ent["rows"] >= ent["active_rows"] > 0
    for problem in report["problems"]:
        assert set(problem) == {"file", "row", "column", "severity", "code", "message"}
        assert problem["severity"] == "warning"


def test_missing_records_dir_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run(tmp_path)
    assert code == 2 and "content/records" in err


# ---------------------------------------------------------------- planted defects

Defect = Callable[[Path], None]


def _uscc_bad_check(root: Path) -> None:
    def change(h: list[str], rows: list[list[str]]) -> None:
        code = rows[0][0]
        set_cell(rows, h, 2, "统一社会信用代码", code[:17] + ("0" if code[17] != "0" else "1"))

    edit(root, "enterprises", change)


def _uscc_scientific(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 3, "统一社会信用代码", "9.19901E+17"))


def _duplicate_id(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 4, "统一社会信用代码", r[0][0].lower()))


def _unknown_industry(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 5, "行业类别", "危险化学品运输"))


def _uncovered_district(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 6, "执法片区", "第九片区"))


def _group_without_district(root: Path) -> None:
    edit(root, "inspectors", lambda h, r: set_cell(r, h, 5, "负责片区", ""))


def _group_disagrees(root: Path) -> None:
    edit(root, "inspectors", lambda h, r: set_cell(r, h, 6, "负责片区", "第二片区"))


def _recusal_unknown_person(root: Path) -> None:
    edit(root, "recusals", lambda h, r: set_cell(r, h, 3, "人员编号", "ZF999"))


def _recusal_unknown_enterprise(root: Path) -> None:
    edit(root, "recusals", lambda h, r: set_cell(r, h, 2, "统一社会信用代码", "91110000600037341L"))


def _no_legal_basis(root: Path) -> None:
    edit(root, "checklist", lambda h, r: set_cell(r, h, 4, "检查依据", " "))


def _plan_total(root: Path) -> None:
    edit(root, "annual-plan", lambda h, r: set_cell(r, h, 6, "计划检查次数", "700"))


def _plan_random_exceeds(root: Path) -> None:
    edit(root, "annual-plan", lambda h, r: set_cell(r, h, 5, "其中双随机次数", "41"))


def _plan_unknown_unit(root: Path) -> None:
    edit(root, "annual-plan", lambda h, r: set_cell(r, h, 2, "执法单位", "宣传股"))


def _private_column(root: Path) -> None:
    def change(h: list[str], rows: list[list[str]]) -> None:
        h.append("联系电话")
        for row in rows:
            row.append("")

    edit(root, "inspectors", change)


def _mobile(root: Path) -> None:
    edit(
        root,
        "enterprises",
        lambda h, r: set_cell(r, h, 7, "经营地址", "城关镇工业路1号，联系人138 1234 5678"),
    )


def _id_card(root: Path) -> None:
    edit(
        root, "experts", lambda h, r: set_cell(r, h, 3, "工作单位", f"示例化工院（{id_number()}）")
    )


def _email(root: Path) -> None:
    edit(
        root,
        "checklist",
        lambda h, r: set_cell(r, h, 2, "检查内容", "材料发至 wang.li@example.com"),
    )


def _full_width_mobile(root: Path) -> None:
    edit(
        root,
        "enterprises",
        lambda h, r: set_cell(r, h, 8, "单位名称", "示例县张三１３９１２３４５６７８"),
    )


def _retired_without_reason(root: Path) -> None:
    def change(h: list[str], rows: list[list[str]]) -> None:
        set_cell(rows, h, 9, "状态", "注销")
        set_cell(rows, h, 9, "退出日期", "2025年12月1日")
        set_cell(rows, h, 9, "退出原因", "")

    edit(root, "enterprises", change)


def _retired_without_date(root: Path) -> None:
    def change(h: list[str], rows: list[list[str]]) -> None:
        set_cell(rows, h, 8, "状态", "调离")
        set_cell(rows, h, 8, "退出原因", "工作调动")

    edit(root, "inspectors", change)


def _bad_date(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 10, "纳入日期", "2025年13月1日"))


def _bad_flag(root: Path) -> None:
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 11, "黑名单", "有"))


def _missing_cert(root: Path) -> None:
    edit(root, "inspectors", lambda h, r: set_cell(r, h, 6, "执法证号", ""))


def _leading_zero(root: Path) -> None:
    edit(
        root,
        "enterprises",
        lambda h, r: set_cell(r, h, 12, "统一社会信用代码", "1" + r[10][0][:16]),
    )


DEFECTS: list[tuple[str, Defect, str, str, str]] = [
    # (id, plant, expected location prefix, expected code, a word of the message)
    (
        "bad check char",
        _uscc_bad_check,
        "enterprises.csv:2:统一社会信用代码",
        "uscc.invalid",
        "校验码",
    ),
    (
        "scientific notation",
        _uscc_scientific,
        "enterprises.csv:3:统一社会信用代码",
        "uscc.excel_damaged",
        "文本",
    ),
    (
        "duplicate id",
        _duplicate_id,
        "enterprises.csv:4:统一社会信用代码",
        "id.duplicate",
        "第 2 行",
    ),
    (
        "unknown industry",
        _unknown_industry,
        "enterprises.csv:5:行业类别",
        "industry.unknown",
        "危险化学品运输",
    ),
    (
        "uncovered district",
        _uncovered_district,
        "enterprises.csv:6:执法片区",
        "district.uncovered",
        "第九片区",
    ),
    (
        "group without district",
        _group_without_district,
        "inspectors.csv:5:负责片区",
        "inspector.no_district",
        "负责片区",
    ),
    (
        "group disagrees",
        _group_disagrees,
        "inspectors.csv:6:负责片区",
        "group.district_mismatch",
        "第一检查组",
    ),
    (
        "recusal unknown person",
        _recusal_unknown_person,
        "recusals.csv:3:人员编号",
        "recusal.unknown_person",
        "ZF999",
    ),
    (
        "recusal unknown enterprise",
        _recusal_unknown_enterprise,
        "recusals.csv:2:统一社会信用代码",
        "recusal.unknown_enterprise",
        "91110000600037341L",
    ),
    (
        "no legal basis",
        _no_legal_basis,
        "checklist.csv:4:检查依据",
        "checklist.no_legal_basis",
        "检查依据",
    ),
    ("plan total", _plan_total, "annual-plan.csv:6:计划检查次数", "plan.total_mismatch", "680"),
    (
        "plan random > total",
        _plan_random_exceeds,
        "annual-plan.csv:5:其中双随机次数",
        "plan.random_exceeds_total",
        "41",
    ),
    (
        "plan unknown unit",
        _plan_unknown_unit,
        "annual-plan.csv:2:执法单位",
        "plan.unknown_unit",
        "宣传股",
    ),
    ("private column", _private_column, "inspectors.csv::联系电话", "column.unknown", "非公开"),
    ("mobile number", _mobile, "enterprises.csv:7:经营地址", "privacy.mobile", "138****5678"),
    (
        "full-width mobile",
        _full_width_mobile,
        "enterprises.csv:8:单位名称",
        "privacy.mobile",
        "139****5678",
    ),
    ("id card", _id_card, "experts.csv:3:工作单位", "privacy.id_card", "身份证号"),
    ("e-mail", _email, "checklist.csv:2:检查内容", "privacy.email", "w***@example.com"),
    (
        "retired without reason",
        _retired_without_reason,
        "enterprises.csv:9:退出原因",
        "retire.no_reason",
        "注销",
    ),
    (
        "retired without date",
        _retired_without_date,
        "inspectors.csv:8:退出日期",
        "retire.no_date",
        "调离",
    ),
    ("bad date", _bad_date, "enterprises.csv:10:纳入日期", "cell.date", "不存在"),
    ("bad yes/no", _bad_flag, "enterprises.csv:11:黑名单", "cell.yes_no", "是 或 否"),
    (
        "missing certificate",
        _missing_cert,
        "inspectors.csv:6:执法证号",
        "inspector.no_cert",
        "编外",
    ),
    (
        "17-character code",
        _leading_zero,
        "enterprises.csv:12:统一社会信用代码",
        "uscc.leading_zero",
        "17 位",
    ),
]


@pytest.mark.parametrize(
    ("plant", "where", "code", "word"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_defect_is_reported_where_it_is(
    tmp_path: Path, plant: Defect, where: str, code: str, word: str
) -> None:
    root = make_county(tmp_path)
    plant(root)
    before = tree_hash(root)
    exit_code, out, _ = run(root)
    assert exit_code == 1, out
    expected = f"content/records/{where}".replace("::", ":")
    hits = [line for line in out.splitlines() if line.startswith(expected)]
    assert hits, f"no line at {expected}:\n{out}"
    assert any(word in line for line in hits), hits
    assert out.splitlines()[-1].startswith("检查未通过")
    _, report = check_json(root)
    assert report["ok"] is False
    assert code in {p["code"] for p in report["problems"] if p["severity"] == "error"}
    assert all(r["snapshot"] is None for r in report["records"])
    assert tree_hash(root) == before


def test_private_column_has_no_row(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    _private_column(root)
    _, report = check_json(root)
    (problem,) = [p for p in report["problems"] if p["code"] == "column.unknown"]
    assert problem["row"] is None and problem["column"] == "联系电话"
    assert "公开" in problem["message"] and "删除" in problem["message"]


def test_all_defects_at_once_in_one_pass(tmp_path: Path) -> None:
    """One run reports every planted error, not just the first."""
    root = make_county(tmp_path)
    plants = [
        d for d in DEFECTS if d[0] not in ("duplicate id", "17-character code", "bad check char")
    ]
    for _, plant, *_ in plants:
        plant(root)
    code, report = check_json(root)
    assert code == 1
    found = {p["code"] for p in report["problems"]}
    assert {d[3] for d in plants} <= found


# ---------------------------------------------------------------- warnings: exit 0


def test_expired_certificate_is_a_warning(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    edit(root, "inspectors", lambda h, r: set_cell(r, h, 6, "证件有效期至", "2026/2/28"))
    code, out, _ = run(root)
    assert code == 0, out
    assert any(
        line.startswith("content/records/inspectors.csv:6:证件有效期至: 警告：")
        and "2026-02-28" in line
        for line in out.splitlines()
    ), out


def test_stale_registry_is_a_warning(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    code, report = check_json(root, now="2027-12-01")
    assert code == 0 and report["ok"]
    (stale,) = [p for p in report["problems"] if p["code"] == "registry.stale"]
    assert stale["file"] == "content/records/enterprises.csv" and stale["row"] is None
    assert "每年" in stale["message"]
    code, report = check_json(root, now="2026-06-01")
    assert "registry.stale" not in {p["code"] for p in report["problems"]}


def test_legacy_registration_number_is_a_warning(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    edit(root, "enterprises", lambda h, r: set_cell(r, h, 5, "统一社会信用代码", "110108000123456"))
    code, report = check_json(root)
    assert code == 0
    assert "uscc.legacy" in {p["code"] for p in report["problems"] if p["severity"] == "warning"}


def test_low_random_share_is_a_warning(tmp_path: Path) -> None:
    root = make_county(tmp_path)

    def change(h: list[str], rows: list[list[str]]) -> None:
        for row in rows:
            row[h.index("其中双随机次数")] = "10" if row[h.index("执法单位")] != "合计" else "40"

    edit(root, "annual-plan", change)
    code, report = check_json(root)
    assert code == 0
    assert "plan.random_share" in {p["code"] for p in report["problems"]}


# ---------------------------------------------------------------- encodings and files


def test_bom_header_and_gb18030_read_the_same(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    _, clean = check_json(root)
    path = root / "content" / "records" / "inspectors.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, bom = check_json(root)
    assert code == 0
    rec = {r["record"]: r for r in bom["records"]}
    assert rec["inspectors"]["encoding"] == "utf-8-sig"
    path.write_bytes(path.read_bytes()[3:].decode("utf-8").encode("gb18030"))
    code, gb = check_json(root)
    rec_gb = {r["record"]: r for r in gb["records"]}
    assert code == 0 and rec_gb["inspectors"]["encoding"] == "gb18030"
    snapshots = {r["record"]: r["snapshot"] for r in clean["records"]}
    assert (
        rec["inspectors"]["snapshot"] == rec_gb["inspectors"]["snapshot"] == snapshots["inspectors"]
    )


def test_double_bom_header_still_reads(tmp_path: Path) -> None:
    """A file saved twice with a BOM keeps a U+FEFF on its first header: still recognised."""
    root = make_county(tmp_path)
    path = root / "content" / "records" / "recusals.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + path.read_bytes())
    code, out, _ = run(root)
    assert code == 0, out


def test_undecodable_file(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    path = root / "content" / "records" / "experts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().decode("utf-8").encode("gb18030"))
    code, out, _ = run(root)
    assert code == 1
    assert "content/records/experts.csv: " in out and "CSV UTF-8" in out


def test_both_formats_is_an_error_naming_both(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    shutil.copy(
        EXAMPLE / "samples" / "enterprises.xlsx", root / "content" / "records" / "enterprises.xlsx"
    )
    code, out, _ = run(root)
    assert code == 1
    assert any(
        "enterprises.csv" in line and "enterprises.xlsx" in line for line in out.splitlines()
    )


def test_missing_record_and_unknown_file(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    records = root / "content" / "records"
    (records / "experts.csv").rename(records / "专家库.csv")
    code, report = check_json(root)
    assert code == 1
    codes = {p["code"]: p for p in report["problems"]}
    assert codes["file.missing"]["file"] == "content/records/experts.csv"
    assert codes["file.unknown"]["severity"] == "warning"


def test_xlsx_sample_in_place_of_csv(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    _, clean = check_json(root)
    records = root / "content" / "records"
    (records / "enterprises.csv").unlink()
    shutil.copy(EXAMPLE / "samples" / "enterprises.xlsx", records / "enterprises.xlsx")
    code, report = check_json(root)
    assert code == 0, report["problems"]
    assert report["records"][0]["encoding"] == "xlsx"
    assert report["records"][0]["snapshot"] == clean["records"][0]["snapshot"]


def test_help_is_chinese_with_english() -> None:
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        main(["check", "--help"])
    assert exit_info.value.code == 0
    assert "content/records" in out.getvalue() and "--json" in out.getvalue()


def test_reading_snapshots_does_not_load_pandas() -> None:
    """A verifier that only parses snapshots need not import pandas or numpy."""
    import subprocess
    import sys

    code = (
        "import sys; from suiji.records import parse_snapshot, BY_NAME; "
        "from suiji.draw.eligibility import inspector_roles; "
        "print('pandas' in sys.modules or 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
