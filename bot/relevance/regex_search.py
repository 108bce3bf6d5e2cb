"""A regex's first match, found faster: one top-level alternative at a time, each searched only
where the literal text it needs occurs.

``re`` scans fastest for a pattern that begins with a literal or a class: it skips to the positions
holding one. A pattern whose alternatives begin differently (``\\d...|(?:trillion|billion) tokens``,
``we ...|open-weights?|(?:weights|models?) are ...``) gets no such start and is tried at every
position of the text; over a whole abstract that is the cost of scoring. So:

- each top-level alternative is its own regex, and gets the fast start it has;
- an alternative is searched only when the text holds, for each group of literals it cannot match
  without (read off the parsed regex by :func:`required_literals`, so they cannot drift from it),
  one of them: ``literal in text`` is a substring search in C, far cheaper than the regex;
- a leading ``\\b`` before literals is dropped and checked at each match start instead (``re``
  cannot skip ahead past a ``\\b``; the first start where it holds is the first where the
  alternative matches, with the same match), and an alternative anchored with ``^`` is tried at
  the start only.

The first match of the whole regex is the leftmost of the alternatives' first matches, the earlier
alternative winning a tie: exactly what ``re`` finds, since at each position it tries the
alternatives in order (``tests/relevance/test_cue_matcher.py`` and ``test_scoring_equivalence.py``
check it on every shipped paper).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

__all__ = ["SplitSearch", "required_literals", "top_level_alternatives"]

_BOUNDARY_RE = re.compile(r"\b")
# A group with a literal shorter than this says too little to be worth testing ("-", " ").
_MIN_LITERAL = 2


@dataclass(frozen=True, slots=True)
class _Alternative:
    regex: re.Pattern[str]
    needs: tuple[tuple[str, ...], ...]  # a match holds one literal of each group (``()``: no test)
    bounded: bool  # lost a leading ``\b``: checked at each match start
    anchored: bool  # begins with ``^``: tried at the start only

    def first(self, subject: str, end: int) -> tuple[int, int] | None:
        for group in self.needs:  # (loops, not any(): this runs ~40 times a paper)
            for literal in group:
                if literal in subject:
                    break
            else:
                return None  # no literal of this group: no match
        if self.anchored:
            m = self.regex.match(subject, 0, end)
            return None if m is None else m.span()
        m = self.regex.search(subject, 0, end)
        while m is not None:
            start = m.start()
            if not self.bounded or _BOUNDARY_RE.match(subject, start, end):
                return m.span()
            m = self.regex.search(subject, start + 1, end)
        return None


@dataclass(frozen=True, slots=True)
class SplitSearch:
    """A regex compiled one top-level alternative at a time (see the module docstring)."""

    regex: re.Pattern[str]  # as written: what the search finds, the way a reader (and a test) sees it
    alternatives: tuple[_Alternative, ...]

    @classmethod
    def compile(cls, source: str, flags: int = 0) -> SplitSearch:
        whole = re.compile(source, flags)
        flags = whole.flags  # with any inline flags, for every alternative
        alternatives = []
        for alt in top_level_alternatives(source):
            bounded = alt.startswith(r"\b") and _begins_with_literal(_parser.parse(alt[2:], flags))
            anchored = alt.startswith("^") and not flags & re.MULTILINE
            regex = re.compile(alt[2:] if bounded else alt, flags)
            alternatives.append(_Alternative(regex, required_literals(regex), bounded, anchored))
        if len(alternatives) > 1 and not any(a.needs for a in alternatives):
            # Nothing to skip: one search of the whole is cheaper than one per alternative.
            alternatives = [_Alternative(whole, (), bounded=False, anchored=False)]
        return cls(whole, tuple(alternatives))

    def span(self, subject: str, end: int | None = None) -> tuple[int, int] | None:
        """Where the regex first matches in *subject* (in its first *end* characters)."""
        if end is None:
            end = len(subject)
        best = None
        for alternative in self.alternatives:
            found = alternative.first(subject, end)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        return best


def required_literals(regex: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """Groups of literal texts: every match of *regex* holds one of each group (``()``: none known)."""
    if regex.flags & re.IGNORECASE:  # literals would need case folding
        return ()
    groups = [
        g for g in _sequence(_parser.parse(regex.pattern, regex.flags)) if min(map(len, g)) >= _MIN_LITERAL
    ]
    groups.sort(key=_rarity)  # the group most likely missing first: a text without it is done soonest
    return tuple(tuple(sorted(g)) for g in groups)


def _sequence(items: Any) -> list[frozenset[str]]:
    """Groups of literals that every match of the sequence *items* holds (one of each group)."""
    groups: list[frozenset[str]] = []
    run: list[str] = []  # consecutive literal characters
    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            groups.append(frozenset(["".join(run)]))
            run = []
        if op is sre.SUBPATTERN and not av[1] & re.IGNORECASE:  # (group, add_flags, del_flags, items)
            groups += _sequence(av[3])
        elif op is sre.BRANCH:
            # A match takes one branch: it holds a literal of that branch's strongest group.
            strongest = [g for g in map(_strongest, map(_sequence, av[1])) if g is not None]
            if len(strongest) == len(av[1]):
                groups.append(frozenset().union(*strongest))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            groups += _sequence(av[2])
        # Anything else (classes, ".", anchors, look-arounds, optional parts) needs nothing known.
    if run:
        groups.append(frozenset(["".join(run)]))
    return groups


def _begins_with_literal(items: Any) -> bool:
    """Whether ``re`` can skip ahead to where *items* may match: it begins with a literal, or
    with alternatives that each do (without, dropping a ``\\b`` before it would cost time)."""
    if not items:
        return False
    op, av = items[0]
    if op is sre.SUBPATTERN:
        return _begins_with_literal(av[3])
    if op is sre.BRANCH:
        return all(branch and branch[0][0] is sre.LITERAL for branch in av[1])
    return op is sre.LITERAL


def _rarity(group: frozenset[str]) -> tuple[int, int]:
    """Sorts the rarest groups first, roughly: long literals, and few of them."""
    return -min(map(len, group)), len(group)


def _strongest(groups: list[frozenset[str]]) -> frozenset[str] | None:
    """The group whose literals are the rarest, roughly."""
    return min(groups, key=_rarity, default=None)


def top_level_alternatives(source: str) -> list[str]:
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
