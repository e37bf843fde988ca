"""A recorded result is checked against its draw: task, enterprise, team, items, window.

On a real bureau (the example county, the demo beacon): 2026-001 is committed, its lottery
recorded and drawn; each rule is then broken once on an otherwise correct result and must
come back with its exact code at its column (docs/spec/02-records.md §2.10.5).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.bureau import suiji

from suiji.crypto.keyfiles import load_private_key
from suiji.draw.resultcheck import (
    CODES,
    DrawnTarget,
    DrawnTask,
    ResultProblem,
    check_result,
)
from suiji.ledger.codec import encode_entry
from suiji.ledger.drawn import drawn_tasks
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.model.results import Penalty, ResultContent
from suiji.verify.taskview import task_view
from suiji.writing.people import replace_due, void_person
from suiji.writing.steps import Writer

PLANS = Path("content") / "records" / "plans"
TASK = "2026-001"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
INPUTS_AT = "2026-03-16T21:40:00+08:00"  # after the 福彩3D drawing, before the round
DRAW_AT = "2026-03-17T10:00:00+08:00"
VOID_AT = "2026-03-18T09:00:00+08:00"
REPLACE_AT = "2026-03-18T09:05:00+08:00"
START = date(2026, 4, 1)  # the plan's window: 2026-04-01 .. 2026-06-30
END = date(2026, 6, 30)


def drawn_of(root: Path) -> dict[str, DrawnTask]:
    return drawn_tasks(read_entries(root), ObjectStore(root))


def ledger_bytes(root: Path) -> bytes:
    return (root / "ledger" / "ledger.jsonl").read_bytes()


def writer(root: Path, when: str) -> Writer:
    return Writer(
        root, load_private_key(root / "private" / "signing.key"), datetime.fromisoformat(when), True
    )


def draw(root: Path) -> None:
    assert suiji(root, COMMIT_AT, "commit", str(root / PLANS / f"{TASK}.toml")) == 0
    assert suiji(root, INPUTS_AT, "inputs", TASK, "--extra", "福彩3D=371") == 0
    assert suiji(root, DRAW_AT, "draw", TASK) == 0


@pytest.fixture
def drawn(bureau: Path) -> Path:
    draw(bureau)
    return bureau


def result(target: DrawnTarget, **changes: object) -> ResultContent:
    """The drawn inspection of `target`, done by the book, with `changes` applied."""
    base = ResultContent(
        salt="0" * 32,
        task=TASK,
        uscc=target.uscc,
        started_on=date(2026, 4, 20),
        ended_on=date(2026, 4, 21),
        team=tuple(sorted(target.team)),
        findings=tuple(sorted((item, "符合") for item in target.items)),
        categories=("未发现问题",),
        observations="",
        assessment="",
        opinions="",
        penalty=None,
        reported_on=date(2026, 4, 22),
        feedback_on=date(2026, 4, 23),
        rectify_by=None,
        rectified_on=None,
        correction="",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def codes(problems: list[ResultProblem]) -> list[tuple[str, str]]:
    return [(p.code, p.column) for p in problems]


def first(tasks: dict[str, DrawnTask]) -> DrawnTarget:
    return next(iter(tasks[TASK].targets.values()))


# ---------------------------------------------------------------- the view of the ledger


def test_the_drawn_task_is_what_suiji_show_shows(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    assert list(tasks) == [TASK]
    task = tasks[TASK]
    view = task_view(read_entries(drawn), ObjectStore(drawn), TASK)
    assert (task.unit, task.name, task.kind) == ("监督管理股", view.plan.name, "不定向")
    assert (task.window_start, task.window_end) == (START, END)
    assert task.draw_seq == view.draw_seq and task.teams_error is None
    assert list(task.targets) == [t.id for t in view.targets]
    assert task.alternates == tuple(t.id for t in view.alternates)
    teams = {t.key: t for t in view.teams}
    for t in view.targets:
        target = task.targets[t.id]
        assert target.name == t.name and target.name
        assert target.items == tuple(i.id for i in t.items) and len(target.items) == 3
        assert target.team_key == t.id  # per = "target": one team per enterprise
        assert target.team == tuple(m.id for m in teams[t.id].members)
        assert len(target.team) == 3  # the leader and two officers
        assert target.groups and all(target.groups)
        assert target.voided == ()
    groups = {g for t in task.targets.values() for g in t.groups}
    assert task.group == (next(iter(groups)) if len(groups) == 1 else None)


def test_the_drawn_inspection_passes(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    for target in tasks[TASK].targets.values():
        assert check_result(result(target), tasks) == []
    # Order and spelling of ids do not matter: the team is compared as a set of id keys.
    target = first(tasks)
    shuffled = tuple(reversed(target.team))
    assert check_result(result(target, team=shuffled), tasks) == []
    assert check_result(result(target, uscc=target.uscc.lower()), tasks) == []


def test_every_code_is_tested() -> None:
    assert set(CODES) == {
        "result-task-unknown",
        "result-not-drawn",
        "result-team-mismatch",
        "result-items-mismatch",
        "result-outside-window",
    }


# ---------------------------------------------------------------- task and enterprise


def test_a_task_not_in_the_ledger_is_unknown(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    problems = check_result(result(first(tasks), task="2026-009"), tasks)
    assert codes(problems) == [("result-task-unknown", "task_id")]
    assert "2026-009" in problems[0].message and TASK in problems[0].message
    assert "suiji show 2026-009" in problems[0].message


def test_a_committed_but_undrawn_or_voided_task_is_absent(bureau: Path) -> None:
    plan = str(bureau / PLANS / f"{TASK}.toml")
    assert suiji(bureau, COMMIT_AT, "commit", plan) == 0
    assert drawn_of(bureau) == {}  # committed, not drawn: no result can belong to it
    assert suiji(bureau, "2026-03-16T10:00:00+08:00", "void", TASK, "--reason", "方案有误") == 0
    assert drawn_of(bureau) == {}
    target = DrawnTarget("91000000000000000X", ("TY-001",), ("P001",))
    problems = check_result(result(target), drawn_of(bureau))
    assert codes(problems) == [("result-task-unknown", "task_id")]
    assert "已抽取的任务：无" in problems[0].message


def test_a_voided_commitment_is_absent_even_after_its_draw(drawn: Path) -> None:
    """A commitment voided after its draw (refused by the writer; a forger signs it with the
    bureau's own key, the verifier reports it) leaves no drawn task to check against."""
    before = ledger_bytes(drawn)
    assert suiji(drawn, "2026-03-18T11:00:00+08:00", "void", TASK, "--reason", "结果不满意") == 2
    assert ledger_bytes(drawn) == before
    entries = list(read_entries(drawn))
    commit = next(e for e in entries if e.kind == "commit")
    line = encode_entry(
        seq=len(entries),
        prev=entries[-1].hash,
        kind="commit-void",
        time="2026-03-18T03:00:00Z",
        body={"task": TASK, "commit_seq": commit.seq, "commitment": commit.hash, "reason": "x"},
        key=load_private_key(drawn / "private" / "signing.key"),
    )
    with (drawn / "ledger" / "ledger.jsonl").open("ab") as fh:
        fh.write(line + b"\n")
    entries = list(read_entries(drawn))
    assert entries[-1].kind == "commit-void" and entries[-2].kind == "draw"
    assert drawn_of(drawn) == {}
    target = DrawnTarget("91000000000000000X", ("TY-001",), ("P001",))
    assert codes(check_result(result(target), drawn_of(drawn))) == [
        ("result-task-unknown", "task_id")
    ]


def test_an_enterprise_not_drawn_is_refused_never_replaced(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    task = tasks[TASK]
    target = first(tasks)
    spare = task.alternates[0]
    problems = check_result(result(target, uscc=spare), tasks)
    assert codes(problems) == [("result-not-drawn", "uscc")]
    message = problems[0].message
    assert spare in message and "备选企业" in message and "已关闭停业或正在组织清算" in message
    assert f"suiji show {TASK}" in message
    # Any other enterprise, alternate or not, is refused the same way.
    other = "91330000000000000A"
    assert other not in task.targets and other not in task.alternates
    problems = check_result(result(target, uscc=other), tasks)
    assert codes(problems) == [("result-not-drawn", "uscc")]
    assert "备选企业" not in problems[0].message


def test_an_enterprise_of_another_task_is_not_drawn_in_this_one(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    other = dataclasses.replace(tasks[TASK], task="2026-009", targets={})
    both = {**tasks, "2026-009": other}
    problems = check_result(result(target, task="2026-009"), both)
    assert codes(problems) == [("result-not-drawn", "uscc")]
    assert "2026-009" in problems[0].message


# ---------------------------------------------------------------- the team


def test_a_stranger_on_the_team_and_a_drawn_member_missing(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    others = [t for t in tasks[TASK].targets.values() if t.uscc != target.uscc]
    stranger = next(p for t in others for p in t.team if p not in target.team)
    team = (*target.team[:-1], stranger)
    problems = check_result(result(target, team=team), tasks)
    assert codes(problems) == [("result-team-mismatch", "team")]
    message = problems[0].message
    assert f"多出 {stranger}" in message and f"缺少 {target.team[-1]}" in message
    assert f"suiji void {TASK}" in message and f"suiji replace {TASK}" in message
    assert "改正本行的实际检查人员" in message
    # Only missing, only extra: each alone is a mismatch too.
    assert codes(check_result(result(target, team=target.team[:-1]), tasks)) == [
        ("result-team-mismatch", "team")
    ]
    assert codes(check_result(result(target, team=(*target.team, stranger)), tasks)) == [
        ("result-team-mismatch", "team")
    ]


def test_a_voided_and_replaced_person_the_replacement_must_be_present(drawn: Path) -> None:
    target = first(drawn_of(drawn))
    gone = target.team[1]  # the first officer
    void_person(writer(drawn, VOID_AT), TASK, target.team_key, gone, "本人申请回避")
    # Until the round decides, the place is empty: the voided person is simply absent.
    pending = drawn_of(drawn)[TASK].targets[target.uscc]
    assert gone not in pending.team and pending.voided == (gone,)
    assert len(pending.team) == len(target.team) - 1
    (rep,) = replace_due(writer(drawn, REPLACE_AT), TASK)
    new = rep.body["replacement"]
    tasks = drawn_of(drawn)
    after = tasks[TASK].targets[target.uscc]
    assert after.team == tuple(new if p == gone else p for p in target.team)
    assert after.voided == (gone,)
    # The team as it stands passes; the team as first drawn does not.
    assert check_result(result(after), tasks) == []
    problems = check_result(result(target), tasks)
    assert codes(problems) == [("result-team-mismatch", "team")]
    message = problems[0].message
    assert f"多出 {gone}（已登记撤换，不应到场）" in message and f"缺少 {new}" in message
    # The voided person beside the replacement is still one too many.
    both = check_result(result(after, team=(*after.team, gone)), tasks)
    assert codes(both) == [("result-team-mismatch", "team")]
    # The other targets' teams are untouched (one team per target).
    view = task_view(read_entries(drawn), ObjectStore(drawn), TASK)
    for team in view.teams:
        assert tasks[TASK].targets[team.key].team == tuple(m.id for m in team.members)


def test_a_task_whose_teams_failed_has_no_team_to_match(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    failed = {TASK: dataclasses.replace(tasks[TASK], teams_error="没有可抽取的执法人员")}
    problems = check_result(result(target), failed)
    assert codes(problems) == [("result-team-mismatch", "team")]
    assert "未能组成" in problems[0].message and "suiji commit" in problems[0].message


# ---------------------------------------------------------------- the items


def test_an_item_not_drawn_is_refused(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    extra = next(i for t in tasks[TASK].targets.values() for i in t.items if i not in target.items)
    findings = tuple(sorted([*((i, "符合") for i in target.items), (extra, "不适用")]))
    problems = check_result(result(target, findings=findings), tasks)
    assert codes(problems) == [("result-items-mismatch", "findings")]
    assert f"多出 {extra}" in problems[0].message
    # Extra items are refused even when the inspection did not take place.
    closed = result(target, findings=((extra, "不适用"),), categories=("已关闭停业或正在组织清算",))
    assert codes(check_result(closed, tasks)) == [("result-items-mismatch", "findings")]


def test_missing_items_are_refused_when_the_inspection_took_place(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    some = tuple(sorted((i, "符合") for i in target.items[:-1]))
    problems = check_result(result(target, findings=some), tasks)
    assert codes(problems) == [("result-items-mismatch", "findings")]
    assert f"缺少 {target.items[-1]}" in problems[0].message
    for category in ("发现问题待后续处理", "发现问题经责令已改正", "违反其他部门相关规定"):
        assert codes(check_result(result(target, findings=(), categories=(category,)), tasks)) == [
            ("result-items-mismatch", "findings")
        ], category
    # Inspected and also closed: the inspection took place, so every item is due.
    mixed = result(
        target, findings=some, categories=("发现问题待后续处理", "已关闭停业或正在组织清算")
    )
    assert codes(check_result(mixed, tasks)) == [("result-items-mismatch", "findings")]


@pytest.mark.parametrize(
    "category",
    [
        "已关闭停业或正在组织清算",
        "通过登记的住所（经营场所）无法联系",
        "未发现开展本次抽查涉及的经营活动",
        "注销",
    ],
)
def test_missing_items_are_allowed_when_the_inspection_did_not_take_place(
    drawn: Path, category: str
) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    assert check_result(result(target, findings=(), categories=(category,)), tasks) == []
    part = tuple(sorted((i, "不适用") for i in target.items[:1]))
    assert check_result(result(target, findings=part, categories=(category,)), tasks) == []


# ---------------------------------------------------------------- the window


@pytest.mark.parametrize(
    ("started", "ended", "expected"),
    [
        (START, END, []),
        (START - timedelta(days=1), START, [("result-outside-window", "started_on")]),
        (END, END + timedelta(days=1), [("result-outside-window", "ended_on")]),
        (
            START - timedelta(days=3),
            END + timedelta(days=3),
            [("result-outside-window", "started_on"), ("result-outside-window", "ended_on")],
        ),
        (
            END + timedelta(days=1),
            END + timedelta(days=2),
            [("result-outside-window", "started_on"), ("result-outside-window", "ended_on")],
        ),
    ],
    ids=["edges", "starts-early", "ends-late", "both", "after"],
)
def test_dates_must_lie_in_the_window(
    drawn: Path, started: date, ended: date, expected: list[tuple[str, str]]
) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    problems = check_result(result(target, started_on=started, ended_on=ended), tasks)
    assert codes(problems) == expected
    for p in problems:
        assert "2026-04-01 至 2026-06-30" in p.message


def test_several_rules_broken_at_once_are_all_reported(drawn: Path) -> None:
    tasks = drawn_of(drawn)
    target = first(tasks)
    bad = result(
        target,
        team=target.team[:1],
        findings=(),
        categories=("发现问题待后续处理",),
        started_on=START - timedelta(days=1),
        penalty=Penalty("应急罚〔2026〕1号", date(2026, 4, 25), "罚款"),
    )
    assert codes(check_result(bad, tasks)) == [
        ("result-team-mismatch", "team"),
        ("result-items-mismatch", "findings"),
        ("result-outside-window", "started_on"),
    ]
