"""Error types a user can act on. The CLI maps them to exit codes and prints `str(err)`.

Exit codes (docs/spec/14-verifier.md §14.2): 0 success; 1 a check found a problem; 2 usage error or
unreadable input. Every message is Chinese first and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


class SuijiError(Exception):
    """Base of every error the CLI reports. `exit_code` is what the process returns."""

    exit_code = 2


class UsageError(SuijiError):
    """Wrong arguments or an impossible request (exit 2)."""


class InputError(SuijiError):
    """A file that cannot be read or parsed at all (exit 2)."""


class CanonicalError(InputError):
    """Bytes that are not in the canonical form docs/spec/01-encoding.md §1.1 requires."""


class CheckFailed(SuijiError):
    """A check ran and found problems (exit 1): invalid records, ledger or a deadline."""

    exit_code = 1


@dataclass(frozen=True)
class Location:
    """Where a problem sits, rendered as `file:row:column` (row and column 1-based)."""

    file: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)
