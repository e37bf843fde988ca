"""One drawn task as the inspection's documents need it: targets, items, teams, certificates.

Gathered from the ledger and its committed objects only (`suiji.verify.taskview` plus the
committed inspectors and checklist snapshots for 执法证号 and 检查内容), never from today's
record files: a notice must name the team and items the draw fixed, and the names the
ledger proves. A person voided without a replacement yet is left out of the team (the
draw fixed that person, but the person will not come), and listed as pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from suiji.draw.derive import ObjectSource, load_committed
from suiji.ledger.codec import Entry
from suiji.ledger.history import replayed
from suiji.model.genesis import Genesis
from suiji.model.tasks import Commit
from suiji.shared.errors import Refusal
from suiji.verify.taskview import task_view

ROLE_NAMES = {
    "leader": "带队领导",
    "officer": "执法人员",
    "group-officer": "执法人员",
    "accompany": "随行人员（编外）",
    "expert": "专家",
}


class TaskNotDrawn(Refusal):
    """Documents name a draw's targets and team: a task without a draw has none."""

    code = "task-not-drawn"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str  # leader | officer | group-officer | accompany | expert
    cert_no: str  # 执法证号; "" for experts and staff without one

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


@dataclass(frozen=True)
class ItemDoc:
    id: str
    title: str
    content: str
    legal_basis: str


@dataclass(frozen=True)
class TargetDoc:
    uscc: str
    name: str
    address: str
    items: tuple[ItemDoc, ...]
    team_key: str
    team: tuple[Person, ...]
    pending: tuple[Person, ...]  # voided, replacement not yet drawn


@dataclass(frozen=True)
class TaskDocs:
    task: str
    name: str
    unit: str
    kind: str
    bureau: str  # the genesis's `name`, or "" when the ledger has none
    window_start: date
    window_end: date
    drawn_at: datetime
    targets: tuple[TargetDoc, ...]


def task_documents(entries: Iterable[Entry], store: ObjectSource, task: str) -> TaskDocs:
    """The drawn task's documents' contents; TaskUnknown / TaskNotDrawn otherwise."""
    entries = list(entries)
    view = task_view(entries, store, task)
    if view.sealed_until is not None and view.draw_seq is None:
        raise TaskNotDrawn(
            f"任务 {task} 是暗查暗访任务，抽取结果揭示之前不得制作通知书、结果模板或检查记录"
            "（它们会写出被检查企业和检查组）；检查组凭 suiji show 任务编号 --secret 密钥文件 私下查看",
            code="task-sealed",
        )
    if view.draw_seq is None or view.drawn_at is None:
        raise TaskNotDrawn(
            f"任务 {task} 尚未抽取：通知书、结果模板和检查记录要写明抽中的企业、事项和检查组，"
            f"请在抽取后（suiji draw {task}）再运行",
        )
    if view.teams_error or not view.teams:
        raise TaskNotDrawn(
            f"任务 {task} 的检查组未能组成（{view.teams_error or '没有检查组'}）："
            f"没有检查组就不能通知企业；请按 suiji show {task} 的说明处理",
            code="task-no-team",
        )
    state = replayed(entries).tasks[task]
    commit: Commit = state.commit.body  # type: ignore[union-attr]
    rows = load_committed(store, commit).rows
    certs = _column(rows.get("inspectors", []), "person_id", "cert_no")
    addresses = _column(rows.get("enterprises", []), "uscc", "address")
    contents = _column(rows.get("checklist", []), "item_id", "content")
    pending = {(v.team, v.person) for v in view.voids if v.replacement is None}
    targets = []
    for t in view.targets:
        team = next((tm for tm in view.teams if any(u == t.id for u, _ in tm.targets)), None)
        members = team.members if team is not None else ()
        key = team.key if team is not None else ""
        people = [Person(m.id, m.name, m.role, certs.get(m.id, "")) for m in members]
        targets.append(
            TargetDoc(
                uscc=t.id,
                name=t.name,
                address=addresses.get(t.id, ""),
                items=tuple(
                    ItemDoc(i.id, i.title, contents.get(i.id, ""), i.legal_basis) for i in t.items
                ),
                team_key=key,
                team=tuple(p for p in people if (key, p.id) not in pending),
                pending=tuple(p for p in people if (key, p.id) in pending),
            )
        )
    return TaskDocs(
        task=task,
        name=view.plan.name,
        unit=view.plan.unit,
        kind=view.plan.kind,
        bureau=_bureau(entries),
        window_start=view.plan.window_start,
        window_end=view.plan.window_end,
        drawn_at=view.drawn_at,
        targets=tuple(sorted(targets, key=lambda x: x.uscc)),
    )


def _column(rows: Iterable[Mapping[str, Any]], key: str, value: str) -> dict[str, str]:
    return {str(r[key]): str(r.get(value) or "") for r in rows}


def _bureau(entries: list[Entry]) -> str:
    """The bureau's name as `suiji init --name` recorded it in the genesis ("" if none)."""
    if not entries or entries[0].kind != "genesis":
        return ""
    name = entries[0].typed_as(Genesis).others.get("name")
    return name if isinstance(name, str) else ""
