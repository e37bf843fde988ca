"""The layer table (docs/ARCHITECTURE.md) as a checked property of the source tree.

The import graph is read with `ast`, lazy imports included, so a function-level import
cannot hide a dependency or a cycle. "One signer" is checked the same way: only the writing
steps and the CLI may import the appending module.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support import imports as I

SRC = Path(__file__).resolve().parent.parent / "scripts"


def test_every_module_sits_in_a_layer_and_imports_only_downwards() -> None:
    assert I.layer_violations(I.graph(SRC)) == []


def test_the_verifier_imports_none_of_the_writers_modules() -> None:
    assert I.verifier_violations(I.graph(SRC)) == []


def test_there_are_no_import_cycles_lazy_ones_included() -> None:
    assert I.cycles(I.graph(SRC)) == []


def test_only_the_writing_steps_and_the_cli_import_the_appending_module() -> None:
    assert I.appending_violations(I.graph(SRC)) == []


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A private copy of the package to plant bad imports in."""
    shutil.copytree(SRC / "suiji", tmp_path / "suiji")
    return tmp_path


def _plant(root: Path, module: str, line: str) -> None:
    path = root / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _planted() -> None:\n    {line}\n")


def test_a_planted_lazy_cycle_is_found(planted: Path) -> None:
    _plant(planted, "suiji.draw.sampler", "from suiji.draw import teams  # noqa")
    found = I.cycles(I.graph(planted))
    assert any({"suiji.draw.sampler", "suiji.draw.teams"} <= set(c) for c in found), found


def test_a_planted_import_of_the_appending_module_from_the_verifier_is_found(
    planted: Path,
) -> None:
    _plant(planted, "suiji.verify.replay", "from suiji.ledger import append  # noqa")
    assert I.appending_violations(I.graph(planted)) == [
        "suiji.verify.replay:"
        + _last_line(planted, "suiji.verify.replay")
        + " imports suiji.ledger.append"
    ]


def test_a_planted_upward_import_is_found(planted: Path) -> None:
    _plant(planted, "suiji.draw.items", "from suiji.ledger.codec import Entry  # noqa")
    bad = I.layer_violations(I.graph(planted))
    assert len(bad) == 1 and bad[0].startswith("suiji.draw.items:"), bad
    assert "draw engine may not import ledger" in bad[0]


def _last_line(root: Path, module: str) -> str:
    path = root / Path(*module.split(".")).with_suffix(".py")
    return str(len(path.read_text(encoding="utf-8").splitlines()))


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_verifier_loads_no_writer_network_or_excel_code() -> None:
    """`import suiji.verify` must work where fcntl does not exist (Windows) and stay light."""
    loaded = _loaded_after("import suiji.verify")
    assert set(I.VERIFIER_FORBIDDEN) & loaded == set()
    assert not {m for m in loaded if m.startswith(("suiji.ledger.append", "suiji.ledger.local"))}
    assert not {m for m in loaded if m.startswith(("suiji.writing", "suiji.cli", "pelican"))}


def test_the_verifier_does_not_start_a_fork_context_at_import() -> None:
    loaded = _loaded_after("import suiji.verify")
    assert "multiprocessing.popen_fork" not in loaded
    assert "concurrent.futures.process" not in loaded
