"""The package's import graph, read from the source with `ast` (lazy imports included).

Used by tests/test_architecture.py; kept importable so the test can run it on a planted
copy of the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

# Bottom to top. A module may import only from its own layer or the layers below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shared", ("suiji.shared",)),
    ("standards", ("suiji.standards",)),
    ("crypto", ("suiji.crypto",)),
    ("beacon", ("suiji.beacon",)),
    ("witness", ("suiji.witness",)),
    ("model", ("suiji.model",)),
    ("records", ("suiji.records",)),
    ("draw engine", ("suiji.draw",)),
    ("ledger", ("suiji.ledger",)),
    ("verify", ("suiji.verify",)),
    ("writing steps", ("suiji.writing", "suiji.example")),
    ("publish", ("suiji.publish",)),
    ("CLI", ("suiji.cli", "suiji.__main__")),
)

APPENDING_MODULE = "suiji.ledger.append"
MAY_APPEND = ("suiji.writing", "suiji.cli")

# Modules a verifier must never load: the writer's lock, the network, the Excel stack.
VERIFIER_FORBIDDEN = ("fcntl", "pandas", "urllib.request", "openpyxl", "py_ecc")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(root: Path, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, at any depth."""
    module = module_name(root, path)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path.name == "__init__.py", node)
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                yield candidate if _is_module(root, candidate) else target, node.lineno


def _is_module(root: Path, dotted: str) -> bool:
    rel = Path(*dotted.split("."))
    return (root / rel).with_suffix(".py").is_file() or (root / rel / "__init__.py").is_file()


def graph(root: Path) -> dict[str, dict[str, int]]:
    """suiji module -> {imported suiji module: first line}, lazy imports included."""
    out: dict[str, dict[str, int]] = {}
    for path in sorted((root / "suiji").rglob("*.py")):
        edges: dict[str, int] = {}
        for target, line in imports_of(root, path):
            if target == "suiji" or target.startswith("suiji."):
                edges.setdefault(target, line)
        out[module_name(root, path)] = edges
    return out


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    if module == "suiji":
        return -1
    raise LookupError(f"{module} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md")


def layer_violations(g: Mapping[str, Mapping[str, int]]) -> list[str]:
    bad = []
    for src, edges in g.items():
        for dst, line in edges.items():
            if layer_of(dst) > layer_of(src):
                bad.append(
                    f"{src}:{line} imports {dst} "
                    f"({LAYERS[layer_of(src)][0]} may not import {LAYERS[layer_of(dst)][0]})"
                )
    return bad


def appending_violations(g: Mapping[str, Mapping[str, int]]) -> list[str]:
    return [
        f"{src}:{edges[APPENDING_MODULE]} imports {APPENDING_MODULE}"
        for src, edges in g.items()
        if APPENDING_MODULE in edges
        and src != APPENDING_MODULE
        and not any(src == p or src.startswith(p + ".") for p in MAY_APPEND)
    ]


WRITER_ONLY = ("suiji.ledger.append", "suiji.ledger.local")


def verifier_violations(g: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The verifier reads; the writer's lock, cache and appending code are not its business."""
    return [
        f"{src}:{line} imports {dst}"
        for src, edges in g.items()
        if src == "suiji.verify" or src.startswith("suiji.verify.")
        for dst, line in edges.items()
        if dst in WRITER_ONLY
    ]


def cycles(g: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in g.get(v, {}):
            if w not in g:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return sorted(found)
