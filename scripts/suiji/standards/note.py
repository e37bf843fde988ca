"""C2SP signed notes (Ed25519), with strict base64 and the standard's key ids."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from suiji.shared.errors import InputError

# ---------------------------------------------------------------- base64 helpers


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str) -> bytes:
    """Standard base64 with padding, and only its one canonical spelling.

    `b64decode(validate=True)` maps 'AB==' and 'AA==' to the same byte; re-encoding and
    comparing rejects every spelling but the canonical one (docs/spec/04-ledger.md).
    """
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError(f"not base64: {text[:40]!r}") from None
    if b64encode(data) != text:
        raise ValueError(f"non-canonical base64: {text[:40]!r}")
    return data


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def ed25519_ok(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# ---------------------------------------------------------------- C2SP signed note

SIG_ED25519 = 0x01
SIG_COSIGNATURE = 0x04
MAX_NOTE_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20
_DASH = "\u2014 "
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(InputError):
    """A signed note that is malformed or does not verify."""

    code = "note-invalid"


def _valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


def note_key_id(name: str, public: bytes, sig_type: int = SIG_ED25519) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] — the 4-byte id before each signature."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public).digest()[:4]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{_DASH}{self.name} {b64encode(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...]

    def encode(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode("utf-8")


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted key: name, algorithm byte and raw public key (id derived from them)."""

    name: str
    public: bytes
    sig_type: int = SIG_ED25519

    @property
    def key_id(self) -> bytes:
        return note_key_id(self.name, self.public, self.sig_type)

    def vkey(self) -> str:
        """The verifier key string `name+hexid+base64(type ‖ key)` of Go's sumdb/note."""
        return f"{self.name}+{self.key_id.hex()}+{b64encode(bytes([self.sig_type]) + self.public)}"


def parse_vkey(text: str) -> NoteVerifier:
    """Parse `name+hexid+base64(type ‖ key)`; split from the left twice (base64 holds '+')."""
    parts = text.split("+", 2)
    if (
        len(parts) != 3
        or not _valid_key_name(parts[0])
        or not re.fullmatch(r"[0-9a-f]{8}", parts[1])
    ):
        raise NoteError(f"验证密钥格式错误 (bad verifier key): {text!r}")
    try:
        blob = b64decode_strict(parts[2])
    except ValueError:
        raise NoteError(f"验证密钥的 base64 部分无效 (bad verifier key): {text!r}") from None
    if len(blob) != 33 or blob[0] not in (SIG_ED25519, SIG_COSIGNATURE):
        raise NoteError(f"只支持 Ed25519 验证密钥 (only Ed25519 verifier keys): {text!r}")
    verifier = NoteVerifier(parts[0], blob[1:], blob[0])
    if verifier.key_id.hex() != parts[1]:
        raise NoteError(f"验证密钥的 id 与公钥不符 (verifier key id mismatch): {text!r}")
    return verifier


def parse_note(data: bytes) -> Note:
    """Split a signed note into text and signature lines, strictly (c2sp.org/signed-note)."""
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError("签名注记过大 (signed note too large)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("签名注记不是合法的 UTF-8 (note is not UTF-8)") from None
    if _CONTROL.search(text):
        raise NoteError("签名注记含控制字符 (note contains control characters)")
    if not text.endswith("\n"):
        raise NoteError("签名注记必须以换行结尾 (note must end in a newline)")
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("签名注记缺少空行和签名 (note has no signature block)")
    body, block = text[: split + 1], text[split + 2 :]
    sigs: list[NoteSignature] = []
    for number, line in enumerate(block.split("\n")[:-1], start=1):
        if not line.startswith(_DASH):
            raise NoteError(
                f"签名行格式错误 (malformed signature line): 第 {number} 个签名行（内容不回显）"
            )
        name, sep, b64 = line[len(_DASH) :].partition(" ")
        if not sep or not _valid_key_name(name) or " " in b64:
            raise NoteError(
                f"签名行格式错误 (malformed signature line): 第 {number} 个签名行（内容不回显）"
            )
        try:
            blob = b64decode_strict(b64)
        except ValueError:
            raise NoteError(
                f"签名行的 base64 无效 (bad signature base64): 第 {number} 个签名行（内容不回显）"
            ) from None
        if len(blob) < 5:
            raise NoteError(f"签名过短 (signature too short): 第 {number} 个签名行（内容不回显）")
        sigs.append(NoteSignature(name, blob[:4], blob[4:]))
    if not sigs:
        raise NoteError("签名注记没有签名 (note has no signatures)")
    if len(sigs) > MAX_NOTE_SIGNATURES:
        raise NoteError("签名注记的签名过多 (too many signatures)")
    return Note(body, tuple(sigs))


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> NoteSignature:
    """An Ed25519 note signature (type 0x01) over the note text, named `name`."""
    if not _valid_key_name(name):
        raise ValueError(f"bad key name: {name!r}")
    public = raw_public(key.public_key())
    return NoteSignature(name, note_key_id(name, public), key.sign(text.encode("utf-8")))


def open_note(data: bytes, verifiers: Sequence[NoteVerifier]) -> tuple[Note, list[NoteVerifier]]:
    """Parse and verify a note: which trusted Ed25519 keys signed it.

    Unknown signatures are ignored (that is how cosignatures and rotation coexist); a
    signature whose name *and* id match a trusted key must verify or the note is rejected;
    at least one trusted signature must verify.
    """
    note = parse_note(data)
    message = note.text.encode("utf-8")
    ok: list[NoteVerifier] = []
    for sig in note.signatures:
        for v in verifiers:
            if v.sig_type != SIG_ED25519 or v.name != sig.name or v.key_id != sig.key_id:
                continue
            if not ed25519_ok(v.public, sig.signature, message):
                raise NoteError(
                    f"签名注记中 {sig.name} 的签名无效 (invalid signature by a known key)"
                )
            if v not in ok:
                ok.append(v)
    if not ok:
        raise NoteError("签名注记没有受信任密钥的有效签名 (no signature by a trusted key)")
    return note, ok
