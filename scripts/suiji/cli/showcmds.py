"""Read-only commands: `suiji show TASK`, `suiji ticket TASK CODE` and `suiji publish`.

Neither needs a key nor the record files: both read the ledger and its committed objects
(`suiji.verify.taskview`), so an enterprise owner with a copy of the public repository sees
exactly what the ledger proves. Words are `render`'s; the export writers live here.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

from suiji.cli import render, renderresults
from suiji.cli.common import AddFn, Context


def _register_show(add: AddFn) -> None:
    p = add(
        "show",
        "显示一个任务：方案、承诺、信标、抽中的企业和事项、检查组、撤换（北京时间）(show a task)",
        _cmd_show,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument(
        "--csv", type=Path, metavar="FILE", help="另存为 CSV（UTF-8 带 BOM，Excel 可直接打开）"
    )
    p.add_argument("--xlsx", type=Path, metavar="FILE", help="另存为 Excel 工作簿 (export .xlsx)")
    p.add_argument(
        "--secret",
        type=Path,
        metavar="FILE",
        help="暗查暗访任务的密钥文件：私下计算并显示抽取结果，不写入任何内容 (sealed task's secret)",
    )


def _cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import task_view

    if args.secret is not None:
        from suiji.writing.sealed import private_view, read_secret

        view = private_view(ctx.root, args.task, read_secret(args.secret), ctx.now)
    else:
        view = task_view(read_entries(ctx.root), ObjectStore(ctx.root), args.task)
    print("\n".join(render.show_lines(view)))
    tables = render.show_tables(view)
    if args.csv:
        write_csv(args.csv, tables)
        print(f"已另存为 {args.csv}")
    if args.xlsx:
        write_xlsx(args.xlsx, tables)
        print(f"已另存为 {args.xlsx}")
    return 0


def write_csv(path: Path, tables: Sequence[render.Table]) -> None:
    """All tables in one CSV, each under its title and separated by an empty row."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        for i, (title, header, rows) in enumerate(tables):
            if i:
                out.writerow([])
            out.writerow([title])
            out.writerow(header)
            out.writerows(rows)


def write_xlsx(path: Path, tables: Sequence[render.Table]) -> None:
    """One worksheet per table; every cell is text, so codes keep their leading zeros."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in tables:
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for row in rows:
            ws.append(list(row))
    wb.save(path)


def _register_ticket(add: AddFn) -> None:
    p = add(
        "ticket",
        "某企业在一个任务中的票号、名次，以及可否抽取的原因 (one enterprise's ticket and rank)",
        _cmd_ticket,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument("code", help="统一社会信用代码 (the enterprise's USCC)")


def _cmd_ticket(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import ticket_view

    view = ticket_view(read_entries(ctx.root), ObjectStore(ctx.root), args.task, args.code)
    print("\n".join(render.ticket_lines(view)))
    return 0


def _register_publish(add: AddFn) -> None:
    p = add(
        "publish",
        "生成公示网站的 Markdown 页面到 content/generated/（只读账本，不签名）(write the site's pages)",
        _cmd_publish,
    )
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="输出目录（默认 content/generated）(output folder)"
    )
    p.add_argument(
        "--json", action="store_true", help="以 JSON 输出统计 (machine-readable summary)"
    )
    p.add_argument(
        "--tlog",
        type=Path,
        metavar="DIR",
        help="另把账本写成 C2SP tlog-tiles（checkpoint、tile/）到此目录 (tiled log)",
    )


def _cmd_publish(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji.ledger.reading import read_entries
    from suiji.publish.site import publish
    from suiji.shared.times import civil_date

    summary = publish(
        ctx.root,
        read_entries(ctx.root),
        today=civil_date(ctx.now),
        out=args.out,
        now=ctx.now,
    )
    if args.tlog:
        from suiji.publish.tlog import write_tlog

        size = write_tlog(ctx.root, args.tlog)
        if not args.json:
            print(f"已把账本前 {size} 条写成 tlog-tiles：{args.tlog}")
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print(renderresults.publish_summary(summary))
    return 0
