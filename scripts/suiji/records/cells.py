"""Reading one cell: dates, yes/no, whole numbers, multi-value lists, personal data.

Each parser takes the text of a cell and returns the canonical value or raises
`CellError` with a Chinese message that ends with how to fix the cell. They are pure and
small so the validator can run them once per *distinct* value of a column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from suiji.shared.text import clean_text, id_key, match_key

from .schema import FINDINGS, NO_PROBLEM, RESULT_CATEGORIES, RESULT_CATEGORY_ALIASES


class CellError(ValueError):
    """A cell that cannot be read; `str(err)` is the clerk-facing message."""


# ---------------------------------------------------------------- dates

EXCEL_EPOCH = date(1899, 12, 30)
"""Excel's 1900 date system: serial 1 = 1900-01-01 once its fictitious 1900-02-29 is skipped;
for every serial from 61 (1900-03-01) on, date = 1899-12-30 + serial days."""
MIN_SERIAL, MAX_SERIAL = 10000, 2958465  # 1927-05-18 … 9999-12-31; smaller numbers are not dates
MIN_YEAR, MAX_YEAR = 1900, 2100

_DATE_SEP_RE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DATE_CN_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_SERIAL_RE = re.compile(r"^(\d{5,7})(?:\.0+)?$")
_MIDNIGHT_RE = re.compile(r"\s+0?0:00(?::00)?$")
DATE_HINT = "请写成 2025-03-01、2025/3/1、2025.3.1 或 2025年3月1日"


def parse_date(text: str) -> date | None:
    """A date as clerks write it; None for an empty cell.

    Accepted: 2025-03-01 · 2025-3-1 · 2025/3/1 · 2025.3.1 · 2025年3月1日 (full-width digits
    too), an Excel serial number (45717 = 2025-03-01), and any of these followed by a
    midnight time (Excel's CSV export writes "2025/3/1 0:00"). Anything else raises CellError.
    """
    raw = clean_text(text)
    if not raw:
        return None
    folded = unicodedata.normalize("NFKC", raw)
    folded = _MIDNIGHT_RE.sub("", folded)
    folded = re.sub(r"\s+", "", folded)
    m = _DATE_SEP_RE.match(folded)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        m = _DATE_CN_RE.match(folded)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            s = _SERIAL_RE.match(folded)
            if s is None:
                raise CellError(f"无法识别的日期「{raw}」：{DATE_HINT}")
            serial = int(s.group(1))
            if not MIN_SERIAL <= serial <= MAX_SERIAL:
                raise CellError(f"「{raw}」不像 Excel 日期序号：{DATE_HINT}")
            return EXCEL_EPOCH + timedelta(days=serial)
    try:
        day = date(y, mo, d)
    except ValueError:
        raise CellError(f"日期「{raw}」不存在（请核对月份和日）") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellError(f"日期「{raw}」的年份不合理：{DATE_HINT}")
    return day


def excel_serial(day: date) -> int:
    """The Excel (1900 system) serial number of a date from 1900-03-01 on."""
    return (day - EXCEL_EPOCH).days


# ---------------------------------------------------------------- yes / no

_YES = frozenset({"是", "Y", "YES", "1", "TRUE", "√", "✓"})
_NO = frozenset({"否", "N", "NO", "0", "FALSE", "×", "✗", ""})


def parse_yes_no(text: str) -> bool:
    """是/否 (also Y/N, 1/0, TRUE/FALSE; empty = 否)."""
    key = match_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"「{clean_text(text)}」不是“是/否”：请填写 是 或 否（留空表示否）")


# ---------------------------------------------------------------- whole numbers

_INT_RE = re.compile(r"^(0|[1-9][0-9]*)$")


def parse_count(text: str) -> int | None:
    """A non-negative whole number written plainly (123); None for an empty cell."""
    raw = clean_text(text)
    if not raw:
        return None
    folded = unicodedata.normalize("NFKC", raw)
    if folded.endswith(".0"):  # a whole number Excel wrote as 12.0
        folded = folded[:-2]
    if not _INT_RE.match(folded) or len(folded) > 15:
        raise CellError(f"「{raw}」不是整数：请只写阿拉伯数字，如 120（不要小数、逗号或单位）")
    return int(folded)


# ---------------------------------------------------------------- multi-value cells

MULTI_SEP_RE = re.compile(r"[、;；,，]")


def split_multi(text: str) -> list[str]:
    """The values of a multi-value cell, as written (clean_text), empty parts dropped."""
    return [v for v in (clean_text(p) for p in MULTI_SEP_RE.split(text)) if v]


def vocabulary_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    """match_key → the vocabulary's own spelling, so （带储存）and (带储存) are one value."""
    return {match_key(c): c for c in choices}


# ---------------------------------------------------------------- personal data

_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9](?:[- ]?[0-9]{4}){2})(?![0-9])")
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])([1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_card_ok(number: str) -> bool:
    """GB 11643 居民身份证号: 17 digits and an ISO 7064 MOD 11-2 check character, real birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(ch) * w for ch, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    return text[:keep_start] + "*" * max(len(text) - keep_start - keep_end, 0) + text[-keep_end:]


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """Personal data in a cell: (kind, masked value) for each mobile number, 身份证号, e-mail.

    The value is masked in what we report, because check output may land in a public CI log.
    Full-width digits count (NFKC first).
    """
    folded = unicodedata.normalize("NFKC", text)
    found: list[tuple[str, str]] = []
    for m in _ID_RE.finditer(folded):
        if id_card_ok(m.group(1)):
            found.append(("身份证号", _mask(m.group(1), 6, 4)))
    for m in _MOBILE_RE.finditer(folded):
        digits = re.sub(r"[- ]", "", m.group(1))
        found.append(("手机号码", _mask(digits, 3, 4)))
    for m in _EMAIL_RE.finditer(folded):
        local, _, domain = m.group(0).partition("@")
        found.append(("电子邮箱", f"{local[:1]}***@{domain}"))
    return found


# ---------------------------------------------------------------- inspection results


class ResultCellError(CellError):
    """A results cell that cannot be read; `code` is the problem code `suiji check` reports."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def parse_ids(text: str) -> tuple[str, ...]:
    """Several ids in one cell (split like multi-value cells) → sorted, de-duplicated id_keys."""
    return tuple(sorted({id_key(p) for p in split_multi(text)} - {""}))


def _category_lookup() -> dict[str, str]:
    """match_key of every code, official name and other spelling → the official name."""
    out = {match_key(code): name for code, name in RESULT_CATEGORIES}
    out.update({match_key(name): name for _, name in RESULT_CATEGORIES})
    out.update({match_key(a): name for a, name in RESULT_CATEGORY_ALIASES.items()})
    return out


def parse_categories(text: str) -> tuple[str, ...]:
    """The result categories of a cell: codes (1, A, E …), official names or their other
    spellings, separated like multi-value cells → official names in national code order.

    未发现问题 stands alone: it contradicts every other category.
    """
    lookup = _category_lookup()
    parts = split_multi(text)
    unknown = [p for p in parts if match_key(p) not in lookup]
    if unknown:
        allowed = "；".join(f"{c} {n}" for c, n in RESULT_CATEGORIES)
        raise ResultCellError(
            f"「{'、'.join(unknown)}」不是全国统一的检查结果类别：只能填写以下类别的代码或名称"
            f"（多个用“、”分隔）：{allowed}",
            "result.category_unknown",
        )
    chosen = {lookup[match_key(p)] for p in parts}
    if NO_PROBLEM in chosen and len(chosen) > 1:
        others = "、".join(n for _, n in RESULT_CATEGORIES if n in chosen and n != NO_PROBLEM)
        raise ResultCellError(
            f"“{NO_PROBLEM}”不能与“{others}”同时选择：未发现问题时只填“{NO_PROBLEM}”，"
            f"否则请删去“{NO_PROBLEM}”",
            "result.category_conflict",
        )
    return tuple(n for _, n in RESULT_CATEGORIES if n in chosen)


FINDINGS_SEP_RE = re.compile(r"[;；、\n]")
FINDINGS_HINT = "请写成 事项编号:结果，多个事项用“；”分隔，如 TY-001:符合；WH-016:不符合"


def parse_findings(text: str) -> tuple[tuple[str, str], ...]:
    """Items checked with their findings: ``TY-001:符合；WH-016:不符合`` → pairs sorted by
    item id (id_key). Entries are separated by ； ; 、 or a line break, item and finding by
    a colon (half- or full-width); the finding is one of schema.FINDINGS.
    """
    out: dict[str, str] = {}
    for part in FINDINGS_SEP_RE.split(unicodedata.normalize("NFKC", text)):
        part = clean_text(part)
        if not part:
            continue
        item, colon, finding = part.partition(":")
        item, finding = id_key(item), clean_text(finding)
        if not colon or not item or not finding:
            raise ResultCellError(
                f"无法识别「{clean_text(text)}」中的「{part}」：{FINDINGS_HINT}",
                "result.findings_syntax",
            )
        if finding not in FINDINGS:
            raise ResultCellError(
                f"事项 {item} 的结果「{finding}」无效：只能是 {'、'.join(FINDINGS)} 之一",
                "result.finding_unknown",
            )
        if item in out:
            raise ResultCellError(
                f"事项 {item} 写了两次：每个检查事项只写一个结果", "result.item_repeated"
            )
        out[item] = finding
    return tuple(sorted(out.items()))
