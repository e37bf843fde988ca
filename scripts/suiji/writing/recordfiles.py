"""The files a clerk or a root-key holder commits for the writer to act on (docs/RECORDS.md).

`suiji write` turns files into entries, so every wish the bureau has — void a commitment,
record a lottery number, replace a person, append a key change — is a file under
`content/records/`, committed through git (or the git host's web page), and the writer
decides from the files and the ledger alone. This module only reads and checks the files'
form; whether the ledger allows the wish is the writing steps' business.

- `plans/<task>.toml` — a plan to commit (docs/spec/07-plans.md);
- `voids/commitments/<task>.toml` — `commit_seq` (the commitment's entry number) and
  `reason`: withdraw that commitment before its round;
- `inputs/<task>.toml` — `"名称" = "数值"` per declared extra input, recorded before the round;
- `voids/<task>.toml` — `[[void]]` tables with `person`, `reason`, optional `team` and
  `accept_finding`: replace a drawn person;
- `withdrawals/<task>.toml` — `[[withdraw]]` tables with `uscc` and `reason`: withdraw a
  recorded result with a penalty once its publicity ends (信用修复, `suiji withdraw`);
- `reveals/<task>.toml` — `secret = "…"`: the holder reveals a sealed task's secret after
  the inspection (docs/spec/18-sealed.md);
- `results/` — inspection results (docs/spec/16-results.md), recorded by `suiji record`'s plan;
- `requests/*.json` — root-signed key-change requests (`suiji key …`, `suiji key sign`).

A file that cannot be read or has the wrong form becomes a `Skipped` naming the file and
saying what to fix; the other files are still read.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suiji.draw.plan import TASK_ID_RE
from suiji.ledger.objects import object_id
from suiji.ledger.requests import Request, read_request
from suiji.model.tasks import Disclosure
from suiji.shared.errors import SuijiError
from suiji.shared.files import read_regular
from suiji.shared.text import id_key

RECORDS = Path("content") / "records"
PLANS = RECORDS / "plans"
COMMIT_VOIDS = RECORDS / "voids" / "commitments"
PERSON_VOIDS = RECORDS / "voids"
INPUTS = RECORDS / "inputs"
WITHDRAWALS = RECORDS / "withdrawals"
REVEALS = RECORDS / "reveals"
RESULTS = RECORDS / "results"
REQUESTS = RECORDS / "requests"

MAX_REASON = 500
"""A public reason is a sentence or two; a longer one is most likely a pasted document."""


@dataclass(frozen=True)
class Skipped:
    """A file (or a due step) the writer did not act on, and why — in Chinese, located."""

    source: str
    code: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class PlanFile:
    task: str
    source: str
    source_object: str  # object id of the file's bytes, as a commitment would record it


@dataclass(frozen=True)
class CommitVoidRequest:
    task: str
    source: str
    commit_seq: int
    reason: str


@dataclass(frozen=True)
class InputsRequest:
    task: str
    source: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PersonVoidRequest:
    task: str
    source: str
    person: str
    reason: str
    team: str | None = None
    accept_finding: bool = False


@dataclass(frozen=True)
class WithdrawRequest:
    task: str
    source: str
    uscc: str
    reason: str


@dataclass(frozen=True)
class RevealRequest:
    task: str
    source: str
    secret: str
    voids: tuple[Disclosure, ...] = ()


@dataclass(frozen=True)
class RootRequest:
    source: str
    request: Request


@dataclass(frozen=True)
class RecordFiles:
    """Everything the writer may act on, read from `content/records/` in a fixed order."""

    plans: tuple[PlanFile, ...] = ()
    commit_voids: tuple[CommitVoidRequest, ...] = ()
    inputs: tuple[InputsRequest, ...] = ()
    person_voids: tuple[PersonVoidRequest, ...] = ()
    withdrawals: tuple[WithdrawRequest, ...] = ()
    reveals: tuple[RevealRequest, ...] = ()
    results: tuple[str, ...] = ()  # results files present (recorded as one step)
    requests: tuple[RootRequest, ...] = ()
    skipped: tuple[Skipped, ...] = ()


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _files(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix) and p.is_file())


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_regular(path).decode("utf-8"))
    except UnicodeDecodeError:
        raise _Bad("file-encoding", "文件不是 UTF-8 编码：请用 UTF-8 保存") from None
    except tomllib.TOMLDecodeError as exc:
        raise _Bad(
            "toml-syntax", f"TOML 格式错误（{exc}）：请对照 docs/RECORDS.md 的示例改正"
        ) from None


def _task_of(path: Path) -> str:
    task = path.name.removesuffix(".toml")
    if not TASK_ID_RE.match(task):
        raise _Bad(
            "task-file-name",
            f"文件名应为“任务编号.toml”（字母、数字和连字符），而不是 {path.name}",
        )
    return task


def _reason(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad("reason-missing", f'{what}必须写明理由：reason = "理由"（将公开）')
    if len(value) > MAX_REASON:
        raise _Bad("reason-too-long", f"理由超过 {MAX_REASON} 字，请简要说明")
    return value.strip()


def _only(data: dict[str, Any], allowed: set[str], where: str = "") -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _Bad(
            "unknown-field",
            f"{where}不认识的字段 {'、'.join(unknown)}（只能有 {'、'.join(sorted(allowed))}）",
        )


def _commit_void(path: Path, source: str) -> CommitVoidRequest:
    task = _task_of(path)
    data = _toml(path)
    _only(data, {"commit_seq", "reason"})
    seq = data.get("commit_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise _Bad(
            "commit-seq",
            "commit_seq 必须是要作废的承诺的条目编号（正整数，见网站任务页或 suiji show 任务编号）",
        )
    return CommitVoidRequest(task, source, seq, _reason(data.get("reason"), "作废承诺"))


def _inputs(path: Path, source: str) -> InputsRequest:
    task = _task_of(path)
    data = _toml(path)
    if not data:
        raise _Bad("inputs-empty", '文件中没有附加输入：每行写一项，如 "福彩3D" = "371"')
    values = []
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _Bad(
                "inputs-value",
                f'附加输入“{name}”的数值应写成带引号的文本，如 "{name}" = "371"',
            )
        values.append((name.strip(), str(value)))
    return InputsRequest(task, source, tuple(values))


def _person_voids(path: Path, source: str) -> list[PersonVoidRequest]:
    task = _task_of(path)
    data = _toml(path)
    _only(data, {"void"})
    items = data.get("void")
    if not isinstance(items, list) or not items:
        raise _Bad(
            "void-table",
            '文件中应有一个或多个 [[void]] 表，每个写明 person = "人员编号" 和 reason = "理由"',
        )
    out = []
    for i, item in enumerate(items, 1):
        where = f"第 {i} 个 [[void]]："
        if not isinstance(item, dict):
            raise _Bad("void-table", f"{where}应为表")
        _only(item, {"person", "team", "reason", "accept_finding"}, where)
        person = item.get("person")
        if not isinstance(person, str) or not person.strip():
            raise _Bad("void-person", f'{where}缺少 person = "人员编号"')
        team = item.get("team")
        if team is not None and (not isinstance(team, str) or not team.strip()):
            raise _Bad("void-team", f"{where}team 应为检查组（企业信用代码或 task）")
        accept = item.get("accept_finding", False)
        if not isinstance(accept, bool):
            raise _Bad("void-accept", f"{where}accept_finding 只能是 true 或 false")
        reason = _reason(item.get("reason"), f"{where}撤换人员")
        out.append(
            PersonVoidRequest(
                task, source, id_key(person), reason, team.strip() if team else None, accept
            )
        )
    return out


def _withdrawals(path: Path, source: str) -> list[WithdrawRequest]:
    task = _task_of(path)
    data = _toml(path)
    _only(data, {"withdraw"})
    items = data.get("withdraw")
    if not isinstance(items, list) or not items:
        raise _Bad(
            "withdraw-table",
            '文件中应有一个或多个 [[withdraw]] 表，每个写明 uscc = "统一社会信用代码" 和 reason = "理由"',
        )
    out = []
    for i, item in enumerate(items, 1):
        where = f"第 {i} 个 [[withdraw]]："
        if not isinstance(item, dict):
            raise _Bad("withdraw-table", f"{where}应为表")
        _only(item, {"uscc", "reason"}, where)
        uscc = item.get("uscc")
        if not isinstance(uscc, str) or not uscc.strip():
            raise _Bad("withdraw-uscc", f'{where}缺少 uscc = "统一社会信用代码"')
        reason = _reason(item.get("reason"), f"{where}撤回检查结果")
        out.append(WithdrawRequest(task, source, id_key(uscc), reason))
    return out


def _reveal(path: Path, source: str) -> RevealRequest:
    from suiji.draw.sealed import parse_disclosures, parse_secret

    task = _task_of(path)
    data = _toml(path)
    _only(data, {"secret", "voids"})
    value = data.get("secret")
    if not isinstance(value, str):
        raise _Bad("reveal-secret-missing", '缺少 secret = "密钥"（suiji seal 写出的密钥文件内容）')
    voids = data.get("voids", "")
    if not isinstance(voids, str):
        raise _Bad("sealed-voids-file", "voids 须为多行字符串：密钥旁 .voids 文件的全部内容")
    return RevealRequest(
        task, source, parse_secret(value, source), parse_disclosures(voids, source)
    )


def read_record_files(root: Path) -> RecordFiles:
    """Read every file the writer acts on; a bad file is skipped, never the whole read."""
    skipped: list[Skipped] = []
    plans: list[PlanFile] = []
    voids: list[CommitVoidRequest] = []
    inputs: list[InputsRequest] = []
    people: list[PersonVoidRequest] = []
    withdrawals: list[WithdrawRequest] = []
    reveals: list[RevealRequest] = []
    requests: list[RootRequest] = []

    def attempt(path: Path, read: Any) -> None:
        source = _rel(root, path)
        try:
            read(path, source)
        except _Bad as bad:
            skipped.append(Skipped(source, bad.code, (f"{source}: {bad.message}",)))
        except SuijiError as err:
            skipped.append(Skipped(source, err.code, (f"{source}: {err}",)))
        except OSError as exc:
            skipped.append(
                Skipped(source, "file-unreadable", (f"{source}: 无法读取（{exc.strerror}）",))
            )

    def plan(path: Path, source: str) -> None:
        plans.append(PlanFile(_task_of(path), source, object_id(read_regular(path))))

    def request(path: Path, source: str) -> None:
        requests.append(RootRequest(source, read_request(path)))

    for path in _files(root / PLANS, ".toml"):
        attempt(path, plan)
    for path in _files(root / COMMIT_VOIDS, ".toml"):
        attempt(path, lambda p, s: voids.append(_commit_void(p, s)))
    for path in _files(root / INPUTS, ".toml"):
        attempt(path, lambda p, s: inputs.append(_inputs(p, s)))
    for path in _files(root / PERSON_VOIDS, ".toml"):
        attempt(path, lambda p, s: people.extend(_person_voids(p, s)))
    for path in _files(root / WITHDRAWALS, ".toml"):
        attempt(path, lambda p, s: withdrawals.extend(_withdrawals(p, s)))
    for path in _files(root / REVEALS, ".toml"):
        attempt(path, lambda p, s: reveals.append(_reveal(p, s)))
    for path in _files(root / REQUESTS, ".json"):
        attempt(path, request)
    results = tuple(_rel(root, p) for p in _files(root / RESULTS, ""))
    return RecordFiles(
        plans=tuple(plans),
        commit_voids=tuple(voids),
        inputs=tuple(inputs),
        person_voids=tuple(people),
        withdrawals=tuple(withdrawals),
        reveals=tuple(reveals),
        results=results,
        requests=tuple(requests),
        skipped=tuple(skipped),
    )
