"""What the records must say: each record's own rules and the rules across records.

Enterprises (a stale registry), inspectors (certificates, groups, districts), checklist
methods, the annual plan (totals, the 30 % share); across records: person ids, recusals,
uncovered districts and plan units.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from suiji.records.uscc import is_valid
from suiji.shared.errors import Location
from suiji.shared.text import match_key

from .schema import METHODS, MIN_RANDOM_PERCENT, ON_STAFF, TOTAL_UNIT
from .sheet import BoolArray, Sheet
from .structure import duplicates


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def enterprise_rules(sheet: Sheet, today: date) -> None:
    dates = [
        d for a in ("added_on", "updated_on") for d in pd.unique(sheet.values[a]) if d is not None
    ]
    if dates:
        newest = max(dates)
        if date.fromisoformat(newest) < _one_year_before(today):
            sheet.add_at(
                Location(sheet.raw.label),
                (0, -1),
                "warning",
                "registry.stale",
                f"名录库最近一次更新（纳入日期/更新日期）是 {newest}，已超过一年："
                f"实施方案要求名录库至少每年更新一次，请核对后更新“更新日期”",
            )


def inspector_rules(sheet: Sheet, active: BoolArray, today: date) -> None:
    v = sheet.values
    on_staff = np.asarray(v["staffing"] == ON_STAFF, dtype=bool)
    leader = np.asarray(v["leader"], dtype=bool)
    sheet.add_rows(
        np.flatnonzero(active & on_staff & np.asarray(v["cert_no"] == "", dtype=bool)),
        "cert_no",
        "error",
        "inspector.no_cert",
        "编内执法人员必须填写执法证号：请补上；没有执法证的人员请把编制写为“编外”（编外人员只能陪同，不计入两名执法人员）",
    )
    no_expiry = np.asarray(pd.isna(v["cert_expiry"]), dtype=bool)
    sheet.add_rows(
        np.flatnonzero(active & on_staff & no_expiry),
        "cert_expiry",
        "error",
        "inspector.no_cert_expiry",
        "编内执法人员必须填写证件有效期至：请按执法证填写（过期的证件不会被抽中）",
    )
    today_s = today.isoformat()
    expired = [
        i
        for i in np.flatnonzero(active & on_staff & ~no_expiry).tolist()
        if v["cert_expiry"][i] < today_s
    ]
    sheet.add_rows(
        expired,
        "cert_expiry",
        "warning",
        "inspector.cert_expired",
        lambda i: f"执法证已于 {v['cert_expiry'][i]} 到期：到期后不会被抽中，请换证后更新有效期",
    )
    sheet.add_rows(
        np.flatnonzero(active & leader & ~on_staff),
        "leader",
        "warning",
        "inspector.leader_off_staff",
        "编外人员不能作为分管领导带队：请核对编制或“分管领导”",
    )
    need_group = active & ~leader
    for alias, what in (("group", "检查组"), ("district", "负责片区")):
        sheet.add_rows(
            np.flatnonzero(need_group & np.asarray(v[alias] == "", dtype=bool)),
            alias,
            "error",
            f"inspector.no_{alias}",
            f"非分管领导的在岗人员必须填写{what}：请补上（分管领导请在“分管领导”列填 是）",
        )
    # every member of a group covers the same district
    members: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(active).tolist():
        if v["group"][i] and v["district"][i]:
            members[match_key(v["group"][i])].append(i)
    for rows in members.values():
        counts = Counter(match_key(v["district"][i]) for i in rows)
        if len(counts) < 2:
            continue
        usual_key = counts.most_common(1)[0][0]
        usual = next(v["district"][i] for i in rows if match_key(v["district"][i]) == usual_key)
        for i in rows:
            if match_key(v["district"][i]) != usual_key:
                sheet.add(
                    i,
                    "district",
                    "error",
                    "group.district_mismatch",
                    f"检查组「{v['group'][i]}」的其他成员负责「{usual}」，这一行却是「{v['district'][i]}」："
                    f"同一检查组的负责片区必须一致，请改正",
                )
    duplicates(sheet, ("cert_no",), "inspector.cert_duplicate", "执法证号")


def checklist_rules(sheet: Sheet) -> None:
    methods = {match_key(m) for m in METHODS}
    if not sheet.has("method"):
        return
    method = sheet.values["method"]
    sheet.add_rows(
        [i for i, m in enumerate(method) if m and match_key(m) not in methods],
        "method",
        "warning",
        "checklist.method",
        lambda i: f"检查方式「{method[i]}」不在常用方式（{'、'.join(METHODS)}）之中：请核对",
    )


def plan_rules(sheet: Sheet) -> None:
    v = sheet.values
    years = v["year"]
    sheet.add_rows(
        [i for i, y in enumerate(years) if y is not None and not 2000 <= y <= 2100],
        "year",
        "error",
        "plan.year",
        lambda i: f"年度「{years[i]}」不合理：请写四位年份，如 2026",
    )
    total, rand = v["planned_total"], v["planned_random"]
    sheet.add_rows(
        [
            i
            for i in range(sheet.n)
            if total[i] is not None and rand[i] is not None and rand[i] > total[i]
        ],
        "planned_random",
        "error",
        "plan.random_exceeds_total",
        lambda i: (
            f"其中双随机次数 {rand[i]} 大于计划检查次数 {total[i]}：双随机是计划的一部分，请改正"
        ),
    )
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, y in enumerate(years):
        if y is not None:
            by_year[y].append(i)
    for year, rows in sorted(by_year.items()):
        units = [i for i in rows if match_key(v["unit"][i]) != TOTAL_UNIT]
        totals = [i for i in rows if match_key(v["unit"][i]) == TOTAL_UNIT]
        sum_total = sum(total[i] or 0 for i in units)
        sum_random = sum(rand[i] or 0 for i in units)
        for i in totals:
            for alias, have, want in (
                ("planned_total", total[i], sum_total),
                ("planned_random", rand[i], sum_random),
            ):
                if have is not None and have != want:
                    sheet.add(
                        i,
                        alias,
                        "error",
                        "plan.total_mismatch",
                        f"{year} 年合计行的{sheet.header(alias)}是 {have}，但各执法单位相加为 {want}："
                        f"请改正合计或各单位的数字",
                    )
        if sum_total and sum_random * 100 < MIN_RANDOM_PERCENT * sum_total:
            sheet.add(
                (totals or units)[0],
                "planned_random",
                "warning",
                "plan.random_share",
                f"{year} 年双随机次数 {sum_random} 占计划检查次数 {sum_total} 的 "
                f"{sum_random * 100 // sum_total}%，低于实施方案要求的 {MIN_RANDOM_PERCENT}%：请核对计划",
            )


# ---------------------------------------------------------------- across records


def cross_rules(sheets: Mapping[str, Sheet], active: Mapping[str, BoolArray]) -> None:
    ins, exp = sheets.get("inspectors"), sheets.get("experts")
    people: dict[str, str] = {}
    if ins is not None:
        people.update({k: "inspectors" for k in ins.values["person_id"] if k})
    if exp is not None:
        clash = [i for i, k in enumerate(exp.values["expert_id"]) if k and k in people]
        exp.add_rows(
            clash,
            "expert_id",
            "error",
            "person.id_clash",
            lambda i: (
                f"专家编号「{exp.values['expert_id'][i]}」与执法检查人员的人员编号相同：回避登记靠编号区分人员，请改用不同编号"
            ),
        )
        people.update({k: "experts" for k in exp.values["expert_id"] if k})

    ent = sheets.get("enterprises")
    rec = sheets.get("recusals")
    if rec is not None:
        if ins is not None and exp is not None:
            pid = rec.values["person_id"]
            rec.add_rows(
                [i for i, k in enumerate(pid) if k and k not in people],
                "person_id",
                "error",
                "recusal.unknown_person",
                lambda i: f"人员编号「{pid[i]}」不在执法检查人员名录库或专家库中：请核对编号",
            )
        if ent is not None:
            codes = rec.values["uscc"]
            wanted = pd.Series(ent.values["uscc"], dtype=object)
            known = set(wanted[wanted.isin(set(codes.tolist()))].tolist())
            rec.add_rows(
                [i for i, k in enumerate(codes) if k and k not in known and is_valid(k)],
                "uscc",
                "error",
                "recusal.unknown_enterprise",
                lambda i: f"统一社会信用代码「{codes[i]}」不在随机抽查市场主体名录库中：请核对代码",
            )

    if ent is not None and ins is not None:
        covered = {
            match_key(d)
            for d, g, a in zip(
                ins.values["district"], ins.values["group"], active["inspectors"], strict=True
            )
            if a and d and g
        }
        if "district" in ent.codes:
            codes_d, uniques = ent.codes["district"]
        else:
            codes_d, uniques = pd.factorize(ent.values["district"])
        act = active["enterprises"]
        for k, d in enumerate(uniques):
            if not d or match_key(d) in covered:
                continue
            rows = np.flatnonzero((codes_d == k) & act)
            if len(rows) == 0:
                continue
            ent.add(
                int(rows[0]),
                "district",
                "error",
                "district.uncovered",
                f"执法片区「{d}」没有检查组负责（共 {len(rows)} 家在册单位，此处为第一家）："
                f"请在执法检查人员名录库中为一个检查组填写负责片区「{d}」，或改正片区名称",
            )

    plan = sheets.get("annual-plan")
    if plan is not None and ins is not None:
        units = {match_key(u) for u in ins.values["unit"] if u} | {TOTAL_UNIT}
        unit = plan.values["unit"]
        plan.add_rows(
            [i for i, u in enumerate(unit) if u and match_key(u) not in units],
            "unit",
            "error",
            "plan.unknown_unit",
            lambda i: (
                f"执法单位「{unit[i]}」不是执法检查人员名录库中的所在股室，也不是“合计”：请核对名称"
            ),
        )
