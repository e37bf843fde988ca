"""bench_site: `suiji build` (publish + Pelican with the site's theme) on the demo year.

Measured, each in its own child (`_harness`): the full build (empty `content/generated/`,
no Pelican cache, fresh output); a rebuild with the ledger unchanged (publish rewrites
nothing; Pelican's content cache, keyed by content hashes, reparses nothing); the output's
size; the home page's size gzipped (what a phone transfers, CSS aside).
Not yet: the 10,000-result site and the rebuild after adding 20 results. bench_publish's
synthetic results name tasks that have no commitment, so their pages link to task pages
that do not exist, and `suiji build` (rightly) fails on Pelican's broken-link warnings; a
generator of committed, drawn synthetic tasks is needed first.
Baseline, same run: plain Pelican with its default theme building the same number of plain
Markdown pages (a Chinese paragraph and a small table each).

    .venv/bin/python benchmarks/bench_site.py [--runs 3]
"""

from __future__ import annotations

import gzip
import io
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


def main() -> int:
    args = H.parser(__doc__, sizes="0", runs=3).parse_args()
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
            H.run(build)  # pages, cache and output in place
            added = [H.run(build) for _ in range(args.runs)]
            home = (out / "index.html").read_bytes()
            ours, base = res["suiji build"], res["plain pelican"]
            print(f"\n{H.size_label(n) if n else 'demo'} results: {pages} generated pages")
            print(f"  suiji build (full):     {H.Stats.of([s.wall for s in ours]).fmt()}")
            print(f"  plain pelican (same n): {H.Stats.of([s.wall for s in base]).fmt()}")
            ratio = H.paired_ratios([s.wall for s in ours], [s.wall for s in base]).ratio()
            print(f"  full / plain, wall:     {ratio}")
            again = H.Stats.of([s.wall for s in added])
            share = again.median / H.Stats.of([s.wall for s in ours]).median
            print(f"  rebuild, unchanged:     {again.fmt()} = {share:.0%} of the full build")
            print(f"  output: {size(out) / 1e6:.1f} MB; home page {len(home) / 1e3:.1f} kB, "
                  f"{len(gzip.compress(home)) / 1e3:.1f} kB gzipped")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
