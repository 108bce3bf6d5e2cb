"""Text keys used for matching and dedup (pure functions, shared by ``db`` and ``bot``)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "norm_key", "norm_title"]

_NON_ALNUM = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: ``'Nyströmformer'`` -> ``'nystromformer'``."""
    if text.isascii():  # nothing to decompose: the common case, and 10x faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l")


def norm_key(text: str) -> str:
    """Name key ignoring case, diacritics, spaces, hyphens and punctuation: ``'deberta v2'`` == ``'DeBERTa-v2'``."""
    return _NON_ALNUM.sub("", fold(text))


def norm_title(text: str) -> str:
    """Title key for dedup of papers without an arXiv id: words only, single spaces."""
    return " ".join(_NON_ALNUM.sub(" ", fold(text)).split())
