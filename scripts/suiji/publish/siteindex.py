"""What the whole site needs beyond single pages, fixed at the build's as-of time.

`suiji build` publishes the pages and computes this index in the same run, from the same
ledger view, then hands it to Pelican as the `SUIJI_SITE` setting: the as-of time every
page prints, the latest tasks and results of the home page, the banners for anything
overdue or withheld (judged at the as-of time, never the visitor's clock), and the lists
the finder and the no-JavaScript list pages show. Pure over its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from suiji.draw.deadlinestatus import DeadlineReport
from suiji.publish.collect import SiteData
from suiji.publish.markdown import plain, slug_part
from suiji.publish.sitepages import result_month
from suiji.shared.times import format_time

KIND_WORDS = {"report": "检查报告", "feedback": "反馈被检查对象", "disclosure": "结果公示"}


def site_index(
    site: SiteData | None,
    now: datetime,
    *,
    withheld: Sequence[str] = (),
    deadlines: DeadlineReport | None = None,
) -> dict[str, Any]:
    """The `SUIJI_SITE` setting (JSON-able; every text value plain, Jinja escapes it)."""
    index: dict[str, Any] = {"as_of": format_time(now), "records_only": site is None}
    if site is None:
        return index
    names = site.enterprise_names()
    tasks = []
    for info in site.tasks:
        v = info.view
        tasks.append(
            {
                "id": v.task,
                "slug": slug_part(v.task),
                "name": plain(v.plan.name),
                "unit": plain(v.plan.unit),
                "committed_at": format_time(v.committed_at),
                "round": getattr(v.beacon, "round", None),
                "round_time": format_time(v.beacon.available_at),
                "drawn_at": format_time(v.drawn_at) if v.drawn_at else None,
                "targets": len(v.targets),
                "eligible": v.eligible,
            }
        )
    tasks.sort(key=lambda t: (t["committed_at"], t["id"]), reverse=True)
    results = sorted(site.results, key=lambda r: (r.recorded_at, r.seq), reverse=True)
    index["tasks"] = tasks
    index["results"] = [
        {
            "task": r.entry.task,
            "task_slug": slug_part(r.entry.task),
            "uscc": r.entry.uscc,
            "uscc_slug": slug_part(r.entry.uscc),
            "name": plain(names.get(r.entry.uscc, "")),
            "categories": [plain(c) for c in r.content.categories] if r.content else [],
            "recorded_at": format_time(r.recorded_at),
            "withdrawn": r.withdrawn_seq is not None or r.content is None,
        }
        for r in results[:20]
    ]
    months: dict[str, int] = {}
    for r in site.results:
        m = result_month(r)
        months[m] = months.get(m, 0) + 1
    index["months"] = [{"month": m, "count": n} for m, n in sorted(months.items(), reverse=True)]
    everyone = set(names)
    everyone.update(tk.uscc for info in site.tasks for tk in info.tickets)
    everyone.update(r.entry.uscc for r in site.results)
    index["enterprises"] = [[u, slug_part(u), plain(names.get(u, ""))] for u in sorted(everyone)]
    index["notices"] = {
        info.view.task: {
            "iterations": info.notices.iterations,
            "codes": {c.uscc: [c.salt, c.hash] for c in info.notices.codes},
        }
        for info in site.tasks
        if info.notices is not None
    }
    index["banners"] = _banners(tasks, withheld, deadlines, site.withheld_hours)
    return index


def _banners(
    tasks: Sequence[dict[str, Any]],
    withheld: Sequence[str],
    deadlines: DeadlineReport | None,
    grace_hours: int = 24,
) -> list[dict[str, Any]]:
    by_id = {t["id"]: t for t in tasks}
    out: list[dict[str, Any]] = []
    for task in withheld:
        t = by_id.get(task, {})
        out.append(
            {
                "kind": "withheld",
                "task": task,
                "slug": slug_part(task),
                "text": f"任务 {task}「{t.get('name', '')}」的随机数已产生超过 {grace_hours} 小时，"
                "仍未抽取。",
            }
        )
    overdue: dict[str, dict[str, int]] = {}
    for row in deadlines.rows if deadlines else ():
        for s in row.states:
            if s.status == "overdue":
                kinds = overdue.setdefault(row.task, {})
                kinds[s.kind] = kinds.get(s.kind, 0) + 1
    for task, kinds in sorted(overdue.items()):
        what = "、".join(f"{KIND_WORDS.get(k, k)} {n} 家" for k, n in sorted(kinds.items()))
        out.append(
            {
                "kind": "overdue",
                "task": task,
                "slug": slug_part(task),
                "text": f"任务 {task} 有期限已过而未完成：{what}。",
            }
        )
    return out


def finder_data(index: dict[str, Any]) -> dict[str, Any]:
    """The finder's list: enterprises (code, slug, name) and tasks (id, slug, name)."""
    return {
        "enterprises": index.get("enterprises", []),
        "tasks": [[t["id"], t["slug"], t["name"]] for t in index.get("tasks", [])],
    }
