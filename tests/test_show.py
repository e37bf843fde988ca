"""`suiji show` and `suiji ticket`: what a person reads about a task, from the ledger alone.

Names, item titles, legal bases and team members come from the committed snapshots, so the
test compares the printed text with those objects, not with today's record files.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest

from suiji.cli.app import main
from suiji.draw.derive import load_committed
from suiji.draw.sampler import order, ticket
from suiji.draw.teamdraw import team_draw_from_json
from suiji.ledger.history import replayed
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import get_object, read_entries
from suiji.model.tasks import ChainRound
from suiji.shared.canonical import parse_canonical
from suiji.shared.times import SHANGHAI


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


def test_show_names_every_drawn_enterprise_item_and_team_member(demo_year: Path) -> None:
    hist = replayed(read_entries(demo_year))
    assert {t for t, s in hist.tasks.items() if s.draw is not None}, "the demo draws tasks"
    for task, state in sorted(hist.tasks.items()):
        if state.draw is None or state.commit is None:
            continue
        code, text, err = run(demo_year, "show", task)
        assert code == 0, err
        committed = load_committed(ObjectStore(demo_year), state.commit.body)
        rows = committed.rows
        result = parse_canonical(get_object(demo_year, state.draw.body.result_object))
        names = {str(r["uscc"]): str(r["name"]) for r in rows["enterprises"]}
        items = {str(r["item_id"]): r for r in rows["checklist"]}
        people = {str(r["person_id"]): str(r["name"]) for r in rows["inspectors"]}
        people.update({str(r["expert_id"]): str(r["name"]) for r in rows["experts"]})
        assert f"任务 {task}：{committed.plan.name}" in text
        for uscc in state.draw.body.targets:
            assert f"{uscc} {names[uscc]}" in text, (task, uscc)
        for entry in result["items"]:
            for item in entry["items"]:
                row = items[item]
                assert f"{item} {row['title']}（依据：{row['legal_basis']}）" in text
        replaced = {(r.body.replacement) for r in state.replacements}
        voided = {(v.body.team, v.body.person) for v in state.person_voids}
        if result["teams"] is not None:
            for team in team_draw_from_json(result["teams"]).teams:
                for _, person in team.members():
                    if (team.key, person) not in voided:
                        assert f"{person} {people[person]}" in text, (task, person)
        for person in replaced:
            assert f"{person} {people[person]}" in text
        for v in state.person_voids:
            assert v.body.reason in text
        # Times a person reads are Beijing time; the ledger's UTC form is not shown.
        committed_at = state.commit.moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        assert f"{committed_at}（北京时间）" in text
        assert state.commit.time not in text
        beacon = state.commit.body.beacon
        assert isinstance(beacon, ChainRound) and str(beacon.round) in text
        b = hist.beacons_by_seq[state.draw.body.beacon_seq]  # type: ignore[index]
        assert f"信标随机值：{b.body.randomness}" in text
        for extra in state.draw.body.extra:
            assert f"{extra.name} = {extra.value}" in text


def test_show_exports_csv_and_xlsx(demo_year: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    task = "2026-003"
    state = replayed(read_entries(demo_year)).tasks[task]
    assert state.draw is not None and state.person_voids
    out_csv, out_xlsx = tmp_path / "t.csv", tmp_path / "t.xlsx"
    code, _, err = run(demo_year, "show", task, "--csv", str(out_csv), "--xlsx", str(out_xlsx))
    assert code == 0, err
    cells = [c for row in csv.reader(out_csv.open(encoding="utf-8-sig")) for c in row]
    for uscc in state.draw.body.targets:
        assert uscc in cells
    assert state.person_voids[0].body.reason in cells
    wb = load_workbook(out_xlsx)
    assert wb.sheetnames == ["任务", "抽中企业和检查事项", "备选企业", "检查组", "排除和撤换"]
    drawn = [row[1] for row in wb["抽中企业和检查事项"].iter_rows(min_row=2, values_only=True)]
    assert set(drawn) == set(state.draw.body.targets)


def test_show_of_an_unknown_task_names_the_known_ones(demo_year: Path) -> None:
    code, _, err = run(demo_year, "show", "2099-999")
    assert code != 0 and "2099-999" in err and "2026-001" in err


def _ticket_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("票号："))


def test_ticket_equals_the_samplers_for_a_drawn_and_an_undrawn_enterprise(
    demo_year: Path,
) -> None:
    task = "2026-003"
    state = replayed(read_entries(demo_year)).tasks[task]
    assert state.draw is not None and state.commit is not None
    seed = state.draw.body.seed
    pop = load_committed(ObjectStore(demo_year), state.commit.body).population
    drawn = state.draw.body.targets[0]
    undrawn = next(m.id for m in pop.members if m.id not in state.draw.body.targets)
    for uscc, is_drawn in ((drawn, True), (undrawn, False)):
        code, text, err = run(demo_year, "ticket", task, uscc)
        assert code == 0, err
        assert _ticket_line(text).split("：", 1)[1] == ticket(seed, uscc)
        stratum = next(m.stratum for m in pop.members if m.id == uscc)
        group = [m.id for m in pop.members if m.stratum == stratum]
        rank = order(group, seed).index(uscc) + 1
        assert f"第 {rank} 名（共 {len(group)} 家" in text
        assert ("结果：已抽中" in text) is is_drawn


def test_ticket_says_why_an_enterprise_was_not_eligible(demo_year: Path) -> None:
    state = replayed(read_entries(demo_year)).tasks["2026-003"]
    assert state.commit is not None
    pop = load_committed(ObjectStore(demo_year), state.commit.body).population
    uscc, reason = pop.excluded[0]
    code, text, _ = run(demo_year, "ticket", "2026-003", uscc)
    assert code == 0 and "不可抽取：被排除" in text and reason in text
    assert "不参与排序" in text and "名次" not in text


@pytest.mark.parametrize("command", ["show", "ticket"])
def test_show_and_ticket_need_no_key(demo_copy: Path, command: str) -> None:
    """Read-only: no signing key is consulted, and nothing under ledger/ changes."""
    (demo_copy / "suiji-demo.toml").unlink()  # no demo key path, no demo clock
    before = {p: p.read_bytes() for p in (demo_copy / "ledger").rglob("*") if p.is_file()}
    args = ["2026-001"] + (["91990101309951218W"] if command == "ticket" else [])
    code, _, err = run(demo_copy, command, *args)
    assert code == 0, err
    after = {p: p.read_bytes() for p in (demo_copy / "ledger").rglob("*") if p.is_file()}
    assert before == after


def test_ticket_names_the_plan_filter_that_left_an_enterprise_out(demo_year: Path) -> None:
    """2026-004 draws 重点单位 only: an enterprise that is not one is filtered, with why."""
    state = replayed(read_entries(demo_year)).tasks["2026-004"]
    assert state.commit is not None
    committed = load_committed(ObjectStore(demo_year), state.commit.body)
    assert [k for k, _ in committed.plan.filters] == ["key_unit"]
    ids = {m.id for m in committed.population.members} | {
        u for u, _ in committed.population.excluded
    }
    row = next(
        r for r in committed.rows["enterprises"] if r["uscc"] not in ids and not r["key_unit"]
    )
    code, text, _ = run(demo_year, "ticket", "2026-004", str(row["uscc"]))
    assert code == 0 and "不符合方案的筛选条件" in text and "重点单位为“否”" in text


def test_show_and_ticket_before_the_draw(bureau: Path) -> None:
    from tests.support.bureau import suiji

    plan = bureau / "content" / "records" / "plans" / "2026-002.toml"
    assert suiji(bureau, "2026-02-02T09:00:00+08:00", "commit", str(plan)) == 0
    code, text, err = run(bureau, "--now", "2026-02-02T10:00:00+08:00", "show", "2026-002")
    assert code == 0, err
    assert "尚未抽取" in text and "2026-02-02 09:00:00（北京时间）" in text
    state = replayed(read_entries(bureau)).tasks["2026-002"]
    assert state.commit is not None
    member = load_committed(ObjectStore(bureau), state.commit.body).population.members[0]
    code, text, err = run(
        bureau, "--now", "2026-02-02T10:00:00+08:00", "ticket", "2026-002", member.id
    )
    assert code == 0, err
    assert "可抽取（尚未抽取）" in text and "抽取后才能计算" in text
