"""Benchmark: appending 10,000 entries one by one with `suiji.ledger.append`.

Every append takes the lock, verifies only what is new since the cached state, writes an
object and the line (fsync), replaces the checkpoint (tmp, fsync, rename, fsync dir) and
the cache, and reads both back. If any step re-read the whole ledger, the last thousand
appends would cost far more than the first; linear total cost means the two are about
equal. Also printed: the same writes with no ledger logic (the floor of the file system).
Run: `.venv/bin/python benchmarks/bench_append.py [n]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from suiji.crypto.ed25519 import from_seed
from suiji.ledger.append import append, create
from suiji.ledger.objects import object_id

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ROOT = from_seed(b"\x01" * 32)
WRITER = from_seed(b"\x03" * 32)


def fs_floor(directory: Path, n: int) -> float:
    """n × (append+fsync a line, write+fsync+rename a small file, fsync the directory ×2)."""
    directory.mkdir()
    start = time.perf_counter()
    fd = os.open(directory / "log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    dfd = os.open(directory, os.O_RDONLY)
    for i in range(n):
        os.write(fd, b"x" * 300 + b"\n")
        os.fsync(fd)
        for name in ("cp", "cache"):
            tmp = directory / f".{name}.tmp"
            with tmp.open("wb") as fh:
                fh.write(b"y" * 200 + str(i).encode())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, directory / name)
            os.fsync(dfd)
    os.close(fd)
    os.close(dfd)
    return time.perf_counter() - start


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    block = max(n // 10, 1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "b"
        create(root, origin="bench.invalid/suiji", roots=[ROOT], signing=WRITER, now=T0)
        blocks: list[float] = []
        start = time.perf_counter()
        for i in range(1, n + 1):
            data = f"记录 {i}".encode()
            append(
                root,
                "note",
                {"n": i, "record_object": object_id(data)},
                key=WRITER,
                now=T0 + timedelta(seconds=i),
                clock_overridden=False,
                objects=[data],
            )
            if i % block == 0:
                now = time.perf_counter()
                blocks.append(now - start)
                start = now
        first, last = blocks[0], blocks[-1]
        print(f"appended {n:,} entries one by one (blocks of {block:,})")
        print("per block (s): " + " ".join(f"{b:.2f}" for b in blocks))
        print(f"first {block:,}: {first:.2f} s ({first / block * 1e3:.2f} ms/append)")
        print(f"last  {block:,}: {last:.2f} s ({last / block * 1e3:.2f} ms/append)")
        print(f"last/first: {last / first:.2f}  (linear total cost ⇒ ≈ 1)")
        floor = fs_floor(Path(tmp) / "floor", block)
        print(
            f"file-system floor for {block:,} appends (same writes and fsyncs): {floor:.2f} s"
            f"  → ours {first / floor:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
