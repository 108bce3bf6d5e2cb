"""``md``: the list's own markdown (the default export; an untouched catalog gives the shipped list
back byte for byte)."""

from __future__ import annotations

from bot.catalog.exports.data import CatalogExport
from bot.catalog.listformat.render import render_list

__all__ = ["render_markdown"]


def render_markdown(export: CatalogExport) -> str:
    return render_list(export.title, export.sections, [s.entry for s in export.entries])
