"""Benchmark: `suiji check` (records.check) on a large enterprise registry vs `read_csv`.

Generates (once per size, cached under /tmp) a records directory whose enterprises.csv
has N rows with valid credit codes — the example county's 325 rows plus generated ones —
and the example county's other five records. Each phase of each run is its own child
process (started through benchmarks/_harness.py, so no parent's memory high-water mark
leaks into it); phases are interleaved round by round:

  baseline  `pandas.read_csv(path, dtype=str, keep_default_na=False)` on the same file
  validate  `records.check(..., snapshots=False)`: read + every rule, no snapshot
  snapshot  the canonical snapshot of the loaded enterprises (timed after loading)
  check     `records.check(...)`: what `suiji check` does (validation + snapshots)

Times are measured inside the child around the phase (interpreter start-up and imports
excluded, the same for every phase): wall and CPU (process_time). Peak RSS is the whole
child's. Ratios are per run against that run's baseline; median (min–max) of the runs.
Targets (issues 3 and "Province scale"): check ≤ 3× baseline, peak memory < 1.5 GB.

With `--xlsx` the register is the same rows saved as enterprises.xlsx (openpyxl, once per
size, cached), and the phases are:

  read      the bare native read: python-calamine's first worksheet `to_python()`;
  check     `records.check(...)` with the workbook (values by calamine plus the one scan
            of the sheet's XML for hidden rows, formulas, integers and comments).

Target ("Province scale"): check ≤ 2.5× read at 100k rows, peak memory ≤ 1.5 GB at 1M.

    .venv/bin/python benchmarks/bench_check.py [--sizes 100k,1M] [--runs 5] [--no-cache]
        [--xlsx]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

import _harness as H

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


def to_xlsx(records_dir: Path, out: Path) -> Path:
    """The generated records with enterprises.csv saved as enterprises.xlsx (write-only)."""
    import openpyxl

    out.mkdir(parents=True, exist_ok=True)
    for path in records_dir.glob("*.csv"):
        if path.name != "enterprises.csv":
            shutil.copy(path, out / path.name)
    frame = pd.read_csv(
        records_dir / "enterprises.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名录库")
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append(list(row))
    wb.save(out / "enterprises.xlsx")
    (out / "rows.txt").write_text(str(len(frame)), "ascii")
    return out


def phase(name: str, records_dir: Path) -> dict[str, float]:
    """Run one phase in this (child) process; its own wall and CPU time, start-up excluded."""
    from suiji import records

    timing: dict[str, float] = {}
    if name == "snapshot":  # timed after loading
        loaded = records.load_all(records_dir, TODAY)
    wall, cpu = time.perf_counter(), time.process_time()
    if name == "baseline":
        pd.read_csv(records_dir / "enterprises.csv", dtype=str, keep_default_na=False)
    elif name == "read":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(records_dir / "enterprises.xlsx"))
        book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    elif name == "validate":
        report = records.check(records_dir, TODAY, snapshots=False)
        assert report.ok, [str(p) for p in report.errors[:5]]
    elif name == "check":
        report = records.check(records_dir, TODAY)
        assert report.ok, [str(p) for p in report.errors[:5]]
    elif name == "snapshot":
        data = loaded["enterprises"].snapshot
        records.snapshot_hash(data)
    timing["wall"] = time.perf_counter() - wall
    timing["cpu"] = time.process_time() - cpu
    return timing


PHASES = ("baseline", "validate", "snapshot", "check")
XLSX_PHASES = ("read", "check")


def main() -> None:
    parser = H.parser(__doc__, sizes="100k")
    parser.add_argument("--no-cache", action="store_true", help="regenerate the records")
    parser.add_argument("--xlsx", action="store_true", help="the register as .xlsx")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.dir))))
        return
    print(f"bench_check — {H.machine()}; {args.runs} runs per phase")
    # The cache is keyed by the example county too: its other records are copied as they are.
    example_digest = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(EXAMPLE.glob("*.csv")))
    ).hexdigest()[:8]
    missed = False
    for rows in args.sizes:
        records_dir = Path(f"/tmp/suiji-bench-check-{rows}-{example_digest}")
        cached = (records_dir / "rows.txt").is_file() and not args.no_cache
        t0 = time.perf_counter()
        if not cached:
            shutil.rmtree(records_dir, ignore_errors=True)
            generate(rows, records_dir)
        if args.xlsx:
            csv_dir = records_dir
            records_dir = Path(f"{csv_dir}-xlsx")
            if not (records_dir / "rows.txt").is_file() or not cached:
                shutil.rmtree(records_dir, ignore_errors=True)
                to_xlsx(csv_dir, records_dir)
        register = "enterprises.xlsx" if args.xlsx else "enterprises.csv"
        phases = XLSX_PHASES if args.xlsx else PHASES
        size = (records_dir / register).stat().st_size
        print(
            f"\n{register}: {rows:,} rows, {size / 1e6:.0f} MB"
            f" ({'cached' if cached else f'generated in {time.perf_counter() - t0:.1f} s'})"
        )
        cmd = [sys.executable, __file__, "--dir", str(records_dir), "--phase"]
        samples = H.rounds(
            {name: partial(H.run, [*cmd, name]) for name in phases},
            args.runs,
            label=H.size_label(rows),
        )
        timings = {name: [H.child_json(s) for s in runs] for name, runs in samples.items()}
        print(
            f"  {'phase':9} {'wall s (min–max)':22} {'CPU s (min–max)':22} "
            f"{'× baseline wall':20} {'× baseline CPU':20} peak RSS MB"
        )
        base = timings[phases[0]]
        for name in phases:
            t = timings[name]
            wall, cpu = H.Stats.of([x["wall"] for x in t]), H.Stats.of([x["cpu"] for x in t])
            r_wall = H.paired_ratios([x["wall"] for x in t], [x["wall"] for x in base])
            r_cpu = H.paired_ratios([x["cpu"] for x in t], [x["cpu"] for x in base])
            rss = H.Stats.of([s.maxrss_mb for s in samples[name]])
            print(
                f"  {name:9} {wall.fmt():22} {cpu.fmt():22} {r_wall.ratio():20} "
                f"{r_cpu.ratio():20} {rss.median:5.0f} ({rss.low:.0f}–{rss.high:.0f})"
            )
        check = H.paired_ratios([x["wall"] for x in timings["check"]], [x["wall"] for x in base])
        # The memory target is `suiji check`'s: the baseline's own peak does not count.
        peak = max(s.maxrss_mb for name in phases[1:] for s in samples[name])
        limit = 2.5 if args.xlsx else 3
        check_ok, mem_ok = check.median <= limit, peak < 1536
        missed = missed or not (check_ok and mem_ok)
        print(
            f"  target check ≤ {limit}× {phases[0]} (wall, median):"
            f" {'met' if check_ok else 'MISSED'};"
            f" peak of our phases < 1.5 GB: {'met' if mem_ok else 'MISSED'} ({peak:.0f} MB)"
        )
    print("targets met" if not missed else "TARGETS MISSED")


if __name__ == "__main__":
    main()
