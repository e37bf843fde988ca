"""The ledger as a C2SP tlog-tiles log: `checkpoint`, `tile/<L>/<N>`, `tile/entries/<N>`.

Written beside the published checkpoint (the site's `ledger/` folder, or any folder given
to `suiji publish --tlog`), so the log's tlog-tiles prefix is that folder's URL and any
tlog client, witness or monitor reads the ledger as it is. Only the lines a checkpoint
covers are tiled: the tiles always reproduce the checkpoint's root. Old partial tiles are
removed when they are no longer needed (the spec allows it once the full tile exists).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from suiji.ledger.paths import CHECKPOINT_FILE, LEDGER_FILE, ledger_dir
from suiji.shared.files import read_regular
from suiji.standards.checkpoint import parse_checkpoint
from suiji.standards.note import parse_note
from suiji.standards.tiles import write_tiles

TILE_DIR = "tile"


def write_tlog(root: Path, dest: Path) -> int:
    """Write the checkpoint and every tile of the tree it signs into `dest`; the size."""
    ld = ledger_dir(root)
    note = read_regular(ld / CHECKPOINT_FILE)
    size = parse_checkpoint(parse_note(note).text).size
    lines = (ld / LEDGER_FILE).read_bytes().split(b"\n")[:size]
    tiles = write_tiles(lines)
    dest.mkdir(parents=True, exist_ok=True)
    if (dest / TILE_DIR).is_dir():
        shutil.rmtree(dest / TILE_DIR)
    for rel, data in tiles.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (dest / CHECKPOINT_FILE).write_bytes(note)
    return size
