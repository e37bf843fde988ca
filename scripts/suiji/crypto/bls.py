"""BLS12-381 point decoding and the pairing check of drand's G1 signatures.

py_ecc is slow to import (about a second): only code that really checks a signature
should import this module.
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

# py_ecc raises the interpreter's recursion limit to 100000 when imported. Deep recursion
# on hostile input would then overflow the C stack (a segfault) instead of raising
# RecursionError, so the limit is put back: py_ecc itself recurses at most a few hundred
# levels (scalar multiplication by a 255-bit scalar).
_LIMIT = sys.getrecursionlimit()

from py_ecc.bls.hash_to_curve import hash_to_G1  # noqa: E402
from py_ecc.bls.point_compression import compress_G1, decompress_G1, decompress_G2  # noqa: E402
from py_ecc.bls.typing import G1Compressed, G2Compressed  # noqa: E402
from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12  # noqa: E402
from py_ecc.optimized_bls12_381.optimized_curve import (  # noqa: E402
    G2,
    curve_order,
    is_inf,
    multiply,
    neg,
)
from py_ecc.optimized_bls12_381.optimized_pairing import (  # noqa: E402
    final_exponentiate,
    pairing,
)

sys.setrecursionlimit(_LIMIT)

__all__ = [
    "BlsError",
    "compress_G1",
    "curve_order",
    "decode_g1",
    "decode_g2",
    "hash_to_g1",
    "multiply",
    "pairing_check",
]

DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
"""drand quicknet's domain separation tag (RFC 9380 hash to G1, short signatures)."""


class BlsError(ValueError):
    """Bytes that are not a usable point; the message names what and why, in Chinese."""


def decode_g2(data: bytes) -> Any:
    """A 96-byte compressed G2 point in the prime-order subgroup, not infinity."""
    z1 = int.from_bytes(data[:48], "big")
    z2 = int.from_bytes(data[48:], "big")
    try:
        point = decompress_G2(G2Compressed((z1, z2)))
    except (ValueError, ArithmeticError) as exc:
        raise BlsError(f"公钥不是 BLS12-381 G2 上的压缩点（{exc}）") from None
    if is_inf(point):
        raise BlsError("公钥是无穷远点，不可用")
    if not is_inf(multiply(point, curve_order)):
        raise BlsError("公钥不在 G2 素数阶子群中")
    return point


def decode_g1(data: bytes) -> Any:
    """A 48-byte compressed G1 point in the prime-order subgroup, not infinity.

    The subgroup check matters: a point of small order could make the pairing equation
    hold for a value no key ever signed.
    """
    try:
        point = decompress_G1(G1Compressed(int.from_bytes(data, "big")))
    except (ValueError, ArithmeticError) as exc:
        raise BlsError(f"签名不是 BLS12-381 G1 上的压缩点（{exc}）") from None
    if is_inf(point):
        raise BlsError("签名是无穷远点，无效")
    if not is_inf(multiply(point, curve_order)):
        raise BlsError("签名不在 G1 素数阶子群中，无效")
    return point


def hash_to_g1(message: bytes) -> Any:
    """RFC 9380 hash_to_curve of a message onto G1 with drand's DST."""
    return hash_to_G1(message, DST, hashlib.sha256)  # type: ignore[arg-type]


def pairing_check(pk_point: Any, sig_point: Any, message: bytes) -> bool:
    """e(G2, sig) == e(pk, H(m)), computed as e(G2, sig)·e(−pk, H(m)) == 1.

    One shared final exponentiation instead of two full pairings: the same equation, as
    py_ecc's own BLS Verify computes it, about four times faster.
    """
    h = hash_to_g1(message)
    product = pairing(G2, sig_point, final_exponentiate=False) * pairing(
        neg(pk_point), h, final_exponentiate=False
    )
    ok: bool = final_exponentiate(product) == FQ12.one()
    return ok
