"""The notice check page's script: `theme/src/noticecheck.js` bundled by esbuild with the
pinned `@noble/hashes` (package.json) into `theme/static/js/noticecheck.js`.

The bundle is committed, so `suiji build` needs no Node; it is reproducible — fixed
esbuild flags, no source map, no timestamps — and the tests rebuild it and compare bytes,
so the committed file is always what the pinned packages give. Run after changing the
source: `python -m suiji.publish.jsbundle`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from suiji.shared.errors import Unavailable

CHECKOUT = Path(__file__).resolve().parents[3]
SOURCE = Path("theme") / "src" / "noticecheck.js"
TARGET = Path("theme") / "static" / "js" / "noticecheck.js"
FLAGS = (
    "--bundle",
    "--format=iife",
    "--target=es2019",
    "--minify",
    "--charset=utf8",
    "--legal-comments=none",
    "--log-level=warning",
)


def bundle(checkout: Path = CHECKOUT) -> bytes:
    """The bundle's bytes (esbuild on stdout; nothing written)."""
    esbuild = checkout / "node_modules" / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise Unavailable(
            f"找不到 {esbuild}：请在 {checkout} 运行 npm ci 安装固定版本的 esbuild",
            code="esbuild-missing",
        )
    proc = subprocess.run(
        [str(esbuild), str(SOURCE), *FLAGS], cwd=checkout, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise Unavailable(
            f"esbuild 打包 {SOURCE} 失败：{proc.stderr.decode('utf-8', 'replace')[:500]}",
            code="esbuild-failed",
        )
    return proc.stdout


def main() -> int:
    (CHECKOUT / TARGET).write_bytes(bundle())
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
