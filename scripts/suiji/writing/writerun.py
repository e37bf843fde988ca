"""`suiji write`: plan from the record files and the ledger, then apply each action.

Every action goes through the existing writing step (commit, void, inputs, draw, replace,
record, the request appender), so this module signs nothing itself and adds no rule: the
steps check everything again under the ledger's lock. An action that is refused is skipped
with its Chinese message, naming its file; the other actions still run. Due draws read only
the ledger and its objects, so a broken record file never stops a draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suiji.ledger.append import append_request, repair
from suiji.ledger.codec import Entry
from suiji.ledger.history import History
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.ledger.reading import read_entries
from suiji.model.entries import KEY
from suiji.model.tasks import Commit
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import StorageError, SuijiError
from suiji.witness.client import Post, http_post
from suiji.writing.reconcile import Action, LedgerFacts, WritePlan, plan_write
from suiji.writing.recordfiles import (
    CommitVoidRequest,
    InputsRequest,
    PersonVoidRequest,
    PlanFile,
    RevealRequest,
    RootRequest,
    Skipped,
    WithdrawRequest,
    read_record_files,
)
from suiji.writing.steps import TaskError, Writer
from suiji.writing.witnessing import WitnessResult, submit_checkpoint


@dataclass(frozen=True)
class Done:
    """An applied action and the entries it appended (none: nothing was new)."""

    action: Action
    entries: tuple[tuple[int, str], ...]  # (seq, kind)


@dataclass
class Outcome:
    """What a run did: applied actions, skipped files and steps, notices."""

    initialised: bool = True
    done: list[Done] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    witnessed: list[WitnessResult] = field(default_factory=list)

    @property
    def alarms(self) -> list[WitnessResult]:
        """Witnesses that have seen another history of this log (422, fork, rollback)."""
        return [r for r in self.witnessed if r.status == "alarm"]

    @property
    def appended(self) -> int:
        return sum(len(d.entries) for d in self.done)


def ledger_facts(root: Path) -> LedgerFacts:
    """The task history, each commitment's plan source and the recorded key changes."""
    hist = History()
    sources: dict[int, str] = {}
    keys: set[bytes] = set()
    for entry in read_entries(root):
        hist.apply(entry)
        body = entry.typed
        if isinstance(body, Commit):
            sources[entry.seq] = body.plan_source_object
        elif entry.kind == KEY:
            keys.add(canonical_json(entry.body))
    return LedgerFacts(hist, sources, frozenset(keys))


def has_genesis(root: Path) -> bool:
    path = ledger_dir(root) / LEDGER_FILE
    return path.is_file() and path.stat().st_size > 0


def plan_run(root: Path, w: Writer) -> WritePlan:
    """Read the files and the ledger and plan (no lock: the steps re-check under it)."""
    return plan_write(read_record_files(root), ledger_facts(root), w.now)


def run_write(
    w: Writer, *, recorded: Mapping[int, str] | None = None, post: Post | None = None
) -> Outcome:
    """One reconciliation: repair an interrupted write, plan, apply every action in order.

    After each action that appended, the new checkpoint goes to the policy's witnesses
    (`post` replaces HTTP in tests and in the demo's in-process witnesses).
    """
    if not has_genesis(w.root):
        return Outcome(initialised=False)
    repair(w.root)  # an interrupted last line is completed or cut, as the next append would
    plan = plan_run(w.root, w)
    out = Outcome(skipped=list(plan.skipped), notices=list(plan.notices))
    for action in plan.actions:
        before = _lines(w.root)
        try:
            apply_action(w, action, recorded=recorded)
        except StorageError:
            raise  # the disk, not a record: nothing else can be written either
        except SuijiError as err:
            out.skipped.append(_skipped(action, err))
            continue
        done = Done(action, tuple(_appended(w.root, before)))
        out.done.append(done)
        if done.entries:
            out.witnessed.extend(submit_checkpoint(w.root, now=w.now, post=post or http_post))
    return out


def _lines(root: Path) -> int:
    return (ledger_dir(root) / LEDGER_FILE).read_bytes().count(b"\n")


def _appended(root: Path, before: int) -> list[tuple[int, str]]:
    """(seq, kind) of every line after the first `before`: what one action appended,
    including the beacon a draw or a replacement records first."""
    import json

    lines = (ledger_dir(root) / LEDGER_FILE).read_bytes().split(b"\n")[before:-1]
    return [(before + i, str(json.loads(line)["kind"])) for i, line in enumerate(lines)]


def _skipped(action: Action, err: SuijiError) -> Skipped:
    """A refused action, named by its file (results: by each file with a problem)."""
    source = action.source or f"ledger/ledger.jsonl（任务 {action.task}）"
    problems = [p for p in getattr(err, "problems", ()) if getattr(p, "severity", "") != "warning"]
    if not problems:
        return Skipped(source, err.code, (f"{source}: {err}",))
    files = dict.fromkeys(_file_of(p) for p in problems)
    return Skipped(
        "、".join(f for f in files if f) or source, err.code, tuple(map(_located, problems))
    )


def _file_of(problem: object) -> str:
    where = getattr(problem, "where", None)
    if where is not None:
        return str(where).rsplit(":", 1)[0] if ":" in str(where) else str(where)
    location = getattr(problem, "location", None)
    return str(getattr(location, "file", "") or "")


def _located(problem: object) -> str:
    """A results or records problem as one located line (file:row[:column]: message)."""
    where = getattr(problem, "where", None) or str(getattr(problem, "location", ""))
    column = getattr(problem, "column", None)
    at = f"{where}（{column}）" if column and getattr(problem, "where", None) else where
    return f"{at}: {getattr(problem, 'message', problem)}"


def apply_action(
    w: Writer,
    action: Action,
    *,
    recorded: Mapping[int, str] | None,
) -> list[tuple[int, str]]:
    """Apply one planned action through its writing step: the (seq, kind) it appended.

    SuijiError when the step refuses (nothing of this action is written then).
    """
    return [(e.seq, e.kind) for e in _apply(w, action, recorded)]


def _apply(w: Writer, action: Action, recorded: Mapping[int, str] | None) -> list[Entry]:
    from suiji.writing import steps
    from suiji.writing.inputs import record_inputs
    from suiji.writing.people import replace_due, team_of, void_person
    from suiji.writing.results import record, withdraw

    req = action.request
    task = action.task or ""
    if action.step == "commit-void":
        assert isinstance(req, CommitVoidRequest)
        return [steps.void_commitment(w, task, req.reason)]
    if action.step == "commit":
        assert isinstance(req, PlanFile)
        return [steps.commit(w, w.root / req.source)]
    if action.step == "inputs":
        assert isinstance(req, InputsRequest)
        _refuse_changed_inputs(w, req)
        return record_inputs(w, task, action.values)
    if action.step == "draw":
        return [steps.draw_task(w, task, recorded=recorded, fetch=True)]
    if action.step == "reveal":
        from suiji.writing.sealed import reveal

        assert isinstance(req, RevealRequest)
        return [reveal(w, task, req.secret)]
    if action.step == "person-void":
        assert isinstance(req, PersonVoidRequest)
        team = req.team or _team_of(w, task, req.person, team_of)
        return [
            void_person(w, task, team, req.person, req.reason, accept_finding=req.accept_finding)
        ]
    if action.step == "replace":
        return replace_due(w, task, recorded=recorded, fetch=True)
    if action.step == "withdraw":
        assert isinstance(req, WithdrawRequest)
        _done, seq = withdraw(w, task, req.uscc, req.reason)
        return [e for e in read_entries(w.root) if e.seq == seq]
    if action.step == "record":
        _plan, seqs = record(w)
        wanted = set(seqs)
        return [e for e in read_entries(w.root) if e.seq in wanted] if wanted else []
    if action.step == "request":
        assert isinstance(req, RootRequest)
        if req.request.kind != KEY:
            raise TaskError(
                "创世请求由 suiji init --request 写入，不由自动写入程序处理：请从 requests/ 中移走",
                code="request-kind",
            )
        return [
            append_request(
                w.root, req.request, key=w.key, now=w.now, clock_overridden=w.clock_overridden
            )
        ]
    raise TaskError(f"未知步骤 {action.step}", code="step-unknown")


def _team_of(w: Writer, task: str, person: str, team_of: Any) -> str:
    """The person's team when unambiguous; otherwise say how to name it in the file."""
    from suiji.shared.errors import UsageError

    try:
        return str(team_of(w.root, task, person))
    except UsageError as err:
        raise TaskError(
            f'{err}（在撤换文件的 [[void]] 中写 team = "检查组"，即企业信用代码或 task）',
            code="void-team-ambiguous",
        ) from None


def _refuse_changed_inputs(w: Writer, req: InputsRequest) -> None:
    """A value already in the ledger that the file now gives differently: say so, write nothing."""
    from suiji.draw.derive import load_committed
    from suiji.draw.extras import normalize_value
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.taskhistory import history

    hist = history(w.root)
    live = hist.live_commit(req.task)
    if live is None:
        return  # record_inputs refuses with its own words
    extras = hist.tasks[req.task].extras
    declared = load_committed(ObjectStore(w.root), live.body).plan.seed_extra
    for name, raw in req.values:
        earlier = extras.get(name)
        spec = next((d for d in declared if d.name == name), None)
        if earlier is None or spec is None:
            continue
        if normalize_value(spec, raw) != earlier.body.value:
            raise TaskError(
                f"附加输入“{name}”已于条目 #{earlier.seq} 登记为 {earlier.body.value}，"
                f"文件中现在写的是 {raw}：登记后不能更改，请把文件改回已登记的数值",
                code="extra-twice",
            )
