"""The services behind the query commands (``/ptm model``, ``recent``, ``search`` ... and the CLI).

Every function takes an open session and never commits. Results are :class:`EntryHit` (the
entry's id and its domain :class:`~bot.catalog.model.Entry`, topics and aliases filled).

The package by concern:

=======================================  =====================================================
:mod:`~bot.catalog.queries.names`        ``find_model``, autocomplete, "did you mean"
:mod:`~bot.catalog.queries.related`      ``/ptm model``'s page: the match and related entries
:mod:`~bot.catalog.queries.lists`        ``recent`` (a topic's newest), ``surveys``
:mod:`~bot.catalog.queries.fulltext`     ``search_entries``, ``by_org``, ``by_author``
:mod:`~bot.catalog.queries.topics`       topic names; a moderator's topic correction
:mod:`~bot.catalog.queries.load`         ids in, hits out (one statement)
:mod:`~bot.catalog.queries.export`       an entry as the CLI's ``--json`` prints it
:mod:`~bot.catalog.queries.completions`  autocomplete of organisations and authors
=======================================  =====================================================

Performance design (targets at 100,000 entries: autocomplete and ``find_model`` <= 5 ms,
``recent`` <= 10 ms, ``search`` <= 20 ms): nothing scans the catalog in Python. Names are found
through indexed columns only and only a few candidates are ranked in Python
(:mod:`bot.catalog.matching`); ``recent`` walks ``ix_entry_topics_topic_slug`` for a small topic
and ``ix_entries_date_desc`` for a large one; ``/ptm org`` and ``/ptm author`` autocomplete
(:mod:`~bot.catalog.queries.completions`) read distinct organisations and authors; surveys use ``ix_entries_kind_year_month``; full
text goes through :func:`db.search.search`. Every read goes through
:func:`db.fastread.fetch_rows` (one trip to aiosqlite's thread per statement, not four). There
is no cache beyond the unit of work (``session.info``, dropped by any flush), so there is
nothing to invalidate when the catalog changes.
"""

from __future__ import annotations

from bot.catalog.queries.completions import author_names, org_names
from bot.catalog.queries.export import entry_json
from bot.catalog.queries.fulltext import by_author, by_org, search_entries
from bot.catalog.queries.lists import recent, surveys
from bot.catalog.queries.names import closest_names, find_model, suggest_names
from bot.catalog.queries.related import model_answer, model_page, related
from bot.catalog.queries.topics import UnknownTopic, resolve_topic, set_topics

__all__ = [
    "UnknownTopic",
    "author_names",
    "by_author",
    "by_org",
    "closest_names",
    "entry_json",
    "find_model",
    "model_answer",
    "model_page",
    "org_names",
    "recent",
    "related",
    "resolve_topic",
    "search_entries",
    "set_topics",
    "suggest_names",
    "surveys",
]
