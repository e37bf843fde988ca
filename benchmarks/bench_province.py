"""Benchmark: `suiji commit`, `draw` and `verify` on a province-sized registry.

The bureau is benchmarks/_province.py's: the example county's records with the
enterprise register scaled to N rows, one undirected task drawing 5 % (three items and a
two-officer team per target). Every run starts from a fresh copy of the same bureau (the
copy is not timed) and runs the three real console commands, each its own measured child
process (interpreter start-up included; the demo chain's round is signed in `draw`):

  commit   `suiji commit content/records/plans/2026-901.toml` — records read, checked,
           snapshotted, population and plan committed;
  draw     `suiji draw 2026-901` — targets, items and teams derived and written;
  verify   `suiji verify --allow-demo --json` — every signature, link and the draw
           re-derived.

With `--baseline REF` the same three commands of another revision (exported with
`git archive REF scripts` into /tmp, run from there) are measured in the same rounds,
interleaved with ours: the same work on the same bytes, so ours / baseline is a ratio
within one run; the ledgers, objects and verify reports of both must be byte-identical
(asserted). Figures: median (min–max) over the runs, CPU (user + sys) and wall, peak RSS
of the child. Targets (at 100k): commit ≤ 5 s, draw ≤ 5 s, verify ≤ 8 s; at 200k each
≤ 2× those.

    .venv/bin/python benchmarks/bench_province.py [--sizes 1k,10k,100k] [--runs 5]
        [--baseline REF]
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _harness as H
import _province as P

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("commit", "draw", "verify")
TARGETS = {"commit": 5.0, "draw": 5.0, "verify": 8.0}


def _cmd(step: str, bureau: Path) -> list[str]:
    base = [sys.executable, "-m", "suiji", "--root", str(bureau)]
    key = ["--key", str(bureau / "private" / "signing.key"), "--yes"]
    if step == "commit":
        plan = bureau / "content" / "records" / "plans" / f"{P.TASK}.toml"
        return [*base, "--now", P.COMMIT_AT, "commit", str(plan), *key]
    if step == "draw":
        return [*base, "--now", P.DRAW_AT, "draw", P.TASK, *key]
    return [*base, "--now", P.VERIFY_AT, "verify", "--allow-demo", "--json"]


def _digest(bureau: Path, report: str) -> str:
    """What must not change between revisions: ledger, checkpoint, objects, the report."""
    h = hashlib.sha256()
    ledger = bureau / "ledger"
    for path in sorted(p for p in ledger.rglob("*") if p.is_file() and p.name[0] != "."):
        h.update(str(path.relative_to(ledger)).encode() + b"\0" + path.read_bytes())
    h.update(report.encode())
    return h.hexdigest()


def one_run(base: Path, work: Path, scripts: Path | None) -> tuple[dict[str, H.Sample], str]:
    """Copy the bureau, then commit, draw and verify it; the samples and the digest."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work)
    env = {"PYTHONPATH": str(scripts)} if scripts else None
    samples = {step: H.run(_cmd(step, work), env=env) for step in STEPS}
    return samples, _digest(work, samples["verify"].stdout)


def export(ref: str, into: Path) -> Path:
    """`git archive REF scripts` under `into`; returns the scripts directory."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "scripts"], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "scripts"


def main() -> int:
    parser = H.parser(__doc__, sizes="1k,10k,100k")
    parser.add_argument("--baseline", metavar="REF", help="also measure this git revision")
    args = parser.parse_args()
    print(f"bench_province — {H.machine()}; {args.runs} runs per revision")
    ok = True
    with tempfile.TemporaryDirectory(prefix="suiji-bench-province-") as tmp:
        tmpdir = Path(tmp)
        variants: dict[str, Path | None] = {"ours": None}
        if args.baseline:
            variants["baseline"] = export(args.baseline, tmpdir / "baseline")
        for n in args.sizes:
            base = P.build(tmpdir / f"bureau-{n}", n)
            H.warm_bytecode()
            results: dict[str, list[dict[str, H.Sample]]] = {v: [] for v in variants}
            digests: set[str] = set()
            names = list(variants)
            for i in range(args.runs):
                for v in names[i % len(names) :] + names[: i % len(names)]:
                    samples, digest = one_run(base, tmpdir / "work", variants[v])
                    results[v].append(samples)
                    digests.add(digest)
                print(f"  {H.size_label(n)}: round {i + 1}/{args.runs}", file=sys.stderr)
            assert len(digests) == 1, "ledgers or verify reports differ between runs"
            same = " (byte-identical across revisions)" if args.baseline else ""
            print(f"\n{n:,} enterprises, one task drawing 5 %{same}; digest {digests.pop()[:16]}")
            print(f"  {'step':7} {'rev':9} {'wall s (min–max)':22} {'CPU s (min–max)':22} RSS MB")
            for step in STEPS:
                for v in variants:
                    runs = [r[step] for r in results[v]]
                    wall = H.Stats.of([s.wall for s in runs])
                    cpu = H.Stats.of([s.cpu for s in runs])
                    rss = max(s.maxrss_mb for s in runs)
                    print(f"  {step:7} {v:9} {wall.fmt():22} {cpu.fmt():22} {rss:6.0f}")
                if args.baseline:
                    for what in ("cpu", "wall"):
                        ratio = H.paired_ratios(
                            [getattr(r[step], what) for r in results["ours"]],
                            [getattr(r[step], what) for r in results["baseline"]],
                        )
                        print(f"  {step:7} ours / baseline {what}: {ratio.ratio()}")
                if n in (100_000, 200_000):
                    limit = TARGETS[step] * (2 if n == 200_000 else 1)
                    cpu_median = H.Stats.of([r[step].cpu for r in results["ours"]]).median
                    wall_median = H.Stats.of([r[step].wall for r in results["ours"]]).median
                    met = cpu_median <= limit
                    ok = ok and met
                    print(
                        f"  target {step} ≤ {limit:g} s: CPU {'met' if met else 'MISSED'}"
                        f" ({cpu_median:.2f} s); wall {wall_median:.2f} s"
                        f" {'≤' if wall_median <= limit else '>'} {limit:g} s"
                    )
    print("targets met (CPU)" if ok else "TARGETS MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
