"""`suiji template TASK`: the results workbook of one drawn task, pre-filled, with drop-downs.

The workbook IS a results file (`suiji.records.schema.RESULTS`): one header row with the
results columns and one row per drawn enterprise, task id, credit code and the drawn team
already filled in. Filled in and saved into `content/records/results/`, it is read by
`suiji check` like any other results file. Because a records file may hold only its one
table (no second worksheet, comment or hidden column: `suiji check` treats text there as
possibly unpublished personal data), everything a clerk needs to see beside the table —
the enterprise's name, the team's names, the drawn items — is in the cells' input messages
(Excel shows them when the cell is selected) and in the title row above the header.

Drop-downs: 检查结果 offers the national categories (several may be joined by 、, so the
list only suggests); 检查事项及结果 offers, per row, the drawn items all 符合 and each
variant with one item 不符合 (a suggestion to edit, never a default: the cell is empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from suiji.publish.documents import TargetDoc, TaskDocs
from suiji.records.schema import FINDINGS, RESULT_CATEGORIES, RESULTS

LIST_LIMIT = 255
"""Excel's limit on an inline list formula, and on an input message."""
TITLE_LIMIT = 32
"""Excel's limit on an input message's title."""
SEP = "；"


def _header_index() -> dict[str, int]:
    return {c.alias: j for j, c in enumerate(RESULTS.columns, start=1)}


def finding_options(target: TargetDoc) -> list[str]:
    """All drawn items 符合, then each with one item 不符合: what the drop-down suggests."""
    ids = [i.id for i in target.items]
    if not ids:
        return []
    ok, bad = FINDINGS[0], FINDINGS[1]
    options = [SEP.join(f"{i}:{ok}" for i in ids)]
    for k in range(len(ids)):
        options.append(SEP.join(f"{i}:{bad if j == k else ok}" for j, i in enumerate(ids)))
    return options


def _fits(options: Sequence[str]) -> list[str]:
    """The longest prefix of `options` whose list formula Excel accepts."""
    out: list[str] = []
    for o in options:
        if "," in o or len('"' + ",".join([*out, o]) + '"') > LIST_LIMIT:
            break
        out.append(o)
    return out


def _clip(text: str, limit: int = LIST_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_template(path: Path, docs: TaskDocs) -> None:
    """The pre-filled results workbook of `docs` at `path` (the caller decides overwrite)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    col = _header_index()
    wb = Workbook()
    ws = wb.active
    ws.title = f"检查结果 {docs.task}"[:31]
    title = (
        f"任务 {docs.task}「{docs.name}」检查结果登记表；检查时间 "
        f"{docs.window_start.isoformat()} 至 {docs.window_end.isoformat()}；"
        f"选中单元格可看到单位名称、检查人员姓名和抽中的事项"
    )
    ws.append([title])
    ws.cell(1, 1).font = Font(bold=True)
    ws.append([c.header for c in RESULTS.columns])
    ws.freeze_panes = "C3"
    first = 3
    for n, t in enumerate(docs.targets):
        row = first + n
        ws.cell(row, col["task_id"], docs.task)
        ws.cell(row, col["uscc"], t.uscc)
        ws.cell(row, col["team"], "、".join(p.id for p in t.team))
        _prompt(ws, DataValidation, row, col["uscc"], "被检查单位", t.name or t.uscc)
        people = "、".join(f"{p.id} {p.name}（{p.role_name}）" for p in t.team)
        pending = "；撤换待定：" + "、".join(p.name for p in t.pending) if t.pending else ""
        _prompt(
            ws,
            DataValidation,
            row,
            col["team"],
            "抽中的检查组",
            f"{people}{pending}。实际到场人员不同的，按实际填写人员编号，用“、”分隔",
        )
        items = "；".join(f"{i.id} {i.title}" for i in t.items)
        options = _fits(finding_options(t))
        dv = DataValidation(
            type="list" if options else None,
            formula1='"' + ",".join(options) + '"' if options else None,
            allow_blank=True,
            showErrorMessage=False,
            showInputMessage=True,
            promptTitle=_clip("抽中的检查事项", TITLE_LIMIT),
            prompt=_clip(f"{items}。写法：事项编号:结果，用“；”分隔；结果为{'、'.join(FINDINGS)}"),
        )
        ws.add_data_validation(dv)
        dv.add(ws.cell(row, col["findings"]).coordinate)
        for alias in ("started_on", "ended_on"):
            _prompt(
                ws,
                DataValidation,
                row,
                col[alias],
                "检查时间",
                f"应在 {docs.window_start.isoformat()} 至 {docs.window_end.isoformat()} 之间，"
                f"写作 YYYY-MM-DD",
            )
    last = first + max(len(docs.targets), 1) - 1
    names = [name for _, name in RESULT_CATEGORIES]
    categories = DataValidation(
        type="list",
        formula1='"' + ",".join(names) + '"',
        allow_blank=False,
        showErrorMessage=False,
        showInputMessage=True,
        promptTitle="检查结果",
        prompt="从列表选择；可填多项，用“、”分隔（未发现问题只能单独填写）",
    )
    ws.add_data_validation(categories)
    letter = get_column_letter(col["categories"])
    categories.add(f"{letter}{first}:{letter}{last}")
    for j, c in enumerate(RESULTS.columns, start=1):
        width = 24 if c.kind in ("uscc", "findings", "ids", "categories") else 14
        ws.column_dimensions[get_column_letter(j)].width = max(width, 2 * len(c.header) + 2)
        if c.kind == "date":
            for r in range(first, last + 1):
                ws.cell(r, j).number_format = "yyyy-mm-dd"
    ws.cell(1, 1).alignment = Alignment(wrap_text=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _prompt(ws: object, dv_class: type, row: int, column: int, title: str, text: str) -> None:
    """An input message on one cell (a validation that allows anything)."""
    dv = dv_class(
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=False,
        promptTitle=_clip(title, TITLE_LIMIT),
        prompt=_clip(text),
    )
    ws.add_data_validation(dv)  # type: ignore[attr-defined]
    dv.add(ws.cell(row, column).coordinate)  # type: ignore[attr-defined]
