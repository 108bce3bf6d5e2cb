"""``/ptm cite``: an entry's BibTeX in a code block (the same text ``ptm-bot export --format bibtex``
gives for its paper, key included; :func:`bot.catalog.exports.bibtex.bibtex_entry`)."""

from __future__ import annotations

from bot.catalog.exports.bibtex import bibtex_entry
from bot.catalog.model import Entry
from bot.present.render.limits import CONTENT_LIMIT, truncate
from bot.present.render.markup import safe
from bot.present.render.payload import MessagePayload, make_payload

__all__ = ["render_citation"]

_FENCE = "```"


def render_citation(entry: Entry) -> MessagePayload:
    """The entry's BibTeX, or a private line when it has no paper to cite (a resource, a note)."""
    if not entry.arxiv_id and not entry.paper_title:
        return make_payload(f"**{safe(entry.name)}** has no paper to cite.", ephemeral=True)
    head = f"BibTeX for **{safe(entry.name)}**:\n{_FENCE}bibtex\n"
    # A code block shows text as written (no markdown, no mention): only a fence inside could end it.
    bib = bibtex_entry(entry).replace(_FENCE, "`\u200b``")
    room = CONTENT_LIMIT - len(head) - len(_FENCE) - 1
    return make_payload(f"{head}{truncate(bib, room).rstrip()}\n{_FENCE}")
