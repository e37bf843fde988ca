"""`suiji demo DIR`: the example county's whole year, run through the real commands.

Every step is what a deployment does, with `--now` set to that step's moment: the clerk
puts a file under `content/records/` (a plan, a lottery number, a commitment void, a
recusal, a results file, a withdrawal), and the one writer, `suiji write`, turns the files
into signed entries — draws included, which nobody runs by hand (docs/spec/04-ledger.md
§4.5.3). The records change over the year and the writer runs at each step. The directory gets its own
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

from suiji.cli.demowitness import demo_witness_args
from suiji.crypto.keyfiles import DEMO_KEY_TAG, demo_key, write_key_pair
from suiji.example.county import generate
from suiji.example.year import (
    DRAFTS,
    FILINGS,
    RESULTS,
    SEALED_PLAN,
    SEALED_TASK,
    WITHDRAWAL,
    Filing,
    demo_secret,
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


@dataclass(frozen=True)
class Put:
    """The clerk commits a file under content/records/: copied from `source` (a path in
    the demo directory) or written from `text`."""

    when: str
    what: str
    path: str  # under content/records/
    source: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Seal:
    """The holder of the secret seals a draft plan before it is committed. The demo's
    secret is the published `demo_secret` (a real bureau runs `suiji seal`, which draws
    256 random bits and refuses to write them inside the repository)."""

    when: str
    what: str
    task: str


Item = Step | Filing | Put | Seal


def _write(when: str, what: str) -> Step:
    """The writer's run at `when` (a deployment runs it on every push and every 15 minutes)."""
    return Step(when, f"自动写入（suiji write）：{what}", ("write",))


def _filed(filing: Filing) -> list[Item]:
    """A results file put in place, then checked and recorded by the writer.

    The filing that removes a row ahead of a withdrawal is recorded together with the
    withdrawal request (`_withdrawal`): the writer withdraws first, then finds the rows
    unchanged.
    """
    if filing.when == WITHDRAWAL.removed:
        return [filing]
    return [
        filing,
        Step(filing.when, f"检查 {filing.task} 的结果文件", ("check",)),
        _write(filing.when, f"登记 {filing.task} 的检查结果"),
    ]


def _filing(when: str) -> list[Item]:
    """Every filing at `when` (the demo's script in `suiji.example.year`)."""
    return [x for f in FILINGS if f.when == when for x in _filed(f)]


def _withdrawal(target: Path) -> Put:
    """信用修复: a request to withdraw the penalised result whose row the clerk removed."""
    return Put(
        WITHDRAWAL.when,
        "处罚最短公示期届满、信用修复获准：提交撤回请求（账本留哈希，删除结果对象）",
        f"withdrawals/{WITHDRAWAL.task}.toml",
        text=(f'[[withdraw]]\nuscc = "{withdrawn_uscc(target)}"\nreason = "{WITHDRAWAL.reason}"\n'),
    )


def _plan(when: str, what: str, task: str, source: str | None = None) -> list[Item]:
    """A plan file committed (from drafts/plans/ unless `source`), then the writer commits it."""
    return [
        Put(when, what, f"plans/{task}.toml", source=source or f"drafts/plans/{task}.toml"),
        _write(when, f"承诺 {task}"),
    ]


def _commit_void(target: Path, task: str, reason: str) -> Put:
    """A request to void the task's live commitment (named by its entry number)."""
    from suiji.ledger.taskhistory import history

    live = history(target).live_commit(task)
    if live is None:
        raise DemoFailed(f"演示任务 {task} 没有有效的承诺")
    return Put(
        "2026-03-20T15:00:00+08:00",
        "在信标轮次前提交作废请求（公开理由）；方案文件不改",
        f"voids/commitments/{task}.toml",
        text=f'commit_seq = {live.seq}\nreason = "{reason}"\n',
    )


def _recusal(found: tuple[str, str]) -> Put:
    team, person = found
    return Put(
        "2026-06-20T09:00:00+08:00",
        "被抽中的执法人员申报回避：提交撤换请求",
        "voids/2026-003.toml",
        text=(
            f'[[void]]\nperson = "{person}"\nteam = "{team}"\n'
            'reason = "本人申报与被检查单位存在利害关系，申请回避"\n'
        ),
    )


def _steps(
    target: Path, first_officer: Callable[[], tuple[str, str]]
) -> list[Item | Callable[[], Item]]:
    """The demo year. Callables are resolved when reached (they read earlier entries)."""
    return [
        *_plan("2026-02-02T09:00:00+08:00", "提交春节前烟花爆竹定向抽查方案 2026-002", "2026-002"),
        _write("2026-02-03T10:00:00+08:00", "信标轮次产生后抽取 2026-002"),
        *_filing("2026-02-12T16:00:00+08:00"),
        *_plan("2026-03-16T09:00:00+08:00", "提交第二季度不定向抽查方案 2026-001", "2026-001"),
        Put(
            "2026-03-16T21:40:00+08:00",
            "福彩3D 当晚 21:15 开奖后、信标轮次之前提交开奖号码（附加输入）",
            "inputs/2026-001.toml",
            text='"福彩3D" = "371"\n',
        ),
        _write("2026-03-16T21:40:00+08:00", "登记 2026-001 的附加输入"),
        _write("2026-03-17T10:00:00+08:00", "抽取 2026-001（信标 + 已登记的福彩3D 开奖号码）"),
        *_plan(
            "2026-03-20T09:00:00+08:00",
            "提交重点单位定向抽查方案 2026-004（初稿：数量写错）",
            "2026-004",
            source="drafts/2026-004.toml",
        ),
        lambda: _commit_void(target, "2026-004", "抽取数量写错（应为 5 家），作废后重新承诺"),
        _write("2026-03-20T15:00:00+08:00", "作废 2026-004 的承诺（方案未改：不再承诺）"),
        *_plan("2026-03-23T09:00:00+08:00", "提交改正后的方案 2026-004", "2026-004"),
        _write("2026-03-24T10:00:00+08:00", "抽取 2026-004"),
        *_filing("2026-04-20T16:00:00+08:00"),
        *_filing("2026-04-30T10:00:00+08:00"),
        *_filing("2026-05-15T16:00:00+08:00"),
        *_filing("2026-05-22T16:00:00+08:00"),
        *_filing("2026-06-01T09:00:00+08:00"),
        lambda: _withdrawal(target),
        _write(WITHDRAWAL.when, "撤回该结果，结果文件的其余各行不变"),
        *_plan("2026-06-15T09:00:00+08:00", "提交第三季度分行业分层抽查方案 2026-003", "2026-003"),
        Put(
            "2026-06-15T21:40:00+08:00",
            "福彩3D 开奖后提交开奖号码（附加输入）",
            "inputs/2026-003.toml",
            text='"福彩3D" = "529"\n',
        ),
        _write("2026-06-15T21:40:00+08:00", "登记 2026-003 的福彩3D"),
        Put(
            "2026-06-16T08:30:00+08:00",
            "信标轮次之前公开掷骰（纪检监察人员在场），当场把点数加进同一文件",
            "inputs/2026-003.toml",
            text='"福彩3D" = "529"\n"现场掷骰（三枚）" = "4 2 6"\n',
        ),
        _write("2026-06-16T08:30:00+08:00", "登记掷骰点数（已登记的福彩3D 不再登记）"),
        _write("2026-06-16T10:00:00+08:00", "抽取 2026-003（信标 + 已登记的福彩3D、掷骰点数）"),
        lambda: _recusal(first_officer()),
        _write(
            "2026-06-20T09:00:00+08:00",
            "记录撤换：撤换条目指定 60 秒后的信标轮次，替换人员此时尚不可知",
        ),
        _write("2026-06-20T09:05:00+08:00", "该轮次产生后，按其随机数决定并记录替换人员"),
        *_filing("2026-09-15T16:00:00+08:00"),
        *_sealed_year(target),
        *_plan(
            "2026-12-01T09:00:00+08:00",
            "提交岁末年初烟花爆竹经营单位专项检查方案 2026-005（检查时间 12 月 7 日至 14 日）",
            "2026-005",
        ),
        _write("2026-12-02T10:00:00+08:00", "抽取 2026-005"),
        _write(TODAY, "没有新的文件：账本不变"),
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


SEALED_SECRET = f"private/{SEALED_TASK}.secret"
"""Where the demo keeps its sealed task's (public, predictable) secret."""


def _sealed_year(target: Path) -> list[Item]:
    """暗查暗访: sealed, committed, beacon only at the round, computed privately by the
    holder, inspected, revealed after the inspection, then its results recorded."""
    task = SEALED_TASK
    return [
        Seal("2026-10-12T09:00:00+08:00", f"密钥持有人封存暗查暗访方案 {task}", task),
        *_plan("2026-10-12T09:00:00+08:00", f"提交已封存的暗查暗访方案 {task}", task),
        _write("2026-10-13T10:00:00+08:00", f"信标轮次产生：{task} 只记录信标，不写抽取结果"),
        Step(
            "2026-10-13T10:05:00+08:00",
            f"密钥持有人私下计算 {task} 的抽取结果（只显示，不写入账本）",
            ("show", task, "--secret", str(target / SEALED_SECRET)),
        ),
        Put(
            "2026-10-26T09:00:00+08:00",
            "10 月 19 日至 20 日暗查暗访结束后，持有人提交揭示文件（揭示期限 11 月 2 日）",
            f"reveals/{task}.toml",
            text=f'secret = "{demo_secret(task)}"\n',
        ),
        _write("2026-10-26T09:00:00+08:00", f"记录 {task} 的揭示：抽取结果从此公开并可复核"),
        *_filing("2026-10-27T16:00:00+08:00"),
    ]


def _seal(target: Path, seal: Seal, out: TextIO) -> None:
    """The holder's part: the secret to private/ (demo only), its hash into the draft."""
    from suiji.draw.sealed import secret_hash
    from suiji.writing.sealed import sealed_plan_text

    draft = target / "drafts" / "plans" / f"{seal.task}.toml"
    secret = demo_secret(seal.task)
    print(f"\n== {seal.when[:10]} {seal.what}", file=out)
    print(f"   $ suiji seal {draft} --secret-out 仓库之外的文件（演示：{SEALED_SECRET}）", file=out)
    (target / SEALED_SECRET).write_text(secret + "\n", "ascii")
    (target / SEALED_SECRET).chmod(0o600)
    text = draft.read_text("utf-8")
    draft.write_text(sealed_plan_text(text, secret_hash(secret), str(draft)), "utf-8")


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
        *demo_witness_args(),
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
        elif isinstance(s, Seal):
            _seal(target, s, out)
        elif isinstance(s, Put):
            _put(target, s, out)
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


def _put(target: Path, put: Put, out: TextIO) -> None:
    """The clerk's part: commit a file under content/records/."""
    dest = target / "content" / "records" / put.path
    print(f"\n== {put.when[:10]} {put.what}", file=out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if put.source is not None:
        print(f"   $ cp {target / put.source} {dest}", file=out)
        shutil.copyfile(target / put.source, dest)
    else:
        assert put.text is not None
        print(f"   写入 {dest}：", file=out)
        for line in put.text.splitlines():
            print(f"     {line}", file=out)
        dest.write_text(put.text, "utf-8")


def _lay_out(target: Path) -> None:
    """Records from the example county, a draft plan with a mistake, the demo clock and key."""
    import os

    generate(target / "content" / "records")
    (target / "private").mkdir(mode=0o700)
    drafts = target / "drafts"
    (drafts / "plans").mkdir(parents=True)
    for plan in sorted((target / PLANS).glob("*.toml")):  # committed one by one over the year
        plan.rename(drafts / "plans" / plan.name)
    (drafts / "plans" / f"{SEALED_TASK}.toml").write_text(SEALED_PLAN, "utf-8")
    good = (drafts / "plans" / "2026-004.toml").read_text("utf-8")
    (drafts / "2026-004.toml").write_text(good.replace("count = 5", "count = 3"), "utf-8")
    (target / "suiji-demo.toml").write_text(
        "# 演示目录：固定的“今天”和演示签名私钥（仅供演示，切勿用于真实账本）\n"
        f'now = "{TODAY}"\nkey = "private/signing.key"\n',
        "utf-8",
    )
    (target / ".gitignore").write_text("private/\noutput/\n", "utf-8")
    os.chmod(target / "private", 0o700)


WRITES = frozenset(
    {"commit", "inputs", "draw", "void", "replace", "record", "withdraw", "write", "reveal"}
)
"""The steps that append to the ledger and so ask for confirmation unless --yes is given."""


def _confirmed(args: Sequence[str]) -> tuple[str, ...]:
    """`--yes` for a step that writes: the demo runs unattended."""
    return ("--yes",) if args and args[0] in WRITES else ()


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
