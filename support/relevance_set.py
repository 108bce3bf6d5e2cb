"""The labelled relevance set (``tests/fixtures/relevance-dev.jsonl``): loading it, scoring it with
:func:`bot.watch.relevance.score_paper`, and the figures (recall, FPR clear / borderline).

Shared by ``bench/relevance_eval.py`` and ``tests/watch/test_relevance.py``: ``tests/`` and
``bench/`` never import each other; what both need lives in ``support/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalog.listformat import EntryKind, parse_list
from bot.catalog.service import shipped_list_text
from bot.watch.arxiv import parse_feed
from bot.watch.relevance import score_paper

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "tests" / "fixtures" / "relevance-dev.jsonl"
FEEDS_DIR = ROOT / "tests" / "fixtures" / "feeds"
_PRIMARY_RE = re.compile(r"primary ([a-z-]+(?:\.[A-Za-z-]+)?)")
_FEED_RE = re.compile(r"^feed-sample:.*?/?([^/]+\.xml)$")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    abstract: str
    label: int
    borderline: bool
    categories: tuple[str, ...]


def load_items(path: Path, feeds_dir: Path = FEEDS_DIR) -> list[Item]:
    feed_categories: dict[str, dict[str, tuple[str, ...]]] = {}
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        source = row.get("source", "")
        categories: tuple[str, ...] = ()
        if m := _PRIMARY_RE.search(source):
            categories = (m.group(1),)
        elif m := _FEED_RE.match(source):
            name = m.group(1)
            if name not in feed_categories:
                feed_path = feeds_dir / name
                papers = parse_feed(feed_path.read_bytes()).papers if feed_path.exists() else ()
                feed_categories[name] = {p.arxiv_id: p.categories for p in papers}
            categories = feed_categories[name].get(row["id"], ())
        items.append(
            Item(
                row["id"],
                row["title"],
                row.get("abstract", ""),
                int(row["label"]),
                bool(row["borderline"]),
                categories,
            )
        )
    return items


_CATALOG_NAMES: re.Pattern[str] | None = None


def catalog_names_in(item: Item) -> list[str]:
    """The shipped catalog's model names the item mentions, found as the watcher finds them."""
    global _CATALOG_NAMES
    if _CATALOG_NAMES is None:
        names = [e.name for e in parse_list(shipped_list_text()).entries if e.kind is EntryKind.MODEL]
        alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
        _CATALOG_NAMES = re.compile(rf"\b(?:{alternatives})\b")
    return list(
        dict.fromkeys(m.group(0) for m in _CATALOG_NAMES.finditer(f"{item.title} {item.abstract[:400]}"))
    )


WITH_CATALOG_NAMES = False  # --with-catalog-names: score as a poll does, with the catalog's names


def score_items(items: Sequence[Item]) -> list[float]:
    return [
        score_paper(
            i.title, i.abstract, i.categories, known_names=catalog_names_in(i) if WITH_CATALOG_NAMES else ()
        ).score
        for i in items
    ]


def metrics(items: Sequence[Item], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    def rate(sel: list[int]) -> float | None:
        return round(sum(scores[k] >= threshold for k in sel) / len(sel), 4) if sel else None

    pos = [k for k, i in enumerate(items) if i.label == 1]
    clear = [k for k, i in enumerate(items) if i.label == 0 and not i.borderline]
    border = [k for k, i in enumerate(items) if i.label == 0 and i.borderline]
    predicted = [k for k in range(len(items)) if scores[k] >= threshold]
    tp = sum(items[k].label == 1 for k in predicted)
    return {
        "threshold": threshold,
        "n": len(items),
        "positives": len(pos),
        "clear_negatives": len(clear),
        "borderline_negatives": len(border),
        "recall": rate(pos),
        "fpr_clear": rate(clear),
        "fpr_borderline": rate(border),
        "precision": round(tp / len(predicted), 4) if predicted else None,
        "predicted_positive": len(predicted),
    }
