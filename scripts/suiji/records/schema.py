"""The six records' columns (docs/RECORDS.md), as data the reader, validator and snapshot share.

One table drives everything: which headers a file may have (Chinese or English alias),
how a cell is read (its *kind*), whether it must be filled, and the column order of the
canonical snapshot. Changing a column here changes the snapshot format, so it is part of
the contract in docs/spec/02-records.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from suiji.model.genesis import DEFAULT_MIN_RANDOM_PERCENT
from suiji.shared.text import match_key

Kind = Literal[
    "uscc",
    "id",
    "text",
    "enum",
    "ref",
    "bool",
    "date",
    "multi",
    "int",
    "ids",
    "categories",
    "findings",
]
"""How a cell is read and stored in the snapshot.

uscc  统一社会信用代码: id_key, GB 32100 check (legacy 15-digit 注册号 with a warning)
id    other ids (人员编号, 事项编号, 执法证号): id_key
text  free text as written (clean_text); scanned for personal data
enum  one of a fixed vocabulary; stored in the vocabulary's own spelling
ref   a name another record defines (片区, 检查组, 股室): clean_text, compared by match_key
bool  是/否 → true/false
date  → "YYYY-MM-DD" or null
multi several values separated by 、;；,， → sorted, de-duplicated list
int   a whole number (annual plan) → JSON integer
ids   several ids separated like multi (the team present at an inspection) → sorted id_keys
categories  result categories (results.py) → official names in national code order
findings    items checked with their findings (results.py) → ((item id, finding), …)
"""

INDUSTRIES: tuple[str, ...] = (
    "危险化学品生产",
    "危险化学品经营（带储存）",
    "危险化学品经营（不带储存）",
    "危险化学品使用",
    "危险化学品储存",
    "烟花爆竹批发",
    "烟花爆竹零售",
)
AFFILIATIONS = ("中央", "省属", "市属", "县属", "其他")
SCALES = ("大型", "中型", "小型", "微型")
RISKS = ("重大风险", "较大风险", "一般风险", "低风险")
SPECIALTIES = ("化工工艺", "电气安全", "消防安全", "危化品储运", "烟花爆竹", "特种设备", "安全管理")
METHODS = ("实地检查", "书面检查", "检验检测", "委托专业机构辅助")
TOTAL_UNIT = "合计"

# Status and staffing words: the one definition (docs/spec/02-records.md §2.5). The first
# word of each record's status vocabulary is its active word; the others retire a row.
ENTERPRISE_ACTIVE = "在册"
ENTERPRISE_RETIRED = ("注销", "吊销", "迁出", "关闭")
INSPECTOR_ACTIVE = "在岗"
INSPECTOR_RETIRED = ("调离", "退休")
EXPERT_ACTIVE = "在库"
EXPERT_RETIRED = ("退出",)
ITEM_ACTIVE = "有效"
ITEM_RETIRED = ("废止",)

ON_STAFF = "编内"
OFF_STAFF = "编外"
STAFFING = (ON_STAFF, OFF_STAFF)

MIN_RANDOM_PERCENT = DEFAULT_MIN_RANDOM_PERCENT
"""The seed document: 双随机 at least 30 % of the annual enforcement plan. Defined once, as
the genesis policy's default (`suiji.model.genesis`); `draw.coverage` derives its ratio."""


@dataclass(frozen=True)
class Column:
    """One column of a record.

    `required`: every row must fill it (and the file must have the column). Columns that
    are required only sometimes (执法证号 for 编内, 退出日期 for retired rows) are
    `required=False` here and checked by the row rules in rules.py.
    `low_card`: few distinct values — validated once per distinct value, not per row.
    """

    header: str
    alias: str
    kind: Kind
    required: bool = False
    draw: bool = False
    choices: tuple[str, ...] = ()
    low_card: bool = False


@dataclass(frozen=True)
class RecordSchema:
    """A record: file stem, Chinese title, columns in snapshot order, key.

    The status words (`active`, `retired`) are read off the 状态 column's vocabulary.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(c.alias for c in self.columns)

    def column(self, alias: str) -> Column:
        for col in self.columns:
            if col.alias == alias:
                return col
        raise KeyError(alias)

    @property
    def active(self) -> tuple[str, ...]:
        """The active word (在册 / 在岗 / 在库 / 有效), or () for a record without 状态."""
        return self._status_words()[:1]

    @property
    def retired(self) -> tuple[str, ...]:
        """The words that retire a row (注销、调离、退出、废止 …)."""
        return self._status_words()[1:]

    def _status_words(self) -> tuple[str, ...]:
        for col in self.columns:
            if col.alias == "status":
                return col.choices
        return ()

    @property
    def has_status(self) -> bool:
        return bool(self.active)

    def header_index(self) -> dict[str, Column]:
        """match_key of every accepted header spelling (Chinese and alias) → column."""
        out: dict[str, Column] = {}
        for col in self.columns:
            out[match_key(col.header)] = col
            out[match_key(col.alias)] = col
        return out


def _status(active: str, retired: tuple[str, ...]) -> tuple[Column, Column, Column]:
    return (
        Column(
            "状态",
            "status",
            "enum",
            required=True,
            draw=True,
            choices=(active, *retired),
            low_card=True,
        ),
        Column("退出日期", "retired_on", "date", draw=True, low_card=True),
        Column("退出原因", "retire_reason", "text", low_card=True),
    )


def _flag(header: str, alias: str) -> Column:
    return Column(header, alias, "bool", draw=True, low_card=True)


ENTERPRISES = RecordSchema(
    name="enterprises",
    title="随机抽查市场主体名录库",
    columns=(
        Column("统一社会信用代码", "uscc", "uscc", required=True, draw=True),
        Column("单位名称", "name", "text", required=True),
        Column(
            "行业类别",
            "industry",
            "enum",
            required=True,
            draw=True,
            choices=INDUSTRIES,
            low_card=True,
        ),
        Column(
            "隶属关系",
            "affiliation",
            "enum",
            required=True,
            draw=True,
            choices=AFFILIATIONS,
            low_card=True,
        ),
        Column("乡镇", "township", "ref", required=True, low_card=True),
        Column("执法片区", "district", "ref", required=True, draw=True, low_card=True),
        Column("规模", "scale", "enum", required=True, draw=True, choices=SCALES, low_card=True),
        Column("风险等级", "risk", "enum", required=True, draw=True, choices=RISKS, low_card=True),
        _flag("重点单位", "key_unit"),
        _flag("投诉较多", "complaints"),
        _flag("事故多发", "accidents"),
        _flag("行政处罚", "penalties"),
        _flag("严重违法", "serious_violation"),
        _flag("黑名单", "blacklist"),
        _flag("重大事故隐患", "major_hazard"),
        Column("经营地址", "address", "text"),
        Column("纳入日期", "added_on", "date", required=True, draw=True, low_card=True),
        Column("更新日期", "updated_on", "date", low_card=True),
        *_status(ENTERPRISE_ACTIVE, ENTERPRISE_RETIRED),
    ),
    key=("uscc",),
)

INSPECTORS = RecordSchema(
    name="inspectors",
    title="执法检查人员名录库",
    columns=(
        Column("人员编号", "person_id", "id", required=True, draw=True),
        Column("姓名", "name", "text", required=True),
        Column("执法证号", "cert_no", "id", draw=True),
        Column("证件有效期至", "cert_expiry", "date", draw=True, low_card=True),
        Column(
            "编制", "staffing", "enum", required=True, draw=True, choices=STAFFING, low_card=True
        ),
        Column("职务", "position", "text", required=True, low_card=True),
        Column("所在股室", "unit", "ref", required=True, draw=True, low_card=True),
        Column("检查组", "group", "ref", draw=True, low_card=True),
        Column("负责片区", "district", "ref", draw=True, low_card=True),
        _flag("分管领导", "leader"),
        *_status(INSPECTOR_ACTIVE, INSPECTOR_RETIRED),
    ),
    key=("person_id",),
)

EXPERTS = RecordSchema(
    name="experts",
    title="专家库",
    columns=(
        Column("专家编号", "expert_id", "id", required=True, draw=True),
        Column("姓名", "name", "text", required=True),
        Column("专业领域", "specialties", "multi", required=True, draw=True, choices=SPECIALTIES),
        Column("职称", "title", "text", low_card=True),
        Column("工作单位", "employer", "text"),
        *_status(EXPERT_ACTIVE, EXPERT_RETIRED),
    ),
    key=("expert_id",),
)

CHECKLIST = RecordSchema(
    name="checklist",
    title="随机抽查事项清单",
    columns=(
        Column("事项编号", "item_id", "id", required=True, draw=True),
        Column("检查事项", "title", "text", required=True, draw=True),
        Column("检查内容", "content", "text"),
        Column("检查依据", "legal_basis", "text", required=True, draw=True),
        Column("适用行业", "industries", "multi", required=True, draw=True, choices=INDUSTRIES),
        Column("检查方式", "method", "text", low_card=True),
        *_status(ITEM_ACTIVE, ITEM_RETIRED),
    ),
    key=("item_id",),
)

RECUSALS = RecordSchema(
    name="recusals",
    title="回避登记",
    columns=(
        Column("人员编号", "person_id", "id", required=True, draw=True),
        Column("统一社会信用代码", "uscc", "uscc", required=True, draw=True),
        Column("回避事由", "reason", "text", required=True, low_card=True),
        Column("登记日期", "registered_on", "date", required=True, draw=True, low_card=True),
    ),
    key=("person_id", "uscc"),
)

ANNUAL_PLAN = RecordSchema(
    name="annual-plan",
    title="年度执法检查计划",
    columns=(
        Column("年度", "year", "int", required=True, draw=True),
        Column("执法单位", "unit", "ref", required=True, draw=True),
        Column("计划检查次数", "planned_total", "int", required=True, draw=True),
        Column("其中双随机次数", "planned_random", "int", required=True, draw=True),
    ),
    key=("year", "unit"),
)

SCHEMAS: tuple[RecordSchema, ...] = (
    ENTERPRISES,
    INSPECTORS,
    EXPERTS,
    CHECKLIST,
    RECUSALS,
    ANNUAL_PLAN,
)
BY_NAME: dict[str, RecordSchema] = {s.name: s for s in SCHEMAS}
RECORD_NAMES: tuple[str, ...] = tuple(s.name for s in SCHEMAS)
DRAW_RECORDS: tuple[str, ...] = ("enterprises", "inspectors", "experts", "checklist", "recusals")


# ---------------------------------------------------------------- inspection results

RESULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("1", "未发现问题"),
    ("A", "发现问题待后续处理"),
    ("E", "发现问题经责令已改正"),
    ("F", "未发现开展本次抽查涉及的经营活动"),
    ("6", "通过登记的住所（经营场所）无法联系"),
    ("7", "已关闭停业或正在组织清算"),
    ("8", "不配合检查情节严重"),
    ("9", "注销"),
    ("10", "被吊销"),
    ("11", "被撤销"),
    ("12", "迁出"),
    ("5", "违反其他部门相关规定"),
)
"""The national result categories (code, official name) in the platforms' order; a result
stores the official names of the categories it selects, in this order."""

RESULT_CATEGORY_ALIASES: dict[str, str] = {
    "发现问题已责令改正": "发现问题经责令已改正",
    "通过登记的住所无法联系": "通过登记的住所（经营场所）无法联系",
    "通过登记的经营场所无法联系": "通过登记的住所（经营场所）无法联系",
    "吊销": "被吊销",
    "撤销": "被撤销",
}
"""Other spellings of a category seen on provincial platforms → the official name."""

NO_PROBLEM = "未发现问题"
INSPECTED_CATEGORIES = (
    "未发现问题",
    "发现问题待后续处理",
    "发现问题经责令已改正",
    "违反其他部门相关规定",
)
"""Categories that say the inspection took place, so the items checked must be listed
(the others — closed, unreachable, deregistered … — may leave 检查事项及结果 empty)."""
FINDINGS: tuple[str, ...] = ("符合", "不符合", "不适用")
"""What an item checked may be found: complies, does not comply, not applicable here."""

RESULTS = RecordSchema(
    name="results",
    title="抽查检查结果",
    columns=(
        Column("任务编号", "task_id", "id", required=True),
        Column("统一社会信用代码", "uscc", "uscc", required=True),
        Column("检查开始日期", "started_on", "date", required=True),
        Column("检查结束日期", "ended_on", "date", required=True),
        Column("实际检查人员", "team", "ids", required=True),
        Column("检查事项及结果", "findings", "findings"),
        Column("检查结果", "categories", "categories", required=True),
        Column("检查情况", "observations", "text"),
        Column("对被检查人的评价", "assessment", "text"),
        Column("处理意见和建议", "opinions", "text"),
        Column("处罚决定书文号", "decision_no", "text"),
        Column("处罚决定日期", "decided_on", "date"),
        Column("处罚内容", "penalty", "text"),
        Column("检查报告日期", "reported_on", "date"),
        Column("反馈日期", "feedback_on", "date"),
        Column("整改期限", "rectify_by", "date"),
        Column("整改完成日期", "rectified_on", "date"),
        Column("更正说明", "correction", "text"),
    ),
    key=("task_id", "uscc"),
)
"""Inspection results (content/records/results/*.csv|xlsx): one row per task and
enterprise. Optional and not one of the six draw records: no snapshot yet."""
