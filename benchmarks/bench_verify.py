"""Benchmark: `suiji verify` on generated ledgers against its cryptographic floor.

Each size gets a valid ledger of small `note` entries (each naming two objects out of a
pool of 1,000, one writer signature each) plus a signed checkpoint. Measured, each in
its own child process, interleaved round by round:

  floor 1p   benchmarks/_verify_floor.py: read the ledger and the objects, compute the
             same SHA-256 hashes (entry hash, leaf hash, Merkle nodes, objects) and verify
             the same Ed25519 signatures over the same messages, in one process;
  floor 2p   the same, the line signatures split over two processes (fork);
  on         `suiji --root R --now T verify`, the real console command: interpreter
             start-up, imports, the semantic checkers, writer signatures shared between
             the parent and one worker process (SignatureBatcher, a `python -c` child fed
             batches over a pipe, used from 4,096 lines' worth of bytes);
  off        the same command with the second process disabled. There is no switch for
             it, so the child runs `suiji.cli.app.main()` after setting
             `suiji.ledger.reading.PARALLEL_FROM` out of reach (same code path, one process).

Both floors include their own start-up (python + `cryptography`), as `suiji verify`
does. CPU is user + sys of the child and its children; wall is fork to exit; memory is
the child's peak RSS (largest of the process tree). Ratios are taken per round, then
the median and min–max are reported: on / floor 2p and off / floor 1p, CPU and wall.
Target (issue "Province scale"): both ≤ 1.3× at 100k entries. Memory should not grow
with the ledger (verification streams): compare peak RSS across sizes.

    .venv/bin/python benchmarks/bench_verify.py [--sizes 10k,100k] [--runs 5]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _harness as H

HERE = Path(__file__).resolve().parent
T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = "2027-01-01T00:00:00Z"
ORIGIN = "bench.invalid/suiji"
OFF = (
    "import resource, sys\n"
    "import suiji.ledger.reading as L\n"
    "L.PARALLEL_FROM = 1 << 62  # no switch exists: keep verify in one process\n"
    "from suiji.cli.app import main\n"
    "sys.argv[0] = 'suiji'\n"
    "code = main()\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "if ru.ru_utime + ru.ru_stime > 0:  # e.g. PARALLEL_FROM moved in a reshape\n"
    "    sys.exit('bench_verify: a worker process ran although parallel checking was off')\n"
    "sys.exit(code)\n"
)


def generate(root: Path, n: int) -> dict[str, object]:
    """A valid ledger of n entries and the floor's spec (keys, tags, extra signatures)."""
    from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX, body_message, from_seed, public_of
    from suiji.ledger.append import create, put_object
    from suiji.ledger.codec import ENTRY_TAG, encode_entry
    from suiji.ledger.objects import OBJECT_TAG
    from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
    from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
    from suiji.shared.times import format_time
    from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
    from suiji.standards.merkle import MerkleFrontier
    from suiji.standards.note import b64encode

    root_key, writer = from_seed(b"\x01" * 32), from_seed(b"\x03" * 32)
    create(root, origin=ORIGIN, roots=[root_key], signing=writer, now=T0)
    pool = [put_object(root, f"对象 {i} ".encode() * 20) for i in range(1000)]
    path = ledger_dir(root) / LEDGER_FILE
    first = path.read_bytes()[:-1]
    frontier = MerkleFrontier()
    frontier.append(first)
    prev = tagged_hex(ENTRY_TAG, first)
    with path.open("ab") as fh:
        for seq in range(1, n):
            body = {"n": seq, "unit_object": pool[seq % 1000], "plan_object": pool[seq * 7 % 1000]}
            line = encode_entry(
                seq=seq,
                prev=prev,
                kind="note",
                time=format_time(T0 + timedelta(seconds=seq)),
                body=body,
                key=writer,
            )
            fh.write(line + b"\n")
            frontier.append(line)
            prev = tagged_hex(ENTRY_TAG, line)
    cp = Checkpoint(ORIGIN, frontier.size, frontier.root())
    (ledger_dir(root) / CHECKPOINT_FILE).write_bytes(sign_checkpoint(cp, ORIGIN, writer))
    for extra in ledger_dir(root).iterdir():  # the writer's cache is not the verifier's
        if extra.is_file() and extra.name not in (LEDGER_FILE, CHECKPOINT_FILE):
            extra.unlink()

    # The genesis signatures (writer over the entry, roots over the body) and the
    # checkpoint's (writer over the note text): same keys, same messages, same bytes.
    genesis = parse_canonical(first)
    unsigned = {k: v for k, v in genesis.items() if k != "sigs"}
    private = {public_of(k).id: k for k in (root_key, writer)}
    extra_jobs = []
    for s in genesis["sigs"]:
        key = private[s["key"]]
        if key is writer:
            message = ENTRY_SIG_PREFIX + canonical_json(unsigned)
        else:
            message = body_message(genesis["body"])
        sig = key.sign(message)  # Ed25519 is deterministic: the very bytes in the line
        assert b64encode(sig) == s["sig"]
        extra_jobs.append((public_of(key).raw.hex(), sig.hex(), message.hex()))
    note_text = cp.body().encode()
    extra_jobs.append((public_of(writer).raw.hex(), writer.sign(note_text).hex(), note_text.hex()))
    return {
        "ledger_dir": str(ledger_dir(root)),
        "writer": public_of(writer).raw.hex(),
        "entry_sig_prefix": ENTRY_SIG_PREFIX.decode(),
        "entry_tag": ENTRY_TAG,
        "object_tag": OBJECT_TAG,
        "root": frontier.root().hex(),
        "extra": extra_jobs,
    }


def measure(root: Path, spec_file: Path, runs: int, label: str) -> dict[str, list[H.Sample]]:
    bindir = Path(sys.executable).parent
    suiji = shutil.which("suiji", path=str(bindir)) or "suiji"
    args = ["--root", str(root), "--now", NOW, "verify"]
    floor = [sys.executable, str(HERE / "_verify_floor.py"), str(spec_file)]
    configs = {
        "floor 1p": lambda: H.run([*floor, "1"]),
        "floor 2p": lambda: H.run([*floor, "2"]),
        "on": lambda: H.run([suiji, *args]),
        "off": lambda: H.run([sys.executable, "-c", OFF, *args]),
    }
    results = H.rounds(configs, runs, label=label)
    for s in results["on"] + results["off"]:
        assert "验证通过" in s.stdout, s.stdout[-500:]
    return results


def startup(runs: int) -> dict[str, list[H.Sample]]:
    py = sys.executable
    return H.rounds(
        {
            "python -c pass": lambda: H.run([py, "-c", "pass"]),
            "import cryptography ed25519 (floor)": lambda: H.run(
                [py, "-c", "import cryptography.hazmat.primitives.asymmetric.ed25519"]
            ),
            "import suiji.cli.app": lambda: H.run([py, "-c", "import suiji.cli.app"]),
            "import suiji.cli.app, suiji.verify": lambda: H.run(
                [py, "-c", "import suiji.cli.app, suiji.verify"]
            ),
        },
        runs,
    )


NAMES = {
    "floor 1p": "floor, 1 process",
    "floor 2p": "floor, 2 processes",
    "on": "suiji verify, parallel on",
    "off": "suiji verify, parallel off",
}


def report(n: int, size_mb: float, results: dict[str, list[H.Sample]]) -> None:
    print(f"\n{H.size_label(n)} entries ({n:,} lines, {size_mb:.1f} MB ledger)")
    print(
        f"  {'variant':28} {'wall s, median (min–max)':26} {'CPU s, median (min–max)':26} peak RSS MB"
    )
    for key, samples in results.items():
        wall = H.Stats.of([s.wall for s in samples])
        cpu = H.Stats.of([s.cpu for s in samples])
        rss = max(s.maxrss_mb for s in samples)
        print(f"  {NAMES[key]:28} {wall.fmt():26} {cpu.fmt():26} {rss:7.0f}")
    print("  ratios (per round; median (min–max)); target ≤ 1.3×:")
    for ours, base in (("on", "floor 2p"), ("off", "floor 1p"), ("on", "floor 1p")):
        cpu = H.paired_ratios([s.cpu for s in results[ours]], [s.cpu for s in results[base]])
        wall = H.paired_ratios([s.wall for s in results[ours]], [s.wall for s in results[base]])
        print(f"    {ours:>3} / {base}:  CPU {cpu.ratio()}   wall {wall.ratio()}")


def main() -> int:
    args = H.parser(__doc__, sizes="10k,100k").parse_args()
    print(f"bench_verify — {H.machine()}; {args.runs} runs per variant")
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            root = Path(tmp) / f"b{n}"
            start = time.perf_counter()
            spec = generate(root, n)
            spec_file = Path(tmp) / f"spec{n}.json"
            spec_file.write_text(json.dumps(spec), "utf-8")
            size_mb = (root / "ledger" / "ledger.jsonl").stat().st_size / 1e6
            print(
                f"generated {n:,} entries in {time.perf_counter() - start:.1f} s", file=sys.stderr
            )
            results = measure(root, spec_file, args.runs, H.size_label(n))
            report(n, size_mb, results)
            peaks[n] = max(s.maxrss_mb for s in results["on"] + results["off"])
            shutil.rmtree(root)
    if len(peaks) > 1:
        small, big = min(peaks), max(peaks)
        print(
            f"\npeak RSS of suiji verify: {H.size_label(small)} {peaks[small]:.0f} MB, "
            f"{H.size_label(big)} {peaks[big]:.0f} MB (streaming ⇒ about equal)"
        )
    start_runs = startup(args.runs)
    print("\nstart-up alone (a child per run, median (min–max)):")
    for name, samples in start_runs.items():
        wall = H.Stats.of([s.wall for s in samples])
        cpu = H.Stats.of([s.cpu for s in samples])
        print(f"  {name:44} wall {wall.fmt(digits=3)}  CPU {cpu.fmt(digits=3)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
