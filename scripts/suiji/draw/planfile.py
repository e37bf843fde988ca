"""Reading a clerk's TOML plan, with errors located at the offending key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from suiji.shared.errors import InputError, Location

if TYPE_CHECKING:  # teams imports draw, draw imports plan: import teams lazily at run time.
    from suiji.draw.teamrules import TeamRules
from suiji.draw.plan import (
    _REQUIRED,
    _TOP_KEYS,
    Plan,
    PlanError,
    _Bad,
    _bool,
    _extra,
    _filters,
    _int,
    _kind,
    _opt_text,
    _size,
    _task_id,
    _text,
    _window,
    sealed_hash,
)

# ---------------------------------------------------------------- TOML

_TOML_MESSAGES = (
    (
        "Invalid value",
        '值的写法不对：文字要用英文双引号括起来（如 "监督管理股"），日期写作 2026-04-01',
    ),
    ("Expected '=' after a key", "键名后面应是英文等号 =（如 officers = 2）"),
    ("Unterminated string", "引号没有配对：文字的开头和结尾都要有英文双引号"),
    ("Unclosed array", "方括号 [ ] 没有配对"),
    ("Unclosed inline table", "花括号 { } 没有配对"),
    ("Cannot overwrite a value", "同一个键写了两次：请删去其中一个"),
    ("Cannot declare", "同一个表（[…]）写了两次：请合并成一个"),
    ("Expected newline or end of document", "一行只能写一个“键 = 值”"),
    ("Invalid initial character for a key part", "键名的写法不对：键名用英文字母、数字和下划线"),
    ("Invalid date or datetime", "日期写法不对：写作 2026-04-01"),
    ("Illegal character '\\n'", "引号没有配对：这一行的文字缺少结尾的英文双引号"),
    ("Illegal character", "有不允许的字符（如制表符、控制字符）"),
)
"""tomllib's messages (English) → what a clerk reads; the original stays in parentheses."""

_FULL_WIDTH = {
    "“": "中文引号 “",
    "”": "中文引号 ”",
    "‘": "中文引号 ‘",
    "’": "中文引号 ’",
    "＝": "全角等号 ＝",
    "［": "全角方括号 ［",
    "］": "全角方括号 ］",
    "｛": "全角花括号 ｛",
    "｝": "全角花括号 ｝",
    "＃": "全角井号 ＃",
}
"""What a Chinese input method types in place of TOML's ASCII punctuation."""


def toml_error(p: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in Chinese, located, naming full-width punctuation when present.

    A plan typed with a Chinese input method often has “…” for "…" and ＝ for =; outside
    quoted text they are what breaks the file, so the message names them and their line.
    """
    raw = str(exc)
    m = re.search(r"at line (\d+)", raw)
    line = int(m.group(1)) if m else text.count("\n") + 1
    words = next((zh for en, zh in _TOML_MESSAGES if raw.startswith(en)), "格式不对")
    lines = text.splitlines()
    candidates = [line, *range(1, len(lines) + 1)]
    for number in candidates:
        code = lines[number - 1].split("#", 1)[0] if 0 < number <= len(lines) else ""
        found = [name for ch, name in _FULL_WIDTH.items() if ch in _outside_quotes(code)]
        if found:
            return (
                f"{p}:{number}: TOML 语法错误：这一行有{'、'.join(found)}，"
                f'请改成英文半角的 " 和 = 等（把输入法切换到英文后重新输入）（{raw}）'
            )
    return f"{p}:{line}: TOML 语法错误：{words}（{raw}）"


def _outside_quotes(code: str) -> str:
    """The part of a line not inside ASCII double-quoted strings (where “” are fine)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', "", code)


class _Locator:
    """Finds the line a key is written on, since tomllib reports none for semantic errors."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line(self, key_path: tuple[str, ...]) -> int:
        """The deepest part of `key_path` that can be found; line 1 if none can."""
        for depth in range(len(key_path), 0, -1):
            found = self._find(key_path[: depth - 1], key_path[depth - 1])
            if found:
                return found
        return 1

    def _find(self, table: tuple[str, ...], key: str) -> int | None:
        """Line of `key = ...` inside `[table]`, or of the header `[table.key]`."""
        current: tuple[str, ...] = ()
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, text in enumerate(self.lines, start=1):
            header = self._HEADER.match(text)
            if header:
                current = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                if current == (*table, key):
                    return number
                continue
            if current == table and key_re.match(text):
                return number
        return None

    def problem(self, bad: _Bad) -> str:
        return f"{self.path}:{self.line(bad.path)}: {bad.message}"


def load_plan(path: Path | str) -> Plan:
    """Read and check `content/records/plans/<task_id>.toml`; PlanError lists every problem.

    The task id must equal the file name, so a plan cannot be filed under another task.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{p}: 无法读取计划文件（{exc.strerror}），请检查路径",
            code="file-unreadable",
            location=Location(str(p)),
        ) from None
    plan, locator = _parse(raw, p)
    if plan.task_id != p.stem:
        line = locator.line(("task_id",))
        raise PlanError(
            [
                f"{p}:{line}: 任务编号 {plan.task_id} 与文件名不符"
                f"（文件应命名为 {plan.task_id}.toml）"
            ]
        )
    return plan


def plan_from_toml(raw: bytes, label: str = "plan.toml") -> Plan:
    """The plan a committed TOML file says (`plan_source_object`), by the clerk's parser.

    The verifier re-derives the plan object from it, so the plan people read is the plan
    that runs. Raises PlanError (an InputError) for a file `suiji commit` would refuse.
    """
    return _parse(raw, Path(label))[0]


def _parse(raw: bytes, p: Path) -> tuple[Plan, _Locator]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError([f"{p}:1: 计划文件不是 UTF-8 编码（请用 UTF-8 另存）"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError([toml_error(p, text, exc)]) from None
    locator = _Locator(p, text)
    plan, problems = _plan_from_table(data, locator.problem)
    if problems:
        raise PlanError(problems)
    assert plan is not None
    return plan, locator


def _plan_from_table(
    data: Mapping[str, Any],
    describe: Callable[[_Bad], str],
) -> tuple[Plan | None, list[str]]:
    """Check every field, collecting all problems so a clerk fixes them in one pass."""
    problems: list[str] = []

    def get(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except _Bad as bad:
            problems.append(describe(bad))
            return None

    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(
            describe(
                _Bad(f"未知的键 {key}（请检查拼写；可用的键见 docs/spec/07-plans.md §7.1）", (key,))
            )
        )
    for key in _REQUIRED:
        if key not in data:
            problems.append(describe(_Bad(f"缺少必填项 {key}", (key,))))
    if problems:
        return None, problems
    task_id = get(lambda: _task_id(data["task_id"]))
    name = get(lambda: _text(data["name"], ("name",), "任务名称 name "))
    year = get(lambda: _int(data["year"], ("year",), "年度 year ", 2000, 2099))
    unit = get(lambda: _text(data["unit"], ("unit",), "执法单位 unit "))
    kind = get(lambda: _kind(data["kind"]))
    filters = get(lambda: _filters(kind, data.get("filters"))) if kind else ()
    size = get(lambda: _size(data))
    per = get(
        lambda: _int(
            data["items_per_target"],
            ("items_per_target",),
            "每家抽查事项数 items_per_target ",
            1,
            100,
        )
    )
    window = get(lambda: _window(data["window"], year))
    extra = get(lambda: _extra(data.get("seed")))
    repeat = get(
        lambda: _bool(
            data.get("exclude_drawn_this_year", False),
            ("exclude_drawn_this_year",),
            "exclude_drawn_this_year ",
        )
    )
    note = get(lambda: _opt_text(data.get("note"), ("note",), "备注 note "))
    team = get(lambda: _team(data.get("team")))
    sealed = get(lambda: sealed_hash(data["sealed"])) if "sealed" in data else None
    if problems:
        return None, problems
    plan = Plan(
        task_id=task_id,
        name=name,
        year=year,
        unit=unit,
        kind=kind,
        filters=filters,
        size=size,
        items_per_target=per,
        window_start=window[0],
        window_end=window[1],
        team=team,
        seed_extra=extra,
        exclude_drawn_this_year=repeat,
        note=note,
        sealed=sealed,
    )
    return plan, problems


def _team(raw: object) -> TeamRules:
    """Team rules belong to suiji.teams; a plan without [team] gets its defaults."""
    table = {} if raw is None else raw
    if not isinstance(table, dict):
        raise _Bad("[team] 必须是一个表", ("team",))
    from suiji.draw.teamrules import team_rules_from_toml

    try:
        rules = team_rules_from_toml(table, "[team]")
    except InputError as exc:
        raise _Bad(str(exc), ("team", *_first_key(str(exc), table))) from None
    return rules


def _first_key(message: str, table: Mapping[str, Any]) -> tuple[str, ...]:
    """The [team] key an error message names, to point at its line."""
    for key in table:
        if re.search(rf"(?<![A-Za-z_]){re.escape(str(key))}(?![A-Za-z_])", message):
            return (str(key),)
    return ()
