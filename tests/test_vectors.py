"""Every file in tests/vectors/ keeps to the one schema (`suiji/vectors/v1`, see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.support import vectors

FILES = sorted(vectors.VECTORS_DIR.glob("*.json"))
README = (vectors.VECTORS_DIR / "README.md").read_text(encoding="utf-8")


def test_one_file_per_area() -> None:
    assert sorted(p.stem for p in FILES) == sorted(vectors.AREAS) == sorted(vectors.KINDS)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_follows_schema(path: Path) -> None:
    parsed = vectors.parse_file(path)
    assert parsed.area == path.stem
    # `spec` names the spec file (docs/spec/) that defines the area's format.
    spec = vectors.ROOT / parsed.spec
    assert not Path(parsed.spec).is_absolute() and ".." not in Path(parsed.spec).parts
    assert spec.is_file() and parsed.spec.startswith("docs/spec/"), parsed.spec
    # every kind has cases, every case one kind; codes used are listed and documented
    for kind in vectors.KINDS[parsed.area]:
        assert vectors.cases(parsed.area, kind)
    used = {c.error for c in parsed.cases if c.error is not None}
    assert used <= set(vectors.ERROR_CODES[parsed.area])
    # the file is plain JSON a JavaScript reader takes unchanged: no lone surrogates, and
    # integers within Number.MAX_SAFE_INTEGER + 1
    text = path.read_text(encoding="utf-8")
    text.encode("utf-8", "strict")
    _walk_numbers(json.loads(text))


def _walk_numbers(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        assert -(2**53) <= value <= 2**53, value
    elif isinstance(value, list):
        for v in value:
            _walk_numbers(v)
    elif isinstance(value, dict):
        for v in value.values():
            _walk_numbers(v)


def test_kinds_are_not_prefixes_of_each_other() -> None:
    for area, kinds in vectors.KINDS.items():
        for a in kinds:
            for b in kinds:
                assert a == b or not b.startswith(a + "_"), (area, a, b)


def test_readme_documents_every_error_code() -> None:
    for area, codes in vectors.ERROR_CODES.items():
        assert f"### {area}" in README, area
        for code in codes:
            assert f"`{code}`" in README, (area, code)
        for rule in vectors.ERROR_RULES[area]:
            assert rule.code in codes, (area, rule)


GOOD_CASE = {"id": "check_char_x", "comment": "", "input": {"first17": "x"}, "output": "y"}


def _doc(*cases: Any) -> dict[str, Any]:
    return {
        "schema": vectors.SCHEMA,
        "area": "uscc",
        "spec": "docs/spec/03-uscc.md",
        "cases": list(cases),
    }


@pytest.mark.parametrize(
    ("doc", "why"),
    [
        ({**_doc(GOOD_CASE), "about": "x"}, "top level"),
        ({**_doc(GOOD_CASE), "schema": "suiji/vectors/v2"}, "schema"),
        ({**_doc(GOOD_CASE), "area": "draw"}, "area"),
        (_doc(), "non-empty"),
        (_doc({**GOOD_CASE, "note": "x"}), "unknown keys"),
        (_doc(GOOD_CASE, GOOD_CASE), "duplicate case id"),
        (_doc({**GOOD_CASE, "error": "bad-length"}), "exactly one"),
        (_doc({k: v for k, v in GOOD_CASE.items() if k != "output"}), "exactly one"),
        (_doc({**GOOD_CASE, "id": "Check-Char"}), "snake_case"),
        (_doc({**GOOD_CASE, "id": "nokind_x"}), "kinds"),
        (_doc({**GOOD_CASE, "comment": None}), "comment"),
        (_doc({**GOOD_CASE, "input": []}), "input"),
        (_doc({**{k: v for k, v in GOOD_CASE.items() if k != "output"}, "error": "Bad"}), "kebab"),
        (
            _doc({**{k: v for k, v in GOOD_CASE.items() if k != "output"}, "error": "unheard-of"}),
            "not listed",
        ),
    ],
)
def test_loader_is_strict(tmp_path: Path, doc: dict[str, Any], why: str) -> None:
    path = tmp_path / "uscc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(vectors.SchemaError, match=why):
        vectors.parse_file(path)


def test_loader_rejects_duplicate_json_keys(tmp_path: Path) -> None:
    path = tmp_path / "uscc.json"
    good = json.dumps(_doc(GOOD_CASE))
    path.write_text(good.replace('"output": "y"', '"output": "y", "output": "z"'), "utf-8")
    with pytest.raises(vectors.SchemaError, match="duplicate JSON key"):
        vectors.parse_file(path)
    path.write_text(good, "utf-8")
    assert vectors.parse_file(path).cases[0].output == "y"


def test_error_code_table() -> None:
    class CanonicalError(Exception):  # matched by class name, wherever the class lives
        pass

    assert vectors.error_code("encoding", CanonicalError("重复的键: 'a'")) == "duplicate-key"
    with pytest.raises(AssertionError, match="no error code"):
        vectors.error_code("encoding", ValueError("重复的键"))
    with pytest.raises(AssertionError, match="expected an error"):
        vectors.raised_code("encoding", lambda: None)
