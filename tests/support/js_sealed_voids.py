"""Fixtures for the JavaScript verifier's sealed-void node test (tests/js/sealedvoids.test.mjs).

`python -m tests.support.js_sealed_voids OUT` builds, the way tests/test_sealed_voids.py
does, a bureau whose sealed task has one sealed person void (docs/spec/18-sealed.md §18.12)
disclosed at its reveal and replaced after it, plus copies re-signed with the bureau's key
whose reveal discloses another reason (`forged`), nothing (`missing`) or one void twice
(`twice`), whose sealed void names no live commitment (`other_commitment`), or with a
second sealed void of the same person (`slot_again`), and prints one
JSON object: each directory, the time of verification, and `suiji verify --json`'s findings.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from tests.support import bureau as support
from tests.support.resign import find, resign
from tests.test_sealed import IN_WINDOW, LATE, TASK
from tests.test_sealed_voids import _reveal_with_voids, sealed_void
from tests.test_write import write

from suiji.cli.app import main
from suiji.draw.sealed import sealed_void_hash
from suiji.shared.times import format_time, parse_user_time


def _bureau(out: Path) -> Path:
    """As tests/conftest.py's `bureau` fixture: the example county, a demo-chain genesis."""
    root = out / "bureau"
    support.write_records(root)
    for name in support.KEY_NAMES:
        assert support.keygen(root, name) == 0, name
    assert support.init(root, "--beacon", "suiji-demo", "--demo") == 0
    return root


def _verify(root: Path) -> list[dict[str, Any]]:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--root", str(root), "--now", LATE, "verify", "--json", "--allow-demo"])
    findings: list[dict[str, Any]] = json.loads(out.getvalue())["findings"]
    return findings


def _forged(root: Path, values: list[dict[str, Any]]) -> None:
    find(values, "reveal", TASK)["body"]["voids"][0]["reason"] = "工作调动"
    values[:] = [
        v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
    ]


def _missing(root: Path, values: list[dict[str, Any]]) -> None:
    del find(values, "reveal", TASK)["body"]["voids"]
    values[:] = [
        v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
    ]


def _other_commitment(root: Path, values: list[dict[str, Any]]) -> None:
    """The sealed void names no live sealed commitment: its disclosure then opens nothing."""
    find(values, "sealed-void", TASK)["body"]["commit_seq"] = 0
    _drop_replacement(values)


def _twice(root: Path, values: list[dict[str, Any]]) -> None:
    """The reveal discloses the sealed void twice (each seq once, ascending)."""
    voids = find(values, "reveal", TASK)["body"]["voids"]
    voids.append(dict(voids[0]))


def _slot_again(root: Path, values: list[dict[str, Any]]) -> None:
    """A second sealed void of the same person (another salt), both disclosed: the second
    opened one is `void-slot-again`."""
    first = find(values, "sealed-void", TASK)
    at = values.index(first) + 1
    disclosure = dict(find(values, "reveal", TASK)["body"]["voids"][0])
    disclosure["salt"] = "11" * 32
    content = {k: disclosure[k] for k in ("team", "person", "role", "reason", "beacon")}
    salted = sealed_void_hash(disclosure["salt"], {"task": TASK, **content})
    second = json.loads(json.dumps(first))
    second["body"]["salted"] = salted
    values.insert(at, second)
    _drop_replacement(values)
    for i, v in enumerate(values):
        v["seq"] = i
    disclosure["seq"] = at
    find(values, "reveal", TASK)["body"]["voids"].append(disclosure)


def _drop_replacement(values: list[dict[str, Any]]) -> None:
    values[:] = [
        v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
    ]


def build(out: Path) -> dict[str, Any]:
    with redirect_stdout(io.StringIO()):
        bureau = _bureau(out)
        secret_file, secret, _person, seq = sealed_void(bureau, out)
        _reveal_with_voids(bureau, secret_file, secret)
        assert write(bureau, IN_WINDOW) == 0
        assert write(bureau, IN_WINDOW) == 0  # the replacement
    cases = [{"name": "revealed", "dir": str(bureau), "changed": None}]
    edits = (
        ("forged", _forged),
        ("missing", _missing),
        ("other_commitment", _other_commitment),
        ("twice", _twice),
        ("slot_again", _slot_again),
    )
    for name, edit in edits:
        target = out / name
        shutil.copytree(bureau, target)
        cases.append({"name": name, "dir": str(target), "changed": resign(target, edit)})
    for case in cases:
        case["findings"] = _verify(Path(str(case["dir"])))
    return {"as_of": format_time(parse_user_time(LATE)), "sealed_seq": seq, "cases": cases}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(target), ensure_ascii=False))
