"""Drawn teams as values and their JSON form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from suiji.draw.rows import cell_date
from suiji.draw.teamrules import (
    ACCOMPANY,
    EXPERT,
    LEADER,
    OFFICER,
    ROLES,
    TeamRules,
    team_rules_from_json,
    team_rules_to_json,
)
from suiji.shared.canonical import canonical_json, is_hex64
from suiji.shared.errors import InputError, Refusal


class TeamInfeasible(Refusal):
    """The algorithm cannot form a team that keeps a rule; `team` and `rule` say which.

    `rule` is one of "leader", "group_officer", "officers", "accompany", "experts",
    "load_limit"; the message (Chinese) names the enterprise and the rule.
    """

    code = "team-infeasible"

    def __init__(self, team: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.team = team
        self.rule = rule


class VoidError(Refusal):
    """A void that cannot apply: unknown team, a person not on it, inputs unlike the draw's."""

    code = "void-refused"


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


# ---------------------------------------------------------------- JSON


def team_draw_to_json(draw: TeamDraw) -> dict[str, Any]:
    """The draw as a canonical-JSON-ready object (docs/spec/11-teams.md §11.10)."""
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
    start = cell_date(w["start"], f"{where}.window.start")
    end = cell_date(w["end"], f"{where}.window.end")
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
