"""Replaying inspection results: each `result` entry and each withdrawal of results.

docs/spec/16-results.md §16.5. The lifecycle's rules (a drawn task's target, a correction
naming the current version, nothing after a withdrawal, a withdrawal naming every version)
are `suiji.ledger.history`'s; this checker shares the draw checker's `History`, so the one
lifecycle sees every entry once. It adds what needs the object: present, hash-checked
(the ledger state does that), a valid `suiji/result/v1`, for the entry's own task and
enterprise, and fitting the draw (`draw_problems`, `compliance`). `report_data` lists every
version for `verify --json`: current, corrected or withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from suiji.ledger.codec import Entry
from suiji.ledger.history import History, Violation
from suiji.ledger.objects import ObjectError, ObjectStore
from suiji.ledger.results import LIFECYCLE_CODES, draw_problems, load_content
from suiji.model.entries import WITHDRAWAL, Withdrawal
from suiji.model.results import RESULT, ResultEntry
from suiji.shared.errors import InputError
from suiji.shared.findings import Finding

_MESSAGES = {
    "result-task-unknown": "任务 {task} 尚未抽取，却登记了对「{detail}」的检查结果",
    "result-sealed": "任务 {task} 是尚未揭示的暗查暗访任务，却登记了对「{detail}」的检查结果",
    "result-not-drawn": "「{detail}」不是任务 {task} 抽中的单位（抽取条目 #{seq}），却登记了检查结果",
    "result-withdrawn": "任务 {task} 对「{detail}」的检查结果已于条目 #{seq} 撤回，之后不得再登记",
    "result-corrects": (
        "任务 {task} 对「{detail}」的检查结果：corrects_seq 必须是当前版本的条目（{current}）"
    ),
    "result-withdrawal-partial": (
        "撤回条目只撤回了任务 {task} 对「{detail}」检查结果的部分版本：必须同时撤回每个版本的对象"
    ),
}


def violation_finding(seq: int, v: Violation) -> Finding:
    current = f"#{v.seq}" if v.seq is not None else "没有已登记的版本，应为 null"
    message = _MESSAGES[v.code].format(task=v.task, detail=v.detail, seq=v.seq, current=current)
    return Finding(seq, "integrity", v.code, message)


@dataclass
class ResultChecker:
    """Checks `result` and `withdrawal` entries against the shared lifecycle."""

    hist: History
    versions: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    snapshots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if entry.kind == RESULT:
            return self._result(entry, objects)
        if entry.kind == WITHDRAWAL:
            return self._withdrawal(entry)
        return []

    def finish(self) -> Iterable[Finding]:
        return []

    def _result(self, entry: Entry, objects: ObjectStore) -> list[Finding]:
        body = entry.typed_as(ResultEntry)
        violations = self.hist.check(entry)
        out = [violation_finding(entry.seq, v) for v in violations]
        if any(v.fatal for v in violations):
            return out
        self.hist.apply(entry)
        chain = self.versions.setdefault((body.task, body.uscc), [])
        chain.append(
            {
                "task": body.task,
                "uscc": body.uscc,
                "seq": entry.seq,
                "version": len(chain) + 1,
                "corrects_seq": body.corrects_seq,
                "object": body.result_object,
                "withdrawn_seq": None,
            }
        )
        try:
            content = load_content(objects, body.result_object)
        except ObjectError:
            raise  # the verifier settles a missing object at the end: a withdrawal excuses it
        except InputError as exc:
            return [*out, Finding(entry.seq, "integrity", exc.code, str(exc))]
        if (content.task, content.uscc) != (body.task, body.uscc):
            out.append(
                Finding(
                    entry.seq,
                    "integrity",
                    "result-object-mismatch",
                    f"结果对象写的是任务 {content.task}「{content.uscc}」，"
                    f"条目写的是任务 {body.task}「{body.uscc}」",
                )
            )
            return out
        for code, _column, message in draw_problems(self.hist, objects, content, self.snapshots):
            if code not in LIFECYCLE_CODES:
                out.append(Finding(entry.seq, "compliance", code, message))
        return out

    def _withdrawal(self, entry: Entry) -> list[Finding]:
        violations = self.hist.check(entry)
        self.hist.apply(entry)
        named = set(entry.typed_as(Withdrawal).withdrawn)
        for chain in self.versions.values():
            for v in chain:
                if v["object"] in named and v["withdrawn_seq"] is None:
                    v["withdrawn_seq"] = entry.seq
        return [violation_finding(entry.seq, v) for v in violations]

    def report_data(self) -> dict[str, Any]:
        """`results` for `verify --json`: every version, with its status (spec §16.5)."""
        out = []
        for _key, chain in sorted(self.versions.items()):
            for i, v in enumerate(chain):
                status = (
                    "withdrawn"
                    if v["withdrawn_seq"] is not None
                    else "current"
                    if i == len(chain) - 1
                    else "corrected"
                )
                out.append({**v, "status": status})
        return {"results": out}
