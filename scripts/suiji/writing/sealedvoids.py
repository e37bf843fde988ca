"""Person voids of a sealed task before its reveal: a salted hash in the ledger, the
content with the holder (docs/spec/18-sealed.md §18.12, ADR 0053).

Only the holder of the secret can compute the sealed teams, so only the holder can void a
person of them: `seal_void` records the void's salted hash and returns its disclosure,
which the holder keeps in the file beside the secret (`<secret>.voids`, one canonical JSON
line each) and which the reveal lists. The salt is derived from the secret, so a lost
file is recovered from the secret and the void's content alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from suiji.draw.derive import AppliedVoid, derive_void, load_committed, void_round
from suiji.draw.sealed import parse_disclosures, sealed_void_hash, void_salt
from suiji.draw.teamrules import TASK_TEAM
from suiji.ledger.codec import Entry
from suiji.ledger.history import SEALED_VOID
from suiji.ledger.objects import ObjectStore
from suiji.model.tasks import Disclosure, SealedVoid
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import UsageError
from suiji.shared.files import read_regular
from suiji.shared.times import civil_date
from suiji.writing.people import refuse_enterprise
from suiji.writing.sealed import compute_sealed
from suiji.writing.steps import Step, TaskError, _locked_step


def voids_file(secret_file: Path) -> Path:
    """Where the holder keeps a task's disclosures: beside the secret, outside the repository."""
    return secret_file.with_name(secret_file.name + ".voids")


def read_disclosures(path: Path) -> tuple[Disclosure, ...]:
    """The disclosures in a holder's file (none if it does not exist)."""
    if not path.exists():
        return ()
    return parse_disclosures(read_regular(path).decode("utf-8"), str(path))


def keep_disclosure(path: Path, disclosure: Disclosure) -> None:
    """Append one disclosure line to the holder's file (created with mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as f:
        f.write(canonical_json(disclosure.to_json()) + b"\n")


@_locked_step
def seal_void(
    w: Step,
    task: str,
    secret: str,
    team: str,
    person: str,
    reason: str,
    earlier: Sequence[Disclosure],
    *,
    accept_finding: bool = False,
) -> tuple[Entry, Disclosure]:
    """Record a person void of a sealed, unrevealed task as a salted hash only.

    `earlier` are the task's sealed voids so far (the holder's file): each must open its
    entry, so the file the reveal will list is complete. Refused like a public void (not a
    member, an enterprise, pending already, no beacon chain, inside the window unless
    `accept_finding`); nothing is written on refusal.
    """
    from suiji.shared.text import id_key

    hist = w.history
    drawn = compute_sealed(w.root, hist, task, secret)  # wrong secret, round not yet, revealed
    state = hist.tasks[task]
    assert state.commit is not None and hist.genesis is not None
    recorded = [(r.seq, r.body.salted) for r in state.sealed_voids]
    if [(d.seq, sealed_void_hash(d.salt, d.content(task))) for d in earlier] != recorded:
        raise TaskError(
            f"密钥旁的撤换文件与账本中任务 {task} 的 {len(recorded)} 条暗查撤换不符："
            "请使用 suiji void --secret 写出的 .voids 文件（不要手改）",
            code="sealed-voids-file",
        )
    refuse_enterprise(task, drawn.result, person)
    if not reason.strip():
        raise UsageError("替换人员必须写明理由（--reason）")
    chain = hist.genesis.first_chain()
    if chain is None:
        raise TaskError(
            "本账本没有登记随机信标：替换人员须由将来的信标轮次决定", code="void-needs-beacon"
        )
    pid = id_key(person)
    committed = load_committed(ObjectStore(w.root), state.commit.body)
    seed = drawn.body.seed
    current = derive_void(committed, drawn.result, [], seed=seed)
    if not team:  # the one team the person is on, when unambiguous
        found = [t.key for t in current.teams if t.role_of(pid) is not None]
        if len(found) != 1:
            raise UsageError(
                f"人员 {pid} 在 {'、'.join(found) or '任何检查组之外'}；请用 --team 指明检查组"
            )
        team = found[0]
    key = current.team(team if team == TASK_TEAM else id_key(team)).key
    if any(d.person == pid and d.team == key for d in earlier):
        raise TaskError(
            f"人员 {pid} 已在揭示前撤换过，揭示后才由信标轮次决定替换人员", code="void-pending"
        )
    derive_void(committed, drawn.result, [AppliedVoid(key, pid, reason.strip(), seed)], seed=seed)
    role = current.team(key).role_of(pid)
    assert role is not None
    if not accept_finding and civil_date(w.now) >= committed.plan.window_start:
        raise TaskError(
            f"任务 {task} 的检查时间窗口已于 {committed.plan.window_start} 开始，此时撤换将被验证"
            f"报告为合规问题；确需撤换请加 --accept-finding",
            code="void-in-window",
        )
    salt = void_salt(secret, state.commit.hash, len(recorded))
    draft = Disclosure(-1, salt, key, pid, role, reason.strip(), void_round(chain, w.now))
    body = SealedVoid(
        task, state.commit.seq, state.commit.hash, sealed_void_hash(salt, draft.content(task))
    )
    entry = w.append(SEALED_VOID, body)
    return entry, replace(draft, seq=entry.seq)
