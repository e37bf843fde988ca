"""`suiji demo DIR`: the example county's whole year, run through the real commands.

Every step is the same `suiji` command a bureau runs, with `--now` set to that step's
moment, so the demo exercises exactly what a deployment does. The directory gets its own
fixed "today" (suiji-demo.toml), so later commands on it never drift with the real clock.

Its keys are the published demo keys (`suiji.crypto.keyfiles.demo_key`): each 32-byte Ed25519 seed is
SHA-256("suiji/demo-key/v1" ‖ 0x0A ‖ role), role "root" or "signing". They are written to
DIR/private/ (outside the records, git-ignored) and, being public, are refused by every
ledger that is not a demo ledger. With fixed keys, times and inputs, two runs give
byte-identical `ledger/` trees (up to the git-ignored .lock and .writer-cache.json), so
the demo's genesis hash is a published constant: `suiji verify --pin` it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from suiji.crypto.keyfiles import DEMO_KEY_TAG, demo_key, write_key_pair
from suiji.example.county import generate
from suiji.example.year import (
    DRAFTS,
    FILINGS,
    RESULTS,
    WITHDRAWAL,
    Filing,
    results_file,
    withdrawn_uscc,
)
from suiji.ledger.reading import genesis
from suiji.shared.errors import CheckFailed, UsageError

TODAY = "2026-12-15T10:00:00+08:00"
ORIGIN = "demo.example-county.invalid/suiji"
BUREAU = "示例县应急管理局"
PLANS = Path("content") / "records" / "plans"


class DemoFailed(CheckFailed):
    """A demo step failed: a bug, since the demo's inputs are fixed."""

    code = "demo-failed"


@dataclass(frozen=True)
class Step:
    """One command of the year: when it runs, what it means, and its arguments."""

    when: str
    what: str
    args: tuple[str, ...]


def _filed(filing: Filing) -> list[Filing | Step]:
    """A results file put in place, then checked and recorded (signed into the ledger).

    The filing that removes a row ahead of a withdrawal is not recorded: `suiji record`
    refuses a recorded result whose row is gone until `suiji withdraw` has withdrawn it.
    """
    if filing.when == WITHDRAWAL.removed:
        return [filing]
    return [
        filing,
        Step(filing.when, f"检查 {filing.task} 的结果文件", ("check",)),
        Step(filing.when, f"登记 {filing.task} 的检查结果：签名写入账本", ("record",)),
    ]


def _filing(when: str) -> list[Filing | Step]:
    """Every filing at `when` (the demo's script in `suiji.example.year`)."""
    return [x for f in FILINGS if f.when == when for x in _filed(f)]


def _withdrawal(target: Path) -> Step:
    """信用修复: withdraw the penalised result whose row the clerk has removed."""
    return Step(
        WITHDRAWAL.when,
        "处罚最短公示期届满、信用修复获准：撤下该结果（账本留哈希，删除结果对象）",
        ("withdraw", WITHDRAWAL.task, withdrawn_uscc(target), "--reason", WITHDRAWAL.reason),
    )


def _steps(
    target: Path, first_officer: Callable[[], tuple[str, str]]
) -> list[Step | Filing | Callable[[], Step]]:
    """The demo year. Callables are resolved when reached (they read earlier results)."""
    plan = str(target / PLANS) + "/{}.toml"
    return [
        Step(
            "2026-02-02T09:00:00+08:00",
            "承诺春节前烟花爆竹定向抽查 2026-002",
            ("commit", plan.format("2026-002")),
        ),
        Step("2026-02-03T10:00:00+08:00", "信标轮次产生后抽取 2026-002", ("draw", "2026-002")),
        *_filing("2026-02-12T16:00:00+08:00"),
        Step(
            "2026-03-16T09:00:00+08:00",
            "承诺第二季度不定向抽查 2026-001",
            ("commit", plan.format("2026-001")),
        ),
        Step(
            "2026-03-16T21:40:00+08:00",
            "福彩3D 当晚 21:15 开奖后、信标轮次之前登记开奖号码（附加输入）",
            ("inputs", "2026-001", "--extra", "福彩3D=371"),
        ),
        Step(
            "2026-03-17T10:00:00+08:00",
            "抽取 2026-001（信标 + 已登记的福彩3D 开奖号码）",
            ("draw", "2026-001"),
        ),
        Step(
            "2026-03-20T09:00:00+08:00",
            "承诺重点单位定向抽查 2026-004（初稿：数量写错）",
            ("commit", str(target / "drafts" / "2026-004.toml")),
        ),
        Step(
            "2026-03-20T15:00:00+08:00",
            "在信标轮次前作废该承诺（公开理由）",
            ("void", "2026-004", "--reason", "抽取数量写错（应为 5 家），作废后重新承诺"),
        ),
        Step("2026-03-23T09:00:00+08:00", "重新承诺 2026-004", ("commit", plan.format("2026-004"))),
        Step("2026-03-24T10:00:00+08:00", "抽取 2026-004", ("draw", "--due")),
        *_filing("2026-04-20T16:00:00+08:00"),
        *_filing("2026-04-30T10:00:00+08:00"),
        *_filing("2026-05-15T16:00:00+08:00"),
        *_filing("2026-05-22T16:00:00+08:00"),
        *_filing("2026-06-01T09:00:00+08:00"),
        lambda: _withdrawal(target),
        Step(
            "2026-06-15T09:00:00+08:00",
            "承诺第三季度分行业分层抽查 2026-003",
            ("commit", plan.format("2026-003")),
        ),
        Step(
            "2026-06-15T21:40:00+08:00",
            "福彩3D 开奖后登记开奖号码（附加输入）",
            ("inputs", "2026-003", "--extra", "福彩3D=529"),
        ),
        Step(
            "2026-06-16T08:30:00+08:00",
            "信标轮次之前公开掷骰（纪检监察人员在场），当场登记点数",
            ("inputs", "2026-003", "--extra", "现场掷骰（三枚）=4 2 6"),
        ),
        Step(
            "2026-06-16T10:00:00+08:00",
            "抽取 2026-003（信标 + 已登记的福彩3D、掷骰点数）",
            ("draw", "2026-003"),
        ),
        lambda: Step(
            "2026-06-20T09:00:00+08:00",
            "被抽中的执法人员申报回避：撤换条目指定 60 秒后的信标轮次，替换人员此时尚不可知",
            (
                "void",
                "2026-003",
                *_person_and_team(first_officer()),
                "--reason",
                "本人申报与被检查单位存在利害关系，申请回避",
            ),
        ),
        Step(
            "2026-06-20T09:05:00+08:00",
            "该轮次产生后，按其随机数决定并记录替换人员",
            ("replace", "2026-003"),
        ),
        *_filing("2026-09-15T16:00:00+08:00"),
        Step(
            "2026-12-01T09:00:00+08:00",
            "承诺岁末年初烟花爆竹经营单位专项检查 2026-005（检查时间 12 月 7 日至 14 日）",
            ("commit", plan.format("2026-005")),
        ),
        Step("2026-12-02T10:00:00+08:00", "抽取 2026-005", ("draw", "2026-005")),
        Step(TODAY, "覆盖情况：重点单位、半年一查单位和双随机比例", ("coverage",)),
        Step(
            TODAY,
            "期限：2026-005 的检查报告今天到期、结果 12 月 24 日前公开，没有逾期的",
            ("deadlines",),
        ),
        Step(
            TODAY,
            "任何人都可以复核：重新验证每个签名、链接和每一次抽取（演示账本须加 --allow-demo）",
            ("verify", "--allow-demo"),
        ),
        Step(
            TODAY,
            "生成公示网站的 Markdown 页面（只读账本）：任务、检查结果（含更正和撤下）、一企一档",
            ("publish",),
        ),
    ]


def run_demo(
    target: Path, *, force: bool, out: TextIO, main: Callable[[Sequence[str]], int]
) -> None:
    """Create the bureau directory at `target` and run the example year in it.

    `main` is the `suiji` command itself (passed in, so this module need not import the
    dispatcher that imports it).
    """

    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        if not force:
            raise UsageError(f"{target} 已存在且不为空；如要重新生成演示，请加 --force")
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    _lay_out(target)

    def run(when: str, what: str, *args: str) -> None:
        print(f"\n== {when[:10]} {what}", file=out)
        print(f"   $ suiji --now {when} {' '.join((*args, *_confirmed(args)))}", file=out)
        code = main(["--root", str(target), "--now", when, *args, *_confirmed(args)])
        if code != 0:
            raise DemoFailed(f"演示步骤失败（退出码 {code}）：suiji {' '.join(args)}")

    root_key, signing_key = target / "private" / "root.key", target / "private" / "signing.key"
    print(f"示例县演示目录：{target}", file=out)
    print(
        "\n== 2026-01-05 写入公开的演示根密钥和签名密钥（私钥只在 private/，不进仓库）\n"
        f'   种子 = SHA-256("{DEMO_KEY_TAG}" ‖ 换行 ‖ "root" 或 "signing")：'
        "任何人都能算出，只能用于演示账本",
        file=out,
    )
    for role, path in (("root", root_key), ("signing", signing_key)):
        write_key_pair(path, demo_key(role))
    run(
        "2026-01-05T09:00:00+08:00",
        "建立账本：创世条目登记密钥、演示信标和抽取延迟",
        "init",
        "--origin",
        ORIGIN,
        "--name",
        BUREAU,
        "--root-key",
        str(root_key),
        "--key",
        str(signing_key),
        "--beacon",
        "suiji-demo",
        "--demo",
    )
    run(
        "2026-01-05T09:30:00+08:00",
        "检查名录库、人员库、专家库、事项清单、回避登记和年度计划",
        "check",
    )
    for step in _steps(target, lambda: _first_officer(target, "2026-003")):
        s = step() if callable(step) else step
        if isinstance(s, Filing):
            _file(target, s, out)
        else:
            run(s.when, s.what, *s.args)
    print(
        f"\n演示完成。账本：{target / 'ledger'}；记录：{target / 'content' / 'records'}", file=out
    )
    pin = genesis(target).hash
    print(f"演示账本的创世条目哈希（每次运行都相同）：{pin}", file=out)
    print(f"验证命令：suiji --root {target} verify --pin {pin} --allow-demo", file=out)
    print(
        "（演示账本的随机数可预测，不具证明力：不加 --allow-demo 时验证以退出码 1 结束）", file=out
    )
    print(
        f"之后在该目录运行的命令默认以 {TODAY} 为“今天”，"
        f"例如：suiji --root {target} verify --allow-demo",
        file=out,
    )


def _file(target: Path, filing: Filing, out: TextIO) -> None:
    """The clerk's part: fill in the results from the draw (drafts/), put the file in place."""
    draft, dest = target / DRAFTS / filing.draft, target / RESULTS / f"{filing.task}.csv"
    print(f"\n== {filing.when[:10]} {filing.what}", file=out)
    print(f"   $ cp {draft} {dest}", file=out)
    draft.parent.mkdir(parents=True, exist_ok=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    draft.write_bytes(results_file(target, filing))
    shutil.copyfile(draft, dest)


def _lay_out(target: Path) -> None:
    """Records from the example county, a draft plan with a mistake, the demo clock and key."""
    import os

    generate(target / "content" / "records")
    (target / "private").mkdir(mode=0o700)
    drafts = target / "drafts"
    drafts.mkdir()
    good = (target / PLANS / "2026-004.toml").read_text("utf-8")
    (drafts / "2026-004.toml").write_text(good.replace("count = 5", "count = 3"), "utf-8")
    (target / "suiji-demo.toml").write_text(
        "# 演示目录：固定的“今天”和演示签名私钥（仅供演示，切勿用于真实账本）\n"
        f'now = "{TODAY}"\nkey = "private/signing.key"\n',
        "utf-8",
    )
    (target / ".gitignore").write_text("private/\noutput/\n", "utf-8")
    os.chmod(target / "private", 0o700)


WRITES = frozenset({"commit", "inputs", "draw", "void", "replace", "record", "withdraw"})
"""The steps that append to the ledger and so ask for confirmation unless --yes is given."""


def _confirmed(args: Sequence[str]) -> tuple[str, ...]:
    """`--yes` for a step that writes: the demo runs unattended."""
    return ("--yes",) if args and args[0] in WRITES else ()


def _person_and_team(found: tuple[str, str]) -> tuple[str, str, str]:
    team, person = found
    return person, "--team", team


def _first_officer(root: Path, task: str) -> tuple[str, str]:
    """The first drawn officer of the task's first team: the demo's recusal case."""
    from suiji.draw.teamdraw import team_draw_from_json
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.taskhistory import history
    from suiji.shared.canonical import parse_canonical

    state = history(root).tasks[task]
    assert state.draw is not None
    result = parse_canonical(ObjectStore(root).get(state.draw.body.result_object))
    if result.get("teams") is None:
        raise DemoFailed(f"演示任务 {task} 的检查组未能组成：{result.get('teams_error')}")
    draw = team_draw_from_json(result["teams"])
    return draw.teams[0].key, draw.teams[0].officers[0].person
