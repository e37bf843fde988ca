"""Text for `suiji write`: the terminal report and the Markdown job summary (in Chinese).

The summary is what a clerk without a terminal reads on the git host's job page after
uploading a file: every skipped file with its located messages and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from suiji.writing.reconcile import Action, WritePlan
from suiji.writing.writerun import Outcome

STEP_NAMES = {
    "commit-void": "作废承诺",
    "commit": "承诺方案",
    "inputs": "登记附加输入",
    "draw": "抽取",
    "reveal": "揭示",
    "person-void": "撤换人员",
    "replace": "记录替换人员",
    "withdraw": "撤回检查结果（信用修复）",
    "record": "登记检查结果",
    "request": "写入根密钥签署的请求",
}

NO_GENESIS = (
    "账本尚未建立（ledger/ 中没有创世条目），没有可写入的内容：请先运行 suiji init 建立账本"
)


def action_line(action: Action) -> str:
    what = STEP_NAMES.get(action.step, action.step)
    task = f" 任务 {action.task}" if action.task else ""
    source = f"（{action.source}）" if action.source else ""
    return f"{what}{task}{source}"


def plan_lines(plan: WritePlan) -> list[str]:
    """What a run will try, for the confirmation prompt."""
    return [action_line(a) for a in plan.actions]


def _entries(entries: Sequence[tuple[int, str]]) -> str:
    return "、".join(f"#{seq}（{kind}）" for seq, kind in entries)


def terminal(out: Outcome) -> str:
    if not out.initialised:
        return NO_GENESIS + "\n"
    lines = []
    for done in out.done:
        if done.entries:
            lines.append(f"{action_line(done.action)}：条目 {_entries(done.entries)}")
    if not out.appended:
        lines.append("没有需要写入的新内容，账本未改动。")
    else:
        lines.append(f"共写入 {out.appended} 条条目。")
    lines.extend(f"说明：{n}" for n in out.notices)
    if out.skipped:
        lines.append(f"未处理 {len(out.skipped)} 项（其余步骤已照常执行）：")
        for s in out.skipped:
            lines.extend(f"  {m}" for m in s.messages)
    lines.extend(witness_lines(out))
    return "\n".join(lines) + "\n"


WITNESS_STATUS = {"ok": "已联署", "failed": "未联署", "invalid": "应答无效", "alarm": "警报"}


def witness_lines(out: Outcome) -> list[str]:
    """One line per witness answer; an alarm says what it means and what to do."""
    lines = []
    for r in out.witnessed:
        status = WITNESS_STATUS.get(r.status, r.status)
        detail = f"：{r.detail}" if r.detail else ""
        lines.append(f"见证人 {r.witness}（检查点 {r.size} 条）{status}{detail}")
    if out.alarms:
        lines.append(
            "见证警报：见证人见过与本账本不一致的历史（分叉、截断或回滚）。请立即停止写入，"
            "保存 ledger/ 与见证人的应答，联系见证人核对，并运行 suiji verify 检查账本"
        )
    return lines


def _md(text: str) -> str:
    """Plain text safe inside a Markdown list item (no HTML, no accidental formatting)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
        .replace("`", "'")
    )


def summary(out: Outcome, when: str) -> str:
    """The job summary (Markdown): what was written, then every skipped file and why."""
    lines = [f"## suiji write（{when}）", ""]
    if not out.initialised:
        return "\n".join([*lines, NO_GENESIS, ""]) + "\n"
    written = [d for d in out.done if d.entries]
    if written:
        lines.append(f"已写入 {out.appended} 条条目：")
        lines.append("")
        lines.extend(
            f"- {_md(action_line(d.action))}：条目 {_md(_entries(d.entries))}" for d in written
        )
    else:
        lines.append("没有需要写入的新内容，账本未改动。")
    if out.skipped:
        lines += [
            "",
            f"### 未处理（{len(out.skipped)} 项）：请改正文件后重新提交",
            "",
            "其余步骤已照常执行；下列文件的内容没有写入账本。",
            "",
        ]
        for s in out.skipped:
            lines.append(f"- `{_md(s.source)}`（{_md(s.code)}）")
            lines.extend(f"  - {_md(m)}" for m in s.messages)
    if out.witnessed:
        lines += ["", "### 见证", ""]
        lines.extend(f"- {_md(w)}" for w in witness_lines(out))
    if out.notices:
        lines += ["", "### 说明", ""]
        lines.extend(f"- {_md(n)}" for n in out.notices)
    return "\n".join(lines) + "\n"


def failed(err: object, when: str) -> str:
    """The summary of a run that could not start or was stopped (key, ledger, disk)."""
    return (
        f"## suiji write（{when}）\n\n**写入程序未能完成，账本没有写入本次的内容**："
        f"{_md(str(err))}\n\n请管理员处理后重新运行（GitHub：Actions → writer → Run workflow）。\n"
    )
