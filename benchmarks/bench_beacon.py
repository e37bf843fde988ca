"""Benchmark: beacon (drand quicknet, BLS12-381) verification, against the literal check.

Each operation of each run is its own child process, which imports suiji.beacon, warms up
once, then times `--repeat` calls (the per-call mean of that run, wall and CPU):

  literal     e(G2, sig) == e(pk, H(m)) with two full py_ecc pairings: the equation as
              the spec writes it (the baseline);
  verify      suiji's verify_round, no cache (one shared final exponentiation);
  cache hit   verify_round answered by the verified-rounds cache;
  decode G1   signature point decoding with the subgroup check;
  chain       chain_from_facts (G2 public key decoding + subgroup check);
  hash_to_G1  hashing the round message to the curve;
  demo sign   signing a demo round;
  import      `import suiji.beacon.verify, suiji.crypto.bls` alone (whole child, start-up included; py_ecc is
              imported at module level).

Figures: median (min–max) over the runs; ratio to the literal check per run. There are no
sizes here: a ledger with B beacon entries costs B × one operation.

    .venv/bin/python benchmarks/bench_beacon.py [--runs 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import _harness as H

SIG = (
    "83ad29e4c409f9470fc2ef02f90214df49e02b441a1a241a82d622d9f608ef98"
    "fd8b11a029f1bee9d9e83b45088abe72"
)
ROUND = 1000000
OPS = ("literal", "verify", "cache hit", "decode G1", "chain", "hash_to_G1", "demo sign")


def child(op: str, repeat: int) -> dict[str, float]:
    from py_ecc.optimized_bls12_381.optimized_curve import G2
    from py_ecc.optimized_bls12_381.optimized_pairing import pairing

    from suiji.beacon.cache import VerifiedCache
    from suiji.beacon.chain import chain_facts, chain_from_facts, round_message
    from suiji.beacon.sources import demo_sign_round
    from suiji.beacon.verify import verify_round
    from suiji.crypto.bls import decode_g1, hash_to_g1

    chain = chain_from_facts(chain_facts("drand-quicknet"))
    sig_point = decode_g1(bytes.fromhex(SIG))
    h = hash_to_g1(round_message(ROUND))

    def literal() -> None:
        assert pairing(G2, sig_point) == pairing(chain._pk_point, h)

    with tempfile.TemporaryDirectory() as tmp:
        cache = VerifiedCache(Path(tmp) / "beacons.json")
        verify_round(chain, ROUND, SIG, cache=cache)
        ops: dict[str, Callable[[], object]] = {
            "literal": literal,
            "verify": lambda: verify_round(chain, ROUND, SIG),
            "cache hit": lambda: verify_round(chain, ROUND, SIG, cache=cache),
            "decode G1": lambda: decode_g1(bytes.fromhex(SIG)),
            "chain": lambda: chain_from_facts(chain_facts("drand-quicknet")),
            "hash_to_G1": lambda: hash_to_g1(round_message(ROUND)),
            "demo sign": lambda: demo_sign_round(ROUND),
        }
        fn = ops[op]
        fn()  # warm-up
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall / repeat, "cpu": cpu / repeat}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per operation (default 5)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="calls timed per run, after a warm-up (default 3)"
    )
    parser.add_argument("--child", choices=OPS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return 0
    print(f"bench_beacon — {H.machine()}; {args.runs} runs, {args.repeat} calls per run")
    cmd = [sys.executable, __file__, "--repeat", str(args.repeat), "--child"]
    configs = {op: partial(H.run, [*cmd, op]) for op in OPS}
    configs["import"] = partial(
        H.run, [sys.executable, "-c", "import suiji.beacon.verify, suiji.crypto.bls"]
    )
    samples = H.rounds(configs, args.runs, label="beacon")
    t = {op: [H.child_json(s) for s in samples[op]] for op in OPS}
    t["import"] = [{"wall": s.wall, "cpu": s.cpu} for s in samples["import"]]
    base = t["literal"]
    print(
        f"\n{'operation':12} {'wall ms (min–max)':28} {'CPU ms (min–max)':28} {'× literal (CPU)':22}"
    )
    for op, rows in t.items():
        wall = H.Stats.of([r["wall"] * 1e3 for r in rows])
        cpu = H.Stats.of([r["cpu"] * 1e3 for r in rows])
        ratio = H.paired_ratios([r["cpu"] for r in rows], [r["cpu"] for r in base])
        print(f"{op:12} {wall.fmt('', 3):28} {cpu.fmt('', 3):28} {ratio.ratio(4):22}")
    rss = max(s.maxrss_mb for runs in samples.values() for s in runs)
    print(f"peak RSS of any child: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
