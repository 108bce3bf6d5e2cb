"""``bibtex``: one ``@misc`` per paper on arXiv (biblatex's and natbib's arXiv form: ``eprint``,
``archivePrefix``, ``primaryClass`` when the catalog knows it), and the one entry ``/ptm cite``
answers with.

Citation keys are the first author's last name, the year and the title's first word
(``devlin2018bert``), in ASCII; keys that collide get ``b``, ``c`` ... in arXiv id order (the
older paper keeps the bare key), so a paper keeps its key when newer ones join. Text is UTF-8 (kept
as written: biber and modern BibTeX read it); LaTeX's special characters are escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from bot.catalog.exports.data import CatalogExport, paper_link
from bot.catalog.listformat.lines import full_paper_title
from bot.catalog.model import Entry

__all__ = ["bibtex_entry", "cite_key", "latex_escape", "render_bibtex"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))
_SKIPPED_WORDS = {"a", "an", "the", "on", "of", "for", "to", "in", "towards", "toward", "and", "with"}
_NEW_STYLE_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


def latex_escape(text: str) -> str:
    """*text* with LaTeX's special characters escaped and whitespace collapsed (non-ASCII kept)."""
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group()], " ".join(text.split()))


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _year(entry: Entry) -> int | None:
    found = _NEW_STYLE_ID.match(entry.arxiv_id or "")
    if found:
        return 2000 + int(found.group(1))
    return entry.year


def cite_key(entry: Entry) -> str:
    """``devlin2018bert``: first author's last name, year, the title's first word (ASCII)."""
    author = _ascii_word(entry.authors[0].split()[-1]) if entry.authors and entry.authors[0].split() else ""
    title_words = [_ascii_word(w) for w in re.split(r"[\s\-:]+", full_paper_title(entry) or entry.name)]
    word = next((w for w in title_words if w and w not in _SKIPPED_WORDS), "")
    year = _year(entry)
    key = f"{author or _ascii_word(entry.name)}{year or ''}{word}"
    return key or "entry"


def _fields(entry: Entry, primary: str | None) -> list[tuple[str, str]]:
    title = full_paper_title(entry) or entry.name
    fields = [("title", "{" + latex_escape(title) + "}")]
    if entry.authors:
        fields.append(
            (
                "author",
                " and ".join(
                    "{" + latex_escape(a) + "}" if " and " in a else latex_escape(a) for a in entry.authors
                ),
            )
        )
    year = _year(entry)
    if year:
        fields.append(("year", str(year)))
    if entry.arxiv_id:
        fields += [("eprint", entry.arxiv_id), ("archivePrefix", "arXiv")]
        if primary:
            fields.append(("primaryClass", primary))
    url = paper_link(entry)
    if url:
        fields.append(("url", url.replace("%", r"\%").replace("#", r"\#")))
    if entry.name != title:  # a model's name and organisation; a survey is named by its title
        fields.append(("note", latex_escape(f"{entry.name} (from {entry.org})" if entry.org else entry.name)))
    return fields


def bibtex_entry(entry: Entry, *, key: str | None = None, primary: str | None = None) -> str:
    """One ``@misc{key, ...}`` (the paper's fields, each on its own line)."""
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _fields(entry, primary))
    return f"@misc{{{key or cite_key(entry)},\n{body}\n}}\n"


def unique_keys(entries: Iterable[Entry]) -> dict[str, str]:
    """arXiv id -> citation key, collisions told apart by ``b``, ``c`` ... in arXiv id order."""
    taken: dict[str, list[str]] = {}
    for entry in sorted(entries, key=lambda e: e.arxiv_id or ""):
        taken.setdefault(cite_key(entry), []).append(entry.arxiv_id or "")
    keys: dict[str, str] = {}
    used = set(taken)
    for base, ids in taken.items():
        keys[ids[0]] = base
        suffix = ord("b")
        for arxiv_id in ids[1:]:
            while f"{base}{chr(suffix)}" in used:
                suffix += 1
            keys[arxiv_id] = f"{base}{chr(suffix)}"
            used.add(keys[arxiv_id])
    return keys


def papers(export: CatalogExport) -> list[Entry]:
    """One entry per arXiv paper, the first in document order (entries sharing a paper: LED and
    Longformer, cite it once)."""
    first: dict[str, Entry] = {}
    for stamped in export.entries:
        arxiv_id = stamped.entry.arxiv_id
        if arxiv_id and arxiv_id not in first:
            first[arxiv_id] = stamped.entry
    return list(first.values())


def render_bibtex(export: CatalogExport, categories: Mapping[str, str] | None = None) -> str:
    """Every arXiv paper of the catalog, in document order."""
    entries = papers(export)
    keys = unique_keys(entries)
    primary = export.categories if categories is None else categories
    head = f"% {export.title or 'ptm-bot catalog'}: {len(entries)} papers on arXiv (UTF-8)\n\n"
    return head + "\n".join(
        bibtex_entry(e, key=keys[e.arxiv_id or ""], primary=primary.get(e.arxiv_id or "")) for e in entries
    )
