"""Every eligible enterprise's ticket and rank: on the task page, or on numbered sub-pages.

A county task has a few hundred eligible enterprises; a city-wide one may have tens of
thousands, a page no phone should load. Past `TICKET_ROWS` rows the list moves to
sub-pages of `TICKET_ROWS` rows each, `task/<task>/tickets/<n>/` (n from 1), in ticket
order, and the task page links every one. The URLs come from the task id's slug and a
number, under the task's own folder, so they cannot meet any other page's URL (a task
slug holds no `/`; `write_pages` refuses a collision anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from suiji.publish.collect import TaskInfo
from suiji.publish.markdown import Page, link, slug_part, table, text
from suiji.verify.taskview import TicketView

TICKET_ROWS = 500
"""Rows of the eligible list per page (task page or sub-page)."""

TICKET_STATUS = {
    "drawn": "抽中",
    "alternate": "备选（抽中的企业不被替换）",
    "not-drawn": "未抽中",
    "eligible": "可抽取（尚未抽取）",
    "excluded": "被排除",
}

Ent = Callable[[str, str], str]


def tickets_path(task: str, n: int) -> str:
    return f"task-tickets/{slug_part(task)}/{n}.md"


def tickets_slug(task: str, n: int) -> str:
    return f"task/{slug_part(task)}/tickets/{n}"


def _heading(info: TaskInfo) -> str:
    drawn = info.view.draw_seq is not None
    return "全部可抽取企业的票号和名次" if drawn else "全部可抽取企业（抽取后公布票号和名次）"


def _table(tickets: Sequence[TicketView], ent: Ent) -> list[str]:
    return table(
        ("分层", "名次", "统一社会信用代码", "单位名称", "票号", "结果"),
        [
            (
                text(t.stratum or ""),
                f"{t.rank}/{t.of}" if t.rank is not None else "",
                ent(t.uscc, t.name),
                text(t.name),
                f"`{t.ticket}`" if t.ticket else "",
                TICKET_STATUS.get(t.status, text(t.status))
                + (f"：{text(t.reason)}" if t.reason else ""),
            )
            for t in tickets
        ],
    )


def _chunks(info: TaskInfo, rows: int) -> list[Sequence[TicketView]]:
    t = info.tickets
    return [t[i : i + rows] for i in range(0, len(t), rows)]


def ticket_section(info: TaskInfo, ent: Ent, rows: int = TICKET_ROWS) -> list[str]:
    """The task page's part: the whole list, or links to its sub-pages."""
    if not info.tickets:
        return []
    out = [f"## {_heading(info)}", "", "票号越小越先抽中；名次按分层计算。", ""]
    if len(info.tickets) <= rows:
        return out + _table(info.tickets, ent)
    chunks = _chunks(info, rows)
    out += [
        f"共 {len(info.tickets)} 家，每页 {rows} 家，分 {len(chunks)} 页：",
        "",
    ]
    first = 1
    for n, chunk in enumerate(chunks, 1):
        label = f"第 {n} 页（第 {first}–{first + len(chunk) - 1} 家）"
        out.append(f"- {link(label, tickets_path(info.view.task, n))}")
        first += len(chunk)
    return [*out, ""]


def ticket_pages(info: TaskInfo, ent: Ent, task_page: str, rows: int = TICKET_ROWS) -> list[Page]:
    """The sub-pages of a long list (none when it fits on the task page); `task_page`:
    the task page's path, linked from each sub-page."""
    if len(info.tickets) <= rows:
        return []
    task = info.view.task
    chunks = _chunks(info, rows)
    pages = []
    first = 1
    for n, chunk in enumerate(chunks, 1):
        nav = [
            link(f"第 {k} 页", tickets_path(task, k)) if k != n else f"**第 {k} 页**"
            for k in range(1, len(chunks) + 1)
        ]
        body = [
            f"任务 {link(task, task_page)} 的可抽取企业，第 {first}–{first + len(chunk) - 1}"
            f" 家（共 {len(info.tickets)} 家）。票号越小越先抽中；名次按分层计算。",
            "",
            "分页：" + " · ".join(nav),
            "",
            f"## {_heading(info)}（第 {n} 页）",
            "",
            *_table(chunk, ent),
        ]
        pages.append(
            Page(
                path=tickets_path(task, n),
                title=f"任务 {task} 可抽取企业（第 {n}/{len(chunks)} 页）",
                slug=tickets_slug(task, n),
                kind="tickets",
                body=body,
                data={"task": task, "page": n, "pages": len(chunks), "rows": len(chunk)},
            )
        )
        first += len(chunk)
    return pages
