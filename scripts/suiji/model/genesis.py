"""The genesis body (entry 0): origin, keys, beacon chains, delay, demo flag, policy.

docs/spec/05-keys.md §5.3 and docs/spec/12-coverage.md §12.1. `Genesis.from_json` checks
the structure the structural verifier needs; `Genesis.chains()` interprets the beacon
facts with `suiji.beacon.chain` (BLS key, scheme, known chains) for the semantic replay.
Members the spec leaves free (e.g. `name`) are carried unchanged, so
`Genesis.from_json(x).to_json() == x` for every valid body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from suiji.beacon.chain import (
    FACT_KEYS,
    PUBLIC_CHAINS,
    Chain,
    chain_from_facts,
    is_demo_chain,
    is_public_chain,
)
from suiji.crypto.ed25519 import PublicKey, parse_public_json
from suiji.model.fields import EntryError, Members, frozen_copy, is_int
from suiji.model.witnesspolicy import WitnessPolicy
from suiji.shared.errors import Refusal

ORIGIN_RE = re.compile(r"^[\x21-\x2a\x2c-\x7e]{1,255}$")
_FACT_TYPES: dict[str, type] = {
    "name": str,
    "chain_hash": str,
    "public_key": str,
    "scheme": str,
    "genesis_time": int,
    "period": int,
}
GENESIS_MEMBERS = (
    "origin",
    "roots",
    "root_threshold",
    "signing_key",
    "beacons",
    "draw_delay_seconds",
    "demo",
    "policy",
)

# ---------------------------------------------------------------- policy

MIN_DRAW_DELAY_SECONDS = 600
"""The shortest commitment-to-round delay (§5.3, §8.2): ten minutes, so a round is never
public, nor about to be, when its commitment is written. `suiji init` refuses less and the
verifier reports it (finding `draw-delay`); the decoder accepts it, so the finding can name
the entry."""

DEFAULT_YEARLY_CAP = 2
DEFAULT_MIN_RANDOM_PERCENT = 30
"""The seed document: 双随机 at least 30 % of the annual enforcement plan (the one definition)."""
DEFAULT_DISCLOSURE_DAYS = 10
"""The seed document: results public within 10 (calendar) days after the inspection ends."""
DEFAULT_WITHHELD_HOURS = 24
"""A commitment undrawn this long after its randomness exists is reported as withheld."""
MAX_WITHHELD_HOURS = 168
"""A week: a longer grace would let a bureau sit on a known outcome for longer than any
writer outage explains."""
MAX_YEARLY_CAP = 366
"""At most one inspection a day: a larger cap would not limit anything."""

_POLICY_RANGES = {
    "yearly_cap": (1, MAX_YEARLY_CAP),
    "min_random_percent": (0, 100),
    "disclosure_days": (1, 366),
    "withheld_hours": (1, MAX_WITHHELD_HOURS),
}
DISCLOSURE_UNITS = ("calendar", "working")
"""`disclosure_unit`: 自然日 or 工作日 (docs/spec/15-calendar-and-deadlines.md §15.6)."""
_POLICY_MEMBERS = (*_POLICY_RANGES, "disclosure_unit", "witnesses")


@dataclass(frozen=True)
class Policy:
    """The genesis `policy` as written: a member left out is None and takes its default."""

    yearly_cap: int | None = None
    min_random_percent: int | None = None
    disclosure_days: int | None = None
    disclosure_unit: str | None = None
    withheld_hours: int | None = None
    witnesses: WitnessPolicy | None = None
    """Who must cosign each commitment's checkpoint (docs/spec/19-witnesses.md); None: no one."""

    @classmethod
    def from_json(cls, value: object, path: str = "body.policy") -> Policy:
        if not isinstance(value, dict):
            raise EntryError("policy-type", path, "policy 必须是 JSON 对象")
        for name in sorted(value):
            if name not in _POLICY_MEMBERS:
                raise EntryError(
                    "policy-unknown",
                    f"{path}.{name}",
                    f"policy 不允许的字段 {name}（只有 {'、'.join(_POLICY_MEMBERS)}）",
                )
        out: dict[str, Any] = {}
        for name, (low, high) in _POLICY_RANGES.items():
            if name not in value:
                continue
            v = value[name]
            if not is_int(v):
                raise EntryError("policy-type", f"{path}.{name}", f"policy.{name} 必须是整数")
            if not low <= v <= high:
                raise EntryError(
                    "policy-range", f"{path}.{name}", f"policy.{name} 必须在 {low}..{high} 之间"
                )
            out[name] = int(v)
        if "disclosure_unit" in value:
            unit = value["disclosure_unit"]
            if not isinstance(unit, str):
                raise EntryError(
                    "policy-type", f"{path}.disclosure_unit", "policy.disclosure_unit 必须是字符串"
                )
            if unit not in DISCLOSURE_UNITS:
                raise EntryError(
                    "policy-range",
                    f"{path}.disclosure_unit",
                    "policy.disclosure_unit 必须是 calendar（自然日）或 working（工作日）",
                )
            out["disclosure_unit"] = unit
        if "witnesses" in value:
            out["witnesses"] = WitnessPolicy.from_json(value["witnesses"], f"{path}.witnesses")
        return cls(**out)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in _POLICY_MEMBERS:
            value = getattr(self, name)
            if isinstance(value, WitnessPolicy):
                out[name] = value.to_json()
            elif value is not None:
                out[name] = value
        return out

    @property
    def cap(self) -> int:
        """The yearly cap in force (default 2)."""
        return DEFAULT_YEARLY_CAP if self.yearly_cap is None else self.yearly_cap

    @property
    def min_percent(self) -> int:
        """The minimum 双随机 share in percent (default 30)."""
        return (
            DEFAULT_MIN_RANDOM_PERCENT
            if self.min_random_percent is None
            else self.min_random_percent
        )

    @property
    def disclosure(self) -> tuple[int, str]:
        """The disclosure period in force: (days, "calendar" | "working"); default 10 calendar."""
        days = DEFAULT_DISCLOSURE_DAYS if self.disclosure_days is None else self.disclosure_days
        return days, self.disclosure_unit or "calendar"

    @property
    def withheld_grace(self) -> timedelta:
        """How long a live commitment may stay undrawn once its randomness exists (24 h)."""
        hours = DEFAULT_WITHHELD_HOURS if self.withheld_hours is None else self.withheld_hours
        return timedelta(hours=hours)


# ---------------------------------------------------------------- keys


def count_distinct(keys: Iterable[PublicKey]) -> int:
    """How many *distinct keys* (by raw public key bytes) — the only count a threshold uses."""
    return len({k.raw for k in keys})


@dataclass(frozen=True)
class GenesisKeys:
    roots: tuple[PublicKey, ...]
    threshold: int
    signing: PublicKey


def _public(value: object, where: str, path: str) -> PublicKey:
    try:
        return parse_public_json(value, where)
    except ValueError as exc:
        raise EntryError("public-key", path, str(exc)) from None


def parse_genesis_keys(value: Mapping[str, Any]) -> GenesisKeys:
    """Roots (sorted by id, distinct), threshold 1..len(roots), a signing key that is no root."""
    roots_json = value.get("roots")
    if not isinstance(roots_json, list) or not roots_json:
        raise EntryError("wrong-type", "body.roots", "roots 必须是非空数组")
    roots = tuple(_public(r, f"roots[{i}]", f"body.roots[{i}]") for i, r in enumerate(roots_json))
    ids = [r.id for r in roots]
    if ids != sorted(set(ids)) or count_distinct(roots) != len(roots):
        raise EntryError(
            "roots-order", "body.roots", "roots 必须按 key 排序且互不重复（同一密钥只能出现一次）"
        )
    threshold = value.get("root_threshold")
    if not is_int(threshold):
        raise EntryError("wrong-type", "body.root_threshold", "root_threshold 必须是整数")
    assert isinstance(threshold, int)
    if not 1 <= threshold <= len(roots):
        raise EntryError(
            "out-of-range", "body.root_threshold", f"root_threshold 必须在 1..{len(roots)} 之间"
        )
    signing = _public(value.get("signing_key"), "signing_key", "body.signing_key")
    if signing.raw in {r.raw for r in roots}:
        raise EntryError("signing-is-root", "body.signing_key", "signing_key 不能同时是根密钥")
    return GenesisKeys(roots, threshold, signing)


def declares_demo(value: object) -> bool:
    """Whether a (possibly malformed) genesis body says `demo: true`."""
    return isinstance(value, dict) and value.get("demo") is True


# ---------------------------------------------------------------- beacon chains


@dataclass(frozen=True)
class BeaconFacts:
    """One accepted chain as the genesis pins it (docs/spec/08-beacons.md §8.1)."""

    name: str
    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period: int
    others: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: object, i: int) -> BeaconFacts:
        path = f"body.beacons[{i}]"
        if not isinstance(value, dict):
            raise EntryError("not-object", path, f"beacons[{i}] 必须是对象")
        for name, typ in _FACT_TYPES.items():
            v = value.get(name)
            if not isinstance(v, typ) or isinstance(v, bool):
                raise EntryError(
                    "wrong-type", f"{path}.{name}", f"beacons[{i}].{name} 缺失或类型错误"
                )
        if value["period"] < 1:
            raise EntryError("out-of-range", f"{path}.period", f"beacons[{i}].period 必须为正")
        m = Members(value, path)
        return cls(
            name=m.text("name"),
            chain_hash=m.text("chain_hash"),
            public_key=m.text("public_key"),
            scheme=m.text("scheme"),
            genesis_time=m.integer("genesis_time"),
            period=m.integer("period"),
            others=frozen_copy(m.others(FACT_KEYS)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **frozen_copy(self.others),
            "name": self.name,
            "chain_hash": self.chain_hash,
            "public_key": self.public_key,
            "scheme": self.scheme,
            "genesis_time": self.genesis_time,
            "period": self.period,
        }

    def chain(self) -> Chain:
        """The chain these facts describe, fully validated (BeaconError otherwise)."""
        return chain_from_facts(self.to_json())


# ---------------------------------------------------------------- genesis


@dataclass(frozen=True)
class Genesis:
    """A validated genesis body. `others` holds the members the spec leaves free."""

    origin: str
    demo: bool
    draw_delay_seconds: int
    beacons: tuple[BeaconFacts, ...]
    keys: GenesisKeys
    policy: Policy | None = None
    others: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: object) -> Genesis:
        m = Members(value)
        origin = m.value.get("origin")
        if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
            raise EntryError(
                "bad-origin",
                "body.origin",
                "origin 必须是 1..255 个可打印 ASCII 字符，不含空格和 '+'（例如 example.gov.cn/suiji）",
            )
        demo = m.value.get("demo")
        if not isinstance(demo, bool):
            raise EntryError("wrong-type", "body.demo", "demo 必须是 true 或 false")
        delay = m.value.get("draw_delay_seconds")
        if not is_int(delay):
            raise EntryError(
                "wrong-type", "body.draw_delay_seconds", "draw_delay_seconds 必须是整数"
            )
        assert isinstance(delay, int)
        beacons_json = m.value.get("beacons")
        if not isinstance(beacons_json, list):
            raise EntryError("wrong-type", "body.beacons", "beacons 必须是数组")
        beacons = tuple(BeaconFacts.from_json(b, i) for i, b in enumerate(beacons_json))
        names = [b.name for b in beacons]
        if len(set(names)) != len(names):
            raise EntryError("duplicate-chain", "body.beacons", "beacons 的 name 不能重复")
        if not demo and any(is_demo_chain(b.to_json()) for b in beacons):
            raise EntryError(
                "demo-chain",
                "body.beacons",
                "演示随机信标 suiji-demo 的私钥是公开的，只能用于演示账本（--demo）",
            )
        keys = parse_genesis_keys(m.value)
        policy = Policy.from_json(m.value["policy"]) if m.has("policy") else None
        return cls(
            origin=origin,
            demo=demo,
            draw_delay_seconds=delay,
            beacons=beacons,
            keys=keys,
            policy=policy,
            others=frozen_copy(m.others(GENESIS_MEMBERS)),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = frozen_copy(self.others)
        out.update(
            origin=self.origin,
            roots=[r.to_json() for r in self.keys.roots],
            root_threshold=self.keys.threshold,
            signing_key=self.keys.signing.to_json(),
            beacons=[b.to_json() for b in self.beacons],
            draw_delay_seconds=self.draw_delay_seconds,
            demo=self.demo,
        )
        if self.policy is not None:
            out["policy"] = self.policy.to_json()
        return out

    @property
    def coverage(self) -> Policy:
        """The policy in force (defaults where absent): read `.cap` and `.min_percent`."""
        return self.policy or Policy()

    def chains(self) -> tuple[Chain, ...]:
        """Every accepted chain, validated by `suiji.beacon.chain` (BeaconError otherwise)."""
        return tuple(b.chain() for b in self.beacons)

    def first_chain(self) -> Chain | None:
        """The chain a commitment uses: the first accepted one (None: extra inputs only)."""
        return self.beacons[0].chain() if self.beacons else None


# ---------------------------------------------------------------- only public beacons


def private_beacons(genesis: Genesis) -> list[str]:
    """Names of the chains a non-demo genesis may not accept: any not on the allow-list.

    A demo ledger may name any chain (it is reported as a demo, with no proof value). An
    extra-inputs-only ledger names none. docs/spec/08-beacons.md §8.1.1.
    """
    if genesis.demo:
        return []
    return [b.name for b in genesis.beacons if not is_public_chain(b.to_json())]


def refuse_private_beacons(body: Mapping[str, Any]) -> None:
    """`suiji init`: refuse a non-demo genesis naming a chain outside the allow-list."""
    try:
        genesis = Genesis.from_json(body)
    except EntryError:
        return  # refused with its own message where the body is parsed
    bad = private_beacons(genesis)
    if bad:
        raise Refusal(
            f"非演示账本只能使用独立的公开随机信标（{'、'.join(PUBLIC_CHAINS)}，"
            f"须与已知参数完全一致），不接受：{'、'.join(bad)}；"
            "请用 suiji init --beacon drand-quicknet",
            code="beacon-not-public",
        )
