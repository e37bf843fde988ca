"""`suiji demo DIR`: a whole year through the real commands, with its own fixed today."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from suiji.cli.app import main
from suiji.cli.demo import TODAY
from suiji.ledger.reading import get_object, read_entries
from suiji.shared.canonical import parse_canonical


def test_demo_year_has_every_kind_of_step(demo_year: Path) -> None:
    kinds = [e.kind for e in read_entries(demo_year)]
    assert kinds[0] == "genesis"
    for kind in (
        "commit",
        "commit-void",
        "beacon",
        "draw",
        "person-void",
        "person-replace",
        "result",
        "withdrawal",
    ):
        assert kind in kinds
    # The void is decided by a later round: its replacement is recorded after that round.
    all_entries = list(read_entries(demo_year))
    void = next(e for e in all_entries if e.kind == "person-void")
    rep = next(e for e in all_entries if e.kind == "person-replace")
    beacon = all_entries[rep.body["beacon_seq"]]
    assert "replacement" not in void.body and rep.body["void"] == void.hash
    assert beacon.body["round"] == void.body["beacon"]["round"] and void.seq < beacon.seq < rep.seq
    draws = [e for e in read_entries(demo_year) if e.kind == "draw"]
    plans = {e.body["task"] for e in draws}
    assert plans == {"2026-001", "2026-002", "2026-003", "2026-004", "2026-005"}
    for d in draws:
        result = parse_canonical(get_object(demo_year, d.body["result_object"]))
        assert result["teams"] is not None, d.body["task"]  # every task has its teams
        assert all(len(i["items"]) >= 2 for i in result["items"])


def test_demo_verifies_and_uses_its_own_today(
    demo_year: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUIJI_NOW", raising=False)
    assert main(["--root", str(demo_year), "verify", "--allow-demo"]) == 0
    assert "演示账本：随机数可预测，不具证明力" in capsys.readouterr().out
    assert main(["--root", str(demo_year), "coverage", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["today"] == TODAY[:10]
    # A 重点 enterprise not drawn this year is due.
    assert any(d["rule"] == "key_unit" for d in report["due"])


def test_demo_keeps_its_key_private(demo_year: Path) -> None:
    private = demo_year / "private"
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE((private / "signing.key").stat().st_mode) == 0o600
    assert "private/" in (demo_year / ".gitignore").read_text("utf-8")
    for folder in ("ledger", "content"):
        for path in (demo_year / folder).rglob("*"):
            if path.is_file():
                assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_existing_directory_is_refused_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "d"
    target.mkdir()
    (target / "keep.txt").write_text("mine", "utf-8")
    assert main(["demo", str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
