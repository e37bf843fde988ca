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
from suiji.shared.errors import Refusal
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
        self.stopped = False

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, self.key)  # type: ignore[arg-type]

    def restart(self) -> None:
        """A new process on the same state directory (what a crash and restart leaves)."""
        self.witness = Witness(self.name, self.key, self.logs, self.home, self.clock)  # type: ignore[arg-type]
        port = self.server.server_address[1]
        self.stop()
        self.server = make_server(self.witness, "127.0.0.1", port)
        serve_in_thread(self.server)
        self.stopped = False

    def stop(self) -> None:
        if not self.stopped:
            self.server.shutdown()
            self.server.server_close()
        self.stopped = True

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


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Path, Served, Served]]:
    """A demo bureau whose genesis names two loopback witnesses, threshold two."""
    from tests.support.bureau import init, keygen, write_records

    from suiji.crypto.keyfiles import load_private_key

    root = tmp_path / "b"
    write_records(root)
    assert keygen(root, "root.key") == 0 and keygen(root, "signing.key") == 0
    only_plans(root, "2026-001")
    signing = load_private_key(root / "private" / "signing.key")
    logs = {ORIGIN: [log_vkey(ORIGIN, signing)]}
    a = Served("w1.test.invalid/witness", W1, tmp_path / "w1", logs, Clock(T0 + 60))
    b = Served("w2.test.invalid/witness", W2, tmp_path / "w2", logs, Clock(T0 + 90))
    assert (
        init(
            root,
            "--beacon",
            "suiji-demo",
            "--demo",
            "--witness",
            f"{a.vkey},{a.url}",
            "--witness",
            f"{b.vkey},{b.url}",
            "--witness-threshold",
            "2",
        )
        == 0
    )
    yield root, a, b
    a.stop()
    b.stop()


def verify_report(root: Path, now: str = VERIFY_AT) -> dict:
    from suiji.verify.checkers import default_checkers
    from suiji.verify.verifier import verify

    report = verify(root, now=parse_user_time(now), checkers=default_checkers(), allow_demo=True)
    return report.to_json()


def codes(report: dict) -> list[tuple[int | None, str]]:
    return [(f["seq"], f["code"]) for f in report["findings"]]


def cosigned_files(root: Path) -> list[Path]:
    return sorted((ledger_dir(root) / COSIGNATURES_DIR).iterdir())


def test_witnessed_commitments_pass(pair: tuple[Path, Served, Served]) -> None:
    root, a, b = pair
    assert write(root, COMMIT_AT) == 0
    files = cosigned_files(root)
    assert [f.name for f in files] == ["checkpoint-2"]
    note = parse_note(files[0].read_bytes())
    assert note.text == parse_note((ledger_dir(root) / CHECKPOINT_FILE).read_bytes()).text
    assert {s.name for s in note.signatures} == {ORIGIN, a.name, b.name}
    report = verify_report(root)
    assert codes(report) == []
    [seen] = report["witnessed"]
    assert seen["commitment"] == 1 and seen["witnessed"] is True
    assert [w["witness"] for w in seen["witnesses"]] == [a.name, b.name]
    assert report["witness_policy"]["threshold"] == 2
    assert not any("时钟为准" in n for n in report["notices"])


def test_a_backdated_commitment_fails_under_the_policy(pair: tuple[Path, Served, Served]) -> None:
    """The bureau writes after the round with its clock set back: the witnesses' time tells."""
    root, a, b = pair
    a.clock.now = b.clock.now = T0 + 3 * 86400  # really written three days later
    assert write(root, COMMIT_AT) == 0  # stamped with the old time
    assert [f.name for f in cosigned_files(root)] == ["checkpoint-2"]
    assert codes(verify_report(root, "2026-03-20T09:00:00+08:00")) == [(1, "unwitnessed")]


def test_unwitnessed_is_pending_before_its_deadline(pair: tuple[Path, Served, Served]) -> None:
    root, _a, b = pair
    b.stop()  # one witness down: the writer goes on, the commitment waits
    assert write(root, COMMIT_AT) == 0
    report = verify_report(root, "2026-03-16T10:00:00+08:00")
    assert codes(report) == [] and any("尚待见证" in n for n in report["notices"])
    assert codes(verify_report(root)) == [(1, "unwitnessed")]
    b.restart()
    b.clock.now = T0 + 3600
    assert main(["--root", str(root), "--now", COMMIT_AT, "witness", "submit"]) == 0
    assert codes(verify_report(root)) == []


def test_409_is_followed_by_a_successful_retry(
    pair: tuple[Path, Served, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _a, _b = pair
    assert write(root, COMMIT_AT) == 0
    for f in cosigned_files(root):  # the bureau lost its copies: it will start from 0
        f.unlink()
    seen: list[int] = []

    def recording(url: str, body: bytes) -> tuple[int, str, bytes]:
        answer = http_post(url, body)
        seen.append(answer[0])
        return answer

    monkeypatch.setattr("suiji.writing.witnessing.http_post", recording)
    from suiji.writing.witnessing import submit_checkpoint

    results = submit_checkpoint(root, now=parse_user_time(COMMIT_AT), post=recording)
    assert [r.status for r in results] == ["ok", "ok"]
    assert seen == [409, 200, 409, 200]
    assert codes(verify_report(root)) == []


def _add_lines(root: Path, *lines: object) -> None:
    """Append cosignature lines to the stored note (what anyone with write access could do)."""
    from suiji.standards.note import Note

    [path] = cosigned_files(root)
    note = parse_note(path.read_bytes())
    path.write_bytes(Note(note.text, (*note.signatures, *lines)).encode())  # type: ignore[arg-type]


def test_forged_and_unknown_key_cosignatures_do_not_count(
    pair: tuple[Path, Served, Served],
) -> None:
    root, _a, b = pair
    b.stop()
    assert write(root, COMMIT_AT) == 0
    [path] = cosigned_files(root)
    body = parse_note(path.read_bytes()).text
    # a stranger's key under witness 2's name, and witness 2's key id with a bad signature
    stranger = sign_cosignature(body, b.name, STRANGER, T0)
    real = sign_cosignature(body, b.name, W2, T0)
    forged = type(real)(real.name, real.key_id, real.signature[:8] + bytes(64))
    _add_lines(root, stranger, forged)
    assert path.read_bytes().count(b.name.encode()) == 2
    assert codes(verify_report(root)) == [(1, "unwitnessed")]


def test_one_witness_counted_twice_does_not_meet_a_threshold_of_two(
    pair: tuple[Path, Served, Served],
) -> None:
    root, a, b = pair
    b.stop()
    assert write(root, COMMIT_AT) == 0
    [path] = cosigned_files(root)
    body = parse_note(path.read_bytes()).text
    _add_lines(root, sign_cosignature(body, a.name, W1, T0 + 5))  # a second, valid line by w1
    report = verify_report(root)
    assert codes(report) == [(1, "unwitnessed")]
    assert [w["witness"] for w in report["witnessed"][0]["witnesses"]] == [a.name]


def test_a_policy_listing_one_key_twice_is_refused(tmp_path: Path) -> None:
    from suiji.model.fields import EntryError
    from suiji.model.witnesspolicy import WitnessPolicy

    vkey = witness_vkey("w1.test.invalid/witness", W1)
    twice = {"keys": [{"vkey": vkey}, {"vkey": vkey}], "threshold": 2}
    with pytest.raises(EntryError) as err:
        WitnessPolicy.from_json(twice)
    assert err.value.code == "witness-duplicate"
    # the same key under another name is the same witness too
    other = witness_vkey("another.test.invalid/witness", W1)
    with pytest.raises(EntryError) as err:
        WitnessPolicy.from_json({"keys": [{"vkey": vkey}, {"vkey": other}], "threshold": 2})
    assert err.value.code == "witness-duplicate"


def test_init_refuses_a_lead_time_not_shorter_than_the_draw_delay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.bureau import build_bureau

    from suiji.ledger.genesis import refuse_long_witness_lead

    vkey = witness_vkey("w1.test.invalid/witness", W1)
    root = tmp_path / "b"
    setup = build_bureau(
        root, "--beacon", "suiji-demo", "--demo", "--draw-delay", "3600", "--witness", vkey
    )
    assert setup.init != 0 and "见证提前量 3600 秒不短于抽取延迟" in capsys.readouterr().err
    assert not (root / "ledger" / "ledger.jsonl").exists()
    body = json.loads(
        (
            ledger_dir(make_bureau(tmp_path / "ok", "--beacon", "suiji-demo", "--demo"))
            / "ledger.jsonl"
        )
        .read_text()
        .splitlines()[0]
    )["body"]
    body["policy"] = {
        "witnesses": {"keys": [{"vkey": vkey}], "threshold": 1, "lead_seconds": 86400}
    }
    with pytest.raises(Refusal) as err:
        refuse_long_witness_lead(body)
    assert err.value.code == "witness-lead-too-long"
    body["policy"]["witnesses"]["lead_seconds"] = 86399
    refuse_long_witness_lead(body)


def test_without_a_policy_verify_says_times_rest_on_the_bureau_clock(tmp_path: Path) -> None:
    root = make_bureau(tmp_path / "b", "--beacon", "suiji-demo", "--demo")
    report = verify_report(root)
    assert any("没有见证人策略" in n and "本局的时钟" in n for n in report["notices"])
    assert "witnessed" not in report


def test_a_witness_key_is_a_cosignature_key() -> None:
    vkey = witness_vkey("w1.test.invalid/witness", W1)
    from suiji.standards.note import parse_vkey

    v = parse_vkey(vkey)
    assert v.sig_type == SIG_COSIGNATURE and v.public == public_of(W1).raw


def test_an_offline_witness_cosigns_from_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """keygen, a witness.toml, `request` at the bureau, `cosign` at the witness, `add` back."""
    from tests.support.bureau import init, keygen, write_records

    from suiji.crypto.keyfiles import load_private_key

    home = tmp_path / "w"
    home.mkdir()
    assert main(["witness", "keygen", str(home / "w.key"), "--name", "w.test.invalid/w"]) == 0
    vkey = (home / "w.key.vkey").read_text().strip()
    root = tmp_path / "b"
    write_records(root)
    assert keygen(root, "root.key") == 0 and keygen(root, "signing.key") == 0
    only_plans(root, "2026-001")
    assert init(root, "--beacon", "suiji-demo", "--demo", "--witness", vkey) == 0
    signing = load_private_key(root / "private" / "signing.key")
    (home / "witness.toml").write_text(
        'name = "w.test.invalid/w"\nkey = "w.key"\nstate = "state"\n'
        f'[[log]]\norigin = "{ORIGIN}"\nkey = "{log_vkey(ORIGIN, signing).vkey()}"\n',
        "utf-8",
    )
    assert write(root, COMMIT_AT) == 0  # no URL: nothing submitted
    assert not (ledger_dir(root) / COSIGNATURES_DIR).exists()
    base = ["--root", str(root), "--now", COMMIT_AT, "witness"]
    assert main([*base, "request", "--old", "0", "--out", str(tmp_path / "req")]) == 0
    assert (
        main([*base, "cosign", "--config", str(home / "witness.toml"), str(tmp_path / "req"),
              "--out", str(tmp_path / "cosigned")])
        == 0
    )  # fmt: skip
    assert main([*base, "add", str(tmp_path / "cosigned")]) == 0
    assert [f.name for f in cosigned_files(root)] == ["checkpoint-2"]
    assert codes(verify_report(root)) == []
    # the same request again is a 409 now: the witness moved on to 2
    capsys.readouterr()
    assert (
        main([*base, "cosign", "--config", str(home / "witness.toml"), str(tmp_path / "req")]) == 1
    )
    assert "HTTP 409" in capsys.readouterr().err


def test_a_forked_ledger_raises_the_witness_alarm(
    pair: tuple[Path, Served, Served], capsys: pytest.CaptureFixture[str]
) -> None:
    """The bureau rewrites its history after the witnesses saw it: they refuse, it alarms."""
    from tests.support.resign import resign, truncate

    root, a, b = pair
    assert write(root, COMMIT_AT) == 0
    witnessed = (a.home / "state").iterdir().__next__().read_bytes()
    truncate(root, 1)
    resign(root, lambda root, values: None, expect_change=False)  # checkpoint of size 1, re-signed
    assert b"\n1\n" in (ledger_dir(root) / CHECKPOINT_FILE).read_bytes()
    for f in cosigned_files(root):  # and hides what the witnesses cosigned
        f.unlink()
    (ledger_dir(root) / ".writer-cache.json").unlink(missing_ok=True)
    capsys.readouterr()
    assert write(root, "2026-03-16T10:00:00+08:00") == 1  # the same plan, another time
    out = capsys.readouterr()
    assert "警报" in out.out and "见证警报" in out.err
    assert (a.home / "state").iterdir().__next__().read_bytes() == witnessed
    assert list((a.home / "forks").iterdir()) and list((b.home / "forks").iterdir())


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(config: Path, port: int, crash_at: str | None = None) -> object:
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    env = {k: v for k, v in os.environ.items() if k != "SUIJI_LEDGER_CRASH_AT"}
    if crash_at:
        env["SUIJI_LEDGER_CRASH_AT"] = crash_at
    proc = subprocess.Popen(
        [sys.executable, "-m", "suiji", "witness", "serve", "--config", str(config),
         "--listen", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return proc  # it answers (404 for GET /)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("witness did not start")


def test_a_killed_witness_process_between_saving_and_answering(tmp_path: Path) -> None:
    """SIGKILL right after the state is on disk: restarted, it never cosigns the fork."""
    from suiji.crypto.keyfiles import private_pem

    (tmp_path / "w.key").write_bytes(private_pem(W1))
    config = tmp_path / "witness.toml"
    config.write_text(
        'name = "w1.test.invalid/witness"\nkey = "w.key"\n'
        f'[[log]]\norigin = "{ORIGIN}"\nkey = "{log_vkey(ORIGIN, LOG_KEY).vkey()}"\n',
        "utf-8",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}/add-checkpoint"
    proc = _serve(config, port, crash_at="witness-answer")
    with pytest.raises(OSError):
        http_post(url, req(0, LEDGER_A, 8))
    assert proc.wait(timeout=10) == -9  # type: ignore[attr-defined]
    proc = _serve(config, port)
    try:
        assert http_post(url, req(0, LEDGER_B, 8))[:3] == (409, SIZE_CONTENT_TYPE, b"8\n")
        assert http_post(url, req(8, LEDGER_B, 8))[0] == 409
        forked = AddCheckpoint(8, tuple(LEDGER_B.consistency_proof(8, 12)), note_of(LEDGER_B, 12))
        assert http_post(url, forked.encode())[0] == 422
        status, _, body = http_post(url, req(8, LEDGER_A, 8))
        assert status == 200
        note = parse_note(note_of(LEDGER_A, 8) + body)
        assert verify_cosignature(note, "w1.test.invalid/witness", raw_public(W1.public_key()))
    finally:
        proc.kill()  # type: ignore[attr-defined]
        proc.wait()  # type: ignore[attr-defined]


def test_demo_witness_keys_only_in_a_demo_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.bureau import build_bureau

    from suiji.cli.demowitness import demo_witness_args

    setup = build_bureau(tmp_path / "b", "--beacon", "drand-quicknet", *demo_witness_args())
    assert setup.init != 0 and "演示密钥" in capsys.readouterr().err
    assert not (tmp_path / "b" / "ledger" / "ledger.jsonl").exists()
