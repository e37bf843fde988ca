"""Shared encodings against tests/vectors/encoding.json (docs/spec/01-encoding.md)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.vectors import Case

from suiji.shared.canonical import MAX_INT, canonical_json, parse_canonical, tagged_hash
from suiji.shared.errors import CanonicalError
from suiji.shared.text import clean_text, id_key, match_key
from suiji.shared.times import civil_date, format_time, parse_time, parse_user_time


@vectors.parametrize("encoding", "canonical_json")
def test_canonical_vectors(case: Case) -> None:
    value = case.input["value"]
    if case.rejects:
        assert vectors.raised_code("encoding", lambda: canonical_json(value)) == case.error
        return
    out = canonical_json(value)
    assert out == case.output.encode("utf-8")
    assert parse_canonical(out) == value


@pytest.mark.parametrize("bad", [{"名": "x"}, [1.5], [-1], [MAX_INT + 1], {"a": b"x"}, ["e\u0301"]])
def test_canonical_rejects_values(bad: Any) -> None:
    with pytest.raises(CanonicalError):
        canonical_json(bad)


@vectors.parametrize("encoding", "parse_canonical")
def test_parse_rejects_non_canonical(case: Case) -> None:
    data = case.input["text"].encode("utf-8")
    with pytest.raises(CanonicalError) as err:
        parse_canonical(data)
    assert vectors.error_code("encoding", err.value) == case.error


def test_parse_rejects_bom_and_bad_utf8() -> None:
    with pytest.raises(CanonicalError):
        parse_canonical(b"\xef\xbb\xbf{}")
    with pytest.raises(CanonicalError):
        parse_canonical(b'["\xff"]')


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(0, MAX_INT)
    | st.text()
    .map(lambda s: clean_text(s) if s else s)
    .filter(lambda s: all(not 0xD800 <= ord(c) <= 0xDFFF for c in s)),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=5), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@given(json_values)
def test_round_trip(value: Any) -> None:
    """Whatever serialises, parses back to itself, and the bytes are stable."""
    try:
        data = canonical_json(value)
    except CanonicalError:
        return
    assert canonical_json(parse_canonical(data)) == data


@vectors.parametrize("encoding", "tagged_hash")
def test_tagged_hash_vectors(case: Case) -> None:
    tag, data = case.input["tag"], case.input["data_utf8"].encode()
    assert tagged_hash(tag, data).hex() == case.output
    assert case.output == hashlib.sha256(tag.encode() + b"\n" + data).hexdigest()


@pytest.mark.parametrize("tag", ["suiji/Object/v1", "object/v1", "suiji/x/v0", "suiji/x y/v1"])
def test_bad_tags_refused(tag: str) -> None:
    with pytest.raises(ValueError):
        tagged_hash(tag, b"")


@vectors.parametrize("encoding", "match_key")
def test_match_key(case: Case) -> None:
    assert match_key(case.input["text"]) == case.output


@vectors.parametrize("encoding", "id_key")
def test_id_key(case: Case) -> None:
    assert id_key(case.input["text"]) == case.output


def test_clean_text_keeps_official_form() -> None:
    assert clean_text("\u3000示例县（东岭）化工有限公司\u00a0") == "示例县（东岭）化工有限公司"


def test_times() -> None:
    moment = datetime(2026, 3, 1, 2, 0, 0, 123, tzinfo=UTC)
    assert format_time(moment) == "2026-03-01T02:00:00Z"
    assert parse_time("2026-03-01T02:00:00Z") == moment.replace(microsecond=0)
    for bad in [
        "2026-03-01T02:00:00+00:00",
        "2026-3-01T02:00:00Z",
        "2026-02-30T00:00:00Z",
        " 2026-03-01T02:00:00Z",
        "\u0662\u0660\u0662\u0666-03-01T02:00:00Z",  # Arabic-Indic digits match \\d
    ]:
        with pytest.raises(CanonicalError):
            parse_time(bad)


def test_civil_dates_are_shanghai() -> None:
    # 17:00 UTC on 31 Dec is already 1 Jan in Shanghai: years and deadlines use the latter.
    assert civil_date(datetime(2025, 12, 31, 17, 0, tzinfo=UTC)) == date(2026, 1, 1)
    assert civil_date(parse_user_time("2026-01-01")) == date(2026, 1, 1)
    assert format_time(parse_user_time("2026-01-01T08:00:00")) == "2026-01-01T00:00:00Z"
    with pytest.raises(CanonicalError):
        parse_user_time("明天")
