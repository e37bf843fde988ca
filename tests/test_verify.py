"""`suiji verify`: the adversarial suite. Every tampering must be found and named.

Most cases rebuild the checkpoint over the tampered bytes (signed with the real writer
key, as an insider with the key could) so that the *entry-level* checks, not the
checkpoint, have to catch the problem.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from suiji.cli import render
from suiji.cli.app import main
from suiji.crypto.ed25519 import PublicKey, Sig, from_seed, public_of, sign_body
from suiji.ledger import reading
from suiji.ledger.append import append, append_request, create
from suiji.ledger.codec import GENESIS_PREV, MAX_LINE, Entry, encode_entry, iter_lines
from suiji.ledger.genesis import make_genesis_body
from suiji.ledger.objects import ObjectStore, object_id
from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
from suiji.ledger.reading import genesis
from suiji.ledger.requests import Request, sign_request
from suiji.ledger.state import LedgerState
from suiji.model.keystate import key_body
from suiji.shared import canonical
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.shared.errors import InputError, Refusal
from suiji.shared.findings import Finding
from suiji.shared.times import format_time
from suiji.standards.checkpoint import Checkpoint, sign_checkpoint, sign_cosignature
from suiji.standards.merkle import merkle_root
from suiji.standards.note import Note, parse_note
from suiji.verify.verifier import Report, verify

ORIGIN = "example.gov.cn/suiji-test"
SEEDS = {
    n: bytes([i + 1]) * 32 for i, n in enumerate(["root1", "root2", "signing", "signing2", "other"])
}
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=30)
CP_CODES = {"checkpoint-root", "checkpoint-size", "checkpoint-signature", "checkpoint-stale"}


def key(name: str) -> Any:
    return from_seed(SEEDS[name])


def pub(name: str) -> PublicKey:
    return public_of(key(name))


def init(root: Path, roots: tuple[str, ...] = ("root1",), signing: str = "signing") -> Entry:
    return create(root, origin=ORIGIN, roots=[key(r) for r in roots], signing=key(signing), now=T0)


def add(root: Path, i: int, signer: str = "signing", **body: Any) -> Entry:
    objects = body.pop("objects", ())
    return append(
        root,
        "note",
        {"n": i, **body},
        key=key(signer),
        now=T0 + timedelta(minutes=i),
        clock_overridden=False,
        objects=objects,
    )


def small(root: Path) -> None:
    init(root)
    add(root, 1, data_object=object_id(b"payload"), objects=(b"payload",))
    add(root, 2)


def lines(root: Path) -> list[bytes]:
    return (ledger_dir(root) / LEDGER_FILE).read_bytes().split(b"\n")[:-1]


def h(line: bytes) -> str:
    return tagged_hex("suiji/entry/v1", line)


def write(
    root: Path, new_lines: list[bytes], *, signer: str = "signing", raw: bytes | None = None
) -> None:
    """Replace the ledger file and sign a matching checkpoint (an insider's forgery)."""
    data = raw if raw is not None else b"".join(x + b"\n" for x in new_lines)
    (ledger_dir(root) / LEDGER_FILE).write_bytes(data)
    complete = data.split(b"\n")[:-1]
    cp = Checkpoint(ORIGIN, len(complete), merkle_root(complete))
    (ledger_dir(root) / CHECKPOINT_FILE).write_bytes(sign_checkpoint(cp, ORIGIN, key(signer)))


def craft(
    root: Path,
    seq: int,
    *,
    prev: str | None = None,
    time: datetime | None = None,
    body: dict[str, Any] | None = None,
    kind: str = "note",
    signer: str = "signing",
    extra: Iterable[Sig] = (),
) -> bytes:
    """A correctly signed line with whatever seq/prev/time we like."""
    current = lines(root)
    return encode_entry(
        seq=seq,
        prev=prev if prev is not None else h(current[seq - 1]),
        kind=kind,
        time=format_time(time or T0 + timedelta(minutes=seq)),
        body=body if body is not None else {"n": seq},
        key=key(signer),
        extra_sigs=list(extra),
    )


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


def run(root: Path, now: datetime = NOW, **kw: Any) -> Report:
    return verify(root, now=now, **kw)


# ---------------------------------------------------------------- baseline


def test_valid_ledger(tmp_path: Path) -> None:
    small(tmp_path)
    report = run(tmp_path)
    assert report.findings == () and report.passes() and report.size == 3
    assert report.genesis_hash == genesis(tmp_path).hash
    assert "验证通过" in render.verify_report(report)


# ---------------------------------------------------------------- every byte flipped


def entry_level(root: Path, data: bytes) -> list[Finding]:
    """The findings of the per-line state machine alone (what `verify` runs per line)."""
    state = LedgerState()
    state.now = NOW
    store = ObjectStore(root)
    found: list[Finding] = []
    for raw in iter_lines(io.BytesIO(data)):
        found.extend(state.apply(raw, store)[1])
    return found + state.finish()


def test_every_byte_flip_is_detected(tmp_path: Path) -> None:
    small(tmp_path)
    original = (ledger_dir(tmp_path) / LEDGER_FILE).read_bytes()
    assert entry_level(tmp_path, original) == []
    for i in range(len(original)):
        data = bytearray(original)
        data[i] ^= 0x01
        # entry checks alone (no checkpoint to lean on) must catch every single flip
        assert entry_level(tmp_path, bytes(data)), f"flip at byte {i} went unnoticed"
        if i % 5 == 0:  # and the whole verifier, with the genuine checkpoint, on a sample
            (ledger_dir(tmp_path) / LEDGER_FILE).write_bytes(bytes(data))
            assert not run(tmp_path).passes(), i


# ---------------------------------------------------------------- lines moved around


def test_deleted_swapped_duplicated_lines(tmp_path: Path) -> None:
    small(tmp_path)
    add(tmp_path, 3)
    g, a, b, c = lines(tmp_path)
    for tampered, expect in [
        ([g, a, c], {"seq", "prev"}),  # deleted
        ([g, b, a, c], {"seq", "prev"}),  # swapped
        ([g, a, a, b, c], {"seq", "prev"}),  # duplicated
        ([a, b, c], {"genesis"}),  # genesis deleted
    ]:
        write(tmp_path, tampered)
        assert expect <= codes(run(tmp_path)), expect


def test_gap_in_seq_and_wrong_prev(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    write(tmp_path, [*current, craft(tmp_path, 4, prev=h(current[2]))])
    report = run(tmp_path)
    assert [(f.seq, f.code) for f in report.findings] == [(3, "seq")]
    write(tmp_path, current)
    write(tmp_path, [*current, craft(tmp_path, 3, prev="0" * 64)])
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(3, "prev")]


def test_replayed_entry_under_another_seq(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    value = json.loads(current[2])
    value["seq"], value["prev"] = 3, h(current[2])
    replay = canonical.canonical_json(value)
    write(tmp_path, [*current, replay])
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [
        (3, "sig-invalid"),
        (3, "sig-writer-missing"),
    ]


def test_replaced_genesis(tmp_path: Path) -> None:
    small(tmp_path)
    other = tmp_path / "other"
    init(other, roots=("root2",))
    write(tmp_path, [lines(other)[0], *lines(tmp_path)[1:]])
    report = run(tmp_path)
    assert (1, "prev") in {(f.seq, f.code) for f in report.findings}


def test_resigned_ledger_is_caught_by_pin(tmp_path: Path) -> None:
    small(tmp_path)
    pin = genesis(tmp_path).hash
    fake = tmp_path / "fake"
    init(fake, roots=("other",), signing="signing2")
    add(fake, 1, signer="signing2", data_object=object_id(b"payload"), objects=(b"payload",))
    add(fake, 2, signer="signing2")
    assert run(fake).findings == ()  # internally consistent …
    report = run(fake, pin=pin)
    assert [(f.seq, f.code) for f in report.findings] == [(0, "pin")]  # … but not ours
    assert run(tmp_path, pin=pin.upper()).findings == ()


# ---------------------------------------------------------------- keys


def rotate(root: Path, minute: int) -> None:
    body = key_body("add", genesis=genesis(root).hash, key=pub("signing2"), role="signing")
    req = sign_request(Request("key", body), key("root1"))
    append_request(
        root, req, key=key("signing2"), now=T0 + timedelta(minutes=minute), clock_overridden=False
    )


def test_signature_by_unknown_key(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    stranger = Sig(pub("other").id, "A" * 86 + "==")
    line = craft(tmp_path, 3)
    value = json.loads(line)
    value["sigs"] = sorted(value["sigs"] + [stranger.to_json()], key=lambda s: s["key"])
    write(tmp_path, [*current, canonical.canonical_json(value)])
    assert codes(run(tmp_path)) == {"sig-unknown-key"}
    write(tmp_path, [*current, craft(tmp_path, 3, signer="other")])
    assert codes(run(tmp_path)) == {"sig-unknown-key", "sig-writer-missing"}


def test_signature_by_retired_and_revoked_key(tmp_path: Path) -> None:
    small(tmp_path)
    rotate(tmp_path, 3)
    current = lines(tmp_path)
    write(tmp_path, [*current, craft(tmp_path, 4, signer="signing")], signer="signing2")
    assert codes(run(tmp_path)) == {"sig-retired-key", "sig-writer-missing"}
    write(tmp_path, current, signer="signing2")
    body = key_body("revoke", genesis=genesis(tmp_path).hash, key=pub("signing").id, from_seq=2)
    req = sign_request(Request("key", body), key("root1"))
    append_request(
        tmp_path, req, key=key("signing2"), now=T0 + timedelta(minutes=4), clock_overridden=False
    )
    report = run(tmp_path)
    assert [(f.seq, f.code) for f in report.findings] == [(2, "disputed")]
    current = lines(tmp_path)
    write(tmp_path, [*current, craft(tmp_path, 5, signer="signing")], signer="signing2")
    assert codes(run(tmp_path)) == {"disputed", "sig-revoked-key", "sig-writer-missing"}


def test_one_key_counted_twice_toward_a_threshold(tmp_path: Path) -> None:
    init(tmp_path, roots=("root1", "root2"))
    body = key_body("add", genesis=genesis(tmp_path).hash, key=pub("signing2"), role="signing")
    twice = [sign_body(key("root1"), body), sign_body(key("root1"), body)]
    line = craft(tmp_path, 1, kind="key", body=body, signer="signing2", extra=twice)
    assert line.count(pub("root1").id.encode()) == 2
    write(tmp_path, [*lines(tmp_path), line], signer="signing2")
    report = run(tmp_path)
    assert {"threshold", "sig-order"} <= codes(report)
    # and the writer refuses to create the same thing
    genesis_body = make_genesis_body(
        origin=ORIGIN,
        roots=[pub("root1"), pub("root2")],
        threshold=2,
        signing=pub("signing"),
        beacons=[],
    )
    with pytest.raises(Refusal, match="threshold"):
        append(
            tmp_path / "x",
            "genesis",
            genesis_body,
            key=key("signing"),
            now=T0,
            clock_overridden=False,
            extra_sigs=[sign_body(key("root1"), genesis_body)] * 2,
        )


def test_genesis_listing_a_root_twice(tmp_path: Path) -> None:
    init(tmp_path, roots=("root1", "root2"))
    value = json.loads(lines(tmp_path)[0])
    r1 = pub("root1").to_json()
    value["body"]["roots"] = [r1, r1]
    unsigned = {k: v for k, v in value.items() if k != "sigs"}
    line = encode_entry(
        seq=0,
        prev=GENESIS_PREV,
        kind="genesis",
        time=value["time"],
        body=unsigned["body"],
        key=key("signing"),
        extra_sigs=[sign_body(key("root1"), unsigned["body"])],
    )
    write(tmp_path, [line])
    assert "genesis" in codes(run(tmp_path))


# ---------------------------------------------------------------- bytes that are not canonical


def test_non_canonical_forms(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    last = current[2]
    sig_b64 = json.loads(last)["sigs"][0]["sig"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    c = sig_b64[-3]
    malleated = sig_b64[:-3] + alphabet[alphabet.index(c) ^ 1] + "=="
    variants = {
        "crlf": None,
        "bom": b"\xef\xbb\xbf" + last,
        "space": last.replace(b'"kind":', b'"kind": '),
        "order": last.replace(b'{"body":{"n":2},"kind":"note",', b'{"kind":"note","body":{"n":2},'),
        "escape": last.replace(b'"note"', b'"\\u006eote"'),
        "leading-zero": last.replace(b'"seq":2', b'"seq":02'),
        "float": last.replace(b'"n":2', b'"n":2.0'),
        "negative": last.replace(b'"n":2', b'"n":-2'),
        "duplicate": last.replace(b'{"n":2}', b'{"n":2,"n":2}'),
        "nan": last.replace(b'"n":2', b'"n":NaN'),
        "surrogate": last.replace(b'{"n":2}', b'{"n":"\\ud800"}'),
        "base64": last.replace(sig_b64.encode(), malleated.encode()),
        "upper-hex": last.replace(
            json.loads(last)["prev"].encode(), json.loads(last)["prev"].upper().encode()
        ),
        "garbage": last + b" x",
        "extra-field": last.replace(b'"kind":"note"', b'"kind":"note","late":1'),
        "bad-time": last.replace(b'T02:02:00Z"', b'T02:02:00+00:00"'),
        "arabic-digits": last.replace(b'"time":"2026', '"time":"٢٠٢٦'.encode()),
        "big-int": last.replace(b'"n":2', b'"n":9007199254740992'),
    }
    assert malleated != sig_b64
    for name, bad in variants.items():
        if name == "crlf":
            write(tmp_path, [], raw=b"".join(x + b"\r\n" for x in current))
        else:
            assert bad != last, name
            write(tmp_path, [*current[:2], bad])
        found = run(tmp_path).findings
        assert found and all(f.tag == "integrity" for f in found), name
        assert found[0].seq in (0, 2), (name, found)
    write(tmp_path, [*current[:2], b"", last])  # a blank line
    assert (2, "noncanonical") in {(f.seq, f.code) for f in run(tmp_path).findings}


def test_oversized_line_is_hashed_but_not_kept(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    huge = b'{"x":"' + b"a" * MAX_LINE + b'"}'
    follow = craft(tmp_path, 4, prev=h(huge))
    write(tmp_path, [*current, huge, follow])
    report = run(tmp_path)
    assert [(f.seq, f.code) for f in report.findings] == [(3, "line-too-long")]


def test_partial_last_line(tmp_path: Path) -> None:
    small(tmp_path)
    path = ledger_dir(tmp_path) / LEDGER_FILE
    path.write_bytes(path.read_bytes() + b'{"body":')
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(3, "line-partial")]


def test_time_backwards_and_future(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    write(tmp_path, [*current, craft(tmp_path, 3, time=T0)])
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(3, "time-backwards")]
    write(tmp_path, [*current, craft(tmp_path, 3, time=NOW + timedelta(seconds=1))])
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(3, "time-future")]


# ---------------------------------------------------------------- objects


def test_missing_and_altered_objects(tmp_path: Path) -> None:
    small(tmp_path)
    path = ledger_dir(tmp_path) / "objects" / object_id(b"payload")
    path.write_bytes(b"Payload")
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(1, "object-corrupt")]
    path.unlink()
    assert [(f.seq, f.code) for f in run(tmp_path).findings] == [(1, "object-missing")]


def test_withdrawn_object_may_be_removed(tmp_path: Path) -> None:
    small(tmp_path)
    oid = object_id(b"payload")
    append(
        tmp_path,
        "withdrawal",
        {"withdrawn": [oid], "reason": "含个人信息"},
        key=key("signing"),
        now=T0 + timedelta(minutes=9),
        clock_overridden=False,
    )
    (ledger_dir(tmp_path) / "objects" / oid).unlink()
    assert run(tmp_path).findings == ()
    add(tmp_path, 10)  # the writer is fine with it too


# ---------------------------------------------------------------- checkpoints


def test_checkpoint_problems(tmp_path: Path) -> None:
    small(tmp_path)
    ld = ledger_dir(tmp_path)
    current = lines(tmp_path)
    good = (ld / CHECKPOINT_FILE).read_bytes()

    def cp(size: int, root: bytes, origin: str = ORIGIN, signer: str = "signing") -> None:
        (ld / CHECKPOINT_FILE).write_bytes(
            sign_checkpoint(Checkpoint(origin, size, root), origin, key(signer))
        )

    (ld / LEDGER_FILE).write_bytes(b"".join(x + b"\n" for x in current[:2]))
    assert "checkpoint-size" in codes(run(tmp_path))  # larger than the ledger
    (ld / LEDGER_FILE).write_bytes(b"".join(x + b"\n" for x in current))
    cp(3, merkle_root(current[:2]))
    assert codes(run(tmp_path)) == {"checkpoint-root"}
    cp(3, merkle_root(current), origin="example.gov.cn/other")
    assert {"checkpoint-origin", "checkpoint-signature"} <= codes(run(tmp_path))
    cp(3, merkle_root(current), signer="other")
    assert codes(run(tmp_path)) == {"checkpoint-signature"}
    cp(1, merkle_root(current[:1]))
    assert codes(run(tmp_path)) == {"checkpoint-stale"}
    (ld / CHECKPOINT_FILE).write_bytes(good.replace(b"\n\n", b"\n"))
    assert codes(run(tmp_path)) == {"checkpoint-format"}
    (ld / CHECKPOINT_FILE).unlink()
    assert codes(run(tmp_path)) == {"checkpoint-missing"}
    cp(2, merkle_root(current[:2]))  # one line beyond the checkpoint: accepted, with a notice
    report = run(tmp_path)
    assert report.findings == () and any("检查点尚未更新" in n for n in report.notices)


class _ConcurrentWriter:
    """A checker that appends two entries (each with its checkpoint) while verify reads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.done = False

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if not self.done:
            self.done = True
            add(self.root, 3)
            add(self.root, 4)
        return []

    def finish(self) -> Iterable[Finding]:
        return []


def test_checkpoint_lag_while_a_writer_appends_is_not_stale(tmp_path: Path) -> None:
    """The checkpoint read first lags two lines behind the scan: a writer, not staleness."""
    small(tmp_path)
    report = run(tmp_path, checkers=[_ConcurrentWriter(tmp_path)])
    assert report.size == 5 and report.checkpoint_size == 3
    assert report.findings == ()
    assert any("验证期间有写入" in n for n in report.notices)
    # the same lag with a checkpoint nobody moves is stale
    ld = ledger_dir(tmp_path)
    current = lines(tmp_path)
    (ld / CHECKPOINT_FILE).write_bytes(
        sign_checkpoint(Checkpoint(ORIGIN, 3, merkle_root(current[:3])), ORIGIN, key("signing"))
    )
    assert codes(run(tmp_path)) == {"checkpoint-stale"}
    # one appended line without a checkpoint update: a notice, not a finding
    (ld / CHECKPOINT_FILE).write_bytes(
        sign_checkpoint(Checkpoint(ORIGIN, 4, merkle_root(current[:4])), ORIGIN, key("signing"))
    )
    report = run(tmp_path)
    assert report.findings == () and any("检查点尚未更新" in n for n in report.notices)


def test_empty_and_missing_ledger(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        run(tmp_path)
    ledger_dir(tmp_path).mkdir()
    (ledger_dir(tmp_path) / LEDGER_FILE).write_bytes(b"")
    report = run(tmp_path)
    assert [(f.seq, f.code) for f in report.findings] == [(0, "empty")]
    assert main(["verify", "--root", str(tmp_path / "nowhere")]) == 2


# ---------------------------------------------------------------- saved state


def advanced_line(state: Path) -> str:
    """The last line a v2 state file says its verifier saw."""
    value = json.loads(state.read_text("utf-8"))
    assert value["type"] == "suiji/verify-state/v2"
    return str(value["last_line"])


def test_state_detects_truncation_rollback_fork(tmp_path: Path) -> None:
    small(tmp_path)
    state = tmp_path / "verify-state.json"
    # the verifier looks between entries #2 (T0+2min) and #3 (T0+3min)
    first = run(tmp_path, now=T0 + timedelta(minutes=2, seconds=30), state_file=state)
    assert first.state_advanced and any("首次" in n for n in first.notices)
    saved = state.read_bytes()
    old_lines, old_cp = lines(tmp_path), (ledger_dir(tmp_path) / CHECKPOINT_FILE).read_bytes()
    add(tmp_path, 3)
    assert run(tmp_path, state_file=state).state_advanced
    advanced = state.read_bytes()
    assert advanced != saved
    # rollback/truncation: the older ledger and its (genuinely signed) checkpoint come back
    (ledger_dir(tmp_path) / LEDGER_FILE).write_bytes(b"".join(x + b"\n" for x in old_lines))
    (ledger_dir(tmp_path) / CHECKPOINT_FILE).write_bytes(old_cp)
    report = run(tmp_path, state_file=state)
    assert {"state-truncated", "state-rollback"} <= codes(report)
    assert len(report.evidence) == 2 and report.evidence[1] == old_cp.decode()
    assert state.read_bytes() == advanced  # not advanced on failure
    # fork: same origin, same keys, another entry #3
    swapped = craft(tmp_path, 3, body={"n": 333})
    write(tmp_path, [*old_lines, swapped])
    report = run(tmp_path, state_file=state)
    assert {"state-fork", "state-line-changed"} <= codes(report)
    assert swapped.decode() + "\n" in report.evidence  # both entries #3, each signed
    assert advanced_line(state) + "\n" in report.evidence
    assert "证据" in render.verify_report(report)
    assert state.read_bytes() == advanced


def test_state_from_another_log(tmp_path: Path) -> None:
    small(tmp_path)
    state = tmp_path / "s.json"
    run(tmp_path, state_file=state)
    other = tmp_path / "o"
    init(other, roots=("root2",))
    add(other, 1)
    add(other, 2)
    add(other, 3)
    assert "state-fork" in codes(run(other, state_file=state))


# ---------------------------------------------------------------- cosignatures


def test_cosignatures_are_parsed_and_checked(tmp_path: Path) -> None:
    small(tmp_path)
    ld = ledger_dir(tmp_path)
    (ld / "cosignatures").mkdir()
    signed = parse_note((ld / CHECKPOINT_FILE).read_bytes())
    cos = sign_cosignature(signed.text, "w.example/1", key("other"), 1772330400)
    (ld / "cosignatures" / "w1").write_bytes(Note(signed.text, (*signed.signatures, cos)).encode())
    report = run(tmp_path)
    assert report.findings == () and any("见证" in n for n in report.notices)
    # a witness saw a different tree of size 3 signed by our key: a fork
    forged = Checkpoint(ORIGIN, 3, bytes(32))
    (ld / "cosignatures" / "w2").write_bytes(sign_checkpoint(forged, ORIGIN, key("signing")))
    assert codes(run(tmp_path)) == {"cosig-fork"}
    (ld / "cosignatures" / "w2").write_bytes(
        sign_checkpoint(Checkpoint(ORIGIN, 9, bytes(32)), ORIGIN, key("signing"))
    )
    assert codes(run(tmp_path)) == {"cosig-ahead"}
    (ld / "cosignatures" / "w2").write_bytes(b"junk\n")
    report = run(tmp_path)
    assert report.findings == () and any("w2" in n and "忽略" in n for n in report.notices)


def test_cosignature_no_known_key_signs_is_a_notice(tmp_path: Path) -> None:
    """Anyone can drop a file into cosignatures/: unless our key signed it, it accuses nothing."""
    small(tmp_path)
    ld = ledger_dir(tmp_path)
    (ld / "cosignatures").mkdir()
    ahead = Checkpoint(ORIGIN, 9, bytes(32))
    unsigned = ahead.body().encode() + b"\n"
    (ld / "cosignatures" / "unsigned").write_bytes(unsigned)
    (ld / "cosignatures" / "stranger").write_bytes(sign_checkpoint(ahead, ORIGIN, key("other")))
    report = run(tmp_path)
    assert report.findings == ()
    assert sum("没有本账本任何签名密钥" in n or "忽略" in n for n in report.notices) == 2
    # the same checkpoint signed by the ledger's own key is evidence of truncation
    (ld / "cosignatures" / "stranger").write_bytes(sign_checkpoint(ahead, ORIGIN, key("signing")))
    assert codes(run(tmp_path)) == {"cosig-ahead"}


def test_cosignature_symlink_and_directory_are_skipped(tmp_path: Path) -> None:
    small(tmp_path)
    ld = ledger_dir(tmp_path)
    (ld / "cosignatures").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    (ld / "cosignatures" / "link").symlink_to(secret)
    (ld / "cosignatures" / "sub").mkdir()
    report = run(tmp_path)
    assert report.findings == ()
    skipped = [n for n in report.notices if "已跳过" in n]
    assert len(skipped) == 2 and not any("hunter2" in n for n in report.notices)


# ---------------------------------------------------------------- checkers (extension point)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.finished = False

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        self.seen.append(entry.seq)
        for oid in entry.objects():
            assert objects.get(oid) == b"payload"
        if entry.body.get("n") == 2:
            yield Finding(entry.seq, "compliance", "late", "结果公示逾期（测试）")

    def finish(self) -> Iterable[Finding]:
        self.finished = True
        return [Finding(None, "compliance", "summary", "测试汇总")]


def test_checkers_see_valid_entries_in_order(tmp_path: Path) -> None:
    small(tmp_path)
    current = lines(tmp_path)
    write(tmp_path, [*current, craft(tmp_path, 3, signer="other")])
    rec = Recorder()
    report = run(tmp_path, checkers=[rec])
    assert rec.seen == [0, 1, 2] and rec.finished  # #3 is not structurally valid
    assert {"late", "summary", "sig-unknown-key", "sig-writer-missing"} == codes(report)
    assert not report.passes("integrity")
    write(tmp_path, current)
    report = run(tmp_path, checkers=[Recorder()])
    assert not report.passes() and report.passes("integrity")
    assert "合规问题" in render.verify_report(report, "integrity")


# ---------------------------------------------------------------- CLI


def _small_defined(root: Path) -> None:
    """`small` with kinds the SPEC defines: the CLI's verifier rejects free `note` entries."""
    init(root)
    for i in (1, 2):
        append(
            root,
            "withdrawal",
            {"withdrawn": [object_id(b"payload %d" % i)], "reason": "测试"},
            key=key("signing"),
            now=T0 + timedelta(minutes=i),
            clock_overridden=False,
        )


def test_cli_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _small_defined(tmp_path)
    now = ["--now", "2026-04-01"]
    assert main(["verify", "--root", str(tmp_path), *now]) == 0
    assert "验证通过" in capsys.readouterr().out
    assert main(["verify", "--root", str(tmp_path), "--json", *now]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["size"] == 3 and data["findings"] == []
    pin = data["genesis"]
    assert main(["verify", "--root", str(tmp_path), "--pin", "0" * 64, "--json", *now]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["findings"][0]["code"] == "pin" and data["findings"][0]["tag"] == "integrity"
    assert main(["verify", "--root", str(tmp_path), "--pin", pin, *now]) == 0
    state = tmp_path / "st.json"
    assert main(["verify", "--root", str(tmp_path), "--state", str(state), *now]) == 0
    assert state.exists()
    capsys.readouterr()
    (ledger_dir(tmp_path) / LEDGER_FILE).write_bytes(
        b"\xef\xbb\xbf" + (ledger_dir(tmp_path) / LEDGER_FILE).read_bytes()
    )
    assert main(["verify", "--root", str(tmp_path), *now]) == 1
    assert "条目 #0" in capsys.readouterr().out


class Fetcher:
    """A checker that loads an object the entry names outside the `_object` rule."""

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if "ref" in entry.body:
            objects.get(entry.body["ref"])
        return []

    def finish(self) -> Iterable[Finding]:
        return []


def test_checker_missing_object_is_settled_at_the_end(tmp_path: Path) -> None:
    small(tmp_path)
    gone = object_id(b"never stored")
    add(tmp_path, 3, ref=gone)
    report = run(tmp_path, checkers=[Fetcher()])
    assert [(f.seq, f.code) for f in report.findings] == [(3, "object-missing")]
    append(
        tmp_path,
        "withdrawal",
        {"withdrawn": [gone]},
        key=key("signing"),
        now=T0 + timedelta(minutes=4),
        clock_overridden=False,
    )
    assert run(tmp_path, checkers=[Fetcher()]).findings == ()


def _long_ledger(root: Path, n: int, forged: set[int]) -> None:
    """n entries written directly; the writer signatures of `forged` entries are broken."""
    init(root)
    out = lines(root)
    for seq in range(1, n):
        line = encode_entry(
            seq=seq,
            prev=h(out[-1]),
            kind="note",
            time=format_time(T0 + timedelta(seconds=seq)),
            body={"n": seq},
            key=key("signing"),
        )
        if seq in forged:  # another key's signature under the writer's key id
            value = json.loads(line)
            other = encode_entry(
                seq=seq,
                prev=value["prev"],
                kind="note",
                time=value["time"],
                body={"n": seq + 1},
                key=key("signing"),
            )
            value["sigs"] = json.loads(other)["sigs"]
            line = canonical_json(value)
        out.append(line)
    write(root, out)


def test_parallel_signature_checks_find_exactly_what_sequential_ones_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long ledgers verify writer signatures in a second process: same verdicts, same places."""
    _long_ledger(tmp_path, 1500, forged={7, 700, 1499})
    monkeypatch.setattr(reading, "PARALLEL_FROM", 10**9)
    sequential = verify(tmp_path, now=NOW).findings
    monkeypatch.setattr(reading, "PARALLEL_FROM", 1)
    parallel = verify(tmp_path, now=NOW).findings
    assert parallel == sequential
    assert {f.seq for f in parallel} == {7, 700, 1499}
    assert {f.code for f in parallel} == {"sig-invalid", "sig-writer-missing"}
