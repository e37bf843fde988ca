"""The demo year's inspection results: written from the demo's own draws, on time.

The demo's results files (`drafts/results/`, each version put in place in
`content/records/results/` before it is recorded) must be what a careful clerk writes:
every drawn enterprise of every recorded task has a row, the team is the drawn team after
the person void and its replacement, the items are the drawn items, dates lie inside the
window, and every deadline of the seed document is kept. 2026-005 is the task whose results
are due at the demo's today and not yet overdue.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from suiji.cli.app import main
from suiji.cli.demo import TODAY
from suiji.draw.deadlines import add_working_days
from suiji.draw.resultcheck import check_result
from suiji.example.results import (
    CLOSED,
    DrawnVisit,
    Inspection,
    drawn_visits,
    result_row,
    results_csv,
)
from suiji.example.year import DRAFTS, FILINGS, RESULTS, ROUNDS, WITHDRAWAL, results_file
from suiji.ledger.drawn import drawn_tasks
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.ledger.results import results_view
from suiji.model.results import Penalty, ResultContent
from suiji.records.calendar import shipped_calendars
from suiji.records.results import check_results
from suiji.verify.taskview import TaskView, Void, task_view

CAL = shipped_calendars()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _view(root: Path, task: str) -> TaskView:
    return task_view(read_entries(root), ObjectStore(root), task)


def _split(cell: str, sep: str) -> list[str]:
    return [p for p in cell.split(sep) if p]


def test_every_drawn_enterprise_has_a_row_consistent_with_the_draw(demo_year: Path) -> None:
    """The final files: one row per drawn enterprise (the withdrawn one aside), with the
    drawn items and the drawn team after voids, dates inside the task's window."""
    for task in ROUNDS:
        view = _view(demo_year, task)
        rows = _rows((demo_year / RESULTS / f"{task}.csv").read_bytes())
        by_code = {r["统一社会信用代码"]: r for r in rows}
        withdrawn = {_view(demo_year, WITHDRAWAL.task).targets[WITHDRAWAL.place].id}
        drawn = {t.id for t in view.targets}
        assert set(by_code) == drawn - (withdrawn if task == WITHDRAWAL.task else set()), task
        start, end = view.plan.window_start, view.plan.window_end
        for visit in drawn_visits(view):
            row = by_code.get(visit.uscc)
            if row is None:
                continue
            assert sorted(_split(row["实际检查人员"], "、")) == sorted(visit.team)
            items = [p.split(":")[0] for p in _split(row["检查事项及结果"], "；")]
            if row["检查结果"] == "已关闭停业或正在组织清算":
                assert items == []
            else:
                assert items == [i for i, _ in visit.items]
            for column in ("检查开始日期", "检查结束日期"):
                assert start <= date.fromisoformat(row[column]) <= end


def test_the_replaced_person_is_present_not_the_voided_one(demo_year: Path) -> None:
    view = _view(demo_year, "2026-003")
    (void,) = view.voids
    assert void.replacement is not None
    (row,) = (
        r
        for r in _rows((demo_year / RESULTS / "2026-003.csv").read_bytes())
        if r["统一社会信用代码"] == void.team
    )
    team = _split(row["实际检查人员"], "、")
    assert void.replacement in team and void.person not in team


def test_every_deadline_is_kept(demo_year: Path) -> None:
    """Report ≤ 1 working day after the end, feedback ≤ 1 working day after the report,
    and each row recorded (first filed) at most 10 days after its inspection ended."""
    first_filed: dict[tuple[str, str], date] = {}
    for filing in FILINGS:
        filed = date.fromisoformat(filing.when[:10])
        for row in _rows((demo_year / DRAFTS / filing.draft).read_bytes()):
            ended = date.fromisoformat(row["检查结束日期"])
            reported = date.fromisoformat(row["检查报告日期"])
            feedback = date.fromisoformat(row["反馈日期"])
            assert ended <= reported <= add_working_days(ended, 1, CAL).day
            assert reported <= feedback <= add_working_days(reported, 1, CAL).day
            assert feedback <= filed
            key = (row["任务编号"], row["统一社会信用代码"])
            first_filed.setdefault(key, filed)
            assert first_filed[key] <= ended + timedelta(days=10), key


def test_the_year_has_penalties_a_closed_enterprise_a_correction_and_a_withdrawal(
    demo_year: Path,
) -> None:
    drafts = {f.draft: _rows((demo_year / DRAFTS / f.draft).read_bytes()) for f in FILINGS}
    every = [r for rows in drafts.values() for r in rows]
    # the demo's printed steps name these numbers
    part1, whole = drafts["2026-001-part1.csv"], drafts["2026-001.csv"]
    assert (
        (len(part1), len(whole)) == (7, 16)
        and whole[:7] != []
        and part1 == [r for r in whole if r in part1]
    )
    assert any(r["检查结果"] == "已关闭停业或正在组织清算" for r in part1)
    penalties = {(r["任务编号"], r["处罚决定书文号"]) for r in every if r["处罚决定书文号"]}
    assert len(penalties) >= 3
    assert any(
        r["检查结果"] == "已关闭停业或正在组织清算" and not r["检查事项及结果"] for r in every
    )
    before, after = drafts["2026-004.csv"], drafts["2026-004-corrected.csv"]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    old, new = changed[0]
    assert not old["更正说明"] and new["更正说明"] and new["处罚决定书文号"]
    assert old["检查结果"] == "发现问题待后续处理" and new["检查结果"] == "发现问题经责令已改正"
    gone = {r["统一社会信用代码"] for r in drafts["2026-002.csv"]} - {
        r["统一社会信用代码"] for r in drafts["2026-002-withdrawn.csv"]
    }
    (withdrawn,) = (r for r in drafts["2026-002.csv"] if r["统一社会信用代码"] in gone)
    assert withdrawn["处罚决定书文号"], "only a result with a penalty is withdrawn (信用修复)"
    decided = date.fromisoformat(withdrawn["处罚决定日期"])
    assert date.fromisoformat(WITHDRAWAL.when[:10]) >= decided + timedelta(days=92)


def test_every_version_passes_suiji_check_rules(demo_year: Path, tmp_path: Path) -> None:
    for filing in FILINGS:
        records = tmp_path / filing.draft / "records"
        (records / "results").mkdir(parents=True)
        (records / "results" / f"{filing.task}.csv").write_bytes(
            (demo_year / DRAFTS / filing.draft).read_bytes()
        )
        assert check_results(records, None).problems == (), filing.draft


def test_the_files_are_written_from_the_ledger_deterministically(demo_year: Path) -> None:
    for filing in FILINGS:
        assert results_file(demo_year, filing) == (demo_year / DRAFTS / filing.draft).read_bytes()


def test_2026_005_is_due_at_the_demo_today_and_not_overdue(demo_year: Path) -> None:
    """Its window ends the Monday before today: the report is due today, disclosure in 10
    days; nothing of it is recorded, nothing is overdue yet."""
    view = _view(demo_year, "2026-005")
    today = datetime.fromisoformat(TODAY).date()
    assert view.draw_seq is not None and len(view.targets) == 3
    assert view.plan.window_end == date(2026, 12, 14)
    assert add_working_days(view.plan.window_end, 1, CAL).day == today
    assert view.plan.window_end + timedelta(days=10) == date(2026, 12, 24)
    assert not (demo_year / RESULTS / "2026-005.csv").exists()


def test_drawn_visits_leave_out_a_voided_person_without_replacement(demo_year: Path) -> None:
    """A void whose replacement is not yet recorded: the person is simply absent."""
    base = _view(demo_year, "2026-002")
    team = base.teams[0]
    gone = team.members[1]
    void = Void(
        seq=99,
        time=datetime(2026, 2, 4),
        team=team.key,
        person=gone.id,
        person_name=gone.name,
        role=gone.role,
        reason="回避",
        round=1,
        round_time=datetime(2026, 2, 4),
        replacement=None,
        replacement_name=None,
        replace_seq=None,
    )
    view = TaskView(
        **{**base.__dict__, "voids": (void,), "teams": (team,), "targets": base.targets[:1]}
    )
    (visit,) = drawn_visits(view)
    assert visit.team == tuple(m.id for m in team.members if m.id != gone.id)


def test_a_closed_enterprise_row_has_no_items() -> None:
    visit = DrawnVisit(
        "2026-001", "91990101MA0000000X", "示例单位", (("TY-001", "标题"),), ("ZF001",)
    )
    day = date(2026, 5, 11)
    row = result_row(Inspection(visit, day, day, day, day, CLOSED))
    assert row["检查结果"] == "已关闭停业或正在组织清算" and row["检查事项及结果"] == ""
    assert results_csv([row]).startswith("\ufeff任务编号".encode())


def _d(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _contents(records: Path) -> list[ResultContent]:
    """The results files under `records` as result objects (salt zero: not compared)."""
    loaded = check_results(records, None)
    assert loaded.problems == ()
    out = []
    for record in loaded.records:
        v = record.values
        for i in range(len(record.excel_rows)):
            penalty = (
                Penalty(
                    v["decision_no"][i], date.fromisoformat(v["decided_on"][i]), v["penalty"][i]
                )
                if v["decision_no"][i]
                else None
            )
            out.append(
                ResultContent(
                    salt="0" * 32,
                    task=v["task_id"][i],
                    uscc=v["uscc"][i],
                    started_on=date.fromisoformat(v["started_on"][i]),
                    ended_on=date.fromisoformat(v["ended_on"][i]),
                    team=tuple(v["team"][i]),
                    findings=tuple(v["findings"][i]),
                    categories=tuple(v["categories"][i]),
                    observations=v["observations"][i] or "",
                    assessment=v["assessment"][i] or "",
                    opinions=v["opinions"][i] or "",
                    penalty=penalty,
                    reported_on=_d(v["reported_on"][i]),
                    feedback_on=_d(v["feedback_on"][i]),
                    rectify_by=_d(v["rectify_by"][i]),
                    rectified_on=_d(v["rectified_on"][i]),
                    correction=v["correction"][i] or "",
                )
            )
    return out


def test_every_version_passes_the_checks_against_the_draw(demo_year: Path, tmp_path: Path) -> None:
    """`check_result` (what `suiji record` and `suiji verify` apply) finds nothing."""
    drawn = drawn_tasks(read_entries(demo_year), ObjectStore(demo_year))
    for filing in FILINGS:
        records = tmp_path / filing.draft
        (records / "results").mkdir(parents=True)
        (records / "results" / "r.csv").write_bytes(
            (demo_year / DRAFTS / filing.draft).read_bytes()
        )
        contents = _contents(records)
        assert contents, filing.draft
        for content in contents:
            assert check_result(content, drawn) == [], (filing.draft, content.uscc)


def test_the_ledger_holds_every_result_one_correction_and_one_withdrawal(demo_year: Path) -> None:
    """What `suiji record` and `suiji withdraw` left in the demo's ledger."""
    view = results_view(read_entries(demo_year), ObjectStore(demo_year))
    for task in ROUNDS:
        drawn = {t.id for t in _view(demo_year, task).targets}
        assert {r.uscc for r in view.for_task(task)} == drawn, task
    assert view.for_task("2026-005") == []
    every = [v for r in view.current() for v in view.versions(r.task, r.uscc)]
    corrected = [v for v in every if v.version == 2]
    assert [(v.task, v.entry.corrects_seq is not None) for v in corrected] == [("2026-004", True)]
    assert corrected[0].content is not None and corrected[0].content.correction
    withdrawn = [r for r in view.current() if r.withdrawn_seq is not None]
    assert [(r.task, r.uscc, r.content) for r in withdrawn] == [
        (WITHDRAWAL.task, _view(demo_year, WITHDRAWAL.task).targets[WITHDRAWAL.place].id, None)
    ]
    assert not (demo_year / "ledger" / "objects" / withdrawn[0].entry.result_object).exists()
    penalties = [r for r in view.current() if r.content is not None and r.content.penalty]
    assert len(penalties) >= 2


def test_deadlines_exit_zero_at_the_demo_today_and_one_eleven_days_later(
    demo_year: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUIJI_NOW", raising=False)
    assert main(["--root", str(demo_year), "deadlines"]) == 0  # the demo's own today
    out = capsys.readouterr().out
    assert "2026-005" in out and "已逾期 0 项" in out
    later = "2026-12-26T10:00:00+08:00"
    assert main(["--root", str(demo_year), "--now", later, "deadlines"]) == 1
    assert "已逾期" in capsys.readouterr().out
