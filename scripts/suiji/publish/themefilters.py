"""Jinja filters of the site's theme (`pelicanconf.JINJA_FILTERS`).

The theme renders with autoescape on, so every value a template prints from `Suiji_data`
(JSON: a clerk's names and reasons arrive as plain text) is escaped by Jinja itself. Two
things reach a template already as HTML and are handled here, never with `|safe` on clerk
text: the front-matter title (HTML-escaped by `suiji publish`; `plain_title` turns it back
into text so Jinja escapes it exactly once) and the page body (Pelican's rendering of our
Markdown, in which every clerk value was escaped by `suiji.publish.markdown.text`);
`tables` only adds captions, header scopes and a scrolling wrapper to that body.

Times: the templates get RFC 3339 UTC strings and show 北京时间; "how long until" is
computed against the build's as-of time, never the visitor's clock.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from markupsafe import Markup

from suiji.publish.markdown import slug_part
from suiji.shared.times import SHANGHAI


def fromjson(value: object) -> Any:
    """`Suiji_data` (one line of JSON) as data; empty or broken gives an empty dict."""
    try:
        return json.loads(str(value)) if value else {}
    except ValueError:
        return {}


def plain_title(value: object) -> str:
    """A front-matter title back to plain text, so autoescape escapes it exactly once."""
    return html.unescape(str(value or ""))


def _moment(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def beijing(value: object) -> str:
    """An RFC 3339 time as `YYYY-MM-DD HH:MM:SS` in 北京时间 (the value itself if unparsable)."""
    moment = _moment(value)
    if moment is None:
        return str(value or "")
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def until(target: object, as_of: object) -> str:
    """How long from the build's as-of to `target` (`X 天 Y 小时 Z 分`); "" once past."""
    a, b = _moment(as_of), _moment(target)
    if a is None or b is None or b <= a:
        return ""
    minutes = int((b - a).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} 天"] if days else []
    return " ".join([*parts, f"{hours} 小时", f"{mins} 分"])


def is_future(target: object, as_of: object) -> bool:
    a, b = _moment(as_of), _moment(target)
    return a is not None and b is not None and b > a


_H2_TABLE = re.compile(r"<h2>([^<]*)</h2>\s*<table>")
_TABLE = re.compile(r"<table>")
_TH = re.compile(r"<th>")
_FACT_ROW = re.compile(r"<tr>\n<td>([^<]*)</td>")


def tables(body: object, fallback: object = "") -> Markup:
    """The rendered body with each table captioned (its heading, else `fallback`), header
    cells scoped, label cells of two-column fact tables as row headers, and each table in
    a focusable, labelled scrolling region (wide tables on a phone scroll, not the page).

    `body` is Pelican's HTML of our escaped Markdown; only our own tags are matched."""
    out = str(body or "")
    label = html.escape(plain_title(fallback))

    def captioned(m: re.Match[str]) -> str:
        return f"<h2>{m.group(1)}</h2>\n" + _wrap(m.group(1))

    out = _H2_TABLE.sub(captioned, out)
    out = _TABLE.sub(lambda m: _wrap(label), out)
    out = out.replace("</table>", "</table></div>")
    out = _TH.sub('<th scope="col">', out)
    out = re.sub(
        r'(<thead>\n<tr>\n<th scope="col">项目</th>\n<th scope="col">内容</th>\n</tr>\n</thead>)'
        r"(.*?)(</tbody>)",
        lambda m: (
            m.group(1) + _FACT_ROW.sub(r'<tr>\n<th scope="row">\1</th>', m.group(2)) + m.group(3)
        ),
        out,
        flags=re.S,
    )
    return Markup(out.replace("<table data-c>", "<table>"))


def _wrap(caption: str) -> str:
    # `<table data-c>` marks a table already wrapped, so the plain `<table>` pass skips it.
    return (
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{caption}">'
        f"<table data-c><caption>{caption}</caption>"
    )


def qr(url: object) -> Markup:
    """A QR code of an absolute http(s) URL as inline SVG, made at build time (no network);
    empty for anything else (a relative build has no URL a phone could open)."""
    text = str(url or "")
    if not re.fullmatch(r"https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+", text):
        return Markup("")
    import io

    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(
        buf, kind="svg", xmldecl=False, svgns=True, nl=False, scale=6, svgclass="qr", lineclass=None
    )
    svg = buf.getvalue().decode("ascii")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="本页网址的二维码" ', 1))


_HANDWRITTEN: list[Any] = [None, 0, []]  # [the list seen last, its length, its result]


def handwritten(pages: Any) -> list[Any]:
    """The hand-written pages (no `Suiji_kind`) of Pelican's page list, for the navigation.

    Every page prints the navigation, and Pelican hands each the same list of all pages:
    filtering it in the template costs pages × pages steps (10⁸ for a 10,000-result
    site), so the result is kept for that list object and reused (the list itself is held,
    so its identity cannot pass to another list)."""
    if _HANDWRITTEN[0] is not pages or _HANDWRITTEN[1] != len(pages):
        _HANDWRITTEN[:] = [
            pages,
            len(pages),
            [p for p in pages if not getattr(p, "suiji_kind", None)],
        ]
    found: list[Any] = _HANDWRITTEN[2]
    return found


JINJA_FILTERS = {
    "handwritten": handwritten,
    "fromjson": fromjson,
    "plain_title": plain_title,
    "beijing": beijing,
    "until": until,
    "is_future": is_future,
    "tables": tables,
    "qr": qr,
    "slug_part": lambda v: slug_part(str(v)),
}
