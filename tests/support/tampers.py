"""Re-signed tampers of the demo year, shared by the Python and the JavaScript checks.

Each is an edit for `tests.support.resign.resign(root, edit)`: it changes what an attacker
holding the bureau's (demo) key would change, and `resign` recomputes every hash, link and
signature after it, so only re-derivation can catch it. `tests/test_checks.py` asserts
`suiji verify`'s finding for each; `tests/support/js_fixtures.py` and
`tests/support/conformance.py` hand the same tampered copies to the browser verifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.resign import find, get, put

from suiji.ledger.append import put_object
from suiji.shared.canonical import canonical_json


def population_short(root: Path, values: list[dict[str, Any]]) -> None:
    commit = find(values, "commit", "2026-001")
    pop = get(root, commit["body"]["population_object"])
    pop["members"] = pop["members"][1:]
    commit["body"]["population_object"] = put(root, pop)
    commit["body"]["eligible"] -= 1


def swap_target(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    alternate = result["targets"]["alternates"][0]["id"]
    assert alternate != result["targets"]["selected"][0]["id"]  # the swap changes bytes
    result["targets"]["selected"][0]["id"] = alternate
    result["items"][0]["target"] = alternate
    drawn["body"]["targets"][0] = alternate
    drawn["body"]["result_object"] = put(root, result)


def change_quota(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-003")
    result = get(root, drawn["body"]["result_object"])
    result["targets"]["quotas"][0]["quota"] += 1
    drawn["body"]["result_object"] = put(root, result)


def swap_team_member(root: Path, values: list[dict[str, Any]]) -> None:
    """Two officers trade teams. The draw is random per run (fresh demo keys), so two teams
    may share an officer at a position: the pair swapped is one that makes a difference."""
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    teams = result["teams"]["teams"]

    def people(team: dict[str, Any]) -> set[str]:
        return {o["person"] for o in team["officers"]}

    a, b, k = next(
        (a, b, k)
        for i, a in enumerate(teams)
        for b in teams[i + 1 :]
        for k in range(min(len(a["officers"]), len(b["officers"])))
        if a["officers"][k]["person"] not in people(b)
        and b["officers"][k]["person"] not in people(a)
    )
    before = canonical_json(result)
    a["officers"][k]["person"], b["officers"][k]["person"] = (
        b["officers"][k]["person"],
        a["officers"][k]["person"],
    )
    assert canonical_json(result) != before  # the swap changes the result's bytes
    drawn["body"]["result_object"] = put(root, result)


def swap_item(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-001")
    result = get(root, drawn["body"]["result_object"])
    first, second = result["items"][0]["items"], result["items"][1]["items"]
    assert first[0] != second[0]  # the swap changes bytes
    first[0], second[0] = second[0], first[0]
    drawn["body"]["result_object"] = put(root, result)


def dice_after_round(root: Path, values: list[dict[str, Any]]) -> None:
    """The dice recorded at the draw's time, when the round was already public."""
    dice = next(
        v for v in values if v["kind"] == "extra-input" and v["body"]["name"] == "现场掷骰（三枚）"
    )
    dice["time"] = find(values, "draw", dice["body"]["task"])["time"]


def other_replacement(root: Path, values: list[dict[str, Any]]) -> None:
    """The bureau records the officer it prefers instead of the one the round decided."""
    rep = find(values, "person-replace")
    assert rep["body"]["replacement"] != "ZF023"
    rep["body"]["replacement"] = "ZF023"


def void_on_a_public_round(root: Path, values: list[dict[str, Any]]) -> None:
    """The void names a round already public (the draw's), so its outcome is known."""
    void = find(values, "person-void")
    drawn = find(values, "draw", void["body"]["task"])
    beacon = values[drawn["body"]["beacon_seq"]]["body"]
    assert void["body"]["beacon"]["round"] != beacon["round"]  # the edit changes bytes
    void["body"]["beacon"]["round"] = beacon["round"]


def replacement_seed(root: Path, values: list[dict[str, Any]]) -> None:
    rep = find(values, "person-replace")
    assert rep["body"]["seed"] != "0" * 64  # the edit changes bytes
    rep["body"]["seed"] = "0" * 64


def late_commit_void(root: Path, values: list[dict[str, Any]]) -> None:
    void = find(values, "commit-void")
    assert void["time"] != "2026-03-22T00:00:00Z"  # the edit changes bytes
    void["time"] = "2026-03-22T00:00:00Z"  # after its round (2026-03-21T01:00:00Z)


def seed(root: Path, values: list[dict[str, Any]]) -> None:
    drawn = find(values, "draw", "2026-002")
    assert drawn["body"]["seed"] != "0" * 64  # the edit changes bytes
    drawn["body"]["seed"] = "0" * 64


def _enterprise_lines(
    root: Path, values: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[bytes]]:
    commit = find(values, "commit", "2026-003")
    oid = commit["body"]["snapshots"]["enterprises_object"]
    return commit, (root / "ledger" / "objects" / oid).read_bytes().split(b"\n")


def drop_enterprise(root: Path, values: list[dict[str, Any]]) -> None:
    """The last commitment's registry snapshot silently loses a row (no retirement)."""
    commit, lines = _enterprise_lines(root, values)
    header = json.loads(lines[0])
    header["rows"] -= 1
    kept = [canonical_json(header), *lines[1:3], *lines[4:]]
    commit["body"]["snapshots"]["enterprises_object"] = put_object(root, b"\n".join(kept))


def bad_snapshot_column(root: Path, values: list[dict[str, Any]]) -> None:
    """A committed enterprise row with a date that does not exist: canonical JSON, a row
    only a reader that checks every column (spec 02 §2.4) rejects."""
    commit, lines = _enterprise_lines(root, values)
    header = json.loads(lines[0])
    row = json.loads(lines[3])
    row[header["columns"].index("added_on")] = "2019-02-30"
    lines[3] = canonical_json(row)
    commit["body"]["snapshots"]["enterprises_object"] = put_object(root, b"\n".join(lines))


def plan_source_differs(root: Path, values: list[dict[str, Any]]) -> None:
    """2026-002's published TOML says 5 enterprises; the plan object that runs says 4."""
    commit = find(values, "commit", "2026-002")
    oid = commit["body"]["plan_source_object"]
    data = (root / "ledger" / "objects" / oid).read_bytes()
    assert b"count = 4 " in data
    commit["body"]["plan_source_object"] = put_object(
        root, data.replace(b"count = 4 ", b"count = 5 ", 1)
    )


def plan_not_normal(root: Path, values: list[dict[str, Any]]) -> None:
    """2026-002's plan object with its filter values out of order (not its normal form)."""
    commit = find(values, "commit", "2026-002")
    plan = get(root, commit["body"]["plan_object"])
    industries = plan["filters"]["industry"]
    assert industries == sorted(industries) and len(industries) > 1
    plan["filters"]["industry"] = industries[::-1]
    commit["body"]["plan_object"] = put(root, plan)
