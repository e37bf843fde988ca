"""The ledger's view of results (`suiji.ledger.results`): versions, corrections, withdrawal.

Entries are appended straight through the appending module with the demo's signing key,
so the view is tested on its own, before any writing step decides what to append.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from suiji.crypto.keyfiles import demo_key
from suiji.ledger import append as ledger_append
from suiji.ledger.objects import ObjectStore, object_id
from suiji.ledger.reading import read_entries
from suiji.ledger.results import results_view
from suiji.ledger.taskhistory import history
from suiji.model.results import ResultContent, ResultEntry
from suiji.shared.canonical import canonical_json
from suiji.shared.times import parse_time

TASK = "2026-005"
"""The demo's task whose results are not yet recorded (the others' are, all year)."""


def _content(task: str, uscc: str, salt: str, observations: str) -> ResultContent:
    return ResultContent(
        salt=salt,
        task=task,
        uscc=uscc,
        started_on=dt.date(2026, 2, 4),
        ended_on=dt.date(2026, 2, 4),
        team=("ZF002",),
        findings=(),
        categories=("已关闭停业或正在组织清算",),
        observations=observations,
        assessment="",
        opinions="",
        penalty=None,
        reported_on=None,
        feedback_on=None,
        rectify_by=None,
        rectified_on=None,
        correction="",
    )


def _append(root: Path, when: str, kind: str, body: dict[str, object], *objects: bytes) -> int:
    entry = ledger_append.append(
        root,
        kind,
        body,
        key=demo_key("signing"),
        now=parse_time(when),
        clock_overridden=True,
        objects=objects,
    )
    return entry.seq


def test_versions_corrections_and_withdrawal_as_the_view_shows_them(demo_copy: Path) -> None:
    root = demo_copy
    before = len(results_view(read_entries(root), ObjectStore(root)))
    draw = history(root).tasks[TASK].draw
    assert draw is not None
    a, b = draw.body.targets[:2]
    objs = [canonical_json(_content(TASK, a, f"{i:032x}", f"v{i}").to_json()) for i in (1, 2)]
    other = canonical_json(_content(TASK, b, "f" * 32, "b").to_json())
    first = _append(
        root,
        "2026-12-16T02:00:00Z",
        "result",
        ResultEntry(TASK, a, object_id(objs[0]), None).to_json(),
        objs[0],
    )
    second = _append(
        root,
        "2026-12-16T03:00:00Z",
        "result",
        ResultEntry(TASK, a, object_id(objs[1]), first).to_json(),
        objs[1],
    )
    third = _append(
        root,
        "2026-12-16T04:00:00Z",
        "result",
        ResultEntry(TASK, b, object_id(other), None).to_json(),
        other,
    )
    view = results_view(read_entries(root), ObjectStore(root))
    assert len(view) == before + 2
    v1, v2 = view.versions(TASK, a)
    assert (v1.seq, v1.version, v1.superseded_by) == (first, 1, second)
    assert (v2.seq, v2.version, v2.superseded_by) == (second, 2, None)
    assert v2.first_recorded_at == v1.recorded_at == parse_time("2026-12-16T02:00:00Z")
    assert v2.recorded_at == parse_time("2026-12-16T03:00:00Z")
    assert v2.content is not None and v2.content.observations == "v2"
    mine = [r for r in view.current() if r.task == TASK]
    assert [(r.uscc, r.seq) for r in mine] == sorted([(a, second), (b, third)])
    assert [r.seq for r in view.for_task(TASK)] == [r.seq for r in mine]
    assert [r.seq for r in view.for_enterprise(b)] == [third]
    assert view.by_seq(first) is v1 and view.by_seq(0) is None

    gone = _append(
        root,
        "2026-12-17T02:00:00Z",
        "withdrawal",
        {
            "withdrawn": [object_id(o) for o in objs],
            "reason": "信用修复",
            "task": TASK,
            "uscc": a,
        },
    )
    for o in objs:
        (root / "ledger" / "objects" / object_id(o)).unlink()
    view = results_view(read_entries(root), ObjectStore(root))
    versions = view.versions(TASK, a)
    assert [(r.withdrawn_seq, r.content) for r in versions] == [(gone, None), (gone, None)]
    assert view.for_enterprise(b)[0].withdrawn_seq is None
    assert view.versions(TASK, "nobody") == []
