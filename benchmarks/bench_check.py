"""How fast is `suiji check` on a million-enterprise registry?

Generates (once, cached under /tmp) a records directory whose enterprises.csv has
1,000,000 rows with valid credit codes — the example county's 325 rows plus generated
ones — and the example county's other five records. Then, each phase in a fresh
subprocess so peak memory (ru_maxrss) is per phase:

* baseline  `pandas.read_csv(path, dtype=str, keep_default_na=False)`
* validate  `records.check(..., snapshots=False)` — read + every rule, no snapshot
* snapshot  the canonical snapshot of the loaded enterprises (timed after loading)
* check     `records.check(...)` — what `suiji check` does (validation + snapshots)

Targets (issue 3): check ≤ 3 × baseline, peak memory < 1.5 GB.

    .venv/bin/python benchmarks/bench_check.py [--rows N] [--no-cache]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "records"
TODAY = date(2026, 3, 1)


def generate(rows: int, out: Path) -> Path:
    """Write `out/enterprises.csv` with `rows` rows (vectorised) and copy the other records."""
    from suiji.records.uscc import ALPHABET, ORG_WEIGHTS, VALUES, WEIGHTS, is_valid

    out.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLE.glob("*.csv"):
        if path.name != "enterprises.csv":
            shutil.copy(path, out / path.name)
    example = pd.read_csv(
        EXAMPLE / "enterprises.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    n = rows - len(example)
    rng = np.random.default_rng(20260301)
    alphabet = np.array(list(ALPHABET))
    # 91 + division 330100 + an 8-digit body from the row number (unique) + both check chars.
    idx = np.arange(n, dtype=np.int64)
    body = np.stack([(idx // 10**k) % 10 for k in range(7, -1, -1)], axis=1)
    org = (body * np.array(ORG_WEIGHTS)).sum(axis=1) % 11
    org_check = 11 - org  # 10 → X, 11 → 0
    org_value = np.where(org_check == 11, 0, np.where(org_check == 10, VALUES["X"], org_check))
    prefix = np.array([VALUES[c] for c in "91330100"], dtype=np.int64)
    first17 = np.concatenate([np.tile(prefix, (n, 1)), body, org_value[:, None]], axis=1)
    check = (31 - (first17 * np.array(WEIGHTS)).sum(axis=1) % 31) % 31
    chars = np.ascontiguousarray(alphabet[np.concatenate([first17, check[:, None]], axis=1)])
    codes = chars.view("<U18").ravel()  # 18 one-character cells → one 18-character string
    assert all(is_valid(str(c)) for c in codes[:1000])

    # Every generated row copies a random example row (so 状态/退出日期/退出原因 and the
    # flags stay consistent), then gets its own code, name and address.
    gen = example.iloc[rng.integers(0, len(example), n)].reset_index(drop=True)
    gen["统一社会信用代码"] = codes.astype(object)
    gen["单位名称"] = pd.Series(idx).map(lambda i: f"示例县第{i}号化工有限公司").to_numpy()
    gen["经营地址"] = (
        pd.Series(idx).map(lambda i: f"示例县工业园区纬{i % 97}路{i % 9973}号").to_numpy()
    )
    frame = pd.concat([example, gen], ignore_index=True)
    frame.to_csv(out / "enterprises.csv", index=False, encoding="utf-8-sig")
    (out / "rows.txt").write_text(str(rows), "ascii")
    return out


def phase(name: str, records_dir: Path) -> dict[str, float]:
    """Run one phase in this process; return its time and the process's peak memory."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from suiji import records

    timing: dict[str, float] = {}
    start = time.perf_counter()
    if name == "baseline":
        pd.read_csv(records_dir / "enterprises.csv", dtype=str, keep_default_na=False)
    elif name == "validate":
        report = records.check(records_dir, TODAY, snapshots=False)
        assert report.ok, report.errors[:5]
    elif name == "check":
        report = records.check(records_dir, TODAY)
        assert report.ok, report.errors[:5]
    elif name == "snapshot":
        loaded = records.load_all(records_dir, TODAY)
        start = time.perf_counter()
        data = loaded["enterprises"].snapshot
        records.snapshot_hash(data)
        timing["bytes"] = len(data)
    timing["seconds"] = time.perf_counter() - start
    timing["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.dir))))
        return
    # The cache is keyed by the example county too: its other records are copied as they are.
    example_digest = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(EXAMPLE.glob("*.csv")))
    ).hexdigest()[:8]
    records_dir = Path(f"/tmp/suiji-bench-check-{args.rows}-{example_digest}")
    cached = (records_dir / "rows.txt").is_file() and not args.no_cache
    t0 = time.perf_counter()
    if not cached:
        shutil.rmtree(records_dir, ignore_errors=True)
        generate(args.rows, records_dir)
    size = (records_dir / "enterprises.csv").stat().st_size
    print(
        f"enterprises.csv: {args.rows:,} rows, {size / 1e6:.0f} MB"
        f" ({'cached' if cached else f'generated in {time.perf_counter() - t0:.1f} s'})"
    )
    results: dict[str, dict[str, float]] = {}
    for name in ("baseline", "validate", "snapshot", "check"):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", name, "--dir", str(records_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["baseline"]["seconds"]
    for name, r in results.items():
        ratio = r["seconds"] / base
        print(
            f"{name:9s} {r['seconds']:6.2f} s  {ratio:4.2f}× baseline  peak {r['maxrss_mb']:6.0f} MB"
        )
    check_ok = results["check"]["seconds"] <= 3 * base
    mem_ok = max(r["maxrss_mb"] for r in results.values()) < 1536
    print(
        f"target check ≤ 3× baseline: {'met' if check_ok else 'MISSED'}; peak < 1.5 GB: {'met' if mem_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
