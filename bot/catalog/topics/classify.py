"""The classifier: which topics an entry gets, and from which cue (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.catalog.topics.cues import CueFilter, filters, fold_text, patterns
from bot.catalog.topics.taxonomy import RULES, TOPICS

__all__ = ["cue_counts", "explain", "topics_for"]


def _slugs(urls: Sequence[str]) -> list[str]:
    """Readable words from links: the Hugging Face docs slug, a GitHub repository's name."""
    out = []
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        path = [p for p in parts.path.split("/") if p]
        if "model_doc" in path and path.index("model_doc") + 1 < len(path):
            out.append(path[path.index("model_doc") + 1])
        elif parts.netloc.endswith("github.com") and len(path) >= 2:
            out.append(path[1])
    return [s.replace("_", " ").replace("-", " ") for s in out]


def explain(
    *, name: str = "", title: str = "", section: str = "", urls: Sequence[str] = (), abstract: str = ""
) -> dict[str, str]:
    """Each topic the entry gets, with the cue that gave it (``{'speech': 'title: "speech"'}``)."""
    name_f, title_f, section_f, abstract_f = (fold_text(v) for v in (name, title, section, abstract))
    slug_f = [fold_text(s) for s in _slugs(urls)]
    # Per field, the topics whose patterns can match it and where a match can begin (see
    # CueFilter): other topics are not searched at all, the others only at those positions.
    text_filter, names_filter = filters()
    text_patterns, name_patterns = patterns()
    text_starts = [text_filter.starts_in(v) if v else {} for v in (name_f, title_f, section_f, abstract_f)]
    names_starts = [names_filter.starts_in(v) if v else {} for v in (name_f, *slug_f)]
    all_fields = [("name", name_f), ("title", title_f), ("section", section_f), ("description", abstract_f)]
    name_fields = [("name", name_f), *(("link", s) for s in slug_f)]
    found: dict[str, str] = {}
    for slug, rule in RULES.items():
        fields = all_fields[:2] if rule.name_and_title_only else all_fields
        text_re, names_re = text_patterns[slug], name_patterns[slug]
        hit = None
        if text_re:
            for (where, value), starts in zip(fields, text_starts, strict=False):
                if slug in starts and (mt := CueFilter.first_match(text_re, value, starts[slug])):
                    hit = f'{where}: "{mt.group(0)}"'
                    break
        if hit is None and names_re:
            for (where, value), starts in zip(name_fields, names_starts, strict=True):
                if slug in starts and (mt := CueFilter.first_match(names_re, value, starts[slug])):
                    hit = f'{where}: "{mt.group(0)}"'
                    break
        if hit:
            found[slug] = hit
    if "speech" in found and "vision" in found and "multimodal" not in found:
        found["multimodal"] = "speech and vision"
    return found


def cue_counts(slugs: Sequence[str], text: str) -> dict[str, int]:
    """How many times each topic's text cues occur in *text* (the weight of the evidence for it)."""
    folded = fold_text(text)
    text_patterns = patterns()[0]
    counts: dict[str, int] = {}
    for slug in slugs:
        pattern = text_patterns.get(slug)
        counts[slug] = sum(1 for _ in pattern.finditer(folded)) if pattern is not None else 0
    return counts


def topics_for(
    *, name: str = "", title: str = "", section: str = "", urls: Sequence[str] = (), abstract: str = ""
) -> tuple[str, ...]:
    """The topics of an entry, in taxonomy order."""
    found = explain(name=name, title=title, section=section, urls=urls, abstract=abstract)
    return tuple(slug for slug in TOPICS if slug in found)
