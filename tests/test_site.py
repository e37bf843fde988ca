"""The Pelican build: records are downloads, never pages (issue 3, point 8)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, site / name)
    shutil.copytree(ROOT / "theme", site / "theme")
    shutil.copytree(ROOT / "content", site / "content")
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
    for src in (ROOT / "content" / "records").rglob("*"):
        if src.is_file():
            copy = records / src.relative_to(ROOT / "content" / "records")
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
    assert pages == ["about/index.html", "index.html", "records/index.html"]


def test_pages_speak_chinese(tmp_path: Path) -> None:
    out = build(tmp_path)
    index = (out / "index.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in index
    assert "示例县应急管理局" in index
