"""Nothing can be withheld: an undrawn commitment past the grace is a `compliance` finding
of `suiji verify` and shows on the site; the grace is the genesis policy's `withheld_hours`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.test_write import COMMIT_AT, commit_seq, only_plans, verify_codes, write

from suiji.cli.app import main


def test_an_undrawn_commitment_is_reported_withheld_after_the_grace(
    bureau: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only_plans(bureau, "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    seq = commit_seq(bureau, "2026-004")
    # The round is at 2026-03-17T09:00:03+08:00; 24 h of grace end a day later.
    assert verify_codes(bureau, "2026-03-18T09:00:00+08:00", capsys) == (0, [])
    code, found = verify_codes(bureau, "2026-03-18T09:01:00+08:00", capsys)
    assert (code, found) == (1, [(seq, "compliance", "withheld")])
    # The writer draws it late: the finding goes, the draw's lateness shows in its time.
    assert write(bureau, "2026-03-18T09:01:00+08:00") == 0
    assert verify_codes(bureau, "2026-03-18T09:02:00+08:00", capsys) == (0, [])


def test_the_grace_is_the_genesis_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policy.withheld_hours = 2`: an undrawn commitment is withheld after two hours."""
    from tests.support.bureau import ORIGIN, SETUP_AT, keygen, write_records

    from suiji.ledger.requests import Request, read_request, write_request

    root = tmp_path / "bureau"
    write_records(root)
    for name in ("root.key", "signing.key"):
        assert keygen(root, name) == 0
    private = root / "private"
    req = tmp_path / "genesis.json"
    base = ["--root", str(root), "--now", SETUP_AT, "init", "--origin", ORIGIN]
    assert (
        main(
            [
                *base,
                "--root-pub",
                str(private / "root.key.pub"),
                "--signing-pub",
                str(private / "signing.key.pub"),
                "--beacon",
                "suiji-demo",
                "--demo",
                "--prepare",
                str(req),
            ]
        )
        == 0
    )
    request = read_request(req)
    write_request(req, Request("genesis", {**request.body, "policy": {"withheld_hours": 2}}))
    assert (
        main(
            [
                *base[:4],
                "init",
                "--request",
                str(req),
                "--root-key",
                str(private / "root.key"),
                "--key",
                str(private / "signing.key"),
            ]
        )
        == 0
    )
    only_plans(root, "2026-004")
    assert write(root, COMMIT_AT) == 0
    seq = commit_seq(root, "2026-004")
    assert verify_codes(root, "2026-03-17T11:00:00+08:00", capsys) == (0, [])
    code, found = verify_codes(root, "2026-03-17T11:01:00+08:00", capsys)
    assert (code, found) == (1, [(seq, "compliance", "withheld")])
    # The site says the same, with the grace in force.
    from suiji.publish.taskpages import task_path

    assert main(["--root", str(root), "--now", "2026-03-17T11:01:00+08:00", "publish"]) == 0
    page = (root / "content" / "generated" / task_path("2026-004")).read_text("utf-8")
    assert "逾期未抽取" in page and "超过 2 小时" in page


def test_withheld_hours_is_a_bounded_policy_member() -> None:
    from datetime import timedelta

    from suiji.model.fields import EntryError
    from suiji.model.genesis import Policy

    assert Policy.from_json({"withheld_hours": 6}).withheld_grace == timedelta(hours=6)
    assert Policy().withheld_grace == timedelta(hours=24)
    for bad, code in ((0, "policy-range"), (169, "policy-range"), ("6", "policy-type")):
        with pytest.raises(EntryError) as err:
            Policy.from_json({"withheld_hours": bad})
        assert err.value.code == code


def test_the_site_shows_a_withheld_commitment(bureau: Path) -> None:
    from suiji.publish.taskpages import task_path

    only_plans(bureau, "2026-004")
    assert write(bureau, COMMIT_AT) == 0
    page = bureau / "content" / "generated" / task_path("2026-004")
    assert main(["--root", str(bureau), "--now", "2026-03-18T09:00:00+08:00", "publish"]) == 0
    assert "尚未抽取" in page.read_text("utf-8")
    assert main(["--root", str(bureau), "--now", "2026-03-18T09:01:00+08:00", "publish"]) == 0
    text = page.read_text("utf-8")
    assert "逾期未抽取" in text and "超过 24 小时" in text
