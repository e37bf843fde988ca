"""The seed: one tagged hash over the commitment, the beacon and the extra inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from suiji.draw.plan import TASK_ID_RE, Plan
from suiji.shared.canonical import canonical_json, is_hex64, tagged_hex
from suiji.shared.errors import UsageError
from suiji.shared.text import clean_text

PROTOCOL = "suiji/v1"
SEED_TAG = "suiji/seed/v1"
MAX_ROUND = 2**53 - 1


# ---------------------------------------------------------------- seed


def seed_input(
    *,
    task_id: str,
    commitment: str,
    chain_hash: str | None,
    round: int | None,
    randomness: str | None,
    extra: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The object whose tagged hash is the seed; published so anyone can recompute it.

    A ledger whose genesis accepts no beacon chain draws from its extra inputs alone
    (typed in by a clerk from an official publication): then chain_hash, round and
    randomness are all None, the object has no such members, and `extra` must not be empty.
    """
    if not TASK_ID_RE.match(task_id):
        raise UsageError(f"任务编号无效：{task_id!r}")
    beacon_given = [v is not None for v in (chain_hash, round, randomness)]
    if any(beacon_given) and not all(beacon_given):
        raise UsageError("信标的链哈希、轮次和随机值必须同时给出或同时省略")
    for name, value in (
        ("commitment", commitment),
        ("chain_hash", chain_hash),
        ("randomness", randomness),
    ):
        if value is not None and not is_hex64(value):
            raise UsageError(f"{name} 必须是 64 位小写十六进制：{value!r}")
    if round is not None and (
        isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= MAX_ROUND
    ):
        raise UsageError(f"drand 轮次必须是正整数：{round!r}")
    for name, value in extra:
        if not name or clean_text(name) != name or not value or clean_text(value) != value:
            raise UsageError(f"附加随机输入必须是去掉首尾空白的非空文字：{name!r} = {value!r}")
    obj: dict[str, Any] = {
        "protocol": PROTOCOL,
        "task_id": task_id,
        "commitment": commitment,
        "extra": [{"name": name, "value": value} for name, value in extra],
    }
    if all(beacon_given):
        obj.update(chain_hash=chain_hash, round=round, randomness=randomness)
    elif not extra:
        raise UsageError("没有随机信标时，方案必须声明至少一个附加随机输入（[seed] extra）")
    return obj


def derive_seed(
    *,
    task_id: str,
    commitment: str,
    chain_hash: str | None,
    round: int | None,
    randomness: str | None,
    extra: Sequence[tuple[str, str]] = (),
) -> str:
    """seed = H("suiji/seed/v1", canonical_json(seed_input)): 64 lower-case hex digits.

    Canonical JSON, not concatenation, so no two different inputs can share a seed.
    """
    obj = seed_input(
        task_id=task_id,
        commitment=commitment,
        chain_hash=chain_hash,
        round=round,
        randomness=randomness,
        extra=extra,
    )
    return tagged_hex(SEED_TAG, canonical_json(obj))


def extra_inputs(plan: Plan, values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The plan's extra inputs with the values read at draw time, in plan order.

    Every declared input needs a value and nothing undeclared may slip in: an input chosen
    after the fact would let someone pick among seeds.
    """
    names = [e.name for e in plan.seed_extra]
    missing = [n for n in names if not clean_text(values.get(n, ""))]
    unknown = sorted(set(values) - set(names))
    if missing or unknown:
        raise UsageError(
            f"附加随机输入与计划不符：缺少 {'、'.join(missing) or '无'}，"
            f"多出 {'、'.join(unknown) or '无'}"
            "（只能填写计划 [seed] extra 中声明的输入）"
        )
    return tuple((n, clean_text(values[n])) for n in names)
