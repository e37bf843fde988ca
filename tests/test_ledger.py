"""The ledger: entry codec, objects, append (locking, crash safety, concurrency), vectors.

Vectors (tests/vectors/ledger.json) are regenerated here from published TEST-ONLY seeds and
must equal the file byte for byte; regenerate with SUIJI_WRITE_VECTORS=1 after a
deliberate format change (and say so in docs/spec/04-ledger.md).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support import vectors
from tests.support.vectors import Case

from suiji.beacon.chain import QUICKNET, chain_facts
from suiji.crypto.ed25519 import (
    ENTRY_SIG_PREFIX,
    PublicKey,
    body_message,
    from_seed,
    public_of,
    sign_body,
)
from suiji.crypto.keyfiles import SIGNING_KEY_ENV, read_public_key
from suiji.ledger.append import append, append_request, put_object, repair
from suiji.ledger.codec import ENTRY_TAG, GENESIS_PREV, MAX_LINE, Entry, encode_entry, iter_lines
from suiji.ledger.genesis import make_genesis_body
from suiji.ledger.local import signing_key
from suiji.ledger.objects import ObjectError, ObjectStore, object_id, object_refs
from suiji.ledger.paths import CACHE_FILE, CHECKPOINT_FILE, LEDGER_FILE, LOCK_FILE, ledger_dir
from suiji.ledger.reading import genesis, get_object, read_entries
from suiji.ledger.requests import Request, read_request, sign_request, write_request
from suiji.ledger.state import LedgerState
from suiji.model.keystate import key_body
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.shared.errors import CheckFailed, InputError, Refusal, SuijiError, UsageError
from suiji.shared.files import CRASH_ENV
from suiji.standards.checkpoint import Checkpoint, parse_checkpoint, sign_cosignature
from suiji.standards.merkle import leaf_hash, merkle_root
from suiji.standards.note import NoteVerifier, b64encode, open_note, parse_note
from suiji.verify.verifier import verify

VECTORS = Path(__file__).parent / "vectors" / "ledger.json"
ORIGIN = "example.gov.cn/suiji-test"
SEEDS = {
    "root1": bytes([1]) * 32,
    "root2": bytes([2]) * 32,
    "signing": bytes([3]) * 32,
    "signing2": bytes([4]) * 32,
    "witness": bytes([5]) * 32,
}
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
QUICKNET_ROUND = 1000000
QUICKNET_SIGNATURE = (
    "83ad29e4c409f9470fc2ef02f90214df49e02b441a1a241a82d622d9f608ef98"
    "fd8b11a029f1bee9d9e83b45088abe72"
)
"""A genuine drand quicknet round (tests/vectors/beacon.json, verify_drand_quicknet_1000000)."""
BEACON = {
    "name": "test-beacon",
    "chain_hash": "00" * 32,
    "public_key": "00" * 48,
    "scheme": "test-only",
    "genesis_time": 1735689600,
    "period": 3,
}
SRC = Path(__file__).resolve().parent.parent / "scripts"


def key(name: str) -> Any:
    return from_seed(SEEDS[name])


def pub(name: str) -> PublicKey:
    return public_of(key(name))


def init(root: Path, *, roots: tuple[str, ...] = ("root1", "root2"), demo: bool = False) -> Entry:
    body = make_genesis_body(
        origin=ORIGIN,
        roots=[pub(r) for r in roots],
        threshold=len(roots),
        signing=pub("signing"),
        beacons=[BEACON],
        demo=demo,
    )
    sigs = [sign_body(key(r), body) for r in roots]
    return append(
        root, "genesis", body, key=key("signing"), now=T0, clock_overridden=False, extra_sigs=sigs
    )


def add(
    root: Path,
    i: int,
    *,
    signer: str = "signing",
    objects: tuple[bytes, ...] = (),
    at: datetime | None = None,
) -> Entry:
    body: dict[str, Any] = {"n": i}
    if objects:
        body["data_objects"] = [object_id(o) for o in objects]
    return append(
        root,
        "note",
        body,
        key=key(signer),
        now=at or T0 + timedelta(minutes=i),
        clock_overridden=False,
        objects=objects,
    )


def files(root: Path) -> dict[str, bytes]:
    """Every file under ledger/ except the lock (for byte-identity checks)."""
    base = ledger_dir(root)
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name not in (LOCK_FILE, CACHE_FILE)
    }


def ok(root: Path) -> None:
    report = verify(root, now=T0 + timedelta(days=30), allow_demo=True)
    assert report.findings == (), report.findings


# ---------------------------------------------------------------- vectors


def build_vectors(tmp: Path) -> dict[str, Any]:
    """Everything in tests/vectors/ledger.json, recomputed from the published seeds."""
    root = tmp / "vectors"
    obj = "2026年度危险化学品企业抽查名录（测试）\n".encode()
    # The vector ledger is a ledger `suiji verify` accepts (tests/test_vector_ledger.py):
    # only kinds the SPEC defines, the public quicknet chain, an explicit policy.
    body = make_genesis_body(
        origin=ORIGIN,
        roots=[pub("root1"), pub("root2")],
        threshold=2,
        signing=pub("signing"),
        beacons=[chain_facts(QUICKNET)],
        extra={"policy": {"min_random_percent": 30, "yearly_cap": 2}},
    )
    append(
        root,
        "genesis",
        body,
        key=key("signing"),
        now=T0,
        clock_overridden=False,
        extra_sigs=[sign_body(key(r), body) for r in ("root1", "root2")],
    )
    signature = QUICKNET_SIGNATURE
    e1 = append(
        root,
        "beacon",
        {
            "chain": QUICKNET,
            "chain_hash": chain_facts(QUICKNET)["chain_hash"],
            "round": QUICKNET_ROUND,
            "signature": signature,
            "randomness": hashlib.sha256(bytes.fromhex(signature)).hexdigest(),
        },
        key=key("signing"),
        now=T0 + timedelta(hours=1),
        clock_overridden=False,
    )
    g = genesis(root)
    change = key_body("add", genesis=g.hash, key=pub("signing2"), role="signing")
    req = sign_request(sign_request(Request("key", change), key("root1")), key("root2"))
    e2 = append_request(
        root, req, key=key("signing2"), now=T0 + timedelta(hours=2), clock_overridden=False
    )
    e3 = append(
        root,
        "withdrawal",
        {"reason": "测试：撤回一个对象", "withdrawn": [object_id(obj)]},
        key=key("signing2"),
        now=T0 + timedelta(hours=3),
        clock_overridden=False,
    )
    entries = list(read_entries(root))
    assert [e.seq for e in entries] == [0, 1, 2, 3] and entries[1:] == [e1, e2, e3]
    lines = [e.line for e in entries]
    checkpoint = (ledger_dir(root) / CHECKPOINT_FILE).read_text()
    cp = parse_checkpoint(parse_note(checkpoint.encode()).text)
    witness_sig = sign_cosignature(cp.body(), "witness.example/w1", key("witness"), 1772330400)
    keys_out = []
    for name, seed in SEEDS.items():
        p = pub(name)
        keys_out.append(
            {
                "name": name,
                "seed_hex": seed.hex(),
                "public_key_b64": p.b64,
                "public_key_hex": p.raw.hex(),
                "key_id": p.id,
                "note_vkey_for_origin": NoteVerifier(ORIGIN, p.raw).vkey(),
            }
        )
    entry_vectors = []
    for e in entries:
        unsigned = {k: v for k, v in json.loads(e.line).items() if k != "sigs"}
        entry_vectors.append(
            {
                "seq": e.seq,
                "line": e.line.decode(),
                "entry_hash": e.hash,
                "entry_sig_message": (ENTRY_SIG_PREFIX + canonical_json(unsigned)).decode(),
                "body_sig_message": body_message(e.body).decode(),
                "merkle_leaf_hash": leaf_hash(e.line).hex(),
            }
        )
    non_canonical = [
        ('{"a":1, "b":2}', "white space"),
        ('{"b":1,"a":2}', "key order"),
        ('{"a":"\\u5b89"}', "escaped printable character"),
        ('{"a":007}', "leading zeros"),
        ('{"a":1.0}', "float"),
        ('{"a":-1}', "negative"),
        ('{"a":1,"a":1}', "duplicate key"),
        ('{"a":NaN}', "NaN"),
        ('{"a":"\\ud800"}', "lone surrogate"),
        ('\ufeff{"a":1}', "byte order mark"),
        ('{"a":1}\r', "carriage return before the newline"),
        ("", "blank line"),
        ('{"a":1} x', "trailing garbage"),
        ('{"a":9007199254740992}', "integer above 2^53-1"),
    ]
    about = (
        "suiji ledger test vectors (docs/spec/04-ledger.md). ALL KEYS HERE ARE PUBLISHED "
        "TEST-ONLY KEYS: seed = 32 repeated bytes (0x01..0x05). Never use them for a real "
        "ledger. Regenerate: SUIJI_WRITE_VECTORS=1 pytest tests/test_ledger.py"
    )
    cases: list[dict[str, Any]] = [
        {
            "id": f"test_key_{k['name']}",
            "comment": about,
            "input": {"name": k["name"], "seed_hex": k["seed_hex"]},
            "output": {x: v for x, v in k.items() if x not in ("name", "seed_hex")},
        }
        for k in keys_out
    ]
    shell = "{ printf 'suiji/object/v1\\n'; printf '%s' \"$DATA\"; } | sha256sum"
    cases.append(
        {
            "id": "object",
            "comment": "shell: DATA=<data_utf8>; " + shell,
            "input": {"data_utf8": obj.decode()},
            "output": {"object_id": object_id(obj)},
        }
    )
    cases.append(
        {
            "id": "entries",
            "comment": (
                "a genesis (root1, root2; writer signing; the public drand-quicknet "
                "chain; an explicit policy), a beacon entry (quicknet round 1000000, "
                "as in beacon.json), a key change adding signing2 (root-signed request), "
                "a withdrawal of the object case's object by signing2; checkpoint signed "
                "by signing2. `suiji verify` accepts this ledger (docs/spec/14-verifier.md)"
            ),
            "input": {"origin": ORIGIN, "genesis_prev": GENESIS_PREV},
            "output": {
                "entries": entry_vectors,
                "file": b"".join(line + b"\n" for line in lines).decode(),
                "merkle_root_b64": b64encode(merkle_root(lines)),
                "checkpoint": checkpoint,
                "checkpoint_note_key_id": NoteVerifier(ORIGIN, pub("signing2").raw).key_id.hex(),
            },
        }
    )
    cases.append(
        {
            "id": "cosignature",
            "comment": "the witness's cosignature of the entries case's checkpoint",
            "input": {
                "witness_name": "witness.example/w1",
                "witness_key": "witness",
                "timestamp": 1772330400,
            },
            "output": {
                "key_id": witness_sig.key_id.hex(),
                "signed_message": f"cosignature/v1\ntime 1772330400\n{cp.body()}",
                "signature_line": witness_sig.line(),
            },
        }
    )
    cases.extend(
        {
            "id": "line_reject_" + "_".join(re.findall(r"[a-z0-9]+", why.lower())),
            "comment": why,
            "input": {"line": line},
            "error": "noncanonical",
        }
        for line, why in non_canonical
    )
    return {
        "schema": vectors.SCHEMA,
        "area": "ledger",
        "spec": "docs/spec/04-ledger.md",
        "cases": cases,
    }


def test_vectors_file_matches_regeneration(tmp_path: Path) -> None:
    built = build_vectors(tmp_path)
    text = json.dumps(built, ensure_ascii=False, indent=1) + "\n"
    if os.environ.get("SUIJI_WRITE_VECTORS"):
        VECTORS.write_text(text, encoding="utf-8")
    assert json.loads(VECTORS.read_text(encoding="utf-8")) == built
    vectors.parse_file(VECTORS)  # and it keeps to the schema


def test_vectors_check_with_plain_primitives() -> None:
    """What a third party does: hashlib + any Ed25519 library, no suiji code."""
    test_keys = [{**c.input, **c.output} for c in vectors.cases("ledger", "test_key")]
    pubs = {k["key_id"]: bytes.fromhex(k["public_key_hex"]) for k in test_keys}
    for k in test_keys:
        raw = bytes.fromhex(k["public_key_hex"])
        assert hashlib.sha256(b"suiji/key-id/v1\n" + raw).hexdigest() == k["key_id"]
    obj = vectors.case("ledger", "object")
    data = obj.input["data_utf8"].encode()
    assert hashlib.sha256(b"suiji/object/v1\n" + data).hexdigest() == obj.output["object_id"]
    entries_case = vectors.case("ledger", "entries")
    ledger_out = entries_case.output
    prev = entries_case.input["genesis_prev"]
    writer_keys = [pubs[k["key_id"]] for k in test_keys if k["name"].startswith("signing")]
    for e in ledger_out["entries"]:
        line = e["line"].encode()
        value = json.loads(line)
        assert value["seq"] == e["seq"] and value["prev"] == prev
        assert hashlib.sha256(b"suiji/entry/v1\n" + line).hexdigest() == e["entry_hash"]
        assert hashlib.sha256(b"\x00" + line).hexdigest() == e["merkle_leaf_hash"]
        verified = 0
        for s in value["sigs"]:
            pk = Ed25519PublicKey.from_public_bytes(pubs[s["key"]])
            sig = base64.b64decode(s["sig"])
            message = (
                e["entry_sig_message"] if pubs[s["key"]] in writer_keys else e["body_sig_message"]
            )
            pk.verify(sig, message.encode())
            verified += 1
        assert verified == len(value["sigs"])
        prev = e["entry_hash"]
    lines = [e["line"].encode() for e in ledger_out["entries"]]
    assert b64encode(merkle_root(lines)) == ledger_out["merkle_root_b64"]
    note = ledger_out["checkpoint"]
    body, sigline = note.split("\n\n")
    assert body.split("\n")[:3] == [ORIGIN, "4", ledger_out["merkle_root_b64"]]
    blob = base64.b64decode(sigline.split(" ")[2])
    signing2 = next(k for k in test_keys if k["name"] == "signing2")
    assert blob[:4].hex() == ledger_out["checkpoint_note_key_id"]
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(signing2["public_key_hex"])).verify(
        blob[4:], (body + "\n").encode()
    )
    cos = vectors.case("ledger", "cosignature")
    witness = next(k for k in test_keys if k["name"] == "witness")
    blob = base64.b64decode(cos.output["signature_line"].split(" ")[2])
    assert int.from_bytes(blob[4:12], "big") == cos.input["timestamp"]
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(witness["public_key_hex"])).verify(
        blob[12:], cos.output["signed_message"].encode()
    )


@vectors.parametrize("ledger", "line")
def test_vectors_non_canonical_lines_are_rejected(case: Case) -> None:
    from suiji.shared.canonical import parse_canonical

    with pytest.raises(InputError) as err:
        parse_canonical(case.input["line"].encode("utf-8", "surrogatepass"))
    assert vectors.error_code("ledger", err.value) == case.error


def test_vector_ledger_verifies(tmp_path: Path) -> None:
    build_vectors(tmp_path)
    ok(tmp_path / "vectors")


# ---------------------------------------------------------------- codec and reading


def test_append_and_read(tmp_path: Path) -> None:
    g = init(tmp_path)
    assert g.seq == 0 and g.prev == GENESIS_PREV and g.kind == "genesis"
    e1 = add(tmp_path, 1, objects=(b"alpha", b"beta"))
    e2 = add(tmp_path, 2)
    assert e1.prev == g.hash and e2.prev == e1.hash
    assert e1.hash == tagged_hex("suiji/entry/v1", e1.line)
    assert list(read_entries(tmp_path)) == [g, e1, e2]
    assert genesis(tmp_path) == g
    assert get_object(tmp_path, object_id(b"alpha")) == b"alpha"
    assert e1.objects() == [object_id(b"alpha"), object_id(b"beta")]
    assert signing_key(tmp_path) == pub("signing")
    raw = (ledger_dir(tmp_path) / LEDGER_FILE).read_bytes()
    assert raw == g.line + b"\n" + e1.line + b"\n" + e2.line + b"\n"
    for e in (g, e1, e2):
        assert canonical_json(json.loads(e.line)) == e.line
    keys_dir = ledger_dir(tmp_path) / "keys"
    assert sorted(p.name for p in keys_dir.iterdir()) == sorted(
        f"{pub(n).id}.pub" for n in ("root1", "root2", "signing")
    )
    ok(tmp_path)


def test_objects_content_addressed_idempotent(tmp_path: Path) -> None:
    oid = put_object(tmp_path, b"data")
    assert oid == hashlib.sha256(b"suiji/object/v1\ndata").hexdigest()
    assert put_object(tmp_path, b"data") == oid
    path = ledger_dir(tmp_path) / "objects" / oid
    path.write_bytes(b"tampered")
    with pytest.raises(ObjectError) as err:
        get_object(tmp_path, oid)
    assert err.value.code == "object-corrupt"
    assert put_object(tmp_path, b"data") == oid  # repairs the damaged copy
    assert get_object(tmp_path, oid) == b"data"
    with pytest.raises(ObjectError):
        get_object(tmp_path, "0" * 64)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_object_reference_rule() -> None:
    h = "a" * 64
    body = {"x_object": h, "nested": [{"y_objects": [h, "b" * 64]}], "objectless": "z"}
    assert object_refs(body) == [h, h, "b" * 64]
    with pytest.raises(ValueError):
        object_refs({"x_object": "A" * 64})
    with pytest.raises(ValueError):
        object_refs({"x_objects": h})


def test_read_entries_is_strict(tmp_path: Path) -> None:
    init(tmp_path)
    path = ledger_dir(tmp_path) / LEDGER_FILE
    path.write_bytes(path.read_bytes() + b'{"a":1}\n')
    with pytest.raises(InputError, match="#1"):
        list(read_entries(tmp_path))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(InputError, match="不完整"):
        list(read_entries(tmp_path))


# ---------------------------------------------------------------- append's refusals


def test_refusals_leave_ledger_byte_identical(tmp_path: Path) -> None:
    init(tmp_path)
    add(tmp_path, 1)
    before = files(tmp_path)
    cases: list[tuple[Any, type[SuijiError], str, str]] = [
        (
            lambda: append(
                tmp_path,
                "note",
                {},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=True,
            ),
            Refusal,
            "演示账本",
            "clock-override",
        ),
        (
            lambda: append(
                tmp_path,
                "note",
                {},
                key=key("signing"),
                now=T0 - timedelta(days=1),
                clock_overridden=False,
            ),
            Refusal,
            "时间倒退",
            "time-backwards",
        ),
        (
            lambda: add(tmp_path, 5, signer="signing2"),
            Refusal,
            "不是当前授权",
            "key-not-authorised",
        ),
        (
            lambda: append(
                tmp_path,
                "Bad Kind",
                {},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
            ),
            UsageError,
            "类型",
            "entry-kind",
        ),
        (
            lambda: append(
                tmp_path,
                "note",
                {"x": 1.5},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
            ),
            UsageError,
            "规范",
            "noncanonical",
        ),
        (
            lambda: append(
                tmp_path,
                "note",
                {"x_object": "0" * 64},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
            ),
            Refusal,
            "缺少对象",
            "entry-refused",
        ),
        (
            lambda: append(
                tmp_path,
                "note",
                {},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
                objects=[b"orphan"],
            ),
            UsageError,
            "未被条目引用",
            "object-unreferenced",
        ),
        (
            lambda: append(
                tmp_path,
                "note",
                {"big": "x" * MAX_LINE},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
            ),
            UsageError,
            "过长",
            "line-too-long",
        ),
        (
            lambda: append(
                tmp_path,
                "genesis",
                {},
                key=key("signing"),
                now=T0 + timedelta(hours=1),
                clock_overridden=False,
            ),
            Refusal,
            "已经初始化",
            "ledger-already-initialised",
        ),
    ]
    for call, exc, text, code in cases:
        with pytest.raises(exc, match=text) as err:
            call()
        assert err.value.code == code, text
        assert files(tmp_path) == before
    ok(tmp_path)


def test_demo_ledger_accepts_overridden_clock(tmp_path: Path) -> None:
    init(tmp_path, demo=True)
    append(tmp_path, "note", {}, key=key("signing"), now=T0, clock_overridden=True)
    ok(tmp_path)


def test_uninitialised_and_bad_genesis(tmp_path: Path) -> None:
    with pytest.raises(Refusal, match="账本尚未初始化：请先运行 suiji init") as err:
        add(tmp_path, 1)
    assert err.value.code == "ledger-not-initialised"
    with pytest.raises(UsageError, match=r"门限|threshold"):
        make_genesis_body(
            origin=ORIGIN, roots=[pub("root1")], threshold=2, signing=pub("signing"), beacons=[]
        )
    with pytest.raises(UsageError, match="origin"):
        make_genesis_body(
            origin="has space",
            roots=[pub("root1")],
            threshold=1,
            signing=pub("signing"),
            beacons=[],
        )
    body = make_genesis_body(
        origin=ORIGIN,
        roots=[pub("root1"), pub("root2")],
        threshold=2,
        signing=pub("signing"),
        beacons=[],
    )
    with pytest.raises(Refusal, match="threshold"):  # only one of two root signatures
        append(
            tmp_path,
            "genesis",
            body,
            key=key("signing"),
            now=T0,
            clock_overridden=False,
            extra_sigs=[sign_body(key("root1"), body)],
        )
    assert not (ledger_dir(tmp_path) / LEDGER_FILE).exists()


def test_refuses_to_append_to_an_invalid_ledger(tmp_path: Path) -> None:
    init(tmp_path)
    add(tmp_path, 1)
    path = ledger_dir(tmp_path) / LEDGER_FILE
    (ledger_dir(tmp_path) / CACHE_FILE).unlink()
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    before = files(tmp_path)
    with pytest.raises(CheckFailed, match="校验未通过"):
        add(tmp_path, 2)
    assert files(tmp_path) == before


# ---------------------------------------------------------------- keys through the ledger


def key_request(root: Path, action: str, *signers: str, **kw: Any) -> Request:
    body = key_body(action, genesis=genesis(root).hash, **kw)
    req = Request("key", body)
    for s in signers:
        req = sign_request(req, key(s))
    return req


def test_rotation_retire_and_revocation(tmp_path: Path) -> None:
    init(tmp_path)
    add(tmp_path, 1)
    add(tmp_path, 2)
    req = key_request(tmp_path, "add", "root1", "root2", key=pub("signing2"), role="signing")
    with pytest.raises(Refusal, match="不是当前授权"):  # the new key must write it
        append_request(
            tmp_path, req, key=key("signing"), now=T0 + timedelta(minutes=3), clock_overridden=False
        )
    append_request(
        tmp_path, req, key=key("signing2"), now=T0 + timedelta(minutes=3), clock_overridden=False
    )
    assert signing_key(tmp_path) == pub("signing2")
    with pytest.raises(Refusal):  # the old key is retired
        add(tmp_path, 4)
    add(tmp_path, 4, signer="signing2")
    # replaying the same request is refused (the key was already added)
    with pytest.raises(Refusal, match="出现过"):
        append_request(
            tmp_path,
            req,
            key=key("signing2"),
            now=T0 + timedelta(minutes=5),
            clock_overridden=False,
        )
    # revoke the old signing key from entry 2: entries 2 (and nothing later) are disputed
    rev = key_request(tmp_path, "revoke", "root1", "root2", key=pub("signing").id, from_seq=2)
    append_request(
        tmp_path, rev, key=key("signing2"), now=T0 + timedelta(minutes=6), clock_overridden=False
    )
    report = verify(tmp_path, now=T0 + timedelta(days=1))
    disputed = [f for f in report.findings if f.code == "disputed"]
    assert [f.seq for f in disputed] == [2] and all(f.tag == "integrity" for f in disputed)
    assert len(list(read_entries(tmp_path))) == 6  # nothing deleted


def test_root_add_and_retire_with_threshold(tmp_path: Path) -> None:
    init(tmp_path, roots=("root1",))
    witness_as_root = pub("witness")
    req = key_request(tmp_path, "add", "root1", key=witness_as_root, role="root", threshold=2)
    with pytest.raises(Refusal, match=r"\[integrity/key-possession\]") as err:
        append_request(
            tmp_path, req, key=key("signing"), now=T0 + timedelta(minutes=1), clock_overridden=False
        )
    assert err.value.code == "entry-refused"
    req = sign_request(req, key("witness"))
    append_request(
        tmp_path, req, key=key("signing"), now=T0 + timedelta(minutes=1), clock_overridden=False
    )
    # now two roots with threshold 2: root1 alone is not enough
    retire = key_request(tmp_path, "retire", "root1", key=witness_as_root.id, threshold=1)
    with pytest.raises(Refusal, match="threshold"):
        append_request(
            tmp_path,
            retire,
            key=key("signing"),
            now=T0 + timedelta(minutes=2),
            clock_overridden=False,
        )
    retire = sign_request(retire, key("witness"))
    append_request(
        tmp_path, retire, key=key("signing"), now=T0 + timedelta(minutes=2), clock_overridden=False
    )
    impossible = key_request(tmp_path, "retire", "root1", key=pub("root1").id)
    with pytest.raises(Refusal, match="低于门限"):
        append_request(
            tmp_path,
            impossible,
            key=key("signing"),
            now=T0 + timedelta(minutes=3),
            clock_overridden=False,
        )
    ok(tmp_path)


def test_request_bound_to_its_ledger(tmp_path: Path) -> None:
    init(tmp_path / "a")
    init(tmp_path / "b", roots=("root1",))
    req = key_request(tmp_path / "a", "add", "root1", "root2", key=pub("signing2"), role="signing")
    with pytest.raises(UsageError, match="另一个账本"):
        append_request(
            tmp_path / "b",
            req,
            key=key("signing2"),
            now=T0 + timedelta(minutes=1),
            clock_overridden=False,
        )


def test_request_file_round_trip(tmp_path: Path) -> None:
    init(tmp_path)
    req = key_request(tmp_path, "add", "root1", key=pub("signing2"), role="signing")
    path = tmp_path / "req.json"
    write_request(path, req)
    again = read_request(path)
    assert again == req
    assert (
        sign_request(sign_request(again, key("root2")), key("root2")).sigs
        == sign_request(again, key("root2")).sigs
    )
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(InputError):
        read_request(path)


# ---------------------------------------------------------------- partial tails


def test_partial_tail_rules(tmp_path: Path) -> None:
    init(tmp_path)
    add(tmp_path, 1)
    path = ledger_dir(tmp_path) / LEDGER_FILE
    good = path.read_bytes()
    # 1. an interrupted write (half a line): verify reports it, repair cuts it
    path.write_bytes(good + b'{"body":{"n":2},"ki')
    report = verify(tmp_path, now=T0 + timedelta(days=1))
    assert [f.code for f in report.findings] == ["line-partial"] and report.findings[0].seq == 2
    assert repair(tmp_path) == "truncate"
    assert path.read_bytes() == good
    # 2. append does the same by itself
    path.write_bytes(good + b'{"body":{"n"')
    add(tmp_path, 2)
    ok(tmp_path)
    # 3. a complete, valid entry missing only its newline is completed, not cut
    full = path.read_bytes()
    cp_path = ledger_dir(tmp_path) / CHECKPOINT_FILE
    cp_before = cp_path.read_bytes()
    e3 = add(tmp_path, 3)
    path.write_bytes(full + e3.line)  # as if the write had stopped one byte short
    cp_path.write_bytes(cp_before)
    assert repair(tmp_path) == "complete"
    ok(tmp_path)
    # 4. a complete but invalid entry is evidence: refused, left alone
    bogus = e3.line.replace(b'"n":3', b'"n":4')
    path.write_bytes(path.read_bytes() + bogus)
    before = path.read_bytes()
    with pytest.raises(CheckFailed, match="人工"):
        repair(tmp_path)
    with pytest.raises(CheckFailed, match="人工"):
        add(tmp_path, 5)
    assert path.read_bytes() == before


# ---------------------------------------------------------------- crashes and concurrency

WRITER = """
import sys
from datetime import timedelta
sys.path.insert(0, {tests!r})
from test_ledger import T0, add
from pathlib import Path
root = Path(sys.argv[1])
at = T0 + timedelta(minutes=1) if sys.argv[4] == "fixed" else None
for i in range(int(sys.argv[2]), int(sys.argv[3])):
    add(root, i, objects=(b"object-%d" % i,), at=at)
"""


def run_writer(
    root: Path, start: int, stop: int, env: dict[str, str] | None = None, *, fixed: bool = False
) -> subprocess.Popen[bytes]:
    code = WRITER.format(tests=str(Path(__file__).parent))
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(start), str(stop), "fixed" if fixed else "-"],
        env=full_env,
        stderr=subprocess.PIPE,
    )


CRASH_STEPS = [
    "locked",
    "objects",
    "line-written",
    "line-synced",
    "checkpoint-partial",
    "checkpoint-written",
    "checkpoint-renamed",
    "checkpoint-done",
    "cache-written",
]


@pytest.mark.parametrize("step", CRASH_STEPS)
def test_sigkill_at_each_step_leaves_a_valid_ledger(tmp_path: Path, step: str) -> None:
    init(tmp_path)
    add(tmp_path, 1)
    before = (ledger_dir(tmp_path) / LEDGER_FILE).read_bytes()
    proc = run_writer(tmp_path, 2, 3, {CRASH_ENV: step})
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -9, err.decode()
    after = (ledger_dir(tmp_path) / LEDGER_FILE).read_bytes()
    assert after == before or (
        after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    )
    report = verify(tmp_path, now=T0 + timedelta(days=1))
    assert report.passes(), report.findings
    # the next writer recovers: the old ledger, or the new one, is extended
    nxt = 3 if after != before else 2
    add(tmp_path, nxt, objects=(b"object-%d" % nxt,))
    ok(tmp_path)
    assert not [p for p in ledger_dir(tmp_path).rglob(".*tmp*")]


def test_concurrent_writers_never_share_a_seq(tmp_path: Path) -> None:
    init(tmp_path)
    # one fixed time for all: equal times are allowed, so only the lock decides the order
    procs = [
        run_writer(tmp_path, 1000 * (w + 1), 1000 * (w + 1) + 20, fixed=True) for w in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    entries = list(read_entries(tmp_path))
    assert [e.seq for e in entries] == list(range(81))
    assert len({e.body["n"] for e in entries[1:]}) == 80
    ok(tmp_path)


def test_checkpoint_is_a_c2sp_signed_tlog_checkpoint(tmp_path: Path) -> None:
    init(tmp_path)
    e = add(tmp_path, 1)
    data = (ledger_dir(tmp_path) / CHECKPOINT_FILE).read_bytes()
    note, signers = open_note(data, [NoteVerifier(ORIGIN, pub("signing").raw)])
    assert signers and note.signatures[0].name == ORIGIN
    cp = parse_checkpoint(note.text)
    lines = [genesis(tmp_path).line, e.line]
    assert cp == Checkpoint(ORIGIN, 2, merkle_root(lines))


# ---------------------------------------------------------------- the CLI, end to end


def test_cli_ceremony_rotation_and_repair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from suiji.cli.app import main

    bureau = tmp_path / "bureau"
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    for name in ("root1", "root2", "w1", "w2"):
        assert main(["keygen", str(keys_dir / name)]) == 0
    r = ["--root", str(bureau)]
    req = tmp_path / "genesis.req"
    # prepare a 2-of-2 genesis with the signing public key only, sign it offline, then init
    assert (
        main(
            [
                "init",
                *r,
                "--origin",
                ORIGIN,
                "--root-pub",
                str(keys_dir / "root1.pub"),
                "--root-pub",
                str(keys_dir / "root2.pub"),
                "--threshold",
                "2",
                "--signing-pub",
                str(keys_dir / "w1.pub"),
                "--beacon",
                "drand-quicknet",
                "--name",
                "某县应急管理局",
                "--prepare",
                str(req),
            ]
        )
        == 0
    )
    assert main(["init", *r, "--request", str(req), "--key", str(keys_dir / "w1")]) == 2
    assert not (ledger_dir(bureau) / LEDGER_FILE).exists()
    for root_key in ("root1", "root2"):
        assert main(["key", "sign", str(req), "--key", str(keys_dir / root_key)]) == 0
    monkeypatch.setenv(SIGNING_KEY_ENV, (keys_dir / "w1").read_text())
    assert main(["init", *r, "--request", str(req)]) == 0
    out = capsys.readouterr().out
    g = genesis(bureau)
    assert g.hash in out and g.body["name"] == "某县应急管理局"
    assert g.body["beacons"][0]["name"] == "drand-quicknet" and g.body["demo"] is False
    # the clock may not be overridden on a real ledger
    assert main(["key", "status", *r]) == 0
    # rotate to w2
    rot = tmp_path / "rotate.req"
    assert (
        main(
            [
                "key",
                "add",
                *r,
                str(keys_dir / "w2.pub"),
                "--role",
                "signing",
                "--out",
                str(rot),
                "--sign",
                str(keys_dir / "root1"),
            ]
        )
        == 0
    )
    assert main(["key", "sign", *r, str(rot), "--key", str(keys_dir / "root2")]) == 0
    monkeypatch.delenv(SIGNING_KEY_ENV)
    assert main(["key", "append", *r, str(rot), "--key", str(keys_dir / "w2")]) == 0
    assert signing_key(bureau) == read_public_key(keys_dir / "w2.pub")
    capsys.readouterr()
    assert main(["key", "status", *r]) == 0
    assert read_public_key(keys_dir / "w2.pub").id in capsys.readouterr().out
    assert main(["verify", *r]) == 0
    # an interrupted write, then repair
    path = ledger_dir(bureau) / LEDGER_FILE
    path.write_bytes(path.read_bytes() + b'{"bo')
    assert main(["verify", *r]) == 1
    assert main(["ledger", "repair", *r]) == 0
    assert main(["verify", *r]) == 0
    # a demo clock on a real ledger is refused (exit 2), nothing written
    before = path.read_bytes()
    rev = tmp_path / "revoke.req"
    assert (
        main(
            [
                "key",
                "revoke",
                *r,
                read_public_key(keys_dir / "w1.pub").id,
                "--from-seq",
                "0",
                "--out",
                str(rev),
                "--sign",
                str(keys_dir / "root1"),
                "--sign",
                str(keys_dir / "root2"),
            ]
        )
        == 0
    )
    assert (
        main(["key", "append", *r, str(rev), "--key", str(keys_dir / "w2"), "--now", "2030-01-01"])
        == 2
    )
    assert path.read_bytes() == before
    assert main(["key", "append", *r, str(rev), "--key", str(keys_dir / "w2")]) == 0
    capsys.readouterr()
    assert main(["verify", *r]) == 1  # w1 signed only the genesis: that is now disputed
    assert "条目 #0 [integrity/disputed]" in capsys.readouterr().out


def test_cli_init_demo_one_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from suiji.cli.app import main

    for name in ("root", "w"):
        assert main(["keygen", str(tmp_path / name)]) == 0
    bureau = tmp_path / "demo"
    args = [
        "init",
        "--root",
        str(bureau),
        "--origin",
        "demo.invalid/suiji",
        "--demo",
        "--extra-only",
        "--root-key",
        str(tmp_path / "root"),
        "--key",
        str(tmp_path / "w"),
        "--now",
        "2026-01-05T09:00:00+08:00",
    ]
    assert main(args) == 0
    g = genesis(bureau)
    assert g.time == "2026-01-05T01:00:00Z" and g.body["demo"] is True
    assert main(args) == 2  # already initialised
    assert (
        main(
            [
                "init",
                "--root",
                str(tmp_path / "real"),
                "--origin",
                "x.invalid/y",
                "--extra-only",
                "--root-key",
                str(tmp_path / "root"),
                "--key",
                str(tmp_path / "w"),
                "--now",
                "2026-01-05",
            ]
        )
        == 2
    )  # a real ledger refuses an overridden clock


# ---------------------------------------------------------------- codec invariants

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(
    lambda s: unicodedata.normalize("NFC", s)
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers(0, 2**53 - 1) | _text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text('abcsig_ "\\', max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text("abcdefsigtme", max_size=6), _values, max_size=5))
def test_any_canonical_body_round_trips_through_the_state_machine(body: dict[str, Any]) -> None:
    """Whatever the body (even one holding its own "sigs"), the signed bytes are exact."""
    body = {k: v for k, v in body.items() if not k.endswith(("_object", "_objects"))}
    genesis_body = make_genesis_body(
        origin=ORIGIN, roots=[pub("root1")], threshold=1, signing=pub("signing"), beacons=[]
    )
    g = encode_entry(
        seq=0,
        prev=GENESIS_PREV,
        kind="genesis",
        time="2026-03-01T02:00:00Z",
        body=genesis_body,
        key=key("signing"),
        extra_sigs=[sign_body(key("root1"), genesis_body)],
    )
    line = encode_entry(
        seq=1,
        prev=tagged_hex(ENTRY_TAG, g),
        kind="note",
        time="2026-03-01T02:00:01Z",
        body=body,
        key=key("signing"),
    )
    state = LedgerState()
    store = ObjectStore(Path("/nonexistent"))
    found = []
    for raw in iter_lines(io.BytesIO(g + b"\n" + line + b"\n")):
        entry, f = state.apply(raw, store)
        found.extend(f)
    assert found == [] and entry is not None and entry.body == body
