"""The services behind the query commands (``/ptm model``, ``recent``, ``search`` ... and the CLI).

Every function takes an open session and never commits. Results are :class:`EntryHit` (the
entry's id and its domain :class:`~bot.catalog.model.Entry`, topics and aliases filled).

Performance design (targets at 100,000 entries: autocomplete and ``find_model`` <= 5 ms,
``recent`` <= 10 ms, ``search`` <= 20 ms): nothing scans the catalog in Python. Names are
found through indexed columns only: an equality or a range ``norm_name >= k AND norm_name <
k || U+10FFFF`` (a prefix scan on ``ix_entries_norm_name`` / ``ix_aliases_norm_alias``),
``LIMIT``-ed, plus a word query on the search index's ``names`` column; only those few
candidates are ranked in Python (:mod:`bot.catalog.matching`). ``recent`` walks
``ix_entry_topics_topic_slug`` for a small topic and ``ix_entries_date_desc`` for a large one; surveys use ``ix_entries_kind_year_month``; full text goes
through :func:`db.search.search`. Entries are loaded with plain column queries straight into
the domain :class:`Entry` (no ORM instances): one statement per page of hits on SQLite. Every
read goes through :func:`db.fastread.fetch_rows` (one trip to aiosqlite's thread per statement,
not four), and the name path is one statement for both prefix scans with their candidates,
the index's word search only when it can change the answer, and one for related entries.
There is no cache beyond the unit of work (``session.info``, dropped by any flush), so there
is nothing to invalidate when the catalog changes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.catalog.listformat import full_paper_title
from bot.catalog.matching import FAMILY_PREFIXES, Candidate, Match, Tier, family_stem, rank, unique_names
from bot.catalog.model import Entry, EntryHit, Link, entry_from_columns
from bot.catalog.topics import TOPICS, parse_topic
from bot.errors import PTMError
from db import search as fts
from db.fastread import Reads, Row, TextList, dialect_name, fetch_rows
from db.normalize import norm_key

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# The ORM and the catalog service (which imports the importer) only for set_topics, a write: a
# read on SQLite imports neither (issue 19, start-up of the query subcommands).

log = logging.getLogger(__name__)

__all__ = [
    "UnknownTopic",
    "by_author",
    "by_org",
    "closest_names",
    "entry_json",
    "find_model",
    "model_answer",
    "model_page",
    "recent",
    "related",
    "resolve_topic",
    "search_entries",
    "set_topics",
    "suggest_names",
    "surveys",
]

_PREFIX_LIMIT = 60
_KEY_END = "\U0010ffff"  # sorts after every character a norm key can hold


class UnknownTopic(PTMError, ValueError):
    """A topic that is not in the taxonomy; the message lists the valid ones."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(f"unknown topic {topic!r}; valid topics: {', '.join(TOPICS)}")


def resolve_topic(topic: str) -> str:
    """The slug for what a user typed ('Speech', 'audio', 'long context'), else :class:`UnknownTopic`."""
    slug = topic if topic in TOPICS else parse_topic(topic)
    if slug is None:
        raise UnknownTopic(topic)
    return slug


# --------------------------------------------------------------------------------------------
# Loading


async def _load(session: Reads, ids: Sequence[int]) -> list[EntryHit]:
    """Hits for these ids, in the order given (ids that no longer exist are skipped).

    One tagged statement (:data:`_LOAD_SQL`: the entries, then their authors, links, topics and
    aliases), read in one trip to the driver (:func:`db.fastread.fetch_rows`), builds the domain
    entries directly, without ORM instances or identity-map bookkeeping: the same
    :class:`Entry` as :func:`bot.catalog.service.to_domain`, for a fraction of the cost. Rows
    are read afresh every time. Authors and links come in their positions' order, aliases in
    their keys' order, on every backend.
    """
    if not ids:
        return []
    authors: dict[int, list[str]] = {}
    links: dict[int, list[Link]] = {}
    topics: dict[int, list[str]] = {}
    aliases: dict[int, list[str]] = {}
    rows: dict[int, Row] = {}
    for row in await fetch_rows(session, _LOAD_SQL, {"ids": list(dict.fromkeys(ids))}):
        tag, entry_id = row["tag"], row["entry_id"]
        if tag == 0:
            rows[entry_id] = row
        elif tag == 1:
            authors.setdefault(entry_id, []).append(row["child"])
        elif tag == 2:
            links.setdefault(entry_id, []).append(Link(row["child"], row["label"], bool(row["own_line"])))
        elif tag == 3:
            topics.setdefault(entry_id, []).append(row["child"])
        else:
            aliases.setdefault(entry_id, []).append(row["child"])
    return _hits(ids, rows, authors, links, topics, aliases)


# :func:`_load`'s statement: the entries (tag 0, their columns by name) and their authors (1),
# links (2), topics (3) and aliases (4) with the entry id, a sort position (``pos`` for authors
# and links, ``apos`` for aliases) and the child's value in ``child`` (author name, link URL,
# topic slug, alias; a link's label and own-line flag in ``label`` and ``own_line``). The first
# branch's NULLs are typed, so PostgreSQL lines the branches up as SQLite does.
_NULL_ENTRY = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
_LOAD_SQL = (
    "SELECT 0 AS tag, id AS entry_id, CAST(NULL AS INTEGER) AS pos, CAST(NULL AS TEXT) AS apos, kind, name, "
    "section_key, year, month, date_style, org, docs_url, paper_title, paper_url, arxiv_id, description, "
    "phrasing, source_line, CAST(NULL AS TEXT) AS child, CAST(NULL AS TEXT) AS label, "
    "CAST(NULL AS BOOLEAN) AS own_line FROM entries WHERE id IN :ids "
    f"UNION ALL SELECT 1, ea.entry_id, ea.position, NULL, {_NULL_ENTRY}, a.name, NULL, NULL "
    "FROM entry_authors ea JOIN authors a ON a.id = ea.author_id WHERE ea.entry_id IN :ids "
    f"UNION ALL SELECT 2, entry_id, position, NULL, {_NULL_ENTRY}, url, label, label_own_line "
    "FROM entry_links WHERE entry_id IN :ids "
    f"UNION ALL SELECT 3, entry_id, NULL, NULL, {_NULL_ENTRY}, topic_slug, NULL, NULL "
    "FROM entry_topics WHERE entry_id IN :ids "
    f"UNION ALL SELECT 4, entry_id, NULL, norm_alias, {_NULL_ENTRY}, alias, NULL, NULL "
    "FROM aliases WHERE entry_id IN :ids "
    "ORDER BY tag, entry_id, pos, apos"
)


def _hits(
    ids: Sequence[int],
    rows: dict[int, Row],
    authors: dict[int, list[str]],
    links: dict[int, list[Link]],
    topics: dict[int, list[str]],
    aliases: dict[int, list[str]],
) -> list[EntryHit]:
    """The domain entries of :func:`_load`, in the order of ``ids``; ``rows`` are the entries'
    columns by name (kind, name ... source_line)."""
    hits = []
    for i in ids:
        row = rows.get(i)
        if row is None:
            continue
        entry = entry_from_columns(
            row,
            authors=authors.get(i, ()),
            links=links.get(i, ()),
            topics=topics.get(i, ()),
            aliases=aliases.get(i, ()),
        )
        hits.append(EntryHit(i, entry))
    return hits


def _date_order_sql(session: Reads) -> str:
    """The catalog's date order for ``entries AS e``: year, month newest first, undated last
    (SQLite sorts NULL lowest, so ``DESC`` is enough; PostgreSQL needs ``NULLS LAST``), then
    name, then id (:func:`_newest_first` in Python)."""
    last = "" if dialect_name(session) == "sqlite" else " NULLS LAST"
    return f"e.year DESC{last}, e.month DESC{last}, e.name, e.id"


# --------------------------------------------------------------------------------------------
# Names


# The name and alias prefix scans (``ix_entries_norm_name``, ``ix_aliases_norm_alias``), the
# candidates they give with every alias, and each scan's size and last key (which say whether
# the scan saw every match), in one statement.
_NAME_SCAN_SQL = (
    "WITH ns AS (SELECT id, norm_name AS k FROM entries WHERE norm_name >= :k AND norm_name < :kend "
    "ORDER BY norm_name LIMIT :n), "
    "als AS (SELECT entry_id AS id, norm_alias AS k FROM aliases WHERE norm_alias >= :k "
    "AND norm_alias < :kend ORDER BY norm_alias LIMIT :n), "
    "ids AS (SELECT id FROM ns UNION SELECT id FROM als) "
    "SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key, "
    "CAST(NULL AS BIGINT) AS scanned FROM entries e WHERE e.id IN (SELECT id FROM ids) "
    "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias, NULL FROM aliases a "
    "WHERE a.entry_id IN (SELECT id FROM ids) "
    "UNION ALL SELECT 2, NULL, NULL, NULL, max(k), count(*) FROM ns "
    "UNION ALL SELECT 3, NULL, NULL, NULL, max(k), count(*) FROM als"
)
# The keys just before and at/after the query's place in each sorted index (tags 4-7): no
# stored key shares a longer prefix with the query than the longest these share (SQLite's
# binary order; "did you mean" edits no place past it: :func:`_one_edit_keys`).
_NEIGHBOURS_SQL = (
    " UNION ALL SELECT 4, NULL, NULL, NULL, (SELECT max(norm_name) FROM entries WHERE norm_name < :k), NULL"
    " UNION ALL SELECT 5, NULL, NULL, NULL, (SELECT min(norm_name) FROM entries WHERE norm_name >= :k), NULL"
    " UNION ALL SELECT 6, NULL, NULL, NULL, (SELECT max(norm_alias) FROM aliases WHERE norm_alias < :k), NULL"
    " UNION ALL SELECT 7, NULL, NULL, NULL, (SELECT min(norm_alias) FROM aliases WHERE norm_alias >= :k), NULL"
)
_CANDIDATES_SQL = (
    "SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key "
    "FROM entries e WHERE e.id IN {ids} "
    "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias FROM aliases a WHERE a.entry_id IN {ids}"
)
# The name index's word hits (``{hits}``: :func:`db.search.first_hits_sql`) as tag 2 rows, and
# the candidate rows (tags 0 and 1) of those not in ``:seen`` (a JSON list of entry ids).
_WORD_CANDIDATES_SQL = (
    "WITH w(id) AS MATERIALIZED ({hits}), "
    "x(id) AS MATERIALIZED (SELECT id FROM w WHERE id NOT IN (SELECT value FROM json_each(:seen))) "
    + _CANDIDATES_SQL.format(ids="(SELECT id FROM x)").replace("{", "{{").replace("}", "}}")
    + " UNION ALL SELECT 2, id, NULL, NULL, NULL FROM w"
)
# "Did you mean": the entries whose name or alias key is one edit away from the query's key
# (exact look-ups of every such key on the indexes) and the keys next to the query's place in
# each sorted index (``:w`` before and ``:w`` after: the names sharing the longest prefix with
# it). At most ``:cap`` one-edit entries per index (lowest ids first: the shipped list before
# later additions), so at most ``2 * (cap + 2 * w)`` candidates, however large the catalog.
# ``+id``: sort the few matches, rather than let SQLite walk the table in id order to skip the
# sort (it does, for aliases: 9 ms instead of 1 ms).
_FUZZY_POOL_SQL = _CANDIDATES_SQL.format(ids="(SELECT id FROM pool)").join(
    (
        "WITH pool(id) AS (SELECT id FROM (SELECT id FROM entries WHERE norm_name IN :edits "
        "ORDER BY +id LIMIT :cap) AS ne "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias IN :edits "
        "ORDER BY +entry_id LIMIT :cap) AS ae "
        "UNION SELECT id FROM (SELECT id FROM entries WHERE norm_name < :k "
        "ORDER BY norm_name DESC LIMIT :w) AS nb "
        "UNION SELECT id FROM (SELECT id FROM entries WHERE norm_name >= :k "
        "ORDER BY norm_name LIMIT :w) AS na "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias < :k "
        "ORDER BY norm_alias DESC LIMIT :w) AS ab "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias >= :k "
        "ORDER BY norm_alias LIMIT :w) AS aa) ",
        "",
    )
)
_FUZZY_WINDOW = 15
_FUZZY_EDIT_CAP = 25
_FUZZY_MARGIN = 0.15
# Keys longer than this are probed for deletions and swaps only: inserting or replacing each
# of 36 characters at every place would bind thousands of keys, and the window still sees them.
_EDIT_FULL_MAX = 16
_KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _one_edit_keys(key: str, *, upto: int | None = None) -> TextList:
    """Keys one typo away from ``key``: a character deleted, two neighbours swapped, and (for
    keys up to :data:`_EDIT_FULL_MAX` characters) a letter or digit inserted or replaced.

    Every such edit at place ``i`` keeps ``key[:i]``, so when no stored key shares more than
    ``upto`` leading characters with ``key``, edits past place ``upto`` cannot be stored keys
    and are not made (the same keys are found, with a fraction of the look-ups)."""
    last = len(key) if upto is None else min(len(key), upto)
    out = set()
    for i in range(min(len(key), last + 1)):
        out.add(key[:i] + key[i + 1 :])
        if i + 1 < len(key):
            out.add(key[:i] + key[i + 1] + key[i] + key[i + 2 :])
    if len(key) <= _EDIT_FULL_MAX:
        for i in range(last + 1):
            head, tail = key[:i], key[i:]
            for ch in _KEY_ALPHABET:
                out.add(head + ch + tail)
                if tail:
                    out.add(head + ch + tail[1:])
    out.discard("")
    out.discard(key)
    # One bound value on SQLite (TextList): the statement's text does not vary with the
    # number of keys, so its prepared form is reused.
    return TextList(sorted(out) or [key])


def _candidate_rows(rows: Sequence[Row]) -> list[Candidate]:
    """Candidates from rows of :data:`_CANDIDATES_SQL` (tag 0: the entry, tag 1: an alias)."""
    entries = []
    aliases: dict[int, list[tuple[str, str]]] = {}
    for r in rows:
        tag = r["tag"]
        if tag == 0:
            entries.append((r["entry_id"], r["text"], r["kind"], r["key"]))
        elif tag == 1:
            aliases.setdefault(r["entry_id"], []).append((r["text"], r["key"]))
    out = []
    for entry_id, name, kind, key in entries:
        pairs = aliases.get(entry_id, ())
        out.append(
            Candidate(
                entry_id,
                name,
                kind,
                tuple(a for a, _ in pairs),
                name_key=key,
                alias_keys=tuple(k for _, k in pairs),
            )
        )
    return out


@dataclass
class _NameLookup:
    """What a name query found: candidates, the index's word hits (when asked), and whether the
    prefix scans saw every entry whose name or alias equals / starts with the key."""

    cands: list[Candidate]
    word_hits: set[int]
    searched_words: bool
    exact_complete: bool
    prefix_complete: bool
    # ``(limit, rank(...))`` of the candidates when that ranking settled the look-up (the
    # word search was skipped), for the caller to reuse instead of ranking again.
    settled_rank: tuple[int, list[Match]] | None = None
    # The longest prefix any stored name or alias key shares with the query's key (SQLite: from
    # the index neighbours), None when unknown.
    shared_prefix: int | None = None

    def ranked(self, text: str, limit: int) -> list[Match]:
        """``rank(text, cands, limit=limit, word_hits=word_hits)``."""
        if self.settled_rank is not None and self.settled_rank[0] == limit and not self.searched_words:
            return self.settled_rank[1]
        return rank(text, self.cands, limit=limit, word_hits=self.word_hits)

    def may_settle(self, key: str, limit: int) -> bool:
        """False when :meth:`settled` is sure to say no, whatever the ranking (so the caller
        need not rank): a prefix scan stopped short, and either an exact scan did too or fewer
        than ``limit`` candidates are exact matches (the first ``limit`` cannot all be exact)."""
        if self.prefix_complete:
            return True
        if not self.exact_complete:
            return False
        exact = sum(1 for c in self.cands if c.name_key == key or key in (c.alias_keys or ()))
        return exact >= limit

    def settled(self, ranked: Sequence[Match], limit: int) -> bool:
        """True when the word search cannot change the first ``limit`` of ``ranked`` (the
        candidates ranked without it): they are ``limit`` matches, and every entry that could
        rank as high as the last of them is already a candidate. Word hits that are not
        candidates match as words or substrings at best, below the exact and prefix tiers,
        unless a scan stopped short of every exact (or prefix) match."""
        if limit <= 0 or len(ranked) < limit:
            return False
        worst = ranked[limit - 1].tier
        if worst <= Tier.EXACT_ALIAS:
            return self.exact_complete
        return worst == Tier.PREFIX and self.prefix_complete


async def _name_candidates(session: Reads, text: str, *, settle: int = 0) -> _NameLookup:
    """Entries whose name or an alias equals or starts with the key, plus word hits of the index.

    With ``settle`` > 0 the word search is skipped when it cannot change the first ``settle``
    matches (:meth:`_NameLookup.settled`): the common case of a name typed in full. The result
    is kept for the rest of the unit of work (``session.info``, dropped by any flush), so "did
    you mean" after a failed look-up does not repeat it.
    """
    key = norm_key(text)
    cache = session.info.setdefault(fts.READ_CACHE, {})
    found: _NameLookup | None = cache.get(("names", text))
    if found is None:
        cands: list[Candidate] = []
        exact_complete = prefix_complete = True
        shared: int | None = None
        if key:
            sqlite = dialect_name(session) == "sqlite"
            rows = await fetch_rows(
                session,
                _NAME_SCAN_SQL + (_NEIGHBOURS_SQL if sqlite else ""),
                {"k": key, "kend": key + _KEY_END, "n": _PREFIX_LIMIT},
            )
            for r in rows:
                if r["tag"] in (2, 3) and r["scanned"] >= _PREFIX_LIMIT:  # a scan's size and last key
                    prefix_complete = False
                    exact_complete = exact_complete and r["key"] != key
            if sqlite:
                neighbours = [r["key"] for r in rows if r["tag"] >= 4 and r["key"] is not None]
                shared = max((_common_prefix(key, k) for k in neighbours), default=0)
            cands = _candidate_rows(rows)
        found = _NameLookup(cands, set(), False, exact_complete, prefix_complete, shared_prefix=shared)
    settled = False
    if not found.searched_words and settle and found.may_settle(key, settle):
        ranked = rank(text, found.cands, limit=settle)
        settled = found.settled(ranked, settle)
        if settled:
            found.settled_rank = (settle, ranked)
    if not found.searched_words and not settled:
        # Every word must match, and the first hits by id are taken unscored (the ranking is
        # bot.matching's): the cost stays bounded for a common short word (``xl``: thousands
        # of hits). No any-term fallback: a name with one unknown word is a typo for "did you
        # mean", not a match for every entry sharing its other words.
        seen = {c.entry_id for c in found.cands}
        hits_sql = fts.first_hits_sql(session, text, columns=("names",))
        if hits_sql is not None:
            # SQLite: the word hits (tag 2) and the candidates among them that the scans did not
            # give, in one statement.
            rows = await fetch_rows(
                session,
                _WORD_CANDIDATES_SQL.format(hits=hits_sql[0]),
                {"q": hits_sql[1], "limit": _PREFIX_LIMIT, "seen": json.dumps(sorted(seen))},
            )
            found.word_hits = {r["entry_id"] for r in rows if r["tag"] == 2}
            found.cands = found.cands + _candidate_rows(rows)
        else:
            ids, _ = await fts.search(
                session,
                text,
                columns=("names",),
                order="id",
                limit=_PREFIX_LIMIT,
                with_total=False,
                any_term=False,
            )
            found.word_hits = set(ids)
            extra = [i for i in ids if i not in seen]
            if extra:
                rows = await fetch_rows(session, _CANDIDATES_SQL.format(ids=":ids"), {"ids": extra})
                found.cands = found.cands + _candidate_rows(rows)
        found.searched_words = True
    cache[("names", text)] = found
    return found


async def find_model(session: Reads, name: str, *, limit: int = 10) -> list[EntryHit]:
    """Entries matching ``name``, best first (exact name, alias, prefix, words, substring);
    models before surveys and resources within a tier. ``[]`` when nothing is close."""
    found = await _name_candidates(session, name, settle=limit)
    matches = found.ranked(name, limit)
    return await _load(session, [mt.candidate.entry_id for mt in matches])


async def suggest_names(session: Reads, prefix: str, *, limit: int = 25) -> list[str]:
    """Autocomplete: entry names (<= 25, each <= 100 characters), best first.

    An empty prefix suggests models in alphabetical order.
    """
    limit = max(0, min(limit, 25))
    if not norm_key(prefix):
        names = await fetch_rows(
            session,
            "SELECT name FROM entries WHERE kind = 'model' ORDER BY norm_name LIMIT :n",
            {"n": limit},
        )
        return [r["name"] if len(r["name"]) <= 100 else r["name"][:99] + "…" for r in names]
    found = await _name_candidates(session, prefix, settle=limit * 2)
    return unique_names(found.ranked(prefix, limit * 2), limit=limit)


async def closest_names(session: Reads, name: str, *, limit: int = 5) -> list[str]:
    """Names for "not found, did you mean ...": the matches, else the most alike names (difflib
    ratio >= 0.5) among a small indexed pool: names and aliases one typo away from the query
    (a character missing, extra, wrong or two swapped) and the keys next to it in the sorted
    name and alias indexes."""
    key = norm_key(name)
    if not key:
        return []
    found = await _name_candidates(session, name)
    rows = await fetch_rows(
        session,
        _FUZZY_POOL_SQL,
        {
            "edits": _one_edit_keys(key, upto=found.shared_prefix),
            "k": key,
            "w": _FUZZY_WINDOW,
            "cap": _FUZZY_EDIT_CAP,
        },
    )
    seen = {c.entry_id for c in found.cands}
    cands = found.cands + [c for c in _candidate_rows(rows) if c.entry_id not in seen]
    # Alike names only as alike as the best one, give or take: "nystomformer" suggests
    # Nyströmformer (0.96), not every "...former" (0.6-0.7) that the pool also holds.
    matches = rank(
        name,
        cands,
        limit=limit * 2,
        word_hits=found.word_hits,
        fuzzy=True,
        cutoff=0.5,
        margin=_FUZZY_MARGIN,
    )
    return unique_names(matches, limit=limit)


async def related(session: Reads, hit: EntryHit, *, limit: int = 10) -> list[EntryHit]:
    """Entries related to ``hit``: first those released with the same paper (LED and Longformer,
    BigBird-RoBERTa and BigBird-Pegasus), then the same family, newest first.

    Family rule (:func:`bot.catalog.matching.family_stem`): two names are one family when they reduce to
    the same stem after dropping a variant marker at the end (``-v2``, ``-50``, ``-D``, ``-XL``,
    ``Phoneme``, ``Sat``, a version number) and a variant prefix at the front (``XLSR-``,
    ``XLM-``, ``m`` as in mT5/mBART/mLUKE, ``Distil``): DeBERTa / DeBERTa-v2; MBart / MBart-50 /
    BART; Wav2Vec2 / Wav2Vec2Phoneme / XLSR-Wav2Vec2; UniSpeech / UniSpeechSat; SEW / SEW-D;
    LayoutLM / LayoutLMv2; T5 / mT5 / T5v1.1. Candidates come from indexed prefix scans on
    ``norm_name`` (the stem, and each prefix + stem), never from a scan of the catalog.
    """
    return await _load(session, await _related_ids(session, hit.id, hit.entry.name, limit=limit))


async def _related_ids(session: Reads, entry_id: int, name: str, *, limit: int) -> list[int]:
    """The ids of :func:`related` for the entry ``entry_id`` named ``name``, in order."""
    stem = family_stem(name)
    starts = [stem, *(p + stem for p in FAMILY_PREFIXES)] if stem else []
    # One statement: the same-paper entries (tag 0) and the family prefix scans' entries (tag
    # 1; the stem, and each variant prefix + stem), with what the date order needs.
    scans = " UNION ALL ".join(
        f"SELECT id FROM (SELECT id FROM entries WHERE norm_name >= :s{i} AND norm_name < :e{i} "
        f"ORDER BY norm_name LIMIT :n) AS f{i}"  # PostgreSQL (before 16) wants the alias
        for i in range(len(starts))
    )
    sql = (
        "WITH sp AS (SELECT id FROM entries WHERE paper_id = (SELECT paper_id FROM entries WHERE id = :id) "
        "AND id != :id ORDER BY year IS NULL, year DESC, month IS NULL, month DESC, name, id LIMIT :limit) "
        "SELECT 0 AS tag, e.id AS id, e.name AS name, e.year AS year, e.month AS month "
        "FROM entries e WHERE e.id IN (SELECT id FROM sp)"
    )
    params: dict[str, Any] = {"id": entry_id, "limit": max(0, limit), "n": _PREFIX_LIMIT}
    if starts:
        sql += (
            " UNION ALL SELECT 1, e.id, e.name, e.year, e.month FROM entries e "
            f"WHERE e.id IN ({scans}) AND e.id != :id AND e.id NOT IN (SELECT id FROM sp)"
        )
        for i, start in enumerate(starts):
            params[f"s{i}"], params[f"e{i}"] = start, start + _KEY_END
    rows = await fetch_rows(session, sql, params)
    same_paper = [r["id"] for r in sorted((r for r in rows if r["tag"] == 0), key=_newest_first)]
    family = [
        r["id"]
        for r in sorted(
            (r for r in rows if r["tag"] == 1 and family_stem(r["name"]) == stem), key=_newest_first
        )
    ]
    return (same_paper + family)[:limit]


async def model_page(
    session: Reads, name: str, *, related_limit: int = 10
) -> tuple[EntryHit, list[EntryHit]] | None:
    """``/ptm model``'s data: the best match for ``name`` and its related entries, exactly
    ``find_model(name, limit=1)[0]`` and ``related(that, limit=related_limit)``; None when
    nothing matches. The related ids are found from the ranked candidate's id and name, so the
    best hit and its related entries are loaded together (one :func:`_load`, not two)."""
    found = await _name_candidates(session, name, settle=1)
    matches = found.ranked(name, 1)
    if not matches:
        return None
    best = matches[0].candidate
    rel_ids = await _related_ids(session, best.entry_id, best.name, limit=related_limit)
    hits = {h.id: h for h in await _load(session, [best.entry_id, *rel_ids])}
    if best.entry_id not in hits:
        return None
    return hits[best.entry_id], [hits[i] for i in rel_ids if i in hits]


async def model_answer(
    session: Reads, name: str, *, related_limit: int = 10, closest_limit: int = 5
) -> tuple[tuple[EntryHit, list[EntryHit]] | None, list[str]]:
    """What ``/ptm model`` shows, in one read: :func:`model_page`, or when no name matches,
    ``None`` and :func:`closest_names` (which reuses the look-up, :func:`_name_candidates`)."""
    page = await model_page(session, name, related_limit=related_limit)
    if page is not None:
        return page, []
    return None, await closest_names(session, name, limit=closest_limit)


def _newest_first(row: Row) -> tuple[Any, ...]:
    """The catalog's date order for rows with ``id, name, year, month``: year, month newest
    first and undated last (SQLite's ``DESC`` and PostgreSQL's ``DESC NULLS LAST`` alike), then
    name (code point order, which is SQLite's binary order of UTF-8 text), then id."""
    entry_id, name, year, month = row["id"], row["name"], row["year"], row["month"]
    return (year is None, -(year or 0), month is None, -(month or 0), name, entry_id)


# --------------------------------------------------------------------------------------------
# Lists


async def recent(
    session: Reads, topic: str, *, count: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """The newest entries of a topic (by year, month; undated last) and how many it has."""
    slug = resolve_topic(topic)
    count, offset = max(0, count), max(0, offset)
    # One statement for the topic's size (kept by triggers: migration 0011) and the catalog's
    # (max(id): an index seek, where count(*) would scan), which pick the plan below.
    sizes = (
        await fetch_rows(
            session,
            "SELECT (SELECT n FROM topic_counts WHERE topic_slug = :slug) AS total, "
            "(SELECT max(id) FROM entries) AS catalog_size",
            {"slug": slug},
        )
    )[0]
    total, catalog_size = int(sizes["total"] or 0), int(sizes["catalog_size"] or 0)
    if total == 0 or offset >= total:
        return [], total
    if dialect_name(session) == "sqlite" and (count + offset) * catalog_size < total * total // 2:
        # A large topic: walk ix_entries_date_desc newest first and stop after the page (about
        # (count + offset) * catalog / topic rows), rather than sort all of the topic's entries.
        # SQLite's planner does not weigh LIMIT, so the index and the join order are spelt out.
        sql = (
            "SELECT e.id FROM entries AS e INDEXED BY ix_entries_date_desc "
            "CROSS JOIN entry_topics AS t ON t.entry_id = e.id AND t.topic_slug = :slug "
            f"ORDER BY {_date_order_sql(session)} LIMIT :limit OFFSET :offset"
        )
    else:
        sql = (
            "SELECT e.id FROM entries AS e JOIN entry_topics AS t ON t.entry_id = e.id "
            f"WHERE t.topic_slug = :slug ORDER BY {_date_order_sql(session)} LIMIT :limit OFFSET :offset"
        )
    rows = await fetch_rows(session, sql, {"slug": slug, "limit": count, "offset": offset})
    return await _load(session, [r["id"] for r in rows]), total


async def search_entries(
    session: Reads, query: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Full text over names, aliases, titles, authors, orgs and descriptions, best first."""
    ids, total = await fts.search(session, query, limit=limit, offset=offset)
    return await _load(session, ids), total


async def surveys(
    session: Reads, query: str | None, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Surveys, newest first; ``query`` (full text) narrows them."""
    if query and fts.query_terms(query):
        ids, total = await fts.search(
            session, query, kinds=("survey",), order="date", limit=limit, offset=offset
        )
        return await _load(session, ids), total
    # The count is kept by triggers (migration 0011): one row, however many surveys.
    rows = await fetch_rows(
        session,
        "SELECT e.id, (SELECT n FROM kind_counts WHERE kind = 'survey') AS total FROM entries AS e "
        f"WHERE e.kind = 'survey' ORDER BY {_date_order_sql(session)} LIMIT :limit OFFSET :offset",
        {"limit": max(0, limit), "offset": max(0, offset)},
    )
    if rows:
        total = int(rows[0]["total"] or 0)
    else:  # past the last page: the count alone
        counted = await fetch_rows(session, "SELECT n FROM kind_counts WHERE kind = 'survey'")
        total = int(counted[0]["n"]) if counted else 0
    return await _load(session, [r["id"] for r in rows]), total


async def by_org(session: Reads, org: str, *, limit: int = 10, offset: int = 0) -> tuple[list[EntryHit], int]:
    """Entries from an organisation, newest first. Word match, so "google" finds "Google
    Research", "Google AI" and "Google/CMU"; case and diacritics do not matter."""
    ids, total = await fts.search(session, org, columns=("org",), order="date", limit=limit, offset=offset)
    return await _load(session, ids), total


async def by_author(
    session: Reads, name: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Entries with an author matching every word of ``name`` ("Kaiming He"), newest first."""
    # No any-term fallback: "Kaiming Zzyzx" is nobody, not every Kaiming (PostgreSQL agrees).
    ids, total = await fts.search(
        session, name, columns=("authors",), order="date", limit=limit, offset=offset, any_term=False
    )
    return await _load(session, ids), total


# --------------------------------------------------------------------------------------------
# Moderation


async def set_topics(session: AsyncSession, entry_id: int, topics: Sequence[str]) -> EntryHit:
    """A moderator's correction: the entry's topics become exactly ``topics`` (source
    ``moderator``), which later imports keep. An empty list goes back to the classifier.

    Raises :class:`UnknownTopic` for a topic not in the taxonomy and :class:`LookupError` for an
    unknown entry id.
    """
    from sqlalchemy import select

    from bot.catalog import service as catalog
    from db import models as m

    slugs = list(dict.fromkeys(resolve_topic(t) for t in topics))
    row = await session.scalar(
        select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
    )
    if row is None:
        raise LookupError(f"no entry with id {entry_id}")
    source = "moderator"
    if not slugs:
        slugs = list(catalog.entry_topics(catalog.to_domain(row)))
        source = "auto"
    await catalog.CatalogWriter(session).ensure_topics(slugs)
    existing = {t.topic_slug: t for t in row.topics}
    keep = []
    for slug in slugs:
        link = existing.get(slug) or m.EntryTopic(topic_slug=slug)
        link.source = source
        keep.append(link)
    row.topics = keep
    await session.flush()
    return (await _load(session, [entry_id]))[0]


# --------------------------------------------------------------------------------------------
# JSON


def entry_json(entry: Entry) -> dict[str, Any]:
    """The entry as the CLI's ``--json`` prints it (``date``: "YYYY-MM", "YYYY" or null)."""
    return {
        "kind": str(entry.kind),
        "name": entry.name,
        "date": entry.date,
        "org": entry.org,
        "paper_title": full_paper_title(entry),
        "paper_url": entry.paper_url,
        "arxiv_id": entry.arxiv_id,
        "docs_url": entry.docs_url,
        "authors": list(entry.authors),
        "topics": list(entry.topics),
        "aliases": list(entry.aliases),
        "section": entry.section,
        "description": entry.description,
        "links": [{"url": ln.url, "label": ln.label} for ln in entry.links],
    }
