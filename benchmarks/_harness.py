"""Shared measuring code for the benchmarks (not a benchmark itself: no `bench_` prefix).

Every measured thing runs in its own child process, started through a tiny launcher
(`python -S -I`, about 10 MB) that forks, execs the command and reports the child's
`wait4` resource usage on a pipe. The launcher matters: a process started straight from
a big parent inherits the parent's memory high-water mark into its `ru_maxrss` (Linux
records the old address space's peak at `execve`, and `subprocess` uses `vfork`), so a
1.5 GB parent would make every child "peak" at 1.5 GB.

What one measurement gives (`Sample`):
- wall: seconds from fork to exit of the child (interpreter start-up included);
- cpu: user + sys of the child and of every descendant it waited for (worker processes);
- maxrss_mb: the peak resident set of the child or of its largest descendant.

Figures are the median of the runs with the min–max range; runs of the things compared
are interleaved (round robin, order rotated) so background load hits all of them alike.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

_LAUNCHER = r"""
import os, sys, time
fd = int(sys.argv[1])
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
os.write(fd, repr((wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss,
                   os.waitstatus_to_exitcode(status))).encode())
"""


@dataclass(frozen=True)
class Sample:
    wall: float
    user: float
    sys: float
    maxrss_kb: int
    stdout: str = ""

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def maxrss_mb(self) -> float:
        return self.maxrss_kb / 1024


PYCACHE = os.path.join(tempfile.gettempdir(), "suiji-bench-pycache")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of measured children: bytecode cached as on an ordinary install.

    With PYTHONDONTWRITEBYTECODE set (some sandboxes and CI images set it) an editable
    install recompiles every suiji module at each start, which is not what users pay; the
    cache goes under /tmp (PYTHONPYCACHEPREFIX), never into the source tree.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    env.update(extra or {})
    return env


def warm_bytecode() -> None:
    """Compile once before measuring, so no measured run pays for compilation."""
    code = "import suiji.cli.app, suiji.verify, suiji.draw.derive, suiji.records"
    subprocess.run([sys.executable, "-c", code], env=child_env(), check=True)


def run(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> Sample:
    """Run `cmd` as a measured child; its stdout is returned, stderr passes through."""
    r, w = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-S", "-I", "-c", _LAUNCHER, str(w), *cmd],
            pass_fds=(w,),
            stdout=subprocess.PIPE,
            env=child_env(env),
            text=True,
        )
        os.close(w)
        w = -1
        out, _ = proc.communicate()
        report = b""
        while chunk := os.read(r, 4096):
            report += chunk
    finally:
        os.close(r)
        if w != -1:
            os.close(w)
    if proc.returncode != 0 or not report:
        raise RuntimeError(f"launcher failed ({proc.returncode}): {cmd}")
    wall, user, system, maxrss, code = ast.literal_eval(report.decode())
    if code not in ok_codes:
        raise RuntimeError(f"exit code {code}: {' '.join(cmd)}\n{out[-2000:]}")
    return Sample(wall, user, system, maxrss, out)


def child_json(sample: Sample) -> dict[str, float]:
    """The last stdout line of a child that printed one JSON object of its own timings."""
    value: dict[str, float] = json.loads(sample.stdout.strip().splitlines()[-1])
    return value


def rounds(
    configs: Mapping[str, Callable[[], Sample]], runs: int, *, label: str = ""
) -> dict[str, list[Sample]]:
    """`runs` samples of each config, interleaved and with the order rotated per round."""
    warm_bytecode()
    names = list(configs)
    out: dict[str, list[Sample]] = {name: [] for name in names}
    for i in range(runs):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            out[name].append(configs[name]())
        if label:
            print(f"  {label}: round {i + 1}/{runs} done", file=sys.stderr, flush=True)
    return out


@dataclass(frozen=True)
class Stats:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        return cls(statistics.median(values), min(values), max(values))

    def fmt(self, unit: str = "s", digits: int = 2) -> str:
        unit = f" {unit}" if unit else ""
        return f"{self.median:.{digits}f}{unit} ({self.low:.{digits}f}–{self.high:.{digits}f})"

    def ratio(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f}× ({self.low:.{digits}f}–{self.high:.{digits}f})"


def paired_ratios(ours: Sequence[float], base: Sequence[float]) -> Stats:
    """Ratio per round (same round ⇒ same background load), then median and range."""
    return Stats.of([a / b for a, b in zip(ours, base, strict=True)])


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def parser(doc: str | None, *, sizes: str, runs: int = 5) -> argparse.ArgumentParser:
    """An argparse parser with --sizes and --runs; the module docstring is the help."""
    p = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--sizes",
        default=sizes,
        type=lambda s: [parse_size(x) for x in s.split(",") if x.strip()],
        help=f"comma-separated sizes, k/M suffixes allowed (default {sizes})",
    )
    p.add_argument(
        "--runs", type=int, default=runs, help=f"measured runs per variant (default {runs})"
    )
    return p


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )
