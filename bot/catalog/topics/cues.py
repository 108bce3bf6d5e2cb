"""The cue matcher: each topic's cues as regular expressions (compiled on first use) and the
pre-filter that rules out, per text, the topics whose cues cannot occur in it."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from bot.catalog.topics.taxonomy import RULES
from db.normalize import fold

__all__ = ["CueFilter", "cue_pattern", "filters", "fold_text", "patterns"]


def cue_pattern(cues: Sequence[str]) -> re.Pattern[str] | None:
    """Cues at Latin word boundaries (CJK characters are never a boundary problem)."""
    words = sorted({fold(c) for c in cues if c}, key=len, reverse=True)
    if not words:
        return None
    alts = []
    for word in words:
        # Spaces, hyphens and underscores are interchangeable (and optional) inside a cue.
        body = r"[\s\-_]*".join(re.escape(p) for p in re.split(r"[\s\-_]+", word) if p)
        # Boundaries only where the cue begins or ends with a Latin letter or digit.
        head = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", word) else ""
        tail = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", word) else ""
        alts.append(head + body + tail)
    return re.compile("|".join(alts))


@functools.cache
def patterns() -> tuple[dict[str, re.Pattern[str] | None], dict[str, re.Pattern[str] | None]]:
    """Each topic's text and name cue patterns, compiled on first use rather than at import: every
    ``ptm-bot`` call imports this module (start-up time), few classify anything."""
    return (
        {slug: cue_pattern(rule.text) for slug, rule in RULES.items()},
        {slug: cue_pattern(rule.names) for slug, rule in RULES.items()},
    )


class CueFilter:
    """Which topics' cue patterns (:func:`patterns`) can match a folded text at all.

    A pre-filter for speed (a poll classifies hundreds of papers), never a cue of its own: every
    topic it rules out has no match in the text, so :func:`explain` gives exactly what searching
    every pattern gives. Why it holds: a cue that begins with a Latin letter or digit matches only
    where a run of ``[a-z0-9]`` begins (its look-behind), and that run starts with the cue's own
    leading run; any other cue's match contains the cue's first piece verbatim.
    """

    def __init__(self, cues_by_slug: dict[str, tuple[str, ...]]) -> None:
        self.by_head: dict[str, list[tuple[str, str]]] = {}  # a run's first 3 chars -> (lead, slug)
        self.short: dict[str, set[str]] = {}  # leads of 1 or 2 chars -> slugs
        self.pieces: list[tuple[str, str]] = []  # (first piece, slug) of cues without a boundary
        self.always: set[str] = set()  # a cue of separators only matches everywhere
        for slug, cues in cues_by_slug.items():
            for word in {fold(c) for c in cues if c}:  # as cue_pattern sees them
                pieces = [p for p in re.split(r"[\s\-_]+", word) if p]
                lead = re.match(r"[a-z0-9]+", word)
                if not pieces:
                    self.always.add(slug)
                elif lead is None:
                    self.pieces.append((pieces[0], slug))
                elif len(lead.group()) < 3:
                    self.short.setdefault(lead.group(), set()).add(slug)
                else:
                    self.by_head.setdefault(lead.group()[:3], []).append((lead.group(), slug))
        self.ascii_pieces = [(p, slug) for p, slug in self.pieces if p.isascii()]

    def starts_in(self, value: str) -> dict[str, list[int]]:
        """Topic -> every index in *value* where one of its cues can begin, ascending; a topic
        that is not a key cannot match."""
        found: dict[str, list[int]] = {slug: list(range(len(value) + 1)) for slug in self.always}
        short, by_head = self.short, self.by_head
        for mt in RUN_RE.finditer(value):
            run = mt.group()
            slugs = {slug for lead, slug in by_head.get(run[:3], ()) if run.startswith(lead)}
            if run[:1] in short:
                slugs |= short[run[:1]]
            if run[:2] in short:
                slugs |= short[run[:2]]
            for slug in slugs:
                found.setdefault(slug, []).append(mt.start())
        for piece, slug in self.ascii_pieces if value.isascii() else self.pieces:
            start = value.find(piece)
            while start >= 0:
                found.setdefault(slug, []).append(start)
                start = value.find(piece, start + 1)
        for starts in found.values():
            starts.sort()
        return found

    @staticmethod
    def first_match(pattern: re.Pattern[str], value: str, starts: list[int]) -> re.Match[str] | None:
        """``pattern.search(value)``, trying only where a match can begin: the leftmost position
        that matches is the one search() finds, and a match at a position sees the characters
        before it (the look-behinds) just as search() does."""
        for start in starts:
            if mt := pattern.match(value, start):
                return mt
        return None


RUN_RE = re.compile(r"[a-z0-9]+")


@functools.cache
def filters() -> tuple[CueFilter, CueFilter]:
    """The text and name pre-filters, built on first use (see :func:`patterns`)."""
    return (
        CueFilter({slug: rule.text for slug, rule in RULES.items()}),
        CueFilter({slug: rule.names for slug, rule in RULES.items()}),
    )


def fold_text(text: str) -> str:
    # fold() of ASCII text is its lowercase form (nothing to decompose); skip the per-character work.
    return text.lower() if text.isascii() else fold(text)
