"""RFC 6962/9162 Merkle tree hashing, unchanged, so existing log tools agree with us."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# ---------------------------------------------------------------- RFC 6962 Merkle tree

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH of one leaf: SHA-256(0x00 ‖ data). The 0x00 keeps a leaf from posing as a node."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The reference definition (RFC 6962 §2.1), recursive over leaf *data*; tests only.

    Split at the largest power of two smaller than n; the incremental `MerkleFrontier`
    must always agree with it.
    """
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


class MerkleFrontier:
    """The right edge of a growing tree: one hash per set bit of `size`, largest first.

    Appending is O(1) amortised and the root is O(log n), so neither the verifier nor
    the writer ever holds more than ~64 hashes, however long the ledger grows.
    """

    __slots__ = ("_nodes", "size")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(nodes) != bin(size).count("1"):
            raise ValueError("frontier does not match its size")
        self.size = size
        self._nodes = list(nodes)

    def copy(self) -> MerkleFrontier:
        return MerkleFrontier(self.size, self._nodes)

    def append(self, data: bytes) -> None:
        self.append_hash(leaf_hash(data))

    def append_hash(self, hashed_leaf: bytes) -> None:
        node = hashed_leaf
        size = self.size
        # Each trailing 1-bit of the old size is a perfect subtree that the new leaf completes.
        while size & 1:
            node = node_hash(self._nodes.pop(), node)
            size >>= 1
        self._nodes.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        node = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            node = node_hash(left, node)
        return node

    def to_json(self) -> dict[str, object]:
        return {"size": self.size, "nodes": [n.hex() for n in self._nodes]}

    @classmethod
    def from_json(cls, value: object) -> MerkleFrontier:
        if not isinstance(value, dict):
            raise ValueError("frontier must be an object")
        size = value.get("size")
        nodes = value.get("nodes")
        if not isinstance(size, int) or not isinstance(nodes, list):
            raise ValueError("frontier fields")
        raw = [bytes.fromhex(n) for n in nodes if isinstance(n, str)]
        if len(raw) != len(nodes) or any(len(n) != 32 for n in raw):
            raise ValueError("frontier nodes")
        return cls(size, raw)
