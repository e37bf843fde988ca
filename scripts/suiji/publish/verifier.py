"""`verifier.html`: the browser verifier, built with esbuild and published with its hash.

The page is one self-contained file (docs/adr/0044-one-file-browser-verifier.md): esbuild
bundles `theme/verifier/` with the pinned @noble packages from `node_modules` (installed by
`npm ci` from package-lock.json). Its bytes depend only on those sources, never on the
bureau's data or the build's time, so every site built from one suiji version serves the
same file and anyone can rebuild it and compare the SHA-256 published beside it
(`verifier.html.sha256`, the 如何核验 page, and the line `suiji build` prints for release
notes). The ledger and the build's as-of time reach the page as data (`data/verifier.json`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from suiji.shared.errors import InputError

VERIFIER_FILE = "verifier.html"
SHA_FILE = "verifier.html.sha256"
META_FILE = Path("data") / "verifier.json"


@dataclass(frozen=True)
class Verifier:
    """A built verifier: its bytes and their SHA-256 (hex)."""

    html: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html).hexdigest()

    @property
    def size(self) -> int:
        return len(self.html)

    def release_note(self) -> str:
        """One Markdown line for release notes: what to download and its hash."""
        return f"`verifier.html`（{self.size} 字节）SHA-256：`{self.sha256}`"


def _checkout() -> Path:
    return Path(__file__).resolve().parents[3]


def _node_modules(base: Path) -> Path | None:
    """`node_modules` with esbuild: beside the settings, or in the suiji checkout."""
    for d in (base, *base.parents, _checkout()):
        if (d / "node_modules" / "esbuild" / "package.json").is_file():
            return d / "node_modules"
    return None


def build_verifier(base: Path) -> Verifier | None:
    """Build verifier.html from `base/theme/verifier` (None when the theme has no verifier).

    Raises InputError (`verifier-needs-npm`) when node or the pinned packages are missing.
    """
    source = base / "theme" / "verifier"
    if not (source / "build.mjs").is_file():
        source = _checkout() / "theme" / "verifier"
        if not (source / "build.mjs").is_file():
            return None
    node = shutil.which("node")
    modules = _node_modules(source)
    if node is None or modules is None:
        what = "找不到 node" if node is None else "找不到 node_modules（esbuild、@noble/curves）"
        raise InputError(
            f"构建浏览器核验页 verifier.html 需要 Node.js 和锁定的 npm 依赖：{what}。"
            f"请安装 Node.js 后在 {modules.parent if modules else base} 运行 npm ci，再运行 suiji build",
            code="verifier-needs-npm",
        )
    with tempfile.TemporaryDirectory(prefix="suiji-verifier-") as tmp:
        target = Path(tmp) / VERIFIER_FILE
        env = {"SUIJI_NODE_MODULES": str(modules), "PATH": str(Path(node).parent)}
        done = subprocess.run(
            [node, str(source / "build.mjs"), str(target)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(modules.parent),
            check=False,
        )
        if done.returncode != 0 or not target.is_file():
            raise InputError(
                f"构建 verifier.html 失败：{(done.stderr or done.stdout).strip()[:500]}；"
                f"请在 {modules.parent} 运行 npm ci 后重试",
                code="verifier-build-failed",
            )
        return Verifier(target.read_bytes())


def bureau_calendars(root: Path) -> dict[str, str]:
    """The bureau's calendar files (`content/records/calendar/*`) by name, as text.

    `suiji verify` judges deadlines with them in place of the shipped files; the page needs
    them to judge the same way. Bytes that are not UTF-8 keep U+FFFD in their place, so the
    page refuses such a file as `suiji verify` does (`deadline-calendar`).
    """
    folder = root / "content" / "records" / "calendar"
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes().decode("utf-8", errors="replace")
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def write_verifier(
    out: Path,
    verifier: Verifier,
    *,
    as_of: str,
    genesis: str | None,
    calendars: dict[str, str] | None = None,
) -> None:
    """verifier.html, its SHA-256 file (sha256sum format) and the page's data file.

    The data file lists the objects and the witnesses' cosignature files the site publishes
    (a static site cannot list a directory, and the page needs every cosignature to apply
    the witness rule, docs/spec/19-witnesses.md §19.5), so the page asks the server only
    for those: a withdrawn object, deleted as the ledger allows, is known to be absent
    without a request that fails (and shows as an error in the browser's console). It
    carries the bureau's calendar files, which the deadlines are judged with.
    """
    (out / VERIFIER_FILE).write_bytes(verifier.html)
    (out / SHA_FILE).write_text(f"{verifier.sha256}  {VERIFIER_FILE}\n", "ascii")
    meta = out / META_FILE
    meta.parent.mkdir(parents=True, exist_ok=True)
    objects = out / "ledger" / "objects"
    names = sorted(p.name for p in objects.iterdir() if p.is_file()) if objects.is_dir() else []
    value = {
        "as_of": as_of,
        "calendars": calendars or {},
        "cosignatures": cosignature_names(out),
        "genesis": genesis,
        "objects": names,
        "sha256": verifier.sha256,
    }
    meta.write_text(json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")


def cosignature_names(out: Path) -> list[str]:
    """The files of the published `ledger/cosignatures/` (none without witnesses)."""
    folder = out / "ledger" / "cosignatures"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
