"""Workbooks as clerks make them: what hides in them, and headers and formulas that confuse.

Personal data on any worksheet, in a cell comment or in a hidden row or column is an error
(the file is published whole); `suiji gitcheck` runs the same check on staged record files.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from tests.support.example import example_records

from suiji import records
from suiji.cli.app import main
from suiji.records import RecordProblem

EXAMPLE = example_records()
TODAY = date(2026, 3, 1)
PHONE = "13812345678"


def county(tmp_path: Path) -> Path:
    target = tmp_path / "records"
    target.mkdir(parents=True)
    for path in EXAMPLE.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    return target


def experts_workbook(directory: Path) -> tuple[Path, openpyxl.Workbook]:
    """experts.csv replaced by experts.xlsx with the same rows (returned unsaved)."""
    header, *rows = csv.reader(io.StringIO((EXAMPLE / "experts.csv").read_text("utf-8-sig")))
    (directory / "experts.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in [header, *rows]:
        ws.append(row)
    return directory / "experts.xlsx", wb


def problems(directory: Path) -> list[RecordProblem]:
    return list(records.check(directory, TODAY).problems)


def errors(directory: Path, code: str) -> list[RecordProblem]:
    return [p for p in problems(directory) if p.code == code and p.severity == "error"]


def test_clean_workbook_passes(tmp_path: Path) -> None:
    directory = county(tmp_path)
    path, wb = experts_workbook(directory)
    wb.save(path)
    assert not [p for p in problems(directory) if p.severity == "error"]


def test_phone_on_second_worksheet_is_an_error(tmp_path: Path) -> None:
    directory = county(tmp_path)
    path, wb = experts_workbook(directory)
    wb.create_sheet("联系方式")["C4"] = f"张三 {PHONE}"
    wb.save(path)
    (found,) = errors(directory, "privacy.mobile")
    assert str(found.location) == "experts.xlsx:4:C列"
    assert "工作表「联系方式」" in found.message and PHONE not in found.message


def test_phone_in_cell_comment_is_an_error(tmp_path: Path) -> None:
    directory = county(tmp_path)
    path, wb = experts_workbook(directory)
    ws = wb.active
    assert ws is not None
    ws["B3"].comment = Comment(f"联系电话 {PHONE}", "科员")
    wb.save(path)
    (found,) = errors(directory, "privacy.mobile")
    assert str(found.location) == "experts.xlsx:3:B列" and "批注" in found.message


def test_phone_in_hidden_row_and_column_is_an_error(tmp_path: Path) -> None:
    directory = county(tmp_path)
    path, wb = experts_workbook(directory)
    ws = wb.active
    assert ws is not None
    ws.insert_rows(1)
    ws["A1"] = f"联系人 {PHONE}"  # a hidden title row
    ws.row_dimensions[1].hidden = True
    wb.save(path)
    (found,) = errors(directory, "privacy.mobile")
    assert found.location.row == 1 and "隐藏的行或列" in found.message


def test_formula_without_saved_value_says_open_and_save(tmp_path: Path) -> None:
    directory = county(tmp_path)
    path, wb = experts_workbook(directory)
    ws = wb.active
    assert ws is not None
    ws["B2"] = '=CONCATENATE("张","三")'  # openpyxl saves no computed value, like some tools
    wb.save(path)
    (found,) = errors(directory, "file.formula_no_value")
    assert "B2" in found.message and "Excel 打开" in found.message and "保存" in found.message


def test_two_row_header_is_recognised(tmp_path: Path) -> None:
    """Group titles above the column names (some merged down) read as one header."""
    directory = county(tmp_path)
    header, *rows = csv.reader(io.StringIO((EXAMPLE / "experts.csv").read_text("utf-8-sig")))
    (directory / "experts.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["示例县应急管理局专家库"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    upper = [header[0], header[1], *["专家信息"] * (len(header) - 2)]
    ws.append(upper)
    ws.append(["", "", *header[2:]])
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    ws.merge_cells(start_row=2, start_column=2, end_row=3, end_column=2)
    for row in rows:
        ws.append(row)
    wb.save(directory / "experts.xlsx")
    found = problems(directory)
    assert not [p for p in found if p.severity == "error"], found
    loaded = records.load_all(directory, TODAY)
    assert loaded["experts"].n_rows == len(rows)
    assert int(loaded["experts"].excel_rows[0]) == 4


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout.strip()


def test_gitcheck_runs_check_on_staged_records(tmp_path: Path) -> None:
    repo = tmp_path / "bureau"
    directory = repo / "content" / "records"
    directory.parent.mkdir(parents=True)
    shutil.copytree(county(tmp_path), directory)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "测试")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "commit.gpgsign", "false")
    git(repo, "add", "-A")
    argv = ["--root", str(repo), "--now", "2026-03-01", "gitcheck"]
    assert main(argv) == 0
    git(repo, "commit", "-q", "-m", "records")
    path, wb = experts_workbook(directory)
    wb.create_sheet("联系方式")["A1"] = PHONE
    wb.save(path)
    git(repo, "add", "-A")
    assert main(argv) == 1  # the staged workbook
    git(repo, "commit", "-q", "--no-verify", "-m", "bad")
    assert main([*argv, "--base", "HEAD~1"]) == 1  # CI: the pushed range
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws is not None
    del wb["联系方式"]
    ws["B3"].comment = Comment(PHONE, "科员")
    wb.save(path)
    git(repo, "add", "-A")
    assert main(argv) == 1
    ws["B3"].comment = None
    wb.save(path)
    git(repo, "add", "-A")
    assert main(argv) == 0


def test_two_row_header_in_csv(tmp_path: Path) -> None:
    directory = county(tmp_path)
    header, *rows = csv.reader(io.StringIO((EXAMPLE / "experts.csv").read_text("utf-8-sig")))
    upper = [header[0], header[1], *["专家信息"] * (len(header) - 2)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([upper, ["", "", *header[2:]], *rows])
    (directory / "experts.csv").write_text(out.getvalue(), "utf-8")
    assert not [p for p in problems(directory) if p.severity == "error"]
    assert int(records.load_all(directory, TODAY)["experts"].excel_rows[0]) == 3
