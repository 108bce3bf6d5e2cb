"""The query services on a real temp-file SQLite catalog filled from the shipped list."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryHit, EntryKind
from bot.catalog.queries import names as name_queries
from bot.database import open_database
from db import models as m
from db import search
from db.search import fts5, portable, schema

SPEECH = {
    "Wav2Vec2", "Hubert", "WavLM", "XLS-R", "XLSR-Wav2Vec2", "SEW", "SEW-D", "UniSpeech", "UniSpeechSat",
    "SpeechToTextTransformer", "SpeechToTextTransformer2", "Wav2Vec2Phoneme", "Data2Vec",
}  # fmt: skip


async def first(session, name: str) -> EntryHit:
    hits = await queries.find_model(session, name)
    assert hits, name
    return hits[0]


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("nystromformer", "Nyströmformer"),
        ("deberta v2", "DeBERTa-v2"),
        ("wav2vec 2.0", "Wav2Vec2"),
        ("vit", "Vision Transformer (ViT)"),
        ("swin", "Swin Transformer"),
        ("hubert", "Hubert"),
        ("gpt2", "GPT-2"),
        ("DEBERTA", "DeBERTa"),
        ("Vision Transformer", "Vision Transformer (ViT)"),
        ("transformer xl", "Transformer-XL"),
    ],
)
async def test_find_model_is_forgiving(session, typed, name):
    hit = await first(session, typed)
    assert hit.entry.name == name
    assert hit.entry.aliases is not None and isinstance(hit.entry.topics, list)


async def test_find_model_prefers_models(session):
    hit = await first(session, "Transformer-XL")
    assert (hit.entry.kind, hit.entry.name) == ("model", "Transformer-XL")


async def test_find_model_nothing_close(session):
    assert await queries.find_model(session, "qwertyuiop") == []
    assert await queries.find_model(session, " - ") == []


async def test_suggest_names(session):
    names = await queries.suggest_names(session, "deb")
    assert names[:2] == ["DeBERTa", "DeBERTa-v2"]
    assert "Swin Transformer" in await queries.suggest_names(session, "swin")
    assert (await queries.suggest_names(session, "vit"))[0] == "Vision Transformer (ViT)"
    empty = await queries.suggest_names(session, "")
    assert 0 < len(empty) <= 25
    for prefix in ("b", "t", "基", "ber"):
        got = await queries.suggest_names(session, prefix)
        assert len(got) <= 25 and all(len(n) <= 100 for n in got)


async def test_closest_names(session):
    assert (await queries.closest_names(session, "nystomformer"))[0] == "Nyströmformer"
    assert "BERT" in await queries.closest_names(session, "bret")
    assert await queries.closest_names(session, "qqqqqqqq") == []


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("debrta", "DeBERTa"),  # a letter missing
        ("robrta", "RoBERTa"),
        ("wav2vce", "Wav2Vec2"),  # two edits: found through the index window, not the one-edit keys
        ("nystromformr", "Nyströmformer"),
        ("xlnte", "XLNet"),  # two letters swapped
        ("eberta", "DeBERTa"),  # the first letter missing
        ("swin transformr", "Swin Transformer"),
        ("Swin Transformer v9", "Swin Transformer"),  # an unknown word: not found, then suggested
    ],
)
async def test_closest_names_typos(session, typed, name):
    assert await queries.find_model(session, typed, limit=1) == []
    got = await queries.closest_names(session, typed)
    assert got[0] == name, got


async def test_closest_names_keeps_only_the_close_ones(session):
    # A near-exact match does not drag in every "...former" that is merely 0.6 alike.
    assert await queries.closest_names(session, "nystomformer") == ["Nyströmformer"]


def test_one_edit_keys():
    keys = set(name_queries._one_edit_keys("bret"))
    assert {"bert", "brt", "bret1", "bset", "abret"} <= keys and "bret" not in keys
    long_keys = set(name_queries._one_edit_keys("a" * 10 + "bcdefghijk"))  # 20 > _EDIT_FULL_MAX
    assert "a" * 10 + "cbdefghijk" in long_keys and len(long_keys) < 40


async def test_suggest_names_short_and_common(session):
    # Short keys still see word matches ("XL" is a word of Transformer-XL), capped in SQL.
    xl = await queries.suggest_names(session, "xl")
    assert "XLNet" in xl and "Transformer-XL" in xl


async def test_name_word_search_takes_first_ids_and_no_any_term_fallback(session):
    ids, total = await search.search(session, "transformer", columns=("names",), order="id", limit=3)
    assert ids == sorted(ids) and len(ids) == 3 and total >= 3
    assert await search.search(session, "swin qqqq", columns=("names",), any_term=False) == ([], 0)
    assert (await search.search(session, "swin qqqq", columns=("names",)))[0]  # the default keeps it


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LED", {"Longformer"}),
        ("Longformer", {"LED"}),
        ("DeBERTa", {"DeBERTa-v2"}),
        ("DeBERTa-v2", {"DeBERTa"}),
        ("BigBird-RoBERTa", {"BigBird-Pegasus"}),
        ("MBart", {"MBart-50"}),
        ("Wav2Vec2", {"Wav2Vec2Phoneme", "XLSR-Wav2Vec2"}),
        ("LayoutLM", {"LayoutLMv2"}),
    ],
)
async def test_related(session, name, expected):
    hit = await first(session, name)
    got = {h.entry.name for h in await queries.related(session, hit)}
    assert expected <= got
    assert name not in got


async def test_related_same_paper_first(session):
    got = [h.entry.name for h in await queries.related(session, await first(session, "BERT"))]
    assert "ALBERT" not in got and "BERTweet" not in got


async def test_recent_speech_is_the_speech_set_newest_first(session):
    hits, total = await queries.recent(session, "speech", count=50)
    assert {h.entry.name for h in hits} == SPEECH and total == len(SPEECH)
    dates = [(h.entry.year or 0, h.entry.month or 0) for h in hits]
    assert dates == sorted(dates, reverse=True)
    page, total2 = await queries.recent(session, "Speech", count=3, offset=3)
    assert [h.entry.name for h in page] == [h.entry.name for h in hits[3:6]] and total2 == total


async def test_recent_undated_last(session):
    hits, _ = await queries.recent(session, "generation", count=100)
    dated = [h.entry.year is not None for h in hits]
    assert dated == sorted(dated, reverse=True) and not dated[-1]


async def test_recent_unknown_topic(session):
    with pytest.raises(queries.UnknownTopic) as err:
        await queries.recent(session, "cooking")
    assert "speech" in str(err.value) and "long-context" in str(err.value)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("distillation", "DistilBERT"),
        ("蒸馏", "知识蒸馏"),
        ("Kaiming He", "ViTMAE"),
        ("VinAI", "PhoBERT"),
        ("textbrewer", "知识蒸馏"),
        ("nystrom", "Nyströmformer"),
    ],
)
async def test_search_finds(session, query, name):
    hits, total = await queries.search_entries(session, query)
    assert name in [h.entry.name for h in hits[:3]], [h.entry.name for h in hits]
    assert total >= 1


async def test_search_distillation_ranks_distilbert_first(session):
    hits, _ = await queries.search_entries(session, "distillation")
    assert hits[0].entry.name == "DistilBERT"


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"bert',
        "*",
        "bert*",
        "NEAR(",
        "NEAR(a b",
        "-bert",
        "a - b",
        "AND",
        "OR NOT",
        "(",
        "{names}:x",
        "^",
        "",
    ],
)
async def test_search_syntax_never_crashes(session, query):
    hits, total = await queries.search_entries(session, query)
    assert total >= len(hits)


async def test_search_paging(session):
    page1, total = await queries.search_entries(session, "bert", limit=5)
    page2, total2 = await queries.search_entries(session, "bert", limit=5, offset=5)
    assert total == total2 > 10
    assert not {h.id for h in page1} & {h.id for h in page2}


async def test_search_over_the_rank_cap_ranks_its_newest_hits_and_says_at_least(db, monkeypatch, capsys):
    from bot.commands import member
    from db.counts import AtLeast

    everything, total = await db.read(search.search, "bert", limit=1000)
    assert total == len(everything) > 12 and not isinstance(total, AtLeast)
    monkeypatch.setattr(schema, "RANK_CAP", 12)
    named, _ = await db.read(search.search, "bert", columns=("names",), limit=12, any_term=False)
    newest = set(sorted(everything)[-12:])
    # Issue 21: whatever the cap, the entries named (or aliased) "bert..." come first, ranked among
    # themselves; then the exact order restricted to the 12 newest hits (highest ids), page by page.
    assert set(named) - newest, "some named entry is older than the newest 12 hits"
    expected = named + [i for i in everything if i in newest and i not in named]
    first, total = await db.read(search.search, "bert", limit=10)
    rest, total2 = await db.read(search.search, "bert", limit=10, offset=10)
    assert first + rest == expected[:20]
    assert isinstance(total, AtLeast) and total == total2 == 12
    assert f"{total}" == "12+"
    # Under the cap nothing changes: "distillation" has fewer hits than 12.
    hits, small = await db.read(search.search, "distillation", limit=20)
    assert not isinstance(small, AtLeast) and small == len(hits) < 12
    # What a member sees: the count is "12+", and why.
    page = await member.search(db, "bert")
    embed = page.embeds[0]
    assert embed.footer.text.startswith("Showing 1–10 of 12+") and "2+ more" in embed.footer.text
    assert "More than 12 entries match" in embed.description


async def test_search_leaves_out_stop_words_unless_they_are_all_there_is(session):
    alone, total = await queries.search_entries(session, "distillation", limit=50)
    with_stops, total2 = await queries.search_entries(session, "the distillation for", limit=50)
    assert [h.id for h in with_stops] == [h.id for h in alone] and total2 == total > 0
    assert search.fts_query("for the") == '"for"* AND "the"*'  # nothing else: kept
    # An organisation or author query keeps every word.
    assert search.fts_query("University of Washington", columns=("org",)) == (
        '{org} : ("University"* AND "of" AND "Washington"*)'
    )
    assert "'of'" in search.pg_tsquery("mixture of experts", columns=("org",))
    assert "'of'" not in search.pg_tsquery("mixture of experts")


async def test_did_you_mean_edits_only_where_a_stored_key_can_differ(db, monkeypatch):
    # Typos of every shipped name and alias: the suggestions with the cut (no edit past the
    # longest prefix any stored key shares) are those of every one-edit key.
    import random

    async with db.sessions() as s:
        texts = (await s.scalars(select(m.Entry.name))).all() + (await s.scalars(select(m.Alias.alias))).all()
    rng = random.Random(3)
    typos = []
    for text in texts:
        i = rng.randrange(len(text))
        typos += [text[:i] + text[i + 1 :], text[:i] + "x" + text[i:], text[:i] + "q" + text[i + 1 :]]
    cut = [await db.read(queries.closest_names, t) for t in typos]
    full = name_queries._one_edit_keys
    monkeypatch.setattr(name_queries, "_one_edit_keys", lambda key, upto=None: full(key))
    assert [await db.read(queries.closest_names, t) for t in typos] == cut
    assert sum(1 for c in cut if c) > len(typos) // 2
    # And the cut is real: "wav2vce" shares "wav2v" with stored keys, so only edits up to there;
    # "qwav2vec" shares nothing, so only edits at its first place.
    assert len(full("wav2vce", upto=5)) < len(full("wav2vce"))
    assert len(full("qwav2vec", upto=0)) < len(full("qwav2vec")) // 5


async def test_surveys(session):
    hits, total = await queries.surveys(session, None, limit=100)
    assert total == 17 and all(h.entry.kind == "survey" for h in hits)
    dates = [(h.entry.year or 0, h.entry.month or 0) for h in hits]
    assert dates == sorted(dates, reverse=True)
    hits, total = await queries.surveys(session, "table")
    assert [h.entry.name for h in hits] == [
        "Table Pre-training: A Survey on Model Architectures, Pretraining Objectives, and Downstream Tasks"
    ]


async def test_by_org_is_forgiving(session):
    hits, total = await queries.by_org(session, "google", limit=100)
    orgs = {h.entry.org for h in hits}
    assert {"Google Research", "Google AI", "Google", "Google/CMU"} <= orgs and total == len(hits)
    hits, _ = await queries.by_org(session, "vinai research")
    assert {h.entry.name for h in hits} == {"PhoBERT", "BERTweet", "BARTpho"}
    assert hits[0].entry.name == "BARTpho"  # newest first
    hits, _ = await queries.by_org(session, "ecole polytechnique")
    assert [h.entry.name for h in hits] == ["BARThez"]


async def test_by_author(session):
    hits, _ = await queries.by_author(session, "Kaiming He")
    assert [h.entry.name for h in hits] == ["ViTMAE"]
    hits, total = await queries.by_author(session, "furu wei", limit=50)
    assert "LayoutLM" in {h.entry.name for h in hits} and total == len(hits)


async def test_set_topics_survives_reimport(db):
    async with db.begin() as s:
        hit = await first(s, "Blenderbot")
        changed = await queries.set_topics(s, hit.id, ["Speech", "dialogue"])
        assert changed.entry.topics == ["dialogue", "speech"]
    async with db.begin() as s:
        await catalog.import_text(s, catalog.shipped_list_text(), source="again")
    async with db.begin() as s:
        assert (await first(s, "Blenderbot")).entry.topics == ["dialogue", "speech"]
        sources = set(
            (await s.scalars(select(m.EntryTopic.source).where(m.EntryTopic.entry_id == hit.id))).all()
        )
        assert sources == {"moderator"}
        reset = await queries.set_topics(s, hit.id, [])
        assert "speech" not in reset.entry.topics


async def test_set_topics_rejects_unknown(session):
    hit = await first(session, "BERT")
    with pytest.raises(queries.UnknownTopic):
        await queries.set_topics(session, hit.id, ["cooking"])
    with pytest.raises(LookupError):
        await queries.set_topics(session, 10**9, ["speech"])


async def test_entry_json_shape(session):
    data = queries.entry_json((await first(session, "Hubert")).entry)
    assert list(data) == [
        "kind", "name", "date", "org", "paper_title", "paper_url", "arxiv_id", "docs_url",
        "authors", "topics", "aliases", "section", "description", "links",
    ]  # fmt: skip
    assert data["date"] == "2021-06" and data["kind"] == "model"
    assert data["paper_title"].endswith("by Masked Prediction of Hidden Units")  # title tail kept
    assert data["authors"][0] == "Wei-Ning Hsu" and "speech" in data["topics"]
    assert queries.entry_json((await first(session, "GPT")).entry)["date"] is None
    bertweet = queries.entry_json((await first(session, "BERTweet")).entry)
    assert re.fullmatch(r"\d{4}", bertweet["date"])


async def test_index_follows_writes(db):
    """New, renamed and removed entries show up in (or leave) search without an explicit reindex."""

    async with db.begin() as s:
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="Zebraformer", org="Savanna Labs"))
    async with db.begin() as s:
        hits, _ = await queries.search_entries(s, "zebraformer")
        assert [h.entry.name for h in hits] == ["Zebraformer"]
        assert [h.entry.name for h in (await queries.by_org(s, "savanna"))[0]] == ["Zebraformer"]
        await catalog.remove_entries(s, [hits[0].id])
    async with db.begin() as s:
        assert (await queries.search_entries(s, "zebraformer"))[1] == 0
        await search.reindex(s)  # a full rebuild agrees
        assert (await queries.search_entries(s, "distillation"))[0][0].entry.name == "DistilBERT"


async def test_by_author_needs_every_word(session):
    # "Kaiming Zzyzx" is nobody: no any-term fallback to every entry by a Kaiming (as on PostgreSQL).
    assert await queries.by_author(session, "Kaiming Zzyzx") == ([], 0)


async def _dates(session, ids):
    order = {r: i for i, r in enumerate(ids)}
    rows = (
        await session.execute(select(m.Entry.id, m.Entry.year, m.Entry.month).where(m.Entry.id.in_(ids)))
    ).all()
    return [(y, mo) for _, y, mo in sorted(rows, key=lambda r: order[r[0]])]


async def test_portable_search_date_order_is_newest_first(session):
    # The ILIKE fallback (PostgreSQL) with order="date" (surveys, org, author): newest first, not
    # "entries whose name holds the word" first. "bert" is in old names (BERT, 2018) and new titles.
    ids, total = await portable.search_ilike(
        session, "bert", kinds=None, columns=None, order="date", limit=100, offset=0
    )
    assert total == len(ids) > 10
    dates = await _dates(session, ids)
    key = [(y is None, -(y or 0), mo is None, -(mo or 0)) for y, mo in dates]
    assert key == sorted(key)


async def test_portable_search_any_term_and_paging(session, monkeypatch):
    # search() on a database with neither FTS5 nor PostgreSQL's tsvector (the ILIKE fallback): a
    # negative offset or limit is clamped, and several words fall back to any word, as on SQLite.
    # (The same checks on PostgreSQL: tests/db/test_postgres.py.)
    monkeypatch.setattr(session.get_bind().dialect, "name", "mysql")
    try:
        both = await search.search(session, "bert", offset=-5, limit=5)
        assert len(both[0]) == 5 and both[1] > 10
        assert await search.search(session, "bert", limit=-1) == ([], both[1])
        ids, total = await search.search(session, "swin qqqqzz")
        assert total >= 1 and ids
        assert await search.search(session, "swin qqqqzz", any_term=False) == ([], 0)
    finally:
        monkeypatch.undo()


async def _related_prefers_dated_same_paper(s) -> None:
    from sqlalchemy import update

    pegasus = await first(s, "BigBird-Pegasus")
    roberta = await first(s, "BigBird-RoBERTa")
    paper = await s.scalar(select(m.Entry.paper_id).where(m.Entry.id == roberta.id))
    await s.execute(
        update(m.Entry).where(m.Entry.name == "Megatron-GPT2").values(paper_id=paper, year=None, month=None)
    )
    # Undated last, also when the same-paper list is cut to the limit (PostgreSQL sorts NULL first
    # under DESC unless told otherwise).
    assert [h.id for h in await queries.related(s, roberta, limit=1)] == [pegasus.id]
    names = [h.entry.name for h in await queries.related(s, roberta, limit=2)]
    assert names == ["BigBird-Pegasus", "Megatron-GPT2"]


async def test_related_same_paper_undated_last(session):
    await _related_prefers_dated_same_paper(session)


@pytest.mark.skipif(not os.environ.get("PTM_BOT_TEST_POSTGRES_URL"), reason="no PostgreSQL server")
async def test_related_same_paper_undated_last_on_postgres():
    import uuid

    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["PTM_BOT_TEST_POSTGRES_URL"])
    name = f"ptm_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = await open_database(url.set(database=name).render_as_string(hide_password=False))
    try:
        async with db.begin() as s:
            await _related_prefers_dated_same_paper(s)
            # The portable search path itself: a negative offset is not sent to the server.
            hits, total = await queries.search_entries(s, "bert", offset=-1, limit=3)
            assert len(hits) == 3 and total > 10
            assert await queries.by_author(s, "Kaiming Zzyzx") == ([], 0)
            assert (await queries.search_entries(s, "swin qqqqzz"))[1] >= 1
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def test_date_walk_same_pages_as_sorting_every_hit(session, monkeypatch):
    # org / author / surveys with words: the date-index walk (db.search.fts5._search_fts_by_date,
    # used for common words on a large catalog) gives the same ids, order and totals as joining
    # and sorting every hit, on every page; forced on here, where the catalog is small.
    cases = [
        ({"columns": ("org",)}, ["Google", "Facebook", "Microsoft", "University", "AI", "zzz"]),
        ({"columns": ("authors",), "any_term": False}, ["Kaiming He", "Wei", "Li", "Zhang"]),
        ({"kinds": ("survey",)}, ["language", "models", "pre-trained", "transformer", "vision"]),
        ({"kinds": ("model",)}, ["bert", "language", "speech"]),
        ({}, ["bert", "language model", "蒸馏"]),
    ]

    async def run(walk: bool) -> list[tuple[list[int], int]]:
        with monkeypatch.context() as patch:
            patch.setattr(fts5, "_WALK_COST", 0 if walk else 10**15)
            return [
                await search.search(session, q, order="date", limit=limit, offset=offset, **kwargs)
                for kwargs, queries_ in cases
                for q in queries_
                for limit, offset in ((10, 0), (5, 5), (3, 9), (10, 40))
            ]

    walked, sorted_ = await run(True), await run(False)
    assert walked == sorted_
    assert sum(1 for ids, _ in walked if len(ids) > 1) > 30
