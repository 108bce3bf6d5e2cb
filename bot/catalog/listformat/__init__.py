"""The community list's markdown: parse it into structured entries and render entries back.

The list (``bot/data/ptm-list.md``) has three parts:

* a ``## Survey`` section (and ``###`` subsections) of lines
  ``YYMM: [Title](paper-url) by Authors``;
* a ``## PTM`` section of lines
  ``YYMM: [Name](docs-url) (from Org) released with the paper [Title](paper-url) by Authors.``
  with variants (no date, a bare year, "released together with the paper", "released in the
  repository", a free sentence, trailing notes);
* a free-form tail of resources: blank-line-separated blocks of description lines and URLs.

Parsing keeps the *phrasing* of each line as small structured fields (which connector, which
author separators, whether the line ends with a period ...) so that :func:`render_entry`
reproduces the line from fields alone; the raw source line is never used for output.
Lines that cannot be fully read are still returned, with a :class:`ParseProblem` naming them.

The modules, one job each: :mod:`.document` (the parsed types), :mod:`.authors` (author strings),
:mod:`.lines` (the grammar of one survey or model line), :mod:`.resources` (the free-form tail),
:mod:`.parse` (a whole document), :mod:`.render` (entries and the whole list back to markdown).
"""

from __future__ import annotations

from bot.catalog.listformat.authors import join_authors, settle_author_style, split_authors
from bot.catalog.listformat.document import CONNECTORS, ListDocument, ParseProblem, Section
from bot.catalog.listformat.lines import full_paper_title
from bot.catalog.listformat.parse import parse_list
from bot.catalog.listformat.render import render_entry, render_list

__all__ = [
    "CONNECTORS",
    "ListDocument",
    "ParseProblem",
    "Section",
    "full_paper_title",
    "join_authors",
    "parse_list",
    "render_entry",
    "render_list",
    "settle_author_style",
    "split_authors",
]
