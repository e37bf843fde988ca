"""Each drawn target against its report, feedback and disclosure deadlines (spec §15.9).

The pure rows on small fakes of the ledger's drawn-task and results views; `suiji
deadlines` and the verifier's findings on the demo year, whose task 2026-002 ends on
Friday 2026-02-13, just before the Spring Festival, and 2026-003 on 2026-09-30, just
before National Day.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.support.resign import resign, truncate

from suiji.cli import renderresults
from suiji.cli.app import main
from suiji.draw.deadlines import DisclosureRule
from suiji.draw.deadlinestatus import (
    deadline_report,
    deadline_status,
    disclosure_rule,
    target_deadlines,
    unit_shares,
)
from suiji.ledger.reading import read_entries
from suiji.model.fields import EntryError
from suiji.model.genesis import Policy
from suiji.model.results import ResultContent, ResultEntry
from suiji.records.calendar import shipped_calendars
from suiji.shared.times import SHANGHAI, parse_user_time
from suiji.verify.checkers import default_checkers
from suiji.verify.deadlinecheck import DEADLINE_CODES, deadline_checker
from suiji.verify.verifier import verify

CAL = shipped_calendars()
U1 = "91990101309951218W"
U2 = "91990101356620737R"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class Task:
    task: str
    unit: str
    window_end: dt.date
    targets: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True)
class Result:
    first_recorded_at: dt.datetime
    entry: ResultEntry
    content: ResultContent | None
    withdrawn_seq: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def result(
    task: str,
    uscc: str,
    *,
    ended: str,
    reported: str | None,
    fed_back: str | None,
    published: str,
    withdrawn: int | None = None,
) -> Result:
    content = ResultContent(
        salt="0" * 32,
        task=task,
        uscc=uscc,
        started_on=d(ended),
        ended_on=d(ended),
        team=("P1",),
        findings=(),
        categories=("未发现问题",),
        observations="",
        assessment="",
        opinions="",
        penalty=None,
        reported_on=None if reported is None else d(reported),
        feedback_on=None if fed_back is None else d(fed_back),
        rectify_by=None,
        rectified_on=None,
        correction="",
    )
    entry = ResultEntry(task, uscc, "a" * 64, None)
    at = parse_user_time(published)
    return Result(at, entry, None if withdrawn else content, withdrawn)


# ---------------------------------------------------------------- Spring Festival, National Day


def test_before_a_result_the_window_end_stands_in_across_the_spring_festival() -> None:
    task = Task("T1", "执法大队", d("2026-02-13"), (U1,))
    on = {t: target_deadlines(task, U1, None, CAL, d(t)) for t in ("2026-02-13", "2026-02-14")}
    first = on["2026-02-13"]
    assert [s.status for s in first.states] == ["pending", "pending", "pending"]
    # the make-up Saturday 2/14 is the report's day; feedback waits for the holiday's end
    second = on["2026-02-14"]
    assert [(s.due.day, s.status) for s in second.states] == [
        (d("2026-02-14"), "due"),
        (d("2026-02-24"), "due"),
        (d("2026-02-23"), "due"),
    ]
    assert not second.overdue and not second.provisional_years
    late = target_deadlines(task, U1, None, CAL, d("2026-02-24"))
    assert [s.status for s in late.states] == ["overdue", "due", "overdue"]


def test_a_result_meets_or_misses_its_deadlines_across_national_day() -> None:
    task = Task("T3", "危化股", d("2026-09-30"), (U1, U2))
    # U1: report on 10/8 (first working day after the holiday), feedback on the make-up
    # Saturday 10/10 — one day after its day 10/9 — published 10/9 in Beijing time
    r1 = result(
        "T3", U1, ended="2026-09-30", reported="2026-10-08", fed_back="2026-10-10",
        published="2026-10-09T23:30:00+08:00",
    )  # fmt: skip
    rows = deadline_status({"T3": task}, [r1], CAL, d("2026-10-20"))
    assert [r.uscc for r in rows] == [U1, U2]
    one, two = rows
    assert [(s.due.day, s.status, s.done_on) for s in one.states] == [
        (d("2026-10-08"), "done", d("2026-10-08")),
        (d("2026-10-09"), "late", d("2026-10-10")),
        (d("2026-10-10"), "done", d("2026-10-09")),
    ]
    assert one.recorded and not two.recorded
    assert [s.status for s in two.states] == ["overdue", "overdue", "overdue"]
    # published at 23:30 Beijing time on 10/10 is 15:30 UTC: still 10/10, still on time
    r1b = result(
        "T3", U1, ended="2026-09-30", reported="2026-10-08", fed_back="2026-10-09",
        published="2026-10-10T23:30:00+08:00",
    )  # fmt: skip
    row = target_deadlines(task, U1, r1b, CAL, d("2026-10-20"))
    assert (row.feedback.status, row.disclosure.status) == ("done", "done")
    assert r1b.first_recorded_at.astimezone(dt.UTC).date() == d("2026-10-10")


def test_feedback_counts_from_the_recorded_report() -> None:
    task = Task("T", "股", d("2026-09-25"), (U1,))  # 中秋 9/25 is a day off, 9/28 a Monday
    r = result("T", U1, ended="2026-09-24", reported="2026-09-25", fed_back=None,
               published="2026-09-25T10:00:00+08:00")  # fmt: skip
    row = target_deadlines(task, U1, r, CAL, d("2026-09-28"))
    assert row.ended_on == d("2026-09-24")  # the result's end, not the window's
    assert (row.report.status, row.feedback.due.day, row.feedback.status) == (
        "done",
        d("2026-09-28"),
        "due",
    )


def test_the_disclosure_warning_starts_on_day_seven() -> None:
    task = Task("T", "股", d("2026-03-02"), (U1,))
    status = {
        day: target_deadlines(task, U1, None, CAL, d(day)).disclosure
        for day in ("2026-03-08", "2026-03-09", "2026-03-12", "2026-03-13")
    }
    assert [(s.status, s.warning) for s in status.values()] == [
        ("due", False),
        ("due", True),
        ("due", True),
        ("overdue", False),
    ]
    # a published result never warns
    r = result("T", U1, ended="2026-03-02", reported=None, fed_back=None,
               published="2026-03-10T09:00:00+08:00")  # fmt: skip
    assert not target_deadlines(task, U1, r, CAL, d("2026-03-11")).disclosure.warning


def test_a_withdrawn_result_leaves_the_list() -> None:
    task = Task("T", "股", d("2026-03-02"), (U1, U2))
    r = result("T", U1, ended="2026-03-02", reported=None, fed_back=None,
               published="2026-03-03T09:00:00+08:00", withdrawn=9)  # fmt: skip
    assert [row.uscc for row in deadline_status({"T": task}, [r], CAL, d("2026-12-01"))] == [U2]


# ---------------------------------------------------------------- a provisional year


def test_a_provisional_year_is_shown_as_provisional() -> None:
    task = Task("2031-001", "股", d("2031-09-30"), (U1,))
    rep = deadline_report({"2031-001": task}, [], CAL, d("2031-10-01"))
    (row,) = rep.rows
    assert row.report.due.day == d("2031-10-06") and row.report.due.provisional
    assert not row.disclosure.due.provisional  # calendar days need no calendar
    assert rep.provisional_years == (2031,)
    text = renderresults.deadlines(rep)
    assert "2031-10-06（暂定）" in text
    assert "content/records/calendar/2031.toml" in text
    data = rep.to_json()
    assert data["provisional_years"] == [2031]
    targets: Any = data["targets"]
    assert targets[0]["report"]["provisional"] is True
    assert targets[0]["report"]["calendars"] == [{"year": 2031, "hash": None}]
    assert targets[0]["disclosure"]["calendars"] == []


# ---------------------------------------------------------------- the bureau's period


def test_the_genesis_policy_sets_the_disclosure_period() -> None:
    assert disclosure_rule(Policy()) == DisclosureRule(10, "calendar")
    policy = Policy.from_json({"disclosure_days": 20, "disclosure_unit": "working"})
    assert policy.to_json() == {"disclosure_days": 20, "disclosure_unit": "working"}
    rule = disclosure_rule(policy)
    assert rule == DisclosureRule(20, "working")
    task = Task("T", "股", d("2026-09-18"), (U1,))
    row = target_deadlines(task, U1, None, CAL, d("2026-10-01"), rule)
    assert row.disclosure.due.day == d("2026-10-22")
    # the warning comes three working days before the end: 17 working days in
    assert not target_deadlines(task, U1, None, CAL, d("2026-10-16"), rule).disclosure.warning
    assert target_deadlines(task, U1, None, CAL, d("2026-10-19"), rule).disclosure.warning


@pytest.mark.parametrize(
    ("policy", "code", "path"),
    [
        ({"disclosure_days": 0}, "policy-range", "body.policy.disclosure_days"),
        ({"disclosure_days": 367}, "policy-range", "body.policy.disclosure_days"),
        ({"disclosure_days": "10"}, "policy-type", "body.policy.disclosure_days"),
        ({"disclosure_unit": "weeks"}, "policy-range", "body.policy.disclosure_unit"),
        ({"disclosure_unit": 5}, "policy-type", "body.policy.disclosure_unit"),
    ],
)
def test_a_bad_disclosure_policy_is_refused(policy: Any, code: str, path: str) -> None:
    with pytest.raises(EntryError) as caught:
        Policy.from_json(policy)
    assert (caught.value.code, caught.value.path) == (code, path)


# ---------------------------------------------------------------- 业绩考评


def test_on_time_shares_per_unit_and_group() -> None:
    tasks = {
        "A": Task("A", "危化股", d("2026-03-02"), (U1, U2), "一组"),
        "B": Task("B", "危化股", d("2026-03-02"), (U1,), "二组"),
        "C": Task("C", "执法大队", d("2026-12-30"), (U1,)),
    }
    on_time = result("A", U1, ended="2026-03-02", reported="2026-03-03", fed_back="2026-03-04",
                     published="2026-03-05T09:00:00+08:00")  # fmt: skip
    late = result("B", U1, ended="2026-03-02", reported="2026-03-05", fed_back="2026-03-06",
                  published="2026-03-20T09:00:00+08:00")  # fmt: skip
    rows = deadline_status(tasks, [on_time, late], CAL, d("2026-04-01"))
    shares = {(u.unit, u.group): u for u in unit_shares(rows)}
    assert list(shares) == [
        ("危化股", None),
        ("危化股", "一组"),
        ("危化股", "二组"),
        ("执法大队", None),
    ]
    whole = shares[("危化股", None)]
    assert (whole.targets, whole.overdue) == (3, 3)  # A/U2 has done nothing
    # B's feedback counts from its (late) report of 3/5: due 3/6, given 3/6, on time
    assert [(s.on_time, s.decided) for _, s in whole.shares] == [(1, 3), (2, 3), (1, 3)]
    group = shares[("危化股", "一组")]
    assert group.share("report").percent == 50.0
    assert shares[("执法大队", None)].share("disclosure").decided == 0  # not due yet


# ---------------------------------------------------------------- the command and verify


def _run(root: Path, *args: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


def _through_draw(root: Path, task: str) -> Path:
    """The demo's ledger cut right after `task`'s draw: before any of its results were
    recorded, so its window end stands in for the inspection end (the demo records every
    result on time, so the untouched year has nothing overdue but 2026-005 at its end)."""
    seqs = [e.seq for e in read_entries(root) if e.kind == "draw" and e.body["task"] == task]
    truncate(root, seqs[-1] + 1)
    resign(root, lambda root, values: None, expect_change=False)
    return root


def test_the_command_exits_one_only_when_something_is_overdue(demo_copy: Path) -> None:
    # The demo at its own today: 2026-005 is due, nothing overdue; eleven days later it is.
    code, text = _run(demo_copy, "deadlines", "--today", "2026-12-15")
    assert code == 0, text
    assert "任务 2026-005（执法大队）" in text and "检查报告 2026-12-15 到期，待办" in text
    code, text = _run(demo_copy, "deadlines", "--today", "2026-12-26")
    assert code == 1 and "已逾期" in text
    # 2026-002 ends Friday 2/13: on the make-up Saturday its reports are due, not overdue
    early = _through_draw(demo_copy, "2026-002")
    code, text = _run(early, "deadlines", "--today", "2026-02-14")
    assert code == 0, text
    assert "任务 2026-002（执法大队）" in text and "检查报告 2026-02-14 到期，待办" in text
    code, text = _run(early, "deadlines", "--today", "2026-02-15")
    assert code == 1 and "已逾期" in text
    code, text = _run(early, "deadlines", "--today", "2026-02-14", "--json")
    data = json.loads(text)
    feedback = {(t["task"], t["feedback"]["due"]) for t in data["targets"]}
    assert ("2026-002", "2026-02-24") in feedback
    assert data["overdue"] == 0 and data["disclosure"] == {"days": 10, "unit": "calendar"}
    code, text = _run(early, "deadlines", "--by-unit", "--today", "2026-02-24")
    assert code == 1
    assert "执法大队：企业 4 家次；检查报告 0%（0/4）" in text


def test_a_window_ending_before_national_day(demo_copy: Path) -> None:
    """2026-003's window ends 9/30: its feedback falls after the National Day holiday."""
    _, text = _run(_through_draw(demo_copy, "2026-003"), "deadlines", "--json")
    feedback = {(t["task"], t["feedback"]["due"]) for t in json.loads(text)["targets"]}
    assert ("2026-003", "2026-10-09") in feedback


def test_verify_reports_overdue_deadlines_as_compliance_findings(demo_copy: Path) -> None:
    def run(root: Path, now: str) -> list[Any]:
        at = parse_user_time(now)
        checkers = [*default_checkers(at), deadline_checker(root, at)]
        report = verify(root, now=at, checkers=checkers, allow_demo=True)
        return [f for f in report.findings if f.code in DEADLINE_CODES]

    assert run(demo_copy, "2026-12-15T10:00:00+08:00") == []  # the demo keeps its deadlines
    late = run(demo_copy, "2026-12-26T10:00:00+08:00")  # 2026-005's results never came
    assert {f.code for f in late} >= {"report-overdue"}
    early = _through_draw(demo_copy, "2026-002")
    found = run(early, "2026-02-15T10:00:00+08:00")  # only 2026-002's reports are overdue
    assert {(f.tag, f.code) for f in found} == {("compliance", "report-overdue")}
    assert len(found) == 4
    entries = (early / "ledger" / "ledger.jsonl").read_text("utf-8").splitlines()
    draw = json.loads(entries[found[0].seq])
    assert (draw["kind"], draw["body"]["task"]) == ("draw", "2026-002")
    assert "2026-02-14" in found[0].message and "尚无检查结果" in found[0].message
    assert run(early, "2026-02-14T23:59:00+08:00") == []


def test_a_broken_bureau_calendar_is_a_finding_not_a_crash(demo_copy: Path) -> None:
    folder = demo_copy / "content" / "records" / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2026.toml").write_text("year = 2025\n", "utf-8")
    at = dt.datetime(2026, 2, 1, tzinfo=SHANGHAI)
    checker = deadline_checker(demo_copy, at)
    report = verify(demo_copy, now=at, checkers=[*default_checkers(at), checker], allow_demo=True)
    assert [f.code for f in report.findings if f.code in DEADLINE_CODES] == ["deadline-calendar"]
    code, _ = _run(demo_copy, "deadlines")
    assert code == 2  # the command refuses: the clerk fixes the file


def test_suiji_verify_reports_overdue_deadlines_as_compliance_findings(demo_copy: Path) -> None:
    """The same ledger `suiji verify` passes at the demo's today fails eleven days later:
    2026-005's results were never recorded, so each of its three drawn enterprises is
    overdue for report, feedback and disclosure, each finding at the task's draw entry."""
    draw = next(
        e.seq for e in read_entries(demo_copy) if e.kind == "draw" and e.body["task"] == "2026-005"
    )
    assert (
        main(
            [
                "--root",
                str(demo_copy),
                "--now",
                "2026-12-15T10:00:00+08:00",
                "verify",
                "--allow-demo",
            ]
        )
        == 0
    )
    code, text = _run(
        demo_copy, "--now", "2026-12-26T10:00:00+08:00", "verify", "--allow-demo", "--json"
    )
    assert code == 1
    found = sorted((f["seq"], f["tag"], f["code"]) for f in json.loads(text)["findings"])
    assert found == sorted(
        (draw, "compliance", f"{kind}-overdue")
        for kind in ("report", "feedback", "disclosure")
        for _ in range(3)
    )
