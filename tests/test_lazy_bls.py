"""BLS costs about a second to import: only a signature that is really checked pays for it.

Each check runs in a fresh interpreter, since this test session has long imported py_ecc.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from suiji.beacon.chain import DEMO, QUICKNET, chain_facts, chain_from_facts

PROBE = """
import sys
from suiji.cli.app import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("py_ecc" in sys.modules, code)
"""


def _run(args: list[str], cache: Path) -> tuple[bool, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout.split()
    return out[-2] == "True", out[-1]


def test_importing_the_cli_does_not_import_py_ecc() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import suiji.cli.app"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "suiji.cli" in out.stderr and "py_ecc" not in out.stderr


def test_help_does_not_import_py_ecc(tmp_path: Path) -> None:
    assert _run(["--help"], tmp_path) == (False, "0")
    assert _run(["verify", "--help"], tmp_path) == (False, "0")


def test_verify_without_beacon_entries_never_imports_py_ecc(bureau: Path, tmp_path: Path) -> None:
    ledger = (bureau / "ledger" / "ledger.jsonl").read_text("utf-8")
    assert '"kind":"beacon"' not in ledger.replace(" ", "")
    imported, code = _run(["verify", "--root", str(bureau), "--allow-demo"], tmp_path)
    assert code == "0"
    assert not imported


def test_a_verified_round_cache_hit_never_imports_py_ecc(demo_copy: Path, tmp_path: Path) -> None:
    args = ["verify", "--root", str(demo_copy), "--allow-demo"]
    assert _run(args, tmp_path) == (True, "0")  # cold cache: the pairings are computed
    assert _run(args, tmp_path) == (False, "0")  # warm cache: every round is a hit
    assert _run([*args, "--no-cache"], tmp_path) == (True, "0")


def test_known_chain_keys_are_valid_points_decoded_once() -> None:
    """Known chains skip the key check at construction: the constants are checked here."""
    for name in (QUICKNET, DEMO):
        a = chain_from_facts(chain_facts(name))
        b = chain_from_facts(chain_facts(name))
        assert a._pk_point is b._pk_point  # decoded once per process
