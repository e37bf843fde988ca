"""bench_publish: `suiji publish` on a ledger with N recorded results (default 10k).

The ledger is the demo year plus N `result` entries (signed with the demo writer key,
each naming a salted result object) for synthetic tasks of 16 enterprises of the demo
registry each, written straight into the ledger (fast; the pages do not validate); the
child runs the real command, results read through the ledger's results view.

Measured, each in its own child (`_harness`): the full run into an empty
`content/generated/`; a second run with nothing changed; a run after adding 20 results
(files rewritten counted). Baseline, same run: a floor child that reads the same ledger
lines and result objects (JSON-parsed) and writes the same number of files with the same
sizes (tmp + rename) — the I/O and parsing publish cannot avoid, without page logic.

    .venv/bin/python benchmarks/bench_publish.py [--sizes 10k] [--runs 3]
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import _harness as H

CHILD = r"""
import json, sys, datetime as dt
from pathlib import Path
root = Path(sys.argv[1])
from suiji.ledger.reading import read_entries
from suiji.publish.site import publish
s = publish(root, list(read_entries(root)), today=dt.date(2026, 12, 15))
print(json.dumps(s.to_json()))
"""

FLOOR = r"""
import json, os, sys
from pathlib import Path
root, manifest, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
n = 0
with open(root / "ledger" / "ledger.jsonl", "rb") as fh:
    for line in fh:
        e = json.loads(line)
        if e["kind"] == "result":
            obj = root / "ledger" / "objects" / e["body"]["result_object"]
            if obj.exists():  # the demo year withdraws one result (信用修复)
                json.loads(obj.read_bytes())
                n += 1
sizes = json.loads(manifest.read_text())
for rel, size in sizes:
    p = out / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name("." + p.name + ".tmp")
    tmp.write_bytes(b"x" * size)
    os.replace(tmp, p)
print(json.dumps({"results": n, "files": len(sizes)}))
"""


def generate(root: Path, n: int, *, start: int = 0) -> None:
    """Append n result entries (synthetic tasks B0000…, 16 enterprises each)."""
    import datetime as dt

    from suiji.crypto.keyfiles import demo_key
    from suiji.ledger.append import put_object
    from suiji.ledger.codec import ENTRY_TAG, encode_entry
    from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
    from suiji.model.results import Penalty, ResultContent, ResultEntry
    from suiji.records.snapshot import parse_snapshot
    from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
    from suiji.shared.times import format_time, parse_time
    from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
    from suiji.standards.merkle import MerkleFrontier

    writer = demo_key("signing")
    path = ledger_dir(root) / LEDGER_FILE
    lines = path.read_bytes().splitlines()
    frontier = MerkleFrontier()
    for line in lines:
        frontier.append(line)
    last = parse_canonical(lines[-1])
    objects = ledger_dir(root) / "objects"
    usccs = sorted(
        {
            str(r["uscc"])
            for f in objects.rglob("*")
            if f.is_file() and f.stat().st_size > 20000
            for head, rows in [_try_snapshot(parse_snapshot, f.read_bytes())]
            if head.get("record") == "enterprises"
            for r in rows
        }
    )
    seq, prev = last["seq"], tagged_hex(ENTRY_TAG, lines[-1])
    t0 = parse_time(last["time"])
    with path.open("ab") as fh:
        for i in range(start, start + n):
            task, j = f"B{i // 16:04d}", i % 16
            uscc = usccs[(i // 16 * 7 + j * 19) % len(usccs)]
            content = ResultContent(
                salt=f"{i:032x}",
                task=task,
                uscc=uscc,
                started_on=dt.date(2026, 6, 1),
                ended_on=dt.date(2026, 6, 2),
                team=("ZF001", "ZF002"),
                findings=(("TY-001", "符合"), ("TY-009", "不符合")),
                categories=("发现问题经责令已改正",),
                observations="现场查看储存场所和安全管理台账",
                assessment="安全生产主体责任落实较好",
                opinions="继续做好日常隐患排查",
                penalty=Penalty(f"应急罚〔2026〕{i}号", dt.date(2026, 6, 5), "罚款一万元")
                if i % 5 == 0
                else None,
                reported_on=dt.date(2026, 6, 3),
                feedback_on=dt.date(2026, 6, 4),
                rectify_by=None,
                rectified_on=None,
                correction="",
            )
            oid = put_object(root, canonical_json(content.to_json()))
            seq += 1
            line = encode_entry(
                seq=seq,
                prev=prev,
                kind="result",
                time=format_time(t0 + timedelta(seconds=i - start + 1)),
                body=ResultEntry(task, uscc, oid, None).to_json(),
                key=writer,
            )
            fh.write(line + b"\n")
            frontier.append(line)
            prev = tagged_hex(ENTRY_TAG, line)
    origin = parse_canonical(lines[0])["body"]["origin"]
    cp = Checkpoint(origin, frontier.size, frontier.root())
    (ledger_dir(root) / CHECKPOINT_FILE).write_bytes(sign_checkpoint(cp, origin, writer))
    for extra in ledger_dir(root).iterdir():
        if extra.is_file() and extra.name not in (LEDGER_FILE, CHECKPOINT_FILE):
            extra.unlink()


def _try_snapshot(parse, data):  # type: ignore[no-untyped-def]
    try:
        return parse(data)
    except Exception:  # not a snapshot
        return {}, []


def manifest(gen: Path, target: Path) -> None:
    sizes = [[p.relative_to(gen).as_posix(), p.stat().st_size] for p in sorted(gen.rglob("*.md"))]
    target.write_text(json.dumps(sizes))


def main() -> int:
    args = H.parser(__doc__, sizes="10k", runs=3).parse_args()
    from suiji.cli.app import main as suiji_main
    from suiji.cli.demo import run_demo

    py = sys.executable
    print(H.machine())
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "bureau"
            run_demo(root, force=False, out=io.StringIO(), main=suiji_main)
            generate(root, n)
            gen = root / "content" / "generated"
            H.run([py, "-c", CHILD, str(root)])  # warm-up, and the manifest's source
            manifest(gen, Path(tmp) / "manifest.json")

            def full(root: Path = root, gen: Path = gen) -> H.Sample:
                shutil.rmtree(gen, ignore_errors=True)
                return H.run([py, "-c", CHILD, str(root)])

            def floor(root: Path = root, tmp: str = tmp) -> H.Sample:
                out = Path(tmp) / "floor"
                shutil.rmtree(out, ignore_errors=True)
                return H.run(
                    [py, "-c", FLOOR, str(root), str(Path(tmp) / "manifest.json"), str(out)]
                )

            res = H.rounds({"publish (full)": full, "floor": floor}, args.runs, label=f"{n}")
            again = [H.run([py, "-c", CHILD, str(root)]) for _ in range(args.runs)]
            # Add 20 results, then publish once (fresh copy of the tree per run).
            snapshot = Path(tmp) / "before"
            shutil.copytree(root / "ledger", snapshot / "ledger")
            shutil.copytree(gen, snapshot / "generated")
            added: list[H.Sample] = []
            for _ in range(args.runs):
                shutil.rmtree(root / "ledger")
                shutil.rmtree(gen)
                shutil.copytree(snapshot / "ledger", root / "ledger")
                shutil.copytree(snapshot / "generated", gen)
                generate(root, 20, start=n)
                added.append(H.run([py, "-c", CHILD, str(root)]))
            report(n, res, again, added)
    return 0


def report(
    n: int, res: dict[str, list[H.Sample]], again: list[H.Sample], added: list[H.Sample]
) -> None:
    ours, base = res["publish (full)"], res["floor"]
    summary = H.child_json(ours[0])
    print(f"\n{H.size_label(n)} results: {summary['pages']} pages")
    for name, samples in (*res.items(), ("publish (unchanged)", again), ("publish (+20)", added)):
        wall = H.Stats.of([s.wall for s in samples])
        cpu = H.Stats.of([s.cpu for s in samples])
        rss = max(s.maxrss_mb for s in samples)
        print(f"  {name:22s} wall {wall.fmt()}  cpu {cpu.fmt()}  peak RSS {rss:.0f} MB")
    print(
        f"  full / floor, wall: {H.paired_ratios([s.wall for s in ours], [s.wall for s in base]).ratio()}"
    )
    print(
        f"  full / floor, cpu:  {H.paired_ratios([s.cpu for s in ours], [s.cpu for s in base]).ratio()}"
    )
    for name, samples in (("unchanged", again), ("+20", added)):
        counts = [H.child_json(s) for s in samples]
        written = sorted({c["written"] for c in counts})
        removed = sorted({c["removed"] for c in counts})
        ratio = H.Stats.of([a.wall / b.wall for a, b in zip(samples, ours, strict=True)])
        print(f"  {name}: files written {written}, removed {removed}; wall / full {ratio.ratio()}")


if __name__ == "__main__":
    raise SystemExit(main())
