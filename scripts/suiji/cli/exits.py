"""The one exit-code map: from an error's cause to what the process returns.

docs/spec/14-verifier.md §14.2 documents it; docs/adr/0018-errors-by-cause.md says why it
lives here and nowhere else. The library raises errors by cause and returns reports as data;
only the CLI decides what a cause means for the process.
"""

from __future__ import annotations

from suiji.shared.errors import CheckFailed, InputError, Refusal, SuijiError, Unavailable, cause_of

OK = 0
"""Success; for a check: nothing found."""

FOUND = 1
"""A check ran and found a problem."""

INPUT = 2
"""A usage error, unreadable or invalid input, a refused step or an unavailable source."""

EXIT_CODES: dict[type[SuijiError], int] = {
    CheckFailed: FOUND,
    InputError: INPUT,
    Refusal: INPUT,
    Unavailable: INPUT,
}
"""Keyed by cause (`suiji.shared.errors.CAUSES`); a test checks it covers every cause."""


def exit_code(err: SuijiError) -> int:
    """What the process returns when `err` ends a command."""
    return EXIT_CODES[cause_of(err)]


def found(problems: bool) -> int:
    """A check's exit code: 1 when it found a problem, else 0."""
    return FOUND if problems else OK
