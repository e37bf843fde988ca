"""`suiji gitcheck` against real git repositories in temporary directories."""

from __future__ import annotations

import base64
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from suiji.cli import render
from suiji.cli.app import main
from suiji.crypto.ed25519 import from_seed, generate, public_of
from suiji.crypto.keyfiles import private_pem
from suiji.ledger.append import append, create
from suiji.ledger.codec import Entry
from suiji.ledger.objects import object_id
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
from suiji.verify.gitcheck import check_commit, check_range, check_staged, gitcheck

ORIGIN = "example.gov.cn/suiji-test"
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
SIGNING = from_seed(bytes([3]) * 32)
ROOT = from_seed(bytes([1]) * 32)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def add(root: Path, i: int, **body: Any) -> Entry:
    objects = body.pop("objects", ())
    return append(
        root,
        "note",
        {"n": i, **body},
        key=SIGNING,
        now=T0 + timedelta(minutes=i),
        clock_overridden=False,
        objects=objects,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.name", "测试")
    git(r, "config", "user.email", "test@example.invalid")
    git(r, "config", "commit.gpgsign", "false")
    create(r, origin=ORIGIN, roots=[ROOT], signing=SIGNING, now=T0)
    add(r, 1, data_object=object_id(b"one"), objects=(b"one",))
    commit(r, "init")
    return r


def messages(found: list[Any]) -> str:
    return "\n".join(render.git_finding(f) for f in found)


def test_appends_keys_and_cosignatures_pass(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    assert check_commit(repo, base) == []  # the root commit, against the empty tree
    add(repo, 2, data_object=object_id(b"two"), objects=(b"two",))
    commit(repo, "append")
    (ledger_dir(repo) / "cosignatures").mkdir()
    (ledger_dir(repo) / "cosignatures" / "w1").write_bytes(b"witness note\n")
    commit(repo, "witness")
    (ledger_dir(repo) / "README.md").write_text("说明\n")
    commit(repo, "docs")
    assert check_range(repo, base) == []
    add(repo, 3)
    git(repo, "add", "-A")
    assert check_staged(repo) == []
    assert main(["gitcheck", "--root", str(repo)]) == 0
    assert main(["gitcheck", "--root", str(repo), "--base", base]) == 0


def test_rewritten_or_truncated_ledger_is_refused(repo: Path) -> None:
    path = ledger_dir(repo) / LEDGER_FILE
    good = path.read_bytes()
    path.write_bytes(good.replace(b'"n":1', b'"n":7'))
    rev = commit(repo, "rewrite")
    found = check_commit(repo, rev)
    assert len(found) == 1 and "#1" in found[0].message and found[0].path == "ledger/ledger.jsonl"
    path.write_bytes(good.split(b"\n")[0] + b"\n")
    rev = commit(repo, "truncate")
    assert "截断" in messages(check_commit(repo, rev))
    path.unlink()
    rev = commit(repo, "delete")
    assert "删除了账本" in messages(check_commit(repo, rev))


def test_objects_immutable_and_removed_only_when_withdrawn(repo: Path) -> None:
    objects = ledger_dir(repo) / "objects"
    oid = object_id(b"one")
    (objects / oid).write_bytes(b"ONE")
    rev = commit(repo, "modify object")
    assert "不可更改" in messages(check_commit(repo, rev))
    (objects / oid).write_bytes(b"one")
    commit(repo, "restore")
    (objects / oid).unlink()
    rev = commit(repo, "remove object")
    assert "撤回" in messages(check_commit(repo, rev))
    (objects / oid).write_bytes(b"one")
    commit(repo, "restore again")
    append(
        repo,
        "withdrawal",
        {"withdrawn": [oid]},
        key=SIGNING,
        now=T0 + timedelta(hours=1),
        clock_overridden=False,
    )
    (objects / oid).unlink()
    rev = commit(repo, "withdraw")
    assert check_commit(repo, rev) == []
    (objects / ("0" * 64)).write_bytes(b"not this")
    rev = commit(repo, "misnamed object")
    assert "哈希" in messages(check_commit(repo, rev))


def test_merge_of_two_writers_is_refused(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "writer-b")
    b = add(repo, 2, who="b")
    commit(repo, "b appends")
    git(repo, "checkout", "-q", "main")
    a = add(repo, 2, who="a")
    commit(repo, "a appends")
    assert check_range(repo, base) == []
    proc = subprocess.run(
        ["git", "-C", str(repo), "merge", "-q", "writer-b"],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode != 0  # conflict in ledger.jsonl and checkpoint
    path = ledger_dir(repo) / LEDGER_FILE
    head = subprocess.run(
        ["git", "-C", str(repo), "show", f"{base}:ledger/ledger.jsonl"],
        capture_output=True,
        check=True,
    ).stdout
    path.write_bytes(head + a.line + b"\n" + b.line + b"\n")  # interleave both writers
    subprocess.run(["git", "-C", str(repo), "checkout", "--ours", "ledger/checkpoint"], check=True)
    rev = commit(repo, "merge")
    assert len(git(repo, "rev-list", "--parents", "-n", "1", rev).split()) == 3
    found = check_commit(repo, rev)
    assert found and all(f.path == "ledger/ledger.jsonl" for f in found)
    assert check_range(repo, base) == found


def test_outside_files_and_keys(repo: Path) -> None:
    ld = ledger_dir(repo)
    (ld / "notes.txt").write_text("x")
    rev = commit(repo, "stray file")
    assert "不允许" in messages(check_commit(repo, rev))
    (ld / "notes.txt").unlink()
    commit(repo, "clean")
    key_file = next((ld / "keys").iterdir())
    key_file.write_bytes(public_of(from_seed(bytes([9]) * 32)).pem())
    rev = commit(repo, "swap key")
    assert "公钥" in messages(check_commit(repo, rev))
    git(repo, "checkout", "-q", "HEAD~1", "--", "ledger/keys")
    commit(repo, "restore key")
    (ld / "keys" / ("a" * 64 + ".pub")).write_bytes(private_pem(generate()))
    git(repo, "add", "-A")
    assert "私钥" in messages(check_staged(repo))
    git(repo, "reset", "-q")
    (ld / "keys" / ("a" * 64 + ".pub")).unlink()
    (ld / "cosignatures").mkdir()
    (ld / "cosignatures" / "w").write_bytes((ld / "checkpoint").read_bytes())  # our key signs it
    commit(repo, "cosig")
    (ld / "cosignatures" / "w").unlink()
    rev = commit(repo, "drop cosig")
    assert "联署" in messages(check_commit(repo, rev))


def test_a_cosignature_file_only_gains_lines(repo: Path) -> None:
    """The writer merges new witnesses' lines into a cosignature file; a commit that drops
    a line from one the ledger's key signs (hiding a witness's evidence) is refused."""
    ld = ledger_dir(repo)
    (ld / "cosignatures").mkdir()
    signed = (ld / "checkpoint").read_bytes()  # our key signs it: the file is evidence
    path = ld / "cosignatures" / "checkpoint-1"
    path.write_bytes(signed)
    commit(repo, "cosig")
    line = "\u2014 witness.example/w " + base64.b64encode(bytes(76)).decode() + "\n"
    path.write_bytes(signed + line.encode("utf-8"))  # a cosignature/v1 line's shape
    assert check_commit(repo, commit(repo, "a witness's line added")) == []
    path.write_bytes(signed)
    assert "联署" in messages(check_commit(repo, commit(repo, "the witness's line dropped")))


def test_cosignature_no_known_key_signs_may_be_removed(repo: Path) -> None:
    ld = ledger_dir(repo)
    (ld / "cosignatures").mkdir()
    (ld / "cosignatures" / "junk").write_text("note\n")
    stranger = sign_checkpoint(Checkpoint(ORIGIN, 9, bytes(32)), ORIGIN, from_seed(bytes([9]) * 32))
    (ld / "cosignatures" / "stranger").write_bytes(stranger)
    commit(repo, "junk cosignatures")
    (ld / "cosignatures" / "junk").unlink()
    (ld / "cosignatures" / "stranger").unlink()
    rev = commit(repo, "drop junk")
    assert check_commit(repo, rev) == []


@pytest.mark.parametrize(
    "target", ["checkpoint", "objects/" + object_id(b"one"), "README.md", "cosignatures/w"]
)
def test_symlinks_under_ledger_are_refused(repo: Path, tmp_path: Path, target: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    path = ledger_dir(repo) / target
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(secret)
    git(repo, "add", "-A")
    found = check_staged(repo)
    assert any(f.path == f"ledger/{target}" and "符号链接" in f.message for f in found), found
    assert "hunter2" not in messages(found)


def _append_raw(repo: Path, line: bytes) -> str:
    path = ledger_dir(repo) / LEDGER_FILE
    path.write_bytes(path.read_bytes() + line)
    return commit(repo, "append by hand")


def _tip(repo: Path) -> tuple[int, str]:
    lines = (ledger_dir(repo) / LEDGER_FILE).read_bytes().split(b"\n")[:-1]
    return len(lines), tagged_hex("suiji/entry/v1", lines[-1])


def _entry(repo: Path, seq: int, prev: str, **change: Any) -> bytes:
    """A line shaped like the writer's (its signature copied from the tip, so invalid)."""
    import json

    tip = (ledger_dir(repo) / LEDGER_FILE).read_bytes().split(b"\n")[-2]
    value = {**json.loads(tip), "seq": seq, "prev": prev, "body": {"n": 5}, **change}
    return canonical_json(value) + b"\n"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda r, seq, prev: b'{"seq": 2}\n', "noncanonical"),
        (lambda r, seq, prev: _entry(r, seq, prev)[:-1], "line-partial"),
        (lambda r, seq, prev: _entry(r, seq + 1, prev), "seq"),
        (lambda r, seq, prev: _entry(r, seq, "0" * 64), "prev"),
        (lambda r, seq, prev: canonical_json({"seq": seq}) + b"\n", "fields"),
    ],
    ids=["noncanonical", "partial", "seq", "prev", "fields"],
)
def test_appended_lines_are_checked_structurally(repo: Path, make: Any, code: str) -> None:
    seq, prev = _tip(repo)
    rev = _append_raw(repo, make(repo, seq, prev))
    found = check_commit(repo, rev)
    assert len(found) == 1 and f"#{seq}" in found[0].message and code in found[0].message, found


def test_well_formed_append_passes_the_structural_check(repo: Path) -> None:
    """Structure only: a badly signed but well-chained line passes gitcheck (verify catches it)."""
    seq, prev = _tip(repo)
    assert check_commit(repo, _append_raw(repo, _entry(repo, seq, prev))) == []


def test_writer_files_are_ignored_by_git(repo: Path) -> None:
    add(repo, 2)
    status = git(repo, "status", "--porcelain", "--ignored")
    assert "!! ledger/.lock" in status and "!! ledger/.writer-cache.json" in status


def test_precommit_cli_and_subdirectory_bureau(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = tmp_path / "r"
    bureau = r / "county"
    bureau.mkdir(parents=True)
    git(r, "init", "-q")
    git(r, "config", "user.name", "t")
    git(r, "config", "user.email", "t@example.invalid")
    create(bureau, origin=ORIGIN, roots=[ROOT], signing=SIGNING, now=T0)
    git(r, "add", "-A")
    assert gitcheck(bureau) == []  # initial commit: everything is an addition
    commit(r, "init")
    path = ledger_dir(bureau) / LEDGER_FILE
    path.write_bytes(path.read_bytes().replace(b'"demo":false', b'"demo":true '))
    git(r, "add", "-A")
    assert main(["gitcheck", "--root", str(bureau)]) == 1
    assert "county/ledger/ledger.jsonl" in capsys.readouterr().err
