"""Fixtures built from the bundled example county: a fresh bureau, and the demo's year.

Only fixtures live here; the helpers they call are in tests/support/.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from tests.support import bureau as support

from suiji.cli.app import main
from suiji.cli.demo import run_demo

# Speed is measured in benchmarks/, not asserted by tests: no per-example deadline, so a
# busy machine cannot turn a property test red.
settings.register_profile("suiji", deadline=None)
settings.load_profile("suiji")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the verified-beacon cache out of the user's home during tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo directory after its whole year (built once; copy it before changing it)."""
    target = tmp_path_factory.mktemp("demo") / "bureau"
    run_demo(target, force=False, out=io.StringIO(), main=main)
    assert (target / "ledger" / "ledger.jsonl").is_file()
    return target


@pytest.fixture
def demo_copy(demo_year: Path, tmp_path: Path) -> Path:
    """A private copy of the demo year a test may tamper with."""
    target = tmp_path / "bureau"
    shutil.copytree(demo_year, target)
    return target


@pytest.fixture
def bureau(tmp_path: Path) -> Path:
    """A bureau directory with the example county's records and a demo-chain genesis only."""
    root = tmp_path / "bureau"
    records = support.write_records(root)
    assert (records / "enterprises.csv").is_file()
    for name in support.KEY_NAMES:
        assert support.keygen(root, name) == 0, name
        assert (root / "private" / name).is_file()
    assert support.init(root, "--beacon", "suiji-demo", "--demo") == 0
    assert (root / "ledger" / "ledger.jsonl").is_file()
    return root
