"""Commands for inspection results: record them into the ledger, withdraw one (信用修复)."""

from __future__ import annotations

import argparse
import sys

from suiji.cli import renderresults
from suiji.cli.common import AddFn, Context, _key_options, _writer, _yes_option, confirm


def _register_record(add: AddFn) -> None:
    p = add(
        "record",
        "把 content/records/results/ 中的检查结果登记进账本：新结果和更正 (record results)",
        _cmd_record,
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="只检查、不写入：列出将登记的新结果和更正 (check only)",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_record(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.writing.results import preview_record, record

    writer = _writer(args, ctx)
    plan = preview_record(writer)
    sys.stdout.write(renderresults.record_plan(plan, dry_run=args.dry_run))
    if args.dry_run or not plan.planned:
        return 0
    confirm(args, renderresults.record_summary(plan))
    done, seqs = record(writer)
    sys.stdout.write(renderresults.recorded(done, seqs))
    return 0


def _register_withdraw(add: AddFn) -> None:
    p = add(
        "withdraw",
        "处罚公示期满（信用修复）后撤回一项检查结果：账本保留哈希，删除结果对象 (withdraw a result)",
        _cmd_withdraw,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument("uscc", metavar="CODE", help="统一社会信用代码 (credit code)")
    p.add_argument("--reason", required=True, help="撤回理由，公开 (public reason)")
    _key_options(p)
    _yes_option(p)


def _cmd_withdraw(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.writing.results import preview_withdraw, withdraw

    writer = _writer(args, ctx)
    plan = preview_withdraw(writer, args.task, args.uscc, args.reason)
    confirm(args, renderresults.withdraw_summary(plan))
    done, seq = withdraw(writer, args.task, args.uscc, args.reason)
    sys.stdout.write(renderresults.withdrawn(done, seq))
    return 0
