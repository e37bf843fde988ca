"""C2SP tlog-witness: the `add-checkpoint` request body and the witness's answers.

c2sp.org/tlog-witness, unchanged: the body is `old <size>\\n`, at most 63 consistency
proof lines (base64 hashes), an empty line, then the signed checkpoint note. A 409 answer
carries the witness's size as `<decimal>\\n` with `Content-Type: text/x.tlog.size`; a 200
answer is one or more note signature lines (`— name base64\\n`), the cosignatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from suiji.standards.note import (
    NoteError,
    NoteSignature,
    b64decode_strict,
    b64encode,
    parse_note,
)

ADD_CHECKPOINT = "add-checkpoint"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 1 << 20
_OLD = re.compile(r"^old (0|[1-9][0-9]{0,19})$")
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})\n$")


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed `add-checkpoint` request: old size, proof hashes, the checkpoint note."""

    old: int
    proof: tuple[bytes, ...]
    note: bytes

    def encode(self) -> bytes:
        lines = [f"old {self.old}", *(b64encode(h) for h in self.proof), ""]
        return "".join(line + "\n" for line in lines).encode("ascii") + self.note


def parse_add_checkpoint(data: bytes) -> AddCheckpoint:
    """Parse a request body strictly; NoteError (→ 400) on anything malformed."""
    if len(data) > MAX_REQUEST_BYTES:
        raise NoteError("请求过大 (request too large)")
    head, sep, note = data.partition(b"\n\n")
    if not sep:
        raise NoteError("请求缺少空行 (request has no empty line before the checkpoint)")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise NoteError("请求头不是 ASCII (request head is not ASCII)") from None
    m = _OLD.match(lines[0])
    if not m:
        raise NoteError("请求第一行必须是 old <size> (bad old size line)")
    proof: list[bytes] = []
    for line in lines[1:]:
        try:
            h = b64decode_strict(line)
        except ValueError:
            raise NoteError("一致性证明行不是规范 base64 (bad proof line)") from None
        if len(h) != 32:
            raise NoteError("一致性证明的哈希必须是 32 字节 (bad proof hash)")
        proof.append(h)
    if len(proof) > MAX_PROOF_LINES:
        raise NoteError("一致性证明超过 63 行 (too many proof lines)")
    parse_note(note)  # shape only; the witness checks the signatures itself
    return AddCheckpoint(int(m.group(1)), tuple(proof), note)


def encode_size(size: int) -> bytes:
    return f"{size}\n".encode("ascii")


def parse_size(data: bytes) -> int:
    """A 409 answer's body: the witness's latest cosigned size."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise NoteError("409 应答不是十进制大小 (bad size body)") from None
    m = _SIZE.match(text)
    if not m:
        raise NoteError("409 应答不是十进制大小 (bad size body)")
    return int(m.group(1))


def encode_signature_lines(sigs: tuple[NoteSignature, ...]) -> bytes:
    return "".join(s.line() for s in sigs).encode("utf-8")


def parse_signature_lines(data: bytes) -> tuple[NoteSignature, ...]:
    """A 200 answer's body: note signature lines, parsed by appending them to a stub note."""
    if not data:
        raise NoteError("见证人应答没有联署 (no cosignature lines)")
    return parse_note(b"x\n\n" + data).signatures
