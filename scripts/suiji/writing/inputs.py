"""Recording a plan's extra inputs (dice, lottery numbers), each in its own entry before the round.

Every value is checked before the first is written; the lifecycle and the verifier apply the
same rules (docs/spec/13-task-entries.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from suiji.draw.derive import (
    load_committed,
)
from suiji.draw.extras import normalize_value
from suiji.ledger.codec import Entry
from suiji.ledger.history import (
    EXTRA_INPUT,
    History,
    Violation,
)
from suiji.ledger.objects import ObjectStore
from suiji.model.tasks import (
    Commit,
    ExtraValue,
)
from suiji.shared.errors import UsageError
from suiji.shared.times import format_time
from suiji.writing.steps import Step, TaskError, _locked_step

# ---------------------------------------------------------------- extra inputs


@_locked_step
def record_inputs(w: Step, task: str, typed: Sequence[tuple[str, str]]) -> list[Entry]:
    """Record declared extra inputs, one entry each, before the committed round exists.

    Every value is normalised and checked (name declared, not yet recorded, format,
    lottery already drawn, round not yet produced) before the first entry is written.
    """
    hist = w.history
    live = hist.live_commit(task)
    if live is None:
        raise TaskError(f"任务 {task} 没有有效的承诺：请先 suiji commit", code="task-not-committed")
    declared = load_committed(ObjectStore(w.root), live.body).plan.seed_extra
    if not typed:
        raise UsageError(f"请用 --extra 名称=数值 填写附加输入（本任务声明了：{_names(declared)}）")
    names = [n for n, _ in typed]
    if len(set(names)) != len(names):
        raise UsageError("同一附加输入在一条命令中只能填写一次")
    bodies = []
    for name, raw in typed:
        spec = next((d for d in declared if d.name == name), None)
        value = normalize_value(spec, raw) if spec is not None else raw.strip()
        body = ExtraValue(task, live.seq, live.hash, name, value)
        for v in hist.check_extra_input(body, w.now, declared):
            raise _extra_refusal(v, live.body, declared, hist)
        bodies.append(body)
    return [w.append(EXTRA_INPUT, body) for body in bodies]


def _names(declared: Sequence[object]) -> str:
    return "、".join(getattr(d, "name", "") for d in declared) or "无"


def _extra_refusal(
    v: Violation, commit: Commit, declared: Sequence[object], hist: History
) -> TaskError:
    """The writer's words for a broken extra-input rule (codes as the verifier's findings)."""
    if v.code == "extra-twice":
        earlier = hist.tasks[v.task].extras[v.detail]
        text = (
            f"附加输入“{v.detail}”已于条目 #{earlier.seq} 登记为 {earlier.body.value}，"
            "登记后不能更改"
        )
    elif v.code == "extra-late":
        text = (
            f"任务 {v.task} 承诺的随机数已于 {format_time(commit.available_at)} 产生，"
            f"附加输入“{v.detail}”必须在此之前登记，现在登记谁都无法核实；"
            "此承诺不能再抽取，请以新的任务编号重新承诺"
        )
    elif v.code == "extra-unknown":
        text = f"“{v.detail}”不是方案声明的附加输入（可填写：{_names(declared)}）"
    elif v.code == "extra-early":
        text = f"彩票输入“{v.detail}”尚未开奖：请在官方开奖之后再登记开奖号码"
    elif v.code == "extra-format":
        text = f"{v.detail}；请按格式重新运行 suiji inputs"
    else:
        text = f"附加输入不能登记：{v.code}"
    return TaskError(text, code=v.code)
