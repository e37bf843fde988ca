"""drand chain facts and round arithmetic (docs/spec/08-beacons.md).

Only the scheme `bls-unchained-g1-rfc9380` (drand "quicknet") is supported. The chained
default drand network signs a different message (it includes the previous signature);
mixing the two would silently verify nothing, so any other scheme is refused.

The demo chain `suiji-demo` uses the same scheme with a *published* secret key, so the
demo can produce rounds offline. Its values are worthless as randomness by design; a
ledger that is not a demo ledger must refuse it (`is_demo_chain`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from suiji.shared.canonical import MAX_INT
from suiji.shared.errors import CheckFailed, Unavailable, UsageError


class BeaconError(CheckFailed):
    """A value that should be a genuine beacon round is not.

    CheckFailed rather than InputError: in a ledger, a signature that does not verify — or
    is not even a well-formed point — means the ledger's draw cannot be trusted, which is
    exactly "a check found a problem". The same holds for chain facts pinned in a genesis.
    """

    code = "beacon-invalid"


class BeaconUnavailable(Unavailable):
    """No relay delivered a verified round: nothing was found wrong; try again later."""

    code = "beacon-unavailable"


SCHEME = "bls-unchained-g1-rfc9380"

QUICKNET = "drand-quicknet"
DEMO = "suiji-demo"
MAX_ROUND = MAX_INT

FACT_KEYS = ("name", "chain_hash", "public_key", "scheme", "genesis_time", "period")
DEFAULT_RELAYS: tuple[str, ...] = (
    "https://api.drand.sh",
    "https://api2.drand.sh",
    "https://api3.drand.sh",
    "https://drand.cloudflare.com",
)

_QUICKNET_FACTS: dict[str, Any] = {
    "name": QUICKNET,
    "chain_hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "public_key": (
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    "scheme": SCHEME,
    "genesis_time": 1692803367,
    "period": 3,
}

DEMO_KEY_PHRASE = b"suiji demo beacon test key, never use for real"
DEMO_CHAIN_TAG = "suiji/demo-chain/v1"
DEMO_GENESIS_TIME = 1735689600  # 2025-01-01T00:00:00Z
DEMO_PERIOD = 3

_DEMO_FACTS: dict[str, Any] = {
    "name": DEMO,
    # = tagged_hex(DEMO_CHAIN_TAG, canonical_json(facts without chain_hash)); tests recompute it.
    "chain_hash": "ad49b66ebc0b4b9bc76e231391344722edd19c0cee7282132023b8644958a0cf",
    # = compress(demo_secret_key() × G2); tests recompute it.
    "public_key": (
        "8841e2a3c56cfc6415a92e0708d896cfe4ae942f82aa8c9a0f191f8accd2fdb8"
        "5f8bec051cbb909c76470c8b4c3ff08a04c472bbe1864fc9cd04d5d4210f1ebb"
        "37c40687489a3ad4d1c84f305a56242af1ee21d30a2d5e6ffd2ed8fc34b519fb"
    ),
    "scheme": SCHEME,
    "genesis_time": DEMO_GENESIS_TIME,
    "period": DEMO_PERIOD,
}

_KNOWN: dict[str, dict[str, Any]] = {QUICKNET: _QUICKNET_FACTS, DEMO: _DEMO_FACTS}

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_HEX_RE = re.compile(r"^[0-9a-f]*$")
_SIG_BYTES = 48
_PK_BYTES = 96
_MAX_PERIOD = 86400

# ---------------------------------------------------------------- chains


def _hex_bytes(value: object, length: int, what: str, where: str) -> bytes:
    """Lower-case hex of exactly `length` bytes — the only spelling the ledger records."""
    if not isinstance(value, str):
        raise BeaconError(f"{where}：{what}必须是十六进制字符串，实际是 {type(value).__name__}")
    if len(value) != 2 * length:
        raise BeaconError(
            f"{where}：{what}长度应为 {2 * length} 个十六进制字符（{length} 字节），"
            f"实际 {len(value)} 个"
        )
    if not _HEX_RE.match(value):
        raise BeaconError(f"{where}：{what}只能含小写十六进制字符 0-9a-f：{value[:16]}…")
    return bytes.fromhex(value)


def _check_int(value: object, low: int, high: int, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BeaconError(f"{where}：{what}必须是整数，实际是 {type(value).__name__}")
    if not low <= value <= high:
        raise BeaconError(f"{where}：{what}必须在 {low}..{high} 之间，实际 {value}")
    return value


@dataclass(frozen=True)
class Chain:
    """A beacon chain's public facts; constructing one validates them (and the key) fully.

    The decoded public-key point is cached per process (`_decoded_key`) so verifications
    do not repeat the G2 decompression and subgroup check.
    """

    name: str
    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period: int

    def __post_init__(self) -> None:
        where = f"信标链 {self.name!r}"
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise BeaconError(f"{where}：链名只能含小写字母、数字和 -（至多 64 个字符）")
        _hex_bytes(self.chain_hash, 32, "chain_hash ", where)
        _hex_bytes(self.public_key, _PK_BYTES, "公钥 public_key ", where)
        if self.scheme != SCHEME:
            raise BeaconError(
                f"{where}：不支持的方案 {self.scheme!r}；只支持 {SCHEME}"
                "（drand quicknet）。默认的链式 drand 网络消息规则不同，不能混用"
            )
        _check_int(self.genesis_time, 0, MAX_INT, "genesis_time ", where)
        _check_int(self.period, 1, _MAX_PERIOD, "period ", where)
        _check_known(self.facts(), where)
        # A known chain's key is a vetted constant (its point is checked by the tests): it
        # is decoded only when a signature is verified, so that reading a ledger, a cache
        # hit or `--help` never pays for importing py_ecc. Any other key is checked now.
        if self.facts() not in _KNOWN.values():
            self._pk_point  # noqa: B018 — decoding is the validation

    @property
    def _pk_point(self) -> Any:
        """The decoded G2 point of the public key, decoded once per process per key."""
        try:
            return _decoded_key(self.public_key)
        except ValueError as exc:  # bls.BlsError
            raise BeaconError(f"信标链 {self.name!r}：{exc}") from None

    def facts(self) -> dict[str, Any]:
        """The dict pinned in a ledger's genesis (hex strings, integers)."""
        return {
            "name": self.name,
            "chain_hash": self.chain_hash,
            "public_key": self.public_key,
            "scheme": self.scheme,
            "genesis_time": self.genesis_time,
            "period": self.period,
        }


@functools.lru_cache(maxsize=8)
def _decoded_key(public_key: str) -> Any:
    """Decompress and subgroup-check a chain key (tens of milliseconds; py_ecc's import
    costs about a second): cached per process, as every round of a chain uses the same key."""
    from suiji.crypto import bls

    return bls.decode_g2(bytes.fromhex(public_key))


def _check_known(facts: Mapping[str, Any], where: str) -> None:
    """A chain that borrows a known chain's name, hash or key must be that chain exactly.

    Otherwise a genesis could call an attacker's key "drand-quicknet", or reuse quicknet's
    chain hash so that cached verifications of one chain pass for the other.
    """
    for known in _KNOWN.values():
        if any(facts[k] == known[k] for k in ("name", "chain_hash", "public_key")):
            diff = [k for k in FACT_KEYS if facts[k] != known[k]]
            if diff:
                raise BeaconError(
                    f"{where}：与已知链 {known['name']} 的名称、哈希或公钥相同，"
                    f"但 {', '.join(diff)} 不同；请使用 chain_facts({known['name']!r}) 的原值"
                )


def chain_facts(name: str) -> dict[str, Any]:
    """The public facts of a known chain: `drand-quicknet` or `suiji-demo` (a fresh copy)."""
    if name not in _KNOWN:
        raise UsageError(f"未知的信标链 {name!r}；可用：{QUICKNET}、{DEMO}")
    return dict(_KNOWN[name])


def chain_from_facts(facts: Mapping[str, Any]) -> Chain:
    """Build a Chain from a facts dict (as pinned in a genesis), validating it strictly.

    Exactly the six keys; hex lower-case and of the right length; the key a valid G2 point
    in the subgroup; the scheme the one supported; a known chain's facts unaltered.
    """
    if not isinstance(facts, Mapping):
        raise BeaconError(f"信标链参数必须是对象，实际是 {type(facts).__name__}")
    keys = set(facts)
    if keys != set(FACT_KEYS):
        missing = sorted(set(FACT_KEYS) - keys)
        extra = sorted(str(k) for k in keys - set(FACT_KEYS))
        raise BeaconError(
            f"信标链参数的键不对：缺少 {missing or '无'}，多出 {extra or '无'}；"
            f"应恰好是 {', '.join(FACT_KEYS)}"
        )
    return Chain(**{k: facts[k] for k in FACT_KEYS})


def is_demo_chain(facts: object) -> bool:
    """True if these facts name, hash or key the demo chain, whose secret key is public.

    A ledger that is not a demo ledger must refuse such a chain: anyone can sign its rounds.
    """
    if isinstance(facts, Chain):
        facts = facts.facts()
    if not isinstance(facts, Mapping):
        return False
    return any(facts.get(k) == _DEMO_FACTS[k] for k in ("name", "chain_hash", "public_key"))


# ---------------------------------------------------------------- the public allow-list

PUBLIC_CHAINS: tuple[str, ...] = (QUICKNET,)
"""Independent public beacons a non-demo ledger may name (docs/spec/08-beacons.md §8.1.1).

Only chains nobody in the bureau can sign for: a chain whose BLS key the bureau holds lets
it know every "beacon" value in advance. Adding one is a spec change, by its exact facts.
"""


def is_public_chain(facts: object) -> bool:
    """True if `facts` are exactly those of an allow-listed public chain (all six facts)."""
    if isinstance(facts, Chain):
        facts = facts.facts()
    if not isinstance(facts, Mapping):
        return False
    return any(
        all(facts.get(k) == _KNOWN[name][k] for k in FACT_KEYS) and len(facts) == len(FACT_KEYS)
        for name in PUBLIC_CHAINS
    )


# ---------------------------------------------------------------- round ↔ time


def _check_round(round: object, where: str = "轮次") -> int:
    return _check_int(round, 1, MAX_ROUND, "轮次 round ", where)


def _check_time(unix_time: object) -> int:
    if isinstance(unix_time, bool) or not isinstance(unix_time, int):
        raise UsageError(f"时间必须是整数秒（Unix 时间），实际是 {type(unix_time).__name__}")
    return unix_time


def round_time(chain: Chain, round: int) -> int:
    """Unix time at which `round` is produced: genesis + (round − 1) × period.

    drand never emits a round before this time.
    """
    _check_round(round)
    return chain.genesis_time + (round - 1) * chain.period


def first_round_at_or_after(chain: Chain, unix_time: int) -> int:
    """The round chosen at commitment: the first whose time is ≥ `unix_time` (at least 1).

    Because its time is not before the commitment, its value cannot have been known then.
    """
    t = _check_time(unix_time)
    if t <= chain.genesis_time:
        return 1
    r = 1 + -(-(t - chain.genesis_time) // chain.period)
    if r > MAX_ROUND:
        raise UsageError(f"时间 {t} 超出可记录的轮次范围")
    return r


def first_round_after(chain: Chain, unix_time: int) -> int:
    """The round a commitment names: the first whose time is strictly after `unix_time`.

    Ledger times are whole seconds, so a round produced within the second of
    commitment + delay could already be public when that second is written: "strictly
    after" leaves no same-second peek (docs/spec/08-beacons.md §8.2).
    """
    return first_round_at_or_after(chain, _check_time(unix_time) + 1)


def latest_round_at(chain: Chain, unix_time: int) -> int:
    """The last round produced at or before `unix_time`, or 0 before genesis."""
    t = _check_time(unix_time)
    if t < chain.genesis_time:
        return 0
    return min(MAX_ROUND, 1 + (t - chain.genesis_time) // chain.period)


# ---------------------------------------------------------------- verification


def round_message(round: int) -> bytes:
    """The 32 bytes drand signs for an unchained round: sha256(uint64 big-endian round)."""
    _check_round(round)
    return hashlib.sha256(round.to_bytes(8, "big")).digest()


def randomness_of(signature_hex: str) -> str:
    """A round's randomness: sha256 of the signature bytes, lower-case hex."""
    sig = _hex_bytes(signature_hex, _SIG_BYTES, "签名 ", "签名")
    return hashlib.sha256(sig).hexdigest()
