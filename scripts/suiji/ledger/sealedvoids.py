"""Sealed person voids: which disclosures of a reveal open which `sealed-void` entries.

docs/spec/18-sealed.md §18.12. Before its reveal, a person void of a sealed task is
recorded only as a salted hash (`sealed-void`); the reveal lists each one's content and
salt. Pure functions over recorded values, so the lifecycle (`suiji.ledger.history`) turns
their problems into violations and applies exactly the disclosures that check out.
"""

from __future__ import annotations

from collections.abc import Sequence

from suiji.draw.sealed import sealed_void_hash
from suiji.model.tasks import Disclosure


def disclosure_problems(
    task: str, sealed: Sequence[tuple[int, str]], voids: Sequence[Disclosure]
) -> tuple[list[tuple[str, str]], list[Disclosure]]:
    """Check a reveal's disclosures against the task's sealed voids `(seq, salted)`.

    Returns the problems as `(code, detail)` and the disclosures that open a sealed void,
    in ledger order. Each sealed void must be disclosed once, in order, by content and salt
    hashing to what it recorded (`sealed-void-disclosure` otherwise, that disclosure takes
    no effect); a sealed void left undisclosed is `sealed-void-undisclosed`; two disclosed
    voids of one person on one team are `void-slot-again`, as for public voids.
    """
    recorded = dict(sealed)
    problems: list[tuple[str, str]] = []
    valid: list[Disclosure] = []
    last = -1
    for d in voids:
        salted = recorded.get(d.seq)
        if salted is None or d.seq <= last:
            problems.append(("sealed-void-disclosure", f"#{d.seq}：不是本任务尚未公开的暗查撤换"))
            continue
        last = d.seq
        if sealed_void_hash(d.salt, d.content(task)) != salted:
            problems.append(("sealed-void-disclosure", f"#{d.seq}：公开的内容与盐值的哈希不符"))
            continue
        valid.append(d)
    opened = {d.seq for d in voids if d.seq in recorded}
    for seq, _salted in sealed:
        if seq not in opened:
            problems.append(("sealed-void-undisclosed", f"#{seq}"))
    seen: set[tuple[str, str]] = set()
    for d in valid:
        if (d.team, d.person) in seen:
            problems.append(("void-slot-again", f"#{d.seq}"))
        seen.add((d.team, d.person))
    return problems, valid
