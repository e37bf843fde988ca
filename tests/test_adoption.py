"""Adoption works as the README says: `suiji new` starts a bureau's repository, the bureau
fills in its own records, and the tests still pass because they never read them."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.support.example import example_records

from suiji.cli.app import main
from suiji.records.schema import SCHEMAS, SPECIALTIES
from suiji.records.templates import TEMPLATE_ROWS

ROOT = Path(__file__).resolve().parent.parent
BUREAU = "测试县应急管理局"
TINY = {"enterprises": 5, "inspectors": 8, "experts": 4, "checklist": 10, "recusals": 0}
"""How many of the example county's rows the tiny bureau keeps, per record."""

SUITE = ("tests", "--ignore=tests/test_adoption.py")
"""`make test`'s whole suite, run inside the new repository with its own copy of suiji
first on the path (this module is left out: it would adopt a bureau again, recursively)."""


def _rows(name: str) -> list[list[str]]:
    text = (example_records() / f"{name}.csv").read_text("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def fill_tiny_county(records: Path) -> None:
    """A handful of rows per record, typed into the bureau's own Excel templates."""
    enterprises = _rows("enterprises")
    kept_units = enterprises[1 : 1 + TINY["enterprises"]]
    districts = {r[enterprises[0].index("执法片区")] for r in kept_units}
    header, *rows = _rows("inspectors")
    groups = {r[header.index("检查组")] for r in rows if r[header.index("负责片区")] in districts}
    kept_inspectors = [
        r
        for i, r in enumerate(rows)
        if i < TINY["inspectors"] or r[header.index("检查组")] in groups
    ]
    units = {r[header.index("所在股室")] for r in kept_inspectors}
    plan_header, *plan_rows = _rows("annual-plan")
    chosen = {
        "enterprises": kept_units,
        "inspectors": kept_inspectors,
        "experts": _rows("experts")[1 : 1 + TINY["experts"]],
        "checklist": _rows("checklist")[1 : 1 + TINY["checklist"]],
        "recusals": [],
        "annual-plan": [r for r in plan_rows if r[plan_header.index("执法单位")] in units],
    }
    for name, data in chosen.items():
        path = records / f"{name}.xlsx"
        wb = load_workbook(path)
        for row in data:
            wb.active.append(row)
        wb.save(path)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("adopt") / "bureau"
    assert main(["new", str(target), "--bureau", BUREAU]) == 0
    return target


def test_new_writes_empty_templates_with_headers_and_drop_downs(adopted: Path) -> None:
    records = adopted / "content" / "records"
    assert sorted(p.name for p in records.iterdir()) == sorted(
        [f"{s.name}.xlsx" for s in SCHEMAS] + ["plans"]
    )
    assert [p.name for p in (records / "plans").iterdir()] == [".gitkeep"]
    for schema in SCHEMAS:
        ws = load_workbook(records / f"{schema.name}.xlsx").active
        assert [c.value for c in ws[1]] == [c.header for c in schema.columns], schema.name
        assert ws.max_row == 1, schema.name  # headers only
    ws = load_workbook(records / "experts.xlsx").active
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    specialties = [k for k, v in lists.items() if all(s in v for s in SPECIALTIES)]
    assert specialties == [f"C2:C{TEMPLATE_ROWS + 1}"]  # 专业领域 is the third column
    ws = load_workbook(records / "enterprises.xlsx").active
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"是,否"' in formulas and any("危险化学品生产" in f for f in formulas)


def test_new_names_the_bureau_and_leaves_no_example_county(adopted: Path) -> None:
    conf = (adopted / "pelicanconf.py").read_text("utf-8")
    assert f'AUTHOR = "{BUREAU}"' in conf and "示例县" not in conf
    for rel in ("content/pages/about.md", "README.md"):
        text = (adopted / rel).read_text("utf-8")
        assert BUREAU in text and "示例县" not in text, rel
    assert not (adopted / "ledger" / "ledger.jsonl").exists()
    assert not (adopted / "demo").exists() and not (adopted / "private").exists()
    example = {p.read_bytes() for p in example_records().rglob("*") if p.is_file()}
    content = [p for p in (adopted / "content").rglob("*") if p.is_file()]
    assert not [p for p in content if p.read_bytes() in example]
    assert not list((adopted / "content").rglob("*.toml"))
    assert not list((adopted / "content").rglob("samples"))
    for rel in (".github/workflows/ci.yml", "Makefile", ".ci/run", "pyproject.toml"):
        assert (adopted / rel).is_file(), rel
    assert not list(adopted.rglob("__pycache__"))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_covers_excel_locks_and_private_keys(adopted: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(adopted / ".gitignore", repo / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    for rel in (
        "content/records/~$enterprises.xlsx",
        "~$年度计划.xlsx",
        "private/signing.key",
        "root.key",
        "backup/signing.pem",
    ):
        found = subprocess.run(["git", "check-ignore", "-q", rel], cwd=repo)
        assert found.returncode == 0, rel
    kept = subprocess.run(
        ["git", "check-ignore", "-q", "content/records/enterprises.xlsx"], cwd=repo
    )
    assert kept.returncode == 1


def test_an_adopted_bureau_checks_its_own_records_and_passes_the_tests(
    adopted: Path, tmp_path: Path
) -> None:
    bureau = tmp_path / "bureau"
    shutil.copytree(adopted, bureau)
    records = bureau / "content" / "records"
    fill_tiny_county(records)
    out = io.StringIO()
    code = _run_check(bureau, out)
    assert code == 0, out.getvalue()
    assert re.search(r"enterprises\.xlsx: Excel 工作簿，5 行", out.getvalue())
    # what the bureau's .ci/run does with its pinned package-lock.json (`npm ci`), offline
    assert (bureau / "package-lock.json").read_bytes() == (ROOT / "package-lock.json").read_bytes()
    if (ROOT / "node_modules").is_dir():
        shutil.copytree(ROOT / "node_modules", bureau / "node_modules", symlinks=True)
    env = {**os.environ, "PYTHONPATH": f"{bureau / 'scripts'}{os.pathsep}{bureau}"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE],
        cwd=bureau,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
    # the bureau's own records were neither read into the example nor changed
    assert load_workbook(records / "enterprises.xlsx").active.max_row == 1 + TINY["enterprises"]


def _run_check(root: Path, out: io.StringIO) -> int:
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        return main(["--root", str(root), "--now", "2026-03-01T09:00:00+08:00", "check"])


def test_no_test_reads_the_repositorys_own_records() -> None:
    """Tests take the example county from `tests.support.example`, never from the
    repository's content/records/ (which the bureau replaces)."""
    repo_records = re.compile(
        r'(ROOT|REPO|parents?\[\d\]|parent\.parent|__file__\)?)\s*/\s*"content"\s*/\s*"records"'
    )
    tests = Path(__file__).resolve().parent
    offenders = [
        str(p.relative_to(tests))
        for p in sorted(tests.rglob("*.py"))
        if repo_records.search(p.read_text("utf-8"))
    ]
    assert offenders == []
