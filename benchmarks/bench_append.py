"""Benchmark: appending entries one by one with `suiji.ledger.append`, against the file system.

Every append takes the lock, verifies only what is new since the cached state, writes an
object and the line (fsync), replaces the checkpoint and the cache (tmp, fsync, rename,
fsync dir) and reads both back. Measured, each run in its own child process, runs
interleaved:

  ours   N appends of a `note` entry with one new object, timed per block of N/blocks;
  floor  the same file operations with no ledger logic, per append: open+flock+close the
         lock file; the object (tmp in ledger/, write, fsync, rename into objects/, fsync
         dir); the line (O_APPEND write, fsync); the checkpoint and the cache (tmp, write,
         fsync, rename, fsync dir); read back the line and the checkpoint. Byte sizes are
         those of a real append (calibrated on a short ledger first).

Reported: CPU time (process_time) and wall time per block, the median over all blocks
of all runs with min–max; ours / floor per block (median of the per-run medians); and
last block / first block of ours (linear total cost, i.e. no step re-reads the whole
ledger ⇒ ≈ 1). Peak RSS of each child.

    .venv/bin/python benchmarks/bench_append.py [--sizes 2k] [--runs 5] [--blocks 10]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _harness as H

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ours(directory: Path, n: int, blocks: int) -> dict[str, object]:
    from suiji.crypto.ed25519 import from_seed
    from suiji.ledger.append import append, create
    from suiji.ledger.objects import object_id
    from suiji.ledger.paths import CACHE_FILE, CHECKPOINT_FILE, LEDGER_FILE, ledger_dir

    root_key, writer = from_seed(b"\x01" * 32), from_seed(b"\x03" * 32)
    create(directory, origin="bench.invalid/suiji", roots=[root_key], signing=writer, now=T0)
    block = max(n // blocks, 1)
    walls, cpus = [], []
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(1, n + 1):
        data = f"记录 {i}".encode()
        append(
            directory,
            "note",
            {"n": i, "record_object": object_id(data)},
            key=writer,
            now=T0 + timedelta(seconds=i),
            clock_overridden=False,
            objects=[data],
        )
        if i % block == 0:
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
    ld = ledger_dir(directory)
    lines = (ld / LEDGER_FILE).read_bytes().split(b"\n")
    sizes = {
        "object": len(data),
        "line": len(lines[-2]) + 1,
        "checkpoint": (ld / CHECKPOINT_FILE).stat().st_size,
        "cache": (ld / CACHE_FILE).stat().st_size,
    }
    return {"wall": walls, "cpu": cpus, "sizes": sizes}


def _atomic(path: Path, tmp: Path, data: bytes) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def floor(directory: Path, n: int, blocks: int, sizes: dict[str, int]) -> dict[str, object]:
    objects = directory / "objects"
    objects.mkdir(parents=True)
    log = directory / "log"
    block = max(n // blocks, 1)
    walls, cpus = [], []
    wall, cpu = time.perf_counter(), time.process_time()
    offset = 0
    for i in range(1, n + 1):
        lock = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(lock, fcntl.LOCK_EX)
        tag = str(i).encode()
        _atomic(objects / f"{i:064d}", directory / ".obj.tmp", tag.ljust(sizes["object"], b"o"))
        line = tag.ljust(sizes["line"] - 1, b"x") + b"\n"
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        cp = tag.ljust(sizes["checkpoint"], b"c")
        _atomic(directory / "checkpoint", directory / ".cp.tmp", cp)
        _atomic(directory / "cache", directory / ".cache.tmp", tag.ljust(sizes["cache"], b"y"))
        with log.open("rb") as fh:
            fh.seek(offset)
            assert fh.read(len(line) + 2) == line
        assert (directory / "checkpoint").read_bytes() == cp
        offset += len(line)
        os.close(lock)
        if i % block == 0:
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
    return {"wall": walls, "cpu": cpus}


def main() -> int:
    parser = H.parser(__doc__, sizes="2k")
    parser.add_argument("--blocks", type=int, default=10, help="blocks per run (default 10)")
    parser.add_argument("--child", choices=["ours", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--sizes-json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        n = args.sizes[0]
        with tempfile.TemporaryDirectory() as tmp:
            if args.child == "ours":
                result = ours(Path(tmp) / "b", n, args.blocks)
            else:
                result = floor(Path(tmp) / "f", n, args.blocks, json.loads(args.sizes_json))
        print(json.dumps(result))
        return 0

    print(f"bench_append — {H.machine()}; {args.runs} runs per variant")
    with tempfile.TemporaryDirectory() as tmp:
        sizes = ours(Path(tmp) / "calibrate", 200, 1)["sizes"]
    for n in args.sizes:
        block = max(n // args.blocks, 1)
        base = [sys.executable, __file__, "--sizes", str(n), "--blocks", str(args.blocks)]
        samples = H.rounds(
            {
                "ours": lambda base=base: H.run([*base, "--child", "ours"]),
                "floor": lambda base=base: H.run(
                    [*base, "--child", "floor", "--sizes-json", json.dumps(sizes)]
                ),
            },
            args.runs,
            label=H.size_label(n),
        )
        runs = {k: [H.child_json(s) for s in v] for k, v in samples.items()}
        print(f"\n{n:,} appends one by one, blocks of {block:,} (sizes {sizes})")
        print(
            f"  {'':6} {'CPU s per block (min–max)':28} {'wall s per block (min–max)':28} peak RSS MB"
        )
        for name in ("ours", "floor"):
            cpu = H.Stats.of([x for r in runs[name] for x in r["cpu"]])
            wall = H.Stats.of([x for r in runs[name] for x in r["wall"]])
            rss = max(s.maxrss_mb for s in samples[name])
            print(f"  {name:6} {cpu.fmt(digits=3):28} {wall.fmt(digits=3):28} {rss:7.0f}")
        for what in ("cpu", "wall"):
            ratio = H.Stats.of(
                [
                    statistics.median(o[what]) / statistics.median(f[what])
                    for o, f in zip(runs["ours"], runs["floor"], strict=True)
                ]
            )
            print(f"  ours / floor, {what} per block: {ratio.ratio()}")
        growth = H.Stats.of([r["cpu"][-1] / r["cpu"][0] for r in runs["ours"]])
        print(f"  ours last / first block, CPU: {growth.ratio()}  (linear total cost ⇒ ≈ 1)")
        per = H.Stats.of([x / block * 1e3 for r in runs["ours"] for x in r["cpu"]])
        print(f"  ours CPU per append: {per.fmt('ms')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
