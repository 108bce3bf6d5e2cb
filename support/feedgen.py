"""Build arXiv feed documents for tests and benchmarks (no network, deterministic per seed).

The one feed builder (``tests/`` and ``bench/`` both import it; neither imports the other).
``rss2`` writes a small document with exactly the given :class:`Item` s (hand-made papers for a
test);
``generate_rss2_feed`` writes the current rss.arxiv.org RSS 2.0 layout, byte-compatible with the real
captures in ``tests/fixtures/feeds/`` (no ``<?xml?>`` declaration, ``Announce Type: X \\nAbstract:``,
one comma-separated ``dc:creator`` with an occasional doubled space). ``rss2_to_atom_twin`` maps such a
document to the rss.arxiv.org/atom layout.
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = [
    "OTHER_ABSTRACT",
    "PTM_ABSTRACT",
    "Item",
    "generate_rss2_feed",
    "ptm_item",
    "rss2",
    "rss2_to_atom_twin",
    "write_feed",
]

_NAMES = [
    "BERT",
    "RoBERTa",
    "T5",
    "GPT",
    "ViT",
    "CLIP",
    "HuBERT",
    "wav2vec",
    "BEiT",
    "ELECTRA",
    "DeBERTa",
    "LLaMA",
]
_PREFIXES = ["Bio", "Legal", "Fin", "Code", "Med", "Sci", "Geo", "Chem", "Math", "Pol", "Ar", "Ko"]
_PTM_TITLES = [
    "{model}: Pre-training {thing} Language Models for {domain} Text",
    "{model}: A Pretrained {thing} Transformer for {domain}",
    "Scaling Self-Supervised {thing} Pre-training to {n} Billion Parameters",
    "{model}: Open Foundation Models for {domain}",
    "A Survey of Large Language Models for {domain}",
    "Masked Autoencoders Are Scalable {thing} Learners",
]
_OTHER_TITLES = [
    "On the Convergence of {thing} Gradient Methods under {domain} Noise",
    "Fine-tuning {base} for {domain} Question Answering: An Empirical Study",
    "Benchmarking {base} on {domain} Reasoning Tasks",
    "Jailbreak Attacks on {base} via {thing} Prompting",
    "Optimal Transport for {domain} Time Series with {thing} Constraints",
    "A {thing} Lower Bound for Online Learning in {domain} Markets",
    "Graph Neural Networks for {domain} Traffic Forecasting",
]
_THINGS = [
    "Multilingual",
    "Sparse",
    "Contrastive",
    "Speech",
    "Vision-Language",
    "Efficient",
    "Robust",
    "Causal",
]
_DOMAINS = ["Biomedical", "Legal", "Financial", "Scientific", "Clinical", "Code", "Climate", "Low-Resource"]
_PTM_ABSTRACT = (
    "We pre-train {model}, a transformer on {n} billion tokens of {domain} text with a masked language "
    "modelling objective, and release the pretrained model. {model} outperforms {base} on eleven "
    "downstream tasks after fine-tuning."
)
_OTHER_ABSTRACT = (
    "We study {thing} methods for {domain} problems. We prove a regret bound of $O(\\sqrt{{T}})$ & show "
    "that our estimator is consistent when p < 0.05. Experiments on synthetic data confirm the theory."
)
_FIRST = ["Ada", "Alan", "Grace", "Wei", "Li", "Maria", "Juan", "Aisha", "Olga", "Kenji", "Priya", "Jörg"]
_LAST = ["Lovelace", "Turing", "Hopper", "Zhang", "Wang", "García", "Pérez", "Khan", "Ivanova", "Sato", "Rao"]
_CATS = ["cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML", "cs.IR", "eess.AS", "math.OC", "q-bio.GN"]
_TYPES = ["new", "new", "new", "cross", "replace", "replace-cross"]

_HEADER = """<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:atom="http://www.w3.org/2005/Atom" \
xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>{cat} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{cat}</link>
    <description>{cat} updates on the arXiv.org e-print archive.</description>
    <atom:link href="http://rss.arxiv.org/rss/{cat}" rel="self" type="application/rss+xml" />
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>Mon, 27 Apr 2026 04:00:02 +0000</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>{date}</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
"""
_ITEM = """    <item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/{ident}</link>
      <description>arXiv:{ident}v{version} Announce Type: {kind} \nAbstract: {abstract}</description>
      <guid isPermaLink="false">oai:arXiv.org:{ident}v{version}</guid>
{categories}      <pubDate>{date}</pubDate>
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{authors}</dc:creator>
    </item>
"""


def generate_rss2_feed(
    n: int,
    *,
    seed: int = 0,
    category: str = "cs.CL",
    date: str = "Mon, 27 Apr 2026 00:00:00 -0400",
    first_number: int = 10000,
    ptm_share: float = 0.2,
    duplicates: int = 0,
) -> bytes:
    """An arXiv-current-format RSS 2.0 document with *n* items.

    Items mix ``new``/``cross``/``replace``/``replace-cross`` announcements (replacements carry v2+,
    cross-lists have another primary category listed first) and PTM-like and unrelated titles.
    *duplicates* extra items repeat earlier ids with other categories (as a feed glitch would).
    """
    rng = random.Random(seed)
    parts = [_HEADER.format(cat=category, date=date)]
    items: list[tuple[str, int, str, list[str], str, str, str]] = []
    for i in range(n):
        kind = rng.choice(_TYPES)
        ident = f"2604.{first_number + i:05d}"
        version = 1 if kind in ("new", "cross") else rng.randint(2, 4)
        if kind.endswith("cross"):
            primary = rng.choice([c for c in _CATS if c != category])
            cats = [primary, category]
        else:
            cats = [category]
        cats += rng.sample([c for c in _CATS if c not in cats], rng.randint(0, 2))
        fields = {
            "model": rng.choice(_PREFIXES) + rng.choice(_NAMES),
            "base": rng.choice(_NAMES),
            "thing": rng.choice(_THINGS),
            "domain": rng.choice(_DOMAINS),
            "n": rng.randint(1, 70),
        }
        if rng.random() < ptm_share:
            title, abstract = rng.choice(_PTM_TITLES).format(**fields), _PTM_ABSTRACT.format(**fields)
        else:
            title, abstract = rng.choice(_OTHER_TITLES).format(**fields), _OTHER_ABSTRACT.format(**fields)
        authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 8))]
        creator = ", ".join(authors)
        if len(authors) > 2 and rng.random() < 0.2:
            creator = creator.replace(", ", ",  ", 1)  # arXiv's doubled space
        items.append((ident, version, kind, cats, title, abstract, creator))
    for j in range(duplicates):
        ident, version, kind, cats, title, abstract, creator = items[(j * 7) % len(items)]
        extra = [c for c in _CATS if c not in cats][:1]
        items.append((ident, version, kind, cats[:1] + extra, title, abstract, creator))
    for ident, version, kind, cats, title, abstract, creator in items:
        parts.append(
            _ITEM.format(
                title=escape(title),
                ident=ident,
                version=version,
                kind=kind,
                abstract=escape(abstract),
                categories="".join(f"      <category>{c}</category>\n" for c in cats),
                date=date,
                authors=escape(creator),
            )
        )
    parts.append("    </channel>\n</rss>")
    return "".join(parts).encode("utf-8")


_ATOM_HEADER = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/{cat}</id>
  <title>{cat} updates on arXiv.org</title>
  <updated>{updated}</updated>
  <link href="http://rss.arxiv.org/atom/{cat}" rel="self" type="application/atom+xml"/>
  <subtitle>{cat} updates on the arXiv.org e-print archive.</subtitle>
"""


def rss2_to_atom_twin(rss: bytes) -> bytes:
    """Map a current-format RSS 2.0 document to its rss.arxiv.org/atom twin (same items, Atom elements)."""
    ns = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
    channel = ET.fromstring(rss).find("channel")
    assert channel is not None
    link = channel.findtext("link", "")
    cat = link.rstrip("/").rsplit("/", 1)[-1]
    updated = parsedate_to_datetime(channel.findtext("lastBuildDate", "")).isoformat()
    parts = [_ATOM_HEADER.format(cat=escape(cat), updated=updated)]
    for item in channel.findall("item"):
        published = parsedate_to_datetime(item.findtext("pubDate", "")).isoformat()
        cats = "".join(
            f'    <category term="{escape(c.text or "")}" scheme="http://arxiv.org/schemas/atom"/>\n'
            for c in item.findall("category")
        )
        parts.append(
            "  <entry>\n"
            f"    <id>{escape(item.findtext('guid', ''))}</id>\n"
            f"    <title>{escape(item.findtext('title', ''))}</title>\n"
            f"    <updated>{updated}</updated>\n"
            f'    <link href="{escape(item.findtext("link", ""))}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{escape(item.findtext('description', ''))}</summary>\n"
            f"{cats}"
            f"    <published>{published}</published>\n"
            f"    <arxiv:announce_type>{escape(item.findtext('arxiv:announce_type', '', ns))}</arxiv:announce_type>\n"
            f"    <rights>{escape(item.findtext('dc:rights', '', ns))}</rights>\n"
            f"    <dc:creator>{escape(item.findtext('dc:creator', '', ns))}</dc:creator>\n"
            "  </entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Hand-made feeds: exactly the items a test needs

# A PTM-paper abstract (scores high) and an unrelated one (scores low), for hand-made items.
PTM_ABSTRACT = (
    "We pre-train {name}, a transformer language model on 40 billion tokens with a masked language "
    "modelling objective, and release the pretrained model. {name} outperforms BERT on eleven "
    "downstream tasks after fine-tuning."
)
OTHER_ABSTRACT = "We prove a regret bound for online convex optimisation with delayed feedback."


@dataclass(frozen=True, slots=True)
class Item:
    arxiv_id: str
    title: str
    abstract: str = OTHER_ABSTRACT
    categories: tuple[str, ...] = ("cs.CL",)
    announce_type: str = "new"
    version: int = 1
    authors: str = "Ada Lovelace, Alan Turing"


def ptm_item(arxiv_id: str, name: str, **kw: object) -> Item:
    return Item(
        arxiv_id,
        f"{name}: Pre-training Multilingual Language Models for Legal Text",
        PTM_ABSTRACT.format(name=name),
        **kw,  # type: ignore[arg-type]
    )


def rss2(items: Sequence[Item], *, category: str = "cs.CL") -> bytes:
    """A document in the current rss.arxiv.org RSS 2.0 layout with exactly *items*."""
    date = "Mon, 27 Apr 2026 00:00:00 -0400"
    parts = [
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'version="2.0"><channel>'
        f"<title>{category} updates on arXiv.org</title><link>http://rss.arxiv.org/rss/{category}</link>"
        f"<description>{category} updates</description><pubDate>{date}</pubDate>"
    ]
    for it in items:
        cats = "".join(f"<category>{c}</category>" for c in it.categories)
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>https://arxiv.org/abs/{it.arxiv_id}</link>"
            f"<description>arXiv:{it.arxiv_id}v{it.version} Announce Type: {it.announce_type} \n"
            f"Abstract: {escape(it.abstract)}</description>"
            f'<guid isPermaLink="false">oai:arXiv.org:{it.arxiv_id}v{it.version}</guid>{cats}'
            f"<pubDate>{date}</pubDate><arxiv:announce_type>{it.announce_type}</arxiv:announce_type>"
            f"<dc:creator>{escape(it.authors)}</dc:creator></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def write_feed(tmp_path: Path, name: str, items: Sequence[Item], **kw: object) -> str:
    path = tmp_path / name
    path.write_bytes(rss2(items, **kw))  # type: ignore[arg-type]
    return str(path)
