"""Sealed draws at the writer: seal a plan, compute a sealed draw privately, reveal it.

docs/spec/18-sealed.md. `seal` writes the secret to a file outside the bureau's
repository and its hash into the plan; at the round the writer records only the beacon
(`suiji.writing.steps.draw_task`); the holder computes the draw with the secret without
writing anything (`private_draw`); after the inspection the writer records the reveal
(`reveal`), refusing a secret whose hash is not the committed one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from suiji.draw.derive import derive_result, load_committed, seed_for
from suiji.draw.planfile import plan_from_toml
from suiji.draw.sealed import (
    new_secret,
    parse_secret,
    sealed_seed,
    secret_hash,
)
from suiji.ledger.codec import Entry
from suiji.ledger.history import History, Recorded, open_disclosed
from suiji.ledger.objects import ObjectStore, object_id
from suiji.ledger.taskhistory import history
from suiji.model.entries import REVEAL
from suiji.model.tasks import Commit, Disclosure, ExtraInput, Reveal
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import Refusal
from suiji.shared.files import read_regular
from suiji.shared.times import format_time
from suiji.verify.taskview import TaskView, task_view
from suiji.writing.steps import Step, TaskError, _locked_step, round_beacon


class SealRefused(Refusal):
    """`suiji seal` would put the secret where the bureau could publish it, or reseal."""

    code = "seal-refused"


def _repository_of(path: Path) -> Path | None:
    """The git work tree holding `path` (the nearest parent with `.git`), if any."""
    for parent in (path, *path.parents):
        if (parent / ".git").exists():
            return parent
    return None


def seal(root: Path, plan_file: Path, secret_out: Path) -> str:
    """Seal `plan_file`: a new secret to `secret_out` (created, mode 0600), its hash into
    the plan as `[sealed] secret_hash`. Returns the hash. Refuses a secret path inside the
    bureau's directory or the plan's git repository, an existing secret file, and a plan
    that is already sealed; the plan is checked before anything is written."""
    out = secret_out.expanduser().resolve()
    forbidden = [p for p in (root.resolve(), _repository_of(plan_file.resolve())) if p]
    for place in forbidden:
        if out == place or place in out.parents:
            raise SealRefused(
                f"密钥文件 {out} 位于本局仓库 {place} 之内：密钥一旦提交就会公开，暗查暗访就失去意义。"
                "请写到仓库之外（如 U 盘或个人目录）：suiji seal 方案文件 --secret-out ~/密钥/任务编号.secret",
                code="secret-inside-repository",
            )
    if out.exists():
        raise SealRefused(
            f"{out} 已存在：为免覆盖已有密钥，请换一个文件名", code="secret-file-exists"
        )
    text = read_regular(plan_file).decode("utf-8")
    plan = plan_from_toml(text.encode("utf-8"), str(plan_file))
    if plan.sealed is not None:
        raise SealRefused(
            f"{plan_file} 已经有 [sealed]：一个方案只封一次；如需重来请删除 [sealed] 一节后再运行",
            code="plan-already-sealed",
        )
    secret = new_secret()
    digest = secret_hash(secret)
    sealed_text = sealed_plan_text(text, digest, str(plan_file))  # compute, then write
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret + "\n")
    plan_file.write_text(sealed_text, "utf-8")
    return digest


def sealed_plan_text(text: str, digest: str, label: str = "plan.toml") -> str:
    """The plan's text with `[sealed] secret_hash` appended, checked as a plan."""
    sealed_text = text.rstrip("\n") + f'\n\n[sealed]\nsecret_hash = "{digest}"\n'
    plan_from_toml(sealed_text.encode("utf-8"), label)
    return sealed_text


def read_secret(path: Path) -> str:
    """The secret in a file written by `suiji seal`."""
    return parse_secret(read_regular(path).decode("ascii", "replace"), str(path))


@dataclass(frozen=True)
class SealedDraw:
    """A sealed task's draw computed with its secret: the reveal body and result bytes."""

    body: Reveal
    result: dict[str, Any]
    result_bytes: bytes


def _sealed_commit(hist: History, task: str) -> Recorded[Commit]:
    state = hist.tasks.get(task)
    if state is not None and state.draw is not None:
        raise TaskError(
            f"任务 {task} 已于条目 #{state.draw.seq} 抽取或揭示", code="task-already-drawn"
        )
    if state is None or state.commit is None:
        raise TaskError(f"任务 {task} 没有有效的承诺", code="task-not-committed")
    if state.commit.body.sealed is None:
        raise TaskError(
            f"任务 {task} 不是暗查暗访任务：其抽取结果在轮次后由 suiji write 公开记录",
            code="task-not-sealed",
        )
    return state.commit


def compute_sealed(
    root: Path, hist: History, task: str, secret: str, voids: Sequence[Disclosure] = ()
) -> SealedDraw:
    """The sealed draw of `task` with `secret`; refuses a wrong secret or a round whose
    beacon the ledger does not hold yet. Reads only the ledger and its objects."""
    commit = _sealed_commit(hist, task)
    assert commit.body.sealed is not None
    if secret_hash(secret) != commit.body.sealed.secret_hash:
        raise TaskError(
            f"密钥与任务 {task} 承诺（条目 #{commit.seq}）中的密钥哈希不符：请确认用的是 suiji seal "
            "为该方案写出的密钥文件",
            code="reveal-secret",
        )
    beacon_seq, beacon = round_beacon(hist, commit.body)
    if beacon is not None and beacon_seq is None:
        raise TaskError(
            f"任务 {task} 承诺的第 {commit.body.beacon.to_json().get('round')} 轮信标尚未记录"
            f"（{format_time(commit.body.available_at)} 之后由 suiji write 记录），现在还不能计算",
            code="round-not-yet",
        )
    store = ObjectStore(root)
    committed = load_committed(store, commit.body)
    extra, missing = hist.recorded_extra(task, committed.plan.seed_extra)
    if missing:
        raise TaskError(
            f"任务 {task} 的附加输入 {'、'.join(missing)} 没有在轮次之前登记，不能抽取",
            code="extra-missing",
        )
    seed = sealed_seed(seed_for(task, commit.hash, beacon, extra), secret)
    result = derive_result(committed, seed=seed)
    result_bytes = canonical_json(result)
    body = Reveal(
        task=task,
        unit=commit.body.unit,
        commit_seq=commit.seq,
        commitment=commit.hash,
        beacon_seq=beacon_seq,
        extra=tuple(ExtraInput(n, v) for n, v in extra),
        seed=seed,
        targets=tuple(p["id"] for p in result["targets"]["selected"]),
        teams_error=result["teams_error"]["message"] if result["teams_error"] else None,
        result_object=object_id(result_bytes),
        secret=secret,
        voids=tuple(voids),
    )
    return SealedDraw(body, result, result_bytes)


@_locked_step
def reveal(w: Step, task: str, secret: str, voids: Sequence[Disclosure] = ()) -> Entry:
    """Record a sealed task's reveal: the draw with its secret and the disclosure of each
    sealed void (`voids`, the holder's file). A wrong secret, or disclosures that do not
    open exactly the task's sealed voids, are refused (nothing written); a reveal after the
    deadline is recorded and reported (`reveal-late`)."""
    drawn = compute_sealed(w.root, w.history, task, secret, voids)
    problems = [v for v in w.history.check_draw(task, w.now, drawn.body) if v.code != "reveal-late"]
    if problems:
        raise TaskError(
            f"任务 {task} 的暗查撤换公开不全或不符（{'；'.join(v.code + ' ' + v.detail for v in problems)}）："
            "请使用 suiji void --secret 写在密钥旁的 .voids 文件的全部内容",
            code=problems[0].code,
        )
    return w.append(REVEAL, drawn.body, [drawn.result_bytes])


class _Overlay:
    """The bureau's object store plus one private, unwritten result object."""

    def __init__(self, store: ObjectStore, oid: str, data: bytes) -> None:
        self.store, self.oid, self.data = store, oid, data

    def get(self, oid: str) -> bytes:
        return self.data if oid == self.oid else self.store.get(oid)


def private_view(
    root: Path, task: str, secret: str, now: datetime, voids: Sequence[Disclosure] = ()
) -> TaskView:
    """The task as `suiji show` would show it after the reveal, computed privately: the
    history gets the reveal (with the holder's sealed voids) in memory only (seq 0),
    nothing is written."""
    hist = history(root)
    drawn = compute_sealed(root, hist, task, secret, voids)
    state = hist.tasks[task]
    state.draw = Recorded(0, "", format_time(now), drawn.body)
    open_disclosed(state, drawn.body, 0)
    store = _Overlay(ObjectStore(root), drawn.body.result_object, drawn.result_bytes)
    return task_view(hist, store, task)
