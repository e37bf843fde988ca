"""Checking a round's BLS signature against its chain."""

from __future__ import annotations

import hashlib

from suiji.beacon.cache import VerifiedCache
from suiji.beacon.chain import (
    _SIG_BYTES,
    BeaconError,
    Chain,
    _check_round,
    _hex_bytes,
    round_message,
)


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
    from suiji.crypto import bls  # py_ecc costs a second to import: only on a cache miss

    try:
        sig_point = bls.decode_g1(sig)
    except bls.BlsError as exc:
        raise BeaconError(f"{where}：{exc}") from None
    if not bls.pairing_check(chain._pk_point, sig_point, round_message(round)):
        raise BeaconError(
            f"{where}：签名验证失败（不是该链对该轮的签名）；请核对轮次、链和签名是否抄错"
        )
    randomness = hashlib.sha256(sig).hexdigest()
    if cache is not None:
        cache._remember(chain, round, signature_hex, randomness)
    return randomness
