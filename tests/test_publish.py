"""`suiji publish`: the site's Markdown from the ledger — complete, inert, deterministic,
incremental — and what Pelican makes of it.

Results come from the ledger's results view; until the ledger records results these tests
give the pages a small stand-in view (`FakeResults`) with the same members.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from suiji.cli.app import main
from suiji.ledger.history import replayed
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.model.results import Penalty, ResultContent, ResultEntry
from suiji.publish.markdown import Page, json_meta, meta, render, text
from suiji.publish.site import publish, write_pages
from suiji.publish.sitepages import enterprise_page
from suiji.verify.taskview import all_tickets, ticket_view

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 15)
AFTER = "2026-12-16T09:00:00+08:00"

ATTACKS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[点此](javascript:alert(3))",
    "![图](http://evil.invalid/x.png)",
    "\n---\nTitle: 伪造\nSlug: evil\n",
    "第一行\n第二行\r\n    缩进\u2028分隔",
    "| 单元格 | 注入 |",
    "&lt;已转义&gt; {filename}/x.md",
)
EVIL = " ".join(ATTACKS)


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- a stand-in results view


@dataclass(frozen=True)
class FakeResult:
    seq: int
    recorded_at: dt.datetime
    first_recorded_at: dt.datetime
    entry: ResultEntry
    content: ResultContent | None
    version: int
    superseded_by: int | None
    withdrawn_seq: int | None


class FakeResults:
    def __init__(self, results: list[FakeResult]) -> None:
        self.all = results

    def versions(self, task: str, uscc: str) -> list[FakeResult]:
        return [r for r in self.all if (r.entry.task, r.entry.uscc) == (task, uscc)]

    def current(self) -> list[FakeResult]:
        latest: dict[tuple[str, str], FakeResult] = {}
        for r in self.all:
            latest[(r.entry.task, r.entry.uscc)] = r
        return [latest[k] for k in sorted(latest)]


def result(task: str, uscc: str, seq: int, *, words: str = "", version: int = 1) -> FakeResult:
    at = dt.datetime(2026, 7, 1, tzinfo=dt.UTC) + dt.timedelta(days=seq)
    content = ResultContent(
        salt="0" * 32,
        task=task,
        uscc=uscc,
        started_on=dt.date(2026, 6, 1),
        ended_on=dt.date(2026, 6, 2),
        team=("ZF001",),
        findings=(("TY-001", "不符合" + words),),
        categories=("发现问题经责令已改正",),
        observations="检查情况" + words,
        assessment="评价" + words,
        opinions="意见" + words,
        penalty=Penalty("应急罚〔2026〕1号" + words, dt.date(2026, 6, 5), "罚款" + words),
        reported_on=dt.date(2026, 6, 3),
        feedback_on=dt.date(2026, 6, 4),
        rectify_by=None,
        rectified_on=None,
        correction=words if version > 1 else "",
    )
    entry = ResultEntry(task, uscc, f"{seq:064x}", None)
    return FakeResult(seq, at, at, entry, content, version, None, None)


def drawn(root: Path, task: str) -> list[str]:
    state = replayed(read_entries(root)).tasks[task]
    assert state.draw is not None
    return list(state.draw.body.targets)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


# ---------------------------------------------------------------- escaping (pure)


def test_text_is_inert_markdown() -> None:
    for attack in ATTACKS:
        out = text(attack)
        assert "\n" not in out and "\r" not in out and "\u2028" not in out
        assert "<" not in out and ">" not in out
        # every Markdown metacharacter is escaped: no unescaped [ ] ( ) ! | left
        assert not re.search(r"(?<!\\)[\[\]()!|`*_]", out), out
    assert text("a & b") == "a &amp; b"
    assert text("ZF001") == "ZF001"


def test_front_matter_values_are_one_escaped_line() -> None:
    assert meta("x\n---\nSlug: evil") == "x --- Slug: evil"
    assert meta("<b>\"'&") == "&lt;b&gt;&quot;&#39;&amp;"
    raw = json_meta({"name": EVIL})
    assert "\n" not in raw and "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw) == {"name": " ".join(ATTACKS)}


def test_a_page_has_exactly_its_own_metadata() -> None:
    page = enterprise_page("91990101MA0000000X", EVIL, None, [], [])
    data = render(page).decode()
    head, _, body = data.partition("\n\n")
    assert [line.split(":")[0] for line in head.split("\n")] == [
        "Title",
        "Slug",
        "Template",
        "Suiji_kind",
        "Suiji_data",
    ]
    assert "\nSlug: enterprise/91990101MA0000000X\n" in data
    assert "<" not in data and "\n---" not in body


# ---------------------------------------------------------------- the demo's pages


def test_publish_writes_every_page_from_the_ledger(demo_copy: Path) -> None:
    shutil.rmtree(demo_copy / "content" / "generated")  # the demo published its own pages
    code, out, err = run(demo_copy, "publish")
    assert code == 0, err
    gen = demo_copy / "content" / "generated"
    files = tree(gen)
    hist = replayed(read_entries(demo_copy))
    for task in (t for t, s in hist.tasks.items() if s.commit is not None):
        assert f"tasks/{task}.md" in files
    assert {"checklist.md", "coverage.md", "registries/enterprises.md"} <= set(files)
    assert "registries/inspectors.md" in files
    assert f"写入 {len(files)} 个" in out
    page = files["tasks/2026-001.md"].decode()
    assert "Slug: task/2026-001\n" in page and "Template: suiji-task\n" in page
    data = json.loads(page.split("\nSuiji_data: ", 1)[1].split("\n", 1)[0])
    assert data["eligible"] == 317 and data["round"] and data["population_object"] in page
    # Every eligible enterprise's ticket and rank, drawn or not, exactly as `suiji ticket`.
    store = ObjectStore(demo_copy)
    tickets = all_tickets(read_entries(demo_copy), store, "2026-001")
    assert len([t for t in tickets if t.rank is not None]) == 317
    for t in tickets[:: max(1, len(tickets) // 25)]:
        one = ticket_view(read_entries(demo_copy), store, "2026-001", t.uscc)
        assert (one.status, one.ticket, one.rank, one.of) == (t.status, t.ticket, t.rank, t.of)
        assert f"| {t.rank}/{t.of} | [{t.uscc}]" in page and f"`{t.ticket}`" in page
    # 一企一档: a drawn enterprise's page names the draw with its rank.
    target = drawn(demo_copy, "2026-001")[0]
    ent = files[f"enterprises/{target}.md"].decode()
    assert "| 抽中 |" in ent and "[2026\\-001]({filename}/generated/tasks/2026-001.md)" in ent


def test_two_runs_give_identical_bytes(demo_year: Path, tmp_path: Path) -> None:
    entries = list(read_entries(demo_year))
    a = publish(demo_year, entries, today=TODAY, out=tmp_path / "a")
    b = publish(demo_year, entries, today=TODAY, out=tmp_path / "b")
    assert a.written == b.written > 300
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_only_changed_pages_are_rewritten(demo_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    targets = drawn(demo_copy, "2026-001")
    results = [result("2026-001", u, 30 + i) for i, u in enumerate(targets[:3])]

    def again(rs: list[FakeResult]) -> tuple[int, int, int, set[str]]:
        before = {p: (out / p).stat().st_mtime_ns for p in tree(out)}
        s = publish(
            demo_copy, read_entries(demo_copy), today=TODAY, results=FakeResults(rs), out=out
        )
        after = {p: (out / p).stat().st_mtime_ns for p in tree(out)}
        changed = {p for p in after if before.get(p) != after[p]}
        return s.written, s.unchanged, s.removed, changed

    first = publish(
        demo_copy, read_entries(demo_copy), today=TODAY, results=FakeResults(results), out=out
    )
    assert first.written == first.pages and first.removed == 0
    written, unchanged, removed, changed = again(results)
    assert (written, removed, changed) == (0, 0, set()) and unchanged == first.pages
    # One more result: its page, its task's, enterprise's and month's pages and the
    # statistics (on-time shares) — nothing else.
    more = [*results, result("2026-001", targets[3], 40)]
    written, _, removed, changed = again(more)
    counted = {"results-by-month/2026-06.md", "statistics.md"}
    assert changed == {
        f"results/2026-001/{targets[3]}.md",
        "tasks/2026-001.md",
        f"enterprises/{targets[3]}.md",
        *counted,
    }
    assert (written, removed) == (5, 0)
    # A result that leaves the view (withdrawn and gone): its page is removed.
    written, _, removed, changed = again(results)
    assert removed == 1 and not (out / f"results/2026-001/{targets[3]}.md").exists()
    assert changed == {"tasks/2026-001.md", f"enterprises/{targets[3]}.md", *counted}
    assert written == 4
    # A person void in the ledger changes that task's page and the void rates only.
    code, _, err = run(
        demo_copy, "--now", AFTER, "void", "2026-004", _officer(demo_copy, "2026-004"),
        "--reason", "因病", "--yes", "--accept-finding",
    )  # fmt: skip
    assert code == 0, err
    written, _, removed, changed = again(results)
    assert changed == {"tasks/2026-004.md", "statistics.md"} and (written, removed) == (2, 0)


def _officer(root: Path, task: str) -> str:
    from suiji.verify.taskview import task_view

    view = task_view(read_entries(root), ObjectStore(root), task)
    return next(m.id for t in view.teams for m in t.members if m.role == "officer")


def test_write_pages_refuses_two_pages_on_one_url(tmp_path: Path) -> None:
    from suiji.publish.site import PageCollision

    a = Page("a.md", "A", "same", "coverage", ["x"])
    b = Page("b.md", "B", "same", "coverage", ["y"])
    with pytest.raises(PageCollision) as exc:
        write_pages(tmp_path, [a, b])
    assert exc.value.code == "publish-collision"


# ---------------------------------------------------------------- injection, through Pelican


def pelican(site_content: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    shutil.copytree(ROOT / "theme", site / "theme")
    shutil.copytree(site_content, site / "content" / "generated")
    out = site / "output"
    proc = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-o", str(out), "-s", "pelicanconf.py"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return out


def test_clerk_text_stays_plain_text_in_markdown_and_html(demo_copy: Path, tmp_path: Path) -> None:
    task = "2026-004"
    code, _, err = run(
        demo_copy, "--now", AFTER, "void", task, _officer(demo_copy, task),
        "--reason", EVIL, "--yes", "--accept-finding",
    )  # fmt: skip
    assert code == 0, err
    targets = drawn(demo_copy, task)
    results = FakeResults(
        [
            result(task, targets[0], 50, words=EVIL),
            result(task, targets[0], 51, words=EVIL, version=2),
        ]
    )
    gen = tmp_path / "generated"
    publish(demo_copy, read_entries(demo_copy), today=TODAY, results=results, out=gen)
    # A page whose title (front matter) is clerk text: an enterprise name.
    (gen / "enterprises" / "evil.md").write_bytes(
        render(Page("enterprises/evil.md", EVIL, "enterprise/evil", "enterprise", [text(EVIL)]))
    )
    pages = {
        "task": gen / "tasks" / f"{task}.md",
        "result": gen / "results" / task / f"{targets[0]}.md",
        "name": gen / "enterprises" / "evil.md",
    }
    for kind, path in pages.items():
        md = path.read_text("utf-8")
        head, _, body = md.partition("\n\n")
        assert len(head.split("\n")) == 5, (kind, head)
        for bad in ("<script", "<img", "\n---\n", "\nSlug: evil"):
            assert bad not in md, (kind, bad)
        for bad in ("](javascript", "!["):  # front matter is HTML-escaped, never Markdown
            assert bad not in body, (kind, bad)
        assert "\n    " not in body
    out = pelican(gen, tmp_path)
    html = {
        "task": out / "task" / task / "index.html",
        "result": out / "result" / task / targets[0] / "index.html",
        "name": out / "enterprise" / "evil" / "index.html",
    }
    assert not (out / "evil").exists()
    # The theme's own scripts (files, never inline) are the only script elements allowed.
    ours = re.compile(
        r'<script src="[./]*/?(theme/js/[a-z]+\.js|data/(finder|notices)\.js)" defer></script>'
    )
    for kind, path in html.items():
        page = ours.sub("", path.read_text("utf-8"))
        for bad in ("<script", "<img", 'javascript:alert(3)"', 'href="javascript', "<h1>伪造"):
            assert bad not in page, (kind, bad)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, kind
        assert "&lt;img src=x onerror=alert(2)&gt;" in page, kind
        assert "[点此](javascript:alert(3))" in page, kind
        assert "&amp;lt;已转义&amp;gt;" in page, kind
        assert "--- Title: 伪造 Slug: evil" in page, kind
    every = "".join(p.read_text("utf-8") for p in out.rglob("*.html"))
    assert "<script" not in ours.sub("", every) and "<img" not in every
