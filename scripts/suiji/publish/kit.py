"""The portal kit: what a clerk pastes into the county portal's CMS, per announcement.

County departments publish as a column of a shared portal whose CMS takes pasted HTML and
attachments, not scripts. So each announcement (a task's draw; a task's result set) gets
a folder with a plain HTML fragment — headings, paragraphs, tables and links to the full
site, nothing else: no script, no style, no image, no attribute but `href` and `scope` —
its tables as CSV (UTF-8 with BOM, opens in Excel) and XLSX, and a `SHA256SUMS` file over
them. The fragment is made from the built page's body (between the theme's `kit-start` /
`kit-end` markers) by re-emitting only allowed tags: whatever the body held, nothing else
can pass. Beside the kits: a zip of the whole site (relative links, so it can be hosted
under any path).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

Table = tuple[str, list[str], list[list[str]]]

ALLOWED = {"h2", "h3", "p", "table", "caption", "thead", "tbody", "tr", "th", "td", "a", "code",
           "ul", "ol", "li", "strong", "em", "br"}  # fmt: skip
VOID = {"br"}
START, END = "<!--kit-start-->", "<!--kit-end-->"
PORTAL_DIR = "portal"


def body_of(page: str) -> str:
    """The page's published body (between the theme's markers); "" when absent."""
    start, end = page.find(START), page.find(END)
    return page[start + len(START) : end] if 0 <= start < end else ""


class _Clean(HTMLParser):
    """Re-emit only allowed tags; `href` made absolute under the site URL, else dropped."""

    def __init__(self, base: str, siteurl: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base, self.siteurl = base, siteurl.rstrip("/") + "/"
        self.out: list[str] = []
        self.skip = 0  # inside <script>/<style>: drop the text too
        self.open_a: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
            return
        if tag not in ALLOWED:
            return
        kept = ""
        if tag == "a":
            href = dict(attrs).get("href") or ""
            target = urljoin(self.base, href)
            ok = target.startswith(self.siteurl) and not href.startswith("#")
            self.open_a.append(ok)
            if not ok:
                return
            kept = f' href="{html.escape(target, quote=True)}"'
        elif tag in ("th", "td"):
            scope = dict(attrs).get("scope")
            if scope in ("col", "row"):
                kept = f' scope="{scope}"'
        self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        if tag not in ALLOWED or tag in VOID:
            return
        if tag == "a" and not (self.open_a.pop() if self.open_a else False):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))


def fragment(body: str, page_url: str, siteurl: str) -> str:
    """The pasteable fragment of a page body at `page_url` (relative to the site root)."""
    base = siteurl.rstrip("/") + "/" + page_url
    p = _Clean(base, siteurl)
    p.feed(body)
    p.close()
    return "".join(p.out).strip() + "\n"


class _Tables(HTMLParser):
    """The tables of a page body as (caption, header, rows) of plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.caption: list[str] | None = None
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(("", [], []))
        elif tag == "caption":
            self.caption = []
        elif tag == "thead":
            self.head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.tables:
            return
        _cap, header, rows = self.tables[-1]
        if tag == "caption" and self.caption is not None:
            self.tables[-1] = ("".join(self.caption).strip(), header, rows)
            self.caption = None
        elif tag in ("th", "td") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.head:
                header.extend(self.row)
            else:
                rows.append(self.row)
            self.row = None
        elif tag == "thead":
            self.head = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.caption is not None:
            self.caption.append(data)


def page_tables(page: str) -> list[Table]:
    p = _Tables()
    p.feed(body_of(page) or page)
    p.close()
    return p.tables


def tables_csv(tables: Sequence[Table]) -> bytes:
    """All tables in one CSV (UTF-8 with BOM), each under its caption, a blank row between."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for i, (caption, header, rows) in enumerate(tables):
        if i:
            w.writerow([])
        w.writerow([caption])
        w.writerow(header)
        w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def tables_xlsx(path: Path, tables: Sequence[Table]) -> None:
    """One worksheet per table; every cell text, so codes keep their leading zeros.

    Byte-reproducible: openpyxl stamps the workbook's created/modified time and every zip
    member's time with the clock, so the file is re-packed with fixed ones (`FIXED_TIME`)
    — the same tables give the same bytes, and the kit's SHA256SUMS, on every build."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "suiji"
    wb.properties.created = wb.properties.modified = FIXED_DATETIME
    for i, (caption, header, rows) in enumerate(tables, 1):
        title = "".join(c for c in caption if c not in "[]:*?/\\")[:28] or "表"
        ws = wb.create_sheet(f"{i}-{title}"[:31])
        ws.append([caption])
        ws.append(header)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


FIXED_TIME = (2000, 1, 1, 0, 0, 0)
"""The time written into generated zip members and workbook properties (reproducibility)."""
FIXED_DATETIME = datetime(*FIXED_TIME)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(created|modified)>)")


def _fixed_zip(data: bytes) -> bytes:
    """The zip re-packed in its own order with fixed member times and core-property times."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIME.sub(rb"\g<1>2000-01-01T00:00:00Z\g<3>", body)
            _put(dst, info.filename, body)
    return out.getvalue()


def _put(z: zipfile.ZipFile, name: str, body: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, body, compresslevel=6)


def sha256sums(folder: Path) -> None:
    """`SHA256SUMS` over every other file of the folder (sha256sum -c format)."""
    lines = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "SHA256SUMS"
    ]
    (folder / "SHA256SUMS").write_text("".join(lines), "utf-8")


def write_kit(
    folder: Path, title: str, parts: Sequence[tuple[str, str, str]], siteurl: str
) -> None:
    """A kit: parts are (heading, page body HTML, page URL) of the built pages it shows."""
    folder.mkdir(parents=True, exist_ok=True)
    frag = [f"<h2>{html.escape(title, quote=False)}</h2>\n"]
    tables: list[Table] = []
    for heading, body, url in parts:
        if len(parts) > 1:
            frag.append(f"<h3>{html.escape(heading, quote=False)}</h3>\n")
        frag.append(fragment(body, url, siteurl))
        tables += [(f"{heading} {c}".strip(), h, r) for c, h, r in page_tables(body)]
    frag.append(
        f'<p>完整公示与核验：<a href="{html.escape(siteurl, quote=True)}/">{html.escape(siteurl)}</a></p>\n'
    )
    (folder / "fragment.html").write_text("".join(frag), "utf-8")
    (folder / f"{folder.name}.csv").write_bytes(tables_csv(tables))
    tables_xlsx(folder / f"{folder.name}.xlsx", tables)
    sha256sums(folder)


def write_portal(out: Path, index: dict[str, Any], siteurl: str) -> list[Path]:
    """Every announcement's kit under out/portal/, and out/portal/site.zip."""
    portal = out / PORTAL_DIR
    kits: list[Path] = []
    for t in index.get("tasks", []):
        page = out / "task" / t["slug"] / "index.html"
        if not page.is_file():
            continue
        title = f"任务 {t['id']}：{t['name']} 随机抽取公示"
        folder = portal / f"task-{t['slug']}"
        write_kit(
            folder,
            title,
            [(title, body_of(page.read_text("utf-8")), f"task/{t['slug']}/")],
            siteurl,
        )
        kits.append(folder)
        results = sorted((out / "result" / t["slug"]).glob("*/index.html"))
        if results:
            parts = [
                (
                    f"统一社会信用代码 {p.parent.name}",
                    body_of(p.read_text("utf-8")),
                    f"result/{t['slug']}/{p.parent.name}/",
                )
                for p in results
            ]
            folder = portal / f"results-{t['slug']}"
            write_kit(folder, f"任务 {t['id']}：{t['name']} 抽查结果公示", parts, siteurl)
            kits.append(folder)
    write_zip(out, portal / "site.zip")
    return kits


def write_zip(out: Path, target: Path) -> None:
    """The whole site (without the kits) as a zip, in a fixed order."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(out.rglob("*")):
            rel = p.relative_to(out).as_posix()
            if p.is_file() and not rel.startswith(PORTAL_DIR + "/"):
                _put(z, "site/" + rel, p.read_bytes())  # fixed times: reproducible
