"""`suiji verify`: re-read the whole ledger, streaming, and say exactly what is wrong where.

Structural checks (canonical lines, sequence, chain, times, every signature against the
key authorised at that point, objects, the checkpoint and its signature) run here, in the
same `LedgerState` the writer uses. Semantic checks (re-deriving draws, deadlines) plug in
as `EntryChecker`s, called for every structurally valid entry in order; the CLI gets them
from `suiji.verify.checkers.default_checkers()`.

Algorithm and finding codes: docs/spec/14-verifier.md (algorithm §14.3, codes §14.5).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from suiji.crypto.ed25519 import PublicKey
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectError, ObjectStore
from suiji.ledger.paths import CHECKPOINT_FILE, COSIGNATURES_DIR, LEDGER_FILE, ledger_dir
from suiji.ledger.reading import scan
from suiji.ledger.state import LedgerState, Snapshot, check_checkpoint
from suiji.model.keychange import ROLE_SIGNING
from suiji.model.keystate import REVOKED
from suiji.shared.errors import InputError, Location
from suiji.shared.files import read_regular
from suiji.shared.findings import Finding
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, parse_checkpoint
from suiji.standards.note import (
    NoteError,
    NoteVerifier,
    b64encode,
    open_note,
    parse_note,
)
from suiji.verify.listing import TaskLine
from suiji.verify.lookback import CLOCK_NOTICE, LookBack, Seen
from suiji.verify.savedstate import SavedState, read_state, write_state
from suiji.verify.witnessed import WitnessRule

__all__ = [
    "EntryChecker",
    "Finding",
    "Report",
    "SavedState",
    "verify",
]

FailOn = Literal["any", "integrity"]
DEMO_NOTICE = "演示账本：随机数可预测，不具证明力"


class EntryChecker(Protocol):
    """A semantic check: sees every structurally valid entry in ledger order, then `finish`."""

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]: ...

    def finish(self) -> Iterable[Finding]: ...


@runtime_checkable
class TaskLister(Protocol):
    """A checker that also lists each task's chain, round and draw for the report."""

    def task_lines(self) -> list[TaskLine]: ...


@dataclass(frozen=True)
class Report:
    """What `verify` found, as data: `to_json()` for machines; the CLI renders it for people."""

    findings: tuple[Finding, ...]
    size: int
    genesis_hash: str | None
    origin: str | None
    checkpoint_size: int | None
    root: str | None
    now: str
    notices: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    state_advanced: bool = False
    tasks: tuple[dict[str, Any], ...] = ()  # per task: commitments, voids, draw (§14.4)
    data: dict[str, Any] = field(default_factory=dict)
    """Published facts the checkers gathered (e.g. `registry_changes`), for `--json`."""
    # per task with person voids: (task, voids recorded, replacements recorded)
    person_voids: tuple[tuple[str, int, int], ...] = ()
    demo: bool = False

    def failing(self, fail_on: FailOn = "any") -> list[Finding]:
        """Findings that fail the report (only `integrity` ones when fail_on='integrity')."""
        return [f for f in self.findings if fail_on == "any" or f.tag == "integrity"]

    def passes(self, fail_on: FailOn = "any") -> bool:
        """True when no finding fails under `fail_on`."""
        return not self.failing(fail_on)

    def to_json(self, fail_on: FailOn = "any") -> dict[str, Any]:
        return {
            "ok": self.passes(fail_on),
            "size": self.size,
            "genesis": self.genesis_hash,
            "origin": self.origin,
            "checkpoint_size": self.checkpoint_size,
            "root": self.root,
            "now": self.now,
            "findings": [f.to_json() for f in self.findings],
            "notices": list(self.notices),
            "evidence": list(self.evidence),
            "state_advanced": self.state_advanced,
            "tasks": list(self.tasks),
            **self.data,
            "person_voids": [
                {"task": t, "voids": n, "replaced": r} for t, n, r in self.person_voids
            ],
            "demo": self.demo,
        }


# ---------------------------------------------------------------- saved states


@dataclass
class _Cosigned:
    path: Path
    data: bytes
    checkpoint: Checkpoint


def _read_cosignatures(ld: Path, notice: Any) -> list[_Cosigned]:
    """Parse every note in `ledger/cosignatures/` (witness policy: a later issue).

    Anyone can drop a file there (a pull request, a stray copy), so nothing read here is
    evidence until a key this ledger knows has signed it (`_check_cosignature`): a symlink,
    a device, an oversized or unparsable file is skipped with a notice naming it, never an
    integrity finding and never a crash, and its content is never echoed.
    """
    directory = ld / COSIGNATURES_DIR
    out: list[_Cosigned] = []
    if directory.is_symlink():
        notice(f"{COSIGNATURES_DIR}/ 是符号链接：已跳过，不读取其中的联署（请换成普通目录）")
        return out
    if not directory.is_dir():
        return out
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        try:
            data = read_regular(path)
        except InputError as exc:
            notice(
                f"{COSIGNATURES_DIR}/{path.name}: 已跳过：{exc.code}（符号链接、非普通文件或过大）"
            )
            continue
        except OSError as exc:
            notice(f"{COSIGNATURES_DIR}/{path.name}: 已跳过：无法读取（{exc.strerror}）")
            continue
        try:
            cp = parse_checkpoint(parse_note(data).text)
        except NoteError:
            notice(
                f"{COSIGNATURES_DIR}/{path.name}: 不是本账本已知密钥签署的检查点（格式不符），已忽略"
            )
            continue
        out.append(_Cosigned(path, data, cp))
    return out


def _known_writers(state: LedgerState) -> list[PublicKey]:
    """Every signing key the ledger has authorised and not revoked: who may sign a checkpoint."""
    if state.keys is None:
        return []
    return [
        r.public
        for r in state.keys.records.values()
        if r.role == ROLE_SIGNING and r.status != REVOKED
    ]


def _check_cosignature(
    c: _Cosigned,
    origin: str | None,
    size: int,
    snaps: dict[int, Snapshot],
    writers: Sequence[PublicKey],
    col: _Collector,
) -> bool:
    """Check one note; False (and a notice) when no key this ledger knows signs it.

    Only a checkpoint signed by one of the ledger's own signing keys can accuse the ledger
    (`cosig-ahead`, `cosig-fork`): an unsigned or foreign file proves nothing about it.
    """
    name = c.path.name
    try:
        open_note(c.data, [NoteVerifier(origin or "", w.raw) for w in writers])
    except NoteError:
        col.notices.append(
            f"{COSIGNATURES_DIR}/{name}: 没有本账本任何签名密钥的有效签名，已忽略（不作为证据）"
        )
        return False
    if c.checkpoint.origin != origin:
        col.bad(None, "cosig-origin", f"{name}: 联署的检查点属于另一个日志 {c.checkpoint.origin!r}")
        return True
    if c.checkpoint.size > size:
        col.bad(
            None,
            "cosig-ahead",
            f"{name}: 见证人见过大小为 {c.checkpoint.size} 的检查点，"
            f"本账本只有 {size} 条：账本被截断或回滚",
        )
        return True
    snap = snaps.get(c.checkpoint.size)
    if snap is None or snap.writer is None or origin is None:
        return True
    try:
        open_note(c.data, [NoteVerifier(origin, snap.writer.raw)])
    except NoteError as exc:
        col.bad(
            None,
            "cosig-log-signature",
            f"{name}: 联署的检查点没有当时签名密钥的有效签名：{exc}",
        )
        return True
    if snap.root != c.checkpoint.root:
        col.bad(
            None,
            "cosig-fork",
            f"{name}: 见证人联署的大小为 {c.checkpoint.size} 的检查点与本账本不一致：日志分叉",
        )
    return True


# ---------------------------------------------------------------- verify


@dataclass
class _Collector:
    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def bad(self, seq: int | None, code: str, message: str) -> None:
        self.findings.append(Finding(seq, "integrity", code, message))


def verify(
    root: Path,
    *,
    now: datetime,
    pin: str | None = None,
    state_file: Path | None = None,
    checkers: Sequence[EntryChecker] = (),
    fail_on: FailOn = "any",
    allow_demo: bool = False,
    beacon_cache: bool = True,
) -> Report:
    """Verify `root`/ledger completely; memory does not grow with the ledger's length.

    `pin` is the expected genesis entry hash; `state_file` remembers the last accepted
    checkpoint and is advanced only when the report passes under `fail_on`. A demo ledger
    is a `demo-ledger` finding unless `allow_demo`. `beacon_cache=False` turns the local
    verified-round cache off in every checker that has one (`use_cache`) and says so in
    the report. Findings come out ordered by entry number.
    Raises InputError only when there is nothing to read.
    """
    ld = ledger_dir(root)
    if not (ld / LEDGER_FILE).is_file():
        raise InputError(
            f"{ld / LEDGER_FILE}: 找不到账本文件（是否在局目录中运行？可用 --root 指定）",
            code="file-missing",
            location=Location(str(ld / LEDGER_FILE)),
        )
    col = _Collector()
    if not beacon_cache:
        for checker in checkers:
            if hasattr(checker, "use_cache"):
                checker.use_cache = False
    cp_bytes: bytes | None = None
    with contextlib.suppress(FileNotFoundError):
        cp_bytes = read_regular(ld / CHECKPOINT_FILE)
    cp_size: int | None = None
    if cp_bytes is not None:
        with contextlib.suppress(NoteError):
            cp_size = parse_checkpoint(parse_note(cp_bytes).text).size
    saved = read_state(state_file) if state_file is not None else None
    cosigned = _read_cosignatures(ld, col.notices.append)

    lookback = LookBack(saved.seen if saved is not None else None)
    witnesses = WitnessRule()
    sizes = {s for s in (cp_size, saved.size if saved else None) if s is not None}
    sizes.update(c.checkpoint.size for c in cosigned)
    state = LedgerState()
    state.now = now
    store = ObjectStore(root)

    def on_entry(entry: Entry) -> list[Finding]:
        lookback.see(entry)
        witnesses.see(entry)
        out: list[Finding] = []
        for checker in checkers:
            try:
                out.extend(checker.check(entry, store))
            except ObjectError as exc:
                # a missing object is settled at the end like any other reference: a later
                # withdrawal excuses it, otherwise it is reported once, as object-missing
                if exc.code == "object-missing" and exc.oid is not None:
                    if exc.oid not in state.withdrawn:
                        state.pending.setdefault(exc.oid, entry.seq)
                else:
                    out.append(Finding(entry.seq, "integrity", exc.code, str(exc)))
        return out

    result = scan(root, state, store, sizes=sizes, on_entry=on_entry, parallel=True)
    col.findings.extend(result.findings)
    col.findings.extend(state.finish())
    data: dict[str, Any] = {}
    for checker in checkers:
        col.findings.extend(checker.finish())
        report_data = getattr(checker, "report_data", None)
        if report_data is not None:
            data.update(report_data())
    size = state.size
    if size == 0:
        col.bad(0, "empty", "账本为空：没有创世条目")

    checkpoint: Checkpoint | None = None
    if cp_bytes is not None:
        # read again after the scan: a checkpoint that changed meanwhile means a writer
        # appended while we read, so the lines past the one we read first are its appends
        active = _reread(ld / CHECKPOINT_FILE) != cp_bytes
        checkpoint, cp_findings = check_checkpoint(
            cp_bytes,
            origin=state.origin,
            size=size,
            snapshots=result.snapshots,
            writer_active=active,
        )
        col.findings.extend(cp_findings)
        if checkpoint is not None and checkpoint.size == size - 1 and not active:
            col.notices.append(
                f"最后一条（#{size - 1}）已完整写入但检查点尚未更新"
                "（写入中断后可接受；下次追加时补上）"
            )
        elif checkpoint is not None and checkpoint.size < size and active:
            col.notices.append(
                f"验证期间有写入：按开始时读到的检查点（{checkpoint.size} 条）核对，"
                f"其后的 {size - checkpoint.size} 条已逐条验证签名与链接，尚待新检查点覆盖"
            )
    elif size > 1:
        col.bad(None, "checkpoint-missing", "缺少检查点 ledger/checkpoint")
    elif size == 1:
        col.notices.append("只有创世条目，尚无检查点")

    if pin is not None and state.genesis_hash != pin.strip().lower():
        col.bad(
            0,
            "pin",
            f"创世条目哈希为 {state.genesis_hash}，与 --pin 固定的 {pin} 不符：这不是同一个账本",
        )

    if saved is not None:
        _compare_saved(saved, state, checkpoint, cp_bytes, result.snapshots, col)
        _look_back(saved, state, lookback, col)
    elif state_file is not None:
        col.notices.append(f"首次使用验证状态文件 {state_file}：以本次检查点为基准")

    writers = _known_writers(state)
    signed = sum(
        _check_cosignature(c, state.origin, size, result.snapshots, writers, col) for c in cosigned
    )
    if signed:
        col.notices.append(f"已核对 {signed} 份见证联署（ledger/cosignatures/）与本账本的一致性")
    w_findings, w_notices, w_data = witnesses.judge(
        [(c.checkpoint, c.data) for c in cosigned],
        {n: (s.root, s.writer.raw if s.writer else None) for n, s in result.snapshots.items()},
        state.origin,
        now,
    )
    col.findings.extend(w_findings)
    col.notices.extend(w_notices)
    data.update(w_data)

    _demo_and_clock(state, allow_demo, col, witnessed=witnesses.policy is not None)
    if not beacon_cache:
        col.notices.append("未使用本机已验证轮次缓存：每个信标签名都已重新验证（--no-cache）")

    # by entry number, ledger-wide findings last; stable, so each entry keeps its order
    col.findings.sort(key=lambda f: (f.seq is None, f.seq or 0))
    report = Report(
        findings=tuple(col.findings),
        size=size,
        genesis_hash=state.genesis_hash,
        origin=state.origin,
        checkpoint_size=checkpoint.size if checkpoint else None,
        root=b64encode(state.frontier.root()) if size else None,
        now=format_time(now),
        notices=tuple(col.notices),
        evidence=tuple(col.evidence),
        tasks=_merge_tasks(
            _task_summaries(checkers),
            [t for c in checkers if isinstance(c, TaskLister) for t in c.task_lines()],
        ),
        data=data,
        person_voids=_person_voids(checkers),
        demo=state.demo,
    )
    if (
        state_file is not None
        and report.passes(fail_on)
        and checkpoint is not None
        and cp_bytes is not None
        and state.origin is not None
        and state.genesis_hash is not None
        and (saved is None or checkpoint.size >= saved.size)
    ):
        write_state(
            state_file,
            SavedState(
                state.origin,
                state.genesis_hash,
                checkpoint.size,
                checkpoint.root,
                cp_bytes.decode("utf-8"),
                _seen_now(now, state, lookback.last, cp_bytes),
            ),
        )
        report = Report(**{**report.__dict__, "state_advanced": True})
    return report


def _reread(path: Path) -> bytes | None:
    """The checkpoint's bytes now (None if gone or unreadable): did a writer move it?"""
    try:
        return read_regular(path)
    except (OSError, InputError):
        return None


def _task_summaries(checkers: Sequence[EntryChecker]) -> tuple[dict[str, Any], ...]:
    """Per-task data from the checkers that keep it (the replay): what became of each task."""
    out: list[dict[str, Any]] = []
    for checker in checkers:
        tasks = getattr(checker, "tasks", None)
        if callable(tasks):
            out.extend(tasks())
    return tuple(out)


def _merge_tasks(
    summaries: Sequence[dict[str, Any]], lines: Sequence[TaskLine]
) -> tuple[dict[str, Any], ...]:
    """One record per task, sorted by task id: what became of it (the replay's summary) and
    where its randomness comes from (the listing: chain, round, round time or `draw_after`,
    the live commitment and the beacon entry). The listing's `draw` is the summary's
    `draw_seq`, so it is not repeated."""
    merged: dict[str, dict[str, Any]] = {s["task"]: dict(s) for s in summaries}
    for line in lines:
        source = line.to_json()
        source.pop("draw")
        merged.setdefault(line.task, {"task": line.task}).update(source)
    return tuple(merged[t] for t in sorted(merged))


def _compare_saved(
    saved: SavedState,
    state: LedgerState,
    checkpoint: Checkpoint | None,
    cp_bytes: bytes | None,
    snaps: dict[int, Snapshot],
    col: _Collector,
) -> None:
    """Truncation, rollback and forks against the last checkpoint this verifier accepted."""
    current = cp_bytes.decode("utf-8", "replace") if cp_bytes is not None else "（无检查点）\n"
    found = len(col.findings)
    if saved.origin != state.origin:
        col.bad(
            None,
            "state-origin",
            f"验证状态属于 {saved.origin!r}，本账本是 {state.origin!r}：状态文件用错了？",
        )
        return
    if state.size < saved.size:
        col.bad(
            None,
            "state-truncated",
            f"上次验证时账本有 {saved.size} 条，现在只有 {state.size} 条：账本被截断",
        )
    if checkpoint is not None and checkpoint.size < saved.size:
        col.bad(
            None,
            "state-rollback",
            f"检查点从 {saved.size} 条回退到 {checkpoint.size} 条：账本被回滚",
        )
    snap = snaps.get(saved.size)
    if saved.genesis != state.genesis_hash or (snap is not None and snap.root != saved.root):
        col.bad(
            None,
            "state-fork",
            f"同一 origin 下出现了另一段历史：前 {saved.size} 条的根"
            "与上次验证的检查点不同（日志分叉）",
        )
    if len(col.findings) > found:
        col.evidence.extend([saved.checkpoint, current])


def _person_voids(checkers: Sequence[EntryChecker]) -> tuple[tuple[str, int, int], ...]:
    """Voids per task, from the checkers that count them (the semantic replay)."""
    out: dict[str, tuple[int, int]] = {}
    for checker in checkers:
        counts = getattr(checker, "void_counts", None)
        if callable(counts):
            out.update(counts())
    return tuple((t, n, r) for t, (n, r) in sorted(out.items()))


# ---------------------------------------------------------------- demo, clock, look-back


def _demo_and_clock(
    state: LedgerState, allow_demo: bool, col: _Collector, *, witnessed: bool = False
) -> None:
    """Say what no check can prove: a demo's randomness, and entry times before witnesses."""
    if state.demo:
        col.notices.append(DEMO_NOTICE)
        if not allow_demo:
            col.bad(
                0,
                "demo-ledger",
                f"{DEMO_NOTICE}。这是演示账本，不能作为真实抽查的证明；"
                "只为查看演示可运行 suiji verify --allow-demo",
            )
    if state.size and not witnessed:
        col.notices.append(CLOCK_NOTICE)


def _look_back(saved: SavedState, state: LedgerState, lookback: LookBack, col: _Collector) -> None:
    """Backdated entries and swapped lines against what the previous run saw (state v2)."""
    if saved.seen is None:
        col.notices.append("验证状态文件是 v1 格式（没有上次查看的时间）：本次通过后将升级为 v2")
        return
    if state.size >= saved.size:
        gone = lookback.truncated(state.size)
        if gone is not None:
            col.findings.append(gone)
    col.findings.extend(lookback.findings)
    for note in lookback.evidence:
        if note not in col.evidence:
            col.evidence.append(note)


def _seen_now(now: datetime, state: LedgerState, last: Entry | None, cp: bytes) -> Seen | None:
    """What this run saw, to save: its clock, the size and the last line (None: unknown)."""
    if last is None or last.seq != state.size - 1:
        return None
    return Seen(format_time(now), state.size, last.hash, last.line.decode("utf-8"), cp.decode())


def load_json_report(data: str) -> dict[str, Any]:
    """Parse a `--json` report back (tests, CI tooling)."""
    value = json.loads(data)
    if not isinstance(value, dict):
        raise ValueError("report")
    return value
