"""Strict kinds and signers: only the kinds the SPEC defines, signed only by whom it says.

The ledger layer is a transport: it checks lines, chain, signatures and objects for any
well-formed kind, so its own tests may carry free `note` entries. A full verifier goes
further (docs/spec/04-ledger.md §4.2.4, docs/adr/0021-strict-kinds-at-the-verifier.md): an
entry of a kind the SPEC does not define means the ledger says something nobody can
check (`kind-unknown`), and an entry signed by keys its kind does not admit
(`signers-kind`) — a root signature on a draw, say — is not what the SPEC allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.model.entries import DECODERS, GENESIS, KEY
from suiji.shared.findings import Finding

ROOT_SIGNED = frozenset({GENESIS, KEY})
"""Kinds that carry root signatures besides the writer's (docs/spec/05-keys.md §5.5)."""

DEFINED = frozenset(DECODERS)
"""The kinds the SPEC defines: exactly those with a typed body in `suiji.model.entries`."""

WRITER_ONLY = DEFINED - ROOT_SIGNED
"""Kinds the signing key alone signs: exactly one signature, the writer's."""


@dataclass
class KindChecker:
    """Flags undefined kinds and signatures a kind does not admit."""

    def check(self, entry: Entry, objects: ObjectStore) -> Iterable[Finding]:
        if entry.kind not in DEFINED:
            return [
                Finding(
                    entry.seq,
                    "integrity",
                    "kind-unknown",
                    f"条目类型 {entry.kind!r} 不是规范定义的类型：其内容无法验证",
                )
            ]
        if entry.kind in WRITER_ONLY and len(entry.sigs) != 1:
            return [
                Finding(
                    entry.seq,
                    "integrity",
                    "signers-kind",
                    f"{entry.kind} 条目只能由当前签名密钥签署（恰好一个签名），实有 {len(entry.sigs)} 个",
                )
            ]
        return []

    def finish(self) -> Iterable[Finding]:
        return []
