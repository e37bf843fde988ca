"""Plans (suiji.plan, docs/spec/07-plans.md §7.1–7.2): the clerk's TOML and its committed JSON form.

Error tests write real plan files and check the message names the file, the right line
and what to do, because a clerk fixes the file from that one line.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.example import example_records

from suiji.draw.plan import (
    DIRECTED,
    UNDIRECTED,
    Count,
    ExtraInput,
    Plan,
    PlanError,
    Ratio,
    Strata,
    parse_ratio,
    plan_from_json,
    plan_to_json,
)
from suiji.draw.planfile import load_plan
from suiji.draw.teamrules import TeamRules
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((example_records() / "plans").glob("*.toml"))

BASE = """\
task_id = "2026-009"
name = "测试抽查任务"
year = 2026
unit = "监督管理股"
kind = "不定向"
count = 3
items_per_target = 2

[window]
start = 2026-04-01
end = 2026-04-30
"""


def write(tmp_path: Path, text: str, name: str = "2026-009") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "2026-009") -> list[str]:
    path = write(tmp_path, text, name)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert str(info.value) == "\n".join(info.value.problems)
    return list(info.value.problems)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def assert_located(message: str, path_name: str, line: int, *words: str) -> None:
    m = re.match(r"^(.+):(\d+): (.+)$", message, re.S)
    assert m, message
    assert m.group(1).endswith(path_name) and int(m.group(2)) == line, message
    for word in words:
        assert word in m.group(3), message


# ---------------------------------------------------------------- examples and JSON


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_plans_load_and_round_trip(path: Path) -> None:
    plan = load_plan(path)
    d = plan_to_json(plan)
    again = parse_canonical(canonical_json(d))
    assert plan_from_json(again) == plan
    assert plan.task_id == path.stem


def test_examples_cover_the_three_kinds() -> None:
    plans = [load_plan(p) for p in EXAMPLES]
    assert any(p.kind == UNDIRECTED and isinstance(p.size, Ratio) for p in plans)
    assert any(p.kind == DIRECTED and dict(p.filters).get("industry") for p in plans)
    assert any(isinstance(p.size, Strata) and p.size.total for p in plans)


def test_full_plan_values(tmp_path: Path) -> None:
    head = BASE.replace('kind = "不定向"', 'kind = "定向"')
    text = (
        head.replace("count = 3\n", 'note = "  测试  "\n')
        + """
[filters]
industry = ["危险化学品经营(带储存)", "危险化学品使用", "危险化学品使用"]
key_unit = true
district = "第二片区"

[strata]
by = "risk"
quotas = { "较大风险" = 2, "一般风险" = 1 }

[team]
officers = 3

[seed]
extra = [
  { kind = "lottery", name = "福彩3D", game = "福彩3D", draw = "2026-070", draw_date = 2026-03-16 },
  { kind = "dice", name = "掷骰" },
]
"""
    )
    plan = load_plan(write(tmp_path, text))
    assert plan.filters == (
        ("district", ("第二片区",)),
        ("industry", ("危险化学品使用", "危险化学品经营（带储存）")),
        ("key_unit", (True,)),
    )
    assert plan.size == Strata("risk", quotas=(("一般风险", 1), ("较大风险", 2)))
    assert plan.team == TeamRules(officers=3)
    assert plan.seed_extra == (
        ExtraInput("lottery", "福彩3D", "2026-070", game="福彩3D", draw_date=date(2026, 3, 16)),
        ExtraInput("dice", "掷骰"),
    )
    assert plan.note == "测试"
    assert plan.window_start == date(2026, 4, 1)
    d = plan_to_json(plan)
    assert d["size"] == {
        "mode": "quotas",
        "by": "risk",
        "quotas": [{"stratum": "一般风险", "quota": 1}, {"stratum": "较大风险", "quota": 2}],
    }
    assert plan_from_json(d) == plan


def test_plan_json_is_canonical_and_float_free() -> None:
    for path in EXAMPLES:
        data = canonical_json(plan_to_json(load_plan(path)))
        assert b"." not in data.replace(b".toml", b"") or b'"text"' in data


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d | {"extra": 1}, "$."),
        (lambda d: d | {"schema": "suiji/plan/v1"}, "$.schema"),
        (lambda d: d | {"filters": {"industry": ["烟花爆竹零售"]}}, "不定向"),
        (
            lambda d: (
                d | {"size": {"mode": "ratio", "numerator": 1, "denominator": 10, "text": "5%"}}
            ),
            "$.size",
        ),
        (lambda d: d | {"size": {"mode": "count", "count": 3.0}}, "$.size.count"),
        (lambda d: d | {"window": {"start": "2026-4-1", "end": "2026-04-30"}}, "$.window.start"),
        (lambda d: d | {"team": {"per": "target"}}, "$.team"),
        (lambda d: d | {"name": " 测试抽查任务"}, "规范形式"),
    ],
)
def test_plan_from_json_rejects(tmp_path: Path, change: Any, fragment: str) -> None:
    d = plan_to_json(load_plan(write(tmp_path, BASE)))
    with pytest.raises(PlanError) as info:
        plan_from_json(change(d))
    assert fragment in str(info.value)


def test_unsorted_filter_values_are_not_canonical(tmp_path: Path) -> None:
    text = (
        BASE.replace('kind = "不定向"', 'kind = "定向"') + '[filters]\nscale = ["小型", "中型"]\n'
    )
    d = plan_to_json(load_plan(write(tmp_path, text)))
    assert d["filters"] == {"scale": ["中型", "小型"]}
    with pytest.raises(PlanError, match="规范形式"):
        plan_from_json(d | {"filters": {"scale": ["小型", "中型"]}})


# ---------------------------------------------------------------- ratios


@pytest.mark.parametrize(
    ("text", "num", "den"),
    [
        ("5%", 1, 20),
        ("2.5%", 1, 40),
        ("1/20", 1, 20),
        ("100%", 1, 1),
        ("３／６０", 1, 20),
        (" 30 % ", 3, 10),
    ],
)
def test_ratio_forms(text: str, num: int, den: int) -> None:
    ratio = parse_ratio(text)
    assert (ratio.numerator, ratio.denominator) == (num, den)
    assert ratio.text == text.strip()


def test_ratio_count_is_ceiling() -> None:
    assert Ratio(1, 20, "5%").count(41) == 3
    assert Ratio(1, 20, "5%").count(40) == 2
    assert Ratio(1, 20, "5%").count(1) == 1
    assert Ratio(1, 20, "5%").count(0) == 0
    big = 10**17 + 1  # where float division would round: 3·big/3 must stay exact
    assert Ratio(1, 3, "1/3").count(3 * big) == big
    assert Ratio(1, 3, "1/3").count(3 * big + 1) == big + 1


@settings(max_examples=50)
@given(
    st.integers(min_value=1, max_value=500),
    st.integers(min_value=1, max_value=500),
    st.integers(0, 10**6),
)
def test_ratio_ceiling_property(a: int, b: int, n: int) -> None:
    num, den = min(a, b), max(a, b)
    k = Ratio(num, den, f"{num}/{den}").count(n)
    assert k * den >= num * n > (k - 1) * den


@pytest.mark.parametrize("text", ["0%", "101%", "3/2", "1/0", "0/5", "五%", "5", "0.05", "-5%"])
def test_bad_ratio_text(text: str) -> None:
    with pytest.raises(PlanError, match="比例"):
        parse_ratio(text)


# ---------------------------------------------------------------- located errors


def test_unknown_filter(tmp_path: Path) -> None:
    text = (
        BASE.replace('kind = "不定向"', 'kind = "定向"')
        + '\n[filters]\nindustry = ["危险化学品使用"]\ncity = ["合肥"]\n'
    )
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "city"), "未知的筛选条件 city", "industry")


def test_ratio_above_one(tmp_path: Path) -> None:
    text = BASE.replace("count = 3", 'ratio = "120%"')
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "ratio"), "120%", "不超过 100%")


def test_float_ratio(tmp_path: Path) -> None:
    text = BASE.replace("count = 3", "ratio = 0.05")
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "ratio"), '"5%"')


def test_both_count_and_ratio(tmp_path: Path) -> None:
    text = BASE.replace("count = 3", 'count = 3\nratio = "5%"')
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "ratio"), "只能用一种写法")


def test_no_size(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, BASE.replace("count = 3\n", ""))
    assert "只能用一种写法" in msg


def test_unknown_stratum_key(tmp_path: Path) -> None:
    text = BASE.replace("count = 3\n", "") + '\n[strata]\nby = "township"\ntotal = 5\n'
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, 'by = "township"'), "township", "industry")


def test_unknown_quota_stratum(tmp_path: Path) -> None:
    text = (
        BASE.replace("count = 3\n", "") + '\n[strata]\nby = "industry"\nquotas = { "加油站" = 2 }\n'
    )
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "quotas"), "加油站", "危险化学品生产")


def test_total_and_quotas_together(tmp_path: Path) -> None:
    text = (
        BASE.replace("count = 3\n", "")
        + '[strata]\nby = "scale"\ntotal = 2\nquotas = { "小型" = 1 }\n'
    )
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "[strata]"), "total", "quotas")


@pytest.mark.parametrize("bad", ["2026 001", "２０２６-001", "-2026", "2026_001", "", "a" * 33])
def test_bad_task_id(tmp_path: Path, bad: str) -> None:
    text = BASE.replace('"2026-009"', f'"{bad}"')
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", 1, "任务编号", "2026-001")


def test_task_id_must_match_file_name(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, BASE, name="2026-010")
    assert_located(msg, "2026-010.toml", 1, "2026-009.toml")


def test_window_end_before_start(tmp_path: Path) -> None:
    text = BASE.replace("end = 2026-04-30", "end = 2026-03-30")
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "end ="), "早于", "2026-03-30")


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ("start = 2026-04-01", 'start = "2026-04-01"', "start", ("不带引号",)),
        ("start = 2026-04-01", "start = 2025-12-01", "start", ("计划年度",)),
        ("year = 2026", "year = 2026.0", "year", ("小数",)),
        ("count = 3", "count = 0", "count", ("1 到",)),
        ('kind = "不定向"', 'kind = "随机"', "kind", ("不定向",)),
        ('kind = "不定向"', 'kind = "定向"', "kind", ("[filters]",)),
        (
            "items_per_target = 2",
            "items_per_target = 2\ncolour = 1",
            "colour",
            ("未知的键 colour",),
        ),
        ('name = "测试抽查任务"', 'name = "  "', "name", ("非空",)),
    ],
)
def test_other_located_errors(
    tmp_path: Path, old: str, new: str, needle: str, words: tuple[str, ...]
) -> None:
    text = BASE.replace(old, new)
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, needle), *words)


def test_filters_in_undirected_plan(tmp_path: Path) -> None:
    text = BASE + '\n[filters]\nindustry = ["危险化学品使用"]\n'
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "[filters]"), "定向")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('[filters]\nkey_unit = ["是"]\n', ("true",)),
        ('[filters]\nrisk = ["很高"]\n', ("很高", "重大风险")),
        ("[filters]\nscale = []\n", ("空列表",)),
    ],
)
def test_bad_filter_values(tmp_path: Path, table: str, words: tuple[str, ...]) -> None:
    text = BASE.replace('kind = "不定向"', 'kind = "定向"') + "\n" + table
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", len(text.splitlines()), *words)


def test_team_errors_point_at_the_team_key(tmp_path: Path) -> None:
    text = BASE + '\n[team]\nper = "target"\nofficers = 1\n'
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "officers"), "officers")


def test_seed_extra_errors(tmp_path: Path) -> None:
    text = BASE + '\n[seed]\nextra = [{ kind = "lottery", name = "福彩3D" }]\n'
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "extra"), "期号")
    text = (
        BASE
        + '\n[seed]\nextra = [{ kind = "dice", name = "骰" }, { kind = "dice", name = "骰" }]\n'
    )
    assert "重复" in problems(tmp_path, text)[0]
    text = BASE + '\n[seed]\nextra = [{ kind = "coin", name = "硬币" }]\n'
    assert "lottery" in problems(tmp_path, text)[0]


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    text = BASE.replace("year = 2026", "year = 1900").replace(
        "end = 2026-04-30", "end = 2026-03-01"
    )
    text = text.replace('unit = "监督管理股"', "unit = 3")
    msgs = problems(tmp_path, text)
    assert len(msgs) == 3
    assert [int(m.split(":")[1]) for m in msgs] == sorted(int(m.split(":")[1]) for m in msgs)


def test_missing_keys(tmp_path: Path) -> None:
    text = BASE.replace('unit = "监督管理股"\n', "").split("[window]")[0]
    msgs = problems(tmp_path, text)
    assert any("unit" in m for m in msgs) and any("window" in m for m in msgs)


def test_toml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = BASE.replace('name = "测试抽查任务"', 'name = "测试抽查任务')
    (msg,) = problems(tmp_path, text)
    assert_located(msg, "2026-009.toml", line_of(text, "name ="), "TOML 语法错误")


def test_unreadable_and_bom(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="无法读取"):
        load_plan(tmp_path / "missing.toml")
    path = tmp_path / "2026-009.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_plan(path).task_id == "2026-009"
    path.write_bytes(BASE.encode("gb18030"))
    with pytest.raises(PlanError, match="UTF-8"):
        load_plan(path)


def test_plan_value_shape() -> None:
    plan = Plan(
        task_id="2026-009",
        name="x",
        year=2026,
        unit="y",
        kind=UNDIRECTED,
        filters=(),
        size=Count(1),
        items_per_target=1,
        window_start=date(2026, 1, 1),
        window_end=date(2026, 1, 2),
        team=TeamRules(),
    )
    assert plan.strata_by is None
    assert plan_from_json(plan_to_json(plan)) == plan


def test_filter_keys_are_draw_relevant_registry_columns() -> None:
    """A plan may filter only on columns that enter the committed snapshot."""
    from suiji.draw.plan import FILTER_KEYS
    from suiji.records import schema

    enterprise_aliases = {c.alias for c in schema.ENTERPRISES.columns if c.draw}
    assert set(FILTER_KEYS) <= enterprise_aliases
