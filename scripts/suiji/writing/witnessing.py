"""After an append: ask the policy's witnesses to cosign the new checkpoint, keep the answers.

docs/spec/19-witnesses.md §19.3. For each witness the genesis policy names with a URL,
the writer sends the checkpoint with a consistency proof from the last size that witness
cosigned here (or 0), retries from the size a 409 returns, and keeps only cosignature lines
that verify under the policy's key for that witness. Every valid line is merged into
`ledger/cosignatures/checkpoint-<size>` beside the log's own signature: the only files
outside the ledger's lines that `suiji gitcheck` admits. A 422, a same-size 409 or a witness
ahead of the ledger is an **alarm**: the witness has seen another history of this log.
Nothing here changes the ledger's lines; a witness that is down only leaves the
commitment unwitnessed until the next run (the verifier then says so).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.keyfiles import demo_witness_key
from suiji.ledger.paths import CHECKPOINT_FILE, COSIGNATURES_DIR, LEDGER_FILE, ledger_dir
from suiji.ledger.reading import genesis_info
from suiji.model.genesis import Genesis
from suiji.model.witnesspolicy import WitnessKey, WitnessPolicy
from suiji.shared.files import read_regular, write_atomic
from suiji.standards.checkpoint import (
    Checkpoint,
    cosignature_key_id,
    parse_checkpoint,
    verify_cosignature,
)
from suiji.standards.merkle import HashedTree, leaf_hash
from suiji.standards.note import Note, NoteError, NoteSignature, NoteVerifier, parse_note
from suiji.standards.witnessproto import AddCheckpoint
from suiji.witness.client import Post, Submitted, http_post, request_cosignature
from suiji.witness.core import Witness

COSIGNED_PREFIX = "checkpoint-"


@dataclass(frozen=True)
class WitnessResult:
    """One witness's answer for one checkpoint, for the writer's report."""

    witness: str
    size: int
    status: str  # "ok" | "alarm" | "failed" | "invalid"
    detail: str = ""


def cosigned_path(root: Path, size: int) -> Path:
    return ledger_dir(root) / COSIGNATURES_DIR / f"{COSIGNED_PREFIX}{size}"


def policy_of(root: Path) -> WitnessPolicy | None:
    genesis = genesis_info(root)
    return genesis.policy.witnesses if genesis.policy else None


def _tree(root: Path, size: int) -> HashedTree:
    lines = (ledger_dir(root) / LEDGER_FILE).read_bytes().split(b"\n")[:size]
    return HashedTree([leaf_hash(line) for line in lines])


def last_cosigned(root: Path, key: WitnessKey) -> int:
    """The largest size this witness has cosigned in `ledger/cosignatures/` (0: none)."""
    directory = ledger_dir(root) / COSIGNATURES_DIR
    best = 0
    if not directory.is_dir():
        return 0
    key_id = cosignature_key_id(key.name, key.verifier.public)
    for path in directory.glob(f"{COSIGNED_PREFIX}*"):
        try:
            note = parse_note(read_regular(path))
            cp = parse_checkpoint(note.text)
        except (NoteError, OSError, ValueError):
            continue
        if any(s.name == key.name and s.key_id == key_id for s in note.signatures):
            best = max(best, cp.size)
    return best


def store_cosignatures(root: Path, note_bytes: bytes, lines: tuple[NoteSignature, ...]) -> Path:
    """Merge cosignature lines into the stored note for this checkpoint (atomic rewrite)."""
    note = parse_note(note_bytes)
    cp = parse_checkpoint(note.text)
    path = cosigned_path(root, cp.size)
    existing: tuple[NoteSignature, ...] = ()
    if path.is_file():
        old = parse_note(read_regular(path))
        if old.text == note.text:
            existing = old.signatures
    merged = list(note.signatures)
    for sig in (*existing, *lines):
        if sig not in merged:
            merged.append(sig)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, Note(note.text, tuple(merged)).encode())
    return path


def request_body(root: Path, old: int) -> bytes:
    """The `add-checkpoint` body for the current checkpoint from `old` (offline witnesses)."""
    note_bytes = read_regular(ledger_dir(root) / CHECKPOINT_FILE)
    cp = parse_checkpoint(parse_note(note_bytes).text)
    if not 0 <= old <= cp.size:
        raise ValueError(f"old size {old} is not between 0 and {cp.size}")
    proof = _tree(root, cp.size).consistency_proof(old, cp.size)
    return AddCheckpoint(old, tuple(proof), note_bytes).encode()


def submit_checkpoint(
    root: Path,
    *,
    now: datetime,
    post: Post = http_post,
    policy: WitnessPolicy | None = None,
) -> list[WitnessResult]:
    """Submit `ledger/checkpoint` to every witness of the policy that has a URL.

    In a demo ledger, a witness without URL whose key is a published demo witness key
    (`demo_key("witness-1")`, …) is asked in-process, with `now` as its clock.
    """
    genesis = genesis_info(root)
    policy = (
        policy if policy is not None else (genesis.policy.witnesses if genesis.policy else None)
    )
    if policy is None:
        return []
    note_bytes = read_regular(ledger_dir(root) / CHECKPOINT_FILE)
    note = parse_note(note_bytes)
    cp = parse_checkpoint(note.text)
    tree: list[HashedTree] = []

    def proof_for(old: int) -> list[bytes]:
        if not tree:
            tree.append(_tree(root, cp.size))
        if not 0 <= old <= cp.size:
            return []
        return tree[0].consistency_proof(old, cp.size)

    out: list[WitnessResult] = []
    for key in policy.keys:
        url, ask = key.url, post
        if url is None:
            private = demo_witness_key(key.verifier.public) if genesis.demo else None
            if private is None:
                continue
            url, ask = "demo:", _demo_witness(root, key, private, cp.origin, genesis, now)
        answer = request_cosignature(
            url, note_bytes, cp.size, proof_for, old=last_cosigned(root, key), post=ask
        )
        out.append(_keep(root, cp, note, note_bytes, key, answer))
    return out


def _demo_witness(
    root: Path,
    key: WitnessKey,
    private: Ed25519PrivateKey,
    origin: str,
    genesis: Genesis,
    now: datetime,
) -> Post:
    """A demo witness answering in-process. Its state is what `ledger/cosignatures/` shows it
    cosigned (a real witness keeps its own); the checks and the proof are the real ones."""

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        with tempfile.TemporaryDirectory() as home:
            log = NoteVerifier(origin, genesis.keys.signing.raw)
            witness = Witness(
                key.name, private, {origin: [log]}, Path(home), lambda: int(now.timestamp())
            )
            size = last_cosigned(root, key)
            if size:
                witness.seed(read_regular(cosigned_path(root, size)))
            answer = witness.add_checkpoint(body)
        return answer.status, answer.content_type, answer.body

    return post


def _keep(
    root: Path, cp: Checkpoint, note: Note, note_bytes: bytes, key: WitnessKey, answer: Submitted
) -> WitnessResult:
    if answer.status != "ok":
        return WitnessResult(key.name, cp.size, answer.status, answer.detail)
    valid = tuple(s for s in answer.signatures if _valid_line(note, key, s))
    if not valid:
        return WitnessResult(key.name, cp.size, "invalid", "应答中没有该见证人密钥的有效联署")
    store_cosignatures(root, note_bytes, valid)
    return WitnessResult(key.name, cp.size, "ok")


def _valid_line(note: Note, key: WitnessKey, sig: NoteSignature) -> bool:
    try:
        return (
            verify_cosignature(Note(note.text, (sig,)), key.name, key.verifier.public) is not None
        )
    except NoteError:
        return False


def add_cosigned(root: Path, data: bytes) -> list[str]:
    """Keep the policy witnesses' valid cosignatures from an offline witness's file.

    The checkpoint must be one this ledger signed (its text equal to a checkpoint the
    ledger's lines reproduce is checked by `suiji verify`; here the log's own signature
    lines are kept as they are). Returns the names whose cosignatures were kept.
    """
    policy = policy_of(root)
    if policy is None:
        return []
    note = parse_note(data)
    cp = parse_checkpoint(note.text)
    if cp.origin != genesis_info(root).origin:
        return []
    own = tuple(s for s in note.signatures if s.name == cp.origin)
    kept: list[str] = []
    lines: list[NoteSignature] = []
    for key in policy.keys:
        for sig in note.signatures:
            if _valid_line(note, key, sig):
                lines.append(sig)
                if key.name not in kept:
                    kept.append(key.name)
    if own and lines:
        store_cosignatures(root, Note(note.text, own).encode(), tuple(lines))
    return kept if own else []
