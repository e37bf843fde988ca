"""Building a genesis body (its codec is `suiji.model.genesis.Genesis`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from suiji.crypto.ed25519 import PublicKey
from suiji.model.fields import EntryError
from suiji.model.genesis import MIN_DRAW_DELAY_SECONDS, Genesis
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import CanonicalError, Refusal, UsageError


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
    refuse_short_delay(draw_delay_seconds)
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


def refuse_short_delay(delay: object) -> None:
    """Refuse a genesis whose delay leaves a committed round public, or nearly, at commit.

    Also applied to genesis request files (`suiji init --request`), which others build.
    """
    if isinstance(delay, int) and not isinstance(delay, bool) and delay < MIN_DRAW_DELAY_SECONDS:
        raise Refusal(
            f"抽取延迟 draw_delay_seconds = {delay} 秒太短：至少 {MIN_DRAW_DELAY_SECONDS} 秒"
            "（承诺与信标轮次之间必须留出时间，否则承诺时轮次可能已经公布）；"
            f"请重新运行 suiji init --draw-delay {MIN_DRAW_DELAY_SECONDS} 或更长，"
            "或省略 --draw-delay 以用默认的 86400 秒",
            code="draw-delay-too-short",
        )
