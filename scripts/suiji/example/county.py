"""The fictional 示例县应急管理局 and its records, generated deterministically.

The demo, the tests and the site all need a county that looks like a real one: a few
hundred hazardous-chemical and fireworks units, two dozen officers in four inspection
groups, a checklist with real legal bases, a recusal list and an annual plan. Writing
them from a fixed seed (``random.Random(seed)``, never the clock) means anyone can
regenerate ``content/records/`` and get the committed files byte for byte:

    python -m suiji.examplecounty content/records

The county's data are package data files in ``suiji/data/example-county/`` (UTF-8):

- ``county.toml``: names, seed, fixed dates, places, industries, groups, record headers;
- ``enterprises.toml``: trade names, per-industry unit kinds, demo units, retirements;
- ``inspectors.csv``, ``experts.csv``: the people, in 人员编号 / 专家编号 order;
- ``checklist.toml``: the 检查事项 with their legal bases;
- ``recusals.csv``: who recuses from which unit (a named unit, or one drawn by district
  and industry); ``annual-plan.csv``: the year's plan without its 合计 row.

This module only adds what chance decides (names, codes, addresses, dates, flags) and
writes the files. Everything is fictional: 示例县 (in 示例市, 示例省), its townships,
companies and people. The division code 990101 is not a GB/T 2260 code (no province has
99). The legal bases in the checklist are real articles of real laws and rules.

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
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from suiji.example.results import sample_csv
from suiji.records.schema import (
    ENTERPRISE_ACTIVE,
    EXPERT_ACTIVE,
    EXPERT_RETIRED,
    INSPECTOR_ACTIVE,
    INSPECTOR_RETIRED,
    ITEM_ACTIVE,
    ITEM_RETIRED,
    ON_STAFF,
)
from suiji.records.uscc import ALPHABET, check_char, make_code, org_check_char

DATA: Traversable = resources.files("suiji") / "data" / "example-county"
Row = dict[str, str]


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((DATA / name).read_text("utf-8"))


def _data_csv(name: str) -> list[Row]:
    return list(csv.DictReader(io.StringIO((DATA / name).read_text("utf-8"), newline="")))


_COUNTY = _toml("county.toml")
_ENTERPRISES = _toml("enterprises.toml")

SEED: int = _COUNTY["seed"]
COUNTY: str = _COUNTY["county"]
DIVISION: str = _COUNTY["division"]
BUREAU: str = _COUNTY["bureau"]
FIRST_IMPORT: date = _COUNTY["dates"]["first_import"]
NEW_UNIT_START: date = _COUNTY["dates"]["new_unit_start"]
LATEST_DATE: date = _COUNTY["dates"]["latest"]
FIXED_TIMESTAMP: datetime = _COUNTY["dates"]["xlsx_timestamp"]
PLACES: dict[str, Any] = _COUNTY["places"]
TOWNSHIPS: dict[str, str] = PLACES["townships"]
CHEMICAL_PARK: str = PLACES["chemical_park"]
IND: dict[str, str] = _COUNTY["industries"]
GROUP_DISTRICT = dict(zip(_COUNTY["inspection"]["groups"], PLACES["districts"], strict=True))
HEADERS: dict[str, list[str]] = _COUNTY["headers"]
NUMERIC_UNIT: dict[str, str] = _ENTERPRISES["numeric_code_unit"]
DEMO_PLANT = "示例县东岭化工有限公司"  # the demo's named plant: never flagged 重大事故隐患


@dataclass(frozen=True)
class UnitKind:
    """How one industry's units look (a [[kind]] of enterprises.toml): how many, where, how
    big and how risky; `fixed` are demo units as (name, 隶属关系, township), placed first."""

    industry: str
    count: int
    suffixes: Sequence[str]
    scales: Sequence[str]
    risks: Sequence[str]
    in_park: float  # share of units in the chemical park
    fixed: Sequence[Sequence[str]] = ()


KINDS = tuple(UnitKind(**kind) for kind in _ENTERPRISES["kind"])


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
        return f"{COUNTY}{township}化工园区{rng.choice(PLACES['park_roads'])}{rng.randint(1, 40)}号"
    if township.endswith("乡"):
        return f"{COUNTY}{township}{rng.choice(PLACES['villages'])}{rng.randint(1, 9)}组"
    return f"{COUNTY}{township}{rng.choice(PLACES['roads'])}{rng.randint(1, 300)}号"


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
    if kind.industry == IND["fw_retail"] and rng.random() < 0.25:
        return "城关镇", False
    return rng.choice(sorted(TOWNSHIPS)), False


def _unit_name(rng: random.Random, kind: UnitKind, township: str, used: set[str]) -> str:
    """A unique, plausible name for a unit of this industry in this township."""
    while True:
        zihao = rng.choice(_ENTERPRISES["trade_names"])
        if kind.industry == IND["op_storage"]:  # half are filling stations
            name = rng.choice(
                (
                    f"{COUNTY}{zihao}石油有限公司{_short(township)}加油站",
                    f"{COUNTY}{zihao}石油有限公司{_short(township)}加油站",
                    f"{COUNTY}{zihao}液化气有限公司",
                    f"{COUNTY}{zihao}化工贸易有限公司",
                )
            )
        elif kind.industry == IND["fw_retail"] and rng.random() < 0.08:
            name = f"{COUNTY}{zihao}商贸有限公司{_short(township)}店"  # a small chain's shop
        elif kind.industry == IND["fw_retail"]:
            name = f"{COUNTY}{township}{zihao}{rng.choice(kind.suffixes)}"
            if rng.random() < 0.3:
                name += "（个体工商户）"
        else:
            name = f"{COUNTY}{zihao}{rng.choice(kind.suffixes)}"
        if name not in used and name != NUMERIC_UNIT["name"]:
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
    used: set[str] = {name for kind in KINDS for name, _, _ in kind.fixed}
    out: list[_Draft] = []
    for kind in KINDS:
        for i in range(kind.count):
            if i < len(kind.fixed):
                name, affiliation, township = kind.fixed[i]
                in_park = township == CHEMICAL_PARK and kind.in_park > 0
            elif kind.industry == IND["op_no_storage"] and i == len(kind.fixed):
                name, affiliation = NUMERIC_UNIT["name"], NUMERIC_UNIT["affiliation"]
                township, in_park = NUMERIC_UNIT["township"], False
            else:
                township, in_park = _pick_township(rng, kind)
                name = _unit_name(rng, kind, township, used)
                affiliation = "其他"
            individual = kind.industry == IND["fw_retail"] and "有限公司" not in name
            risk = rng.choice(kind.risks)
            scale = rng.choice(kind.scales)
            if name in _ENTERPRISES["major_risk"]:
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
        old = d.name == NUMERIC_UNIT["name"] or (not d.individual and rng.random() < 0.45)
        if d.name == NUMERIC_UNIT["name"]:
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
            **{h: "" if blank_flags else "否" for h in HEADERS["enterprise_flags"]},
            "经营地址": _address(rng, d.township, d.in_park),
            "纳入日期": _iso(added),
            "更新日期": _iso(updated),
            "状态": ENTERPRISE_ACTIVE,
            "退出日期": "",
            "退出原因": "",
        }
        rows.append(row)
    _retire(rng, rows)
    _flag(rng, rows)
    return rows, numeric


def _retire(rng: random.Random, rows: list[Row]) -> None:
    """Mark a handful of units as retired, never the fixed demo units."""
    protected = {n for kind in KINDS for n, _, _ in kind.fixed} | {NUMERIC_UNIT["name"]}
    for industry, status, reason in _ENTERPRISES["retirements"]:
        candidates = [
            r
            for r in rows
            if r["行业类别"] == industry
            and r["状态"] == ENTERPRISE_ACTIVE
            and r["单位名称"] not in protected
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
    active = [r for r in rows if r["状态"] == ENTERPRISE_ACTIVE]

    def mark(header: str, pool: Iterable[Row], k: int) -> list[Row]:
        chosen = rng.sample(sorted(pool, key=lambda r: r["统一社会信用代码"]), k)
        for r in chosen:
            r[header] = "是"
        return chosen

    def of(*keys: str) -> set[str]:
        return {IND[k] for k in keys}

    for r in active:
        if r["风险等级"] == "重大风险" or (
            r["行业类别"] in of("production", "fw_wholesale") and r["规模"] in ("大型", "中型")
        ):
            r["重点单位"] = "是"
    mark("投诉较多", (r for r in active if r["行业类别"] in of("op_storage", "fw_retail")), 5)
    mark("事故多发", (r for r in active if r["行业类别"] in of("production", "use")), 2)
    penalised = mark("行政处罚", (r for r in active if r["行业类别"] != IND["production"]), 8)
    serious = mark("严重违法", penalised, 2)
    mark("黑名单", serious, 1)
    mark(
        "重大事故隐患",
        (
            r
            for r in active
            if r["行业类别"] in of("production", "storage") and r["单位名称"] != DEMO_PLANT
        ),
        2,
    )


def _inspector_rows(rng: random.Random) -> list[Row]:
    numbers = iter(rng.sample(range(12, 400), 60))
    expiries: list[date] = _COUNTY["inspection"]["cert_expiries"]
    rows: list[Row] = []
    for i, p in enumerate(_data_csv("inspectors.csv"), 1):
        cert_no = expiry = ""
        if p["编制"] == ON_STAFF:
            expiry = p["证件有效期至"] or _iso(rng.choice(expiries))
            cert_no = f"示应急执字第{next(numbers):04d}号"
        rows.append(
            {
                **p,
                "人员编号": f"ZF{i:03d}",
                "执法证号": cert_no,
                "证件有效期至": expiry,
                "负责片区": GROUP_DISTRICT.get(p["检查组"], ""),
                "状态": INSPECTOR_RETIRED[0] if p["退出日期"] else INSPECTOR_ACTIVE,
            }
        )
    return rows


def _expert_rows() -> list[Row]:
    return [
        {
            **p,
            "专家编号": f"ZJ{i:03d}",
            "状态": EXPERT_RETIRED[0] if p["退出日期"] else EXPERT_ACTIVE,
        }
        for i, p in enumerate(_data_csv("experts.csv"), 1)
    ]


def _checklist_rows() -> list[Row]:
    return [
        {
            "事项编号": item["id"],
            "检查事项": item["title"],
            "检查内容": item["content"],
            "检查依据": item["basis"],
            "适用行业": "、".join(item["industries"]),
            "检查方式": item["method"],
            "状态": ITEM_RETIRED[0] if "retired" in item else ITEM_ACTIVE,
            "退出日期": _iso(item.get("retired")),
            "退出原因": item.get("reason", ""),
        }
        for item in _toml("checklist.toml")["item"]
    ]


def _recusal_rows(
    rng: random.Random, enterprises: list[Row], inspectors: list[Row], experts: list[Row]
) -> list[Row]:
    """Experts who work or worked for a unit, officers with relatives or former jobs there."""
    code_of = {r["单位名称"]: r["统一社会信用代码"] for r in enterprises}
    person_id = {r["姓名"]: r["人员编号"] for r in inspectors}
    person_id.update({r["姓名"]: r["专家编号"] for r in experts})

    def unit_in(district: str, industry: str) -> str:
        pool = sorted(
            r["统一社会信用代码"]
            for r in enterprises
            if r["执法片区"] == district
            and r["行业类别"] == industry
            and r["状态"] == ENTERPRISE_ACTIVE
        )
        return rng.choice(pool)

    return [
        {
            "人员编号": person_id[e["姓名"]],
            "统一社会信用代码": code_of[e["单位名称"]]
            if e["单位名称"]
            else unit_in(e["执法片区"], e["行业类别"]),
            "回避事由": e["回避事由"],
            "登记日期": e["登记日期"],
        }
        for e in _data_csv("recusals.csv")
    ]


def _plan_rows() -> list[Row]:
    rows = _data_csv("annual-plan.csv")
    (year,) = {r["年度"] for r in rows}
    total: Row = {"年度": year, "执法单位": "合计"}
    for h in ("计划检查次数", "其中双随机次数"):
        total[h] = str(sum(int(r[h]) for r in rows))
    return [*rows, total]


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
    if header in HEADERS["enterprise_dates"] and value:
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
    ws.append(HEADERS["enterprises"])
    for row in rows:
        cells: list[object] = []
        for h in HEADERS["enterprises"]:
            value = row[h]
            if h in HEADERS["enterprise_dates"] and value:
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
    props.creator = BUREAU
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
    enterprises = HEADERS["enterprises"]
    return {
        "enterprises.csv": _csv_bytes(enterprises, county.enterprises, "utf-8-sig"),
        "inspectors.csv": _csv_bytes(HEADERS["inspectors"], county.inspectors, "utf-8"),
        "experts.csv": _csv_bytes(HEADERS["experts"], county.experts, "utf-8"),
        "checklist.csv": _csv_bytes(HEADERS["checklist"], county.checklist, "utf-8"),
        "recusals.csv": _csv_bytes(HEADERS["recusals"], county.recusals, "utf-8"),
        "annual-plan.csv": _csv_bytes(HEADERS["annual_plan"], county.plan, "utf-8"),
        "samples/enterprises.xlsx": _xlsx_bytes(
            _shuffled(county.enterprises, "xlsx"), county.numeric_code
        ),
        "samples/enterprises.gb18030.csv": _csv_bytes(
            enterprises, _shuffled(county.enterprises, "gb18030"), "gb18030", _excel_display_date
        ),
        "samples/results.csv": sample_csv(county.enterprises),
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
