"""`suiji commit --dry-run`: every check commit makes, then the draw tried on sample seeds.

A plan that is hard to staff (a district whose group has no certified officer, too few
experts of a specialty, loads too tight) would be recorded forever as 检查组未能组成 once
drawn. The static check (`suiji.draw.teamcheck`) refuses what no team could meet for some
enterprise; the sample draws show how often the draw itself would fail on combinations of
targets, and which rule fails, so the clerk fixes the plan or the records before committing.

Nothing is written: the ledger is read without its lock and no key is needed. The sample
seeds are public pseudo-seeds (a hash of the task and the sample's number), so the same
plan and records always give the same report; they say nothing about the real seed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from suiji.draw.targets import draw_targets
from suiji.draw.teamcheck import TeamRulesUnmet
from suiji.draw.teamdraw import TeamInfeasible
from suiji.draw.teams import draw_teams
from suiji.ledger.taskhistory import history
from suiji.model.tasks import Commit
from suiji.shared.canonical import tagged_hex
from suiji.writing.steps import prepare_commit

SAMPLES = 200


@dataclass(frozen=True)
class DryRun:
    """What a dry run found: the commitment's terms, the static refusal, the sample draws."""

    body: Commit
    drawn: int
    unmet: TeamRulesUnmet | None
    """The team rule `commit` would refuse the plan for, if any."""
    samples: int
    met: int
    """Sample seeds whose draw formed every team."""
    failures: Counter[str]
    """Per rule (leader, officers, group_officer, experts, accompany, load_limit): failed
    sample draws."""
    examples: dict[str, str]
    """One message (Chinese, naming enterprise and rule) per failing rule."""

    @property
    def would_commit(self) -> bool:
        return self.unmet is None


def sample_seed(task: str, i: int) -> str:
    """The i-th public pseudo-seed of a dry run (never a real seed: nothing is secret)."""
    return tagged_hex("suiji/dry-run-seed/v1", f"{task}\x00{i}".encode())


def dry_run(root: Path, now: datetime, plan_file: Path, *, samples: int = SAMPLES) -> DryRun:
    """Run commit's checks (raising its refusals) and try the draw on `samples` seeds."""
    unmet: list[TeamRulesUnmet] = []
    prepared = prepare_commit(root, history(root), now, plan_file, unmet=unmet)
    plan, rows = prepared.plan, prepared.rows
    by_id = {str(r["uscc"]): r for r in rows["enterprises"]}
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    met = 0
    drawn = 0
    for i in range(samples):
        seed = sample_seed(plan.task_id, i)
        targets = draw_targets(plan, prepared.population, seed)
        drawn = len(targets.ids)
        try:
            draw_teams(
                seed=seed,
                targets=[by_id[t] for t in targets.ids],
                inspectors=rows["inspectors"],
                experts=rows["experts"],
                recusals=rows["recusals"],
                rules=plan.team,
                window_start=plan.window_start,
                window_end=plan.window_end,
            )
            met += 1
        except TeamInfeasible as exc:
            failures[exc.rule] += 1
            examples.setdefault(exc.rule, str(exc))
    return DryRun(
        body=prepared.body,
        drawn=drawn,
        unmet=unmet[0] if unmet else None,
        samples=samples,
        met=met,
        failures=failures,
        examples=examples,
    )
