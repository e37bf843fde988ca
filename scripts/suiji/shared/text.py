"""Text keys (docs/spec/01-encoding.md §1.3): official text kept as written, keys for comparison only."""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------- text

_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def clean_text(value: str) -> str:
    """Official text as written: outer spaces (incl. 全角空格, NBSP, BOM) trimmed, NFC."""
    return unicodedata.normalize("NFC", value.strip(" \t\r\n" + _SPACES))


def match_key(value: str) -> str:
    """Comparison key only — never stored as the official text.

    NFKC folds （）→(), full-width letters and digits, ideographic spaces; runs of
    white space become one space; Latin letters are upper-cased.
    """
    folded = unicodedata.normalize("NFKC", value)
    return _SPACE_RE.sub(" ", folded).strip().upper()


def id_key(value: str) -> str:
    """Identifier key: like match_key, with every space removed (ids never contain spaces)."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", value)).upper()
