"""Documents for an inspection: notices with codes, the code check, the inspection record,
the pre-filled results workbook, and the export for the provincial platform.

None of them signs or appends: they read the ledger and its committed objects
(`suiji.publish`). `suiji notice` writes one public file (the codes' salted hashes),
everything else lands under git-ignored `private/` unless `--out` says otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from suiji.cli import exits, renderresults
from suiji.cli.common import AddFn, Context
from suiji.shared.errors import Refusal

if TYPE_CHECKING:
    from suiji.publish.documents import TaskDocs


def _docs(ctx: Context, task: str) -> TaskDocs:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.publish.documents import task_documents

    return task_documents(read_entries(ctx.root), ObjectStore(ctx.root), task)


def _register_notice(add: AddFn) -> None:
    p = add(
        "notice",
        "为已抽取任务的每家企业写检查通知书（含核验码）和检查记录，公开核验码的加盐哈希"
        " (advance notices with verification codes)",
        _cmd_notice,
    )
    p.add_argument("task", help="任务编号 (task id)")


def _cmd_notice(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.publish.notices import make_notices
    from suiji.shared.times import civil_date

    run = make_notices(ctx.root, _docs(ctx, args.task), civil_date(ctx.now))
    print("\n".join(renderresults.notice_lines(ctx.root, args.task, run)))
    return exits.OK


def _register_notice_check(add: AddFn) -> None:
    p = add(
        "notice-check",
        "核验检查通知书上的核验码 (check a notice's verification code)",
        _cmd_notice_check,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument("code", help="本单位的统一社会信用代码 (the enterprise's USCC)")
    p.add_argument("vcode", help="通知书上的核验码，如 7KQ2M-X9D4T (the notice's code)")
    p.add_argument(
        "--file",
        type=Path,
        metavar="FILE",
        help="公开的核验码文件；默认 content/records/notices/任务编号.json (public code file)",
    )


def _cmd_notice_check(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.crypto.noticecode import check_code
    from suiji.publish.notices import codes_path, read_codes
    from suiji.shared.text import id_key

    codes = read_codes(args.file or codes_path(ctx.root, args.task), args.task)
    uscc = id_key(args.code)
    if codes.entry(uscc) is None:
        print(renderresults.notice_not_listed(args.task, uscc))
        return exits.FOUND
    ok = check_code(codes, uscc, args.vcode)
    print(renderresults.notice_checked(args.task, uscc, ok))
    return exits.found(not ok)


def _register_inspection_sheet(add: AddFn) -> None:
    p = add(
        "inspection-sheet",
        "为已抽取任务的每家企业写可打印的检查记录（回执），列出抽中的事项 (inspection records)",
        _cmd_inspection_sheet,
    )
    p.add_argument("task", help="任务编号 (task id)")


def _cmd_inspection_sheet(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.publish.notices import write_records

    files = write_records(ctx.root, _docs(ctx, args.task))
    print("\n".join(renderresults.written_lines("检查记录（回执）", ctx.root, files)))
    return exits.OK


def _register_template(add: AddFn) -> None:
    p = add(
        "template",
        "写已抽取任务的检查结果 Excel 模板：已填企业、检查组，带下拉列表 (results workbook)",
        _cmd_template,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="输出文件；默认 private/notices/任务编号/results-任务编号.xlsx (output .xlsx)",
    )
    p.add_argument(
        "--force", action="store_true", help="覆盖已存在的文件 (replace an existing file)"
    )


def _cmd_template(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.publish.notices import private_dir
    from suiji.publish.template import write_template

    docs = _docs(ctx, args.task)
    out = args.out or private_dir(ctx.root, args.task) / f"results-{args.task}.xlsx"
    if out.exists() and not args.force:
        raise Refusal(
            f"{out} 已存在，可能已经填写了检查结果，不会覆盖：另选 --out 文件名，"
            f"或确认不需要后加 --force 再运行 suiji template {args.task}",
            code="file-exists",
        )
    write_template(out, docs)
    print("\n".join(renderresults.template_lines(ctx.root, args.task, out)))
    return exits.OK


def _register_export(add: AddFn) -> None:
    p = add(
        "export",
        "按省级平台的公示栏目导出已登记的检查结果，CSV 或 Excel (export results)",
        _cmd_export,
    )
    p.add_argument("--xlsx", action="store_true", help="导出 Excel 工作簿 (write .xlsx)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="输出文件；默认 private/export/results.csv 或 .xlsx (output file)",
    )


def _cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.publish.export import csv_bytes, export_table, results_of, write_xlsx
    from suiji.shared.files import write_atomic

    xlsx = args.xlsx or (args.out is not None and args.out.suffix.lower() == ".xlsx")
    out = args.out or ctx.root / "private" / "export" / ("results.xlsx" if xlsx else "results.csv")
    entries = list(read_entries(ctx.root))
    store = ObjectStore(ctx.root)
    table = export_table(entries, store, results_of(entries, store))
    if xlsx:
        write_xlsx(out, table)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, csv_bytes(table))
    print(renderresults.exported(out, len(table.rows)))
    return exits.OK


REGISTER = (
    _register_notice,
    _register_notice_check,
    _register_inspection_sheet,
    _register_template,
    _register_export,
)
