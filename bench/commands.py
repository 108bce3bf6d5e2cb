"""Benchmark the slash commands' handlers on a large synthetic catalog.

    python bench/commands.py [--entries 100000] [--runs 300] [--json] [--seed 1] [--db PATH_OR_URL]

1. Build: a temp-file SQLite opened with :func:`bot.database.open_database` (migrations + the
   shipped list), then ``--entries`` synthetic entries bulk-inserted with SQLAlchemy Core
   (``insert()`` executemany, one transaction): names like "NovaBERT-7" and "ViT-Tiny-342",
   aliases, organisations, authors from a pool of a few thousand names, topics from
   :data:`bot.catalog.topics.TOPICS`, years 2018-2026, paper titles from word pools, docs links. The
   search index rows of the new entries are written in the same transaction
   (:func:`db.search.reindex_sync`, the code the app itself uses).
2. Measure, in a fresh child process that imports the bot (``bot.client.bot`` and every cog) and opens
   the database the way the bot does: each command's handler (:mod:`bot.commands.member`, what the
   cogs call; interaction in, payload ready, no network) ``--runs`` times with varied inputs,
   after a short warm-up. Reported per command: median and p99 in ms. Then that process's RSS
   (current ``VmRSS`` and peak ``ru_maxrss``): the "bot process" figure.

3. Throughput: ``/ptm model`` calls per second in that process with 1, 10 and 50 calls in flight
   (target >= 600/s), and their latency under that load.

``--db`` builds into a SQLite file or a PostgreSQL URL (a new or empty database) and
measures it; ``--measure-only DB`` measures an existing one. Targets (issue 14, p99, 2 cores) by
backend and size are in :data:`_TARGETS`; bot process RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Project modules are imported inside the functions that use them, on purpose: the builder
# (parent) process and the measured (child) process load different sets, and ``measure`` imports
# exactly what the bot process has imported, so the RSS it reports is the bot's.

# Issue 14's p99 targets (ms): (SQLite up to 100k, SQLite 1M, PostgreSQL 100k).
_TARGETS = {
    "autocomplete": (2.0, 3.0, 10.0),
    "ptm model": (2.0, 3.0, 10.0),
    "ptm recent": (4.0, 6.0, 15.0),
    "ptm search": (8.0, 15.0, 30.0),
    "ptm survey": (8.0, 15.0, 30.0),
    "ptm org": (8.0, 15.0, 30.0),
    "ptm author": (8.0, 15.0, 30.0),
}


def targets_ms(database: str, entries: int) -> dict[str, float]:
    column = 2 if database == "postgresql" else (1 if entries > 100_000 else 0)
    return {command: t[column] for command, t in _TARGETS.items()}


TARGET_RSS_MB = 150.0

# --------------------------------------------------------------------------------------------
# Word pools

_STEMS = (
    "Nova Lumen Orion Astra Vega Helix Quark Zephyr Aurora Nimbus Titan Cobalt Ember Falcon Glacier "
    "Halo Iris Jade Kestrel Lyra Meteor Nebula Onyx Pulsar Quasar Raven Sable Tempest Umbra Vertex "
    "Willow Xenon Yarrow Zenith Atlas Boreal Cinder Delta Echo Flux Gamma Hydra Ion Juno Krypton "
    "Lotus Mirage Nexus Omni Prism Rune Sigma Terra Ultra Vortex Wisp Axiom Blaze Crest Drift Ether "
    "Fable Gale Harbor Indigo Jolt Karma Lumos Mosaic Nectar Opal Petal Quill Ripple Spark Tundra"
).split()
_ARCHS = (
    "BERT GPT T5 Former ViT LM Net Wave Speech Diff CLIP BART RoBERTa Mamba Llama Coder Doc Table "
    "Seg Det Audio Vox Trans XL Mixer Gen Retro Graph Chat"
).split()
_SIZES = "Tiny Small Base Large XL XXL Mini Micro Nano Huge".split()
_FIRST = (
    "Wei Li Ming Yang Jun Hao Xin Yu Jie Lei Anna Maria John David Michael Sarah Laura James Robert "
    "Emma Olivia Noah Liam Lucas Hugo Chloe Camille Louis Jules Lea Minh Anh Linh Duc Thanh Hans Jonas "
    "Lena Felix Paul Erik Nils Sven Ingrid Astrid Kai Yuki Hiro Sato Ken Ravi Priya Arjun Anil Sunita "
    "Omar Layla Yusuf Fatima Ivan Olga Dmitri Elena Pablo Sofia Diego Lucia Marco Giulia Ahmed Sara "
    "Tomas Eva Piotr Anya Kofi Ama Chen Zhang Tao Bo Rui Fei Kaiming Geoffrey Yann Yoshua Ilya Alec"
).split()
_LAST = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Smith Johnson "
    "Brown Taylor Miller Wilson Moore Anderson Thomas Jackson Martin Lee Nguyen Tran Pham Le Hoang "
    "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Moreau Laurent Simon Michel "
    "Garcia Martinez Lopez Gonzalez Rodriguez Rossi Russo Ferrari Kim Park Choi Tanaka Suzuki Sato "
    "Ivanov Petrov Kowalski Nowak Andersson Johansson Karlsson Nilsson Patel Sharma Singh Gupta Khan "
    "Ali Hassan Okafor Mensah Silva Santos Costa Oliveira Cohen Levi Novak Horvat Jensen Hansen"
).split()
_ORGS = (
    "Google Research|Google DeepMind|Meta AI|Microsoft Research|OpenAI|Anthropic|Alibaba DAMO|Baidu|"
    "Tencent AI Lab|Huawei Noah's Ark|Tsinghua University|Peking University|Stanford University|MIT|"
    "CMU|UC Berkeley|University of Washington|Allen Institute for AI|Hugging Face|NVIDIA|Salesforce|"
    "IBM Research|Amazon|Apple|Samsung|Naver|Kakao Brain|LG AI|Mila|INRIA|ETH Zurich|EPFL|Oxford|"
    "Cambridge|University of Toronto|Vector Institute|KAIST|Seoul National University|NTU|NUS|"
    "VinAI|Zhipu AI|Shanghai AI Lab|BAAI|Stability AI|EleutherAI|Cohere|Mistral AI|AI2|Yandex"
).split("|")
_TITLE_ADJ = (
    "Efficient Scalable Robust Sparse Dense Unified Simple Universal Adaptive Contrastive Masked "
    "Multilingual Multimodal Lightweight Hierarchical Generative Discriminative Self-Supervised "
    "Cross-Lingual Long-Range Memory-Efficient Zero-Shot Few-Shot Instruction-Tuned Retrieval-Augmented"
).split()
_TITLE_NOUN = (
    "Transformers Pre-training Representations Encoders Decoders Attention Language Models "
    "Vision Models Speech Recognition Distillation Quantization Pruning Embeddings Tokenization "
    "Segmentation Detection Summarization Translation Dialogue Code Generation Tables Documents "
    "Graphs Retrieval Reasoning Alignment Adapters Diffusion"
).split()
_TITLE_TAIL = (
    "at Scale|for Low-Resource Languages|with Linear Complexity|without Labels|in the Wild|"
    "for Long Documents|via Knowledge Distillation|for Speech and Text|from Noisy Data|"
    "with Mixture of Experts|for Chinese|for Vietnamese|on Device|with Rotary Embeddings|"
    "for Table Understanding|for Source Code|through Contrastive Learning|by Denoising"
).split("|")
_RESOURCE_WORDS = "tutorial notes benchmark leaderboard toolkit library course reading list dataset".split()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _rss_mb() -> dict[str, float]:
    """Current RSS (VmRSS) and peak RSS of this process, in MB.

    The peak is VmHWM, which starts afresh at exec; ``ru_maxrss`` (also reported) survives exec,
    so in the child it can still show the builder's peak.
    """
    status: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "rss_mb": round(status.get("VmRSS", 0.0), 1),
        "max_rss_mb": round(status.get("VmHWM", maxrss), 1),
        "ru_maxrss_mb": round(maxrss, 1),
    }


# --------------------------------------------------------------------------------------------
# Build


_BATCH = 50_000  # entries generated and inserted at a time: the builder's memory stays bounded


def _synthetic_rows(conn: Any, n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Rows for every table, with explicit ids after the shipped list's, in batches of
    :data:`_BATCH` entries (the authors and topics come with the first). The same seed gives
    the same catalog whatever the batch size."""
    from sqlalchemy import func, select

    from bot.catalog.topics import TOPICS
    from db import models as m
    from db.normalize import fold, norm_key, norm_title

    def max_id(table: Any, col: str = "id") -> int:
        return int(conn.execute(select(func.max(table.c[col]))).scalar() or 0)

    e_t, p_t, a_t = m.Entry.__table__, m.Paper.__table__, m.Author.__table__
    entry_id0, paper_id0, author_id0 = max_id(e_t), max_id(p_t), max_id(a_t)
    sections: dict[str, list[str]] = {}
    for key, kind in conn.execute(select(m.Section.__table__.c.key, m.Section.__table__.c.kind)):
        sections.setdefault(kind, []).append(key)
    existing_names = {(k, nm) for k, nm in conn.execute(select(e_t.c.kind, e_t.c.name))}
    existing_authors = {nm for (nm,) in conn.execute(select(a_t.c.name))}
    have_topics = {s for (s,) in conn.execute(select(m.Topic.__table__.c.slug))}
    arxiv_taken = {x for (x,) in conn.execute(select(p_t.c.arxiv_id)) if x}
    arxiv_next: dict[str, int] = {}

    # Authors: a pool of a few thousand names.
    pool: list[str] = []
    seen_authors: set[str] = set(existing_authors)
    while len(pool) < 4000:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if rng.random() < 0.5:
            name = f"{rng.choice(_FIRST)} {chr(65 + rng.randrange(26))}. {rng.choice(_LAST)}"
        if name not in seen_authors:
            seen_authors.add(name)
            pool.append(name)
    authors = [{"id": author_id0 + i + 1, "name": nm, "norm_name": fold(nm)} for i, nm in enumerate(pool)]
    author_cum: list[float] = []  # a few prolific authors, a long tail
    for i in range(len(pool)):
        author_cum.append((author_cum[-1] if author_cum else 0.0) + 1.0 / (1 + i) ** 0.8)
    author_range = range(len(pool))

    topic_slugs = list(TOPICS)
    topic_cum: list[float] = []
    for s in topic_slugs:
        topic_cum.append(
            (topic_cum[-1] if topic_cum else 0)
            + (6 if s in ("vision", "generation", "efficiency", "multimodal") else 2)
        )
    topics = [
        {"slug": s, "label": TOPICS[s].label, "description": TOPICS[s].description}
        for s in topic_slugs
        if s not in have_topics
    ]

    now = datetime.now(UTC)
    new_authors = authors  # inserted with the first batch
    papers_made = 0
    entries: list[dict[str, Any]] = []
    papers: list[dict[str, Any]] = []
    entry_authors: list[dict[str, Any]] = []
    entry_links: list[dict[str, Any]] = []
    entry_topics: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    counters: dict[tuple[str, str], int] = {}
    names_made: set[tuple[str, str]] = set(existing_names)
    last_paper: dict[str, Any] | None = None

    for i in range(n):
        if len(entries) >= _BATCH:
            yield {
                "topics": topics,
                "authors": new_authors,
                "papers": papers,
                "entries": entries,
                "entry_authors": entry_authors,
                "entry_links": entry_links,
                "entry_topics": entry_topics,
                "aliases": aliases,
            }
            topics, new_authors = [], []
            entries, papers, entry_authors, entry_links, entry_topics, aliases = [], [], [], [], [], []
        eid = entry_id0 + i + 1
        r = rng.random()
        kind = "model" if r < 0.85 else ("survey" if r < 0.90 else "resource")
        stem, arch = rng.choice(_STEMS), rng.choice(_ARCHS)
        while True:
            style = rng.random()
            if kind == "resource":
                name = f"{stem} {arch} {rng.choice(_RESOURCE_WORDS)} {rng.randrange(1, 10_000)}"
            elif style < 0.55:
                k = counters[(stem, arch)] = counters.get((stem, arch), 0) + 1
                name = f"{stem}{arch}-{k}"
            elif style < 0.85:
                name = f"{arch}-{rng.choice(_SIZES)}-{rng.randrange(1, 1000)}"
            else:
                name = f"{stem}-{arch}-v{rng.randrange(1, 6)}-{rng.randrange(1, 100_000)}"
            if (kind, name) not in names_made:
                names_made.add((kind, name))
                break
        year = rng.randint(2018, 2026)
        month = None if rng.random() < 0.05 else rng.randint(1, 12)
        org = rng.choice(_ORGS) if rng.random() < 0.9 else None
        short = name.split("-")[0] if "-" in name else stem + arch
        title = (
            f"{short}: {rng.choice(_TITLE_ADJ)} {rng.choice(_TITLE_ADJ)} {rng.choice(_TITLE_NOUN)} "
            f"{rng.choice(_TITLE_TAIL)}"
        )
        paper_id = arxiv = paper_url = None
        if kind != "resource" and rng.random() < 0.9:
            if last_paper is not None and rng.random() < 0.03:  # released with the same paper
                paper = last_paper
                title = paper["title"]
            else:
                yymm = f"{year % 100:02d}{month or 1:02d}"
                arxiv = f"{yymm}.{arxiv_next.get(yymm, 10_000):05d}"
                while arxiv in arxiv_taken:
                    arxiv_next[yymm] = arxiv_next.get(yymm, 10_000) + 1
                    arxiv = f"{yymm}.{arxiv_next[yymm]:05d}"
                arxiv_taken.add(arxiv)
                papers_made += 1
                paper = {
                    "id": paper_id0 + papers_made,
                    "arxiv_id": arxiv,
                    "title": title,
                    "norm_title": norm_title(title),
                }
                papers.append(paper)
                last_paper = paper
            paper_id, arxiv = paper["id"], paper["arxiv_id"]
            paper_url = f"https://arxiv.org/abs/{arxiv}"
        description = None
        if kind == "resource":
            description = f"A {rng.choice(_RESOURCE_WORDS)} about {rng.choice(_TITLE_NOUN).lower()}"
            if rng.random() < 0.05:
                description += "；中文知识蒸馏与预训练模型的教程"
        entries.append(
            {
                "id": eid,
                "kind": kind,
                "name": name,
                "norm_name": norm_key(name),
                "section_key": rng.choice(sections.get(kind) or [kind.title()]),
                "position": float(1_000_000 + i),
                "year": year,
                "month": month,
                "date_style": "yymm",
                "org": org,
                "docs_url": (
                    f"https://huggingface.co/docs/transformers/model_doc/{norm_key(name)}"
                    if kind == "model" and rng.random() < 0.5
                    else None
                ),
                "paper_id": paper_id,
                "paper_title": title if kind != "resource" else None,
                "paper_url": paper_url,
                "arxiv_id": arxiv,
                "description": description,
                "phrasing": {},
                "source_line": None,
                "origin": "admin",
                "created_at": now,
                "updated_at": now,
            }
        )
        for pos, aid in enumerate(
            dict.fromkeys(rng.choices(author_range, cum_weights=author_cum, k=rng.randint(1, 8)))
        ):
            entry_authors.append({"entry_id": eid, "position": pos, "author_id": authors[aid]["id"]})
        if kind != "model" or rng.random() < 0.3:
            entry_links.append(
                {
                    "entry_id": eid,
                    "position": 0,
                    "url": f"https://github.com/{stem.lower()}/{norm_key(name)}",
                    "label": "code" if kind == "model" else f"{stem} {rng.choice(_RESOURCE_WORDS)}",
                    "label_own_line": False,
                }
            )
        for slug in dict.fromkeys(
            rng.choices(topic_slugs, cum_weights=topic_cum, k=rng.choice((1, 1, 2, 3)))
        ):
            entry_topics.append({"entry_id": eid, "topic_slug": slug, "source": "auto"})
        alias_names = []
        if kind != "resource" and norm_key(short) != norm_key(name) and rng.random() < 0.4:
            alias_names.append(short)  # the paper title's short name, as derive_aliases does
        if rng.random() < 0.15:
            alias_names.append(f"{stem[:2].upper()}{arch[:1].upper()}-{i}")
        for alias in dict.fromkeys(alias_names):
            aliases.append({"entry_id": eid, "alias": alias, "norm_alias": norm_key(alias)})
    yield {
        "topics": topics,
        "authors": new_authors,
        "papers": papers,
        "entries": entries,
        "entry_authors": entry_authors,
        "entry_links": entry_links,
        "entry_topics": entry_topics,
        "aliases": aliases,
    }


def _bulk_insert(conn: Any, n: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import func, insert, select, text

    from db import models as m
    from db.search import reindex_sync

    timings = {"generate_s": 0.0, "insert_s": 0.0, "index_s": 0.0}
    tables = (
        ("topics", m.Topic),
        ("authors", m.Author),
        ("papers", m.Paper),
        ("entries", m.Entry),
        ("entry_authors", m.EntryAuthor),
        ("entry_links", m.EntryLink),
        ("entry_topics", m.EntryTopic),
        ("aliases", m.Alias),
    )
    counts = dict.fromkeys((key for key, _ in tables), 0)
    batches = _synthetic_rows(conn, n, random.Random(seed))
    while True:
        started = time.perf_counter()
        rows = next(batches, None)
        timings["generate_s"] += time.perf_counter() - started
        if rows is None:
            break
        started = time.perf_counter()
        for key, model in tables:
            batch = rows[key]
            counts[key] += len(batch)
            for i in range(0, len(batch), 20_000):
                conn.execute(insert(model.__table__), batch[i : i + 20_000])
        timings["insert_s"] += time.perf_counter() - started
        started = time.perf_counter()
        # The index rows of this batch (reindex_sync itself works in steps of 5,000 entries).
        reindex_sync(conn, [e["id"] for e in rows["entries"]])
        timings["index_s"] += time.perf_counter() - started
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for _, model in tables:
            table = model.__table__
            if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                last = conn.execute(select(func.max(table.c.id))).scalar()
                if last:
                    conn.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                        {"t": table.name, "v": last},
                    )
    return {"counts": counts, **{k: round(v, 2) for k, v in timings.items()}}


def _is_url(target: str) -> bool:
    return "://" in target


async def _prepare_postgres(url: str) -> None:
    """Create the benchmark's PostgreSQL database if absent; refuse one that holds tables."""
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    dsn = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", u.database):
            await admin.execute(f'CREATE DATABASE "{u.database}"')
            return
    finally:
        await admin.close()
    conn = await asyncpg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        if await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"):
            raise SystemExit(f"{u.database}: not empty; drop it first, or measure it with --measure-only URL")
    finally:
        await conn.close()


async def build(target: str, entries: int, seed: int) -> dict[str, Any]:
    from bot.config import database_url_from_path
    from bot.database import open_database

    started = time.perf_counter()
    if _is_url(target):
        await _prepare_postgres(target)
    db = await open_database(database_url_from_path(target))
    seeded = time.perf_counter() - started
    try:
        async with db.engine.begin() as conn:
            info = await conn.run_sync(_bulk_insert, entries, seed)
        async with db.engine.connect() as conn:
            from sqlalchemy import text

            await conn.execute(text("ANALYZE"))
            await conn.commit()
    finally:
        await db.close()
    return {"open_and_seed_s": round(seeded, 2), **info, "total_s": round(time.perf_counter() - started, 2)}


# --------------------------------------------------------------------------------------------
# Measure (child process: the bot's modules imported, the database opened as the bot does)


def _typo(rng: random.Random, name: str) -> str:
    chars = list(name)
    i = rng.randrange(len(chars))
    op = rng.randrange(3)
    if op == 0 and len(chars) > 3:
        del chars[i]
    elif op == 1:
        chars.insert(i, rng.choice("aeioustrn"))
    else:
        j = min(i + 1, len(chars) - 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


async def _inputs(db: Any, rng: random.Random, runs: int) -> dict[str, list[Any]]:
    from sqlalchemy import func, select

    from bot.catalog.topics import TOPICS
    from db import models as m

    async with db.sessions() as session:
        # Above 200,000 entries the inputs are drawn from every k-th name and alias (ids spread
        # over the whole catalog), so the measured process holds ~100,000 input strings rather
        # than every name: its RSS is then the bot's, not the benchmark's. Smaller catalogs draw
        # from every name, as before (same inputs for the same seed).
        size = int(await session.scalar(select(func.max(m.Entry.id))) or 0)
        step = 1 if size <= 200_000 else size // 100_000
        name_q, alias_q = select(m.Entry.name), select(m.Alias.alias)
        if step > 1:
            name_q, alias_q = name_q.where(m.Entry.id % step == 0), alias_q.where(m.Alias.id % step == 0)
        names = list((await session.scalars(name_q)).all())
        shipped = list((await session.scalars(select(m.Entry.name).where(m.Entry.origin != "admin"))).all())
        aliases = list((await session.scalars(alias_q)).all())
        authors = list((await session.scalars(select(m.Author.name).limit(4000))).all())
    real = ["DeBERTa", "deberta v2", "nystromformer", "wav2vec 2.0", "vit", "swin", "BERT", "GPT-2", "T5"]

    def model_input() -> str:
        r = rng.random()
        if r < 0.35:
            return rng.choice(names)
        if r < 0.50:
            return rng.choice(shipped + real)
        if r < 0.65:
            return rng.choice(aliases)
        if r < 0.75:
            return rng.choice(names).lower().replace("-", " ")
        return _typo(rng, rng.choice(names + shipped))  # mostly "not found, did you mean"

    def prefix_input() -> str:
        r = rng.random()
        if r < 0.03:
            return ""
        source = rng.choice(shipped + real) if r < 0.3 else rng.choice(names + aliases)
        return source[: rng.randint(1, 6)]

    topic_labels = [*TOPICS, *(t.label for t in TOPICS.values())]

    def search_input() -> str:
        r = rng.random()
        if r < 0.25:  # common words
            return rng.choice(
                [
                    "transformer",
                    "language model",
                    "efficient attention",
                    "speech recognition",
                    "multilingual",
                    "distillation",
                    "vision",
                    "pre-training",
                    "Google",
                    "diffusion",
                ]
            )
        if r < 0.45:  # rarer words: an author, a title word pair, an org
            return rng.choice([rng.choice(authors), f"{rng.choice(_TITLE_ADJ)} {rng.choice(_TITLE_TAIL)}"])
        if r < 0.6:
            return rng.choice(["蒸馏", "中文", "预训练模型", "知识蒸馏"])
        if r < 0.8:
            return rng.choice(names + shipped)
        if r < 0.9:
            return f"{rng.choice(_TITLE_NOUN)} {rng.choice(_ORGS).split()[0]}"
        return rng.choice(["zzyzx", "quantum chromodynamics", "nonexistentword"])

    return {
        "autocomplete": [(prefix_input(),) for _ in range(runs)],
        "ptm model": [(model_input(),) for _ in range(runs)],
        "ptm recent": [
            (rng.choice(topic_labels), rng.choice((10, 10, 10, 25, 5)), rng.choice((0, 0, 0, 0, 1, 3)))
            for _ in range(runs)
        ],
        "ptm search": [(search_input(), rng.choice((0, 0, 0, 0, 1))) for _ in range(runs)],
        "ptm survey": [
            (rng.choice([None, None, "language", "vision", "speech"]),) for _ in range(max(1, runs // 3))
        ],
        "ptm org": [(rng.choice(_ORGS),) for _ in range(max(1, runs // 3))],
        "ptm author": [(rng.choice(authors),) for _ in range(max(1, runs // 3))],
    }


async def measure(target: str, runs: int, seed: int, *, read_threads: int = 2) -> dict[str, Any]:
    import bot.client.bot  # noqa: F401  (the bot process has all of this imported)
    from bot.client.bot import EXTENSIONS
    from bot.commands import member as handlers
    from bot.config import database_url_from_path
    from bot.database import open_database
    from bot.errors import UserFacingError

    for ext in EXTENSIONS:  # the cogs, as the bot loads them
        importlib.import_module(ext)

    db = await open_database(database_url_from_path(str(target)), read_threads=read_threads)
    rss_open = _rss_mb()
    rng = random.Random(seed)
    inputs = await _inputs(db, rng, runs)
    calls = {
        "autocomplete": lambda a: handlers.model_names(db, a[0]),
        "ptm model": lambda a: handlers.model(db, a[0]),
        "ptm recent": lambda a: handlers.recent(db, a[0], a[1], page=a[2]),
        "ptm search": lambda a: handlers.search(db, a[0], page=a[1]),
        "ptm survey": lambda a: handlers.survey(db, a[0]),
        "ptm org": lambda a: handlers.org(db, a[0]),
        "ptm author": lambda a: handlers.author(db, a[0]),
    }
    results: dict[str, Any] = {}
    try:
        for command, args_list in inputs.items():
            call = calls[command]
            for args in args_list[:10]:  # warm-up: statement caches, SQLite page cache
                try:
                    await call(args)
                except UserFacingError:
                    pass
            times: list[float] = []
            slowest: list[tuple[float, Any]] = []
            for args in args_list:
                started = time.perf_counter()
                try:
                    await call(args)
                except UserFacingError:
                    pass
                elapsed = (time.perf_counter() - started) * 1000
                times.append(elapsed)
                slowest.append((elapsed, args))
            slowest.sort(key=lambda t: -t[0])
            results[command] = {
                "runs": len(times),
                "median_ms": round(statistics.median(times), 3),
                "p99_ms": round(_p99(times), 3),
                "max_ms": round(max(times), 3),
                "target_p99_ms": None,
                "slowest": [[round(t, 2), list(a)] for t, a in slowest[:3]],
            }
        throughput = await _throughput(
            lambda name: calls["ptm model"]((name,)), inputs["ptm model"], UserFacingError
        )
    finally:
        await db.close()
    return {
        "commands": results,
        "throughput": throughput,
        "rss_after_open": rss_open,
        "rss_after_queries": _rss_mb(),
    }


THROUGHPUT_IN_FLIGHT = (1, 10, 50)
TARGET_CALLS_PER_S = 600.0


async def _throughput(call: Any, args_list: list[Any], expected: type[BaseException]) -> dict[str, Any]:
    """``/ptm model`` calls per second in this one process with 1, 10 and 50 calls in flight (as
    many interactions arriving together): every input of the latency run, twice, handed out to
    that many concurrent workers; with the latency of each call under that load."""
    names = [a[0] for a in args_list] * 2
    out: dict[str, Any] = {}
    for in_flight in THROUGHPUT_IN_FLIGHT:
        queue = list(reversed(names))
        latencies: list[float] = []

        async def worker(queue: list[str] = queue, latencies: list[float] = latencies) -> None:
            while queue:
                name = queue.pop()
                started = time.perf_counter()
                try:
                    await call(name)
                except expected:
                    pass
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        wall = time.perf_counter() - started
        out[str(in_flight)] = {
            "calls": len(latencies),
            "calls_per_s": round(len(latencies) / wall, 1),
            "median_ms": round(statistics.median(latencies), 3),
            "p99_ms": round(_p99(latencies), 3),
        }
    return out


# --------------------------------------------------------------------------------------------


def _report(data: dict[str, Any]) -> str:
    b = data["build"]
    lines = [
        f"catalog ({data['database']}): {data['entries']} synthetic entries + the shipped list; build {b['total_s']} s "
        f"(open+seed {b['open_and_seed_s']} s, generate {b['generate_s']} s, insert {b['insert_s']} s, "
        f"index {b['index_s']} s); {os.cpu_count()} CPUs",
        f"{'command':<14} {'median ms':>10} {'p99 ms':>9} {'max ms':>9}  target p99",
    ]
    for command, r in data["commands"].items():
        target = r["target_p99_ms"]
        verdict = "" if target is None else f"<= {target:g} ms {'ok' if r['p99_ms'] <= target else 'MISSED'}"
        lines.append(
            f"{command:<14} {r['median_ms']:>10.2f} {r['p99_ms']:>9.2f} {r['max_ms']:>9.2f}  {verdict}"
        )
    for in_flight, t in data.get("throughput", {}).items():
        verdict = "ok" if t["calls_per_s"] >= TARGET_CALLS_PER_S else "MISSED"
        lines.append(
            f"ptm model, {in_flight:>2} in flight: {t['calls_per_s']:>7.1f} calls/s (median {t['median_ms']:.2f} ms, "
            f"p99 {t['p99_ms']:.2f} ms); target >= {TARGET_CALLS_PER_S:g}/s {verdict}"
        )
    rss = data["bot_process"]
    lines.append(
        f"bot process RSS after queries: {rss['rss_mb']} MB (peak {rss['max_rss_mb']} MB); "
        f"target <= {TARGET_RSS_MB:g} MB {'ok' if rss['max_rss_mb'] <= TARGET_RSS_MB else 'MISSED'}"
    )
    lines.append(f"benchmark process peak RSS (building included): {data['bench_process']['max_rss_mb']} MB")
    lines.append(f"wall time: {data['wall_s']} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000, help="synthetic entries to add")
    parser.add_argument("--runs", type=int, default=300, help="timed calls per command")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    parser.add_argument(
        "--db",
        help="build here: a SQLite file path (replaced) or a PostgreSQL URL such as "
        "postgresql+asyncpg://postgres@127.0.0.1:55432/ptm_bench (created if absent; must be empty); "
        "default: a SQLite file in a temp dir",
    )
    parser.add_argument(
        "--read-threads",
        type=int,
        default=2,
        help="SQLite read threads of the measured process (database.read_threads; 0: reads on a plain connection)",
    )
    parser.add_argument(
        "--measure-only",
        metavar="DB",
        help="measure an already built database (path or URL) in this process, print JSON",
    )
    args = parser.parse_args(argv)

    if args.measure_only:
        measured = asyncio.run(
            measure(
                args.measure_only,
                args.runs,
                args.seed,
                read_threads=args.read_threads,
            )
        )
        print(json.dumps(measured))
        return 0

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ptm-bench-") as tmp:
        target = args.db or str(Path(tmp) / "catalog.sqlite3")
        if not _is_url(target):
            for suffix in ("", "-wal", "-shm"):
                Path(target + suffix).unlink(missing_ok=True)
        built = asyncio.run(build(target, args.entries, args.seed))
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure-only",
                target,
                "--runs",
                str(args.runs),
                "--seed",
                str(args.seed),
                "--read-threads",
                str(args.read_threads),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.stderr.write(child.stderr)
            return child.returncode
        measured = json.loads(child.stdout.strip().splitlines()[-1])
    database = "postgresql" if _is_url(target) else "sqlite"
    targets = targets_ms(database, args.entries)
    for command, r in measured["commands"].items():
        r["target_p99_ms"] = targets.get(command)
    data = {
        "database": database,
        "entries": args.entries,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "build": built,
        "commands": measured["commands"],
        "throughput": measured["throughput"],
        "bot_process": measured["rss_after_queries"],
        "bot_process_after_open": measured["rss_after_open"],
        "bench_process": _rss_mb(),
        "targets": {"p99_ms": targets, "rss_mb": TARGET_RSS_MB},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(data, indent=2) if args.json else _report(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
