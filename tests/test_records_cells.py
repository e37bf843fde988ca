"""Reading single cells: dates, yes/no, counts, multi-values, personal data, org codes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.vectors import Case

from suiji.records import CellError, parse_date
from suiji.records.cells import (
    excel_serial,
    find_personal_data,
    id_card_ok,
    parse_count,
    parse_yes_no,
    split_multi,
)
from suiji.records.columns import org_code_bad
from suiji.records.uscc import ALPHABET, check_char, make_code, org_code_ok

# ---------------------------------------------------------------- dates


@vectors.parametrize("records", "date")
def test_date_vectors(case: Case) -> None:
    spelling = case.input["text"]
    if not case.rejects:
        assert parse_date(spelling) == date.fromisoformat(case.output)
        return
    with pytest.raises(CellError) as err:
        parse_date(spelling)
    assert vectors.error_code("records", err.value) == case.error
    assert "2025" in str(err.value) or "不存在" in str(err.value) or "不像" in str(err.value)


def test_blank_date_is_none() -> None:
    assert parse_date("") is None
    assert parse_date(" \u3000") is None


def _spellings(day: date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    return [
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}/{m}/{d} 0:00",
        str(excel_serial(day)),
        f" {y}/{m:02d}/{d:02d}\u3000",
    ]


@settings(max_examples=200)
@given(st.dates(date(1928, 1, 1), date(2100, 12, 31)))
def test_every_spelling_reads_the_same_date(day: date) -> None:
    assert {parse_date(s) for s in _spellings(day)} == {day}


def test_excel_serial_matches_excel() -> None:
    assert excel_serial(date(2025, 3, 1)) == 45717  # as Excel shows =DATEVALUE("2025-03-01")
    assert parse_date("45717") == date(2025, 3, 1)
    assert (date(2025, 3, 1) - timedelta(days=45717)).isoformat() == "1899-12-30"
    with pytest.raises(CellError):
        parse_date("9999")  # a small number is not a date (a year, a count)


# ---------------------------------------------------------------- yes/no, counts, multi


@pytest.mark.parametrize("text", ["是", "Y", "y", "YES", "1", "TRUE", "true", "√", "Ｙ"])
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["否", "N", "no", "0", "FALSE", "", " ", "×"])
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["有", "2", "是的", "T"])
def test_not_yes_no(text: str) -> None:
    with pytest.raises(CellError):
        parse_yes_no(text)


def test_counts() -> None:
    assert parse_count("120") == 120
    assert parse_count("０") == 0
    assert parse_count("12.0") == 12
    assert parse_count(" ") is None
    for bad in ("007", "1,000", "12.5", "-3", "+3", "1e3", "十二", "1_0", "٥"):
        with pytest.raises(CellError):
            parse_count(bad)


def test_split_multi() -> None:
    assert split_multi("化工工艺、安全管理;消防安全；电气安全,特种设备，烟花爆竹") == [
        "化工工艺",
        "安全管理",
        "消防安全",
        "电气安全",
        "特种设备",
        "烟花爆竹",
    ]
    assert split_multi(" 化工工艺 、、 ") == ["化工工艺"]


# ---------------------------------------------------------------- personal data


def _id(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def test_id_card_check() -> None:
    good = _id("11010119900307123")
    assert id_card_ok(good)
    assert not id_card_ok(good[:17] + ("0" if good[17] != "0" else "1"))
    assert not id_card_ok(_id("11010119901307123"))  # month 13
    assert not id_card_ok("1101011990030712")  # too short


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("联系人13912345678", "手机号码"),
        ("电话 139-1234-5678", "手机号码"),
        ("电话+86 13912345678", "手机号码"),
        ("电话8613912345678", "手机号码"),
        ("１３９１２３４５６７８", "手机号码"),
        ("wang@example.com.cn 联系", "电子邮箱"),
        ("wang＠example.com", "电子邮箱"),
    ],
)
def test_finds_personal_data(text: str, kind: str) -> None:
    assert kind in {k for k, _ in find_personal_data(text)}


def test_finds_id_numbers_and_masks_them() -> None:
    number = _id("32010219851124301")
    found = find_personal_data(f"法人代表身份证{number}")
    assert found == [("身份证号", number[:6] + "********" + number[-4:])]
    assert find_personal_data(f"x{number[:17]}") == []  # 17 digits: not an id number


@pytest.mark.parametrize(
    "text",
    [
        "示例县城关镇工业路13号",
        "《中华人民共和国安全生产法》第二十一条",
        "GB 30871-2022",
        "91110000600037341L",  # a credit code is not personal data
        "2025年3月1日",
        "123456789012",  # 12 digits: not a mobile number
        "12345678901",  # starts 12: not a mobile number
        "示应急执字第0166号",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert find_personal_data(text) == []


# ---------------------------------------------------------------- organisation code check


_codes = st.text(ALPHABET, min_size=17, max_size=17).map(lambda s: s + check_char(s))


@settings(max_examples=300)
@given(st.lists(_codes, min_size=1, max_size=40))
def test_vectorised_org_check_equals_uscc(codes: list[str]) -> None:
    arr = np.array(codes, dtype=object)
    assert org_code_bad(arr).tolist() == [not org_code_ok(c) for c in codes]


def test_org_check_on_known_codes() -> None:
    codes = ["91110000600037341L", "91110108551385082Q", "91310115591693856A", "91310110666007217T"]
    assert org_code_bad(np.array(codes, dtype=object)).tolist() == [
        not org_code_ok(c) for c in codes
    ]
    assert org_code_bad(np.array([], dtype=object)).tolist() == []
    body = "12345678"
    good = make_code("9", "1", "110000", body)
    assert not org_code_bad(np.array([good], dtype=object))[0]
