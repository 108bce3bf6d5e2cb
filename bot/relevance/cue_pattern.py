"""A cue's pattern and its fast search: the machinery behind :mod:`bot.relevance.cue_table`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.relevance.cues import CueText

# A cue found in the title counts fully; found only in the abstract it counts ABSTRACT_FACTOR times
# unless the cue says otherwise. Titles say what a paper *is*; abstracts also mention what it uses.
ABSTRACT_FACTOR = 0.6


_UPPER_ESCAPE_RE = re.compile(r"\\[A-Z]")
_BOUNDARY_RE = re.compile(r"\b")


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A cue's regex, searched faster with exactly its matches.

    ``re`` scans fastest for a case-sensitive pattern that begins with literals: it skips to the
    positions holding one of them. Most cues ignore case and begin with ``\\b``, so they are tried
    at every position. ``fast`` is the regex (1) without the leading ``\\b`` of every alternative, that
    boundary being checked at each match start instead (the first start where it holds is the
    first where the regex matches, with the same match), and (2) for an IGNORECASE regex,
    lowercased and case-sensitive, to run on ``CueText.lowered``: on a text without case twins
    (``_CASE_TWINS_RE``) ``str.lower`` maps every character to one that the regex's atoms (ASCII
    letters and classes of them, ``\\w``, ``\\d``, ``\\s``, ``\\b``, ``[^.]``) treat as IGNORECASE treats
    the original (``tests/watch/test_cue_matcher.py`` checks this over all of Unicode). A regex whose
    lowercased source would not mean the same (non-ASCII, ``\\B``, ...) keeps its case.
    """

    regex: re.Pattern[str]  # as written
    fast: re.Pattern[str]
    lowered: bool  # ``fast`` runs on the lowercased text
    bounded: bool  # ``fast`` lost a leading ``\\b``: checked at each match start

    @classmethod
    def compile(cls, source: str, flags: int = re.IGNORECASE) -> _Pattern:
        lowered = bool(flags & re.IGNORECASE) and source.isascii() and not _UPPER_ESCAPE_RE.search(source)
        fast = source.lower() if lowered else source
        alternatives = _top_level_alternatives(fast)
        bounded = all(alt.startswith(r"\b") for alt in alternatives)
        if bounded:
            fast = "|".join(alt[2:] for alt in alternatives)
        fast_flags = flags & ~re.IGNORECASE if lowered else flags
        return cls(re.compile(source, flags), re.compile(fast, fast_flags), lowered, bounded)

    def search(self, text: CueText, end: int | None = None) -> str | None:
        """What the regex first matches in *text* (in its first *end* characters)."""
        if end is None:
            end = len(text.text)
        if self.lowered and text.plain:
            m = self.regex.search(text.text, 0, end)
            return None if m is None else m.group(0)
        subject = text.lowered if self.lowered else text.text
        m = self.fast.search(subject, 0, end)
        while m is not None:
            start = m.start()
            if not self.bounded or _BOUNDARY_RE.match(subject, start, end):
                return text.text[start : m.end()]
            m = self.fast.search(subject, start + 1, end)
        return None


def _top_level_alternatives(source: str) -> list[str]:
    """*source* split at the ``|`` outside groups and character classes."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A "]" first in the class (after an optional "^") is a literal.
            if source.startswith("]", i + 1) or source.startswith("^]", i + 1):
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


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
    anchor_parts: re.Pattern[str] | None
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
    parts = [re.escape(a[:-1]) for a in first if a.endswith("*")]
    parts_re = re.compile("|".join(parts)) if parts else None
    groups = tuple(frozenset(group) for group in more)
    return _Cue(
        label,
        _Pattern.compile(pattern, flags),
        weight,
        abstract_weight,
        words,
        parts_re,
        groups,
        key,
        excludes,
    )
