"""统计: the public statistics page, with bar charts drawn at build time.

Every figure comes from a computation the commands already make, never a second copy of
the rules: the 双随机 ratio per unit and who is due from `suiji.draw.coverage.report`
(what `suiji coverage` prints: the committed enterprises snapshot, the bureau's annual
plan file — ADR 0042),
the on-time shares per unit from `suiji.draw.deadlinestatus.unit_shares` (what
`suiji deadlines --by-unit` prints), voids from the task views `suiji show` prints.

Charts are data for the theme, not markup: each is a list of bars whose geometry is
computed here (`chart`), and `suiji-statistics.html` draws them as inline SVG with a
`<title>`, a `<desc>` and, beside it, a table of the same numbers — no script, readable
by a screen reader and in a text browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from suiji.draw.coverage import FLAG_COLUMNS, CoverageReport, percent
from suiji.draw.deadlinestatus import UnitShares
from suiji.draw.eligibility import enterprise_active
from suiji.publish.collect import SiteData
from suiji.publish.markdown import Page, plain

WIDTH = 640
LABEL_W = 200
VALUE_W = 90
BAR_H = 22
GAP = 10
TOP = 8
KIND_TITLES = {"report": "检查报告", "feedback": "反馈被检查对象", "disclosure": "结果公示"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # percent 0–100; None: nothing to measure yet
    text: str


def chart(
    ident: str, title: str, desc: str, bars: Sequence[Bar], threshold: float | None = None
) -> dict[str, Any]:
    """Bar geometry in SVG user units (viewBox `0 0 WIDTH height`), values 0–100 %."""
    span = WIDTH - LABEL_W - VALUE_W
    out: list[dict[str, Any]] = []
    for i, b in enumerate(bars):
        y = TOP + i * (BAR_H + GAP)
        v = 0.0 if b.value is None else max(0.0, min(100.0, b.value))
        w = round(span * v / 100, 1)
        out.append(
            {
                "label": plain(b.label),
                "text": b.text,
                "y": y,
                "ty": y + BAR_H - 6,
                "w": w,
                "tx": round(LABEL_W + w + 6, 1),
                "low": threshold is not None and b.value is not None and b.value < threshold,
            }
        )
    height = TOP * 2 + max(1, len(bars)) * (BAR_H + GAP)
    line = None if threshold is None else round(LABEL_W + span * threshold / 100, 1)
    return {
        "id": ident,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": height,
        "x0": LABEL_W,
        "bar_h": BAR_H,
        "line_x": line,
        "line_label": None if threshold is None else f"下限 {threshold:g}%",
        "bars": out,
    }


def _pct(n: int, of: int) -> tuple[float | None, str]:
    if of == 0:
        return None, "—"
    v = 100.0 * n / of
    return v, f"{v:.1f}%"


def ratio_section(rep: CoverageReport) -> dict[str, Any]:
    floor = float(rep.min_ratio * 100)
    bars: list[Bar] = []
    rows = []
    for r in rep.ratios:
        planned, done = float(r.planned_share * 100), float(r.share * 100)
        bars.append(Bar(f"{r.unit} 计划", planned, f"{percent(r.planned_share)}%"))
        bars.append(Bar(f"{r.unit} 已完成", done, f"{percent(r.share)}%"))
        rows.append(
            [
                plain(r.unit),
                str(r.planned_total),
                str(r.planned_random),
                str(r.done_random),
                f"{percent(r.planned_share)}%"
                + ("" if r.planned_share >= rep.min_ratio else "（低于下限）"),
                f"{percent(r.share)}%",
            ]
        )
    title = f"{rep.today.year}年各执法单位双随机抽查占年度计划检查次数的比例"
    desc = (
        "；".join(f"{b.label} {b.text}" for b in bars) + f"。下限 {percent(rep.min_ratio)}%。"
        if bars
        else "本年度没有已承诺的年度执法检查计划。"
    )
    return {
        "heading": "双随机抽查比例（对照年度执法检查计划）",
        "note": "计划检查次数取自本局公布的年度执法检查计划（原始记录中的 annual-plan 文件）；"
        "已完成次数为本年由随机抽取决定的抽中企业数（定向检查不计入）。",
        "chart": chart("ratio", title, desc, bars, floor),
        "header": [
            "执法单位",
            "计划检查次数",
            "计划双随机次数",
            "已完成双随机",
            "计划比例",
            "完成比例",
        ],
        "rows": rows,
    }


def _covered(rep: CoverageReport, rows: Iterable[Mapping[str, Any]], rule: str) -> tuple[int, int]:
    """(active enterprises the rule applies to, those not yet due): the report's own `due`."""
    active = [r for r in rows if enterprise_active(r, rep.today)]
    if rule == "key_unit":
        group = [r for r in active if r.get("key_unit")]
    else:
        group = [r for r in active if any(r.get(c) for c in FLAG_COLUMNS)]
    due = {d.uscc for d in rep.due if d.rule == rule}
    return len(group), sum(1 for r in group if str(r["uscc"]) not in due)


def coverage_section(rep: CoverageReport, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    half = "上" if rep.today.month <= 6 else "下"
    key_all, key_done = _covered(rep, rows, "key_unit")
    flag_all, flag_done = _covered(rep, rows, "flagged")
    kv, kt = _pct(key_done, key_all)
    fv, ft = _pct(flag_done, flag_all)
    bars = [
        Bar(f"重点单位（{rep.today.year}年）", kv, kt),
        Bar(f"重点监管企业（本{half}半年）", fv, ft),
    ]
    return {
        "heading": "重点单位和重点监管企业的抽查覆盖",
        "note": "重点单位每年至少抽查一次；有投诉、事故、处罚、严重违法记录或列入黑名单的"
        "企业每半年至少抽查一次。名单见「抽查覆盖情况统计」中的应查未查。",
        "chart": chart(
            "cover",
            "重点单位和重点监管企业的抽查覆盖率",
            "；".join(f"{b.label} {b.text}" for b in bars) + "。",
            bars,
        ),
        "header": ["类别", "在册企业数", "已抽查", "覆盖率"],
        "rows": [
            [bars[0].label, str(key_all), str(key_done), kt],
            [bars[1].label, str(flag_all), str(flag_done), ft],
        ],
    }


def ontime_section(units: Sequence[UnitShares]) -> dict[str, Any]:
    whole = [u for u in units if u.group is None]
    bars: list[Bar] = []
    rows = []
    for u in whole:
        cells = [plain(u.unit), str(u.targets)]
        for kind, title in KIND_TITLES.items():
            s = u.share(kind)  # type: ignore[arg-type]
            v, t = _pct(s.on_time, s.decided)
            bars.append(Bar(f"{u.unit} {title}", v, t))
            cells.append(f"{s.on_time}/{s.decided}（{t}）")
        cells.append(str(u.overdue))
        rows.append(cells)
    return {
        "heading": "各执法单位按期完成率",
        "note": "已到期或已完成的期限中按期完成的比例（与 suiji deadlines --by-unit 相同）；"
        "尚未到期的不计入。",
        "chart": chart(
            "ontime",
            "各执法单位检查报告、反馈和结果公示的按期完成率",
            "；".join(f"{b.label} {b.text}" for b in bars) + "。" if bars else "暂无到期的期限。",
            bars,
        ),
        "header": [
            "执法单位",
            "抽中企业",
            "检查报告按期",
            "反馈按期",
            "结果公示按期",
            "逾期未完成",
        ],
        "rows": rows,
    }


def void_section(site: SiteData) -> dict[str, Any]:
    per: dict[str, list[int]] = {}
    for info in site.tasks:
        unit = info.view.plan.unit
        c = per.setdefault(unit, [0, 0, 0, 0])
        c[0] += 1 + len(info.commit_voids)
        c[1] += len(info.commit_voids)
        c[2] += sum(len(t.members) for t in info.view.teams)
        c[3] += len(info.view.voids)
    bars: list[Bar] = []
    rows = []
    for unit in sorted(per):
        commits, cvoids, people, pvoids = per[unit]
        cv, ct = _pct(cvoids, commits)
        pv, pt = _pct(pvoids, people)
        bars.append(Bar(f"{unit} 承诺作废", cv, ct))
        bars.append(Bar(f"{unit} 人员撤换", pv, pt))
        rows.append([plain(unit), str(commits), str(cvoids), ct, str(people), str(pvoids), pt])
    return {
        "heading": "各执法单位作废和撤换比例",
        "note": "承诺作废率 = 作废的承诺 / 全部承诺；人员撤换率 = 撤换的抽中人员 / 抽中的检查人员。"
        "作废和撤换都记入账本并公示理由。",
        "chart": chart(
            "voids",
            "各执法单位承诺作废率和人员撤换率",
            "；".join(f"{b.label} {b.text}" for b in bars) + "。" if bars else "暂无任务。",
            bars,
        ),
        "header": ["执法单位", "承诺", "作废", "作废率", "抽中人员", "撤换", "撤换率"],
        "rows": rows,
    }


def statistics_page(site: SiteData) -> Page | None:
    """The 统计 page (None before the first commitment: nothing to count)."""
    rep = site.coverage
    if rep is None:
        return None
    reg = site.registries.get("enterprises")
    sections = [ratio_section(rep), coverage_section(rep, reg.rows if reg else ())]
    if site.deadlines is not None and site.deadlines.units is not None:
        sections.append(ontime_section(site.deadlines.units))
    sections.append(void_section(site))
    return Page(
        path="statistics.md",
        title="统计",
        slug="statistics",
        kind="statistics",
        body=[
            f"统计日期：{rep.today.isoformat()}。图表在网站生成时绘制，每张图旁附同样数字的表格。",
        ],
        data={"today": rep.today.isoformat(), "sections": sections},
    )
