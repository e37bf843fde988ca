"""No quiet choices: withheld and duplicate commitments, unmeetable team rules, draws
that take every eligible enterprise (docs/spec/13-task-entries.md §13.9, 12-coverage.md)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from tests.support.bureau import suiji
from tests.test_tasks import tree

from suiji.crypto.keyfiles import load_private_key
from suiji.draw.coverage import exclusions
from suiji.draw.population import population_from_json
from suiji.draw.teamcheck import TeamRulesUnmet
from suiji.ledger.reading import get_object, read_entries
from suiji.ledger.taskhistory import history
from suiji.shared.canonical import parse_canonical
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import Report, verify
from suiji.writing import steps

PLANS = Path("content") / "records" / "plans"
EXTRA = ("--extra", "福彩3D=371")
INPUTS_AT = "2026-03-16T21:40:00+08:00"  # after the 福彩3D drawing, before the rounds


def plan(root: Path, task: str, edit: dict[str, str] | None = None, base: str = "2026-001") -> Path:
    """A copy of an example plan under a new task id, with `old → new` text edits."""
    text = (root / PLANS / f"{base}.toml").read_text("utf-8")
    text = text.replace(f'task_id = "{base}"', f'task_id = "{task}"')
    for old, new in (edit or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = root / PLANS / f"{task}.toml"
    path.write_text(text, "utf-8")
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def writer(root: Path, now: str) -> steps.Writer:
    key = load_private_key(root / "private" / "signing.key")
    return steps.Writer(root, key, at(now), clock_overridden=True)


def check(root: Path, now: str) -> Report:
    moment = at(now)
    return verify(root, now=moment, checkers=default_checkers(moment), allow_demo=True)


def codes(report: Report) -> list[tuple[int | None, str, str]]:
    return [(f.seq, f.tag, f.code) for f in report.findings]


# ---------------------------------------------------------------- withheld and twins


def test_eight_parallel_commitments_one_drawn_seven_withheld(bureau: Path) -> None:
    for i in range(1, 9):  # eight near-identical plans: only the ratio differs
        path = plan(bureau, f"2026-10{i}", {'ratio = "5%"': f'ratio = "{4 + i}%"'})
        assert suiji(bureau, f"2026-03-16T09:00:0{i}+08:00", "commit", str(path)) == 0
    # a ninth copy of 2026-101's plan (new id and name) is refused, and changes nothing
    twin = plan(bureau, "2026-109", {"2026年第二季度": "2026年第二季度（副本）"})
    before = tree(bureau)
    with pytest.raises(steps.TaskError) as refused:
        steps.commit(writer(bureau, "2026-03-16T09:30:00+08:00"), twin)
    assert refused.value.code == "same-plan-committed" and "2026-101" in str(refused.value)
    assert tree(bureau) == before

    assert suiji(bureau, INPUTS_AT, "inputs", "2026-101", *EXTRA) == 0
    assert suiji(bureau, "2026-03-17T10:00:00+08:00", "draw", "2026-101") == 0
    seqs = {e.body["task"]: e.seq for e in read_entries(bureau) if e.kind == "commit"}
    round_at = history(bureau).tasks["2026-102"].commit.body.available_at  # type: ignore[union-attr]
    assert round_at < at("2026-03-17T09:01:00+08:00")

    within = check(bureau, "2026-03-18T09:00:00+08:00")  # < 24 h after the rounds
    assert within.findings == () and within.passes()
    undrawn = {t["task"]: t["undrawn"] for t in within.tasks}
    assert undrawn == {
        "2026-101": None,
        **{f"2026-10{i}": seqs[f"2026-10{i}"] for i in range(2, 9)},
    }

    late = check(bureau, "2026-03-18T10:00:00+08:00")
    assert codes(late) == [(seqs[f"2026-10{i}"], "compliance", "withheld") for i in range(2, 9)]
    assert not late.passes() and late.passes("integrity")
    assert [t["task"] for t in late.tasks if t["withheld"]] == [f"2026-10{i}" for i in range(2, 9)]
    now = "2026-03-18T10:00:00+08:00"
    assert suiji(bureau, now, "verify", "--allow-demo") == 1
    assert suiji(bureau, now, "verify", "--allow-demo", "--fail-on", "integrity") == 0


def test_a_void_before_the_round_is_not_withheld(bureau: Path) -> None:
    path = plan(bureau, "2026-101")
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(path)) == 0
    assert suiji(bureau, "2026-03-16T10:00:00+08:00", "void", "2026-101", "--reason", "有误") == 0
    report = check(bureau, "2026-04-30T10:00:00+08:00")
    assert report.findings == ()
    (task,) = report.tasks
    assert task["voided"] == [{"commit_seq": 1, "void_seq": 2}] and task["undrawn"] is None
    # voided: the same plan may be committed again under another id
    assert suiji(bureau, "2026-03-16T11:00:00+08:00", "commit", str(plan(bureau, "2026-102"))) == 0


def test_a_forged_twin_commitment_is_reported(
    bureau: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer without the twin check (the bureau's own key): verify still names it."""
    monkeypatch.setattr(steps, "same_plan", lambda *a: None)
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(plan(bureau, "2026-101"))) == 0
    twin = plan(bureau, "2026-102", {"2026年第二季度": "2026年第二季度（副本）"})
    assert suiji(bureau, "2026-03-16T09:00:01+08:00", "commit", str(twin)) == 0
    bodies = [e.body for e in read_entries(bureau) if e.kind == "commit"]
    assert bodies[0]["plan_object"] != bodies[1]["plan_object"]  # only the labels differ
    assert codes(check(bureau, "2026-03-16T12:00:00+08:00")) == [(2, "compliance", "same-plan")]


# ---------------------------------------------------------------- team rules


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        (
            {"load_limit = 3": 'load_limit = 3\nexperts = { count = 1, specialties = ["核安全"] }'},
            "experts",
        ),
        ({"officers = 2": "officers = 40"}, "officers"),
        ({"load_limit = 3": "load_limit = 1"}, "load_limit"),
    ],
    ids=["unknown-specialty", "too-few-officers", "loads-too-small"],
)
def test_unmeetable_team_rules_are_refused_at_commit(
    bureau: Path, edit: dict[str, str], rule: str
) -> None:
    path = plan(bureau, "2026-101", edit)
    before = tree(bureau)
    with pytest.raises(TeamRulesUnmet) as refused:
        steps.commit(writer(bureau, "2026-03-16T09:00:00+08:00"), path)
    assert refused.value.code == "team-rules-unmet" and refused.value.rule == rule
    assert f"（{rule}）" in str(refused.value)
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(path)) == 2
    assert tree(bureau) == before


def test_a_district_without_its_group_officer_is_refused(bureau: Path) -> None:
    """Every certificate of 第三检查组 ends before the window: no team for 第三片区."""
    inspectors = bureau / "content" / "records" / "inspectors.csv"
    lines = inspectors.read_text("utf-8-sig").splitlines()
    expired = [
        re.sub(r",\d{4}-\d{2}-\d{2},编内,", ",2026-03-31,编内,", ln) if "第三片区" in ln else ln
        for ln in lines
    ]
    assert expired != lines
    inspectors.write_text("\n".join(expired) + "\n", "utf-8")
    before = tree(bureau)
    with pytest.raises(TeamRulesUnmet) as refused:
        steps.commit(writer(bureau, "2026-03-16T09:00:00+08:00"), plan(bureau, "2026-101"))
    assert refused.value.rule == "group_officer" and "第三片区" in str(refused.value)
    assert tree(bureau) == before


def test_a_recorded_teams_error_is_a_compliance_finding(
    bureau: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer without the static check (the bureau's own key) records a failed draw."""
    monkeypatch.setattr(steps, "check_teams_feasible", lambda *a: None)
    edit = {"load_limit = 3": 'load_limit = 3\nexperts = { count = 1, specialties = ["核安全"] }'}
    path = plan(bureau, "2026-101", edit)
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(path)) == 0
    assert suiji(bureau, INPUTS_AT, "inputs", "2026-101", *EXTRA) == 0
    assert suiji(bureau, "2026-03-17T10:00:00+08:00", "draw", "2026-101") == 0
    drawn = list(read_entries(bureau))[-1]
    assert drawn.kind == "draw" and drawn.body["teams_error"]
    report = check(bureau, "2026-03-17T11:00:00+08:00")
    assert codes(report) == [(drawn.seq, "compliance", "teams-error")]
    assert report.tasks[0]["teams_error"] is True


# ---------------------------------------------------------------- draws without chance

DIRECTED = {
    'kind = "不定向"': 'kind = "定向"',
    'ratio = "5%"': "count = 1",
    "[window]": '[filters]\naffiliation = ["市属"]\n\n[window]',
}


def test_degenerate_directed_draws_neither_exclude_nor_count(bureau: Path) -> None:
    """Two 定向 tasks whose filter leaves exactly their quota, then a 不定向 task."""
    first = plan(bureau, "2026-201", DIRECTED)
    second = plan(
        bureau,
        "2026-202",
        {
            **DIRECTED,
            "end = 2026-06-30": "end = 2026-06-29",
            'draw = "2026-070", draw_date = 2026-03-16': 'draw = "2026-071", draw_date = 2026-03-17',
        },
    )
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(first)) == 0
    assert suiji(bureau, INPUTS_AT, "inputs", "2026-201", *EXTRA) == 0
    assert suiji(bureau, "2026-03-17T10:00:00+08:00", "draw", "2026-201") == 0
    assert suiji(bureau, "2026-03-17T11:00:00+08:00", "commit", str(second)) == 0
    assert suiji(bureau, "2026-03-17T21:40:00+08:00", "inputs", "2026-202", *EXTRA) == 0
    assert suiji(bureau, "2026-03-18T12:00:00+08:00", "draw", "2026-202") == 0
    entries = list(read_entries(bureau))
    draws = [e for e in entries if e.kind == "draw"]
    friend = draws[0].body["targets"]
    assert len(friend) == 1 and draws[1].body["targets"] == friend  # drawn twice, no chance

    hist = history(bureau)
    assert [d.random for d in hist.drawn] == [False, False]
    as_if_random = [d.__class__(d.task, d.unit, d.drawn_on, d.targets) for d in hist.drawn]
    assert friend[0] in exclusions(
        as_if_random, year=2026, yearly_cap=2, exclude_drawn_this_year=False
    )

    third = plan(
        bureau,
        "2026-203",
        {'draw = "2026-070", draw_date = 2026-03-16': 'draw = "2026-072", draw_date = 2026-03-18'},
    )
    assert suiji(bureau, "2026-03-18T13:00:00+08:00", "commit", str(third)) == 0
    commit = list(read_entries(bureau))[-1]
    population = population_from_json(
        parse_canonical(get_object(bureau, commit.body["population_object"]))
    )
    assert friend[0] in population.ids and population.excluded == ()
    assert commit.body["eligible"] == 317

    report = check(bureau, "2026-03-18T14:00:00+08:00")
    assert report.findings == ()
    random = {t["task"]: t["random"] for t in report.tasks}
    assert random == {"2026-201": False, "2026-202": False, "2026-203": None}


def test_not_random_draws_are_shown_in_the_report(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        suiji(
            bureau, "2026-03-16T09:00:00+08:00", "commit", str(plan(bureau, "2026-201", DIRECTED))
        )
        == 0
    )
    assert suiji(bureau, INPUTS_AT, "inputs", "2026-201", *EXTRA) == 0
    assert suiji(bureau, "2026-03-17T10:00:00+08:00", "draw", "2026-201") == 0
    capsys.readouterr()
    assert suiji(bureau, "2026-03-17T11:00:00+08:00", "verify", "--allow-demo") == 0
    out = capsys.readouterr().out
    assert re.search(
        r"2026-201：.*已于条目 #\d+ 抽取；抽取 #\d+ 抽中了全部可抽对象，不是随机抽取", out
    )


def test_a_plan_whose_draw_could_not_be_written_is_refused_at_commit(
    bureau: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draw entry that cannot fit one ledger line would make the task undrawable after
    its round — indistinguishable from a withheld draw — so commit refuses it first."""
    path = plan(bureau, "2026-101")
    prepared = steps.prepare_commit(bureau, history(bureau), at("2026-03-16T09:00:00+08:00"), path)
    k = len(prepared.population.members)  # the example plan draws 5 % of these
    worst = steps.DRAW_ENVELOPE_BYTES + 1000  # a line limit the worst case cannot meet
    monkeypatch.setattr(steps, "MAX_LINE", worst)
    before = tree(bureau)
    with pytest.raises(steps.TaskError) as refused:
        steps.commit(writer(bureau, "2026-03-16T09:00:00+08:00"), path)
    assert refused.value.code == "draw-too-large" and "拆成" in str(refused.value), k
    assert tree(bureau) == before
    monkeypatch.setattr(steps, "MAX_LINE", 1 << 20)  # the real limit: the same plan commits
    assert suiji(bureau, "2026-03-16T09:00:00+08:00", "commit", str(path)) == 0
