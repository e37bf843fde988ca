"""Building a genesis body (its codec is `suiji.model.genesis.Genesis`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from suiji.crypto.ed25519 import PublicKey
from suiji.model.fields import EntryError
from suiji.model.genesis import Genesis
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import CanonicalError, UsageError


def make_genesis_body(
    *,
    origin: str,
    roots: Sequence[PublicKey],
    threshold: int,
    signing: PublicKey,
    beacons: Sequence[Mapping[str, Any]],
    draw_delay_seconds: int = 86400,
    demo: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The genesis body, roots sorted by id; validated so a bad one fails before signing."""
    body: dict[str, Any] = dict(extra or {})
    body.update(
        origin=origin,
        roots=[r.to_json() for r in sorted(roots, key=lambda r: r.id)],
        root_threshold=threshold,
        signing_key=signing.to_json(),
        beacons=[dict(b) for b in beacons],
        draw_delay_seconds=draw_delay_seconds,
        demo=demo,
    )
    try:
        canonical_json(body)
        Genesis.from_json(body)
    except (EntryError, CanonicalError) as exc:
        raise UsageError(f"创世条目内容无效：{exc}") from None
    return body
