"""统一社会信用代码 against tests/vectors/uscc.json and docs/spec/03-uscc.md."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.vectors import Case

from suiji.records.uscc import (
    ALPHABET,
    WEIGHTS,
    check_char,
    invalid_mask,
    is_legacy_regno,
    is_valid,
    make_code,
    org_check_char,
    org_code_ok,
    problem,
)

first17s = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_weights_are_powers_of_three() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@vectors.parametrize("uscc", "validate")
def test_validate_vectors(case: Case) -> None:
    code = case.input["code"]
    reason = problem(code)
    assert is_valid(code) is (not case.rejects)
    if case.rejects:
        assert reason  # a Chinese reason to show the clerk; its code is the vector's
        assert vectors.error_code("uscc", ValueError(reason)) == case.error
    else:
        assert reason is None
        assert org_code_ok(code) is case.output["org_code_ok"]


@vectors.parametrize("uscc", "check_char")
def test_check_char_vectors(case: Case) -> None:
    assert check_char(case.input["first17"]) == case.output


@vectors.parametrize("uscc", "org_check_char")
def test_org_check_vectors(case: Case) -> None:
    assert org_check_char(case.input["body"]) == case.output


@vectors.parametrize("uscc", "legacy_regno")
def test_legacy_vectors(case: Case) -> None:
    code = case.input["code"]
    assert is_legacy_regno(code) is case.output
    if case.output:
        assert not is_valid(code)


def test_reference_examples() -> None:
    for code in (
        "91110000600037341L",
        "91110108551385082Q",
        "91310115591693856A",
        "91310110666007217T",
    ):
        assert is_valid(code) and org_code_ok(code)
    assert not is_valid("A1110000600037341L")
    assert "K" in (problem("A1110000600037341L") or "")


def test_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        check_char("9111000060003734")
    with pytest.raises(ValueError):
        check_char("9111000060003734I")
    with pytest.raises(ValueError):
        org_check_char("6000373")
    with pytest.raises(ValueError):
        make_code("9", "1", "99010", "60003734")
    with pytest.raises(ValueError):
        make_code("9", "1", "990101", "6000373I")  # I is a GB 11714 character, not GB 32100


def test_problem_names_position() -> None:
    assert "18 位" in (problem("9111") or "")
    assert "第 9 位" in (problem("91110000O00037341L") or "")


@given(first17s)
def test_computed_check_char_is_valid(first17: str) -> None:
    assert is_valid(first17 + check_char(first17))


@given(first17s, st.integers(0, 17), st.integers(1, 30))
def test_single_substitution_is_detected(first17: str, pos: int, shift: int) -> None:
    code = first17 + check_char(first17)
    changed = ALPHABET[(ALPHABET.index(code[pos]) + shift) % 31]
    assert not is_valid(code[:pos] + changed + code[pos + 1 :])


@given(
    st.sampled_from("9Y15"),
    st.sampled_from("123"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)
def test_make_code_passes_both_checks(reg: str, kind: str, division: str, body: str) -> None:
    code = make_code(reg, kind, division, body)
    assert is_valid(code) and org_code_ok(code)
    assert code.startswith(reg + kind + division + body)


@settings(max_examples=50)
@given(
    st.lists(
        st.one_of(first17s.map(lambda f: f + check_char(f)), st.text(max_size=20)), max_size=30
    )
)
def test_invalid_mask_agrees_with_is_valid(codes: list[str]) -> None:
    series = pd.Series(codes, dtype=object)
    assert invalid_mask(series).tolist() == [not is_valid(c) for c in codes]


def test_invalid_mask_edge_cases() -> None:
    good = "91110000600037341L"
    values: list[object] = [
        good,
        None,
        float("nan"),
        911100006000373410,
        good.lower(),
        good + "\x00",
        good[:17],
        good + "0",
        "９" + good[1:],
        good[:17] + "Ł",
        "",
        "A1110000600037341L",
    ]
    mask = invalid_mask(pd.Series(values, index=range(10, 10 + len(values)), dtype=object))
    assert list(mask.index) == list(range(10, 10 + len(values)))
    assert mask.tolist() == [False] + [True] * (len(values) - 1)
    assert invalid_mask(pd.Series([], dtype=str)).tolist() == []
    typed = pd.Series([good, None, "91110108551385082Q"], dtype=str)
    assert invalid_mask(typed).tolist() == [False, True, False]
