"""The Pelican build: records are downloads, never pages.

The site is built from the repository's settings, theme and pages with the bundled example
county as its records (never the bureau's own content/records/, which an adopting bureau
replaces)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.example import example_records

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, site / name)
    shutil.copytree(ROOT / "theme", site / "theme")
    shutil.copytree(ROOT / "content" / "pages", site / "content" / "pages")
    shutil.copytree(example_records(), site / "content" / "records")
    out = site / "output"
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-o", str(out), "-s", "pelicanconf.py"],
        cwd=site,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    return out


def test_records_are_offered_for_download_and_never_rendered(tmp_path: Path) -> None:
    out = build(tmp_path)
    records = out / "records"
    # Every record file is copied byte for byte ...
    for src in example_records().rglob("*"):
        if src.is_file():
            copy = records / src.relative_to(example_records())
            assert copy.read_bytes() == src.read_bytes(), copy
    # ... listed on the download page ...
    listing = (records / "index.html").read_text("utf-8")
    for name in (
        "enterprises.csv",
        "checklist.csv",
        "samples/enterprises.xlsx",
        "plans/2026-001.toml",
    ):
        assert f'href="../records/{name}"' in listing or f"/records/{name}" in listing, name
    # ... and nothing but the hand-written pages became HTML.
    pages = sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    assert pages == [
        "about/index.html",
        "enterprises/index.html",
        "index.html",
        "notice-check/index.html",
        "records/index.html",
        "results/index.html",
        "search/index.html",
        "sitemap/index.html",
        "tasks/index.html",
        "verify/index.html",
    ]


def test_pages_speak_chinese(tmp_path: Path) -> None:
    out = build(tmp_path)
    index = (out / "index.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in index
    assert bureau_name() in index


def bureau_name() -> str:
    """AUTHOR in pelicanconf.py: the bureau's name (`suiji new --bureau` writes it)."""
    line = next(
        x
        for x in (ROOT / "pelicanconf.py").read_text("utf-8").splitlines()
        if x.startswith("AUTHOR")
    )
    return str(tomllib.loads(line)["AUTHOR"])
