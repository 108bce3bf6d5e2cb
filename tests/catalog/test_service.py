"""The catalog in a real temp-file SQLite database: import, merge, export, invariants, the CLI."""

from __future__ import annotations

import asyncio
import difflib
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.catalog.queries.stats import catalog_stats
from bot.cli.main import main
from bot.database import open_database
from db import models as m

SHIPPED = catalog.shipped_list_text()


@pytest.fixture
async def fresh_db(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/catalog.sqlite3")
    yield db
    await db.close()


async def export(db) -> str:
    async with db.begin() as s:
        return await catalog.export_markdown(s)


async def entry_count(db) -> int:
    async with db.begin() as s:
        return await s.scalar(select(func.count()).select_from(m.Entry))


def strip(text_: str) -> list[str]:
    return [line.rstrip() for line in text_.splitlines()]


async def test_new_database_is_filled_from_the_shipped_list(fresh_db):
    stats = await fresh_db.read(catalog_stats)
    assert stats["kinds"] == {"survey": 17, "model": 102, "resource": 34}
    assert stats["sections"]["Survey/NLP VS Federated Learning"] == 1


async def test_sqlite_is_configured_for_a_bot(fresh_db):
    async with fresh_db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_untouched_catalog_exports_the_shipped_list(fresh_db):
    assert strip(await export(fresh_db)) == strip(SHIPPED)


async def test_reimport_changes_nothing(fresh_db):
    before = await export(fresh_db)
    async with fresh_db.begin() as s:
        report = await catalog.import_text(s, SHIPPED, source="again")
    assert not report.changed and report.unchanged == 153
    assert await export(fresh_db) == before
    assert await entry_count(fresh_db) == 153


async def test_round_trip_through_a_second_database(fresh_db, tmp_path):
    exported = await export(fresh_db)
    other = await open_database(f"sqlite+aiosqlite:///{tmp_path}/other.sqlite3", seed=False)
    try:
        async with other.begin() as s:
            await catalog.import_text(s, exported, source="export")
        async with fresh_db.begin() as s:
            a = [e.content() for e in await catalog.load_entries(s)]
        async with other.begin() as s:
            b = [e.content() for e in await catalog.load_entries(s)]
        assert a == b and len(a) == 153
    finally:
        await other.close()


async def test_adding_a_model_and_a_survey_changes_exactly_two_lines(fresh_db):
    before = strip(await export(fresh_db))
    model = Entry(
        kind=EntryKind.MODEL,
        name="BERTology",
        year=2020,
        month=2,
        org="UMass Lowell",
        docs_url="https://example.org/bertology",
        paper_title="A Primer in BERTology: What we know about how BERT works",
        paper_url="https://arxiv.org/abs/2002.12327",
        arxiv_id="2002.12327",
        authors=["Anna Rogers", "Olga Kovaleva", "Anna Rumshisky"],
        phrasing={"connector": "paper", "authors": "comma_and"},
    )
    survey = Entry(
        kind=EntryKind.SURVEY,
        name="A Survey of Large Language Models",
        year=2023,
        month=3,
        paper_title="A Survey of Large Language Models",
        paper_url="https://arxiv.org/abs/2303.18223",
        arxiv_id="2303.18223",
        authors=["Wayne Xin Zhao", "Kun Zhou"],
        phrasing={"authors": "comma"},
    )
    async with fresh_db.begin() as s:
        await catalog.add_entry(s, model)
        await catalog.add_entry(s, survey)
    after = strip(await export(fresh_db))
    added = [
        d[1:]
        for d in difflib.unified_diff(before, after, lineterm="", n=0)
        if d.startswith("+") and not d.startswith("+++") and d[1:].strip()
    ]
    removed = [
        d
        for d in difflib.unified_diff(before, after, lineterm="", n=0)
        if d.startswith("-") and not d.startswith("---")
    ]
    assert removed == []
    assert sorted(added) == sorted(
        [
            "2303: [A Survey of Large Language Models](https://arxiv.org/abs/2303.18223) by Wayne Xin Zhao, Kun Zhou",
            "2002: [BERTology](https://example.org/bertology) (from UMass Lowell) released with the paper "
            "[A Primer in BERTology: What we know about how BERT works](https://arxiv.org/abs/2002.12327) by "
            "Anna Rogers, Olga Kovaleva and Anna Rumshisky.",
        ]
    )
    # Placement: the survey on top of the Survey section, the model among its alphabetical neighbours.
    survey_idx = after.index(added[0] if added[0].startswith("2303") else added[1])
    assert after[survey_idx - 2].startswith(":smile:")
    model_idx = next(i for i, line in enumerate(after) if "[BERTology]" in line)
    neighbours = [line.split("]")[0].split("[")[1] for line in (after[model_idx - 2], after[model_idx + 2])]
    assert neighbours == ["BERT", "BERTweet"]
    # And the export reads back into the same catalog.
    async with fresh_db.begin() as s:
        report = await catalog.import_text(s, await catalog.export_markdown(s), source="export")
    assert not report.changed


async def test_newer_list_merges_by_name_and_arxiv_id(fresh_db):
    newer = SHIPPED.replace(
        "(from Microsoft) released with the paper [DeBERTa: Decoding",
        "(from Microsoft Research) released with the paper [DeBERTa: Decoding",
        1,
    )
    newer = newer.replace(
        "[DETR](https://huggingface.co/docs/transformers/model_doc/detr)",
        "[DETR (detection)](https://huggingface.co/docs/transformers/model_doc/detr)",
    )
    newer = newer.replace(
        "## PTM\n",
        "## PTM\n2302: [LLaMA](https://example.org/llama) (from Meta AI) released with the paper "
        "[LLaMA: Open and Efficient Foundation Language Models](https://arxiv.org/abs/2302.13971) by Hugo Touvron and Thibaut Lavril.\n\n",
    )
    async with fresh_db.begin() as s:
        report = await catalog.import_text(s, newer, source="newer.md")
    assert report.added == [("model", "LLaMA")]
    assert ("model", "DeBERTa", ["org"]) in report.updated
    assert ("model", "DETR (detection)", ["name"]) in report.updated
    assert await entry_count(fresh_db) == 154
    async with fresh_db.begin() as s:
        names = {e.name for e in await catalog.load_entries(s)}
    assert "DETR" not in names and "DETR (detection)" in names


async def test_damaged_list_reports_and_loses_nothing(fresh_db, tmp_path, capsys):
    damaged = SHIPPED.replace(
        "2006: [DeBERTa-v2](https://huggingface.co/docs/transformers/model_doc/deberta-v2) (from Microsoft) released with the paper",
        "2006: [DeBERTa-v2](https://huggingface.co/docs/transformers/model_doc/deberta-v2) (from Micro",
    )
    damaged = damaged.replace(
        "[BORT](https://huggingface.co/docs/transformers/model_doc/bort)",
        "[BORT](https://huggingface.co/docs/transf",
    )
    damaged = damaged.replace(
        "## PTM\n",
        "## PTM\n1810: [BERT](https://x.org/dup) (from Google) released with the paper [Dup](https://arxiv.org/abs/1810.99999) by Nobody.\n\n",
    )
    data = damaged.encode("utf-8").replace(
        "École polytechnique".encode(), "\xc9cole polytechnique".encode("latin-1")
    )
    path = tmp_path / "damaged.md"
    path.write_bytes(data)
    db_path = fresh_db.url.split("///", 1)[1]
    before = await entry_count(fresh_db)
    assert await asyncio.to_thread(main, ["import", str(path), "--db", db_path, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    problems = " | ".join(f"{p['line']}: {p['problem']}" for p in report["problems"])
    assert "not UTF-8" in problems
    assert "duplicate model name" in problems
    assert "free-form model line" in problems
    assert await entry_count(fresh_db) >= before
    async with fresh_db.begin() as s:
        names = {e.name for e in await catalog.load_entries(s)}
        bert = [e for e in await catalog.load_entries(s, kind="model") if e.name == "BERT"][0]
    assert {"DeBERTa-v2", "BORT", "BERT", "BARThez"} <= names
    assert bert.paper_title.startswith("BERT: Pre-training")  # the duplicate did not overwrite BERT


async def test_schema_invariants(fresh_db):
    with pytest.raises(IntegrityError):
        async with fresh_db.begin() as s:
            s.add(
                m.Entry(
                    kind="model", name="BERT", norm_name="bert", section_key="PTM", position=1.0, phrasing={}
                )
            )
    with pytest.raises(IntegrityError):
        async with fresh_db.begin() as s:
            s.add(m.Paper(arxiv_id="1810.04805", title="again", norm_title="again"))
    with pytest.raises(IntegrityError):
        async with fresh_db.begin() as s:
            s.add(m.Entry(kind="blog", name="x", norm_name="x", section_key="PTM", position=1.0, phrasing={}))
    assert await entry_count(fresh_db) == 153


# ---------------------------------------------------------------------------------------------
# The CLI, as an operator runs it


def test_cli_init_stats_export(tmp_path, capsys):
    db = str(tmp_path / "c.sqlite3")
    assert main(["init", "--db", db]) == 0
    assert "17 surveys, 102 models, 34 resources" in capsys.readouterr().out
    assert main(["stats", "--db", db, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["kinds"] == {"survey": 17, "model": 102, "resource": 34}
    assert stats["years"]["2021"] > 0
    out = tmp_path / "list.md"
    assert main(["export", "--db", db, "-o", str(out)]) == 0
    assert strip(out.read_text(encoding="utf-8")) == strip(SHIPPED)
    assert main(["stats", "--db", db]) == 0
    assert "by kind" in capsys.readouterr().out


def test_cli_import_dry_run_writes_nothing(tmp_path, capsys):
    db = str(tmp_path / "c.sqlite3")
    newer = tmp_path / "newer.md"
    newer.write_text(
        SHIPPED.replace(
            "(from Facebook) released with the paper [BART:", "(from Meta) released with the paper [BART:"
        ),
        encoding="utf-8",
    )
    assert main(["import", str(newer), "--dry-run", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "updated model 'BART': org" in out and "dry run" in out
    assert main(["import", str(newer), "--dry-run", "--db", db]) == 0
    assert "1 updated" in capsys.readouterr().out  # still pending: nothing was written
    assert main(["import", str(newer), "--db", db]) == 0
    assert "1 updated" in capsys.readouterr().out
    assert main(["import", str(newer), "--db", db]) == 0
    assert "0 added, 0 updated, 153 unchanged" in capsys.readouterr().out


def test_cli_missing_file_and_bad_config(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.md"), "--db", str(tmp_path / "c.sqlite3")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[relevance]\nthreshold = 'high'\n[discord]\nguild_id = [1]\n", encoding="utf-8")
    assert main(["stats", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "relevance.threshold" in err and "discord.guild_id" in err


def test_cli_run_without_token_explains(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["run", "--db", str(tmp_path / "c.sqlite3")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "DISCORD_TOKEN" in err and "Traceback" not in err


async def test_every_import_is_recorded_in_import_runs(db):
    async with db.begin() as s:
        await catalog.import_text(s, catalog.shipped_list_text(), source="again")
    async with db.begin() as s:
        runs = [(r.source, r.added, r.updated, r.unchanged) for r in await s.scalars(select(m.ImportRun))]
    # The table existed but nothing ever wrote to it.
    assert runs == [("shipped list", 153, 0, 0), ("again", 0, 0, 153)]


def previous_line(text: str, line_start: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    i = next(i for i, line in enumerate(lines) if line.startswith(line_start))
    return lines[i - 1]


async def test_an_entry_missing_from_a_newer_list_keeps_its_place(db):
    async with db.begin() as s:
        await catalog.add_entry(
            s,
            Entry(
                kind=EntryKind.MODEL,
                name="OmniSpeech",
                year=2024,
                month=1,
                docs_url="https://arxiv.org/abs/2401.00001",
                paper_title="OmniSpeech",
                paper_url="https://arxiv.org/abs/2401.00001",
                arxiv_id="2401.00001",
                authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
            ),
        )
        before = previous_line(await catalog.export_markdown(s), "2401: [OmniSpeech]")
    # Upstream gained a line at the top of the PTM section, and does not list OmniSpeech yet.
    newer = catalog.shipped_list_text().replace(
        "## PTM\n",
        "## PTM\n2401: [AAA-Net](https://example.org/aaa) released with the paper "
        "[AAA](https://arxiv.org/abs/2401.00002) by Ada Lovelace.\n\n",
        1,
    )
    async with db.begin() as s:
        report = await catalog.import_text(s, newer, source="newer")
        assert report.added == [("model", "AAA-Net")]
        text = await catalog.export_markdown(s)
    # Before the fix OmniSpeech kept its old number, which now sits one entry higher up.
    assert previous_line(text, "2401: [OmniSpeech]") == before
    # And importing that list again changes nothing.
    async with db.begin() as s:
        assert not (await catalog.import_text(s, newer, source="again")).changed
        assert await catalog.export_markdown(s) == text


async def test_stats_read_the_same_on_a_read_thread_and_in_a_session(db_path):
    """``/ptm stats`` and ``ptm-bot stats`` read through ``db.read`` (no session of their own): the
    counts match the table's rows counted here, whichever way the read runs."""
    import sqlite3
    from collections import Counter

    from bot.catalog.queries.stats import stats

    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT kind, section_key, year FROM entries").fetchall()
        slugs = [slug for (slug,) in conn.execute("SELECT topic_slug FROM entry_topics")]
    topics = Counter(slugs)
    expected = {
        "total": len(rows),
        "kinds": {k: sum(1 for r in rows if r[0] == k) for k in ("survey", "model", "resource")},
        "sections": dict(sorted(Counter(r[1] for r in rows).items())),
        "years": {str(y): n for y, n in sorted(Counter(r[2] for r in rows if r[2] is not None).items())},
        "undated": sum(1 for r in rows if r[2] is None),
        "topics": dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
    found = []
    for threads in (2, 0):
        db = await open_database(f"sqlite+aiosqlite:///{db_path}", read_threads=threads)
        try:
            found.append(await db.read(stats, chart=True))
        finally:
            await db.close()
    threaded, in_session = found
    assert threaded.numbers == expected and list(threaded.numbers["years"]) == list(expected["years"])
    assert in_session == threaded
    assert threaded.chart is not None and sum(sum(c.values()) for c in threaded.chart.values()) == sum(
        n for y, n in Counter(r[2] for r in rows if r[2] is not None).items()
    )
