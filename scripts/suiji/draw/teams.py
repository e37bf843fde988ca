"""Drawing teams and experts, and replacing a person after a void (docs/spec/11-teams.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from suiji.draw.eligibility import expert_in_pool, inspector_roles
from suiji.draw.rows import Row, row_id, row_text, unique_ids
from suiji.draw.sampler import order
from suiji.draw.teamdraw import Officer, PersonVoid, Team, TeamDraw, TeamInfeasible, VoidError
from suiji.draw.teamrules import ACCOMPANY, EXPERT, LEADER, OFFICER, ROLES, TASK_TEAM, TeamRules
from suiji.shared.canonical import canonical_json, is_hex64, tagged_hex
from suiji.shared.errors import UsageError
from suiji.shared.text import clean_text, id_key, match_key

TEAM_TAG = "suiji/team/v1"
REPLACEMENT_TAG = "suiji/replacement-seed/v1"
"""Team key of the one task-wide team (`per = "task"`); per-target teams use the credit code."""
"""Upper bound for every count in `[team]`: far above any real team, it only stops typos."""


# ---------------------------------------------------------------- role seeds


def role_seed(seed: str, team: str, role: str) -> str:
    """Seed of one role in one team: tickets differ per team and role, all from the one seed S.

    `tagged_hex("suiji/team/v1", canonical_json({"role", "seed", "team"}))` — 64 hex digits.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return tagged_hex(TEAM_TAG, canonical_json({"role": role, "seed": seed, "team": team}))


def replacement_seed(seed: str, void: str, randomness: str) -> str:
    """Ticket seed of one person void's replacement: unknown until a later round exists.

    `tagged_hex("suiji/replacement-seed/v1", canonical_json({"randomness", "seed", "void"}))`
    over the task seed S, the `person-void` entry hash and the randomness of the round the
    void named. The void entry fixes who leaves before that round exists, so whoever writes
    it cannot know, and so cannot steer, who comes in (docs/spec/11-teams.md §11.9).
    """
    for name, value in (("seed", seed), ("void", void), ("randomness", randomness)):
        if not is_hex64(value):
            raise ValueError(f"{name} must be 64 lower-case hex digits")
    return tagged_hex(
        REPLACEMENT_TAG, canonical_json({"randomness": randomness, "seed": seed, "void": void})
    )


@dataclass(frozen=True)
class _Pool:
    """Everyone who passes the static predicates, by role, plus what the walk needs to know."""

    eligible: Mapping[str, tuple[str, ...]]
    district: Mapping[str, str]  # officer id -> match_key(district)
    recused: Mapping[str, frozenset[str]]  # person or expert id -> credit codes
    groups: Mapping[str, tuple[str, ...]]  # district key -> group names (for messages)


def _prepare(
    inspectors: Sequence[Row],
    experts: Sequence[Row],
    recusals: Sequence[Row],
    rules: TeamRules,
    window_end: date,
) -> _Pool:
    """Apply the static predicates once; the per-team walk only adds recusals and loads."""
    eligible: dict[str, list[str]] = {role: [] for role in ROLES}
    district: dict[str, str] = {}
    groups: dict[str, set[str]] = {}
    pids = unique_ids(inspectors, "person_id", "执法检查人员名录", "人员编号")
    for pid, row in zip(pids, inspectors, strict=True):
        d = match_key(row_text(row, "district"))
        if d and row_text(row, "group"):
            groups.setdefault(d, set()).add(row_text(row, "group"))
        for role in inspector_roles(row, window_end, f"执法检查人员 {pid}"):
            eligible[role].append(pid)
            district[pid] = d
    wanted = {match_key(s) for s in rules.expert_specialties}
    eids = unique_ids(experts, "expert_id", "专家库", "专家编号")
    for eid, row in zip(eids, experts, strict=True):
        if expert_in_pool(row, window_end, wanted, f"专家 {eid}"):
            eligible[EXPERT].append(eid)
    recused: dict[str, set[str]] = {}
    for i, row in enumerate(recusals):
        pid = row_id(row, "person_id", "回避登记", i)
        recused.setdefault(pid, set()).add(row_id(row, "uscc", "回避登记", i))
    return _Pool(
        eligible={role: tuple(ids) for role, ids in eligible.items()},
        district=district,
        recused={k: frozenset(v) for k, v in recused.items()},
        groups={k: tuple(sorted(v)) for k, v in groups.items()},
    )


# ---------------------------------------------------------------- team specs


@dataclass(frozen=True)
class _Spec:
    """What a team must satisfy: its key, targets, and the districts needing a group officer."""

    key: str
    targets: tuple[str, ...]
    districts: tuple[str, ...]  # match keys, in order of first appearance
    labels: Mapping[str, str]  # district key -> district as written (for messages)

    @property
    def label(self) -> str:
        if self.key == TASK_TEAM:
            return f"检查任务（全部 {len(self.targets)} 家企业）"
        return f"企业 {self.key}"


def _specs(targets: Sequence[Row], rules: TeamRules) -> list[_Spec]:
    """One spec per target in draw order, or one task-wide spec over all targets."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for i, row in enumerate(targets):
        uscc = row_id(row, "uscc", "抽中企业", i)
        if uscc in seen:
            raise UsageError(f"抽中企业列表中 {uscc} 重复")
        seen.add(uscc)
        written = row_text(row, "district")
        rows.append((uscc, match_key(written), written))
    if rules.per == "target":
        return [_spec(uscc, [(uscc, d, w)]) for uscc, d, w in rows]
    return [_spec(TASK_TEAM, rows)] if rows else []


def _spec(key: str, rows: Sequence[tuple[str, str, str]]) -> _Spec:
    districts: list[str] = []
    labels: dict[str, str] = {}
    for _uscc, d, written in rows:
        if d not in labels:
            districts.append(d)
            labels[d] = written
    return _Spec(key, tuple(r[0] for r in rows), tuple(districts), labels)


# ---------------------------------------------------------------- the walk

Fits = Callable[[str], bool]
_REASONS = "（状态、证件有效期、回避或负荷上限）"
_ADVICE = "。请核对人员名录、回避登记，或调整计划的 [team] 设置。"


def _candidates(seed: str, spec: _Spec, role: str, pool: _Pool) -> list[str]:
    """The role's eligible, non-recused people in ticket order (ties, never seen, by id)."""
    targets = set(spec.targets)
    ids = [p for p in pool.eligible[role] if not pool.recused.get(p, frozenset()) & targets]
    return order(ids, role_seed(seed, spec.key, role))


def _take(cands: Sequence[str], count: int, fits: Fits, exclude: set[str]) -> list[str]:
    """The first `count` candidates who fit; fewer if the order runs out."""
    out: list[str] = []
    for p in cands:
        if len(out) == count:
            break
        if p not in exclude and fits(p):
            out.append(p)
    return out


def _fill_officers(
    cands: Sequence[str],
    kept: Sequence[str],
    spec: _Spec,
    rules: TeamRules,
    pool: _Pool,
    fits: Fits,
    exclude: set[str],
) -> tuple[list[str], list[str]]:
    """Fill the officer slots with look-ahead; returns (new officers, districts left uncovered).

    A candidate from an uncovered district is always taken; any other candidate only while
    more slots remain than districts still uncovered — so the team never becomes
    unsatisfiable by this walk, and the walk fails only if a district has nobody left.
    """
    chosen = list(kept)
    uncovered = [
        d
        for d in (spec.districts if rules.group_officer else ())
        if not any(pool.district[o] == d for o in chosen)
    ]
    new: list[str] = []
    for p in cands:
        if len(chosen) == rules.officers:
            break
        if p in exclude or p in chosen or not fits(p):
            continue
        d = pool.district[p]
        if d in uncovered:
            uncovered.remove(d)
        elif len(uncovered) >= rules.officers - len(chosen):
            continue
        chosen.append(p)
        new.append(p)
    return new, uncovered


def _officer_failure(
    spec: _Spec, uncovered: Sequence[str], pool: _Pool, prefix: str
) -> TeamInfeasible:
    if uncovered:
        d = uncovered[0]
        if not d:
            message = f"{spec.label}：{prefix}名录中没有执法片区，无法确定对应的检查组"
        else:
            group = "、".join(pool.groups.get(d, ())) or "对应检查组"
            message = f"{spec.label}：{prefix}{spec.labels[d]}没有可抽取的{group}执法人员{_REASONS}"
        return TeamInfeasible(spec.key, "group_officer", message + _ADVICE)
    return TeamInfeasible(
        spec.key,
        "officers",
        f"{spec.label}：{prefix}可抽取的编内持证执法人员不足{_REASONS}{_ADVICE}",
    )


def _role_failure(spec: _Spec, role: str, rules: TeamRules, prefix: str) -> TeamInfeasible:
    if role == LEADER:
        return TeamInfeasible(
            spec.key, "leader", f"{spec.label}：{prefix}没有可抽取的带队分管领导{_REASONS}{_ADVICE}"
        )
    if role == ACCOMPANY:
        return TeamInfeasible(
            spec.key,
            "accompany",
            f"{spec.label}：{prefix}可抽取的编外随行人员不足 {rules.accompany} 名"
            f"（状态、回避或负荷上限）{_ADVICE}",
        )
    wanted = "、".join(rules.expert_specialties)
    scope = f"具备专业领域（{wanted}）之一的" if wanted else ""
    return TeamInfeasible(
        spec.key,
        "experts",
        f"{spec.label}：{prefix}{scope}可抽取专家不足 {rules.expert_count} 名"
        f"（状态、回避或负荷上限）{_ADVICE}",
    )


def _fits(loads: Mapping[tuple[str, str], int], rules: TeamRules, role: str, n: int) -> Fits:
    """Does taking a person in `role` for a team of `n` targets keep them within their limit?"""
    limit = rules.limit_for(role)
    kind = EXPERT if role == EXPERT else "inspector"
    return lambda p: limit is None or loads.get((kind, p), 0) + n <= limit


def _load_key(role: str, person: str) -> tuple[str, str]:
    """Inspectors and experts are counted apart: their ids are separate registries."""
    return (EXPERT if role == EXPERT else "inspector", person)


def _check_task_load(spec: _Spec, rules: TeamRules) -> None:
    """A task-wide team takes every target at once; a limit below that can never be kept."""
    roles = [OFFICER] + ([LEADER] if rules.leader else [])
    roles += ([ACCOMPANY] if rules.accompany else []) + ([EXPERT] if rules.expert_count else [])
    n = len(spec.targets)
    for role in roles:
        limit = rules.limit_for(role)
        if limit is not None and limit < n:
            raise TeamInfeasible(
                spec.key,
                "load_limit",
                f"{spec.label}：全任务一组须承担全部 {n} 家企业，超过负荷上限 {limit}{_ADVICE}",
            )
    if rules.group_officer and len(spec.districts) > rules.officers:
        raise TeamInfeasible(
            spec.key,
            "group_officer",
            f"{spec.label}：涉及 {len(spec.districts)} 个执法片区，"
            f"每个片区须有一名对应检查组执法人员，但每组只抽 {rules.officers} 名执法人员{_ADVICE}",
        )


def _form_team(
    seed: str, spec: _Spec, pool: _Pool, rules: TeamRules, loads: dict[tuple[str, str], int]
) -> Team:
    """Leader, then officers, then accompanying staff, then experts; then count the loads.

    The four pools never overlap and loads change only once the team is complete, so the
    order matters only for which rule a TeamInfeasible names first.
    """
    if spec.key == TASK_TEAM:
        _check_task_load(spec, rules)
    n = len(spec.targets)

    def pick(role: str, count: int) -> list[str]:
        cands = _candidates(seed, spec, role, pool)
        found = _take(cands, count, _fits(loads, rules, role, n), set())
        if len(found) < count:
            raise _role_failure(spec, role, rules, "")
        return found

    leader = pick(LEADER, 1) if rules.leader else []
    officers, uncovered = _fill_officers(
        _candidates(seed, spec, OFFICER, pool),
        [],
        spec,
        rules,
        pool,
        _fits(loads, rules, OFFICER, n),
        set(),
    )
    if len(officers) < rules.officers:
        raise _officer_failure(spec, uncovered, pool, "")
    team = Team(
        key=spec.key,
        targets=spec.targets,
        leader=leader[0] if leader else None,
        officers=tuple(Officer(p, _is_group_officer(p, spec, pool)) for p in officers),
        accompany=tuple(pick(ACCOMPANY, rules.accompany)),
        experts=tuple(pick(EXPERT, rules.expert_count)),
    )
    for role, person in team.members():
        key = _load_key(role, person)
        loads[key] = loads.get(key, 0) + n
    return team


def _is_group_officer(person: str, spec: _Spec, pool: _Pool) -> bool:
    return pool.district.get(person, "") in spec.districts


# ---------------------------------------------------------------- public: draw


def _check_inputs(seed: str, window_start: date, window_end: date) -> None:
    if not is_hex64(seed):
        raise UsageError(f"种子必须是 64 位小写十六进制：{seed!r}")
    if window_start > window_end:
        raise UsageError(f"检查时间窗口起止颠倒：{window_start} 晚于 {window_end}")


def draw_teams(
    *,
    seed: str,
    targets: Sequence[Row],
    inspectors: Sequence[Row],
    experts: Sequence[Row],
    recusals: Sequence[Row],
    rules: TeamRules,
    window_start: date,
    window_end: date,
) -> TeamDraw:
    """Form every team of a task from the committed records and the public seed.

    Teams are formed in the targets' draw order and loads accumulate in that order, so an
    earlier target never depends on a later one. Raises TeamInfeasible naming the first
    team and rule the walk cannot keep.
    """
    _check_inputs(seed, window_start, window_end)
    pool = _prepare(inspectors, experts, recusals, rules, window_end)
    loads: dict[tuple[str, str], int] = {}
    teams = tuple(_form_team(seed, spec, pool, rules, loads) for spec in _specs(targets, rules))
    return TeamDraw(seed, window_start, window_end, rules, teams)


# ---------------------------------------------------------------- public: voids


def _loads_of(teams: Iterable[Team]) -> dict[tuple[str, str], int]:
    """Load of everyone as the teams stand: each membership counts the team's targets."""
    loads: dict[tuple[str, str], int] = {}
    for team in teams:
        for role, person in team.members():
            key = _load_key(role, person)
            loads[key] = loads.get(key, 0) + len(team.targets)
    return loads


def _replacement(
    draw: TeamDraw, team: Team, spec: _Spec, role: str, person: str, pool: _Pool, ticket_seed: str
) -> str:
    """The next person in the role's ticket order who keeps the rules, or TeamInfeasible."""
    loads = _loads_of(draw.teams)
    key = _load_key(role, person)
    loads[key] -= len(team.targets)
    exclude = {p for _r, p in team.members()} | {v.person for v in draw.voids if v.team == team.key}
    fits = _fits(loads, draw.rules, role, len(team.targets))
    cands = _candidates(ticket_seed, spec, role, pool)
    prefix = f"撤换 {person} 后，"
    if role == OFFICER:
        kept = [o.person for o in team.officers if o.person != person]
        new, uncovered = _fill_officers(cands, kept, spec, draw.rules, pool, fits, exclude)
        if not new:
            raise _officer_failure(spec, uncovered, pool, prefix)
        return new[0]
    found = _take(cands, 1, fits, exclude)
    if not found:
        raise _role_failure(spec, role, draw.rules, prefix)
    return found[0]


def _swap(team: Team, role: str, person: str, new: str, spec: _Spec, pool: _Pool) -> Team:
    """The team with `new` in `person`'s place (same position in its role's list)."""
    if role == LEADER:
        return replace(team, leader=new)
    if role == OFFICER:
        officers = tuple(
            Officer(new, _is_group_officer(new, spec, pool)) if o.person == person else o
            for o in team.officers
        )
        return replace(team, officers=officers)
    if role == ACCOMPANY:
        return replace(team, accompany=tuple(new if p == person else p for p in team.accompany))
    return replace(team, experts=tuple(new if p == person else p for p in team.experts))


def apply_void(
    draw: TeamDraw,
    *,
    team: str,
    person: str,
    reason: str,
    seed: str,
    targets: Sequence[Row],
    inspectors: Sequence[Row],
    experts: Sequence[Row],
    recusals: Sequence[Row],
    window_start: date,
    window_end: date,
    rules: TeamRules | None = None,
    ticket_seed: str | None = None,
) -> TeamDraw:
    """Replace one drawn person by the first fitting candidate of their role; other teams stay.

    Candidates are ordered by `role_seed(ticket_seed, team, role)`; a ledger passes the
    void's `replacement_seed` (a later round's randomness), so the order is unknown when
    the void is written. `ticket_seed` None orders by the draw's own seed (§11.9 vectors).
    Voids apply in ledger order: a replacement is never someone already voided from this
    team, and loads are counted as the teams stand after the draw and earlier voids.
    """
    if seed != draw.seed or (window_start, window_end) != (draw.window_start, draw.window_end):
        raise VoidError("撤换所用的种子或检查时间窗口与原抽取不一致")
    if rules is not None and rules != draw.rules:
        raise VoidError("撤换所用的 [team] 规则与原抽取不一致")
    text = clean_text(reason)
    if not text:
        raise VoidError("撤换必须写明事由（如：申请回避、请假、出差）")
    current = draw.team(id_key(team) if team != TASK_TEAM else team)
    pid = id_key(person)
    role = current.role_of(pid)
    if role is None:
        raise VoidError(f"人员 {pid} 不在检查组 {current.key} 中，无法撤换")
    specs = [s for s in _specs(targets, draw.rules) if s.key == current.key]
    if not specs or specs[0].targets != current.targets:
        raise VoidError(f"撤换所用的抽中企业与原抽取不一致（检查组 {current.key}）")
    pool = _prepare(inspectors, experts, recusals, draw.rules, window_end)
    if ticket_seed is not None and not is_hex64(ticket_seed):
        raise VoidError("撤换的票号种子须为 64 位十六进制")
    order_seed = draw.seed if ticket_seed is None else ticket_seed
    new = _replacement(draw, current, specs[0], role, pid, pool, order_seed)
    teams = tuple(
        _swap(t, role, pid, new, specs[0], pool) if t.key == current.key else t for t in draw.teams
    )
    void = PersonVoid(team=current.key, person=pid, role=role, replacement=new, reason=text)
    return replace(draw, teams=teams, voids=(*draw.voids, void))
