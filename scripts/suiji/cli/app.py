"""The `suiji` command: parser and dispatch; exit codes from `exits`, text from `render`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from suiji import __version__
from suiji.cli import exits, render
from suiji.cli.common import AddFn, Context, Handler, _global_options, _Parser, resolve_clock
from suiji.cli.deadlinecmds import _register_deadlines
from suiji.cli.doccmds import REGISTER as _DOCUMENT_COMMANDS
from suiji.cli.keycmds import _register_init, _register_key, _register_keygen
from suiji.cli.resultcmds import _register_record, _register_withdraw
from suiji.cli.showcmds import _register_publish, _register_show, _register_ticket
from suiji.cli.sitecmds import _register_build, _register_serve
from suiji.cli.taskcmds import (
    _register_commit,
    _register_coverage,
    _register_draw,
    _register_inputs,
    _register_replace,
    _register_reveal,
    _register_seal,
    _register_void,
)
from suiji.cli.witnesscmds import _register_witness
from suiji.cli.writecmds import _register_write
from suiji.shared.errors import ResourceError, SuijiError, os_failure


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


# --- demo (issue 2) ---------------------------------------------------------------
def _register_demo(add: AddFn) -> None:
    p = add(
        "demo",
        "在 DIR 建立示例县并运行完整的一年 (create the example county and run a year)",
        _cmd_demo,
    )
    p.add_argument("dir", help="目标目录 (target directory)")
    p.add_argument(
        "--force", action="store_true", help="覆盖已存在的目录 (replace an existing DIR)"
    )


def _cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.cli.demo import run_demo

    run_demo(Path(args.dir), force=args.force, out=sys.stdout, main=main)
    return 0


def _register_new(add: AddFn) -> None:
    p = add(
        "new",
        "在 DIR 建立本局的新仓库：空白记录模板、网站设置、CI，不含示例县 (start a bureau)",
        _cmd_new,
    )
    p.add_argument("dir", help="新仓库的目录，须不存在或为空 (new repository directory)")
    p.add_argument("--bureau", required=True, help="机关全称，如 某某县应急管理局 (bureau name)")


def _cmd_new(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.cli.newbureau import new_bureau

    target = Path(args.dir)
    written = new_bureau(target, args.bureau)
    print(f"已建立 {args.bureau} 的仓库：{target.resolve()}（{len(written)} 个文件）")
    print("下一步：在 content/records/ 的 Excel 模板中填写本局的记录，然后运行")
    print(f"  suiji --root {target} check")
    print("再 suiji keygen 生成密钥，suiji init --beacon drand-quicknet … 建立账本。")
    return 0


# --- records (issue 3) ------------------------------------------------------------
def _register_check(add: AddFn) -> None:
    p = add(
        "check",
        "检查 content/records/ 中的名录库、事项清单、回避登记和年度计划 (validate the records)",
        _cmd_check,
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出 (machine-readable output)")


def _cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji import records
    from suiji.shared.times import civil_date

    report = records.check(
        ctx.root / "content" / "records", civil_date(ctx.now), label_base=ctx.root
    )
    if report.ok:
        _against_ledger(ctx)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print("\n".join(render.check_lines(report)))
    return exits.found(not report.ok)


def _against_ledger(ctx: Context) -> None:
    """Valid records must not delete or revive what a commitment already holds (Refusal)."""
    from suiji import records
    from suiji.records.schema import DRAW_RECORDS
    from suiji.shared.times import civil_date
    from suiji.writing.registryguard import last_commitment, refuse_regressions

    if last_commitment(ctx.root) is None:
        return
    loaded = records.load_all(ctx.root / "content" / "records", civil_date(ctx.now))
    refuse_regressions(ctx.root, {name: loaded.rows(name) for name in DRAW_RECORDS})


def _register_verify(add: AddFn) -> None:
    p = add(
        "verify",
        "验证账本：签名、链接，并重新计算每一次抽取 (verify the ledger, re-derive every draw)",
        _cmd_verify,
    )
    p.add_argument("--json", action="store_true", help="输出 JSON 报告 (JSON report)")
    p.add_argument(
        "--fail-on",
        choices=["any", "integrity"],
        default="any",
        help="integrity：合规问题不导致失败 (make compliance findings non-fatal)",
    )
    p.add_argument("--pin", metavar="HASH", help="固定创世条目哈希 (expected genesis entry hash)")
    p.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="记住上次验证的检查点、时间和最后一条，发现截断、回滚、分叉和倒签"
        " (remember the last checkpoint, when and what was seen)",
    )
    p.add_argument(
        "--allow-demo",
        action="store_true",
        help="演示账本不算失败（其随机数可预测，不具证明力）(do not fail on a demo ledger)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="不使用本机已验证轮次缓存，逐个重新验证信标签名 (check every beacon signature afresh)",
    )
    p.add_argument(
        "--bureau",
        action="append",
        metavar="DIR|URL",
        help="验证多个局的账本（本地目录或公开仓库的根网址，可重复）：每局一份 JSON 报告加汇总"
        " (verify several bureaus in parallel; repeatable)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("verify-reports"),
        metavar="DIR",
        help="与 --bureau 合用：报告目录，默认 verify-reports (where the reports go)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="与 --bureau 合用：同时验证的进程数，默认为 CPU 核数 (worker processes)",
    )


def _cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji.verify.checkers import default_checkers
    from suiji.verify.verifier import verify

    if args.bureau:
        return _verify_bureaus(args, ctx)
    report = verify(
        ctx.root,
        now=ctx.now,
        pin=args.pin,
        state_file=args.state,
        checkers=default_checkers(ctx.now, use_cache=not args.no_cache, root=ctx.root),
        fail_on=args.fail_on,
        allow_demo=args.allow_demo,
        beacon_cache=not args.no_cache,
    )
    if args.json:
        print(json.dumps(report.to_json(args.fail_on), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render.verify_report(report, args.fail_on))
    return exits.found(not report.passes(args.fail_on))


def _verify_bureaus(args: argparse.Namespace, ctx: Context) -> int:
    """Many bureaus, one report each plus a summary (suiji.cli.monitor)."""
    import json

    from suiji.cli.monitor import verify_many
    from suiji.cli.rendermonitor import monitor_summary
    from suiji.shared.errors import UsageError

    if args.pin or args.state:
        raise UsageError(
            "--pin 和 --state 针对单个账本，不能与 --bureau 合用；请分别验证", code="usage"
        )
    summary = verify_many(
        args.bureau,
        args.out,
        now=ctx.now,
        jobs=max(1, args.jobs),
        allow_demo=args.allow_demo,
        use_cache=not args.no_cache,
        fail_on=args.fail_on,
    )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(monitor_summary(summary, str(args.out)))
    return exits.found(summary["failed"] > 0)


def _register_gitcheck(add: AddFn) -> None:
    p = add(
        "gitcheck",
        "检查提交没有改写账本历史，可作 pre-commit 钩子 (refuse history rewrites)",
        _cmd_gitcheck,
    )
    p.add_argument(
        "--base", metavar="REV", help="检查 REV..HEAD 的每个提交；不给则检查暂存区 (CI range)"
    )
    p.add_argument("--head", metavar="REV", default="HEAD", help="范围终点，默认 HEAD (range end)")


def _cmd_gitcheck(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.verify.gitcheck import gitcheck

    found = gitcheck(ctx.root, base=args.base, head=args.head)
    for f in found:
        print(f"suiji gitcheck: {render.git_finding(f)}", file=sys.stderr)
    if found:
        print(f"suiji gitcheck: 拒绝：{len(found)} 处改写了账本历史", file=sys.stderr)
        return exits.FOUND
    print("账本历史检查通过 (ledger history is append-only)")
    return _gitcheck_records(args, ctx)


def _gitcheck_records(args: argparse.Namespace, ctx: Context) -> int:
    """`suiji check` on the record files as they would be published, when any changed.

    So an unchecked record file (personal data on a second worksheet, in a comment) never
    reaches the public repository: the hook and CI refuse it like a history rewrite.
    """
    import tempfile

    from suiji import records
    from suiji.shared.times import civil_date
    from suiji.verify.gitcheck import changed_records, export_records

    changed = changed_records(ctx.root, base=args.base, head=args.head)
    if not changed:
        return exits.OK
    with tempfile.TemporaryDirectory(prefix="suiji-gitcheck-") as tmp:
        export_records(ctx.root, Path(tmp), base=args.base, head=args.head)
        report = records.check(Path(tmp), civil_date(ctx.now), snapshots=False)
    if report.ok:
        print(f"记录文件检查通过（{len(changed)} 个改动的文件）")
        return exits.OK
    for line in render.check_lines(report):
        print(f"suiji gitcheck: {line}", file=sys.stderr)
    print(
        "suiji gitcheck: 拒绝：记录文件未通过 suiji check（见上）；改正后重新暂存再提交",
        file=sys.stderr,
    )
    return exits.FOUND


def _register_ledger(add: AddFn) -> None:
    p = add("ledger", "账本维护：repair 修复写入中断 (ledger maintenance)", _cmd_ledger)
    sub = p.add_subparsers(
        dest="ledger_action", metavar="动作", parser_class=_Parser, required=True
    )
    sub.add_parser(
        "repair",
        help="补全或截去写入中断留下的最后半行 (fix an interrupted write)",
        parents=[_Parser(add_help=False, parents=[_global_options()])],
    )


def _cmd_ledger(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.ledger.append import repair

    print(render.repaired(repair(ctx.root)))
    return 0


_REGISTRY: list[Callable[[AddFn], None]] = [
    _register_check,
    _register_keygen,
    _register_init,
    _register_key,
    _register_commit,
    _register_inputs,
    _register_draw,
    _register_seal,
    _register_reveal,
    _register_void,
    _register_replace,
    _register_coverage,
    _register_deadlines,
    _register_record,
    _register_withdraw,
    _register_write,
    _register_witness,
    _register_show,
    _register_ticket,
    *_DOCUMENT_COMMANDS,
    _register_publish,
    _register_build,
    _register_serve,
    _register_verify,
    _register_gitcheck,
    _register_ledger,
    _register_demo,
    _register_new,
]


SUBMITS = frozenset({"commit", "inputs", "draw", "void", "replace", "record", "withdraw"})
"""Commands that append: each new checkpoint goes to the policy's witnesses (`write` does
it itself after each action)."""


def _checkpoint(root: Path) -> bytes | None:
    path = root / "ledger" / "checkpoint"
    return path.read_bytes() if path.is_file() else None


def _submit(root: Path, now: datetime) -> int:
    """Ask the witnesses; only problems are printed (stderr), an alarm exits 1."""
    from suiji.cli.renderwrite import witness_lines
    from suiji.writing.witnessing import submit_checkpoint
    from suiji.writing.writerun import Outcome

    out = Outcome(witnessed=submit_checkpoint(root, now=now))
    if any(r.status != "ok" for r in out.witnessed):
        for line in witness_lines(out):
            print(line, file=sys.stderr)
    return exits.FOUND if out.alarms else exits.OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return exits.INPUT
    root = Path(getattr(args, "root", ".")).resolve()
    try:
        now, overridden = resolve_clock(root, getattr(args, "now", None))
        ctx = Context(root=root, now=now, clock_overridden=overridden)
        before = _checkpoint(root) if args.command in SUBMITS else None
        code: int = args.handler(args, ctx)
        if args.command in SUBMITS and _checkpoint(root) != before:
            code = max(code, _submit(root, now))
        return code
    except SuijiError as err:
        print(render.error(err), file=sys.stderr)
        return exits.exit_code(err)
    except OSError as exc:  # disk full, read-only, permission: a message, never a traceback
        failure = os_failure(exc)
        print(render.error(failure), file=sys.stderr)
        return exits.exit_code(failure)
    except MemoryError:
        failure = ResourceError(
            "内存不足：输入过大，操作未完成，未做任何修改；请检查输入文件是否被篡改或过大",
            code="out-of-memory",
        )
        print(render.error(failure), file=sys.stderr)
        return exits.exit_code(failure)
    except RecursionError:
        failure = ResourceError(
            "输入嵌套过深，无法处理，未做任何修改；请运行 suiji verify 找出被篡改的文件",
            code="too-deep",
        )
        print(render.error(failure), file=sys.stderr)
        return exits.exit_code(failure)


def run() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
