"""The ledger's view of inspection results: every version of every result, and withdrawals.

docs/spec/16-results.md. One `result` entry is one version of one (task, enterprise)'s
result; a later entry with `corrects_seq` supersedes it, and both stay. A `withdrawal`
naming a result's object (信用修复) removes its content from what is published; the
entries and their hashes stay, the objects may be gone. Publishing, exports and deadlines
read results only through this view, so they all agree on what is current.

The view reads what the ledger says and does not judge it: a correction naming a
superseded entry still becomes the next version here, so a page shows what the ledger
holds; whether that was allowed is the verifier's finding (`suiji.ledger.history`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from suiji.draw.resultcheck import check_result
from suiji.ledger.codec import Entry
from suiji.ledger.drawn import drawn_task
from suiji.ledger.history import History
from suiji.ledger.objects import ObjectError, ObjectStore
from suiji.model.entries import Withdrawal
from suiji.model.fields import EntryError
from suiji.model.results import ResultContent, ResultEntry
from suiji.shared.errors import InputError


@dataclass(frozen=True)
class RecordedResult:
    """One version of one (task, enterprise)'s result, as the ledger records it."""

    seq: int  # this version's entry seq
    recorded_at: datetime  # the entry's time
    first_recorded_at: datetime  # time of version 1 = when it was first published
    entry: ResultEntry
    content: ResultContent | None  # None when withdrawn (the object may be gone)
    version: int  # 1, 2, … along corrects_seq
    superseded_by: int | None
    withdrawn_seq: int | None  # the withdrawal entry naming its object

    @property
    def task(self) -> str:
        return self.entry.task

    @property
    def uscc(self) -> str:
        return self.entry.uscc

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_seq is not None


class ResultsView:
    """Every recorded result by (task, enterprise), oldest version first.

    `current()`, `for_task()` and `for_enterprise()` give the latest version of each
    (task, enterprise), withdrawn ones included (their `content` is None and
    `withdrawn_seq` set): a page may say that a result was withdrawn, never what it said.
    """

    def __init__(self, versions: dict[tuple[str, str], list[RecordedResult]]) -> None:
        self._versions = {key: tuple(v) for key, v in sorted(versions.items())}
        self._by_seq = {r.seq: r for v in self._versions.values() for r in v}

    def current(self) -> list[RecordedResult]:
        """The latest version per (task, uscc), sorted by (task, uscc)."""
        return [v[-1] for v in self._versions.values()]

    def versions(self, task: str, uscc: str) -> list[RecordedResult]:
        """Every version of one (task, uscc), oldest first (empty if none)."""
        return list(self._versions.get((task, uscc), ()))

    def for_task(self, task: str) -> list[RecordedResult]:
        """The task's current results, by uscc."""
        return [v[-1] for (t, _), v in self._versions.items() if t == task]

    def for_enterprise(self, uscc: str) -> list[RecordedResult]:
        """The enterprise's current results, by task."""
        return [v[-1] for (_, u), v in self._versions.items() if u == uscc]

    def by_seq(self, seq: int) -> RecordedResult | None:
        """The version recorded by entry `seq` (None if that entry is no result)."""
        return self._by_seq.get(seq)

    def __len__(self) -> int:
        return len(self._versions)


def load_content(store: ObjectStore, oid: str) -> ResultContent:
    """A result object's content, hash-checked and strictly decoded.

    ObjectError (code object-missing / object-corrupt) if the object is gone or altered,
    InputError `result-object-invalid` if its bytes are no valid `suiji/result/v1`.
    """
    data = store.get(oid)
    try:
        value = json.loads(data.decode("utf-8"))
        return ResultContent.from_json(value)
    except (UnicodeDecodeError, ValueError, EntryError) as exc:
        raise InputError(
            f"结果对象 ledger/objects/{oid} 不是有效的 suiji/result/v1：{exc}；运行 suiji verify",
            code="result-object-invalid",
        ) from None


def results_view(entries: Iterable[Entry], store: ObjectStore) -> ResultsView:
    """The results the ledger holds, read in one pass over `entries`.

    Objects of results not withdrawn are read and decoded (ObjectError or InputError if
    one is missing or invalid: `suiji verify` names it); a withdrawn one's is not read.
    """
    recorded: list[tuple[Entry, ResultEntry]] = []
    withdrawn: dict[str, int] = {}
    for entry in entries:
        body = entry.typed
        if isinstance(body, ResultEntry):
            recorded.append((entry, body))
        elif isinstance(body, Withdrawal):
            for oid in body.withdrawn:
                withdrawn.setdefault(oid, entry.seq)
    versions: dict[tuple[str, str], list[RecordedResult]] = {}
    for entry, body in recorded:
        chain = versions.setdefault((body.task, body.uscc), [])
        gone = withdrawn.get(body.result_object)
        at = entry.moment
        if chain:
            chain[-1] = replace(chain[-1], superseded_by=entry.seq)
        chain.append(
            RecordedResult(
                seq=entry.seq,
                recorded_at=at,
                first_recorded_at=chain[0].recorded_at if chain else at,
                entry=body,
                content=None if gone is not None else load_content(store, body.result_object),
                version=len(chain) + 1,
                superseded_by=None,
                withdrawn_seq=gone,
            )
        )
    return ResultsView(versions)


LIFECYCLE_CODES = frozenset({"result-task-unknown", "result-not-drawn", "result-sealed"})
"""Codes the lifecycle already gives for the entry's own (task, uscc): the verifier reports
them once, from `History.check_result`, not again from the content."""


def draw_problems(
    hist: History,
    store: ObjectStore,
    content: ResultContent,
    snapshots: dict[str, list[dict[str, Any]]] | None = None,
) -> list[tuple[str, str, str]]:
    """(code, column, message) for a result that does not fit its task's draw.

    The ONE place the writer (`suiji record`) and the verifier ask whether a result fits
    the draw, as the history stands at that point: the task was drawn, the enterprise is
    one of its targets (an enterprise is never replaced), the team present is the drawn
    team with its recorded voids, the items are the drawn items, the dates are inside the
    window (`suiji.draw.resultcheck.check_result`). `snapshots` caches parsed snapshots.
    """
    state = hist.tasks.get(content.task)
    if state is not None and state.sealed:
        return [
            (
                "result-sealed",
                "task_id",
                f"任务 {content.task} 是暗查暗访任务，抽取结果尚未揭示：揭示之前不能登记检查结果；"
                f"请先由密钥持有人提交揭示文件 content/records/reveals/{content.task}.toml，"
                "待 suiji write 记录揭示后再登记",
            )
        ]
    drawn = (
        None if state is None else drawn_task(state, store, {} if snapshots is None else snapshots)
    )
    if drawn is None:
        return [
            (
                "result-task-unknown",
                "task_id",
                f"任务 {content.task} 尚未抽取（或不存在）：只能登记已抽取任务的检查结果；"
                "请核对任务编号，或运行 suiji show 查看已抽取的任务",
            )
        ]
    return [(p.code, p.column, p.message) for p in check_result(content, {drawn.task: drawn})]


__all__ = [
    "LIFECYCLE_CODES",
    "ObjectError",
    "RecordedResult",
    "ResultsView",
    "draw_problems",
    "load_content",
    "results_view",
]
