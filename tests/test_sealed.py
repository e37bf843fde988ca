"""Sealed draws (暗查暗访, docs/spec/18-sealed.md): committed in public, computed only by
the holder of the secret, revealed after the inspection, re-derived by the verifier."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.test_write import (
    COMMIT_AT,
    DRAW_AT,
    commit_seq,
    kinds,
    ledger,
    only_plans,
    put,
    verify_codes,
    write,
)

from suiji.cli.app import main
from suiji.ledger.taskhistory import history
from suiji.shared.errors import Refusal
from suiji.writing.sealed import compute_sealed, read_secret, seal

TASK = "2026-004"
IN_WINDOW = "2026-05-30T10:00:00+08:00"  # after the window (ends 2026-05-29), before the deadline
DEADLINE = "2026-06-08T16:00:00Z"  # 2026-05-29 + 10 days, at 24:00 Beijing time
LATE = "2026-06-09T10:00:00+08:00"


def sealed_bureau(bureau: Path, tmp_path: Path) -> Path:
    """The bureau with one sealed plan committed, and its secret outside the bureau."""
    only_plans(bureau, TASK)
    secret = tmp_path / "holder" / f"{TASK}.secret"
    assert (
        main(
            [
                "--root",
                str(bureau),
                "seal",
                str(bureau / "content" / "records" / "plans" / f"{TASK}.toml"),
                "--secret-out",
                str(secret),
            ]
        )
        == 0
    )
    assert write(bureau, COMMIT_AT) == 0
    return secret


def reveal_file(bureau: Path, secret: str) -> None:
    put(bureau, f"reveals/{TASK}.toml", f'secret = "{secret}"\n')


def test_a_sealed_task_is_committed_then_only_its_beacon_is_recorded(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = sealed_bureau(bureau, tmp_path)
    secret = read_secret(secret_file)
    assert len(secret) == 64 and (secret_file.stat().st_mode & 0o777) == 0o600
    assert write(bureau, DRAW_AT) == 0
    assert kinds(bureau)[-2:] == [("commit", TASK), ("beacon", None)]
    before = ledger(bureau)
    assert write(bureau, "2026-03-17T11:00:00+08:00") == 0  # nothing more to do
    assert ledger(bureau) == before
    assert verify_codes(bureau, "2026-03-20T10:00:00+08:00", capsys) == (0, [])
    # The holder computes the draw privately: printed, nothing written.
    capsys.readouterr()
    args = ["--root", str(bureau), "--now", DRAW_AT, "draw", TASK, "--secret", str(secret_file)]
    assert main(args) == 0
    out = capsys.readouterr().out
    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    assert all(t in out for t in drawn.body.targets)
    assert ledger(bureau) == before
    # Reveal after the inspection: the writer appends it and the verifier re-derives it.
    reveal_file(bureau, secret)
    assert write(bureau, IN_WINDOW) == 0
    assert kinds(bureau)[-1] == ("reveal", TASK)
    assert verify_codes(bureau, LATE, capsys) == (0, [])


def test_a_wrong_secret_is_refused_and_the_ledger_is_unchanged(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sealed_bureau(bureau, tmp_path)
    assert write(bureau, DRAW_AT) == 0
    reveal_file(bureau, "0" * 64)
    before = ledger(bureau)
    assert write(bureau, IN_WINDOW) == 1
    assert ledger(bureau) == before
    with pytest.raises(Refusal) as err:
        compute_sealed(bureau, history(bureau), TASK, "0" * 64)
    assert err.value.code == "reveal-secret"


def test_a_late_reveal_is_recorded_and_reported(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    seq = commit_seq(bureau, TASK)
    assert verify_codes(bureau, LATE, capsys) == (1, [(seq, "compliance", "withheld")])
    reveal_file(bureau, secret)
    assert write(bureau, LATE) == 0
    reveal_seq = len(kinds(bureau)) - 1
    code, found = verify_codes(bureau, LATE, capsys)
    assert (code, found) == (1, [(reveal_seq, "compliance", "reveal-late")])


def test_the_secret_must_be_written_outside_the_bureau(bureau: Path) -> None:
    only_plans(bureau, TASK)
    plan = bureau / "content" / "records" / "plans" / f"{TASK}.toml"
    text = plan.read_bytes()
    with pytest.raises(Refusal) as err:
        seal(bureau, plan, bureau / "private" / "x.secret")
    assert err.value.code == "secret-inside-repository"
    assert plan.read_bytes() == text
    assert not (bureau / "private" / "x.secret").exists()
