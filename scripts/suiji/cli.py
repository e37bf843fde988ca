"""The `suiji` command: parse arguments, call one library function, map errors to exit codes.

Nothing here computes anything a verifier relies on; tests call the library directly.
Each subcommand registers itself in `_register_*` below and handles `args` in `_cmd_*`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from suiji import __version__
from suiji.errors import SuijiError
from suiji.encoding import parse_user_time

DEMO_CLOCK_FILE = "suiji-demo.toml"


@dataclass(frozen=True)
class Context:
    """What every subcommand gets: the bureau directory and the clock to use."""

    root: Path
    now: datetime
    clock_overridden: bool  # True when --now, SUIJI_NOW or the demo clock set `now`


def resolve_clock(root: Path, now_arg: str | None) -> tuple[datetime, bool]:
    """--now, else SUIJI_NOW, else the demo's fixed today (suiji-demo.toml), else the real clock."""
    text = now_arg or os.environ.get("SUIJI_NOW")
    if not text:
        demo_file = root / DEMO_CLOCK_FILE
        if demo_file.is_file():
            import tomllib

            with demo_file.open("rb") as fh:
                text = str(tomllib.load(fh).get("now", "")) or None
    if text:
        return parse_user_time(text), True
    return datetime.now(UTC), False


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line Chinese error and exit 2 (instead of usage + message)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"suiji: 参数错误 (usage error): {message}；用 `suiji --help` 查看用法\n")


Handler = Callable[[argparse.Namespace, Context], int]


def _global_options() -> argparse.ArgumentParser:
    """--root and --now, accepted before or after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        default=argparse.SUPPRESS,
        help="局目录，结构同本仓库 (bureau directory; default: current directory)",
    )
    common.add_argument(
        "--now",
        default=argparse.SUPPRESS,
        help="用作“现在”的时间，也可用 SUIJI_NOW (clock for deadlines and reports)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _global_options()
    parser = _Parser(
        prog="suiji",
        description="suiji（随机）：可验证的“双随机、一公开”抽查 — verifiable random inspections",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"suiji {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    def add(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(handler=handler)
        return p

    for register in _REGISTRY:
        register(add)
    return parser


# ---------------------------------------------------------------- subcommands
# Each block: a `_register_x(add)` that declares arguments and a `_cmd_x(args, ctx)` that
# calls one library function and returns an exit code. Imports stay inside the handlers so
# `suiji --help` is fast and the core never loads the publishing side by accident.

AddFn = Callable[[str, str, Handler], argparse.ArgumentParser]


# --- demo (issue 2) ---------------------------------------------------------------
def _register_demo(add: AddFn) -> None:
    p = add("demo", "在 DIR 建立示例县并运行完整的一年 (create the example county and run a year)", _cmd_demo)
    p.add_argument("dir", help="目标目录 (target directory)")
    p.add_argument("--force", action="store_true", help="覆盖已存在的目录 (replace an existing DIR)")


def _cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import demo

    demo.run_demo(Path(args.dir), force=args.force, out=sys.stdout)
    return 0


# --- records (issue 3) ------------------------------------------------------------
# --- ledger and keys (issue 4) ----------------------------------------------------
# --- draws (issues 5, 6) ----------------------------------------------------------

_REGISTRY: list[Callable[[AddFn], None]] = [
    _register_demo,
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    root = Path(getattr(args, "root", ".")).resolve()
    try:
        now, overridden = resolve_clock(root, getattr(args, "now", None))
        ctx = Context(root=root, now=now, clock_overridden=overridden)
        code: int = args.handler(args, ctx)
        return code
    except SuijiError as err:
        print(f"suiji: {err}", file=sys.stderr)
        return err.exit_code


def run() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
