"""Moderators' gates: always-suggest and never-suggest rules, applied before the model decides.

A gate is a *mode* (``always`` / ``never``), a *kind* and a value:

- ``term``: a word or phrase in the title or abstract (case- and accent-insensitive, whole words:
  ``"diffusion"`` does not match "diffusions"; the words of a phrase may be separated by any
  whitespace);
- ``author``: one of the paper's authors, by full name (case, accents and punctuation ignored:
  ``"kaiming he"`` matches "Kaiming He", not "K. He");
- ``org``: an organisation. arXiv's RSS/Atom feeds carry no affiliations (only the API's
  ``<arxiv:affiliation>`` does, and the parser does not keep it), so it is matched like a term in
  the abstract and the author comments ("Work done at Google DeepMind");
- ``category``: an arXiv category of the paper (``cs.CL``), primary or cross-listed.

A never-gate keeps a paper off the review channel whatever its score; an always-gate suggests it
whatever its score (it is still scored, and its score is shown). When both match, never wins: it
is the safer reading of two rules a moderator set. Everything here is pure: no database, no
Discord (:mod:`bot.relevance.gate_store` stores them, :mod:`bot.watch.score` applies them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.arxiv_categories import ARXIV_CATEGORIES, canonical_category
from bot.errors import UserFacingError
from bot.suggest import did_you_mean
from bot.textsafe import strip_controls
from db.normalize import fold, norm_title

__all__ = [
    "GATE_KINDS",
    "GATE_MODES",
    "MAX_VALUE",
    "Gate",
    "GateError",
    "GateMatch",
    "GateSet",
    "normalise",
    "parse_kind",
    "parse_mode",
]

GATE_MODES = ("always", "never")
GATE_KINDS = ("term", "author", "org", "category")
MAX_VALUE = 200

_KIND_ALIASES = {
    "term": "term",
    "terms": "term",
    "phrase": "term",
    "author": "author",
    "authors": "author",
    "org": "org",
    "orgs": "org",
    "organisation": "org",
    "organization": "org",
    "category": "category",
    "categories": "category",
}
# An arXiv category: "cs.CL", "hep-th", "cond-mat.mes-hall", "eess.AS".
_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[a-z][a-z-]*)?$", re.IGNORECASE)
# Words that are in (nearly) every arXiv abstract of this field: a gate on them alone would catch
# almost every paper, which is never what a moderator means.
_EVERYWHERE = frozenset(
    "a an and are as at be by for from in is it of on or our that the this to we with "
    "paper papers model models method methods approach results data propose proposed show".split()
)


class GateError(UserFacingError):
    """A gate that cannot be set or removed; the message says why and what to do."""


def parse_mode(mode: str) -> str:
    lowered = mode.strip().casefold()
    if lowered not in GATE_MODES:
        raise GateError(f"unknown gate mode {mode!r}: use always or never")
    return lowered


def parse_kind(kind: str) -> str:
    found = _KIND_ALIASES.get(kind.strip().casefold())
    if found is None:
        raise GateError(f"unknown gate kind {kind!r}: use one of {', '.join(GATE_KINDS)}")
    return found


def normalise(kind: str, value: str) -> tuple[str, str]:
    """(value as shown, match key) of a gate as typed; :class:`GateError` when it cannot be a gate:
    empty, too long, not an arXiv category, or so common that it would match almost every paper."""
    kind = parse_kind(kind)
    # Line breaks and tabs are spaces; terminal escape sequences and bidi overrides are never stored
    # (they would reach `gate list`, the review cards and the log).
    shown = " ".join(strip_controls(" ".join(value.split())).split())
    if not shown:
        raise GateError(f"a {kind} gate needs a value: the {_WHAT[kind]} to match")
    if len(shown) > MAX_VALUE:
        raise GateError(f"a gate's value is at most {MAX_VALUE} characters, got {len(shown)}")
    if kind == "category":
        if not _CATEGORY_RE.match(shown):
            raise GateError(f"{shown!r} is not an arXiv category (like cs.CL or eess.AS)")
        category = canonical_category(shown)
        if category is None:  # the syntax of one, but arXiv has no such category: it never matches
            hint = did_you_mean(shown, ARXIV_CATEGORIES)
            raise GateError(f"arXiv has no category {shown!r}{hint}; see https://arxiv.org/category_taxonomy")
        return category, category.casefold()
    if kind == "author":
        key = norm_title(shown)
    else:  # term, org: matched as words of the text
        key = " ".join(fold(shown).split())
    letters = re.sub(r"\W", "", key)
    if not letters:
        raise GateError(f"{shown!r} has no letters or digits to match")
    words = norm_title(key).split()
    if len(key.replace(" ", "")) < 2 or (kind != "author" and all(w in _EVERYWHERE for w in words)):
        raise GateError(f"a {kind} gate on {shown!r} would match almost every paper; be more specific")
    return shown, key


_WHAT = {
    "term": "word or phrase",
    "author": "author's full name",
    "org": "organisation's name",
    "category": "arXiv category",
}


@dataclass(frozen=True, slots=True)
class Gate:
    """One gate, from the config file (``origin="config"``) or the database (``"stored"``).

    ``set_by``: a Discord user id, ``cli:<user>`` or ``config``; ``set_at``: when (stored gates)."""

    mode: str
    kind: str
    value: str
    key: str
    origin: str = "stored"
    set_by: str = "config"
    set_by_name: str | None = None
    set_at: datetime | None = None

    @property
    def label(self) -> str:
        """``always author 'Kaiming He'``"""
        return f"{self.mode} {self.kind} '{self.value}'"

    @property
    def reason(self) -> str:
        """The line on the review card and in ``poll --json``: ``gate: always author 'Kaiming He'``."""
        return f"gate: {self.label}"

    def as_dict(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "kind": self.kind,
            "value": self.value,
            "origin": self.origin,
            "set_by": self.set_by,
            "set_by_name": self.set_by_name,
            "set_at": self.set_at.isoformat() if self.set_at else None,
        }

    @classmethod
    def of(cls, mode: str, kind: str, value: str, **more: object) -> Gate:
        """A gate from typed text (checked and normalised)."""
        mode, kind = parse_mode(mode), parse_kind(kind)
        shown, key = normalise(kind, value)
        return cls(mode, kind, shown, key, **more)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class GateMatch:
    """The gates a paper meets that decide it: every matching never-gate, else every always-gate."""

    mode: str
    gates: tuple[Gate, ...]

    @property
    def reasons(self) -> list[str]:
        return [g.reason for g in self.gates]


def _phrase_regex(key: str) -> re.Pattern[str]:
    # Whole words: no word character either side (so "C++" and "GPT-4" work too).
    body = r"\s+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


class GateSet:
    """Compiled gates; :meth:`match` tells what they say about one paper. Empty: matches nothing."""

    def __init__(self, gates: Iterable[Gate] = ()) -> None:
        self.gates: tuple[Gate, ...] = tuple(gates)
        self._terms = [(g, _phrase_regex(g.key)) for g in self.gates if g.kind == "term"]
        self._orgs = [(g, _phrase_regex(g.key)) for g in self.gates if g.kind == "org"]
        self._authors: dict[str, list[Gate]] = {}
        self._categories: dict[str, list[Gate]] = {}
        for g in self.gates:
            if g.kind == "author":
                self._authors.setdefault(g.key, []).append(g)
            elif g.kind == "category":
                self._categories.setdefault(g.key, []).append(g)

    def __bool__(self) -> bool:
        return bool(self.gates)

    def __len__(self) -> int:
        return len(self.gates)

    def match(
        self,
        *,
        title: str,
        abstract: str,
        authors: Sequence[str] = (),
        categories: Sequence[str] = (),
        comment: str | None = None,
    ) -> GateMatch | None:
        """The deciding gates for a paper, or None when no gate speaks about it."""
        if not self.gates:
            return None
        hits: list[Gate] = []
        if self._terms:
            text = fold(f"{title}\n{abstract}")
            hits.extend(g for g, rx in self._terms if rx.search(text))
        if self._orgs:
            text = fold(f"{abstract}\n{comment or ''}")
            hits.extend(g for g, rx in self._orgs if rx.search(text))
        if self._authors:
            for name in authors:
                hits.extend(self._authors.get(norm_title(name), ()))
        if self._categories:
            for cat in categories:
                hits.extend(self._categories.get(cat.casefold(), ()))
        if not hits:
            return None
        hits = list(dict.fromkeys(hits))
        never = tuple(g for g in hits if g.mode == "never")
        if never:
            return GateMatch("never", never)
        return GateMatch("always", tuple(hits))
