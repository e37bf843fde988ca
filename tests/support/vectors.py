"""The one loader for tests/vectors/<area>.json (schema `suiji/vectors/v1`, see its README).

A file is ``{"schema", "area", "spec", "cases"}``; a case is ``{"id", "comment", "input"}``
plus exactly one of ``"output"`` (the expected result) or ``"error"`` (a stable error code).
`load` validates strictly: unknown or missing keys, duplicate JSON keys, duplicate ids and a
case with both or neither of output/error all fail.

Case ids are ``<kind>_<name>``; `KINDS` lists each area's kinds (which function a case
exercises), so `cases(area, kind)` selects them and every case belongs to exactly one kind.

Python raises exceptions; the files carry codes. `error_code` is the ONE place that maps an
exception (class name, message, attributes) to a code, per area, so that another verifier
(JavaScript, `node --test`) can read the same files and compare codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SCHEMA = "suiji/vectors/v1"
ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = ROOT / "tests" / "vectors"
AREAS = (
    "encoding",
    "records",
    "uscc",
    "ledger",
    "beacon",
    "draw",
    "teams",
    "coverage",
    "verify",
    "calendar",
    "results",
    "notices",
    "sealed",
    "witness",
)

ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
FILE_KEYS = frozenset({"schema", "area", "spec", "cases"})
CASE_KEYS = frozenset({"id", "comment", "input", "output", "error"})

KINDS: dict[str, tuple[str, ...]] = {
    "encoding": ("canonical_json", "parse_canonical", "tagged_hash", "match_key", "id_key"),
    "records": (
        "snapshot_rows",
        "clerk_csv",
        "parse_snapshot",
        "date",
        "result_categories",
        "item_findings",
    ),
    "uscc": ("validate", "check_char", "org_check_char", "legacy_regno"),
    "ledger": ("test_key", "object", "entries", "cosignature", "line"),
    "beacon": (
        "chain_facts",
        "demo_chain",
        "verify",
        "round_time",
        "first_round",
        "committed_round",
        "public_chain",
    ),
    "draw": ("ticket", "seed", "order", "allocation", "stratified", "items", "extra_value"),
    "teams": ("role_seed", "replacement_seed", "draw", "void", "teams_error"),
    "coverage": ("by_chance", "exclusions"),
    "verify": ("state",),
    "calendar": ("parse", "working_day", "add_working_days", "deadlines"),
    "results": ("object", "salt", "chain"),
    "notices": ("normalize", "hash", "check", "codes_file"),
    "sealed": ("secret_hash", "parse_secret", "sealed_seed", "reveal_deadline", "order"),
    "witness": (
        "cosignature_line",
        "cosignature_message",
        "add_checkpoint",
        "tile_path",
        "tile_widths",
        "inclusion",
        "consistency",
        "policy",
    ),
}

# ---------------------------------------------------------------- error codes

ERROR_CODES: dict[str, dict[str, str]] = {
    "encoding": {
        "non-ascii-key": "an object key is not an ASCII string",
        "integer-out-of-range": "an integer outside 0..2^53-1 (negative, or 2^53 and above)",
        "float": "a number with a fraction or exponent (1.5, 1.0, 1e2)",
        "non-finite-number": "NaN or Infinity",
        "duplicate-key": "an object has the same key twice",
        "lone-surrogate": "a string holds an unpaired UTF-16 surrogate",
        "not-nfc": "a string is not in Unicode NFC",
        "too-deep": "arrays and objects nested more than 64 deep (refused before parsing)",
        "invalid-json": "not JSON at all (syntax error, leading zeros, byte order mark, empty)",
        "invalid-utf8": "the bytes are not UTF-8",
        "not-canonical": "valid JSON, but not byte-identical to its canonical form "
        "(white space, key order, escapes, -0, trailing newline)",
    },
    "records": {
        "no-final-newline": "a snapshot must end with a newline",
        "bad-header": "the header line: unknown type, or columns not those of the record",
        "row-count-mismatch": "the header's rows differs from the number of row lines",
        "rows-not-ascending": "row keys not strictly ascending by UTF-8 bytes (out of order, "
        "or the same key twice)",
        "not-canonical": "a line is not canonical JSON",
        "bad-id": "an id column (credit code) is not in id_key form",
        "bad-text": "a text column is not in clean_text form (e.g. not trimmed)",
        "bad-date": "a date column is neither YYYY-MM-DD nor null",
        "bad-bool": "a yes/no column is neither true nor false",
        "no-such-date": "a date cell names a day that does not exist (2025-02-30)",
        "unrecognised-date": "a date cell in none of the accepted spellings",
        "unknown-category": "a result category that is neither a national code, name nor "
        "one of its other spellings",
        "category-conflict": "未发现问题 together with another category",
        "findings-syntax": "an item-finding entry without item id, colon or finding",
        "unknown-finding": "a finding other than 符合, 不符合, 不适用",
        "item-repeated": "one item (by id_key) twice in one cell",
    },
    "uscc": {
        "bad-length": "not exactly 18 characters",
        "bad-character": "a character outside 0-9 and A-Z without I, O, S, V, Z "
        "(lower case and full-width digits included: normalise with id_key first)",
        "bad-check-char": "the 18th character is not the GB 32100 check character",
    },
    "ledger": {
        "noncanonical": "the line is not canonical JSON (the verifier's finding code)",
    },
    "beacon": {
        "bad-hex": "the signature is not lower-case hexadecimal",
        "bad-length": "the signature is not 48 bytes (96 hex characters)",
        "not-a-point": "not a compressed BLS12-381 G1 point (flags, or x not on the curve)",
        "point-at-infinity": "the signature is the point at infinity",
        "not-in-subgroup": "on the curve but not in the prime-order subgroup",
        "signature-invalid": "a valid point, but not the chain's signature for this round",
        "round-out-of-range": "the round is outside 1..2^53-1",
    },
    "draw": {
        "extra-format": "an extra input's value is not in its kind's one written form",
    },
    "coverage": {},
    "teams": {
        "no-leader": "no eligible leader for a team",
        "no-group-officer": "no eligible officer of the district's own group",
        "no-officers": "too few eligible officers",
        "no-accompany": "too few eligible accompanying staff",
        "no-experts": "too few eligible experts",
        "over-load-limit": "one team would exceed the load limit (per = task)",
    },
    "verify": {
        "state-file": "not a verify-state file: wrong type or members, a bad time or size, "
        "or a last_hash that is not the hash of last_line",
    },
    "results": {
        "bad-salt": "salt is not 32 lowercase hex digits",
        "bad-order": "findings not sorted by item, or an item twice",
        "bad-schema": "schema is not suiji/result/v1",
        "bad-date": "a date that is not YYYY-MM-DD or not a day",
        "missing-member": "a member of the object is missing",
        "unknown-member": "a member the object does not have",
    },
    "calendar": {
        "calendar-file-name": "the file name is not <year>.toml",
        "calendar-encoding": "not UTF-8, or UTF-8 with a byte order mark",
        "calendar-toml": "not TOML (syntax error)",
        "calendar-key": "a missing or unknown key, or a text value that is empty or not trimmed",
        "calendar-year": "year differs from the file name",
        "calendar-date": "a value that is not a TOML date, or a day outside the file's year",
        "calendar-holiday-name": "a holiday name that is none of the seven festivals (two joined by 、 allowed)",
        "calendar-range": "a holiday range that ends before it starts or is longer than 14 days",
        "calendar-workday-not-weekend": "a make-up working day that is not a Saturday or Sunday",
        "calendar-day-twice": "a day named twice (overlapping ranges, or a make-up day inside a range)",
        "calendar-missing-statutory": "a fixed-date statutory holiday (1/1, 5/1, 5/2, 10/1–3) not inside any range",
        "deadline-days": "a count of days outside 1..366",
    },
    "witness": {
        "bad-request": "an add-checkpoint body that breaks c2sp.org/tlog-witness (old line, "
        "proof lines, empty line, checkpoint note) — the witness answers 400",
        "witness-duplicate": "one witness key (or name) listed twice in the policy",
        "witness-key": "a witness vkey that does not parse or is not a cosignature/v1 key (0x04)",
        "policy-range": "threshold outside 1..number of witnesses, or lead_seconds out of range",
    },
    "notices": {
        "notice-code-format": "a code that is not ten characters of the alphabet after normalising",
        "notice-not-listed": "the public file has no line for the enterprise",
        "notice-codes-file": "a public code file that breaks §17.4",
    },
    "sealed": {
        "secret-invalid": "a secret that is not exactly 64 lower-case hex digits",
    },
}


@dataclass(frozen=True)
class Rule:
    """Exception class name (anywhere in its MRO) + message fragment or attribute → code."""

    exception: str
    code: str
    contains: str = ""
    attr: tuple[str, str] | None = None

    def matches(self, exc: BaseException) -> bool:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if self.exception not in names or self.contains not in str(exc):
            return False
        return self.attr is None or getattr(exc, self.attr[0], None) == self.attr[1]


# Exception types are matched by name so this table survives modules moving between packages.
ERROR_RULES: dict[str, tuple[Rule, ...]] = {
    "encoding": (
        Rule("CanonicalError", "non-ascii-key", "键必须是 ASCII"),
        Rule("CanonicalError", "too-deep", "嵌套层数超过"),
        Rule("CanonicalError", "integer-out-of-range", "整数超出范围"),
        Rule("CanonicalError", "float", "不允许的类型 float"),
        Rule("CanonicalError", "float", "不允许小数"),
        Rule("CanonicalError", "non-finite-number", "不允许的数值"),
        Rule("CanonicalError", "duplicate-key", "重复的键"),
        Rule("CanonicalError", "lone-surrogate", "孤立代理字符"),
        Rule("CanonicalError", "not-nfc", "NFC"),
        Rule("CanonicalError", "invalid-utf8", "不是合法的 UTF-8"),
        Rule("CanonicalError", "invalid-json", "不是合法的 JSON"),
        Rule("CanonicalError", "not-canonical", "不是规范 JSON"),
    ),
    "records": (
        Rule("CanonicalError", "no-final-newline", "必须以换行符结尾"),
        Rule("CanonicalError", "bad-header", "type 必须是"),
        Rule("CanonicalError", "bad-header", "的列必须是"),
        Rule("CanonicalError", "row-count-mismatch", "rows="),
        Rule("CanonicalError", "rows-not-ascending", "行未按键升序排列或键重复"),
        Rule("CanonicalError", "not-canonical", "不是规范 JSON"),
        Rule("CanonicalError", "bad-id", "id_key 规范形式"),
        Rule("CanonicalError", "bad-text", "clean_text 规范形式"),
        Rule("CanonicalError", "bad-date", "日期必须是 YYYY-MM-DD"),
        Rule("CanonicalError", "bad-bool", "必须是 true 或 false"),
        Rule("CellError", "no-such-date", "不存在"),
        Rule("CellError", "unrecognised-date", "无法识别的日期"),
        Rule("ResultCellError", "unknown-category", attr=("code", "result.category_unknown")),
        Rule("ResultCellError", "category-conflict", attr=("code", "result.category_conflict")),
        Rule("ResultCellError", "findings-syntax", attr=("code", "result.findings_syntax")),
        Rule("ResultCellError", "unknown-finding", attr=("code", "result.finding_unknown")),
        Rule("ResultCellError", "item-repeated", attr=("code", "result.item_repeated")),
    ),
    "uscc": (  # uscc.problem returns its reason as text; tests wrap it as a ValueError
        Rule("ValueError", "bad-length", "应为 18 位"),
        Rule("ValueError", "bad-character", "不在代码字符集内"),
        Rule("ValueError", "bad-check-char", "校验码错误"),
    ),
    "ledger": (Rule("CanonicalError", "noncanonical"),),  # as the ledger decoder reports it
    "beacon": (
        Rule("BeaconError", "bad-hex", "只能含小写十六进制字符"),
        Rule("BeaconError", "bad-length", "长度应为"),
        Rule("BeaconError", "point-at-infinity", "无穷远点"),
        Rule("BeaconError", "not-a-point", "不是 BLS12-381 G1 上的压缩点"),
        Rule("BeaconError", "not-in-subgroup", "素数阶子群"),
        Rule("BeaconError", "signature-invalid", "签名验证失败"),
        Rule("BeaconError", "round-out-of-range", "轮次 round 必须在"),
    ),
    "draw": (  # extras.value_problem returns its reason as text; tests wrap it as a ValueError
        Rule("ValueError", "extra-format", "应为"),
    ),
    "coverage": (),
    "teams": (
        Rule("TeamInfeasible", "no-leader", attr=("rule", "leader")),
        Rule("TeamInfeasible", "no-group-officer", attr=("rule", "group_officer")),
        Rule("TeamInfeasible", "no-officers", attr=("rule", "officers")),
        Rule("TeamInfeasible", "no-accompany", attr=("rule", "accompany")),
        Rule("TeamInfeasible", "no-experts", attr=("rule", "experts")),
        Rule("TeamInfeasible", "over-load-limit", attr=("rule", "load_limit")),
    ),
    "verify": (Rule("InputError", "state-file", attr=("code", "state-file")),),
    "results": (
        Rule("EntryError", "bad-salt", attr=("code", "bad-salt")),
        Rule("EntryError", "bad-order", attr=("code", "bad-order")),
        Rule("EntryError", "bad-schema", attr=("code", "bad-schema")),
        Rule("EntryError", "bad-date", attr=("code", "bad-date")),
        Rule("EntryError", "missing-member", attr=("code", "missing-member")),
        Rule("EntryError", "unknown-member", attr=("code", "unknown-member")),
    ),
    "calendar": (
        Rule("InputError", "calendar-file-name", attr=("code", "calendar-file-name")),
        Rule("InputError", "calendar-encoding", attr=("code", "calendar-encoding")),
        Rule("InputError", "calendar-toml", attr=("code", "calendar-toml")),
        Rule("InputError", "calendar-key", attr=("code", "calendar-key")),
        Rule("InputError", "calendar-year", attr=("code", "calendar-year")),
        Rule("InputError", "calendar-date", attr=("code", "calendar-date")),
        Rule("InputError", "calendar-holiday-name", attr=("code", "calendar-holiday-name")),
        Rule("InputError", "calendar-range", attr=("code", "calendar-range")),
        Rule(
            "InputError",
            "calendar-workday-not-weekend",
            attr=("code", "calendar-workday-not-weekend"),
        ),
        Rule("InputError", "calendar-day-twice", attr=("code", "calendar-day-twice")),
        Rule(
            "InputError", "calendar-missing-statutory", attr=("code", "calendar-missing-statutory")
        ),
        Rule("InputError", "deadline-days", attr=("code", "deadline-days")),
    ),
    "witness": (
        Rule("NoteError", "bad-request"),
        Rule("EntryError", "witness-duplicate", attr=("code", "witness-duplicate")),
        Rule("EntryError", "witness-key", attr=("code", "witness-key")),
        Rule("EntryError", "policy-range", attr=("code", "policy-range")),
    ),
    "notices": (
        Rule("NoticeCodeError", "notice-code-format", attr=("code", "notice-code-format")),
        Rule("NoticeCodeError", "notice-not-listed", attr=("code", "notice-not-listed")),
        Rule("NoticeCodeError", "notice-codes-file", attr=("code", "notice-codes-file")),
    ),
    "sealed": (Rule("SecretError", "secret-invalid", attr=("code", "secret-invalid")),),
}


def error_code(area: str, exc: BaseException) -> str:
    """The stable code of `exc` in `area`: the first matching rule; unmapped → AssertionError."""
    for rule in ERROR_RULES[area]:
        if rule.matches(exc):
            return rule.code
    raise AssertionError(f"{area}: no error code for {type(exc).__name__}: {exc}")


def raised_code(area: str, call: Callable[[], object]) -> str:
    """Run `call`, which must raise; return the raised exception's code."""
    try:
        result = call()
    except Exception as exc:
        return error_code(area, exc)
    raise AssertionError(f"{area}: expected an error, got {result!r}")


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Case:
    """One vector: what goes in and either the expected output or an error code."""

    id: str
    comment: str
    input: dict[str, Any]
    output: Any = None
    error: str | None = None

    @property
    def rejects(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class VectorFile:
    area: str
    spec: str
    cases: tuple[Case, ...]


class SchemaError(ValueError):
    """A vector file that does not follow `suiji/vectors/v1`."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SchemaError(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _reject_constant(text: str) -> Any:
    raise SchemaError(f"{text} is not JSON")


def parse_file(path: Path, *, area: str | None = None) -> VectorFile:
    """Read and validate one vector file strictly; raises SchemaError naming the problem."""
    where = path.name
    try:
        data = json.loads(
            path.read_text(encoding="utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{where}: not JSON: {exc}") from None
    except SchemaError as exc:
        raise SchemaError(f"{where}: {exc}") from None
    if not isinstance(data, dict) or set(data) != FILE_KEYS:
        got = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise SchemaError(f"{where}: top level must have exactly {sorted(FILE_KEYS)}, got {got}")
    if data["schema"] != SCHEMA:
        raise SchemaError(f"{where}: schema must be {SCHEMA!r}, got {data['schema']!r}")
    expected_area = area if area is not None else path.stem
    if data["area"] != expected_area or expected_area not in KINDS:
        raise SchemaError(f"{where}: area {data['area']!r}, expected {expected_area!r}")
    if not isinstance(data["spec"], str) or not data["spec"]:
        raise SchemaError(f"{where}: spec must be a non-empty path string")
    if not isinstance(data["cases"], list) or not data["cases"]:
        raise SchemaError(f"{where}: cases must be a non-empty array")
    cases: list[Case] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["cases"]):
        case = _parse_case(raw, f"{where} cases[{i}]", expected_area)
        if case.id in seen:
            raise SchemaError(f"{where}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return VectorFile(expected_area, data["spec"], tuple(cases))


def _parse_case(raw: Any, where: str, area: str) -> Case:
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: a case must be an object")
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise SchemaError(f"{where}: unknown keys {sorted(unknown)}")
    missing = {"id", "comment", "input"} - set(raw)
    if missing:
        raise SchemaError(f"{where}: missing keys {sorted(missing)}")
    if ("output" in raw) == ("error" in raw):
        raise SchemaError(f"{where}: exactly one of output and error")
    cid, comment, inp = raw["id"], raw["comment"], raw["input"]
    if not isinstance(cid, str) or not ID_RE.match(cid):
        raise SchemaError(f"{where}: id must be a snake_case string, got {cid!r}")
    if kind_of(area, cid) is None:
        raise SchemaError(f"{where}: id {cid!r} starts with none of {area}'s kinds {KINDS[area]}")
    if not isinstance(comment, str):
        raise SchemaError(f"{where} ({cid}): comment must be a string")
    if not isinstance(inp, dict):
        raise SchemaError(f"{where} ({cid}): input must be an object")
    error = raw.get("error")
    if "error" in raw:
        if not isinstance(error, str) or not CODE_RE.match(error):
            raise SchemaError(f"{where} ({cid}): error must be a kebab-case code, got {error!r}")
        if error not in ERROR_CODES[area]:
            raise SchemaError(f"{where} ({cid}): error code {error!r} is not listed for {area}")
    return Case(cid, comment, inp, raw.get("output"), error)


def kind_of(area: str, case_id: str) -> str | None:
    """The kind a case id belongs to: the unique kind `k` with id == k or id startswith k_."""
    found = [k for k in KINDS[area] if case_id == k or case_id.startswith(k + "_")]
    return found[0] if len(found) == 1 else None


_CACHE: dict[str, VectorFile] = {}


def load_file(area: str) -> VectorFile:
    if area not in _CACHE:
        _CACHE[area] = parse_file(VECTORS_DIR / f"{area}.json", area=area)
    return _CACHE[area]


def load(area: str) -> list[Case]:
    """Every case of tests/vectors/<area>.json, validated."""
    return list(load_file(area).cases)


def cases(area: str, kind: str) -> list[Case]:
    """The cases of one kind (see KINDS), in file order; there is at least one."""
    assert kind in KINDS[area], (area, kind)
    out = [c for c in load(area) if kind_of(area, c.id) == kind]
    assert out, f"{area}: no cases of kind {kind}"
    return out


def case(area: str, case_id: str) -> Case:
    """One case by id."""
    for c in load(area):
        if c.id == case_id:
            return c
    raise KeyError(f"{area}: no case {case_id!r}")


def parametrize(area: str, kind: str, *, name: str = "case") -> pytest.MarkDecorator:
    """``@parametrize("uscc", "validate")``: one test per case, named by the case id."""
    selected = cases(area, kind)
    return pytest.mark.parametrize(name, selected, ids=[c.id for c in selected])
