"""C2SP tlog-tiles: the ledger as static tiles and entry bundles any tlog client reads.

c2sp.org/tlog-tiles, unchanged: tiles of 256 SHA-256 hashes at `tile/<L>/<N>[.p/<W>]`,
level 0 holding leaf hashes and level l+1 the roots of full level-l tiles; entry bundles
at `tile/entries/<N>[.p/<W>]`, each entry a big-endian uint16 length and the bytes. The
leaves are the ledger's lines without their newline, so the tiles' tree is the one the
checkpoint signs (docs/spec/06-checkpoints.md §6.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from suiji.standards.merkle import HashedTree, leaf_hash, node_hash

TILE_WIDTH = 256
HASH_SIZE = 32
MAX_ENTRY_BYTES = 0xFFFF
"""The bundle's uint16 length prefix: an entry must be at most 65,535 bytes."""


def tile_index_path(index: int) -> str:
    """`<N>` as zero-padded 3-digit elements, all but the last prefixed with `x`."""
    if index < 0:
        raise ValueError("tile index must be non-negative")
    groups = []
    while True:
        groups.append(index % 1000)
        index //= 1000
        if index == 0:
            break
    groups.reverse()
    return "/".join([f"x{g:03d}" for g in groups[:-1]] + [f"{groups[-1]:03d}"])


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    """`tile/<L>/<N>[.p/<W>]` (`level="entries"` for an entry bundle)."""
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError("tile width must be 1..256")
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(index)}{suffix}"


def tile_widths(size: int) -> list[tuple[int, int, int]]:
    """(level, index, width) of every tile a tree of `size` has, full and partial."""
    out: list[tuple[int, int, int]] = []
    level = 0
    while size >= TILE_WIDTH**level and size:
        hashes = size // TILE_WIDTH**level
        out += [(level, i, TILE_WIDTH) for i in range(hashes // TILE_WIDTH)]
        if hashes % TILE_WIDTH:
            out.append((level, hashes // TILE_WIDTH, hashes % TILE_WIDTH))
        level += 1
    return out


def bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as uint16 big-endian length ‖ bytes."""
    out = bytearray()
    for data in entries:
        if len(data) > MAX_ENTRY_BYTES:
            raise ValueError(f"entry of {len(data)} bytes is too long for a tlog-tiles bundle")
        out += len(data).to_bytes(2, "big") + data
    return bytes(out)


def parse_bundle(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    i = 0
    while i < len(data):
        if i + 2 > len(data):
            raise ValueError("truncated entry bundle")
        n = int.from_bytes(data[i : i + 2], "big")
        if i + 2 + n > len(data):
            raise ValueError("truncated entry bundle")
        out.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return out


def write_tiles(entries: Sequence[bytes]) -> dict[str, bytes]:
    """Every tile and entry bundle of the tree of `entries`: {path: bytes}.

    Full tiles for every complete group of 256 and the partial tiles the current size
    needs (`floor(size / 256**l) mod 256` hashes at level l; none when that is zero).
    """
    out: dict[str, bytes] = {}
    size = len(entries)
    for start in range(0, size, TILE_WIDTH):
        chunk = entries[start : start + TILE_WIDTH]
        out[tile_path("entries", start // TILE_WIDTH, len(chunk))] = bundle(chunk)
    hashes = [leaf_hash(e) for e in entries]
    level = 0
    while hashes:
        above: list[bytes] = []
        for start in range(0, len(hashes), TILE_WIDTH):
            chunk = hashes[start : start + TILE_WIDTH]
            out[tile_path(level, start // TILE_WIDTH, len(chunk))] = b"".join(chunk)
            if len(chunk) == TILE_WIDTH:
                above.append(HashedTree(chunk).root())
        hashes = above
        level += 1
    return out


class TileTree:
    """Subtree hashes read from published tiles only: proofs and roots for a given size.

    `fetch(path)` returns a tile's bytes (a file read, an HTTP GET). Each hash of a tile at
    level l is the root of 256**l leaves, so any RFC 6962 subtree hash is rebuilt from at
    most a few tiles, never from the entries.
    """

    def __init__(self, fetch: Callable[[str], bytes], size: int) -> None:
        self.fetch = fetch
        self.size = size
        self._cache: dict[tuple[int, int], list[bytes]] = {}

    def _tile(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key not in self._cache:
            span = TILE_WIDTH ** (level + 1)
            full = (index + 1) * span <= self.size
            width = TILE_WIDTH if full else (self.size // TILE_WIDTH**level) % TILE_WIDTH
            data = self.fetch(tile_path(level, index, width))
            if len(data) != width * HASH_SIZE:
                raise ValueError(f"tile {tile_path(level, index, width)} has the wrong length")
            self._cache[key] = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return self._cache[key]

    def _hash_at(self, level: int, index: int) -> bytes:
        """The root of the perfect subtree of 256**level leaves number `index`."""
        return self._tile(level, index // TILE_WIDTH)[index % TILE_WIDTH]

    def subtree(self, start: int, end: int) -> bytes:
        n = end - start
        if n <= 0 or end > self.size:
            raise ValueError("subtree out of range")
        if n & (n - 1) == 0 and start % n == 0:
            height = n.bit_length() - 1
            level, rest = divmod(height, 8)
            if rest == 0:
                return self._hash_at(level, start // n)
            # hash the 2**rest stored hashes below it
            unit = TILE_WIDTH**level
            return HashedTree(
                [self._hash_at(level, start // unit + i) for i in range(n // unit)]
            ).root()
        k = 1
        while k * 2 < n:
            k *= 2
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self) -> bytes:
        return self.subtree(0, self.size)
