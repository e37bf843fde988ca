"""Task pages and result pages: what was committed, what chance decided, what was found.

Every value comes from `collect` (the ledger's view); every value that a clerk typed is
escaped with `markdown.text` on its way into a line. Times are shown in 北京时间 and given
to the templates in RFC 3339 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from suiji.crypto.noticecode import KDF_NAME
from suiji.draw.teamrules import ROLE_TITLES
from suiji.model.results import ResultContent
from suiji.model.tasks import ChainRound
from suiji.publish.collect import RecordedResultLike, TaskInfo
from suiji.publish.markdown import Page, facts, kv, link, slug_part, table, text
from suiji.publish.ticketpages import TICKET_ROWS, ticket_section
from suiji.shared.times import beijing, format_time


def task_path(task: str) -> str:
    return f"tasks/{slug_part(task)}.md"


def task_slug(task: str) -> str:
    return f"task/{slug_part(task)}"


def enterprise_path(uscc: str) -> str:
    return f"enterprises/{slug_part(uscc)}.md"


def enterprise_slug(uscc: str) -> str:
    return f"enterprise/{slug_part(uscc)}"


def result_path(task: str, uscc: str) -> str:
    return f"results/{slug_part(task)}/{slug_part(uscc)}.md"


def result_slug(task: str, uscc: str) -> str:
    return f"result/{slug_part(task)}/{slug_part(uscc)}"


def named(code: str, name: str) -> str:
    """`code name`, escaped."""
    return text(f"{code} {name}" if name else code)


def task_page(
    info: TaskInfo,
    results: Sequence[RecordedResultLike],
    enterprises: set[str],
    names: Mapping[str, str],
    ticket_rows: int = TICKET_ROWS,
) -> Page:
    """The public report of one task (see the module docstring of `suiji.publish`)."""
    v, c = info.view, info.commit
    p = v.plan

    def ent(uscc: str, name: str) -> str:
        return link(f"{uscc}", enterprise_path(uscc)) if uscc in enterprises else text(uscc)

    b = v.beacon
    if isinstance(b, ChainRound):
        source = f"信标链 {text(b.chain)} 第 {b.round} 轮，该轮产生于 {beijing(b.available_at)}"
    else:
        source = f"仅用附加随机输入，不早于 {beijing(b.available_at)} 抽取"
    rows = [
        ("任务编号", text(v.task)),
        ("任务名称", text(p.name)),
        ("抽查类型", text(p.kind)),
        ("执法单位", text(p.unit)),
        ("检查时间", f"{p.window_start.isoformat()} 至 {p.window_end.isoformat()}"),
        ("承诺", f"条目 \\#{v.commit_seq}，{beijing(v.committed_at)}"),
        ("随机来源", source),
        ("可抽取企业数", str(v.eligible)),
        ("可抽取名单（对象哈希）", f"`{c.population_object}`"),
        ("抽查方案（对象哈希）", f"`{c.plan_object}`"),
        *((f"附加随机输入：{text(n)}", text(val)) for n, val in v.extras),
    ]
    if v.draw_seq is not None and v.drawn_at is not None:
        rows += [
            ("抽取", f"条目 \\#{v.draw_seq}，{beijing(v.drawn_at)}"),
            ("信标随机值", f"`{v.randomness}`" if v.randomness else "（无）"),
            ("种子", f"`{v.seed}`"),
        ]
    elif info.withheld_hours is not None:
        rows.append(
            (
                "抽取",
                f"**逾期未抽取**：随机数已于 {beijing(b.available_at)} 产生，超过"
                f" {info.withheld_hours} 小时仍未抽取（suiji verify 报告为合规问题 withheld）",
            )
        )
    else:
        rows.append(("抽取", "尚未抽取"))
    if v.teams_error:
        rows.append(("检查组未能组成", text(v.teams_error)))
    body = ["## 任务与承诺", "", *facts(rows)]
    for seq, void in info.commit_voids:
        body.append(
            f"- 承诺撤销：条目 \\#{seq}（原承诺 \\#{void.commit_seq}），理由：{text(void.reason)}"
        )
    if info.commit_voids:
        body.append("")
    if v.targets:
        body += [f"## 抽中的企业（{len(v.targets)} 家，按票号从小到大）", ""]
        body += table(
            ("序号", "统一社会信用代码", "单位名称", "分层", "票号", "检查事项"),
            [
                (
                    str(i),
                    ent(t.id, t.name),
                    text(t.name),
                    text(t.stratum or ""),
                    f"`{t.ticket}`",
                    "；".join(
                        f"{text(it.id)} {text(it.title)}（依据：{text(it.legal_basis)}）"
                        for it in t.items
                    ),
                )
                for i, t in enumerate(v.targets, 1)
            ],
        )
    if v.alternates:
        body += ["## 备选企业（仅供公开，抽中的企业不被替换）", ""]
        body += table(
            ("统一社会信用代码", "单位名称", "分层", "票号"),
            [
                (ent(t.id, t.name), text(t.name), text(t.stratum or ""), f"`{t.ticket}`")
                for t in v.alternates
            ],
        )
    if v.teams:
        body += ["## 检查组", ""]
        body += table(
            ("检查组", "检查对象", "角色", "人员编号", "姓名"),
            [
                (
                    text(team.key),
                    "、".join(text(n or u) for u, n in team.targets),
                    ROLE_TITLES.get(m.role, text(m.role)),
                    text(m.id),
                    text(m.name),
                )
                for team in v.teams
                for m in team.members
            ],
        )
    if v.voids:
        body += ["## 人员撤换", ""]
        body += table(
            ("条目", "时间", "检查组", "角色", "撤换人员", "理由", "结果"),
            [
                (
                    f"\\#{x.seq}",
                    beijing(x.time),
                    text(x.team),
                    ROLE_TITLES.get(x.role, text(x.role)),
                    named(x.person, x.person_name),
                    text(x.reason),
                    f"由 {named(x.replacement, x.replacement_name or '')} 替换（条目 \\#{x.replace_seq}）"
                    if x.replacement
                    else f"等待第 {x.round} 轮（{beijing(x.round_time)}）决定替换人员",
                )
                for x in v.voids
            ],
        )
    if v.excluded:
        body += ["## 排除的企业", ""]
        body += table(
            ("统一社会信用代码", "单位名称", "理由"),
            [(ent(u, n), text(n), text(why)) for u, n, why in v.excluded],
        )
    body += ticket_section(info, ent, ticket_rows)
    if results:
        body += ["## 检查结果", ""]
        body += table(
            ("统一社会信用代码", "单位名称", "检查结果", "检查完成日期", "详情"),
            [_result_row(r, names) for r in results],
        )
    if info.notices:
        body += [
            "## 检查告知书核验码（加盐慢哈希）",
            "",
            f"算法：{KDF_NAME}，{info.notices.iterations} 次迭代"
            "（docs/spec/17-notices.md）。企业可在核验页面输入告知书上的核验码。",
            "",
        ]
        body += table(
            ("统一社会信用代码", "盐", "哈希"),
            [(text(n.uscc), f"`{text(n.salt)}`", f"`{text(n.hash)}`") for n in info.notices.codes],
        )
    data: dict[str, Any] = kv(
        {
            "task": v.task,
            "name": p.name,
            "unit": p.unit,
            "kind": p.kind,
            "window": [p.window_start.isoformat(), p.window_end.isoformat()],
            "commit_seq": v.commit_seq,
            "committed_at": format_time(v.committed_at),
            "round": b.round if isinstance(b, ChainRound) else None,
            "round_time": format_time(b.available_at),
            "chain": b.chain if isinstance(b, ChainRound) else None,
            "eligible": v.eligible,
            "population_object": c.population_object,
            "draw_seq": v.draw_seq,
            "drawn_at": format_time(v.drawn_at) if v.drawn_at else None,
            "randomness": v.randomness,
            "targets": [t.id for t in v.targets],
            "status": (
                "drawn"
                if v.draw_seq is not None
                else ("withheld" if info.withheld_hours is not None else "committed")
            ),
            "results": len(results),
        }
    )
    if info.witnessed is not None:
        data["witnessed"] = dict(info.witnessed)
    return Page(
        path=task_path(v.task),
        title=f"任务 {v.task}：{p.name}",
        slug=task_slug(v.task),
        kind="task",
        body=body,
        data=data,
    )


def categories(content: ResultContent | None) -> str:
    return "；".join(text(c) for c in content.categories) if content else "（已撤回）"


def _result_row(r: RecordedResultLike, names: Mapping[str, str]) -> tuple[str, ...]:
    e, content = r.entry, r.content
    name = names.get(e.uscc, "")
    return (
        text(e.uscc),
        text(name),
        categories(content),
        content.ended_on.isoformat() if content else "",
        link("查看", result_path(e.task, e.uscc)),
    )


def result_page(
    r: RecordedResultLike,
    versions: Sequence[RecordedResultLike],
    info: TaskInfo | None,
    names: Mapping[str, str],
    enterprises: set[str],
) -> Page:
    """One enterprise's result in one task, with every version (corrections stay visible)."""
    e, content = r.entry, r.content
    name = names.get(e.uscc, "")
    task_cell = (
        link(e.task, task_path(e.task)) if info else f"{text(e.task)}（账本中无此任务的承诺）"
    )
    ent_cell = link(e.uscc, enterprise_path(e.uscc)) if e.uscc in enterprises else text(e.uscc)
    rows = [
        ("任务", task_cell + (f" {text(info.view.plan.name)}" if info else "")),
        ("统一社会信用代码", ent_cell),
        ("单位名称", text(name)),
        ("检查实施机关", text(info.view.plan.unit) if info else ""),
        ("抽查类型", text(info.view.plan.kind) if info else ""),
        ("首次公示", beijing(r.first_recorded_at)),
        ("当前版本", f"第 {r.version} 版，条目 \\#{r.seq}，{beijing(r.recorded_at)}"),
        ("结果对象（哈希）", f"`{e.result_object}`"),
    ]
    body: list[str] = []
    items = {it.id: it.title for t in (info.view.targets if info else ()) for it in t.items}
    people = _people(info)
    if content is None or r.withdrawn_seq is not None:
        rows.append(("状态", f"已撤回（信用修复），条目 \\#{r.withdrawn_seq}；内容不再公示"))
        body += ["## 检查结果", "", *facts(rows)]
    else:
        rows += _content_rows(content, people)
        body += ["## 检查结果", "", *facts(rows)]
        if content.findings:
            body += ["## 检查事项及结果", ""]
            body += table(
                ("事项编号", "检查事项", "检查结果"),
                [(text(i), text(items.get(i, "")), text(f)) for i, f in content.findings],
            )
    if len(versions) > 1:
        body += ["## 更正记录", ""]
        body += table(
            ("版本", "条目", "登记时间", "结果对象（哈希）", "更正说明"),
            [
                (
                    str(x.version),
                    f"\\#{x.seq}",
                    beijing(x.recorded_at),
                    f"`{x.entry.result_object}`",
                    text(x.content.correction) if x.content else "（已撤回）",
                )
                for x in versions
            ],
        )
    data = kv(
        {
            "task": e.task,
            "uscc": e.uscc,
            "seq": r.seq,
            "version": r.version,
            "first_recorded_at": format_time(r.first_recorded_at),
            "recorded_at": format_time(r.recorded_at),
            "withdrawn": r.withdrawn_seq is not None,
            "categories": list(content.categories) if content else [],
            "ended_on": content.ended_on.isoformat() if content else None,
            "penalty": content.penalty is not None if content else None,
            "unit": info.view.plan.unit if info else None,
        }
    )
    return Page(
        path=result_path(e.task, e.uscc),
        title=f"检查结果：{name or e.uscc}（任务 {e.task}）",
        slug=result_slug(e.task, e.uscc),
        kind="result",
        body=body,
        data=data,
    )


def _people(info: TaskInfo | None) -> dict[str, str]:
    if info is None:
        return {}
    out = {m.id: m.name for t in info.view.teams for m in t.members}
    for x in info.view.voids:
        out.setdefault(x.person, x.person_name)
        if x.replacement:
            out.setdefault(x.replacement, x.replacement_name or "")
    return out


def _content_rows(c: ResultContent, people: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = [
        ("检查日期", f"{c.started_on.isoformat()} 至 {c.ended_on.isoformat()}"),
        ("检查人员", "、".join(named(p, people.get(p, "")) for p in c.team)),
        ("检查结果", categories(c)),
        ("检查情况", text(c.observations)),
        ("对被检查人的评价", text(c.assessment)),
        ("处理意见和建议", text(c.opinions)),
    ]
    if c.penalty is not None:
        pen = c.penalty
        rows.append(
            (
                "查处结果",
                f"{text(pen.decision_no)}（{pen.decided_on.isoformat()}）：{text(pen.content)}",
            )
        )
    for label, day in (
        ("检查报告日期", c.reported_on),
        ("反馈被检查对象日期", c.feedback_on),
        ("整改期限", c.rectify_by),
        ("整改完成日期", c.rectified_on),
    ):
        if day is not None:
            rows.append((label, day.isoformat()))
    if c.correction:
        rows.append(("更正说明", text(c.correction)))
    return rows
