"""The catalog's export formats: one registry, each format a pure renderer from the catalog's
domain data (:class:`CatalogExport`: title, sections, entries with their ids and times) to text.

========  ====================================================================================
``md``    the list's own markdown (the default; :mod:`.markdown`)
``json``  the catalog as data, sections in order, fixed key order (:mod:`.jsondata`)
``atom``  the newest additions as an Atom feed with stable ids (:mod:`.atom`)
``bibtex`` one ``@misc`` per arXiv paper, stable unique keys (:mod:`.bibtex`)
``html``  one self-contained page with search and topic filters (:mod:`.html`)
========  ====================================================================================

The data is read in one unit of work by :func:`bot.catalog.service.export_data` and the door is
:func:`bot.catalog.actions.export`; nothing here opens a session or a file. docs/export.md
describes each format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.catalog.exports.atom import render_atom
from bot.catalog.exports.bibtex import render_bibtex
from bot.catalog.exports.data import CatalogExport, StampedEntry
from bot.catalog.exports.html import render_html
from bot.catalog.exports.jsondata import render_json
from bot.catalog.exports.markdown import render_markdown

__all__ = ["DEFAULT_FORMAT", "FORMATS", "CatalogExport", "ExportFormat", "StampedEntry", "render_export"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    description: str
    suffix: str  # the usual file name ending, for attachments
    media_type: str
    render: Callable[[CatalogExport], str]


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "the list's markdown", ".md", "text/markdown", render_markdown),
        ExportFormat("json", "JSON data", ".json", "application/json", render_json),
        ExportFormat(
            "atom", "an Atom feed of the newest entries", ".atom", "application/atom+xml", render_atom
        ),
        ExportFormat("bibtex", "BibTeX of every arXiv paper", ".bib", "application/x-bibtex", render_bibtex),
        ExportFormat("html", "one self-contained page with search", ".html", "text/html", render_html),
    )
}
DEFAULT_FORMAT = "md"


def render_export(fmt: str, export: CatalogExport) -> str:
    """*export* in the format named *fmt* (a key of :data:`FORMATS`; ``KeyError`` otherwise)."""
    return FORMATS[fmt].render(export)
