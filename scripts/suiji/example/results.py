"""A small sample of inspection results for the example county (``samples/results.csv``).

Written from fixed ids that exist in the example county (task 2026-002 of the example
plans, enterprises picked from the registry by a fixed rule, checklist items, officers),
not from a draw: the sample shows the results format and passes `suiji check` when copied
to ``content/records/results/``; whether its enterprises were drawn is not its concern.
Three rows: no problem found; a violation with a penalty, rectified (the category in its
other spelling 发现问题已责令改正); an enterprise found closed (已关闭停业, no items).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from suiji.records.schema import RESULTS

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
    headers = [c.header for c in RESULTS.columns]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in sample_rows(enterprises):
        writer.writerow([row[h] for h in headers])
    return buf.getvalue().encode("utf-8-sig")
