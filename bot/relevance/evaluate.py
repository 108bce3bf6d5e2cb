"""Figures of a relevance model per slice of labelled papers: recall, false positives, precision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.relevance.corpus import Item
from bot.relevance.model import RelevanceModel

__all__ = ["evaluate", "rate", "reliability"]


def rate(hits: int, n: int) -> float | None:
    """``hits / n`` rounded to 4 places; ``None`` when there is nothing to count."""
    return round(hits / n, 4) if n else None


def _slice_metrics(model: RelevanceModel, items: Sequence[Item]) -> dict[str, Any]:
    scored = [(i, model.score(i.title, i.abstract, i.categories, reasons=0)) for i in items]
    pos = [s for i, s in scored if i.label == 1]
    clear = [s for i, s in scored if i.label == 0 and not i.borderline]
    border = [s for i, s in scored if i.label == 0 and i.borderline]
    flagged = [(i, s) for i, s in scored if s.relevant]
    out: dict[str, Any] = {
        "n": len(items),
        "positives": len(pos),
        "recall": rate(sum(s.relevant for s in pos), len(pos)),
        "clear_negatives": len(clear),
        "fpr_clear": rate(sum(s.relevant for s in clear), len(clear)),
        "borderline_negatives": len(border),
        "borderline_flag_rate": rate(sum(s.relevant for s in border), len(border)),
        "flagged": len(flagged),
        "precision": rate(sum(i.label for i, _ in flagged), len(flagged)),
    }
    recall = out["recall"] or 0.0
    fpr_clear, brd = out["fpr_clear"] or 0.0, out["borderline_flag_rate"] or 0.0
    # A day's listing: about 20% of the non-PTM papers are borderline (the rubric's estimate).
    fpr_day = 0.8 * fpr_clear + 0.2 * brd
    for base in (0.02, 0.05):
        tp, fp = recall * base, fpr_day * (1 - base)
        out[f"precision_at_{int(base * 100)}pct"] = round(tp / (tp + fp), 4) if tp + fp else None
    return out


def reliability(model: RelevanceModel, items: Sequence[Item], bins: int = 5) -> list[dict[str, Any]]:
    """Calibration table: per probability bin, how many papers, mean score, observed positive rate."""
    rows: list[list[tuple[float, int]]] = [[] for _ in range(bins)]
    for i in items:
        p = model.score(i.title, i.abstract, i.categories, reasons=0).probability
        rows[min(bins - 1, int(p * bins))].append((p, i.label))
    return [
        {
            "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
            "n": len(r),
            "mean_score": round(sum(p for p, _ in r) / len(r), 3) if r else None,
            "positive_rate": round(sum(y for _, y in r) / len(r), 3) if r else None,
        }
        for b, r in enumerate(rows)
    ]


def evaluate(model: RelevanceModel, items: Sequence[Item]) -> dict[str, Any]:
    """Figures per slice: abstract, title-only, each whole day, and all days together."""
    slices: dict[str, list[Item]] = {
        "abstract": [i for i in items if i.abstract and not i.slice],
        "title_only": [i for i in items if not i.abstract and not i.slice],
        "days": [i for i in items if i.slice.startswith("day:")],
    }
    for day in sorted({i.slice for i in items if i.slice.startswith("day:")}):
        slices[day] = [i for i in items if i.slice == day]
    out: dict[str, Any] = {name: _slice_metrics(model, its) for name, its in slices.items() if its}
    out["reliability"] = reliability(model, [i for i in items if not i.slice] or list(items))
    core = [i for i in slices["days"] if i.label == 1 and not i.borderline]
    if core:
        found = sum(model.score(i.title, i.abstract, i.categories, reasons=0).relevant for i in core)
        out["days"]["core_recall"] = rate(found, len(core))
        out["days"]["core"] = len(core)
    return out
