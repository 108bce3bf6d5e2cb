"""What to propose for a suggested paper: its catalog name, kind and topics."""

from __future__ import annotations

import logging
import re

from bot.catalog.topics import TOPICS, cue_counts, explain
from bot.relevance.cues import CueText, survey_match

__all__ = [
    "MAX_TOPICS",
    "is_generic_name",
    "propose_kind",
    "propose_name",
    "propose_topics",
    "topics_by_evidence",
]

log = logging.getLogger(__name__)

_COLON_NAME_RE = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")
_SPLIT_NAME_RE = re.compile(r"\s+(?:--|—|–)\s+")
_SMALL_WORDS = frozenset("a an the of for and to in on with via by from at is are towards toward".split())
_NAME_WORD_RE = re.compile(r"[A-Za-z][\w.+-]*")


def propose_name(title: str) -> str:
    """A short catalog name: the text before a colon ("XLS-R" from "XLS-R: Self-supervised ..."),
    else the title's leading words without filler; never a generic title prefix ("Focus Session:",
    "Position:", "Towards X:": see :func:`is_generic_name`), and without a "Technical Report" tail."""
    title = " ".join(title.split()).strip()
    return _name_in(title) or _name_in(title, allow_generic=True) or title[:60]


def _name_in(title: str, *, allow_generic: bool = False) -> str:
    m = _COLON_NAME_RE.match(title)
    if m and len(m.group(1).split()) <= 4:
        head = _REPORT_TAIL_RE.sub("", m.group(1)).strip(" $*\"'")
        if head and (allow_generic or not is_generic_name(head)):
            return head
        # A generic prefix. "Towards MLOps:" names MLOps; "Survey: X: ..." names X; "Toward Safe
        # LLM Agents: ..." is about safe LLM agents; "Focus Session: ..." says nothing: the rest does.
        rest = _drop_generic_words(head.split())
        if len(rest) == 1 and _is_coined(rest[0]):
            return rest[0]
        remainder = title[m.end(1) :].lstrip(" :")
        inner = _COLON_NAME_RE.match(remainder)
        if inner and len(inner.group(1).split()) <= 4:
            named = _REPORT_TAIL_RE.sub("", inner.group(1)).strip(" $*\"'")
            if named and not is_generic_name(named):
                return named
        if len(rest) >= 2:  # "Beyond Accuracy:" leaves one plain word: that is no name
            return " ".join(w.strip(".,;:!?()[]\"'") for w in rest)
        return _name_in(remainder, allow_generic=allow_generic)
    head = _SPLIT_NAME_RE.split(title, maxsplit=1)[0]
    if head != title and len(head.split()) <= 4 and (allow_generic or not is_generic_name(head)):
        return head.strip()
    bare = _REPORT_TAIL_RE.sub("", title)
    if bare != title and 0 < len(bare.split()) <= 4:  # "Qwen2.5 Technical Report"
        return bare.strip(" $*\"'")
    # The leading words of the title before any colon, without filler, at most six.
    words = [w.strip(".,;:!?()[]\"'") for w in re.split(r":\s", title, maxsplit=1)[0].split()]
    words = [w for w in words if w]
    while words and words[0].lower() in _SMALL_WORDS:
        words.pop(0)
    if not allow_generic:
        words = _drop_generic_words(words)
    short = words[:6]
    while short and short[-1].lower() in _SMALL_WORDS:
        short.pop()
    return " ".join(short)


# Words that open a title without naming anything ("Towards ...", "Rethinking ...", "Position: ...",
# "Focus Session: ..."), and words a generic prefix is made of. A name made only of these, or
# opening with one of the openers, is not proposed.
_GENERIC_OPENERS = frozenset(
    "towards toward rethinking revisiting beyond on position survey surveys review overview tutorial "
    "primer focus perspective perspectives".split()
)
_GENERIC_WORDS = _GENERIC_OPENERS | frozenset(
    "a an the of and in for paper session report technical tech system model card note short study "
    "case keynote invited talk extended abstract preprint white whitepaper".split()
)
_REPORT_TAIL_RE = re.compile(
    r"\s*\b(?:technical report|tech(?:nical)? report|system card|model card)\s*$", re.I
)
# Acronyms that name a field, not an artefact.
_GENERIC_ACRONYMS = frozenset(
    "ai llm llms vlm vlms mllm mllms lvlm lvlms nlp ml dl rl asr tts qa gnn gnns cnn cnns rnn ptm ptms".split()
)


def is_generic_name(name: str) -> bool:
    """True for a generic title prefix that names nothing: "Focus Session", "Survey", "Towards X",
    "A Survey", "Position Paper", "Technical Report", "Rethinking X", "Beyond X", "On the X"."""
    words = [w.strip(".,;:!?()[]\"'").lower() for w in name.split()]
    words = [w for w in words if w]
    return not words or words[0] in _GENERIC_OPENERS or all(w in _GENERIC_WORDS for w in words)


def _drop_generic_words(words: list[str]) -> list[str]:
    """*words* without the generic opening ("A Survey of", "Towards", "On the"); none if all are."""
    if all(w.strip(".,;:!?()[]\"'").lower() in _GENERIC_WORDS for w in words):
        return []
    words = list(words)
    while words and (words[0].lower() in _GENERIC_OPENERS or words[0].lower() in _SMALL_WORDS):
        words.pop(0)
    return words


def _is_coined(word: str) -> bool:
    """A word shaped like a coined name: inner capitals or digits with letters (DeBERTa, MLOps,
    XLS-R, Qwen2.5, T5), not a field's acronym (LLM, NLP)."""
    bare = word.strip(".,;:!?()[]\"'")
    if bare.lower() in _GENERIC_ACRONYMS or not re.search(r"[A-Za-z]", bare):
        return False
    return bool(re.search(r"[A-Z]", bare[1:]) or (re.search(r"\d", bare) and re.search(r"[A-Za-z]", bare)))


def propose_kind(title: str, abstract: str = "", *, survey_wording: bool | None = None) -> str:
    """``'survey'`` for surveys/reviews/primers of PTMs, else ``'model'``.

    *survey_wording*: whether the ``cue:survey`` feature fired for these texts, when the caller
    has their cues already (scoring does).
    """
    if survey_wording is None:
        normalised = CueText.of(" ".join(title.split())), CueText.of(" ".join(abstract.split()))
        survey_wording = bool(survey_match(*normalised))
    if survey_wording or _is_survey_title(title):
        return "survey"
    return "model"


_SURVEY_TITLE_RE = re.compile(
    r"\b(?:a survey|survey of|survey on|: a survey|a review|a primer)\b", re.IGNORECASE
)


def _is_survey_title(title: str) -> bool:
    return bool(_SURVEY_TITLE_RE.search(title))


#: At most this many proposed topics: the strongest evidence first.
MAX_TOPICS = 3


def propose_topics(title: str, abstract: str, name: str) -> tuple[str, ...]:
    try:
        return topics_by_evidence(title, abstract, name)
    except Exception:  # a topic bug must not break scoring
        log.exception("topics_for failed for %r", title)
        return ()


# Where a topic's cue was found, strongest first (bot.catalog.topics.explain names the field).
_WHERE_STRENGTH = {"name": 0, "title": 1, "link": 2, "section": 3, "description": 4}


def topics_by_evidence(title: str, abstract: str, name: str, *, limit: int = MAX_TOPICS) -> tuple[str, ...]:
    """The topics of a paper, strongest evidence first, at most *limit*: a cue in the proposed name
    or the title beats one in the abstract only; then the more cue words in title and abstract;
    then the taxonomy's order. ("multimodal" derived from speech + vision counts as its weaker part.)"""
    found = explain(name=name, title=title, abstract=abstract)
    if not found:
        return ()
    counts = cue_counts(list(found), f"{title}\n{abstract}")
    order = {slug: i for i, slug in enumerate(TOPICS)}

    def where(slug: str) -> int:
        hit = found[slug]
        field = hit.split(":", 1)[0] if ":" in hit else ""
        if field in _WHERE_STRENGTH:
            return _WHERE_STRENGTH[field]
        return max(where(s) for s in ("speech", "vision") if s in found) if slug == "multimodal" else 4

    ranked = sorted(found, key=lambda slug: (where(slug), -counts.get(slug, 0), order.get(slug, len(order))))
    return tuple(ranked[:limit])
