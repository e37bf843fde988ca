"""Commands for keys and the genesis: keygen, key, init."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from suiji.cli.common import AddFn, Context, _global_options, _key_options, _Parser


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
        help="随机来源：公开随机信标，真实的局用 drand-quicknet（演示用 suiji-demo），可重复"
        " (accepted beacon chain; drand-quicknet for a real bureau)",
    )
    p.add_argument(
        "--extra-only",
        action="store_true",
        help="不用公开信标，只用方案声明的附加输入（福彩3D、现场掷骰）；会打印削弱了什么"
        " (no beacon: extra inputs only, weaker)",
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
        "--witness",
        action="append",
        default=[],
        metavar="VKEY[,URL]",
        help="见证人验证密钥（suiji witness keygen 打印的），可附其服务地址，可重复 (witness)",
    )
    p.add_argument(
        "--witness-threshold", type=int, help="至少几位见证人联署，默认全部 (witness threshold)"
    )
    p.add_argument(
        "--witness-lead",
        type=int,
        help="承诺须在轮次前多少秒得到联署，默认 3600，须短于 --draw-delay (lead seconds)",
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

    from suiji.crypto.ed25519 import PublicKey, public_of
    from suiji.crypto.keyfiles import load_private_key, read_public_key
    from suiji.ledger.append import append_request
    from suiji.ledger.genesis import (
        make_genesis_body,
        refuse_long_witness_lead,
        refuse_short_delay,
    )
    from suiji.ledger.paths import ledger_dir
    from suiji.ledger.requests import Request, read_request, sign_request, write_request
    from suiji.model.genesis import refuse_private_beacons
    from suiji.model.keystate import refuse_demo_genesis
    from suiji.shared.errors import InputError, UsageError

    root_keys = [
        load_private_key(p, passphrase_env=args.root_passphrase_env) for p in args.root_key
    ]
    if args.request:
        request = read_request(args.request)
        if request.kind != "genesis":
            raise UsageError(f"{args.request}: 不是创世请求 (kind genesis)")
    else:
        if not args.origin:
            raise UsageError("需要 --origin（日志名，例如 example.gov.cn/suiji）")
        beacons = _randomness_choice(args)
        roots: dict[bytes, PublicKey] = {}
        for path in args.root_pub:
            pub = read_public_key(path)
            roots[pub.raw] = pub
        for k in root_keys:
            pub = public_of(k)
            roots[pub.raw] = pub
        if not roots:
            raise UsageError("需要至少一个根公钥：--root-pub FILE 或 --root-key FILE")
        threshold = args.threshold if args.threshold is not None else (1 if len(roots) == 1 else 0)
        if threshold == 0:
            raise UsageError(f"有 {len(roots)} 个根密钥，请用 --threshold 指定门限")
        if args.signing_pub:
            signing = read_public_key(args.signing_pub)
        else:
            signing = public_of(load_private_key(args.key, passphrase_env=args.passphrase_env))
        if args.beacon_json:
            try:
                loaded = json.loads(args.beacon_json.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{args.beacon_json}: 无法读取信标 JSON：{exc}") from None
            beacons.extend(loaded if isinstance(loaded, list) else [loaded])
        body = make_genesis_body(
            origin=args.origin,
            roots=list(roots.values()),
            threshold=threshold,
            signing=signing,
            beacons=beacons,
            draw_delay_seconds=args.draw_delay,
            demo=args.demo,
            extra=_extra(args),
        )
        request = Request("genesis", body)
    refuse_demo_genesis(request.body)  # before anything is written
    refuse_short_delay(request.body.get("draw_delay_seconds"))
    refuse_long_witness_lead(request.body)
    refuse_private_beacons(request.body)
    for k in root_keys:
        request = sign_request(request, k)
    if args.prepare:
        write_request(args.prepare, request)
        print(f"已写出创世请求 {args.prepare}（{len(request.sigs)} 个根签名）。")
        print(f"请各根密钥持有人运行 `suiji key sign {args.prepare} --key 根私钥`，")
        print(f"再运行 `suiji init --request {args.prepare} --key 签名私钥`。")
        return 0
    key = load_private_key(args.key, passphrase_env=args.passphrase_env)
    entry = append_request(
        ctx.root, request, key=key, now=ctx.now, clock_overridden=ctx.clock_overridden
    )
    print(f"账本已建立：{ledger_dir(ctx.root)}")
    print(f"创世条目哈希（请公布，验证时用 --pin 固定）：{entry.hash}")
    return 0


def _extra(args: argparse.Namespace) -> dict[str, object] | None:
    """Free genesis members: the bureau's name and the witness policy (`policy.witnesses`)."""
    extra: dict[str, object] = {"name": args.name} if args.name else {}
    if args.witness:
        keys = []
        for spec in args.witness:
            vkey, _, url = spec.partition(",")
            keys.append({"vkey": vkey.strip(), **({"url": url.strip()} if url else {})})
        witnesses: dict[str, object] = {
            "keys": keys,
            "threshold": args.witness_threshold
            if args.witness_threshold is not None
            else len(keys),
        }
        if args.witness_lead is not None:
            witnesses["lead_seconds"] = args.witness_lead
        extra["policy"] = {"witnesses": witnesses}
    return extra or None


EXTRA_ONLY_WARNING = (
    "警告：--extra-only 不使用公开随机信标，抽取结果只取决于方案声明的附加输入"
    "（福彩3D 开奖号码、现场掷骰等）。这削弱了可验证性：能事先知道或影响这些输入的人"
    "（开奖、掷骰或登记的人）就能预知或挑选结果，公众只能相信登记的数值是真实的；"
    "真实的局应使用 --beacon drand-quicknet。"
)


def _randomness_choice(args: argparse.Namespace) -> list[dict[str, object]]:
    """The genesis's beacons, from a choice the bureau must make out loud.

    A bureau that forgets the beacon would otherwise get a ledger whose draws rest on
    extra inputs alone, and learn it only when a verifier asks; so no choice is refused, and
    the weaker choice is named and explained when taken.
    """
    from suiji.shared.errors import UsageError

    chosen = bool(args.beacon or args.beacon_json)
    if args.extra_only and chosen:
        raise UsageError("--extra-only 与 --beacon/--beacon-json 不能同时使用：请只选一种随机来源")
    if not args.extra_only and not chosen:
        raise UsageError(
            "请明确选择随机来源：--beacon drand-quicknet（真实的局推荐，公开、不可预测的 drand"
            " 随机信标）或 --extra-only（只用福彩3D、现场掷骰等附加输入，较弱）",
            code="randomness-choice-needed",
        )
    if args.extra_only:
        print(EXTRA_ONLY_WARNING)
        return []
    from suiji.beacon.chain import chain_facts

    return [dict(chain_facts(name)) for name in args.beacon]


def _register_keygen(add: AddFn) -> None:
    p = add("keygen", "生成 Ed25519 密钥对 (make an Ed25519 key pair)", _cmd_keygen)
    p.add_argument("out", type=Path, help="私钥文件路径；公钥写到 OUT.pub (private key path)")
    p.add_argument("--passphrase-env", metavar="VAR", help="用此环境变量中的口令加密私钥 (encrypt)")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 (overwrite)")


def _cmd_keygen(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.crypto.ed25519 import generate, public_of
    from suiji.crypto.keyfiles import write_key_pair
    from suiji.shared.errors import UsageError

    passphrase = None
    if args.passphrase_env:
        if args.passphrase_env not in os.environ:
            raise UsageError(f"环境变量 {args.passphrase_env} 未设置")
        passphrase = os.environ[args.passphrase_env].encode("utf-8")
    private = generate()
    priv_path, pub_path = write_key_pair(args.out, private, passphrase=passphrase, force=args.force)
    pub = public_of(private)
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
    from suiji.crypto.keyfiles import load_private_key, read_public_key
    from suiji.ledger.append import append_request
    from suiji.ledger.local import signing_key
    from suiji.ledger.reading import genesis, genesis_info
    from suiji.ledger.requests import Request, read_request, sign_request, write_request
    from suiji.model.keychange import KeyChange, key_body

    action = args.key_action
    if action == "sign":
        request = read_request(args.request)
        signed = sign_request(
            request, load_private_key(args.key, passphrase_env=args.passphrase_env)
        )
        write_request(args.request, signed)
        print(f"已签署 {args.request}（共 {len(signed.sigs)} 个根签名）")
        return 0
    if action == "append":
        request = read_request(args.request)
        key = load_private_key(args.key, passphrase_env=args.passphrase_env)
        entry = append_request(
            ctx.root, request, key=key, now=ctx.now, clock_overridden=ctx.clock_overridden
        )
        change = entry.typed
        action = change.action if isinstance(change, KeyChange) else ""
        print(f"已写入条目 #{entry.seq}（{entry.kind} {action}）：{entry.hash}")
        return 0
    if action == "status":
        info = genesis_info(ctx.root)
        writer = signing_key(ctx.root)
        print(f"账本：{info.origin}（demo={str(info.demo).lower()}）")
        print(f"当前签名密钥：{writer.id}")
        return 0
    genesis_hash = genesis(ctx.root).hash
    if action == "add":
        body = key_body(
            "add",
            genesis=genesis_hash,
            key=read_public_key(args.public_key),
            role=args.role,
            threshold=args.threshold,
            reason=args.reason,
        )
    else:
        ref = str(args.key_ref)
        kid = ref if len(ref) == 64 and not Path(ref).exists() else read_public_key(Path(ref)).id
        body = key_body(
            action,
            genesis=genesis_hash,
            key=kid,
            threshold=args.threshold,
            from_seq=getattr(args, "from_seq", None),
            reason=args.reason,
        )
    request = Request("key", body)
    for path in args.sign:
        request = sign_request(request, load_private_key(path, passphrase_env=args.passphrase_env))
    write_request(args.out, request)
    print(f"已写出请求 {args.out}（{len(request.sigs)} 个根签名）。")
    print(f"根密钥持有人用 `suiji key sign {args.out} --key 根私钥` 签署，达到门限后")
    print(f"由签名密钥持有人运行 `suiji key append {args.out}` 写入账本。")
    return 0
