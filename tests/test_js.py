"""The JavaScript verifier's own tests (`node --test tests/js/`), run by pytest so that
`make test` covers them: the vector files read unchanged by the second implementation,
and its replay of the demo ledger compared with `suiji verify` and `suiji ticket`.

Nothing is skipped: without node or `npm ci`'s node_modules the test fails and says so.
The node tests call Python back through SUIJI_PYTHON (this interpreter), so they use the
same suiji as the rest of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_node_tests_pass() -> None:
    node = shutil.which("node")
    assert node is not None, "node is not installed (the browser verifier's tests need it)"
    assert (ROOT / "node_modules" / "@noble" / "hashes").is_dir(), (
        "node_modules is missing: run `npm ci --no-audit --no-fund` first"
    )
    env = {**os.environ, "SUIJI_PYTHON": sys.executable}
    result = subprocess.run(
        [node, "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout
