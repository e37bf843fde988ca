"""The only module that signs and appends (docs/spec/04-ledger.md §4.6).

Under one lock, crash-safe: compute and verify everything first, then write objects,
the line and the checkpoint, each fsynced.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import PublicKey, Sig, public_of, sign_body
from suiji.crypto.keyfiles import KEYS_DIR
from suiji.ledger.codec import KIND_RE, MAX_LINE, Entry, LedgerError, _raw, encode_entry
from suiji.ledger.genesis import make_genesis_body
from suiji.ledger.history import (
    BEACON,
    COMMIT,
    COMMIT_VOID,
    COMPLIANCE_RULES,
    DRAW,
    PERSON_VOID,
    RESULT,
    REVEAL,
    SEALED_VOID,
    WITHDRAWAL,
    History,
)
from suiji.ledger.local import _cleanup_tmp, _described, _load, _Loaded, _locked, _summarise
from suiji.ledger.objects import ObjectStore, object_id, object_refs
from suiji.ledger.paths import (
    CACHE_FILE,
    CHECKPOINT_FILE,
    LEDGER_FILE,
    LOCK_FILE,
    OBJECTS_DIR,
    ledger_dir,
)
from suiji.ledger.requests import Request
from suiji.ledger.state import WRITER_TOLERATES, LedgerState
from suiji.ledger.taskhistory import history as task_history
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis
from suiji.model.keychange import ROLE_SIGNING, KeyChange
from suiji.model.keystate import refuse_demo_keys
from suiji.shared.errors import CanonicalError, InputError, Location, Refusal, UsageError
from suiji.shared.files import (
    MAX_OBJECT,
    _crash_point,
    _fsync_dir,
    _write_all,
    read_regular,
    write_atomic,
)
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, sign_checkpoint

"""A line (without its `\\n`) may hold at most 1 MiB; bulk data belongs in objects."""
"""Printable ASCII without space or '+': a valid C2SP note key name as well as an origin."""
"""Findings the verifier reports but that do not stop the writer: disputes are the outcome of
a revocation the writer just recorded, and a partial tail is what `repair` fixes."""
"""Test hook: the writer SIGKILLs itself at the named step (docs/spec/04-ledger.md §4.6)."""
"""Ledgers with at least this many new lines are verified with a second process."""


def put_object(root: Path, data: bytes) -> str:
    """Store bytes as `ledger/objects/<hash>` atomically; idempotent. Returns the hash."""
    oid = object_id(data)
    directory = ledger_dir(root) / OBJECTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / oid
    try:
        if object_id(read_regular(path, limit=MAX_OBJECT)) == oid:
            return oid
    except (FileNotFoundError, InputError):
        pass  # absent, or not a regular file: replaced below (the rename replaces a symlink)
    # the temporary file lives in ledger/, not objects/, so that cleaning up after a killed
    # writer never has to list the (large) objects directory
    write_atomic(path, data, tmp_dir=directory.parent)
    return oid


def _tail_action(loaded: _Loaded, root: Path) -> Literal["none", "complete", "truncate", "refuse"]:
    """What to do with a final line lacking `\\n` (docs/spec/04-ledger.md §4.6).

    A tail that is a complete, valid next entry missing only its newline is completed; a
    tail that does not even parse as JSON (an interrupted write, never signed) is cut;
    anything else — a complete but invalid entry — is evidence and is left for a human.
    """
    tail = loaded.tail
    if tail is None:
        return "none"
    if tail.data is None:
        return "truncate"
    try:
        json.loads(tail.data)
    except (ValueError, UnicodeDecodeError):
        return "truncate"
    trial = loaded.state.copy()
    _, found = trial.apply(_raw(tail.seq, tail.offset, tail.data), ObjectStore(root))
    return "refuse" if found else "complete"


Repaired = Literal["none", "complete", "truncate"]
"""What `repair` did: nothing, added the missing newline, or cut an unsigned half line."""


def repair(root: Path) -> Repaired:
    """Fix an interrupted last write (the only repair there is); returns what was done."""
    ld = ledger_dir(root)
    if not (ld / LEDGER_FILE).exists():
        raise InputError(
            f"{ld / LEDGER_FILE}: 账本文件不存在",
            code="file-missing",
            location=Location(str(ld / LEDGER_FILE)),
        )
    with _locked(ld):
        _cleanup_tmp(ld)
        loaded = _load(root, now=None)
        if loaded.findings:
            raise LedgerError(_summarise(loaded.findings))
        action = _tail_action(loaded, root)
        return _fix_tail(loaded, root, action)


def _fix_tail(
    loaded: _Loaded, root: Path, action: Literal["none", "complete", "truncate", "refuse"]
) -> Repaired:
    """Carry out `_tail_action`'s verdict on the file (the caller advances its state)."""
    if action == "none":
        return "none"
    assert loaded.tail is not None
    if action == "refuse":
        raise LedgerError(
            f"条目 #{loaded.tail.seq}: 最后一行缺少换行，且是一个完整但无效的条目；"
            "这不是写入中断造成的，请人工检查，不会自动删除"
        )
    path = ledger_dir(root) / LEDGER_FILE
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        if action == "complete":
            _write_all(fd, b"\n")
        else:
            os.ftruncate(fd, loaded.tail.offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    loaded.tail = None
    return action


# ---------------------------------------------------------------- append


TASK_KINDS = frozenset(
    {COMMIT, COMMIT_VOID, BEACON, DRAW, REVEAL, PERSON_VOID, SEALED_VOID, RESULT, WITHDRAWAL}
)
"""Kinds with lifecycle rules: the locked dry run checks them against the task history."""


class Session:
    """An exclusive hold on the ledger: read the history, compute and append under ONE lock.

    Two clerks running `draw` (or `commit`, `void`) at once must not both decide from the
    same history: each step reads the history, computes and appends inside one session, so
    the second waits and then sees the first's entry. `append` never re-takes the lock
    (flock locks belong to an open file, so re-taking it in the same process would block).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._history: History | None = None

    @property
    def history(self) -> History:
        """The task history as of now (read once under the lock, advanced by each append)."""
        if self._history is None:
            self._history = task_history(self.root)
        return self._history

    def append(
        self,
        kind: str,
        body: Mapping[str, Any],
        *,
        key: Ed25519PrivateKey,
        now: datetime,
        clock_overridden: bool,
        objects: Sequence[bytes] = (),
        extra_sigs: Sequence[Sig | Mapping[str, str]] = (),
    ) -> Entry:
        """Append one entry (see `append`); a task kind is checked against the history."""
        hist = self.history if kind in TASK_KINDS else None
        entry = _append_locked(
            self.root,
            kind,
            body,
            key=key,
            now=now,
            clock_overridden=clock_overridden,
            objects=objects,
            extra_sigs=extra_sigs,
            hist=hist,
        )
        if self._history is not None:
            self._history.apply(entry)
        return entry


@contextlib.contextmanager
def session(root: Path) -> Iterator[Session]:
    """Hold the ledger's exclusive lock for a whole writing step."""
    with _locked(ledger_dir(root)):
        yield Session(root)


def append(
    root: Path,
    kind: str,
    body: Mapping[str, Any],
    *,
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
    objects: Sequence[bytes] = (),
    extra_sigs: Sequence[Sig | Mapping[str, str]] = (),
) -> Entry:
    """Append one entry signed by `key`: the only function that writes ledger lines.

    Takes the lock for this one entry; a step that decides what to write from the
    ledger's history uses `session` instead, so the history cannot change in between.
    """
    with session(root) as s:
        return s.append(
            kind,
            body,
            key=key,
            now=now,
            clock_overridden=clock_overridden,
            objects=objects,
            extra_sigs=extra_sigs,
        )


def _append_locked(
    root: Path,
    kind: str,
    body: Mapping[str, Any],
    *,
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
    objects: Sequence[bytes],
    extra_sigs: Sequence[Sig | Mapping[str, str]],
    hist: History | None,
) -> Entry:
    """Append under the caller's exclusive lock.

    Verify what is new since the cached state; refuse an overridden clock unless genesis
    says demo, time going backwards, an unauthorised key, anything the verifier would
    reject (dry run on a copy of the state) or a broken task rule (`hist.check`) — all
    before touching a file; then write objects, the line (one O_APPEND write + fsync), the
    checkpoint (tmp, fsync, rename, fsync dir), the cache; finally re-read and compare.
    A failure before the line is written leaves the ledger byte-identical; a failure while
    writing the line cuts it back off (`_write_line`).
    """
    ld = ledger_dir(root)
    body = dict(body)
    sigs = [s if isinstance(s, Sig) else Sig(str(s["key"]), str(s["sig"])) for s in extra_sigs]
    _crash_point("locked")
    _cleanup_tmp(ld)
    loaded = _load(root, now=None)
    if loaded.findings:
        raise LedgerError(_summarise(loaded.findings))
    state = loaded.state
    action = _tail_action(loaded, root)
    if action == "refuse":
        _fix_tail(loaded, root, action)  # raises with the explanation
    if action == "complete":
        assert loaded.tail is not None and loaded.tail.data is not None
        state = state.copy()
        state.apply(_raw(loaded.tail.seq, loaded.tail.offset, loaded.tail.data), ObjectStore(root))
    entry, line, pending, new_keys, new_state = _prepare(
        root, state, kind, body, key, now, clock_overridden, objects, sigs, hist
    )

    # Nothing has been written so far; from here on the ledger changes.
    _fix_tail(loaded, root, action)
    for data in pending.values():
        put_object(root, data)
    for pub in new_keys:
        install_public_key(root, pub)
    if kind == "genesis":
        _ensure_gitignore(ld)
    _crash_point("objects")

    path = ld / LEDGER_FILE
    _write_line(path, line)
    if state.size == 0:
        _fsync_dir(ld)
    _crash_point("line-synced")

    assert new_state.keys is not None and new_state.origin is not None
    cp = Checkpoint(new_state.origin, new_state.size, new_state.frontier.root())
    cp_bytes = sign_checkpoint(cp, new_state.origin, key)
    try:
        write_atomic(ld / CHECKPOINT_FILE, cp_bytes, step="checkpoint")
    except OSError:
        # no checkpoint covers the new line: cut it off again, the ledger ends where it did
        with contextlib.suppress(OSError):
            os.truncate(path, state.offset)
        raise
    _crash_point("checkpoint-done")
    new_state.now = None
    write_atomic(ld / CACHE_FILE, json.dumps(new_state.to_json(), sort_keys=True).encode())
    _crash_point("cache-written")

    with path.open("rb") as fh:
        fh.seek(state.offset)
        if fh.read(len(line) + 2) != line + b"\n":
            raise LedgerError(f"条目 #{entry.seq}: 写入后回读不一致：有其他程序在写账本？")
    if read_regular(ld / CHECKPOINT_FILE) != cp_bytes:
        raise LedgerError("检查点写入后回读不一致：有其他程序在写账本？")
    return entry


def _write_line(path: Path, line: bytes) -> None:
    """One O_APPEND write + fsync; if the disk refuses (full, too large, I/O error) the
    partial line is cut off again, so the ledger ends where it did."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        before = os.fstat(fd).st_size
        try:
            _write_all(fd, line + b"\n")
            _crash_point("line-written")
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, before)
                os.fsync(fd)
            raise
    finally:
        os.close(fd)


def _prepare(
    root: Path,
    state: LedgerState,
    kind: str,
    body: dict[str, Any],
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
    objects: Sequence[bytes],
    extra_sigs: Sequence[Sig],
    hist: History | None = None,
) -> tuple[Entry, bytes, dict[str, bytes], list[PublicKey], LedgerState]:
    """Everything append decides before writing: checks, the signed line, a dry run.

    With `hist`, the entry must also keep the task lifecycle's rules (the verifier's
    `draw-twice`, `commit-twice`, … are refused here with that code).
    """
    seq = state.size
    if seq == 0 and kind != "genesis":
        raise Refusal("账本尚未初始化：请先运行 suiji init", code="ledger-not-initialised")
    if seq > 0 and kind == "genesis":
        raise Refusal(
            "账本已经初始化（已有创世条目），不能再次 init", code="ledger-already-initialised"
        )
    if not KIND_RE.match(kind):
        raise UsageError(f"条目类型格式错误：{kind!r}", code="entry-kind")
    new_keys: list[PublicKey] = []
    if kind == "genesis":
        try:
            info = Genesis.from_json(body)
        except EntryError as exc:
            raise UsageError(f"创世条目内容无效：{exc}", code="genesis-body") from None
        demo = info.demo
        writer = info.keys.signing
        new_keys = [*info.keys.roots, info.keys.signing]
    else:
        assert state.keys is not None
        demo = state.demo
        writer = state.keys.writer_key
        if kind == "key":
            try:
                change = KeyChange.from_json(body, genesis=state.genesis_hash or "")
            except EntryError as exc:
                raise UsageError(f"密钥变更请求无效：{exc}", code="key-body") from None
            if change.public is not None:
                new_keys = [change.public]
                if change.role == ROLE_SIGNING:
                    writer = change.public
    if not demo:
        refuse_demo_keys(new_keys)
    if clock_overridden and not demo:
        raise Refusal(
            "此账本不是演示账本（创世条目 demo=false），不能用 --now / SUIJI_NOW / 演示时钟写入；"
            "请去掉这些设置，使用真实时钟",
            code="clock-override",
        )
    time = format_time(now)
    if state.last_time is not None and time < state.last_time:
        raise Refusal(
            f"时间倒退：现在是 {time}，上一条目是 {state.last_time}；请检查系统时钟",
            code="time-backwards",
        )
    signer = public_of(key)
    if signer.raw != writer.raw:
        raise Refusal(
            f"此私钥（{signer.id[:16]}…）不是当前授权的签名密钥（{writer.id[:16]}…）；"
            "请用正确的 --key，或先通过 key add 轮换",
            code="key-not-authorised",
        )
    pending = {object_id(d): bytes(d) for d in objects}
    try:
        refs = set(object_refs(body))
    except ValueError as exc:
        raise UsageError(f"条目内容中的对象引用无效：{exc}", code="object-ref") from None
    unreferenced = set(pending) - refs
    if unreferenced:
        raise UsageError(
            "提供的对象未被条目引用（body 中以 _object/_objects 结尾的字段）："
            f"{sorted(unreferenced)}",
            code="object-unreferenced",
        )
    try:
        line = encode_entry(
            seq=seq,
            prev=state.last_hash,
            kind=kind,
            time=time,
            body=body,
            key=key,
            extra_sigs=[s for s in extra_sigs if s.key != signer.id],
        )
    except CanonicalError as exc:
        raise UsageError(f"条目内容不能写成规范 JSON：{exc}", code="noncanonical") from None
    if len(line) > MAX_LINE:
        raise UsageError(
            f"条目过长（{len(line)} 字节，上限 {MAX_LINE}）：请把大块数据放进对象",
            code="line-too-long",
        )
    trial = state.copy()
    entry, found = trial.apply(_raw(seq, state.offset, line), ObjectStore(root, pending))
    found.extend(trial.finish())
    found = [f for f in found if f.code not in WRITER_TOLERATES]
    if found or entry is None:
        raise Refusal(
            "条目未通过校验，未写入：" + "；".join(_described(f) for f in found),
            code="entry-refused",
        )
    if hist is not None:
        # compliance rules are the step's to accept (it refuses unless told otherwise)
        violations = [v for v in hist.check(entry) if v.code not in COMPLIANCE_RULES]
        if violations:
            v = violations[0]
            where = f"（条目 #{v.seq}）" if v.seq is not None else ""
            raise Refusal(
                f"条目未写入：任务 {v.task} 的这一步违反任务规则 {v.code}{where}；"
                "可能有另一位经办人刚刚写入了账本，请运行 suiji verify 查看后重试",
                code=v.code,
            )
    return entry, line, pending, new_keys, trial


GITIGNORE = f"# suiji: local writer files, never committed\n/{LOCK_FILE}\n/{CACHE_FILE}\n.*.tmp-*\n"


def _ensure_gitignore(ld: Path) -> None:
    """Keep the lock, the writer's cache and temporary files out of git (gitcheck refuses them)."""
    path = ld / ".gitignore"
    if not path.exists():
        write_atomic(path, GITIGNORE.encode())


def install_public_key(root: Path, pub: PublicKey) -> Path:
    """Copy a public key to `ledger/keys/<keyid>.pub` (PEM); idempotent. Never a private key."""
    directory = ledger_dir(root) / KEYS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{pub.id}.pub"
    if not path.exists() or path.read_bytes() != pub.pem():
        write_atomic(path, pub.pem())
    return path


def create(
    root: Path,
    *,
    origin: str,
    roots: Sequence[Ed25519PrivateKey],
    signing: Ed25519PrivateKey,
    now: datetime,
    beacons: Sequence[Mapping[str, Any]] = (),
    demo: bool = False,
    clock_overridden: bool = False,
) -> Entry:
    """Write a genesis signed on the spot by every root key (threshold = their number).

    For tests, benchmarks and single-machine set-ups; a bureau whose root holders sign
    offline uses `suiji init --prepare` and a request file instead.
    """
    body = make_genesis_body(
        origin=origin,
        roots=[public_of(k) for k in roots],
        threshold=len(roots),
        signing=public_of(signing),
        beacons=beacons,
        demo=demo,
    )
    return append(
        root,
        "genesis",
        body,
        key=signing,
        now=now,
        clock_overridden=clock_overridden,
        extra_sigs=[sign_body(k, body) for k in roots],
    )


def append_request(
    root: Path,
    request: Request,
    *,
    key: Ed25519PrivateKey,
    now: datetime,
    clock_overridden: bool,
) -> Entry:
    """Append a root-signed request (a key change, or the genesis) as an entry.

    The future automatic writer calls this; until then `suiji key append` and `suiji init`
    do. Signatures are checked by the same dry run as every append.
    """
    return append(
        root,
        request.kind,
        request.body,
        key=key,
        now=now,
        clock_overridden=clock_overridden,
        extra_sigs=request.sigs,
    )
