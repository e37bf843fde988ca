"""Plans as values: dataclasses, validation and the JSON form (`suiji/plan/v2`)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from suiji.draw.extras import (
    ExtraInput,
    ExtraSpecError,
    extra_from_json,
    extra_from_toml,
    extra_to_json,
)
from suiji.records.schema import AFFILIATIONS, INDUSTRIES, RISKS, SCALES
from suiji.shared.errors import InputError
from suiji.shared.text import clean_text, match_key

if TYPE_CHECKING:  # teams imports draw, draw imports plan: import teams lazily at run time.
    from suiji.draw.teamrules import TeamRules

PLAN_SCHEMA = "suiji/plan/v2"
TASK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
UNDIRECTED = "不定向"
DIRECTED = "定向"
KINDS = (UNDIRECTED, DIRECTED)

# The registry's vocabularies (docs/RECORDS.md) come from the schema module, which imports
# no pandas: a verifier re-running a draw needs neither pandas nor the readers.
CATEGORY_KEYS: dict[str, tuple[str, ...] | None] = {
    "industry": INDUSTRIES,
    "affiliation": AFFILIATIONS,
    "district": None,  # free text: each county names its own enforcement districts
    "scale": SCALES,
    "risk": RISKS,
}
"""Registry columns a plan may filter or stratify on, with their allowed values."""

FLAG_KEYS = (
    "key_unit",
    "complaints",
    "accidents",
    "penalties",
    "serious_violation",
    "blacklist",
    "major_hazard",
)
"""Yes/no registry columns a directed plan may filter on."""

FILTER_KEYS = (*CATEGORY_KEYS, *FLAG_KEYS)
STRATA_KEYS = tuple(CATEGORY_KEYS)

_TOP_KEYS = {
    "task_id",
    "name",
    "year",
    "unit",
    "kind",
    "count",
    "ratio",
    "items_per_target",
    "exclude_drawn_this_year",
    "note",
    "filters",
    "strata",
    "window",
    "team",
    "seed",
    "sealed",
}
_REQUIRED = ("task_id", "name", "year", "unit", "kind", "items_per_target", "window")


class PlanError(InputError):
    """A plan file (or a committed plan object) that cannot be used; lists every problem."""

    code = "plan-invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Count:
    """Draw exactly `n` enterprises."""

    n: int


@dataclass(frozen=True)
class Ratio:
    """Draw ceil(numerator/denominator × eligible): a ratio never rounds a population to 0.

    Kept as a reduced fraction so the count is exact; `text` is what the clerk wrote.
    """

    numerator: int
    denominator: int
    text: str

    def count(self, eligible: int) -> int:
        """⌈numerator·eligible / denominator⌉ in integers (no float ever touches a count)."""
        return -(-self.numerator * eligible // self.denominator)


@dataclass(frozen=True)
class Strata:
    """Stratified: `total` shared by largest remainder, or fixed `quotas` per stratum value."""

    by: str
    total: int | None = None
    quotas: tuple[tuple[str, int], ...] | None = None  # sorted by stratum (UTF-8 byte order)


Size: TypeAlias = Count | Ratio | Strata


@dataclass(frozen=True)
class Plan:
    """One task's plan. `filters` is sorted by key; each value tuple is sorted and unique."""

    task_id: str
    name: str
    year: int
    unit: str
    kind: str
    filters: tuple[tuple[str, tuple[str | bool, ...]], ...]
    size: Size
    items_per_target: int
    window_start: date
    window_end: date
    team: TeamRules
    seed_extra: tuple[ExtraInput, ...] = ()
    exclude_drawn_this_year: bool = False
    note: str | None = None
    sealed: str | None = None  # a sealed task's secret hash (docs/spec/18-sealed.md)

    @property
    def strata_by(self) -> str | None:
        return self.size.by if isinstance(self.size, Strata) else None


# ---------------------------------------------------------------- field checks
# Each check returns the clean value or raises _Bad(message, key_path); the TOML loader
# turns that into `file:line:`, the JSON reader into `$.path:`.


class _Bad(Exception):
    def __init__(self, message: str, path: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def _text(value: object, path: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or not clean_text(value):
        raise _Bad(f'{what}必须是非空文字（写成 "..."）', path)
    return clean_text(value)


def _int(value: object, path: tuple[str, ...], what: str, lo: int, hi: int) -> int:
    if isinstance(value, float):
        raise _Bad(f"{what}不能写小数，请写整数", path)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise _Bad(f"{what}必须是 {lo} 到 {hi} 之间的整数", path)
    return value


def _task_id(value: object, path: tuple[str, ...] = ("task_id",)) -> str:
    """Task ids name files and URLs, so they are plain ASCII (e.g. 2026-001)."""
    if not isinstance(value, str) or not TASK_ID_RE.match(value):
        raise _Bad(
            "任务编号只能用英文字母、数字和连字符，且不以连字符开头，"
            '最长 32 个字符（如 "2026-001"）',
            path,
        )
    return value


def _category(key: str, value: object, path: tuple[str, ...]) -> str:
    """A category value, folded onto the official spelling (half-width brackets accepted)."""
    text = _text(value, path, f"{key} 的取值")
    allowed = CATEGORY_KEYS[key]
    if allowed is None:
        return text
    for official in allowed:
        if match_key(official) == match_key(text):
            return official
    raise _Bad(f"{key} 的取值“{text}”不在允许范围内（可选：{'、'.join(allowed)}）", path)


def _filter_values(key: str, raw: object, path: tuple[str, ...]) -> tuple[str | bool, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise _Bad(f"筛选条件 {key} 不能为空列表（删去该行即不按此条件筛选）", path)
    if key in FLAG_KEYS:
        if not all(isinstance(v, bool) for v in items):
            raise _Bad(f"筛选条件 {key} 是“是/否”项，请写 {key} = [true] 或 [false]", path)
        return tuple(sorted(set(items)))
    values = {_category(key, v, path) for v in items}
    return tuple(sorted(values))


def _filters(kind: str, raw: object) -> tuple[tuple[str, tuple[str | bool, ...]], ...]:
    if raw is None:
        if kind == DIRECTED:
            raise _Bad(
                '定向抽查必须在 [filters] 中写明至少一个筛选条件（如 industry = ["烟花爆竹零售"]）',
                ("kind",),
            )
        return ()
    if kind != DIRECTED:
        raise _Bad('不定向抽查不能有 [filters]；要按条件筛选请写 kind = "定向"', ("filters",))
    if not isinstance(raw, dict) or not raw:
        raise _Bad("[filters] 至少要有一个筛选条件", ("filters",))
    out = []
    for key in sorted(raw):
        if key not in FILTER_KEYS:
            raise _Bad(f"未知的筛选条件 {key}（可用：{'、'.join(FILTER_KEYS)}）", ("filters", key))
        out.append((key, _filter_values(key, raw[key], ("filters", key))))
    return tuple(out)


_PERCENT_RE = re.compile(r"^([0-9]+)(?:\.([0-9]+))?%$")
_FRACTION_RE = re.compile(r"^([0-9]+)/([0-9]+)$")


def _ratio(raw: object, path: tuple[str, ...] = ("ratio",)) -> Ratio:
    """ "5%", "2.5%" or "1/20" → an exact reduced fraction in (0, 1]."""
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        raise _Bad(
            '比例请写成带引号的文字，如 ratio = "5%" 或 ratio = "1/20"（不用小数，保证精确）', path
        )
    if not isinstance(raw, str):
        raise _Bad('比例必须是文字，如 "5%" 或 "1/20"', path)
    text = clean_text(raw)
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _PERCENT_RE.match(folded):
        decimals = m.group(2) or ""
        num, den = int(m.group(1) + decimals), 100 * 10 ** len(decimals)
    elif m := _FRACTION_RE.match(folded):
        num, den = int(m.group(1)), int(m.group(2))
    else:
        raise _Bad(f'无法识别的比例“{text}”，请写成 "5%" 或 "1/20"', path)
    if den == 0 or num == 0 or num > den:
        raise _Bad(f"比例“{text}”必须大于 0 且不超过 100%", path)
    g = math.gcd(num, den)
    return Ratio(num // g, den // g, text)


def parse_ratio(text: str) -> Ratio:
    """A ratio as a clerk writes it ("5%", "2.5%", "1/20"); PlanError if it is not one."""
    try:
        return _ratio(text)
    except _Bad as bad:
        raise PlanError([bad.message]) from None


def _strata(raw: object) -> Strata:
    if not isinstance(raw, dict):
        raise _Bad("[strata] 必须是一个表", ("strata",))
    unknown = sorted(set(raw) - {"by", "total", "quotas"})
    if unknown:
        raise _Bad(
            f"[strata] 中有未知的键 {unknown[0]}（只能有 by、total 或 quotas）",
            ("strata", unknown[0]),
        )
    by = raw.get("by")
    if by not in STRATA_KEYS:
        raise _Bad(
            f"分层依据 by = {by!r} 不可用（可选：{'、'.join(STRATA_KEYS)}）", ("strata", "by")
        )
    assert isinstance(by, str)
    if ("total" in raw) == ("quotas" in raw):
        raise _Bad(
            "[strata] 中 total（按比例分配总数）和 quotas（各层指定数量）必须且只能写一个",
            ("strata",),
        )
    if "total" in raw:
        return Strata(by, total=_int(raw["total"], ("strata", "total"), "抽取总数 total", 1, 10**9))
    return Strata(by, quotas=_quotas(by, raw["quotas"]))


def _quotas(by: str, raw: object) -> tuple[tuple[str, int], ...]:
    path = ("strata", "quotas")
    if not isinstance(raw, dict) or not raw:
        raise _Bad('quotas 必须是非空的表，如 quotas = { "危险化学品生产" = 3 }', path)
    out: dict[str, int] = {}
    for key, value in raw.items():
        stratum = _category(by, key, path)
        if stratum in out:
            raise _Bad(f"quotas 中“{stratum}”重复出现", path)
        out[stratum] = _int(value, path, f"“{stratum}”的数量", 1, 10**9)
    return tuple(sorted(out.items(), key=lambda kv: kv[0].encode("utf-8")))


def _size(raw: Mapping[str, Any]) -> Size:
    given = [k for k in ("count", "ratio", "strata") if k in raw]
    if len(given) != 1:
        where = (given[1],) if len(given) > 1 else ()
        raise _Bad('抽取数量必须且只能用一种写法：count = N、ratio = "5%" 或 [strata] 分层', where)
    if given[0] == "count":
        return Count(_int(raw["count"], ("count",), "抽取数量 count", 1, 10**9))
    if given[0] == "ratio":
        return _ratio(raw["ratio"])
    return _strata(raw["strata"])


def _window(raw: object, year: int | None) -> tuple[date, date]:
    if not isinstance(raw, dict):
        raise _Bad("[window] 必须是一个表，含 start 和 end 两个日期", ("window",))
    unknown = sorted(set(raw) - {"start", "end"})
    if unknown:
        raise _Bad(
            f"[window] 中有未知的键 {unknown[0]}（只能有 start、end）", ("window", unknown[0])
        )
    days = []
    for key in ("start", "end"):
        value = raw.get(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise _Bad(
                f"[window] 的 {key} 必须是不带引号的日期，如 {key} = 2026-04-01", ("window", key)
            )
        days.append(value)
    start, end = days
    if end < start:
        raise _Bad(f"检查时段结束日 {end} 早于开始日 {start}，请交换或改正", ("window", "end"))
    if year is not None and start.year != year:
        raise _Bad(f"检查时段开始日 {start} 不在计划年度 {year} 内", ("window", "start"))
    return start, end


def _extra(raw: object) -> tuple[ExtraInput, ...]:
    try:
        return extra_from_toml(raw)
    except ExtraSpecError as exc:
        raise _Bad(exc.message, ("seed", exc.key) if exc.key else ("seed",)) from None


def _opt_text(value: object, path: tuple[str, ...], what: str) -> str | None:
    return None if value is None else _text(value, path, what)


def _bool(value: object, path: tuple[str, ...], what: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"{what}必须写 true 或 false", path)
    return value


def _kind(value: object) -> str:
    if value not in KINDS:
        raise _Bad(f'抽查类型 kind 只能是 "{UNDIRECTED}" 或 "{DIRECTED}"', ("kind",))
    assert isinstance(value, str)
    return value


# ---------------------------------------------------------------- JSON


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The committed form of a plan: canonical-JSON-ready, integers and strings only.

    `sealed` is present only in a sealed plan (docs/spec/18-sealed.md), so every plan
    object of an unsealed plan is unchanged by sealing's existence."""
    out: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "task_id": plan.task_id,
        "name": plan.name,
        "year": plan.year,
        "unit": plan.unit,
        "kind": plan.kind,
        "filters": {key: list(values) for key, values in plan.filters},
        "size": _size_to_json(plan.size),
        "items_per_target": plan.items_per_target,
        "window": {"start": plan.window_start.isoformat(), "end": plan.window_end.isoformat()},
        "team": _team_to_json(plan.team),
        "seed_extra": [extra_to_json(e) for e in plan.seed_extra],
        "exclude_drawn_this_year": plan.exclude_drawn_this_year,
        "note": plan.note,
    }
    if plan.sealed is not None:
        out["sealed"] = {"secret_hash": plan.sealed}
    return out


def sealed_hash(raw: object, path: tuple[str, ...] = ("sealed",)) -> str:
    """`[sealed]` / `sealed`: exactly `secret_hash`, 64 lower-case hex digits."""
    if not isinstance(raw, dict) or set(raw) != {"secret_hash"}:
        raise _Bad("[sealed] 只能有 secret_hash 一项（由 suiji seal 写入，请勿手改）", path)
    value = raw["secret_hash"]
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise _Bad("secret_hash 必须是 64 位小写十六进制数字（由 suiji seal 写入）", path)
    return value


def _size_to_json(size: Size) -> dict[str, Any]:
    if isinstance(size, Count):
        return {"mode": "count", "count": size.n}
    if isinstance(size, Ratio):
        return {
            "mode": "ratio",
            "numerator": size.numerator,
            "denominator": size.denominator,
            "text": size.text,
        }
    if size.total is not None:
        return {"mode": "total", "by": size.by, "total": size.total}
    assert size.quotas is not None
    return {
        "mode": "quotas",
        "by": size.by,
        "quotas": [{"stratum": s, "quota": q} for s, q in size.quotas],
    }


def _team_to_json(team: TeamRules) -> dict[str, Any]:
    from suiji.draw.teamrules import team_rules_to_json

    return team_rules_to_json(team)


def plan_from_json(d: Mapping[str, Any]) -> Plan:
    """Rebuild a committed plan exactly; anything off-schema is a PlanError naming its path."""
    try:
        return _plan_from_json(d)
    except _Bad as bad:
        raise PlanError([f"计划对象 $.{'.'.join(bad.path)}: {bad.message}"]) from None


_JSON_KEYS = {
    "schema",
    "task_id",
    "name",
    "year",
    "unit",
    "kind",
    "filters",
    "size",
    "items_per_target",
    "window",
    "team",
    "seed_extra",
    "exclude_drawn_this_year",
    "note",
}


def _exact_keys(d: object, keys: set[str], path: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(d, dict) or set(d) != keys:
        raise _Bad(f"必须是恰有这些键的对象：{', '.join(sorted(keys))}", path)
    return d


def _plan_from_json(raw: Mapping[str, Any]) -> Plan:
    keys = _JSON_KEYS | ({"sealed"} if isinstance(raw, dict) and "sealed" in raw else set())
    d = _exact_keys(raw, keys, ())
    if d["schema"] != PLAN_SCHEMA:
        raise _Bad(f"schema 必须是 {PLAN_SCHEMA}", ("schema",))
    kind = _kind(d["kind"])
    year = _int(d["year"], ("year",), "year ", 2000, 2099)
    filters = _filters(kind, d["filters"] if d["filters"] else None)
    window = _exact_keys(d["window"], {"start", "end"}, ("window",))
    start, end = (_iso_date(window[k], ("window", k)) for k in ("start", "end"))
    plan = Plan(
        task_id=_task_id(d["task_id"]),
        name=_text(d["name"], ("name",), "name "),
        year=year,
        unit=_text(d["unit"], ("unit",), "unit "),
        kind=kind,
        filters=filters,
        size=_size_from_json(d["size"]),
        items_per_target=_int(
            d["items_per_target"], ("items_per_target",), "items_per_target ", 1, 100
        ),
        window_start=start,
        window_end=end,
        team=_team_from_json(d["team"]),
        seed_extra=_extra_from_json(d["seed_extra"]),
        exclude_drawn_this_year=_bool(
            d["exclude_drawn_this_year"], ("exclude_drawn_this_year",), "exclude_drawn_this_year "
        ),
        note=_opt_text(d["note"], ("note",), "note "),
        sealed=sealed_hash(d["sealed"]) if "sealed" in d else None,
    )
    _window({"start": start, "end": end}, year)
    if plan_to_json(plan) != dict(d):
        raise _Bad("不是规范形式（取值未按规定排序、去重或书写）", ())
    return plan


def _iso_date(value: object, path: tuple[str, ...]) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _Bad("日期必须形如 2026-04-01", path)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"不存在的日期 {value}", path) from None


def _size_from_json(raw: object) -> Size:
    if not isinstance(raw, dict):
        raise _Bad("size 必须是对象", ("size",))
    mode = raw.get("mode")
    if mode == "count":
        d = _exact_keys(raw, {"mode", "count"}, ("size",))
        return Count(_int(d["count"], ("size", "count"), "count ", 1, 10**9))
    if mode == "ratio":
        d = _exact_keys(raw, {"mode", "numerator", "denominator", "text"}, ("size",))
        ratio = _ratio(d["text"], ("size", "text"))
        if (ratio.numerator, ratio.denominator) != (d["numerator"], d["denominator"]):
            raise _Bad("numerator/denominator 与 text 不一致", ("size",))
        return ratio
    if mode == "total":
        d = _exact_keys(raw, {"mode", "by", "total"}, ("size",))
        return _strata({"by": d["by"], "total": d["total"]})
    if mode == "quotas":
        d = _exact_keys(raw, {"mode", "by", "quotas"}, ("size",))
        rows = d["quotas"]
        if not isinstance(rows, list):
            raise _Bad("quotas 必须是列表", ("size", "quotas"))
        table: dict[str, Any] = {}
        for row in rows:
            r = _exact_keys(row, {"stratum", "quota"}, ("size", "quotas"))
            if not isinstance(r["stratum"], str) or r["stratum"] in table:
                raise _Bad("quotas 的 stratum 必须是不重复的文字", ("size", "quotas"))
            table[r["stratum"]] = r["quota"]
        return _strata({"by": d["by"], "quotas": table})
    raise _Bad("size.mode 必须是 count、ratio、total 或 quotas", ("size", "mode"))


def _team_from_json(raw: object) -> TeamRules:
    from suiji.draw.teamrules import team_rules_from_json

    try:
        return team_rules_from_json(raw, "team")
    except InputError as exc:
        raise _Bad(str(exc), ("team",)) from None


def _extra_from_json(raw: object) -> tuple[ExtraInput, ...]:
    try:
        return extra_from_json(raw)
    except ExtraSpecError as exc:
        raise _Bad(exc.message, ("seed_extra",)) from None
