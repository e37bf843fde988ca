"""Objects stored by their tagged hash, and the references entry bodies make to them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from suiji.ledger.paths import OBJECTS_DIR, ledger_dir
from suiji.shared.canonical import HEX64_RE, tagged_hex
from suiji.shared.errors import InputError
from suiji.shared.files import MAX_OBJECT, read_regular

OBJECT_TAG = "suiji/object/v1"


class ObjectError(InputError):
    """An object that is missing or does not hash to its name; `code` is the finding's code."""

    code = "object-invalid"

    def __init__(self, message: str, code: str, oid: str | None = None) -> None:
        super().__init__(message, code=code)
        self.oid = oid


# ---------------------------------------------------------------- object references


def object_refs(body: Mapping[str, Any]) -> list[str]:
    """Every object hash an entry names, in document order (docs/spec/04-ledger.md §4.3).

    The one rule: anywhere in the body, a member whose name ends in `_object` holds one
    object hash and a member whose name ends in `_objects` holds an array of them.
    ValueError (naming the member) if such a member holds anything else.
    """
    out: list[str] = []
    if type(body) is dict and _collect(body, out):
        return out
    out = []
    _walk(body, (), out)  # the same rule, naming the member: raises if one is bad
    return out


_CONTAINERS = (dict, list)


def _collect(value: Any, out: list[str]) -> bool:
    """The verifier's hot path (exact dicts and lists, no paths built); False means
    "let `_walk` decide": a bad member, or a container of some other type."""
    if type(value) is dict:
        for name, item in value.items():
            if name.endswith("_object"):
                if type(item) is not str or not HEX64_RE.match(item):
                    return False
                out.append(item)
            elif name.endswith("_objects"):
                if type(item) is not list:
                    return False
                for x in item:
                    if type(x) is not str or not HEX64_RE.match(x):
                        return False
                out.extend(item)
            elif type(item) in _CONTAINERS:
                if not _collect(item, out):
                    return False
            elif isinstance(item, _CONTAINERS):
                return False
        return True
    for item in value:
        if type(item) in _CONTAINERS:
            if not _collect(item, out):
                return False
        elif isinstance(item, _CONTAINERS):
            return False
    return True


def _walk(value: Any, path: tuple[str | int, ...], out: list[str]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            if name.endswith("_object"):
                if not isinstance(item, str) or not HEX64_RE.match(item):
                    raise ValueError(f"{_path(path, name)} 必须是对象哈希（64 位小写十六进制）")
                out.append(item)
            elif name.endswith("_objects"):
                if not isinstance(item, list) or not all(
                    isinstance(x, str) and HEX64_RE.match(x) for x in item
                ):
                    raise ValueError(f"{_path(path, name)} 必须是对象哈希数组")
                out.extend(item)
            elif isinstance(item, dict | list):
                _walk(item, (*path, name), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict | list):
                _walk(item, (*path, i), out)


def _path(path: tuple[str | int, ...], name: str) -> str:
    """`body.a[2].b` — built only when there is something to report."""
    text = "body"
    for part in (*path, name):
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def object_id(data: bytes) -> str:
    return tagged_hex(OBJECT_TAG, data)


class ObjectStore:
    """Read access to `ledger/objects/`, hash-checked; what `EntryChecker`s receive.

    `pending` overlays objects about to be written (the writer's dry run). A bounded LRU
    of already-verified ids keeps repeated references cheap without memory growing with
    the ledger.
    """

    def __init__(
        self, root: Path, pending: Mapping[str, bytes] | None = None, cache_size: int = 4096
    ) -> None:
        self.dir = ledger_dir(root) / OBJECTS_DIR
        self._pending = dict(pending or {})
        self._verified: OrderedDict[str, None] = OrderedDict()
        self._cache_size = cache_size
        self.bytes_hashed = 0

    def path(self, oid: str) -> Path:
        return self.dir / oid

    def get(self, oid: str) -> bytes:
        """The object's bytes; ObjectError if missing or if they do not hash to `oid`."""
        if not HEX64_RE.match(oid):
            raise ObjectError(f"对象编号格式错误：{oid!r}", "object-ref")
        if oid in self._pending:
            return self._pending[oid]
        try:
            data = read_regular(self.path(oid), limit=MAX_OBJECT)
        except InputError as exc:  # a symlink, a device such as /dev/zero, a huge file
            raise ObjectError(
                f"对象 ledger/objects/{oid} 不可读（{exc.code}）：必须是普通文件",
                "object-corrupt",
                oid,
            ) from None
        except FileNotFoundError:
            raise ObjectError(f"缺少对象 ledger/objects/{oid}", "object-missing", oid) from None
        except OSError as exc:
            raise ObjectError(
                f"无法读取对象 {oid}：{exc.strerror}", "object-missing", oid
            ) from None
        self.bytes_hashed += len(data)
        if object_id(data) != oid:
            raise ObjectError(
                f"对象 ledger/objects/{oid} 的内容与其哈希不符（被改动）", "object-corrupt", oid
            )
        self._remember(oid)
        return data

    def status(self, oid: str) -> Literal["ok", "missing", "corrupt"]:
        if oid in self._verified:
            self._verified.move_to_end(oid)
            return "ok"
        try:
            self.get(oid)
        except ObjectError as exc:
            return "corrupt" if exc.code == "object-corrupt" else "missing"
        return "ok"

    def _remember(self, oid: str) -> None:
        self._verified[oid] = None
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
