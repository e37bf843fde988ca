"""What `suiji check` reports: located findings, and the error carrying all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from suiji.shared.errors import CheckFailed, Location

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class RecordProblem:
    """One finding: where (`file:row:column`), how bad, a stable code, and what to do.

    `code` is a short English id (e.g. ``uscc.check_char``) for tests and tools; the
    `message` is Chinese and ends with how to fix it. Warnings never stop a draw.
    """

    location: Location
    severity: Severity
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "column": self.location.column,
            "file": self.location.file,
            "message": self.message,
            "row": self.location.row,
            "severity": self.severity,
        }


class RecordsInvalid(CheckFailed):
    """The records have errors; `problems` holds every finding of the one pass."""

    code = "records-invalid"

    def __init__(self, problems: tuple[RecordProblem, ...]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = [f"{p.location}: {p.message}" for p in errors[:20]]
        more = (
            f"\n……另有 {len(errors) - 20} 个错误（运行 `suiji check` 查看全部）"
            if len(errors) > 20
            else ""
        )
        super().__init__(f"记录有 {len(errors)} 个错误，请改正后再试：\n" + "\n".join(lines) + more)
