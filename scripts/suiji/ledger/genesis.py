"""The genesis body: origin, roots, signing key, beacons, delay, policy."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from suiji.crypto.ed25519 import PublicKey
from suiji.model.keystate import GenesisKeys, parse_genesis_keys
from suiji.shared.canonical import canonical_json
from suiji.shared.errors import CanonicalError, UsageError

ORIGIN_RE = re.compile(r"^[\x21-\x2a\x2c-\x7e]{1,255}$")
BEACON_FIELDS = {
    "name": str,
    "chain_hash": str,
    "public_key": str,
    "scheme": str,
    "genesis_time": int,
    "period": int,
}


# ---------------------------------------------------------------- genesis


@dataclass(frozen=True)
class GenesisInfo:
    origin: str
    demo: bool
    draw_delay_seconds: int
    beacons: tuple[dict[str, Any], ...]
    keys: GenesisKeys


def parse_genesis(body: Mapping[str, Any]) -> GenesisInfo:
    """Validate a genesis body (ValueError in Chinese). Unknown extra fields are carried."""
    origin = body.get("origin")
    if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
        raise ValueError(
            "origin 必须是 1..255 个可打印 ASCII 字符，不含空格和 '+'（例如 example.gov.cn/suiji）"
        )
    demo = body.get("demo")
    if not isinstance(demo, bool):
        raise ValueError("demo 必须是 true 或 false")
    delay = body.get("draw_delay_seconds")
    if not isinstance(delay, int) or isinstance(delay, bool):
        raise ValueError("draw_delay_seconds 必须是整数")
    beacons = body.get("beacons")
    if not isinstance(beacons, list):
        raise ValueError("beacons 必须是数组")
    names = []
    for i, b in enumerate(beacons):
        if not isinstance(b, dict):
            raise ValueError(f"beacons[{i}] 必须是对象")
        for name, typ in BEACON_FIELDS.items():
            v = b.get(name)
            if not isinstance(v, typ) or isinstance(v, bool):
                raise ValueError(f"beacons[{i}].{name} 缺失或类型错误")
        if b["period"] < 1:
            raise ValueError(f"beacons[{i}].period 必须为正")
        names.append(b["name"])
    if len(set(names)) != len(names):
        raise ValueError("beacons 的 name 不能重复")
    from suiji.beacon.chain import is_demo_chain

    if not demo and any(is_demo_chain(b) for b in beacons):
        raise ValueError("演示随机信标 suiji-demo 的私钥是公开的，只能用于演示账本（--demo）")
    keys = parse_genesis_keys(body)
    return GenesisInfo(origin, demo, delay, tuple(beacons), keys)


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
        parse_genesis(body)
    except (ValueError, CanonicalError) as exc:
        raise UsageError(f"创世条目内容无效：{exc}") from None
    return body
