"""Commitment rules that need no lifecycle state: the genesis's beacon chains and the
dates inside the committed records (docs/spec/08-beacons.md, 13-task-entries.md §13.1).

Kept apart from `suiji.verify.replay` so each module stays small; the replay calls them
at the genesis and at each commitment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suiji.beacon.chain import PUBLIC_CHAINS, is_demo_chain
from suiji.ledger.codec import Entry
from suiji.model.genesis import Genesis, private_beacons
from suiji.model.tasks import ChainRound
from suiji.records.dating import rows_dated_after
from suiji.shared.findings import Finding


def _bad(entry: Entry, code: str, message: str) -> Finding:
    return Finding(entry.seq, "integrity", code, message)


def public_beacon_findings(entry: Entry, genesis: Genesis) -> list[Finding]:
    """A non-demo genesis naming a chain outside the allow-list (docs/spec/08-beacons.md)."""
    return [
        _bad(
            entry,
            "beacon-not-public",
            f"非演示账本登记了不在公开信标允许清单（{'、'.join(PUBLIC_CHAINS)}）中的信标链 "
            f"{name}：其私钥可能由本局持有，随机数可被预知",
        )
        for name in private_beacons(genesis)
        if not any(is_demo_chain(b.to_json()) for b in genesis.beacons if b.name == name)
    ]


def first_chain_findings(entry: Entry, info: ChainRound, genesis: Genesis) -> list[Finding]:
    """A commitment must use the genesis's first chain (docs/spec/13-task-entries.md §13.1)."""
    first = genesis.beacons[0] if genesis.beacons else None
    if first is None or info.chain_hash == first.chain_hash:
        return []
    return [
        _bad(
            entry,
            "beacon-not-first",
            f"承诺使用了信标链 {info.chain}，而非创世条目登记的第一条链 {first.name}："
            "可在多条链间挑选结果",
        )
    ]


# ---------------------------------------------------------------- backdating by the records


def rows_dated_after_findings(
    entry: Entry, as_of: str, rows: Mapping[str, list[dict[str, Any]]]
) -> list[Finding]:
    """A snapshot row included or updated after `as_of` proves the commitment backdated."""
    out: list[Finding] = []
    for name, recs in rows.items():
        late = rows_dated_after(name, recs, as_of)
        if late:
            shown = "、".join(f"{r.key} 的{r.header} {r.date}" for r in late[:3])
            more = f"等 {len(late)} 行" if len(late) > 3 else ""
            out.append(
                _bad(
                    entry,
                    "records-dated-later",
                    f"承诺日期为 {as_of}，但其 {name} 快照中有晚于该日的记录（{shown}{more}）："
                    "承诺是事后补写、倒签日期的",
                )
            )
    return out
