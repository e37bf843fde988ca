"""The plan people read is the plan that runs.

A commitment carries two forms of its plan: the clerk's TOML as written
(`plan_source_object`, what the public reads) and the canonical plan object the draw runs
(`plan_object`). The verifier re-derives the object from the TOML with the clerk's own
parser (`suiji.draw.planfile`) and requires the same bytes (`plan-source`), so a TOML that
says 不定向 5 % cannot sit beside a plan object that excludes a district. A plan's `unit`
must be a 所在股室 of the committed inspector registry (`plan-unit`), as `suiji commit`
requires (docs/spec/13-task-entries.md §13.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from suiji.draw.plan import plan_to_json
from suiji.draw.planfile import plan_from_toml
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import COMMIT
from suiji.model.tasks import Commit
from suiji.records.snapshot import parse_snapshot
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import CanonicalError, InputError
from suiji.shared.findings import Finding
from suiji.shared.text import match_key


def unit_known(unit: str, inspectors: Sequence[Mapping[str, Any]]) -> bool:
    """True if `unit` is the 所在股室 of some row of the inspector registry (by match_key)."""
    key = match_key(unit)
    return any(match_key(str(r["unit"])) == key for r in inspectors)


@dataclass
class PlanChecker:
    """Checks each commitment's two plan forms against each other and its unit."""

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if entry.kind != COMMIT:
            return []
        body = entry.typed_as(Commit)
        out: list[Finding] = []
        try:
            plan = plan_from_toml(objects.get(body.plan_source_object), f"{body.task}.toml")
        except InputError as exc:
            out.append(
                Finding(
                    entry.seq,
                    "integrity",
                    "plan-source",
                    f"承诺的计划文件（plan_source_object）不是有效的计划：{exc}",
                )
            )
        else:
            if canonical_json(plan_to_json(plan)) != objects.get(body.plan_object):
                out.append(
                    Finding(
                        entry.seq,
                        "integrity",
                        "plan-source",
                        "由承诺的计划文件（TOML）复算的方案对象与承诺的方案对象不同：公开的计划不是执行的计划",
                    )
                )
        inspectors = dict(body.snapshots).get("inspectors")
        if inspectors is not None:
            try:
                _, rows = parse_snapshot(objects.get(inspectors))
            except CanonicalError:
                return out  # the replay reports it at this entry (semantic-unreadable)
            if not unit_known(body.unit, rows):
                out.append(
                    Finding(
                        entry.seq,
                        "compliance",
                        "plan-unit",
                        f"执法单位「{body.unit}」不是承诺的执法检查人员名录库中的所在股室",
                    )
                )
        return out

    def finish(self) -> Iterable[Finding]:
        return []
