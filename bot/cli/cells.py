"""Text widths in terminal cells, for aligned tables: a CJK character takes two cells, a combining
mark none (``unicodedata.east_asian_width``), so ``蒸馏`` is 4 cells wide, not 2."""

from __future__ import annotations

import unicodedata

__all__ = ["cells", "fit", "pad"]


def _width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """How many terminal cells *text* takes."""
    return sum(_width(char) for char in text)


def pad(text: str, width: int) -> str:
    """*text* padded with spaces to *width* cells (``str.ljust`` by cells)."""
    return text + " " * max(0, width - cells(text))


def fit(text: str, width: int) -> str:
    """*text* cut to at most *width* cells, ending in "…" when cut."""
    if cells(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = _width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"
