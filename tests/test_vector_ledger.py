"""The SPEC's own vector ledger is a ledger a verifier accepts, not only a byte fixture.

tests/vectors/ledger.json's `entries` case is written into an empty bureau directory exactly
as a stranger would (the file and the checkpoint, nothing else) and verified by the library
with every semantic checker and by the CLI. If the vectors ever use a kind, a chain or a
genesis rule the SPEC does not accept, this fails (docs/spec/04-ledger.md §4.7).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.support import vectors

from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
from suiji.verify.checkers import default_checkers
from suiji.verify.verifier import verify

NOW = datetime(2026, 4, 1, tzinfo=UTC)


def write_vector_ledger(root: Path) -> Path:
    out = vectors.case("ledger", "entries").output
    ld = ledger_dir(root)
    ld.mkdir(parents=True)
    (ld / LEDGER_FILE).write_bytes(out["file"].encode())
    (ld / CHECKPOINT_FILE).write_bytes(out["checkpoint"].encode())
    return root


def test_vector_ledger_verifies_with_the_library(tmp_path: Path) -> None:
    root = write_vector_ledger(tmp_path / "bureau")
    report = verify(root, now=NOW, checkers=default_checkers(NOW))
    assert report.findings == ()
    assert report.passes("any")


def test_vector_ledger_verifies_with_the_cli(tmp_path: Path) -> None:
    root = write_vector_ledger(tmp_path / "bureau")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "suiji",
            "verify",
            "--root",
            str(root),
            "--now",
            "2026-04-01T00:00:00Z",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "验证通过" in done.stdout


def test_vector_ledger_is_not_a_demo() -> None:
    genesis_line = vectors.case("ledger", "entries").output["entries"][0]["line"]
    assert '"demo":false' in genesis_line and '"scheme":"test-only"' not in genesis_line
