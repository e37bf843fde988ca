"""Where rounds come from: drand relays, recorded files and the demo signer.

Network code lives here only, so the verifier never imports it.
"""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from suiji import __version__
from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import (
    _QUICKNET_FACTS,
    _SIG_BYTES,
    DEFAULT_RELAYS,
    DEMO,
    DEMO_KEY_PHRASE,
    QUICKNET,
    BeaconError,
    BeaconUnavailable,
    Chain,
    _check_round,
    _hex_bytes,
    is_demo_chain,
    randomness_of,
    round_message,
    round_time,
)
from suiji.beacon.verify import verify_round
from suiji.shared.canonical import parse_strict_json
from suiji.shared.errors import CanonicalError, InputError, Location, UsageError

"""RFC 9380 hash-to-curve suite for G1 with drand's NUL (basic) signature tag."""
"""Rounds are written in canonical JSON, whose integers stop at 2^53 − 1."""
"""League of Entropy HTTP relays (drand HTTP API v1). Any of them may serve any round;
the signature, not the relay, is what is trusted."""
"""The demo chain's secret key is sha256(this phrase) mod r — published on purpose."""


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
            f"{where}：该轮要到 Unix 时间 {due} 才产生（还差 {due - clock} 秒），请到时再取",
            code="beacon-round-not-yet",
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
        "（格式见 docs/spec/08-beacons.md §8.6）后离线验证"
    )


# ---------------------------------------------------------------- recorded rounds

_ROUND_KEYS = {"round", "signature", "randomness"}


def load_recorded(path: Path | str, *, chain: Chain | None = None) -> dict[int, str]:
    """Read a recorded-rounds file; return {round: signature hex} (signatures NOT yet verified).

    Format: {"rounds": [{"round", "signature", "randomness"?}, ...], "chain"?: {"hash", ...}}
    or a plain list of such objects, or one such object alone — exactly what a drand relay
    returns for `GET /{chain_hash}/public/{round}` — so a clerk can save the relay's answer
    on a connected machine and carry it over. A `randomness` that is not sha256(signature),
    a duplicated round or a file whose chain hash differs from `chain` is an error.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{p}：无法读取记录的信标文件（{exc.strerror}）",
            code="file-unreadable",
            location=Location(str(p)),
        ) from None
    try:
        data = _strict_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}：不是合法的 JSON（{exc}）") from None
    if isinstance(data, dict) and "rounds" not in data and {"round", "signature"} <= set(data):
        rounds: Any = [data]  # one round as a relay serves it
    elif isinstance(data, dict):
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
            raise BeaconError(
                f"{p}：缺少 rounds 数组，也不是中继返回的单轮"
                '（{"round": …, "randomness": …, "signature": …}）；格式见 docs/spec/08-beacons.md §8.6'
            )
    elif isinstance(data, list):
        rounds = data
    else:
        raise BeaconError(f'{p}：应为对象 {{"rounds": [...]}}、中继返回的单轮对象或数组')
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
    return Path(__file__).parent.parent / "data" / files[name]


# ---------------------------------------------------------------- demo chain


def demo_secret_key() -> int:
    """The demo chain's PUBLISHED secret key: sha256(DEMO_KEY_PHRASE) mod r. Never for real use."""
    from suiji.crypto import bls  # py_ecc costs a second to import: only when signing

    return int.from_bytes(hashlib.sha256(DEMO_KEY_PHRASE).digest(), "big") % bls.curve_order


def demo_sign_round(round: int) -> str:
    """The demo chain's signature of `round` (lower-case hex): sk × hash_to_G1(message)."""
    from suiji.crypto import bls

    h = bls.hash_to_g1(round_message(round))
    z: int = bls.compress_G1(bls.multiply(h, demo_secret_key()))
    return z.to_bytes(_SIG_BYTES, "big").hex()


def demo_round(round: int) -> dict[str, Any]:
    """A demo round in the shape fetch_round returns: {round, signature, randomness}."""
    signature = demo_sign_round(round)
    return {"round": round, "signature": signature, "randomness": randomness_of(signature)}
