""" "Did you mean ...?": the one helper for everything a person can mistype (a topic, a command or
subcommand, a field, a config key or variable, a catalog name in a short list).

Plain :mod:`difflib` over the candidates (case and spacing ignored); the catalog's own model look-up,
which ranks thousands of names and aliases, has its fuzzy tier in :mod:`bot.catalog.matching`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]

CUTOFF = 0.6


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def closest(word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = CUTOFF) -> list[str]:
    """Up to *n* of *choices* most like *word* (as written in *choices*), best first."""
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(_fold(choice), choice)
    folded = _fold(word)
    if not folded:
        return []
    if folded in by_fold:
        return [by_fold[folded]]
    return [by_fold[f] for f in difflib.get_close_matches(folded, list(by_fold), n=n, cutoff=cutoff)]


def did_you_mean(word: str, choices: Iterable[str], *, quote: bool = False) -> str:
    """``" (did you mean speech?)"`` for the closest choice, else ``""``: appended to a refusal."""
    found = closest(word, choices)
    if not found:
        return ""
    shown = f"'{found[0]}'" if quote else found[0]
    return f" (did you mean {shown}?)"
