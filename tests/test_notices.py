"""Inspection documents: notice codes, the results template, inspection records, export.

The notice code is the one security claim here: a code the bureau issued checks out
against the public file, and no code a forger can compute from what is public (task id,
credit code, ticket, seed, the salt, the hash) does.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from tests.support import vectors
from tests.support.bureau import DEMO_NOW
from tests.support.vectors import Case, parametrize, raised_code

from suiji.cli.app import main
from suiji.crypto.noticecode import (
    ALPHABET,
    MIN_ITERATIONS,
    NoticeCodeError,
    check_code,
    code_hash,
    kdf_input,
    normalize_code,
    parse_codes,
)
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.ledger.results import results_view
from suiji.model.results import Penalty, ResultContent, ResultEntry
from suiji.publish.documents import Person, TargetDoc, TaskDocs, task_documents
from suiji.publish.export import COLUMNS, csv_bytes, export_table
from suiji.publish.notices import NoticesExist, codes_path, make_notices, notice_html
from suiji.records import check as check_records
from suiji.records.schema import RESULT_CATEGORIES, RESULTS
from suiji.shared.errors import SuijiError
from suiji.verify.taskview import ticket_view

TASK = "2026-002"
DUE_TASK = "2026-005"

# ---------------------------------------------------------------- vectors


@parametrize("notices", "normalize")
def test_vector_normalize(case: Case) -> None:
    if case.rejects:
        assert raised_code("notices", lambda: normalize_code(case.input["text"])) == case.error
    else:
        assert normalize_code(case.input["text"]) == case.output


@parametrize("notices", "hash")
def test_vector_hash(case: Case) -> None:
    i = case.input
    salt = bytes.fromhex(i["salt"])
    assert kdf_input(i["task"], i["uscc"], i["code"]).decode() == case.output["kdf_input"]
    assert code_hash(i["task"], i["uscc"], i["code"], salt, i["iterations"]) == case.output["hash"]


@parametrize("notices", "check")
def test_vector_check(case: Case) -> None:
    codes = parse_codes(case.input["file"].encode())

    def run() -> bool:
        return check_code(codes, case.input["uscc"], case.input["code"])

    if case.rejects:
        assert raised_code("notices", run) == case.error
    else:
        assert run() is case.output


@parametrize("notices", "codes_file")
def test_vector_codes_file(case: Case) -> None:
    data = case.input["text"].encode()
    if case.rejects:
        assert raised_code("notices", lambda: parse_codes(data)) == case.error
    else:
        f = parse_codes(data)
        assert {
            "task": f.task,
            "iterations": f.iterations,
            "usccs": [c.uscc for c in f.codes],
        } == case.output
        assert f.to_bytes() == data


def test_vectors_area_is_listed() -> None:
    assert "notices" in vectors.AREAS


# ---------------------------------------------------------------- notices on the demo


def _codes_in(folder: Path) -> dict[str, str]:
    """uscc → the code printed on its notice."""
    out = {}
    for path in folder.glob("*-notice.html"):
        found = re.search(r'class="code">([0-9A-Z-]+)<', path.read_text("utf-8"))
        assert found, path
        out[path.name.removesuffix("-notice.html")] = found[1]
    return out


def _as_code(value: int) -> str:
    return "".join(ALPHABET[(value >> (5 * (9 - i))) & 31] for i in range(10))


def _forgeries(task: str, uscc: str, public: dict[str, str], ticket: str, seed: str) -> list[str]:
    """Codes a forger computes from public data only: hashes, tickets, seed, salt, hash."""
    h = hashlib.sha256(f"{task}{uscc}".encode()).hexdigest()
    h2 = hashlib.sha256(f"{task}\n{uscc}".encode()).hexdigest()
    digits = ticket.removeprefix("0.")
    return [
        _as_code(int(h[:13], 16) >> 2),
        _as_code(int(h2[:13], 16) >> 2),
        _as_code(int(seed[:13], 16) >> 2),
        h[:10].upper(),
        digits[:10],
        public["salt"][:10].upper(),
        public["hash"][:10].upper(),
        uscc[-10:].replace("I", "1").replace("O", "0").replace("U", "V"),
    ]


def test_notice_code_checks_out_and_public_data_does_not(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(demo_copy), "notice", TASK]) == 0
    public = codes_path(demo_copy, TASK)
    codes = parse_codes(public.read_bytes())
    issued = _codes_in(demo_copy / "private" / "notices" / TASK)
    assert sorted(issued) == [c.uscc for c in codes.codes] and len(issued) >= 2
    for code in issued.values():  # at least 40 random bits, shown XXXXX-XXXXX
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    assert not any(code.encode() in public.read_bytes() for code in issued.values())
    entries = list(read_entries(demo_copy))
    store = ObjectStore(demo_copy)
    usccs = sorted(issued)
    for n, uscc in enumerate(usccs):
        code = issued[uscc]
        capsys.readouterr()
        assert main(["--root", str(demo_copy), "notice-check", TASK, uscc, code]) == 0
        assert "核验通过" in capsys.readouterr().out
        assert check_code(codes, uscc, code.lower().replace("-", " "))
        other = usccs[(n + 1) % len(usccs)]
        assert not check_code(codes, other, code), "a code passes only for its own enterprise"
        t = ticket_view(entries, store, TASK, uscc)
        assert t.ticket and t.seed
        entry = codes.entry(uscc)
        assert entry is not None
        forged = _forgeries(TASK, uscc, {"salt": entry.salt, "hash": entry.hash}, t.ticket, t.seed)
        for attempt in forged:
            assert not check_code(codes, uscc, attempt), attempt
        assert main(["--root", str(demo_copy), "notice-check", TASK, uscc, forged[0]]) == 1
        assert "核验不通过" in capsys.readouterr().out


def test_second_notice_run_is_refused_and_codes_stay(demo_copy: Path) -> None:
    assert main(["--root", str(demo_copy), "notice", TASK]) == 0
    public = codes_path(demo_copy, TASK)
    before = public.read_bytes()
    notices = {p.name: p.read_bytes() for p in (demo_copy / "private" / "notices" / TASK).iterdir()}
    assert main(["--root", str(demo_copy), "notice", TASK]) == 2
    docs = task_documents(read_entries(demo_copy), ObjectStore(demo_copy), TASK)
    with pytest.raises(NoticesExist) as raised:
        make_notices(demo_copy, docs, dt.date(2026, 2, 4))
    assert raised.value.code == "notice-codes-exist"
    assert public.read_bytes() == before
    after = {p.name: p.read_bytes() for p in (demo_copy / "private" / "notices" / TASK).iterdir()}
    assert after == notices


def test_unknown_task_is_refused_and_nothing_written(demo_copy: Path) -> None:
    with pytest.raises(SuijiError) as raised:
        task_documents(read_entries(demo_copy), ObjectStore(demo_copy), "2099-001")
    assert raised.value.code == "task-unknown"
    assert main(["--root", str(demo_copy), "notice", "2099-001"]) == 2
    assert not (demo_copy / "content" / "records" / "notices").exists()


def test_undrawn_task_is_refused(bureau: Path) -> None:
    from tests.support.bureau import suiji

    plan = bureau / "content" / "records" / "plans" / f"{TASK}.toml"
    assert suiji(bureau, "2026-02-02T09:00:00+08:00", "commit", str(plan)) == 0
    with pytest.raises(SuijiError) as raised:
        task_documents(read_entries(bureau), ObjectStore(bureau), TASK)
    assert raised.value.code == "task-not-drawn"
    for command in ("notice", "template", "inspection-sheet"):
        assert main(["--root", str(bureau), command, TASK]) == 2, command
    assert not codes_path(bureau, TASK).exists()
    assert not (bureau / "private" / "notices").exists()


def test_notice_and_record_escape_record_text() -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="x()">'
    target = TargetDoc(
        uscc="91110000600037341L",
        name=hostile,
        address=hostile,
        items=(),
        team_key="k",
        team=(Person("ZF001", hostile, "leader", hostile),),
        pending=(),
    )
    docs = TaskDocs(
        TASK, hostile, hostile, "定向", hostile, dt.date(2026, 2, 5), dt.date(2026, 2, 10),
        dt.datetime(2026, 2, 3, tzinfo=dt.UTC), (target,),
    )  # fmt: skip
    page = notice_html(docs, target, "7KQ2M-X9D4T", dt.date(2026, 2, 4)).decode()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def test_inspection_sheet_lists_drawn_items(demo_copy: Path) -> None:
    assert main(["--root", str(demo_copy), "inspection-sheet", TASK]) == 0
    docs = task_documents(read_entries(demo_copy), ObjectStore(demo_copy), TASK)
    for t in docs.targets:
        page = (demo_copy / "private" / "notices" / TASK / f"{t.uscc}-record.html").read_text()
        assert t.items and all(i.id in page for i in t.items)
        assert "回执" in page
    assert not codes_path(demo_copy, TASK).exists(), "records carry no code"


# ---------------------------------------------------------------- the results template


def test_template_filled_in_is_a_results_file_check_reads(demo_copy: Path) -> None:
    """For 2026-005, whose results are due at the demo's today (the others are filed)."""
    task = DUE_TASK
    assert main(["--root", str(demo_copy), "template", task]) == 0
    out = demo_copy / "private" / "notices" / task / f"results-{task}.xlsx"
    assert main(["--root", str(demo_copy), "template", task]) == 2, "never overwrites"
    docs = task_documents(read_entries(demo_copy), ObjectStore(demo_copy), task)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[2]]
    assert header == [c.header for c in RESULTS.columns]
    col = {h: j + 1 for j, h in enumerate(header)}
    rows = list(range(3, 3 + len(docs.targets)))
    assert [ws.cell(r, col["统一社会信用代码"]).value for r in rows] == [
        t.uscc for t in docs.targets
    ]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any(all(name in (dv.formula1 or "") for _, name in RESULT_CATEGORIES) for dv in lists)
    for r, t in zip(rows, docs.targets, strict=True):
        assert ws.cell(r, col["实际检查人员"]).value == "、".join(p.id for p in t.team)
        cell = ws.cell(r, col["检查事项及结果"]).coordinate
        dv = next(dv for dv in lists if cell in dv.sqref)
        assert all(f"{i.id}:符合" in dv.formula1 for i in t.items)
        ws.cell(r, col["检查开始日期"], docs.window_start)
        ws.cell(r, col["检查结束日期"], docs.window_start)
        ws.cell(r, col["检查结果"], "发现问题经责令已改正")
        first = dv.formula1.strip('"').split(",")[1]  # the first item 不符合
        ws.cell(r, col["检查事项及结果"], first)
        ws.cell(r, col["整改期限"], docs.window_end)
    results = demo_copy / "content" / "records" / "results"
    results.mkdir(parents=True, exist_ok=True)
    wb.save(results / f"{task}.xlsx")
    report = check_records(
        demo_copy / "content" / "records", dt.date(2026, 12, 15), label_base=demo_copy
    )
    errors = [p for p in report.problems if p.severity == "error"]
    assert report.ok and not errors, errors
    assert main(["--root", str(demo_copy), "--now", DEMO_NOW, "check"]) == 0


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class _Recorded:
    entry: ResultEntry
    content: ResultContent | None
    version: int


@dataclass(frozen=True)
class _FakeView:
    rows: tuple[_Recorded, ...]

    def current(self) -> list[_Recorded]:
        return list(self.rows)


def _content(uscc: str, **kw: object) -> ResultContent:
    base: dict[str, object] = dict(
        salt="00" * 16, task=TASK, uscc=uscc, started_on=dt.date(2026, 2, 6),
        ended_on=dt.date(2026, 2, 7), team=("ZF001",), findings=(("YH-007", "符合"),),
        categories=("未发现问题",), observations="", assessment="", opinions="", penalty=None,
        reported_on=None, feedback_on=None, rectify_by=None, rectified_on=None, correction="",
    )  # fmt: skip
    base.update(kw)
    return ResultContent(**base)  # type: ignore[arg-type]


def test_export_in_provincial_columns_from_the_results_view(demo_year: Path) -> None:
    entries = list(read_entries(demo_year))
    store = ObjectStore(demo_year)
    docs = task_documents(entries, store, TASK)
    a, b, c = (t.uscc for t in docs.targets[:3])
    penalty = Penalty("示应急罚〔2026〕1号", dt.date(2026, 2, 9), "罚款一万元")
    view = _FakeView(
        (
            _Recorded(ResultEntry(TASK, a, "0" * 64, None), _content(a), 1),
            _Recorded(
                ResultEntry(TASK, b, "1" * 64, 5),
                _content(
                    b, categories=("发现问题待后续处理",), penalty=penalty, correction="补录处罚"
                ),
                2,
            ),
            _Recorded(ResultEntry(TASK, c, "2" * 64, None), None, 1),  # withdrawn
        )
    )
    table = export_table(entries, store, view)
    assert table.header == COLUMNS
    assert [r[4] for r in table.rows] == [a, b]
    first = dict(zip(COLUMNS, table.rows[0], strict=True))
    names = {t.uscc: t.name for t in docs.targets}
    assert first["计划/任务编号与名称"] == f"{TASK} {docs.name}"
    assert first["抽查类型"] == "定向抽查"
    assert first["检查机关"] == "示例县应急管理局"
    assert first["市场主体名称"] == names[a]
    assert first["检查完成日期"] == "2026-02-07"
    assert first["检查结果"] == "未发现问题"
    second = dict(zip(COLUMNS, table.rows[1], strict=True))
    assert "示应急罚〔2026〕1号" in second["备注"] and "已更正（第 2 版" in second["备注"]
    data = csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    assert MIN_ITERATIONS <= 600_000  # the default stays above the floor


def test_codes_file_round_trip_rejects_tampering(demo_copy: Path) -> None:
    assert main(["--root", str(demo_copy), "notice", TASK]) == 0
    public = codes_path(demo_copy, TASK)
    data = public.read_bytes()
    assert parse_codes(data).to_bytes() == data
    weakened = data.replace(b'"iterations":600000', b'"iterations":1000')
    assert weakened != data
    with pytest.raises(NoticeCodeError) as raised:
        parse_codes(weakened)
    assert raised.value.code == "notice-codes-file"
    shutil.rmtree(demo_copy / "private" / "notices")


def test_suiji_export_writes_the_demo_years_recorded_results(
    demo_year: Path, tmp_path: Path
) -> None:
    """The real command on the demo's real results: one row per current result, the
    corrected one marked in 备注, the withdrawn one (信用修复) absent; .xlsx holds the same."""
    current = results_view(read_entries(demo_year), ObjectStore(demo_year)).current()
    withdrawn = {r.uscc for r in current if r.withdrawn}
    corrected = {r.uscc for r in current if r.version > 1 and not r.withdrawn}
    assert withdrawn and corrected
    out = tmp_path / "results.csv"
    assert main(["--root", str(demo_year), "export", "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    by_code = {dict(zip(COLUMNS, r, strict=True))["统一社会信用代码"]: r for r in rows[1:]}
    assert len(by_code) == len(rows) - 1 == len(current) - len(withdrawn)
    assert not withdrawn & set(by_code)
    for code in corrected:
        assert "已更正" in dict(zip(COLUMNS, by_code[code], strict=True))["备注"]
    book = tmp_path / "results.xlsx"
    assert main(["--root", str(demo_year), "export", "--out", str(book)]) == 0
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    assert [["" if c is None else c for c in r] for r in sheet.iter_rows(values_only=True)] == rows
