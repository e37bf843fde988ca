"""Team rules checked before the seed exists: no plan may make its own draw fail.

A team rule that no team can keep (an expert specialty nobody in the pool has, a district
without a certified officer of its group, fewer certified officers than a team needs)
turns a draw into `teams_error` for some or every seed. If commit allowed that, a bureau
could write rules that fail exactly when a target it dislikes comes up, and opt out of the
outcome. So `suiji commit` (and later `commit --dry-run`) refuses such a plan statically,
naming the rule, with the same pools and messages the draw itself uses (`suiji.draw.teams`).

The check is necessary, not sufficient: it considers each enterprise that could be drawn
on its own, and loads as a total capacity. A draw can still fail on a combination of
targets (loads accumulated in ticket order); that draw is recorded and reported
(docs/spec/11-teams.md §11.8, 13-task-entries.md §13.9).
"""

from __future__ import annotations

from collections.abc import Sequence

from suiji.draw.plan import Plan
from suiji.draw.population import Population
from suiji.draw.rows import Row, row_id, row_text
from suiji.draw.targets import allocate
from suiji.draw.teamdraw import TeamInfeasible
from suiji.draw.teamrules import ACCOMPANY, EXPERT, LEADER, OFFICER, TASK_TEAM, TeamRules
from suiji.draw.teams import _officer_failure, _Pool, _prepare, _role_failure, _spec
from suiji.shared.text import match_key

RULE_OF_ROLE = {LEADER: "leader", OFFICER: "officers", ACCOMPANY: "accompany", EXPERT: "experts"}
"""The `[team]` rule that asks for people of each role (TeamInfeasible's `rule` values)."""
RULE_NAMES = {
    "leader": "带队分管领导（leader）",
    "officers": "编内持证执法人员人数（officers）",
    "accompany": "编外随行人员（accompany）",
    "experts": "专家（experts）",
    "group_officer": "对应检查组执法人员（group_officer）",
    "load_limit": "负荷上限（load_limit）",
}
_PEOPLE = {
    LEADER: "带队分管领导",
    OFFICER: "编内持证执法人员",
    ACCOMPANY: "编外随行人员",
    EXPERT: "专家",
}
_FIX = "请核对人员名录、专家库和回避登记，或修改方案的 [team] 设置后再承诺。"


class TeamRulesUnmet(TeamInfeasible):
    """The plan's `[team]` rules cannot be kept for some enterprise the draw could pick.

    `rule` names the rule (leader, officers, accompany, experts, group_officer, load_limit),
    `team` the enterprise (or "task" when no team at all can be formed).
    """

    code = "team-rules-unmet"


def check_teams_feasible(
    plan: Plan,
    population: Population,
    enterprises: Sequence[Row],
    inspectors: Sequence[Row],
    experts: Sequence[Row],
    recusals: Sequence[Row],
) -> None:
    """Refuse (TeamRulesUnmet) a plan whose team rules some possible outcome cannot meet."""
    rules = plan.team
    pool = _prepare(inspectors, experts, recusals, rules, plan.window_end)
    drawn = sum(q.quota for q in allocate(plan, population))
    _whole_pool(plan, rules, pool, drawn)
    by_id = {row_id(r, "uscc", "企业名录", i): r for i, r in enumerate(enterprises)}
    districts: set[str] = set()
    for uscc in population.ids:
        written = row_text(by_id[uscc], "district") if uscc in by_id else ""
        districts.add(match_key(written))
        _one_target(plan, rules, pool, uscc, written)
    if rules.per == TASK_TEAM and rules.group_officer:
        worst = min(drawn, len(districts))
        if worst > rules.officers:
            _unmet(
                plan,
                TASK_TEAM,
                "group_officer",
                f"全任务一组可能涉及 {worst} 个执法片区，每个片区须有一名对应检查组执法人员，"
                f"但每组只抽 {rules.officers} 名执法人员",
            )


def _counts(rules: TeamRules) -> dict[str, int]:
    """How many people of each role one team needs."""
    return {
        LEADER: 1 if rules.leader else 0,
        OFFICER: rules.officers,
        ACCOMPANY: rules.accompany,
        EXPERT: rules.expert_count,
    }


def _whole_pool(plan: Plan, rules: TeamRules, pool: _Pool, drawn: int) -> None:
    """Rules no team can keep whoever is drawn: too few people, or loads too small in total."""
    for role, need in _counts(rules).items():
        have = len(pool.eligible[role])
        if have < need:
            who = _PEOPLE[role]
            if role == EXPERT and rules.expert_specialties:
                who = f"具备专业领域（{'、'.join(rules.expert_specialties)}）之一的专家"
            _unmet(
                plan,
                TASK_TEAM,
                RULE_OF_ROLE[role],
                f"可抽取的{who}只有 {have} 名，每组需要 {need} 名",
            )
        limit = rules.limit_for(role)
        if not need or limit is None:
            continue
        # a per-target team costs each member one load; a task-wide team costs `drawn`
        teams, cost = (1, drawn) if rules.per == TASK_TEAM else (drawn, 1)
        if limit < cost or need * teams * cost > have * limit:
            _unmet(
                plan,
                TASK_TEAM,
                "load_limit",
                f"{RULE_NAMES[RULE_OF_ROLE[role]]}：{drawn} 家企业需要 {need * teams * cost} 人次，"
                f"{have} 人在负荷上限 {limit} 内最多承担 {have * limit} 人次",
            )


def _one_target(plan: Plan, rules: TeamRules, pool: _Pool, uscc: str, written: str) -> None:
    """Could a team be formed for `uscc` alone (recusals and its district considered)?"""
    spec = _spec(uscc, [(uscc, match_key(written), written)])
    free = {
        role: [p for p in ids if uscc not in pool.recused.get(p, frozenset())]
        for role, ids in pool.eligible.items()
    }
    prefix = "若抽中该企业，"
    for role, need in _counts(rules).items():
        if len(free[role]) < need:
            failure = (
                _officer_failure(spec, (), pool, prefix)
                if role == OFFICER
                else _role_failure(spec, role, rules, prefix)
            )
            _unmet(plan, uscc, failure.rule, str(failure))
    if rules.group_officer:
        d = match_key(written)
        if not d or not any(pool.district[p] == d for p in free[OFFICER]):
            failure = _officer_failure(spec, (d,), pool, prefix)
            _unmet(plan, uscc, "group_officer", str(failure))


def _unmet(plan: Plan, team: str, rule: str, detail: str) -> None:
    name = RULE_NAMES.get(rule, rule)
    detail = detail.split("。请核对")[0].rstrip("。")  # the draw's advice, replaced by ours
    raise TeamRulesUnmet(
        team,
        rule,
        f"任务 {plan.task_id} 的检查组规则“{name}”无法满足：{detail}。"
        f"这样的方案会使抽取失败，不能承诺。{_FIX}",
    )
