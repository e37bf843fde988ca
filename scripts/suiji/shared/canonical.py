"""Canonical JSON, strict parsing and tagged hashes (docs/spec/01-encoding.md).

Everything a verifier re-computes goes through these few functions, so a second
implementation only has to match this module to agree with ours byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from suiji.shared.errors import CanonicalError

MAX_INT = 2**53 - 1
TAG_RE = re.compile(r"^suiji/[a-z0-9][a-z0-9-]*/v[1-9][0-9]*$")
"""China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tzdata."""

# ---------------------------------------------------------------- canonical JSON


def _check(value: Any, path: str) -> None:
    """Reject anything outside the canonical subset, naming where it sits."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not 0 <= value <= MAX_INT:
            raise CanonicalError(f"{path}: 整数超出范围 0..2^53-1: {value}")
        return
    if isinstance(value, str):
        _check_str(value, path)
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonicalError(f"{path}: 键必须是 ASCII 字符串: {key!r}")
            _check(item, f"{path}.{key}")
        return
    raise CanonicalError(
        f"{path}: 不允许的类型 {type(value).__name__}（只允许整数、字符串、布尔、null、数组、对象）"
    )


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _check_str(value: str, path: str) -> None:
    if value.isascii():  # the common case: ASCII is always NFC and has no surrogates
        return
    if _SURROGATE_RE.search(value):
        raise CanonicalError(f"{path}: 字符串含孤立代理字符")
    if not unicodedata.is_normalized("NFC", value):
        raise CanonicalError(f"{path}: 字符串不是 NFC 规范形式")


def _fast_ok(value: Any) -> bool:
    """The same rules as `_check` without building paths: the verifier's hot loop.

    Exact types only; anything unusual (subclasses, errors) goes to `_check`, which
    decides and names the place.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str:
            if not v.isascii() and (
                _SURROGATE_RE.search(v) or not unicodedata.is_normalized("NFC", v)
            ):
                return False
        elif t is int:
            if not 0 <= v <= MAX_INT:
                return False
        elif t is dict:
            for k in v:
                if type(k) is not str or not k.isascii():
                    return False
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        elif not (v is None or t is bool):
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """Serialise to the canonical form: sorted ASCII keys, no spaces, UTF-8, NFC, integers only.

    For this subset the output equals RFC 8785 (JCS), so any JCS library agrees with it.
    """
    if not _fast_ok(value):
        _check(value, "$")
    return _ENCODER.encode(value).encode("utf-8")


# One encoder for every call: `json.dumps` with arguments builds a new one each time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

# In an ASCII object or array, what could hide a value `_fast_ok` rejects, looking at
# every place a number can start in input that round-trips (after `:`, `,` or `[`): a
# negative number, a float (digits then `.`, `e` or `E`), an integer of 16 or more
# digits (15 digits stay below MAX_INT). Strings cannot: an ASCII document that
# round-trips holds only ASCII strings (the encoder writes non-ASCII characters raw),
# and ASCII is always NFC without surrogates. A match inside a string is a false alarm,
# which only costs the full check.
_ASCII_SUSPECT_RE = re.compile(rb"[:,\[](?:-|[0-9]+[.eE]|[0-9]{16})")
_CONTAINER_START = (b"{", b"[")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CanonicalError(f"重复的键: {key!r}")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise CanonicalError(f"不允许的数值: {name}")


def _reject_float(text: str) -> Any:
    raise CanonicalError(f"不允许小数: {text}")


MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a reader accepts (docs/spec/01-encoding.md §1.1).

Python's json parser recurses once per level: a line of a few hundred thousand `[` would
exhaust the stack (or, with a raised recursion limit, crash the process). The bound is
checked by a linear scan before any parsing.
"""

_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET_RE = re.compile(rb"[\[\]{}]")


def check_depth(data: bytes, limit: int = MAX_DEPTH) -> None:
    """CanonicalError if arrays and objects nest deeper than `limit` (strings ignored)."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return  # cannot be deeper: the common case costs two C-level counts
    depth = 0
    for match in _BRACKET_RE.finditer(_STRING_RE.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise CanonicalError(f"嵌套层数超过 {limit}（数组或对象套得太深），拒绝解析")
        else:
            depth -= 1


def parse_strict_json(data: bytes) -> Any:
    """Parse JSON that need not be canonical (a relay's answer, a recorded file) strictly:
    UTF-8 only, no duplicate keys, no floats, NaN or Infinity — Python's json accepts all
    of those silently (and keeps the last of duplicate keys).
    """
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CanonicalError(f"不是合法的 UTF-8: {exc}") from None
    check_depth(data)
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_float=_reject_float,
        )
    except json.JSONDecodeError as exc:
        raise CanonicalError(f"不是合法的 JSON: {exc.msg}（位置 {exc.pos}）") from None


def parse_canonical(data: bytes) -> Any:
    """Parse bytes that must already be canonical; anything else is a CanonicalError.

    Strictness by round trip: the value is re-serialised and must give back the same
    bytes, which rules out whitespace, key order, escapes, leading zeros and signs at once.
    """
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CanonicalError(f"不是合法的 UTF-8: {exc}") from None
    check_depth(data)
    # Fast path: canonical input parses plainly and re-serialises to itself. Duplicate keys,
    # floats and NaN can never survive that round trip, so the strict hooks below are only
    # needed to say precisely what is wrong.
    try:
        value = json.loads(text)
        if data[:1] in _CONTAINER_START and data.isascii() and not _ASCII_SUSPECT_RE.search(data):
            if _ENCODER.encode(value).encode("utf-8") == data:
                return value
        elif canonical_json(value) == data:
            return value
    except (ValueError, CanonicalError, RecursionError):
        pass
    value = parse_strict_json(data)
    if canonical_json(value) != data:
        raise CanonicalError("不是规范 JSON（键序、空白、转义或数字写法不符）")
    return value


# ---------------------------------------------------------------- hashes


def tagged_hash(tag: str, data: bytes) -> bytes:
    """SHA-256(tag ‖ 0x0A ‖ data): the one hash construction suiji defines itself.

    The tag keeps a hash made for one purpose from ever being accepted for another.
    """
    if not TAG_RE.match(tag):
        raise ValueError(f"bad hash tag: {tag!r}")
    return hashlib.sha256(tag.encode("ascii") + b"\n" + data).digest()


def tagged_hex(tag: str, data: bytes) -> str:
    return tagged_hash(tag, data).hex()


HEX64_RE = re.compile(r"^[0-9a-f]{64}$")


def is_hex64(value: object) -> bool:
    return isinstance(value, str) and HEX64_RE.match(value) is not None
