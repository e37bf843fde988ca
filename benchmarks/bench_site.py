"""bench_site: `suiji build` (publish + Pelican with the site's theme), on the demo year and
on the demo year plus N generated results (`bench_publish.generate`: synthetic tasks of 16
enterprises each, results for tasks with no commitment; their pages show the task id as
text, as a result `suiji verify` would flag).

Measured, each in its own child (`_harness`): the full build (empty `content/generated/`,
no Pelican cache, fresh output); a rebuild with the ledger unchanged; a rebuild after
adding 20 results (ledger, pages, cache and output restored before each run), as a share
of the full build (target ≤ 60 %); the output's size; the home page's bytes transferred
(the page and what it loads — CSS and scripts — gzipped, as a server sends them; target
< 100 KB). Baseline, same run: plain Pelican with its default theme building the same
number of plain Markdown pages (a Chinese paragraph and a small table each).

    .venv/bin/python benchmarks/bench_site.py [--sizes 0,10k] [--runs 3]
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

import _harness as H
from bench_publish import generate

NOW = "2026-12-15T10:00:00+08:00"

PLAIN_CONF = """
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE = "fs"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
# The default theme lists every page in the menu of every page (pages² links: a 10,000-
# page site would write 10⁸ menu items); no site that size would, so neither does this.
DISPLAY_PAGES_ON_MENU = False
"""


def plain_site(folder: Path, n: int) -> None:
    pages = folder / "content" / "pages"
    pages.mkdir(parents=True)
    (folder / "pelicanconf.py").write_text(PLAIN_CONF, "utf-8")
    row = "| 91990101309951218W | 示例县华泰液化气有限公司 | 发现问题经责令已改正 | 2026-06-02 |\n"
    for i in range(n):
        (pages / f"p{i}.md").write_text(
            f"Title: 检查结果 {i}\nSlug: p/{i}\n\n"
            "本页公示一家企业在一次随机抽查中的检查结果。\n\n"
            "| 代码 | 名称 | 结果 | 日期 |\n|---|---|---|---|\n" + row * 5,
            "utf-8",
        )


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def plus20(root: Path, n: int, build: list[str], runs: int) -> list[H.Sample]:
    """Rebuilds after appending 20 results, from the same built state each time."""
    keep = root.parent / "before"
    parts = ("ledger", "content/generated", ".cache", "output")
    shutil.rmtree(keep, ignore_errors=True)
    for part in parts:
        shutil.copytree(root / part, keep / part, symlinks=True)
    out: list[H.Sample] = []
    for _ in range(runs):
        for part in parts:
            shutil.rmtree(root / part)
            shutil.copytree(keep / part, root / part, symlinks=True)
        generate(root, 20, start=n)
        out.append(H.run(build))
    return out


def transferred(out: Path) -> tuple[int, int]:
    """(raw, gzipped) bytes of the home page and the CSS and scripts it loads."""
    home = (out / "index.html").read_bytes()
    refs = re.findall(rb'(?:href|src)="\.?/?([^"]+\.(?:css|js))"', home)
    files = [home, *((out / r.decode()).read_bytes() for r in refs)]
    return sum(map(len, files)), sum(len(gzip.compress(f, 9)) for f in files)


def report(
    n: int,
    pages: int,
    res: dict[str, list[H.Sample]],
    again: list[H.Sample],
    plus: list[H.Sample],
    out: Path,
) -> None:
    ours, base = res["suiji build"], res["plain pelican"]
    full = H.Stats.of([s.wall for s in ours])
    print(f"\n{H.size_label(n) if n else 'demo'} results: {pages} generated pages")
    print(f"  suiji build (full):     {full.fmt()}")
    print(f"  plain pelican (same n): {H.Stats.of([s.wall for s in base]).fmt()}")
    ratio = H.paired_ratios([s.wall for s in ours], [s.wall for s in base]).ratio()
    print(f"  full / plain, wall:     {ratio}")
    for name, samples in (("rebuild, unchanged", again), ("rebuild, +20 results", plus)):
        st = H.Stats.of([s.wall for s in samples])
        print(f"  {name + ':':23s} {st.fmt()} = {st.median / full.median:.0%} of the full build")
    raw, packed = transferred(out)
    print(f"  output: {size(out) / 1e6:.1f} MB; home page with its CSS and scripts "
          f"{raw / 1e3:.1f} kB, {packed / 1e3:.1f} kB gzipped (target < 100 kB)")  # fmt: skip


def main() -> int:
    args = H.parser(__doc__, sizes="0,10k", runs=3).parse_args()
    from suiji.cli.app import main as suiji_main
    from suiji.cli.demo import run_demo

    py = sys.executable
    print(H.machine())
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "bureau"
            run_demo(root, force=False, out=io.StringIO(), main=suiji_main)
            if n:
                generate(root, n)
            build = [py, "-m", "suiji", "--root", str(root), "--now", NOW, "build"]
            gen, cache, out = root / "content" / "generated", root / ".cache", root / "output"

            def full(
                gen: Path = gen, cache: Path = cache, out: Path = out, build: list[str] = build
            ) -> H.Sample:
                shutil.rmtree(gen, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(out, ignore_errors=True)
                return H.run(build)

            H.run(build)  # warm-up
            pages = sum(1 for _ in gen.rglob("*.md"))
            plain = Path(tmp) / "plain"
            plain_site(plain, pages)
            pelican = [py, "-m", "pelican", str(plain / "content"), "-o", str(plain / "out"),
                       "-s", str(plain / "pelicanconf.py"), "-q"]  # fmt: skip

            def baseline(plain: Path = plain, pelican: list[str] = pelican) -> H.Sample:
                shutil.rmtree(plain / "out", ignore_errors=True)
                return H.run(pelican)

            res = H.rounds(
                {"suiji build": full, "plain pelican": baseline}, args.runs, label=f"{n}"
            )
            again = [H.run(build)]  # one sample: informational (the +20 figure is the target)
            plus = plus20(root, n, build, args.runs)
            report(n, pages, res, again, plus, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
