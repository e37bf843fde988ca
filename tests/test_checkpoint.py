"""RFC 6962 Merkle trees, C2SP signed notes, checkpoints and cosignatures — against outside vectors."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suiji.crypto.ed25519 import from_seed, public_of
from suiji.standards.checkpoint import (
    Checkpoint,
    cosignature_key_id,
    parse_checkpoint,
    sign_checkpoint,
    sign_cosignature,
    verify_cosignature,
)
from suiji.standards.merkle import EMPTY_ROOT, MerkleFrontier, leaf_hash, merkle_root
from suiji.standards.note import (
    Note,
    NoteError,
    NoteVerifier,
    b64decode_strict,
    note_key_id,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
)

# RFC 6962 reference tree heads (as published in Certificate Transparency's and
# transparency-dev/merkle's test data).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# Go's golang.org/x/mod/sumdb/note documentation example (REFERENCE.md §8).
PN_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PN_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PN_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
    "KvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
PN_NOTE = (PN_TEXT + "\n" + PN_SIG).encode()


def test_rfc6962_empty_and_leaf() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle_root([]) == EMPTY_ROOT
    assert MerkleFrontier().root() == EMPTY_ROOT
    assert leaf_hash(b"").hex() == CT_ROOTS[0]


def test_rfc6962_reference_roots() -> None:
    frontier = MerkleFrontier()
    for n, leaf in enumerate(CT_LEAVES, start=1):
        frontier.append(leaf)
        assert merkle_root(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]
        assert frontier.root().hex() == CT_ROOTS[n - 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=70))
def test_frontier_equals_reference_definition(leaves: list[bytes]) -> None:
    frontier = MerkleFrontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.root() == merkle_root(leaves)
    again = MerkleFrontier.from_json(frontier.to_json())
    assert again.size == len(leaves) and again.root() == frontier.root()


def test_frontier_json_must_match_size() -> None:
    with pytest.raises(ValueError):
        MerkleFrontier(3, [EMPTY_ROOT])


def test_peter_neumann_signed_note_verifies() -> None:
    verifier = parse_vkey(PN_VKEY)
    assert verifier.name == "PeterNeumann" and verifier.vkey() == PN_VKEY
    note, signers = open_note(PN_NOTE, [verifier])
    assert note.text == PN_TEXT and signers == [verifier]
    assert note.encode() == PN_NOTE


def test_signed_note_rejections() -> None:
    verifier = parse_vkey(PN_VKEY)
    with pytest.raises(NoteError, match="无效"):  # known key, altered text
        open_note(PN_NOTE.replace(b"answer", b"answeR"), [verifier])
    other = NoteVerifier("PeterNeumann", public_of(from_seed(bytes(32))).raw)
    with pytest.raises(NoteError, match="受信任"):  # unknown key only (same name, other id)
        open_note(PN_NOTE, [other])
    # an unknown extra signature is ignored
    extra = sign_note(PN_TEXT, "someone.example/else", from_seed(bytes([9]) * 32))
    note = Note(PN_TEXT, (*parse_note(PN_NOTE).signatures, extra))
    assert open_note(note.encode(), [verifier])[1] == [verifier]
    for bad in [
        PN_NOTE[:-1],  # no final newline
        PN_NOTE.replace(b"\n\n", b"\n"),  # no blank line
        PN_NOTE.replace(b"problem,", b"problem,\x07"),  # control character
        PN_NOTE.replace("— ".encode(), b"- "),  # not an em dash
        PN_NOTE.replace(b"AM=\n", b"AN=\n"),  # non-canonical base64 (same bytes)
        PN_NOTE.replace(b"PeterNeumann x", b"Peter+Neumann x"),  # '+' in a key name
        PN_TEXT.encode() + b"\n",  # no signatures
    ]:
        with pytest.raises(NoteError):
            open_note(bad, [verifier])


def test_vkey_parsing_is_strict() -> None:
    for bad in [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # id mismatch
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not type 1
        "PeterNeumann+c74f20a3",
    ]:
        with pytest.raises(NoteError):
            parse_vkey(bad)


def test_base64_only_canonical_spelling() -> None:
    assert b64decode_strict("AA==") == b"\x00"
    for bad in ["AB==", "AA=", "A A=", "AA==\n", "_w=="]:
        with pytest.raises(ValueError):
            b64decode_strict(bad)


def test_checkpoint_body_parse_and_sign() -> None:
    cp = Checkpoint("example.com/log", 20852163, bytes(range(32)), ("ext one",))
    assert parse_checkpoint(cp.body()) == cp
    key = from_seed(bytes([3]) * 32)
    data = sign_checkpoint(cp, "example.com/log", key)
    note, _ = open_note(data, [NoteVerifier("example.com/log", public_of(key).raw)])
    assert parse_checkpoint(note.text) == cp
    root = base64.b64encode(bytes(32)).decode()
    for bad in [
        f"o\n007\n{root}\n",
        f"o\n+7\n{root}\n",
        f"o\n٧\n{root}\n",
        f"o\n7\n{root}\n\n",  # empty extension line
        "o\n7\nAAAA\n",  # root not 32 bytes
        f"o\n7\n{root}",  # no final newline
        "o\n7\n",
    ]:
        with pytest.raises(NoteError):
            parse_checkpoint(bad)


def test_note_key_id_is_c2sp() -> None:
    pub = public_of(from_seed(bytes([3]) * 32)).raw
    import hashlib

    assert note_key_id("n", pub) == hashlib.sha256(b"n\n\x01" + pub).digest()[:4]
    assert cosignature_key_id("n", pub) == hashlib.sha256(b"n\n\x04" + pub).digest()[:4]


def test_cosignature_round_trip_and_rejections() -> None:
    log = from_seed(bytes([3]) * 32)
    witness = from_seed(bytes([5]) * 32)
    wpub = public_of(witness).raw
    cp = Checkpoint("example.com/log", 5, bytes(32))
    signed = parse_note(sign_checkpoint(cp, "example.com/log", log))
    cosig = sign_cosignature(cp.body(), "w.example/1", witness, 1679315147)
    note = Note(signed.text, (*signed.signatures, cosig))
    assert verify_cosignature(parse_note(note.encode()), "w.example/1", wpub) == 1679315147
    assert verify_cosignature(signed, "w.example/1", wpub) is None
    # another witness key is simply not found
    assert verify_cosignature(note, "w.example/1", public_of(log).raw) is None
    # a changed timestamp breaks the signature
    blob = bytearray(cosig.signature)
    blob[7] ^= 1
    forged = Note(
        note.text, (note.signatures[0], type(cosig)(cosig.name, cosig.key_id, bytes(blob)))
    )
    with pytest.raises(NoteError):
        verify_cosignature(forged, "w.example/1", wpub)
    # the log's own note verification ignores the cosignature line
    assert open_note(note.encode(), [NoteVerifier("example.com/log", public_of(log).raw)])[1]
