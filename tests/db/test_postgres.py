"""The same catalog, queries and review state machine on PostgreSQL (asyncpg).

Runs when ``PTM_BOT_TEST_POSTGRES_URL`` names a server, e.g.
``postgresql+asyncpg://postgres@127.0.0.1:55432/postgres`` (``.ci/run`` starts one when PostgreSQL is
installed); each test gets a database of its own. Skipped otherwise.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from sqlalchemy import func, select

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.queries.stats import catalog_stats
from bot.commands import member as handlers
from bot.config import Config
from bot.database import open_database
from bot.review import service as review
from bot.review.service import Decision
from bot.watch.poll import poll
from db import models as m
from tests.plugins.database import reads
from tests.plugins.feeds import FEEDS

SERVER = os.environ.get("PTM_BOT_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="PTM_BOT_TEST_POSTGRES_URL is not set")


@pytest.fixture
async def pg():
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(SERVER)
    name = f"ptm_test_{uuid.uuid4().hex[:12]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = await open_database(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def strip(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


async def test_catalog_round_trip_on_postgres(pg):
    stats = await pg.read(catalog_stats)  # a plain connection: no ORM session
    async with pg.begin() as s:
        exported = await catalog.export_markdown(s)
    assert stats["kinds"] == {"survey": 17, "model": 102, "resource": 34}
    assert strip(exported) == strip(catalog.shipped_list_text())
    async with pg.begin() as s:
        report = await catalog.import_text(s, catalog.shipped_list_text(), source="again")
    assert not report.changed and report.unchanged == 153


async def test_queries_on_postgres(pg):
    async with pg.begin() as s:
        (best, *_) = await queries.find_model(reads(s), "deberta v2")
        speech, total = await queries.recent(reads(s), "speech", count=20)
        found, _ = await queries.search_entries(reads(s), "蒸馏")
        by_author, _ = await queries.by_author(reads(s), "Kaiming He")
        # "Did you mean" (one-edit keys as an IN list, index windows) and autocomplete.
        closest = await queries.closest_names(reads(s), "debrta")
        suggested = await queries.suggest_names(reads(s), "xl")
    assert closest[0] == "DeBERTa"
    assert "XLNet" in suggested
    assert best.entry.name == "DeBERTa-v2"
    assert total == 13 and "Wav2Vec2" in {h.entry.name for h in speech}
    assert any("TextBrewer" in (ln.url) for h in found for ln in h.entry.links)
    assert [h.entry.name for h in by_author] == ["ViTMAE"]


async def test_autocomplete_on_postgres(pg):
    # /ptm org and /ptm author autocomplete (issue 21) through db.read: a plain connection here.
    orgs = await handlers.org_names(pg, "goo")
    assert "Google" in orgs and orgs[0].casefold().startswith("goo")
    assert all("goo" in o.casefold() for o in orgs)
    assert (await handlers.author_names(pg, "kaiming"))[:1] == ["Kaiming He"]
    assert "Jacob Devlin" in await handlers.author_names(pg, "devlin")  # a surname
    assert 0 < len(await handlers.org_names(pg, "")) <= 25
    assert 0 < len(await handlers.author_names(pg, "")) <= 25


async def test_racing_decisions_on_postgres(pg):
    async with pg.begin() as s:
        row = m.Suggestion(
            arxiv_id="2111.09296",
            title="XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale",
            norm_title="xls r",
            authors=["Arun Babu"],
            categories=["cs.CL"],
            url="https://arxiv.org/abs/2111.09296",
            score=0.9,
            proposed_kind="model",
            proposed_name="XLS-R 2",
            status="pending",
        )
        s.add(row)
        await s.flush()
        sid = row.id

    async def moderator(actor_id: int, decision: Decision):
        async with pg.begin() as s:
            return await review.decide(
                s, sid, decision, actor_id=actor_id, actor_name=str(actor_id), via="reaction"
            )

    results = await asyncio.gather(
        *(moderator(i, Decision.APPROVE if i % 2 else Decision.REJECT) for i in range(6))
    )
    assert sum(r.applied for r in results) == 1
    async with pg.begin() as s:
        decisions = await review.decisions_for(s, sid)
        status = (await s.get(m.Suggestion, sid)).status
        added = await s.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.origin == "review"))
    assert len(decisions) == 1
    assert added == (1 if status == "approved" else 0)


async def test_poll_stores_suggestions_on_postgres(pg):

    feed = FEEDS / "apiatom-new-cs.LG_OR_cs.AI-2026-04-30.xml"
    report = await poll(pg, Config(), fetcher=None, sources=[str(feed)])
    assert len(report.candidates) == 20
    again = await poll(pg, Config(), fetcher=None, sources=[str(feed)])
    assert {c.status for c in again.candidates} == {"duplicate"}
    async with pg.begin() as s:
        rows = (await s.scalars(select(m.Suggestion))).all()
    assert len(rows) == 20 and all(isinstance(r.authors, list) and r.authors for r in rows)
    assert {r.status for r in rows} <= {"seen", "pending"}


async def test_model_command_with_related_entries_on_postgres(pg):

    payload = await handlers.model(pg, "deberta v2")
    embed = payload.embeds[0].to_dict()
    assert embed["title"].startswith("DeBERTa-v2")
    assert "DeBERTa" in str(embed.get("fields"))
    missing = await handlers.model(pg, "debrta")
    assert missing.ephemeral and "DeBERTa" in (missing.content or "")


async def test_a_1_mb_paper_title_gives_the_same_outcome_as_on_sqlite(pg, tmp_path):
    """Issue 11: PostgreSQL indexes titles by hash (migration 0005), so a B-tree row limit no longer
    refuses what SQLite stores."""
    title = ("Pre-training at scale " * 50000)[:1_000_000].strip()
    text = (
        "# L\n## PTM\n2202: [BigNet](https://example.org/bignet) (from Acme) released with the paper ["
        + title
        + "](https://example.org/paper.pdf) by A B.\n"
    )
    lite = await open_database(f"sqlite+aiosqlite:///{tmp_path}/lite.sqlite3")
    outcomes = []
    try:
        for db in (lite, pg):
            async with db.begin() as s:
                report = await catalog.import_text(s, text, source="big")
            async with db.begin() as s:
                stored = await s.scalar(
                    select(m.Paper.title).where(m.Paper.norm_title.like("pre training at scale%"))
                )
            outcomes.append((report.lines(), stored == title))
    finally:
        await lite.close()
    assert outcomes[0] == outcomes[1] and outcomes[0][1] is True


async def test_another_applications_postgres_database_is_refused_untouched(capsys):
    """Issue 11: without our revision marker and with tables of its own, a database is left alone."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from bot.cli.main import main

    url = make_url(SERVER)
    name = f"ptm_other_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    target = url.set(database=name)
    try:
        other = await asyncpg.connect(
            target.set(drivername="postgresql").render_as_string(hide_password=False)
        )
        await other.execute("CREATE TABLE notes (body text)")
        code = await asyncio.to_thread(main, ["stats", "--db", target.render_as_string(hide_password=False)])
        stats_err = capsys.readouterr().err
        # health (issue 23): the same words, not "no tables yet", and read-only; a problem line, exit 1
        # (health answers 0 or 1, never 2: issue 21).
        health = await asyncio.to_thread(
            main, ["health", "--db", target.render_as_string(hide_password=False)]
        )
        health_out, health_err = capsys.readouterr()
        tables = {
            r["tablename"]
            for r in await other.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        await other.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    assert code == 2
    assert "is not a ptm-bot catalog (it holds other tables: notes)" in stats_err
    assert health == 1 and health_err == ""
    assert f"PROBLEM  database: {stats_err.removeprefix('ptm-bot: ').rstrip()}" in health_out.splitlines()
    assert tables == {"notes"}


async def test_a_missing_postgres_database_is_one_line(capsys):
    from sqlalchemy.engine import make_url

    from bot.cli.main import main

    url = make_url(SERVER).set(database=f"ptm_missing_{uuid.uuid4().hex[:8]}")
    code = await asyncio.to_thread(main, ["stats", "--db", url.render_as_string(hide_password=False)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("ptm-bot: database error: database ") and "does not exist" in err


# Queries for the same-results check: common and rare words, stems, prefixes, two-letter terms,
# names with digits and hyphens, diacritics, Chinese, organisations and authors, no-hit words.
# Not "xl": SQLite's Porter stemmer makes "XLS-R" "xl", PostgreSQL's Snowball (Porter2) keeps "xls".
SAME_QUERIES = (
    "transformer",
    "transformers",
    "language model",
    "distillation",
    "distilled",
    "distil",
    "efficient attention",
    "speech recognition",
    "multilingual",
    "vision",
    "pre-training",
    "pretraining",
    "Google",
    "diffusion",
    "for",
    "of the",
    "BERT",
    "bert",
    "GPT-2",
    "gpt 2",
    "T5",
    "wav2vec 2.0",
    "deberta v2",
    "nyströmformer",
    "nystromformer",
    "swin",
    "ViT",
    "vit",
    "蒸馏",
    "中文",
    "预训练模型",
    "知识蒸馏",
    "chinese",
    "vietnamese",
    "table",
    "code",
    "survey",
    "Kaiming He",
    "zzyzx",
    "quantum chromodynamics",
    "sentence embeddings",
    "long documents",
    "Facebook",
    "Microsoft",
    "huggingface",
    "arxiv",
    "github",
    "mixture of experts",
    "Yann",
)


async def _same_results(database, kind_names):
    from bot.catalog import queries
    from db import search as fts

    out = {}
    async with database.sessions() as s:
        for q in SAME_QUERIES:
            for label, kwargs in (
                ("all", {}),
                ("names", {"columns": ("names",), "order": "id", "any_term": False}),
                ("org", {"columns": ("org",), "order": "date"}),
                ("authors", {"columns": ("authors",), "order": "date", "any_term": False}),
                ("surveys", {"kinds": ("survey",), "order": "date"}),
            ):
                ids, total = await fts.search(reads(s), q, limit=1000, **kwargs)
                out[q, label] = (sorted(kind_names[i] for i in ids), total)
        for q in ("language", "vision", None):
            hits, total = await queries.surveys(reads(s), q, limit=5)
            out["surveys", q] = (_dates(hits), total)
        for q in ("Google", "Meta AI", "Kaiming He"):
            for call in (queries.by_org, queries.by_author):
                hits, total = await call(reads(s), q, limit=5)
                out[call.__name__, q] = (_dates(hits), total)
    return out


def _dates(hits):
    # Within one month the date-ordered lists break ties by relevance (bm25 / ts_rank, which
    # differ), so pages are compared by their dates; the entry sets are compared above.
    return [(h.entry.year, h.entry.month) for h in hits]


async def test_search_same_entries_on_both_backends(pg, db):
    """The same queries find the same entries on SQLite (FTS5) and PostgreSQL (tsvector), and
    the date-ordered lists (org, author, surveys) are the same pages."""

    async def names(database):
        async with database.sessions() as s:
            rows = (await s.execute(select(m.Entry.id, m.Entry.kind, m.Entry.name))).all()
        return {r.id: f"{r.kind}:{r.name}" for r in rows}

    on_sqlite = await _same_results(db, await names(db))
    on_pg = await _same_results(pg, await names(pg))
    differ = {k: (on_sqlite[k], on_pg[k]) for k in on_sqlite if on_sqlite[k] != on_pg[k]}
    assert not differ
    assert on_pg["蒸馏", "all"][1] >= 1 and on_pg["distillation", "all"][1] >= 2


async def test_search_paging_and_any_term_on_postgres(pg):
    from db import search

    async with pg.sessions() as session:
        both = await search.search(reads(session), "bert", offset=-5, limit=5)
        assert len(both[0]) == 5 and both[1] > 10
        assert await search.search(reads(session), "bert", limit=-1) == ([], both[1])
        assert (await search.search(reads(session), "bert", offset=both[1] + 5))[1] == both[1]
        ids, total = await search.search(reads(session), "swin qqqqzz")
        assert total >= 1 and ids
        assert await search.search(reads(session), "swin qqqqzz", any_term=False) == ([], 0)
        # Counts only when asked: the first ids alone.
        ids, n = await search.search(reads(session), "bert", limit=3, with_total=False)
        assert len(ids) == n == 3


async def test_search_index_follows_writes_on_postgres(pg):
    from db import search

    async with pg.begin() as s:
        entry = (await s.scalars(select(m.Entry).where(m.Entry.name == "DeBERTa"))).one()
        entry.description = "Zyxwvut distillation notes"
    async with pg.sessions() as s:
        (ids, total) = await search.search(reads(s), "zyxwvut")
        assert ids == [entry.id] and total == 1
    async with pg.begin() as s:
        await s.delete(await s.get(m.Entry, entry.id))
    async with pg.sessions() as s:
        assert await search.search(reads(s), "zyxwvut") == ([], 0)
        assert await s.scalar(select(func.count()).select_from(m.Entry)) == 152


async def test_reads_on_postgres_use_a_plain_connection_and_read_what_sessions_read(pg):
    from db.reads import ConnectionReads, SessionReads
    from tests.db.test_reader import read_all

    seen: list[type] = []

    async def probe(conn):
        seen.append(type(conn))
        return await queries.find_model(conn, "DeBERTa", limit=1)

    assert [h.entry.name for h in await pg.read(probe)] == ["DeBERTa"]
    assert seen == [ConnectionReads]

    class InSessions:  # the same reads, each in a unit of work's session
        @staticmethod
        async def read(query, *args, **kwargs):
            async with pg.sessions() as s:
                return await query(SessionReads(s), *args, **kwargs)

    on_connections = await read_all(pg)
    assert on_connections == await read_all(InSessions)


async def test_search_over_the_rank_cap_on_postgres_ranks_the_same_newest_hits(pg, db, monkeypatch):
    from db.counts import AtLeast
    from db.search import schema

    monkeypatch.setattr(schema, "RANK_CAP", 12)
    pages = {}
    for name, database in (("postgresql", pg), ("sqlite", db)):
        hits, total = await database.read(queries.search_entries, "bert", limit=20)
        # the 12 newest hits, and before them the named ones the cap left out (issue 21)
        assert isinstance(total, AtLeast) and total == 12 and 12 <= len(hits) <= 20, name
        pages[name] = {h.entry.name for h in hits}
    assert pages["postgresql"] == pages["sqlite"]


async def test_the_counts_follow_every_writer_on_postgres(pg):
    from tests.db.test_counts import exercise_every_writer

    await exercise_every_writer(pg)


async def test_gates_on_postgres(pg):
    from tests.db.test_gates import gate_round_trip

    await gate_round_trip(pg)


async def test_a_locked_table_is_one_line_after_lock_timeout_ms(pg, tmp_path, capsys):
    """Issue 23: a table lock held by another session made `stats`, `import` and `health` wait for
    ever. They give up after database.lock_timeout_ms (statement_timeout_ms for a statement that runs
    too long) with one line and exit 1, nothing written."""
    import time

    import asyncpg
    from sqlalchemy.engine import make_url

    from bot.cli.main import main

    listing = tmp_path / "list.md"
    listing.write_text(
        "# List\n\n## PTM\n\n1906: [NewNet](https://example.org/newnet) released with the paper "
        "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n",
        encoding="utf-8",
    )
    lock_config = tmp_path / "lock.toml"
    lock_config.write_text("[database]\nlock_timeout_ms = 300\n", encoding="utf-8")
    statement_config = tmp_path / "statement.toml"
    statement_config.write_text(
        "[database]\nlock_timeout_ms = 0\nstatement_timeout_ms = 300\n", encoding="utf-8"
    )
    holder = await asyncpg.connect(make_url(pg.url).set(drivername="postgresql").render_as_string(False))
    tx = holder.transaction()
    await tx.start()
    await holder.execute("LOCK TABLE entries IN ACCESS EXCLUSIVE MODE")
    try:
        for command, config, says in (
            (
                ["stats"],
                lock_config,
                "the database is locked by another session (canceling statement due to lock timeout",
            ),
            (["import", str(listing)], lock_config, "the database is locked by another session"),
            (
                ["stats"],
                statement_config,
                "the database took too long (canceling statement due to statement timeout",
            ),
        ):
            started = time.monotonic()
            # Bounded here too: before the fix the command waited for ever (TimeoutError fails the test).
            code = await asyncio.wait_for(
                asyncio.to_thread(main, [*command, "--db", pg.url, "--config", str(config)]), 20
            )
            err = capsys.readouterr().err
            assert code == 1, (command, err)
            assert err.count("\n") == 1 and err.startswith(f"ptm-bot: {says}"), err
            assert "nothing was written, try again" in err
            assert time.monotonic() - started < 20
        # health too gives up after lock_timeout_ms, but says it as a problem line (exit 0 or 1, never 2:
        # issue 21).
        started = time.monotonic()
        code = await asyncio.wait_for(
            asyncio.to_thread(main, ["health", "--db", pg.url, "--config", str(lock_config)]), 20
        )
        out, err = capsys.readouterr()
        assert code == 1 and err == "", (out, err)
        assert any(
            line.startswith("PROBLEM  database: cannot read ")
            and "canceling statement due to lock timeout" in line
            for line in out.splitlines()
        ), out
        assert time.monotonic() - started < 20
    finally:
        await tx.rollback()
        await holder.close()
    assert (await pg.read(catalog_stats))["total"] == 153  # the import wrote nothing


async def test_stats_and_the_metrics_snapshot_read_the_same_as_on_sqlite(pg, db):
    """``/ptm stats``' counts and chart, and the metrics snapshot, through ``db.read`` on a plain
    connection: the same figures as SQLite's read thread gives for the same catalog."""
    from bot.catalog.queries.stats import stats
    from bot.ops.metrics import read_snapshot

    on_pg, on_sqlite = await pg.read(stats, chart=True), await db.read(stats, chart=True)
    assert on_pg == on_sqlite and on_pg.numbers["total"] == 153 and on_pg.chart
    for database in (pg, db):
        async with database.begin() as session:
            session.add(m.Feed(url="https://rss.arxiv.org/rss/cs.CL", health="failing"))
            session.add(
                m.Suggestion(arxiv_id="2401.00001", title="T", norm_title="t", url="u", status="pending")
            )
    snapshot = await pg.read(read_snapshot)
    assert snapshot == await db.read(read_snapshot)
    assert snapshot.candidates == {"pending": 1} and snapshot.feeds == {
        "https://rss.arxiv.org/rss/cs.CL": "failing"
    }


async def test_a_reindex_on_postgres_replaces_the_rows_it_is_given(pg):
    from tests.db.test_reads import test_a_reindex_replaces_the_rows_of_the_entries_it_is_given as same

    await same(pg)  # the ids bound as one array: every old row goes, none is doubled
