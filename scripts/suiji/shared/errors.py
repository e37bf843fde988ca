"""Errors by cause (docs/adr/0018-errors-by-cause.md).

Every error the package raises for a user to act on derives from one of four causes:

* `InputError`: a file or value that cannot be read or is invalid. It may say where
  (`location`: file:row:column, an entry number or a JSON path).
* `Refusal`: a step the rules or the ledger's history do not allow (the input is readable
  and well formed; doing it would break a rule).
* `Unavailable`: a source that cannot be reached now (a beacon relay, a round not yet
  produced). Trying again later may succeed.
* `CheckFailed`: a check ran and found problems (invalid records, an invalid ledger).

Each error has a stable kebab-case `code` (a class default; a raise may give a narrower one)
for tests and tools, and a Chinese message that says what is wrong and what to do. Nothing
here knows about exit codes or output: only the CLI maps causes to exit codes
(`suiji.cli.exits`, docs/spec/14-verifier.md §14.2) and prints messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem sits: `file:row:column` (row and column 1-based), an entry or a JSON path.

    Written as text by `__str__`: `file:row:column`, then `#entry` and the JSON path when
    given (`ledger/ledger.jsonl#7`, `plan.toml:$.team.officers`).
    """

    file: str
    row: int | None = None
    column: str | None = None
    entry: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        text = ":".join(parts)
        if self.entry is not None:
            text += f"#{self.entry}"
        if self.path is not None:
            text += f":{self.path}"
        return text


class SuijiError(Exception):
    """Base of every error a user can act on. Derive from one of the four causes below.

    `code` is a stable kebab-case id: the class default, or the narrower one a raise gives.
    """

    code: str = "error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The Chinese message: what is wrong and what to do."""
        return str(self)


class InputError(SuijiError):
    """A file or value that cannot be read or is invalid; `location` says where, if known."""

    code = "input-invalid"

    def __init__(
        self, message: str = "", *, code: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.location = location


class UsageError(InputError):
    """A command-line argument, option or environment variable that is missing or invalid."""

    code = "usage"


class CanonicalError(InputError):
    """Bytes that are not in the canonical form docs/spec/01-encoding.md §1.1 requires."""

    code = "noncanonical"


class Refusal(SuijiError):
    """A step the rules or the ledger's history do not allow; the message says why."""

    code = "refused"


class Unavailable(SuijiError):
    """A source (beacon relay, network, a round not yet produced) that is not available now.

    Nothing was found wrong: trying again later, or from another source, may succeed.
    """

    code = "unavailable"
    retryable = True


class CheckFailed(SuijiError):
    """A check ran and found problems: invalid records, an invalid ledger or beacon."""

    code = "check-failed"


CAUSES: tuple[type[SuijiError], ...] = (InputError, Refusal, Unavailable, CheckFailed)
"""The causes every error derives from; the CLI's exit-code map is keyed by them."""


def cause_of(err: SuijiError) -> type[SuijiError]:
    """The cause (one of `CAUSES`) an error derives from."""
    for cause in CAUSES:
        if isinstance(err, cause):
            return cause
    raise TypeError(f"{type(err).__name__} derives from no cause")
