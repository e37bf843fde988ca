"""Quotas, strata and the target draw (`suiji/targets/v1`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from suiji.draw.plan import Count, Plan, Ratio, Strata
from suiji.draw.population import DrawObjectError, Population, _keys, _list, _str
from suiji.draw.sampler import select_lowest, ticket
from suiji.shared.canonical import is_hex64
from suiji.shared.errors import Refusal, UsageError

TARGETS_SCHEMA = "suiji/targets/v1"


class QuotaError(Refusal):
    """The plan asks for more enterprises than its population (or a stratum) holds."""

    code = "quota-too-large"


# ---------------------------------------------------------------- quotas


@dataclass(frozen=True)
class Quota:
    """How many to draw from one stratum (None: the whole population) and how many it has."""

    stratum: str | None
    quota: int
    available: int


def _stratum_bytes(stratum: str | None) -> bytes:
    return (stratum or "").encode("utf-8")


def largest_remainder(total: int, sizes: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Share `total` in proportion to `sizes` (Hamilton's method), exactly in integers.

    Each stratum gets floor(total·n/N); the rest go one each to the largest remainders
    total·n mod N; equal remainders go to the stratum whose name comes first in UTF-8 byte
    order — fixed before the seed and blind to it, so nobody can steer a tie.
    """
    whole = sum(n for _, n in sizes)
    if whole == 0 or not 0 <= total <= whole:
        raise ValueError("total must be between 0 and the population size")
    shares = [total * n // whole for _, n in sizes]
    ranked = sorted(
        range(len(sizes)),
        key=lambda i: (-(total * sizes[i][1] % whole), sizes[i][0].encode("utf-8")),
    )
    for i in ranked[: total - sum(shares)]:
        shares[i] += 1
    return [(name, share) for (name, _), share in zip(sizes, shares, strict=True)]


def allocate(plan: Plan, population: Population) -> tuple[Quota, ...]:
    """Quotas per stratum, in stratum byte order. Raises QuotaError if a quota cannot be met."""
    _check_pair(plan, population)
    groups = {k: len(v) for k, v in population.groups().items()}
    n = len(population.members)
    size = plan.size
    if n == 0 and not (isinstance(size, Strata) and size.quotas is not None):
        raise QuotaError(f"任务 {plan.task_id}: 没有符合条件的可抽查对象（请检查筛选条件和名录）")
    if isinstance(size, Count | Ratio):
        want = size.n if isinstance(size, Count) else size.count(n)
        quotas: tuple[Quota, ...] = (Quota(None, want, n),)
    elif size.quotas is not None:
        quotas = tuple(Quota(s, q, groups.get(s, 0)) for s, q in size.quotas)
    else:
        assert size.total is not None
        if size.total > n:
            raise QuotaError(
                f"任务 {plan.task_id}: 抽取总数 {size.total} 超过可抽查对象数 {n}（请减少 total）"
            )
        present = sorted(
            ((s or "", c) for s, c in groups.items()), key=lambda kv: kv[0].encode("utf-8")
        )
        quotas = tuple(Quota(s, q, groups[s]) for s, q in largest_remainder(size.total, present))
    _raise_if_short(plan, quotas)
    return quotas


def _raise_if_short(plan: Plan, quotas: Sequence[Quota]) -> None:
    short = [q for q in quotas if q.quota > q.available]
    if not short:
        return
    parts = [
        f"{'全部' if q.stratum is None else '分层“' + q.stratum + '”'}需抽取 {q.quota} 家，"
        f"但可抽查对象只有 {q.available} 家"
        for q in short
    ]
    raise QuotaError(f"任务 {plan.task_id}: {'；'.join(parts)}（请减少数量或放宽筛选条件）")


def _check_pair(plan: Plan, population: Population) -> None:
    if population.task_id != plan.task_id or population.by != plan.strata_by:
        raise UsageError(
            f"抽查对象范围（任务 {population.task_id}，分层 {population.by}）"
            f"与计划（任务 {plan.task_id}，分层 {plan.strata_by}）不符"
        )


def check_targets_feasible(plan: Plan, population: Population) -> None:
    """Refuse at commit time a plan whose quotas the population cannot meet."""
    allocate(plan, population)


# ---------------------------------------------------------------- target draw


@dataclass(frozen=True)
class Pick:
    """A drawn (or alternate) enterprise with the ticket that put it there."""

    id: str
    ticket: str
    stratum: str | None


@dataclass(frozen=True)
class TargetDraw:
    """The result of a target draw. `selected` and `alternates` are in ticket order.

    Alternates are published for transparency only: a drawn enterprise is never replaced;
    one found closed is recorded with its result category (e.g. 7 已关闭停业).
    """

    task_id: str
    seed: str
    quotas: tuple[Quota, ...]
    selected: tuple[Pick, ...]
    alternates: tuple[Pick, ...]
    alternates_per_stratum: int

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.selected]


def _by_ticket(picks: Iterable[Pick]) -> tuple[Pick, ...]:
    return tuple(sorted(picks, key=lambda p: (p.ticket, p.id)))


def draw_targets(
    plan: Plan, population: Population, seed: str, *, alternates: int = 5
) -> TargetDraw:
    """The k lowest tickets (per stratum, to its quota), plus `alternates` more per stratum."""
    if not is_hex64(seed):
        raise UsageError(f"种子必须是 64 位小写十六进制：{seed!r}")
    if isinstance(alternates, bool) or not isinstance(alternates, int) or alternates < 0:
        raise UsageError(f"备选数量必须是非负整数：{alternates!r}")
    quotas = allocate(plan, population)
    groups = population.groups()
    selected: list[Pick] = []
    spare: list[Pick] = []
    for q in quotas:
        picked = select_lowest(groups.get(q.stratum, []), seed, q.quota + alternates)
        picks = [Pick(i, ticket(seed, i), q.stratum) for i in picked]
        selected += picks[: q.quota]
        spare += picks[q.quota :]
    return TargetDraw(
        plan.task_id, seed, quotas, _by_ticket(selected), _by_ticket(spare), alternates
    )


def target_draw_to_json(draw: TargetDraw) -> dict[str, Any]:
    """The committed draw result (canonical-JSON-ready)."""

    def picks(items: Sequence[Pick]) -> list[dict[str, Any]]:
        return [{"id": p.id, "ticket": p.ticket, "stratum": p.stratum} for p in items]

    return {
        "schema": TARGETS_SCHEMA,
        "task_id": draw.task_id,
        "seed": draw.seed,
        "quotas": [
            {"stratum": q.stratum, "quota": q.quota, "available": q.available} for q in draw.quotas
        ],
        "selected": picks(draw.selected),
        "alternates": picks(draw.alternates),
        "alternates_per_stratum": draw.alternates_per_stratum,
    }


def target_draw_from_json(d: Mapping[str, Any]) -> TargetDraw:
    """Read a committed draw result; the verifier then compares it with its own re-draw."""
    keys = {
        "schema",
        "task_id",
        "seed",
        "quotas",
        "selected",
        "alternates",
        "alternates_per_stratum",
    }
    _keys(d, keys, "targets")
    if d["schema"] != TARGETS_SCHEMA:
        raise DrawObjectError(f"targets: schema 必须是 {TARGETS_SCHEMA}")
    per = d["alternates_per_stratum"]
    if isinstance(per, bool) or not isinstance(per, int):
        raise DrawObjectError("targets.alternates_per_stratum: 必须是整数")
    draw = TargetDraw(
        task_id=_str(d["task_id"], "targets.task_id"),
        seed=_str(d["seed"], "targets.seed"),
        quotas=tuple(_quota(q) for q in _list(d["quotas"], "targets.quotas")),
        selected=tuple(_pick(p) for p in _list(d["selected"], "targets.selected")),
        alternates=tuple(_pick(p) for p in _list(d["alternates"], "targets.alternates")),
        alternates_per_stratum=per,
    )
    if target_draw_to_json(draw) != dict(d):
        raise DrawObjectError("targets: 不是规范形式")
    return draw


def _opt_str(value: object, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _quota(raw: object) -> Quota:
    q = _keys(raw, {"stratum", "quota", "available"}, "targets.quotas[]")
    counts = (q["quota"], q["available"])
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        raise DrawObjectError("targets.quotas[]: quota 和 available 必须是整数")
    return Quota(_opt_str(q["stratum"], "targets.quotas[].stratum"), q["quota"], q["available"])


def _pick(raw: object) -> Pick:
    p = _keys(raw, {"id", "ticket", "stratum"}, "targets.picks[]")
    return Pick(
        _str(p["id"], "pick.id"),
        _str(p["ticket"], "pick.ticket"),
        _opt_str(p["stratum"], "pick.stratum"),
    )
