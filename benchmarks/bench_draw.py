"""Benchmark: an undirected draw of 1,000 from 1,000,000 enterprise ids.

Measured in the same run:
- ours: `suiji.draw.select_lowest` on the sorted ids a Population holds, on the same
  ids shuffled (same result; a full duplicate check instead of a sortedness check), and
  the whole `draw_targets` for reference;
- Rivest's `consistent_sampler.sampler(ids, seed=S, output='id')`, first 1,000 —
  the reference implementation; the orders must be identical (asserted);
- the floor: hashing every id once with hashlib (`sha256(id.encode()).digest()`).

Targets: ours at least 4x faster than the sampler, and at most 2.5x the floor.
Run: `.venv/bin/python benchmarks/bench_draw.py [n] [k]`.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from consistent_sampler import sampler

from suiji.draw.plan import UNDIRECTED, Count, Plan
from suiji.draw.population import Member, Population
from suiji.draw.sampler import select_lowest
from suiji.draw.targets import draw_targets
from suiji.draw.teamrules import TeamRules
from suiji.shared.canonical import tagged_hex


def best_of(repeats: int, fn: Callable[[], Any], *, collect: bool = True) -> tuple[float, Any]:
    """Smallest wall time of `repeats` runs; `collect=False` times with the cyclic GC off."""
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        if not collect:
            gc.disable()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        gc.enable()
    return best, result


def floor(ids: list[str]) -> None:
    sha = hashlib.sha256
    for x in ids:
        sha(x.encode()).digest()


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    ids = [f"91341122{i:09d}X" for i in range(n)]  # 18 characters, like a credit code
    seed = tagged_hex("suiji/bench/v1", b"draw")
    shuffled = list(ids)
    random.Random(1).shuffle(shuffled)

    def ours() -> list[str]:
        return select_lowest(ids, seed, k)

    def reference() -> list[str]:
        return list(itertools.islice(sampler(ids, seed=seed, output="id"), k))

    plan = Plan(
        task_id="2026-900", name="基准", year=2026, unit="监督管理股", kind=UNDIRECTED,
        filters=(), size=Count(k), items_per_target=1, window_start=date(2026, 1, 1),
        window_end=date(2026, 1, 31), team=TeamRules(),
    )  # fmt: skip
    pop = Population(
        "2026-900", date(2026, 1, 1), None, tuple(Member(i, "危险化学品使用", None) for i in ids)
    )

    print(f"undirected draw of {k:,} from {n:,} ids")
    ok = True
    for collect in (True, False):
        t_floor, _ = best_of(3, lambda: floor(ids), collect=collect)
        t_ours, mine = best_of(3, ours, collect=collect)
        t_ref, ref = best_of(2, reference, collect=collect)
        assert mine == ref, "select_lowest differs from consistent_sampler"
        t_mixed, mixed = best_of(3, lambda: select_lowest(shuffled, seed, k), collect=collect)
        assert mixed == ref, "the order of the input changed the draw"
        t_full, full = best_of(
            2, lambda: draw_targets(plan, pop, seed, alternates=5), collect=collect
        )
        assert full.ids == ref, "draw_targets differs from consistent_sampler"
        speedup, over_floor = t_ref / t_ours, t_ours / t_floor
        mode = "on (default)" if collect else "off"
        print(f"- cyclic GC {mode}; order identical to consistent_sampler: yes")
        print(f"  floor  sha256 per id           {t_floor:7.3f} s")
        print(f"  ours   select_lowest           {t_ours:7.3f} s")
        print(f"  ours   select_lowest, shuffled {t_mixed:7.3f} s  (full duplicate check)")
        print(f"  ours   draw_targets (+5 alt.)  {t_full:7.3f} s")
        print(f"  ref    consistent_sampler      {t_ref:7.3f} s")
        print(f"  speed-up over consistent_sampler: {speedup:5.2f}x  (target >= 4x)")
        print(f"  ours / hashing floor:             {over_floor:5.2f}x  (target <= 2.5x)")
        ok = ok and speedup >= 4 and over_floor <= 2.5
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
