"""RFC 6962/9162 Merkle tree hashing, unchanged, so existing log tools agree with us."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

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


# ---------------------------------------------------------------- RFC 6962 §2.1.1/§2.1.2 proofs
#
# Generation reads subtree hashes through `subtree(start, end)` (the MTH of leaves
# [start, end)), so it works over a list of leaf hashes or over published tiles alike.
# Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 (the iterative algorithms), which
# accept exactly the proofs RFC 6962's recursive definitions produce.


_Subtree = Callable[[int, int], bytes]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class HashedTree:
    """The leaf hashes of a tree, with subtree hashes computed on demand (tests, publish)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.leaves = list(leaf_hashes)

    @classmethod
    def of_data(cls, leaves: Sequence[bytes]) -> HashedTree:
        return cls([leaf_hash(d) for d in leaves])

    def subtree(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n == 1:
            return self.leaves[start]
        k = _split(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self.subtree(0, len(self.leaves) if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if size > len(self.leaves):
            raise ValueError("inclusion proof: size out of range")
        return inclusion_proof(self.subtree, index, size)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        if new > len(self.leaves):
            raise ValueError("consistency proof: size out of range")
        return consistency_proof(self.subtree, old, new)


def inclusion_proof(subtree: _Subtree, index: int, size: int) -> list[bytes]:
    """PATH(m, D[0:n]) of RFC 6962 §2.1.1, from any source of subtree hashes."""
    if not 0 <= index < size:
        raise ValueError("inclusion proof: index out of range")
    return _path(subtree, index, 0, size)


def consistency_proof(subtree: _Subtree, old: int, new: int) -> list[bytes]:
    """PROOF(m, D[0:n]) of RFC 6962 §2.1.2 (empty for m = 0 or m = n)."""
    if not 0 <= old <= new:
        raise ValueError("consistency proof: sizes out of range")
    if old == 0 or old == new:
        return []
    return _subproof(subtree, old, 0, new, True)


def _path(subtree: _Subtree, m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(subtree, m, start, start + k), subtree(start + k, end)]
    return [*_path(subtree, m - k, start + k, end), subtree(start, start + k)]


def _subproof(subtree: _Subtree, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [subtree(start, end)]
    k = _split(n)
    if m <= k:
        return [*_subproof(subtree, m, start, start + k, complete), subtree(start + k, end)]
    return [*_subproof(subtree, m - k, start + k, end, False), subtree(start, start + k)]


def verify_inclusion(
    hashed_leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` place `hashed_leaf` at `index` in the tree `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = hashed_leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree (`old`, `old_root`) a prefix of (`new`, `new_root`)?

    Old size 0 is consistent with everything given an empty proof (tlog-witness), and
    equal sizes need an empty proof and equal roots.
    """
    if not 0 <= old <= new:
        return False
    if old == 0:
        return not proof
    if old == new:
        return not proof and old_root == new_root
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
