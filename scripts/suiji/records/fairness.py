"""The fairness rules over snapshot rows: pure, without pandas, shared by check and verify.

A draw is only as fair as the population it starts from. These rules are the ones a
verifier can re-run on a committed snapshot (docs/spec/02-records.md §2.9): GB 32100 check
characters, one row per id, one certificate per number, vocabulary values, identifiers in
ASCII or CJK only and not confusable with one another, and enterprises registered twice
under the same name and address. `suiji check` runs `id_problems` on the clerk's files
(validate.py); the verifier runs `snapshot_problems` on every committed snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from suiji.shared.text import match_key

from .schema import BY_NAME, RecordSchema
from .uscc import is_legacy_regno, is_valid

Tag = Literal["integrity", "compliance"]

_CONFUSABLE_FOLD = str.maketrans({"O": "0", "I": "1"})
"""Latin letters that read as digits in an id. Other scripts are refused outright."""


def _allowed(ch: str) -> bool:
    """ASCII printable (no space) or a CJK unified ideograph (basic block or extension A)."""
    o = ord(ch)
    return 0x21 <= o <= 0x7E or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


def id_charset_problem(value: str) -> str | None:
    """Why an id or certificate number has a character outside ASCII and CJK (None if fine).

    A Cyrillic `О` inside `ZF0О1` looks like `ZF0O1` to every reader but is another id: one
    person would hold two tickets.
    """
    for pos, ch in enumerate(value, start=1):
        if not _allowed(ch):
            return f"第 {pos} 个字符 U+{ord(ch):04X} 不是 ASCII 字母数字或汉字（易与其他字符混淆）"
    return None


def skeleton(value: str) -> str:
    """What an id looks like to a reader: O read as 0, I as 1."""
    return value.translate(_CONFUSABLE_FOLD)


def confusable_groups(values: Iterable[str]) -> list[list[str]]:
    """Distinct non-empty values that look the same (same skeleton), each group sorted."""
    by: dict[str, set[str]] = defaultdict(set)
    for v in values:
        if v:
            by[skeleton(v)].add(v)
    return [sorted(g) for _, g in sorted(by.items()) if len(g) > 1]


@dataclass(frozen=True)
class SnapshotProblem:
    """One broken fairness rule in a snapshot: which record, row id and column, and why."""

    record: str
    row: str
    column: str
    tag: Tag
    code: str
    message: str


def row_id(schema: RecordSchema, row: Mapping[str, Any]) -> str:
    """A row's key as one text (recusals: person id and credit code joined by `/`)."""
    return "/".join(str(row[a]) for a in schema.key)


ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "inspectors": ("person_id", "cert_no"),
    "experts": ("expert_id",),
    "checklist": ("item_id",),
    "recusals": ("person_id",),
}
"""Columns holding ids a person or item is known by (credit codes have their own alphabet)."""


def snapshot_problems(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[SnapshotProblem]:
    """Every fairness rule broken by these snapshot rows (by record name), in a fixed order."""
    out: list[SnapshotProblem] = []
    for name, record_rows in rows.items():
        schema = BY_NAME[name]
        out.extend(_vocabulary(schema, record_rows))
        for alias in ("uscc",):
            if alias in schema.aliases:
                out.extend(_uscc(schema, record_rows, alias))
        for alias in ID_COLUMNS.get(name, ()):
            out.extend(_ids(schema, record_rows, alias))
    if "inspectors" in rows:
        out.extend(_cert_duplicates(rows["inspectors"]))
    if "inspectors" in rows and "experts" in rows:
        staff = {str(r["person_id"]) for r in rows["inspectors"]}
        out.extend(
            SnapshotProblem(
                "experts",
                str(r["expert_id"]),
                "expert_id",
                "integrity",
                "person-id-clash",
                f"专家编号 {r['expert_id']} 与执法检查人员的人员编号相同",
            )
            for r in rows["experts"]
            if str(r["expert_id"]) in staff
        )
    if "enterprises" in rows:
        out.extend(_same_name_address(rows["enterprises"]))
    return out


def _vocabulary(schema: RecordSchema, rows: Sequence[Mapping[str, Any]]) -> list[SnapshotProblem]:
    out = []
    cols = [c for c in schema.columns if c.choices and c.kind in ("enum", "multi")]
    for row in rows:
        for col in cols:
            value = row[col.alias]
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if v not in col.choices]
            if bad:
                out.append(
                    SnapshotProblem(
                        schema.name,
                        row_id(schema, row),
                        col.alias,
                        "integrity",
                        "vocabulary",
                        f"{col.header}「{bad[0]}」不在规定的取值（{'、'.join(col.choices)}）中",
                    )
                )
    return out


def _uscc(
    schema: RecordSchema, rows: Sequence[Mapping[str, Any]], alias: str
) -> list[SnapshotProblem]:
    out = []
    for row in rows:
        code = str(row[alias])
        if not (is_valid(code) or is_legacy_regno(code)):
            out.append(
                SnapshotProblem(
                    schema.name,
                    row_id(schema, row),
                    alias,
                    "integrity",
                    "uscc-invalid",
                    f"统一社会信用代码 {code} 的 GB 32100 校验码不符",
                )
            )
    return out


def _ids(
    schema: RecordSchema, rows: Sequence[Mapping[str, Any]], alias: str
) -> list[SnapshotProblem]:
    out = []
    header = schema.column(alias).header
    for row in rows:
        problem = id_charset_problem(str(row[alias]))
        if problem:
            out.append(
                SnapshotProblem(
                    schema.name,
                    row_id(schema, row),
                    alias,
                    "integrity",
                    "id-charset",
                    f"{header} {row[alias]!r}：{problem}",
                )
            )
    if schema.name != "recusals":  # a recusal repeats a person id on purpose
        for group in confusable_groups(str(r[alias]) for r in rows):
            out.append(
                SnapshotProblem(
                    schema.name,
                    group[0],
                    alias,
                    "integrity",
                    "id-confusable",
                    f"{header} {'、'.join(group)} 看起来相同（O 与 0、I 与 1）：同一人或同一事项不得有两个编号",
                )
            )
    return out


def _cert_duplicates(rows: Sequence[Mapping[str, Any]]) -> list[SnapshotProblem]:
    holders: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["cert_no"]:
            holders[str(r["cert_no"])].append(str(r["person_id"]))
    return [
        SnapshotProblem(
            "inspectors",
            people[0],
            "cert_no",
            "integrity",
            "cert-duplicate",
            f"执法证号 {cert} 登记在 {'、'.join(people)} 多人名下",
        )
        for cert, people in sorted(holders.items())
        if len(people) > 1
    ]


def _same_name_address(rows: Sequence[Mapping[str, Any]]) -> list[SnapshotProblem]:
    """The same shop twice (two codes, one name and address) would double its chances."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        if r["address"]:
            seen[(match_key(str(r["name"])), match_key(str(r["address"])))].append(str(r["uscc"]))
    return [
        SnapshotProblem(
            "enterprises",
            codes[0],
            "address",
            "compliance",
            "same-name-address",
            f"{'、'.join(codes)} 的单位名称和经营地址相同：同一单位登记了两次？",
        )
        for _, codes in sorted(seen.items())
        if len(codes) > 1
    ]


def id_problems(values: Sequence[str]) -> list[tuple[int, str, str]]:
    """For `suiji check`: (row index, code, message) for ids outside ASCII/CJK or confusable."""
    out: list[tuple[int, str, str]] = []
    for i, v in enumerate(values):
        problem = id_charset_problem(v) if v else None
        if problem:
            out.append(
                (i, "id.charset", f"编号「{v}」{problem}：请只用 ASCII 字母数字或汉字重新输入")
            )
    groups = {v: g for g in confusable_groups(values) for v in g}
    for i, v in enumerate(values):
        if v in groups:
            others = "、".join(x for x in groups[v] if x != v)
            out.append(
                (
                    i,
                    "id.confusable",
                    f"编号「{v}」与「{others}」只差 O/0 或 I/1，读者无法区分：请改用可区分的编号",
                )
            )
    return out
