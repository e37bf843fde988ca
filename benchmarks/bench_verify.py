"""Benchmark: structural verification of a 100,000-entry ledger, and its memory.

Measured in the same run:
- ours: `suiji.verify.verify` (no semantic checkers) on a generated ledger of small entries,
  each naming two objects out of a pool of 1,000;
- the floor: the same Ed25519 verifications (same keys, signatures and messages) plus one
  SHA-256 pass over the same bytes (every line, every object once) with bare
  `cryptography` and `hashlib`.

Target: ours ≤ 1.3x the floor. Memory (tracemalloc peak during verify) for the first
10,000 entries and for all 100,000 should be about equal: verification streams.
Run: `.venv/bin/python benchmarks/bench_verify.py [n]`.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX, body_message, from_seed, public_of
from suiji.ledger.append import create, put_object
from suiji.ledger.codec import ENTRY_TAG, encode_entry
from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
from suiji.shared.canonical import tagged_hex
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
from suiji.standards.merkle import MerkleFrontier
from suiji.verify.verifier import verify

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ORIGIN = "bench.invalid/suiji"
ROOT = from_seed(b"\x01" * 32)
WRITER = from_seed(b"\x03" * 32)


def generate(root: Path, n: int) -> list[tuple[bytes, bytes]]:
    """A valid ledger of n entries; returns (signature, signed message) per entry."""
    create(root, origin=ORIGIN, roots=[ROOT], signing=WRITER, now=T0)
    pool = [put_object(root, f"对象 {i} ".encode() * 20) for i in range(1000)]
    path = ledger_dir(root) / LEDGER_FILE
    first = path.read_bytes()[:-1]
    frontier = MerkleFrontier()
    frontier.append(first)
    prev = tagged_hex(ENTRY_TAG, first)
    signed: list[tuple[bytes, bytes]] = []
    with path.open("ab") as fh:
        for seq in range(1, n):
            entry = {
                "n": seq,
                "unit_object": pool[seq % 1000],
                "plan_object": pool[(seq * 7) % 1000],
            }
            line = encode_entry(
                seq=seq,
                prev=prev,
                kind="note",
                time=format_time(T0 + timedelta(seconds=seq)),
                body=entry,
                key=WRITER,
            )
            fh.write(line + b"\n")
            frontier.append(line)
            prev = tagged_hex(ENTRY_TAG, line)
            signed.append((line, b""))
    cp = Checkpoint(ORIGIN, frontier.size, frontier.root())
    (ledger_dir(root) / CHECKPOINT_FILE).write_bytes(sign_checkpoint(cp, ORIGIN, WRITER))
    return signed


def floor(root: Path, pub: bytes) -> float:
    """Same Ed25519 verifications + SHA-256 over the same bytes, with nothing else."""
    import json

    from suiji.shared.canonical import canonical_json

    path = ledger_dir(root) / LEDGER_FILE
    lines = path.read_bytes().split(b"\n")[:-1]
    jobs: list[tuple[bytes, bytes, bytes]] = []  # (public key, signature, message)
    root_pub = public_of(ROOT).raw
    for line in lines:
        value = json.loads(line)
        unsigned = canonical_json({k: v for k, v in value.items() if k != "sigs"})
        for s in value["sigs"]:
            import base64

            sig = base64.b64decode(s["sig"])
            if s["key"] == public_of(WRITER).id:
                jobs.append((pub, sig, ENTRY_SIG_PREFIX + unsigned))
            else:
                jobs.append((root_pub, sig, body_message(value["body"])))
    objects = [p.read_bytes() for p in (ledger_dir(root) / "objects").iterdir()]
    keys = {
        pub: Ed25519PublicKey.from_public_bytes(pub),
        root_pub: Ed25519PublicKey.from_public_bytes(root_pub),
    }
    gc.collect()
    start = time.perf_counter()
    for k, sig, message in jobs:
        keys[k].verify(sig, message)
    keys[pub].verify(sig, message)  # the checkpoint's signature (same size of work)
    for line in lines:
        hashlib.sha256(line).digest()
    for data in objects:
        hashlib.sha256(data).digest()
    return time.perf_counter() - start


def timed_verify(root: Path) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    report = verify(root, now=T0 + timedelta(days=400))
    elapsed = time.perf_counter() - start
    assert report.findings == (), report.findings
    return elapsed, report.size


def peak_memory(root: Path) -> int:
    gc.collect()
    tracemalloc.start()
    report = verify(root, now=T0 + timedelta(days=400))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.findings == ()
    return peak


def truncated_copy(src: Path, dst: Path, n: int) -> None:
    """The first n entries of src's ledger (same objects), with a matching checkpoint."""
    (dst / "ledger").mkdir(parents=True)
    shutil.copytree(ledger_dir(src) / "objects", ledger_dir(dst) / "objects")
    frontier = MerkleFrontier()
    with (
        (ledger_dir(src) / LEDGER_FILE).open("rb") as fh,
        (ledger_dir(dst) / LEDGER_FILE).open("wb") as out,
    ):
        for _ in range(n):
            line = fh.readline()
            out.write(line)
            frontier.append(line[:-1])
    cp = Checkpoint(ORIGIN, n, frontier.root())
    (ledger_dir(dst) / CHECKPOINT_FILE).write_bytes(sign_checkpoint(cp, ORIGIN, WRITER))


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        start = time.perf_counter()
        generate(big, n)
        size = (ledger_dir(big) / LEDGER_FILE).stat().st_size
        print(
            f"generated {n:,} entries ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s"
        )
        ours_runs, base_runs = [], []
        for _ in range(3):  # alternate, keep the best of each: other load hits both alike
            ours_runs.append(timed_verify(big)[0])
            base_runs.append(floor(big, public_of(WRITER).raw))
        ours, base = min(ours_runs), min(base_runs)
        ratio = ours / base
        print(f"verify:  {ours:.2f} s  ({ours / n * 1e6:.1f} µs/entry)")
        print(f"floor:   {base:.2f} s  (Ed25519 verify + SHA-256 over the same bytes)")
        print(f"ratio:   {ratio:.2f}x  (target ≤ 1.3x)")
        tenth = max(n // 10, 1)
        truncated_copy(big, small, tenth)
        m_small, m_big = peak_memory(small), peak_memory(big)
        print(
            f"peak memory: {tenth:,} entries {m_small / 1e6:.2f} MB, {n:,} entries {m_big / 1e6:.2f} MB"
            f"  (ratio {m_big / m_small:.2f}; streaming ⇒ ≈ 1)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
