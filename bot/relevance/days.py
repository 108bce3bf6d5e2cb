"""Relevance measured the way a moderator meets it: one whole arXiv announcement day at a time.

A day is every paper of one category's listing that day, each judged by the rubric in three grades:
**core** (label 1, not borderline), **borderline-core** (label 1, borderline) and **no** (label 0).
A moderator wants to see both kinds of yes, so precision counts both as right; recall is reported on
core papers and on core plus borderline-core. Per day:

- ``flagged``: papers at or above the line; ``precision`` of them;
- ``cards``: the best ``cards`` flagged papers by score (the review channel's budget) and their precision;
- ``recall_core`` / ``recall_core_borderline``;
- ``average_precision``: of the whole day ranked by score (both yes grades relevant);
- the worst mistakes: the highest-scored "no" papers flagged and the lowest-scored core papers missed.

Pooled figures add the days' counts (so a big day weighs more), with a Wilson 95% interval; average
precision is the mean over days. Pure Python: ``ptm-bot relevance eval --days DIR`` and
``bench/relevance_eval.py`` both use it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.relevance.evaluate import rate

__all__ = [
    "DEFAULT_CARDS",
    "DEFAULT_CARD_MIN_SCORE",
    "DayItem",
    "average_precision",
    "evaluate_days",
    "grade",
    "load_days",
    "wilson",
]

DEFAULT_CARDS = 8
# review.card_min_score's default: chosen on the training days' out-of-fold scores (docs/relevance.md).
DEFAULT_CARD_MIN_SCORE = 0.3


class DayItem(Protocol):
    # Read-only members, so a frozen dataclass (:class:`bot.relevance.train.Item`) is one.
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...
    @property
    def label(self) -> int: ...
    @property
    def borderline(self) -> bool: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def slice(self) -> str: ...


class _Scorer(Protocol):
    def score(
        self, title: str, abstract: str = "", categories: Sequence[str] = (), *, reasons: int = 5
    ) -> Any: ...


def grade(item: DayItem) -> str:
    """``core``, ``borderline`` (borderline-core) or ``no``."""
    if item.label == 1:
        return "borderline" if item.borderline else "core"
    return "no"


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (``None`` for no trials)."""
    if n == 0:
        return None
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)


def load_days(path: Path) -> list[Any]:
    """Every item of the day files in *path* (a directory of ``*.jsonl`` / ``*.jsonl.gz``, or one
    such file). An item without a ``slice`` gets ``day:<day>:<day_category>`` from its fields."""
    from bot.relevance.corpus import item_from_row, jsonl_lines

    files = (
        sorted(p for p in path.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
        if path.is_dir()
        else [path]
    )
    if not files:
        raise ValueError(f"no .jsonl or .jsonl.gz day files in {path}")
    items = []
    for file in files:
        for n, line in enumerate(jsonl_lines(file.read_bytes()), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not row.get("slice"):
                    row["slice"] = f"day:{row['day']}:{row.get('day_category', '')}".rstrip(":")
                items.append(item_from_row(row))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{file.name} line {n}: not a labelled day item ({exc})") from exc
    return items


def average_precision(ranked: Sequence[bool]) -> float | None:
    """The average precision of a ranking, best first (``True`` = relevant); ``None`` with none
    relevant. Training's cross-validation ranks a day by the same measure."""
    hits, total = 0, 0.0
    for k, relevant in enumerate(ranked, 1):
        if relevant:
            hits += 1
            total += hits / k
    return total / hits if hits else None


@dataclass(frozen=True, slots=True)
class _Scored:
    item: Any
    score: float
    relevant: bool
    reasons: tuple[str, ...]


def _day(scored: Sequence[_Scored], cards: int, card_min_score: float = 0.0) -> dict[str, Any]:
    ranked = sorted(scored, key=lambda s: (-s.score, s.item.id))
    grades = [grade(s.item) for s in ranked]
    flagged = [(s, g) for s, g in zip(ranked, grades, strict=True) if s.relevant]
    card = [(s, g) for s, g in flagged if s.score >= card_min_score][:cards]
    yes = [g != "no" for g in grades]
    core = [(s, g) for s, g in zip(ranked, grades, strict=True) if g == "core"]
    return {
        "n": len(ranked),
        "core": len(core),
        "borderline_core": grades.count("borderline"),
        "flagged": len(flagged),
        "flagged_right": sum(g != "no" for _, g in flagged),
        "cards": len(card),
        "cards_right": sum(g != "no" for _, g in card),
        "core_found": sum(s.relevant for s, _ in core),
        "yes_found": sum(s.relevant for s, g in zip(ranked, grades, strict=True) if g != "no"),
        "average_precision": None if (ap := average_precision(yes)) is None else round(ap, 4),
    }


def _finish(c: dict[str, Any]) -> dict[str, Any]:
    yes = c["core"] + c["borderline_core"]
    c["precision"] = rate(c["flagged_right"], c["flagged"])
    c["precision_interval"] = wilson(c["flagged_right"], c["flagged"])
    c["card_precision"] = rate(c["cards_right"], c["cards"])
    c["recall_core"] = rate(c["core_found"], c["core"])
    c["recall_core_interval"] = wilson(c["core_found"], c["core"])
    c["recall_core_borderline"] = rate(c["yes_found"], yes)
    return c


def _mistakes(scored: Iterable[_Scored], n: int) -> dict[str, list[dict[str, Any]]]:
    all_ = list(scored)
    alarms = sorted((s for s in all_ if s.relevant and grade(s.item) == "no"), key=lambda s: -s.score)
    missed = sorted((s for s in all_ if not s.relevant and grade(s.item) != "no"), key=lambda s: s.score)

    def row(s: _Scored) -> dict[str, Any]:
        return {
            "id": s.item.id,
            "day": s.item.slice,
            "grade": grade(s.item),
            "score": round(s.score, 3),
            "title": s.item.title,
            "reasons": list(s.reasons[:3]),
        }

    return {"false_alarms": [row(s) for s in alarms[:n]], "missed": [row(s) for s in missed[:n]]}


def evaluate_days(
    model: _Scorer,
    items: Sequence[DayItem],
    *,
    cards: int = DEFAULT_CARDS,
    mistakes: int = 8,
    threshold: float | None = None,
    card_min_score: float = DEFAULT_CARD_MIN_SCORE,
) -> dict[str, Any]:
    """Per-day and pooled figures for *items* (grouped by their ``slice``), scored by *model*.
    *threshold* overrides the model's own line (as ``relevance.threshold`` does in a poll); the
    cards are the best *cards* flagged papers scoring at least *card_min_score*, as a poll posts them."""
    by_day: dict[str, list[_Scored]] = {}
    for item in items:
        s = model.score(item.title, item.abstract, item.categories, reasons=3)
        line = s.threshold if threshold is None else threshold
        by_day.setdefault(item.slice or "day:?", []).append(
            _Scored(item, s.probability, s.probability >= line, tuple(s.reasons))
        )
    days = {day: _finish(_day(scored, cards, card_min_score)) for day, scored in sorted(by_day.items())}
    pooled: dict[str, Any] = {"days": len(days)}
    for key in (
        "n",
        "core",
        "borderline_core",
        "flagged",
        "flagged_right",
        "cards",
        "cards_right",
        "core_found",
        "yes_found",
    ):
        pooled[key] = sum(d[key] for d in days.values())
    aps = [d["average_precision"] for d in days.values() if d["average_precision"] is not None]
    pooled["average_precision"] = round(sum(aps) / len(aps), 4) if aps else None
    pooled["flagged_per_day"] = round(pooled["flagged"] / len(days), 2) if days else None
    _finish(pooled)
    return {
        "pooled": pooled,
        "days": days,
        "mistakes": _mistakes((s for scored in by_day.values() for s in scored), mistakes),
    }


def day_lines(result: Mapping[str, Any]) -> list[str]:
    """The per-day table and the pooled line, as ``relevance eval`` prints them."""
    out = [
        f"{'day':<28} {'papers':>6} {'core':>4} {'b-core':>6} {'flagged':>7} {'prec':>5} {'cards':>5} "
        f"{'c-prec':>6} {'R core':>6} {'R c+b':>5} {'AP':>5}"
    ]

    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}"

    for name, d in [*result["days"].items(), ("all days (pooled)", result["pooled"])]:
        out.append(
            f"{name.removeprefix('day:'):<28} {d['n']:>6} {d['core']:>4} {d['borderline_core']:>6} "
            f"{d['flagged']:>7} {fmt(d['precision']):>5} {d['cards']:>5} {fmt(d['card_precision']):>6} "
            f"{fmt(d['recall_core']):>6} {fmt(d['recall_core_borderline']):>5} {fmt(d['average_precision']):>5}"
        )
    p = result["pooled"]
    if p.get("precision_interval"):
        lo, hi = p["precision_interval"]
        out.append(
            f"precision of flagged {fmt(p['precision'])} (95% {lo:.2f}-{hi:.2f}, {p['flagged']} flagged, "
            f"{p['flagged_per_day']} a day)"
        )
    if p.get("recall_core_interval"):
        lo, hi = p["recall_core_interval"]
        out.append(f"recall of core {fmt(p['recall_core'])} (95% {lo:.2f}-{hi:.2f}, {p['core']} core papers)")
    return out
