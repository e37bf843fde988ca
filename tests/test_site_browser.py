"""The built demo site in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Python playwright), served on localhost.

Every kind of page loads without console errors or failed requests; axe-core (npm,
injected into the page) reports no serious or critical violation with the large-text and
high-contrast modes off and on; the switches persist across a reload; Tab reaches every
link of every kind of page, skip link first; the finder finds by a two-character substring
exactly the enterprises whose names contain it; the notice check page accepts a code
`suiji notice` issued for the demo and rejects a made-up one, and explains the command
without JavaScript. Screenshots at phone and desktop widths
are written to $SUIJI_SCREENSHOTS (default: the test's tmp folder).

Skipped when Chromium, playwright or axe-core is missing (`.ci/run` installs all three).
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.test_site_build import NOTICE_TASK, build_demo_site, demo_notice_code

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# A bureau made by `suiji new` (test_adoption runs the suite inside one) has no
# node_modules: it uses the checkout's axe-core, handed over through the environment
# (set here at collection, before any test runs a child suite).
if AXE.is_file():
    os.environ.setdefault("SUIJI_AXE_JS", str(AXE))
else:
    AXE = Path(os.environ.get("SUIJI_AXE_JS", str(AXE)))
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PAGES = {
    "home": "",
    "task": "task/2026-004/",
    "presentation": "task/2026-004/#present",
    "result": "result/2026-002/",  # completed below with the first result
    "enterprise": "enterprises/",
    "checklist": "checklist/",
    "registry": "registry/enterprises/",
    "coverage": "coverage/",
    "search": "search/",
    "verify": "verify/",
    "sitemap": "sitemap/",
    "statistics": "statistics/",
    "results": "results/",
    "results-month": "results/",  # completed below with the first month
    "notice-check": "notice-check/",
}

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.is_file() or not AXE.is_file():
    pytest.skip("chromium or axe-core missing (.ci/run installs both)", allow_module_level=True)


@pytest.fixture(scope="module")
def built_site(demo_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_site(demo_year, tmp_path_factory)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def urls(built_site: Path, base: str) -> dict[str, str]:
    first = sorted((built_site / "result" / "2026-002").iterdir())[0].name
    out = {k: base + v for k, v in PAGES.items()}
    out["result"] = f"{base}result/2026-002/{first}/"
    ent = sorted((built_site / "enterprise").iterdir())[0].name
    out["enterprise"] = f"{base}enterprise/{ent}/"
    month = sorted(p.parent.name for p in (built_site / "results").glob("*/index.html"))[0]
    out["results-month"] = f"{base}results/{month}/"
    return out


def open_page(browser: Any, url: str, width: int = 1280) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.goto(url, wait_until="load")
    return page, problems


def serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def test_every_kind_of_page_loads_cleanly_and_passes_axe(
    built_site: Path, base: str, browser: Any
) -> None:
    for kind, url in urls(built_site, base).items():
        for modes in ((), ("large", "contrast")):
            page, problems = open_page(browser, url)
            for mode in modes:
                # a programmatic click: in presentation mode the overlay covers the buttons
                page.evaluate(f"document.querySelector('[data-pref=\\'{mode}\\']').click()")
                assert page.evaluate(f"document.documentElement.classList.contains('{mode}')")
            assert not problems, (kind, problems)
            assert not serious(page), (kind, modes, serious(page))
            page.close()


def test_presentation_mode_fills_the_screen_with_the_drawn_list(
    built_site: Path, base: str, browser: Any
) -> None:
    page, problems = open_page(browser, base + "task/2026-004/")
    assert not page.is_visible("#present")
    page.click('a[href="#present"]')
    assert page.is_visible("#present")
    assert page.locator("#present ol.drawn li").count() == 5
    assert (
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('#present .big')).fontSize)"
        )
        >= 30
    )
    assert not problems
    page.close()


def test_the_switches_persist_across_pages(base: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base)
    page.click('[data-pref="large"]')
    assert page.get_attribute('[data-pref="large"]', "aria-pressed") == "true"
    page.goto(base + "checklist/")
    assert page.evaluate("document.documentElement.classList.contains('large')")
    assert not page.evaluate("document.documentElement.classList.contains('contrast')")
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size > 16 * 1.2
    context.close()


@pytest.mark.parametrize("kind", [k for k in PAGES if k != "presentation"])
def test_tab_reaches_every_link_of_every_kind_of_page(
    built_site: Path, base: str, browser: Any, kind: str
) -> None:
    """Keyboard users reach every link a page shows, in order, the skip link first (links
    inside a closed <details> are not shown, so they are not counted until it is opened)."""
    page, _ = open_page(browser, urls(built_site, base)[kind])
    links = page.evaluate(
        "Array.from(document.querySelectorAll('a[href]'))"
        ".filter(a => a.getClientRects().length > 0).map(a => a.href)"
    )
    reached: list[str] = []
    for _ in range(len(links) + 20):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement && document.activeElement.href || ''")
        if href:
            reached.append(href)
    assert reached[0].endswith("#main"), reached[:2]
    assert set(links) <= set(reached), set(links) - set(reached)
    page.close()


def test_the_finder_finds_by_two_characters_in_the_browser(
    built_site: Path, base: str, browser: Any
) -> None:
    data = json.loads((built_site / "data" / "finder.json").read_text("utf-8"))
    names = [e[2] for e in data["enterprises"]]
    piece = next(
        n[i : i + 2]
        for n in names
        for i in range(len(n) - 1)
        if 1 < sum(n[i : i + 2] in m for m in names) < len(names) // 4
    )
    want = sorted(f"{base}enterprise/{e[1]}/" for e in data["enterprises"] if piece in e[2])
    page, problems = open_page(browser, base + "search/")
    page.fill("#q", piece)
    got = page.evaluate(
        "Array.from(document.querySelectorAll('#finder-results a')).map(a => a.href)"
    )
    assert sorted(h for h in got if "/enterprise/" in h) == want, piece
    assert f"找到 {len(got)} 项" in page.inner_text("#finder-status")
    assert not problems
    page.close()


def test_a_demo_notice_code_checks_out_and_a_made_up_one_does_not(
    built_site: Path, base: str, browser: Any
) -> None:
    uscc, code = demo_notice_code(built_site)
    page, problems = open_page(browser, base + "notice-check/")
    assert page.is_visible("form.notice-check")
    for typed, verdict, words in (
        (code, "ok", "核验通过"),
        (code.lower().replace("-", " "), "ok", "核验通过"),  # as an enterprise may type it
        ("7KQ2M-X9D4T", "fail", "核验未通过"),  # made up
    ):
        page.evaluate("document.getElementById('nc-status').removeAttribute('data-verdict')")
        page.fill("#nc-task", NOTICE_TASK)
        page.fill("#nc-uscc", uscc)
        page.fill("#nc-code", typed)
        page.click("form.notice-check button[type=submit]")
        page.wait_for_selector("#nc-status[data-verdict]", timeout=60_000)
        assert page.get_attribute("#nc-status", "data-verdict") == verdict, typed
        assert words in page.inner_text("#nc-status")
    assert not problems
    page.close()


def test_the_notice_check_page_explains_the_command_without_javascript(
    base: str, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "notice-check/")
    assert not page.is_visible("form.notice-check")
    assert "suiji notice-check" in page.inner_text("main")
    context.close()


def test_screenshots_at_phone_and_desktop_widths(
    built_site: Path, base: str, browser: Any, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("SUIJI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    pages = urls(built_site, base)
    for kind in ("home", "task", "presentation", "enterprise", "statistics"):
        for label, width in (("phone", 390), ("desktop", 1280)):
            page, _ = open_page(browser, pages[kind], width)
            target = folder / f"{kind}-{label}.png"
            page.screenshot(path=str(target), full_page=False)
            assert target.stat().st_size > 1000
            # nothing wider than the phone's screen makes the page scroll sideways
            if label == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, kind
            page.close()
