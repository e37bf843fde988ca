"""Coverage rules of the seed document: who is due, who is over the yearly cap, the 30% ratio.

Pure functions over the history of draws (read from the ledger by `tasks`) and the current
registry rows. Eligibility exclusions computed here are committed with each task, and the
verifier recomputes them from the ledger, so a bureau cannot quietly shield an enterprise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from suiji.draw.eligibility import enterprise_active
from suiji.records.schema import MIN_RANDOM_PERCENT, TOTAL_UNIT

FLAG_COLUMNS = ("complaints", "accidents", "penalties", "serious_violation", "blacklist")
"""Flags that make an enterprise due every half year (seed document §1)."""

DEFAULT_YEARLY_CAP = 2
DEFAULT_MIN_RATIO = Fraction(MIN_RANDOM_PERCENT, 100)
"""The seed document's minimum 双随机 share (records.schema.MIN_RANDOM_PERCENT) as a ratio."""


@dataclass(frozen=True)
class DrawnTask:
    """One drawn task as the ledger records it: what coverage needs and nothing more."""

    task: str
    unit: str
    drawn_on: date  # civil date of the draw entry (Asia/Shanghai)
    targets: tuple[str, ...]
    random: bool = True  # False: the draw took every eligible enterprise (§12.1), no chance


def by_chance(history: Iterable[DrawnTask]) -> list[DrawnTask]:
    """The draws chance decided: only these count toward exclusions and the 30% ratio.

    A draw that takes every eligible enterprise (a 定向 filter narrowed to its quota) is a
    directed inspection, not a random one: counting it would let two such "draws" push a
    chosen enterprise to the yearly cap and shield it from every random task that year.
    """
    return [t for t in history if t.random]


def half_year(day: date) -> tuple[int, int]:
    """(year, 1 or 2): the half-year a date falls in."""
    return day.year, 1 if day.month <= 6 else 2


def draws_in_year(history: Iterable[DrawnTask], year: int) -> Counter[str]:
    """How many times each enterprise was drawn in the calendar year."""
    counts: Counter[str] = Counter()
    for task in history:
        if task.drawn_on.year == year:
            counts.update(task.targets)
    return counts


def exclusions(
    history: Sequence[DrawnTask],
    *,
    year: int,
    yearly_cap: int,
    exclude_drawn_this_year: bool,
) -> dict[str, str]:
    """Enterprises a new task of `year` may not draw, with the reason shown publicly.

    - Over the cap: drawn `yearly_cap` times already this year (the cap bounds the burden
      on any one enterprise).
    - Without replacement within the cycle (the calendar year), when the plan asks for it:
      drawn at all this year.

    Only draws decided by chance count (`by_chance`).
    """
    counts = draws_in_year(by_chance(history), year)
    out: dict[str, str] = {}
    for uscc, n in counts.items():
        if n >= yearly_cap:
            out[uscc] = f"已达年度抽查上限（{year}年已抽中{n}次，上限{yearly_cap}次）"
        elif exclude_drawn_this_year:
            out[uscc] = f"本周期（{year}年）已被抽中，不重复抽取"
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Due:
    uscc: str
    name: str
    rule: str  # "key_unit" | "flagged" | "major_hazard"
    reason: str


@dataclass(frozen=True)
class UnitRatio:
    unit: str
    planned_total: int
    planned_random: int
    done_random: int

    @property
    def share(self) -> Fraction:
        """Random inspections done as a share of all planned inspections of the unit."""
        return Fraction(self.done_random, self.planned_total) if self.planned_total else Fraction(0)

    @property
    def planned_share(self) -> Fraction:
        """The plan's own 双随机 share: what the ≥ 30% rule is first checked against."""
        if not self.planned_total:
            return Fraction(0)
        return Fraction(self.planned_random, self.planned_total)


@dataclass(frozen=True)
class CoverageReport:
    today: date
    due: list[Due] = field(default_factory=list)
    over_cap: dict[str, int] = field(default_factory=dict)
    ratios: list[UnitRatio] = field(default_factory=list)
    min_ratio: Fraction = DEFAULT_MIN_RATIO

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "due": [d.__dict__ for d in self.due],
            "over_cap": self.over_cap,
            "min_ratio_percent": percent(self.min_ratio),
            "ratios": [
                {
                    "unit": r.unit,
                    "planned_total": r.planned_total,
                    "planned_random": r.planned_random,
                    "done_random": r.done_random,
                    "share_percent": percent(r.share),
                    "planned_share_percent": percent(r.planned_share),
                    "plan_meets_minimum": r.planned_share >= self.min_ratio,
                    "done_meets_minimum": r.share >= self.min_ratio,
                }
                for r in self.ratios
            ],
        }


def percent(value: Fraction) -> str:
    """A share as a percentage with one decimal, as reports show it (`31.2`)."""
    return f"{float(value * 100):.1f}"


def report(
    history: Sequence[DrawnTask],
    enterprises: Sequence[Mapping[str, Any]],
    annual_plan: Sequence[Mapping[str, Any]],
    *,
    today: date,
    yearly_cap: int = DEFAULT_YEARLY_CAP,
    min_ratio: Fraction = DEFAULT_MIN_RATIO,
) -> CoverageReport:
    """Who is due, who is over the cap, and each unit's 双随机 share of its annual plan."""
    year_counts = draws_in_year(history, today.year)
    this_half = half_year(today)
    half_drawn = {uscc for t in history if half_year(t.drawn_on) == this_half for uscc in t.targets}
    due: list[Due] = []
    for row in sorted(enterprises, key=lambda r: str(r["uscc"])):
        if not enterprise_active(row, today):
            continue
        uscc, name = str(row["uscc"]), str(row["name"])
        if row.get("key_unit") and year_counts[uscc] == 0:
            due.append(Due(uscc, name, "key_unit", f"重点单位，{today.year}年内尚未抽查"))
        flags = [c for c in FLAG_COLUMNS if row.get(c)]
        if flags and uscc not in half_drawn:
            half = "上" if this_half[1] == 1 else "下"
            due.append(
                Due(
                    uscc,
                    name,
                    "flagged",
                    f"{'、'.join(_FLAG_NAMES[f] for f in flags)}，本{half}半年尚未抽查",
                )
            )
        if row.get("major_hazard"):
            due.append(
                Due(
                    uscc,
                    name,
                    "major_hazard",
                    "存在重大事故隐患，应专项重点监管，复查合格前不得恢复",
                )
            )
    over = {u: n for u, n in sorted(year_counts.items()) if n > yearly_cap}
    done_by_unit: Counter[str] = Counter()
    for t in by_chance(history):
        if t.drawn_on.year == today.year:
            done_by_unit[t.unit] += len(t.targets)
    ratios = [
        UnitRatio(
            unit=str(row["unit"]),
            planned_total=int(row["planned_total"]),
            planned_random=int(row["planned_random"]),
            done_random=(
                sum(done_by_unit.values())
                if row["unit"] == TOTAL_UNIT
                else done_by_unit[str(row["unit"])]
            ),
        )
        for row in annual_plan
        if int(row["year"]) == today.year
    ]
    return CoverageReport(today=today, due=due, over_cap=over, ratios=ratios, min_ratio=min_ratio)


_FLAG_NAMES = {
    "complaints": "投诉较多",
    "accidents": "事故多发",
    "penalties": "受过行政处罚",
    "serious_violation": "有严重违法记录",
    "blacklist": "列入安全生产黑名单",
}
