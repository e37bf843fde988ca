"""Witnesses on loopback: real HTTP, their own keys, a fake clock (c2sp.org/tlog-witness).

The protocol's answers (404/403/400/409 with size/422/200), state saved before answering,
fork evidence, a crash between saving and answering; then the bureau's side: `suiji write`
submits each new checkpoint, verify requires `threshold` distinct witnesses in time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.bureau import make_bureau
from tests.test_write import COMMIT_AT, only_plans, write

from suiji.cli.app import main
from suiji.crypto.ed25519 import from_seed, public_of
from suiji.ledger.paths import CHECKPOINT_FILE, COSIGNATURES_DIR, ledger_dir
from suiji.shared.times import parse_user_time
from suiji.standards.checkpoint import (
    Checkpoint,
    parse_checkpoint,
    sign_checkpoint,
    sign_cosignature,
    verify_cosignature,
)
from suiji.standards.merkle import HashedTree
from suiji.standards.note import SIG_COSIGNATURE, NoteVerifier, parse_note, raw_public
from suiji.standards.witnessproto import SIZE_CONTENT_TYPE, AddCheckpoint, parse_add_checkpoint
from suiji.witness.client import http_post
from suiji.witness.config import witness_vkey
from suiji.witness.core import Witness
from suiji.witness.server import make_server, serve_in_thread

ORIGIN = "test.invalid/suiji"
LOG_KEY = from_seed(b"log-key-for-witness-tests-000000")
W1 = from_seed(b"witness-one-key-for-tests-000000")
W2 = from_seed(b"witness-two-key-for-tests-000000")
STRANGER = from_seed(b"a-stranger-nobody-configured-000")
T0 = int(parse_user_time(COMMIT_AT).timestamp())
VERIFY_AT = "2026-03-18T09:00:00+08:00"


class Clock:
    """A fake clock the test moves; witnesses read it for their timestamps."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class Served:
    """A witness behind a real HTTP server on 127.0.0.1 (port chosen by the system)."""

    def __init__(self, name: str, key: object, home: Path, logs: dict, clock: Clock) -> None:
        self.name, self.key, self.home, self.logs, self.clock = name, key, home, logs, clock
        self.witness = Witness(name, key, logs, home, clock)  # type: ignore[arg-type]
        self.server = make_server(self.witness, "127.0.0.1", 0)
        serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, self.key)  # type: ignore[arg-type]

    def restart(self) -> None:
        """A new process on the same state directory (what a crash and restart leaves)."""
        self.witness = Witness(self.name, self.key, self.logs, self.home, self.clock)  # type: ignore[arg-type]
        self.stop()
        self.server = make_server(self.witness, "127.0.0.1", 0)
        serve_in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def post(self, body: bytes) -> tuple[int, str, bytes]:
        return http_post(self.url + "/add-checkpoint", body)


def log_vkey(origin: str, key: object) -> NoteVerifier:
    return NoteVerifier(origin, raw_public(key.public_key()))  # type: ignore[attr-defined]


# ---------------------------------------------------------------- protocol, on fake logs


def tree(*leaves: bytes) -> HashedTree:
    return HashedTree.of_data(list(leaves))


def note_of(t: HashedTree, size: int, key: object = LOG_KEY, origin: str = ORIGIN) -> bytes:
    return sign_checkpoint(Checkpoint(origin, size, t.root(size)), origin, key)  # type: ignore[arg-type]


def req(old: int, t: HashedTree, size: int, key: object = LOG_KEY, origin: str = ORIGIN) -> bytes:
    proof = t.consistency_proof(old, size) if old <= size else []
    return AddCheckpoint(old, tuple(proof), note_of(t, size, key, origin)).encode()


@pytest.fixture
def w1(tmp_path: Path) -> Iterator[Served]:
    served = Served(
        "w1.test.invalid/witness",
        W1,
        tmp_path / "w1",
        {ORIGIN: [log_vkey(ORIGIN, LOG_KEY)]},
        Clock(T0),
    )
    yield served
    served.stop()


LEDGER_A = tree(*[b"entry %d" % i for i in range(12)])
LEDGER_B = tree(*[b"entry %d" % i for i in range(6)], *[b"other %d" % i for i in range(6)])


def test_the_protocol_answers(w1: Served) -> None:
    assert w1.post(req(0, LEDGER_A, 4, origin="other.invalid/log"))[0] == 404
    assert w1.post(req(0, LEDGER_A, 4, key=STRANGER))[0] == 403
    assert w1.post(b"old 01\n\n" + note_of(LEDGER_A, 4))[0] == 400
    assert w1.post(AddCheckpoint(5, (), note_of(LEDGER_A, 4)).encode())[0] == 400  # old > size
    status, ctype, body = w1.post(req(0, LEDGER_A, 4))
    assert status == 200 and body.startswith("— w1.test.invalid/witness ".encode())
    # the answer verifies as a cosignature/v1 by the witness key, timestamped by its clock
    note = parse_note(note_of(LEDGER_A, 4) + body)
    assert verify_cosignature(note, w1.name, raw_public(W1.public_key())) == T0
    status, ctype, body = w1.post(req(0, LEDGER_A, 8))  # stale old size
    assert (status, ctype.split(";")[0], body) == (409, SIZE_CONTENT_TYPE, b"4\n")
    assert w1.post(req(4, LEDGER_A, 8))[0] == 200
    assert w1.post(req(8, LEDGER_A, 8))[0] == 200  # the same checkpoint again is fine


def test_a_fork_is_refused_with_422_and_the_state_and_evidence_are_kept(w1: Served) -> None:
    assert w1.post(req(0, LEDGER_A, 8))[0] == 200
    state = next((w1.home / "state").iterdir())
    before = state.read_bytes()
    # B shares 6 entries with A, then differs; its proof from 8 cannot match A's root at 8
    forked = AddCheckpoint(8, tuple(LEDGER_B.consistency_proof(8, 12)), note_of(LEDGER_B, 12))
    assert w1.post(forked.encode())[0] == 422
    assert state.read_bytes() == before
    # the same size with another root: 409 without a size, never a cosignature
    status, ctype, _ = w1.post(req(8, LEDGER_B, 8))
    assert status == 409 and not ctype.startswith(SIZE_CONTENT_TYPE)
    assert state.read_bytes() == before
    evidence = [p.read_bytes() for p in (w1.home / "forks").iterdir()]
    assert len(evidence) == 2
    assert all(note_of(LEDGER_A, 8) in e for e in evidence)
    assert any(note_of(LEDGER_B, 12) in e for e in evidence)
    assert any(note_of(LEDGER_B, 8) in e for e in evidence)
    # and it still follows A
    assert w1.post(req(8, LEDGER_A, 12))[0] == 200


def test_a_crash_between_saving_and_answering_never_yields_two_inconsistent_cosignatures(
    w1: Served,
) -> None:
    cosigned: list[tuple[int, bytes]] = []

    def post(body: bytes) -> int:
        status, _, _ = w1.post(body)
        if status == 200:
            cp = parse_checkpoint(parse_note(parse_add_checkpoint(body).note).text)
            cosigned.append((cp.size, cp.root))
        return status

    assert post(req(0, LEDGER_A, 6)) == 200

    def crash() -> None:
        raise RuntimeError("power cut after the state was saved")

    w1.witness.after_save = crash
    with pytest.raises(OSError):  # the connection dies without an answer
        w1.post(req(6, LEDGER_A, 10))
    w1.restart()
    # the log never got its cosignature for 10 and tries its fork from 6: refused
    assert post(req(6, LEDGER_B, 10)) == 409  # the witness is at 10 now
    forked = AddCheckpoint(10, tuple(LEDGER_B.consistency_proof(10, 12)), note_of(LEDGER_B, 12))
    assert post(forked.encode()) == 422
    assert post(req(10, LEDGER_B, 10)) == 409  # same size, other root
    # the honest retry from the returned size succeeds
    assert post(req(10, LEDGER_A, 10)) == 200
    assert [size for size, _ in cosigned] == [6, 10]
    assert all(root == LEDGER_A.root(size) for size, root in cosigned)


# ---------------------------------------------------------------- the bureau's side
