"""Feeds for the tests: the captured arXiv documents in ``tests/fixtures/`` and a watcher config.

Documents built on the fly come from :mod:`support.feedgen` (the one feed builder, shared with
``bench/``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.config import Config, database_url_from_path

__all__ = ["FEEDS", "FIXTURES", "SHARED_LIST", "make_config"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FEEDS = FIXTURES / "feeds"
# The community's list as the workspace shares it (tests that need it skip without it).
SHARED_LIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "ptm-list.md"


def make_config(tmp_db: Path, **relevance_or_feeds: object) -> Config:
    """Defaults plus overrides: keys of [relevance] or [feeds] by name (threshold=..., backfill=...)."""
    config = Config().with_database_url(database_url_from_path(str(tmp_db)))
    rel = {k: v for k, v in relevance_or_feeds.items() if hasattr(config.relevance, k)}
    feeds = {k: v for k, v in relevance_or_feeds.items() if hasattr(config.feeds, k) and k not in rel}
    feeds.setdefault("contact", "mailto:ops@example.org")
    feeds.setdefault("min_interval_seconds", 0.0)
    # Exploration adds a paper below the threshold; tests of it turn it on explicitly.
    rel.setdefault("exploration", False)
    return replace(config, relevance=replace(config.relevance, **rel), feeds=replace(config.feeds, **feeds))
