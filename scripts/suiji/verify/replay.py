"""Semantic replay: re-derive every commitment and draw the ledger records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import BeaconError, Chain, chain_from_facts, is_demo_chain, round_time
from suiji.beacon.verify import verify_round
from suiji.draw.coverage import DrawnTask
from suiji.draw.derive import (
    Committed,
    available_at,
    beacon_terms,
    committed_round,
    derive_population,
    derive_result,
    derive_void,
    load_committed,
    seed_for,
    utc_from_unix,
)
from suiji.draw.plan import plan_to_json
from suiji.draw.population import population_to_json
from suiji.draw.seed import extra_inputs
from suiji.draw.teamdraw import TeamInfeasible, VoidError
from suiji.ledger import history
from suiji.ledger.codec import Entry
from suiji.ledger.genesis import GenesisInfo, parse_genesis
from suiji.ledger.history import BEACON, COMMIT, COMMIT_VOID, DEFAULT_POLICY, DRAW, PERSON_VOID
from suiji.ledger.objects import ObjectStore
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding
from suiji.shared.times import civil_date, format_time, parse_time
from suiji.verify.verifier import EntryChecker


@dataclass
class _Task:
    commit: Entry | None = None
    committed: Committed | None = None
    draw: Entry | None = None
    result: dict[str, Any] | None = None
    voids: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DrawChecker:
    """Streams the ledger once, keeping per-task state (bounded by the number of tasks)."""

    genesis: GenesisInfo | None = None
    policy: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_POLICY))
    chains: dict[str, Chain] = field(default_factory=dict)
    tasks: dict[str, _Task] = field(default_factory=dict)
    beacons: dict[int, Entry] = field(default_factory=dict)  # by entry seq
    beacon_by_round: dict[tuple[str, int], Entry] = field(default_factory=dict)
    drawn: list[DrawnTask] = field(default_factory=list)
    known_enterprises: dict[str, bool] = field(default_factory=dict)  # id → retired?

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        handler = _HANDLERS.get(entry.kind)
        if handler is None:
            return []
        out: list[Finding] = []
        try:
            handler(self, entry, objects, out)
        except (SuijiError, KeyError, TypeError, ValueError) as exc:
            out.append(_bad(entry, "semantic-unreadable", f"无法复算：{type(exc).__name__}: {exc}"))
        return out

    def finish(self) -> Iterable[Finding]:
        return []

    # ------------------------------------------------------------ per kind

    def _genesis(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        self.genesis = parse_genesis(entry.body)
        self.policy = history.policy(entry.body)
        for facts in self.genesis.beacons:
            chain = chain_from_facts(facts)
            if is_demo_chain(chain) and not self.genesis.demo:
                out.append(_bad(entry, "demo-beacon", "非演示账本不得使用演示随机信标 suiji-demo"))
            self.chains[chain.chain_hash] = chain

    def _commit(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.body
        task = self.tasks.setdefault(body["task"], _Task())
        if task.draw is not None:
            out.append(
                _bad(entry, "commit-after-draw", f"任务 {body['task']} 已抽取，不能再次承诺")
            )
        if task.commit is not None:
            out.append(
                _bad(
                    entry,
                    "commit-twice",
                    f"任务 {body['task']} 已有有效承诺（条目 #{task.commit.seq}）",
                )
            )
        committed = load_committed(objects, body)
        plan = committed.plan
        if canonical_json(plan_to_json(plan)) != objects.get(body["plan_object"]):
            out.append(_bad(entry, "plan-form", "方案对象不是其规范形式"))
        if plan.task_id != body["task"] or plan.unit != body["unit"] or plan.name != body["name"]:
            out.append(
                _bad(entry, "plan-mismatch", "承诺中的任务编号、名称或执法单位与方案对象不符")
            )
        as_of = civil_date(entry.moment)
        if body["as_of"] != as_of.isoformat():
            out.append(_bad(entry, "as-of", f"as_of {body['as_of']} 与承诺时间的日期 {as_of} 不符"))
        self._check_registry_continuity(entry, committed.rows["enterprises"], out)
        population = derive_population(
            plan,
            committed.rows["enterprises"],
            as_of=as_of,
            drawn=self.drawn,
            yearly_cap=int(self.policy["yearly_cap"]),
        )
        if canonical_json(population_to_json(population)) != objects.get(body["population_object"]):
            out.append(
                _bad(
                    entry,
                    "population",
                    "可抽取名单与由快照、方案和此前抽取记录复算的结果不符"
                    f"（复算 {len(population.members)} 家，承诺 {len(committed.population.members)} 家）",
                )
            )
        if body.get("eligible") != len(population.members):
            out.append(_bad(entry, "population-count", "承诺中的可抽取家数与复算不符"))
        self._check_round(entry, out)
        task.commit, task.committed = entry, committed

    def _check_registry_continuity(
        self, entry: Entry, rows: list[dict[str, Any]], out: list[Finding]
    ) -> None:
        """An enterprise may be retired (with a date) but never silently dropped."""
        now_ids = {str(r["uscc"]): bool(r.get("retired_on")) for r in rows}
        missing = sorted(set(self.known_enterprises) - set(now_ids))
        if missing:
            shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
            out.append(
                _bad(
                    entry,
                    "registry-dropped",
                    f"名录库快照中删除了 {len(missing)} 家企业而未注明退出：{shown}",
                )
            )
        self.known_enterprises.update(now_ids)

    def _check_round(self, entry: Entry, out: list[Finding]) -> None:
        info = entry.body["beacon"]
        assert self.genesis is not None
        if "round" not in info:
            terms = beacon_terms(None, entry.moment, self.genesis.draw_delay_seconds)
            if self.chains or info != terms:
                out.append(
                    _bad(entry, "round", "账本登记了随机信标，或仅用附加输入时的最早抽取时间不符")
                )
            return
        chain = self.chains.get(info["chain_hash"])
        if chain is None:
            out.append(_bad(entry, "beacon-chain", f"创世条目未登记信标链 {info['chain_hash']}"))
            return
        expected = committed_round(chain, entry.moment, self.genesis.draw_delay_seconds)
        if info["round"] != expected:
            out.append(
                _bad(
                    entry,
                    "round",
                    f"信标轮次应为 {expected}（承诺时间 + {self.genesis.draw_delay_seconds} 秒后的第一轮），记录为 {info['round']}",
                )
            )
        when = format_time(utc_from_unix(round_time(chain, info["round"])))
        if info["round_time"] != when or info["chain"] != chain.name:
            out.append(_bad(entry, "round-time", f"轮次时间应为 {when}"))

    def _commit_void(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.body
        task = self.tasks.get(body["task"])
        if (
            task is None
            or task.commit is None
            or task.commit.seq != body["commit_seq"]
            or task.commit.hash != body["commitment"]
        ):
            out.append(
                _bad(entry, "void-unknown", f"作废的承诺不存在或已失效：任务 {body['task']}")
            )
            return
        if entry.moment >= available_at(task.commit.body):
            out.append(
                _bad(entry, "void-late", "承诺在信标轮次产生之后才作废：结果已可计算，不得作废")
            )
        task.commit = task.committed = None

    def _beacon(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.body
        chain = self.chains.get(body["chain_hash"])
        if chain is None:
            out.append(_bad(entry, "beacon-chain", "信标链未在创世条目登记"))
            return
        try:
            randomness = verify_round(
                chain, body["round"], body["signature"], cache=VerifiedCache()
            )
        except BeaconError as exc:
            out.append(_bad(entry, "beacon-signature", f"信标签名验证失败：{exc}"))
            return
        if randomness != body["randomness"]:
            out.append(_bad(entry, "beacon-randomness", "信标随机值不等于 sha256(签名)"))
        if entry.moment < parse_time(format_time(utc_from_unix(round_time(chain, body["round"])))):
            out.append(_bad(entry, "beacon-early", "信标记录时间早于该轮次产生的时间"))
        self.beacons[entry.seq] = entry
        self.beacon_by_round[(body["chain_hash"], body["round"])] = entry

    def _draw(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.body
        task = self.tasks.get(body["task"])
        if task is None or task.commit is None or task.committed is None:
            out.append(_bad(entry, "draw-uncommitted", f"任务 {body['task']} 没有有效承诺就抽取"))
            return
        if task.draw is not None:
            out.append(
                _bad(
                    entry,
                    "draw-twice",
                    f"任务 {body['task']} 重复抽取（已于条目 #{task.draw.seq}）",
                )
            )
            return
        commit = task.commit
        if body["commit_seq"] != commit.seq or body["commitment"] != commit.hash:
            out.append(_bad(entry, "draw-commitment", "抽取所引用的承诺不是该任务的有效承诺"))
        info = commit.body["beacon"]
        if entry.moment < available_at(commit.body):
            out.append(_bad(entry, "draw-early", "抽取时间早于承诺的随机数产生的时间"))
        beacon_body: dict[str, Any] | None = None
        if "round" in info:
            b = self.beacons.get(body["beacon_seq"])
            if (
                b is None
                or b.body["round"] != info["round"]
                or b.body["chain_hash"] != info["chain_hash"]
            ):
                out.append(
                    _bad(entry, "draw-beacon", f"抽取所用信标不是承诺的第 {info['round']} 轮")
                )
                return
            beacon_body = b.body
        elif body["beacon_seq"] is not None:
            out.append(_bad(entry, "draw-beacon", "承诺只用附加输入，抽取却引用了信标条目"))
        extra = [(e["name"], e["value"]) for e in body["extra"]]
        extra_inputs(task.committed.plan, dict(extra))
        seed = seed_for(body["task"], commit.hash, beacon_body, extra)
        if seed != body["seed"]:
            out.append(_bad(entry, "seed", f"种子应为 {seed}"))
        result = derive_result(task.committed, seed=seed)
        recorded = objects.get(body["result_object"])
        if canonical_json(result) != recorded:
            out.append(_bad(entry, "draw-result", _diff(result, parse_canonical(recorded))))
        if body["targets"] != [p["id"] for p in result["targets"]["selected"]]:
            out.append(_bad(entry, "draw-targets", "条目中的抽中企业与复算结果不符"))
        err = result["teams_error"]["message"] if result["teams_error"] else None
        if body.get("teams_error") != err or body.get("unit") != commit.body["unit"]:
            out.append(_bad(entry, "draw-fields", "条目中的检查组错误说明或执法单位与复算不符"))
        task.draw, task.result = entry, result
        self.drawn.append(
            DrawnTask(
                body["task"], commit.body["unit"], civil_date(entry.moment), tuple(body["targets"])
            )
        )

    def _person_void(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.body
        task = self.tasks.get(body["task"])
        if task is None or task.draw is None or task.result is None or task.committed is None:
            out.append(_bad(entry, "void-undrawn", f"任务 {body['task']} 尚未抽取，不能替换人员"))
            return
        if body["draw_seq"] != task.draw.seq:
            out.append(_bad(entry, "void-draw", "人员替换引用的抽取条目不符"))
        voids = [*task.voids, body]
        try:
            after = derive_void(task.committed, task.result, voids, seed=task.draw.body["seed"])
        except (VoidError, TeamInfeasible) as exc:
            out.append(_bad(entry, "void-invalid", f"人员替换不能复算：{exc}"))
            return
        last = after.voids[-1]
        if (last.team, last.person, last.role, last.replacement) != (
            body["team"],
            body["person"],
            body["role"],
            body["replacement"],
        ):
            out.append(
                _bad(
                    entry,
                    "void-replacement",
                    f"替换人员应为 {last.replacement}（{last.role}），记录为 {body['replacement']}",
                )
            )
        task.voids.append(body)


_HANDLERS = {
    "genesis": DrawChecker._genesis,
    COMMIT: DrawChecker._commit,
    COMMIT_VOID: DrawChecker._commit_void,
    BEACON: DrawChecker._beacon,
    DRAW: DrawChecker._draw,
    PERSON_VOID: DrawChecker._person_void,
}


def _bad(entry: Entry, code: str, message: str) -> Finding:
    return Finding(entry.seq, "integrity", code, message)


def _diff(expected: Mapping[str, Any], recorded: Any) -> str:
    """Say which part of a draw differs, so a reader knows what was altered."""
    if not isinstance(recorded, dict):
        return "抽取结果对象格式错误"
    parts = [k for k in sorted(expected) if expected.get(k) != recorded.get(k)]
    return f"抽取结果与复算不符（不同部分：{'、'.join(parts) or '格式'}）"


def default_checkers() -> list[EntryChecker]:
    """Fresh checker instances for one verification run."""
    return [DrawChecker()]
