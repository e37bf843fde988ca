"""`suiji verify --bureau A --bureau B …`: many bureaus' ledgers verified in parallel.

A provincial or national monitor runs the very verifier a citizen runs, once per bureau,
in worker processes: one JSON report per bureau (what `suiji verify --json` prints for
it) and a summary. A bureau is a local directory or the base URL of its published
repository (the files under `ledger/` are fetched into a temporary directory first: the
ledger, its checkpoint and every object the entries name). docs/MONITORING.md says how
to run it for thousands of bureaus and what that costs.
"""

from __future__ import annotations

import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from suiji.ledger.paths import COSIGNATURES_DIR
from suiji.shared.errors import SuijiError, Unavailable
from suiji.writing.witnessing import COSIGNED_PREFIX

_HEX64 = re.compile(rb'"([0-9a-f]{64})"')
_SLUG = re.compile(r"[^0-9A-Za-z._-]+")
FETCH_TIMEOUT = 30


@dataclass(frozen=True)
class Job:
    index: int
    source: str
    out_dir: str
    now: str
    allow_demo: bool
    use_cache: bool
    fail_on: str


def report_name(index: int, source: str) -> str:
    """The report file of the index-th bureau: its position, then its source made safe."""
    tail = source.rstrip("/").rsplit("/", 2)[-2:] if "://" in source else [Path(source).name]
    slug = _SLUG.sub("-", "-".join(tail)).strip("-")[:60] or "bureau"
    return f"{index:04d}-{slug}.json"


def _get(url: str) -> bytes | None:
    """The body at url; None for 404 (a missing object is the verifier's finding)."""
    request = urllib.request.Request(url, headers={"User-Agent": "suiji-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise Unavailable(f"下载 {url} 失败：HTTP {exc.code}；请稍后重试", code="fetch") from None
    except (urllib.error.URLError, OSError) as exc:
        raise Unavailable(f"下载 {url} 失败：{exc}；请检查网址和网络", code="fetch") from None


def fetch_bureau(base: str, into: Path) -> Path:
    """Copy a published bureau's `ledger/` (ledger, checkpoint, named objects, witness
    cosignatures) into `into`.

    Objects are named by their hash in the entries; every 64-hex string of the ledger is
    tried (entry hashes and seeds simply are not objects: 404, skipped). A web server
    cannot list `cosignatures/`, so the file for every possible checkpoint size is tried
    (`checkpoint-<size>`, one per entry; sizes nobody cosigned are 404, skipped) — without
    them a witnessed ledger would fail as unwitnessed.
    """
    base = base if base.endswith("/") else base + "/"
    ledger = _get(urllib.parse.urljoin(base, "ledger/ledger.jsonl"))
    if ledger is None:
        raise Unavailable(
            f"{base} 没有 ledger/ledger.jsonl：请给出本局公开仓库的根地址", code="fetch"
        )
    (into / "ledger" / "objects").mkdir(parents=True)
    (into / "ledger" / "ledger.jsonl").write_bytes(ledger)
    checkpoint = _get(urllib.parse.urljoin(base, "ledger/checkpoint"))
    if checkpoint is not None:
        (into / "ledger" / "checkpoint").write_bytes(checkpoint)
    for name in sorted({m.decode() for m in _HEX64.findall(ledger)}):
        data = _get(urllib.parse.urljoin(base, f"ledger/objects/{name}"))
        if data is not None:
            (into / "ledger" / "objects" / name).write_bytes(data)
    for size in range(1, ledger.count(b"\n") + 1):
        name = f"{COSIGNED_PREFIX}{size}"
        data = _get(urllib.parse.urljoin(base, f"ledger/{COSIGNATURES_DIR}/{name}"))
        if data is not None:
            folder = into / "ledger" / COSIGNATURES_DIR
            folder.mkdir(exist_ok=True)
            (folder / name).write_bytes(data)
    return into


def verify_one(job: Job) -> dict[str, Any]:
    """Verify one bureau; write its report; return its summary line (never raises)."""
    import json

    from suiji.verify.checkers import default_checkers
    from suiji.verify.verifier import verify

    now = datetime.fromisoformat(job.now)
    name = report_name(job.index, job.source)
    line: dict[str, Any] = {"bureau": job.source, "report": name}
    try:
        with tempfile.TemporaryDirectory(prefix="suiji-monitor-") as tmp:
            root = Path(job.source)
            if "://" in job.source:
                root = fetch_bureau(job.source, Path(tmp))
            report = verify(
                root,
                now=now,
                checkers=default_checkers(now, use_cache=job.use_cache, root=root),
                fail_on=job.fail_on,  # type: ignore[arg-type]
                allow_demo=job.allow_demo,
                beacon_cache=job.use_cache,
            )
            body = report.to_json(job.fail_on)  # type: ignore[arg-type]
    except SuijiError as exc:
        body = {"ok": False, "error": exc.code, "message": exc.message}
        line.update(ok=False, error=exc.code, message=exc.message)
    else:
        line.update(
            ok=report.passes(job.fail_on),  # type: ignore[arg-type]
            size=body.get("size"),
            genesis=body.get("genesis"),
            findings=len(body.get("findings", [])),
            codes=sorted({f["code"] for f in body.get("findings", [])}),
        )
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    (Path(job.out_dir) / name).write_text(text, "utf-8")
    return line


def verify_many(
    sources: list[str],
    out_dir: Path,
    *,
    now: datetime,
    jobs: int,
    allow_demo: bool,
    use_cache: bool,
    fail_on: str,
) -> dict[str, Any]:
    """Verify every source with `jobs` worker processes; the summary (also summary.json)."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    work = [
        Job(i, s, str(out_dir), now.isoformat(), allow_demo, use_cache, fail_on)
        for i, s in enumerate(sources, start=1)
    ]
    if jobs <= 1 or len(work) <= 1:
        lines = [verify_one(j) for j in work]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            lines = list(pool.map(verify_one, work))
    summary = {
        "now": now.isoformat(),
        "bureaus": len(lines),
        "passed": sum(1 for x in lines if x["ok"]),
        "failed": sum(1 for x in lines if not x["ok"]),
        "results": lines,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    (out_dir / "summary.json").write_text(text, "utf-8")
    return summary
