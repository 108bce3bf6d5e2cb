"""``/ptm model``'s page: the best match for a name and its related entries (same paper, same
family), and the answer when nothing matches ("did you mean").
"""

from __future__ import annotations

from typing import Any

from bot.catalog.matching import FAMILY_PREFIXES, family_stem
from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from bot.catalog.queries.names import KEY_END, PREFIX_LIMIT, closest_names, name_candidates
from db.reads import Reads, Row

__all__ = ["model_answer", "model_page", "related"]

# The same-paper entries (tag 0), newest first, with what the date order needs.
_SAME_PAPER_SQL = (
    "WITH sp AS (SELECT id FROM entries WHERE paper_id = (SELECT paper_id FROM entries WHERE id = :id) "
    "AND id != :id ORDER BY year IS NULL, year DESC, month IS NULL, month DESC, name, id LIMIT :limit) "
    "SELECT 0 AS tag, e.id AS id, e.name AS name, e.year AS year, e.month AS month "
    "FROM entries e WHERE e.id IN (SELECT id FROM sp)"
)
# The family's prefix scans (the stem, and each variant prefix + stem: ``:s0``/``:e0`` ...), one
# per start; the count of starts is fixed by FAMILY_PREFIXES, so this is built once, at import.
_FAMILY_STARTS = 1 + len(FAMILY_PREFIXES)
_FAMILY_SCANS = " UNION ALL ".join(
    f"SELECT id FROM (SELECT id FROM entries WHERE norm_name >= :s{i} AND norm_name < :e{i} "
    f"ORDER BY norm_name LIMIT :n) AS f{i}"  # PostgreSQL (before 16) wants the alias
    for i in range(_FAMILY_STARTS)
)
# Both in one statement: the same-paper entries (tag 0) and the family's entries (tag 1).
_RELATED_SQL = (
    _SAME_PAPER_SQL + " UNION ALL SELECT 1, e.id, e.name, e.year, e.month FROM entries e "
    "WHERE e.id IN (" + _FAMILY_SCANS + ") AND e.id != :id AND e.id NOT IN (SELECT id FROM sp)"
)


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
    return await load(session, await _related_ids(session, hit.id, hit.entry.name, limit=limit))


async def _related_ids(session: Reads, entry_id: int, name: str, *, limit: int) -> list[int]:
    """The ids of :func:`related` for the entry ``entry_id`` named ``name``, in order."""
    stem = family_stem(name)
    starts = [stem, *(p + stem for p in FAMILY_PREFIXES)] if stem else []
    # One statement: the same-paper entries (tag 0) and the family prefix scans' entries (tag
    # 1; the stem, and each variant prefix + stem), with what the date order needs.
    params: dict[str, Any] = {"id": entry_id, "limit": max(0, limit), "n": PREFIX_LIMIT}
    for i, start in enumerate(starts):
        params[f"s{i}"], params[f"e{i}"] = start, start + KEY_END
    sql = _RELATED_SQL if starts else _SAME_PAPER_SQL
    rows = await session.rows(sql, params)
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
    best hit and its related entries are loaded together (one :func:`load`, not two)."""
    found = await name_candidates(session, name, settle=1)
    matches = found.ranked(name, 1)
    if not matches:
        return None
    best = matches[0].candidate
    rel_ids = await _related_ids(session, best.entry_id, best.name, limit=related_limit)
    hits = {h.id: h for h in await load(session, [best.entry_id, *rel_ids])}
    if best.entry_id not in hits:
        return None
    return hits[best.entry_id], [hits[i] for i in rel_ids if i in hits]


async def model_answer(
    session: Reads, name: str, *, related_limit: int = 10, closest_limit: int = 5
) -> tuple[tuple[EntryHit, list[EntryHit]] | None, list[str]]:
    """What ``/ptm model`` shows, in one read: :func:`model_page`, or when no name matches,
    ``None`` and :func:`closest_names` (which reuses the look-up, :func:`name_candidates`)."""
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
