"""`suiji build` and `suiji serve`: the public site from the ledger, and a local preview.

`build` runs `suiji publish` and Pelican in one process at one clock (`--now`, else the
demo's fixed today, else the real clock), so the as-of time every page prints is the time
the pages were computed at. `serve` only serves files: nothing is computed per visit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from suiji.cli.common import AddFn, Context


def _register_build(add: AddFn) -> None:
    p = add(
        "build",
        "生成公示网站：publish 加 Pelican，输出到 output/；--portal 另出门户粘贴包 (build the site)",
        _cmd_build,
    )
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="输出目录（默认 output/）(output folder)"
    )
    p.add_argument(
        "--production",
        action="store_true",
        help="按 publishconf.py 正式发布：绝对地址、页脚必须完整 (production settings)",
    )
    p.add_argument(
        "--portal",
        action="store_true",
        help="另为每个公示生成门户粘贴包和整站压缩包，到 DIR/portal/ (portal kits and a site zip)",
    )
    p.add_argument(
        "--siteurl",
        default=os.environ.get("SUIJI_SITEURL", ""),
        metavar="URL",
        help="网站的公开地址，如 https://bureau.github.io/site（默认取 SUIJI_SITEURL）(public URL)",
    )
    p.add_argument(
        "--settings", type=Path, metavar="FILE", help="Pelican 设置文件 (Pelican settings file)"
    )


def _cmd_build(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.cli import renderresults
    from suiji.publish.build import build

    result = build(
        ctx.root,
        ctx.now,
        out=args.out or ctx.root / "output",
        production=args.production,
        portal=args.portal,
        siteurl=args.siteurl,
        settings=args.settings,
    )
    print(renderresults.build_summary(result, portal=args.portal))
    return 0


def _register_serve(add: AddFn) -> None:
    p = add(
        "serve",
        "在本机预览已构建的网站（只监听 localhost）(serve output/ on localhost)",
        _cmd_serve,
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="网站目录（默认 output/）(site folder)")
    p.add_argument("--port", type=int, default=8000, help="端口，默认 8000 (port)")


def _cmd_serve(args: argparse.Namespace, ctx: Context) -> int:
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from suiji.shared.errors import InputError

    folder = (args.out or ctx.root / "output").resolve()
    if not (folder / "index.html").is_file():
        raise InputError(
            f"{folder} 中没有网站（缺少 index.html）；请先运行 suiji build",
            code="site-not-built",
        )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"正在预览 {folder}：http://localhost:{args.port}/ （按 Ctrl+C 停止）", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0
