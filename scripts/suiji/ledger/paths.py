"""Where a bureau's ledger files live."""

from __future__ import annotations

from pathlib import Path

# ---------------------------------------------------------------- constants

LEDGER_DIR = "ledger"
LEDGER_FILE = "ledger.jsonl"
CHECKPOINT_FILE = "checkpoint"
OBJECTS_DIR = "objects"
COSIGNATURES_DIR = "cosignatures"
LOCK_FILE = ".lock"
CACHE_FILE = ".writer-cache.json"


def ledger_dir(root: Path) -> Path:
    return root / LEDGER_DIR
