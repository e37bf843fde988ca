"""Inspection items per target from the published checklist (`suiji/items/v1`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from suiji.draw.eligibility import item_in_force
from suiji.draw.plan import Plan
from suiji.draw.population import Population, _official
from suiji.draw.rows import Row
from suiji.draw.sampler import select_lowest
from suiji.draw.targets import TargetDraw
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.shared.errors import InputError, Refusal
from suiji.shared.text import clean_text, id_key, match_key

ITEMS_TAG = "suiji/items/v1"


class ItemsError(Refusal):
    """Too few active checklist items apply to an industry for `items_per_target`."""

    code = "items-too-few"


# ---------------------------------------------------------------- items


def _industries(value: object) -> list[str]:
    """A checklist row's 适用行业: a list, or the multi-value cell as text."""
    if isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        text = str(value or "")
        for sep in ";；,，":
            text = text.replace(sep, "、")
        parts = text.split("、")
    return [_official("industry", p) for p in parts if clean_text(p)]


def applicable_items(industry: str, checklist: Sequence[Row], *, as_of: date) -> list[str]:
    """Ids of active checklist items that apply to `industry`, sorted (row order is irrelevant)."""
    want = match_key(_official("industry", industry))
    out: set[str] = set()
    for row in checklist:
        item = id_key(str(row["item_id"]))
        if item in out:
            raise InputError(f"检查事项清单中事项编号重复：{item}（请先运行 suiji check 修正清单）")
        if item_in_force(row, as_of) and want in {
            match_key(i) for i in _industries(row.get("industries"))
        }:
            out.add(item)
    return sorted(out)


def item_seed(seed: str, target_id: str) -> str:
    """Each target's items get their own seed, so one target's items say nothing of another's."""
    return tagged_hex(ITEMS_TAG, canonical_json({"seed": seed, "target": target_id}))


def draw_items(
    seed: str,
    target_id: str,
    target_industry: str,
    checklist: Sequence[Row],
    n: int,
    *,
    as_of: date,
    pool: Sequence[str] | None = None,
) -> list[str]:
    """The n applicable items with the lowest tickets under item_seed(seed, target_id).

    `pool`, when given, is `applicable_items(target_industry, checklist, as_of=as_of)`
    computed once for every target of that industry.
    """
    if pool is None:
        pool = applicable_items(target_industry, checklist, as_of=as_of)
    if len(pool) < n:
        raise ItemsError(
            f"行业“{target_industry}”只有 {len(pool)} 项有效检查事项，少于每家应抽的 {n} 项"
            "（请补充检查事项清单或减少 items_per_target）"
        )
    return select_lowest(list(pool), item_seed(seed, target_id), n)


def draw_items_for_targets(
    plan: Plan, population: Population, draw: TargetDraw, checklist: Sequence[Row]
) -> dict[str, list[str]]:
    """Items for every selected target, in draw order, as of the population's date.

    The applicable items depend only on the industry: they are computed once per industry
    (in the order the targets first need them, so a checklist error is raised for the same
    target as before), not once per target — at province scale that was most of a draw.
    """
    industry = {m.id: m.industry for m in population.members}
    pools: dict[str, list[str]] = {}
    out: dict[str, list[str]] = {}
    for p in draw.selected:
        kind = industry[p.id]
        pool = pools.get(kind)
        if pool is None:
            pool = pools[kind] = applicable_items(kind, checklist, as_of=population.as_of)
        out[p.id] = draw_items(
            draw.seed,
            p.id,
            kind,
            checklist,
            plan.items_per_target,
            as_of=population.as_of,
            pool=pool,
        )
    return out


def check_items_feasible(
    plan: Plan, population: Population, checklist: Sequence[Row], *, as_of: date | None = None
) -> None:
    """Refuse at commit time a plan some eligible enterprise could not get its items for."""
    day = as_of or population.as_of
    short = []
    for industry in sorted(
        {m.industry for m in population.members}, key=lambda s: s.encode("utf-8")
    ):
        have = len(applicable_items(industry, checklist, as_of=day))
        if have < plan.items_per_target:
            short.append(f"“{industry}”只有 {have} 项")
    if short:
        raise ItemsError(
            f"任务 {plan.task_id}: 每家应抽 {plan.items_per_target} 项检查事项，"
            f"但 {'；'.join(short)}有效事项"
            "（请补充检查事项清单或减少 items_per_target）"
        )
