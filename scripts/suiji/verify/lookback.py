"""Backdating against what this verifier saw before (`verify --state`, state v2).

Until witnesses cosign checkpoints, an entry's time is only the bureau's clock: after an
idle gap a commitment could be appended once its round is public, stamped earlier. A
verifier that looked at the ledger at time T and saw N lines knows two things the bureau
cannot undo: no entry beyond the first N was written before T, and the N lines it saw —
the last one included, even when no checkpoint covers it yet. This module turns a later
contradiction of either into a finding, with both sides as evidence
(docs/spec/14-verifier.md §14.6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suiji.ledger.codec import Entry
from suiji.shared.findings import Finding

CLOCK_NOTICE = (
    "本账本的创世条目没有见证人策略：承诺时间以本局的时钟为准，无法证明条目确实写于其所记的时间；"
    "用 --state 定期验证可发现在上次查看之后补写、却把时间倒签到查看之前的条目"
)
"""Said in every report of a ledger whose genesis names no witnesses (spec §19.4)."""


@dataclass(frozen=True)
class Seen:
    """What a previous run recorded: when it looked, how many lines, the last line."""

    seen_at: str
    size: int
    last_hash: str
    last_line: str
    checkpoint: str

    def record(self) -> str:
        """The verifier's own record, as one piece of evidence."""
        return (
            f"suiji verify --state：于 {self.seen_at}（验证者的时钟）查看时账本共 {self.size} 条，"
            f"最后一条（#{self.size - 1}）的条目哈希为 {self.last_hash}\n"
        )


@dataclass
class LookBack:
    """Watches the entries of one run against what the previous run `seen`."""

    seen: Seen | None
    findings: list[Finding] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    last: Entry | None = None

    def see(self, entry: Entry) -> None:
        """Called for every structurally valid entry, in order."""
        self.last = entry
        seen = self.seen
        if seen is None:
            return
        if entry.seq == seen.size - 1 and entry.hash != seen.last_hash:
            self._found(
                entry,
                "state-line-changed",
                f"上次验证（{seen.seen_at}）时第 #{entry.seq} 条的条目哈希为 {seen.last_hash}，"
                f"现在是 {entry.hash}：已验证位置上的条目被替换",
                seen.last_line,
            )
        elif entry.seq >= seen.size and entry.time < seen.seen_at:
            self._found(
                entry,
                "state-backdated",
                f"条目时间 {entry.time} 早于上次验证查看账本的时间 {seen.seen_at}，"
                f"但那时账本只有 {seen.size} 条：此条目是事后补写、倒签时间的",
                None,
            )

    def _found(self, entry: Entry, code: str, message: str, before: str | None) -> None:
        assert self.seen is not None
        self.findings.append(Finding(entry.seq, "integrity", code, message))
        if not self.evidence:
            self.evidence.extend([self.seen.checkpoint, self.seen.record()])
            if before is None:
                self.evidence.append(self.seen.last_line + "\n")
        if before is not None:
            self.evidence.append(before + "\n")
        self.evidence.append(entry.line.decode("utf-8", "replace") + "\n")

    def truncated(self, size: int) -> Finding | None:
        """The line a previous run saw beyond its checkpoint is gone."""
        seen = self.seen
        if seen is None or size >= seen.size:
            return None
        if not self.evidence:
            self.evidence.extend([seen.checkpoint, seen.record(), seen.last_line + "\n"])
        return Finding(
            None,
            "integrity",
            "state-truncated",
            f"上次验证（{seen.seen_at}）时账本有 {seen.size} 条，现在只有 {size} 条：账本被截断",
        )
