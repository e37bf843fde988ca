"""What every command shares: the context, the clock and key options."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from suiji.cli.exits import INPUT
from suiji.shared.times import parse_user_time

DEMO_CLOCK_FILE = "suiji-demo.toml"


def demo_setting(root: Path, name: str) -> str | None:
    """A value from the demo directory's suiji-demo.toml (its fixed today, its key path)."""
    demo_file = root / DEMO_CLOCK_FILE
    if not demo_file.is_file():
        return None
    import tomllib

    with demo_file.open("rb") as fh:
        value = tomllib.load(fh).get(name)
    return str(value) if value else None


@dataclass(frozen=True)
class Context:
    """What every subcommand gets: the bureau directory and the clock to use."""

    root: Path
    now: datetime
    clock_overridden: bool  # True when --now, SUIJI_NOW or the demo clock set `now`


def resolve_clock(root: Path, now_arg: str | None) -> tuple[datetime, bool]:
    """--now, else SUIJI_NOW, else the demo's fixed today (suiji-demo.toml), else the real clock."""
    text = now_arg or os.environ.get("SUIJI_NOW")
    if not text and _may_be_demo(root):
        text = demo_setting(root, "now")
    if text:
        return parse_user_time(text), True
    return datetime.now(UTC), False


def _may_be_demo(root: Path) -> bool:
    """False when the bureau's genesis says demo=false: a `suiji-demo.toml` planted inside
    a real bureau being audited must not set the auditor's clock."""
    from suiji.ledger.paths import LEDGER_FILE, ledger_dir
    from suiji.ledger.reading import genesis_info
    from suiji.shared.errors import SuijiError

    if not (ledger_dir(root) / LEDGER_FILE).exists():
        return True  # nothing recorded yet (the demo being built)
    try:
        return genesis_info(root).demo
    except SuijiError:
        return False


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line Chinese error and exit 2 (instead of usage + message)."""

    def error(self, message: str) -> NoReturn:
        self.exit(INPUT, f"suiji: 参数错误 (usage error): {message}；用 `suiji --help` 查看用法\n")


Handler = Callable[[argparse.Namespace, Context], int]


def _global_options() -> _Parser:
    """--root and --now, accepted before or after the subcommand."""
    common = _Parser(add_help=False)
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


# ---------------------------------------------------------------- subcommands
# Each block: a `_register_x(add)` that declares arguments and a `_cmd_x(args, ctx)` that
# calls one library function and returns an exit code. Imports stay inside the handlers so
# `suiji --help` is fast and the core never loads the publishing side by accident.

AddFn = Callable[[str, str, Handler], argparse.ArgumentParser]


# --- ledger and keys (issue 4) ----------------------------------------------------
def _key_options(p: argparse.ArgumentParser, what: str = "签名私钥") -> None:
    p.add_argument(
        "--key",
        type=Path,
        help=f"{what}文件（PKCS#8 PEM）；不给则读环境变量 SUIJI_SIGNING_KEY (private key file)",
    )
    p.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="保存私钥口令的环境变量名 (env var holding the passphrase)",
    )


# --- draws (issues 5, 6) ----------------------------------------------------------


# --- draws (issues 5, 6) ----------------------------------------------------------
def _writer(args: argparse.Namespace, ctx: Context) -> Any:
    """The writer: key from --key, $SUIJI_SIGNING_KEY, or the demo directory's own key."""
    from suiji.crypto.keyfiles import SIGNING_KEY_ENV, load_private_key
    from suiji.writing.steps import Writer

    path = args.key
    if path is None and not os.environ.get(SIGNING_KEY_ENV):
        path = demo_setting(ctx.root, "key")
        path = ctx.root / path if path else None
    key = load_private_key(path, passphrase_env=args.passphrase_env)
    return Writer(ctx.root, key, ctx.now, ctx.clock_overridden)


# --- confirmation before an irreversible step ---------------------------------------
CONFIRM_PROMPT = "确认写入账本？[y/N] "


def _yes_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="不询问，直接写入账本（CI 和脚本用）(do not ask for confirmation)",
    )


def confirm(args: argparse.Namespace, summary: list[str]) -> None:
    """Show what an irreversible step will append and ask, unless --yes was given.

    A ledger entry can never be taken back, so a clerk sees it before it is written. With
    no terminal to ask (a script, CI, a pipe) and no --yes, the step is refused rather than
    left waiting for an answer nobody can give. Declining writes nothing.
    """
    import sys

    from suiji.shared.errors import Refusal, UsageError

    if getattr(args, "yes", False):
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(
            "此操作将写入账本且不可撤销，需要确认；当前没有终端可询问。"
            "请在终端中运行以便确认，或在脚本和 CI 中加 --yes",
            code="confirmation-needed",
        )
    print("将写入账本（不可撤销）：")
    for line in summary:
        print(f"  {line}")
    try:
        answer = input(CONFIRM_PROMPT).strip().lower()
    except EOFError:
        answer = ""
    if answer not in {"y", "yes", "是"}:
        raise Refusal("已取消：未写入账本，账本未改动", code="not-confirmed")
