"""`suiji gitcheck`: refuse commits that rewrite the ledger's history (pre-commit hook and CI).

The ledger is append-only; git is not. A commit (or the staged index, for the pre-commit
hook) is compared with each of its parents:

- `ledger.jsonl` must be a byte-prefix extension of every parent's — so no line is ever
  changed or removed, and a merge of two writers' independent appends (which cannot be
  an extension of both parents) is refused;
- objects may be added (named by their hash) but never changed; removed only when a
  `withdrawal` entry in the new ledger names them;
- public keys in `keys/` may be added, never changed or removed; `checkpoint` may change
  (verify checks it) but not disappear;
- the only files an outsider may add are witness cosignatures in `cosignatures/`
  (which are kept: never removed, and a file changes only by gaining signature lines);
- nothing else may appear under `ledger/` (temporary files, private keys, …), and
  nothing there may be a symlink or submodule (git mode 120000/160000): a symlinked
  checkpoint or object would make readers open a file outside the ledger;
- every appended ledger line is checked structurally (complete, canonical, seq and prev
  continuing the old tip) — signatures are `suiji verify`'s;
- a cosignature file may be removed when no key the ledger knows signs it (anyone can
  add one; removing junk must stay possible).

docs/spec/14-verifier.md §14.7.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from suiji.crypto.ed25519 import KeyError_, PublicKey
from suiji.crypto.keyfiles import parse_public_key
from suiji.ledger.reading import appended_problems
from suiji.model.entries import GENESIS, KEY, Withdrawal
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis
from suiji.model.keychange import ROLE_SIGNING, KeyChange
from suiji.shared.canonical import HEX64_RE, parse_canonical, tagged_hex
from suiji.shared.errors import CanonicalError, InputError
from suiji.standards.note import NoteError, NoteVerifier, open_note

_FREE = {"README.md", ".gitignore"}
INDEX = "index"


@dataclass(frozen=True)
class GitFinding:
    """One refused change: which commit (or "index"), which path, and why (Chinese)."""

    commit: str
    path: str
    message: str


def _git(repo: Path, *args: str, check: bool = True) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise InputError("找不到 git 命令") from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise InputError(f"git {' '.join(args[:3])} 失败：{err}")
    return proc.stdout


def _ok(repo: Path, *args: str) -> bool:
    return (
        subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        ).returncode
        == 0
    )


def _empty_tree(repo: Path) -> str:
    return _git(repo, "hash-object", "-t", "tree", "--stdin").decode().strip()


class _Side:
    """One side of a comparison: a commit, or the index (`rev` None)."""

    def __init__(self, repo: Path, rev: str | None) -> None:
        self.repo = repo
        self.rev = rev

    def read(self, path: str) -> bytes | None:
        spec = f"{self.rev}:{path}" if self.rev is not None else f":{path}"
        if not _ok(self.repo, "cat-file", "-e", spec):
            return None
        return _git(self.repo, "cat-file", "blob", spec)


_REGULAR_MODES = {"100644", "100755"}


def _changes(repo: Path, old: str, new: str | None, prefix: str) -> list[tuple[str, str, str]]:
    """(status, path, new git mode) per changed path; `--raw` so symlinks show up."""
    if new is None:
        out = _git(
            repo,
            "diff-index",
            "--cached",
            "-r",
            "--no-renames",
            "--raw",
            "-z",
            old,
            "--",
            prefix,
        )
    else:
        out = _git(repo, "diff-tree", "-r", "--no-renames", "--raw", "-z", old, new, "--", prefix)
    parts = out.decode("utf-8", "surrogateescape").split("\0")
    found: list[tuple[str, str, str]] = []
    for i in range(0, len(parts) - 1, 2):
        meta = parts[i].lstrip(":").split()
        if len(meta) < 5:
            continue
        found.append((meta[4], parts[i + 1], meta[1]))
    return found


def _withdrawn(ledger: bytes | None) -> set[str]:
    """Object hashes named by `withdrawal` entries in a ledger file's bytes."""
    out: set[str] = set()
    if not ledger:
        return out
    for line in ledger.split(b"\n"):
        if b'"kind":"withdrawal"' not in line:
            continue
        try:
            value = parse_canonical(line)
        except CanonicalError:
            continue
        if isinstance(value, dict) and value.get("kind") == "withdrawal":
            try:
                out.update(Withdrawal.from_json(value.get("body")).withdrawn)
            except EntryError:
                continue  # not a valid withdrawal: it withdraws nothing (as for the verifier)
    return out


def compare(repo: Path, old: str, new: str | None, prefix: str, label: str) -> list[GitFinding]:
    """Check the change from tree-ish `old` to commit `new` (None: the index)."""
    found: list[GitFinding] = []
    old_side, new_side = _Side(repo, old), _Side(repo, new)
    changes = _changes(repo, old, new, prefix + "/")
    withdrawn: set[str] | None = None

    def bad(path: str, message: str) -> None:
        found.append(GitFinding(label, path, message))

    for status, path, mode in changes:
        rel = path[len(prefix) + 1 :]
        kind = status[:1]
        if kind != "D" and mode not in _REGULAR_MODES:
            what = {"120000": "符号链接", "160000": "子模块"}.get(mode, f"git 模式 {mode}")
            bad(path, f"ledger/ 中不允许{what}：只能是普通文件")
            continue
        if rel in _FREE:
            continue
        if rel == "ledger.jsonl":
            if kind == "D":
                bad(path, "删除了账本文件：账本只能追加")
            elif kind == "M":
                before, after = old_side.read(path) or b"", new_side.read(path) or b""
                if not after.startswith(before):
                    bad(path, _rewrite_message(before, after))
                else:
                    _check_appended(path, before, after[len(before) :], bad)
            elif kind == "A":
                _check_appended(path, b"", new_side.read(path) or b"", bad)
            else:
                bad(path, f"不允许的变更类型 {status}")
        elif rel == "checkpoint":
            if kind not in ("A", "M"):
                bad(path, "删除了检查点")
        elif rel.startswith("objects/"):
            name = rel[len("objects/") :]
            if not HEX64_RE.match(name):
                bad(path, "objects/ 中只能有以对象哈希命名的文件")
            elif kind == "A":
                data = new_side.read(path) or b""
                if tagged_hex("suiji/object/v1", data) != name:
                    bad(path, "对象内容与文件名（哈希）不符")
            elif kind == "D":
                if withdrawn is None:
                    withdrawn = _withdrawn(new_side.read(f"{prefix}/ledger.jsonl"))
                if name not in withdrawn:
                    bad(path, "删除了对象，但没有撤回条目 (kind withdrawal) 点名它")
            else:
                bad(path, "改动了已有对象：对象一经写入不可更改")
        elif rel.startswith("keys/"):
            if kind != "A":
                bad(path, "改动或删除了已发布的公钥")
            else:
                _check_key_file(path, rel, new_side.read(path) or b"", bad)
        elif rel.startswith("cosignatures/"):
            if kind in ("D", "M"):
                ledger = new_side.read(f"{prefix}/ledger.jsonl") or b""
                before = old_side.read(path) or b""
                if not _signed_by_known_key(before, ledger):
                    pass  # junk anyone could have added: may go or change
                elif kind == "D":
                    bad(path, "删除了见证联署：本账本密钥签署的联署是证据，只增不删")
                elif not _only_lines_added(before, new_side.read(path) or b""):
                    bad(path, "改写了见证联署：只能在原有签名行之外增加新的联署行，不能删改")
        else:
            bad(path, "ledger/ 中不允许出现此文件（只允许账本、检查点、对象、公钥和见证联署）")
    return found


def _check_appended(
    path: str, before: bytes, appended: bytes, bad: Callable[[str, str], None]
) -> None:
    """The new lines must be well-formed and chain on from the old tip (no crypto)."""
    for seq, code, message in appended_problems(before, appended):
        bad(path, f"新增条目 #{seq} 结构无效（{code}）：{message}；请运行 suiji verify 查看")


def _ledger_keys(ledger: bytes) -> tuple[str | None, list[PublicKey]]:
    """The origin and every signing key a ledger file's genesis and key changes name.

    A cheap scan (no signature checks): it only decides whether a cosignature file is
    worth keeping, never whether the ledger is valid.
    """
    origin: str | None = None
    keys: list[PublicKey] = []
    for line in ledger.split(b"\n"):
        if b'"kind":"genesis"' not in line and b'"kind":"key"' not in line:
            continue
        try:
            value = parse_canonical(line)
            if not isinstance(value, dict):
                continue
            if value.get("kind") == GENESIS:
                genesis = Genesis.from_json(value.get("body"))
                origin = genesis.origin
                keys.append(genesis.keys.signing)
            elif value.get("kind") == KEY:
                change = KeyChange.from_json(value.get("body"))
                if change.public is not None and change.role == ROLE_SIGNING:
                    keys.append(change.public)
        except (CanonicalError, EntryError):
            continue
    return origin, keys


def _only_lines_added(before: bytes, after: bytes) -> bool:
    """A cosignature file may gain signature lines (the writer merges new witnesses' lines
    into it) but keeps its checkpoint text and every line it had."""
    old_text, _, old_sigs = before.partition(b"\n\n")
    new_text, _, new_sigs = after.partition(b"\n\n")
    return old_text == new_text and set(old_sigs.splitlines()) <= set(new_sigs.splitlines())


def _signed_by_known_key(note: bytes, ledger: bytes) -> bool:
    """True when one of the ledger's signing keys signs this cosignature file's note."""
    origin, keys = _ledger_keys(ledger)
    if origin is None or not keys:
        return False
    try:
        open_note(note, [NoteVerifier(origin, k.raw) for k in keys])
    except (NoteError, ValueError):
        return False
    return True


def _check_key_file(path: str, rel: str, data: bytes, bad: Callable[[str, str], None]) -> None:
    name = rel[len("keys/") :]
    if not name.endswith(".pub") or not HEX64_RE.match(name[:-4]):
        bad(path, "keys/ 中只能有 <密钥编号>.pub 文件")
        return
    try:
        pub = parse_public_key(data.strip(), path)
    except KeyError_ as exc:
        bad(path, f"不是公钥文件：{exc}")
        return
    if pub.id != name[:-4]:
        bad(path, "公钥文件名与公钥推导出的密钥编号不符")


def _rewrite_message(before: bytes, after: bytes) -> str:
    i = 0
    limit = min(len(before), len(after))
    while i < limit and before[i] == after[i]:
        i += 1
    line = before.count(b"\n", 0, i)
    if len(after) < len(before) and i == len(after):
        return f"账本被截断：原有条目自 #{line} 起被删除；账本只能追加"
    return (
        f"改写了已有的条目 #{line}（账本必须是父提交的逐字节前缀扩展；两个写入者并行追加也会如此）"
    )


# ---------------------------------------------------------------- entry points


def ledger_prefix(root: Path) -> tuple[Path, str]:
    """The repository's top level and the ledger directory's path inside it."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    rel = root.resolve().relative_to(top.resolve()).as_posix()
    return top, ("ledger" if rel == "." else f"{rel}/ledger")


def _parents(repo: Path, rev: str) -> list[str]:
    line = _git(repo, "rev-list", "--parents", "-n", "1", rev).decode().split()
    return line[1:]


def check_commit(repo: Path, rev: str, prefix: str = "ledger") -> list[GitFinding]:
    """A commit against each of its parents (a root commit against the empty tree)."""
    commit = _git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
    parents = _parents(repo, commit) or [_empty_tree(repo)]
    found: list[GitFinding] = []
    for parent in parents:
        found.extend(compare(repo, parent, commit, prefix, commit))
    return found


def check_range(
    repo: Path, base: str, head: str = "HEAD", prefix: str = "ledger"
) -> list[GitFinding]:
    """Every commit in base..head (CI: the pushed commits)."""
    revs = _git(repo, "rev-list", "--reverse", f"{base}..{head}").decode().split()
    found: list[GitFinding] = []
    for rev in revs:
        found.extend(check_commit(repo, rev, prefix))
    return found


def check_staged(repo: Path, prefix: str = "ledger") -> list[GitFinding]:
    """The index against HEAD (the pre-commit hook)."""
    head = "HEAD" if _ok(repo, "rev-parse", "--verify", "HEAD^{commit}") else _empty_tree(repo)
    return compare(repo, head, None, prefix, INDEX)


def gitcheck(root: Path, *, base: str | None = None, head: str = "HEAD") -> list[GitFinding]:
    """`suiji gitcheck`: the staged index (no base), or every commit in base..head."""
    repo, prefix = ledger_prefix(root)
    if base is None:
        return check_staged(repo, prefix)
    return check_range(repo, base, head, prefix)


# ---------------------------------------------------------------- record files


def records_prefix(root: Path) -> tuple[Path, str]:
    """The repository's top level and `content/records` inside it."""
    top, ledger = ledger_prefix(root)
    return top, ledger[: -len("ledger")] + "content/records"


def changed_records(root: Path, *, base: str | None = None, head: str = "HEAD") -> list[str]:
    """Record files (.csv, .xlsx) staged (no base) or changed in base..head, not deleted.

    Git alone is read here; the caller (the CLI) runs `suiji check` on them, since this
    layer does not read records.
    """
    repo, prefix = records_prefix(root)
    if base is None:
        head_rev = (
            "HEAD" if _ok(repo, "rev-parse", "--verify", "HEAD^{commit}") else _empty_tree(repo)
        )
        changes = _changes(repo, head_rev, None, prefix)
    else:
        changes = _changes(repo, base, head, prefix)
    return sorted(
        path
        for kind, path, _mode in changes
        if kind != "D" and path.lower().endswith((".csv", ".xlsx")) and "/plans/" not in path
    )


def export_records(root: Path, dest: Path, *, base: str | None = None, head: str = "HEAD") -> None:
    """Write the record files as staged (no base) or as in `head` into `dest`.

    What is checked is what would be published, not the working copy beside it: the
    top-level records and the inspection results in `results/`.
    """
    repo, prefix = records_prefix(root)
    rev = None if base is None else head
    if rev is None:
        listing = _git(repo, "ls-files", "-z", "--", prefix)
    else:
        listing = _git(repo, "ls-tree", "-r", "--name-only", "-z", rev, "--", prefix)
    side = _Side(repo, rev)
    for path in listing.decode("utf-8", "surrogateescape").split("\0"):
        rel = path[len(prefix) + 1 :] if path.startswith(prefix + "/") else ""
        folder, _, name = rel.rpartition("/")
        if not name or folder not in ("", "results") or "/" in folder:
            continue  # the records, and inspection results (results/); not samples or plans
        data = side.read(path)
        if data is not None:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_bytes(data)
