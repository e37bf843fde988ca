"""The dependency rule: a verifier imports neither the publishing side nor pandas."""

from __future__ import annotations

import subprocess
import sys


def test_verifier_core_imports_no_publishing_side() -> None:
    code = (
        "import sys\n"
        "import suiji.verify, suiji.checks, suiji.plan, suiji.draw, suiji.teams, suiji.ledger\n"
        "bad = sorted(m for m in ('pelican', 'jinja2', 'markdown', 'pandas', 'openpyxl', 'suiji.cli')"
        " if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the verifier core imported: {out.stdout.strip()}"
