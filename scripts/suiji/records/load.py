"""Finding the record files, reading and validating them together: `load_all` and `check`.

Reads only; nothing is ever written. `check` reports; `load_all` is what the draw code
calls and raises `RecordsInvalid` (a `CheckFailed`) when there is any error.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from suiji.shared.errors import InputError, Location

from .io import RawTable, ReadFailure, file_label, read_table
from .model import CheckReport, LoadedRecord, LoadedRecords, RecordSummary
from .problems import RecordProblem, RecordsInvalid
from .results import check_results
from .schema import BY_NAME, RECORD_NAMES
from .validate import validate_tables

FORMATS = (".csv", ".xlsx")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one pass over the records.

    A million-row pass creates millions of short-lived tuples and lists, none in a cycle;
    each allocation burst would otherwise trigger collections that scan them all again.
    The previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _label(path: Path, base: Path | None) -> str:
    return file_label(path, base)


def find_files(
    records_dir: Path, *, label_base: Path | None = None
) -> tuple[dict[str, Path], list[RecordProblem]]:
    """The file of each record at the top level of `records_dir` (.csv or .xlsx, not both)."""
    if not records_dir.is_dir():
        raise InputError(
            f"{records_dir}: 记录目录不存在（应为局目录下的 content/records/）",
            code="records-dir-missing",
            location=Location(str(records_dir)),
        )
    found: dict[str, Path] = {}
    problems: list[RecordProblem] = []
    names = {p.name: p for p in records_dir.iterdir() if p.is_file()}
    for name in RECORD_NAMES:
        present = [names[name + ext] for ext in FORMATS if name + ext in names]
        if len(present) == 2:
            problems.append(
                RecordProblem(
                    Location(_label(present[0], label_base)),
                    "error",
                    "file.both_formats",
                    f"同时存在 {present[0].name} 和 {present[1].name}：每个记录只能保留一个文件，"
                    f"请删除其中一个（保留最新的那个）",
                )
            )
        elif present:
            found[name] = present[0]
        elif name + ".xls" in names:
            problems.append(
                RecordProblem(
                    Location(_label(names[name + ".xls"], label_base)),
                    "error",
                    "file.xls",
                    "不能读取旧版 .xls 文件：请在 Excel 中“另存为” Excel 工作簿（.xlsx）或 CSV UTF-8",
                )
            )
        else:
            problems.append(
                RecordProblem(
                    Location(_label(records_dir / f"{name}.csv", label_base)),
                    "error",
                    "file.missing",
                    f"缺少{BY_NAME[name].title}：请提供 {name}.csv 或 {name}.xlsx"
                    f"（列名见 docs/RECORDS.md；没有内容时也要保留只有表头的文件）",
                )
            )
    expected = {n + ext for n in RECORD_NAMES for ext in (*FORMATS, ".xls")}
    for fname, path in sorted(names.items()):
        if fname.startswith(("~$", ".")) or fname in expected:
            continue
        if path.suffix.lower() in (*FORMATS, ".xls"):
            problems.append(
                RecordProblem(
                    Location(_label(path, label_base)),
                    "warning",
                    "file.unknown",
                    f"不认识的文件 {fname}，不会被读取：记录文件名必须是 "
                    f"{'、'.join(n + '.csv' for n in RECORD_NAMES)}（或对应的 .xlsx）",
                )
            )
    return found, problems


def _validate(
    records_dir: Path, today: date, label_base: Path | None
) -> tuple[dict[str, LoadedRecord], list[RecordProblem]]:
    files, problems = find_files(records_dir, label_base=label_base)
    raws: dict[str, RawTable] = {}
    for name, path in files.items():
        try:
            raws[name] = read_table(path, _label(path, label_base), BY_NAME[name])
        except ReadFailure as failure:
            problems.append(
                RecordProblem(failure.location, "error", "file.unreadable", failure.message)
            )
    records, found = validate_tables(raws, today)
    return records, problems + found


def load_all(records_dir: Path, today: date, *, label_base: Path | None = None) -> LoadedRecords:
    """Read and validate all six records; raise RecordsInvalid if any error was found.

    `today` (Asia/Shanghai civil date) dates the warnings about expired certificates and a
    stale registry. The returned records carry rows and snapshot bytes for the draw code.
    """
    with _gc_paused():
        records, problems = _validate(records_dir, today, label_base)
    if any(p.severity == "error" for p in problems):
        raise RecordsInvalid(tuple(problems))
    return LoadedRecords(records=records, problems=tuple(problems), today=today)


def _summary(record: LoadedRecord, with_snapshot: bool) -> RecordSummary:
    return RecordSummary(
        record=record.name,
        file=record.label,
        encoding=record.encoding,
        rows=record.n_rows,
        active_rows=record.n_active,
        snapshot=record.snapshot_hash if with_snapshot else None,
    )


def check(
    records_dir: Path, today: date, *, label_base: Path | None = None, snapshots: bool = True
) -> CheckReport:
    """Everything `suiji check` reports. Snapshot hashes only when there is no error.

    The results files (`results/`, optional) are reported after the six records; they
    have no snapshot (they are not an input of any draw).
    """
    with _gc_paused():
        records, problems = _validate(records_dir, today, label_base)
        ok = not any(p.severity == "error" for p in problems)
        results = check_results(records_dir, label_base)
        ok = ok and not any(p.severity == "error" for p in results.problems)
        summaries = tuple(
            _summary(records[name], snapshots and ok) for name in RECORD_NAMES if name in records
        ) + tuple(_summary(r, False) for r in results.records)
    return CheckReport(records=summaries, problems=tuple(problems) + results.problems)
