"""`suiji record` and `suiji withdraw` on the demo year, and the verifier's replay of both.

Rows are written from task 2026-005's draw (the demo's task whose results are due at its
today; every other task's results are recorded during the demo year) by the example
county's results generator: nothing found, a penalty decided on the spot, found closed. Every refusal is asserted with its code and with the ledger and
the records byte-identical; forgeries are re-signed with the bureau's own (demo) key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from tests.support import resign as R
from tests.test_results_records import HEADERS, write

from suiji.cli.app import main
from suiji.crypto.keyfiles import demo_key
from suiji.example.results import CLOSED, FINED, OK, Inspection, drawn_visits, result_row
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.ledger.results import results_view
from suiji.ledger.taskhistory import history
from suiji.shared.times import parse_time
from suiji.verify.checkers import default_checkers
from suiji.verify.gitcheck import check_commit
from suiji.verify.taskview import task_view
from suiji.verify.verifier import verify
from suiji.writing.results import ResultRefused, record, result_salt, withdraw
from suiji.writing.steps import Writer

TASK = "2026-005"
DECISION = "示应急罚〔2026〕2号"
NOW = "2026-12-16T02:00:00Z"
LATER = "2026-12-17T02:00:00Z"
NOT_DRAWN_NOTE = "not drawn"


def writer(root: Path, when: str = NOW) -> Writer:
    return Writer(root, demo_key("signing"), parse_time(when), True)


def targets(root: Path, task: str = TASK) -> tuple[str, ...]:
    draw = history(root).tasks[task].draw
    assert draw is not None
    return draw.body.targets


def results_file(root: Path) -> Path:
    return root / "content" / "records" / "results" / f"{TASK}.csv"


def put_rows(root: Path, rows: list[dict[str, str]]) -> None:
    results_file(root).parent.mkdir(parents=True, exist_ok=True)
    write(results_file(root), rows, HEADERS)


def drawn_rows(root: Path) -> list[dict[str, str]]:
    """Three rows (ok, penalty, closed) for the task's three drawn targets, in its window."""
    visits = drawn_visits(task_view(read_entries(root), ObjectStore(root), TASK))
    rows = []
    for k, (visit, outcome) in enumerate(zip(visits, (OK, FINED, CLOSED), strict=True)):
        day = dt.date(2026, 12, 8 + k)
        after = dt.date(2026, 12, 9 + k)
        rows.append(result_row(Inspection(visit, day, day, day, after, outcome, DECISION)))
    return rows


def state(root: Path) -> str:
    """Ledger and records, byte for byte (the writer's lock and cache aside)."""
    digest = hashlib.sha256()
    for folder in (root / "ledger", root / "content" / "records"):
        for path in sorted(folder.rglob("*")):
            if path.name in (".lock", ".writer-cache.json") or not path.is_file():
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def refused(root: Path, when: str = NOW) -> str:
    before = state(root)
    with pytest.raises(ResultRefused) as err:
        record(writer(root, when))
    assert state(root) == before
    return err.value.code


def report(root: Path, when: str = "2026-12-20T02:00:00Z") -> dict[str, Any]:
    now = parse_time(when)
    rep = verify(root, now=now, checkers=default_checkers(now), allow_demo=True)
    return rep.to_json()


def findings(root: Path) -> list[tuple[int | None, str, str]]:
    return [(f["seq"], f["tag"], f["code"]) for f in report(root)["findings"]]


def statuses(root: Path) -> list[tuple[str, int, str]]:
    """The task's results as `verify --json` lists them (the demo's own year aside)."""
    return [
        (r["uscc"], r["version"], r["status"]) for r in report(root)["results"] if r["task"] == TASK
    ]


@pytest.fixture
def recorded(demo_copy: Path) -> Path:
    """The demo year with three results of task 2026-002 recorded through the CLI."""
    put_rows(demo_copy, drawn_rows(demo_copy))
    before = len(list(read_entries(demo_copy)))
    assert main(["--root", str(demo_copy), "--now", NOW, "record", "--yes"]) == 0
    entries = list(read_entries(demo_copy))
    assert [e.kind for e in entries[before:]] == ["result"] * 3
    return demo_copy


def test_record_new_results_then_an_unchanged_rerun_appends_nothing(recorded: Path) -> None:
    view = results_view(read_entries(recorded), ObjectStore(recorded))
    ok, bad, closed = targets(recorded)[:3]
    mine = [(r.uscc, r.version) for r in view.for_task(TASK)]
    assert mine == sorted([(ok, 1), (bad, 1), (closed, 1)])
    penalty = view.versions(TASK, bad)[0].content
    assert penalty is not None and penalty.penalty is not None
    assert penalty.penalty.decision_no == DECISION
    assert findings(recorded) == []
    assert sorted(statuses(recorded)) == sorted(
        [(ok, 1, "current"), (bad, 1, "current"), (closed, 1, "current")]
    )
    before = state(recorded)
    assert main(["--root", str(recorded), "--now", LATER, "record", "--yes"]) == 0
    assert state(recorded) == before


def test_demo_salt_is_derived_and_a_real_salt_is_random() -> None:
    demo = demo_key("signing")
    assert result_salt(demo, TASK, "X", 1) == result_salt(demo, TASK, "X", 1)
    assert result_salt(demo, TASK, "X", 1) != result_salt(demo, TASK, "X", 2)
    from suiji.crypto.ed25519 import from_seed

    real = from_seed(bytes([9]) * 32)
    assert result_salt(real, TASK, "X", 1) != result_salt(real, TASK, "X", 1)


def test_a_changed_row_is_a_correction_and_both_versions_stay(recorded: Path) -> None:
    rows = drawn_rows(recorded)
    ok = rows[0]["统一社会信用代码"]
    rows[0]["检查情况"] = "现场查看储存场所、安全管理台账和应急预案，未发现问题"
    put_rows(recorded, rows)
    assert refused(recorded, LATER) == "result-correction-unexplained"
    rows[0]["更正说明"] = "补记检查中查看的应急预案"
    put_rows(recorded, rows)
    plan, seqs = record(writer(recorded, LATER))
    assert len(seqs) == 1 and plan.corrections[0].version == 2
    view = results_view(read_entries(recorded), ObjectStore(recorded))
    v1, v2 = view.versions(TASK, ok)
    assert v2.entry.corrects_seq == v1.seq and v1.superseded_by == v2.seq
    assert v1.content is not None and v2.content is not None
    assert v2.content.correction == "补记检查中查看的应急预案"
    assert v2.first_recorded_at == v1.recorded_at < v2.recorded_at
    assert findings(recorded) == []
    assert [s for s in statuses(recorded) if s[0] == ok] == [
        (ok, 1, "corrected"),
        (ok, 2, "current"),
    ]


def test_a_deleted_row_is_refused(recorded: Path) -> None:
    put_rows(recorded, drawn_rows(recorded)[:2])
    assert refused(recorded, LATER) == "result-row-missing"


def test_a_result_for_an_enterprise_not_drawn_is_refused_with_the_files_untouched(
    demo_copy: Path,
) -> None:
    drawn = set(targets(demo_copy))
    other = next(t for t in targets(demo_copy, "2026-001") if t not in drawn)
    rows = drawn_rows(demo_copy)
    rows[2]["统一社会信用代码"] = other
    put_rows(demo_copy, rows)
    assert refused(demo_copy) == "result-not-drawn"
    rows[2]["统一社会信用代码"] = sorted(drawn)[-1]
    rows[2]["任务编号"] = "2026-099"
    put_rows(demo_copy, rows)
    assert refused(demo_copy) == "result-task-unknown"
    code = main(["--root", str(demo_copy), "--now", NOW, "record", "--yes"])
    assert code != 0


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def test_withdrawal_deletes_the_objects_and_gitcheck_admits_only_that(recorded: Path) -> None:
    root = recorded
    for args in (
        ("init", "-q", "-b", "main"),
        ("config", "user.name", "测试"),
        ("config", "user.email", "test@example.invalid"),
        ("config", "commit.gpgsign", "false"),
    ):
        _git(root, *args)
    _commit(root, "recorded")
    rows = drawn_rows(root)
    ok, bad, _closed = (r["统一社会信用代码"] for r in rows)
    before = state(root)
    with pytest.raises(ResultRefused) as err:
        withdraw(writer(root, LATER), TASK, bad, "处罚公示期满，信用修复")
    assert err.value.code == "result-row-present" and state(root) == before
    put_rows(root, [rows[0], rows[2]])
    before = state(root)
    with pytest.raises(ResultRefused) as err:
        withdraw(writer(root, LATER), TASK, ok, "信用修复")
    assert err.value.code == "result-no-penalty" and state(root) == before
    view = results_view(read_entries(root), ObjectStore(root))
    oid = view.versions(TASK, bad)[0].entry.result_object
    assert (root / "ledger" / "objects" / oid).is_file()
    code = main(
        [
            "--root",
            str(root),
            "--now",
            LATER,
            "withdraw",
            TASK,
            bad,
            "--reason",
            "信用修复",
            "--yes",
        ]
    )
    assert code == 0
    assert not (root / "ledger" / "objects" / oid).exists()
    assert findings(root) == []
    assert (bad, 1, "withdrawn") in statuses(root)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--root", str(root), "--now", LATER, "verify", "--allow-demo"]) == 0
    assert f"已撤回：任务 {TASK}「{bad}」的检查结果于条目 #" in out.getvalue()
    view = results_view(read_entries(root), ObjectStore(root))
    assert view.versions(TASK, bad)[0].content is None
    rev = _commit(root, "withdraw")
    assert check_commit(root, rev) == []
    # another result's object may not go
    other = view.versions(TASK, ok)[0].entry.result_object
    (root / "ledger" / "objects" / other).unlink()
    rev = _commit(root, "delete a result that was not withdrawn")
    assert [(f.path, f.message) for f in check_commit(root, rev)] == [
        (f"ledger/objects/{other}", "删除了对象，但没有撤回条目 (kind withdrawal) 点名它")
    ]
    # a row for the withdrawn result is refused
    put_rows(root, rows)
    (root / "ledger" / "objects").mkdir(exist_ok=True)
    _git(root, "checkout", "HEAD~1", "--", "ledger/objects")
    assert refused(root, LATER) == "result-withdrawn"


def test_an_altered_result_object_is_found(recorded: Path) -> None:
    view = results_view(read_entries(recorded), ObjectStore(recorded))
    first = view.current()[0]
    path = recorded / "ledger" / "objects" / first.entry.result_object
    value = json.loads(path.read_bytes())
    value["observations"] = "改写过的检查情况"
    altered = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert altered != path.read_bytes()
    path.write_bytes(altered)
    assert (first.seq, "integrity", "object-corrupt") in findings(recorded)


def test_a_correction_naming_a_superseded_entry_is_found(recorded: Path) -> None:
    rows = drawn_rows(recorded)
    rows[0]["检查情况"] = "第二版"
    rows[0]["更正说明"] = "第二版"
    put_rows(recorded, rows)
    _, (second,) = record(writer(recorded, LATER))
    rows[0]["检查情况"] = "第三版"
    rows[0]["更正说明"] = "第三版"
    put_rows(recorded, rows)
    _, (third,) = record(writer(recorded, "2026-12-18T02:00:00Z"))
    view = results_view(read_entries(recorded), ObjectStore(recorded))
    first = view.versions(TASK, rows[0]["统一社会信用代码"])[0].seq

    def point_back(root: Path, values: list[dict[str, Any]]) -> None:
        values[third]["body"]["corrects_seq"] = first

    assert R.resign(recorded, point_back) == third
    line = (recorded / "ledger" / "ledger.jsonl").read_bytes().splitlines()[third]
    assert json.loads(line)["body"]["corrects_seq"] == first != second
    assert findings(recorded) == [(third, "integrity", "result-corrects")]


def test_a_person_void_after_recording_leaves_recorded_rows_alone(recorded: Path) -> None:
    """A recorded row was checked against the team as it stood then; voiding one of that
    team later (a recusal found afterwards) must not make an unchanged row unrecordable —
    `suiji record` appends nothing and `suiji verify` still passes."""
    from tests.test_publish import _officer

    from suiji.verify.taskview import task_view

    officer = _officer(recorded, TASK)
    view = task_view(read_entries(recorded), ObjectStore(recorded), TASK)
    team = next(t.key for t in view.teams if any(m.id == officer for m in t.members))
    code = main(
        ["--root", str(recorded), "--now", LATER, "void", TASK, officer, "--team", team,
         "--reason", "事后发现应回避", "--yes", "--accept-finding"]
    )  # fmt: skip
    assert code == 0
    before = state(recorded)
    assert main(["--root", str(recorded), "--now", LATER, "record", "--yes"]) == 0
    assert state(recorded) == before
