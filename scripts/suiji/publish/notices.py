"""Advance notices with verification codes, and the printable inspection record per target.

`suiji notice TASK` computes everything first (codes, hashes, every document), then writes
the private documents to `private/notices/<task>/` (git-ignored: each notice holds its
enterprise's code) and, last, the public code file `content/records/notices/<task>.json`
(docs/spec/17-notices.md). The public file is written once: codes already handed out stop
working if it is replaced, so a second run is refused (docs/adr/0035).

Documents are plain HTML files with a print style sheet (docs/adr/0035): a
clerk opens one in any browser and prints it; nothing to install, nothing to render. Every
text that comes from a record is escaped.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from suiji.crypto.noticecode import (
    DEFAULT_ITERATIONS,
    NoticeCodeError,
    NoticeCodes,
    issue_codes,
    parse_codes,
)
from suiji.publish.documents import TargetDoc, TaskDocs
from suiji.records.schema import FINDINGS, RESULT_CATEGORIES
from suiji.shared.errors import InputError, Refusal
from suiji.shared.files import read_regular, write_atomic

NOTICES_DIR = Path("content") / "records" / "notices"
PRIVATE_DIR = Path("private") / "notices"


class NoticesExist(Refusal):
    """The task's codes are public already: replacing them would void notices sent."""

    code = "notice-codes-exist"


def codes_path(root: Path, task: str) -> Path:
    return root / NOTICES_DIR / f"{task}.json"


def private_dir(root: Path, task: str) -> Path:
    return root / PRIVATE_DIR / task


def read_codes(path: Path, task: str) -> NoticeCodes:
    """The public code file of `task` (InputError when absent, NoticeCodeError when bad)."""
    if not path.is_file():
        raise InputError(
            f"没有找到任务 {task} 的公开核验码文件 {path}：本局尚未为该任务发出带核验码的通知书"
            f"（suiji notice {task}），或文件路径有误；持通知书上门者的身份请向本局电话核实",
            code="notice-codes-missing",
        )
    try:
        codes = parse_codes(read_regular(path))
    except NoticeCodeError as exc:
        raise NoticeCodeError(f"{path}: {exc}", code=exc.code) from None
    if codes.task != task:
        raise NoticeCodeError(
            f"{path}: 文件属于任务 {codes.task}，不是 {task}", code="notice-codes-file"
        )
    return codes


@dataclass(frozen=True)
class NoticeRun:
    """What `suiji notice` wrote: the public file, the private folder, and per target."""

    public: Path
    folder: Path
    files: tuple[Path, ...]
    codes: NoticeCodes


def make_notices(
    root: Path,
    docs: TaskDocs,
    today: date,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    randbits: Callable[[int], int] = secrets.randbits,
) -> NoticeRun:
    """Issue the codes, write every notice and inspection record, then the public file."""
    public = codes_path(root, docs.task)
    if public.exists():
        raise NoticesExist(
            f"任务 {docs.task} 的核验码已经公开（{public}）：通知书可能已经送达，重新生成会让"
            f"企业手中的核验码全部失效，所以不会覆盖。要补打通知书，请从 "
            f"{private_dir(root, docs.task)} 重新打印；若通知书确实尚未送出而私有文件已丢失，"
            f"请用 git rm 删除该公开文件并提交（删除会留在历史中），再运行 suiji notice {docs.task}",
        )
    codes, issued = issue_codes(
        docs.task, [t.uscc for t in docs.targets], iterations=iterations, randbits=randbits
    )
    files: dict[Path, bytes] = {}
    folder = private_dir(root, docs.task)
    for t in docs.targets:
        files[folder / f"{t.uscc}-notice.html"] = notice_html(docs, t, issued[t.uscc], today)
    files.update(record_files(root, docs))
    folder.mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        write_atomic(path, data)
    public.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(public, codes.to_bytes())
    return NoticeRun(public, folder, tuple(sorted(files)), codes)


def record_files(root: Path, docs: TaskDocs) -> dict[Path, bytes]:
    """The printable inspection record (检查记录/回执) of every target."""
    folder = private_dir(root, docs.task)
    return {folder / f"{t.uscc}-record.html": record_html(docs, t) for t in docs.targets}


def write_records(root: Path, docs: TaskDocs) -> list[Path]:
    """`suiji inspection-sheet`: (re)write the inspection records; they hold no secret."""
    files = record_files(root, docs)
    private_dir(root, docs.task).mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        write_atomic(path, data)
    return sorted(files)


# ---------------------------------------------------------------- HTML

_STYLE = """
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 12pt;
       max-width: 180mm; margin: 10mm auto; line-height: 1.6; }
h1 { font-size: 18pt; text-align: center; margin-bottom: 0.2em; }
p.no { text-align: center; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; text-align: left; }
.code { font-family: "Courier New", monospace; font-size: 16pt; letter-spacing: 2pt;
        font-weight: bold; }
.sign { margin-top: 2em; }
.blank { display: inline-block; min-width: 40mm; border-bottom: 1px solid #000; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: Sequence[str]) -> bytes:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    ).encode()


def _bureau(docs: TaskDocs) -> str:
    return docs.bureau or docs.unit


def _items_table(t: TargetDoc) -> list[str]:
    rows = [
        "<table>",
        "<tr><th>事项编号</th><th>检查事项</th><th>检查内容</th><th>检查依据</th></tr>",
    ]
    rows += [
        f"<tr><td>{_e(i.id)}</td><td>{_e(i.title)}</td><td>{_e(i.content)}</td>"
        f"<td>{_e(i.legal_basis)}</td></tr>"
        for i in t.items
    ]
    return [*rows, "</table>"]


def _team_table(t: TargetDoc) -> list[str]:
    rows = ["<table>", "<tr><th>姓名</th><th>身份</th><th>执法证号</th></tr>"]
    rows += [
        f"<tr><td>{_e(p.name)}</td><td>{_e(p.role_name)}</td><td>{_e(p.cert_no or '—')}</td></tr>"
        for p in t.team
    ]
    rows.append("</table>")
    if t.pending:
        names = "、".join(p.name for p in t.pending)
        rows.append(f"<p>已撤换、替换人员待随机确定：{_e(names)}（替换人员确定后另行告知）。</p>")
    return rows


def notice_html(docs: TaskDocs, t: TargetDoc, code: str, today: date) -> bytes:
    """The advance notice (检查通知书) to one drawn enterprise, with its code."""
    bureau = _bureau(docs)
    window = f"{docs.window_start:%Y年%-m月%-d日}至{docs.window_end:%Y年%-m月%-d日}"
    body = [
        f"<h1>{_e(bureau)}<br>“双随机、一公开”检查通知书</h1>",
        f'<p class="no">任务编号 {_e(docs.task)}</p>',
        f"<p>{_e(t.name)}（统一社会信用代码 {_e(t.uscc)}）：</p>",
        f"<p>根据随机抽查任务 {_e(docs.task)}「{_e(docs.name)}」（{_e(docs.kind)}抽查），"
        f"你单位被随机抽中。本局{_e(docs.unit)}将于 {_e(window)} 期间对你单位"
        f"{'（' + _e(t.address) + '）' if t.address else ''}进行现场检查。</p>",
        "<h2>一、检查内容</h2>",
        *_items_table(t),
        "<h2>二、检查人员</h2>",
        *_team_table(t),
        "<p>检查时执法人员不少于两人，并主动出示行政执法证件；未出示证件的，你单位有权拒绝检查。</p>",
        "<h2>三、有关要求</h2>",
        "<p>请你单位安排熟悉情况的负责人在场，如实提供与上述检查事项有关的证照、制度、台账、"
        "记录等资料，配合现场检查，不得拒绝、阻挠。</p>",
        "<h2>四、申请回避的权利</h2>",
        "<p>你单位认为检查人员与你单位有直接利害关系或者有其他关系可能影响公正执法的，"
        "有权在检查前或检查中申请其回避（《中华人民共和国行政处罚法》第四十三条）。"
        f"请向{_e(bureau)}提出，并说明理由。</p>",
        "<h2>五、通知书核验码</h2>",
        f'<p class="code">{_e(code)}</p>',
        "<p>为防止有人冒用本通知书，请在本局网站本任务的页面核验上面的核验码，或用公开仓库中的"
        f"核验工具运行：suiji notice-check {_e(docs.task)} {_e(t.uscc)} {_e(code)}。"
        "网站只公布核验码的加盐慢哈希，任何人都不能从公开的信息算出核验码。"
        "核验不通过的，请勿接待，并立即向本局电话核实。核验码只用于本次检查，请勿告诉他人。</p>",
        f'<p class="sign">{_e(bureau)}<br>{today:%Y年%-m月%-d日}</p>',
    ]
    return _page(f"检查通知书 {docs.task} {t.name}", body)


def record_html(docs: TaskDocs, t: TargetDoc) -> bytes:
    """The inspection record with receipt (检查记录/回执) for one target: its drawn items."""
    bureau = _bureau(docs)
    findings = " ".join(f"□{f}" for f in FINDINGS)
    rows = [
        "<table>",
        "<tr><th>事项编号</th><th>检查事项</th><th>检查依据</th><th>检查结果</th><th>情况说明</th></tr>",
    ]
    rows += [
        f"<tr><td>{_e(i.id)}</td><td>{_e(i.title)}</td><td>{_e(i.legal_basis)}</td>"
        f"<td>{_e(findings)}</td><td></td></tr>"
        for i in t.items
    ]
    rows.append("</table>")
    categories = "　".join(f"□{name}" for _, name in RESULT_CATEGORIES)
    people = "、".join(f"{p.name}（{p.role_name}）" for p in t.team)
    body = [
        f"<h1>{_e(bureau)}<br>“双随机、一公开”检查记录</h1>",
        f'<p class="no">任务编号 {_e(docs.task)}「{_e(docs.name)}」</p>',
        "<table>",
        f"<tr><th>被检查单位</th><td>{_e(t.name)}</td></tr>",
        f"<tr><th>统一社会信用代码</th><td>{_e(t.uscc)}</td></tr>",
        f"<tr><th>地址</th><td>{_e(t.address)}</td></tr>",
        f"<tr><th>检查时间</th><td>{'年　月　日　时　分至　年　月　日　时　分'}"
        f"（应在 {docs.window_start.isoformat()} 至 {docs.window_end.isoformat()} 之间）</td></tr>",
        f"<tr><th>抽中的检查人员</th><td>{_e(people)}</td></tr>",
        "<tr><th>实际到场人员</th><td></td></tr>",
        "</table>",
        "<h2>检查事项及结果（只检查抽中的事项）</h2>",
        *rows,
        "<h2>检查结果（可多选）</h2>",
        f"<p>{_e(categories)}</p>",
        "<h2>检查情况、对被检查人的评价、处理意见和建议</h2>",
        '<p style="min-height: 40mm; border: 1px solid #000;"></p>',
        '<p class="sign">检查人员签名：<span class="blank"></span>　'
        '日期：<span class="blank"></span></p>',
        "<h2>回执</h2>",
        f"<p>本单位已接受{_e(bureau)}对上述事项的检查，已知悉检查结果和申请回避的权利。</p>",
        '<p class="sign">被检查单位负责人签名（盖章）：<span class="blank"></span>　'
        '日期：<span class="blank"></span></p>',
    ]
    return _page(f"检查记录 {docs.task} {t.name}", body)
