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


def refuse_long_witness_lead(body: Mapping[str, Any]) -> None:
    """Refuse a witness lead time that is not shorter than the draw delay.

    A commitment's checkpoint must be cosigned `lead` seconds before its round, and the
    round is at least `draw_delay_seconds` after the commitment: with lead ≥ delay no
    commitment could ever be witnessed in time (docs/spec/19-witnesses.md §19.2).
    """
    try:
        genesis = Genesis.from_json(body)
    except EntryError:
        return  # refused with its own message where the body is parsed
    policy = genesis.policy.witnesses if genesis.policy else None
    if policy is not None and policy.lead >= genesis.draw_delay_seconds:
        raise Refusal(
            f"见证提前量 {policy.lead} 秒不短于抽取延迟 draw_delay_seconds = "
            f"{genesis.draw_delay_seconds} 秒：承诺不可能在轮次前及时得到联署；"
            "请用 suiji init --witness-lead 指定更短的提前量，或用 --draw-delay 加长延迟",
            code="witness-lead-too-long",
        )
