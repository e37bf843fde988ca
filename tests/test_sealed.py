"""Sealed draws (暗查暗访, docs/spec/18-sealed.md): committed in public, computed only by
the holder of the secret, revealed after the inspection, re-derived by the verifier."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.test_write import (
    COMMIT_AT,
    DRAW_AT,
    commit_seq,
    kinds,
    ledger,
    only_plans,
    put,
    write,
)
from tests.test_write import verify_codes as write_verify_codes

from suiji.cli.app import main
from suiji.ledger.history import withheld
from suiji.ledger.taskhistory import history
from suiji.model.results import ResultEntry
from suiji.shared.errors import Refusal
from suiji.verify.deadlinecheck import DEADLINE_CODES
from suiji.writing.sealed import compute_sealed, read_secret, seal

TASK = "2026-004"
IN_WINDOW = "2026-05-30T10:00:00+08:00"  # after the window (ends 2026-05-29), before the deadline
DEADLINE = "2026-06-08T16:00:00Z"  # 2026-05-29 + 10 days, at 24:00 Beijing time
LATE = "2026-06-09T10:00:00+08:00"
AFTER_REVEAL = "2026-05-31T10:00:00+08:00"


def verify_codes(root: Path, now: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list]:
    """The verifier's exit code and findings, without the results deadlines (no results
    are recorded in these tests: once revealed, the task's deadlines run like any draw's)."""
    code, found = write_verify_codes(root, now, capsys)
    kept = [f for f in found if f[2] not in DEADLINE_CODES]
    return ((1 if kept else 0) if code in (0, 1) else code), kept


def sealed_bureau(bureau: Path, tmp_path: Path) -> Path:
    """The bureau with one sealed plan committed, and its secret outside the bureau."""
    only_plans(bureau, TASK)
    secret = tmp_path / "holder" / f"{TASK}.secret"
    assert (
        main(
            [
                "--root",
                str(bureau),
                "seal",
                str(bureau / "content" / "records" / "plans" / f"{TASK}.toml"),
                "--secret-out",
                str(secret),
            ]
        )
        == 0
    )
    assert write(bureau, COMMIT_AT) == 0
    return secret


def reveal_file(bureau: Path, secret: str) -> None:
    put(bureau, f"reveals/{TASK}.toml", f'secret = "{secret}"\n')


def test_a_sealed_task_is_committed_then_only_its_beacon_is_recorded(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = sealed_bureau(bureau, tmp_path)
    secret = read_secret(secret_file)
    assert len(secret) == 64 and (secret_file.stat().st_mode & 0o777) == 0o600
    assert write(bureau, DRAW_AT) == 0
    assert kinds(bureau)[-2:] == [("commit", TASK), ("beacon", None)]
    before = ledger(bureau)
    assert write(bureau, "2026-03-17T11:00:00+08:00") == 0  # nothing more to do
    assert ledger(bureau) == before
    assert verify_codes(bureau, "2026-03-20T10:00:00+08:00", capsys) == (0, [])
    # The holder computes the draw privately: printed, nothing written.
    capsys.readouterr()
    args = ["--root", str(bureau), "--now", DRAW_AT, "draw", TASK, "--secret", str(secret_file)]
    assert main(args) == 0
    out = capsys.readouterr().out
    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    assert all(t in out for t in drawn.body.targets)
    assert ledger(bureau) == before
    # Reveal after the inspection: the writer appends it and the verifier re-derives it.
    reveal_file(bureau, secret)
    assert write(bureau, IN_WINDOW) == 0
    assert kinds(bureau)[-1] == ("reveal", TASK)
    assert verify_codes(bureau, LATE, capsys) == (0, [])


def test_a_wrong_secret_is_refused_and_the_ledger_is_unchanged(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sealed_bureau(bureau, tmp_path)
    assert write(bureau, DRAW_AT) == 0
    reveal_file(bureau, "0" * 64)
    before = ledger(bureau)
    assert write(bureau, IN_WINDOW) == 1
    assert ledger(bureau) == before
    with pytest.raises(Refusal) as err:
        compute_sealed(bureau, history(bureau), TASK, "0" * 64)
    assert err.value.code == "reveal-secret"


def test_a_late_reveal_is_recorded_and_reported(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    seq = commit_seq(bureau, TASK)
    assert verify_codes(bureau, LATE, capsys) == (1, [(seq, "compliance", "withheld")])
    # the site marks withheld tasks from the same lifecycle rule
    assert [s.task for s in withheld(history(bureau), datetime.fromisoformat(LATE))] == [TASK]
    assert withheld(history(bureau), datetime.fromisoformat(IN_WINDOW)) == []
    capsys.readouterr()
    assert main(["--root", str(bureau), "--now", LATE, "show", TASK]) == 0
    assert "暗查暗访：抽取结果保密" in capsys.readouterr().out
    reveal_file(bureau, secret)
    assert write(bureau, LATE) == 0
    reveal_seq = len(kinds(bureau)) - 1
    code, found = verify_codes(bureau, LATE, capsys)
    assert (code, found) == (1, [(reveal_seq, "compliance", "reveal-late")])


def test_the_secret_must_be_written_outside_the_bureau(bureau: Path) -> None:
    only_plans(bureau, TASK)
    plan = bureau / "content" / "records" / "plans" / f"{TASK}.toml"
    text = plan.read_bytes()
    with pytest.raises(Refusal) as err:
        seal(bureau, plan, bureau / "private" / "x.secret")
    assert err.value.code == "secret-inside-repository"
    assert plan.read_bytes() == text
    assert not (bureau / "private" / "x.secret").exists()


# ---------------------------------------------------------------- nothing leaks before the reveal


def _markers(bureau: Path, secret: str) -> dict[str, list[str]]:
    """What would betray the sealed outcome: the seed, the result object, every target's
    ticket and items entry, each team's canonical form, and the secret itself."""
    from suiji.shared.canonical import canonical_json

    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    result = drawn.result
    teams = result["teams"]["teams"] if result["teams"] else []
    return {
        "seed": [drawn.body.seed, secret],
        "result": [drawn.body.result_object, drawn.result_bytes.decode("utf-8")[:200]],
        "targets": [t["ticket"] for t in result["targets"]["selected"]]
        + [canonical_json(list(drawn.body.targets)).decode("utf-8")],
        "items": [canonical_json(x).decode("utf-8") for x in result["items"]],
        "team": [canonical_json(t).decode("utf-8") for t in teams],
    }


def test_nothing_of_a_sealed_draw_is_anywhere_before_the_reveal(
    bureau: Path, tmp_path: Path
) -> None:
    """Every ledger line, every object, every built page and the portal kit: no seed, no
    ticket, no result, no items or team of the task, and no page links a target or a team
    member to the task."""
    from tests.test_publish import run
    from tests.test_site_build import SITEURL, site_settings

    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    conf = site_settings(tmp_path / "conf")
    code, _, err = run(
        bureau, "--now", IN_WINDOW, "build", "--portal", "--siteurl", SITEURL,
        "--settings", str(conf),
    )  # fmt: skip
    assert code == 0, err
    markers = _markers(bureau, secret)
    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    files = [p for p in (bureau / "ledger").rglob("*") if p.is_file()]
    files += [p for p in (bureau / "output").rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any("portal" in p.parts for p in files)
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        for what, values in markers.items():
            for value in values:
                assert value not in text, (what, path)
    task_pages = [p for p in files if TASK in str(p.relative_to(bureau))]
    assert task_pages
    people = {
        m
        for t in (drawn.result["teams"] or {"teams": []})["teams"]
        for m in [t.get("leader"), *[o["person"] for o in t["officers"]], *t["experts"]]
        if m
    }
    rows_seen = 0
    for page in task_pages:
        text = page.read_bytes().decode("utf-8", "replace")
        for uscc in drawn.body.targets:  # listed, if at all, like every eligible enterprise
            for row in re.findall(r"<tr>(?:(?!</tr>).)*?" + uscc + r".*?</tr>", text, re.S):
                assert "抽中" not in row and "可抽取（尚未抽取）" in row, (uscc, page)
                rows_seen += 1
        for person in people:
            assert person not in text, (person, page)
    assert rows_seen >= len(drawn.body.targets)  # the population table lists them all alike


def test_results_notices_and_person_voids_are_refused_before_the_reveal(
    bureau: Path, tmp_path: Path
) -> None:
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.reading import read_entries
    from suiji.publish.documents import task_documents

    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    drawn = compute_sealed(bureau, history(bureau), TASK, secret)
    with pytest.raises(Refusal) as err:
        task_documents(read_entries(bureau), ObjectStore(bureau), TASK)
    assert err.value.code == "task-sealed"
    violations = history(bureau).check_result(_result(drawn.body.targets[0]))
    assert [v.code for v in violations] == ["result-sealed"]
    assert [v.code for v in history(bureau).check_person_void(TASK)] == ["void-undrawn"]
    before = ledger(bureau)
    put(bureau, f"voids/{TASK}.toml", '[[void]]\nperson = "P1"\nreason = "回避"\n')
    assert write(bureau, "2026-03-18T10:00:00+08:00") == 1
    assert ledger(bureau) == before


def _result(uscc: str) -> ResultEntry:
    return ResultEntry(task=TASK, uscc=uscc, result_object="0" * 64, corrects_seq=None)


# ---------------------------------------------------------------- forgeries, re-signed


def revealed(bureau: Path, tmp_path: Path) -> str:
    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    reveal_file(bureau, secret)
    assert write(bureau, IN_WINDOW) == 0
    return secret


def _redrawn(root: Path, body: dict[str, Any], seed: str) -> None:
    """Recompute a (forged) draw body's result for `seed`, as a careful forger would."""
    from tests.support.resign import put

    from suiji.draw.derive import derive_result, load_committed
    from suiji.ledger.objects import ObjectStore

    commit = history(root).tasks[TASK].commit
    assert commit is not None
    result = derive_result(load_committed(ObjectStore(root), commit.body), seed=seed)
    body["seed"] = seed
    body["result_object"] = put(root, result)
    body["targets"] = [p["id"] for p in result["targets"]["selected"]]
    body["teams_error"] = result["teams_error"]["message"] if result["teams_error"] else None


def _public_seed(root: Path, body: dict[str, Any]) -> str:
    from suiji.draw.derive import seed_for

    hist = history(root)
    commit = hist.tasks[TASK].commit
    assert commit is not None
    beacon = hist.beacons_by_seq[body["beacon_seq"]].body
    return seed_for(TASK, commit.hash, beacon, [(e["name"], e["value"]) for e in body["extra"]])


def test_a_reveal_with_another_secret_is_caught(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bureau picks another secret after the round and re-derives everything."""
    from tests.support.resign import find, resign

    from suiji.draw.sealed import sealed_seed

    revealed(bureau, tmp_path)
    other = "1" * 64

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = find(values, "reveal", TASK)["body"]
        body["secret"] = other
        _redrawn(root, body, sealed_seed(_public_seed(root, body), other))

    changed = resign(bureau, edit)
    assert changed is not None
    assert kinds(bureau)[changed] == ("reveal", TASK)
    assert verify_codes(bureau, AFTER_REVEAL, capsys) == (
        1,
        [(changed, "integrity", "reveal-secret")],
    )


def test_a_sealed_task_drawn_in_public_is_caught(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reveal turned into an ordinary draw from the public seed (no secret needed)."""
    from tests.support.resign import find, resign

    revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        entry = find(values, "reveal", TASK)
        entry["kind"] = "draw"
        del entry["body"]["secret"]
        _redrawn(root, entry["body"], _public_seed(root, entry["body"]))

    changed = resign(bureau, edit)
    assert changed is not None and kinds(bureau)[changed] == ("draw", TASK)
    assert verify_codes(bureau, AFTER_REVEAL, capsys) == (
        1,
        [(changed, "integrity", "draw-sealed")],
    )


def test_a_later_reveal_deadline_is_caught(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The deadline is fixed at the commitment: moving it later is `sealed-terms`."""
    from tests.support.resign import find, resign

    from suiji.draw.sealed import sealed_seed

    secret = revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        sealed = find(values, "commit", TASK)["body"]["sealed"]
        assert sealed["reveal_by"] == DEADLINE
        sealed["reveal_by"] = "2026-12-31T16:00:00Z"

    def rederive(root: Path, values: list[dict[str, Any]]) -> None:
        body = find(values, "reveal", TASK)["body"]  # the commitment's hash changed
        _redrawn(root, body, sealed_seed(_public_seed(root, body), secret))

    changed = resign(bureau, edit)
    assert changed == commit_seq(bureau, TASK)
    assert resign(bureau, rederive) is not None
    assert verify_codes(bureau, AFTER_REVEAL, capsys) == (
        1,
        [(changed, "integrity", "sealed-terms")],
    )


def test_a_changed_revealed_result_is_caught(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.resign import find, get, put, resign

    revealed(bureau, tmp_path)

    def edit(root: Path, values: list[dict[str, Any]]) -> None:
        body = find(values, "reveal", TASK)["body"]
        result = get(root, body["result_object"])
        sel = result["targets"]["selected"]
        sel[0], sel[-1] = sel[-1], sel[0]
        body["result_object"] = put(root, result)
        body["targets"] = [p["id"] for p in sel]

    changed = resign(bureau, edit)
    assert changed is not None and kinds(bureau)[changed] == ("reveal", TASK)
    code, found = verify_codes(bureau, AFTER_REVEAL, capsys)
    assert code == 1 and (changed, "integrity", "draw-result") in found


# ---------------------------------------------------------------- coverage counts from the reveal


def _copy_plan(bureau: Path, task: str, count: int) -> None:
    """Another task of 2026-004's filter (`exclude_drawn_this_year = true`), unsealed."""
    source = (bureau / "content" / "records" / "plans" / f"{TASK}.toml").read_text("utf-8")
    text = source.split("\n[sealed]")[0].replace(f'task_id = "{TASK}"', f'task_id = "{task}"')
    put(bureau, f"plans/{task}.toml", text.replace("count = 5", f"count = {count}") + "\n")


def _population(bureau: Path, task: str) -> tuple[set[str], set[str]]:
    from tests.support.resign import get

    from suiji.draw.population import population_from_json

    commit = history(bureau).tasks[task].commit
    assert commit is not None
    pop = population_from_json(get(bureau, commit.body.population_object))
    return {m.id for m in pop.members}, {uscc for uscc, _why in pop.excluded}


def test_sealed_targets_stay_eligible_until_the_reveal(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the reveal a later task's population keeps the sealed targets (nothing to
    compare); from the reveal on, the yearly rules count the sealed draw."""
    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    targets = set(compute_sealed(bureau, history(bureau), TASK, secret).body.targets)
    _copy_plan(bureau, "2026-041", 4)
    assert write(bureau, "2026-03-18T09:00:00+08:00") == 0
    members, excluded = _population(bureau, "2026-041")
    assert targets <= members and not targets & excluded
    reveal_file(bureau, secret)
    assert write(bureau, IN_WINDOW) == 0
    _copy_plan(bureau, "2026-042", 3)
    assert write(bureau, AFTER_REVEAL) == 0
    members, excluded = _population(bureau, "2026-042")
    assert targets <= excluded and not targets & members
    assert history(bureau).tasks["2026-041"].draw is not None  # drawn after 2026-042's commit
    assert verify_codes(bureau, AFTER_REVEAL, capsys) == (0, [])


def test_a_results_file_for_a_sealed_task_is_refused_before_the_reveal(
    bureau: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clerk fills in results from the holder's private view: `suiji record` refuses
    them (`result-sealed`) and writes nothing until the reveal."""
    import datetime as dt

    from suiji.example.results import OK, Inspection, drawn_visits, result_row, results_csv
    from suiji.shared.times import parse_time
    from suiji.writing.sealed import private_view

    secret = read_secret(sealed_bureau(bureau, tmp_path))
    assert write(bureau, DRAW_AT) == 0
    view = private_view(bureau, TASK, secret, parse_time("2026-04-20T02:00:00Z"))
    day, after = dt.date(2026, 4, 20), dt.date(2026, 4, 21)
    rows = [result_row(Inspection(v, day, day, day, after, OK, "")) for v in drawn_visits(view)]
    path = bureau / "content" / "records" / "results" / f"{TASK}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(results_csv(rows))
    before = ledger(bureau)
    capsys.readouterr()
    args = ["--root", str(bureau), "--now", "2026-04-22T10:00:00+08:00", "record", "--yes"]
    code = main([*args, "--key", str(bureau / "private" / "signing.key")])
    out = capsys.readouterr()
    assert code != 0 and ledger(bureau) == before
    assert "暗查暗访任务" in out.out + out.err
