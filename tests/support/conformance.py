"""Conformance bureaus: the demo year, valid and tampered, for both verifiers.

Each case is a function that tampers a copy of the demo bureau the way an attacker would:
bytes changed, removed or reordered without the key; or re-signed with the bureau's own
(demo) key so that every link and signature holds and only re-derivation catches it
(`tests/support/resign.py`). `suiji verify --json --allow-demo --now AS_OF` on each gives
the expected report, checked in under `tests/golden/conformance/<case>.json`; the Python
verifier and the browser verifier (node and Chromium) must both agree with it
(`tests/test_conformance.py`, `tests/test_verifier_page.py`).

Regenerate the reports after a deliberate change:
`python -m tests.support.conformance DEMO_DIR` (DEMO_DIR from `suiji demo DIR`).
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.support import tampers
from tests.support.resign import find, resign, truncate

from suiji.crypto.ed25519 import ENTRY_SIG_PREFIX
from suiji.shared.canonical import canonical_json

AS_OF = "2026-12-15T02:00:00Z"
"""The demo site's as-of time: every report is computed at it."""
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "conformance"
LEDGER = Path("ledger") / "ledger.jsonl"

Case = Callable[[Path], None]


def _lines(root: Path) -> list[bytes]:
    return (root / LEDGER).read_bytes().splitlines()


def _write(root: Path, lines: list[bytes]) -> None:
    (root / LEDGER).write_bytes(b"".join(line + b"\n" for line in lines))


def _seq_of(root: Path, kind: str, task: str | None = None) -> int:
    values = [json.loads(x) for x in _lines(root)]
    return find(values, kind, task)["seq"]


def valid(root: Path) -> None:
    """The demo year as published."""


def changed_byte(root: Path) -> None:
    """One byte of a result entry's body changed (no key: nothing re-signed)."""
    lines = _lines(root)
    seq = _seq_of(root, "result", "2026-001")
    line = lines[seq]
    at = line.index(b'"uscc":"') + len(b'"uscc":"') + 17  # the credit code's last character
    lines[seq] = line[:at] + (b"X" if line[at : at + 1] != b"X" else b"Y") + line[at + 1 :]
    _write(root, lines)


def removed_entry(root: Path) -> None:
    """A result entry deleted from the middle of the ledger."""
    lines = _lines(root)
    del lines[_seq_of(root, "result", "2026-002")]
    _write(root, lines)


def reordered_entry(root: Path) -> None:
    """Two neighbouring entries swapped."""
    lines = _lines(root)
    seq = _seq_of(root, "draw", "2026-001")
    lines[seq - 1], lines[seq] = lines[seq], lines[seq - 1]
    _write(root, lines)


def forged_signature(root: Path) -> None:
    """The draw of 2026-001 signed by another key under the writer's key id; the entries
    after it re-chained and the checkpoint re-signed, so only that signature is wrong."""
    seq = _seq_of(root, "draw", "2026-001")
    lines = _lines(root)
    entry = json.loads(lines[seq])
    unsigned = {k: v for k, v in entry.items() if k != "sigs"}
    stranger = Ed25519PrivateKey.from_private_bytes(bytes([0x5A]) * 32)
    sig = base64.b64encode(stranger.sign(ENTRY_SIG_PREFIX + canonical_json(unsigned))).decode()
    entry["sigs"] = [{"key": entry["sigs"][0]["key"], "sig": sig}]
    lines[seq] = canonical_json(entry)
    _write(root, lines)
    resign_from(root, seq + 1)


def resign_from(root: Path, start: int) -> None:
    """Re-chain and re-sign the entries from `start` on (the forged line kept as it is)."""
    from suiji.crypto.keyfiles import load_private_key
    from suiji.ledger.codec import encode_entry
    from suiji.shared.canonical import tagged_hex
    from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
    from suiji.standards.merkle import merkle_root

    key = load_private_key(root / "private" / "signing.key")
    lines = _lines(root)
    for seq in range(start, len(lines)):
        v = json.loads(lines[seq])
        lines[seq] = encode_entry(
            seq=seq,
            prev=tagged_hex("suiji/entry/v1", lines[seq - 1]),
            kind=v["kind"],
            time=v["time"],
            body=v["body"],
            key=key,
        )
    _write(root, lines)
    origin = json.loads(lines[0])["body"]["origin"]
    cp = Checkpoint(origin, len(lines), merkle_root(lines))
    (root / "ledger" / "checkpoint").write_bytes(sign_checkpoint(cp, origin, key))


def changed_object(root: Path) -> None:
    """One byte of a committed population object changed on disk."""
    values = [json.loads(x) for x in _lines(root)]
    oid = find(values, "commit", "2026-001")["body"]["population_object"]
    path = root / "ledger" / "objects" / oid
    data = bytearray(path.read_bytes())
    data[-2] ^= 1
    path.write_bytes(bytes(data))


def population_one_short(root: Path) -> None:
    """Re-signed: 2026-001's population without its first member (eligible one less)."""
    resign(root, tampers.population_short)


def swapped_target(root: Path) -> None:
    """Re-signed: 2026-001's first target replaced by its first alternate."""
    resign(root, tampers.swap_target)


def swapped_team_member(root: Path) -> None:
    """Re-signed: two officers of 2026-001's first two teams swapped."""
    resign(root, tampers.swap_team_member)


def dice_after_the_round(root: Path) -> None:
    """Re-signed: 2026-003's dice recorded at the draw's time, the round already public
    (the ledger cut after that draw: later voids chain to it, another attack)."""
    truncate(root, _seq_of(root, "draw", "2026-003") + 1)
    values = [json.loads(x) for x in _lines(root)]
    dice = next(
        v["seq"]
        for v in values
        if v["kind"] == "extra-input" and v["body"]["name"] == "现场掷骰（三枚）"
    )
    draw_time = find(values, "draw", "2026-003")["time"]

    def edit(r: Path, vals: list[dict[str, Any]]) -> None:
        vals[dice]["time"] = draw_time

    resign(root, edit)


CASES: dict[str, Case] = {
    "valid": valid,
    "changed-byte": changed_byte,
    "removed-entry": removed_entry,
    "reordered-entry": reordered_entry,
    "forged-signature": forged_signature,
    "changed-object": changed_object,
    "population-one-short": population_one_short,
    "swapped-target": swapped_target,
    "swapped-team-member": swapped_team_member,
    "dice-after-the-round": dice_after_the_round,
}


def make_case(demo: Path, name: str, dest: Path) -> Path:
    """A copy of the demo bureau with case `name` applied; returns its root."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(demo / "ledger", dest / "ledger")
    shutil.copytree(demo / "private", dest / "private")
    (dest / "ledger" / ".writer-cache.json").unlink(missing_ok=True)
    CASES[name](dest)
    return dest


def report(root: Path) -> dict[str, Any]:
    """`suiji verify --json --allow-demo --now AS_OF`, as the library gives it (the same
    checkers as the command: withheld commitments and deadlines judged at AS_OF)."""
    from suiji.shared.times import parse_time
    from suiji.verify import verify
    from suiji.verify.checkers import default_checkers

    now = parse_time(AS_OF)
    checkers = default_checkers(now, root=root)
    r = verify(root, now=now, checkers=checkers, allow_demo=True)
    value: dict[str, Any] = json.loads(json.dumps(r.to_json()))
    return value


def essentials(report: dict[str, Any]) -> dict[str, Any]:
    """What both implementations must agree on: verdict, size, hashes and every finding's
    entry, tag and code (messages are Chinese text for people and may be worded apart)."""
    return {
        "ok": report["ok"],
        "size": report["size"],
        "genesis": report["genesis"],
        "root": report["root"],
        "checkpoint_size": report["checkpoint_size"],
        "findings": sorted(
            ((f["seq"] if f["seq"] is not None else -1), f["tag"], f["code"])
            for f in report["findings"]
        ),
    }


def main(demo: Path) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            root = make_case(demo, name, Path(tmp) / name)
            value = report(root)
            text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            (GOLDEN / f"{name}.json").write_text(text, "utf-8")
            print(name, value["ok"], [(f["seq"], f["code"]) for f in value["findings"]][:6])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
