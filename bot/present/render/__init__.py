"""Pure renderers: catalog data in, a :class:`MessagePayload` (content + embeds) out.

The same functions serve Discord (the cogs send the payload) and the terminal (``ptm-bot ask``
prints :func:`render_text` or :meth:`MessagePayload.to_dict`), so both show the same thing.

Everything that comes from the catalog or from a user is external text: it is escaped with
:func:`safe` (markdown and mentions) before it goes into a message, and every message respects
Discord's limits (:func:`fit_embed`, :func:`truncate`), shortening with an ellipsis.

The package by what it renders:

=================================  ==============================================================
:mod:`bot.present.render.payload`  ``MessagePayload``, ``Attachment``, ``make_payload``
:mod:`bot.present.render.limits`   Discord's limits: ``truncate``, ``truncate_lines``,
                                   ``fit_lines``, ``fit_embed``
:mod:`bot.present.render.markup`   external text made safe: ``safe``, ``link``, ``clean_url``,
                                   ``short_authors``; the colour
:mod:`bot.present.render.entries`  an entry's line and card, "not found", empty, tagged
:mod:`bot.present.render.lists`    a page of entries (``render_entry_list``)
:mod:`bot.present.render.stats`    ``/ptm stats``
:mod:`bot.present.render.cite`     ``/ptm cite``: an entry's BibTeX
:mod:`bot.present.render.text`     a payload as plain text (``ptm-bot ask``)
=================================  ==============================================================

Every public name of the former module ``bot/present/render.py`` is importable from here.
"""

from __future__ import annotations

from bot.present.render.cite import render_citation
from bot.present.render.entries import (
    RELATED_SHOWN,
    render_empty,
    render_model,
    render_model_embed,
    render_not_found,
    render_tagged,
)
from bot.present.render.limits import (
    AUTHOR_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    KEPT_DESCRIPTION,
    SHORT_FOOTER,
    TITLE_LIMIT,
    fit_embed,
    fit_lines,
    truncate,
    truncate_lines,
)
from bot.present.render.lists import page_count, render_entry_list
from bot.present.render.markup import COLOUR, SHOWN_AUTHORS, clean_url, link, safe, short_authors
from bot.present.render.payload import Attachment, MessagePayload, make_payload
from bot.present.render.stats import CHART_FILENAME, render_stats
from bot.present.render.text import _plain as _plain  # the terminal text of markdown (tests read it)
from bot.present.render.text import render_text

__all__ = [
    "AUTHOR_LIMIT",
    "CHART_FILENAME",
    "COLOUR",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "EMBED_TOTAL_LIMIT",
    "FIELD_COUNT_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "KEPT_DESCRIPTION",
    "RELATED_SHOWN",
    "SHORT_FOOTER",
    "SHOWN_AUTHORS",
    "TITLE_LIMIT",
    "Attachment",
    "MessagePayload",
    "clean_url",
    "fit_embed",
    "fit_lines",
    "link",
    "make_payload",
    "page_count",
    "render_citation",
    "render_empty",
    "render_entry_list",
    "render_model",
    "render_model_embed",
    "render_not_found",
    "render_stats",
    "render_tagged",
    "render_text",
    "safe",
    "short_authors",
    "truncate",
    "truncate_lines",
]
