"""Fixtures for the browser verifier's witness rule (tests/js/witnessrule.test.mjs).

`python -m tests.support.js_witness OUT` builds the demo year (witnessed by its two demo
witnesses, threshold two) in OUT/demo and copies of it whose cosignatures an attacker or
an accident changed: one witness's lines removed, one witness's lines forged (a flipped
signature byte), every cosignature removed, a stray file no ledger key signs, and the
ledger rolled back below a cosigned size. It prints one JSON object: each directory and
`suiji verify --json`'s findings for it, which the node test compares with its own.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.js_fixtures import AS_OF, _verify, build_demo

Edit = Callable[[Path], None]


def _lines_of(ledger: Path, witness: str, change: Callable[[str], str | None]) -> None:
    for path in sorted((ledger / "cosignatures").iterdir()):
        out = []
        for line in path.read_text("utf-8").split("\n"):
            if f" {witness} " in line + " " and line.startswith("\u2014 "):
                new = change(line)
                if new is None:
                    continue
                line = new
            out.append(line)
        path.write_text("\n".join(out), "utf-8")


def _flip(line: str) -> str:
    head, blob = line.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    return f"{head} {base64.b64encode(bytes(raw)).decode()}"


def _one_witness_dropped(ledger: Path) -> None:
    _lines_of(ledger, "witness-2.demo.invalid", lambda line: None)


def _forged_line(ledger: Path) -> None:
    _lines_of(ledger, "witness-2.demo.invalid", _flip)


def _no_cosignatures(ledger: Path) -> None:
    shutil.rmtree(ledger / "cosignatures")


def _stray_file(ledger: Path) -> None:
    root = base64.b64encode(bytes(32)).decode()
    (ledger / "cosignatures" / "checkpoint-9999").write_text(
        f"x\n9999\n{root}\n\n\u2014 x AAAAAAAAAA==\n", "utf-8"
    )


def _rolled_back(ledger: Path) -> None:
    path = ledger / "ledger.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))


CASES: dict[str, Edit] = {
    "one_witness_dropped": _one_witness_dropped,
    "forged_line": _forged_line,
    "no_cosignatures": _no_cosignatures,
    "stray_file": _stray_file,
    "rolled_back": _rolled_back,
}


def build(out: Path) -> dict[str, Any]:
    demo = build_demo(out / "demo")
    cases = []
    for name, edit in CASES.items():
        target = out / name
        shutil.copytree(demo / "ledger", target / "ledger")
        edit(target / "ledger")
        cases.append({"name": name, "dir": str(target), "findings": _verify(target)})
    return {"demo": str(demo), "as_of": AS_OF, "findings": _verify(demo), "cases": cases}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(target), ensure_ascii=False))
