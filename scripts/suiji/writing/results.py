"""`suiji record` and `suiji withdraw`: inspection results from the clerk's files into the ledger.

Compute, then write: the results files are read and checked (the same rules and located
errors as `suiji check`), every row is checked against the draw, and what to append is
decided in full before the first entry is written. A refusal leaves the ledger and the
records byte-identical. Per row (docs/spec/16-results.md):

- not yet recorded → a `result` entry (version 1);
- changed (apart from the salt) → a correction naming the current version; 更正说明 must
  say what was corrected;
- unchanged → nothing;
- a recorded result whose row is gone → refused (results are never deleted silently:
  `suiji withdraw` is the only way, and only for a result with a penalty);
- a row for a withdrawn result → refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import public_of
from suiji.crypto.keyfiles import is_demo_key
from suiji.ledger.history import RESULT, WITHDRAWAL, History
from suiji.ledger.objects import ObjectStore, object_id
from suiji.ledger.paths import OBJECTS_DIR, ledger_dir
from suiji.ledger.reading import read_entries
from suiji.ledger.results import RecordedResult, ResultsView, draw_problems, results_view
from suiji.model.entries import Withdrawal
from suiji.model.results import Penalty, ResultContent, ResultEntry
from suiji.records.model import LoadedRecord
from suiji.records.problems import RecordsInvalid
from suiji.records.results import check_results
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import Refusal, UsageError
from suiji.writing.steps import RECORDS_DIR, Step, Writer

SALT_TAG = b"suiji/result-salt/v1"


@dataclass(frozen=True)
class RowProblem:
    """One row that cannot be recorded, located in the clerk's file."""

    where: str  # file:row
    code: str
    column: str | None
    message: str


class ResultRefused(Refusal):
    """A results row or a withdrawal the ledger must not take: `code` says which rule."""

    code = "result-refused"
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True)
class PlannedResult:
    """One entry `suiji record` will append: a new result or a correction."""

    content: ResultContent
    corrects_seq: int | None  # None: a new result
    version: int
    where: str  # the clerk's file and row

    @property
    def object_bytes(self) -> bytes:
        return canonical_json(self.content.to_json())


@dataclass(frozen=True)
class RecordPlan:
    """What `suiji record` found: what it will append and how many rows are unchanged."""

    planned: tuple[PlannedResult, ...]
    unchanged: int

    @property
    def new(self) -> list[PlannedResult]:
        return [p for p in self.planned if p.corrects_seq is None]

    @property
    def corrections(self) -> list[PlannedResult]:
        return [p for p in self.planned if p.corrects_seq is not None]


# ---------------------------------------------------------------- records → object


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _day(value: Any) -> dt.date | None:
    """A checked date cell: ISO text (or a date), None when blank."""
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _required_day(value: Any) -> dt.date:
    day = _day(value)
    assert day is not None  # a required column, checked by check_results
    return day


def content_from_record(values: Mapping[str, Any], salt: str) -> ResultContent:
    """One results row (internal column name → parsed value) as a `suiji/result/v1` object.

    The row must have passed `check_results` (a penalty is complete or absent).
    """
    decision = _text(values.get("decision_no"))
    penalty = (
        Penalty(decision, _required_day(values.get("decided_on")), _text(values.get("penalty")))
        if decision
        else None
    )
    return ResultContent(
        salt=salt,
        task=_text(values["task_id"]),
        uscc=_text(values["uscc"]),
        started_on=_required_day(values["started_on"]),
        ended_on=_required_day(values["ended_on"]),
        team=tuple(values.get("team") or ()),
        findings=tuple(sorted(tuple(f) for f in values.get("findings") or ())),
        categories=tuple(values.get("categories") or ()),
        observations=_text(values.get("observations")),
        assessment=_text(values.get("assessment")),
        opinions=_text(values.get("opinions")),
        penalty=penalty,
        reported_on=_day(values.get("reported_on")),
        feedback_on=_day(values.get("feedback_on")),
        rectify_by=_day(values.get("rectify_by")),
        rectified_on=_day(values.get("rectified_on")),
        correction=_text(values.get("correction")),
    )


def result_salt(key: Ed25519PrivateKey, task: str, uscc: str, version: int) -> str:
    """16 random bytes as hex; with the published demo key, derived (spec §16.1).

    A demo ledger must be byte-reproducible, and its key is public anyway, so its salt is
    HMAC-SHA256(demo key seed, canonical [task, uscc, version]), first 16 bytes. A real
    key's salt is random: a derived one would let whoever holds the key — or a future
    leak of it — confirm guesses about a withdrawn result.
    """
    if is_demo_key(public_of(key)):
        seed = key.private_bytes_raw()
        message = SALT_TAG + b"\n" + canonical_json([task, uscc, version])
        return hmac.new(seed, message, hashlib.sha256).digest()[:16].hex()
    return os.urandom(16).hex()


def _rows(record: LoadedRecord) -> list[tuple[str, dict[str, Any]]]:
    names = [c.alias for c in record.schema.columns]
    n = len(record.excel_rows)
    return [
        (
            f"{record.label}:{int(record.excel_rows[i])}",
            {a: record.values[a][i] for a in names if a in record.values},
        )
        for i in range(n)
    ]


# ---------------------------------------------------------------- suiji record


def read_rows(root: Path) -> list[tuple[str, ResultContent]]:
    """Every results row as (file:row, content without salt); RecordsInvalid on errors."""
    checked = check_results(root / RECORDS_DIR, root)
    if any(p.severity == "error" for p in checked.problems):
        raise RecordsInvalid(checked.problems)
    return [
        (where, content_from_record(values, ""))
        for record in checked.records
        for where, values in _rows(record)
    ]


def plan_record(root: Path, hist: History, view: ResultsView, key: Ed25519PrivateKey) -> RecordPlan:
    """Decide what `suiji record` appends; ResultRefused naming every bad row otherwise."""
    rows = read_rows(root)
    store = ObjectStore(root)
    problems: list[RowProblem] = []
    planned: list[PlannedResult] = []
    unchanged = 0
    seen: set[tuple[str, str]] = set()
    snapshots: dict[str, list[dict[str, Any]]] = {}
    for where, content in sorted(rows, key=lambda r: (r[1].task, r[1].uscc)):
        key_ = (content.task, content.uscc)
        seen.add(key_)

        def against_draw(where: str = where, content: ResultContent = content) -> None:
            # Only a row about to be appended is checked against the draw as it stands now:
            # a recorded row was checked when it was recorded (and the verifier checks each
            # at its own entry), so a later person void does not make it wrong.
            for code, column, message in draw_problems(hist, store, content, snapshots):
                problems.append(RowProblem(where, code, column, message))

        versions = view.versions(*key_)
        if not versions:
            against_draw()
            salt = result_salt(key, content.task, content.uscc, 1)
            planned.append(PlannedResult(replace(content, salt=salt), None, 1, where))
            continue
        current = versions[-1]
        if current.withdrawn_seq is not None:
            problems.append(
                RowProblem(
                    where,
                    "result-withdrawn",
                    "uscc",
                    f"任务 {content.task} 对「{content.uscc}」的检查结果已于条目 "
                    f"#{current.withdrawn_seq} 撤回（信用修复），不能再登记：请删除这一行",
                )
            )
            continue
        assert current.content is not None
        if current.content.same_content(replace(content, salt=current.content.salt)):
            unchanged += 1
            continue
        if not content.correction.strip() or content.correction == current.content.correction:
            problems.append(
                RowProblem(
                    where,
                    "result-correction-unexplained",
                    "correction",
                    f"这一行与账本中已登记的检查结果（条目 #{current.seq}）不同，是一次更正："
                    "请在“更正说明”中写明更正了什么、为什么更正（已登记的结果不会被覆盖，"
                    "更正前后两个版本都会公开）",
                )
            )
            continue
        against_draw()
        version = current.version + 1
        salt = result_salt(key, content.task, content.uscc, version)
        planned.append(PlannedResult(replace(content, salt=salt), current.seq, version, where))
    for result in view.current():
        if (result.task, result.uscc) not in seen and result.withdrawn_seq is None:
            problems.append(
                RowProblem(
                    "content/records/results/",
                    "result-row-missing",
                    None,
                    f"任务 {result.task} 对「{result.uscc}」的检查结果已登记（条目 #{result.seq}），"
                    "但结果文件中已没有这一行：已公开的结果不能悄悄删除；请恢复这一行，"
                    f"或在处罚公示期满后运行 suiji withdraw {result.task} {result.uscc} "
                    '--reason "信用修复" 撤回',
                )
            )
    if problems:
        raise _refused(problems)
    return RecordPlan(tuple(planned), unchanged)


def _refused(problems: Sequence[RowProblem]) -> ResultRefused:
    lines = [f"{p.where}: {p.message}" for p in problems[:20]]
    more = f"\n……另有 {len(problems) - 20} 个问题" if len(problems) > 20 else ""
    err = ResultRefused(
        f"检查结果未登记（账本和文件均未改动），有 {len(problems)} 个问题：\n"
        + "\n".join(lines)
        + more,
        code=problems[0].code,
    )
    err.problems = tuple(problems)
    return err


def _view(root: Path) -> ResultsView:
    return results_view(read_entries(root), ObjectStore(root))


def preview_record(w: Writer) -> RecordPlan:
    """`suiji record --dry-run`: what would be appended, writing nothing."""
    with w.session() as step:
        return plan_record(w.root, step.history, _view(w.root), w.key)


def record(w: Writer) -> tuple[RecordPlan, list[int]]:
    """`suiji record`: append every new result and correction; returns the plan and seqs."""
    with w.session() as step:
        plan = plan_record(w.root, step.history, _view(w.root), w.key)
        return plan, [_append_result(step, p) for p in plan.planned]


def _append_result(step: Step, p: PlannedResult) -> int:
    body = ResultEntry(p.content.task, p.content.uscc, object_id(p.object_bytes), p.corrects_seq)
    entry = step.held.append(
        RESULT,
        body.to_json(),
        key=step.key,
        now=step.now,
        clock_overridden=step.clock_overridden,
        objects=[p.object_bytes],
    )
    return entry.seq


# ---------------------------------------------------------------- suiji withdraw


@dataclass(frozen=True)
class WithdrawPlan:
    """What `suiji withdraw` will append and delete."""

    result: RecordedResult
    objects: tuple[str, ...]  # every version's object, oldest first
    reason: str


def plan_withdraw(root: Path, view: ResultsView, task: str, uscc: str, reason: str) -> WithdrawPlan:
    """Only a recorded, not yet withdrawn result with a penalty, whose row is gone."""
    if not reason.strip():
        raise UsageError("请用 --reason 写明撤回理由（如 处罚公示期满，信用修复）", code="reason")
    versions = view.versions(task, uscc)
    if not versions:
        raise ResultRefused(
            f"账本中没有任务 {task} 对「{uscc}」的检查结果：请核对任务编号和统一社会信用代码"
            f"（运行 suiji verify --json 查看已登记的结果）",
            code="result-unknown",
        )
    current = versions[-1]
    if current.withdrawn_seq is not None:
        raise ResultRefused(
            f"任务 {task} 对「{uscc}」的检查结果已于条目 #{current.withdrawn_seq} 撤回",
            code="result-withdrawn",
        )
    assert current.content is not None
    if current.content.penalty is None:
        raise ResultRefused(
            f"任务 {task} 对「{uscc}」的检查结果没有行政处罚：只有处罚公示期满（信用修复）"
            "才能撤回检查结果；结果有误请修改结果文件中的那一行并运行 suiji record 更正",
            code="result-no-penalty",
        )
    rows = read_rows(root)
    for where, content in rows:
        if (content.task, content.uscc) == (task, uscc):
            raise ResultRefused(
                f"{where}: 结果文件中仍有这一行：撤回前请先从结果文件中删除它"
                "（否则下次 suiji record 会把它当作需要登记的结果），然后再运行 suiji withdraw",
                code="result-row-present",
            )
    return WithdrawPlan(current, tuple(v.entry.result_object for v in versions), reason.strip())


def preview_withdraw(w: Writer, task: str, uscc: str, reason: str) -> WithdrawPlan:
    with w.session():
        return plan_withdraw(w.root, _view(w.root), task, uscc, reason)


def withdraw(w: Writer, task: str, uscc: str, reason: str) -> tuple[WithdrawPlan, int]:
    """Append the withdrawal, then delete the withdrawn objects from ledger/objects/."""
    with w.session() as step:
        plan = plan_withdraw(w.root, _view(w.root), task, uscc, reason)
        body = Withdrawal(plan.objects, {"reason": plan.reason, "task": task, "uscc": uscc})
        entry = step.held.append(
            WITHDRAWAL,
            body.to_json(),
            key=step.key,
            now=step.now,
            clock_overridden=step.clock_overridden,
        )
        folder = ledger_dir(w.root) / OBJECTS_DIR
        for oid in plan.objects:
            (folder / oid).unlink(missing_ok=True)
        return plan, entry.seq
