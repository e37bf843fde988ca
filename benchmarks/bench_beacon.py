"""Beacon verification speed, as ratios against the literal two-pairing check in this run.

Baseline: e(G2, sig) == e(pk, H(m)) with two full py_ecc pairings (the equation as the
spec writes it). Compared: suiji's verify_round (one shared final exponentiation), a
cache hit, point decoding with subgroup checks, and signing a demo round.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from py_ecc.optimized_bls12_381.optimized_curve import G2
from py_ecc.optimized_bls12_381.optimized_pairing import pairing

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import chain_facts, chain_from_facts, round_message
from suiji.beacon.sources import demo_sign_round
from suiji.beacon.verify import verify_round
from suiji.crypto.bls import decode_g1, hash_to_g1

SIG = (
    "83ad29e4c409f9470fc2ef02f90214df49e02b441a1a241a82d622d9f608ef98"
    "fd8b11a029f1bee9d9e83b45088abe72"
)
ROUND = 1000000


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    chain = chain_from_facts(chain_facts("drand-quicknet"))
    sig_point = decode_g1(bytes.fromhex(SIG))
    h = hash_to_g1(round_message(ROUND))

    def literal() -> None:
        assert pairing(G2, sig_point) == pairing(chain._pk_point, h)

    with tempfile.TemporaryDirectory() as tmp:
        cache = VerifiedCache(Path(tmp) / "beacons.json")
        verify_round(chain, ROUND, SIG, cache=cache)
        rows = [
            ("literal e(G2,sig)==e(pk,H) (baseline)", timed(literal, 3)),
            ("verify_round, no cache", timed(lambda: verify_round(chain, ROUND, SIG), 5)),
            (
                "verify_round, cache hit",
                timed(lambda: verify_round(chain, ROUND, SIG, cache=cache), 50),
            ),
            (
                "decode G1 sig + subgroup check",
                timed(lambda: decode_g1(bytes.fromhex(SIG)), 20),
            ),
            (
                "chain_from_facts (G2 key + subgroup)",
                timed(lambda: chain_from_facts(chain_facts("drand-quicknet")), 10),
            ),
            ("hash_to_G1", timed(lambda: hash_to_g1(round_message(ROUND)), 20)),
            ("demo_sign_round", timed(lambda: demo_sign_round(ROUND), 20)),
        ]
    base = rows[0][1]
    print(f"{'operation':42} {'ms':>10} {'ratio':>8}")
    for name, seconds in rows:
        print(f"{name:42} {seconds * 1000:10.3f} {seconds / base:8.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
