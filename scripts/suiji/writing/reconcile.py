"""What `suiji write` will do: the record files and the ledger in, ordered actions out.

A pure function (`plan_write`): it reads nothing and writes nothing, so it is tested on its
own, and a run can be explained before anything is signed. The order is the lifecycle's
(docs/spec/04-ledger.md §4.5.3):

1. commitment voids requested before their round (a void frees the task for step 2);
2. new plans — a plan file whose task has no live commitment and no draw, and whose bytes
   are not those of a commitment already voided (voiding and leaving the plan unchanged
   withdraws the task; editing the plan commits the new one);
3. extra inputs not yet recorded for a live commitment;
4. every due draw — decided from the ledger alone, so it is planned whatever the files say;
5. reveals of sealed draws whose round's beacon is recorded (docs/spec/18-sealed.md);
6. person voids not yet recorded, then replacements whose round has passed;
7. withdrawals of results (信用修复) not yet recorded, then results (one step: `suiji
   record`'s own plan decides rows; a withdrawn row is gone from the file by then);
8. root-signed requests not yet in the ledger.

Each action is applied later through the existing writing steps, which check every rule
again under the ledger's lock; a plan that went stale only makes a step refuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from suiji.ledger.history import History
from suiji.shared.canonical import canonical_json
from suiji.writing.recordfiles import (
    CommitVoidRequest,
    InputsRequest,
    PersonVoidRequest,
    PlanFile,
    RecordFiles,
    RevealRequest,
    RootRequest,
    Skipped,
    WithdrawRequest,
)

STEPS = (
    "commit-void",
    "commit",
    "inputs",
    "draw",
    "reveal",
    "person-void",
    "replace",
    "withdraw",
    "record",
    "request",
)
"""Every step `suiji write` knows, in the order it applies them."""


@dataclass(frozen=True)
class Action:
    """One step to apply: which, for which task, from which file (None: from the ledger)."""

    step: str
    task: str | None = None
    source: str | None = None
    request: (
        CommitVoidRequest
        | PlanFile
        | InputsRequest
        | PersonVoidRequest
        | WithdrawRequest
        | RevealRequest
        | RootRequest
        | None
    ) = None
    values: tuple[tuple[str, str], ...] = ()  # inputs: only those not yet recorded


@dataclass(frozen=True)
class LedgerFacts:
    """What the planner needs beyond the task history: read from the ledger's entries."""

    hist: History
    plan_sources: Mapping[int, str] = field(default_factory=dict)  # commit seq → source object
    key_bodies: frozenset[bytes] = frozenset()  # canonical bodies of recorded key changes


@dataclass(frozen=True)
class WritePlan:
    actions: tuple[Action, ...]
    skipped: tuple[Skipped, ...]
    notices: tuple[str, ...]


def plan_write(files: RecordFiles, facts: LedgerFacts, now: datetime) -> WritePlan:
    """Every action a run takes, in order; files that cannot apply are `skipped`."""
    hist = facts.hist
    actions: list[Action] = []
    skipped: list[Skipped] = list(files.skipped)
    notices: list[str] = []
    voiding = _commit_voids(files.commit_voids, hist, actions, skipped)
    committing = _plans(files.plans, facts, voiding, actions, notices)
    _inputs(files.inputs, hist, voiding, committing, actions, notices)
    due = hist.due(now)
    actions.extend(Action("draw", task) for task in due)
    for rev in files.reveals:
        state = hist.tasks.get(rev.task)
        if state is None or state.draw is None:  # a revealed task plans nothing
            actions.append(Action("reveal", rev.task, rev.source, rev))
    _person_voids(files.person_voids, hist, set(due), actions, skipped)
    actions.extend(
        Action("replace", task)
        for task, state in sorted(hist.tasks.items())
        if state.pending_voids and now >= state.pending_voids[0].body.beacon.available_at
    )
    for w in files.withdrawals:
        result = hist.results.get((w.task, w.uscc))
        if result is None or result.withdrawn is None:
            actions.append(Action("withdraw", w.task, w.source, w))
    if files.results:
        actions.append(Action("record", source="content/records/results/"))
    for req in files.requests:
        if canonical_json(req.request.body) not in facts.key_bodies:
            actions.append(Action("request", source=req.source, request=req))
    return WritePlan(tuple(actions), tuple(skipped), tuple(notices))


def _commit_voids(
    requests: Sequence[CommitVoidRequest],
    hist: History,
    actions: list[Action],
    skipped: list[Skipped],
) -> set[str]:
    """Voids of a live commitment; a request already carried out is done, others skipped."""
    voiding: set[str] = set()
    for req in requests:
        state = hist.tasks.get(req.task)
        if state is not None and any(v.body.commit_seq == req.commit_seq for v in state.voided):
            continue  # done
        drawn = state.draw if state is not None else None
        if drawn is not None and drawn.body.commit_seq == req.commit_seq:
            text = (
                f"任务 {req.task} 的承诺（条目 #{req.commit_seq}）已于条目 #{drawn.seq} 抽取，"
                "抽取后的承诺不能作废：请删除此作废请求文件"
            )
            skipped.append(Skipped(req.source, "task-already-drawn", (f"{req.source}: {text}",)))
            continue
        live = state.commit if state is not None else None
        if live is not None and live.seq == req.commit_seq:
            actions.append(Action("commit-void", req.task, req.source, req))
            voiding.add(req.task)
            continue
        text = (
            f"条目 #{req.commit_seq} 不是任务 {req.task} 的有效承诺：请核对 commit_seq"
            f"（网站任务页或 suiji show {req.task} 显示承诺的条目编号）"
        )
        skipped.append(Skipped(req.source, "void-unknown", (f"{req.source}: {text}",)))
    return voiding


def _plans(
    plans: Sequence[PlanFile],
    facts: LedgerFacts,
    voiding: set[str],
    actions: list[Action],
    notices: list[str],
) -> set[str]:
    hist = facts.hist
    committing: set[str] = set()
    for plan in plans:
        state = hist.tasks.get(plan.task)
        if state is not None and state.draw is not None:
            continue  # drawn: the plan file stays as the record of what was committed
        live = state.commit if state is not None else None
        if live is not None and plan.task not in voiding:
            if live.body.plan_source_object != plan.source_object:
                notices.append(
                    f"{plan.source}: 方案文件已修改，但任务 {plan.task} 的承诺（条目 #{live.seq}）"
                    "仍然有效，抽取仍按已承诺的方案进行；如需改用新方案，请在信标轮次之前添加作废请求"
                    f" content/records/voids/commitments/{plan.task}.toml"
                )
            continue
        voided = {
            facts.plan_sources.get(v.body.commit_seq) for v in (state.voided if state else [])
        }
        if live is not None:
            voided.add(live.body.plan_source_object)
        if plan.source_object in voided:
            continue  # the voided plan, unchanged: the task is withdrawn
        actions.append(Action("commit", plan.task, plan.source, plan))
        committing.add(plan.task)
    return committing


def _inputs(
    requests: Sequence[InputsRequest],
    hist: History,
    voiding: set[str],
    committing: set[str],
    actions: list[Action],
    notices: list[str],
) -> None:
    for req in requests:
        state = hist.tasks.get(req.task)
        if state is not None and state.draw is not None:
            continue
        live = state is not None and state.commit is not None and req.task not in voiding
        if not live and req.task not in committing:
            notices.append(
                f"{req.source}: 任务 {req.task} 没有有效的承诺，附加输入暂不登记"
                "（承诺之后、信标轮次之前才能登记）"
            )
            continue
        recorded = state.extras if (state is not None and live) else {}
        new = tuple((n, v) for n, v in req.values if n not in recorded)
        if new:
            actions.append(Action("inputs", req.task, req.source, req, values=new))


def _person_voids(
    requests: Sequence[PersonVoidRequest],
    hist: History,
    due: set[str],
    actions: list[Action],
    skipped: list[Skipped],
) -> None:
    """One void per task and run: a second waits until the first's replacement is recorded."""
    waiting: set[str] = set()
    for req in requests:
        state = hist.tasks.get(req.task)
        if state is not None and any(v.body.person == req.person for v in state.person_voids):
            continue  # done
        drawn = state is not None and state.draw is not None
        if not drawn and req.task not in due:
            text = f"任务 {req.task} 尚未抽取，没有可撤换的人员：请核对任务编号"
            skipped.append(Skipped(req.source, "task-not-drawn", (f"{req.source}: {text}",)))
            continue
        if req.task in waiting or (state is not None and state.pending_voids):
            waiting.add(req.task)
            continue  # after the pending replacement
        actions.append(Action("person-void", req.task, req.source, req))
        waiting.add(req.task)
