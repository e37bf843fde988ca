"""The operator's guide (docs/guide/) runs: every `suiji` line in it works on the demo.

How the lines are run, and why this way:

- Every line that starts with `suiji ` inside a fenced code block of docs/guide/*.md is a
  runnable example. Lines written for a real bureau (without `--now`, with real key paths)
  are shown with a shell prompt (`$ suiji …`) and are illustrations, not run: the guide's
  README says so to the reader.
- Runnable lines address the demo directory as `demo` (`suiji --root demo …`, paths
  `demo/…`); the test substitutes its own copy of the demo for that word.
- The copy is the demo year with its `ledger/` and `content/records/results/` removed:
  records, draft plan, the clerk's filled-in results files in `demo/drafts/results/`, the
  published demo keys in `demo/private/` and the demo clock stay.
- A line `cp demo/drafts/results/X.csv demo/content/records/results/Y.csv` in a fenced
  block is the clerk putting a filled-in results file in place: the test copies the file
  (its path words substituted like a `suiji` line's), so the results that `suiji record`
  signs in the guide are the demo's, version by version; `rm demo/content/records/results/X`
  takes one away. Both may only write into the results folder. The guide's chapters, read in file
  order, rebuild the year from `suiji init` to `suiji verify`, each write with the `--now`
  the demo uses, so writes need no plan files or times of their own. After the last line the
  rebuilt ledger must begin with the demo's own ledger byte for byte: the guide covers every
  step of the demo year, in the demo's order, and later chapters (refusals, repair, key
  rotation) only append.
- Each line must exit 0, or the code its comment names (`# 退出码 1`).
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from suiji.cli.app import build_parser, main

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"
DEMO_WORD = "demo"
_EXIT = re.compile(r"#\s*退出码\s*(\d+)")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class GuideLine:
    """One runnable line of the guide: where it is, its program (`suiji` or `cp`), its
    words after the program, its exit code."""

    where: str
    argv: tuple[str, ...]
    exit_code: int
    program: str = "suiji"


def guide_lines(programs: tuple[str, ...] = ("suiji",)) -> list[GuideLine]:
    """Every line of `programs` in the fenced blocks of docs/guide/*.md, in reading order."""
    lines: list[GuideLine] = []
    for path in sorted(GUIDE.glob("*.md")):
        inside = False
        for number, text in enumerate(path.read_text("utf-8").splitlines(), 1):
            if _FENCE.match(text):
                inside = not inside
                continue
            stripped = text.strip()
            program = stripped.split(" ", 1)[0]
            if not inside or program not in programs or " " not in stripped:
                continue
            found = _EXIT.search(stripped)
            words = shlex.split(stripped, comments=True)
            lines.append(
                GuideLine(
                    f"{path.name}:{number}",
                    tuple(words[1:]),
                    int(found[1]) if found else 0,
                    program,
                )
            )
    return lines


def _substitute(word: str, demo: Path) -> str:
    if word == DEMO_WORD:
        return str(demo)
    if word.startswith(DEMO_WORD + "/"):
        return str(demo / word[len(DEMO_WORD) + 1 :])
    return word


def _command(argv: tuple[str, ...]) -> str:
    """The subcommand of a line: the first word after the global --root/--now options."""
    words = list(argv)
    while words and words[0] in ("--root", "--now"):
        words = words[2:]
    return words[0] if words else ""


def test_guide_has_runnable_lines_for_every_chapter() -> None:
    """Each chapter the table of contents links exists; the guide has lines to run."""
    toc = (GUIDE / "README.md").read_text("utf-8")
    chapters = re.findall(r"\]\((\d\d-[a-z-]+\.md)\)", toc)
    assert chapters, "docs/guide/README.md links no chapters"
    for chapter in chapters:
        assert (GUIDE / chapter).is_file(), chapter
    assert sorted(p.name for p in GUIDE.glob("[0-9][0-9]-*.md")) == sorted(chapters)
    commands = {_command(line.argv) for line in guide_lines()}
    for needed in ("init", "check", "commit", "inputs", "draw", "void", "replace"):
        assert needed in commands, needed
    for needed in ("coverage", "verify", "key", "ledger", "keygen"):
        assert needed in commands, needed


def _subcommands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    """`suiji X` and `suiji X Y` for every command and action the parser knows."""
    out: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(f"{prefix} {name}")
                out.extend(_subcommands(sub, f"{prefix} {name}"))
    return out


def test_guide_names_every_command() -> None:
    """A command the guide never mentions is one a clerk cannot find (the demo is `make demo`)."""
    text = "\n".join(p.read_text("utf-8") for p in sorted(GUIDE.glob("*.md")))
    text = re.sub(r"--root demo (--now \S+ )?", "", text)
    missing = [
        c for c in _subcommands(build_parser(), "suiji") if c != "suiji demo" and c not in text
    ]
    assert not missing, f"docs/guide/ 没有提到这些命令，请在相应章节说明：{missing}"


def test_every_guide_line_runs_on_the_demo(
    demo_year: Path, demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(demo_copy / "ledger")
    shutil.rmtree(demo_copy / "content" / "records" / "results", ignore_errors=True)
    for line in guide_lines(("suiji", "cp", "rm")):
        if line.program != "suiji":
            assert line.argv[-1].startswith(f"{DEMO_WORD}/content/records/results/"), line.where
            paths = [Path(_substitute(word, demo_copy)) for word in line.argv]
            if line.program == "rm":
                paths[0].unlink()
                continue
            paths[1].parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(paths[0], paths[1])
            continue
        assert line.argv[:2] == ("--root", DEMO_WORD), f"{line.where}: 请以 suiji --root demo 开头"
        argv = [_substitute(word, demo_copy) for word in line.argv]
        code = main(argv)
        out = capsys.readouterr()
        assert code == line.exit_code, f"{line.where}: {' '.join(line.argv)}\n{out.out}{out.err}"
    rebuilt = (demo_copy / "ledger" / "ledger.jsonl").read_bytes()
    demo = (demo_year / "ledger" / "ledger.jsonl").read_bytes()
    assert rebuilt.startswith(demo), "指南中的命令没有按演示年的顺序重建演示账本"
