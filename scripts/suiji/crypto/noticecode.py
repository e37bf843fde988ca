"""Notice verification codes (docs/spec/17-notices.md): make, normalise, hash, check.

An advance notice tells an enterprise who will inspect it and when. A forged notice lets a
fake inspector in, so each notice carries a random code the enterprise can check on the
bureau's site. The site publishes only a salted, slow hash of each code: nothing public
(task id, credit code, tickets, the salt, the hash) lets anyone compute a code that
passes, and guessing one means 2^50 PBKDF2 runs of at least 100,000 iterations each.

Pure: no file I/O. The randomness comes from `secrets` unless a caller passes its own
source (tests, vectors). The public file is canonical JSON (docs/spec/01-encoding.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import InputError
from suiji.shared.text import id_key

SCHEMA = "suiji/notice-codes/v1"
KDF_TAG = "suiji/notice-code/v1"
KDF_NAME = "pbkdf2-sha256"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O, U, so a code read aloud or typed is hard to get wrong."""
CODE_LENGTH = 10
"""Ten base32 characters: 50 random bits (the issue asks for at least 40)."""
DEFAULT_ITERATIONS = 600_000
MIN_ITERATIONS = 100_000
MAX_ITERATIONS = 10_000_000
SALT_BYTES = 16
HASH_BYTES = 32

_READS_AS = {"I": "1", "L": "1", "O": "0"}
_DROP = re.compile(r"[\s\-‐‑‒–—―]+")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TASK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")  # a plan's task id (spec §7.1)


class NoticeCodeError(InputError):
    """A code or a public code file that cannot be used; `code` says which rule failed."""

    code = "notice-code-format"


def new_code(randbits: Callable[[int], int] = secrets.randbits) -> str:
    """A fresh code in its display form `XXXXX-XXXXX` (50 bits from `randbits`)."""
    value = randbits(5 * CODE_LENGTH)
    chars = [ALPHABET[(value >> (5 * (CODE_LENGTH - 1 - i))) & 31] for i in range(CODE_LENGTH)]
    return display("".join(chars))


def display(normalized: str) -> str:
    """The printed form: two groups of five, joined by a hyphen."""
    return f"{normalized[:5]}-{normalized[5:]}"


def normalize_code(text: str) -> str:
    """The code as typed → its ten canonical characters (spec §17.2).

    NFKC (full-width letters and digits), upper case, spaces and dashes removed, I and L
    read as 1, O as 0. Anything else outside the alphabet, or not ten characters, is an
    error: a mistyped code is said to be mistyped, never checked as another code.
    """
    folded = _DROP.sub("", unicodedata.normalize("NFKC", text)).upper()
    folded = "".join(_READS_AS.get(ch, ch) for ch in folded)
    bad = sorted({ch for ch in folded if ch not in ALPHABET})
    if bad:
        raise NoticeCodeError(
            f"核验码中有不可能出现的字符 {'、'.join(bad)}：核验码只由数字和字母组成"
            f"（没有 U），形如 7KQ2M-X9D4T，请照通知书上的核验码重新输入",
            code="notice-code-format",
        )
    if len(folded) != CODE_LENGTH:
        raise NoticeCodeError(
            f"核验码应为 {CODE_LENGTH} 个字符（不计连字符），输入的是 {len(folded)} 个："
            f"请照通知书上的核验码重新输入",
            code="notice-code-format",
        )
    return folded


def kdf_input(task: str, uscc: str, code: str) -> bytes:
    """The password PBKDF2 hashes: tag, task, credit code and normalised code, by lines."""
    return f"{KDF_TAG}\n{task}\n{uscc}\n{normalize_code(code)}".encode()


def code_hash(task: str, uscc: str, code: str, salt: bytes, iterations: int) -> str:
    """PBKDF2-HMAC-SHA256 of `kdf_input` under `salt`, `HASH_BYTES` long, lower-case hex."""
    return hashlib.pbkdf2_hmac(
        "sha256", kdf_input(task, uscc, code), salt, iterations, HASH_BYTES
    ).hex()


@dataclass(frozen=True)
class CodeEntry:
    """One enterprise's published line: its credit code, salt and the code's hash."""

    uscc: str
    salt: str
    hash: str


@dataclass(frozen=True)
class NoticeCodes:
    """The public file `content/records/notices/<task>.json`."""

    task: str
    iterations: int
    codes: tuple[CodeEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "task": self.task,
            "kdf": {"name": KDF_NAME, "iterations": self.iterations},
            "codes": [{"uscc": c.uscc, "salt": c.salt, "hash": c.hash} for c in self.codes],
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON and one line feed (spec §17.4)."""
        return canonical_json(self.to_json()) + b"\n"

    def entry(self, uscc: str) -> CodeEntry | None:
        key = id_key(uscc)
        return next((c for c in self.codes if c.uscc == key), None)


def issue_codes(
    task: str,
    usccs: Iterable[str],
    *,
    iterations: int = DEFAULT_ITERATIONS,
    randbits: Callable[[int], int] = secrets.randbits,
    token: Callable[[int], bytes] = secrets.token_bytes,
) -> tuple[NoticeCodes, dict[str, str]]:
    """Fresh codes for every enterprise: the public file, and uscc → code (display form)."""
    _check_iterations(iterations)
    codes: dict[str, str] = {}
    entries = []
    for uscc in sorted(set(usccs)):
        code = new_code(randbits)
        salt = token(SALT_BYTES)
        entries.append(CodeEntry(uscc, salt.hex(), code_hash(task, uscc, code, salt, iterations)))
        codes[uscc] = code
    return NoticeCodes(task, iterations, tuple(entries)), codes


def check_code(codes: NoticeCodes, uscc: str, code: str) -> bool:
    """True when `code` is the code issued to `uscc` in this file's task.

    NoticeCodeError when the code is malformed (`notice-code-format`) or the enterprise
    has no line in the file (`notice-not-listed`): neither is a code that "fails".
    """
    entry = codes.entry(uscc)
    if entry is None:
        raise NoticeCodeError(
            f"任务 {codes.task} 的公开核验码文件中没有统一社会信用代码 {id_key(uscc)}：该单位不是"
            f"本任务抽中的检查对象，或代码输入有误；持此通知书上门者不能凭通知书证明身份，"
            f"请向本局电话核实",
            code="notice-not-listed",
        )
    normalized = normalize_code(code)
    got = code_hash(codes.task, entry.uscc, normalized, bytes.fromhex(entry.salt), codes.iterations)
    return hmac.compare_digest(got, entry.hash)


def _check_iterations(n: object) -> int:
    if type(n) is not int or not MIN_ITERATIONS <= n <= MAX_ITERATIONS:
        raise NoticeCodeError(
            f"kdf.iterations 必须是 {MIN_ITERATIONS} 到 {MAX_ITERATIONS} 之间的整数，实为 {n!r}",
            code="notice-codes-file",
        )
    return n


def parse_codes(data: bytes) -> NoticeCodes:
    """Read a public code file strictly (spec §17.4); NoticeCodeError `notice-codes-file`."""

    def bad(why: str) -> NoticeCodeError:
        return NoticeCodeError(f"核验码文件无效：{why}", code="notice-codes-file")

    if not data.endswith(b"\n"):
        raise bad("必须以一个换行符结尾")
    try:
        value = parse_canonical(data[:-1])
    except InputError as exc:
        raise bad(str(exc)) from None
    if not isinstance(value, dict) or set(value) != {"schema", "task", "kdf", "codes"}:
        raise bad("顶层必须恰有 schema、task、kdf、codes 四个成员")
    if value["schema"] != SCHEMA:
        raise bad(f"schema 必须是 {SCHEMA}")
    task = value["task"]
    if not isinstance(task, str) or not _TASK.match(task):
        raise bad("task 必须是任务编号（英文字母、数字和连字符，最长 32 个字符）")
    kdf = value["kdf"]
    if not isinstance(kdf, dict) or set(kdf) != {"name", "iterations"} or kdf["name"] != KDF_NAME:
        raise bad(f'kdf 必须是 {{"name": "{KDF_NAME}", "iterations": N}}')
    iterations = _check_iterations(kdf["iterations"])
    raw = value["codes"]
    if not isinstance(raw, list):
        raise bad("codes 必须是数组")
    entries: list[CodeEntry] = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or set(c) != {"uscc", "salt", "hash"}:
            raise bad(f"codes[{i}] 必须恰有 uscc、salt、hash 三个成员")
        uscc, salt, digest = c["uscc"], c["salt"], c["hash"]
        if not isinstance(uscc, str) or not uscc or uscc != id_key(uscc):
            raise bad(f"codes[{i}].uscc 必须是规范形式的统一社会信用代码")
        if not isinstance(salt, str) or not _HEX32.match(salt):
            raise bad(f"codes[{i}].salt 必须是 32 个小写十六进制字符")
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise bad(f"codes[{i}].hash 必须是 64 个小写十六进制字符")
        if entries and uscc.encode() <= entries[-1].uscc.encode():
            raise bad("codes 必须按 uscc 严格升序排列（不得重复）")
        entries.append(CodeEntry(uscc, salt, digest))
    return NoticeCodes(task, iterations, tuple(entries))
