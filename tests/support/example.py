"""The bundled example county, generated once per test session into a temporary directory.

Tests read these files, never the repository's `content/records/`: a bureau that adopts
suiji replaces those with its own records, and its `make test` must still pass.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from suiji.example.county import generate


@functools.cache
def example_records() -> Path:
    """A read-only-by-convention `content/records/` of the example county (copy to change)."""
    base = Path(tempfile.mkdtemp(prefix="suiji-example-"))
    atexit.register(shutil.rmtree, base, True)
    target = base / "content" / "records"
    generate(target)
    return target
