"""Rivest's consistent sampler: tickets and the order they define (docs/spec/09-seed-and-targets.md §9.2)."""

from __future__ import annotations

import hashlib
import heapq
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

# ---------------------------------------------------------------- tickets

LOW_DIGITS = 9
_LOW_MOD = 10**LOW_DIGITS


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _seed_state(seed: str) -> Any:
    """SHA-256 state after absorbing sha256_hex(seed): 64 ASCII bytes, one whole block."""
    return hashlib.sha256(_sha256_hex(seed).encode("ascii"))


def _ticket_text(n: int) -> str:
    return "0." + f"{n:064d}"[::-1]


def ticket(seed: str, id: str) -> str:
    """Rivest's first ticket: sha256_hex(sha256_hex(seed) + id) as an integer N, written in
    decimal zero-padded to at least 64 digits, reversed, prefixed "0.". Compare as strings.

    The reversal puts the unbiased low-order digits first. `seed` is any text (the
    doctest's '01382438112797316654' included); a suiji draw passes its 64-hex seed.
    """
    return _ticket_text(int(_sha256_hex(_sha256_hex(seed) + id), 16))


def _ticket_from_state(state: Any, id: str) -> str:
    h = state.copy()
    h.update(id.encode("utf-8"))
    return _ticket_text(int.from_bytes(h.digest(), "big"))


def ticket_int_key(t: str) -> int:
    """An integer that orders tickets exactly as their strings do.

    The digits after "0." are right-padded with zeros to 78 (2^256 has 78 digits). A
    longer ticket ends in N's leading digit, which is non-zero, so padding never makes two
    different tickets equal, and a proper prefix still sorts first.
    """
    return int(t[2:].ljust(78, "0"))


def ticket_prefix_key(n: int, digits: int = LOW_DIGITS) -> int:
    """The first `digits` ticket digits as an integer: N's low-order digits, reversed.

    Every ticket has at least 64 digits, so prefix_key(a) < prefix_key(b) implies
    ticket(a) < ticket(b); equal prefix keys need the full tickets.
    """
    return int(f"{n % 10**digits:0{digits}d}"[::-1])


def _distinct(ids: Iterable[str]) -> list[str]:
    """The ids as a list; ValueError on a duplicate, as the sampler refuses them too.

    A strictly increasing list (every Population's ids) is distinct without hashing all.
    """
    pool = list(ids)
    if all(map(operator.lt, pool, itertools.islice(pool, 1, None))):
        return pool
    if len(set(pool)) != len(pool):
        counts = Counter(pool)
        dupes = sorted(x for x, c in counts.items() if c > 1)
        raise ValueError(f"duplicate ids: {dupes[:5]}")
    return pool


def order(ids: Iterable[str], seed: str) -> list[str]:
    """All ids by increasing (ticket, id): sampler(ids, seed=seed, output='id') in full."""
    pool = _distinct(ids)
    state = _seed_state(seed)
    return sorted(pool, key=lambda x: (_ticket_from_state(state, x), x))


def _low_digits(pool: Sequence[str], state: Any) -> list[int]:
    """N mod 10^9 for every id: the one pass that must touch every id, kept minimal."""
    copy, from_bytes, mod = state.copy, int.from_bytes, _LOW_MOD
    return [from_bytes((h := copy()).update(x.encode()) or h.digest(), "big") % mod for x in pool]


def _zero_run(lows: Sequence[int], k: int) -> Sequence[int]:
    """Indexes of the ids whose first j ticket digits are all 0, for the largest j that
    still leaves at least k of them (j = 0: every index).

    A ticket starting with j zeros is below every ticket that does not, so the k lowest
    tickets are all in this set; it holds about 10·k ids instead of n.
    """
    level = [i for i, r in enumerate(lows) if not r % 10]
    if len(level) < k:
        return range(len(lows))
    modulus = 100
    while modulus <= _LOW_MOD:
        deeper = [i for i in level if not lows[i] % modulus]
        if len(deeper) < k:
            break
        level, modulus = deeper, modulus * 10
    return level


def select_lowest(ids: Iterable[str], seed: str, k: int) -> list[str]:
    """The k ids with the lowest tickets, in ticket order: equal to the first k of
    sampler(ids, seed=seed, output='id'), at about the cost of hashing every id once.

    One pass hashes each id from a copied seed state and keeps N mod 10^9; a zero-run
    filter and the 9-digit prefix key (heapq.nsmallest) narrow the field; the few
    finalists (everything tied with the k-th prefix included) are sorted by full ticket.
    """
    pool = _distinct(ids)
    if k <= 0 or not pool:
        return []
    if k >= len(pool):
        return order(pool, seed)
    state = _seed_state(seed)
    lows = _low_digits(pool, state)
    keyed = [(ticket_prefix_key(lows[i]), i) for i in _zero_run(lows, k)]
    cutoff = heapq.nsmallest(k, keyed)[-1][0]
    finalists = [pool[i] for key, i in keyed if key <= cutoff]
    finalists.sort(key=lambda x: (_ticket_from_state(state, x), x))
    return finalists[:k]
