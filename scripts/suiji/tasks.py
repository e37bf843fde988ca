"""The writing steps of a task: commit, void a commitment, record a beacon, draw, void a person.

Each step gathers committed inputs, computes with the pure functions of `plan`, `draw`,
`teams` and `coverage`, and appends one entry through `ledger.append` — the only signer.
The computations live in `derive_*` functions shared with the verifier (`checks`), so the
writer and every verifier run exactly the same rules on exactly the same bytes.
The entry bodies are specified in docs/SPEC.md part 4.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji import beacon, coverage, draw, ledger, teams
from suiji.encoding import canonical_json, civil_date, format_time, parse_canonical, parse_time
from suiji.errors import InputError, UsageError
from suiji.plan import Plan, load_plan, plan_from_json, plan_to_json

RECORDS_DIR = Path("content") / "records"
PLANS_DIR = RECORDS_DIR / "plans"
DRAW_RECORDS = ("enterprises", "inspectors", "experts", "checklist", "recusals")
RESULT_SCHEMA = "suiji/draw-result/v1"
DEFAULT_POLICY: dict[str, Any] = {
    "yearly_cap": coverage.DEFAULT_YEARLY_CAP,
    "min_random_percent": 30,
}

COMMIT, COMMIT_VOID, BEACON, DRAW, PERSON_VOID = (
    "commit",
    "commit-void",
    "beacon",
    "draw",
    "person-void",
)


class TaskError(UsageError):
    """A step that the ledger's history does not allow (exit 2): say why and what to do."""


@dataclass(frozen=True)
class Writer:
    """Who appends and when: the bureau directory, the writer key and the clock."""

    root: Path
    key: Ed25519PrivateKey
    now: datetime
    clock_overridden: bool

    def append(
        self, kind: str, body: Mapping[str, Any], objects: Sequence[bytes] = ()
    ) -> ledger.Entry:
        return ledger.append(
            self.root,
            kind,
            body,
            key=self.key,
            now=self.now,
            clock_overridden=self.clock_overridden,
            objects=objects,
        )


# ---------------------------------------------------------------- the ledger's view of tasks


@dataclass
class TaskState:
    """One task as the ledger has it so far (the latest commitment wins after a void)."""

    task: str
    commit: ledger.Entry | None = None
    voided: list[ledger.Entry] = field(default_factory=list)
    draw: ledger.Entry | None = None
    person_voids: list[ledger.Entry] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.commit is not None


@dataclass
class History:
    """Everything a later step needs from earlier entries, built in one pass."""

    genesis: ledger.GenesisInfo | None = None
    genesis_body: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    beacons: dict[tuple[str, int], ledger.Entry] = field(default_factory=dict)
    drawn: list[coverage.DrawnTask] = field(default_factory=list)

    def apply(self, entry: ledger.Entry) -> None:
        body = entry.body
        if entry.kind == "genesis":
            self.genesis = ledger.parse_genesis(body)
            self.genesis_body = body
        elif entry.kind == COMMIT:
            state = self.tasks.setdefault(body["task"], TaskState(body["task"]))
            state.commit = entry
        elif entry.kind == COMMIT_VOID:
            state = self.tasks[body["task"]]
            state.voided.append(entry)
            state.commit = None
        elif entry.kind == BEACON:
            self.beacons[(body["chain_hash"], body["round"])] = entry
        elif entry.kind == DRAW:
            state = self.tasks[body["task"]]
            state.draw = entry
            self.drawn.append(
                coverage.DrawnTask(
                    task=body["task"],
                    unit=body["unit"],
                    drawn_on=civil_date(entry.moment),
                    targets=tuple(body["targets"]),
                )
            )
        elif entry.kind == PERSON_VOID:
            self.tasks[body["task"]].person_voids.append(entry)


def history(root: Path) -> History:
    hist = History()
    for entry in ledger.read_entries(root):
        hist.apply(entry)
    return hist


def policy(genesis_body: Mapping[str, Any]) -> dict[str, Any]:
    """The bureau's coverage policy, pinned in the genesis body's `policy` (defaults where absent)."""
    out = dict(DEFAULT_POLICY)
    given = genesis_body.get("policy", {})
    if isinstance(given, Mapping):
        out.update(given)
    return out


# ---------------------------------------------------------------- pure derivations


def chain_for(genesis: ledger.GenesisInfo) -> beacon.Chain | None:
    """The chain a commitment uses: the genesis' first accepted chain (None: extra inputs only)."""
    return beacon.chain_from_facts(genesis.beacons[0]) if genesis.beacons else None


def beacon_terms(chain: beacon.Chain | None, committed_at: datetime, delay: int) -> dict[str, Any]:
    """The commitment's `beacon` member: which future value seeds the draw, and from when.

    With a chain: the first round at or after commitment + delay. Without one (the bureau
    draws from typed-in public inputs only), no draw before commitment + delay.
    """
    if chain is None:
        return {"source": "extra-only", "draw_after": format_time(committed_at + _seconds(delay))}
    rnd = committed_round(chain, committed_at, delay)
    return {
        "chain": chain.name,
        "chain_hash": chain.chain_hash,
        "round": rnd,
        "round_time": format_time(utc_from_unix(beacon.round_time(chain, rnd))),
    }


def available_at(commit_body: Mapping[str, Any]) -> datetime:
    """When the committed randomness exists: the round time, or the earliest draw time."""
    terms = commit_body["beacon"]
    return parse_time(terms["round_time"] if "round_time" in terms else terms["draw_after"])


def _seconds(n: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=n)


def committed_round(chain: beacon.Chain, committed_at: datetime, delay: int) -> int:
    """The first round at or after the commitment time plus the genesis delay."""
    return beacon.first_round_at_or_after(chain, int(committed_at.timestamp()) + delay)


def derive_population(
    plan: Plan,
    enterprises: Sequence[Mapping[str, Any]],
    *,
    as_of: date,
    drawn: Sequence[coverage.DrawnTask],
    yearly_cap: int,
) -> draw.Population:
    """The eligible population at the commitment, exclusions included."""
    excluded = coverage.exclusions(
        drawn,
        year=plan.year,
        yearly_cap=yearly_cap,
        exclude_drawn_this_year=plan.exclude_drawn_this_year,
    )
    return draw.eligible(plan, enterprises, as_of=as_of, exclude=excluded)


@dataclass(frozen=True)
class Committed:
    """A commitment's inputs, rebuilt from its objects."""

    plan: Plan
    rows: Mapping[str, list[dict[str, Any]]]
    population: draw.Population


def load_committed(store: ledger.ObjectStore, body: Mapping[str, Any]) -> Committed:
    """Rebuild plan, record rows and population from the objects a commitment names."""
    from suiji.records import parse_snapshot

    plan = plan_from_json(parse_canonical(store.get(body["plan_object"])))
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in DRAW_RECORDS:
        header, recs = parse_snapshot(store.get(body["snapshots"][f"{name}_object"]))
        if header.get("record") != name:
            raise InputError(f"快照 {name} 的记录类型不符：{header.get('record')!r}")
        rows[name] = [dict(r) for r in recs]
    population = draw.population_from_json(parse_canonical(store.get(body["population_object"])))
    return Committed(plan, rows, population)


def derive_result(committed: Committed, *, seed: str) -> dict[str, Any]:
    """Targets, items and teams for a seed: the draw object, canonical-JSON ready.

    A team rule that cannot be met is part of the result (`teams_error`), not a refusal:
    the seed is public by then, and hiding a failed draw is exactly what suiji prevents.
    """
    plan = committed.plan
    targets = draw.draw_targets(plan, committed.population, seed)
    items = draw.draw_items_for_targets(
        plan, committed.population, targets, committed.rows["checklist"]
    )
    by_id = {str(r["uscc"]): r for r in committed.rows["enterprises"]}
    result: dict[str, Any] = {
        "schema": RESULT_SCHEMA,
        "targets": draw.target_draw_to_json(targets),
        "items": [{"target": t, "items": list(items[t])} for t in targets.ids],
        "teams": None,
        "teams_error": None,
    }
    try:
        team_draw = teams.draw_teams(
            seed=seed,
            targets=[by_id[t] for t in targets.ids],
            inspectors=committed.rows["inspectors"],
            experts=committed.rows["experts"],
            recusals=committed.rows["recusals"],
            rules=plan.team,
            window_start=plan.window_start,
            window_end=plan.window_end,
        )
        result["teams"] = teams.team_draw_to_json(team_draw)
    except teams.TeamInfeasible as exc:
        result["teams_error"] = {"team": exc.team, "rule": exc.rule, "message": str(exc)}
    return result


def derive_void(
    committed: Committed,
    result: Mapping[str, Any],
    voids: Iterable[Mapping[str, Any]],
    *,
    seed: str,
) -> teams.TeamDraw:
    """The teams after applying person voids in ledger order."""
    if result.get("teams") is None:
        raise TaskError("该任务的检查组未能组成，没有可替换的人员")
    current = teams.team_draw_from_json(result["teams"])
    plan = committed.plan
    by_id = {str(r["uscc"]): r for r in committed.rows["enterprises"]}
    ids = [p["id"] for p in result["targets"]["selected"]]
    for void in voids:
        current = teams.apply_void(
            current,
            team=void["team"],
            person=void["person"],
            reason=void["reason"],
            seed=seed,
            targets=[by_id[t] for t in ids],
            inspectors=committed.rows["inspectors"],
            experts=committed.rows["experts"],
            recusals=committed.rows["recusals"],
            window_start=plan.window_start,
            window_end=plan.window_end,
        )
    return current


def seed_for(
    task: str,
    commit: ledger.Entry,
    beacon_body: Mapping[str, Any] | None,
    extra: Sequence[tuple[str, str]],
) -> str:
    """The task's seed; without a beacon (extra-only ledgers) from the extra inputs alone."""
    return draw.derive_seed(
        task_id=task,
        commitment=commit.hash,
        chain_hash=beacon_body["chain_hash"] if beacon_body else None,
        round=beacon_body["round"] if beacon_body else None,
        randomness=beacon_body["randomness"] if beacon_body else None,
        extra=extra,
    )


# ---------------------------------------------------------------- writing steps


def plan_path(root: Path, task: str) -> Path:
    return root / PLANS_DIR / f"{task}.toml"


def commit(w: Writer, plan_file: Path) -> ledger.Entry:
    """Commit a plan: population, snapshots and the future beacon round, before any seed."""
    from suiji import records

    hist = history(w.root)
    if hist.genesis is None:
        raise TaskError("账本尚未建立：请先运行 suiji init")
    plan = load_plan(plan_file)
    state = hist.tasks.get(plan.task_id)
    if state is not None and state.draw is not None:
        raise TaskError(f"任务 {plan.task_id} 已经抽取（条目 #{state.draw.seq}），不能再次承诺")
    if state is not None and state.commit is not None:
        raise TaskError(
            f"任务 {plan.task_id} 已有有效承诺（条目 #{state.commit.seq}）；"
            "如需修改，请先在轮次到来前作废：suiji void-commit"
        )
    today = civil_date(w.now)
    loaded = records.load_all(w.root / RECORDS_DIR, today)
    rows = {name: loaded.rows(name) for name in DRAW_RECORDS}
    pol = policy(hist.genesis_body)
    population = derive_population(
        plan, rows["enterprises"], as_of=today, drawn=hist.drawn, yearly_cap=int(pol["yearly_cap"])
    )
    draw.check_targets_feasible(plan, population)
    draw.check_items_feasible(plan, population, rows["checklist"])
    chain = chain_for(hist.genesis)
    if chain is None and not plan.seed_extra:
        raise TaskError(
            f"{plan_file}: 本账本没有登记随机信标，方案必须在 [seed] extra 中声明附加随机输入"
            "（如福彩开奖号码），否则抽签没有随机来源"
        )
    plan_bytes = canonical_json(plan_to_json(plan))
    source = plan_file.read_bytes()
    pop_bytes = canonical_json(draw.population_to_json(population))
    snapshots = {name: loaded.snapshot(name) for name in DRAW_RECORDS}
    body = {
        "task": plan.task_id,
        "name": plan.name,
        "unit": plan.unit,
        "as_of": today.isoformat(),
        "plan_object": ledger.object_id(plan_bytes),
        "plan_source_object": ledger.object_id(source),
        "snapshots": {f"{n}_object": ledger.object_id(b) for n, b in snapshots.items()},
        "population_object": ledger.object_id(pop_bytes),
        "eligible": len(population.members),
        "beacon": beacon_terms(chain, w.now, hist.genesis.draw_delay_seconds),
    }
    return w.append(COMMIT, body, [plan_bytes, source, pop_bytes, *snapshots.values()])


def void_commitment(w: Writer, task: str, reason: str) -> ledger.Entry:
    """Withdraw a commitment — only before its round exists, so nobody can void a known outcome."""
    hist = history(w.root)
    state = hist.tasks.get(task)
    if state is None or state.commit is None:
        raise TaskError(f"任务 {task} 没有有效的承诺可以作废")
    if not reason.strip():
        raise UsageError("作废必须写明理由（--reason）")
    if w.now >= available_at(state.commit.body):
        raise TaskError(
            f"任务 {task} 承诺的随机数已于 {format_time(available_at(state.commit.body))} 可得，"
            "承诺不能再作废（结果已可计算）"
        )
    body = {
        "task": task,
        "commit_seq": state.commit.seq,
        "commitment": state.commit.hash,
        "reason": reason.strip(),
    }
    return w.append(COMMIT_VOID, body)


def beacon_signature(
    chain: beacon.Chain,
    rnd: int,
    *,
    recorded: Mapping[int, str] | None,
    fetch: bool,
) -> str:
    """Where the round's signature comes from: a recorded file, the demo signer, or a relay."""
    if recorded and rnd in recorded:
        return recorded[rnd]
    if beacon.is_demo_chain(chain):
        return beacon.demo_sign_round(rnd)
    if fetch:
        return str(beacon.fetch_round(chain, rnd)["signature"])
    raise beacon.BeaconUnavailable(
        f"没有第 {rnd} 轮的信标值：请用 --beacons 文件提供已记录的轮次，或加 --fetch 从 drand 中继获取"
    )


def draw_task(
    w: Writer,
    task: str,
    *,
    recorded: Mapping[int, str] | None = None,
    fetch: bool = False,
    extra_values: Mapping[str, str] | None = None,
) -> ledger.Entry:
    """Record the beacon (once per round) and the draw. Drawing a task twice is refused."""
    hist = history(w.root)
    state = hist.tasks.get(task)
    if state is None or (state.commit is None and state.draw is None):
        raise TaskError(f"任务 {task} 没有有效的承诺：请先 suiji commit")
    if state.draw is not None:
        raise TaskError(f"任务 {task} 已于条目 #{state.draw.seq} 抽取，不能重复抽取")
    assert state.commit is not None and hist.genesis is not None
    commit_body = state.commit.body
    info = commit_body["beacon"]
    if w.now < available_at(commit_body):
        raise TaskError(
            f"任务 {task} 承诺的随机数要到 {format_time(available_at(commit_body))} 才产生，"
            "现在还不能抽取"
        )
    store = ledger.ObjectStore(w.root)
    committed = load_committed(store, commit_body)
    extra = draw.extra_inputs(committed.plan, dict(extra_values or {}))
    beacon_entry: ledger.Entry | None = None
    beacon_body: dict[str, Any] | None = None
    if "round" in info:
        beacon_entry = hist.beacons.get((info["chain_hash"], info["round"]))
        if beacon_entry is not None:
            beacon_body = beacon_entry.body
        else:
            chain = next(
                beacon.chain_from_facts(f)
                for f in hist.genesis.beacons
                if f["chain_hash"] == info["chain_hash"]
            )
            signature = beacon_signature(chain, info["round"], recorded=recorded, fetch=fetch)
            randomness = beacon.verify_round(
                chain, info["round"], signature, cache=beacon.VerifiedCache()
            )
            beacon_body = {
                "chain": chain.name,
                "chain_hash": chain.chain_hash,
                "round": info["round"],
                "signature": signature,
                "randomness": randomness,
            }
    seed = seed_for(task, state.commit, beacon_body, extra)
    result = derive_result(committed, seed=seed)
    result_bytes = canonical_json(result)
    # Everything is computed before the first write: a failure above changes nothing.
    if beacon_entry is None and beacon_body is not None:
        beacon_entry = w.append(BEACON, beacon_body)
    body = {
        "task": task,
        "unit": commit_body["unit"],
        "commit_seq": state.commit.seq,
        "commitment": state.commit.hash,
        "beacon_seq": beacon_entry.seq if beacon_entry else None,
        "extra": [{"name": n, "value": v} for n, v in extra],
        "seed": seed,
        "targets": [p["id"] for p in result["targets"]["selected"]],
        "teams_error": result["teams_error"]["message"] if result["teams_error"] else None,
        "result_object": ledger.object_id(result_bytes),
    }
    return w.append(DRAW, body, [result_bytes])


def due_tasks(root: Path, now: datetime) -> list[str]:
    """Tasks with a live commitment whose round time has passed and that are not drawn."""
    out = []
    for task, state in sorted(history(root).tasks.items()):
        live = state.commit is not None and state.draw is None
        if live and state.commit and now >= available_at(state.commit.body):
            out.append(task)
    return out


def void_person(w: Writer, task: str, team: str, person: str, reason: str) -> ledger.Entry:
    """Replace a drawn person (recusal declared after the draw, absence) by the next ticket."""
    hist = history(w.root)
    state = hist.tasks.get(task)
    if state is None or state.draw is None:
        raise TaskError(f"任务 {task} 尚未抽取，没有可替换的人员")
    if not reason.strip():
        raise UsageError("替换人员必须写明理由（--reason）")
    assert state.commit is not None  # a drawn task keeps its commitment
    store = ledger.ObjectStore(w.root)
    committed = load_committed(store, state.commit.body)
    result = parse_canonical(store.get(state.draw.body["result_object"]))
    earlier = [v.body for v in state.person_voids]
    voids = [*earlier, {"team": team, "person": person, "reason": reason.strip()}]
    after = derive_void(committed, result, voids, seed=state.draw.body["seed"])
    last = after.voids[-1]
    body = {
        "task": task,
        "draw_seq": state.draw.seq,
        "team": last.team,
        "person": last.person,
        "role": last.role,
        "reason": last.reason,
        "replacement": last.replacement,
    }
    return w.append(PERSON_VOID, body)


# ---------------------------------------------------------------- helpers


def utc_from_unix(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


# ---------------------------------------------------------------- reports


def team_of(root: Path, task: str, person: str) -> str:
    """The team a person is on now (after earlier voids), when unambiguous (for `suiji void`)."""
    from suiji.encoding import id_key

    state = history(root).tasks.get(task)
    if state is None or state.draw is None or state.commit is None:
        raise TaskError(f"任务 {task} 尚未抽取，没有可替换的人员")
    store = ledger.ObjectStore(root)
    result = parse_canonical(store.get(state.draw.body["result_object"]))
    current = derive_void(
        load_committed(store, state.commit.body),
        result,
        [v.body for v in state.person_voids],
        seed=state.draw.body["seed"],
    )
    found = [t.key for t in current.teams if t.role_of(id_key(person)) is not None]
    if len(found) != 1:
        where = "、".join(found) if found else "任何检查组"
        raise UsageError(f"人员 {person} 在 {where} 中；请用 --team 指明检查组")
    return found[0]


def coverage_report(root: Path, now: datetime) -> coverage.CoverageReport:
    """Coverage against the current records and every draw in the ledger."""
    from fractions import Fraction

    from suiji import records

    hist = history(root)
    today = civil_date(now)
    loaded = records.load_all(root / RECORDS_DIR, today)
    pol = policy(hist.genesis_body)
    return coverage.report(
        hist.drawn,
        loaded.rows("enterprises"),
        loaded.rows("annual-plan"),
        today=today,
        yearly_cap=int(pol["yearly_cap"]),
        min_ratio=Fraction(int(pol["min_random_percent"]), 100),
    )
