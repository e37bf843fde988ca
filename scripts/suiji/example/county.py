"""The fictional 示例县应急管理局 and its records, generated deterministically.

The demo, the tests and the site all need a county that looks like a real one: a few
hundred hazardous-chemical and fireworks units, two dozen officers in four inspection
groups, a checklist with real legal bases, a recusal list and an annual plan. Writing
them from a fixed seed (``random.Random(SEED)``, never the clock) means anyone can
regenerate ``content/records/`` and get the committed files byte for byte:

    python -m suiji.examplecounty content/records

Everything is fictional: 示例县 (in 示例市, 示例省), its townships, companies and people.
The administrative division code 990101 is not a GB/T 2260 code (no province has 99).
The legal bases in the checklist are real articles of real laws and rules.

Besides the UTF-8 CSVs (``enterprises.csv`` with a BOM, as Excel's "CSV UTF-8" writes it;
the others without), the enterprise registry is also written as clerks' tools produce it
(``samples/``): an ``.xlsx`` with date serials and one credit code typed as a number, and
Excel's plain "CSV" in GB18030 with ``2026/1/5``-style dates. The xlsx is byte-stable too
(fixed zip and document timestamps) for a given openpyxl and zlib.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from suiji.records.uscc import ALPHABET, check_char, make_code, org_check_char

SEED = 20260101
COUNTY = "示例县"
CITY = "示例市"
PROVINCE = "示例省"
DIVISION = "990101"
"""Fictional 6-digit division code used in every credit code (no GB/T 2260 province is 99)."""

FIRST_IMPORT = date(2019, 7, 15)
"""When the registry was first compiled (the 2019 实施方案); most older units date from it."""
LATEST_DATE = date(2026, 1, 30)
"""No date in the records is later than this, so the 2026 demo year starts after them."""
FIXED_TIMESTAMP = datetime(2026, 1, 30, 9, 0, 0)
"""Document and zip-entry timestamps of the xlsx sample, so its bytes are reproducible."""

# ---------------------------------------------------------------- places

DISTRICTS = ("第一片区", "第二片区", "第三片区", "第四片区")

TOWNSHIPS: dict[str, str] = {
    "城关镇": "第一片区",
    "凤鸣街道": "第一片区",
    "桃源乡": "第一片区",
    "东岭镇": "第二片区",
    "青石镇": "第二片区",
    "柳溪乡": "第二片区",
    "西河镇": "第三片区",
    "白沙镇": "第三片区",
    "南湖乡": "第三片区",
    "北坪镇": "第四片区",
    "云台乡": "第四片区",
    "石门乡": "第四片区",
}
"""Township → enforcement district. 东岭镇 hosts the county's chemical park."""

CHEMICAL_PARK = "东岭镇"
ROADS = (
    "人民路",
    "建设路",
    "解放路",
    "兴业路",
    "工业路",
    "幸福路",
    "朝阳路",
    "滨河路",
    "府前街",
    "东大街",
    "西大街",
    "南环路",
    "北环路",
    "振兴路",
    "文化路",
    "迎宾大道",
)
PARK_ROADS = ("经一路", "经二路", "经三路", "纬一路", "纬二路", "纬三路")
VILLAGES = (
    "上河村",
    "下湾村",
    "杨树村",
    "石桥村",
    "高庄村",
    "新民村",
    "枣林村",
    "后营村",
    "前进村",
    "龙泉村",
)

# ---------------------------------------------------------------- enterprises

PRODUCTION = "危险化学品生产"
OP_STORAGE = "危险化学品经营（带储存）"
OP_NO_STORAGE = "危险化学品经营（不带储存）"
USE = "危险化学品使用"
STORAGE = "危险化学品储存"
FW_WHOLESALE = "烟花爆竹批发"
FW_RETAIL = "烟花爆竹零售"
INDUSTRIES = (PRODUCTION, OP_STORAGE, OP_NO_STORAGE, USE, STORAGE, FW_WHOLESALE, FW_RETAIL)
HAZCHEM = (PRODUCTION, OP_STORAGE, OP_NO_STORAGE, USE, STORAGE)
FIREWORKS = (FW_WHOLESALE, FW_RETAIL)

ZIHAO = (
    "恒通",
    "鑫源",
    "华泰",
    "永兴",
    "宏达",
    "金鼎",
    "瑞丰",
    "隆盛",
    "国泰",
    "昌盛",
    "嘉禾",
    "万通",
    "泰和",
    "兴隆",
    "鸿运",
    "福满",
    "旺达",
    "聚源",
    "天成",
    "益民",
    "安达",
    "通达",
    "广源",
    "德隆",
    "富康",
    "顺发",
    "新兴",
    "利民",
    "东方",
    "晨光",
    "凯盛",
    "华康",
    "博远",
    "亿达",
    "金诚",
    "宏远",
    "盛世",
    "长青",
    "润丰",
    "荣昌",
    "鼎盛",
    "开元",
    "中兴",
    "祥和",
    "永固",
    "大成",
    "汇源",
    "乾元",
    "龙腾",
    "四海",
    "堃元",
    "佳禾",
    "春晖",
    "瑞祥",
    "金桥",
    "红星",
    "山河",
    "合力",
    "同心",
    "平安",
)
"""Trade names (字号). 堃 is in GBK but not GB2312, as real registries have."""

NEW_UNIT_START = date(2019, 8, 1)

ENTERPRISE_HEADERS = (
    "统一社会信用代码",
    "单位名称",
    "行业类别",
    "隶属关系",
    "乡镇",
    "执法片区",
    "规模",
    "风险等级",
    "重点单位",
    "投诉较多",
    "事故多发",
    "行政处罚",
    "严重违法",
    "黑名单",
    "重大事故隐患",
    "经营地址",
    "纳入日期",
    "更新日期",
    "状态",
    "退出日期",
    "退出原因",
)
FLAG_HEADERS = (
    "重点单位",
    "投诉较多",
    "事故多发",
    "行政处罚",
    "严重违法",
    "黑名单",
    "重大事故隐患",
)
DATE_HEADERS = ("纳入日期", "更新日期", "退出日期")


@dataclass(frozen=True)
class UnitKind:
    """How one industry's units look: how many, where, how big and how risky."""

    industry: str
    count: int
    suffixes: tuple[str, ...]
    scales: tuple[str, ...]
    risks: tuple[str, ...]
    in_park: float  # share of units in the chemical park


KINDS: tuple[UnitKind, ...] = (
    UnitKind(
        PRODUCTION,
        16,
        (
            "化工有限公司",
            "精细化工有限公司",
            "化学有限公司",
            "新材料科技有限公司",
            "气体有限公司",
            "生物科技有限公司",
        ),
        ("大型", "中型", "中型", "小型", "小型"),
        ("重大风险", "较大风险", "较大风险", "一般风险"),
        0.75,
    ),
    UnitKind(
        OP_STORAGE,
        48,
        (),
        ("中型", "小型", "小型", "微型"),
        ("较大风险", "一般风险", "一般风险"),
        0.1,
    ),
    UnitKind(
        OP_NO_STORAGE,
        60,
        (
            "化工贸易有限公司",
            "商贸有限公司",
            "化工产品销售有限公司",
            "科技有限公司",
            "能源有限公司",
            "化玻仪器有限公司",
        ),
        ("小型", "微型", "微型"),
        ("一般风险", "低风险", "低风险"),
        0.1,
    ),
    UnitKind(
        USE,
        28,
        (
            "制药有限公司",
            "涂料有限公司",
            "水处理剂有限公司",
            "树脂有限公司",
            "新能源材料有限公司",
            "胶业有限公司",
            "医药化工有限公司",
        ),
        ("中型", "小型", "小型"),
        ("较大风险", "一般风险", "一般风险"),
        0.6,
    ),
    UnitKind(
        STORAGE,
        8,
        ("化工仓储有限公司", "物流有限公司", "储运有限公司"),
        ("中型", "小型"),
        ("重大风险", "较大风险", "较大风险"),
        0.6,
    ),
    UnitKind(FW_WHOLESALE, 3, ("烟花爆竹有限公司",), ("中型", "小型"), ("较大风险",), 0.0),
    UnitKind(
        FW_RETAIL,
        162,
        ("烟花爆竹零售点", "便利店", "超市", "百货店", "烟花爆竹经营部"),
        ("微型",),
        ("一般风险", "低风险", "低风险"),
        0.0,
    ),
)

FIXED_UNITS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # industry → (name, affiliation, township) of units a reader will recognise in the demo
    PRODUCTION: (("示例县东岭化工有限公司", "其他", "东岭镇"),),
    OP_STORAGE: (
        ("国联石油销售有限公司示例县城关加油站", "中央", "城关镇"),
        ("国联石油销售有限公司示例县西河加油站", "中央", "西河镇"),
        ("国联石油销售有限公司示例县北坪加油站", "中央", "北坪镇"),
        ("示例省交通能源有限公司示例县青石加油站", "省属", "青石镇"),
        ("示例省交通能源有限公司示例县白沙加油站", "省属", "白沙镇"),
        ("示例市城市燃气有限公司示例县液化气供应站", "市属", "凤鸣街道"),
        ("示例县燃气有限公司", "县属", "城关镇"),
    ),
    USE: (("示例县自来水有限公司", "县属", "城关镇"),),
    FW_WHOLESALE: (("示例县供销烟花爆竹有限公司", "县属", "城关镇"),),
    FW_RETAIL: (
        ("示例县城关烟花爆竹零售店", "其他", "城关镇"),
        ("示例县东岭镇𠮷祥烟花爆竹零售点", "其他", "东岭镇"),  # 𠮷 is outside GBK
    ),
}

NUMERIC_CODE_UNIT = "示例县宏远化工贸易有限公司"
"""Gets an all-digit credit code ending in 000: the one Excel keeps exactly as a number."""

RETIREMENTS: tuple[tuple[str, str, str], ...] = (
    # (industry, 状态, 退出原因)
    (FW_RETAIL, "注销", "营业执照已注销"),
    (FW_RETAIL, "关闭", "零售许可证到期未延续，停止经营"),
    (FW_RETAIL, "关闭", "零售许可证到期未延续，停止经营"),
    (FW_RETAIL, "迁出", "经营场所迁出本县"),
    (OP_NO_STORAGE, "注销", "营业执照已注销"),
    (OP_NO_STORAGE, "吊销", "营业执照被依法吊销"),
    (OP_STORAGE, "关闭", "加油站拆除，停止经营"),
    (USE, "关闭", "企业关闭退出"),
)

# ---------------------------------------------------------------- inspectors

INSPECTOR_HEADERS = (
    "人员编号",
    "姓名",
    "执法证号",
    "证件有效期至",
    "编制",
    "职务",
    "所在股室",
    "检查组",
    "负责片区",
    "分管领导",
    "状态",
    "退出日期",
    "退出原因",
)
GROUPS = ("第一检查组", "第二检查组", "第三检查组", "第四检查组")
GROUP_DISTRICT = dict(zip(GROUPS, DISTRICTS, strict=True))
UNITS = ("执法大队", "危化股", "监督管理股", "法规股")
"""所在股室 that carry out inspections (each has a row in the annual plan)."""

LEADERS: tuple[tuple[str, str, str], ...] = (
    # (姓名, 职务, 所在股室): 分管领导 who lead teams; they belong to no group
    ("周建国", "副局长兼执法大队大队长", "执法大队"),
    ("孙丽萍", "副局长", "危化股"),
    ("马卫东", "党组成员、副局长", "监督管理股"),
)

GROUP_MEMBERS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # 检查组 → (姓名, 职务, 所在股室, 编制)
    "第一检查组": (
        ("王堃", "中队长", "执法大队", "编内"),
        ("陈静", "副股长", "危化股", "编内"),
        ("赵磊", "执法队员", "执法大队", "编内"),
        ("黄敏", "科员", "监督管理股", "编内"),
        ("吴涛", "股长", "法规股", "编内"),
        ("徐丽", "执法队员", "执法大队", "编内"),
        ("朱明", "科员", "监督管理股", "编内"),
        ("胡军", "科员", "危化股", "编内"),
        ("郭鹏", "协管员", "执法大队", "编外"),
        ("何欣", "协管员", "执法大队", "编外"),
    ),
    "第二检查组": (
        ("李喆", "中队长", "执法大队", "编内"),
        ("高峰", "股长", "危化股", "编内"),
        ("林娜", "执法队员", "执法大队", "编内"),
        ("罗勇", "副股长", "监督管理股", "编内"),
        ("郑浩", "科员", "法规股", "编内"),
        ("梁燕", "执法队员", "执法大队", "编内"),
        ("谢斌", "科员", "监督管理股", "编内"),
        ("宋佳", "科员", "危化股", "编内"),
        ("唐亮", "协管员", "执法大队", "编外"),
        ("许婷", "协管员", "执法大队", "编外"),
    ),
    "第三检查组": (
        ("张伟", "中队长", "执法大队", "编内"),
        ("韩冰", "科员", "危化股", "编内"),
        ("冯强", "执法队员", "执法大队", "编内"),
        ("曹阳", "股长", "监督管理股", "编内"),
        ("彭辉", "科员", "法规股", "编内"),
        ("曾琳", "执法队员", "执法大队", "编内"),
        ("肖鹏", "科员", "监督管理股", "编内"),
        ("田甜", "科员", "危化股", "编内"),
        ("潘磊", "协管员", "执法大队", "编外"),
        ("袁芳", "协管员", "执法大队", "编外"),
    ),
    "第四检查组": (
        ("刘文斌", "副大队长", "执法大队", "编内"),
        ("蒋睿", "科员", "危化股", "编内"),
        ("蔡宁", "执法队员", "执法大队", "编内"),
        ("余波", "科员", "监督管理股", "编内"),
        ("杜娟", "副股长", "法规股", "编内"),
        ("叶青", "执法队员", "执法大队", "编内"),
        ("程刚", "科员", "监督管理股", "编内"),
        ("魏然", "科员", "危化股", "编内"),
        ("苏畅", "协管员", "执法大队", "编外"),
        ("吕毅", "协管员", "执法大队", "编外"),
    ),
}

TRANSFERRED = ("丁蕾", "执法队员", "执法大队", "第二检查组", date(2025, 10, 31), "工作调动")
"""One officer who left: kept as a row with 状态 调离 (rows are never deleted)."""

CERT_EXPIRY_OVERRIDES: dict[str, date] = {
    "胡军": date(2025, 12, 31),  # already expired: must not count as an officer
    "梁燕": date(2026, 3, 31),
    "彭辉": date(2026, 6, 30),
    "蔡宁": date(2026, 9, 30),
}
CERT_EXPIRIES = (
    date(2027, 6, 30),
    date(2027, 12, 31),
    date(2028, 6, 30),
    date(2028, 12, 31),
    date(2029, 6, 30),
    date(2029, 12, 31),
)

# ---------------------------------------------------------------- experts

EXPERT_HEADERS = (
    "专家编号",
    "姓名",
    "专业领域",
    "职称",
    "工作单位",
    "状态",
    "退出日期",
    "退出原因",
)
EXPERTS: tuple[tuple[str, str, str, str], ...] = (
    # (姓名, 专业领域, 职称, 工作单位)
    ("林志远", "化工工艺、安全管理", "正高级工程师", "示例市化工设计研究院"),
    ("郑秀兰", "危化品储运、消防安全", "高级工程师", "示例市安全生产技术服务中心"),
    ("孔德明", "电气安全、特种设备", "高级工程师", "示例市特种设备检验所"),
    ("秦海涛", "烟花爆竹、安全管理", "高级工程师", "示例省烟花爆竹产品质量检验站"),
    ("范丽君", "化工工艺", "高级工程师", "示例县东岭化工有限公司"),
    ("钱永刚", "消防安全、电气安全", "工程师", "示例市消防技术服务有限公司"),
    ("方晓燕", "安全管理、危化品储运", "高级工程师", "示例市安全生产技术服务中心"),
    ("姚国平", "化工工艺、特种设备", "正高级工程师", "示例省化工研究院"),
    ("邵文华", "烟花爆竹", "高级工程师", "示例市烟花爆竹行业协会"),
    ("贺建平", "危化品储运", "工程师", "示例市危险货物运输协会"),
    ("龚雪梅", "安全管理", "副教授", "示例职业技术学院"),
    ("万里明", "电气安全", "高级工程师", "示例市供电设计院"),
    ("常海燕", "化工工艺、危化品储运", "高级工程师", "示例市化工设计研究院"),
    ("熊志刚", "特种设备", "高级工程师", "示例市特种设备检验所"),
    ("雷振华", "烟花爆竹、消防安全", "工程师", "示例市应急管理技术中心"),
    ("尹淑珍", "安全管理、化工工艺", "教授", "示例职业技术学院"),
    ("严俊峰", "消防安全", "高级工程师", "示例市建筑设计研究院"),
    ("汪海波", "化工工艺", "高级工程师", "示例省化工研究院"),
)
EXPERT_RETIRED = {"贺建平": (date(2025, 12, 31), "本人申请退出专家库")}

# ---------------------------------------------------------------- checklist

CHECKLIST_HEADERS = (
    "事项编号",
    "检查事项",
    "检查内容",
    "检查依据",
    "适用行业",
    "检查方式",
    "状态",
    "退出日期",
    "退出原因",
)
AQF = "《中华人民共和国安全生产法》"
WHT = "《危险化学品安全管理条例》"
YHT = "《烟花爆竹安全管理条例》"
ZDB = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》"
ALL = INDUSTRIES
NOT_RETAIL = INDUSTRIES[:-1]
P, OS, ON, U, S, FW, FR = INDUSTRIES
DANGEROUS_GOODS = (P, OS, ON, S, FW)  # 危险物品的生产、经营、储存单位 (安全生产法 §24, §27)
ON_SITE = (P, OS, U, S)
ON_SITE_FW = (P, OS, U, S, FW)

CHECKLIST: tuple[tuple[str, str, str, str, tuple[str, ...], str], ...] = (
    # (事项编号, 检查事项, 检查内容, 检查依据, 适用行业, 检查方式)
    (
        "TY-001",
        "主要负责人安全生产职责落实情况",
        "主要负责人是否建立健全并落实全员安全生产责任制，组织制定规章制度、操作规程、教育培训计划和应急救援预案",
        f"{AQF}第二十一条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-002",
        "全员安全生产责任制建立情况",
        "责任制是否明确各岗位的责任人员、责任范围和考核标准，并落实考核",
        f"{AQF}第四条、第二十二条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-003",
        "安全生产管理机构设置和专职安全生产管理人员配备情况",
        "是否设置安全生产管理机构或者配备专职安全生产管理人员",
        f"{AQF}第二十四条",
        DANGEROUS_GOODS,
        "书面检查",
    ),
    (
        "TY-004",
        "主要负责人和安全生产管理人员安全生产知识和管理能力考核情况",
        "主要负责人和安全生产管理人员是否经考核合格",
        f"{AQF}第二十七条",
        DANGEROUS_GOODS,
        "书面检查",
    ),
    (
        "TY-005",
        "注册安全工程师配备情况",
        "危险物品的生产、储存单位是否有注册安全工程师从事安全生产管理工作",
        f"{AQF}第二十七条",
        (P, S),
        "书面检查",
    ),
    (
        "TY-006",
        "从业人员安全生产教育和培训情况",
        "新上岗从业人员岗前培训学时、每年再培训学时是否达到要求，是否建立安全生产教育和培训档案",
        f"{AQF}第二十八条；《生产经营单位安全培训规定》第十三条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-007",
        "主要负责人和安全生产管理人员培训学时",
        "初次安全培训不少于48学时，每年再培训不少于16学时",
        "《生产经营单位安全培训规定》第九条",
        DANGEROUS_GOODS,
        "书面检查",
    ),
    (
        "TY-008",
        "特种作业人员持证上岗情况",
        "特种作业人员是否经专门的安全作业培训并取得相应资格",
        f"{AQF}第三十条；《特种作业人员安全技术培训考核管理规定》第五条",
        ON_SITE,
        "实地检查",
    ),
    (
        "TY-009",
        "安全警示标志设置情况",
        "有较大危险因素的生产经营场所和有关设施、设备上是否设置明显的安全警示标志",
        f"{AQF}第三十五条",
        ALL,
        "实地检查",
    ),
    (
        "TY-010",
        "安全设备维护、保养和定期检测情况",
        "安全设备是否经常性维护、保养并定期检测，是否关闭、破坏监控、报警、防护、救生设备设施",
        f"{AQF}第三十六条",
        ON_SITE_FW,
        "实地检查",
    ),
    (
        "TY-011",
        "安全风险分级管控和事故隐患排查治理情况",
        "是否建立安全风险分级管控制度和事故隐患排查治理制度，隐患排查治理情况是否如实记录",
        f"{AQF}第四十一条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-012",
        "经营储存场所与员工宿舍设置及疏散通道情况",
        "车间、商店、仓库是否与员工宿舍在同一座建筑物内；疏散通道、安全出口是否畅通",
        f"{AQF}第四十二条",
        ALL,
        "实地检查",
    ),
    (
        "TY-013",
        "危险作业现场安全管理情况",
        "动火、临时用电、吊装等危险作业是否安排专门人员进行现场安全管理",
        f"{AQF}第四十三条",
        ON_SITE,
        "实地检查",
    ),
    (
        "TY-014",
        "劳动防护用品配备和使用情况",
        "是否为从业人员提供符合国家标准或者行业标准的劳动防护用品，并监督正确佩戴、使用",
        f"{AQF}第四十五条",
        ON_SITE_FW,
        "实地检查",
    ),
    (
        "TY-015",
        "安全生产责任保险投保情况",
        "是否依法参加工伤保险，高危行业单位是否投保安全生产责任保险",
        f"{AQF}第五十一条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-016",
        "生产安全事故应急救援预案制定和备案情况",
        "是否制定应急救援预案并与县级预案相衔接，是否按规定备案",
        f"{AQF}第八十一条；《生产安全事故应急预案管理办法》第二十六条",
        NOT_RETAIL,
        "书面检查",
    ),
    (
        "TY-017",
        "应急预案演练情况",
        "每年至少组织一次综合或者专项应急预案演练，每半年至少组织一次现场处置方案演练",
        "《生产安全事故应急预案管理办法》第三十三条",
        ON_SITE_FW,
        "书面检查",
    ),
    (
        "TY-018",
        "应急救援组织和应急救援器材配备情况",
        "是否建立应急救援组织或者指定兼职应急救援人员，是否配备必要的应急救援器材、设备和物资",
        f"{AQF}第八十二条",
        (P, OS, S, FW),
        "实地检查",
    ),
    (
        "TY-019",
        "安全生产投入保障情况",
        "是否具备安全生产条件所必需的资金投入，是否按规定提取和使用安全生产费用",
        f"{AQF}第二十三条",
        ON_SITE_FW,
        "书面检查",
    ),
    (
        "TY-020",
        "建设项目安全设施“三同时”情况",
        "新建、改建、扩建工程项目的安全设施是否与主体工程同时设计、同时施工、同时投入生产和使用",
        f"{AQF}第三十一条",
        ON_SITE,
        "书面检查",
    ),
    (
        "TY-021",
        "危险物品专门安全管理制度和安全措施",
        "生产、经营、储存、使用危险物品是否建立专门的安全管理制度，采取可靠的安全措施",
        f"{AQF}第三十九条",
        ALL,
        "实地检查",
    ),
    (
        "WH-001",
        "危险化学品安全生产许可证取得情况",
        "是否取得危险化学品安全生产许可证并在有效期内，生产品种是否在许可范围内",
        f"《安全生产许可证条例》第二条；{WHT}第十四条",
        (P,),
        "书面检查",
    ),
    (
        "WH-002",
        "危险化学品经营许可证取得情况",
        "是否取得危险化学品经营许可证并在有效期内，是否超许可范围经营",
        f"{WHT}第三十三条",
        (OS, ON),
        "书面检查",
    ),
    (
        "WH-003",
        "危险化学品经营企业基本安全条件",
        "经营场所、规章制度和岗位操作规程、人员培训考核、事故应急预案和救援器材是否符合要求",
        f"《危险化学品经营许可证管理办法》第六条；{WHT}第三十四条",
        (OS, ON),
        "实地检查",
    ),
    (
        "WH-004",
        "带储存设施经营企业的储存条件",
        "储存设施与相关场所的距离、安全评价、专职安全管理人员资格是否符合要求",
        "《危险化学品经营许可证管理办法》第八条",
        (OS,),
        "实地检查",
    ),
    (
        "WH-005",
        "危险化学品安全使用许可证取得情况",
        "使用量达到规定数量的化工企业是否取得危险化学品安全使用许可证",
        f"{WHT}第二十九条",
        (U,),
        "书面检查",
    ),
    (
        "WH-006",
        "危险化学品使用安全管理制度和操作规程",
        "使用条件（包括工艺）是否符合要求，是否建立健全使用危险化学品的安全管理规章制度和安全操作规程",
        f"{WHT}第二十八条",
        (U,),
        "书面检查",
    ),
    (
        "WH-007",
        "化学品安全技术说明书和安全标签",
        "是否提供或者索取与危险化学品相符的化学品安全技术说明书和安全标签",
        f"{WHT}第十五条、第三十七条",
        (P, OS, ON),
        "实地检查",
    ),
    (
        "WH-008",
        "作业场所安全设施、设备设置和维护情况",
        "是否按危险特性设置监测、监控、通风、防火、防爆、泄压、防毒、防雷、防静电、防泄漏等安全设施、设备",
        f"{WHT}第二十条",
        (P, OS, S),
        "实地检查",
    ),
    (
        "WH-009",
        "通信、报警装置设置情况",
        "生产、储存危险化学品的作业场所是否设置通信、报警装置并保证处于适用状态",
        f"{WHT}第二十一条",
        (P, OS, S),
        "实地检查",
    ),
    (
        "WH-010",
        "安全评价开展情况",
        "是否委托具备资质的机构每3年进行一次安全评价，整改措施是否落实",
        f"{WHT}第二十二条",
        (P, OS, S),
        "书面检查",
    ),
    (
        "WH-011",
        "剧毒化学品、易制爆危险化学品流向管理",
        "生产、储存单位是否如实记录数量、流向，是否采取必要的安全防范措施防止丢失或者被盗",
        f"{WHT}第二十三条",
        (P, OS, S),
        "书面检查",
    ),
    (
        "WH-012",
        "危险化学品专用仓库储存和双人收发、双人保管",
        "危险化学品是否储存在专用仓库、专用场地或者专用储存室内并由专人管理",
        f"{WHT}第二十四条",
        ON_SITE,
        "实地检查",
    ),
    (
        "WH-013",
        "危险化学品出入库核查、登记制度",
        "是否建立并执行危险化学品出入库核查、登记制度",
        f"{WHT}第二十五条",
        ON_SITE,
        "书面检查",
    ),
    (
        "WH-014",
        "专用仓库标志和技术防范设施",
        "专用仓库是否符合国家标准、行业标准并设置明显标志，剧毒、易制爆品仓库是否设置技术防范设施",
        f"{WHT}第二十六条",
        (P, OS, S),
        "实地检查",
    ),
    (
        "WH-015",
        "危险化学品采购来源和销售记录",
        "是否向未经许可的单位采购危险化学品，剧毒化学品、易制爆危险化学品销售记录是否完整并保存",
        f"{WHT}第三十七条、第四十条",
        (OS, ON),
        "书面检查",
    ),
    (
        "WH-016",
        "危险化学品事故应急预案和应急救援器材",
        "是否制定危险化学品事故应急预案，配备应急救援人员和必要的器材、设备，并定期演练",
        f"{WHT}第七十条",
        HAZCHEM,
        "书面检查",
    ),
    (
        "WH-017",
        "重大危险源辨识、评估和登记建档",
        "是否对装置、设施或者场所进行重大危险源辨识和安全评估，是否登记建档并备案",
        f"《危险化学品重大危险源监督管理暂行规定》第七条、第八条；{AQF}第四十条",
        ON_SITE,
        "书面检查",
    ),
    (
        "WH-018",
        "重大危险源安全监测监控",
        "是否配备温度、压力、液位等不间断采集和监测系统及气体泄漏检测报警装置，数据保存是否不少于30天",
        "《危险化学品重大危险源监督管理暂行规定》第十三条",
        (P, OS, S),
        "实地检查",
    ),
    (
        "WH-019",
        "可燃和有毒有害气体检测报警及防爆电气设备",
        "涉及可燃和有毒有害气体泄漏的场所是否设置检测报警装置，爆炸危险场所是否使用防爆电气设备",
        f"{ZDB}第十二项",
        ON_SITE,
        "检验检测",
    ),
    (
        "WH-020",
        "特殊作业管理制度及执行情况",
        "是否制定动火、进入受限空间等特殊作业管理制度并有效执行",
        f"{ZDB}第十八项",
        (P, U, S),
        "实地检查",
    ),
    (
        "WH-021",
        "危险化学品分区分类储存情况",
        "是否分区分类储存，是否超量、超品种储存，相互禁配物质是否混放混存",
        f"{ZDB}第二十项",
        ON_SITE,
        "实地检查",
    ),
    (
        "WH-022",
        "重点监管危险化工工艺自动化控制和紧急停车",
        "涉及重点监管危险化工工艺的装置是否实现自动化控制、紧急停车功能并投入使用",
        f"{ZDB}第四项",
        (P,),
        "委托专业机构辅助",
    ),
    (
        "WH-023",
        "安全阀、爆破片等安全附件投用情况",
        "安全阀、爆破片等安全附件是否正常投用",
        f"{ZDB}第十五项",
        (P, U, S),
        "实地检查",
    ),
    (
        "WH-024",
        "液化气体充装万向管道系统",
        "液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装是否使用万向管道充装系统",
        f"{ZDB}第七项",
        (P, OS, S),
        "实地检查",
    ),
    (
        "WH-025",
        "双重电源和不间断电源",
        "化工生产装置是否按要求设置双重电源供电，自动化控制系统是否设置不间断电源",
        f"{ZDB}第十四项",
        (P,),
        "实地检查",
    ),
    (
        "WH-026",
        "操作规程和工艺控制指标",
        "是否制定操作规程和工艺控制指标并严格执行",
        f"{ZDB}第十七项",
        (P, U),
        "书面检查",
    ),
    (
        "YH-001",
        "烟花爆竹经营（批发）许可证取得情况",
        "是否取得批发许可证并在有效期内，经营场所和仓库是否与许可一致",
        f"{YHT}第三条、第十九条",
        (FW,),
        "书面检查",
    ),
    (
        "YH-002",
        "烟花爆竹经营（零售）许可证和限制存放量",
        "是否取得零售许可证并在有效期内，经营场所地址、经营期限、存放量是否与许可证载明的一致",
        f"{YHT}第十九条",
        (FR,),
        "实地检查",
    ),
    (
        "YH-003",
        "批发企业安全距离、经营场所和储存仓库",
        "经营场所与周边建筑、设施是否保持必要的安全距离，是否有符合国家标准的经营场所和储存仓库",
        f"{YHT}第十七条",
        (FW,),
        "实地检查",
    ),
    (
        "YH-004",
        "批发企业保管员、仓库守护员配备",
        "是否配备保管员、仓库守护员",
        f"{YHT}第十七条",
        (FW,),
        "实地检查",
    ),
    (
        "YH-005",
        "批发企业应急救援预案、组织和器材",
        "是否有事故应急救援预案、应急救援组织和人员，并配备必要的应急救援器材、设备",
        f"{YHT}第十七条",
        (FW,),
        "书面检查",
    ),
    (
        "YH-006",
        "零售经营专店或者专柜销售",
        "是否实行专店或者专柜销售，是否设专人负责安全管理",
        f"{YHT}第十八条",
        (FR,),
        "实地检查",
    ),
    (
        "YH-007",
        "零售经营场所消防器材和安全警示标志",
        "经营场所是否配备必要的消防器材，是否张贴明显的安全警示标志",
        f"{YHT}第十八条",
        (FR,),
        "实地检查",
    ),
    (
        "YH-008",
        "零售经营者主要负责人安全知识教育",
        "主要负责人是否经过安全知识教育",
        f"{YHT}第十八条",
        (FR,),
        "书面检查",
    ),
    (
        "YH-009",
        "烟花爆竹采购渠道",
        "批发企业是否向生产企业采购、零售经营者是否向批发企业采购，是否采购和销售非法生产、经营的烟花爆竹",
        f"{YHT}第二十条",
        FIREWORKS,
        "书面检查",
    ),
    (
        "YH-010",
        "专业燃放类烟花爆竹的供应和销售",
        "批发企业是否向零售经营者供应、零售经营者是否销售应由专业燃放人员燃放的烟花爆竹",
        f"{YHT}第二十条",
        FIREWORKS,
        "实地检查",
    ),
)

CHECKLIST_RETIRED: tuple[tuple[str, str, str, str, tuple[str, ...], str, date, str], ...] = (
    (
        "TY-099",
        "主要负责人安全生产职责落实情况（旧）",
        "主要负责人是否履行安全生产法规定的七项职责",
        "《中华人民共和国安全生产法》（2014年修正）第十八条",
        NOT_RETAIL,
        "书面检查",
        date(2021, 9, 1),
        "依据条款已随安全生产法2021年修正变更，由 TY-001 代替",
    ),
)

# ---------------------------------------------------------------- recusals and plan

RECUSAL_HEADERS = ("人员编号", "统一社会信用代码", "回避事由", "登记日期")
PLAN_HEADERS = ("年度", "执法单位", "计划检查次数", "其中双随机次数")
PLAN_YEAR = 2026
PLAN: tuple[tuple[str, int, int], ...] = (
    # (执法单位, 计划检查次数, 其中双随机次数)
    ("执法大队", 360, 150),
    ("危化股", 160, 50),
    ("监督管理股", 120, 40),
    ("法规股", 40, 12),
)

Row = dict[str, str]


@dataclass(frozen=True)
class County:
    """All six records as rows of header → cell text (dates ISO, yes/no 是/否/empty)."""

    enterprises: list[Row]
    inspectors: list[Row]
    experts: list[Row]
    checklist: list[Row]
    recusals: list[Row]
    plan: list[Row]
    numeric_code: str  # the credit code typed as a number in samples/enterprises.xlsx


# ---------------------------------------------------------------- small helpers


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _short(township: str) -> str:
    """城关镇 → 城关, 凤鸣街道 → 凤鸣: how township names appear inside unit names."""
    return township.removesuffix("街道").removesuffix("镇").removesuffix("乡")


def _address(rng: random.Random, township: str, in_park: bool) -> str:
    if in_park:
        return f"{COUNTY}{township}化工园区{rng.choice(PARK_ROADS)}{rng.randint(1, 40)}号"
    if township.endswith("乡"):
        return f"{COUNTY}{township}{rng.choice(VILLAGES)}{rng.randint(1, 9)}组"
    return f"{COUNTY}{township}{rng.choice(ROADS)}{rng.randint(1, 300)}号"


def _org_body(rng: random.Random, old: bool) -> str:
    """8-character organisation-code body: digits for pre-2016 units, MA… for newer ones."""
    if old:
        return rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(7))
    return "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))


def _numeric_code(rng: random.Random) -> str:
    """An all-digit credit code ending in 000: both check characters happen to be 0.

    Excel keeps 15 significant digits, so only such a code survives being typed as a number.
    """
    while True:
        body = rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(6)) + "0"
        first17 = "91" + DIVISION + body + org_check_char(body)
        if first17.isdigit() and first17.endswith("00") and check_char(first17) == "0":
            return first17 + "0"


def _pick_township(rng: random.Random, kind: UnitKind) -> tuple[str, bool]:
    if rng.random() < kind.in_park:
        return CHEMICAL_PARK, True
    if kind.industry == FW_RETAIL and rng.random() < 0.25:
        return "城关镇", False
    return rng.choice(sorted(TOWNSHIPS)), False


def _unit_name(rng: random.Random, kind: UnitKind, township: str, used: set[str]) -> str:
    """A unique, plausible name for a unit of this industry in this township."""
    while True:
        zihao = rng.choice(ZIHAO)
        if kind.industry == OP_STORAGE:  # half are filling stations
            name = rng.choice(
                (
                    f"{COUNTY}{zihao}石油有限公司{_short(township)}加油站",
                    f"{COUNTY}{zihao}石油有限公司{_short(township)}加油站",
                    f"{COUNTY}{zihao}液化气有限公司",
                    f"{COUNTY}{zihao}化工贸易有限公司",
                )
            )
        elif kind.industry == FW_RETAIL and rng.random() < 0.08:
            name = f"{COUNTY}{zihao}商贸有限公司{_short(township)}店"  # a small chain's shop
        elif kind.industry == FW_RETAIL:
            name = f"{COUNTY}{township}{zihao}{rng.choice(kind.suffixes)}"
            if rng.random() < 0.3:
                name += "（个体工商户）"
        else:
            name = f"{COUNTY}{zihao}{rng.choice(kind.suffixes)}"
        if name not in used and name != NUMERIC_CODE_UNIT:
            used.add(name)
            return name


@dataclass(frozen=True)
class _Draft:
    """An enterprise before codes, flags and dates are settled."""

    name: str
    industry: str
    affiliation: str
    township: str
    in_park: bool
    scale: str
    risk: str
    individual: bool  # 个体工商户 (entity type 2) rather than a company (type 1)


def _drafts(rng: random.Random) -> list[_Draft]:
    used: set[str] = {name for fixed in FIXED_UNITS.values() for name, _, _ in fixed}
    out: list[_Draft] = []
    for kind in KINDS:
        fixed = FIXED_UNITS.get(kind.industry, ())
        for i in range(kind.count):
            if i < len(fixed):
                name, affiliation, township = fixed[i]
                in_park = township == CHEMICAL_PARK and kind.in_park > 0
            elif kind.industry == OP_NO_STORAGE and i == len(fixed):
                name, affiliation, township, in_park = NUMERIC_CODE_UNIT, "其他", "城关镇", False
            else:
                township, in_park = _pick_township(rng, kind)
                name = _unit_name(rng, kind, township, used)
                affiliation = "其他"
            individual = kind.industry == FW_RETAIL and "有限公司" not in name
            risk = rng.choice(kind.risks)
            scale = rng.choice(kind.scales)
            if name in {"示例县东岭化工有限公司", "示例县燃气有限公司"}:
                risk, scale = "重大风险", "中型"
            out.append(
                _Draft(name, kind.industry, affiliation, township, in_park, scale, risk, individual)
            )
    return out


def _enterprise_rows(rng: random.Random) -> tuple[list[Row], str]:
    drafts = _drafts(rng)
    numeric = _numeric_code(rng)
    codes: set[str] = {numeric}
    rows: list[Row] = []
    for d in drafts:
        old = d.name == NUMERIC_CODE_UNIT or (not d.individual and rng.random() < 0.45)
        if d.name == NUMERIC_CODE_UNIT:
            code = numeric
        else:
            while True:
                code = make_code("9", "2" if d.individual else "1", DIVISION, _org_body(rng, old))
                if code not in codes:
                    codes.add(code)
                    break
        added = (
            FIRST_IMPORT
            if old and rng.random() < 0.8
            else _random_date(rng, NEW_UNIT_START, date(2026, 1, 20))
        )
        if rng.random() < 0.85:
            updated = _random_date(rng, date(2026, 1, 5), LATEST_DATE)
        else:
            updated = _random_date(rng, date(2025, 10, 8), date(2025, 12, 31))
        updated = max(updated, added)
        blank_flags = d.individual  # clerks leave 个体 shops' flags empty (= 否)
        row: Row = {
            "统一社会信用代码": code,
            "单位名称": d.name,
            "行业类别": d.industry,
            "隶属关系": d.affiliation,
            "乡镇": d.township,
            "执法片区": TOWNSHIPS[d.township],
            "规模": d.scale,
            "风险等级": d.risk,
            **{h: "" if blank_flags else "否" for h in FLAG_HEADERS},
            "经营地址": _address(rng, d.township, d.in_park),
            "纳入日期": _iso(added),
            "更新日期": _iso(updated),
            "状态": "在册",
            "退出日期": "",
            "退出原因": "",
        }
        rows.append(row)
    _retire(rng, rows)
    _flag(rng, rows)
    return rows, numeric


def _retire(rng: random.Random, rows: list[Row]) -> None:
    """Mark a handful of units as retired, never the fixed demo units."""
    protected = {n for fixed in FIXED_UNITS.values() for n, _, _ in fixed} | {NUMERIC_CODE_UNIT}
    for industry, status, reason in RETIREMENTS:
        candidates = [
            r
            for r in rows
            if r["行业类别"] == industry and r["状态"] == "在册" and r["单位名称"] not in protected
        ]
        row = rng.choice(candidates)
        added = date.fromisoformat(row["纳入日期"])
        retired = _random_date(
            rng, max(added + timedelta(days=90), date(2023, 3, 1)), date(2026, 1, 15)
        )
        row.update(
            {
                "状态": status,
                "退出日期": _iso(retired),
                "退出原因": reason,
                "更新日期": _iso(retired),
            }
        )


def _flag(rng: random.Random, rows: list[Row]) -> None:
    """重点单位 for the riskiest units; a few units flagged for closer supervision."""
    active = [r for r in rows if r["状态"] == "在册"]

    def mark(header: str, pool: Iterable[Row], k: int) -> list[Row]:
        chosen = rng.sample(sorted(pool, key=lambda r: r["统一社会信用代码"]), k)
        for r in chosen:
            r[header] = "是"
        return chosen

    for r in active:
        if r["风险等级"] == "重大风险" or (
            r["行业类别"] in (PRODUCTION, FW_WHOLESALE) and r["规模"] in ("大型", "中型")
        ):
            r["重点单位"] = "是"
    mark("投诉较多", (r for r in active if r["行业类别"] in (OP_STORAGE, FW_RETAIL)), 5)
    mark("事故多发", (r for r in active if r["行业类别"] in (PRODUCTION, USE)), 2)
    penalised = mark("行政处罚", (r for r in active if r["行业类别"] != PRODUCTION), 8)
    serious = mark("严重违法", penalised, 2)
    mark("黑名单", serious, 1)
    mark(
        "重大事故隐患",
        (
            r
            for r in active
            if r["行业类别"] in (PRODUCTION, STORAGE) and r["单位名称"] != "示例县东岭化工有限公司"
        ),
        2,
    )


def _inspector_rows(rng: random.Random) -> list[Row]:
    numbers = iter(rng.sample(range(12, 400), 60))

    def cert(name: str, staffing: str) -> tuple[str, str]:
        if staffing != "编内":
            return "", ""
        expiry = CERT_EXPIRY_OVERRIDES.get(name) or rng.choice(CERT_EXPIRIES)
        return f"示应急执字第{next(numbers):04d}号", _iso(expiry)

    people: list[tuple[str, str, str, str, str, str, date | None, str]] = []
    for name, position, unit in LEADERS:
        people.append((name, position, unit, "编内", "", "是", None, ""))
    for group, members in GROUP_MEMBERS.items():
        for name, position, unit, staffing in members:
            people.append((name, position, unit, staffing, group, "否", None, ""))
    t_name, t_position, t_unit, t_group, t_date, t_reason = TRANSFERRED
    people.insert(16, (t_name, t_position, t_unit, "编内", t_group, "否", t_date, t_reason))

    rows: list[Row] = []
    for i, (name, position, unit, staffing, group, leader, left, reason) in enumerate(people, 1):
        cert_no, expiry = cert(name, staffing)
        rows.append(
            {
                "人员编号": f"ZF{i:03d}",
                "姓名": name,
                "执法证号": cert_no,
                "证件有效期至": expiry,
                "编制": staffing,
                "职务": position,
                "所在股室": unit,
                "检查组": group,
                "负责片区": GROUP_DISTRICT.get(group, ""),
                "分管领导": leader,
                "状态": "调离" if left else "在岗",
                "退出日期": _iso(left),
                "退出原因": reason,
            }
        )
    return rows


def _expert_rows() -> list[Row]:
    rows: list[Row] = []
    for i, (name, fields, title, employer) in enumerate(EXPERTS, 1):
        left, reason = EXPERT_RETIRED.get(name, (None, ""))
        rows.append(
            {
                "专家编号": f"ZJ{i:03d}",
                "姓名": name,
                "专业领域": fields,
                "职称": title,
                "工作单位": employer,
                "状态": "退出" if left else "在库",
                "退出日期": _iso(left),
                "退出原因": reason,
            }
        )
    return rows


def _checklist_rows() -> list[Row]:
    rows: list[Row] = []
    for item_id, title, content, basis, industries, method in CHECKLIST:
        rows.append(
            {
                "事项编号": item_id,
                "检查事项": title,
                "检查内容": content,
                "检查依据": basis,
                "适用行业": "、".join(industries),
                "检查方式": method,
                "状态": "有效",
                "退出日期": "",
                "退出原因": "",
            }
        )
    for item_id, title, content, basis, industries, method, left, reason in CHECKLIST_RETIRED:
        rows.append(
            {
                "事项编号": item_id,
                "检查事项": title,
                "检查内容": content,
                "检查依据": basis,
                "适用行业": "、".join(industries),
                "检查方式": method,
                "状态": "废止",
                "退出日期": _iso(left),
                "退出原因": reason,
            }
        )
    return rows


def _recusal_rows(
    rng: random.Random, enterprises: list[Row], inspectors: list[Row], experts: list[Row]
) -> list[Row]:
    """Experts who work or worked for a unit, officers with relatives or former jobs there."""
    by_name = {r["单位名称"]: r for r in enterprises}
    expert_id = {r["姓名"]: r["专家编号"] for r in experts}
    officer_id = {r["姓名"]: r["人员编号"] for r in inspectors}

    def unit_in(district: str, industries: tuple[str, ...]) -> str:
        pool = sorted(
            r["统一社会信用代码"]
            for r in enterprises
            if r["执法片区"] == district and r["行业类别"] in industries and r["状态"] == "在册"
        )
        return rng.choice(pool)

    entries = (
        (
            expert_id["范丽君"],
            by_name["示例县东岭化工有限公司"]["统一社会信用代码"],
            "在该单位任职",
            date(2025, 3, 12),
        ),
        (
            expert_id["林志远"],
            unit_in("第二片区", (PRODUCTION,)),
            "为该单位提供技术服务",
            date(2025, 6, 3),
        ),
        (expert_id["常海燕"], unit_in("第二片区", (USE,)), "曾在该单位任职", date(2025, 9, 18)),
        (
            officer_id["赵磊"],
            unit_in("第一片区", (FW_RETAIL,)),
            "近亲属在该单位任职",
            date(2025, 1, 8),
        ),
        (
            officer_id["高峰"],
            unit_in("第二片区", (OP_STORAGE,)),
            "曾在该单位任职",
            date(2025, 4, 21),
        ),
        (
            officer_id["程刚"],
            unit_in("第四片区", (OP_NO_STORAGE,)),
            "其他利害关系",
            date(2026, 1, 9),
        ),
    )
    return [
        {"人员编号": p, "统一社会信用代码": c, "回避事由": why, "登记日期": _iso(d)}
        for p, c, why, d in entries
    ]


def _plan_rows() -> list[Row]:
    rows: list[Row] = [
        {
            "年度": str(PLAN_YEAR),
            "执法单位": unit,
            "计划检查次数": str(total),
            "其中双随机次数": str(random_),
        }
        for unit, total, random_ in PLAN
    ]
    rows.append(
        {
            "年度": str(PLAN_YEAR),
            "执法单位": "合计",
            "计划检查次数": str(sum(t for _, t, _ in PLAN)),
            "其中双随机次数": str(sum(r for _, _, r in PLAN)),
        }
    )
    return rows


def build(seed: int = SEED) -> County:
    """The whole county as data (pure: no files). Same seed, same county."""
    rng = random.Random(seed)
    enterprises, numeric = _enterprise_rows(rng)
    inspectors = _inspector_rows(rng)
    experts = _expert_rows()
    return County(
        enterprises=enterprises,
        inspectors=inspectors,
        experts=experts,
        checklist=_checklist_rows(),
        recusals=_recusal_rows(rng, enterprises, inspectors, experts),
        plan=_plan_rows(),
        numeric_code=numeric,
    )


# ---------------------------------------------------------------- writing


def _csv_bytes(
    headers: Sequence[str],
    rows: Iterable[Row],
    encoding: str,
    cell: Callable[[str, str], str] = lambda _h, v: v,
) -> bytes:
    """CSV as Excel writes it: CRLF line ends, minimal quoting."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(h, row[h]) for h in headers])
    return buf.getvalue().encode(encoding)


def _excel_display_date(header: str, value: str) -> str:
    """How Excel on Chinese Windows shows a date cell when saving plain CSV: 2026/1/5."""
    if header in DATE_HEADERS and value:
        day = date.fromisoformat(value)
        return f"{day.year}/{day.month}/{day.day}"
    return value


def _xlsx_bytes(rows: Sequence[Row], numeric_code: str) -> bytes:
    """The registry as a clerk's workbook: date serials, one code typed as a number."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = "名录库"
    ws.append(list(ENTERPRISE_HEADERS))
    for row in rows:
        cells: list[object] = []
        for h in ENTERPRISE_HEADERS:
            value = row[h]
            if h in DATE_HEADERS and value:
                cells.append(date.fromisoformat(value))
            elif h == "统一社会信用代码" and value == numeric_code:
                cells.append(float(value))  # what Excel stores when the code is typed plainly
            else:
                cells.append(value or None)
        ws.append(cells)
    for col in ws.iter_cols(min_row=2):
        for c in col:
            if isinstance(c.value, date):
                c.number_format = "yyyy/m/d"
    props = wb.properties
    props.creator = "示例县应急管理局"
    props.lastModifiedBy = "监督管理股"
    props.created = props.modified = FIXED_TIMESTAMP

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # unlike Workbook.save, keeps our `modified`
    return _fixed_zip_times(raw.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Re-pack a zip with every entry dated FIXED_TIMESTAMP, so the bytes are reproducible."""
    out = io.BytesIO()
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _shuffled(rows: Sequence[Row], label: str) -> list[Row]:
    """Rows in another order, as a clerk's sorting leaves them (seeded per sample)."""
    out = list(rows)
    random.Random(f"{SEED}:{label}").shuffle(out)
    return out


def render(county: County) -> dict[str, bytes]:
    """File name (relative to the records directory) → bytes."""
    return {
        "enterprises.csv": _csv_bytes(ENTERPRISE_HEADERS, county.enterprises, "utf-8-sig"),
        "inspectors.csv": _csv_bytes(INSPECTOR_HEADERS, county.inspectors, "utf-8"),
        "experts.csv": _csv_bytes(EXPERT_HEADERS, county.experts, "utf-8"),
        "checklist.csv": _csv_bytes(CHECKLIST_HEADERS, county.checklist, "utf-8"),
        "recusals.csv": _csv_bytes(RECUSAL_HEADERS, county.recusals, "utf-8"),
        "annual-plan.csv": _csv_bytes(PLAN_HEADERS, county.plan, "utf-8"),
        "samples/enterprises.xlsx": _xlsx_bytes(
            _shuffled(county.enterprises, "xlsx"), county.numeric_code
        ),
        "samples/enterprises.gb18030.csv": _csv_bytes(
            ENTERPRISE_HEADERS,
            _shuffled(county.enterprises, "gb18030"),
            "gb18030",
            _excel_display_date,
        ),
        **_example_plans(),
    }


def _example_plans() -> dict[str, bytes]:
    """The example TOML plans (package data), written to plans/ beside the records."""
    folder = resources.files("suiji") / "data" / "example-plans"
    return {
        f"plans/{item.name}": item.read_bytes()
        for item in sorted(folder.iterdir(), key=lambda i: i.name)
        if item.name.endswith(".toml")
    }


def generate(out_dir: Path) -> None:
    """Write the example county's records into ``out_dir`` (normally content/records/)."""
    for name, data in render(build()).items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print(
            "用法 (usage): python -m suiji.examplecounty <记录目录，如 content/records>",
            file=sys.stderr,
        )
        return 2
    out_dir = Path(args[0])
    generate(out_dir)
    county = build()
    print(
        f"已生成示例县记录 (example county written) → {out_dir}: "
        f"{len(county.enterprises)} 家单位, {len(county.inspectors)} 名执法人员, "
        f"{len(county.experts)} 名专家, {len(county.checklist)} 项检查事项"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
