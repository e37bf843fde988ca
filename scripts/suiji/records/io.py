"""Reading a clerk's file into columns of text, without judging the content.

Two formats, as clerks produce them:

* CSV — Excel's "CSV UTF-8" (with a BOM), plain UTF-8, or Excel's plain "CSV" on Chinese
  Windows, which is GBK; we decode that as GB18030 (a superset: GBK lacks 䶮, 𠮷). The rule
  is fixed so the same bytes always read the same way: a BOM means UTF-8; otherwise UTF-8
  if the bytes are valid UTF-8; otherwise GB18030; otherwise the file is unreadable.
* .xlsx — the first worksheet, read with python-calamine (`suiji.records.xlsx`) so that we
  still see what Excel stored:
  a date cell arrives as a date, a number as int or float. Numbers matter for credit codes
  (Excel keeps 15 significant digits) and for dates (serial numbers).

Every cell becomes text (`""` when empty); cells that were not text in the workbook are
also kept in `RawTable.typed`, so the validator can tell `911…` typed as a number from
the same digits typed as text. Rows keep the number Excel shows (the header is row 1
unless title rows sit above it).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from suiji.shared.errors import Location
from suiji.shared.text import clean_text, match_key

from .schema import RecordSchema
from .xlsx import cell_text, int_or_float, letter, read_workbook

BOM = b"\xef\xbb\xbf"
HEADER_SEARCH_ROWS = 10
_LINE_RE = re.compile(r"line (\d+), saw (\d+)")
"""A header may sit below a few title rows (「XX县应急管理局……名录库」), never lower."""

ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class RawTable:
    """A file as read: header texts and, per column, every data cell as text.

    `cells[j][i]` is row i, column j; `excel_rows[i]` the row number Excel shows;
    `typed[j]` maps a row index to the cell's value where the workbook stored a non-text
    value (number, date, boolean) — empty for CSV. `letters` are the xlsx column letters.
    """

    path: Path
    label: str
    encoding: str
    headers: tuple[str, ...]
    cells: tuple[ObjArray, ...]
    excel_rows: npt.NDArray[np.int64]
    typed: tuple[dict[int, Any], ...]
    factorized: tuple[tuple[npt.NDArray[np.integer[Any]], ObjArray] | None, ...] = ()
    """For columns pandas read as categories: (code per row, text per code), so the
    validator judges each distinct value once without factorizing the column again."""
    letters: tuple[str, ...] | None = None
    header_row: int = 1
    """The row number of the header (below any title rows)."""
    notes: tuple[tuple[Location, str], ...] = field(default=())
    """Warnings from reading itself (e.g. a second worksheet that was not read)."""
    outside: tuple[tuple[Location, str, str], ...] = field(default=())
    """Text a clerk may not see but the published file holds: (where, what, text) for
    cells on other worksheets, in hidden rows or columns, and in cell comments."""
    formulas: tuple[str, ...] = field(default=())
    """Cells (A1 references) holding a formula whose result the file never saved."""

    @property
    def n(self) -> int:
        return len(self.excel_rows)

    def column_label(self, j: int) -> str:
        """How a clerk finds column j: its header as written, and the letter in a workbook."""
        header = self.headers[j] or "（无表头）"
        if self.letters is not None:
            return f"{header}（{self.letters[j]}列）"
        return header


class ReadFailure(Exception):
    """The file cannot be read at all; `location` and `message` become one RecordProblem."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def file_label(path: Path, base: Path | None) -> str:
    """How messages name a file: relative to `base` (the bureau's root) when inside it."""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _header_score(cells: list[str], known: set[str]) -> int:
    return sum(1 for c in cells if match_key(clean_text(c)) in known)


def _find_header(rows: list[list[str]], schema: RecordSchema) -> int | None:
    """Index of the header row among the first rows: the first with ≥ 2 known headers.

    A single known header is enough when the schema's first column is among them (a
    one-column file is odd but still a header).
    """
    known = set(schema.header_index())
    first = {match_key(schema.columns[0].header), match_key(schema.columns[0].alias)}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(row, known)
        if score >= 2 or (score == 1 and any(match_key(clean_text(c)) in first for c in row)):
            return i
    return None


def _two_row_header(rows: list[list[str]], hdr: int, schema: RecordSchema) -> list[str] | None:
    """The header when it spans two rows (group titles, some merged down; names below).

    Excel forms often put 「基本信息」「分类分级」 above the column names, with columns like
    「统一社会信用代码」 merged over both rows. Read as one header row, the row of names would
    become a data row and fail once per column; so when the row below the header also holds
    ≥ 2 known column names, the two rows are one header: the lower cell where it has text.
    """
    if hdr + 1 >= len(rows) or _header_score(rows[hdr + 1], set(schema.header_index())) < 2:
        return None
    upper, lower = rows[hdr], rows[hdr + 1]
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    return [b if clean_text(b) else a for a, b in zip(upper, lower, strict=True)]


def _no_header(label: str, schema: RecordSchema) -> ReadFailure:
    first = schema.columns[0]
    return ReadFailure(
        Location(label),
        f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有「{first.header}」等列名"
        f"（请把列名放在第 1 行，写法见 docs/RECORDS.md）",
    )


# ---------------------------------------------------------------- CSV


def _detect_encoding(head: bytes) -> str:
    """BOM → utf-8-sig; else utf-8 if the start decodes strictly; else gb18030.

    Only the start is decoded here (cheap); pandas decodes the rest strictly and a late
    invalid byte makes `read_csv_file` fall back to GB18030 (the same rule, applied lazily).
    """
    if head.startswith(BOM):
        return "utf-8-sig"
    try:
        # final=False: a multi-byte character cut at the 64 KiB boundary is not an error.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _parse_csv(
    path: Path, head: bytes, encoding: str, label: str, schema: RecordSchema
) -> tuple[pd.DataFrame, int, list[str]]:
    """Parse with one encoding; UnicodeDecodeError propagates so the caller can fall back."""
    # Strict: an encoding error in the first 64 KiB is reported as such (final=False: a
    # character cut at the boundary is not an error).
    text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
    head_rows = list(csv.reader(io.StringIO(text)))[:HEADER_SEARCH_ROWS]
    hdr = _find_header(head_rows, schema)
    if hdr is None:
        raise _no_header(label, schema)
    # Few-valued columns are read as categories: as fast as text, less memory, and the
    # codes come for free.
    index = schema.header_index()
    headers = head_rows[hdr]
    combined = _two_row_header(head_rows, hdr, schema)
    if combined is not None:
        headers, hdr = combined, hdr + 1  # data starts below the second header row
    dtypes: dict[int, Any] = {}
    for j, cell in enumerate(headers):
        col = index.get(match_key(clean_text(cell)))
        few = col is not None and (col.low_card or col.kind in ("bool", "date", "enum"))
        dtypes[j] = "category" if few else object
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                header=None,
                names=list(range(len(headers))),
                index_col=False,
                skiprows=hdr + 1,  # title rows and the header itself
                dtype=dtypes,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                encoding=encoding,
                encoding_errors="strict",
            )
    except pd.errors.ParserWarning:
        line, fields = _long_line(path, encoding, len(headers))
        raise ReadFailure(
            Location(label, line),
            f"这一行有 {fields} 个字段，比表头的 {len(headers)} 列多：单元格里的英文逗号"
            f"要用引号括起来（在 Excel 里打开再另存为 CSV 即可）",
        ) from None
    except pd.errors.ParserError as exc:
        m = _LINE_RE.search(str(exc))
        if m is None:
            raise ReadFailure(Location(label), f"CSV 格式错误：{exc}") from None
        line, fields = int(m.group(1)), int(m.group(2))  # pandas counts lines from the top
        raise ReadFailure(
            Location(label, line),
            f"这一行有 {fields} 个字段，比表头的 {len(headers)} 列多：单元格里的英文逗号"
            f"要用引号括起来（在 Excel 里打开再另存为 CSV 即可）",
        ) from None
    return frame, hdr, headers


def _long_line(path: Path, encoding: str, width: int) -> tuple[int | None, int]:
    """The first record with more fields than the header (the slow way: an error path)."""
    with path.open(encoding=encoding, newline="") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            if len(row) > width:
                return number, len(row)
    return None, 0


def read_csv_file(path: Path, label: str, schema: RecordSchema) -> RawTable:
    """Read a CSV with the encoding rule above; the header row is found among the first rows."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise ReadFailure(Location(label), f"无法读取文件：{exc.strerror}") from None
    encoding = _detect_encoding(head)
    unreadable = ReadFailure(
        Location(label),
        "文件既不是 UTF-8 也不是 GB18030 编码，无法读取（请在 Excel 中另存为“CSV UTF-8”）",
    )
    try:
        frame, hdr, header_cells = _parse_csv(path, head, encoding, label, schema)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise unreadable from None
        encoding = "gb18030"  # not valid UTF-8 after all (the first bad byte came late)
        try:
            frame, hdr, header_cells = _parse_csv(path, head, encoding, label, schema)
        except UnicodeDecodeError:
            raise unreadable from None
    columns: list[ObjArray] = []
    factorized: list[tuple[npt.NDArray[np.integer[Any]], ObjArray] | None] = []
    for c in frame.columns:
        array = frame[c].array
        if isinstance(array, pd.Categorical):
            codes = np.asarray(array.codes)
            texts = np.asarray(array.categories.to_numpy(dtype=object), dtype=object)
            columns.append(np.asarray(texts[codes], dtype=object))
            factorized.append((codes, texts))
        else:
            columns.append(frame[c].to_numpy(dtype=object))
            factorized.append(None)
    del frame
    headers = tuple(clean_text(cell) for cell in header_cells)
    cells = tuple(columns)
    n = len(cells[0]) if cells else 0
    return RawTable(
        path=path,
        label=label,
        encoding=encoding,
        headers=headers,
        cells=cells,
        excel_rows=np.arange(hdr + 2, hdr + 2 + n, dtype=np.int64),
        typed=tuple({} for _ in cells),
        factorized=tuple(factorized),
        header_row=hdr + 1,
    )


# ---------------------------------------------------------------- xlsx


def _texts(label: str, rows: Any, where: str, keep: Any) -> list[tuple[Location, str, str]]:
    """Non-empty cells of `rows` that `keep(row, column)` (1-based), located for a clerk."""
    found: list[tuple[Location, str, str]] = []
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v not in (None, "") and keep(r, c):
                found.append((Location(label, r, f"{letter(c - 1)}列"), where, cell_text(v)))
    return found


_BLOCK = 2048
"""Rows turned into columns at a time (one `zip` per block instead of a loop per cell)."""


class _Columns:
    """Data rows turned into columns as they arrive: text per cell, typed values aside.

    Repeated texts (industry, town, yes/no, dates) share one string object per column
    while the column looks repetitive; a column of mostly distinct texts stops sharing.
    """

    def __init__(self, width: int, first_row: int, ints: dict[tuple[int, int], int]) -> None:
        self.cols: list[list[str]] = [[] for _ in range(width)]
        self.typed: list[dict[int, Any]] = [{} for _ in range(width)]
        self.memo: list[dict[str, str] | None] = [{} for _ in range(width)]
        self.first_row = first_row  # 0-based sheet row of the first data row
        self.ints = ints
        self.n = 0

    def widen(self, width: int) -> None:
        while len(self.cols) < width:
            self.cols.append([""] * self.n)
            self.typed.append({})
            self.memo.append({})

    def add(self, block: list[list[Any]]) -> None:
        width = max(len(r) for r in block)
        self.widen(width)
        width = len(self.cols)
        block = [r if len(r) == width else r + [None] * (width - len(r)) for r in block]
        base = self.n
        for j, values in enumerate(zip(*block, strict=True)):
            col, memo = self.cols[j], self.memo[j]
            if all(type(v) is str for v in values):
                if memo is None:
                    col.extend(values)
                else:
                    col.extend([memo.setdefault(v, v) for v in values])
                    if len(memo) > 4096 and 2 * len(memo) > len(col):
                        self.memo[j] = None  # mostly distinct: sharing saves nothing
                continue
            kinds = self.typed[j]
            for k, v in enumerate(values):
                if v is None or isinstance(v, str):
                    col.append("" if v is None else v)
                    continue
                if type(v) is float:
                    v = int_or_float(v, self.ints.get((self.first_row + base + k, j)))
                col.append(cell_text(v))
                kinds[base + k] = v
        self.n += len(block)

    def arrays(self) -> tuple[ObjArray, ...]:
        out: list[ObjArray] = []
        while self.cols:
            col = self.cols.pop(0)
            arr = np.empty(len(col), dtype=object)
            arr[:] = col
            out.append(arr)
        return tuple(out)


def _guarded(rows: Iterator[list[Any]], label: str) -> Iterator[list[Any]]:
    """Rows read after the header (a huge sheet is read part by part, so a damaged part
    is met late): failures of the reader become the same "cannot be opened" problem."""
    try:
        yield from rows
    except Exception as exc:
        raise ReadFailure(
            Location(label), f"无法作为 Excel 工作簿（.xlsx）打开：{exc}（请用 Excel 另存为 .xlsx）"
        ) from None


def read_xlsx_file(path: Path, label: str, schema: RecordSchema) -> RawTable:
    """Read the first worksheet; values as Excel stores them (formulas: saved results)."""
    import zipfile

    try:
        book = read_workbook(path, label)
        rows = book.first_rows()
        head = list(islice(rows, HEADER_SEARCH_ROWS))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, StopIteration, ET.ParseError) as exc:
        raise ReadFailure(
            Location(label), f"无法作为 Excel 工作簿（.xlsx）打开：{exc}（请用 Excel 另存为 .xlsx）"
        ) from None
    except Exception as exc:  # calamine's own errors (a damaged or encrypted workbook)
        raise ReadFailure(
            Location(label), f"无法作为 Excel 工作簿（.xlsx）打开：{exc}（请用 Excel 另存为 .xlsx）"
        ) from None
    if book.title is None:
        raise _no_header(label, schema)
    markup = book.markup
    text_rows = [[cell_text(v) for v in r] for r in head]
    hdr = _find_header(text_rows, schema)
    if hdr is None:
        raise _no_header(label, schema)
    header_cells: list[Any] = list(head[hdr])
    combined = _two_row_header(text_rows, hdr, schema)
    if combined is not None:
        header_cells, hdr = list(combined), hdr + 1
    hidden_rows, hidden_cols = markup.hidden_rows, markup.hidden_cols
    hidden: list[tuple[Location, str, str]] = []
    if hidden_rows or hidden_cols:
        hidden = _texts(
            label, head, "隐藏的行或列", lambda r, c: r in hidden_rows or c in hidden_cols
        )
    columns = _Columns(len(header_cells), hdr + 1, markup.ints)
    pending = head[hdr + 1 :]
    number = len(head)  # 1-based number of the last row read
    for row in _guarded(rows, label):
        number += 1
        if hidden_rows or hidden_cols:
            for c, v in enumerate(row, start=1):
                if v not in (None, "") and (number in hidden_rows or c in hidden_cols):
                    at = Location(label, number, f"{letter(c - 1)}列")
                    hidden.append((at, "隐藏的行或列", cell_text(v)))
        pending.append(row)
        if len(pending) >= _BLOCK:
            columns.add(pending)
            pending = []
    if pending:
        columns.add(pending)
    del rows, head, pending
    width = len(columns.cols)
    header_cells += [None] * (width - len(header_cells))
    headers = tuple(clean_text(cell_text(v)) for v in header_cells)
    n = columns.n
    typed = tuple(columns.typed)
    cells = columns.arrays()
    notes: list[tuple[Location, str]] = []
    outside: list[tuple[Location, str, str]] = []
    title = book.title
    for other, other_rows in book.others():
        where = f"工作表「{other}」"
        found = _texts(label, other_rows, where, lambda r, c: True)
        if found:
            outside += found
            notes.append(
                (
                    Location(label),
                    f"工作簿有多个工作表，只读取第一个「{title}」；"
                    f"工作表「{other}」的内容不会被读取（请删除或移到别的文件）",
                )
            )
    outside += hidden
    outside += book.notes
    return RawTable(
        path=path,
        label=label,
        encoding="xlsx",
        headers=headers,
        cells=cells,
        excel_rows=np.arange(hdr + 2, hdr + 2 + n, dtype=np.int64),
        typed=typed,
        letters=tuple(letter(j) for j in range(width)),
        header_row=hdr + 1,
        notes=tuple(notes),
        outside=tuple(outside),
        formulas=tuple(markup.formulas),
    )


def read_table(path: Path, label: str, schema: RecordSchema) -> RawTable:
    """Read a record file by its extension (.csv or .xlsx)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_file(path, label, schema)
    if suffix == ".xlsx":
        return read_xlsx_file(path, label, schema)
    raise ReadFailure(Location(label), "只能读取 .csv 或 .xlsx 文件")
