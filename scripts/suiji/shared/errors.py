"""Errors by cause (docs/adr/0018-errors-by-cause.md).

Every error the package raises for a user to act on derives from one of four causes:

* `InputError`: a file or value that cannot be read or is invalid. It may say where
  (`location`: file:row:column, an entry number or a JSON path).
* `Refusal`: a step the rules or the ledger's history do not allow (the input is readable
  and well formed; doing it would break a rule).
* `Unavailable`: a source that cannot be reached now (a beacon relay, a round not yet
  produced). Trying again later may succeed.
* `CheckFailed`: a check ran and found problems (invalid records, an invalid ledger).

Each error has a stable kebab-case `code` (a class default; a raise may give a narrower one)
for tests and tools, and a Chinese message that says what is wrong and what to do. Nothing
here knows about exit codes or output: only the CLI maps causes to exit codes
(`suiji.cli.exits`, docs/spec/14-verifier.md §14.2) and prints messages.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem sits: `file:row:column` (row and column 1-based), an entry or a JSON path.

    Written as text by `__str__`: `file:row:column`, then `#entry` and the JSON path when
    given (`ledger/ledger.jsonl#7`, `plan.toml:$.team.officers`).
    """

    file: str
    row: int | None = None
    column: str | None = None
    entry: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(str(self.row))
        if self.column is not None:
            parts.append(self.column)
        text = ":".join(parts)
        if self.entry is not None:
            text += f"#{self.entry}"
        if self.path is not None:
            text += f":{self.path}"
        return text


class SuijiError(Exception):
    """Base of every error a user can act on. Derive from one of the four causes below.

    `code` is a stable kebab-case id: the class default, or the narrower one a raise gives.
    """

    code: str = "error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The Chinese message: what is wrong and what to do."""
        return str(self)


class InputError(SuijiError):
    """A file or value that cannot be read or is invalid; `location` says where, if known."""

    code = "input-invalid"

    def __init__(
        self, message: str = "", *, code: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.location = location


class UsageError(InputError):
    """A command-line argument, option or environment variable that is missing or invalid."""

    code = "usage"


class CanonicalError(InputError):
    """Bytes that are not in the canonical form docs/spec/01-encoding.md §1.1 requires."""

    code = "noncanonical"


class Refusal(SuijiError):
    """A step the rules or the ledger's history do not allow; the message says why."""

    code = "refused"


class Unavailable(SuijiError):
    """A source (beacon relay, network, a round not yet produced) that is not available now.

    Nothing was found wrong: trying again later, or from another source, may succeed.
    """

    code = "unavailable"
    retryable = True


class CheckFailed(SuijiError):
    """A check ran and found problems: invalid records, an invalid ledger or beacon."""

    code = "check-failed"


class StorageError(Unavailable):
    """The system refused to read or write a file: disk full, read-only, no permission.

    Nothing in the input is wrong; after freeing space or fixing the permission the same
    command succeeds. The writer leaves no partial line behind, so nothing is lost.
    """

    code = "storage"


class ResourceError(InputError):
    """An input too large or too deeply nested to process (out of memory, too deep)."""

    code = "resource"


_BY_ERRNO: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disk-full", "磁盘空间不足，写入未完成，已写的部分已撤回；请腾出空间后重试"),
    errno.EDQUOT: ("disk-full", "磁盘配额已满，写入未完成，已写的部分已撤回；请腾出空间后重试"),
    errno.EFBIG: ("file-too-large", "文件超过系统允许的大小，写入未完成；请检查磁盘和文件系统限制"),
    errno.EROFS: (
        "read-only",
        "文件系统只读，无法写入，未做任何修改；请在可写的目录中运行（只读检出只能 suiji verify）",
    ),
    errno.EACCES: ("permission-denied", "没有权限读写此文件，未做任何修改；请检查文件和目录权限"),
    errno.EPERM: (
        "permission-denied",
        "操作不被允许（文件可能被设为不可改），未做任何修改；请检查权限",
    ),
    errno.ELOOP: ("symlink-refused", "是符号链接，出于安全不会跟随读取；请换成普通文件"),
    errno.ENOENT: ("file-missing", "文件或目录不存在；请检查路径（--root）"),
    errno.EIO: ("io-error", "磁盘读写错误，操作未完成；请检查磁盘后重试"),
}


def os_failure(exc: OSError, path: object = None) -> SuijiError:
    """The error by cause for an OSError, naming the file and what to do."""
    where = path if path is not None else (exc.filename or "（文件）")
    code, advice = _BY_ERRNO.get(exc.errno or 0, ("os-error", "系统拒绝了此操作；请检查后重试"))
    message = f"{where}: {advice}（{exc.strerror or exc}）"
    if code in {"symlink-refused", "file-missing"}:
        return InputError(message, code=code, location=Location(str(where)))
    return StorageError(message, code=code)


CAUSES: tuple[type[SuijiError], ...] = (InputError, Refusal, Unavailable, CheckFailed)
"""The causes every error derives from; the CLI's exit-code map is keyed by them."""


def cause_of(err: SuijiError) -> type[SuijiError]:
    """The cause (one of `CAUSES`) an error derives from."""
    for cause in CAUSES:
        if isinstance(err, cause):
            return cause
    raise TypeError(f"{type(err).__name__} derives from no cause")
