"""The task history of a bureau's ledger file: the writer's (and later the publisher's) view.

Kept apart from `suiji.ledger.history`, the pure lifecycle, so that the verifier, which
streams entries into a `History` itself, never imports code that reads a ledger file
behind its back.
"""

from __future__ import annotations

from pathlib import Path

from suiji.ledger.history import History, replayed
from suiji.ledger.reading import read_entries


def history(root: Path) -> History:
    """Every entry of `root`'s ledger applied to a fresh lifecycle (strictly parsed)."""
    return replayed(read_entries(root))
