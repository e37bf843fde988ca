"""drand rounds: round ↔ time, BLS verification, a verified-round cache, fetching, a demo chain.

A draw's seed is the randomness of a drand round chosen when the plan is committed: the
first round whose time is at or after the commitment. Nobody — the bureau included — can
know that value in advance or steer it, and anyone can check it afterwards with the
chain's public key. The contract is docs/SPEC.md part 4; this module is its reference.

Only the scheme `bls-unchained-g1-rfc9380` (drand "quicknet") is supported. The chained
default drand network signs a different message (it includes the previous signature);
mixing the two would silently verify nothing, so any other scheme is refused.

The demo chain `suiji-demo` uses the same scheme with a *published* secret key, so the
demo can produce rounds offline. Its values are worthless as randomness by design; a
ledger that is not a demo ledger must refuse it (`is_demo_chain`).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from py_ecc.bls.hash_to_curve import hash_to_G1
from py_ecc.bls.point_compression import compress_G1, decompress_G1, decompress_G2
from py_ecc.bls.typing import G1Compressed, G2Compressed
from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
from py_ecc.optimized_bls12_381.optimized_curve import G2, curve_order, is_inf, multiply, neg
from py_ecc.optimized_bls12_381.optimized_pairing import final_exponentiate, pairing

from suiji import __version__
from suiji.encoding import MAX_INT, canonical_json, parse_strict_json, tagged_hex
from suiji.errors import CanonicalError, CheckFailed, InputError, UsageError


class BeaconError(CheckFailed):
    """A value that should be a genuine beacon round is not (exit 1).

    CheckFailed rather than InputError: in a ledger, a signature that does not verify — or
    is not even a well-formed point — means the ledger's draw cannot be trusted, which is
    exactly "a check found a problem". The same holds for chain facts pinned in a genesis.
    """


class BeaconUnavailable(InputError):
    """No relay delivered a verified round (exit 2): nothing was found wrong, input is missing."""


SCHEME = "bls-unchained-g1-rfc9380"
DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
"""RFC 9380 hash-to-curve suite for G1 with drand's NUL (basic) signature tag."""

QUICKNET = "drand-quicknet"
DEMO = "suiji-demo"
MAX_ROUND = MAX_INT
"""Rounds are written in canonical JSON, whose integers stop at 2^53 − 1."""

FACT_KEYS = ("name", "chain_hash", "public_key", "scheme", "genesis_time", "period")
DEFAULT_RELAYS: tuple[str, ...] = (
    "https://api.drand.sh",
    "https://api2.drand.sh",
    "https://api3.drand.sh",
    "https://drand.cloudflare.com",
)
"""League of Entropy HTTP relays (drand HTTP API v1). Any of them may serve any round;
the signature, not the relay, is what is trusted."""

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
"""The demo chain's secret key is sha256(this phrase) mod r — published on purpose."""
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


def _decode_g2(data: bytes, where: str) -> Any:
    """A 96-byte compressed G2 point in the prime-order subgroup, not infinity."""
    z1 = int.from_bytes(data[:48], "big")
    z2 = int.from_bytes(data[48:], "big")
    try:
        point = decompress_G2(G2Compressed((z1, z2)))
    except (ValueError, ArithmeticError) as exc:
        raise BeaconError(f"{where}：公钥不是 BLS12-381 G2 上的压缩点（{exc}）") from None
    if is_inf(point):
        raise BeaconError(f"{where}：公钥是无穷远点，不可用")
    if not is_inf(multiply(point, curve_order)):
        raise BeaconError(f"{where}：公钥不在 G2 素数阶子群中")
    return point


def _decode_g1(data: bytes, where: str) -> Any:
    """A 48-byte compressed G1 point in the prime-order subgroup, not infinity.

    The subgroup check matters: a point of small order could make the pairing equation
    hold for a value no key ever signed.
    """
    try:
        point = decompress_G1(G1Compressed(int.from_bytes(data, "big")))
    except (ValueError, ArithmeticError) as exc:
        raise BeaconError(f"{where}：签名不是 BLS12-381 G1 上的压缩点（{exc}）") from None
    if is_inf(point):
        raise BeaconError(f"{where}：签名是无穷远点，无效")
    if not is_inf(multiply(point, curve_order)):
        raise BeaconError(f"{where}：签名不在 G1 素数阶子群中，无效")
    return point


def _check_int(value: object, low: int, high: int, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BeaconError(f"{where}：{what}必须是整数，实际是 {type(value).__name__}")
    if not low <= value <= high:
        raise BeaconError(f"{where}：{what}必须在 {low}..{high} 之间，实际 {value}")
    return value


@dataclass(frozen=True)
class Chain:
    """A beacon chain's public facts; constructing one validates them (and the key) fully.

    The decoded public-key point is kept beside the facts so each verification does not
    repeat the G2 decompression and subgroup check.
    """

    name: str
    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period: int
    _pk_point: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"信标链 {self.name!r}"
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise BeaconError(f"{where}：链名只能含小写字母、数字和 -（至多 64 个字符）")
        _hex_bytes(self.chain_hash, 32, "chain_hash ", where)
        pk = _hex_bytes(self.public_key, _PK_BYTES, "公钥 public_key ", where)
        if self.scheme != SCHEME:
            raise BeaconError(
                f"{where}：不支持的方案 {self.scheme!r}；只支持 {SCHEME}"
                "（drand quicknet）。默认的链式 drand 网络消息规则不同，不能混用"
            )
        _check_int(self.genesis_time, 0, MAX_INT, "genesis_time ", where)
        _check_int(self.period, 1, _MAX_PERIOD, "period ", where)
        _check_known(self.facts(), where)
        object.__setattr__(self, "_pk_point", _decode_g2(pk, where))

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


def _hash_to_g1(round: int) -> Any:
    """RFC 9380 hash_to_curve of the round message onto G1 with drand's DST."""
    return hash_to_G1(round_message(round), DST, hashlib.sha256)  # type: ignore[arg-type]


def _pairing_check(pk_point: Any, sig_point: Any, round: int) -> bool:
    """e(G2, sig) == e(pk, H(m)), computed as e(G2, sig)·e(−pk, H(m)) == 1.

    One shared final exponentiation instead of two full pairings: the same equation, as
    py_ecc's own BLS Verify computes it, about four times faster.
    """
    h = _hash_to_g1(round)
    product = pairing(G2, sig_point, final_exponentiate=False) * pairing(
        neg(pk_point), h, final_exponentiate=False
    )
    ok: bool = final_exponentiate(product) == FQ12.one()
    return ok


def verify_round(
    chain: Chain, round: int, signature_hex: str, *, cache: VerifiedCache | None = None
) -> str:
    """Check that `signature_hex` is the chain's signature of `round`; return its randomness.

    With a cache, a triple verified before (same chain, round and exact signature) skips
    the pairing; anything else is verified and, if valid, remembered.
    """
    where = f"信标 {chain.name} 第 {round} 轮"
    _check_round(round, where)
    sig = _hex_bytes(signature_hex, _SIG_BYTES, "签名 signature ", where)
    if cache is not None:
        hit = cache.lookup(chain, round, signature_hex)
        if hit is not None:
            return hit
    sig_point = _decode_g1(sig, where)
    if not _pairing_check(chain._pk_point, sig_point, round):
        raise BeaconError(
            f"{where}：签名验证失败（不是该链对该轮的签名）；请核对轮次、链和签名是否抄错"
        )
    randomness = hashlib.sha256(sig).hexdigest()
    if cache is not None:
        cache._remember(chain, round, signature_hex, randomness)
    return randomness


# ---------------------------------------------------------------- cache

CACHE_FORMAT = "suiji-beacon-cache/v1"
CACHE_TAG = "suiji/beacon-cache/v1"
_MAX_CACHE_ENTRIES = 4096


def default_cache_path() -> Path:
    """$XDG_CACHE_HOME/suiji/beacons.json, else ~/.cache/suiji/beacons.json."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "suiji" / "beacons.json"


def _entry_check(entry: Mapping[str, Any]) -> str:
    body = {k: entry[k] for k in ("chain_hash", "public_key", "round", "signature", "randomness")}
    return tagged_hex(CACHE_TAG, canonical_json(body))


class VerifiedCache:
    """Rounds already verified on this machine, in a small JSON file written atomically.

    A hit needs the same chain hash, public key, round and *exact* signature, an intact
    entry checksum and randomness = sha256(signature); anything else is a miss and gets
    verified afresh. The file is an optimisation only: unreadable or damaged, it counts
    as empty, and failing to write it never fails a verification.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()

    def _load(self) -> list[Any]:
        """The file's entries, NOT yet checked; a damaged file counts as empty."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return []
        entries = data.get("entries")
        return entries if isinstance(entries, list) else []

    def lookup(self, chain: Chain, round: int, signature_hex: str) -> str | None:
        """The randomness if this exact triple was verified before, else None.

        Only entries matching the triple are integrity-checked, so a lookup stays cheap
        however many rounds the file holds.
        """
        key = (chain.chain_hash, chain.public_key, round, signature_hex)
        for e in self._load():
            if isinstance(e, dict) and _key(e) == key and _intact(e):
                randomness: str = e["randomness"]
                return randomness
        return None

    def _remember(self, chain: Chain, round: int, signature_hex: str, randomness: str) -> None:
        """Record a triple that verify_round has just verified (private on purpose)."""
        entry: dict[str, Any] = {
            "chain_hash": chain.chain_hash,
            "public_key": chain.public_key,
            "round": round,
            "signature": signature_hex,
            "randomness": randomness,
        }
        entry["check"] = _entry_check(entry)
        key = (chain.chain_hash, chain.public_key, round, signature_hex)
        entries = [e for e in self._load() if _intact(e) and _key(e) != key]
        entries.append(entry)
        data = canonical_json({"format": CACHE_FORMAT, "entries": entries[-_MAX_CACHE_ENTRIES:]})
        with contextlib.suppress(OSError):
            _write_atomic(self.path, data)


def _key(e: dict[str, Any]) -> tuple[Any, ...]:
    return (e.get("chain_hash"), e.get("public_key"), e.get("round"), e.get("signature"))


def _intact(e: object) -> bool:
    if not isinstance(e, dict) or set(e) != {
        "chain_hash",
        "public_key",
        "round",
        "signature",
        "randomness",
        "check",
    }:
        return False
    try:
        sig = _hex_bytes(e["signature"], _SIG_BYTES, "", "")
        _hex_bytes(e["chain_hash"], 32, "", "")
        _hex_bytes(e["public_key"], _PK_BYTES, "", "")
        _check_round(e["round"])
        ok = bool(
            e["randomness"] == hashlib.sha256(sig).hexdigest() and e["check"] == _entry_check(e)
        )
    except (BeaconError, ValueError, TypeError):
        return False
    return ok


def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- fetching

_MAX_RESPONSE = 64 * 1024


def _strict_json(data: bytes) -> Any:
    """Strict JSON (no duplicate keys or floats); errors as ValueError for the relay loop."""
    try:
        return parse_strict_json(data)
    except CanonicalError as exc:
        raise ValueError(str(exc)) from None


def _fetch_one(chain: Chain, round: int, relay: str, timeout: float) -> str:
    """GET one relay's answer for `round`; return the signature hex it claims (unverified)."""
    parts = urllib.parse.urlsplit(relay)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("中继地址必须以 https:// 或 http:// 开头")
    url = f"{relay.rstrip('/')}/{chain.chain_hash}/public/{round}"
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": f"suiji/{__version__}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(_MAX_RESPONSE + 1)
    if len(body) > _MAX_RESPONSE:
        raise ValueError("响应过大")
    data = _strict_json(body)
    if not isinstance(data, dict):
        raise ValueError("响应不是 JSON 对象")
    if data.get("round") != round or isinstance(data.get("round"), bool):
        raise ValueError(f"响应的轮次是 {data.get('round')!r}，不是所请求的 {round}")
    signature = data.get("signature")
    where = f"中继 {relay}"
    if not isinstance(signature, str):
        raise ValueError("响应缺少字符串 signature")
    _hex_bytes(signature, _SIG_BYTES, "签名 ", where)
    claimed = data.get("randomness")
    if claimed is not None and claimed != randomness_of(signature):
        raise BeaconError(f"{where}：randomness 不等于 sha256(signature)")
    return signature


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP 状态 {exc.code}"
    if isinstance(exc, TimeoutError):
        return "超时"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return "超时"
        if isinstance(reason, ConnectionRefusedError):
            return "连接被拒绝"
        return f"无法连接（{reason}）"
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝"
    if isinstance(exc, BeaconError):
        return f"返回的签名无效：{exc}"
    return f"{type(exc).__name__}：{exc}"


def fetch_round(
    chain: Chain,
    round: int,
    *,
    relays: Sequence[str] | None = None,
    timeout: float = 10.0,
    cache: VerifiedCache | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """Fetch `round` from drand HTTP relays and verify it; return {round, signature, randomness}.

    Relays are tried in order (default: the League of Entropy relays, for quicknet only);
    one that fails, times out or serves an invalid signature is skipped. A relay is never
    trusted: only a signature that verifies against the chain's key is returned.
    `now` (Unix seconds, default the real clock) refuses rounds not yet produced.
    """
    where = f"信标 {chain.name} 第 {round} 轮"
    _check_round(round, where)
    if relays is None:
        if chain.facts() != _QUICKNET_FACTS:
            raise UsageError(
                f"{where}：链 {chain.name} 没有默认中继；请给出 relays"
                + ("（演示链请用 demo_round 离线生成）" if is_demo_chain(chain) else "")
            )
        relays = DEFAULT_RELAYS
    if isinstance(relays, str) or not relays:
        raise UsageError(f"{where}：中继列表为空或不是列表")
    if not timeout > 0:
        raise UsageError(f"{where}：超时必须为正数秒")
    clock = int(time.time()) if now is None else now
    due = round_time(chain, round)
    if clock < due:
        raise BeaconUnavailable(
            f"{where}：该轮要到 Unix 时间 {due} 才产生（还差 {due - clock} 秒），请到时再取"
        )
    failures: list[str] = []
    for relay in relays:
        try:
            signature = _fetch_one(chain, round, relay, timeout)
            randomness = verify_round(chain, round, signature, cache=cache)
        except (OSError, ValueError, http.client.HTTPException, BeaconError) as exc:
            failures.append(f"  - {relay}：{_describe(exc)}")
            continue
        return {"round": round, "signature": signature, "randomness": randomness}
    raise BeaconUnavailable(
        f"{where}：没有任何中继给出经验证的结果：\n"
        + "\n".join(failures)
        + "\n请检查网络后重试；也可从可信来源取得该轮签名，存成记录文件"
        "（格式见 docs/SPEC.md part 4）后离线验证"
    )


# ---------------------------------------------------------------- recorded rounds

_ROUND_KEYS = {"round", "signature", "randomness"}


def load_recorded(path: Path | str, *, chain: Chain | None = None) -> dict[int, str]:
    """Read a recorded-rounds file; return {round: signature hex} (signatures NOT yet verified).

    Format: {"rounds": [{"round", "signature", "randomness"?}, ...], "chain"?: {"hash", ...}}
    or a plain list of such objects. A `randomness` that is not sha256(signature), a
    duplicated round or a file whose chain hash differs from `chain` is an error.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}：无法读取记录的信标文件（{exc.strerror}）") from None
    try:
        data = _strict_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}：不是合法的 JSON（{exc}）") from None
    if isinstance(data, dict):
        file_chain = data.get("chain")
        if (
            chain is not None
            and isinstance(file_chain, dict)
            and file_chain.get("hash", chain.chain_hash) != chain.chain_hash
        ):
            raise BeaconError(
                f"{p}：文件记录的是链 {file_chain['hash']!r}，"
                f"不是 {chain.name}（{chain.chain_hash}）"
            )
        rounds = data.get("rounds")
        if not isinstance(rounds, list):
            raise BeaconError(f"{p}：缺少 rounds 数组；格式见 docs/SPEC.md part 4")
    elif isinstance(data, list):
        rounds = data
    else:
        raise BeaconError(f'{p}：应为对象 {{"rounds": [...]}} 或数组')
    out: dict[int, str] = {}
    for i, item in enumerate(rounds):
        where = f"{p}:rounds[{i}]"
        if not isinstance(item, dict):
            raise BeaconError(f"{where}：每一轮应是对象")
        if not {"round", "signature"} <= set(item) <= _ROUND_KEYS:
            raise BeaconError(
                f"{where}：键应为 round、signature（可选 randomness），实际 {sorted(item)}"
            )
        r = _check_round(item["round"], where)
        sig_hex = item["signature"]
        sig = _hex_bytes(sig_hex, _SIG_BYTES, "签名 signature ", where)
        if "randomness" in item:
            _hex_bytes(item["randomness"], 32, "randomness ", where)
            if item["randomness"] != hashlib.sha256(sig).hexdigest():
                raise BeaconError(f"{where}：randomness 不等于 sha256(signature)，记录有误")
        if r in out:
            raise BeaconError(f"{where}：第 {r} 轮重复出现")
        out[r] = sig_hex
    return out


def recorded_path(name: str) -> Path:
    """Package data file of recorded rounds: `drand-quicknet.json` or `demo-beacon.json`."""
    files = {QUICKNET: "drand-quicknet.json", DEMO: "demo-beacon.json"}
    if name not in files:
        raise UsageError(f"没有链 {name!r} 的记录文件")
    return Path(__file__).parent / "data" / files[name]


# ---------------------------------------------------------------- demo chain


def demo_secret_key() -> int:
    """The demo chain's PUBLISHED secret key: sha256(DEMO_KEY_PHRASE) mod r. Never for real use."""
    return int.from_bytes(hashlib.sha256(DEMO_KEY_PHRASE).digest(), "big") % curve_order


def demo_sign_round(round: int) -> str:
    """The demo chain's signature of `round` (lower-case hex): sk × hash_to_G1(message)."""
    h = _hash_to_g1(round)
    z: int = compress_G1(multiply(h, demo_secret_key()))
    return z.to_bytes(_SIG_BYTES, "big").hex()


def demo_round(round: int) -> dict[str, Any]:
    """A demo round in the shape fetch_round returns: {round, signature, randomness}."""
    signature = demo_sign_round(round)
    return {"round": round, "signature": signature, "randomness": randomness_of(signature)}
