"""C2SP tlog-checkpoint bodies and tlog-cosignature (cosignature/v1) signatures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.standards.note import (
    SIG_COSIGNATURE,
    Note,
    NoteError,
    NoteSignature,
    b64decode_strict,
    b64encode,
    ed25519_ok,
    note_key_id,
    raw_public,
    sign_note,
)

"""The root of the empty tree: SHA-256 of nothing (RFC 6962 §2.1)."""


# ---------------------------------------------------------------- tlog checkpoint

_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint body: origin, tree size, RFC 6962 root, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (the note text, final newline included) strictly."""
    if not text.endswith("\n"):
        raise NoteError("检查点正文必须以换行结尾 (checkpoint must end in a newline)")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(line == "" for line in lines):
        raise NoteError("检查点至少需要三行非空文本 (checkpoint needs origin, size, root)")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not _DECIMAL.match(size_text) or len(size_text) > 20:
        raise NoteError("检查点的大小不是规范十进制数 (bad tree size)：第 2 行（内容不回显）")
    try:
        root = b64decode_strict(root_text)
    except ValueError:
        raise NoteError(
            "检查点的根哈希不是规范 base64 (bad root hash)：第 3 行（内容不回显）"
        ) from None
    if len(root) != 32:
        raise NoteError("检查点的根哈希必须是 32 字节 (root hash must be 32 bytes)")
    return Checkpoint(origin, int(size_text), root, tuple(lines[3:]))


def sign_checkpoint(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey) -> bytes:
    """The checkpoint as a signed note with one Ed25519 signature: the file's bytes."""
    body = checkpoint.body()
    return Note(body, (sign_note(body, name, key),)).encode()


# ---------------------------------------------------------------- tlog cosignature (v1, Ed25519)


def cosignature_key_id(name: str, public: bytes) -> bytes:
    return note_key_id(name, public, SIG_COSIGNATURE)


def cosignature_message(body: str, timestamp: int) -> bytes:
    """`cosignature/v1\\ntime <t>\\n` + the whole checkpoint body (c2sp.org/tlog-cosignature)."""
    if not 0 <= timestamp <= 2**63 - 1:
        raise ValueError("cosignature timestamp out of range")
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + body.encode("utf-8")


def sign_cosignature(body: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> NoteSignature:
    """A witness's cosignature line (used by tests and by a future witness tool)."""
    public = raw_public(key.public_key())
    sig = key.sign(cosignature_message(body, timestamp))
    return NoteSignature(name, cosignature_key_id(name, public), timestamp.to_bytes(8, "big") + sig)


def verify_cosignature(note: Note, name: str, public: bytes) -> int | None:
    """The timestamp of `name`'s valid cosignature on this checkpoint note, or None if absent.

    Lines whose name or id do not match are ignored; a matching line that fails is a
    NoteError. Witness *policy* (which cosigners, how many) is a later issue.
    """
    key_id = cosignature_key_id(name, public)
    found: int | None = None
    for sig in note.signatures:
        if sig.name != name or sig.key_id != key_id:
            continue
        if len(sig.signature) != 72:
            raise NoteError(f"见证人 {name} 的联署长度错误 (bad cosignature length)")
        timestamp = int.from_bytes(sig.signature[:8], "big")
        if timestamp > 2**63 - 1 or not ed25519_ok(
            public, sig.signature[8:], cosignature_message(note.text, timestamp)
        ):
            raise NoteError(f"见证人 {name} 的联署无效 (invalid cosignature)")
        found = timestamp if found is None else max(found, timestamp)
    return found
