"""`suiji commit --dry-run`: commit's checks and sample draws, nothing written."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

from tests.test_no_choice import plan

from suiji.cli.app import main
from suiji.writing.dryrun import dry_run, sample_seed

NOW = "2026-03-16T09:00:00+08:00"


def files(root: Path) -> dict[str, bytes]:
    """Every file of the bureau (ledger, objects, records, keys) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def run(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), "--now", NOW, "commit", "--dry-run", *args])
    return code, out.getvalue(), err.getvalue()


def test_a_staffable_plan_would_commit_and_nothing_is_written(bureau: Path) -> None:
    path = plan(bureau, "2026-101")
    before = files(bureau)
    code, out, err = run(bureau, str(path))  # no --key: a dry run signs nothing
    assert code == 0, err
    assert files(bureau) == before
    assert "用 200 个试算种子模拟抽取：200 次能组成全部检查组（100%）" in out
    assert "可以承诺" in out and "不能承诺" not in out


def test_no_certified_officer_of_a_district_group(bureau: Path) -> None:
    """Every certificate of 第三检查组 ends before the window: no team for 第三片区."""
    inspectors = bureau / "content" / "records" / "inspectors.csv"
    lines = inspectors.read_text("utf-8-sig").splitlines()
    expired = [
        re.sub(r",\d{4}-\d{2}-\d{2},编内,", ",2026-03-31,编内,", ln) if "第三片区" in ln else ln
        for ln in lines
    ]
    assert expired != lines
    inspectors.write_text("\n".join(expired) + "\n", "utf-8")
    path = plan(bureau, "2026-101")
    before = files(bureau)
    code, out, _ = run(bureau, str(path))
    assert code == 2
    assert files(bureau) == before
    assert "不能承诺" in out and "（group_officer）" in out and "第三片区" in out
    dry = dry_run(bureau, datetime.fromisoformat(NOW), path)
    assert dry.unmet is not None and dry.unmet.rule == "group_officer"
    assert dry.failures.most_common(1)[0][0] == "group_officer"
    assert dry.failures["group_officer"] > 0 and dry.met + sum(dry.failures.values()) == 200
    assert "最常失败的规则是“每个执法片区须有对应检查组的持证执法人员”" in out


def test_too_few_experts(bureau: Path) -> None:
    path = plan(
        bureau,
        "2026-101",
        {"load_limit = 3": 'load_limit = 3\nexperts = { count = 1, specialties = ["核安全"] }'},
    )
    before = files(bureau)
    code, out, _ = run(bureau, str(path))
    assert code == 2 and files(bureau) == before
    assert "（experts）" in out and "0 次能组成全部检查组" in out
    assert "未满足“专家（人数与专业领域）”（experts）：200 次" in out


def test_other_refusals_are_commits_own(bureau: Path) -> None:
    """A refusal before the team rules (here: an unknown unit) is raised as commit raises it."""
    path = plan(bureau, "2026-101", {'unit = "': 'unit = "不存在的'})
    before = files(bureau)
    code, _, err = run(bureau, str(path))
    assert code == 2 and err and files(bureau) == before


def test_sample_seeds_are_fixed() -> None:
    assert sample_seed("2026-001", 0) == sample_seed("2026-001", 0) != sample_seed("2026-001", 1)
    assert re.fullmatch(r"[0-9a-f]{64}", sample_seed("2026-001", 7))
