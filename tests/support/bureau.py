"""Building a bureau from the bundled example county, and running the CLI against it.

Plain functions returning exit codes; the fixtures in tests/conftest.py assert each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from suiji.cli.app import main
from suiji.cli.demo import TODAY
from suiji.example.county import generate

DEMO_NOW = TODAY
"""The demo year's "today" (the `--now` its ledger is verified at)."""

SETUP_AT = "2026-01-05T09:00:00+08:00"
ORIGIN = "test.invalid/suiji"
KEY_NAMES = ("root.key", "signing.key")


@dataclass(frozen=True)
class Setup:
    """What building a bureau did: its directory and each command's exit code."""

    root: Path
    keygen: tuple[int, ...]
    init: int

    @property
    def ledger(self) -> Path:
        return self.root / "ledger" / "ledger.jsonl"


def write_records(root: Path) -> Path:
    """The example county's record files under root/content/records."""
    target = root / "content" / "records"
    generate(target)
    return target


def keygen(root: Path, name: str, *, at: str = SETUP_AT) -> int:
    """`suiji keygen root/private/<name>`; returns the exit code."""
    (root / "private").mkdir(exist_ok=True)
    return main(["--root", str(root), "--now", at, "keygen", str(root / "private" / name)])


def init(root: Path, *init_args: str, at: str = SETUP_AT) -> int:
    """`suiji init` with root.key and signing.key from root/private; returns the exit code.

    `init_args` choose the beacon and demo flag, e.g. ("--beacon", "suiji-demo", "--demo").
    """
    return main(
        [
            "--root",
            str(root),
            "--now",
            at,
            "init",
            "--origin",
            ORIGIN,
            "--root-key",
            str(root / "private" / "root.key"),
            "--key",
            str(root / "private" / "signing.key"),
            *init_args,
        ]
    )


def build_bureau(root: Path, *init_args: str, at: str = SETUP_AT) -> Setup:
    """Example county records, a root and a signing key in private/, and `suiji init`."""
    write_records(root)
    codes = tuple(keygen(root, name, at=at) for name in KEY_NAMES)
    return Setup(root, codes, init(root, *init_args, at=at))


def make_bureau(root: Path, *init_args: str, at: str = SETUP_AT) -> Path:
    """`build_bureau` for tests that check `suiji init`'s outcome through the ledger.

    Key generation must succeed (RuntimeError otherwise); returns `root`.
    """
    setup = build_bureau(root, *init_args, at=at)
    if setup.keygen != (0,) * len(KEY_NAMES):
        raise RuntimeError(f"suiji keygen failed: exit codes {setup.keygen}")
    return root


def suiji(root: Path, now: str, *args: str) -> int:
    """Run a command against `root` at `now` with the bureau's signing key.

    Steps that write are confirmed with --yes, as CI does (no terminal to ask).
    """
    key = (
        ["--key", str(root / "private" / "signing.key"), "--yes"]
        if args and args[0] in {"commit", "inputs", "draw", "void", "replace"}
        else []
    )
    return main(["--root", str(root), "--now", now, *args, *key])


def clip_record_dates(root: Path, day: str) -> None:
    """Move every inclusion/update/retirement/registration date after `day` back to `day`.

    For tests that commit long before the example county's dates (a genuine 2023 drand
    round): a commitment may not hold a row dated after it (`suiji.records.dating`).
    """
    import csv
    import io

    columns = {"纳入日期", "更新日期", "退出日期", "登记日期"}
    for name in ("enterprises.csv", "recusals.csv"):
        path = root / "content" / "records" / name
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        header = rows[0]
        at = [i for i, h in enumerate(header) if h in columns]
        for row in rows[1:]:
            for i in at:
                if row[i] and row[i] > day:
                    row[i] = day
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
