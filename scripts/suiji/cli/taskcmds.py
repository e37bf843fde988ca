"""Commands for tasks: commit, inputs, draw, void, replace, coverage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from suiji.cli.common import AddFn, Context, _key_options, _writer, _yes_option, confirm


def _register_commit(add: AddFn) -> None:
    p = add(
        "commit", "承诺抽查方案：登记名录快照、方案和将来的信标轮次 (commit a plan)", _cmd_commit
    )
    p.add_argument(
        "plan", type=Path, help="方案文件 content/records/plans/任务编号.toml (plan file)"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="只检查、不写入：并用试算种子模拟抽取，报告检查组规则能否满足 (check only)",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_commit(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.model.tasks import ChainRound, Commit
    from suiji.writing.steps import (
        commit,
    )

    if args.dry_run:
        import sys

        from suiji.cli import exits, render
        from suiji.writing.dryrun import dry_run

        dry = dry_run(ctx.root, ctx.now, args.plan)
        sys.stdout.write(render.dry_run(dry))
        return exits.OK if dry.unmet is None else exits.exit_code(dry.unmet)
    writer = _writer(args, ctx)
    confirm(
        args,
        [
            f"承诺任务 {args.plan.stem}（方案 {args.plan}）：登记名录库快照、方案和将来的信标轮次",
            "承诺之后方案不能再改，只能在信标轮次之前公开作废",
        ],
    )
    entry = commit(writer, args.plan)
    body = entry.typed_as(Commit)
    b = body.beacon
    source = (
        f"{b.chain} 第 {b.round} 轮（{b.round_time}）"
        if isinstance(b, ChainRound)
        else f"方案声明的附加随机输入（{b.draw_after} 之后公开录入）"
    )
    print(
        f"已承诺任务 {body.task}（条目 #{entry.seq}，承诺哈希 {entry.hash}）："
        f"可抽取 {body.eligible} 家；将以{source}为随机源"
    )
    return 0


def _register_draw(add: AddFn) -> None:
    p = add("draw", "信标轮次到来后抽取 (draw a committed task once its round exists)", _cmd_draw)
    p.add_argument("task", nargs="?", help="任务编号 (task id)")
    p.add_argument(
        "--due", action="store_true", help="抽取所有已到轮次的任务 (draw every due task)"
    )
    p.add_argument("--beacons", type=Path, help="已记录的 drand 轮次文件 (recorded rounds file)")
    p.add_argument("--fetch", action="store_true", help="从 drand 中继获取轮次 (fetch from relays)")
    p.add_argument(
        "--secret",
        type=Path,
        metavar="FILE",
        help="暗查暗访任务的密钥文件：私下计算抽取结果并显示，不写入任何内容 (sealed: compute privately)",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_draw(args: argparse.Namespace, ctx: Context) -> int:
    if args.secret is not None:
        return _private_draw(args, ctx)
    from suiji.beacon.sources import load_recorded
    from suiji.model.tasks import Draw
    from suiji.shared.errors import UsageError
    from suiji.writing.steps import (
        draw_task,
        due_tasks,
    )

    if bool(args.task) == bool(args.due):
        raise UsageError("请给出一个任务编号，或用 --due 抽取所有已到轮次的任务")
    recorded = load_recorded(args.beacons) if args.beacons else None
    writer = _writer(args, ctx)
    names = due_tasks(ctx.root, ctx.now) if args.due else [args.task]
    if args.due and not names:
        print("没有已到轮次、尚未抽取的任务。")
    if names:
        confirm(args, [f"抽取任务 {'、'.join(names)}：记录信标轮次和抽取结果，结果公开、不能重抽"])
    for name in names:
        entry = draw_task(writer, name, recorded=recorded, fetch=args.fetch)
        if entry.kind != "draw":  # sealed: only the round's beacon is recorded
            print(f"任务 {name} 是暗查暗访任务：已记录信标（条目 #{entry.seq}），抽取结果待揭示")
            continue
        drawn = entry.typed_as(Draw)
        print(f"任务 {name} 已抽取（条目 #{entry.seq}）：种子 {drawn.seed}")
        for e in drawn.extra:
            print(f"  附加输入 {e.name} = {e.value}（抽取前已登记）")
        print(f"  抽中 {len(drawn.targets)} 家：{'、'.join(drawn.targets)}")
        if drawn.teams_error:
            print(f"  检查组未能组成：{drawn.teams_error}")
        print(f"  企业名称、检查事项和检查组：suiji show {name}")
    return 0


def _private_draw(args: argparse.Namespace, ctx: Context) -> int:
    """`draw TASK --secret FILE`: the holder's private computation; writes nothing."""
    from suiji.cli import render
    from suiji.shared.errors import UsageError
    from suiji.writing.sealed import private_view, read_secret
    from suiji.writing.sealedvoids import read_disclosures, voids_file

    if not args.task or args.due:
        raise UsageError("--secret 只用于一个暗查暗访任务：suiji draw 任务编号 --secret 密钥文件")
    view = private_view(
        ctx.root,
        args.task,
        read_secret(args.secret),
        ctx.now,
        read_disclosures(voids_file(args.secret)),
    )
    print("\n".join(render.show_lines(view)))
    return 0


def _register_seal(add: AddFn) -> None:
    p = add(
        "seal",
        "把方案设为暗查暗访：生成密钥写到仓库之外，把密钥哈希写进方案 (seal a plan)",
        _cmd_seal,
    )
    p.add_argument("plan", type=Path, help="方案文件 content/records/plans/任务编号.toml")
    p.add_argument(
        "--secret-out",
        type=Path,
        required=True,
        metavar="FILE",
        help="密钥文件，必须在本局仓库之外（如 U 盘）(secret file, outside the repository)",
    )


def _cmd_seal(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.writing.sealed import seal

    digest = seal(ctx.root, args.plan, args.secret_out)
    print(f"已封存：密钥写入 {args.secret_out}（只给密钥持有人，切勿提交到仓库）")
    print(f"  方案 {args.plan} 加入 [sealed] secret_hash = {digest}")
    print("  轮次到来后只记录信标；持有人可用 suiji draw 任务编号 --secret 密钥文件 私下查看结果；")
    print('  检查结束后把密钥写入 content/records/reveals/任务编号.toml（secret = "…"）即揭示')
    return 0


def _register_reveal(add: AddFn) -> None:
    p = add(
        "reveal",
        "检查结束后揭示暗查暗访任务：写入揭示条目，抽取结果从此公开 (reveal a sealed task)",
        _cmd_reveal,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument(
        "--secret", type=Path, required=True, metavar="FILE", help="suiji seal 写出的密钥文件"
    )
    _key_options(p)
    _yes_option(p)


def _cmd_reveal(args: argparse.Namespace, ctx: Context) -> int:
    """The writer's reveal step by hand (the automatic writer reads reveals/<task>.toml)."""
    from suiji.model.tasks import Reveal
    from suiji.writing.sealed import read_secret, reveal
    from suiji.writing.sealedvoids import read_disclosures, voids_file

    secret = read_secret(args.secret)
    voids = read_disclosures(voids_file(args.secret))
    writer = _writer(args, ctx)
    confirm(
        args,
        [
            f"揭示暗查暗访任务 {args.task}：密钥、抽取结果和 {len(voids)} 条暗查撤换写入账本并公开，不能撤回"
        ],
    )
    entry = reveal(writer, args.task, secret, voids)
    body = entry.typed_as(Reveal)
    print(f"任务 {args.task} 已揭示（条目 #{entry.seq}）：种子 {body.seed}")
    print(f"  抽中 {len(body.targets)} 家：{'、'.join(body.targets)}")
    print(f"  企业名称、检查事项和检查组：suiji show {args.task}")
    return 0


def _register_inputs(add: AddFn) -> None:
    p = add(
        "inputs",
        "在信标轮次之前登记方案声明的附加随机输入 (record extra inputs before the round)",
        _cmd_inputs,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="名称=值",
        help="如 福彩3D=371、现场掷骰（三枚）=3,5,6；每项单独记入账本 (name=value)",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_inputs(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.model.tasks import ExtraValue
    from suiji.shared.errors import UsageError
    from suiji.writing.inputs import record_inputs

    typed: list[tuple[str, str]] = []
    for item in args.extra:
        name, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--extra 应写成 名称=值：{item!r}")
        typed.append((name.strip(), value))
    writer = _writer(args, ctx)
    confirm(
        args,
        [
            f"任务 {args.task} 的附加输入 {name} = {value}（每项一条，登记后不能更改）"
            for name, value in typed
        ],
    )
    for entry in record_inputs(writer, args.task, typed):
        body = entry.typed_as(ExtraValue)
        print(f"任务 {args.task}：附加输入 {body.name} = {body.value} 已登记（条目 #{entry.seq}）")
    return 0


def _register_void(add: AddFn) -> None:
    p = add(
        "void",
        "作废：轮次前作废承诺，或替换已抽中的人员 (void a commitment, or replace a drawn person)",
        _cmd_void,
    )
    p.add_argument("task", help="任务编号 (task id)")
    p.add_argument("person", nargs="?", help="被替换人员编号；不给则作废承诺 (person id)")
    p.add_argument("--team", help="检查组（企业信用代码或 task）；人员只在一个组时可省略")
    p.add_argument("--reason", required=True, help="理由，将公开 (reason, published)")
    p.add_argument(
        "--accept-finding",
        action="store_true",
        help="同一岗位再次撤换或检查窗口开始后撤换：照样记录，验证报告为合规问题",
    )
    p.add_argument(
        "--secret",
        type=Path,
        metavar="FILE",
        help="暗查暗访任务揭示前撤换：suiji seal 写出的密钥文件；账本只记加盐哈希，内容存于其旁的 .voids 文件",
    )
    _key_options(p)
    _yes_option(p)


def _cmd_void(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.model.tasks import PersonVoid
    from suiji.writing.people import team_of, void_person
    from suiji.writing.steps import void_commitment

    writer = _writer(args, ctx)
    if args.person is None:
        confirm(args, [f"作废任务 {args.task} 的承诺，理由（公开）：{args.reason}"])
        entry = void_commitment(writer, args.task, args.reason)
        print(f"任务 {args.task} 的承诺已作废（条目 #{entry.seq}）。")
        return 0
    if args.secret is not None:
        return _sealed_void(args, ctx, writer)
    team = args.team or team_of(ctx.root, args.task, args.person)
    confirm(
        args,
        [
            f"撤换任务 {args.task} 检查组 {team} 的人员 {args.person}，理由（公开）：{args.reason}",
            "替换人员由撤换条目指定的将来信标轮次决定",
        ],
    )
    entry = void_person(
        writer, args.task, team, args.person, args.reason, accept_finding=args.accept_finding
    )
    b = entry.typed_as(PersonVoid)
    print(
        f"任务 {args.task}：{b.person} 已撤换（{b.role}，检查组 {b.team}，条目 #{entry.seq}）。"
        f"替换人员由 {b.beacon.chain} 第 {b.beacon.round} 轮（{b.beacon.round_time}）决定；"
        f"该轮产生后运行：suiji replace {args.task}"
    )
    return 0


def _sealed_void(args: argparse.Namespace, ctx: Context, writer: Any) -> int:
    """A person void of a sealed task before its reveal: a salted hash in the ledger, the
    disclosure beside the secret (read by `suiji reveal --secret`)."""
    from suiji.writing.sealed import read_secret
    from suiji.writing.sealedvoids import keep_disclosure, read_disclosures, seal_void, voids_file

    secret = read_secret(args.secret)
    kept = voids_file(args.secret)
    earlier = read_disclosures(kept)
    confirm(
        args, [f"暗查暗访任务 {args.task}：撤换人员 {args.person}，账本只记加盐哈希，揭示时公开"]
    )
    entry, disclosure = seal_void(
        writer,
        args.task,
        secret,
        args.team or "",
        args.person,
        args.reason,
        earlier,
        accept_finding=args.accept_finding,
    )
    keep_disclosure(kept, disclosure)
    print(f"任务 {args.task}：暗查撤换已记录（条目 #{entry.seq}，只有加盐哈希）。")
    print(f"  撤换内容和盐值保存在 {kept}（与密钥一同保管，揭示时由 suiji reveal 公开）")
    return 0


def _register_replace(add: AddFn) -> None:
    p = add(
        "replace",
        "撤换指定的信标轮次产生后，记录由该轮决定的替换人员 (record due replacements)",
        _cmd_replace,
    )
    p.add_argument("task", nargs="?", help="任务编号；不给则处理所有待替换的任务 (task id)")
    p.add_argument("--beacons", type=Path, help="已记录的 drand 轮次文件 (recorded rounds file)")
    p.add_argument("--fetch", action="store_true", help="从 drand 中继获取轮次 (fetch from relays)")
    _key_options(p)
    _yes_option(p)


def _cmd_replace(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.beacon.sources import load_recorded
    from suiji.model.tasks import PersonReplace
    from suiji.writing.people import pending_replacements, replace_due

    recorded = load_recorded(args.beacons) if args.beacons else None
    writer = _writer(args, ctx)
    names = [args.task] if args.task else pending_replacements(ctx.root)
    if names:
        confirm(args, [f"记录任务 {'、'.join(names)} 中由信标轮次决定的替换人员"])
    done = 0
    for name in names:
        for entry in replace_due(writer, name, recorded=recorded, fetch=args.fetch):
            r = entry.typed_as(PersonReplace)
            done += 1
            print(
                f"任务 {name}：条目 #{r.void_seq} 撤换的人员由 {r.replacement} 替换"
                f"（条目 #{entry.seq}，票号种子 {r.seed}）"
            )
    if not done:
        print("没有信标轮次已产生、尚未替换的人员撤换。")
    return 0


def _register_coverage(add: AddFn) -> None:
    p = add("coverage", "覆盖情况：应查未查、超上限和双随机比例 (coverage report)", _cmd_coverage)
    p.add_argument("--json", action="store_true", help="以 JSON 输出 (machine-readable output)")


def _cmd_coverage(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji.cli.render import coverage
    from suiji.writing.steps import (
        coverage_report,
    )

    rep = coverage_report(ctx.root, ctx.now)
    if args.json:
        print(json.dumps(rep.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print(coverage(rep))
    return 0
