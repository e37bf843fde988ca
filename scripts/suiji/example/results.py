"""Inspection results for the example county: a fixed sample, and rows from a task's draw.

``sample_csv``: a small sample (``samples/results.csv``) written from fixed ids that exist in the example county (task 2026-002 of the example
plans, enterprises picked from the registry by a fixed rule, checklist items, officers),
not from a draw: the sample shows the results format and passes `suiji check` when copied
to ``content/records/results/``; whether its enterprises were drawn is not its concern.
Three rows: no problem found; a violation with a penalty, rectified (the category in its
other spelling 发现问题已责令改正); an enterprise found closed (已关闭停业, no items).

``drawn_visits`` and ``result_row``: what a clerk writes after inspecting the targets a
task actually drew. The demo year needs results that pass the checks against the draw, so
they are written FROM the draw, read with the code behind `suiji show`
(`suiji.verify.taskview`): the drawn enterprises, each with its drawn items and the team as
it stands after person voids and replacements. What happened at each enterprise (an
`Outcome`) and when is the caller's script (`suiji.example.year`); the words are chosen
here, deterministically, so two runs write the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from suiji.records.schema import RESULTS
from suiji.verify.taskview import TaskView

TASK = "2026-002"
CHEMICAL = ("危险化学品生产", "危险化学品经营（带储存）", "危险化学品储存")


def _pick(enterprises: Sequence[Mapping[str, str]]) -> list[str]:
    """Three active chemical units, the smallest credit codes first (a fixed rule)."""
    codes = sorted(
        r["统一社会信用代码"]
        for r in enterprises
        if r["状态"] == "在册" and r["行业类别"] in CHEMICAL and r["执法片区"] == "第一片区"
    )
    return codes[:3]


def sample_rows(enterprises: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The sample's rows as header → cell text (dates as a clerk types them)."""
    ok, bad, closed = _pick(enterprises)
    blank = {c.header: "" for c in RESULTS.columns}
    return [
        {
            **blank,
            "任务编号": TASK,
            "统一社会信用代码": ok,
            "检查开始日期": "2026-02-03",
            "检查结束日期": "2026-02-03",
            "实际检查人员": "ZF002、ZF005、ZF007",
            "检查事项及结果": "TY-001:符合；TY-009:符合；WH-016:符合",
            "检查结果": "未发现问题",
            "检查情况": "现场查看储存场所和安全管理台账，未发现问题",
            "对被检查人的评价": "安全生产主体责任落实较好",
            "处理意见和建议": "继续做好日常隐患排查",
            "检查报告日期": "2026-02-04",
            "反馈日期": "2026-02-05",
        },
        {
            **blank,
            "任务编号": TASK,
            "统一社会信用代码": bad,
            "检查开始日期": "2026/2/4",
            "检查结束日期": "2026/2/5",
            "实际检查人员": "ZF002、ZF006、ZF010",
            "检查事项及结果": "TY-001:符合；TY-012:不符合；WH-016:不符合",
            "检查结果": "发现问题已责令改正",
            "检查情况": "安全警示标志缺失；部分作业人员未经安全培训上岗",
            "对被检查人的评价": "安全培训和现场管理不到位",
            "处理意见和建议": "责令限期整改，依法给予行政处罚",
            "处罚决定书文号": "示应急罚〔2026〕2号",
            "处罚决定日期": "2026-02-10",
            "处罚内容": "警告，并处罚款人民币壹万元整",
            "检查报告日期": "2026-02-06",
            "反馈日期": "2026-02-09",
            "整改期限": "2026-02-20",
            "整改完成日期": "2026-02-18",
        },
        {
            **blank,
            "任务编号": TASK,
            "统一社会信用代码": closed,
            "检查开始日期": "2026-02-06",
            "检查结束日期": "2026-02-06",
            "实际检查人员": "ZF003、ZF004、ZF011",
            "检查结果": "7",
            "检查情况": "现场大门紧锁，经所在乡镇核实，该单位已停业",
            "处理意见和建议": "列入下一年度重点核查名单",
            "检查报告日期": "2026-02-09",
            "反馈日期": "2026-02-10",
        },
    ]


def sample_csv(enterprises: Sequence[Mapping[str, str]]) -> bytes:
    """The sample as Excel's "CSV UTF-8" writes it (BOM, CRLF, minimal quoting)."""
    return results_csv(sample_rows(enterprises))


# ---------------------------------------------------------------- rows from a draw


@dataclass(frozen=True)
class DrawnVisit:
    """One drawn enterprise of a task as the draw left it: what to check, who goes."""

    task: str
    uscc: str
    name: str
    items: tuple[tuple[str, str], ...]  # (item id, title) in drawn order
    team: tuple[str, ...]  # person ids expected present, in the team's order


def drawn_visits(view: TaskView) -> list[DrawnVisit]:
    """The task's drawn targets in ticket order, each with its items and its team.

    The team is the drawn team after the recorded person voids: a replacement holds the
    voided person's place (`task_view` already swapped it in); a voided person whose
    replacement is not yet recorded is simply absent.
    """
    vacant = {(v.team, v.person) for v in view.voids if v.replacement is None}
    team_of: dict[str, tuple[str, ...]] = {}
    for team in view.teams:
        members = tuple(m.id for m in team.members if (team.key, m.id) not in vacant)
        for uscc, _name in team.targets:
            team_of[uscc] = members
    return [
        DrawnVisit(
            task=view.task,
            uscc=t.id,
            name=t.name,
            items=tuple((i.id, i.title) for i in t.items),
            team=team_of.get(t.id, ()),
        )
        for t in view.targets
    ]


OK, FIXED, FINED, PENDING, CLOSED = "ok", "fixed", "fined", "pending", "closed"
OUTCOMES = (OK, FIXED, FINED, PENDING, CLOSED)
"""What happened at an enterprise: nothing found; a problem corrected on the spot; a
problem corrected on the spot and a penalty decided on the spot (简易程序); problems left to
rectify by a deadline with a case opened (一般程序: the penalty is decided later, and the
row corrected then); the enterprise found closed (已关闭停业, nothing inspected)."""


@dataclass(frozen=True)
class Inspection:
    """One drawn enterprise's inspection as it happened: the story behind its row.

    `decision_no` is the penalty's 文号 for FINED and PENDING. For PENDING, `rectified_on`
    and `decided_on` are when the rectification was accepted and the penalty decided: they
    appear in the row only once it is corrected (`result_row(…, corrected=True)`).
    """

    visit: DrawnVisit
    started_on: date
    ended_on: date
    reported_on: date
    feedback_on: date
    outcome: str
    decision_no: str = ""
    rectify_by: date | None = None
    rectified_on: date | None = None
    decided_on: date | None = None


VIOLATIONS: dict[str, str] = {
    "TY-001": "主要负责人未组织制定本单位安全生产规章制度，未督促检查安全生产工作",
    "TY-002": "全员安全生产责任制未覆盖仓库保管岗位，责任内容与岗位不符",
    "TY-004": "安全生产管理人员未按规定经考核合格",
    "TY-006": "部分从业人员未经安全生产教育和培训上岗，培训档案不全",
    "TY-007": "主要负责人年度再培训学时不足",
    "TY-008": "一名电工作业人员特种作业操作证已过期",
    "TY-009": "经营场所未设置明显的安全警示标志",
    "TY-010": "安全设备未按规定定期检测，维护保养记录缺失",
    "TY-011": "事故隐患排查治理台账未及时更新，隐患整改无闭环记录",
    "TY-012": "经营储存场所与员工住宿场所未保持安全距离，疏散通道堆放杂物",
    "TY-014": "作业人员未按规定佩戴劳动防护用品",
    "TY-016": "生产安全事故应急救援预案未按规定备案",
    "TY-017": "本年度未按计划组织应急预案演练",
    "TY-018": "应急救援器材配备不足，部分灭火器压力不足",
    "TY-021": "危险物品安全管理制度未落实，现场无专人管理",
    "WH-003": "经营场所与储存场所未分开设置",
    "WH-004": "储存设施安全间距不足，储存数量超过设计能力",
    "WH-007": "部分危险化学品包装未粘贴安全标签",
    "WH-008": "作业场所部分防爆电气设备未定期维护",
    "WH-011": "易制爆危险化学品流向登记不完整",
    "WH-012": "专用仓库未执行双人收发、双人保管制度",
    "WH-013": "出入库核查登记记录不完整",
    "WH-014": "专用仓库未设置明显标志，技术防范设施失效",
    "WH-015": "销售记录未载明购买单位和用途，采购来源票据不全",
    "WH-016": "应急救援器材配备不足，应急预案未按规定修订",
    "WH-019": "可燃气体检测报警装置未定期检定，部分探头失效",
    "WH-021": "危险化学品未分区分类储存，禁忌物料混存",
    "YH-002": "现场存放烟花爆竹超过许可限量",
    "YH-006": "烟花爆竹未专柜销售，与其他易燃物品混放",
    "YH-007": "零售场所灭火器已过期，未设置“严禁烟火”警示标志",
    "YH-008": "零售经营者主要负责人未参加安全知识教育",
    "YH-009": "部分烟花爆竹无法提供批发企业进货凭证",
    "YH-010": "向个人销售专业燃放类烟花爆竹",
}
"""What an inspector writes for an item found not to comply (the demo's plausible words)."""

ASSESSMENTS = (
    "安全生产主体责任落实较好",
    "安全管理制度健全，现场管理规范",
    "主要负责人重视安全生产，台账资料齐全",
    "安全管理基本到位，个别环节有待加强",
)
ADVICE = (
    "继续做好日常隐患排查治理",
    "加强从业人员安全教育培训，保持现场管理水平",
    "落实节假日值班值守，做好季节性安全防范",
    "定期组织应急演练，及时修订应急预案",
)


def _choose(options: Sequence[str], *key: str) -> str:
    """A fixed choice per key (SHA-256 of it): varied words, the same in every run."""
    digest = hashlib.sha256("\n".join(key).encode("utf-8")).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def failed_item(visit: DrawnVisit) -> tuple[str, str]:
    """The item found not to comply: the first drawn item with words for it, else the first."""
    for item in visit.items:
        if item[0] in VIOLATIONS:
            return item
    return visit.items[0]


def _day(day: date) -> str:
    """2026年4月29日: a date in running Chinese text."""
    return f"{day.year}年{day.month}月{day.day}日"


def _violation(item: tuple[str, str]) -> str:
    return VIOLATIONS.get(item[0], f"{item[1]}不符合要求")


def result_row(insp: Inspection, *, corrected: bool = False) -> dict[str, str]:
    """The row a clerk writes for one inspection (header → cell text, ISO dates).

    `corrected` writes a PENDING inspection as it stands after its rectification was
    accepted and its penalty decided, with the 更正说明 that says so; other outcomes have
    nothing to correct.
    """
    v = insp.visit
    row = {c.header: "" for c in RESULTS.columns}
    row.update(
        {
            "任务编号": v.task,
            "统一社会信用代码": v.uscc,
            "检查开始日期": insp.started_on.isoformat(),
            "检查结束日期": insp.ended_on.isoformat(),
            "实际检查人员": "、".join(v.team),
            "检查报告日期": insp.reported_on.isoformat(),
            "反馈日期": insp.feedback_on.isoformat(),
        }
    )
    if insp.outcome == CLOSED:
        row.update(
            {
                "检查结果": "已关闭停业或正在组织清算",
                "检查情况": "现场大门紧锁，经所在乡镇和村（居）委会核实，该单位已停止经营",
                "处理意见和建议": "告知登记机关核查；该单位本周期检查仍未完成，恢复经营后应予检查",
            }
        )
        return row
    bad = failed_item(v) if insp.outcome != OK else None
    failing = {bad[0]} if bad else set()
    row["检查事项及结果"] = "；".join(
        f"{item}:{'不符合' if item in failing else '符合'}" for item, _ in v.items
    )
    checked = f"按抽取的 {len(v.items)} 项检查事项（{'、'.join(i for i, _ in v.items)}）逐项检查"
    if bad is None:
        row.update(
            {
                "检查结果": "未发现问题",
                "检查情况": f"{checked}，未发现问题",
                "对被检查人的评价": _choose(ASSESSMENTS, v.task, v.uscc),
                "处理意见和建议": _choose(ADVICE, v.task, v.uscc),
            }
        )
        return row
    found = _violation(bad)
    row["检查情况"] = f"{checked}。发现问题：{bad[0]} {bad[1]}——{found}"
    if insp.outcome in (FIXED, FINED):
        row.update(
            {
                "检查结果": "发现问题经责令已改正",
                "对被检查人的评价": "安全管理存在薄弱环节，现场能够立即整改",
                "处理意见和建议": "责令当场改正，已复查合格",
                "整改期限": insp.ended_on.isoformat(),
                "整改完成日期": insp.ended_on.isoformat(),
            }
        )
        if insp.outcome == FINED:
            row.update(
                {
                    "处理意见和建议": "责令当场改正，已复查合格；依法适用简易程序当场作出行政处罚",
                    "处罚决定书文号": insp.decision_no,
                    "处罚决定日期": insp.ended_on.isoformat(),
                    "处罚内容": "警告，并处罚款人民币贰仟元整",
                }
            )
        return row
    assert insp.rectify_by is not None
    row.update(
        {
            "检查结果": "发现问题待后续处理",
            "对被检查人的评价": "安全生产主体责任落实不到位，存在较大安全风险",
            "处理意见和建议": f"下达责令限期整改指令书，限{_day(insp.rectify_by)}前整改完毕；"
            "对违法行为立案调查",
            "整改期限": insp.rectify_by.isoformat(),
        }
    )
    if corrected:
        assert insp.rectified_on is not None and insp.decided_on is not None
        row.update(
            {
                "检查结果": "发现问题经责令已改正",
                "处理意见和建议": "责令限期整改，已复查合格；立案调查后依法作出行政处罚",
                "处罚决定书文号": insp.decision_no,
                "处罚决定日期": insp.decided_on.isoformat(),
                "处罚内容": "罚款人民币叁万元整",
                "整改完成日期": insp.rectified_on.isoformat(),
                "更正说明": f"{_day(insp.rectified_on)}整改复查合格，补录整改完成日期，"
                "检查结果由“发现问题待后续处理”更正为“发现问题经责令已改正”；"
                f"{_day(insp.decided_on)}作出行政处罚决定，补录查处结果",
            }
        )
    return row


def results_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """Rows as Excel's "CSV UTF-8" writes them (BOM, CRLF, minimal quoting)."""
    headers = [c.header for c in RESULTS.columns]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row[h] for h in headers])
    return buf.getvalue().encode("utf-8-sig")
