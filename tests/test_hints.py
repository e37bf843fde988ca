"""Every hint names a command that exists.

Collects each `suiji <command>` (and `suiji <command> <subcommand>` for commands that have
subcommands) written in any string literal under scripts/suiji — messages, help texts,
f-string parts; docstrings excepted, they are prose for programmers — and runs
`suiji <command> --help` for each: a refusal that tells a clerk to run a command suiji does
not have leaves the clerk stuck.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import re
from pathlib import Path

import pytest

from suiji.cli.app import build_parser, main

PACKAGE = Path(__file__).resolve().parent.parent / "scripts" / "suiji"
MENTION = re.compile(r"\bsuiji ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (first statement of a body)."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.add(id(value))
    return out


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def mentioned() -> dict[tuple[str, ...], str]:
    """Each command line a string names → where (file:line) it is first named."""
    top = _subcommands(build_parser())
    found: dict[tuple[str, ...], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in _strings(path):
            for m in MENTION.finditer(text):
                command, sub = m.group(1), m.group(2)
                words: tuple[str, ...] = (command,)
                if command in top and _subcommands(top[command]) and sub:
                    words = (command, sub)
                found.setdefault(words, f"{path.relative_to(PACKAGE.parent)}:{line}")
    return found


MENTIONED = mentioned()


def test_messages_name_commands() -> None:
    """The collector finds the hints it exists for (a broken regex would pass vacuously)."""
    assert {("check",), ("verify",), ("init",), ("void",), ("key", "sign")} <= set(MENTIONED)


@pytest.mark.parametrize("words", sorted(MENTIONED), ids=" ".join)
def test_every_named_command_exists(words: tuple[str, ...]) -> None:
    out = io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
        pytest.raises(SystemExit) as done,
    ):
        main([*words, "--help"])
    assert done.value.code == 0, (
        f"{MENTIONED[words]} names `suiji {' '.join(words)}`: {out.getvalue()}"
    )
