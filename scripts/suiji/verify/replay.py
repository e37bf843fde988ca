"""Semantic replay: re-derive every commitment and draw the ledger records.

The task rules (what may follow what) are the one lifecycle's, `suiji.ledger.history`;
this module turns its violations into findings and re-derives each entry's content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import PUBLIC_CHAINS, BeaconError, Chain, is_demo_chain, round_time
from suiji.beacon.verify import verify_round
from suiji.draw.derive import (
    Committed,
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
from suiji.ledger.codec import Entry
from suiji.ledger.history import History, Violation
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import BEACON, COMMIT, COMMIT_VOID, DRAW, GENESIS, PERSON_VOID
from suiji.model.genesis import Genesis, private_beacons
from suiji.model.tasks import (
    BeaconRound,
    BeaconTerms,
    ChainRound,
    Commit,
    CommitVoid,
    Draw,
    PersonVoid,
)
from suiji.records.dating import rows_dated_after
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding
from suiji.shared.times import civil_date, format_time, parse_time
from suiji.verify.listing import DrawListing
from suiji.verify.verifier import EntryChecker

_MESSAGES: dict[str, str] = {
    "commit-after-draw": "任务 {task} 已抽取，不能再次承诺",
    "commit-twice": "任务 {task} 已有有效承诺（条目 #{seq}）",
    "void-unknown": "作废的承诺不存在或已失效：任务 {task}",
    "void-late": "承诺在信标轮次产生之后才作废：结果已可计算，不得作废",
    "draw-uncommitted": "任务 {task} 没有有效承诺就抽取",
    "draw-twice": "任务 {task} 重复抽取（已于条目 #{seq}）",
    "draw-commitment": "抽取所引用的承诺不是该任务的有效承诺",
    "draw-early": "抽取时间早于承诺的随机数产生的时间",
    "draw-beacon": "抽取所用信标不是承诺的第 {round} 轮",
    "void-undrawn": "任务 {task} 尚未抽取，不能替换人员",
    "void-draw": "人员替换引用的抽取条目不符",
}
_EXTRA_ONLY_BEACON = "承诺只用附加输入，抽取却引用了信标条目"


def _violation_finding(entry: Entry, v: Violation) -> Finding:
    if v.code == "draw-beacon" and v.round is None:
        return _bad(entry, v.code, _EXTRA_ONLY_BEACON)
    return _bad(entry, v.code, _MESSAGES[v.code].format(task=v.task, seq=v.seq, round=v.round))


@dataclass
class DrawChecker:
    """Streams the ledger once through the one task lifecycle (`suiji.ledger.history`).

    Per task it keeps only what re-deriving needs (bounded by the number of tasks): the
    lifecycle's state, the live commitment's inputs and the draw's result.
    """

    hist: History = field(default_factory=History)
    chains: dict[str, Chain] = field(default_factory=dict)
    committed: dict[str, Committed] = field(default_factory=dict)  # by task, live commitment
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # by task, after the draw
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

    def _rules(self, entry: Entry, out: list[Finding]) -> bool:
        """The lifecycle's verdict on `entry` as findings; False if it cannot take effect."""
        violations = self.hist.check(entry)
        out.extend(_violation_finding(entry, v) for v in violations)
        return not any(v.fatal for v in violations)

    # ------------------------------------------------------------ per kind

    def _genesis(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        self.hist.apply(entry)
        genesis = entry.typed_as(Genesis)
        for facts in genesis.beacons:
            chain = facts.chain()
            if is_demo_chain(chain) and not genesis.demo:
                out.append(_bad(entry, "demo-beacon", "非演示账本不得使用演示随机信标 suiji-demo"))
            self.chains[chain.chain_hash] = chain
        out.extend(_public_beacon_findings(entry, genesis))

    def _commit(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.typed_as(Commit)
        self._rules(entry, out)
        assert self.hist.genesis is not None
        committed = load_committed(objects, body)
        plan = committed.plan
        if canonical_json(plan_to_json(plan)) != objects.get(body.plan_object):
            out.append(_bad(entry, "plan-form", "方案对象不是其规范形式"))
        if plan.task_id != body.task or plan.unit != body.unit or plan.name != body.name:
            out.append(
                _bad(entry, "plan-mismatch", "承诺中的任务编号、名称或执法单位与方案对象不符")
            )
        as_of = civil_date(entry.moment)
        if body.as_of != as_of.isoformat():
            out.append(_bad(entry, "as-of", f"as_of {body.as_of} 与承诺时间的日期 {as_of} 不符"))
        self._check_registry_continuity(entry, committed.rows["enterprises"], out)
        out.extend(_rows_dated_after_findings(entry, body.as_of, committed.rows))
        population = derive_population(
            plan,
            committed.rows["enterprises"],
            as_of=as_of,
            drawn=self.hist.drawn,
            yearly_cap=self.hist.genesis.coverage.cap,
        )
        if canonical_json(population_to_json(population)) != objects.get(body.population_object):
            out.append(
                _bad(
                    entry,
                    "population",
                    "可抽取名单与由快照、方案和此前抽取记录复算的结果不符"
                    f"（复算 {len(population.members)} 家，承诺 {len(committed.population.members)} 家）",
                )
            )
        if body.eligible != len(population.members):
            out.append(_bad(entry, "population-count", "承诺中的可抽取家数与复算不符"))
        self._check_round(entry, body.beacon, out)
        self.hist.apply(entry)
        self.committed[body.task] = committed

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

    def _check_round(self, entry: Entry, info: BeaconTerms, out: list[Finding]) -> None:
        genesis = self.hist.genesis
        assert genesis is not None
        if not isinstance(info, ChainRound):
            terms = beacon_terms(None, entry.moment, genesis.draw_delay_seconds)
            if self.chains or info != terms:
                out.append(
                    _bad(entry, "round", "账本登记了随机信标，或仅用附加输入时的最早抽取时间不符")
                )
            return
        chain = self.chains.get(info.chain_hash)
        if chain is None:
            out.append(_bad(entry, "beacon-chain", f"创世条目未登记信标链 {info.chain_hash}"))
            return
        out.extend(_first_chain_findings(entry, info, genesis))
        expected = committed_round(chain, entry.moment, genesis.draw_delay_seconds)
        if info.round != expected:
            out.append(
                _bad(
                    entry,
                    "round",
                    f"信标轮次应为 {expected}（承诺时间 + {genesis.draw_delay_seconds} 秒后的第一轮），记录为 {info.round}",
                )
            )
        when = format_time(utc_from_unix(round_time(chain, info.round)))
        if info.round_time != when or info.chain != chain.name:
            out.append(_bad(entry, "round-time", f"轮次时间应为 {when}"))

    def _commit_void(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.typed_as(CommitVoid)
        if not self._rules(entry, out):
            return
        self.hist.apply(entry)
        self.committed.pop(body.task, None)

    def _beacon(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.typed_as(BeaconRound)
        chain = self.chains.get(body.chain_hash)
        if chain is None:
            out.append(_bad(entry, "beacon-chain", "信标链未在创世条目登记"))
            return
        try:
            randomness = verify_round(chain, body.round, body.signature, cache=VerifiedCache())
        except BeaconError as exc:
            out.append(_bad(entry, "beacon-signature", f"信标签名验证失败：{exc}"))
            return
        if randomness != body.randomness:
            out.append(_bad(entry, "beacon-randomness", "信标随机值不等于 sha256(签名)"))
        if entry.moment < parse_time(format_time(utc_from_unix(round_time(chain, body.round)))):
            out.append(_bad(entry, "beacon-early", "信标记录时间早于该轮次产生的时间"))
        self.hist.apply(entry)

    def _draw(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.typed_as(Draw)
        if not self._rules(entry, out):
            return
        commit = self.hist.live_commit(body.task)
        committed = self.committed[body.task]
        assert commit is not None
        beacon: BeaconRound | None = None
        if isinstance(commit.body.beacon, ChainRound):
            assert body.beacon_seq is not None
            beacon = self.hist.beacons_by_seq[body.beacon_seq].body
        extra = body.extra_pairs
        extra_inputs(committed.plan, dict(extra))
        seed = seed_for(body.task, commit.hash, beacon, extra)
        if seed != body.seed:
            out.append(_bad(entry, "seed", f"种子应为 {seed}"))
        result = derive_result(committed, seed=seed)
        recorded = objects.get(body.result_object)
        if canonical_json(result) != recorded:
            out.append(_bad(entry, "draw-result", _diff(result, parse_canonical(recorded))))
        if list(body.targets) != [p["id"] for p in result["targets"]["selected"]]:
            out.append(_bad(entry, "draw-targets", "条目中的抽中企业与复算结果不符"))
        err = result["teams_error"]["message"] if result["teams_error"] else None
        if body.teams_error != err or body.unit != commit.body.unit:
            out.append(_bad(entry, "draw-fields", "条目中的检查组错误说明或执法单位与复算不符"))
        self.hist.apply(entry)
        self.results[body.task] = result

    def _person_void(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        body = entry.typed_as(PersonVoid)
        if not self._rules(entry, out):
            return
        state = self.hist.tasks[body.task]
        assert state.draw is not None
        voids = [*(v.body for v in state.person_voids), body]
        try:
            after = derive_void(
                self.committed[body.task],
                self.results[body.task],
                voids,
                seed=state.draw.body.seed,
            )
        except (VoidError, TeamInfeasible) as exc:
            out.append(_bad(entry, "void-invalid", f"人员替换不能复算：{exc}"))
            return
        last = after.voids[-1]
        if (last.team, last.person, last.role, last.replacement) != (
            body.team,
            body.person,
            body.role,
            body.replacement,
        ):
            out.append(
                _bad(
                    entry,
                    "void-replacement",
                    f"替换人员应为 {last.replacement}（{last.role}），记录为 {body.replacement}",
                )
            )
        self.hist.apply(entry)


_HANDLERS = {
    GENESIS: DrawChecker._genesis,
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


# ---------------------------------------------------------------- only public beacons


def _public_beacon_findings(entry: Entry, genesis: Genesis) -> list[Finding]:
    """A non-demo genesis naming a chain outside the allow-list (docs/spec/08-beacons.md)."""
    return [
        _bad(
            entry,
            "beacon-not-public",
            f"非演示账本登记了不在公开信标允许清单（{'、'.join(PUBLIC_CHAINS)}）中的信标链 "
            f"{name}：其私钥可能由本局持有，随机数可被预知",
        )
        for name in private_beacons(genesis)
        if not any(is_demo_chain(b.to_json()) for b in genesis.beacons if b.name == name)
    ]


def _first_chain_findings(entry: Entry, info: ChainRound, genesis: Genesis) -> list[Finding]:
    """A commitment must use the genesis's first chain (docs/spec/13-task-entries.md §13.1)."""
    first = genesis.beacons[0] if genesis.beacons else None
    if first is None or info.chain_hash == first.chain_hash:
        return []
    return [
        _bad(
            entry,
            "beacon-not-first",
            f"承诺使用了信标链 {info.chain}，而非创世条目登记的第一条链 {first.name}："
            "可在多条链间挑选结果",
        )
    ]


# ---------------------------------------------------------------- backdating by the records


def _rows_dated_after_findings(
    entry: Entry, as_of: str, rows: Mapping[str, list[dict[str, Any]]]
) -> list[Finding]:
    """A snapshot row included or updated after `as_of` proves the commitment backdated."""
    out: list[Finding] = []
    for name, recs in rows.items():
        late = rows_dated_after(name, recs, as_of)
        if late:
            shown = "、".join(f"{r.key} 的{r.header} {r.date}" for r in late[:3])
            more = f"等 {len(late)} 行" if len(late) > 3 else ""
            out.append(
                _bad(
                    entry,
                    "records-dated-later",
                    f"承诺日期为 {as_of}，但其 {name} 快照中有晚于该日的记录（{shown}{more}）："
                    "承诺是事后补写、倒签日期的",
                )
            )
    return out


def default_checkers() -> list[EntryChecker]:
    """Fresh checker instances for one verification run."""
    return [DrawChecker(), DrawListing()]
