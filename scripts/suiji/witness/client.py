"""Asking a witness for a cosignature over HTTP (the log's side of c2sp.org/tlog-witness).

`request_cosignature` follows the protocol: it starts from the size it believes the
witness has, and on a 409 that carries `text/x.tlog.size` it retries once more from the
size the witness returned (with the consistency proof from that size). A 422, a 409
without a size (same size, other root) and a witness size *above* the checkpoint's are
alarms: the witness has seen another history of this log. Nothing here trusts the answer;
the caller checks each cosignature line against the witness key it was configured with.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from suiji.standards.note import NoteError, NoteSignature
from suiji.standards.witnessproto import (
    ADD_CHECKPOINT,
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    parse_signature_lines,
    parse_size,
)

Post = Callable[[str, bytes], tuple[int, str, bytes]]
MAX_ATTEMPTS = 3
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Submitted:
    """What one witness said: `ok` with its signature lines, an alarm, or a failure."""

    status: str  # "ok" | "alarm" | "failed"
    signatures: tuple[NoteSignature, ...] = ()
    detail: str = ""
    witness_size: int | None = None


def http_post(url: str, body: bytes) -> tuple[int, str, bytes]:
    """POST `body`; (status, content type, body) for every HTTP answer, errors included."""
    req = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read(1 << 20)
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read(1 << 20)


def request_cosignature(
    prefix: str,
    note: bytes,
    size: int,
    proof_for: Callable[[int], Sequence[bytes]],
    *,
    old: int = 0,
    post: Post = http_post,
) -> Submitted:
    """Submit the checkpoint `note` (tree `size`) to the witness at `prefix`."""
    url = prefix.rstrip("/") + "/" + ADD_CHECKPOINT
    for _ in range(MAX_ATTEMPTS):
        body = AddCheckpoint(old, tuple(proof_for(old)), note).encode()
        try:
            status, ctype, data = post(url, body)
        except OSError as exc:
            return Submitted("failed", detail=f"无法连接见证人：{exc}")
        if status == 200:
            try:
                return Submitted("ok", parse_signature_lines(data))
            except NoteError as exc:
                return Submitted("failed", detail=f"见证人应答格式错误：{exc}")
        if status == 409 and ctype.split(";")[0].strip() == SIZE_CONTENT_TYPE:
            try:
                theirs = parse_size(data)
            except NoteError as exc:
                return Submitted("failed", detail=str(exc))
            if theirs > size:
                return Submitted(
                    "alarm",
                    detail=f"见证人已联署过大小为 {theirs} 的检查点，本账本只有 {size} 条：截断或回滚",
                    witness_size=theirs,
                )
            if theirs == old:
                return Submitted("failed", detail="见证人重复返回同一大小", witness_size=theirs)
            old = theirs
            continue
        if status == 409:
            return Submitted("alarm", detail="见证人在同一大小见过另一个根哈希：日志分叉")
        if status == 422:
            return Submitted(
                "alarm", detail="见证人拒绝一致性证明（422）：它联署过的检查点与本账本不一致"
            )
        return Submitted("failed", detail=f"见证人应答 HTTP {status}")
    return Submitted("failed", detail="见证人多次返回 409")
