"""`suiji verify --bureau …`: several bureaus, one report each and a summary."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.bureau import DEMO_NOW
from tests.support.resign import find, resign

from suiji.cli.app import main
from suiji.cli.monitor import report_name


@pytest.fixture
def served(demo_year: Path) -> Iterator[str]:
    """The demo bureau's repository on a local web server (as a published site serves it)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(demo_year))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _tampered(root: Path) -> None:
    def edit(root: Path, values: list[dict[str, object]]) -> None:
        drawn = find(values, "draw", "2026-002")
        body = drawn["body"]
        assert isinstance(body, dict) and body["seed"] != "0" * 64  # the edit changes bytes
        body["seed"] = "0" * 64

    assert resign(root, edit) is not None


def test_several_bureaus_in_parallel(
    demo_year: Path,
    demo_copy: Path,
    served: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _tampered(demo_copy)
    missing = tmp_path / "no-such-bureau"
    out = tmp_path / "reports"
    sources = [str(demo_year), str(demo_copy), served, str(missing)]
    args = ["--now", DEMO_NOW, "verify", "--allow-demo", "--out", str(out), "--jobs", "2"]
    for s in sources:
        args += ["--bureau", s]
    assert main(args) == 1  # one bureau fails, one cannot be read
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert (summary["bureaus"], summary["passed"], summary["failed"]) == (4, 2, 2)
    ok, forged, remote, absent = summary["results"]
    assert ok["ok"] and remote["ok"] and ok["genesis"] == remote["genesis"]
    assert not forged["ok"] and "seed" in forged["codes"]
    assert not absent["ok"] and absent["error"]
    for i, s in enumerate(sources, start=1):
        assert (out / report_name(i, s)).is_file()
    single = json.loads((out / report_name(1, str(demo_year))).read_text("utf-8"))
    assert single["ok"] and single["findings"] == []
    text = capsys.readouterr().out
    assert "共 4 个局：通过 2，未通过 2" in text


def test_pin_and_state_are_for_one_ledger(demo_year: Path, tmp_path: Path) -> None:
    args = ["verify", "--bureau", str(demo_year), "--state", str(tmp_path / "s.json")]
    assert main(args) == 2
