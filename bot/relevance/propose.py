"""What to propose for a suggested paper: its catalog name, kind and topics."""

from __future__ import annotations

import logging
import re

from bot.catalog.topics import topics_for
from bot.relevance.cues import CueText, survey_match

__all__ = ["propose_kind", "propose_name", "propose_topics"]

log = logging.getLogger(__name__)

_COLON_NAME_RE = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")
_SPLIT_NAME_RE = re.compile(r"\s+(?:--|—|–)\s+")
_SMALL_WORDS = frozenset("a an the of for and to in on with via by from at is are towards toward".split())
_NAME_WORD_RE = re.compile(r"[A-Za-z][\w.+-]*")


def propose_name(title: str) -> str:
    """A short catalog name: the text before a colon ("XLS-R" from "XLS-R: Self-supervised ..."),
    else the title's leading words without filler."""
    title = " ".join(title.split()).strip()
    m = _COLON_NAME_RE.match(title)
    if m and len(m.group(1).split()) <= 4:
        return m.group(1).strip(" $*\"'")
    head = _SPLIT_NAME_RE.split(title, maxsplit=1)[0]
    if head != title and len(head.split()) <= 4:
        return head.strip()
    words = [w.strip(".,;:!?()[]\"'") for w in title.split()]
    words = [w for w in words if w]
    # Drop leading filler ("A", "The", "Towards") and keep at most six words.
    while words and words[0].lower() in _SMALL_WORDS:
        words.pop(0)
    short = words[:6]
    while short and short[-1].lower() in _SMALL_WORDS:
        short.pop()
    return " ".join(short) or title[:60]


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


def propose_topics(title: str, abstract: str, name: str) -> tuple[str, ...]:
    try:
        return tuple(topics_for(name=name, title=title, abstract=abstract))
    except Exception:  # a topic bug must not break scoring
        log.exception("topics_for failed for %r", title)
        return ()
