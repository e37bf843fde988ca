"""The demo year's two witnesses: published demo keys, in the genesis policy, threshold two.

Their keys are demo keys (`demo_key("witness-1")`, `"witness-2"`): anyone can derive them, so
the demo's cosignatures prove nothing about time; they show how a witnessed year looks and
is verified. Having no URL, they answer in-process whenever the demo ledger is written
(`suiji.writing.witnessing.submit_checkpoint`).
"""

from __future__ import annotations

from suiji.crypto.keyfiles import DEMO_WITNESS_ROLES, demo_key
from suiji.witness.config import witness_vkey

DEMO_WITNESS_NAMES = {role: f"{role}.demo.invalid" for role in DEMO_WITNESS_ROLES}


def demo_witness_args() -> list[str]:
    """`suiji init` options naming both demo witnesses, threshold two."""
    args: list[str] = []
    for role, name in DEMO_WITNESS_NAMES.items():
        args += ["--witness", witness_vkey(name, demo_key(role))]
    return [*args, "--witness-threshold", "2"]
