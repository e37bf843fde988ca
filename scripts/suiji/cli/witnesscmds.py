"""`suiji witness`: run a witness (keygen, serve, cosign) and the bureau's side (request,
submit, add). docs/spec/19-witnesses.md; the operator's guide is docs/guide/见证人指南.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from suiji.cli.common import AddFn, Context, _global_options, _Parser


def _register_witness(add: AddFn) -> None:
    p = add(
        "witness",
        "见证人：keygen / serve / cosign（见证人运行）；request / submit / add（本局提交与保存联署）"
        " (tlog-witness)",
        _cmd_witness,
    )
    sub = p.add_subparsers(
        dest="witness_action", metavar="动作", parser_class=_Parser, required=True
    )
    common = [_Parser(add_help=False, parents=[_global_options()])]
    q = sub.add_parser(
        "keygen", help="生成见证人私钥，打印公开的验证密钥 (witness key)", parents=common
    )
    q.add_argument("out", type=Path, help="私钥文件路径；验证密钥写到 OUT.vkey")
    q.add_argument("--name", required=True, help="见证人名称，如 justice.example.gov.cn/witness")
    q = sub.add_parser("serve", help="运行见证服务 (POST <prefix>/add-checkpoint)", parents=common)
    q.add_argument("--config", type=Path, required=True, help="见证人配置文件 (witness.toml)")
    q.add_argument("--listen", default="127.0.0.1:7380", help="监听地址，默认 127.0.0.1:7380")
    q.add_argument("--prefix", default="", help="URL 前缀，默认空（即 /add-checkpoint）")
    q = sub.add_parser("cosign", help="离线联署一个 add-checkpoint 请求文件", parents=common)
    q.add_argument("--config", type=Path, required=True, help="见证人配置文件 (witness.toml)")
    q.add_argument("request", type=Path, help="请求文件（suiji witness request 生成）")
    q.add_argument("--out", type=Path, help="联署后的检查点写到此文件（默认打印）")
    q = sub.add_parser("request", help="为离线见证人生成 add-checkpoint 请求文件", parents=common)
    q.add_argument("--old", type=int, default=0, help="见证人上次联署的大小，默认 0")
    q.add_argument("--out", type=Path, required=True, help="请求文件")
    sub.add_parser("submit", help="把当前检查点提交给策略中的见证人并保存联署", parents=common)
    q = sub.add_parser(
        "add", help="保存离线见证人联署的检查点到 ledger/cosignatures/", parents=common
    )
    q.add_argument("file", type=Path, help="suiji witness cosign 写出的文件")


def _cmd_witness(args: argparse.Namespace, ctx: Context) -> int:
    action = args.witness_action
    if action == "keygen":
        return _keygen(args)
    if action == "serve":
        return _serve(args)
    if action == "cosign":
        return _cosign(args, ctx)
    if action == "request":
        from suiji.writing.witnessing import request_body

        args.out.write_bytes(request_body(ctx.root, args.old))
        print(f"已写出请求 {args.out}：请交给见证人运行 suiji witness cosign")
        return 0
    if action == "submit":
        return _submit(ctx)
    return _add(args, ctx)


def _keygen(args: argparse.Namespace) -> int:
    from suiji.crypto.ed25519 import generate
    from suiji.crypto.keyfiles import private_pem
    from suiji.shared.errors import UsageError
    from suiji.witness.config import witness_vkey

    if args.out.exists():
        raise UsageError(f"{args.out} 已存在：不覆盖私钥文件")
    key = generate()
    args.out.write_bytes(private_pem(key))
    args.out.chmod(0o600)
    vkey = witness_vkey(args.name, key)
    Path(f"{args.out}.vkey").write_text(vkey + "\n", encoding="utf-8")
    print(f"见证人私钥：{args.out}（只存在本机，切勿外传）")
    print(f"验证密钥（请交给各局写入创世策略）：{vkey}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from suiji.witness.config import load_witness
    from suiji.witness.server import make_server

    witness = load_witness(args.config)
    host, _, port = args.listen.rpartition(":")
    server = make_server(witness, host or "127.0.0.1", int(port), args.prefix)
    print(f"见证人 {witness.name} 在 {args.listen}{args.prefix}/add-checkpoint 运行", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _cosign(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.cli import exits
    from suiji.standards.note import parse_note
    from suiji.standards.witnessproto import parse_add_checkpoint, parse_signature_lines
    from suiji.witness.config import load_witness

    witness = load_witness(args.config, clock=lambda: int(ctx.now.timestamp()))
    data = args.request.read_bytes()
    answer = witness.add_checkpoint(data)
    if answer.status != 200:
        print(
            f"suiji witness cosign: 未联署（HTTP {answer.status}）："
            f"{answer.body.decode('utf-8', 'replace').strip()}",
            file=sys.stderr,
        )
        return exits.FOUND
    note = parse_note(parse_add_checkpoint(data).note)
    sigs = parse_signature_lines(answer.body)
    out = type(note)(note.text, (*note.signatures, *sigs)).encode()
    if args.out:
        args.out.write_bytes(out)
        print(f"已联署，写出 {args.out}：请交给本局运行 suiji witness add")
    else:
        sys.stdout.write(out.decode("utf-8"))
    return 0


def _submit(ctx: Context) -> int:
    from suiji.cli import exits
    from suiji.cli.renderwrite import witness_lines
    from suiji.writing.witnessing import submit_checkpoint
    from suiji.writing.writerun import Outcome

    out = Outcome(witnessed=submit_checkpoint(ctx.root, now=ctx.now))
    for line in witness_lines(out) or ["创世策略中没有带 url 的见证人：没有可提交的对象"]:
        print(line)
    return exits.FOUND if out.alarms else 0


def _add(args: argparse.Namespace, ctx: Context) -> int:
    from suiji.cli import exits
    from suiji.writing.witnessing import add_cosigned

    kept = add_cosigned(ctx.root, args.file.read_bytes())
    if not kept:
        print(
            f"suiji witness add: {args.file} 中没有策略内见证人的有效联署，未保存",
            file=sys.stderr,
        )
        return exits.FOUND
    print(f"已保存 {'、'.join(kept)} 的联署到 ledger/cosignatures/")
    return 0
