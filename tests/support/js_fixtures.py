"""Fixtures for the JavaScript verifier's node tests (tests/js/replay.test.mjs).

`python -m tests.support.js_fixtures OUT` builds the demo year in OUT/demo, copies of it
tampered and re-signed with the demo key the way an attacker would (tests/support/resign.py:
a population one short, a swapped target, a swapped team member, dice recorded after the
round, and the other re-signed tampers of tests/test_checks.py), and prints one JSON object: the directories, `suiji verify --json`'s findings for
each, and `suiji ticket`'s ticket and rank for 20 enterprises of the demo chosen at random
(a fixed seed), drawn and never drawn. The node test compares its own results with these.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from tests.support import tampers
from tests.support.resign import find, resign, truncate

from suiji.cli.app import main
from suiji.cli.demo import run_demo

AS_OF = "2026-12-15T00:00:00Z"
Edit = Callable[[Path, list[dict[str, Any]]], None]


def _sealed_wrong_secret(root: Path, values: list[dict[str, Any]]) -> None:
    find(values, "reveal")["body"]["secret"] = "ab" * 32


def _sealed_as_draw(root: Path, values: list[dict[str, Any]]) -> None:
    reveal = find(values, "reveal")
    reveal["kind"] = "draw"
    del reveal["body"]["secret"]


def _sealed_deadline_moved(root: Path, values: list[dict[str, Any]]) -> None:
    commit = find(values, "commit", find(values, "reveal")["body"]["task"])
    commit["body"]["sealed"]["reveal_by"] = "2027-06-30T16:00:00Z"


def _sealed_deadline_earlier(root: Path, values: list[dict[str, Any]]) -> None:
    commit = find(values, "commit", find(values, "reveal")["body"]["task"])
    commit["body"]["sealed"]["reveal_by"] = "2026-01-01T16:00:00Z"


def _sealed_terms_dropped(root: Path, values: list[dict[str, Any]]) -> None:
    del find(values, "commit", find(values, "reveal")["body"]["task"])["body"]["sealed"]


TAMPERS: dict[str, Edit] = {
    "population_short": tampers.population_short,
    "swap_target": tampers.swap_target,
    "swap_team_member": tampers.swap_team_member,
    "dice_after_round": tampers.dice_after_round,
    "change_quota": tampers.change_quota,
    "swap_item": tampers.swap_item,
    "other_replacement": tampers.other_replacement,
    "void_on_a_public_round": tampers.void_on_a_public_round,
    "replacement_seed": tampers.replacement_seed,
    "late_commit_void": tampers.late_commit_void,
    "seed": tampers.seed,
    "drop_enterprise": tampers.drop_enterprise,
    "bad_snapshot_column": tampers.bad_snapshot_column,
    "plan_source_differs": tampers.plan_source_differs,
    "plan_not_normal": tampers.plan_not_normal,
    "sealed_wrong_secret": _sealed_wrong_secret,
    "sealed_as_draw": _sealed_as_draw,
    "sealed_deadline_moved": _sealed_deadline_moved,
    "sealed_deadline_earlier": _sealed_deadline_earlier,
    "sealed_terms_dropped": _sealed_terms_dropped,
}


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def _verify(root: Path) -> list[dict[str, Any]]:
    _code, text = _cli("--root", str(root), "--now", AS_OF, "verify", "--json", "--allow-demo")
    findings: list[dict[str, Any]] = json.loads(text)["findings"]
    return findings


_TICKET_RE = re.compile(r"票号：(0\.[0-9]+)")
_RANK_RE = re.compile(r"名次：第 ([0-9]+) 名（共 ([0-9]+) 家")


def _tickets(demo: Path, n: int = 20) -> list[dict[str, Any]]:
    """`suiji ticket` for n enterprises of the demo registry, each in a random drawn task."""
    ledger = [json.loads(line) for line in (demo / "ledger" / "ledger.jsonl").open()]
    tasks = [e["body"]["task"] for e in ledger if e["kind"] == "draw"]
    commit = next(e for e in reversed(ledger) if e["kind"] == "commit")
    snapshot = demo / "ledger" / "objects" / commit["body"]["snapshots"]["enterprises_object"]
    lines = snapshot.read_text("utf-8").splitlines()
    columns = json.loads(lines[0])["columns"]
    codes = sorted(dict(zip(columns, json.loads(line), strict=True))["uscc"] for line in lines[1:])
    rnd = random.Random(20261215)
    out = []
    for code in rnd.sample(codes, n):
        task = rnd.choice(tasks)
        _status, text = _cli("--root", str(demo), "--now", AS_OF, "ticket", task, code)
        ticket = _TICKET_RE.search(text)
        rank = _RANK_RE.search(text)
        out.append(
            {
                "task": task,
                "code": code,
                "ticket": ticket.group(1) if ticket else None,
                "rank": int(rank.group(1)) if rank else None,
                "of": int(rank.group(2)) if rank else None,
                "drawn": "结果：已抽中" in text,
            }
        )
    return out


def build_demo(demo: Path) -> Path:
    """The demo year in `demo` (quietly)."""
    with redirect_stdout(io.StringIO()):
        run_demo(demo, force=False, out=io.StringIO(), main=main)
    return demo


def build(out: Path) -> dict[str, Any]:
    demo = build_demo(out / "demo")
    cases = []
    for name, edit in TAMPERS.items():
        target = out / name
        shutil.copytree(demo, target)
        changed = resign(target, edit)
        cases.append({"name": name, "dir": str(target), "changed": changed})
    # The last task committed but never drawn: its round is long public (withheld).
    target = out / "withheld"
    shutil.copytree(demo, target)
    lines = (target / "ledger" / "ledger.jsonl").read_bytes().splitlines()
    keep = next(
        i for i, line in enumerate(lines) if json.loads(line)["kind"] == "beacon" and i > 55
    )
    truncate(target, keep)
    resign(target, lambda root, values: None, expect_change=False)
    cases.append({"name": "withheld", "dir": str(target), "changed": keep - 1})
    # The sealed task never revealed: past its reveal deadline it is withheld.
    target = out / "sealed_unrevealed"
    shutil.copytree(demo, target)
    lines = (target / "ledger" / "ledger.jsonl").read_bytes().splitlines()
    values = [json.loads(line) for line in lines]
    reveal = next(i for i, v in enumerate(values) if v["kind"] == "reveal")
    task = values[reveal]["body"]["task"]
    truncate(target, reveal)
    resign(target, lambda root, values: None, expect_change=False)
    commit = next(v["seq"] for v in values if v["kind"] == "commit" and v["body"]["task"] == task)
    cases.append({"name": "sealed_unrevealed", "dir": str(target), "changed": commit})
    for case in cases:
        case["findings"] = _verify(Path(case["dir"]))
    return {
        "demo": str(demo),
        "as_of": AS_OF,
        "findings": _verify(demo),
        "cases": cases,
        "tickets": _tickets(demo),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(target), ensure_ascii=False))
