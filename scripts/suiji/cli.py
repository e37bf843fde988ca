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
from typing import Any, NoReturn

from suiji import __version__
from suiji.encoding import parse_user_time
from suiji.errors import SuijiError

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
    if not text:
        text = demo_setting(root, "now")
    if text:
        return parse_user_time(text), True
    return datetime.now(UTC), False


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line Chinese error and exit 2 (instead of usage + message)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"suiji: 参数错误 (usage error): {message}；用 `suiji --help` 查看用法\n")


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
    from suiji import demo

    demo.run_demo(Path(args.dir), force=args.force, out=sys.stdout)
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
    from suiji.encoding import civil_date

    report = records.check(
        ctx.root / "content" / "records", civil_date(ctx.now), label_base=ctx.root
    )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print("\n".join(report.text_lines()))
    return 0 if report.ok else 1


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


def _register_init(add: AddFn) -> None:
    p = add(
        "init", "建立账本：写入创世条目 (create the ledger: write the genesis entry)", _cmd_init
    )
    p.add_argument("--origin", help="日志名，如 example.gov.cn/suiji (checkpoint origin)")
    p.add_argument("--name", help="机关名称，写入创世条目 (bureau name)")
    p.add_argument(
        "--root-pub",
        type=Path,
        action="append",
        default=[],
        help="根公钥文件，可重复 (root public key file; repeatable)",
    )
    p.add_argument(
        "--root-key",
        type=Path,
        action="append",
        default=[],
        help="用此根私钥当场签署，可重复 (sign now with this root private key)",
    )
    p.add_argument("--root-passphrase-env", metavar="VAR", help="根私钥口令的环境变量名")
    p.add_argument(
        "--threshold", type=int, help="根密钥门限 (root threshold; default 1 for one root)"
    )
    p.add_argument(
        "--signing-pub", type=Path, help="签名公钥文件，仅 --prepare 时需要 (signing public key)"
    )
    p.add_argument(
        "--beacon",
        action="append",
        default=[],
        help="接受的随机信标，如 drand-quicknet、suiji-demo，可重复 (accepted beacon chain)",
    )
    p.add_argument(
        "--beacon-json", type=Path, help="信标参数 JSON 文件（对象或数组）(beacon facts file)"
    )
    p.add_argument(
        "--draw-delay",
        type=int,
        default=86400,
        help="公告到抽取的最短间隔秒数，默认 86400 (draw_delay_seconds)",
    )
    p.add_argument(
        "--demo", action="store_true", help="演示账本：允许 --now 指定时间 (demo ledger)"
    )
    p.add_argument(
        "--prepare",
        type=Path,
        metavar="REQ",
        help="只生成待根密钥签署的请求文件 (write a request for offline root signing)",
    )
    p.add_argument(
        "--request", type=Path, metavar="REQ", help="使用已签署的创世请求文件 (signed request)"
    )
    _key_options(p)


def _cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji import keys, ledger
    from suiji.errors import InputError, UsageError

    root_keys = [
        keys.load_private_key(p, passphrase_env=args.root_passphrase_env) for p in args.root_key
    ]
    if args.request:
        request = ledger.read_request(args.request)
        if request.kind != "genesis":
            raise UsageError(f"{args.request}: 不是创世请求 (kind genesis)")
    else:
        if not args.origin:
            raise UsageError("需要 --origin（日志名，例如 example.gov.cn/suiji）")
        roots: dict[bytes, keys.PublicKey] = {}
        for path in args.root_pub:
            pub = keys.read_public_key(path)
            roots[pub.raw] = pub
        for k in root_keys:
            pub = keys.public_of(k)
            roots[pub.raw] = pub
        if not roots:
            raise UsageError("需要至少一个根公钥：--root-pub FILE 或 --root-key FILE")
        threshold = args.threshold if args.threshold is not None else (1 if len(roots) == 1 else 0)
        if threshold == 0:
            raise UsageError(f"有 {len(roots)} 个根密钥，请用 --threshold 指定门限")
        if args.signing_pub:
            signing = keys.read_public_key(args.signing_pub)
        else:
            signing = keys.public_of(
                keys.load_private_key(args.key, passphrase_env=args.passphrase_env)
            )
        beacons: list[dict[str, object]] = []
        if args.beacon:
            from suiji import beacon

            beacons.extend(dict(beacon.chain_facts(name)) for name in args.beacon)
        if args.beacon_json:
            try:
                loaded = json.loads(args.beacon_json.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{args.beacon_json}: 无法读取信标 JSON：{exc}") from None
            beacons.extend(loaded if isinstance(loaded, list) else [loaded])
        body = ledger.make_genesis_body(
            origin=args.origin,
            roots=list(roots.values()),
            threshold=threshold,
            signing=signing,
            beacons=beacons,
            draw_delay_seconds=args.draw_delay,
            demo=args.demo,
            extra={"name": args.name} if args.name else None,
        )
        request = ledger.Request("genesis", body)
    keys.refuse_demo_genesis(request.body)  # before anything is written
    for k in root_keys:
        request = ledger.sign_request(request, k)
    if args.prepare:
        ledger.write_request(args.prepare, request)
        print(f"已写出创世请求 {args.prepare}（{len(request.sigs)} 个根签名）。")
        print(f"请各根密钥持有人运行 `suiji key sign {args.prepare} --key 根私钥`，")
        print(f"再运行 `suiji init --request {args.prepare} --key 签名私钥`。")
        return 0
    key = keys.load_private_key(args.key, passphrase_env=args.passphrase_env)
    entry = ledger.append_request(
        ctx.root, request, key=key, now=ctx.now, clock_overridden=ctx.clock_overridden
    )
    print(f"账本已建立：{ledger.ledger_dir(ctx.root)}")
    print(f"创世条目哈希（请公布，验证时用 --pin 固定）：{entry.hash}")
    return 0


def _register_keygen(add: AddFn) -> None:
    p = add("keygen", "生成 Ed25519 密钥对 (make an Ed25519 key pair)", _cmd_keygen)
    p.add_argument("out", type=Path, help="私钥文件路径；公钥写到 OUT.pub (private key path)")
    p.add_argument("--passphrase-env", metavar="VAR", help="用此环境变量中的口令加密私钥 (encrypt)")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 (overwrite)")


def _cmd_keygen(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import keys
    from suiji.errors import UsageError

    passphrase = None
    if args.passphrase_env:
        if args.passphrase_env not in os.environ:
            raise UsageError(f"环境变量 {args.passphrase_env} 未设置")
        passphrase = os.environ[args.passphrase_env].encode("utf-8")
    private = keys.generate()
    priv_path, pub_path = keys.write_key_pair(
        args.out, private, passphrase=passphrase, force=args.force
    )
    pub = keys.public_of(private)
    print(f"私钥（权限 0600，切勿提交到仓库）：{priv_path}")
    print(f"公钥：{pub_path}")
    print(f"密钥编号 (key id)：{pub.id}")
    print(f"公钥 (base64)：{pub.b64}")
    return 0


def _register_key(add: AddFn) -> None:
    p = add(
        "key",
        "密钥变更请求：add / retire / revoke / sign / append / status (key changes)",
        _cmd_key,
    )
    sub = p.add_subparsers(dest="key_action", metavar="动作", parser_class=_Parser, required=True)
    common = [_Parser(add_help=False, parents=[_global_options()])]

    def req_opts(q: argparse.ArgumentParser) -> None:
        q.add_argument("--out", type=Path, required=True, help="请求文件 (request file to write)")
        q.add_argument("--threshold", type=int, help="新的根密钥门限 (new root threshold)")
        q.add_argument("--reason", help="原因 (reason)")
        q.add_argument(
            "--sign",
            type=Path,
            action="append",
            default=[],
            help="当场用此根私钥签署，可重复 (sign with root key)",
        )
        q.add_argument("--passphrase-env", metavar="VAR", help="根私钥口令的环境变量名")

    q = sub.add_parser("add", help="新增签名密钥（轮换）或根密钥 (add a key)", parents=common)
    q.add_argument("public_key", type=Path, help="新公钥文件 (.pub)")
    q.add_argument(
        "--role",
        choices=["signing", "root"],
        required=True,
        help="signing：轮换签名密钥；root：新增根密钥",
    )
    req_opts(q)
    q = sub.add_parser("retire", help="停用根密钥 (retire a root key)", parents=common)
    q.add_argument("key_ref", help="密钥编号或 .pub 文件 (key id or public key file)")
    req_opts(q)
    q = sub.add_parser(
        "revoke", help="吊销密钥：其后签署的条目标为存疑 (revoke a key)", parents=common
    )
    q.add_argument("key_ref", help="密钥编号或 .pub 文件 (key id or public key file)")
    q.add_argument(
        "--from-seq", type=int, required=True, help="自此条目起不再信任 (distrust from entry)"
    )
    req_opts(q)
    q = sub.add_parser(
        "sign", help="根密钥持有人离线签署请求 (sign a request offline)", parents=common
    )
    q.add_argument("request", type=Path, help="请求文件 (request file)")
    _key_options(q, "根私钥")
    q = sub.add_parser(
        "append", help="把已签署的请求写入账本 (append a signed request)", parents=common
    )
    q.add_argument("request", type=Path, help="请求文件 (request file)")
    _key_options(q, "签名私钥（key add --role signing 时为新密钥）")
    sub.add_parser("status", help="显示当前根密钥、门限和签名密钥 (show keys)", parents=common)


def _cmd_key(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import keys, ledger

    action = args.key_action
    if action == "sign":
        request = ledger.read_request(args.request)
        signed = ledger.sign_request(
            request, keys.load_private_key(args.key, passphrase_env=args.passphrase_env)
        )
        ledger.write_request(args.request, signed)
        print(f"已签署 {args.request}（共 {len(signed.sigs)} 个根签名）")
        return 0
    if action == "append":
        request = ledger.read_request(args.request)
        key = keys.load_private_key(args.key, passphrase_env=args.passphrase_env)
        entry = ledger.append_request(
            ctx.root, request, key=key, now=ctx.now, clock_overridden=ctx.clock_overridden
        )
        print(
            f"已写入条目 #{entry.seq}（{entry.kind} {entry.body.get('action', '')}）：{entry.hash}"
        )
        return 0
    if action == "status":
        info = ledger.genesis_info(ctx.root)
        writer = ledger.signing_key(ctx.root)
        print(f"账本：{info.origin}（demo={str(info.demo).lower()}）")
        print(f"当前签名密钥：{writer.id}")
        return 0
    genesis_hash = ledger.genesis(ctx.root).hash
    if action == "add":
        body = keys.key_body(
            "add",
            genesis=genesis_hash,
            key=keys.read_public_key(args.public_key),
            role=args.role,
            threshold=args.threshold,
            reason=args.reason,
        )
    else:
        ref = str(args.key_ref)
        kid = (
            ref if len(ref) == 64 and not Path(ref).exists() else keys.read_public_key(Path(ref)).id
        )
        body = keys.key_body(
            action,
            genesis=genesis_hash,
            key=kid,
            threshold=args.threshold,
            from_seq=getattr(args, "from_seq", None),
            reason=args.reason,
        )
    request = ledger.Request("key", body)
    for path in args.sign:
        request = ledger.sign_request(
            request, keys.load_private_key(path, passphrase_env=args.passphrase_env)
        )
    ledger.write_request(args.out, request)
    print(f"已写出请求 {args.out}（{len(request.sigs)} 个根签名）。")
    print(f"根密钥持有人用 `suiji key sign {args.out} --key 根私钥` 签署，达到门限后")
    print(f"由签名密钥持有人运行 `suiji key append {args.out}` 写入账本。")
    return 0


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
        help="记住上次验证的检查点，发现截断、回滚和分叉 (remember the last checkpoint)",
    )


def _cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji.checks import default_checkers
    from suiji.verify import verify

    report = verify(
        ctx.root,
        now=ctx.now,
        pin=args.pin,
        state_file=args.state,
        checkers=default_checkers(),
        fail_on=args.fail_on,
    )
    if args.json:
        print(json.dumps(report.to_json(args.fail_on), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.render(args.fail_on))
    return report.exit_code(args.fail_on)


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
    from suiji.gitcheck import gitcheck

    found = gitcheck(ctx.root, base=args.base, head=args.head)
    for f in found:
        print(f"suiji gitcheck: {f}", file=sys.stderr)
    if found:
        print(f"suiji gitcheck: 拒绝：{len(found)} 处改写了账本历史", file=sys.stderr)
        return 1
    print("账本历史检查通过 (ledger history is append-only)")
    return 0


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
    from suiji import ledger

    print(ledger.repair(ctx.root))
    return 0


# --- draws (issues 5, 6) ----------------------------------------------------------


# --- draws (issues 5, 6) ----------------------------------------------------------
def _writer(args: argparse.Namespace, ctx: Context) -> Any:
    """The writer: key from --key, $SUIJI_SIGNING_KEY, or the demo directory's own key."""
    from suiji import keys, tasks

    path = args.key
    if path is None and not os.environ.get(keys.SIGNING_KEY_ENV):
        path = demo_setting(ctx.root, "key")
        path = ctx.root / path if path else None
    key = keys.load_private_key(path, passphrase_env=args.passphrase_env)
    return tasks.Writer(ctx.root, key, ctx.now, ctx.clock_overridden)


def _register_commit(add: AddFn) -> None:
    p = add(
        "commit", "承诺抽查方案：登记名录快照、方案和将来的信标轮次 (commit a plan)", _cmd_commit
    )
    p.add_argument(
        "plan", type=Path, help="方案文件 content/records/plans/任务编号.toml (plan file)"
    )
    _key_options(p)


def _cmd_commit(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import tasks

    entry = tasks.commit(_writer(args, ctx), args.plan)
    b = entry.body["beacon"]
    source = (
        f"{b['chain']} 第 {b['round']} 轮（{b['round_time']}）"
        if "round" in b
        else f"方案声明的附加随机输入（{b['draw_after']} 之后公开录入）"
    )
    print(
        f"已承诺任务 {entry.body['task']}（条目 #{entry.seq}，承诺哈希 {entry.hash}）："
        f"可抽取 {entry.body['eligible']} 家；将以{source}为随机源"
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
        "--extra",
        action="append",
        default=[],
        metavar="名称=值",
        help="方案声明的附加随机输入，如 福彩3D=371 (extra public input)",
    )
    _key_options(p)


def _cmd_draw(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import beacon, tasks
    from suiji.errors import UsageError

    if bool(args.task) == bool(args.due):
        raise UsageError("请给出一个任务编号，或用 --due 抽取所有已到轮次的任务")
    extra: dict[str, str] = {}
    for item in args.extra:
        name, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--extra 应写成 名称=值：{item!r}")
        extra[name.strip()] = value.strip()
    recorded = beacon.load_recorded(args.beacons) if args.beacons else None
    writer = _writer(args, ctx)
    names = tasks.due_tasks(ctx.root, ctx.now) if args.due else [args.task]
    if args.due and not names:
        print("没有已到轮次、尚未抽取的任务。")
    for name in names:
        entry = tasks.draw_task(
            writer, name, recorded=recorded, fetch=args.fetch, extra_values=extra
        )
        print(f"任务 {name} 已抽取（条目 #{entry.seq}）：种子 {entry.body['seed']}")
        print(f"  抽中 {len(entry.body['targets'])} 家：{'、'.join(entry.body['targets'])}")
        if entry.body["teams_error"]:
            print(f"  检查组未能组成：{entry.body['teams_error']}")
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
    _key_options(p)


def _cmd_void(args: argparse.Namespace, ctx: Context) -> int:
    from suiji import tasks

    writer = _writer(args, ctx)
    if args.person is None:
        entry = tasks.void_commitment(writer, args.task, args.reason)
        print(f"任务 {args.task} 的承诺已作废（条目 #{entry.seq}）。")
        return 0
    team = args.team or tasks.team_of(ctx.root, args.task, args.person)
    entry = tasks.void_person(writer, args.task, team, args.person, args.reason)
    b = entry.body
    print(
        f"任务 {args.task}：{b['person']} 已由 {b['replacement']} 替换（{b['role']}，条目 #{entry.seq}）。"
    )
    return 0


def _register_coverage(add: AddFn) -> None:
    p = add("coverage", "覆盖情况：应查未查、超上限和双随机比例 (coverage report)", _cmd_coverage)
    p.add_argument("--json", action="store_true", help="以 JSON 输出 (machine-readable output)")


def _cmd_coverage(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from suiji import coverage, tasks

    rep = tasks.coverage_report(ctx.root, ctx.now)
    if args.json:
        print(json.dumps(rep.to_json(), ensure_ascii=False, sort_keys=True))
    else:
        print(coverage.render_text(rep))
    return 0


_REGISTRY: list[Callable[[AddFn], None]] = [
    _register_check,
    _register_keygen,
    _register_init,
    _register_key,
    _register_commit,
    _register_draw,
    _register_void,
    _register_coverage,
    _register_verify,
    _register_gitcheck,
    _register_ledger,
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
