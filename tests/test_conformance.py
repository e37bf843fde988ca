"""Conformance bureaus, checked by both implementations.

The demo year, valid and tampered in each way an attacker could (`tests/support/
conformance.py`), with its expected `suiji verify --json` report checked in under
`tests/golden/conformance/`. The Python verifier must give exactly that report; the
browser verifier's code, run under node with WebCrypto's Ed25519 and with the bundled
@noble/curves, must agree on the verdict, the hashes and every finding's entry, tag and
code, the re-derivation findings included.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.conformance import AS_OF, CASES, GOLDEN, essentials, make_case, report

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def cases(demo_year: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("conformance")
    return {name: make_case(demo_year, name, base / name) for name in CASES}


def golden(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    return value


def test_every_case_has_its_report() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)
    assert golden("valid")["ok"] is True
    for name in CASES:
        if name != "valid":
            assert golden(name)["findings"], name


@pytest.mark.parametrize("name", list(CASES))
def test_python_gives_the_expected_report(cases: dict[str, Path], name: str) -> None:
    assert report(cases[name]) == golden(name)


def node_report(root: Path, which: str = "") -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(ROOT / "tests" / "js" / "conformance-run.mjs"), str(root), AS_OF, which],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    value: dict[str, Any] = json.loads(done.stdout)
    return value


def comparable(value: dict[str, Any]) -> dict[str, Any]:
    return essentials(value)


@pytest.mark.skipif(NODE is None, reason="node missing (.ci/run installs it)")
@pytest.mark.parametrize("which", ["", "noble"])
@pytest.mark.parametrize("name", list(CASES))
def test_javascript_agrees(cases: dict[str, Path], name: str, which: str) -> None:
    js = node_report(cases[name], which)
    assert comparable(js) == comparable(golden(name))


EXPECTED_FIRST = {
    "changed-byte": "sig-invalid",
    "removed-entry": "seq",
    "reordered-entry": "seq",
    "forged-signature": "sig-invalid",
    "changed-object": "object-corrupt",
    "population-one-short": "population",
    "swapped-target": "draw-result",
    "swapped-team-member": "draw-result",
    "dice-after-the-round": "extra-late",
}


def _bytes(root: Path) -> dict[str, bytes]:
    ld = root / "ledger"
    return {p.relative_to(ld).as_posix(): p.read_bytes() for p in ld.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", sorted(EXPECTED_FIRST))
def test_each_tamper_changes_bytes_and_is_caught_where_it_was_made(
    demo_year: Path, cases: dict[str, Path], name: str
) -> None:
    before = {k: v for k, v in _bytes(demo_year).items() if not k.startswith(".")}
    after = {k: v for k, v in _bytes(cases[name]).items() if not k.startswith(".")}
    assert after != before
    # the first integrity finding: a compliance finding earlier in the ledger (a commitment
    # now without its draw is `withheld`) is a consequence, not the tampered entry
    first = min(
        f["seq"]
        for f in golden(name)["findings"]
        if f["seq"] is not None and f["tag"] == "integrity"
    )
    codes = {f["code"] for f in golden(name)["findings"] if f["seq"] == first}
    assert EXPECTED_FIRST[name] in codes, (name, first, codes)


@pytest.mark.parametrize("name", ["changed-object", "reordered-entry"])
def test_the_command_prints_the_expected_report(cases: dict[str, Path], name: str) -> None:
    """`suiji verify --json` itself (these two once crashed in the deadline check)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "suiji",
            "--root",
            str(cases[name]),
            "--now",
            AS_OF,
            "verify",
            "--json",
            "--allow-demo",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout) == golden(name)
