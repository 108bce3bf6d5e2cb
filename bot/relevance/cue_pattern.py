"""A cue's pattern and its fast search: the machinery behind :mod:`bot.relevance.cue_table`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.relevance.regex_search import SplitSearch, top_level_alternatives

if TYPE_CHECKING:
    from bot.relevance.cues import CueText

# A cue found in the title counts fully; found only in the abstract it counts ABSTRACT_FACTOR times
# unless the cue says otherwise. Titles say what a paper *is*; abstracts also mention what it uses.
ABSTRACT_FACTOR = 0.6

_top_level_alternatives = top_level_alternatives  # the name the tests know


_UPPER_ESCAPE_RE = re.compile(r"\\[A-Z]")


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A cue's regex, searched faster with exactly its matches.

    ``fast`` is the regex searched one alternative at a time, each only where the literals it
    needs occur (:class:`bot.relevance.regex_search.SplitSearch`), and, for an IGNORECASE regex,
    lowercased and case-sensitive, to run on ``CueText.lowered`` (``re`` skips ahead only to the
    literals of a case-sensitive regex): on a text without case twins (``_CASE_TWINS_RE``)
    ``str.lower`` maps every character to one that the regex's atoms (ASCII letters and classes of
    them, ``\\w``, ``\\d``, ``\\s``, ``\\b``, ``[^.]``) treat as IGNORECASE treats the original
    (``tests/relevance/test_cue_matcher.py`` checks this over all of Unicode). A regex whose
    lowercased source would not mean the same (non-ASCII, ``\\B``, ...) keeps its case.
    """

    regex: re.Pattern[str]  # as written
    fast: SplitSearch
    lowered: bool  # ``fast`` runs on the lowercased text

    @classmethod
    def compile(cls, source: str, flags: int = re.IGNORECASE) -> _Pattern:
        lowered = bool(flags & re.IGNORECASE) and source.isascii() and not _UPPER_ESCAPE_RE.search(source)
        if lowered:
            fast = SplitSearch.compile(source.lower(), flags & ~re.IGNORECASE)
        else:
            fast = SplitSearch.compile(source, flags)
        return cls(re.compile(source, flags), fast, lowered)

    def search(self, text: CueText, end: int | None = None) -> str | None:
        """What the regex first matches in *text* (in its first *end* characters)."""
        if self.lowered and text.plain:
            m = self.regex.search(text.text, 0, len(text.text) if end is None else end)
            return None if m is None else m.group(0)
        span = self.fast.span(text.lowered if self.lowered else text.text, end)
        return None if span is None else text.text[span[0] : span[1]]


@dataclass(frozen=True, slots=True)
class _Cue:
    label: str  # how the reason reads: 'phrase', 'negative cue', 'model family', ...
    pattern: _Pattern
    weight: float
    abstract_weight: float  # the weight when the cue is found only in the abstract
    # A pre-filter, never a cue of its own: every match of ``pattern`` contains one of these whole
    # words (lowercase, as ``\w+`` tokens) or, for entries written ``"word*"``, this lowercase text,
    # and also one word of each further group (``anchors="a b + c d"``: a or b, and c or d).
    # A text without them is not searched at all (see ``_possible_cues``).
    anchor_words: frozenset[str]
    anchor_parts: tuple[str, ...]
    anchor_groups: tuple[frozenset[str], ...]
    key: str  # a stable short id ('' for most cues); bench/relevance_eval.py cross-validates keyed weights
    excludes: str  # the key of a weaker cue that does not count when this one fired ('' for none)


def _cue(
    label: str,
    pattern: str,
    weight: float,
    *,
    anchors: str,
    abstract: float | None = None,
    flags: int = re.IGNORECASE,
    key: str = "",
    excludes: str = "",
) -> _Cue:
    abstract_weight = weight * ABSTRACT_FACTOR if abstract is None else abstract
    first, *more = (group.split() for group in anchors.split("+"))
    words = frozenset(a for a in first if not a.endswith("*"))
    parts = tuple(a[:-1] for a in first if a.endswith("*"))
    groups = tuple(frozenset(group) for group in more)
    return _Cue(
        label,
        _Pattern.compile(pattern, flags),
        weight,
        abstract_weight,
        words,
        parts,
        groups,
        key,
        excludes,
    )
