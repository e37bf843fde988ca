"""The demo year's two witnesses: published demo keys, cosigning offline after each write.

Each is a real `suiji.witness` witness (state in DIR/private/witness-N/, git-ignored),
asked exactly as `suiji witness request` / `cosign` / `add` would, with the step's `--now`
as its clock. Their keys are demo keys (`demo_key("witness-1")`, `"witness-2"`): anyone
can derive them, so the demo's cosignatures prove nothing about time; they show how a
witnessed year looks and is verified (genesis policy: both, threshold two).
"""

from __future__ import annotations

from pathlib import Path

from suiji.crypto.keyfiles import demo_key
from suiji.ledger.paths import CHECKPOINT_FILE, ledger_dir
from suiji.ledger.reading import genesis_info
from suiji.shared.times import parse_user_time
from suiji.standards.checkpoint import parse_checkpoint
from suiji.standards.note import Note, NoteVerifier, parse_note, raw_public
from suiji.standards.witnessproto import parse_add_checkpoint, parse_signature_lines
from suiji.witness.config import witness_vkey
from suiji.witness.core import Witness
from suiji.writing.witnessing import add_cosigned, last_cosigned, policy_of, request_body

DEMO_WITNESSES = (("witness-1", "witness-1.demo.invalid"), ("witness-2", "witness-2.demo.invalid"))


def demo_witness_args() -> list[str]:
    """`suiji init` options naming both demo witnesses, threshold two."""
    args: list[str] = []
    for role, name in DEMO_WITNESSES:
        args += ["--witness", witness_vkey(name, demo_key(role))]
    return [*args, "--witness-threshold", "2"]


def cosign_offline(target: Path, when: str) -> list[str]:
    """Each demo witness cosigns the current checkpoint if it has not yet; names that did."""
    policy = policy_of(target)
    if policy is None or not (ledger_dir(target) / CHECKPOINT_FILE).is_file():
        return []
    size = parse_checkpoint(
        parse_note((ledger_dir(target) / CHECKPOINT_FILE).read_bytes()).text
    ).size
    info = genesis_info(target)
    log = NoteVerifier(info.origin, info.keys.signing.raw)
    clock = int(parse_user_time(when).timestamp())
    done: list[str] = []
    for (role, name), key in zip(DEMO_WITNESSES, policy.keys, strict=False):
        if last_cosigned(target, key) >= size:
            continue
        private = demo_key(role)
        assert raw_public(private.public_key()) == key.verifier.public
        witness = Witness(
            name, private, {info.origin: [log]}, target / "private" / role, lambda: clock
        )
        body = request_body(target, _witness_size(witness, info.origin))
        answer = witness.add_checkpoint(body)
        if answer.status != 200:
            continue
        note = parse_note(parse_add_checkpoint(body).note)
        lines = parse_signature_lines(answer.body)
        if add_cosigned(target, Note(note.text, (*note.signatures, *lines)).encode()):
            done.append(name)
    return done


def _witness_size(witness: Witness, origin: str) -> int:
    latest = witness.latest(origin)
    return latest.size if latest is not None else 0
