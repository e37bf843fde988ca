"""The writing steps of a task: commit, void a commitment, record extra inputs, record a
beacon, draw, void and replace a person.

Each step gathers committed inputs, computes with the pure draw engine, and appends one
entry through the appending module, the only signer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import BeaconUnavailable, Chain, is_demo_chain
from suiji.beacon.sources import demo_sign_round, fetch_round
from suiji.beacon.verify import verify_round
from suiji.draw.coverage import CoverageReport, report
from suiji.draw.derive import (
    DRAW_RECORDS,
    beacon_terms,
    derive_population,
    derive_result,
    load_committed,
    plan_content,
    seed_for,
)
from suiji.draw.items import check_items_feasible
from suiji.draw.plan import Plan, plan_from_json, plan_to_json
from suiji.draw.planfile import load_plan
from suiji.draw.population import Population, population_to_json
from suiji.draw.sealed import seal_terms
from suiji.draw.targets import allocate, check_targets_feasible
from suiji.draw.teamcheck import TeamRulesUnmet, check_teams_feasible
from suiji.ledger import append as ledger_append
from suiji.ledger.codec import MAX_LINE, Entry
from suiji.ledger.history import (
    BEACON,
    COMMIT,
    COMMIT_VOID,
    DRAW,
    History,
    same_plan,
)
from suiji.ledger.objects import ObjectStore, object_id
from suiji.ledger.taskhistory import history
from suiji.model.tasks import (
    BeaconRound,
    ChainRound,
    Commit,
    CommitVoid,
    Draw,
    ExtraInput,
    ExtraValue,
    PersonReplace,
    PersonVoid,
    SealedVoid,
)
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import Refusal, UsageError
from suiji.shared.times import civil_date, format_time
from suiji.writing import registryguard

RECORDS_DIR = Path("content") / "records"
PLANS_DIR = RECORDS_DIR / "plans"


_Body = (
    Commit | CommitVoid | BeaconRound | Draw | PersonVoid | SealedVoid | PersonReplace | ExtraValue
)


class TaskError(Refusal):
    """A step that the ledger's history does not allow: say why and what to do."""

    code = "task-step-refused"


@dataclass(frozen=True)
class Writer:
    """Who appends and when: the bureau directory, the writer key and the clock."""

    root: Path
    key: Ed25519PrivateKey
    now: datetime
    clock_overridden: bool

    @contextmanager
    def session(self) -> Iterator[Step]:
        """One exclusive lock for a whole step: read the history, compute, append."""
        with ledger_append.session(self.root) as held:
            yield Step(self.root, self.key, self.now, self.clock_overridden, held)

    def append(self, kind: str, body: _Body, objects: Sequence[bytes] = ()) -> Entry:
        with self.session() as step:
            return step.append(kind, body, objects)


@dataclass(frozen=True)
class Step(Writer):
    """A writer inside its session: the history it reads is the one it appends to.

    Two clerks drawing the same task at once: the second waits for the lock, then sees the
    first's draw and is refused; the appending module checks the task rules again.
    """

    held: ledger_append.Session

    @property
    def history(self) -> History:
        return self.held.history

    def append(self, kind: str, body: _Body, objects: Sequence[bytes] = ()) -> Entry:
        return self.held.append(
            kind,
            body.to_json(),
            key=self.key,
            now=self.now,
            clock_overridden=self.clock_overridden,
            objects=objects,
        )


P = ParamSpec("P")
R = TypeVar("R")


def _locked_step(fn: Callable[Concatenate[Step, P], R]) -> Callable[Concatenate[Writer, P], R]:
    """Run a writing step inside the writer's session (see `Step`)."""

    def run(w: Writer, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(w, Step):
            return fn(w, *args, **kwargs)
        with w.session() as step:
            return fn(step, *args, **kwargs)

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


# ---------------------------------------------------------------- writing steps


def plan_path(root: Path, task: str) -> Path:
    return root / PLANS_DIR / f"{task}.toml"


@dataclass(frozen=True)
class PreparedCommit:
    """A commitment computed and checked, not yet appended (`commit`, `commit --dry-run`)."""

    plan: Plan
    population: Population
    rows: Mapping[str, list[dict[str, Any]]]
    body: Commit
    objects: list[bytes]


def prepare_commit(
    root: Path,
    hist: History,
    now: datetime,
    plan_file: Path,
    *,
    unmet: list[TeamRulesUnmet] | None = None,
) -> PreparedCommit:
    """Every check `commit` makes, in its order; raises the first refusal.

    With `unmet` given, a plan whose team rules some outcome cannot meet is collected there
    instead of raised, so a dry run can still try the draw and say how often it fails.
    """
    from suiji import records

    if hist.genesis is None:
        raise TaskError("账本尚未建立：请先运行 suiji init", code="ledger-not-initialised")
    plan = load_plan(plan_file)
    for v in hist.check_commit(plan.task_id):
        if v.code == "commit-after-draw":
            raise TaskError(
                f"任务 {plan.task_id} 已经抽取（条目 #{v.seq}），不能再次承诺",
                code="task-already-drawn",
            )
        raise TaskError(
            f"任务 {plan.task_id} 已有有效承诺（条目 #{v.seq}）；"
            f"如需修改，请先在轮次到来前作废：suiji void {plan.task_id} --reason 理由",
            code="task-already-committed",
        )
    today = civil_date(now)
    loaded = records.load_all(root / RECORDS_DIR, today)
    rows = {name: loaded.rows(name) for name in DRAW_RECORDS}
    registryguard.refuse_regressions(root, rows)
    registryguard.refuse_unknown_unit(plan.unit, rows["inspectors"], str(plan_file))
    refuse_rows_dated_after(rows, today.isoformat())
    population = derive_population(
        plan,
        rows["enterprises"],
        as_of=today,
        drawn=hist.drawn,
        yearly_cap=hist.genesis.coverage.cap,
    )
    check_targets_feasible(plan, population)
    check_items_feasible(plan, population, rows["checklist"])
    refuse_oversized_draw(plan, population, plan_file)
    try:
        refuse_choices(root, hist, plan, population, rows)
    except TeamRulesUnmet as exc:
        if unmet is None:
            raise
        unmet.append(exc)
    chain = hist.genesis.first_chain()
    if chain is None and not plan.seed_extra:
        raise TaskError(
            f"{plan_file}: 本账本没有登记随机信标，方案必须在 [seed] extra 中声明附加随机输入"
            "（如福彩开奖号码），否则抽签没有随机来源"
        )
    plan_bytes = canonical_json(plan_to_json(plan))
    source = plan_file.read_bytes()
    pop_bytes = canonical_json(population_to_json(population))
    snapshots = {name: loaded.snapshot(name) for name in DRAW_RECORDS}
    body = Commit(
        task=plan.task_id,
        name=plan.name,
        unit=plan.unit,
        as_of=today.isoformat(),
        plan_object=object_id(plan_bytes),
        plan_source_object=object_id(source),
        snapshots=tuple((n, object_id(b)) for n, b in snapshots.items()),
        population_object=object_id(pop_bytes),
        eligible=len(population.members),
        beacon=beacon_terms(chain, now, hist.genesis.draw_delay_seconds),
        sealed=seal_terms(plan.sealed, plan.window_end, hist.genesis.coverage.disclosure[0]),
    )
    for v in hist.check_commit_extras(body, now, plan.seed_extra):
        raise TaskError(f"{plan_file}: {v.detail}；请改正方案中的期号和开奖日期", code=v.code)
    objects = [plan_bytes, source, pop_bytes, *snapshots.values()]
    return PreparedCommit(plan, population, rows, body, objects)


DRAW_ENVELOPE_BYTES = 4096
"""A generous bound on everything in a draw entry but its target ids and extra values: the
envelope (seq, prev, kind, time, one signature), the hashes and entry numbers of the body,
and the longest `teams_error` message (a few hundred bytes)."""


def refuse_oversized_draw(plan: Plan, population: Population, plan_file: Path) -> None:
    """A commitment must always be drawable: its largest possible draw entry must fit in
    one ledger line (MAX_LINE). Checked before anything is committed, because after the
    round a draw that cannot be written would look exactly like a withheld one."""
    k = sum(q.quota for q in allocate(plan, population))
    longest = sorted((len(m.id.encode()) for m in population.members), reverse=True)[:k]
    targets = sum(longest) + 3 * k  # each id quoted, with a comma
    extra = sum(len(e.name.encode()) + 4 * 200 + 32 for e in plan.seed_extra)  # ≤ 200 chars
    worst = DRAW_ENVELOPE_BYTES + targets + extra
    if worst > MAX_LINE:
        raise TaskError(
            f"{plan_file}: 本方案最多抽取 {k} 家，抽取条目可能长达 {worst} 字节，超过账本每行上限 "
            f"{MAX_LINE} 字节，抽签后将无法写入：请把任务拆成几个较小的任务分别承诺",
            code="draw-too-large",
        )


@_locked_step
def commit(w: Step, plan_file: Path) -> Entry:
    """Commit a plan: population, snapshots and the future beacon round, before any seed."""
    prepared = prepare_commit(w.root, w.history, w.now, plan_file)
    return w.append(COMMIT, prepared.body, prepared.objects)


@_locked_step
def void_commitment(w: Step, task: str, reason: str) -> Entry:
    """Withdraw a commitment — only before its round exists, so nobody can void a known outcome."""
    hist = w.history
    live = hist.live_commit(task)
    if live is None:
        raise TaskError(f"任务 {task} 没有有效的承诺可以作废", code="task-not-committed")
    if not reason.strip():
        raise UsageError("作废必须写明理由（--reason）")
    body = CommitVoid(task, live.seq, live.hash, reason.strip())
    if hist.check_commit_void(body, w.now):  # void-late: the only rule left to break
        raise TaskError(
            f"任务 {task} 承诺的随机数已于 {format_time(live.body.available_at)} 可得，"
            "承诺不能再作废（结果已可计算）",
            code="round-passed",
        )
    return w.append(COMMIT_VOID, body)


def beacon_signature(
    chain: Chain,
    rnd: int,
    *,
    recorded: Mapping[int, str] | None,
    fetch: bool,
) -> str:
    """Where the round's signature comes from: a recorded file, the demo signer, or a relay."""
    if recorded and rnd in recorded:
        return recorded[rnd]
    if is_demo_chain(chain):
        return demo_sign_round(rnd)
    if fetch:
        return str(fetch_round(chain, rnd)["signature"])
    raise BeaconUnavailable(
        f"没有第 {rnd} 轮的信标值：请用 --beacons 文件提供已记录的轮次，或加 --fetch 从 drand 中继获取"
    )


@_locked_step
def draw_task(
    w: Step,
    task: str,
    *,
    recorded: Mapping[int, str] | None = None,
    fetch: bool = False,
) -> Entry:
    """Record the beacon (once per round) and the draw. Drawing a task twice is refused."""
    hist = w.history
    state = hist.tasks.get(task)
    if state is not None and state.draw is not None:
        raise TaskError(
            f"任务 {task} 已于条目 #{state.draw.seq} 抽取，不能重复抽取", code="task-already-drawn"
        )
    violations = hist.check_draw(task, w.now)
    if state is None or state.commit is None or any(v.fatal for v in violations):
        raise TaskError(f"任务 {task} 没有有效的承诺：请先 suiji commit", code="task-not-committed")
    assert hist.genesis is not None
    commit = state.commit
    if violations:  # draw-early
        raise TaskError(
            f"任务 {task} 承诺的随机数要到 {format_time(commit.body.available_at)} 才产生，"
            "现在还不能抽取",
            code="round-not-yet",
        )
    store = ObjectStore(w.root)
    committed = load_committed(store, commit.body)
    extra, missing = hist.recorded_extra(task, committed.plan.seed_extra)
    if missing:
        raise TaskError(
            f"任务 {task} 的附加输入 {'、'.join(missing)} 没有在信标轮次"
            f"（{format_time(commit.body.available_at)}）之前登记，不能抽取：结果已可计算时"
            "再填写的数值谁都无法核实。此承诺不能再用；请以新的任务编号重新承诺，"
            "并在轮次之前运行 suiji inputs 登记",
            code="extra-missing",
        )
    beacon_seq, beacon = round_beacon(hist, commit.body, recorded=recorded, fetch=fetch)
    if commit.body.sealed is not None:  # sealed: the round only; the draw is the reveal
        if beacon is None or beacon_seq is not None:
            raise TaskError(
                f"任务 {task} 是暗查暗访任务，信标已记录；抽取结果由密钥持有人在检查后揭示"
                f"（content/records/reveals/{task}.toml），现在不写入任何内容",
                code="sealed-awaiting-reveal",
            )
        return w.append(BEACON, beacon)
    seed = seed_for(task, commit.hash, beacon, extra)
    result = derive_result(committed, seed=seed)
    result_bytes = canonical_json(result)
    # Everything is computed before the first write: a failure above changes nothing.
    if beacon_seq is None and beacon is not None:
        beacon_seq = w.append(BEACON, beacon).seq
    body = Draw(
        task=task,
        unit=commit.body.unit,
        commit_seq=commit.seq,
        commitment=commit.hash,
        beacon_seq=beacon_seq,
        extra=tuple(ExtraInput(n, v) for n, v in extra),
        seed=seed,
        targets=tuple(p["id"] for p in result["targets"]["selected"]),
        teams_error=result["teams_error"]["message"] if result["teams_error"] else None,
        result_object=object_id(result_bytes),
    )
    return w.append(DRAW, body, [result_bytes])


def round_beacon(
    hist: History,
    commit: Commit,
    *,
    recorded: Mapping[int, str] | None = None,
    fetch: bool = False,
) -> tuple[int | None, BeaconRound | None]:
    """The committed round's beacon: (its seq, body) if recorded, else (None, the verified
    round to record); (None, None) for an extra-only commitment."""
    assert hist.genesis is not None
    terms = commit.beacon
    if not isinstance(terms, ChainRound):
        return None, None
    known = hist.beacons.get((terms.chain_hash, terms.round))
    if known is not None:
        return known.seq, known.body
    chain = next(c for c in hist.genesis.chains() if c.chain_hash == terms.chain_hash)
    signature = beacon_signature(chain, terms.round, recorded=recorded, fetch=fetch)
    randomness = verify_round(chain, terms.round, signature, cache=VerifiedCache())
    return None, BeaconRound(
        chain=chain.name,
        chain_hash=chain.chain_hash,
        round=terms.round,
        signature=signature,
        randomness=randomness,
    )


def due_tasks(root: Path, now: datetime) -> list[str]:
    """Tasks with a live commitment whose round time has passed and that are not drawn."""
    return history(root).due(now)


# ---------------------------------------------------------------- no opting out


def refuse_choices(
    root: Path,
    hist: History,
    plan: Plan,
    population: Population,
    rows: Mapping[str, list[dict[str, Any]]],
) -> None:
    """Refuse a commitment that would give the bureau a choice of outcomes (spec §13.9).

    A second live commitment of the same plan content (another ticket at one inspection),
    and team rules some possible outcome cannot meet (a way to make a draw fail).
    """
    store = ObjectStore(root)
    content = plan_content(plan)

    def content_of(commit: Commit) -> str:
        return plan_content(plan_from_json(parse_canonical(store.get(commit.plan_object))))

    twin = same_plan(hist, plan.task_id, content, content_of)
    if twin is not None:
        other = twin.body.task
        hint = (
            "该任务已抽取，请按其结果执行检查；新任务须改变抽查范围、数量、时段或检查组规则"
            if hist.tasks[other].draw is not None
            else f"如确需重新承诺，请先在轮次到来前作废原承诺：suiji void {other} --reason 理由"
        )
        raise TaskError(
            f"任务 {plan.task_id} 的方案与任务 {other} 的有效承诺（条目 #{twin.seq}）"
            "内容相同（仅任务编号、名称、备注或附加输入不同）：同一方案只能有一个有效承诺。" + hint,
            code="same-plan-committed",
        )
    check_teams_feasible(
        plan,
        population,
        rows["enterprises"],
        rows["inspectors"],
        rows["experts"],
        rows["recusals"],
    )


# ---------------------------------------------------------------- reports


def coverage_report(root: Path, now: datetime) -> CoverageReport:
    """Coverage against the current records and every draw in the ledger."""
    from fractions import Fraction

    from suiji import records

    hist = history(root)
    today = civil_date(now)
    loaded = records.load_all(root / RECORDS_DIR, today)
    if hist.genesis is None:
        raise TaskError("账本尚未建立：请先运行 suiji init")
    pol = hist.genesis.coverage
    return report(
        hist.drawn,
        loaded.rows("enterprises"),
        loaded.rows("annual-plan"),
        today=today,
        yearly_cap=pol.cap,
        min_ratio=Fraction(pol.min_percent, 100),
    )


# ---------------------------------------------------------------- no rows from the future


def refuse_rows_dated_after(rows: Mapping[str, Sequence[Mapping[str, object]]], as_of: str) -> None:
    """Refuse to commit records holding a row included or updated after today.

    The verifier reads such a row as proof that the commitment was backdated
    (`suiji.records.dating`); a clerk's typo in a date must be fixed before committing.
    """
    from suiji.records.dating import rows_dated_after

    for name, recs in rows.items():
        late = rows_dated_after(name, recs, as_of)
        if late:
            first = late[0]
            raise TaskError(
                f"content/records 的 {name} 中有 {len(late)} 行的日期晚于今天 {as_of}："
                f"{first.key} 的{first.header}为 {first.date}；"
                "请改正日期后运行 suiji check，再承诺",
                code="records-dated-later",
            )
