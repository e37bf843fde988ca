"""Fixtures built from the bundled example county: a fresh bureau, and the demo's year."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from suiji.cli.app import main
from suiji.cli.demo import TODAY, run_demo
from suiji.example.county import generate

# Speed is measured in benchmarks/, not asserted by tests: no per-example deadline, so a
# busy machine cannot turn a property test red.
settings.register_profile("suiji", deadline=None)
settings.load_profile("suiji")

DEMO_NOW = TODAY


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
    return target


@pytest.fixture
def demo_copy(demo_year: Path, tmp_path: Path) -> Path:
    """A private copy of the demo year a test may tamper with."""
    target = tmp_path / "bureau"
    shutil.copytree(demo_year, target)
    return target


def make_bureau(root: Path, *init_args: str, at: str = "2026-01-05T09:00:00+08:00") -> Path:
    """Example county records, a root and a signing key in private/, and a genesis.

    `init_args` choose the beacon and demo flag, e.g. ("--beacon", "suiji-demo", "--demo").
    Returns `root`; `suiji init`'s exit code is asserted by the caller through the ledger.
    """
    generate(root / "content" / "records")
    (root / "private").mkdir()
    for name in ("root.key", "signing.key"):
        assert main(["--root", str(root), "--now", at, "keygen", str(root / "private" / name)]) == 0
    main(
        [
            "--root",
            str(root),
            "--now",
            at,
            "init",
            "--origin",
            "test.invalid/suiji",
            "--root-key",
            str(root / "private" / "root.key"),
            "--key",
            str(root / "private" / "signing.key"),
            *init_args,
        ]
    )
    return root


@pytest.fixture
def bureau(tmp_path: Path) -> Path:
    """A bureau directory with the example county's records and a demo-chain genesis only."""
    root = make_bureau(tmp_path / "bureau", "--beacon", "suiji-demo", "--demo")
    assert (root / "ledger" / "ledger.jsonl").is_file()
    return root


def suiji(root: Path, now: str, *args: str) -> int:
    """Run a command against `root` at `now` with the bureau's signing key."""
    key = (
        ["--key", str(root / "private" / "signing.key")]
        if args and args[0] in {"commit", "draw", "void"}
        else []
    )
    return main(["--root", str(root), "--now", now, *args, *key])
