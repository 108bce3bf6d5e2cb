"""Query syntax: a user's text cut into search terms, and the index's text.

User text never reaches FTS5 or tsquery syntax: it is cut into letter/digit runs
(:func:`query_terms`) and each becomes a quoted term (``NEAR(``, ``"``, ``*``, ``-`` are just
text). :func:`fts_query` makes the FTS5 ``MATCH`` expression, :func:`pg_tsquery` the
PostgreSQL ``to_tsquery`` text with the same rules: all terms (AND), or with ``any_term`` some
term (OR); terms of three or more letters also match as prefixes; a CJK run is a phrase;
columns as a column filter (FTS5) or weight labels (PostgreSQL); :data:`STOP_WORDS` left out
when other terms remain, unless columns are given.

The index's text: :func:`index_text` (SQLite: CJK characters stand apart, since unicode61 would
keep a run of them as one token) and :func:`pg_text` (PostgreSQL: the tokens FTS5 would cut,
folded, space-separated).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from db.normalize import fold
from db.search.schema import COLUMNS, PG_LABELS

__all__ = [
    "STOP_WORDS",
    "fts_query",
    "index_text",
    "normalise_query",
    "pg_text",
    "pg_tsquery",
    "query_terms",
    "search_terms",
]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"([{_CJK}])")
_TERM = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")


def index_text(text: str | None) -> str:
    """Text as stored in the index: CJK characters stand apart so each is a token."""
    if not text:
        return ""
    return " ".join(_CJK_CHAR.sub(r" \1 ", text).split())


def normalise_query(query: str) -> str:
    """The user's text as a name lookup reads it (db.normalize.fold): compatibility forms folded
    (NFKC: full-width ``ＢＥＲＴ`` is ``BERT``) and format characters gone (a zero-width space or a
    soft hyphen inside ``BE\u200bRT``), which would otherwise cut or change a term."""
    if query.isascii():
        return query
    return "".join(c for c in unicodedata.normalize("NFKC", query) if unicodedata.category(c) != "Cf")


def query_terms(query: str) -> list[str]:
    """Letter/digit runs of the user's text (a CJK run is one term)."""
    return _TERM.findall(query or "")


# English function words a catalog search ignores when the query has other terms: each is in
# a large share of all titles, and requiring it made every such query intersect a doclist of
# most of the catalog (at 1,000,000 entries "for" is in 362,000 documents; "Masked for Source
# Code" took 270 ms, about half that without it) while narrowing almost nothing. Full-text search over
# every column only: an organisation or author query keeps every word ("An", "Le" are names).
STOP_WORDS = frozenset("a an and are as at be by for from in into is of on or the to via with".split())


def search_terms(query: str, columns: Sequence[str] | None, *, keep_stop_words: bool = False) -> list[str]:
    terms = query_terms(query)
    if columns or keep_stop_words:
        return terms
    kept = [t for t in terms if t.casefold() not in STOP_WORDS]
    return kept or terms


def fts_query(query: str, *, columns: Sequence[str] | None = None, any_term: bool = False) -> str | None:
    """A safe FTS5 MATCH expression for free user text; None when it has no searchable term.
    Without ``columns``, :data:`STOP_WORDS` are left out when other terms remain."""
    parts = []
    for term in search_terms(query, columns):
        if _CJK_CHAR.match(term):
            parts.append('"' + " ".join(term) + '"')
        else:
            parts.append(f'"{term}"' + ("*" if len(term) >= 3 else ""))
    if not parts:
        return None
    expr = (" OR " if any_term else " AND ").join(parts)
    if columns:
        bad = [c for c in columns if c not in COLUMNS]
        if bad:
            raise ValueError(f"unknown search column(s): {', '.join(bad)}")
        expr = "{" + " ".join(columns) + "} : (" + expr + ")"
    return expr


def pg_text(text: str | None) -> str:
    """Text as written to the PostgreSQL index: the letter/digit runs FTS5's unicode61 would
    make (case and diacritics folded, each CJK character a token), space-separated, so that
    PostgreSQL's parser sees plain words and both backends cut the same tokens."""
    if not text:
        return ""
    return " ".join(_TERM.findall(fold(index_text(text))))


def pg_tsquery(
    query: str, *, columns: Sequence[str] | None = None, any_term: bool = False, keep_stop_words: bool = False
) -> str | None:
    """The ``to_tsquery`` text (configuration :data:`db.search.schema.PG_CONFIG`) matching what :func:`fts_query`
    matches on SQLite: every term (``any_term``: some term), terms of three or more characters
    as prefixes, a CJK run as a phrase, ``columns`` as weight labels, :data:`STOP_WORDS` left
    out as :func:`fts_query` leaves them out (unless ``keep_stop_words``). None without a term."""
    labels = ""
    if columns:
        bad = [c for c in columns if c not in COLUMNS]
        if bad:
            raise ValueError(f"unknown search column(s): {', '.join(bad)}")
        labels = "".join(sorted({PG_LABELS[c] for c in columns}))
    parts = []
    for term in search_terms(query, columns, keep_stop_words=keep_stop_words):
        if _CJK_CHAR.match(term):
            # Terms are letter/digit runs: nothing in them is tsquery syntax.
            parts.append("(" + " <-> ".join(f"'{c}'" + (f":{labels}" if labels else "") for c in term) + ")")
        else:
            # Folding can split a term (compatibility forms: "½" -> "1⁄2"): its runs then
            # form a phrase, as unicode61 would tokenize them.
            words = _TERM.findall(fold(term))
            if not words:
                continue
            suffix = ("*" if len(term) >= 3 else "") + labels
            last = f"'{words[-1]}'" + (f":{suffix}" if suffix else "")
            head = [f"'{w}'" + (f":{labels}" if labels else "") for w in words[:-1]]
            parts.append(last if not head else "(" + " <-> ".join([*head, last]) + ")")
    if not parts:
        return None
    return (" | " if any_term else " & ").join(parts)
