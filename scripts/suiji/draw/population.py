"""The eligible population a commitment fixes (`suiji/population/v1`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from suiji.draw.eligibility import enterprise_active
from suiji.draw.plan import CATEGORY_KEYS, FLAG_KEYS, Plan, Strata
from suiji.draw.rows import Row
from suiji.shared.errors import InputError
from suiji.shared.text import clean_text, id_key, match_key

POPULATION_SCHEMA = "suiji/population/v1"


class DrawObjectError(InputError):
    """A committed population or draw object that is not in the documented shape."""

    code = "draw-object-invalid"


# ---------------------------------------------------------------- eligible population


@dataclass(frozen=True)
class Member:
    """One eligible enterprise: its id, its industry (items depend on it) and its stratum."""

    id: str
    industry: str
    stratum: str | None


@dataclass(frozen=True)
class Population:
    """Who could be drawn, fixed before the seed exists. `members` is sorted by id."""

    task_id: str
    as_of: date
    by: str | None
    members: tuple[Member, ...]
    excluded: tuple[tuple[str, str], ...] = ()  # (id, public reason), sorted by id

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.members]

    def groups(self) -> dict[str | None, list[str]]:
        """Ids per stratum (one group keyed None when the plan is not stratified)."""
        out: dict[str | None, list[str]] = {}
        for m in self.members:
            out.setdefault(m.stratum, []).append(m.id)
        return out


def _official(key: str, value: object) -> str:
    """A category cell on its official spelling, so `（）` and `()` land in one stratum."""
    return _official_text(key, str(value))


@functools.lru_cache(maxsize=1 << 12)
def _official_text(key: str, value: str) -> str:
    """`_official` of a string; pure, so cached (a few dozen distinct category values)."""
    text = clean_text(value)
    allowed = CATEGORY_KEYS.get(key)
    if allowed:
        for official in allowed:
            if match_key(official) == match_key(text):
                return official
    return text


def _filter_test(plan: Plan) -> Callable[[Row], bool]:
    """The plan's filters as one predicate over rows, with the allowed values folded once."""
    tests: list[tuple[str, set[Any]]] = []
    for key, allowed in plan.filters:
        if key in FLAG_KEYS:
            tests.append((key, set(allowed)))
        else:
            tests.append((key, {match_key(str(v)) for v in allowed}))

    def matches(row: Row) -> bool:
        for key, allowed in tests:
            if key in FLAG_KEYS:
                value: Any = bool(row.get(key) or False)
            else:
                value = match_key(_official(key, row.get(key, "")))
            if value not in allowed:
                return False
        return True

    return matches


def eligible(
    plan: Plan,
    enterprises: Sequence[Row],
    *,
    as_of: date,
    exclude: Mapping[str, str] | None = None,
) -> Population:
    """Active rows matching the plan's filters, minus `exclude` (id → public reason).

    With fixed quotas, only the listed strata are eligible. Ids are compared and stored as
    `id_key`; the result is sorted, so the order of the registry rows cannot matter.
    """
    barred = {id_key(k): clean_text(v) for k, v in (exclude or {}).items()}
    by = plan.strata_by
    listed = _listed_strata(plan)
    matches = _filter_test(plan)
    seen: set[str] = set()
    members: dict[str, Member] = {}
    excluded: dict[str, str] = {}
    for row in enterprises:
        uid = id_key(str(row["uscc"]))
        if uid in seen:
            raise InputError(f"名录中统一社会信用代码重复：{uid}（请先运行 suiji check 修正名录）")
        seen.add(uid)
        if not enterprise_active(row, as_of) or not matches(row):
            continue
        stratum = _official(by, row.get(by, "")) if by else None
        if listed is not None and stratum not in listed:
            continue
        if uid in barred:
            excluded[uid] = barred[uid]
            continue
        members[uid] = Member(uid, _official("industry", row.get("industry", "")), stratum)
    return Population(
        task_id=plan.task_id,
        as_of=as_of,
        by=by,
        members=tuple(members[k] for k in sorted(members)),
        excluded=tuple(sorted(excluded.items())),
    )


def _listed_strata(plan: Plan) -> set[str] | None:
    if isinstance(plan.size, Strata) and plan.size.quotas is not None:
        return {s for s, _ in plan.size.quotas}
    return None


def population_to_json(pop: Population) -> dict[str, Any]:
    """The committed population object (canonical-JSON-ready)."""
    return {
        "schema": POPULATION_SCHEMA,
        "task_id": pop.task_id,
        "as_of": pop.as_of.isoformat(),
        "by": pop.by,
        "members": [
            {"id": m.id, "industry": m.industry, "stratum": m.stratum} for m in pop.members
        ],
        "excluded": [{"id": i, "reason": r} for i, r in pop.excluded],
    }


def population_from_json(d: Mapping[str, Any]) -> Population:
    """Rebuild a committed population; it must be exactly what population_to_json writes."""
    _keys(d, {"schema", "task_id", "as_of", "by", "members", "excluded"}, "population")
    if d["schema"] != POPULATION_SCHEMA:
        raise DrawObjectError(f"population: schema 必须是 {POPULATION_SCHEMA}")
    if d["by"] is not None and d["by"] not in CATEGORY_KEYS:
        raise DrawObjectError(f"population: by 不可用：{d['by']!r}")
    try:
        pop = Population(
            task_id=_str(d["task_id"], "population.task_id"),
            as_of=date.fromisoformat(_str(d["as_of"], "population.as_of")),
            by=d["by"],
            members=tuple(_member(m) for m in _list(d["members"], "population.members")),
            excluded=tuple(_excluded(e) for e in _list(d["excluded"], "population.excluded")),
        )
    except ValueError as exc:
        raise DrawObjectError(f"population: 日期无效（{exc}）") from None
    ids = [m.id for m in pop.members]
    if ids != sorted(set(ids)) or (pop.by is None) != all(m.stratum is None for m in pop.members):
        raise DrawObjectError("population: members 必须按 id 排序且不重复，stratum 与 by 一致")
    if population_to_json(pop) != dict(d):
        raise DrawObjectError("population: 不是规范形式")
    return pop


def _member(raw: object) -> Member:
    m = _keys(raw, {"id", "industry", "stratum"}, "population.members[]")
    stratum = m["stratum"]
    if stratum is not None:
        stratum = _str(stratum, "population.members[].stratum")
    return Member(
        _str(m["id"], "population.members[].id"), _str(m["industry"], "industry"), stratum
    )


def _excluded(raw: object) -> tuple[str, str]:
    e = _keys(raw, {"id", "reason"}, "population.excluded[]")
    return _str(e["id"], "excluded.id"), _str(e["reason"], "excluded.reason")


def _keys(raw: object, keys: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict) or set(raw) != keys:
        raise DrawObjectError(f"{where}: 必须是恰有这些键的对象：{', '.join(sorted(keys))}")
    return raw


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise DrawObjectError(f"{where}: 必须是字符串")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DrawObjectError(f"{where}: 必须是数组")
    return value


"""Low-order digits kept per id in the fast path: 10^9 < 2^30 is one CPython digit, so
`N % 10**9` takes the fast single-digit division (10^18 costs twice as much)."""
