"""tests/vectors/results.json (docs/spec/16-results.md): result objects, demo salts, and the
lifecycle of results (corrections, withdrawals) through the one `History`."""

from __future__ import annotations

from typing import Any

from tests.support import vectors

from suiji.crypto.keyfiles import demo_key
from suiji.ledger.history import History, Recorded, TaskState
from suiji.ledger.objects import object_id
from suiji.model.entries import Withdrawal
from suiji.model.results import ResultContent, ResultEntry
from suiji.model.tasks import Draw
from suiji.shared.canonical import canonical_json
from suiji.writing.results import result_salt


@vectors.parametrize("results", "object")
def test_result_object(case: vectors.Case) -> None:
    value = case.input["object"]
    if case.error is not None:
        assert vectors.raised_code("results", lambda: ResultContent.from_json(value)) == case.error
        return
    content = ResultContent.from_json(value)
    data = canonical_json(content.to_json())
    assert content.to_json() == value
    assert {"bytes": data.decode(), "id": object_id(data)} == case.output


@vectors.parametrize("results", "salt")
def test_demo_salt(case: vectors.Case) -> None:
    i = case.input
    assert result_salt(demo_key("signing"), i["task"], i["uscc"], i["version"]) == case.output


def _drawn(task: str, targets: list[str], seq: int) -> TaskState:
    draw = Draw(task, "unit", 1, "0" * 64, None, (), "0" * 64, tuple(targets), None, "0" * 64)
    return TaskState(task, draw=Recorded(seq, "0" * 64, "2026-02-03T02:00:00Z", draw))


class _Entry:
    """Just what `History.check` and `apply` read of an entry."""

    def __init__(self, seq: int, body: Any) -> None:
        self.seq, self.hash, self.time, self.typed = seq, "0" * 64, "2026-12-16T02:00:00Z", body

    @property
    def moment(self) -> Any:
        from suiji.shared.times import parse_time

        return parse_time(self.time)


@vectors.parametrize("results", "chain")
def test_result_lifecycle(case: vectors.Case) -> None:
    hist = History()
    for i, (task, targets) in enumerate(sorted(case.input["drawn"].items())):
        hist.tasks[task] = _drawn(task, targets, i + 1)
    verdicts = []
    for raw in case.input["entries"]:
        if raw["kind"] == "result":
            body: Any = ResultEntry(
                raw["task"], raw["uscc"], raw["result_object"], raw["corrects_seq"]
            )
        else:
            body = Withdrawal(tuple(raw["withdrawn"]))
        entry: Any = _Entry(raw["seq"], body)
        found = hist.check(entry)
        verdicts.append(found[0].code if found else None)
        if not any(v.fatal for v in found):
            hist.apply(entry)
    assert verdicts == case.output
