"""The search index's shape: its tables, columns and weights, and the rank cap.

SQLite: the FTS5 table :data:`FTS_TABLE` (migration 0002; prefix indexes since 0010), one row per
entry with ``rowid = entries.id``, five weighted columns (:data:`COLUMNS`, :data:`WEIGHTS` for
bm25) and ``kind`` UNINDEXED. PostgreSQL: the table :data:`PG_TABLE` (migrations 0009, 0010), a
weighted ``tsvector`` per entry (``doc``; :data:`PG_LABELS` maps the columns to weight labels,
ranked with :data:`PG_WEIGHTS`) and the authors', org's and names' own vectors, in the text
search configuration :data:`PG_CONFIG`.

The statements of :mod:`db.search.fts5`, :mod:`db.search.postgres` and :mod:`db.search.index`
spell these names out literally (``entry_search``, ``'ptm'``, the weights): change one here and
there together. Migrations keep frozen copies of their own (they must not import the live code).
"""

from __future__ import annotations

__all__ = ["COLUMNS", "FTS_TABLE", "PG_CONFIG", "PG_LABELS", "PG_TABLE", "PG_WEIGHTS", "RANK_CAP", "WEIGHTS"]

FTS_TABLE = "entry_search"
PG_TABLE = "entry_search"
PG_CONFIG = "ptm"
# PostgreSQL has four weights: names A, title B, authors and org C, body D; ts_rank's array is
# {D, C, B, A}, in the proportions of SQLite's bm25 column weights (10 / 5 / 3 / 3 / 1).
PG_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
PG_LABELS = {"names": "A", "title": "B", "authors": "C", "org": "C", "body": "D"}
COLUMNS = ("names", "title", "authors", "org", "body")
WEIGHTS = (10.0, 5.0, 3.0, 3.0, 1.0)

# Relevance order ranks at most this many hits: a query matching more is ranked among its
# newest RANK_CAP hits (by entry id: the latest additions) and its count is AtLeast(RANK_CAP).
# Bounded work per search at any catalog size; below the cap the order is exact. Read at call
# time (``schema.RANK_CAP``) by the backends, so a test may lower it here.
RANK_CAP = 2000

# ``session.info`` key of look-ups a unit of work may reuse (bot.catalog.queries keeps the name
# candidates of a query there, for "not found, did you mean" right after the look-up); the index
# module drops it on any flush and at the end of the transaction.
READ_CACHE = "ptm_read_cache"
