"""The browser verifier (verifier.html) in a real headless Chromium.

On the built demo site: every step ✓ with WebCrypto's Ed25519 and with the bundled
@noble/curves forced (`?noble=1`), in under 5 s, without console errors, and without any
serious or critical axe-core violation; a downloaded copy opened as file:// verifies the
ledger picked as a folder; on each conformance bureau (`tests/support/conformance.py`)
the page reports the same findings as `suiji verify`; the enterprise self-check shows
the rank `suiji ticket` gives; two builds give the same bytes and the published hash is
theirs. The verify time and the file's size are printed (run with -s to see them).

Skipped when Chromium, playwright, node or axe-core is missing (`.ci/run` installs all).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import CHROMIUM, chromium, serve
from tests.support.conformance import AS_OF, CASES, GOLDEN, make_case
from tests.test_site_build import run, site_settings

from suiji.publish.verifier import cosignature_names

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NODE = shutil.which("node")
DONE = "body[data-state=passed], body[data-state=failed], body[data-state=unavailable]"

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.is_file() or not AXE.is_file() or NODE is None:
    pytest.skip(
        "chromium, node or axe-core missing (.ci/run installs them)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def built_site(demo_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo year's site exactly as `make demo` builds it (at the demo's today)."""
    root = tmp_path_factory.mktemp("verifier-site") / "bureau"
    shutil.copytree(demo_year, root)
    conf = site_settings(tmp_path_factory.mktemp("verifier-conf"))
    code, _, err = run(root, "build", "--settings", str(conf))
    assert code == 0, err
    return root / "output"


@pytest.fixture(scope="module")
def base(built_site: Path) -> Iterator[str]:
    yield from serve(built_site)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium(sync_api)


def open_verifier(browser: Any, url: str, *, bypass_csp: bool = False) -> tuple[Any, list[str]]:
    context = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return page, problems


def wait_done(page: Any) -> str:
    page.wait_for_selector(DONE, timeout=60_000)
    state: str = page.get_attribute("body", "data-state")
    return state


def page_findings(page: Any) -> list[tuple[int, str, str]]:
    out = []
    for li in page.query_selector_all("li.finding"):
        seq = li.get_attribute("data-seq")
        out.append(
            (int(seq) if seq else -1, li.get_attribute("data-tag"), li.get_attribute("data-code"))
        )
    return sorted(out)


@pytest.mark.parametrize("query", ["", "?noble=1"], ids=["webcrypto", "noble"])
def test_demo_site_all_steps_pass(browser: Any, base: str, built_site: Path, query: str) -> None:
    page, problems = open_verifier(browser, base + "verifier.html" + query)
    assert wait_done(page) == "passed", page.inner_text("#result")
    steps = page.query_selector_all("li.step")
    assert steps and all(s.get_attribute("data-ok") == "1" for s in steps)
    tasks = page.query_selector_all("section.task")
    assert tasks
    for task in tasks:  # who cosigned each commitment, and when (the demo's two witnesses)
        witness = task.query_selector('li.step[data-step="witness"]')
        assert witness is not None and witness.get_attribute("data-ok") == "1"
        assert "witness-1.demo.invalid 于 20" in witness.inner_text()
        assert "witness-2.demo.invalid 于 20" in witness.inner_text()
    sealed = page.query_selector('section.task[data-task="2026-006"] li.step[data-step="reveal"]')
    assert sealed is not None and sealed.get_attribute("data-ok") == "1"
    text = page.inner_text("#result")
    assert ("@noble/curves" in text) == (query == "?noble=1")
    assert "网站构建时点" in page.inner_text("#as-of-shown")
    ms = int(page.get_attribute("body", "data-ms"))
    size = (built_site / "verifier.html").stat().st_size
    print(f"\nverifier.html {size} bytes; demo ledger verified in {ms} ms ({query or 'webcrypto'})")
    assert ms < 5000
    assert problems == []
    page.context.close()


def test_no_serious_accessibility_violation(browser: Any, base: str) -> None:
    page, _ = open_verifier(browser, base + "verifier.html", bypass_csp=True)
    wait_done(page)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    page.context.close()


def test_downloaded_copy_verifies_a_picked_folder(
    browser: Any, built_site: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "下载" / "verifier.html"
    copy.parent.mkdir()
    shutil.copyfile(built_site / "verifier.html", copy)
    # the demo's entries are dated by the demo clock, ahead of this machine's: the visitor
    # gives the site's as-of time (offline the page otherwise uses the machine's clock)
    as_of = json.loads((built_site / "data" / "verifier.json").read_text("utf-8"))["as_of"]
    page, problems = open_verifier(browser, copy.as_uri() + "?as_of=" + as_of)
    assert page.get_attribute("body", "data-state") == "idle"
    page.set_input_files("#pick-folder", str(built_site / "ledger"))
    assert wait_done(page) == "passed", page.inner_text("#result")
    assert page.inner_text("#as-of-shown") == f"{as_of}（您指定的时点）"
    assert problems == []
    page.context.close()


def test_downloaded_copy_verifies_a_picked_zip(
    browser: Any, built_site: Path, tmp_path: Path
) -> None:
    import zipfile

    archive = tmp_path / "账本.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted((built_site / "ledger").rglob("*")):
            if path.is_file():
                z.write(path, "bureau/ledger/" + path.relative_to(built_site / "ledger").as_posix())
    copy = tmp_path / "verifier.html"
    shutil.copyfile(built_site / "verifier.html", copy)
    as_of = json.loads((built_site / "data" / "verifier.json").read_text("utf-8"))["as_of"]
    page, problems = open_verifier(browser, copy.as_uri() + "?as_of=" + as_of)
    page.set_input_files("#pick-zip", str(archive))
    assert wait_done(page) == "passed", page.inner_text("#result")
    assert "zip 文件" in page.inner_text("#result")
    assert problems == []
    page.context.close()


def test_missing_ledger_is_unavailable_not_failed(
    browser: Any, tmp_path: Path, built_site: Path
) -> None:
    shutil.copyfile(built_site / "verifier.html", tmp_path / "verifier.html")
    for url in serve(tmp_path):
        page, _ = open_verifier(browser, url + "verifier.html")
        assert wait_done(page) == "unavailable"
        assert "数据无法获取" in page.inner_text("#summary")
        page.context.close()


@pytest.fixture(scope="module")
def case_sites(
    demo_year: Path, built_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Each conformance bureau published like a site: verifier.html, ledger/, data/."""
    top = tmp_path_factory.mktemp("case-sites")
    work = tmp_path_factory.mktemp("case-work")
    for name in CASES:
        root = make_case(demo_year, name, work / name)
        site = top / name
        shutil.copytree(root / "ledger", site / "ledger")
        shutil.copyfile(built_site / "verifier.html", site / "verifier.html")
        (site / "data").mkdir()
        names = sorted(p.name for p in (site / "ledger" / "objects").iterdir())
        meta = {"as_of": AS_OF, "objects": names, "cosignatures": cosignature_names(site)}
        (site / "data" / "verifier.json").write_text(json.dumps(meta), "utf-8")
    yield from serve(top)


@pytest.mark.parametrize("name", list(CASES))
def test_each_conformance_bureau_agrees_with_suiji_verify(
    browser: Any, case_sites: str, name: str
) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    want = sorted(
        (f["seq"] if f["seq"] is not None else -1, f["tag"], f["code"])
        for f in expected["findings"]
    )
    page, _ = open_verifier(browser, f"{case_sites}{name}/verifier.html")
    state = wait_done(page)
    got = page_findings(page)
    page.context.close()
    assert state == ("passed" if expected["ok"] else "failed")
    assert got == want


def test_self_check_shows_the_rank_of_suiji_ticket(
    browser: Any, base: str, built_site: Path
) -> None:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import ticket_view

    root = built_site.parent
    draw = next(e for e in read_entries(root) if e.kind == "draw")
    task, code = draw.body["task"], draw.body["targets"][0]
    view = ticket_view(read_entries(root), ObjectStore(root), task, code)
    assert view.status == "drawn" and view.rank is not None
    page, problems = open_verifier(browser, base + "verifier.html")
    wait_done(page)
    page.fill("#q", code)
    page.click("#self-check button[type=submit]")
    row = page.wait_for_selector(f"#enterprise-draws tr[data-task='{task}']")
    assert row.get_attribute("data-rank") == str(view.rank)
    assert problems == []
    page.context.close()


def test_two_builds_are_identical_and_the_published_hash_matches(
    built_site: Path, tmp_path: Path
) -> None:
    build = ROOT / "theme" / "verifier" / "build.mjs"
    assert NODE is not None
    for name in ("a.html", "b.html"):
        subprocess.run([NODE, str(build), str(tmp_path / name)], check=True, capture_output=True)
    a, b = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert a == b
    published = (built_site / "verifier.html").read_bytes()
    assert published == a
    digest = hashlib.sha256(published).hexdigest()
    assert (built_site / "verifier.html.sha256").read_text("ascii") == f"{digest}  verifier.html\n"
    assert f'id="verifier-sha256">{digest}<' in (built_site / "verify" / "index.html").read_text(
        "utf-8"
    )
    assert (
        json.loads((built_site / "data" / "verifier.json").read_text("utf-8"))["sha256"] == digest
    )
    text = published.decode("utf-8")
    for external in ('src="http', 'href="http', 'src="//', "@import", "url(http"):
        assert external not in text


def test_the_site_lists_its_cosignatures_for_the_page(built_site: Path) -> None:
    """A static site cannot list ledger/cosignatures/: data/verifier.json names its files,
    so the page can apply the witness rule (docs/spec/19-witnesses.md §19.5)."""
    meta = json.loads((built_site / "data" / "verifier.json").read_text("utf-8"))
    folder = built_site / "ledger" / "cosignatures"
    assert meta["cosignatures"] == sorted(p.name for p in folder.iterdir())
    assert meta["cosignatures"], "the demo year is witnessed"


def _sample_tickets(root: Path) -> list[tuple[str, str]]:
    """20 (task, credit code) pairs of the demo, chosen with a fixed seed: random enterprises
    of the registry in random drawn tasks, plus one drawn, one excluded from a task's
    population and one never drawn in any task (so each kind is always among them)."""
    import random

    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.shared.canonical import parse_canonical

    entries = list(read_entries(root))
    store = ObjectStore(root)
    draws = [e for e in entries if e.kind == "draw"]
    tasks = [e.body["task"] for e in draws]
    drawn = {t for e in draws for t in e.body["targets"]}
    commits = {e.body["task"]: e for e in entries if e.kind == "commit"}
    excluded = next(
        (task, x["id"])
        for task in tasks
        for x in parse_canonical(store.get(commits[task].body["population_object"]))["excluded"]
    )
    data = store.get(commits[tasks[-1]].body["snapshots"]["enterprises_object"])
    lines = data.decode("utf-8").splitlines()
    columns = json.loads(lines[0])["columns"]
    codes = sorted(dict(zip(columns, json.loads(x), strict=True))["uscc"] for x in lines[1:])
    rnd = random.Random(20261215)
    never = rnd.choice([c for c in codes if c not in drawn])
    pairs = [(rnd.choice(tasks), c) for c in rnd.sample(codes, 17)]
    target = rnd.choice(draws)
    hit = (target.body["task"], rnd.choice(target.body["targets"]))
    return [*pairs, hit, excluded, (rnd.choice(tasks), never)]


def test_self_check_tickets_equal_python_for_20_enterprises(
    browser: Any, base: str, built_site: Path
) -> None:
    """The page's own tickets, ranks, verdicts (drawn, alternate, not drawn, excluded,
    filtered, retired) and reasons for 20 enterprises of the demo are those of `suiji
    ticket` (suiji.verify.taskview.ticket_view)."""
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.verify.taskview import ticket_view

    root = built_site.parent
    entries = list(read_entries(root))
    store = ObjectStore(root)
    pairs = _sample_tickets(root)
    views = [ticket_view(entries, store, task, code) for task, code in pairs]
    statuses = {v.status for v in views}
    assert {"drawn", "excluded"} <= statuses and statuses & {"not-drawn", "alternate"}, statuses
    page, problems = open_verifier(browser, base + "verifier.html")
    assert wait_done(page) == "passed"
    for (task, code), view in zip(pairs, views, strict=True):
        page.fill("#q", code)
        page.click("#self-check button[type=submit]")
        page.wait_for_selector(f"#enterprise h3:has-text('{code}')")
        row = page.query_selector(f"#enterprise-draws tr[data-task='{task}']")
        if view.status == "unlisted":
            assert row is None, (task, code)
            continue
        assert row is not None, (task, code, view.status)
        got = {a: row.get_attribute(f"data-{a}") for a in ("ticket", "rank", "status", "why")}
        assert got == {
            "ticket": view.ticket,
            "rank": str(view.rank) if view.rank is not None else "",
            "status": view.status,
            "why": view.reason,
        }, (task, code, view)
    assert problems == []
    page.context.close()
