"""The demo ledger as C2SP tlog-tiles: an independent RFC 6962 computation from the files.

The check reads only what `suiji publish --tlog` wrote (checkpoint, tiles, entry bundles)
and recomputes the tree with its own few lines of hashlib, as any tlog client would; then
an inclusion proof built from the tiles alone checks for every entry.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from suiji.cli.app import main
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.standards.merkle import leaf_hash, verify_inclusion
from suiji.standards.tiles import TileTree


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, written out again here on purpose (not the library's)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _bundle_entries(data: bytes) -> list[bytes]:
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i : i + 2], "big")
        out.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return out


def test_the_demo_tiles_reproduce_the_checkpoint_and_every_entry_is_included(
    demo_year: Path, tmp_path: Path
) -> None:
    out = tmp_path / "tlog"
    assert (
        main(
            [
                "--root",
                str(demo_year),
                "publish",
                "--out",
                str(tmp_path / "gen"),
                "--tlog",
                str(out),
            ]
        )
        == 0
    )
    lines = (out / "checkpoint").read_text("utf-8").split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    assert size == (ledger_dir(demo_year) / LEDGER_FILE).read_bytes().count(b"\n")
    # the demo has fewer than 256 entries: one partial bundle and one partial level-0 tile
    entries = _bundle_entries((out / "tile" / "entries" / "000.p" / str(size)).read_bytes())
    assert len(entries) == size
    assert entries == (ledger_dir(demo_year) / LEDGER_FILE).read_bytes().split(b"\n")[:size]
    level0 = (out / "tile" / "0" / "000.p" / str(size)).read_bytes()
    assert level0 == b"".join(hashlib.sha256(b"\x00" + e).digest() for e in entries)
    assert _mth(entries) == root
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "checkpoint",
        f"tile/0/000.p/{size}",
        f"tile/entries/000.p/{size}",
    ]
    tiles = TileTree(lambda rel: (out / rel).read_bytes(), size)
    assert tiles.root() == root
    from suiji.standards.merkle import inclusion_proof

    for index, entry in enumerate(entries):
        proof = inclusion_proof(tiles.subtree, index, size)
        assert verify_inclusion(leaf_hash(entry), index, size, proof, root), index
        assert not verify_inclusion(leaf_hash(entry + b" "), index, size, proof, root)


def test_tiles_of_a_larger_tree_agree_with_the_independent_computation(tmp_path: Path) -> None:
    from suiji.standards.tiles import write_tiles

    leaves = [b"line %d" % i for i in range(256 * 2 + 17)]
    files = write_tiles(leaves)
    assert set(files) == {
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/17",
        "tile/1/000.p/2",
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002.p/17",
    }
    tiles = TileTree(files.__getitem__, len(leaves))
    assert tiles.root() == _mth(leaves)
    for size in (1, 255, 256, 257, 511, 512, 529):
        assert TileTree(files.__getitem__, len(leaves)).subtree(0, size) == _mth(leaves[:size])
