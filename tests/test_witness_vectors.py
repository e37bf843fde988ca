"""tests/vectors/witness.json: cosignatures, the witness protocol, tiles and RFC 6962 proofs.

The C2SP specifications' own examples are among the cases (tlog-cosignature's example line
and signed message, tlog-witness's example request, tlog-tiles' paths and tile counts), and
the proofs use the RFC 6962 reference leaves whose tree heads tests/test_checkpoint.py pins.
"""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from tests.support import vectors
from tests.support.vectors import Case

from suiji.model.witnesspolicy import WitnessPolicy
from suiji.standards.checkpoint import (
    cosignature_message,
    parse_checkpoint,
    verify_cosignature,
)
from suiji.standards.merkle import (
    HashedTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from suiji.standards.note import Note, parse_note, parse_vkey
from suiji.standards.tiles import tile_path, tile_widths
from suiji.standards.witnessproto import parse_add_checkpoint


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def run(case: Case) -> Any:
    kind = vectors.kind_of("witness", case.id)
    i = case.input
    if kind == "cosignature_line":
        sig = parse_note(("x\n\n" + i["line"] + "\n").encode()).signatures[0]
        if "vkey" in i:  # checkable: it must verify under the witness key
            v = parse_vkey(i["vkey"])
            note = Note(i["checkpoint"], (sig,))
            assert verify_cosignature(note, v.name, v.public) == int.from_bytes(
                sig.signature[:8], "big"
            )
        return {
            "name": sig.name,
            "key_id": sig.key_id.hex(),
            "timestamp": int.from_bytes(sig.signature[:8], "big"),
            "signature_bytes": len(sig.signature) - 8,
        }
    if kind == "cosignature_message":
        return cosignature_message(i["checkpoint"], i["timestamp"]).decode()
    if kind == "add_checkpoint":
        req = parse_add_checkpoint(i["body"].encode())
        note = parse_note(req.note)
        cp = parse_checkpoint(note.text)
        return {
            "old": req.old,
            "proof": [b64(h) for h in req.proof],
            "origin": cp.origin,
            "size": cp.size,
            "signatures": len(note.signatures),
        }
    if kind == "tile_path":
        return tile_path(i["level"], i["index"], i["width"])
    if kind == "tile_widths":
        counts = Counter((level, width) for level, _, width in tile_widths(i["size"]))
        return sorted([level, width, n] for (level, width), n in counts.items())
    leaves = [bytes.fromhex(x) for x in i.get("leaves_hex", [])]
    tree = HashedTree.of_data(leaves)
    if kind == "inclusion":
        proof = tree.inclusion_proof(i["index"], i["size"])
        root = tree.root(i["size"])
        assert verify_inclusion(leaf_hash(leaves[i["index"]]), i["index"], i["size"], proof, root)
        return {"proof": [b64(h) for h in proof], "root": b64(root)}
    if kind == "consistency":
        proof = tree.consistency_proof(i["old"], i["new"])
        old_root, new_root = tree.root(i["old"]), tree.root(i["new"])
        assert verify_consistency(i["old"], i["new"], old_root, new_root, proof)
        return {
            "proof": [b64(h) for h in proof],
            "old_root": b64(old_root),
            "new_root": b64(new_root),
        }
    assert kind == "policy"
    policy = WitnessPolicy.from_json(i["policy"])
    return {
        "threshold": policy.threshold,
        "lead_seconds": policy.lead,
        "witnesses": [k.name for k in policy.keys],
    }


@vectors.parametrize("witness", "cosignature_line")
def test_cosignature_line(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "cosignature_message")
def test_cosignature_message(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "add_checkpoint")
def test_add_checkpoint(case: Case) -> None:
    if case.error is not None:
        assert vectors.raised_code("witness", lambda: run(case)) == case.error
    else:
        assert run(case) == case.output


@vectors.parametrize("witness", "tile_path")
def test_tile_path(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "tile_widths")
def test_tile_widths(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "inclusion")
def test_inclusion(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "consistency")
def test_consistency(case: Case) -> None:
    assert run(case) == case.output


@vectors.parametrize("witness", "policy")
def test_policy(case: Case) -> None:
    if case.error is not None:
        assert vectors.raised_code("witness", lambda: run(case)) == case.error
    else:
        assert run(case) == case.output


def test_the_rfc6962_reference_proofs() -> None:
    """Published reference values (certificate-transparency / transparency-dev)."""
    inclusion = vectors.case("witness", "inclusion_rfc6962_0_8").output
    assert [base64.b64decode(h).hex()[:12] for h in inclusion["proof"]] == [
        "96a296d224f2",
        "5f083f0a1a33",
        "6b47aaf29ee3",
    ]
    consistency = vectors.case("witness", "consistency_rfc6962_6_8").output
    assert [base64.b64decode(h).hex()[:12] for h in consistency["proof"]] == [
        "0ebc5d3437fb",
        "ca854ea128ed",
        "d37ee418976d",
    ]
