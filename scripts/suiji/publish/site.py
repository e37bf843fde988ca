"""Collect → render → write: `content/generated/`, rewritten only where bytes change.

Incremental on purpose: a file whose bytes are unchanged keeps its modification time, so
Pelican's cache and `make`-style tools see only real changes; a file no longer produced is
removed (a page of a result that was withdrawn and whose object is gone, a task renamed).
Only `.md` files under the output directory are ever removed, and the directory is ours
(git-ignored). Writes are atomic (tmp + rename), so an interrupted run leaves whole files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from suiji.crypto.noticecode import NoticeCodes, parse_codes
from suiji.ledger.codec import Entry
from suiji.ledger.objects import ObjectStore
from suiji.ledger.results import results_view
from suiji.publish.collect import RecordedResultLike, ResultsLike, SiteData, TaskInfo, collect
from suiji.publish.markdown import Page, link, render, text
from suiji.publish.sitepages import coverage_page, enterprise_page, month_pages, registry_page
from suiji.publish.stats import statistics_page
from suiji.publish.taskpages import enterprise_path, result_page, task_page, task_path
from suiji.publish.ticketpages import TICKET_ROWS, ticket_pages
from suiji.records.calendar import load_calendars
from suiji.shared.errors import InputError, os_failure
from suiji.verify.taskview import TicketView
from suiji.verify.witnessed import witness_summary

GENERATED_DIR = Path("content") / "generated"
NOTICES_DIR = Path("content") / "records" / "notices"


class PageCollision(InputError):
    """Two pages would be written to the same file or URL (a bug, or ids that collide)."""

    code = "publish-collision"


@dataclass(frozen=True)
class Summary:
    """What a run did: files written (new or changed), left unchanged, removed."""

    written: int
    unchanged: int
    removed: int
    out: Path

    @property
    def pages(self) -> int:
        return self.written + self.unchanged

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


def pages(site: SiteData, ticket_rows: int = TICKET_ROWS) -> Iterator[Page]:
    """Every page of the site, in a fixed order (`ticket_rows`: rows of an eligible list
    per page, `ticketpages`)."""
    names = site.enterprise_names()
    enterprises = set(names)
    enterprises.update(r.entry.uscc for r in site.results)
    by_task: dict[str, list[RecordedResultLike]] = {}
    by_ent: dict[str, list[RecordedResultLike]] = {}
    for r in site.results:
        by_task.setdefault(r.entry.task, []).append(r)
        by_ent.setdefault(r.entry.uscc, []).append(r)
    tickets: dict[str, list[tuple[TaskInfo, TicketView]]] = {}
    infos = {t.view.task: t for t in site.tasks}
    for info in site.tasks:
        for tk in info.tickets:
            tickets.setdefault(tk.uscc, []).append((info, tk))
            enterprises.add(tk.uscc)

    def ent(uscc: str, name: str) -> str:
        return link(uscc, enterprise_path(uscc)) if uscc in enterprises else text(uscc)

    for info in site.tasks:
        yield task_page(info, by_task.get(info.view.task, []), enterprises, names, ticket_rows)
        yield from ticket_pages(info, ent, task_path(info.view.task), ticket_rows)
    for r in site.results:
        key = (r.entry.task, r.entry.uscc)
        yield result_page(r, site.versions.get(key, [r]), infos.get(key[0]), names, enterprises)
    yield from month_pages(site.results, infos, names, enterprises)
    reg = site.registries.get("enterprises")
    rows = {str(r["uscc"]): r for r in reg.rows} if reg else {}
    for uscc in sorted(enterprises):
        yield enterprise_page(
            uscc,
            names.get(uscc, ""),
            rows.get(uscc),
            tickets.get(uscc, []),
            by_ent.get(uscc, []),
            infos,
        )
    for name in sorted(site.registries):
        yield registry_page(site.registries[name], site.changes)
    cov = coverage_page(site, enterprises)
    if cov is not None:
        yield cov
    stats = statistics_page(site)
    if stats is not None:
        yield stats


def write_pages(out: Path, produced: Iterable[Page]) -> Summary:
    """Write each page whose bytes differ; remove `.md` files no longer produced."""
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    slugs: set[str] = set()
    written = unchanged = 0
    for page in produced:
        if page.path in seen or page.slug in slugs:
            raise PageCollision(f"两个页面使用同一文件或网址：{page.path}（{page.slug}）")
        seen.add(page.path)
        slugs.add(page.slug)
        data = render(page)
        target = out / page.path
        try:
            same = target.stat().st_size == len(data) and target.read_bytes() == data
        except FileNotFoundError:
            same = False
        if same:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        written += 1
    removed = 0
    for old in sorted(out.rglob("*.md")):
        if old.relative_to(out).as_posix() not in seen:
            old.unlink()
            removed += 1
    for d in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()
    return Summary(written, unchanged, removed, out)


def read_notices(root: Path) -> dict[str, NoticeCodes]:
    """The public notice-code files (`content/records/notices/<task>.json`), by task.

    Read strictly (docs/spec/17-notices.md): a page must never show codes that a checker
    would reject.
    """
    folder = root / NOTICES_DIR
    out: dict[str, NoticeCodes] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        try:
            codes = parse_codes(path.read_bytes())
        except OSError as exc:
            raise os_failure(exc, path) from exc
        except InputError as exc:
            raise InputError(
                f"{path}：{exc}；请恢复该文件（git checkout）或删除后重新运行 suiji notice",
                code="notice-codes-unreadable",
            ) from exc
        out[codes.task] = codes
    return out


def read_annual_plan(root: Path, today: date) -> list[dict[str, Any]] | None:
    """The bureau's annual enforcement plan (`content/records/annual-plan.csv` or `.xlsx`),
    read and checked as `suiji check` reads it; None when the bureau has none.

    Commitments snapshot only the records a draw reads, so the plan's totals (the
    denominator of the 双随机 ratio) come from the bureau's published file (ADR 0042).
    """
    from suiji.records.io import ReadFailure, read_table
    from suiji.records.schema import BY_NAME
    from suiji.records.validate import validate_tables

    schema = BY_NAME["annual-plan"]
    folder = root / "content" / "records"
    found = [folder / f"annual-plan{ext}" for ext in (".csv", ".xlsx")]
    found = [p for p in found if p.is_file()]
    if not found:
        return None
    path = found[0]
    try:
        raw = read_table(path, f"content/records/{path.name}", schema)
    except ReadFailure as exc:
        raise InputError(
            f"{path}：{exc.message}；请修正后运行 suiji check", code="annual-plan-invalid"
        ) from exc
    records, problems = validate_tables({"annual-plan": raw}, today)
    errors = [p for p in problems if p.severity == "error"]
    if errors or "annual-plan" not in records:
        what = "；".join(p.message for p in errors[:3])
        raise InputError(
            f"{path}：年度执法检查计划有错误（{what}）；请运行 suiji check 查看并修正",
            code="annual-plan-invalid",
        )
    return records["annual-plan"].rows()


def ledger_results(lines: list[Entry], store: ObjectStore) -> ResultsLike:
    """The ledger's one view of results (the same one verify and deadlines use)."""
    return results_view(lines, store)


def publish(
    root: Path,
    entries: Iterable[Entry],
    *,
    today: date,
    results: ResultsLike | None = None,
    out: Path | None = None,
    now: datetime | None = None,
) -> Summary:
    """`suiji publish`: the ledger's pages into root/content/generated (or `out`)."""
    store = ObjectStore(root)
    lines = list(entries)
    if results is None:
        results = ledger_results(lines, store)
    witnessed = witness_summary(root, now) if now is not None else None
    site = collect(
        lines,
        store,
        today=today,
        results=results,
        notices=read_notices(root),
        now=now,
        witnessed=witnessed,
        calendars=load_calendars(root / "content" / "records"),
        annual_plan=read_annual_plan(root, today),
    )
    return write_pages(out or root / GENERATED_DIR, pages(site))
