"""The verifier's fast paths decide exactly as the strict code they stand in for.

Each fast path (block line reading, the one-regex envelope, the ASCII canonical check,
the signature worker) only takes the cases it can prove; these tests compare it with the
plain reference on valid input and on many byte-level mutations of it.
"""

from __future__ import annotations

import hashlib
import io
import random
import sys
from collections.abc import Iterator

import pytest

from suiji.crypto.ed25519 import from_seed, public_of, sign_body
from suiji.ledger import codec
from suiji.ledger.codec import ENTRY_TAG, RawLine, _decode_fast, _decode_strict, _Invalid, _raw
from suiji.ledger.sigbatch import SignatureBatcher
from suiji.shared.canonical import parse_canonical, tagged_hash
from suiji.shared.errors import CanonicalError
from suiji.standards.merkle import leaf_hash

WRITER = from_seed(b"\x03" * 32)
ROOT = from_seed(b"\x01" * 32)


def _readline_reference(data: bytes, seq: int, offset: int, max_line: int) -> Iterator[RawLine]:
    """The `readline(MAX_LINE + 1)` loop the block reader replaces."""
    fh = io.BytesIO(data)
    fh.seek(offset)
    while True:
        chunk = fh.readline(max_line + 1)
        if not chunk:
            return
        if chunk.endswith(b"\n"):
            line = chunk[:-1]
            yield RawLine(
                seq, offset, line, len(line), tagged_hash(ENTRY_TAG, line), leaf_hash(line), True
            )
            offset += len(chunk)
            seq += 1
            continue
        if len(chunk) <= max_line:
            yield RawLine(seq, offset, chunk, len(chunk), b"", b"", False)
            return
        entry_h = hashlib.sha256(ENTRY_TAG.encode() + b"\n" + chunk)
        leaf_h = hashlib.sha256(b"\x00" + chunk)
        length = len(chunk)
        while True:
            more = fh.readline(5)
            if not more:
                yield RawLine(seq, offset, None, length, b"", b"", False)
                return
            part = more[:-1] if more.endswith(b"\n") else more
            entry_h.update(part)
            leaf_h.update(part)
            length += len(part)
            if more.endswith(b"\n"):
                break
        yield RawLine(seq, offset, None, length, entry_h.digest(), leaf_h.digest(), True)
        offset += length + 1
        seq += 1


def test_block_reader_matches_readline_semantics(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    for _ in range(3000):
        max_line, block = rng.randint(1, 9), rng.randint(1, 15)
        monkeypatch.setattr(codec, "MAX_LINE", max_line)
        monkeypatch.setattr(codec, "_BLOCK", block)
        sizes = [0, 1, max_line - 1, max_line, max_line + 1, 2 * max_line + 3]
        data = b"\n".join(b"x" * rng.choice(sizes) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.5:
            data += b"\n"
        seq, offset = (1, data.index(b"\n") + 1) if b"\n" in data and rng.random() < 0.3 else (0, 0)
        expected = list(_readline_reference(data, seq, offset, max_line))
        assert list(codec.iter_lines(io.BytesIO(data), seq=seq, offset=offset)) == expected


def _lines() -> list[bytes]:
    bodies = [
        {"n": 1},
        {"n": 2, "unit_object": "ab" * 32, "x": {"plan_objects": ["cd" * 32]}},
        {"name": "安全检查", "n": 3},
        {"a": [1, 2, {"b": None, "c": True}], "z": "v1.2"},
    ]
    out = []
    for seq, body in enumerate(bodies, start=1):
        extra = [sign_body(ROOT, body)] if seq % 2 else []
        out.append(
            codec.encode_entry(
                seq=seq,
                prev="0" * 64,
                kind="note",
                time=f"2026-02-0{seq}T03:04:05Z",
                body=body,
                key=WRITER,
                extra_sigs=extra,
            )
        )
    return out


def _outcome(data: bytes) -> tuple[object, ...]:
    raw = _raw(0, 0, data)
    fast = _decode_fast(data, raw.hash)
    try:
        strict = _decode_strict(raw)
    except _Invalid as exc:
        assert fast is None, (data, exc.code)
        return ("invalid", exc.code)
    if fast is not None:
        assert fast == strict, data
    return ("ok", fast is not None)


def test_envelope_fast_path_agrees_with_the_strict_decoder() -> None:
    lines = _lines()
    assert all(_outcome(line) == ("ok", True) for line in lines)  # the usual line is fast
    rng = random.Random(11)
    alphabet = b'{}[]",:0123456789abcdefAQgw=+/-.eE\\ _zTZ\xe5\xae\x89'
    taken = 0
    for _ in range(20000):
        line = bytearray(rng.choice(lines))
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(len(line))
            op = rng.random()
            if op < 0.5:
                line[i] = rng.choice(alphabet)
            elif op < 0.8:
                line[i:i] = bytes([rng.choice(alphabet)])
            else:
                del line[i]
        if _outcome(bytes(line)) == ("ok", True):
            taken += 1
    assert taken > 100  # some mutations (in body strings) stay valid and fast


@pytest.mark.parametrize(
    "data",
    [b'{"a":1.5}', b'{"a":1e5}', b'{"a":1E5}', b"[-1]", b'{"a":[0,-0]}', b"[9007199254740992]"],
)
def test_ascii_fast_path_keeps_the_number_rules(data: bytes) -> None:
    with pytest.raises(CanonicalError):
        parse_canonical(data)


def test_ascii_fast_path_accepts_hex_and_the_largest_integer() -> None:
    assert parse_canonical(b'{"h":"3e5e","n":9007199254740991}') == {
        "h": "3e5e",
        "n": 9007199254740991,
    }


def _jobs(n: int, bad: set[int]) -> list[tuple[int, bytes, bytes]]:
    jobs = []
    for seq in range(n):
        message = b"m%d" % seq
        sig = WRITER.sign(message if seq not in bad else b"other")
        jobs.append((seq, sig, message))
    return jobs


def _verdicts(batcher: SignatureBatcher, jobs: list[tuple[int, bytes, bytes]]) -> list[object]:
    writer = public_of(WRITER)
    for seq, sig, message in jobs:
        batcher.submit(seq, writer, sig, message)
    return [(f.seq, f.code) for f in batcher.findings()]


def test_signature_batcher_same_verdicts_with_or_without_its_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = _jobs(700, {0, 64, 333, 699})
    expected = [(s, c) for s in (0, 64, 333, 699) for c in ("sig-invalid", "sig-writer-missing")]
    assert _verdicts(SignatureBatcher(batch=16, window=2), jobs) == expected
    # The worker dies half-way: the parent checks what it held.
    batcher = SignatureBatcher(batch=16, window=2)
    writer = public_of(WRITER)
    for seq, sig, message in jobs[:100]:
        batcher.submit(seq, writer, sig, message)
    batcher._proc.kill()
    assert _verdicts(batcher, jobs[100:]) == expected
    # No second interpreter at all: everything is checked in-process.
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert _verdicts(SignatureBatcher(batch=16, window=2), jobs) == expected
