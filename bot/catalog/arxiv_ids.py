"""arXiv identifiers: one normalised form used everywhere (catalog, feeds, suggestions).

The normalised id has no version and no ``.pdf``: ``2106.07447``, ``math/0502287``.
"""

from __future__ import annotations

import re

__all__ = ["arxiv_id_from_paste", "arxiv_id_from_url", "normalise_arxiv_id", "split_version"]

# New-style ids (0704.0001 onwards): YYMM.NNNN or YYMM.NNNNN; old-style: archive(.SUB)/YYMMNNN.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"
# A version: papers reach v20 or so; three digits keep a pasted v99999999999999999999 out of the
# database's (32-bit) version column.
_VERSION = r"v(?P<v>\d{1,3})"
_ID_RE = re.compile(rf"^(?:arxiv:)?(?P<id>{_NEW}|{_OLD})(?:{_VERSION})?(?:\.pdf)?$", re.IGNORECASE)
_URL_RE = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html)/(?P<id>{_NEW}|{_OLD})(?:{_VERSION})?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)

# The pages people paste for an arXiv paper: Hugging Face's paper page, alphaXiv, Semantic Scholar's
# arXiv redirect (the arXiv abs/pdf/html forms are in _URL_RE).
_PASTED_RE = re.compile(
    rf"^(?:https?://)?(?:www\.)?(?:huggingface\.co/papers|(?:alphaxiv\.org|alphaxiv\.com)/(?:abs|overview|pdf)"
    rf"|(?:api\.)?semanticscholar\.org/arxiv)/(?:arxiv:)?(?P<id>{_NEW})(?:{_VERSION})?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def split_version(raw: str) -> tuple[str, int | None] | None:
    """``'2106.07447v2'`` -> ``('2106.07447', 2)``; ``None`` when *raw* is not an arXiv id."""
    raw = raw.strip()
    if raw.lower().startswith("oai:arxiv.org:"):
        raw = raw[len("oai:arxiv.org:") :]
    m = _ID_RE.match(raw)
    if m is None:
        m = _URL_RE.search(raw)
        if m is None:
            return None
    ident = m.group("id")
    # Old-style archive names are lower case (math/0502287); keep the subject class as written.
    if "/" in ident:
        archive, number = ident.split("/", 1)
        ident = f"{archive.lower()}/{number}"
    version = m.group("v")
    return ident, int(version) if version else None


def normalise_arxiv_id(raw: str) -> str | None:
    """The id without version or ``.pdf`` from an id, an ``oai:`` guid or an abs/pdf URL."""
    parts = split_version(raw)
    return parts[0] if parts else None


def arxiv_id_from_url(url: str | None) -> str | None:
    """The normalised arXiv id of an ``arxiv.org/abs|pdf/...`` URL, else ``None``."""
    if not url:
        return None
    m = _URL_RE.search(url.strip())
    if m is None:
        return None
    return normalise_arxiv_id(m.group("id"))


def arxiv_id_from_paste(text: str) -> str | None:
    """The normalised id of what a moderator pasted: an id (``arXiv:2106.07447v2``), an arXiv
    abs/pdf/html URL (any version), a Hugging Face paper page, an alphaXiv page or a Semantic Scholar
    arXiv URL; else ``None``."""
    text = text.strip().strip("<>")  # Discord's <url> that suppresses the preview
    found = normalise_arxiv_id(text)
    if found is not None:
        return found
    m = _PASTED_RE.match(text)
    return m.group("id") if m else None
