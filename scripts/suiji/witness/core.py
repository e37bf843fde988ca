"""The witness's decision for one `add-checkpoint` request, and its state on disk.

c2sp.org/tlog-witness, in the order the spec gives: 400 malformed, 404 unknown origin,
403 no trusted log signature, 400 old size above the checkpoint's, 409 old size not the
witness's (body: its size), 409 same size with another root, 422 consistency proof fails,
else 200 with a `cosignature/v1` line. The new state is written atomically (tmp, fsync,
rename) **before** the cosignature is made, under one lock: a crash after the save and
before the answer leaves a witness that has moved on and will cosign only what is
consistent with the saved checkpoint, so it can never have cosigned two inconsistent
checkpoints. A valid-signed checkpoint that is inconsistent with the saved one is kept, with
the saved one, as fork evidence in `forks/`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.shared.files import _crash_point, read_regular, write_atomic
from suiji.standards.checkpoint import Checkpoint, parse_checkpoint, sign_cosignature
from suiji.standards.merkle import verify_consistency
from suiji.standards.note import (
    NoteError,
    NoteVerifier,
    b64decode_strict,
    b64encode,
    open_note,
    parse_note,
)
from suiji.standards.witnessproto import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    encode_signature_lines,
    encode_size,
    parse_add_checkpoint,
)

STATE_DIR = "state"
FORKS_DIR = "forks"
SAVE_STEP = "witness-state"
"""Crash points for tests: `witness-state-renamed` is after the save, before the answer."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, content type and body (the protocol's, unchanged)."""

    status: int
    content_type: str
    body: bytes
    reason: str = ""


@dataclass(frozen=True)
class Latest:
    """The latest checkpoint this witness cosigned for one origin."""

    size: int
    root: bytes
    note: bytes


def _plain(status: int, reason: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (reason + "\n").encode("utf-8"), reason)


class Witness:
    """One witness: its name and key, the logs it follows, its state directory and clock."""

    def __init__(
        self,
        name: str,
        key: Ed25519PrivateKey,
        logs: Mapping[str, Sequence[NoteVerifier]],
        home: Path,
        clock: Callable[[], int],
    ) -> None:
        self.name = name
        self.key = key
        self.logs = {origin: tuple(v) for origin, v in logs.items()}
        self.home = home
        self.clock = clock
        self._lock = threading.Lock()
        self.after_save: Callable[[], None] | None = None
        """Test hook: runs after the state is saved and before the cosignature is made."""

    # ---------------------------------------------------------------- state on disk

    def _state_path(self, origin: str) -> Path:
        return self.home / STATE_DIR / (hashlib.sha256(origin.encode()).hexdigest() + ".json")

    def latest(self, origin: str) -> Latest | None:
        path = self._state_path(origin)
        if not path.exists():
            return None
        value = json.loads(read_regular(path))
        if value.get("origin") != origin:
            raise ValueError(f"{path}: state of another origin")
        return Latest(
            int(value["size"]), b64decode_strict(value["root"]), value["checkpoint"].encode()
        )

    def _save(self, origin: str, cp: Checkpoint, note: bytes) -> None:
        path = self._state_path(origin)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "origin": origin,
            "size": cp.size,
            "root": b64encode(cp.root),
            "checkpoint": note.decode("utf-8"),
        }
        write_atomic(path, json.dumps(data, sort_keys=True).encode() + b"\n", step=SAVE_STEP)

    def seed(self, note: bytes) -> None:
        """Start from a checkpoint cosigned before (a demo witness, a restored backup)."""
        cp = parse_checkpoint(_note_text(note))
        self._save(cp.origin, cp, note)

    def _keep_fork(self, origin: str, latest: Latest, note: bytes, why: str) -> Path:
        """Both signed checkpoints, the witness's and the one that contradicts it."""
        forks = self.home / FORKS_DIR
        forks.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(latest.note + b"\n" + note).hexdigest()[:16]
        path = forks / f"{hashlib.sha256(origin.encode()).hexdigest()[:16]}-{digest}.txt"
        text = (
            f"# fork evidence for {origin}: {why}\n# cosigned before:\n".encode()
            + latest.note
            + b"# submitted, refused:\n"
            + note
        )
        write_atomic(path, text)
        return path

    # ---------------------------------------------------------------- the request

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            req = parse_add_checkpoint(body)
            cp = parse_checkpoint(_note_text(req.note))
        except NoteError as exc:
            return _plain(400, f"bad request: {exc}")
        verifiers = self.logs.get(cp.origin)
        if verifiers is None:
            return _plain(404, "unknown log origin")
        try:
            open_note(req.note, verifiers)
        except NoteError:
            return _plain(403, "no valid signature by a known log key")
        if req.old > cp.size:
            return _plain(400, "old size is larger than the checkpoint size")
        with self._lock:
            return self._decide(req, cp)

    def _decide(self, req: AddCheckpoint, cp: Checkpoint) -> Answer:
        latest = self.latest(cp.origin)
        size = latest.size if latest is not None else 0
        if req.old != size:
            return Answer(409, SIZE_CONTENT_TYPE, encode_size(size), "old size mismatch")
        if latest is not None and req.old == cp.size and latest.root != cp.root:
            self._keep_fork(cp.origin, latest, req.note, "same size, different root")
            return _plain(409, "same size, different root hash")
        old_root = latest.root if latest is not None else b""
        if not verify_consistency(req.old, cp.size, old_root, cp.root, req.proof):
            if latest is not None:
                self._keep_fork(cp.origin, latest, req.note, "consistency proof fails")
            return _plain(422, "consistency proof does not verify")
        self._save(cp.origin, cp, req.note)
        _crash_point("witness-answer")
        if self.after_save is not None:
            self.after_save()
        sig = sign_cosignature(cp.body(), self.name, self.key, self.clock())
        return Answer(200, "text/plain; charset=utf-8", encode_signature_lines((sig,)))


def _note_text(note: bytes) -> str:
    return parse_note(note).text
