"""Benchmark: an undirected draw of k from N enterprise ids, against consistent_sampler.

Each variant of each run is its own child process, which builds the same N ids (18
characters, like a credit code) and the same seed, then times one call (wall and CPU;
building the ids is not timed):

  floor     hashing every id once with hashlib (`sha256(id.encode()).digest()`);
  ours      `suiji.draw.select_lowest(ids, seed, k)` on the sorted ids a Population holds;
  shuffled  the same on the ids shuffled (a full duplicate check instead of a sortedness
            check; the result must not change);
  full      the whole `draw_targets` (k targets + 5 alternates) for reference;
  reference Rivest's `consistent_sampler.sampler(ids, seed=S, output='id')`, first k.

Every child prints a digest of the ordered ids it drew; the orders of ours, shuffled and
full must be identical to the reference's (asserted). Runs are interleaved; figures are
median (min–max); ratios are per run. Targets: reference / ours ≥ 4 (speed-up over
consistent_sampler) and ours / floor ≤ 2.5, in CPU and wall time.

    .venv/bin/python benchmarks/bench_draw.py [--sizes 1M] [--k 1000] [--runs 5] [--no-gc]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import json
import random
import sys
import time
from datetime import date
from functools import partial

import _harness as H

VARIANTS = ("floor", "ours", "shuffled", "full", "reference")


def child(variant: str, n: int, k: int, collect: bool) -> dict[str, object]:
    from suiji.shared.canonical import tagged_hex

    ids = [f"91341122{i:09d}X" for i in range(n)]
    seed = tagged_hex("suiji/bench/v1", b"draw")
    call: object
    if variant == "floor":
        sha = hashlib.sha256

        def call() -> list[str]:
            for x in ids:
                sha(x.encode()).digest()
            return []

    elif variant in ("ours", "shuffled"):
        from suiji.draw.sampler import select_lowest

        if variant == "shuffled":
            random.Random(1).shuffle(ids)
        call = partial(select_lowest, ids, seed, k)
    elif variant == "full":
        from suiji.draw.plan import UNDIRECTED, Count, Plan
        from suiji.draw.population import Member, Population
        from suiji.draw.targets import draw_targets
        from suiji.draw.teamrules import TeamRules

        plan = Plan(
            task_id="2026-900", name="基准", year=2026, unit="监督管理股", kind=UNDIRECTED,
            filters=(), size=Count(k), items_per_target=1, window_start=date(2026, 1, 1),
            window_end=date(2026, 1, 31), team=TeamRules(),
        )  # fmt: skip
        members = tuple(Member(i, "危险化学品使用", None) for i in ids)
        pop = Population("2026-900", date(2026, 1, 1), None, members)

        def call() -> list[str]:
            return list(draw_targets(plan, pop, seed, alternates=5).ids)

    else:
        from consistent_sampler import sampler

        def call() -> list[str]:
            return list(itertools.islice(sampler(ids, seed=seed, output="id"), k))

    gc.collect()
    if not collect:
        gc.disable()
    wall, cpu = time.perf_counter(), time.process_time()
    drawn = call()  # type: ignore[operator]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256("\n".join(drawn).encode()).hexdigest() if drawn else None
    return {"wall": wall, "cpu": cpu, "digest": digest, "drawn": len(drawn)}


def main() -> int:
    parser = H.parser(__doc__, sizes="1M")
    parser.add_argument("--k", type=int, default=1000, help="how many to draw (default 1000)")
    parser.add_argument("--no-gc", action="store_true", help="time with the cyclic GC off")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sizes[0], args.k, not args.no_gc)))
        return 0
    gc_mode = "off" if args.no_gc else "on (default)"
    print(f"bench_draw — {H.machine()}; {args.runs} runs per variant; cyclic GC {gc_mode}")
    ok = True
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--sizes", str(n), "--k", str(args.k)]
        if args.no_gc:
            cmd.append("--no-gc")
        samples = H.rounds(
            {v: partial(H.run, [*cmd, "--child", v]) for v in VARIANTS},
            args.runs,
            label=H.size_label(n),
        )
        t = {v: [H.child_json(s) for s in samples[v]] for v in VARIANTS}
        digests = {r["digest"] for v in ("ours", "shuffled", "full", "reference") for r in t[v]}
        assert len(digests) == 1, "a draw differs from consistent_sampler's order"
        print(f"\nundirected draw of {args.k:,} from {n:,} ids; orders identical: yes")
        print(f"  {'variant':10} {'wall s (min–max)':24} {'CPU s (min–max)':24} peak RSS MB")
        for v in VARIANTS:
            wall = H.Stats.of([r["wall"] for r in t[v]])
            cpu = H.Stats.of([r["cpu"] for r in t[v]])
            rss = max(s.maxrss_mb for s in samples[v])
            print(f"  {v:10} {wall.fmt(digits=3):24} {cpu.fmt(digits=3):24} {rss:7.0f}")
        for what in ("cpu", "wall"):
            ours = [r[what] for r in t["ours"]]
            speedup = H.paired_ratios([r[what] for r in t["reference"]], ours)
            over = H.paired_ratios(ours, [r[what] for r in t["floor"]])
            print(
                f"  {what:4}: reference / ours {speedup.ratio()} (target ≥ 4);"
                f" ours / floor {over.ratio()} (target ≤ 2.5)"
            )
            ok = ok and speedup.median >= 4 and over.median <= 2.5
    print("targets met" if ok else "TARGETS MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
