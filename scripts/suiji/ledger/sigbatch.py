"""Checking many writer signatures in a second process, in bounded batches."""

from __future__ import annotations

from typing import Any

from suiji.crypto.ed25519 import PublicKey
from suiji.shared.findings import Finding


def _verify_batch(batch: list[tuple[int, bytes, bytes, bytes]]) -> list[tuple[int, str]]:
    """Worker side: (seq, key id) of every writer signature that does not verify."""
    keys: dict[bytes, PublicKey] = {}
    bad = []
    for seq, raw_key, sig, message in batch:
        pub = keys.setdefault(raw_key, PublicKey(raw_key))
        if not pub.verify(sig, message):
            bad.append((seq, pub.id))
    return bad


class SignatureBatcher:
    """Checks ordinary entries' writer signatures in a second process, in batches.

    Ed25519 verification is most of a verifier's work and the rest is Python parsing, so
    on two cores the two overlap. At most `window` batches are in flight, which keeps
    memory independent of the ledger's length; verdicts come back as findings at the end
    (findings are reported sorted by entry anyway).
    """

    def __init__(self, batch: int = 512, window: int = 4) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._size = batch
        self._window = window
        self._batch: list[tuple[int, bytes, bytes, bytes]] = []
        self._flight: list[Any] = []
        self._bad: list[tuple[int, str]] = []

    def submit(self, seq: int, writer: PublicKey, sig: bytes, message: bytes) -> None:
        self._batch.append((seq, writer.raw, sig, message))
        if len(self._batch) >= self._size:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._flight.append(self._pool.submit(_verify_batch, self._batch))
            self._batch = []
        while len(self._flight) > self._window:
            self._bad.extend(self._flight.pop(0).result())

    def findings(self) -> list[Finding]:
        """Wait for every batch; the findings a synchronous check would have made."""
        self._send()
        for future in self._flight:
            self._bad.extend(future.result())
        self._flight = []
        self._pool.shutdown()
        out: list[Finding] = []
        for seq, key_id in self._bad:
            key = key_id[:16]
            out.append(Finding(seq, "integrity", "sig-invalid", f"签名密钥 {key}… 的签名无效"))
            out.append(
                Finding(
                    seq, "integrity", "sig-writer-missing", f"缺少当前签名密钥 {key}… 的有效签名"
                )
            )
        return out
