"""`suiji build`: publish the pages, then Pelican (as a library) into the output folder.

One run, one clock: the pages, the home page's banners and the as-of line every page
prints all come from the same ledger view at the same `now` (`siteindex`). Pelican gets
the index as the `SUIJI_SITE` setting; the build then writes what Pelican does not: the
finder's list (`data/finder.js`, `data/finder.json`), each task's tables as CSV and JSON
next to its page, and — when the public URL is known — `sitemap.xml` and an Atom feed.

Settings: the bureau's `pelicanconf.py` (or `publishconf.py` for production) in its root;
a directory without one (the demo) uses those of the suiji checkout it runs from. With no
ledger yet (a template repository) the site is records-only and the build says so.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from suiji.publish.kit import page_tables, tables_csv
from suiji.publish.siteindex import finder_data, site_index
from suiji.publish.verifier import build_verifier, write_verifier
from suiji.shared.errors import CheckFailed, InputError
from suiji.shared.times import civil_date

FOOTER_SETTING = "SITE_FOOTER"
CACHE_DIR = Path(".cache") / "pelican"
"""Pelican's content cache, under the bureau's root (git-ignored)."""


@dataclass
class BuildResult:
    out: Path
    pages: int
    html_files: int
    records_only: bool
    as_of: str
    siteurl: str
    notices: list[str] = field(default_factory=list)
    verifier: str | None = None
    """The release-note line of the published verifier.html (None: not built)."""


def settings_file(root: Path, production: bool, explicit: Path | None = None) -> Path:
    """The Pelican settings to use (see the module docstring)."""
    name = "publishconf.py" if production else "pelicanconf.py"
    if explicit is not None:
        candidates = [explicit]
    else:
        checkout = Path(__file__).resolve().parents[3]
        candidates = [root / name, checkout / name]
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(
        f"找不到网站设置文件 {candidates[0]}；请在仓库根目录放置 {name}（suiji new 会生成），或用 --settings 指定",
        code="site-settings-missing",
    )


def check_footer(settings: dict[str, Any], path: Path) -> None:
    """A production or portal build needs every footer field of a government site."""
    footer = settings.get(FOOTER_SETTING) or {}
    empty = [str(k) for k, v in footer.items() if not str(v or "").strip()] if footer else []
    if not footer or empty:
        what = "、".join(empty) if empty else "全部字段"
        raise InputError(
            f"{path}：网站页脚 {FOOTER_SETTING} 中 {what} 为空；正式发布的政府网站须写明主办单位、"
            "联系方式、网站标识码、ICP备案号和公安备案号，请填写后重新运行 suiji build",
            code="site-footer-empty",
        )


def prepare(root: Path, now: datetime) -> tuple[dict[str, Any], int]:
    """Publish the pages and compute the site index (records-only without a ledger)."""
    from suiji.ledger.history import replayed, withheld
    from suiji.ledger.objects import ObjectStore
    from suiji.ledger.paths import LEDGER_FILE, ledger_dir
    from suiji.ledger.reading import read_entries
    from suiji.ledger.results import results_view
    from suiji.model.genesis import Genesis
    from suiji.publish.collect import collect
    from suiji.publish.site import (
        GENERATED_DIR,
        pages,
        read_annual_plan,
        read_notices,
        write_pages,
    )
    from suiji.records.calendar import load_calendars
    from suiji.verify.witnessed import witness_summary

    if not (ledger_dir(root) / LEDGER_FILE).is_file():
        return site_index(None, now), 0
    lines = list(read_entries(root))
    if not lines or not isinstance(lines[0].typed, Genesis):
        return site_index(None, now), 0
    store = ObjectStore(root)
    results = results_view(lines, store)
    today = civil_date(now)
    site = collect(
        lines,
        store,
        today=today,
        results=results,
        notices=read_notices(root),
        now=now,
        witnessed=witness_summary(root, now),
        calendars=load_calendars(root / "content" / "records"),
        annual_plan=read_annual_plan(root, today),
    )
    summary = write_pages(root / GENERATED_DIR, pages(site))
    report = site.deadlines
    late = [s.task for s in withheld(replayed(lines), now)]
    index = site_index(site, now, withheld=late, deadlines=report)
    index["genesis"] = lines[0].hash
    index["entries"] = len(lines)
    index["demo"] = site.demo
    return index, summary.pages


def record_files(records: Path) -> list[str]:
    if not records.is_dir():
        return []
    return sorted(
        p.relative_to(records).as_posix()
        for p in records.rglob("*")
        if p.is_file() and p.name != ".gitkeep"
    )


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def run_pelican(root: Path, out: Path, conf: Path, override: dict[str, Any]) -> dict[str, Any]:
    """Pelican as a library on root/content; raises CheckFailed on any warning or error."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(str(conf), override=override)
    errors = _Errors()
    log = logging.getLogger("pelican")
    log.addHandler(errors)
    try:
        Pelican(settings).run()
    except Exception as exc:  # Pelican raises anything; name the cause, keep the output
        raise CheckFailed(
            f"Pelican 构建失败：{exc}；请检查 {conf} 和 theme/ 的模板", code="site-build-failed"
        ) from exc
    finally:
        log.removeHandler(errors)
    if errors.seen:
        raise CheckFailed(
            "Pelican 构建有警告或错误：" + "；".join(errors.seen[:5]),
            code="site-build-failed",
        )
    return dict(settings)


def build(
    root: Path,
    now: datetime,
    *,
    out: Path | None = None,
    production: bool = False,
    portal: bool = False,
    siteurl: str = "",
    settings: Path | None = None,
) -> BuildResult:
    """`suiji build`: see the module docstring. Returns what was built."""
    out = (out or root / "output").resolve()
    conf = settings_file(root, production, settings)
    siteurl = siteurl.rstrip("/")
    if production or portal:
        from pelican.settings import read_settings

        check_footer(read_settings(str(conf), override={"PATH": str(conf.parent)}), conf)
    if portal and not siteurl:
        raise InputError(
            "suiji build --portal 需要网站的公开地址：加 --siteurl https://…（门户粘贴包中的链接指向完整网站）",
            code="portal-needs-siteurl",
        )
    index, count = prepare(root, now)
    verifier = build_verifier(conf.parent)
    if verifier is not None:
        index["verifier"] = {"sha256": verifier.sha256, "size": verifier.size}
    override: dict[str, Any] = {
        "PATH": str((root / "content").resolve()),
        "OUTPUT_PATH": str(out),
        "SUIJI_SITE": index,
        "RECORD_FILES": record_files(root / "content" / "records"),
        # Reader-level content cache keyed by content hashes, not mtimes (a fresh CI
        # checkout resets mtimes): only pages whose Markdown changed are parsed again.
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CONTENT_CACHING_LAYER": "reader",
        "CHECK_MODIFIED_METHOD": "sha256",
        "CACHE_PATH": str((root / CACHE_DIR).resolve()),
        # Rebuild in place: wiping the output costs a directory removal per page (a third
        # of a 10,000-result rebuild); files this build did not write are pruned instead.
        "DELETE_OUTPUT_DIRECTORY": False,
    }
    if production:
        override["SITEURL"] = siteurl
    shutil.rmtree(out / "portal", ignore_errors=True)  # rewritten by --portal, else stale
    start = time.time_ns()
    used = run_pelican(root, out, conf, override)
    prune(out, start, override["RECORD_FILES"], Path(str(used.get("THEME") or "")) / "static")
    write_extras(
        out, index, siteurl, str(used.get("SITENAME") or ""), str(used.get("AUTHOR") or "")
    )
    copy_ledger(root, out)
    if verifier is not None:
        write_verifier(out, verifier, as_of=str(index["as_of"]), genesis=index.get("genesis"))
    result = BuildResult(
        out=out,
        pages=count,
        html_files=sum(1 for _ in out.rglob("*.html")),
        records_only=bool(index.get("records_only")),
        as_of=str(index["as_of"]),
        siteurl=siteurl,
    )
    if verifier is not None:
        result.verifier = verifier.release_note()
    if result.records_only:
        result.notices.append("账本中还没有创世条目：只生成了原始记录网站（没有任务和结果页面）")
    if portal:
        from suiji.publish.kit import write_portal

        write_portal(out, index, siteurl)
    return result


def copy_ledger(root: Path, out: Path) -> None:
    """The public ledger for download: entries, checkpoint, public keys, objects (never the
    writer's local files, which start with a dot). Mirrored: an object already there (its
    name is its hash) is not copied again; a file no longer in the ledger is removed."""
    src, dst = root / "ledger", out / "ledger"
    if not (src / "ledger.jsonl").is_file():
        shutil.rmtree(dst, ignore_errors=True)
        return
    wanted: set[Path] = set()
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            target = dst / rel
            wanted.add(target)
            same = target.is_file() and target.stat().st_size == path.stat().st_size
            if rel.parts[0] == "objects" and same:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for path in sorted(dst.rglob("*")):
        if path.is_file() and path not in wanted:
            path.unlink()
    if (src / "checkpoint").is_file():
        from suiji.publish.tlog import write_tlog

        write_tlog(root, out / "ledger")  # tlog-tiles beside the checkpoint


def prune(out: Path, start_ns: int, records: list[str], theme_static: Path) -> None:
    """Remove what an earlier build left and this one did not produce.

    Pelican, the finder data and the task downloads rewrite every file they produce on
    each build, so a file older than this build's start is stale — except the copies that
    keep their source's time: the theme's static files and the records (checked against
    their sources) and the ledger (mirrored by `copy_ledger`)."""
    keep = {"theme", "records", "ledger", "portal"}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out)
        top = rel.parts[0] if len(rel.parts) > 1 else ""
        if path.stat().st_mtime_ns >= start_ns:
            continue  # written by this build
        if top == "records":
            stale = Path(*rel.parts[1:]).as_posix() not in records
        elif top == "theme":
            stale = not (theme_static / Path(*rel.parts[1:])).is_file()
        else:
            stale = top not in keep
        if stale:
            path.unlink()
    for d in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()


def write_extras(
    out: Path, index: dict[str, Any], siteurl: str, sitename: str = "", author: str = ""
) -> None:
    """The finder's list, each task's tables as CSV/JSON, sitemap.xml and feed when known."""
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    finder = json.dumps(finder_data(index), ensure_ascii=False, separators=(",", ":"))
    safe = _script_safe(finder)
    (data / "finder.json").write_text(finder, "utf-8")
    (data / "finder.js").write_text(f"window.SUIJI_FINDER = {safe};\n", "utf-8")
    notices = json.dumps(index.get("notices", {}), sort_keys=True, separators=(",", ":"))
    (data / "notices.js").write_text(f"window.SUIJI_NOTICES = {_script_safe(notices)};\n", "utf-8")
    for t in index.get("tasks", []):
        page = out / "task" / t["slug"] / "index.html"
        if not page.is_file():
            continue
        tables = page_tables(page.read_text("utf-8"))
        subs = page.parent / "tickets"  # a long eligible list's numbered pages (ticketpages)
        if subs.is_dir():
            for n in sorted(int(d.name) for d in subs.iterdir() if d.name.isdigit()):
                tables += page_tables((subs / str(n) / "index.html").read_text("utf-8"))
        (page.parent / f"{t['slug']}.csv").write_bytes(tables_csv(tables))
        blob = [{"caption": c, "header": h, "rows": r} for c, h, r in tables]
        (page.parent / f"{t['slug']}.json").write_text(
            json.dumps({"task": t["id"], "tables": blob}, ensure_ascii=False, indent=1), "utf-8"
        )
    if siteurl:
        write_sitemap(out, siteurl)
        write_feed(out, index, siteurl, sitename, author)


def _script_safe(blob: str) -> str:
    return blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_sitemap(out: Path, siteurl: str) -> None:
    urls = []
    for page in sorted(out.rglob("index.html")):
        rel = page.parent.relative_to(out).as_posix()
        if rel.startswith("portal"):
            continue
        urls.append(f"{siteurl}/" + ("" if rel == "." else rel + "/"))
    body = "".join(f"<url><loc>{xml_escape(u)}</loc></url>\n" for u in urls)
    (out / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n",
        "utf-8",
    )


def write_feed(
    out: Path, index: dict[str, Any], siteurl: str, sitename: str = "", author: str = ""
) -> None:
    """An Atom feed of tasks and results (newest first), updated at the as-of time."""
    items = [
        (
            t["drawn_at"] or t["committed_at"],
            f"{siteurl}/task/{t['slug']}/",
            f"任务 {t['id']}：{t['name']}",
        )
        for t in index.get("tasks", [])
    ]
    items += [
        (
            r["recorded_at"],
            f"{siteurl}/result/{r['task_slug']}/{r['uscc_slug']}/",
            f"检查结果：{r['name'] or r['uscc']}（任务 {r['task']}）",
        )
        for r in index.get("results", [])
    ]
    items.sort(reverse=True)
    entries = "".join(
        f"<entry><id>{xml_escape(u)}</id><title>{xml_escape(t)}</title>"
        f'<link href="{xml_escape(u)}"/><updated>{xml_escape(at)}</updated></entry>\n'
        for at, u, t in items[:50]
    )
    (out / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<id>{xml_escape(siteurl)}/</id><title>{xml_escape(sitename or '抽查公示')}</title>"
        f"<author><name>{xml_escape(author or sitename or '抽查公示')}</name></author>"
        f'<link href="{xml_escape(siteurl)}/"/><updated>{xml_escape(str(index["as_of"]))}</updated>\n'
        f"{entries}</feed>\n",
        "utf-8",
    )
