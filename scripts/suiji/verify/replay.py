"""Semantic replay: re-derive every commitment and draw the ledger records.

The task rules (what may follow what) are the one lifecycle's, `suiji.ledger.history`;
this module turns its violations into findings and re-derives each entry's content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import PUBLIC_CHAINS, BeaconError, Chain, is_demo_chain, round_time
from suiji.beacon.verify import verify_round
from suiji.draw.derive import (
    VOID_DELAY_SECONDS,
    AppliedVoid,
    Committed,
    applied_void,
    beacon_terms,
    committed_round,
    derive_population,
    derive_result,
    derive_void,
    load_committed,
    plan_content,
    seed_for,
    target_rows,
    utc_from_unix,
    void_round,
)
from suiji.draw.plan import plan_to_json
from suiji.draw.population import population_to_json
from suiji.draw.rows import Row
from suiji.draw.teamdraw import TeamDraw, TeamInfeasible, VoidError
from suiji.ledger.codec import Entry
from suiji.ledger.history import (
    COMPLIANCE_RULES,
    History,
    TaskState,
    Violation,
    drawn_by_chance,
    same_plan,
    withheld,
    withheld_grace,
)
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import (
    BEACON,
    COMMIT,
    COMMIT_VOID,
    DRAW,
    EXTRA_INPUT,
    GENESIS,
    PERSON_REPLACE,
    PERSON_VOID,
    REVEAL,
)
from suiji.model.genesis import MIN_DRAW_DELAY_SECONDS, Genesis, private_beacons
from suiji.model.tasks import (
    BeaconRound,
    BeaconTerms,
    ChainRound,
    Commit,
    CommitVoid,
    Draw,
    ExtraValue,
    PersonReplace,
    PersonVoid,
)
from suiji.records.dating import rows_dated_after
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding
from suiji.shared.times import civil_date, format_time, parse_time
from suiji.verify.sealedcheck import MESSAGES as SEALED_MESSAGES
from suiji.verify.sealedcheck import commit_findings, task_seed, unrevealed_message

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
    "void-slot-again": "任务 {task} 同一检查组岗位再次撤换（同一人重复撤换，或撤换替换上来的人员）",
    "replace-unknown": "替换条目引用的不是该任务最早一条待替换的人员撤换（应为条目 #{seq}）",
    "replace-beacon": "替换所用信标不是撤换条目指定的第 {round} 轮",
    "replace-early": "替换记录时间早于撤换指定的信标轮次产生的时间（撤换条目 #{seq}）",
    # extra inputs, fixed before the beacon
    "extra-uncommitted": "任务 {task} 没有有效承诺，却登记了附加输入“{detail}”",
    "extra-commitment": "附加输入引用的承诺不是任务 {task} 的有效承诺（条目 #{seq}）",
    "extra-twice": "附加输入“{detail}”重复登记（已于条目 #{seq} 登记，以先登记的为准）",
    "extra-late": "附加输入“{detail}”在承诺的随机数产生之时或之后才登记：结果已可计算",
    "extra-unknown": "附加输入“{detail}”不是方案 [seed] extra 中声明的输入",
    "extra-format": "附加输入格式不符：{detail}",
    "extra-early": "彩票输入“{detail}”在官方开奖之前就登记了：不是开奖结果",
    "lottery-date": "{detail}",
    "draw-extra-missing": "抽取时方案声明的附加输入没有全部登记：缺少 {detail}",
    "draw-extra": "抽取条目的 extra 与登记的附加输入不符（应恰为按方案顺序的 {detail}）",
}
_MESSAGES.update(SEALED_MESSAGES)
_EXTRA_ONLY_BEACON = "承诺只用附加输入，抽取却引用了信标条目"


def _violation_finding(entry: Entry, v: Violation) -> Finding:
    if v.code in COMPLIANCE_RULES:
        message = _MESSAGES[v.code].format(task=v.task, seq=v.seq, round=v.round, detail=v.detail)
        return Finding(entry.seq, "compliance", v.code, message)
    if v.code == "draw-beacon" and v.round is None:
        return _bad(entry, v.code, _EXTRA_ONLY_BEACON)
    message = _MESSAGES[v.code].format(task=v.task, seq=v.seq, round=v.round, detail=v.detail)
    return _bad(entry, v.code, message)


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
    now: datetime | None = None  # the verifier's "now": withheld commitments are judged at it
    contents: dict[str, str] = field(default_factory=dict)  # by task, latest plan content
    applied: dict[str, list[AppliedVoid]] = field(default_factory=dict)  # by task, replaced
    # The teams after `applied` and the drawn targets' rows, by task: each replacement
    # applies one void to the state before it (linear replay, not every void again).
    # Each is kept with the objects it was computed from and used only while they stand.
    teams_after: dict[str, tuple[int, object, object, TeamDraw]] = field(default_factory=dict)
    drawn_rows: dict[str, tuple[object, list[Row]]] = field(default_factory=dict)
    use_cache: bool = True  # False (`verify --no-cache`): every beacon gets its pairing check

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
        return self._withheld()

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
        if genesis.draw_delay_seconds < MIN_DRAW_DELAY_SECONDS:
            out.append(
                _bad(
                    entry,
                    "draw-delay",
                    f"抽取延迟 draw_delay_seconds = {genesis.draw_delay_seconds} 秒，"
                    f"少于最低的 {MIN_DRAW_DELAY_SECONDS} 秒：承诺时轮次可能已经公布",
                )
            )
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
        out.extend(commit_findings(entry.seq, body, plan, self.hist.genesis))
        self._same_plan(entry, body, committed, out)
        for v in self.hist.check_commit_extras(body, entry.moment, plan.seed_extra):
            out.append(_violation_finding(entry, v))
        self.hist.apply(entry)
        self.committed[body.task] = committed

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
                    f"信标轮次应为 {expected}（严格晚于承诺时间 + {genesis.draw_delay_seconds} 秒的第一轮），记录为 {info.round}",
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
            cache = VerifiedCache() if self.use_cache else None
            randomness = verify_round(chain, body.round, body.signature, cache=cache)
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
        for v in self.hist.check_draw_extra(body.task, extra, committed.plan.seed_extra):
            out.append(_violation_finding(entry, v))
        seed = task_seed(seed_for(body.task, commit.hash, beacon, extra), body)
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
        self._teams_error(entry, body, out)

    # ------------------------------------------------------------ person voids

    def _person_void(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        """A void names who leaves and the future round; the replacement comes later."""
        body = entry.typed_as(PersonVoid)
        if not self._rules(entry, out):
            return
        genesis = self.hist.genesis
        assert genesis is not None
        chain = genesis.first_chain()
        if chain is None:
            out.append(_bad(entry, "void-no-beacon", "本账本没有登记随机信标，不能撤换人员"))
        elif body.beacon != void_round(chain, entry.moment):
            expected = void_round(chain, entry.moment)
            out.append(
                _bad(
                    entry,
                    "void-round",
                    f"撤换应指定第 {expected.round} 轮（撤换时间 + {VOID_DELAY_SECONDS} 秒之后的"
                    f"第一轮），记录为第 {body.beacon.round} 轮",
                )
            )
        committed = self.committed[body.task]
        if civil_date(entry.moment) >= committed.plan.window_start:
            out.append(
                Finding(
                    entry.seq,
                    "compliance",
                    "void-in-window",
                    f"任务 {body.task} 在检查时间窗口开始（{committed.plan.window_start}）之后撤换人员",
                )
            )
        try:
            current = self._teams_now(body.task)
            role = current.team(body.team).role_of(body.person)
        except (VoidError, TeamInfeasible) as exc:
            out.append(_bad(entry, "void-invalid", f"人员撤换不能复算：{exc}"))
            role = None
        else:
            if role != body.role:
                out.append(
                    _bad(
                        entry,
                        "void-invalid",
                        f"人员 {body.person} 不是检查组 {body.team} 的 {body.role}（现为 {role}）",
                    )
                )
        self.hist.apply(entry)

    def _person_replace(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        """Re-derive the replacement from the void's round: ticket seed, then the walk."""
        body = entry.typed_as(PersonReplace)
        if not self._rules(entry, out):
            return
        state = self.hist.tasks[body.task]
        assert state.draw is not None
        void = state.pending_voids[0]
        randomness = self.hist.beacons_by_seq[body.beacon_seq].body.randomness
        applied = applied_void(void.body, void.hash, state.draw.body.seed, randomness)
        if body.seed != applied.ticket_seed:
            out.append(_bad(entry, "replace-seed", f"替换票号种子应为 {applied.ticket_seed}"))
        self.hist.apply(entry)
        try:
            after = self._teams_now(body.task, applied)
        except (VoidError, TeamInfeasible) as exc:
            out.append(_bad(entry, "void-invalid", f"人员替换不能复算：{exc}"))
            return
        self.applied.setdefault(body.task, []).append(applied)
        self.teams_after[body.task] = (
            len(self.applied[body.task]),
            self.results[body.task],
            self.committed[body.task],
            after,
        )
        last = after.voids[-1]
        if (last.team, last.person, last.role, last.replacement) != (
            void.body.team,
            void.body.person,
            void.body.role,
            body.replacement,
        ):
            out.append(
                _bad(
                    entry,
                    "void-replacement",
                    f"替换人员应为 {last.replacement}（{last.role}），记录为 {body.replacement}",
                )
            )

    def _teams_now(self, task: str, *more: AppliedVoid) -> TeamDraw:
        """The task's teams after every replacement recorded so far (and `more`)."""
        state = self.hist.tasks[task]
        assert state.draw is not None
        committed, result = self.committed[task], self.results[task]
        applied = self.applied.get(task, [])
        start: TeamDraw | None = None
        voids = [*applied, *more]
        cached = self.teams_after.get(task)
        if cached and cached[0] == len(applied) and cached[1] is result and cached[2] is committed:
            start, voids = cached[3], list(more)
        rows = self.drawn_rows.get(task)
        if voids and (rows is None or rows[0] is not result):
            rows = self.drawn_rows[task] = (result, target_rows(committed, result))
        return derive_void(
            committed,
            result,
            voids,
            seed=state.draw.body.seed,
            start=start,
            targets=rows[1] if rows is not None and rows[0] is result else None,
        )

    def void_counts(self) -> dict[str, tuple[int, int]]:
        """Per task with person voids: (voids recorded, replacements recorded)."""
        return {
            task: (len(state.person_voids), len(state.replacements))
            for task, state in sorted(self.hist.tasks.items())
            if state.person_voids
        }

    # ------------------------------------------------------------ no quiet choices (§13.9)

    def _same_plan(
        self, entry: Entry, body: Commit, committed: Committed, out: list[Finding]
    ) -> None:
        """A second live commitment of one plan's content is another ticket at one outcome."""
        content = plan_content(committed.plan)
        twin = same_plan(self.hist, body.task, content, lambda c: self.contents.get(c.task, ""))
        self.contents[body.task] = content
        if twin is not None:
            out.append(
                _rule(
                    entry,
                    "same-plan",
                    f"任务 {body.task} 的方案与任务 {twin.body.task} 的有效承诺"
                    f"（条目 #{twin.seq}）内容相同：同一方案只能有一个有效承诺",
                )
            )

    def _teams_error(self, entry: Entry, body: Draw, out: list[Finding]) -> None:
        """A draw whose teams could not be formed was not carried out as drawn."""
        if body.teams_error is not None:
            out.append(
                _rule(
                    entry,
                    "teams-error",
                    f"任务 {body.task} 的检查组未能组成：{body.teams_error}"
                    "（应以新任务在新的将来轮次重新抽取，见规范 §13.9）",
                )
            )

    def _withheld(self) -> list[Finding]:
        """Live commitments whose randomness is public but that were never drawn."""
        if self.now is None:
            return []
        out = []
        grace = withheld_grace(self.hist)
        for state in withheld(self.hist, self.now, grace):
            commit = state.commit
            assert commit is not None
            sealed = unrevealed_message(state, self.now)
            out.append(
                Finding(
                    commit.seq,
                    "compliance",
                    "withheld",
                    sealed
                    or f"任务 {state.task} 的承诺（条目 #{commit.seq}）的随机数已于 "
                    f"{format_time(commit.body.available_at)} 产生，超过 "
                    f"{grace.total_seconds() / 3600:.0f} 小时仍未抽取：不得只抽取满意的承诺",
                )
            )
        return out

    def tasks(self) -> list[dict[str, Any]]:
        """Per task, what became of each commitment: drawn, voided, undrawn or withheld."""
        late = {s.task for s in withheld(self.hist, self.now)} if self.now is not None else set()
        return [
            task_summary(state, state.task in late) for _t, state in sorted(self.hist.tasks.items())
        ]

    # ------------------------------------------------------------ extra inputs

    def _extra_input(self, entry: Entry, objects: ObjectStore, out: list[Finding]) -> None:
        """A value recorded before the round, for a declared input, once, well formed."""
        body = entry.typed_as(ExtraValue)
        committed = self.committed.get(body.task)
        declared = committed.plan.seed_extra if committed is not None else None
        violations = self.hist.check_extra_input(body, entry.moment, declared)
        out.extend(_violation_finding(entry, v) for v in violations)
        if not any(v.fatal for v in violations):
            self.hist.apply(entry)


_HANDLERS = {
    GENESIS: DrawChecker._genesis,
    COMMIT: DrawChecker._commit,
    COMMIT_VOID: DrawChecker._commit_void,
    BEACON: DrawChecker._beacon,
    DRAW: DrawChecker._draw,
    REVEAL: DrawChecker._draw,
    PERSON_VOID: DrawChecker._person_void,
    PERSON_REPLACE: DrawChecker._person_replace,
    EXTRA_INPUT: DrawChecker._extra_input,
}


def _bad(entry: Entry, code: str, message: str) -> Finding:
    return Finding(entry.seq, "integrity", code, message)


def _diff(expected: Mapping[str, Any], recorded: Any) -> str:
    """Say which part of a draw differs, so a reader knows what was altered."""
    if not isinstance(recorded, dict):
        return "抽取结果对象格式错误"
    parts = [k for k in sorted(expected) if expected.get(k) != recorded.get(k)]
    return f"抽取结果与复算不符（不同部分：{'、'.join(parts) or '格式'}）"


def _rule(entry: Entry, code: str, message: str) -> Finding:
    """A breach of the task rules in an intact ledger (`compliance`)."""
    return Finding(entry.seq, "compliance", code, message)


def task_summary(state: TaskState, late: bool) -> dict[str, Any]:
    """One task for the report's `tasks` (spec §14.4): its commitments and its draw.

    `voided`: the commitments withdrawn, each with the void's entry; `undrawn`: the live
    commitment if it has no draw (`withheld` once it is overdue); `random`: False when the
    draw took every eligible enterprise (not a random draw, §12.1), None before a draw.
    """
    draw = state.draw
    return {
        "task": state.task,
        "voided": [{"commit_seq": v.body.commit_seq, "void_seq": v.seq} for v in state.voided],
        "undrawn": (state.commit.seq if state.commit is not None and draw is None else None),
        "withheld": late,
        "draw_seq": draw.seq if draw is not None else None,
        "random": drawn_by_chance(state, draw.body) if draw is not None else None,
        "teams_error": draw is not None and draw.body.teams_error is not None,
    }


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
