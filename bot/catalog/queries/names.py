"""Names: ``/ptm model``'s look-up, autocomplete and "did you mean".

Names are found through indexed columns only: an equality or a range ``norm_name >= k AND
norm_name < k || U+10FFFF`` (a prefix scan on ``ix_entries_norm_name`` /
``ix_aliases_norm_alias``), ``LIMIT``-ed, plus a word query on the search index's ``names``
column; only those few candidates are ranked in Python (:mod:`bot.catalog.matching`). The name
path is one statement for both prefix scans with their candidates, and the index's word search
only when it can change the answer. The look-up is kept for the rest of the read
(``reads.info``; in a unit of work the session's, dropped by any flush), so "did you mean" after
a failed look-up reuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalog.matching import Candidate, Match, Tier, rank, unique_names
from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from db import search as fts
from db.normalize import norm_key
from db.reads import Reads, Row, Spelled

__all__ = ["KEY_END", "PREFIX_LIMIT", "closest_names", "find_model", "name_candidates", "suggest_names"]

PREFIX_LIMIT = 60
KEY_END = "\U0010ffff"  # sorts after every character a norm key can hold


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
# On SQLite: the scans and the neighbours, one statement.
_NAME_SCAN_NEIGHBOURS_SQL = _NAME_SCAN_SQL + _NEIGHBOURS_SQL
# The candidate rows (tag 0: the entry, tag 1: each alias) of the entries in the list ``:ids``
# (a JSON list on SQLite, an array on PostgreSQL: :mod:`db.reads`).
_CANDIDATES_SQL = Spelled(
    sqlite="SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key "
    "FROM entries e WHERE e.id IN (SELECT value FROM json_each(:ids)) "
    "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias FROM aliases a "
    "WHERE a.entry_id IN (SELECT value FROM json_each(:ids))",
    postgresql="SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key "
    "FROM entries e WHERE e.id = ANY(CAST(:ids AS INTEGER[])) "
    "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias FROM aliases a "
    "WHERE a.entry_id = ANY(CAST(:ids AS INTEGER[]))",
)
# SQLite: the name index's word hits (``w``: :data:`db.search.FIRST_HITS_SQL`, the statement
# :func:`db.search.first_hits_sql` gives) as tag 2 rows, and the candidate rows (tags 0 and 1)
# of those not in the list ``:seen`` (entry ids).
_WORD_CANDIDATES_SQL = (
    "WITH w(id) AS MATERIALIZED (" + fts.FIRST_HITS_SQL + "), "
    "x(id) AS MATERIALIZED (SELECT id FROM w WHERE id NOT IN (SELECT value FROM json_each(:seen))) "
    "SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key "
    "FROM entries e WHERE e.id IN (SELECT id FROM x) "
    "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias FROM aliases a WHERE a.entry_id IN (SELECT id FROM x) "
    "UNION ALL SELECT 2, id, NULL, NULL, NULL FROM w"
)
# "Did you mean": the entries whose name or alias key is one edit away from the query's key
# (exact look-ups of every such key on the indexes) and the keys next to the query's place in
# each sorted index (``:w`` before and ``:w`` after: the names sharing the longest prefix with
# it). At most ``:cap`` one-edit entries per index (lowest ids first: the shipped list before
# later additions), so at most ``2 * (cap + 2 * w)`` candidates, however large the catalog.
# ``+id``: sort the few matches, rather than let SQLite walk the table in id order to skip the
# sort (it does, for aliases: 9 ms instead of 1 ms).


def _fuzzy_pool_sql(among_edits: str) -> str:
    """:data:`_FUZZY_POOL_SQL` with ``among_edits`` the backend's test of a key against the
    list ``:edits`` (:mod:`db.reads`). Run twice, at import."""
    return (
        "WITH pool(id) AS (SELECT id FROM (SELECT id FROM entries WHERE norm_name " + among_edits + " "
        "ORDER BY +id LIMIT :cap) AS ne "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias " + among_edits + " "
        "ORDER BY +entry_id LIMIT :cap) AS ae "
        "UNION SELECT id FROM (SELECT id FROM entries WHERE norm_name < :k "
        "ORDER BY norm_name DESC LIMIT :w) AS nb "
        "UNION SELECT id FROM (SELECT id FROM entries WHERE norm_name >= :k "
        "ORDER BY norm_name LIMIT :w) AS na "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias < :k "
        "ORDER BY norm_alias DESC LIMIT :w) AS ab "
        "UNION SELECT entry_id FROM (SELECT entry_id FROM aliases WHERE norm_alias >= :k "
        "ORDER BY norm_alias LIMIT :w) AS aa) "
        "SELECT 0 AS tag, e.id AS entry_id, e.name AS text, e.kind AS kind, e.norm_name AS key "
        "FROM entries e WHERE e.id IN (SELECT id FROM pool) "
        "UNION ALL SELECT 1, a.entry_id, a.alias, NULL, a.norm_alias FROM aliases a "
        "WHERE a.entry_id IN (SELECT id FROM pool)"
    )


# The ~1,000 one-edit keys are one parameter (a JSON list on SQLite, an array on PostgreSQL):
# the statement's text, and its prepared form, do not change with their number.
_FUZZY_POOL_SQL = Spelled(
    sqlite=_fuzzy_pool_sql("IN (SELECT value FROM json_each(:edits))"),
    postgresql=_fuzzy_pool_sql("= ANY(CAST(:edits AS TEXT[]))"),
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


def _one_edit_keys(key: str, *, upto: int | None = None) -> list[str]:
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
    return sorted(out) or [key]


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


async def name_candidates(session: Reads, text: str, *, settle: int = 0) -> _NameLookup:
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
            sqlite = session.dialect == "sqlite"
            rows = await session.rows(
                _NAME_SCAN_NEIGHBOURS_SQL if sqlite else _NAME_SCAN_SQL,
                {"k": key, "kend": key + KEY_END, "n": PREFIX_LIMIT},
            )
            for r in rows:
                if r["tag"] in (2, 3) and r["scanned"] >= PREFIX_LIMIT:  # a scan's size and last key
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
            rows = await session.rows(
                _WORD_CANDIDATES_SQL,
                {"q": hits_sql[1], "limit": PREFIX_LIMIT, "seen": sorted(seen)},
            )
            found.word_hits = {r["entry_id"] for r in rows if r["tag"] == 2}
            found.cands = found.cands + _candidate_rows(rows)
        else:
            ids, _ = await fts.search(
                session,
                text,
                columns=("names",),
                order="id",
                limit=PREFIX_LIMIT,
                with_total=False,
                any_term=False,
            )
            found.word_hits = set(ids)
            extra = [i for i in ids if i not in seen]
            if extra:
                rows = await session.rows(_CANDIDATES_SQL, {"ids": extra})
                found.cands = found.cands + _candidate_rows(rows)
        found.searched_words = True
    cache[("names", text)] = found
    return found


async def find_model(session: Reads, name: str, *, limit: int = 10) -> list[EntryHit]:
    """Entries matching ``name``, best first (exact name, alias, prefix, words, substring);
    models before surveys and resources within a tier. ``[]`` when nothing is close."""
    found = await name_candidates(session, name, settle=limit)
    matches = found.ranked(name, limit)
    return await load(session, [mt.candidate.entry_id for mt in matches])


async def suggest_names(session: Reads, prefix: str, *, limit: int = 25) -> list[str]:
    """Autocomplete: entry names (<= 25, each <= 100 characters), best first.

    An empty prefix suggests models in alphabetical order.
    """
    limit = max(0, min(limit, 25))
    if not norm_key(prefix):
        names = await session.rows(
            "SELECT name FROM entries WHERE kind = 'model' ORDER BY norm_name LIMIT :n",
            {"n": limit},
        )
        return [r["name"] if len(r["name"]) <= 100 else r["name"][:99] + "…" for r in names]
    found = await name_candidates(session, prefix, settle=limit * 2)
    return unique_names(found.ranked(prefix, limit * 2), limit=limit)


async def closest_names(session: Reads, name: str, *, limit: int = 5) -> list[str]:
    """Names for "not found, did you mean ...": the matches, else the most alike names (difflib
    ratio >= 0.5) among a small indexed pool: names and aliases one typo away from the query
    (a character missing, extra, wrong or two swapped) and the keys next to it in the sorted
    name and alias indexes."""
    key = norm_key(name)
    if not key:
        return []
    found = await name_candidates(session, name)
    rows = await session.rows(
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
