"""The demo is deterministic (published keys), and its keys are refused outside demo ledgers.

Golden hash of the demo ledger (`tests/golden/demo-ledger.sha256`): for every file under
`DIR/ledger/` except the writer's git-ignored local files (`.lock`, `.writer-cache.json`),
in byte order of its path relative to DIR (`ledger/checkpoint`, `ledger/keys/…`, …), a
manifest line `sha256hex(file bytes) + "  " + path + "\\n"` — exactly `sha256sum`'s output;
the golden value is the SHA-256 of the whole manifest. From a shell, in DIR:

    find ledger -type f ! -name .lock ! -name .writer-cache.json -print0 \\
        | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum

A change that deliberately alters the demo ledger (records, plans, entry format, the demo
keys) must update the golden file, and the demo's genesis hash in docs/VERIFYING.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from suiji.cli.app import main
from suiji.cli.demo import run_demo
from suiji.crypto.ed25519 import from_seed, generate, public_of
from suiji.crypto.keyfiles import demo_key, is_demo_key, write_key_pair
from suiji.ledger import state as ledger_state
from suiji.ledger.append import create
from suiji.ledger.reading import genesis
from suiji.model import keystate
from suiji.shared.errors import Refusal
from suiji.shared.times import parse_time

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "demo-ledger.sha256"
LOCAL_FILES = {".lock", ".writer-cache.json"}  # ledger/.gitignore: never published
AT = "2026-01-05T09:00:00+08:00"


def ledger_tree_hash(root: Path) -> str:
    """The golden-hash construction of the module docstring."""
    files = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "ledger").rglob("*")
        if p.is_file() and p.name not in LOCAL_FILES
    )
    manifest = "".join(
        f"{hashlib.sha256((root / f).read_bytes()).hexdigest()}  {f}\n" for f in files
    )
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def test_demo_keys_are_the_published_derivation() -> None:
    for role in ("root", "signing"):
        seed = hashlib.sha256(b"suiji/demo-key/v1\n" + role.encode()).digest()
        assert public_of(demo_key(role)) == public_of(from_seed(seed))
        assert is_demo_key(public_of(demo_key(role)))
    assert not is_demo_key(public_of(generate()))


def test_two_demo_runs_give_the_golden_ledger(demo_year: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    run_demo(tmp_path / "again", force=False, out=out, main=main)
    golden = GOLDEN.read_text("ascii").split()[0]
    assert ledger_tree_hash(tmp_path / "again") == golden
    assert ledger_tree_hash(demo_year) == golden  # another run, another directory
    pin = genesis(tmp_path / "again").hash
    assert f"verify --pin {pin}" in out.getvalue()


def test_verifying_md_publishes_the_demo_genesis_hash(demo_year: Path) -> None:
    pin = genesis(demo_year).hash
    text = (REPO / "docs" / "VERIFYING.md").read_text("utf-8")
    assert f"--pin {pin}" in text
    assert set(re.findall(r"\b[0-9a-f]{64}\b", text)) == {pin}


def test_demo_verifies_with_its_pin(demo_year: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pin = genesis(demo_year).hash
    assert main(["--root", str(demo_year), "verify", "--json", "--pin", pin, "--allow-demo"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["genesis"] == pin and report["findings"] == []
    assert report["demo"] is True and "演示账本：随机数可预测，不具证明力" in report["notices"]


def test_demo_verify_report_is_the_golden_one(
    demo_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify --json` on the demo is byte for byte the committed report: reshaping code
    must not change what a verifier says (regenerate only with a deliberate format change)."""
    assert main(["--root", str(demo_year), "verify", "--json", "--allow-demo"]) == 0
    golden = (REPO / "tests" / "golden" / "demo-verify.json").read_text("utf-8")
    assert capsys.readouterr().out == golden


def _write_demo_keys(root: Path) -> tuple[Path, Path]:
    (root / "private").mkdir(parents=True)
    paths = root / "private" / "root.key", root / "private" / "signing.key"
    for role, path in zip(("root", "signing"), paths, strict=True):
        write_key_pair(path, demo_key(role))
    return paths


@pytest.mark.parametrize("which", ["root", "signing", "prepare"])
def test_init_without_demo_refuses_demo_keys(
    which: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root_key, signing_key = _write_demo_keys(tmp_path)
    own = tmp_path / "private" / "own.key"
    write_key_pair(own, generate())
    args = ["--root", str(tmp_path), "init", "--origin", "test.invalid/suiji"]
    args += ["--beacon", "drand-quicknet"]
    if which == "root":
        args += ["--root-key", str(root_key), "--key", str(own)]
    elif which == "signing":
        args += ["--root-key", str(own), "--key", str(signing_key)]
    else:
        args += ["--root-key", str(own), "--key", str(signing_key)]
        args += ["--prepare", str(tmp_path / "genesis.req")]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "演示密钥" in err and "演示账本" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_ledger_writer_refuses_demo_keys_outside_a_demo(tmp_path: Path) -> None:
    with pytest.raises(Refusal, match="演示密钥") as err:
        create(
            tmp_path,
            origin="test.invalid/suiji",
            roots=[generate()],
            signing=demo_key("signing"),
            now=parse_time("2026-01-05T01:00:00Z"),
        )
    assert err.value.code == "demo-key"
    assert not (tmp_path / "ledger" / "ledger.jsonl").exists()


def test_verify_flags_a_non_demo_genesis_with_a_demo_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:  # a writer without the refusal, as a forger would use
        m.setattr(keystate, "is_demo_key", lambda pub: False)
        m.setattr(ledger_state, "is_demo_key", lambda pub: False)
        create(
            tmp_path,
            origin="test.invalid/suiji",
            roots=[demo_key("root")],
            signing=generate(),
            now=parse_time("2026-01-05T01:00:00Z"),
        )
    assert main(["--root", str(tmp_path), "--now", AT, "verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    codes = [(f["seq"], f["tag"], f["code"]) for f in report["findings"]]
    assert codes == [(0, "integrity", "demo-key")]
