"""Sealed draws at the verifier: messages for the lifecycle's sealed rules, and the
finding for a sealed task kept secret past its reveal deadline (docs/spec/18-sealed.md).

The re-derivation itself is the draw's (`suiji.verify.replay`): a reveal is a draw whose
seed is the sealed seed of the ordinary one and the revealed secret.
"""

from __future__ import annotations

from datetime import datetime

from suiji.draw.plan import Plan
from suiji.draw.sealed import seal_terms, sealed_seed
from suiji.ledger.history import TaskState
from suiji.model.genesis import Genesis
from suiji.model.tasks import Commit, Draw, Reveal
from suiji.shared.findings import Finding
from suiji.shared.times import format_time

MESSAGES: dict[str, str] = {
    "draw-sealed": "任务 {task} 是暗查暗访任务（承诺条目 #{seq}），只能以揭示（reveal）条目记录抽取结果",
    "reveal-unsealed": "任务 {task} 不是暗查暗访任务，却记录了揭示条目",
    "reveal-secret": "任务 {task} 揭示的密钥与承诺（条目 #{seq}）中的密钥哈希不符",
    "reveal-late": "任务 {task} 的暗查暗访结果在揭示期限 {detail} 之后才揭示",
    "result-sealed": "任务 {task} 是尚未揭示的暗查暗访任务，不能登记检查结果（{detail}）",
    "sealed-void-task": "任务 {task} 不是尚未揭示的暗查暗访任务，或暗查撤换引用的不是其有效承诺："
    "暗查撤换（加盐哈希）只用于揭示之前",
    "sealed-void-disclosure": "任务 {task} 的揭示条目公开的暗查撤换 {detail}，该撤换不予采用",
    "sealed-void-undisclosed": "任务 {task} 的暗查撤换条目 {detail} 在揭示时没有公开：无法核对撤换了谁",
}
"""Messages for the lifecycle's sealed rules; a late unrevealed task is `withheld`."""


def task_seed(public_seed: str, draw: Draw) -> str:
    """The seed a draw entry must carry: a reveal's is sealed by its secret."""
    return sealed_seed(public_seed, draw.secret) if isinstance(draw, Reveal) else public_seed


def unrevealed_message(state: TaskState, now: datetime) -> str | None:
    """The `withheld` message for a sealed task past its reveal deadline (None otherwise)."""
    commit = state.commit
    if not state.sealed or commit is None or commit.body.sealed is None:
        return None
    if now <= commit.body.sealed.deadline:
        return None
    return (
        f"暗查暗访任务 {state.task}（承诺条目 #{commit.seq}）的揭示期限 "
        f"{format_time(commit.body.sealed.deadline)} 已过，抽取结果仍未揭示："
        "持有密钥的人应提交 content/records/reveals/ 下的揭示文件"
    )


def commit_findings(seq: int, body: Commit, plan: Plan, genesis: Genesis) -> list[Finding]:
    """A commitment is sealed exactly when its plan is, with the plan's secret hash and the
    reveal deadline the plan's window and the genesis' disclosure period give."""
    expected = seal_terms(plan.sealed, plan.window_end, genesis.coverage.disclosure[0])
    if body.sealed == expected:
        return []
    shown = (
        f"应为密钥哈希 {expected.secret_hash}、揭示期限 {expected.reveal_by}"
        if expected is not None
        else "方案没有 [sealed]，承诺不得带 sealed"
    )
    return [
        Finding(
            seq,
            "integrity",
            "sealed-terms",
            f"承诺的暗查暗访条款与方案不符（{shown}）：揭示期限在承诺时确定，不得推迟",
        )
    ]
