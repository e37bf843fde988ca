"""Markdown pages for Pelican: escaping and rendering, pure.

Everything a clerk typed (names, reasons, titles, legal bases, free text of results) reaches
the public site through here, so nothing in it may become markup:

* `text` (body): line breaks and other separators fold to one space, control characters
  go, `< > & " '` become HTML entities, and every character Python-Markdown gives a meaning
  to (`` \\ ` * _ { } [ ] ( ) # + - . ! | ``) is backslash-escaped, so no link, image,
  emphasis, table cell, heading, list or raw HTML can start inside a value;
* `meta` (front matter): folded to one line (a newline would start a new metadata key or
  the body) and HTML-escaped — Pelican puts metadata into templates as HTML, unescaped;
* `json_meta`: structured data for the templates as one line of JSON with `< > & '` and
  the Unicode line separators written as `\\uXXXX`, so it holds no markup and no newline.

A page is its front matter (`Page.meta_lines`) and its Markdown body; `render` gives the
exact bytes, so the same page always gives the same file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_FOLD = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_MD_ESCAPED = frozenset("\\`*_{}[]()#+-.!|")
_MD_TABLE = {c: "\\" + c for c in _MD_ESCAPED} | _HTML
_META_TABLE = str.maketrans(_HTML)
_TEXT_TABLE = str.maketrans(_MD_TABLE)
_JSON_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "'": "\\u0027",
        "\x85": "\\u0085",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def plain(value: object) -> str:
    """One line of plain text: separators folded to a space, control characters removed."""
    s = "" if value is None else str(value)
    return _FOLD.sub(" ", _CONTROL.sub("", s)).strip()


def text(value: object) -> str:
    """A value as inert Markdown text (see the module docstring)."""
    return plain(value).translate(_TEXT_TABLE)


def meta(value: object) -> str:
    """A value for a front-matter line: one line, HTML-escaped."""
    return plain(value).translate(_META_TABLE)


def json_meta(data: Any) -> str:
    """Structured data as one line of JSON holding no markup characters."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return raw.translate(_JSON_UNSAFE)


_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def slug_part(ident: str) -> str:
    """An id as a URL segment: itself when plain ASCII, else `h.` + a hash (no collisions:
    a plain id never contains a dot)."""
    if _PLAIN_ID.fullmatch(ident):
        return ident
    return "h." + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Page:
    """One generated page.

    `path`: file under content/generated/ (POSIX, `.md`); `slug`: the URL (ASCII, from
    ids); `template`: the theme template (`suiji-<kind>`); `data`: what a template needs
    beyond the body, as JSON in the `suiji_data` field; `body`: Markdown lines, every
    value in them already passed through `text`.
    """

    path: str
    title: str
    slug: str
    kind: str
    body: Sequence[str]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"suiji-{self.kind}"

    def meta_lines(self) -> list[str]:
        return [
            f"Title: {meta(self.title)}",
            f"Slug: {self.slug}",
            f"Template: {self.template}",
            f"Suiji_kind: {self.kind}",
            f"Suiji_data: {json_meta(self.data)}",
        ]


def render(page: Page) -> bytes:
    """The page's file: front matter, a blank line, the body, one final newline."""
    return ("\n".join([*page.meta_lines(), "", *page.body]).rstrip("\n") + "\n").encode("utf-8")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table; cells must already be escaped (`text`) or be our own words/links."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(c or " " for c in row) + " |" for row in rows)
    out.append("")
    return out


def link(label: str, target: str) -> str:
    """A link to another generated page (`target`: its path under content/generated/).

    Pelican's `{filename}` resolves it to the page's URL, wherever the site is hosted.
    """
    return f"[{text(label)}]({{filename}}/generated/{target})"


def facts(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """A two-column table of (our label, escaped value)."""
    return table(("项目", "内容"), pairs)


def kv(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None values (smaller, stable JSON)."""
    return {k: v for k, v in data.items() if v is not None}
