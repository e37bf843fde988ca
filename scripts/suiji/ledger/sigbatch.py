"""Checking many writer signatures on two cores: a worker process and the parent share them.

Spawn-safe by construction: the worker is a fresh interpreter (`sys.executable -c …`)
talking over its stdin and stdout, started only when a scan asks for one. Nothing is
forked and the caller's main module is never re-imported (multiprocessing's spawn would
run it again, which breaks scripts without a `__main__` guard and costs start-up time),
so it works alike on Linux, macOS and Windows. The worker gets the lines' signed bytes,
not their place in the file: it checks exactly the bytes the parent parsed and hashed.
If the worker cannot start or dies, the parent checks its batches itself.
"""

from __future__ import annotations

import contextlib
import pickle
import struct
import sys
from collections import deque
from typing import IO, Any

from suiji.crypto.ed25519 import PublicKey
from suiji.shared.findings import Finding

Job = tuple[int, PublicKey, bytes, bytes]
"""(seq, writer key, signature, signed message)."""

_HEAD = struct.Struct("<I")
_BOOT = (
    "import sys; sys.path[:] = sys.argv[1:]; "
    "from suiji.ledger.sigbatch import _serve; _serve(sys.stdin.buffer, sys.stdout.buffer)"
)


def _bad_indices(
    batch: list[tuple[bytes, bytes, bytes]], keys: dict[bytes, PublicKey]
) -> list[int]:
    """Indices of the (raw key, signature, message) triples that do not verify."""
    bad = []
    for i, (raw_key, sig, message) in enumerate(batch):
        pub = keys.get(raw_key)
        if pub is None:
            pub = keys[raw_key] = PublicKey(raw_key)
        if not pub.verify(sig, message):
            bad.append(i)
    return bad


def _read_frame(stream: IO[bytes]) -> Any:
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return None
    (size,) = _HEAD.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def _write_frame(stream: IO[bytes], value: Any) -> None:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEAD.pack(len(body)) + body)
    stream.flush()


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Worker side: answer each batch with the indices that fail; end of input ends it.

    Ctrl-C reaches the whole process group: the parent handles it, and its exit closes
    our input, so the worker itself ignores it (no second traceback).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keys: dict[bytes, PublicKey] = {}
    while True:
        batch = _read_frame(requests)
        if batch is None:
            return
        _write_frame(answers, _bad_indices(batch, keys))


class SignatureBatcher:
    """Checks ordinary entries' writer signatures in batches, on two cores.

    Ed25519 verification is most of a verifier's work and the rest is Python parsing. The
    parent hands full batches to one worker process while fewer than `window` are
    waiting there; when the worker is behind, the parent verifies the batch itself. So
    both cores stay busy whichever side is slower, and memory stays bounded by `window`
    batches. Verdicts come back as findings at the end, sorted by entry, whoever checked
    them: the report is the same however the work was split.
    """

    def __init__(self, batch: int = 48, window: int = 3) -> None:
        self._size = batch
        self._window = window
        self._batch: list[Job] = []
        self._pending: deque[list[Job]] = deque()  # sent, not yet answered, in order
        self._bad: list[tuple[int, str]] = []
        self._keys: dict[bytes, PublicKey] = {}
        self._proc: Any = None
        self._answers: Any = None
        self._start()

    def _start(self) -> None:
        import queue
        import subprocess
        import threading

        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, *sys.path],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except (OSError, ValueError):
            self._proc = None  # no second interpreter here: check everything in-process
            return
        self._answers = queue.SimpleQueue()
        out = self._proc.stdout
        answers = self._answers

        def read() -> None:
            while True:
                try:
                    frame = _read_frame(out)
                except Exception:  # a broken worker: the parent redoes its batches
                    frame = None
                answers.put(frame)
                if frame is None:
                    return

        threading.Thread(target=read, name="suiji-sig-answers", daemon=True).start()

    def submit(self, seq: int, writer: PublicKey, sig: bytes, message: bytes) -> None:
        self._batch.append((seq, writer, sig, message))
        if len(self._batch) >= self._size:
            batch, self._batch = self._batch, []
            self._collect(wait=False)
            if self._proc is not None and len(self._pending) < self._window:
                self._send(batch)
            else:
                self._check(batch)

    def _check(self, batch: list[Job]) -> None:
        for seq, pub, sig, message in batch:
            if not pub.verify(sig, message):
                self._bad.append((seq, pub.id))

    def _send(self, batch: list[Job]) -> None:
        try:
            _write_frame(self._proc.stdin, [(pub.raw, sig, msg) for _, pub, sig, msg in batch])
        except (OSError, ValueError):
            self._check(batch)
            self._lost()
            return
        self._pending.append(batch)

    def _collect(self, *, wait: bool) -> None:
        """Take the worker's answers (all of them with `wait`), oldest batch first."""
        while self._pending:
            if not wait and self._answers.empty():
                return
            answer = self._answers.get()
            if answer is None:
                self._lost()
                return
            batch = self._pending.popleft()
            for i in answer:
                seq, pub, _, _ = batch[i]
                self._bad.append((seq, pub.id))

    def _lost(self) -> None:
        """The worker is gone: check what it still held here, and send it nothing more."""
        while self._pending:
            self._check(self._pending.popleft())
        self.close()

    def findings(self) -> list[Finding]:
        """Wait for every batch; the findings a synchronous check would have made."""
        try:
            # The last, partial batch: the parent has nothing else left to do.
            self._check(self._batch)
            self._batch = []
            self._collect(wait=True)
        finally:
            self.close()
        out: list[Finding] = []
        for seq, key_id in sorted(self._bad, key=lambda b: b[0]):
            key = key_id[:16]
            out.append(Finding(seq, "integrity", "sig-invalid", f"签名密钥 {key}… 的签名无效"))
            out.append(
                Finding(
                    seq, "integrity", "sig-writer-missing", f"缺少当前签名密钥 {key}… 的有效签名"
                )
            )
        return out

    def close(self) -> None:
        """Stop the worker (also when a scan fails half-way); idempotent."""
        import subprocess

        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()  # end of input: the worker returns
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            proc.stdout.close()
