"""Enterprise pages (一企一档), the checklist, the registries with their history, coverage.

The registries shown are the latest committed snapshots: every column of a record is
public data by the records' rule (docs/spec/02-records.md: the repository and the site
are public, personal data is refused at `suiji check`), so every column is shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from suiji.draw.coverage import percent
from suiji.publish.collect import RecordedResultLike, Registry, SiteData, TaskInfo
from suiji.publish.markdown import Page, facts, kv, link, slug_part, table, text
from suiji.publish.taskpages import (
    categories,
    enterprise_path,
    enterprise_slug,
    result_path,
    task_path,
)
from suiji.publish.ticketpages import TICKET_STATUS
from suiji.records.schema import BY_NAME
from suiji.shared.times import civil_date
from suiji.verify.taskview import TicketView

RULES = {"key_unit": "重点单位", "flagged": "半年一查", "major_hazard": "重大事故隐患"}


def cell(value: object) -> str:
    """A snapshot value as escaped text: 是/否, lists joined with 、, None empty."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(cell(v) for v in value)
    return text(value)


def enterprise_page(
    uscc: str,
    name: str,
    row: Mapping[str, Any] | None,
    tickets: Sequence[tuple[TaskInfo, TicketView]],
    results: Sequence[RecordedResultLike],
    known_tasks: Collection[str] | None = None,
) -> Page:
    """一企一档: the registry row, every draw it took part in, every result.

    `known_tasks`: tasks with a page; a result naming another task (a finding of `suiji
    verify`) shows its id as text rather than a link to a page that does not exist."""
    body = ["## 名录信息", ""]
    if row is not None:
        schema = BY_NAME["enterprises"]
        body += facts((c.header, cell(row.get(c.alias))) for c in schema.columns)
    else:
        body += ["最近一次承诺的名录快照中没有该企业。", ""]
    body += ["## 参与的随机抽取", ""]
    if tickets:
        body += table(
            ("任务", "任务名称", "结果", "分层", "名次", "票号"),
            [
                (
                    link(info.view.task, task_path(info.view.task)),
                    text(info.view.plan.name),
                    TICKET_STATUS.get(t.status, text(t.status))
                    + (f"：{text(t.reason)}" if t.reason else ""),
                    text(t.stratum or ""),
                    f"{t.rank}/{t.of}" if t.rank is not None else "",
                    f"`{t.ticket}`" if t.ticket else "",
                )
                for info, t in tickets
            ],
        )
    else:
        body += ["尚未进入任何任务的可抽取范围。", ""]
    body += ["## 检查结果", ""]
    if results:
        body += table(
            ("任务", "检查结果", "检查完成日期", "详情"),
            [
                (
                    link(r.entry.task, task_path(r.entry.task))
                    if known_tasks is None or r.entry.task in known_tasks
                    else text(r.entry.task),
                    categories(r.content),
                    r.content.ended_on.isoformat() if r.content else "",
                    link("查看", result_path(r.entry.task, r.entry.uscc)),
                )
                for r in results
            ],
        )
    else:
        body += ["暂无检查结果。", ""]
    data = kv(
        {
            "uscc": uscc,
            "name": name,
            "status": row.get("status") if row else None,
            "drawn": [i.view.task for i, t in tickets if t.status == "drawn"],
            "eligible": [i.view.task for i, _ in tickets],
            "results": [r.entry.task for r in results],
        }
    )
    return Page(
        path=enterprise_path(uscc),
        title=f"{name or uscc}（{uscc}）",
        slug=enterprise_slug(uscc),
        kind="enterprise",
        body=body,
        data=data,
    )


def registry_path(name: str) -> str:
    return "checklist.md" if name == "checklist" else f"registries/{slug_part(name)}.md"


def registry_page(reg: Registry, changes: Sequence[Mapping[str, Any]]) -> Page:
    """A record's public columns as of the latest commitment, and its change history."""
    schema = BY_NAME[reg.name]
    body = [
        f"名录快照来自任务 {text(reg.task)} 的承诺（条目 \\#{reg.commit_seq}，"
        f"数据截至 {text(reg.as_of)}），对象哈希 `{reg.object}`。共 {len(reg.rows)} 行。",
        "",
    ]
    body += table(
        [c.header for c in schema.columns],
        [[cell(r.get(c.alias)) for c in schema.columns] for r in reg.rows],
    )
    mine = [c for c in changes if c.get("record") == reg.name]
    body += ["## 变更记录（影响抽取的列，相邻两次承诺之间）", ""]
    if mine:
        headers = {c.alias: c.header for c in schema.columns}
        body += table(
            ("编号", "列", "原值", "新值", "更新日期", "前一承诺", "本次承诺"),
            [
                (
                    text(c["id"]),
                    text(headers.get(str(c["column"]), c["column"])),
                    cell(c["old"]),
                    cell(c["new"]),
                    text(c.get("updated_on") or ""),
                    _at(c.get("before")),
                    _at(c.get("after")),
                )
                for c in mine
            ],
        )
    else:
        body += ["无变更。", ""]
    is_checklist = reg.name == "checklist"
    return Page(
        path=registry_path(reg.name),
        title=schema.title,
        slug="checklist" if is_checklist else f"registry/{slug_part(reg.name)}",
        kind="checklist" if is_checklist else "registry",
        body=body,
        data=kv(
            {
                "record": reg.name,
                "rows": len(reg.rows),
                "commit_seq": reg.commit_seq,
                "as_of": reg.as_of,
                "object": reg.object,
                "changes": len(mine),
            }
        ),
    )


def _at(at: object) -> str:
    if not isinstance(at, Mapping):
        return ""
    return f"\\#{at.get('seq')}（任务 {text(at.get('task'))}）"


def coverage_page(site: SiteData, enterprises: set[str]) -> Page | None:
    """Coverage as `suiji coverage` reports it, on the committed registry."""
    rep = site.coverage
    if rep is None:
        return None
    body = [
        f"统计日期：{rep.today.isoformat()}。双随机抽查比例不低于 {percent(rep.min_ratio)}%。",
        "",
        "## 各执法单位双随机比例",
        "",
    ]
    body += table(
        ("执法单位", "计划检查次数", "计划双随机次数", "已完成双随机", "计划比例", "完成比例"),
        [
            (
                text(r.unit),
                str(r.planned_total),
                str(r.planned_random),
                str(r.done_random),
                f"{percent(r.planned_share)}%"
                + ("" if r.planned_share >= rep.min_ratio else "（低于下限）"),
                f"{percent(r.share)}%",
            )
            for r in rep.ratios
        ],
    )
    body += ["## 应查未查", ""]
    if rep.due:
        body += table(
            ("统一社会信用代码", "单位名称", "类别", "原因"),
            [
                (
                    link(d.uscc, enterprise_path(d.uscc))
                    if d.uscc in enterprises
                    else text(d.uscc),
                    text(d.name),
                    RULES.get(d.rule, text(d.rule)),
                    text(d.reason),
                )
                for d in rep.due
            ],
        )
    else:
        body += ["无。", ""]
    if rep.over_cap:
        body += ["## 超过年度抽查上限", ""]
        body += table(
            ("统一社会信用代码", "本年抽中次数"),
            [(text(u), str(n)) for u, n in rep.over_cap.items()],
        )
    return Page(
        path="coverage.md",
        title="抽查覆盖情况统计",
        slug="coverage",
        kind="coverage",
        body=body,
        data=rep.to_json(),
    )


def result_month(r: RecordedResultLike) -> str:
    """`YYYY-MM` a result is listed under: the month its inspection ended (a withdrawn
    result, whose content is gone, under the month it was first recorded)."""
    if r.content is not None:
        return r.content.ended_on.strftime("%Y-%m")
    return civil_date(r.first_recorded_at).strftime("%Y-%m")


def month_path(month: str) -> str:
    return f"results-by-month/{month}.md"


def month_slug(month: str) -> str:
    return f"results/{month}"


def month_pages(
    results: Sequence[RecordedResultLike],
    infos: Mapping[str, TaskInfo],
    names: Mapping[str, str],
    enterprises: set[str],
) -> list[Page]:
    """Results by month (检查完成月份), one page per month that has any, oldest first."""
    by_month: dict[str, list[RecordedResultLike]] = {}
    for r in results:
        by_month.setdefault(result_month(r), []).append(r)
    out = []
    for month in sorted(by_month):
        rows = sorted(by_month[month], key=lambda r: (r.entry.task, r.entry.uscc))
        year, mon = month.split("-")
        body = [f"检查在 {year} 年 {int(mon)} 月完成的抽查结果，共 {len(rows)} 条。", ""]
        body += table(
            ("任务", "统一社会信用代码", "单位名称", "检查结果", "检查完成日期", "详情"),
            [
                (
                    link(r.entry.task, task_path(r.entry.task))
                    if r.entry.task in infos
                    else text(r.entry.task),
                    link(r.entry.uscc, enterprise_path(r.entry.uscc))
                    if r.entry.uscc in enterprises
                    else text(r.entry.uscc),
                    text(names.get(r.entry.uscc, "")),
                    categories(r.content),
                    r.content.ended_on.isoformat() if r.content else "",
                    link("查看", result_path(r.entry.task, r.entry.uscc)),
                )
                for r in rows
            ],
        )
        out.append(
            Page(
                path=month_path(month),
                title=f"{year}年{int(mon)}月检查结果",
                slug=month_slug(month),
                kind="results-month",
                body=body,
                data={"month": month, "results": len(rows)},
            )
        )
    return out
