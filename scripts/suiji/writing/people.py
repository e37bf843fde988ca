"""Person voids and their replacements: a void names a later round, the round decides.

Nobody knows who replaces a voided person when the void is signed
(docs/spec/11-teams.md, docs/spec/13-task-entries.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.verify import verify_round
from suiji.draw.derive import (
    AppliedVoid,
    applied_void,
    derive_void,
    load_committed,
    void_round,
)
from suiji.draw.teamrules import TASK_TEAM
from suiji.ledger.codec import Entry
from suiji.ledger.history import (
    BEACON,
    PERSON_REPLACE,
    PERSON_VOID,
    History,
)
from suiji.ledger.objects import ObjectStore
from suiji.ledger.taskhistory import history
from suiji.model.tasks import (
    BeaconRound,
    Commit,
    Draw,
    PersonReplace,
    PersonVoid,
)
from suiji.shared.canonical import parse_canonical
from suiji.shared.errors import UsageError
from suiji.shared.times import civil_date
from suiji.writing.steps import Step, TaskError, _locked_step, beacon_signature

# ---------------------------------------------------------------- person voids


def _drawn(hist: History, task: str) -> tuple[Commit, Draw, list[AppliedVoid]]:
    """A drawn task's commitment, draw and its replaced voids so far (TaskError if not drawn)."""
    state = hist.tasks.get(task)
    if hist.check_person_void(task) or state is None:
        raise TaskError(f"任务 {task} 尚未抽取，没有可替换的人员", code="task-not-drawn")
    assert state.commit is not None and state.draw is not None
    applied = [
        applied_void(
            void.body,
            void.hash,
            state.draw.body.seed,
            hist.beacons_by_seq[rep.body.beacon_seq].body.randomness,
        )
        for void, rep in zip(state.person_voids, state.replacements, strict=False)
    ]
    return state.commit.body, state.draw.body, applied


_RESULTS = (
    "7 已关闭停业或正在组织清算、6 通过登记的住所（经营场所）无法联系、"
    "F 未发现开展本次抽查涉及的经营活动、9 注销、10 被吊销、12 迁出"
)


def refuse_enterprise(task: str, result: object, code: str) -> None:
    """A drawn enterprise is never voided or replaced: say what to record instead.

    Replacing a drawn enterprise would let the bureau choose whom to inspect; one that is
    closed, gone or not in the business is inspected "as drawn" and its result category
    records why (the alternates are published for transparency only).
    """
    from suiji.shared.text import id_key

    targets = result.get("targets") if isinstance(result, dict) else None
    if not isinstance(targets, dict):
        return
    picked = {str(p.get("id")) for p in targets.get("selected", []) if isinstance(p, dict)}
    if id_key(code) in picked:
        raise TaskError(
            f"{id_key(code)} 是任务 {task} 抽中的企业，不是检查人员：抽中的企业一经抽取"
            f"不作废、也不由备选企业替补（备选名单只为公开）。企业已停业、无法联系或"
            f"不再从事相关经营的，照常登记检查结果，结果类别选填（{_RESULTS}），"
            f"并在备注中写明情况；suiji void 只用于撤换检查人员（suiji void {task} 人员编号"
            f" --reason 理由）",
            code="void-enterprise",
        )


@_locked_step
def void_person(
    w: Step, task: str, team: str, person: str, reason: str, *, accept_finding: bool = False
) -> Entry:
    """Record that a drawn person leaves; a later round decides the replacement (`replace`).

    Refused without a beacon chain, for a person whose earlier void still waits, and —
    unless `accept_finding` — when the verifier would report it (a second void of the same
    slot, or a void once the inspection window has started).
    """
    from suiji.shared.text import id_key

    hist = w.history
    commit, drawn, applied = _drawn(hist, task)
    store = ObjectStore(w.root)
    result = parse_canonical(store.get(drawn.result_object))
    refuse_enterprise(task, result, person)
    if not reason.strip():
        raise UsageError("替换人员必须写明理由（--reason）")
    assert hist.genesis is not None
    chain = hist.genesis.first_chain()
    if chain is None:
        raise TaskError(
            "本账本没有登记随机信标：替换人员须由将来的信标轮次决定，不能只用附加输入",
            code="void-needs-beacon",
        )
    committed = load_committed(store, commit)
    current = derive_void(committed, result, applied, seed=drawn.seed)
    pid = id_key(person)
    state = hist.tasks[task]
    if any(v.body.person == pid for v in state.pending_voids):
        raise TaskError(
            f"人员 {pid} 的撤换还在等待信标轮次，请先运行 suiji replace {task}",
            code="void-pending",
        )
    # The void must apply (a member, a reason, someone left to take the place): tried with
    # the draw's own order only to refuse early; the real order comes from the later round.
    derive_void(
        committed,
        result,
        [*applied, AppliedVoid(team, pid, reason.strip(), drawn.seed)],
        seed=drawn.seed,
    )
    key = current.team(team if team == TASK_TEAM else id_key(team)).key
    role = current.team(key).role_of(pid)
    assert role is not None and state.draw is not None
    body = PersonVoid(
        task=task,
        draw_seq=state.draw.seq,
        team=key,
        person=pid,
        role=role,
        reason=reason.strip(),
        beacon=void_round(chain, w.now),
    )
    if not accept_finding:
        if any(v.code == "void-slot-again" for v in hist.check_person_void(task, body)):
            raise TaskError(
                f"检查组 {key} 中 {pid} 所在岗位已撤换过一次，再次撤换将被验证报告为合规问题；"
                f"确需撤换请加 --accept-finding：suiji void {task} {pid} --reason … --accept-finding",
                code="void-slot-again",
            )
        if civil_date(w.now) >= committed.plan.window_start:
            raise TaskError(
                f"任务 {task} 的检查时间窗口已于 {committed.plan.window_start} 开始，此时撤换将被验证"
                f"报告为合规问题；确需撤换请加 --accept-finding：suiji void {task} {pid} --reason … --accept-finding",
                code="void-in-window",
            )
    return w.append(PERSON_VOID, body)


@_locked_step
def replace_due(
    w: Step,
    task: str,
    *,
    recorded: Mapping[int, str] | None = None,
    fetch: bool = False,
) -> list[Entry]:
    """Record the replacement of every pending void of `task` whose round exists, in void order.

    Each replacement records its round's beacon first (once per round). Stops at the first
    void whose round is still in the future; everything is computed before writing.
    """
    hist = w.history
    commit, drawn, applied = _drawn(hist, task)
    state = hist.tasks[task]
    assert hist.genesis is not None and state.draw is not None
    store = ObjectStore(w.root)
    committed = load_committed(store, commit)
    result = parse_canonical(store.get(drawn.result_object))
    planned: list[tuple[BeaconRound | None, int | None, PersonReplace]] = []
    rounds: dict[tuple[str, int], BeaconRound] = {}
    for void in state.pending_voids:
        terms = void.body.beacon
        if w.now < terms.available_at:
            break
        known = hist.beacons.get((terms.chain_hash, terms.round))
        beacon = known.body if known is not None else rounds.get((terms.chain_hash, terms.round))
        if beacon is None:
            chain = next(c for c in hist.genesis.chains() if c.chain_hash == terms.chain_hash)
            signature = beacon_signature(chain, terms.round, recorded=recorded, fetch=fetch)
            randomness = verify_round(chain, terms.round, signature, cache=VerifiedCache())
            beacon = BeaconRound(chain.name, chain.chain_hash, terms.round, signature, randomness)
        rounds[(terms.chain_hash, terms.round)] = beacon
        step = applied_void(void.body, void.hash, drawn.seed, beacon.randomness)
        applied = [*applied, step]
        after = derive_void(committed, result, applied, seed=drawn.seed)
        rep = PersonReplace(
            task=task,
            void_seq=void.seq,
            void=void.hash,
            beacon_seq=known.seq if known is not None else -1,
            seed=step.ticket_seed,
            replacement=after.voids[-1].replacement,
        )
        planned.append((None if known is not None else beacon, rep.beacon_seq, rep))
    out: list[Entry] = []
    written: dict[tuple[str, int], int] = {}
    for beacon, _seq, rep in planned:
        if beacon is not None:
            where = (beacon.chain_hash, beacon.round)
            if where not in written:
                written[where] = w.append(BEACON, beacon).seq
            rep = replace(rep, beacon_seq=written[where])
        out.append(w.append(PERSON_REPLACE, rep))
    return out


def pending_replacements(root: Path) -> list[str]:
    """Tasks with a person void still waiting for its replacement."""
    return [t for t, s in sorted(history(root).tasks.items()) if s.pending_voids]


def team_of(root: Path, task: str, person: str) -> str:
    """The team a person is on now (after earlier replacements), when unambiguous."""
    from suiji.shared.text import id_key

    commit, drawn, applied = _drawn(history(root), task)
    store = ObjectStore(root)
    result = parse_canonical(store.get(drawn.result_object))
    refuse_enterprise(task, result, person)
    current = derive_void(load_committed(store, commit), result, applied, seed=drawn.seed)
    found = [t.key for t in current.teams if t.role_of(id_key(person)) is not None]
    if len(found) != 1:
        where = "、".join(found) if found else "任何检查组"
        raise UsageError(f"人员 {person} 在 {where} 中；请用 --team 指明检查组")
    return found[0]
