"""Possible duplicates: does a paper (a suggestion, a moderator's ``add``, an imported line) repeat
an entry of the catalog or another pending suggestion?

Four reasons, strongest first:

- ``same title``: the normalised titles are equal (:func:`db.normalize.norm_title`);
- ``similar title``: nearly equal, a small edit distance (difflib ratio >= 0.9) or a high word
  overlap (Jaccard >= 0.8 over at least four words each);
- ``same name``: the proposed name is an entry's name or alias, or another pending suggestion's
  proposed name (:func:`db.normalize.norm_key`: case, spaces and hyphens ignored);
- ``same family``: the names reduce to one family stem (:func:`bot.catalog.matching.family_stem`:
  ``DeBERTa-v3`` and ``DeBERTa``), entries only.

:class:`RelatedIndex` is pure (built from rows, matched in memory; importing this module loads no
SQLAlchemy, so renderers use :class:`Related`); :func:`bot.catalog.related_rows.load_related_index`
reads the rows in the caller's unit of work (the poll's, a moderator's ``add``).
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.catalog.matching import FAMILY_PREFIXES, family_stem
from db.normalize import norm_key, norm_title

__all__ = ["Known", "Related", "RelatedIndex"]

WHY_ORDER = ("same title", "similar title", "same name", "same family")
_NEAR_RATIO = 0.9
_NEAR_JACCARD = 0.8
_MIN_WORDS = 4
_TYPO_JACCARD = 0.5  # below this word overlap, titles of 3+ words are not compared by characters


@dataclass(frozen=True, slots=True)
class Related:
    """One thing a paper may duplicate, and why."""

    why: str
    name: str
    arxiv_id: str | None = None
    entry_id: int | None = None  # an entry of the catalog
    suggestion_id: int | None = None  # or another pending suggestion

    def line(self) -> str:
        """``possible duplicate of BERT (1810.04805): same title``."""
        what = f"{self.name} ({self.arxiv_id})" if self.arxiv_id else self.name
        where = "" if self.entry_id is not None else " (pending suggestion)"
        return f"possible duplicate of {what}{where}: {self.why}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"why": self.why, "name": self.name, "arxiv_id": self.arxiv_id}
        if self.entry_id is not None:
            out["entry_id"] = self.entry_id
        if self.suggestion_id is not None:
            out["suggestion_id"] = self.suggestion_id
        return out

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Related:
        return cls(
            why=str(data.get("why", "")),
            name=str(data.get("name", "")),
            arxiv_id=data.get("arxiv_id"),
            entry_id=data.get("entry_id"),
            suggestion_id=data.get("suggestion_id"),
        )


@dataclass(frozen=True, slots=True)
class Known:
    """An entry or a pending suggestion as the matcher sees it."""

    name: str
    title: str
    arxiv_id: str | None = None
    entry_id: int | None = None
    suggestion_id: int | None = None
    aliases: tuple[str, ...] = ()
    # Keys the database already holds (papers.norm_title, entries.norm_name, aliases.norm_alias):
    # given, they are not computed again (an index of 100,000 entries builds 4x faster).
    title_key: str | None = None
    name_keys: tuple[str, ...] | None = None

    def related(self, why: str) -> Related:
        return Related(why, self.name, self.arxiv_id, self.entry_id, self.suggestion_id)


@dataclass(slots=True)
class RelatedIndex:
    """Entries and pending suggestions by title, name and family, for :meth:`match`."""

    by_title: dict[str, list[Known]] = field(default_factory=dict)
    by_name: dict[str, list[Known]] = field(default_factory=dict)
    names: list[str] | None = None  # by_name's keys sorted, for the family's prefix scans (built on use)
    titled: list[tuple[str, frozenset[str], Known]] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)  # word -> indexes into titled

    @classmethod
    def of(cls, known: Iterable[Known]) -> RelatedIndex:
        index = cls()
        for k in known:
            index.add(k)
        return index

    def add(self, k: Known) -> None:
        title = norm_title(k.title) if k.title_key is None else k.title_key
        if title:
            self.by_title.setdefault(title, []).append(k)
            words = frozenset(title.split())
            for word in words:
                self.postings.setdefault(word, []).append(len(self.titled))
            self.titled.append((title, words, k))
        keys = {norm_key(n) for n in (k.name, *k.aliases)} if k.name_keys is None else set(k.name_keys)
        for name in keys - {""}:
            self.by_name.setdefault(name, []).append(k)
        self.names = None

    def _family(self, stem: str) -> list[Known]:
        """Entries whose name reduces to *stem* (:func:`family_stem`): a family member's name key
        starts with the stem or with one of the family prefixes and the stem, so only those ranges
        of the sorted names are read."""
        if self.names is None:
            self.names = sorted(self.by_name)
        out: list[Known] = []
        for prefix in ("", *FAMILY_PREFIXES):
            head = prefix + stem
            for i in range(bisect.bisect_left(self.names, head), len(self.names)):
                if not self.names[i].startswith(head):
                    break
                members = self.by_name[self.names[i]]
                out += [k for k in members if k.entry_id is not None and family_stem(k.name) == stem]
        return out

    def exact_title(self, title: str) -> Known | None:
        """The entry whose paper has exactly this (normalised) title, if any."""
        return next((k for k in self.by_title.get(norm_title(title), ()) if k.entry_id is not None), None)

    def match(
        self, title: str, name: str = "", *, arxiv_id: str | None = None, limit: int = 3
    ) -> list[Related]:
        """What a paper with *title* and proposed *name* may duplicate, strongest reason first, each
        entry or suggestion once; never the paper itself (*arxiv_id*)."""
        found: dict[tuple[int | None, int | None], Related] = {}

        def note(k: Known, why: str) -> None:
            if arxiv_id is not None and k.arxiv_id == arxiv_id:
                return
            found.setdefault((k.entry_id, k.suggestion_id), k.related(why))

        key = norm_title(title)
        for k in self.by_title.get(key, ()):
            note(k, "same title")
        if key:
            for k in self._near(key):
                note(k, "similar title")
        for k in self.by_name.get(norm_key(name), ()) if norm_key(name) else ():
            note(k, "same name")
        stem = family_stem(name) if name else ""
        for k in self._family(stem) if len(stem) >= 2 else ():
            note(k, "same family")
        ranked = sorted(found.values(), key=lambda r: (WHY_ORDER.index(r.why), r.entry_id is None, r.name))
        return ranked[:limit]

    def _near(self, key: str) -> list[Known]:
        """The titles nearly equal to *key*. Only titles sharing one of the query's rarer words are
        compared: a near title (Jaccard >= 0.8, or a difflib ratio >= 0.9) lacks at most a fifth of
        the query's words, so it holds one of any ``n // 5 + 2`` of them (one more for a typo); the
        rarest are taken, so a title of common words does not compare the whole catalog."""
        words = frozenset(key.split())
        present = sorted((len(self.postings[w]), w) for w in words if w in self.postings)
        seen: set[int] = set()
        for _, word in present[: len(words) // 5 + 2]:
            seen.update(self.postings[word])
        out = []
        for i in sorted(seen):
            other, other_words, k = self.titled[i]
            if other != key and _similar(key, words, other, other_words):
                out.append(k)
        return out


def _similar(key: str, words: frozenset[str], other: str, other_words: frozenset[str]) -> bool:
    overlap = len(words & other_words) / len(words | other_words)
    if len(words) >= _MIN_WORDS and len(other_words) >= _MIN_WORDS and overlap >= _NEAR_JACCARD:
        return True
    if overlap < _TYPO_JACCARD and min(len(words), len(other_words)) > 2:
        return False  # a few typos leave most words whole: no character comparison needed
    matcher = difflib.SequenceMatcher(None, key, other, autojunk=False)
    return (
        matcher.real_quick_ratio() >= _NEAR_RATIO
        and matcher.quick_ratio() >= _NEAR_RATIO
        and matcher.ratio() >= _NEAR_RATIO
    )
