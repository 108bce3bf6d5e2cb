"""Parse arXiv feed documents (already downloaded bytes) into plain, typed records.

Four layouts are understood:

* ``rss2`` - the current ``rss.arxiv.org/rss/<cat>`` RSS 2.0 feed (guid ``oai:arXiv.org:IDvN``,
  description ``arXiv:IDvN Announce Type: TYPE \\nAbstract: ...``, one comma-separated ``dc:creator``);
* ``atom`` - its Atom twin ``rss.arxiv.org/atom/<cat>`` (same data in Atom elements);
* ``api`` - the ``export.arxiv.org/api/query`` Atom response, classic and 2025+ layouts;
* ``rdf`` - the old (before 2024) ``export.arxiv.org/rss/<cat>`` RSS 1.0 / RDF feed: the id, version,
  category and UPDATED / CROSS LISTED flag are in the title's ``(arXiv:IDvN [cat] FLAG)`` tail, the
  authors are ``<a href>`` HTML in ``dc:creator``, the abstract is ``<p>`` HTML.

A document that breaks off (truncated XML) keeps the entries read before the break and says so in
:attr:`ParsedFeed.broken`; entries without an arXiv id are listed in :attr:`ParsedFeed.skipped`. The
poll reports both as a ``partial`` outcome. HTML tags in titles and abstracts (external text) are
removed here, before anything is stored or exported.

feedparser only ever sees the bytes (wrapped in a stream), never a URL or a path: feedparser
would happily open a file or fetch a URL if handed a string that looks like one.
"""

from __future__ import annotations

import html
import io
import logging
import re
import xml.sax
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.catalog.arxiv_ids import split_version
from bot.errors import PTMError
from bot.words import counted

__all__ = ["ANNOUNCE_TYPES", "FeedError", "FeedPaper", "ParsedFeed", "parse_feed", "strip_tags"]

log = logging.getLogger(__name__)

ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})

# Compiled once: the per-item work must stay negligible next to feedparser's own time.
_RSS_DESCRIPTION_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)
# arXiv category terms: "cs.CL", "math.DG", "hep-th", "cond-mat.mes-hall", "q-bio.GN", "stat.ML".
# MSC/ACM/PACS terms ("53C30, 53C25", "I.2.7", "68T50") do not match.
_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
_HTML_START_RE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html)", re.IGNORECASE)
# An HTML tag or comment in external text: "<script>", "</i>", "<img src=x onerror=...>".
_TAG_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.DOTALL)
# The old RDF feed's title tail: "Title. (arXiv:1805.08875v1 [hep-ex])", "... [cs.CL] UPDATED)".
_RDF_TITLE_RE = re.compile(
    r"^(?P<title>.*?)\s*\(arXiv:(?P<id>[^\s()\[\]]+)\s*(?:\[(?P<cat>[^\]]+)\])?\s*(?P<flag>[A-Z][A-Z ]*?)?\s*\)\s*$",
    re.DOTALL,
)
_RDF_FLAGS = {None: "new", "UPDATED": "replace", "CROSS LISTED": "cross"}


class FeedError(PTMError):
    """The document is not an arXiv feed at all (HTML error page served as 200, broken XML with no
    entries, wrong content)."""


ARXIV = "arXiv"  # FeedPaper.sources of a paper read from an arXiv feed


@dataclass(frozen=True, slots=True)
class FeedPaper:
    arxiv_id: str  # normalised, no version
    version: int | None
    title: str  # whitespace collapsed
    abstract: str  # for RSS: text after "Abstract:"; whitespace collapsed
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # de-duplicated, primary first when known, arXiv categories only
    primary_category: str | None
    announce_type: str  # 'new' | 'cross' | 'replace' | 'replace-cross'
    url: str  # https://arxiv.org/abs/<id>
    published: datetime | None  # tz-aware UTC
    comment: str | None = None
    # Where the paper was seen ("arXiv", "Hugging Face Daily Papers"), and its upvotes there.
    sources: tuple[str, ...] = (ARXIV,)
    upvotes: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    format: str  # 'rss2' | 'atom' | 'api' | 'rdf'
    papers: tuple[FeedPaper, ...]
    skipped: tuple[str, ...]  # entries read but not usable (no arXiv id), one line each
    broken: str | None = None  # the XML error after which nothing more could be read (truncated)

    @property
    def lost(self) -> str | None:
        """What this document lost, for the poll's ``partial`` outcome; ``None`` when nothing was."""
        parts = []
        if self.skipped:
            parts.append(f"{counted(len(self.skipped), 'entry', 'entries')} without an arXiv id skipped")
        if self.broken:
            parts.append(f"document broken off after {len(self.papers)} paper(s): {self.broken}")
        return "; ".join(parts) or None


def strip_tags(text: str) -> str:
    """*text* without HTML tags or comments (entities decoded), whitespace collapsed."""
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # double-escaped markup ("&lt;script&gt;") is markup too
            text = _TAG_RE.sub(" ", text)
    return _collapse(text)


def parse_feed(data: bytes) -> ParsedFeed:
    """Parse one downloaded arXiv feed document.

    Empty (weekend/holiday) feeds give an empty :class:`ParsedFeed`. Raises :class:`FeedError` when
    the bytes are not a feed at all: an HTML page, or XML so broken that no entry could be read.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_feed() takes the downloaded bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise FeedError("empty document: no feed at all")
    if _HTML_START_RE.match(data[:1024]):
        raise FeedError(f"an HTML page, not a feed: {_snippet(data)!r}")

    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.entries
    version = parsed.get("version") or ""
    if parsed.bozo and not entries:
        exc = parsed.get("bozo_exception")
        raise FeedError(f"unreadable feed ({type(exc).__name__}: {exc}); starts with {_snippet(data)!r}")
    if not version.startswith(("rss", "atom")):
        raise FeedError(f"not an RSS or Atom document (feedparser version {version!r}): {_snippet(data)!r}")
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        log.warning(
            "feed parsed with problems (%s: %s); keeping %d entries", type(exc).__name__, exc, len(entries)
        )

    if version in ("rss090", "rss091n", "rss091u", "rss092", "rss093", "rss094", "cdf"):
        raise FeedError(f"an old {version} feed, which arXiv never published; not read")
    broken = None
    exc = parsed.get("bozo_exception") if parsed.bozo else None
    if isinstance(exc, xml.sax.SAXException):  # not a mere encoding note: the XML itself broke
        if isinstance(exc, xml.sax.SAXParseException):
            broken = f"XML error at line {exc.getLineNumber()}: {_collapse(exc.getMessage())}"[:200]
        else:
            broken = _collapse(str(exc))[:200]

    fmt = _detect_format(version, parsed.feed, entries)
    papers: dict[str, FeedPaper] = {}
    skipped: list[str] = []
    for index, entry in enumerate(entries):
        paper = _paper_from_entry(entry, fmt)
        if paper is None:
            title = _collapse(entry.get("title", ""))[:80]
            skipped.append(f"entry {index}: no arXiv id (id={entry.get('id')!r}, title={title!r})")
            continue
        earlier = papers.get(paper.arxiv_id)
        papers[paper.arxiv_id] = paper if earlier is None else _merge(earlier, paper)
    if parsed.bozo and not papers:
        exc = parsed.get("bozo_exception")
        raise FeedError(f"unreadable feed ({type(exc).__name__}: {exc}); no entry had an arXiv id")
    if skipped:
        log.info("skipped %d of %d feed entries", len(skipped), len(entries))
    return ParsedFeed(format=fmt, papers=tuple(papers.values()), skipped=tuple(skipped), broken=broken)


def _detect_format(version: str, feed: Mapping[str, Any], entries: list[Any]) -> str:
    if version == "rss10":
        return "rdf"
    if version.startswith("rss"):
        return "rss2"
    feed_id = str(feed.get("id", ""))
    feed_title = str(feed.get("title", "")).lower()
    if "/api/" in feed_id or feed_title.startswith("arxiv query"):
        return "api"
    if "rss.arxiv.org" in feed_id:
        return "atom"
    for entry in entries[:3]:
        if str(entry.get("id", "")).lower().startswith("oai:") or "Announce Type" in entry.get("summary", ""):
            return "atom"
    return "api" if entries else "atom"


def _paper_from_entry(feed_entry: Mapping[str, Any], fmt: str) -> FeedPaper | None:
    # feedparser's dict resolves aliases on every lookup ("guid" -> "id", "description" -> "summary");
    # none of the keys read here is an alias, so a plain copy gives the same values, faster.
    entry = dict(feed_entry) if isinstance(feed_entry, dict) else feed_entry
    if fmt == "rdf":
        return _paper_from_rdf_item(entry, feed_entry)
    summary = entry.get("summary", "") or ""
    announce_type: str | None = None
    parts = split_version(str(entry.get("id", "") or ""))
    if parts is None:
        parts = split_version(str(entry.get("link", "") or ""))
    m = _RSS_DESCRIPTION_RE.match(summary) if fmt != "api" else None
    if m is not None:
        described = split_version(m.group("id"))
        if parts is None or (described is not None and described[0] == parts[0] and parts[1] is None):
            parts = described or parts
        announce_type = m.group("type").lower()
        summary = summary[m.end() :]
    if parts is None:
        return None
    arxiv_id, version = parts

    if fmt == "api":
        # The API announces nothing: a backfill sees each paper at its latest version, and a paper
        # the bot has never seen is new to it whatever its version.
        announce_type = "new"
    else:
        declared = str(entry.get("arxiv_announce_type", "") or "").strip().lower()
        announce_type = declared or announce_type or ("new" if version in (1, None) else "replace")
        if announce_type not in ANNOUNCE_TYPES:
            log.debug("unknown announce type %r for %s", announce_type, arxiv_id)

    primary = entry.get("arxiv_primary_category")
    primary_term = primary.get("term") if isinstance(primary, Mapping) else None
    terms = [t.get("term") for t in entry.get("tags", ()) or ()]
    categories = _clean_categories(([primary_term] if primary_term else []) + terms)
    if primary_term and primary_term not in categories:
        primary_term = None
    if primary_term is None and fmt != "api" and categories:
        # The listing feeds give no explicit primary, but arXiv writes the primary category first.
        primary_term = categories[0]

    comment = entry.get("arxiv_comment")
    return FeedPaper(
        arxiv_id=arxiv_id,
        version=version,
        title=strip_tags(entry.get("title", "") or ""),
        abstract=strip_tags(summary),
        authors=_authors(entry, fmt),
        categories=categories,
        primary_category=primary_term,
        announce_type=announce_type,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        # "updated_parsed" is the one key feedparser special-cases (it falls back to "published_parsed").
        published=_utc(entry.get("published_parsed") or feed_entry.get("updated_parsed")),
        comment=_collapse(comment) or None if comment else None,
    )


def _paper_from_rdf_item(entry: Mapping[str, Any], feed_entry: Mapping[str, Any]) -> FeedPaper | None:
    """One ``<item>`` of the old RSS 1.0 feed (see the module docstring)."""
    m = _RDF_TITLE_RE.match(str(entry.get("title", "") or ""))
    parts = split_version(m.group("id")) if m else None
    if parts is None:
        parts = split_version(str(entry.get("link", "") or entry.get("id", "") or ""))
    if parts is None:
        return None
    arxiv_id, version = parts
    title = m.group("title") if m else str(entry.get("title", ""))
    if m and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # the feed wrote "Title. (arXiv:...)": the period belongs to the tail
    flag = (m.group("flag") or "").strip() or None if m else None
    announce_type = _RDF_FLAGS.get(flag, "new")
    if version is not None and version > 1 and announce_type == "new":
        announce_type = "replace"
    categories = _clean_categories([m.group("cat")] if m and m.group("cat") else [])
    creators = str(entry.get("author", "") or "")
    if not creators:
        creators = ", ".join(
            str(a.get("name", "")) for a in entry.get("authors", ()) or () if isinstance(a, Mapping)
        )
    authors = tuple(a for a in (strip_tags(n) for n in strip_tags(creators).split(",")) if a)
    return FeedPaper(
        arxiv_id=arxiv_id,
        version=version,
        title=strip_tags(title),
        abstract=strip_tags(str(entry.get("summary", "") or "")),
        authors=authors,
        categories=categories,
        primary_category=categories[0] if categories else None,
        announce_type=announce_type,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        published=_utc(entry.get("published_parsed") or feed_entry.get("updated_parsed")),
    )


def _authors(entry: Mapping[str, Any], fmt: str) -> tuple[str, ...]:
    names = [
        strip_tags(a.get("name", "") or "") for a in entry.get("authors", ()) or () if isinstance(a, Mapping)
    ]
    if not names and entry.get("author"):
        names = [_collapse(entry["author"])]
    if fmt != "api" and len(names) == 1 and "," in names[0]:
        # dc:creator is one string: "A Khan, R Kandala,  Deepti, S Munir" (doubled spaces included).
        names = [_collapse(n) for n in names[0].split(",")]
    return tuple(n for n in names if n)


def _clean_categories(terms: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        if not term:
            continue
        term = term.strip()
        if _CATEGORY_RE.match(term):
            seen.setdefault(term, None)
    return tuple(seen)


def _merge(first: FeedPaper, second: FeedPaper) -> FeedPaper:
    """The same paper twice in one document: keep the first record, merge what the second adds."""
    categories = _clean_categories(first.categories + second.categories)
    versions = [v for v in (first.version, second.version) if v is not None]
    return replace(
        first,
        categories=categories,
        version=max(versions) if versions else None,
        primary_category=first.primary_category or second.primary_category,
        abstract=first.abstract or second.abstract,
        authors=first.authors or second.authors,
        comment=first.comment or second.comment,
        published=first.published or second.published,
    )


def _collapse(text: object) -> str:
    return " ".join(str(text).split()) if text else ""


def _utc(value: Any) -> datetime | None:
    # feedparser's *_parsed values are time.struct_time already converted to UTC.
    if not value:
        return None
    try:
        return datetime(*value[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _snippet(data: bytes, limit: int = 120) -> str:
    return " ".join(data[:limit].decode("utf-8", "replace").split())
