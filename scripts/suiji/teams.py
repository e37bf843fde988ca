"""Inspection teams, experts and person voids (docs/SPEC.md part 5).

Who inspects an enterprise is the second half of 双随机: a team led by the 分管领导, with
officers of whom one comes from the inspection group responsible for the enterprise's
district, optional 编外 staff who only accompany, and optional experts. Every choice here
is a pure function of the committed records, the plan's `[team]` rules and the public
seed, so anyone can re-run it; a person who drops out after the draw is replaced by the
next one in the same public ticket order (a *void*), never by a fresh draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from suiji.draw import order
from suiji.encoding import canonical_json, clean_text, id_key, is_hex64, match_key, tagged_hex
from suiji.errors import InputError, UsageError

Row = Mapping[str, Any]

TEAM_TAG = "suiji/team/v1"
TASK_TEAM = "task"
"""Team key of the one task-wide team (`per = "task"`); per-target teams use the credit code."""

LEADER, OFFICER, ACCOMPANY, EXPERT = "leader", "officer", "accompany", "expert"
ROLES = (LEADER, OFFICER, ACCOMPANY, EXPERT)
PER_VALUES = ("target", "task")
INSPECTOR_ACTIVE = "在岗"
EXPERT_ACTIVE = "在库"
ESTABLISHED = "编内"
NON_ESTABLISHED = "编外"
MAX_COUNT = 1000
"""Upper bound for every count in `[team]`: far above any real team, it only stops typos."""

# ---------------------------------------------------------------- errors


class TeamRulesError(InputError):
    """The plan's `[team]` table (or its JSON form) is not valid; the message names where."""


class TeamInfeasible(UsageError):
    """The algorithm cannot form a team that keeps a rule; `team` and `rule` say which.

    `rule` is one of "leader", "group_officer", "officers", "accompany", "experts",
    "load_limit"; the message (Chinese) names the enterprise and the rule.
    """

    def __init__(self, team: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.team = team
        self.rule = rule


class VoidError(UsageError):
    """A void that cannot apply: unknown team, a person not on it, inputs unlike the draw's."""


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class TeamRules:
    """The plan's `[team]` table, validated. Counts are people; limits are targets per person.

    A limit None means no limit. `load_limit` binds officers and accompanying staff,
    `leader_load_limit` the 分管领导: a county has two to four of them and they lead every
    team, so a limit meant to spread officers would make ordinary tasks infeasible.
    """

    per: str = "target"
    officers: int = 2
    leader: bool = True
    group_officer: bool = True
    accompany: int = 0
    load_limit: int | None = None
    leader_load_limit: int | None = None
    expert_count: int = 0
    expert_specialties: tuple[str, ...] = ()
    expert_load_limit: int | None = None

    def limit_for(self, role: str) -> int | None:
        """The load limit that applies to a person drawn in `role`."""
        if role == EXPERT:
            return self.expert_load_limit
        if role == LEADER:
            return self.leader_load_limit
        return self.load_limit


_TEAM_KEYS = (
    "per",
    "officers",
    "leader",
    "group_officer",
    "accompany",
    "load_limit",
    "leader_load_limit",
    "experts",
)
_EXPERT_KEYS = ("count", "specialties", "load_limit")


def _take_int(
    table: Mapping[str, Any], key: str, where: str, default: int | None, minimum: int
) -> int | None:
    """An integer in [minimum, MAX_COUNT]; TOML booleans are not integers here."""
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
        raise TeamRulesError(
            f"{where}: {key} 必须是 {minimum} 到 {MAX_COUNT} 之间的整数，现为 {value!r}"
        )
    return value


def _take_bool(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, bool):
        raise TeamRulesError(f"{where}: {key} 必须是 true 或 false，现为 {value!r}")
    return value


def _reject_unknown(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    """Unknown keys are typos more often than not; a silently ignored rule is worse."""
    unknown = sorted(str(k) for k in table if k not in allowed)
    if unknown:
        raise TeamRulesError(
            f"{where}: 不认识的键 {'、'.join(unknown)}（可用的键：{'、'.join(allowed)}）"
        )


def _take_specialties(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    raw = table.get("specialties", [])
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise TeamRulesError(f"{where}: specialties 必须是专业领域名称的列表，现为 {raw!r}")
    cleaned = [clean_text(s) for s in raw]
    if any(not s for s in cleaned):
        raise TeamRulesError(f"{where}: specialties 含空的专业领域名称")
    keys = [match_key(s) for s in cleaned]
    if len(set(keys)) != len(keys):
        raise TeamRulesError(f"{where}: specialties 含重复的专业领域：{'、'.join(cleaned)}")
    return tuple(cleaned)


def _take_experts(table: Mapping[str, Any], where: str) -> tuple[int, tuple[str, ...], int | None]:
    """`experts = { count, specialties, load_limit }`; absent means no experts."""
    if "experts" not in table:
        return 0, (), None
    sub = table["experts"]
    here = f"{where}.experts"
    if not isinstance(sub, Mapping):
        raise TeamRulesError(f'{here}: 必须是表，如 {{ count = 1, specialties = ["化工工艺"] }}')
    _reject_unknown(sub, _EXPERT_KEYS, here)
    count = _take_int(sub, "count", here, 1, 0)
    assert count is not None
    return count, _take_specialties(sub, here), _take_int(sub, "load_limit", here, None, 1)


def team_rules_from_toml(table: Mapping[str, Any], where: str) -> TeamRules:
    """Validate a plan's `[team]` table; every error names `where` and the key, in Chinese."""
    if not isinstance(table, Mapping):
        raise TeamRulesError(f"{where}: 必须是表（TOML table）")
    _reject_unknown(table, _TEAM_KEYS, where)
    per = table.get("per", "target")
    if per not in PER_VALUES:
        raise TeamRulesError(
            f'{where}: per 必须是 "target"（每家企业一组）或 "task"（全任务一组），现为 {per!r}'
        )
    officers = _take_int(table, "officers", where, 2, 2)
    accompany = _take_int(table, "accompany", where, 0, 0)
    assert officers is not None and accompany is not None
    count, specialties, expert_limit = _take_experts(table, where)
    return TeamRules(
        per=per,
        officers=officers,
        leader=_take_bool(table, "leader", where, True),
        group_officer=_take_bool(table, "group_officer", where, True),
        accompany=accompany,
        load_limit=_take_int(table, "load_limit", where, None, 1),
        leader_load_limit=_take_int(table, "leader_load_limit", where, None, 1),
        expert_count=count,
        expert_specialties=specialties,
        expert_load_limit=expert_limit,
    )


def team_rules_to_json(rules: TeamRules) -> dict[str, Any]:
    """The rules as a canonical-JSON-ready object: every key present, absent limits as null."""
    return {
        "per": rules.per,
        "officers": rules.officers,
        "leader": rules.leader,
        "group_officer": rules.group_officer,
        "accompany": rules.accompany,
        "load_limit": rules.load_limit,
        "leader_load_limit": rules.leader_load_limit,
        "experts": {
            "count": rules.expert_count,
            "specialties": list(rules.expert_specialties),
            "load_limit": rules.expert_load_limit,
        },
    }


def _drop_nulls(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def team_rules_from_json(value: Any, where: str = "rules") -> TeamRules:
    """Strict inverse of `team_rules_to_json`: all keys present, and nothing else."""
    if not isinstance(value, Mapping) or not isinstance(value.get("experts"), Mapping):
        raise TeamRulesError(f"{where}: 不是检查组规则对象")
    _require_keys(value, _TEAM_KEYS, where)
    _require_keys(value["experts"], _EXPERT_KEYS, f"{where}.experts")
    table = _drop_nulls(value)
    table["experts"] = _drop_nulls(value["experts"])
    rules = team_rules_from_toml(table, where)
    if team_rules_to_json(rules) != dict(value):
        raise TeamRulesError(f"{where}: 规则不是规范形式（专业领域须已规范化）")
    return rules


def _require_keys(value: Mapping[str, Any], keys: Sequence[str], where: str) -> None:
    if set(value) != set(keys):
        raise TeamRulesError(f"{where}: 键必须恰好是 {'、'.join(sorted(keys))}")


# ---------------------------------------------------------------- the draw's values


@dataclass(frozen=True)
class Officer:
    """A drawn officer; `group_officer`: their group covers one of the team's districts."""

    person: str
    group_officer: bool


@dataclass(frozen=True)
class Team:
    """One team: its key (credit code or "task"), the targets it inspects, and who."""

    key: str
    targets: tuple[str, ...]
    leader: str | None
    officers: tuple[Officer, ...]
    accompany: tuple[str, ...]
    experts: tuple[str, ...]

    def role_of(self, person: str) -> str | None:
        """The role `person` holds on this team, or None: the roles never overlap."""
        if person == self.leader:
            return LEADER
        if any(o.person == person for o in self.officers):
            return OFFICER
        if person in self.accompany:
            return ACCOMPANY
        if person in self.experts:
            return EXPERT
        return None

    def members(self) -> Iterable[tuple[str, str]]:
        """(role, person) for everyone on the team, in role order."""
        if self.leader is not None:
            yield LEADER, self.leader
        for officer in self.officers:
            yield OFFICER, officer.person
        for person in self.accompany:
            yield ACCOMPANY, person
        for person in self.experts:
            yield EXPERT, person


@dataclass(frozen=True)
class PersonVoid:
    """A void as applied: who left which team, in which role, who replaced them, and why."""

    team: str
    person: str
    role: str
    replacement: str
    reason: str


@dataclass(frozen=True)
class TeamDraw:
    """All teams of one task, the inputs that fix them, and the voids applied so far."""

    seed: str
    window_start: date
    window_end: date
    rules: TeamRules
    teams: tuple[Team, ...]
    voids: tuple[PersonVoid, ...] = field(default=())

    def team(self, key: str) -> Team:
        for team in self.teams:
            if team.key == key:
                return team
        raise VoidError(f"本次抽取中没有检查组 {key}（检查组以企业统一社会信用代码或 task 标识）")


# ---------------------------------------------------------------- role seeds


def role_seed(seed: str, team: str, role: str) -> str:
    """Seed of one role in one team: tickets differ per team and role, all from the one seed S.

    `tagged_hex("suiji/team/v1", canonical_json({"role", "seed", "team"}))` — 64 hex digits.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return tagged_hex(TEAM_TAG, canonical_json({"role": role, "seed": seed, "team": team}))


# ---------------------------------------------------------------- population


def _date(value: Any, what: str) -> date | None:
    """A date cell as rows carry it: None/"" (empty), "YYYY-MM-DD", or a date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{what}: 日期应为 YYYY-MM-DD，现为 {value!r}")


def _text(row: Row, key: str) -> str:
    value = row.get(key)
    return clean_text(value) if isinstance(value, str) else ""


def _row_id(row: Row, key: str, what: str, index: int) -> str:
    value = row.get(key)
    ident = id_key(value) if isinstance(value, str) else ""
    if not ident:
        raise InputError(f"{what}第 {index + 1} 条：缺少 {key}")
    return ident


def _active(row: Row, status: str, window_end: date, what: str) -> bool:
    """In service for the whole window: the active status and no exit date on or before its end."""
    retired = _date(row.get("retired_on"), f"{what} retired_on")
    return _text(row, "status") == status and (retired is None or retired > window_end)


def _certified(row: Row, window_end: date, what: str) -> bool:
    """编内 with a certificate whose last valid day is on or after the window's last day."""
    expiry = _date(row.get("cert_expiry"), f"{what} cert_expiry")
    return (
        _text(row, "staffing") == ESTABLISHED
        and bool(_text(row, "cert_no"))
        and expiry is not None
        and expiry >= window_end
    )


@dataclass(frozen=True)
class _Pool:
    """Everyone who passes the static predicates, by role, plus what the walk needs to know."""

    eligible: Mapping[str, tuple[str, ...]]
    district: Mapping[str, str]  # officer id -> match_key(district)
    recused: Mapping[str, frozenset[str]]  # person or expert id -> credit codes
    groups: Mapping[str, tuple[str, ...]]  # district key -> group names (for messages)


def _inspector_roles(row: Row, window_end: date, what: str) -> tuple[str, ...]:
    """The roles an inspector row may fill: the pools never overlap."""
    if not _active(row, INSPECTOR_ACTIVE, window_end, what):
        return ()
    if _text(row, "staffing") == NON_ESTABLISHED:
        return (ACCOMPANY,)
    if not _certified(row, window_end, what):
        return ()
    leader = row.get("leader")
    if leader not in (True, False, None):
        raise InputError(f"{what}: leader 应为布尔值，现为 {leader!r}")
    return (LEADER,) if leader else (OFFICER,)


def _has_specialty(row: Row, wanted: set[str], what: str) -> bool:
    if not wanted:
        return True
    raw = row.get("specialties") or []
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise InputError(f"{what}: specialties 应为列表，现为 {raw!r}")
    return any(isinstance(s, str) and match_key(s) in wanted for s in raw)


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
    seen: set[str] = set()
    for i, row in enumerate(inspectors):
        pid = _row_id(row, "person_id", "执法检查人员名录", i)
        if pid in seen:
            raise InputError(f"执法检查人员名录：人员编号 {pid} 重复")
        seen.add(pid)
        d = match_key(_text(row, "district"))
        if d and _text(row, "group"):
            groups.setdefault(d, set()).add(_text(row, "group"))
        for role in _inspector_roles(row, window_end, f"执法检查人员 {pid}"):
            eligible[role].append(pid)
            district[pid] = d
    wanted = {match_key(s) for s in rules.expert_specialties}
    seen_experts: set[str] = set()
    for i, row in enumerate(experts):
        eid = _row_id(row, "expert_id", "专家库", i)
        if eid in seen_experts:
            raise InputError(f"专家库：专家编号 {eid} 重复")
        seen_experts.add(eid)
        what = f"专家 {eid}"
        if _active(row, EXPERT_ACTIVE, window_end, what) and _has_specialty(row, wanted, what):
            eligible[EXPERT].append(eid)
    recused: dict[str, set[str]] = {}
    for i, row in enumerate(recusals):
        pid = _row_id(row, "person_id", "回避登记", i)
        recused.setdefault(pid, set()).add(_row_id(row, "uscc", "回避登记", i))
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
        uscc = _row_id(row, "uscc", "抽中企业", i)
        if uscc in seen:
            raise UsageError(f"抽中企业列表中 {uscc} 重复")
        seen.add(uscc)
        written = _text(row, "district")
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
    draw: TeamDraw, team: Team, spec: _Spec, role: str, person: str, pool: _Pool
) -> str:
    """The next person in the role's ticket order who keeps the rules, or TeamInfeasible."""
    loads = _loads_of(draw.teams)
    key = _load_key(role, person)
    loads[key] -= len(team.targets)
    exclude = {p for _r, p in team.members()} | {v.person for v in draw.voids if v.team == team.key}
    fits = _fits(loads, draw.rules, role, len(team.targets))
    cands = _candidates(draw.seed, spec, role, pool)
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
) -> TeamDraw:
    """Replace one drawn person by the next in their role's ticket order; other teams stay.

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
    new = _replacement(draw, current, specs[0], role, pid, pool)
    teams = tuple(
        _swap(t, role, pid, new, specs[0], pool) if t.key == current.key else t for t in draw.teams
    )
    void = PersonVoid(team=current.key, person=pid, role=role, replacement=new, reason=text)
    return replace(draw, teams=teams, voids=(*draw.voids, void))


# ---------------------------------------------------------------- JSON


def team_draw_to_json(draw: TeamDraw) -> dict[str, Any]:
    """The draw as a canonical-JSON-ready object (docs/SPEC.md part 5, "TeamDraw JSON")."""
    return {
        "seed": draw.seed,
        "window": {"start": draw.window_start.isoformat(), "end": draw.window_end.isoformat()},
        "rules": team_rules_to_json(draw.rules),
        "teams": [_team_to_json(t) for t in draw.teams],
        "voids": [
            {
                "team": v.team,
                "person": v.person,
                "role": v.role,
                "replacement": v.replacement,
                "reason": v.reason,
            }
            for v in draw.voids
        ],
    }


def _team_to_json(team: Team) -> dict[str, Any]:
    return {
        "team": team.key,
        "targets": list(team.targets),
        "leader": team.leader,
        "officers": [{"person": o.person, "group_officer": o.group_officer} for o in team.officers],
        "accompany": list(team.accompany),
        "experts": list(team.experts),
    }


def _fields(value: Any, keys: Sequence[str], where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or set(value) != set(keys):
        raise InputError(f"{where}: 键必须恰好是 {'、'.join(sorted(keys))}")
    return value


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        raise InputError(f"{where}: 必须是非空字符串的列表")
    return tuple(value)


def _team_from_json(value: Any, where: str) -> Team:
    v = _fields(value, ("team", "targets", "leader", "officers", "accompany", "experts"), where)
    officers = []
    for i, o in enumerate(v["officers"] if isinstance(v["officers"], list) else [None]):
        of = _fields(o, ("person", "group_officer"), f"{where}.officers[{i}]")
        if not isinstance(of["person"], str) or not isinstance(of["group_officer"], bool):
            raise InputError(f"{where}.officers[{i}]: person 为字符串，group_officer 为布尔值")
        officers.append(Officer(of["person"], of["group_officer"]))
    if not isinstance(v["team"], str) or not (v["leader"] is None or isinstance(v["leader"], str)):
        raise InputError(f"{where}: team 须为字符串，leader 须为字符串或 null")
    return Team(
        key=v["team"],
        targets=_strs(v["targets"], f"{where}.targets"),
        leader=v["leader"],
        officers=tuple(officers),
        accompany=_strs(v["accompany"], f"{where}.accompany"),
        experts=_strs(v["experts"], f"{where}.experts"),
    )


def _void_from_json(value: Any, where: str) -> PersonVoid:
    v = _fields(value, ("team", "person", "role", "replacement", "reason"), where)
    if not all(isinstance(v[k], str) and v[k] for k in v) or v["role"] not in ROLES:
        raise InputError(f"{where}: 字段须为非空字符串，role 须为 {'、'.join(ROLES)} 之一")
    return PersonVoid(v["team"], v["person"], v["role"], v["replacement"], v["reason"])


def team_draw_from_json(value: Any, where: str = "teams") -> TeamDraw:
    """Strict inverse of `team_draw_to_json`; it does not re-run the draw (the verifier does)."""
    v = _fields(value, ("seed", "window", "rules", "teams", "voids"), where)
    w = _fields(v["window"], ("start", "end"), f"{where}.window")
    start = _date(w["start"], f"{where}.window.start")
    end = _date(w["end"], f"{where}.window.end")
    if not is_hex64(v["seed"]) or start is None or end is None:
        raise InputError(f"{where}: seed 须为 64 位十六进制，window 须有起止日期")
    if not isinstance(v["teams"], list) or not isinstance(v["voids"], list):
        raise InputError(f"{where}: teams 与 voids 须为数组")
    draw = TeamDraw(
        seed=v["seed"],
        window_start=start,
        window_end=end,
        rules=team_rules_from_json(v["rules"], f"{where}.rules"),
        teams=tuple(_team_from_json(t, f"{where}.teams[{i}]") for i, t in enumerate(v["teams"])),
        voids=tuple(_void_from_json(x, f"{where}.voids[{i}]") for i, x in enumerate(v["voids"])),
    )
    if canonical_json(team_draw_to_json(draw)) != canonical_json(value):
        raise InputError(f"{where}: 不是规范形式（日期须为 YYYY-MM-DD）")
    return draw
