"""The one finding type the verifier, the writer's dry run and every report share.

Data only: the CLI renders findings for people (`suiji.cli.render`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Tag = Literal["integrity", "compliance"]


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Finding:
    """One problem: the entry it concerns (None: the ledger as a whole), its kind and what.

    `integrity` findings mean the ledger cannot be trusted as written; `compliance`
    findings (later issues: late results, overdue notices) mean it is intact but records a
    breach of the rules.
    """

    seq: int | None
    tag: Tag
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "tag": self.tag, "code": self.code, "message": self.message}
