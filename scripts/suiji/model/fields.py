"""Strict reading of entry bodies: one error type with a stable code and a JSON path.

Every entry-body codec (`suiji.model.genesis`, `keychange`, `tasks`, `entries`) reads its
JSON through `Members`, so a malformed body always fails the same way: `EntryError` with a
kebab-case `code` (docs/spec/13-task-entries.md §13.7) and the `path` of the offending
member, e.g. `body.beacon.round`. Messages are Chinese, for the reports.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from suiji.shared.canonical import HEX64_RE
from suiji.shared.errors import InputError


class EntryError(InputError, ValueError):
    """A body that is not what its kind requires. `code` is stable; `path` is a JSON path.

    Also a ValueError, so callers that validated bodies with ValueError before keep working.
    """

    code = "entry-invalid"

    def __init__(self, code: str, path: str, message: str) -> None:
        super().__init__(message, code=code)
        self.path = path


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Members:
    """A JSON object at `path`, read member by member; every failure is an EntryError."""

    def __init__(self, value: object, path: str = "body") -> None:
        if not isinstance(value, dict):
            raise EntryError("not-object", path, f"{path} 必须是 JSON 对象")
        self.value: dict[str, Any] = value
        self.path = path

    def at(self, name: str) -> str:
        return f"{self.path}.{name}"

    def exactly(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Required members present, nothing beyond required + optional."""
        req, opt = set(required), set(optional)
        missing = sorted(req - set(self.value))
        if missing:
            raise EntryError("missing-member", self.at(missing[0]), f"缺少字段 {missing[0]}")
        extra = sorted(set(self.value) - req - opt)
        if extra:
            raise EntryError("unknown-member", self.at(extra[0]), f"不允许的字段 {extra[0]}")

    def others(self, known: Iterable[str]) -> dict[str, Any]:
        """Members beyond `known`, carried unchanged (where a spec allows them)."""
        names = set(known)
        return {k: v for k, v in self.value.items() if k not in names}

    def has(self, name: str) -> bool:
        return name in self.value

    def raw(self, name: str) -> Any:
        if name not in self.value:
            raise EntryError("missing-member", self.at(name), f"缺少字段 {name}")
        return self.value[name]

    def text(self, name: str) -> str:
        v = self.raw(name)
        if not isinstance(v, str):
            raise EntryError("wrong-type", self.at(name), f"{name} 必须是字符串")
        return v

    def opt_text(self, name: str) -> str | None:
        v = self.raw(name)
        if v is not None and not isinstance(v, str):
            raise EntryError("wrong-type", self.at(name), f"{name} 必须是字符串或 null")
        return v

    def hex64(self, name: str) -> str:
        v = self.text(name)
        if not HEX64_RE.match(v):
            raise EntryError("bad-hash", self.at(name), f"{name} 必须是 64 位小写十六进制")
        return v

    def integer(self, name: str, low: int = 0) -> int:
        v = self.raw(name)
        if not is_int(v):
            raise EntryError("wrong-type", self.at(name), f"{name} 必须是整数")
        if v < low:
            raise EntryError("out-of-range", self.at(name), f"{name} 必须不小于 {low}")
        return int(v)

    def opt_integer(self, name: str) -> int | None:
        v = self.raw(name)
        return None if v is None else self.integer(name)

    def array(self, name: str) -> list[Any]:
        v = self.raw(name)
        if not isinstance(v, list):
            raise EntryError("wrong-type", self.at(name), f"{name} 必须是数组")
        return v

    def texts(self, name: str) -> tuple[str, ...]:
        items = self.array(name)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise EntryError("wrong-type", f"{self.at(name)}[{i}]", f"{name}[{i}] 必须是字符串")
        return tuple(items)

    def object(self, name: str) -> Members:
        return Members(self.raw(name), self.at(name))


def frozen_copy(value: Mapping[str, Any]) -> dict[str, Any]:
    """A private deep copy of carried members, so a frozen value cannot change under us."""
    return copy.deepcopy(dict(value))
