"""The labelled corpus and the whole days, and the frozen test split.

- **Corpus**: ``bot/relevance/data/relevance-corpus.jsonl.gz`` (provenance per item and the rubric in
  ``bot/relevance/data/RELEVANCE-SOURCES.md``), plus the moderators' decisions when the bot retrains.
- **Whole days**: ``bot/relevance/data/days/`` (one file per arXiv announcement day; sources,
  agreement and the split in ``days/SOURCES.md``).
- **Frozen test split** (:func:`frozen_test`): the frozen whole days (``split == "test"``) and every
  other corpus item whose SHA-256 of its arXiv id is divisible by 5. Training, cross-validation,
  thresholds and hyper-parameters never see it. A paper of a frozen day is never trained on, even
  when a training day or the corpus also holds it.

Standard library only: evaluation and ``relevance eval`` read the days without NumPy.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CORPUS",
    "Item",
    "days_dir",
    "fold",
    "frozen_days",
    "frozen_test",
    "item_from_row",
    "jsonl_lines",
    "load_corpus",
    "shipped_days",
]

CORPUS = "relevance-corpus.jsonl.gz"


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    abstract: str
    label: int
    borderline: bool = False
    categories: tuple[str, ...] = ()
    slice: str = ""
    source: str = ""
    split: str = ""  # "train" / "test" for whole-day items: the frozen split is whole days

    def title_only(self) -> Item:
        return replace(self, abstract="")


def item_from_row(row: Mapping[str, Any]) -> Item:
    """One corpus or day-file row as an :class:`Item`."""
    cats = row.get("categories")
    if cats is None:
        cats = [row["category"]] if row.get("category") else []
    return Item(
        id=str(row["id"]),
        title=" ".join(str(row["title"]).split()),
        abstract=" ".join(str(row.get("abstract") or "").split()),
        label=int(row["label"]),
        borderline=bool(row.get("borderline", False)),
        categories=tuple(cats),
        slice=str(row.get("slice") or ""),
        source=str(row.get("source") or ""),
        split=str(row.get("split") or ""),
    )


def jsonl_lines(raw: bytes) -> list[str]:
    """The lines of a ``.jsonl`` file's bytes, gzipped or not."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8").splitlines()


def load_corpus(path: Path | None = None) -> list[Item]:
    """The labelled corpus: the shipped one with the shipped whole days (:func:`shipped_days`), or a
    ``.jsonl`` / ``.jsonl.gz`` file at *path*."""
    if path is None:
        raw = resources.files("bot.relevance").joinpath("data", CORPUS).read_bytes()
    else:
        raw = path.read_bytes()
    items = [item_from_row(json.loads(line)) for line in jsonl_lines(raw) if line.strip()]
    if path is None:
        items = _with_days(items, shipped_days())
    return items


def _with_days(corpus: list[Item], days: list[Item]) -> list[Item]:
    """The corpus and the whole days as one list, one item per paper. A paper of a frozen test day
    is only there (a paper is listed in every category it is in, so days share papers, and the
    corpus holds some of them): nothing the frozen days judge is trained on."""
    frozen = {i.id for i in days if frozen_test(i)}
    out = [i for i in corpus if i.id not in frozen]
    seen = {i.id for i in out}
    for item in sorted(days, key=lambda i: not frozen_test(i)):  # frozen copies first
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def days_dir() -> Path:
    """Where the shipped labelled whole days are: one ``<category>-<date>.jsonl.gz`` per day."""
    return Path(str(resources.files("bot.relevance").joinpath("data", "days")))


def shipped_days() -> list[Item]:
    """Every paper of the shipped whole days, training and frozen test days alike."""
    from bot.relevance.days import load_days

    folder = days_dir()
    return load_days(folder) if folder.is_dir() and any(folder.glob("*.jsonl.gz")) else []


def frozen_days() -> list[Item]:
    """The frozen test days: never used for training, thresholds or any tuning choice."""
    return [i for i in shipped_days() if i.split == "test"]


def frozen_test(item: Item) -> bool:
    """Whether *item* belongs to the frozen test split (see the module docstring)."""
    if item.split:
        return item.split == "test"
    if item.slice.startswith("day:"):
        return True  # a whole day not marked (older corpora, fixtures): judged, never trained on
    return int(hashlib.sha256(item.id.encode()).hexdigest(), 16) % 5 == 0


def fold(item: Item, k: int) -> int:
    """Cross-validation fold: a whole day stays in one fold (a day is what a moderator sees)."""
    key = item.slice if item.slice.startswith("day:") else item.id
    return int(hashlib.sha256(b"fold:" + key.encode()).hexdigest(), 16) % k
