"""The witness rule: every commitment public, and cosigned, before its round.

docs/spec/19-witnesses.md §19.4. Under a genesis `policy.witnesses`, each commitment
(entry *s*, randomness available at *T*: its round time, or `draw_after`) needs a
checkpoint of size > *s* that agrees with this ledger and carries valid `cosignature/v1`
lines by at least `threshold` **distinct** policy keys, each timestamped no later than
*T* − `lead_seconds`. A commitment that does not is `unwitnessed` (integrity) once
*T* − lead has passed by the verifier's clock; before that it is only pending.

Cosignature lines by keys outside the policy, lines that do not verify and notes no known
log key signs count for nothing: a forged or unknown-key cosignature changes no result.
Without a policy the report says that commitment times rest on the bureau's clock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from suiji.ledger.codec import Entry
from suiji.model.entries import COMMIT
from suiji.model.genesis import Genesis
from suiji.model.tasks import Commit
from suiji.model.witnesspolicy import WitnessPolicy
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, cosignature_key_id, cosignature_message
from suiji.standards.note import (
    Note,
    NoteError,
    NoteVerifier,
    ed25519_ok,
    open_note,
    parse_note,
)

UNWITNESSED = "unwitnessed"


@dataclass
class _Commitment:
    seq: int
    task: str
    available_at: datetime


@dataclass
class WitnessRule:
    """Sees the genesis policy and every commitment; judges them after the scan."""

    policy: WitnessPolicy | None = None
    commitments: list[_Commitment] = field(default_factory=list)

    def see(self, entry: Entry) -> None:
        with contextlib.suppress(SuijiError, KeyError, TypeError, ValueError):
            if entry.seq == 0:
                genesis = entry.typed_as(Genesis)
                self.policy = genesis.policy.witnesses if genesis.policy else None
            elif entry.kind == COMMIT:
                body = entry.typed_as(Commit)
                self.commitments.append(_Commitment(entry.seq, body.task, body.beacon.available_at))

    def judge(
        self,
        cosigned: list[tuple[Checkpoint, bytes]],
        roots: dict[int, tuple[bytes, bytes | None]],
        origin: str | None,
        now: datetime,
        *,
        log_signature: bool = True,
    ) -> tuple[list[Finding], list[str], dict[str, Any]]:
        """Findings, notices and the report's `witnesses` data.

        `cosigned` holds (checkpoint, note bytes) read from `ledger/cosignatures/`;
        `roots[size]` is this ledger's (root, writer public key) at that size.
        """
        policy = self.policy
        if policy is None:
            return [], [], {}  # the report's clock notice says what that means
        # per witness: the earliest valid cosignature time on a checkpoint of each size
        best: dict[str, dict[int, int]] = {}
        for cp, data in cosigned:
            snap = roots.get(cp.size)
            if cp.origin != origin or snap is None or snap[0] != cp.root:
                continue
            try:
                if log_signature:
                    if snap[1] is None:
                        continue
                    note, _ = open_note(data, [NoteVerifier(cp.origin, snap[1])])
                else:  # the root alone binds a cosignature to this ledger's prefix
                    note = parse_note(data)
            except NoteError:
                continue
            for key in policy.keys:
                when = _cosigned_at(note, key.verifier)
                if when is not None:
                    sizes = best.setdefault(key.name, {})
                    sizes[cp.size] = min(when, sizes.get(cp.size, when))
        findings: list[Finding] = []
        notices: list[str] = []
        per_commit: list[dict[str, Any]] = []
        lead = timedelta(seconds=policy.lead)
        for c in self.commitments:
            deadline = c.available_at - lead
            limit = int(deadline.timestamp())
            who: list[dict[str, Any]] = []
            for key in policy.keys:
                times = [t for size, t in best.get(key.name, {}).items() if size > c.seq]
                if times:
                    first = min(times)
                    who.append(
                        {
                            "witness": key.name,
                            "time": format_time(datetime.fromtimestamp(first, tz=deadline.tzinfo)),
                            "in_time": first <= limit,
                        }
                    )
            good = sum(1 for w in who if w["in_time"])  # one entry per distinct policy key
            per_commit.append(
                {
                    "commitment": c.seq,
                    "task": c.task,
                    "deadline": format_time(deadline),
                    "witnessed": good >= policy.threshold,
                    "witnesses": who,
                }
            )
            if good >= policy.threshold:
                continue
            if now < deadline:
                notices.append(
                    f"#{c.seq}（{c.task}）的承诺尚待见证：需在 {format_time(deadline)} 前"
                    f"由 {policy.threshold} 位见证人联署，目前 {good} 位"
                )
                continue
            findings.append(
                Finding(
                    c.seq,
                    "integrity",
                    UNWITNESSED,
                    f"#{c.seq}（任务 {c.task}）的承诺没有在信标轮次前 {policy.lead} 秒"
                    f"（{format_time(deadline)}）之前由至少 {policy.threshold} 位见证人联署"
                    f"（及时联署的只有 {good} 位）：无法证明承诺先于随机数公开，"
                    "可能是倒签的承诺；请用 suiji witness 向见证人提交检查点，"
                    "或查明该承诺是否在轮次之后才写入",
                )
            )
        report = {
            "witness_policy": {
                "threshold": policy.threshold,
                "lead_seconds": policy.lead,
                "witnesses": [k.name for k in policy.keys],
            },
            "witnessed": per_commit,
        }
        return findings, notices, report


def _cosigned_at(note: Note, witness: NoteVerifier) -> int | None:
    """The earliest time of the witness's *valid* cosignature lines on `note`, or None.

    Each line is checked alone: a forged line under the witness's name neither counts nor
    hides a genuine one beside it.
    """
    key_id = cosignature_key_id(witness.name, witness.public)
    found: int | None = None
    for sig in note.signatures:
        if sig.name != witness.name or sig.key_id != key_id or len(sig.signature) != 72:
            continue
        when = int.from_bytes(sig.signature[:8], "big")
        if when > 2**63 - 1:
            continue
        if ed25519_ok(witness.public, sig.signature[8:], cosignature_message(note.text, when)):
            found = when if found is None else min(found, when)
    return found


def witness_summary(root: Path, now: datetime) -> dict[int, dict[str, Any]]:
    """Commitment entry → who cosigned it and when, for the published task pages.

    Reads the ledger and `ledger/cosignatures/` only. The site shows what the
    cosignatures say; `suiji verify` is what judges them (with the log's signatures).
    Empty without a witness policy.
    """
    from suiji.ledger.paths import COSIGNATURES_DIR, ledger_dir
    from suiji.ledger.reading import read_entries
    from suiji.shared.files import read_regular
    from suiji.standards.checkpoint import parse_checkpoint
    from suiji.standards.merkle import MerkleFrontier

    cosigned: list[tuple[Checkpoint, bytes]] = []
    directory = ledger_dir(root) / COSIGNATURES_DIR
    if directory.is_dir() and not directory.is_symlink():
        for path in sorted(directory.iterdir()):
            with contextlib.suppress(SuijiError, OSError, ValueError):
                data = read_regular(path)
                cosigned.append((parse_checkpoint(parse_note(data).text), data))
    sizes = {cp.size for cp, _ in cosigned}
    rule = WitnessRule()
    frontier = MerkleFrontier()
    roots: dict[int, tuple[bytes, bytes | None]] = {}
    origin: str | None = None
    for entry in read_entries(root):
        rule.see(entry)
        if entry.seq == 0:
            with contextlib.suppress(SuijiError, KeyError, TypeError, ValueError):
                origin = entry.typed_as(Genesis).origin
        frontier.append(entry.line)
        if frontier.size in sizes:
            roots[frontier.size] = (frontier.root(), None)
    _, _, report = rule.judge(cosigned, roots, origin, now, log_signature=False)
    policy = report.get("witness_policy", {})
    return {
        c["commitment"]: {
            **c,
            "threshold": policy["threshold"],
            "lead_seconds": policy["lead_seconds"],
        }
        for c in report.get("witnessed", [])
    }
