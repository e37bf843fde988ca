"""Messages a clerk can act on: TOML typed with a Chinese input method, voiding an enterprise."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from tests.support.example import example_records
from tests.test_person_voids import TASK, VOID_AT, drawn, first_officer, ledger_bytes
from tests.test_person_voids import writer as person_writer

from suiji.cli.app import main
from suiji.draw.plan import PlanError
from suiji.draw.planfile import plan_from_toml
from suiji.ledger.objects import ObjectStore
from suiji.ledger.taskhistory import history
from suiji.shared.canonical import parse_canonical
from suiji.writing.people import void_person
from suiji.writing.steps import TaskError

__all__ = ["drawn"]  # the fixture, imported for its use below

EXAMPLE_PLAN = example_records() / "plans" / "2026-001.toml"


def toml_message(text: str) -> str:
    with pytest.raises(PlanError) as err:
        plan_from_toml(text.encode("utf-8"), "plans/2026-001.toml")
    return str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('unit = "监督管理股"', "unit = “监督管理股”", "中文引号 “"),
        ('unit = "监督管理股"', 'unit ＝ "监督管理股"', "全角等号 ＝"),
    ],
    ids=["full-width-quotes", "full-width-equals"],
)
def test_full_width_punctuation_is_named_at_its_line(old: str, new: str, named: str) -> None:
    text = EXAMPLE_PLAN.read_text("utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    message = toml_message(text.replace(old, new, 1))
    assert message.startswith(f"plans/2026-001.toml:{line}: TOML 语法错误：这一行有")
    assert named in message and "英文" in message


def test_other_toml_errors_are_in_chinese() -> None:
    assert "引号没有配对" in toml_message('task_id = "2026-001\n')
    assert "同一个键写了两次" in toml_message('task_id = "a"\ntask_id = "b"\n')
    message = toml_message("name = x\n")
    assert message.startswith("plans/2026-001.toml:1: TOML 语法错误：值的写法不对")


def test_quotes_inside_text_are_not_blamed() -> None:
    """“” inside an ASCII-quoted string are fine; the error elsewhere is reported as such."""
    message = toml_message('name = "关于“双随机”抽查"\nunit = x\n')
    assert message.startswith("plans/2026-001.toml:2: TOML 语法错误：值的写法不对")


def test_voiding_a_drawn_enterprise_says_what_to_record_instead(drawn: Path) -> None:
    state = history(drawn).tasks[TASK]
    assert state.draw is not None
    result = parse_canonical(ObjectStore(drawn).get(state.draw.body.result_object))
    enterprise = result["targets"]["selected"][0]["id"]
    before = ledger_bytes(drawn)
    team, _ = first_officer(drawn)
    with pytest.raises(TaskError) as err:
        void_person(person_writer(drawn, VOID_AT), TASK, team, enterprise, "已停业")
    assert err.value.code == "void-enterprise"
    out, errs = io.StringIO(), io.StringIO()
    argv = ["--root", str(drawn), "--now", VOID_AT, "void", TASK, enterprise, "--reason", "已停业"]
    key = ["--key", str(drawn / "private" / "signing.key")]
    with redirect_stdout(out), redirect_stderr(errs):
        assert main([*argv, *key]) == 2
    message = errs.getvalue()
    assert "不作废" in message and "备选" in message
    assert "已关闭停业" in message and "未发现开展本次抽查涉及的经营活动" in message
    assert ledger_bytes(drawn) == before
