"""`suiji write`: the one command a deployment runs with the signing key."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from suiji.cli.common import AddFn, Context, _key_options, _writer, _yes_option, confirm

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def _register_write(add: AddFn) -> None:
    p = add(
        "write",
        "按 content/records/ 中提交的文件和账本自动写入：作废、承诺、附加输入、到期抽取、"
        "人员撤换、检查结果、根密钥请求 (reconcile the ledger with the records)",
        _cmd_write,
    )
    p.add_argument("--beacons", type=Path, help="已记录的 drand 轮次文件 (recorded rounds file)")
    p.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help=f"把中文摘要（Markdown）追加到此文件；默认 ${SUMMARY_ENV}（如已设置）(job summary)",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_write(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.beacon.sources import load_recorded
    from suiji.cli import exits, renderwrite
    from suiji.shared.errors import SuijiError
    from suiji.shared.times import format_time
    from suiji.writing.writerun import Outcome, has_genesis, plan_run, run_write

    summary = args.summary or (
        Path(os.environ[SUMMARY_ENV]) if os.environ.get(SUMMARY_ENV) else None
    )
    when = format_time(ctx.now)
    try:
        if not has_genesis(ctx.root):
            out = Outcome(initialised=False)
        else:
            recorded = load_recorded(args.beacons) if args.beacons else None
            writer = _writer(args, ctx)
            plan = plan_run(ctx.root, writer)
            if plan.actions:
                confirm(args, renderwrite.plan_lines(plan))
            out = run_write(writer, recorded=recorded)
    except SuijiError as err:  # the key, the ledger, the disk: nothing ran; say so there too
        if summary is not None:
            _append(summary, renderwrite.failed(err, when))
        raise
    sys.stdout.write(renderwrite.terminal(out))
    if summary is not None:
        _append(summary, renderwrite.summary(out, when))
    if out.alarms:
        print("suiji write: 见证警报：见证人见过与本账本不一致的历史", file=sys.stderr)
        return exits.FOUND
    if out.skipped:
        names = "、".join(dict.fromkeys(s.source for s in out.skipped))
        print(f"suiji write: 有 {len(out.skipped)} 项未处理：{names}", file=sys.stderr)
        return exits.FOUND
    return exits.OK


def _append(path: Path, text: str) -> None:
    """The job summary is shared by every step of a job: append, never replace."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
