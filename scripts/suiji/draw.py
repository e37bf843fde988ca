"""The target and item draw: population, seed, Rivest tickets, strata, alternates, items.

Every function here is pure: the same committed inputs give the same draw on any machine,
so anyone can re-run a draw from the ledger. The order of a draw is exactly Rivest's
consistent sampler (PyPI `consistent-sampler` 1.0.10, sampling without replacement): each
id gets a ticket from the seed and its own id alone, and ids are drawn by increasing
ticket. Consequences a bureau cannot escape: the order of the registry rows is irrelevant,
and adding or removing an enterprise that was not drawn changes nobody else's fate.
The byte-exact contract is docs/SPEC.md part 4.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from suiji.encoding import canonical_json, clean_text, id_key, is_hex64, match_key, tagged_hex
from suiji.errors import InputError, UsageError
from suiji.plan import (
    CATEGORY_KEYS,
    FLAG_KEYS,
    TASK_ID_RE,
    Count,
    Plan,
    Ratio,
    Strata,
)

PROTOCOL = "suiji/v1"
SEED_TAG = "suiji/seed/v1"
ITEMS_TAG = "suiji/items/v1"
POPULATION_SCHEMA = "suiji/population/v1"
TARGETS_SCHEMA = "suiji/targets/v1"
ACTIVE_ENTERPRISE = "在册"
ACTIVE_ITEM = "有效"
MAX_ROUND = 2**53 - 1

Row = Mapping[str, Any]


class QuotaError(UsageError):
    """The plan asks for more enterprises than its population (or a stratum) holds."""


class ItemsError(UsageError):
    """Too few active checklist items apply to an industry for `items_per_target`."""


class DrawObjectError(InputError):
    """A committed population or draw object that is not in the documented shape."""


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


def _row_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def is_active(row: Row, as_of: date, *, status: str = ACTIVE_ENTERPRISE) -> bool:
    """Active on `as_of`: status says active and no retirement date on or before it."""
    if row.get("status") != status:
        return False
    retired = _row_date(row.get("retired_on"))
    return retired is None or retired > as_of


def _official(key: str, value: object) -> str:
    """A category cell on its official spelling, so `（）` and `()` land in one stratum."""
    text = clean_text(str(value))
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
        if not is_active(row, as_of) or not matches(row):
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


# ---------------------------------------------------------------- seed


def seed_input(
    *,
    task_id: str,
    commitment: str,
    chain_hash: str | None,
    round: int | None,
    randomness: str | None,
    extra: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The object whose tagged hash is the seed; published so anyone can recompute it.

    A ledger whose genesis accepts no beacon chain draws from its extra inputs alone
    (typed in by a clerk from an official publication): then chain_hash, round and
    randomness are all None, the object has no such members, and `extra` must not be empty.
    """
    if not TASK_ID_RE.match(task_id):
        raise UsageError(f"任务编号无效：{task_id!r}")
    beacon_given = [v is not None for v in (chain_hash, round, randomness)]
    if any(beacon_given) and not all(beacon_given):
        raise UsageError("信标的链哈希、轮次和随机值必须同时给出或同时省略")
    for name, value in (
        ("commitment", commitment),
        ("chain_hash", chain_hash),
        ("randomness", randomness),
    ):
        if value is not None and not is_hex64(value):
            raise UsageError(f"{name} 必须是 64 位小写十六进制：{value!r}")
    if round is not None and (
        isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= MAX_ROUND
    ):
        raise UsageError(f"drand 轮次必须是正整数：{round!r}")
    for name, value in extra:
        if not name or clean_text(name) != name or not value or clean_text(value) != value:
            raise UsageError(f"附加随机输入必须是去掉首尾空白的非空文字：{name!r} = {value!r}")
    obj: dict[str, Any] = {
        "protocol": PROTOCOL,
        "task_id": task_id,
        "commitment": commitment,
        "extra": [{"name": name, "value": value} for name, value in extra],
    }
    if all(beacon_given):
        obj.update(chain_hash=chain_hash, round=round, randomness=randomness)
    elif not extra:
        raise UsageError("没有随机信标时，方案必须声明至少一个附加随机输入（[seed] extra）")
    return obj


def derive_seed(
    *,
    task_id: str,
    commitment: str,
    chain_hash: str | None,
    round: int | None,
    randomness: str | None,
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """seed = H("suiji/seed/v1", canonical_json(seed_input)): 64 lower-case hex digits.

    Canonical JSON, not concatenation, so no two different inputs can share a seed.
    """
    obj = seed_input(
        task_id=task_id,
        commitment=commitment,
        chain_hash=chain_hash,
        round=round,
        randomness=randomness,
        extra=extra,
    )
    return tagged_hex(SEED_TAG, canonical_json(obj))


def extra_inputs(plan: Plan, values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The plan's extra inputs with the values read at draw time, in plan order.

    Every declared input needs a value and nothing undeclared may slip in: an input chosen
    after the fact would let someone pick among seeds.
    """
    names = [e.name for e in plan.seed_extra]
    missing = [n for n in names if not clean_text(values.get(n, ""))]
    unknown = sorted(set(values) - set(names))
    if missing or unknown:
        raise UsageError(
            f"附加随机输入与计划不符：缺少 {'、'.join(missing) or '无'}，"
            f"多出 {'、'.join(unknown) or '无'}"
            "（只能填写计划 [seed] extra 中声明的输入）"
        )
    return tuple((n, clean_text(values[n])) for n in names)


# ---------------------------------------------------------------- tickets

LOW_DIGITS = 9
"""Low-order digits kept per id in the fast path: 10^9 < 2^30 is one CPython digit, so
`N % 10**9` takes the fast single-digit division (10^18 costs twice as much)."""
_LOW_MOD = 10**LOW_DIGITS


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _seed_state(seed: str) -> Any:
    """SHA-256 state after absorbing sha256_hex(seed): 64 ASCII bytes, one whole block."""
    return hashlib.sha256(_sha256_hex(seed).encode("ascii"))


def _ticket_text(n: int) -> str:
    return "0." + f"{n:064d}"[::-1]


def ticket(seed: str, id: str) -> str:
    """Rivest's first ticket: sha256_hex(sha256_hex(seed) + id) as an integer N, written in
    decimal zero-padded to at least 64 digits, reversed, prefixed "0.". Compare as strings.

    The reversal puts the unbiased low-order digits first. `seed` is any text (the
    doctest's '01382438112797316654' included); a suiji draw passes its 64-hex seed.
    """
    return _ticket_text(int(_sha256_hex(_sha256_hex(seed) + id), 16))


def _ticket_from_state(state: Any, id: str) -> str:
    h = state.copy()
    h.update(id.encode("utf-8"))
    return _ticket_text(int.from_bytes(h.digest(), "big"))


def ticket_int_key(t: str) -> int:
    """An integer that orders tickets exactly as their strings do.

    The digits after "0." are right-padded with zeros to 78 (2^256 has 78 digits). A
    longer ticket ends in N's leading digit, which is non-zero, so padding never makes two
    different tickets equal, and a proper prefix still sorts first.
    """
    return int(t[2:].ljust(78, "0"))


def ticket_prefix_key(n: int, digits: int = LOW_DIGITS) -> int:
    """The first `digits` ticket digits as an integer: N's low-order digits, reversed.

    Every ticket has at least 64 digits, so prefix_key(a) < prefix_key(b) implies
    ticket(a) < ticket(b); equal prefix keys need the full tickets.
    """
    return int(f"{n % 10**digits:0{digits}d}"[::-1])


def _distinct(ids: Iterable[str]) -> list[str]:
    """The ids as a list; ValueError on a duplicate, as the sampler refuses them too.

    A strictly increasing list (every Population's ids) is distinct without hashing all.
    """
    pool = list(ids)
    if all(map(operator.lt, pool, itertools.islice(pool, 1, None))):
        return pool
    if len(set(pool)) != len(pool):
        counts = Counter(pool)
        dupes = sorted(x for x, c in counts.items() if c > 1)
        raise ValueError(f"duplicate ids: {dupes[:5]}")
    return pool


def order(ids: Iterable[str], seed: str) -> list[str]:
    """All ids by increasing (ticket, id): sampler(ids, seed=seed, output='id') in full."""
    pool = _distinct(ids)
    state = _seed_state(seed)
    return sorted(pool, key=lambda x: (_ticket_from_state(state, x), x))


def _low_digits(pool: Sequence[str], state: Any) -> list[int]:
    """N mod 10^9 for every id: the one pass that must touch every id, kept minimal."""
    copy, from_bytes, mod = state.copy, int.from_bytes, _LOW_MOD
    return [from_bytes((h := copy()).update(x.encode()) or h.digest(), "big") % mod for x in pool]


def _zero_run(lows: Sequence[int], k: int) -> Sequence[int]:
    """Indexes of the ids whose first j ticket digits are all 0, for the largest j that
    still leaves at least k of them (j = 0: every index).

    A ticket starting with j zeros is below every ticket that does not, so the k lowest
    tickets are all in this set; it holds about 10·k ids instead of n.
    """
    level = [i for i, r in enumerate(lows) if not r % 10]
    if len(level) < k:
        return range(len(lows))
    modulus = 100
    while modulus <= _LOW_MOD:
        deeper = [i for i in level if not lows[i] % modulus]
        if len(deeper) < k:
            break
        level, modulus = deeper, modulus * 10
    return level


def select_lowest(ids: Iterable[str], seed: str, k: int) -> list[str]:
    """The k ids with the lowest tickets, in ticket order: equal to the first k of
    sampler(ids, seed=seed, output='id'), at about the cost of hashing every id once.

    One pass hashes each id from a copied seed state and keeps N mod 10^9; a zero-run
    filter and the 9-digit prefix key (heapq.nsmallest) narrow the field; the few
    finalists (everything tied with the k-th prefix included) are sorted by full ticket.
    """
    pool = _distinct(ids)
    if k <= 0 or not pool:
        return []
    if k >= len(pool):
        return order(pool, seed)
    state = _seed_state(seed)
    lows = _low_digits(pool, state)
    keyed = [(ticket_prefix_key(lows[i]), i) for i in _zero_run(lows, k)]
    cutoff = heapq.nsmallest(k, keyed)[-1][0]
    finalists = [pool[i] for key, i in keyed if key <= cutoff]
    finalists.sort(key=lambda x: (_ticket_from_state(state, x), x))
    return finalists[:k]


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
        if is_active(row, as_of, status=ACTIVE_ITEM) and want in {
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
) -> list[str]:
    """The n applicable items with the lowest tickets under item_seed(seed, target_id)."""
    pool = applicable_items(target_industry, checklist, as_of=as_of)
    if len(pool) < n:
        raise ItemsError(
            f"行业“{target_industry}”只有 {len(pool)} 项有效检查事项，少于每家应抽的 {n} 项"
            "（请补充检查事项清单或减少 items_per_target）"
        )
    return select_lowest(pool, item_seed(seed, target_id), n)


def draw_items_for_targets(
    plan: Plan, population: Population, draw: TargetDraw, checklist: Sequence[Row]
) -> dict[str, list[str]]:
    """Items for every selected target, in draw order, as of the population's date."""
    industry = {m.id: m.industry for m in population.members}
    return {
        p.id: draw_items(
            draw.seed,
            p.id,
            industry[p.id],
            checklist,
            plan.items_per_target,
            as_of=population.as_of,
        )
        for p in draw.selected
    }


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
