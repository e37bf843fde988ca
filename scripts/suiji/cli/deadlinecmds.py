"""`suiji deadlines`: what is due, overdue and done after each inspection.

Reads the ledger (drawn tasks, recorded results, the genesis policy's disclosure period)
and the calendars (shipped, replaced by `content/records/calendar/`); writes nothing and
needs no key. Exit 1 when anything is overdue, so a scheduled job can alert on it.
"""

from __future__ import annotations

import argparse
import datetime as dt

from suiji.cli.common import AddFn, Context


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写成 YYYY-MM-DD，如 2026-10-09，而不是 {text!r}"
        ) from None


def _register_deadlines(add: AddFn) -> None:
    p = add(
        "deadlines",
        "检查报告、反馈和结果公示的期限：待办、逾期、已完成；有逾期时退出码为 1 (deadlines)",
        _cmd_deadlines,
    )
    p.add_argument(
        "--today", type=_day, metavar="DATE", help="按这一天计算（默认：今天）(judge on DATE)"
    )
    p.add_argument(
        "--by-unit",
        action="store_true",
        help="按股室和检查组统计按时完成率（业绩考评）(on-time shares per unit)",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出 (machine-readable output)")


def _cmd_deadlines(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji.cli import exits, renderresults
    from suiji.draw.deadlinestatus import deadline_report, disclosure_rule
    from suiji.ledger.drawn import drawn_tasks
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.ledger.results import results_view
    from suiji.model.genesis import Genesis, Policy
    from suiji.records.calendar import load_calendars
    from suiji.shared.times import civil_date

    entries = list(read_entries(ctx.root))
    store = ObjectStore(ctx.root)
    genesis = entries[0].typed if entries else None
    policy = genesis.coverage if isinstance(genesis, Genesis) else Policy()
    report = deadline_report(
        drawn_tasks(entries, store),
        results_view(entries, store).current(),
        load_calendars(ctx.root / "content" / "records"),
        args.today or civil_date(ctx.now),
        disclosure_rule(policy),
        by_unit=args.by_unit,
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print(renderresults.deadlines(report))
    return exits.found(report.overdue > 0)
