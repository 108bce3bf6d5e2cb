"""Author strings: split them, name their separator style, and join them back exactly."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.catalog.model import AuthorStyle, Entry, EntryKind

__all__ = ["join_authors", "settle_author_style", "split_authors", "split_trailing_note"]


_INITIAL_END = re.compile(r"(?:^|[\s.\-])[A-Z]$")


def split_authors(text: str) -> tuple[list[str], AuthorStyle]:
    """Split an author string and name its separator style (so it can be joined back exactly)."""
    text = text.strip()
    if not text:
        return [], AuthorStyle.COMMA
    n_and = text.count(" and ")
    if n_and >= 2 or (n_and == 1 and ", " not in text):
        return [a.strip() for a in text.split(" and ")], AuthorStyle.AND
    if n_and == 1:
        head, last = text.rsplit(" and ", 1)
        if head.endswith(","):
            return [*(a.strip() for a in head[:-1].split(", ")), last.strip()], AuthorStyle.OXFORD
        return [*(a.strip() for a in head.split(", ")), last.strip()], AuthorStyle.COMMA_AND
    return [a.strip() for a in text.split(", ")], AuthorStyle.COMMA


def join_authors(authors: Sequence[str], style: AuthorStyle | str) -> str:
    style = AuthorStyle(style)
    if not authors:
        return ""
    if style is AuthorStyle.AND or len(authors) == 1:
        return " and ".join(authors)
    if style is AuthorStyle.COMMA:
        return ", ".join(authors)
    if style is AuthorStyle.OXFORD and len(authors) > 2:
        return ", ".join(authors[:-1]) + ", and " + authors[-1]
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def split_trailing_note(text: str) -> tuple[str, str | None, bool]:
    """``'A, B. The same method ...'`` -> ``('A, B', 'The same method ...', True)``.

    A sentence ends at '. ' after a word of two or more letters (``Wolf. The``), not after an
    initial (``Stan Z. Li``, ``J.-P. Tixier``). Returns (authors, note, ended_with_period).
    """
    for m in re.finditer(r"\. ", text):
        before = text[: m.start()]
        if not _INITIAL_END.search(before) and re.search(r"[a-z*)]$", before):
            return before, text[m.end() :], True
    stripped = text.rstrip()
    if stripped.endswith(".") and not _INITIAL_END.search(stripped[:-1]):
        return stripped[:-1], None, True
    return stripped, None, False


def settle_author_style(entry: Entry) -> None:
    """Store the author style the entry's line will be read back with.

    An entry written from structured fields (approved, edited) carries a style chosen for a
    different number of authors: "A, B and C" joins two authors as "A and B", which reads back as
    ``and``. Without this a re-import of the exported list would see every such entry as changed.
    """
    kind = EntryKind(entry.kind)
    if kind is EntryKind.RESOURCE or entry.phrasing.get("form") in ("text", "free") or not entry.authors:
        return
    default = AuthorStyle.COMMA if kind is EntryKind.SURVEY else AuthorStyle.COMMA_AND
    style = AuthorStyle(entry.phrasing.get("authors", default))
    entry.phrasing["authors"] = str(split_authors(join_authors(entry.authors, style))[1])
