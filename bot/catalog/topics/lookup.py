"""Topics by what people type and by what they read: a slug from a user's words, a slug's label."""

from __future__ import annotations

from bot.catalog.topics.taxonomy import RULES, TOPICS
from db.normalize import norm_key

__all__ = ["parse_topic", "topic_hint", "topic_label"]


_LOOKUP: dict[str, str] = {}
for _slug, _info in TOPICS.items():
    for _word in (_slug, _info.label, *RULES[_slug].synonyms):
        _LOOKUP.setdefault(norm_key(_word), _slug)
    _LOOKUP.setdefault(norm_key(_info.label.split("(")[0]), _slug)


def parse_topic(text: str) -> str | None:
    """A topic slug from what a user typed: 'Speech', 'audio', 'long context', 'efficient'."""
    key = norm_key(text or "")
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    # Plurals and simple endings: 'surveys', 'tables', 'efficiently'.
    for cut in ("s", "es", "ly", "al"):
        if key.endswith(cut) and key[: -len(cut)] in _LOOKUP:
            return _LOOKUP[key[: -len(cut)]]
    starts = [slug for k, slug in _LOOKUP.items() if len(key) >= 4 and k.startswith(key)]
    if len(set(starts)) == 1:
        return starts[0]
    return None


def topic_hint(text: str) -> str:
    """``" (did you mean speech?)"`` for a mistyped topic ('speach'), else ``""`` (:mod:`bot.suggest`)."""
    from bot.suggest import closest

    found = closest(text or "", _LOOKUP)
    return f" (did you mean {_LOOKUP[found[0]]}?)" if found else ""


def topic_label(slug: str) -> str:
    """The topic's label ("Speech (audio)"), or the slug itself for one not in the taxonomy."""
    info = TOPICS.get(slug)
    return info.label if info is not None else slug
