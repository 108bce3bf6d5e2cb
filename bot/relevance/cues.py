"""The hand-written knowledge behind relevance: cues, and what to propose for a suggested paper.

Every cue is a phrase a human would name ("pre-train", "foundation model", "we fine-tune",
"benchmark", ...) with a hand-set weight. The cues are no longer a scorer of their own: they are
features of the learned model (:mod:`bot.relevance.model`), whose training pulls their weights
toward the hand-set ones (:func:`cue_priors`), so a moderator still reads "phrase "pre-trained" in
title +2.1" on a card.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

__all__ = [
    "CUE_FINGERPRINT",
    "CueText",
    "cue_hits",
    "cue_hits_in",
    "cue_priors",
    "survey_match",
]

from bot.relevance.cue_pattern import ABSTRACT_FACTOR, _Cue, _cue, _Pattern, _top_level_alternatives  # noqa: F401
from bot.relevance.cue_table import _CUES, _FAMILY, _FAMILY_ANCHORS, _PRETRAIN  # noqa: F401

log = logging.getLogger(__name__)

# The cue pre-filter, built once. Searching ~45 patterns in every title and abstract dominated a
# poll; the text's tokens say which few cues can match at all, and only those are searched, so every
# score, reason and match text is exactly what searching every cue gives. The tokens are the ones
# the learned model's n-gram features use (``CueText.words``): each text is tokenised once.
_CUES_BY_WORD: dict[str, tuple[int, ...]] = {}
for _i, _c in enumerate(_CUES):
    for _w in _c.anchor_words:
        _CUES_BY_WORD[_w] = (*_CUES_BY_WORD.get(_w, ()), _i)
_ANCHOR_WORDS = frozenset(_CUES_BY_WORD)
_GROUP_WORDS = frozenset(w for _c in _CUES for _g in _c.anchor_groups for w in _g)
_GROUPED_CUES = tuple(_i for _i, _c in enumerate(_CUES) if _c.anchor_groups)
# Cues sharing one parts pattern (the model-family cues) are checked with one search.
_PART_GROUPS: dict[tuple[str, ...], tuple[int, ...]] = {}
for _i, _c in enumerate(_CUES):
    if _c.anchor_parts:
        _PART_GROUPS[_c.anchor_parts] = (*_PART_GROUPS.get(_c.anchor_parts, ()), _i)
_CUES_BY_PART = tuple(_PART_GROUPS.items())
_ALL_CUES = frozenset(range(len(_CUES)))
_EXCLUDING = tuple(_i for _i, _c in enumerate(_CUES) if _c.excludes)
# The only non-ASCII characters that an IGNORECASE ASCII letter matches ("İ", "ı", "ſ", Kelvin "K");
# "İ" and "K" are also the only characters that ``str.lower`` turns into two, or into ASCII. A text
# holding one is searched with every cue and the patterns as written (``CueText.plain``).
_CASE_TWINS_RE = re.compile("[\u0130\u0131\u017f\u212a]")
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(slots=True)
class CueText:
    """A whitespace-normalised title or abstract, lowercased and tokenised once for the cues and
    the learned model's n-gram features."""

    text: str
    lowered: str
    words: list[str]  # the ``[a-z0-9]+`` runs of ``lowered``, in order
    plain: bool  # holds a case twin: ``lowered`` is not searched, nor are cues pre-filtered

    @classmethod
    def of(cls, text: str) -> CueText:
        lowered = text.lower()
        plain = not text.isascii() and _CASE_TWINS_RE.search(text) is not None
        return cls(text, lowered, _TOKEN_RE.findall(lowered), plain)


def _possible_cues(text: CueText) -> frozenset[int] | set[int]:
    """Indexes of the cues that may match *text*: those with their anchors in it.

    Sound on ``words``: an anchor that is a ``\\w+`` run of the text lowercased is ASCII, and the
    characters either side are no word characters, so it is an ``[a-z0-9]+`` run of ``lowered`` too
    (without case twins, see ``_CASE_TWINS_RE``).
    """
    if not text.text:
        return frozenset()
    if text.plain:
        return _ALL_CUES
    found = set().union(*map(_CUES_BY_WORD.__getitem__, _ANCHOR_WORDS.intersection(text.words)))
    for parts, indexes in _CUES_BY_PART:  # substring tests: cheaper than one regex of them
        if not found.issuperset(indexes) and any(part in text.lowered for part in parts):
            found.update(indexes)
    grouped = found.intersection(_GROUPED_CUES)
    if grouped:
        present = _GROUP_WORDS.intersection(text.words)
        for index in grouped:
            if any(map(present.isdisjoint, _CUES[index].anchor_groups)):
                found.discard(index)
    return found


# Survey wording only matters together with PTM words.
_PTM_WORDS = (
    rf"\b(?:{_PRETRAIN}|foundation models?|language models?|LLMs?|transformers?|BERT\w*|GPT\w*|"
    r"vision-language|multimodal|self-supervised)\b"
)
_SURVEY = r"\b(?:survey|review|primer|overview|past, present and future|recent advances|tutorial)\b"
_SURVEY_OPENING = r"\b(?:this|we|our) (?:paper |article |work |)(?:survey|review)s?\b|\bthis survey\b"
_PTM_WORDS_RE, _SURVEY_RE, _SURVEY_OPENING_RE = map(_Pattern.compile, (_PTM_WORDS, _SURVEY, _SURVEY_OPENING))
SURVEY_WITH_PTM_WEIGHT = 2.2

_CATEGORY_PRIOR: dict[str, float] = {
    "cs.CL": 0.6,
    "cs.CV": 0.3,
    "cs.LG": 0.2,
    "cs.AI": 0.2,
    "cs.IR": 0.2,
    "cs.SD": 0.3,
    "eess.AS": 0.4,
    "cs.MM": 0.3,
    "stat.ML": 0.0,
}


def cue_hits(title: str, abstract: str) -> list[tuple[str, float, str]]:
    """The hand-written cues that fire, as learned-model features: ``(feature, hand-set weight,
    what matched)``. The feature is ``cue:<n>@t`` (found in the title) or ``cue:<n>@a`` (only in
    the abstract), ``n`` the cue's position in the table; ``cue:survey`` for survey wording with PTM
    words. *title* and *abstract* are whitespace-normalised. :data:`CUE_FINGERPRINT` changes
    whenever the table does, so a model trained on another table is not used with this one."""
    return cue_hits_in(CueText.of(title), CueText.of(abstract))


def cue_hits_in(title: CueText, abstract: CueText) -> list[tuple[str, float, str]]:
    """:func:`cue_hits` on texts already prepared (the n-gram features share their tokens)."""
    found: list[tuple[str, float, str]] = []
    fired: dict[str, int] = {}
    in_title, in_abstract = _possible_cues(title), _possible_cues(abstract)
    for index in sorted(in_title | in_abstract):
        cue = _CUES[index]
        m = cue.pattern.search(title) if index in in_title else None
        weight, where = cue.weight, "t"
        if m is None and index in in_abstract and cue.abstract_weight:
            m = cue.pattern.search(abstract)
            weight, where = cue.abstract_weight, "a"
        if m is None or not weight:
            continue
        if cue.key:
            fired[cue.key] = index
        place = "title" if where == "t" else "abstract"
        found.append((f"cue:{index}@{where}", weight, f'{cue.label} "{m}" in {place}'))
    excluded = {_CUES[i].excludes for i in _EXCLUDING if _CUES[i].key in fired}
    if excluded:
        drop = {f"cue:{i}@" for i, c in enumerate(_CUES) if c.key in excluded}
        found = [f for f in found if f[0][: f[0].index("@") + 1] not in drop]
    survey = survey_match(title, abstract)
    if survey:
        found.append(("cue:survey", SURVEY_WITH_PTM_WEIGHT, f'survey wording "{survey}" with PTM words'))
    return found


def cue_priors() -> dict[str, float]:
    """The hand-set weight of every cue feature and category: the learned model is pulled toward them."""
    priors = {"cue:survey": SURVEY_WITH_PTM_WEIGHT}
    for index, cue in enumerate(_CUES):
        priors[f"cue:{index}@t"] = cue.weight
        if cue.abstract_weight:
            priors[f"cue:{index}@a"] = cue.abstract_weight
    priors.update({f"cat:{c}": w for c, w in _CATEGORY_PRIOR.items()})
    return priors


def survey_match(title: CueText, abstract: CueText) -> str | None:
    """Survey wording in the title together with PTM words (in the title, or the abstract start)."""
    m = _SURVEY_RE.search(title)
    opening = min(300, len(abstract.text))
    if m is None:
        m2 = _SURVEY_OPENING_RE.search(abstract, opening)
        if m2 is None or not (_PTM_WORDS_RE.search(title) or _PTM_WORDS_RE.search(abstract, opening)):
            return None
        return m2
    if _PTM_WORDS_RE.search(title) or _PTM_WORDS_RE.search(abstract, opening):
        return m
    return None


CUE_FINGERPRINT = hashlib.sha256(
    repr([(c.pattern.regex.pattern, c.weight, c.abstract_weight, c.excludes) for c in _CUES]).encode()
).hexdigest()[:12]
