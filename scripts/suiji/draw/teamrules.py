"""A plan's `[team]` rules: parsed, validated and in JSON form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from suiji.shared.errors import InputError
from suiji.shared.text import clean_text, match_key

TASK_TEAM = "task"

LEADER, OFFICER, ACCOMPANY, EXPERT = "leader", "officer", "accompany", "expert"
ROLES = (LEADER, OFFICER, ACCOMPANY, EXPERT)
ROLE_TITLES = {
    LEADER: "组长",
    OFFICER: "执法人员",
    "group-officer": "执法人员（本片区检查组）",
    ACCOMPANY: "随行人员（编外）",
    EXPERT: "专家",
}
"""Each role as a reader sees it (`group-officer`: an officer drawn from the target's 检查组)."""
PER_VALUES = ("target", "task")
MAX_COUNT = 1000

# ---------------------------------------------------------------- errors


class TeamRulesError(InputError):
    """The plan's `[team]` table (or its JSON form) is not valid; the message names where."""

    code = "team-rules-invalid"


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
