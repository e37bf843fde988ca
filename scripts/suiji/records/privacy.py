"""Personal data in any free-text, name or id cell (mobile numbers, 身份证号, e-mail).

A numpy pre-filter keeps the exact regular expressions (`cells.find_personal_data`) to the
few rows that could hold such data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import numpy as np

from .cells import find_personal_data
from .schema import Column
from .sheet import SMALL, ObjArray, Sheet

# ---------------------------------------------------------------- personal data


_NOT_DIGIT = bytes(b for b in range(256) if not (0x30 <= b <= 0x39 or b == 0x1F))


def _candidates(values: ObjArray) -> Iterable[int]:
    """Rows that could hold personal data: ≥ 11 ASCII digits (after NFKC) or an '@'.

    One pass in C over the column's UTF-8 bytes (drop every byte but digits and the row
    separator, then split), so the exact regular expressions run only on the few rows left.
    """
    n = len(values)
    if n <= SMALL:
        return range(n)
    joined = "\x1f".join([unicodedata.normalize("NFKC", v) for v in values]).encode("utf-8")
    digits = np.frombuffer(joined.translate(None, _NOT_DIGIT), dtype=np.uint8)
    ends = np.flatnonzero(digits == 0x1F)
    if len(ends) != n - 1:  # a cell itself holds the separator: check every row
        return range(n)
    bounds = np.concatenate(([-1], ends, [len(digits)]))
    rows = set(np.flatnonzero(np.diff(bounds) - 1 >= 11).tolist())
    if b"@" in joined:
        data = np.frombuffer(joined, dtype=np.uint8)
        seps = np.flatnonzero(data == 0x1F)
        rows.update(np.searchsorted(seps, np.flatnonzero(data == 0x40)).tolist())
    return sorted(rows)


_CODES = {"身份证号": "privacy.id_card", "手机号码": "privacy.mobile"}


def scan_outside(sheet: Sheet) -> None:
    """Personal data where a clerk may not look but the published workbook still holds it.

    Other worksheets, hidden rows and columns and cell comments are published with the
    file (anyone can unhide them), so personal data there is an error like in a cell.
    """
    for loc, where, text in sheet.raw.outside:
        for kind, masked in find_personal_data(text):
            sheet.add_at(
                loc,
                (loc.row or 0, -1),
                "error",
                _CODES.get(kind, "privacy.email"),
                f"{where}中疑似{kind}「{masked}」：工作簿里的其他工作表、隐藏的行列和批注"
                f"都会随文件公开，不得含个人信息，请删除（个人联系方式等请另行保存在局内部）",
            )


def scan_personal(sheet: Sheet, col: Column, values: ObjArray) -> None:
    def report(i: int, found: list[tuple[str, str]]) -> None:
        for kind, masked in found:
            code = _CODES.get(kind, "privacy.email")
            sheet.add(
                i,
                col.alias,
                "error",
                code,
                f"疑似{kind}「{masked}」：公开仓库和网站不得含个人信息，请删除"
                f"（个人联系方式等请另行保存在局内部，不要提交）",
            )

    if col.alias in sheet.codes:
        codes, uniques = sheet.codes[col.alias]
        for k, u in enumerate(uniques):
            found = find_personal_data(str(u))
            if found:
                for i in np.flatnonzero(codes == k):
                    report(int(i), found)
        return
    for row in _candidates(values):
        text = values[row]
        if text:
            hits = find_personal_data(text)
            if hits:
                report(int(row), hits)
