"""Inspection results in content/records/results/: read and checked by `suiji check`.

The example county's sample (samples/results.csv) passes; each rule is then broken once
on a copy and must come back with its exact code at its row and column, exit 1, and
nothing written. Results are optional: no folder, no problem.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.support import vectors
from tests.test_records_check import EXAMPLE, check_json, id_number, make_county, run, tree_hash

from suiji.records.cells import parse_categories, parse_findings, parse_ids
from suiji.records.schema import RESULT_CATEGORIES, RESULTS

SAMPLE = EXAMPLE / "samples" / "results.csv"
HEADERS = [c.header for c in RESULTS.columns]


def with_results(tmp_path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """The example county with a results file: the sample, or these rows over it."""
    root = make_county(tmp_path)
    folder = root / "content" / "records" / "results"
    folder.mkdir()
    if rows is None:
        shutil.copy(SAMPLE, folder / "2026-002.csv")
    else:
        write(folder / "2026-002.csv", rows)
    return root


def sample_rows() -> list[dict[str, str]]:
    import csv
    import io

    text = SAMPLE.read_bytes().decode("utf-8-sig")
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def write(path: Path, rows: list[dict[str, str]], headers: list[str] = HEADERS) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[r.get(h, "") for h in headers] for r in rows])
    path.write_bytes(out.getvalue().encode("utf-8"))


def problems(root: Path) -> list[dict[str, Any]]:
    code, report = check_json(root)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert (code == 1) == bool(errors)
    return errors


def only_error(root: Path) -> dict[str, Any]:
    before = tree_hash(root)
    found = problems(root)
    assert len(found) == 1, found
    assert tree_hash(root) == before
    assert found[0]["file"] == "content/records/results/2026-002.csv"
    return found[0]


def changed(row: int, **cells: str) -> list[dict[str, str]]:
    """The sample with Excel row `row` (header = 1) changed: header → new text."""
    rows = sample_rows()
    rows[row - 2].update(cells)
    return rows


# ---------------------------------------------------------------- the sample


def test_sample_passes_and_is_reported(tmp_path: Path) -> None:
    root = with_results(tmp_path)
    before = tree_hash(root)
    code, out, err = run(root)
    assert code == 0, out + err
    assert "content/records/results/2026-002.csv: UTF-8（带 BOM），3 行（检查结果）" in out
    assert out.splitlines()[-1].startswith("检查通过：6 个记录、1 个检查结果文件")
    assert tree_hash(root) == before
    _, report = check_json(root)
    results = [r for r in report["records"] if r["record"] == "results"]
    assert results == [
        {
            "active_rows": 3,
            "encoding": "utf-8-sig",
            "file": "content/records/results/2026-002.csv",
            "record": "results",
            "rows": 3,
            "snapshot": None,
        }
    ]


def test_no_results_folder_is_fine(tmp_path: Path) -> None:
    root = make_county(tmp_path)
    code, report = check_json(root)
    assert code == 0 and not any(r["record"] == "results" for r in report["records"])


def test_sample_values_are_normalised(tmp_path: Path) -> None:
    from suiji.records.results import check_results

    root = with_results(tmp_path)
    found = check_results(root / "content" / "records", root)
    assert found.problems == ()
    (record,) = found.records
    v = record.values
    assert list(v["categories"]) == [
        ("未发现问题",),
        ("发现问题经责令已改正",),  # written 发现问题已责令改正
        ("已关闭停业或正在组织清算",),  # written as its code, 7
    ]
    assert v["findings"][1] == (("TY-001", "符合"), ("TY-012", "不符合"), ("WH-016", "不符合"))
    assert v["findings"][2] == ()
    assert v["team"][0] == ("ZF002", "ZF005", "ZF007")
    assert v["started_on"][1] == "2026-02-04" and v["decided_on"][1] == "2026-02-10"


# ---------------------------------------------------------------- each rule


@pytest.mark.parametrize(
    ("row", "cells", "code", "column"),
    [
        (2, {"检查结束日期": "2026-02-02"}, "result.ended_before_start", "检查结束日期"),
        (2, {"检查报告日期": "2026-02-02"}, "result.report_before_end", "检查报告日期"),
        (2, {"反馈日期": "2026-02-03"}, "result.feedback_before_report", "反馈日期"),
        (3, {"整改完成日期": "2026-02-01"}, "result.rectified_before_start", "整改完成日期"),
        (3, {"整改期限": "2026-02-01"}, "result.rectify_by_before_start", "整改期限"),
        (3, {"处罚决定日期": "2026-01-30"}, "result.decided_before_start", "处罚决定日期"),
        (3, {"整改期限": ""}, "result.rectify_no_deadline", "整改期限"),
        (3, {"处罚内容": ""}, "result.penalty_incomplete", "处罚内容"),
        (2, {"处罚决定书文号": "示应急罚〔2026〕9号"}, "result.penalty_incomplete", "处罚决定日期"),
        (2, {"检查开始日期": "2026-02-30"}, "cell.date", "检查开始日期"),
        (2, {"检查结束日期": "下周"}, "cell.date", "检查结束日期"),
        (2, {"检查结果": "基本合格"}, "result.category_unknown", "检查结果"),
        (2, {"检查结果": "1、A"}, "result.category_conflict", "检查结果"),
        (2, {"检查结果": ""}, "cell.required", "检查结果"),
        (2, {"检查事项及结果": "TY-001 符合"}, "result.findings_syntax", "检查事项及结果"),
        (2, {"检查事项及结果": "TY-001:合格"}, "result.finding_unknown", "检查事项及结果"),
        (
            2,
            {"检查事项及结果": "TY-001:符合；ty-001:符合"},
            "result.item_repeated",
            "检查事项及结果",
        ),
        (2, {"检查事项及结果": ""}, "result.no_findings", "检查事项及结果"),
        (2, {"检查事项及结果": "TY-001:不符合"}, "result.findings_contradict", "检查结果"),
        (2, {"实际检查人员": ""}, "cell.required", "实际检查人员"),
        (2, {"任务编号": ""}, "cell.required", "任务编号"),
        (2, {"统一社会信用代码": "91990101721912923F"}, "uscc.invalid", "统一社会信用代码"),
        (2, {"检查情况": "联系人 13812345678"}, "privacy.mobile", "检查情况"),
        (2, {"对被检查人的评价": f"负责人 {id_number()}"}, "privacy.id_card", "对被检查人的评价"),
        (3, {"处罚内容": "罚款，联系 a.b@example.com"}, "privacy.email", "处罚内容"),
        (2, {"更正说明": "原登记有误，电话 138-1234-5678"}, "privacy.mobile", "更正说明"),
    ],
)
def test_each_rule_is_located(
    tmp_path: Path, row: int, cells: dict[str, str], code: str, column: str
) -> None:
    root = with_results(tmp_path, changed(row, **cells))
    found = only_error(root)
    assert (found["code"], found["row"], found["column"]) == (code, row, column)


def test_duplicate_task_and_enterprise(tmp_path: Path) -> None:
    rows = sample_rows()
    again = dict(rows[0], 更正说明="更正检查情况")
    root = with_results(tmp_path, [*rows, again])
    found = only_error(root)
    assert (found["code"], found["row"], found["column"]) == (
        "result.duplicate",
        5,
        "统一社会信用代码",
    )
    assert "第 2 行" in found["message"] and "修改原来那一行" in found["message"]
    # the same enterprise in another task is another inspection
    root2 = with_results(tmp_path / "b", [*rows, dict(rows[0], 任务编号="2026-004")])
    assert problems(root2) == []


def test_duplicate_across_files(tmp_path: Path) -> None:
    rows = sample_rows()
    root = with_results(tmp_path, rows[:2])
    write(root / "content" / "records" / "results" / "more.csv", [rows[0]])
    (found,) = problems(root)
    assert found["code"] == "result.duplicate"
    assert found["file"] == "content/records/results/more.csv" and found["row"] == 2
    assert "content/records/results/2026-002.csv 第 2 行" in found["message"]


def test_required_column_missing_and_unknown_column(tmp_path: Path) -> None:
    root = with_results(tmp_path)
    path = root / "content" / "records" / "results" / "2026-002.csv"
    headers = [h for h in HEADERS if h != "检查结果"] + ["联系电话"]
    write(path, sample_rows(), headers)
    found = {(p["code"], p["column"]) for p in problems(root)}
    assert found == {("column.missing", "检查结果"), ("column.unknown", "联系电话")}


def test_old_xls_and_unreadable_file(tmp_path: Path) -> None:
    root = with_results(tmp_path)
    folder = root / "content" / "records" / "results"
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "broken.xlsx").write_bytes(b"not a zip")
    (folder / "README.md").write_text("说明", encoding="utf-8")
    found = {(p["code"], p["file"]) for p in problems(root)}
    assert found == {
        ("file.xls", "content/records/results/old.xls"),
        ("file.unreadable", "content/records/results/broken.xlsx"),
    }


def test_results_as_xlsx(tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    root = with_results(tmp_path)
    folder = root / "content" / "records" / "results"
    (folder / "2026-002.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in sample_rows():
        cells: list[object] = [r[h] or None for h in HEADERS]
        cells[HEADERS.index("检查开始日期")] = date(2026, 2, 3)
        ws.append(cells)
    ws["H3"].value = "联系人 13812345678"
    wb.save(folder / "2026-002.xlsx")
    (found,) = problems(root)
    assert (found["code"], found["row"], found["column"]) == (
        "privacy.mobile",
        3,
        "检查情况（H列）",
    )


# ---------------------------------------------------------------- cells


def test_category_aliases_and_codes() -> None:
    assert parse_categories("发现问题已责令改正") == ("发现问题经责令已改正",)
    assert parse_categories("E") == parse_categories("发现问题经责令已改正")
    assert parse_categories("a、E；5") == (
        "发现问题待后续处理",
        "发现问题经责令已改正",
        "违反其他部门相关规定",
    )
    for code, name in RESULT_CATEGORIES:
        assert parse_categories(code) == (name,) == parse_categories(name)
    assert parse_categories("通过登记的住所(经营场所)无法联系") == (
        "通过登记的住所（经营场所）无法联系",
    )


def test_findings_and_team_cells() -> None:
    assert parse_findings("WH-016：不符合;\nty-001 : 符合") == (
        ("TY-001", "符合"),
        ("WH-016", "不符合"),
    )
    assert parse_findings("") == ()
    assert parse_ids("zf002、ZF001，ZF002") == ("ZF001", "ZF002")


CELL_PARSERS = {"result_categories": parse_categories, "item_findings": parse_findings}


@pytest.mark.parametrize("kind", sorted(CELL_PARSERS))
def test_vectors(kind: str) -> None:
    cases = vectors.cases("records", kind)
    assert cases
    parse = CELL_PARSERS[kind]
    for case in cases:
        text = case.input["text"]
        if case.rejects:
            got = vectors.raised_code("records", functools.partial(parse, text))
            assert got == case.error, case.id
        else:
            value = parse(text)
            assert [list(v) if isinstance(v, tuple) else v for v in value] == case.output, case.id


def test_gitcheck_checks_staged_results(tmp_path: Path) -> None:
    from tests.test_workbook_privacy import git

    from suiji.cli.app import main

    repo = with_results(tmp_path)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "测试")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "commit.gpgsign", "false")
    git(repo, "add", "-A")
    argv = ["--root", str(repo), "--now", "2026-03-01", "gitcheck"]
    assert main(argv) == 0
    git(repo, "commit", "-q", "-m", "results")
    write(
        repo / "content" / "records" / "results" / "2026-002.csv",
        changed(2, 检查情况="联系人 13812345678"),
    )
    git(repo, "add", "-A")
    assert main(argv) == 1  # the staged results file holds a mobile number
