"""The checkers one `suiji verify` run uses, in their order (fresh instances per run)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from suiji.verify.listing import DrawListing
from suiji.verify.replay import DrawChecker
from suiji.verify.verifier import EntryChecker


def default_checkers(
    now: datetime | None = None, *, use_cache: bool = True, root: Path | None = None
) -> list[EntryChecker]:
    """Fresh checker instances for one verification run; `now` judges withheld commitments.

    With `root` and `now`, the seed document's deadlines are judged too (report, feedback,
    disclosure: `*-overdue`, `*-late`), with the calendars of the repository at `root`.

    `use_cache=False` (`suiji verify --no-cache`) never reads or writes the local
    verified-round cache: a verifier that does not trust its machine's cache file checks
    every beacon signature itself (docs/spec/08-beacons.md).
    """
    from suiji.verify.kinds import KindChecker
    from suiji.verify.plancheck import PlanChecker
    from suiji.verify.registry import RegistryChecker
    from suiji.verify.results import ResultChecker

    draws = DrawChecker(now=now, use_cache=use_cache)
    checkers: list[EntryChecker] = [
        KindChecker(),
        draws,
        ResultChecker(draws.hist),  # after `draws`: one lifecycle, each entry applied once
        DrawListing(),
        RegistryChecker(),
        PlanChecker(),
    ]
    if root is not None and now is not None:
        from suiji.verify.deadlinecheck import deadline_checker

        checkers.append(deadline_checker(root, now))
    return checkers


# ---------------------------------------------------------------- only public beacons
