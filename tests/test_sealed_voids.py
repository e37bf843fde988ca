"""Person voids of a sealed task before its reveal (docs/spec/18-sealed.md §18.12): a
salted hash in the ledger, disclosed with the reveal, checked, then replayed and replaced
like any person void; a forged or missing disclosure is found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.test_sealed import (
    IN_WINDOW,
    LATE,
    TASK,
    _markers,
    reveal_file,
    sealed_bureau,
    verify_codes,
)
from tests.test_write import DRAW_AT, kinds, ledger, write

from suiji.cli.app import main
from suiji.crypto.keyfiles import load_private_key
from suiji.draw.sealed import sealed_void_hash, void_salt
from suiji.ledger.taskhistory import history
from suiji.model.tasks import Reveal
from suiji.shared.errors import Refusal
from suiji.shared.times import parse_user_time
from suiji.writing.sealed import compute_sealed, read_secret
from suiji.writing.sealedvoids import read_disclosures, seal_void, voids_file
from suiji.writing.steps import Writer

VOID_AT = "2026-03-18T10:00:00+08:00"  # after the round, before the window


def _writer(root: Path, when: str) -> Writer:
    return Writer(
        root, load_private_key(root / "private" / "signing.key"), parse_user_time(when), True
    )


def _member(bureau: Path, secret: str) -> tuple[str, str]:
    """A drawn team's officer (team, person), known only to the holder."""
    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    team = drawn.result["teams"]["teams"][0]
    return team["team"], team["officers"][-1]["person"]


def _void(bureau: Path, secret_file: Path, team: str, person: str, when: str = VOID_AT) -> int:
    args = [
        "--root",
        str(bureau),
        "--now",
        when,
        "void",
        TASK,
        person,
        "--reason",
        "回避：近亲属任职",
    ]
    args += [
        "--team",
        team,
        "--secret",
        str(secret_file),
        "--key",
        str(bureau / "private" / "signing.key"),
    ]
    return main([*args, "--yes"])


def sealed_void(bureau: Path, tmp_path: Path) -> tuple[Path, str, str, int]:
    """A sealed task drawn at its round, with one sealed void: (secret file, secret, the
    voided person, the sealed void's seq)."""
    secret_file = sealed_bureau(bureau, tmp_path)
    secret = read_secret(secret_file)
    assert write(bureau, DRAW_AT) == 0
    team, person = _member(bureau, secret)
    assert _void(bureau, secret_file, team, person) == 0
    seq = len(kinds(bureau)) - 1
    assert kinds(bureau)[seq] == ("sealed-void", TASK)
    return secret_file, secret, person, seq


def _reveal_with_voids(bureau: Path, secret_file: Path, secret: str) -> None:
    lines = voids_file(secret_file).read_text("utf-8")
    text = f"secret = \"{secret}\"\nvoids = '''\n{lines}'''\n"
    (bureau / "content" / "records" / "reveals").mkdir(parents=True, exist_ok=True)
    (bureau / "content" / "records" / "reveals" / f"{TASK}.toml").write_text(text, "utf-8")


def test_a_sealed_void_leaks_nothing_and_is_disclosed_at_the_reveal(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file, secret, person, seq = sealed_void(bureau, tmp_path)
    line = (bureau / "ledger" / "ledger.jsonl").read_bytes().splitlines()[seq].decode("utf-8")
    body = json.loads(line)["body"]
    assert sorted(body) == ["commit_seq", "commitment", "salted", "task"]
    for value in [person, "回避", *(v for vs in _markers(bureau, secret).values() for v in vs)]:
        assert value not in line
    (kept,) = read_disclosures(voids_file(secret_file))
    assert (
        kept.seq == seq
        and kept.person == person
        and (voids_file(secret_file).stat().st_mode & 0o777) == 0o600
    )
    commit = history(bureau).tasks[TASK].commit
    assert commit is not None
    assert kept.salt == void_salt(secret, commit.hash, 0)
    assert body["salted"] == sealed_void_hash(kept.salt, kept.content(TASK))
    assert verify_codes(bureau, VOID_AT, capsys) == (0, [])
    # The reveal discloses it; the replacement is computed after the reveal.
    _reveal_with_voids(bureau, secret_file, secret)
    assert write(bureau, IN_WINDOW) == 0
    reveal_seq = len(kinds(bureau)) - 1
    assert kinds(bureau)[reveal_seq] == ("reveal", TASK)
    assert write(bureau, IN_WINDOW) == 0  # the next run records the replacement
    assert kinds(bureau)[-1] == ("person-replace", TASK)
    state = history(bureau).tasks[TASK]
    assert state.draw is not None and isinstance(state.draw.body, Reveal)
    assert state.draw.body.voids == (kept,)
    assert [v.seq for v in state.person_voids] == [seq] and state.person_voids[
        0
    ].body.draw_seq == reveal_seq
    assert [r.body.void_seq for r in state.replacements] == [seq]
    assert verify_codes(bureau, LATE, capsys) == (0, [])


def test_a_reveal_must_disclose_every_sealed_void(bureau: Path, tmp_path: Path) -> None:
    """The writer refuses a reveal without the disclosure: the ledger is unchanged."""
    _secret_file, secret, _person, _seq = sealed_void(bureau, tmp_path)
    reveal_file(bureau, secret)
    before = ledger(bureau)
    assert write(bureau, IN_WINDOW) == 1
    assert ledger(bureau) == before
    from suiji.writing.sealed import reveal

    with pytest.raises(Refusal) as err:
        reveal(_writer(bureau, IN_WINDOW), TASK, secret, ())
    assert err.value.code == "sealed-void-undisclosed"
    assert ledger(bureau) == before


def test_a_sealed_void_needs_the_secret_and_a_sealed_unrevealed_task(
    bureau: Path, tmp_path: Path
) -> None:
    _secret_file, secret, person, _seq = sealed_void(bureau, tmp_path)
    before = ledger(bureau)
    with pytest.raises(Refusal) as err:
        seal_void(_writer(bureau, VOID_AT), TASK, "1" * 64, "", person, "回避", ())
    assert err.value.code == "reveal-secret"
    with pytest.raises(Refusal) as err:  # the holder's file must list the earlier void
        seal_void(_writer(bureau, VOID_AT), TASK, secret, "", person, "回避", ())
    assert err.value.code == "sealed-voids-file"
    assert ledger(bureau) == before


# ---------------------------------------------------------------- forgeries, re-signed


def _revealed(bureau: Path, tmp_path: Path) -> tuple[str, int]:
    secret_file, secret, _person, seq = sealed_void(bureau, tmp_path)
    _reveal_with_voids(bureau, secret_file, secret)
    assert write(bureau, IN_WINDOW) == 0
    assert write(bureau, IN_WINDOW) == 0
    assert kinds(bureau)[-1] == ("person-replace", TASK)
    return secret, seq


def test_a_forged_disclosure_is_found(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bureau discloses another person than it hid (re-signed, everything else kept)."""
    from tests.support.resign import find, resign

    _secret, _seq = _revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = find(values, "reveal", TASK)["body"]
        body["voids"][0]["reason"] = "工作调动"
        values[:] = [  # drop the replacement: its void is no longer applied
            v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
        ]

    changed = resign(bureau, edit)
    assert changed is not None and kinds(bureau)[changed] == ("reveal", TASK)
    code, found = verify_codes(bureau, LATE, capsys)
    assert (code, found) == (1, [(changed, "integrity", "sealed-void-disclosure")])


def test_a_missing_disclosure_is_found(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bureau reveals as if nobody had been voided (re-signed, replacement removed)."""
    from tests.support.resign import find, resign

    _revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = find(values, "reveal", TASK)["body"]
        del body["voids"]
        kept = [
            v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
        ]
        values[:] = kept

    changed = resign(bureau, edit)
    assert changed is not None and kinds(bureau)[changed] == ("reveal", TASK)
    assert (
        "voids"
        not in json.loads((bureau / "ledger" / "ledger.jsonl").read_bytes().splitlines()[changed])[
            "body"
        ]
    )
    code, found = verify_codes(bureau, LATE, capsys)
    assert (code, found) == (1, [(changed, "integrity", "sealed-void-undisclosed")])


# ---------------------------------------------------------------- the site before the reveal


def _build(bureau: Path, tmp_path: Path, now: str) -> list[Path]:
    from tests.test_publish import run
    from tests.test_site_build import SITEURL, site_settings

    conf = site_settings(tmp_path / "conf")
    code, _, err = run(
        bureau, "--now", now, "build", "--portal", "--siteurl", SITEURL, "--settings", str(conf)
    )
    assert code == 0, err
    return [p for p in (bureau / "output").rglob("*") if p.is_file()]


def _task_page(files: list[Path]) -> str:
    (page,) = [p for p in files if p.name == "index.html" and p.parent.name.endswith(TASK)]
    return page.read_text("utf-8")


def test_the_site_shows_a_sealed_task_and_its_overdue_reveal_but_nothing_of_the_draw(
    bureau: Path, tmp_path: Path
) -> None:
    """Built pages with a sealed void recorded: the task page names the seal, its commitment
    hash, round and reveal deadline; no page holds the void's person or reason, nor anything
    of the draw; past the deadline the page and the banner say the reveal is overdue."""
    secret_file, secret, person, _seq = sealed_void(bureau, tmp_path)
    commit = history(bureau).tasks[TASK].commit
    assert commit is not None and commit.body.sealed is not None
    (kept,) = read_disclosures(voids_file(secret_file))
    markers = [v for vs in _markers(bureau, secret).values() for v in vs]
    markers += [kept.reason, kept.salt]
    files = _build(bureau, tmp_path, IN_WINDOW)
    ledger_files = [p for p in (bureau / "ledger").rglob("*") if p.is_file()]
    for path in [*files, *ledger_files]:
        text = path.read_bytes().decode("utf-8", "replace")
        for value in markers:
            assert value not in text, (value, path)
    page = _task_page(files)
    # the registries (pages, snapshot objects) list every inspector; no entry names the voided
    assert person not in (bureau / "ledger" / "ledger.jsonl").read_text("utf-8")
    assert person not in page
    assert "暗查暗访" in page and commit.body.sealed.secret_hash in page
    assert "2026-06-09 00:00" in page  # the reveal deadline, Beijing time
    assert f"第 {commit.body.beacon.to_json()['round']} 轮" in page
    assert "尚未揭示" in page and "逾期未" not in page
    files = _build(bureau, tmp_path, LATE)
    page = _task_page(files)
    assert "逾期未揭示" in page and "逾期未抽取" not in page
    (home,) = [p for p in files if p.relative_to(bureau / "output").as_posix() == "index.html"]
    html = home.read_text("utf-8")
    assert "逾期未揭示" in html and "揭示期限" in html and "逾期未抽取" not in html


def test_a_sealed_void_for_another_commitment_is_found(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sealed void that names no live sealed commitment takes no effect; the reveal's
    disclosure of it then opens nothing."""
    from tests.support.resign import find, resign

    _secret, seq = _revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        find(values, "sealed-void", TASK)["body"]["commit_seq"] = 0
        values[:] = [
            v for v in values if not (v["kind"] == "person-replace" and v["body"]["task"] == TASK)
        ]

    changed = resign(bureau, edit)
    assert changed == seq
    reveal_seq = next(i for i, k in enumerate(kinds(bureau)) if k == ("reveal", TASK))
    code, found = verify_codes(bureau, LATE, capsys)
    assert (code, found) == (
        1,
        [
            (seq, "integrity", "sealed-void-task"),
            (reveal_seq, "integrity", "sealed-void-disclosure"),
        ],
    )


def test_the_lifecycle_refuses_a_sealed_void_after_the_reveal(bureau: Path, tmp_path: Path) -> None:
    from suiji.model.tasks import SealedVoid

    _revealed(bureau, tmp_path)
    hist = history(bureau)
    commit = hist.tasks[TASK].commit
    assert commit is not None
    late = SealedVoid(TASK, commit.seq, commit.hash, "0" * 64)
    assert [v.code for v in hist.check_sealed_void(late)] == ["sealed-void-task"]


def test_suiji_reveal_reads_the_holders_voids_file(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file, _secret, _person, seq = sealed_void(bureau, tmp_path)
    args = ["--root", str(bureau), "--now", IN_WINDOW, "reveal", TASK, "--secret", str(secret_file)]
    assert main([*args, "--key", str(bureau / "private" / "signing.key"), "--yes"]) == 0
    state = history(bureau).tasks[TASK]
    assert state.draw is not None and [v.seq for v in state.person_voids] == [seq]
    assert write(bureau, IN_WINDOW) == 0
    assert kinds(bureau)[-1] == ("person-replace", TASK)
    assert verify_codes(bureau, LATE, capsys) == (0, [])


def test_the_holder_sees_the_sealed_void_in_private(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file, _secret, person, _seq = sealed_void(bureau, tmp_path)
    before = ledger(bureau)
    capsys.readouterr()
    args = ["--root", str(bureau), "--now", VOID_AT, "show", TASK, "--secret", str(secret_file)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert person in out and "回避：近亲属任职" in out
    assert ledger(bureau) == before
