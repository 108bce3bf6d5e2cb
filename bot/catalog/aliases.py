"""The names users type for an entry besides its own (stored as its aliases)."""

from __future__ import annotations

import re

from bot.catalog.model import Entry, EntryKind
from db.normalize import norm_key

__all__ = ["derive_aliases"]


def derive_aliases(entry: Entry) -> list[str]:
    """Names users type for an entry besides its own: "ViT" for "Vision Transformer (ViT)",
    "wav2vec 2.0" for Wav2Vec2 (the paper title's short name), "HuBERT" for Hubert."""
    out: list[str] = []
    paren = re.match(r"^(?P<long>.+?)\s*\((?P<short>[^()]+)\)$", entry.name)
    if paren:
        out += [paren.group("short"), paren.group("long")]
    if entry.kind is not EntryKind.RESOURCE and entry.paper_title and ":" in entry.paper_title:
        short = entry.paper_title.split(":", 1)[0].strip()
        if 0 < len(short) <= 40 and len(short.split()) <= 4:
            out.append(short)
    if entry.kind is EntryKind.RESOURCE and entry.description:
        first = entry.description.splitlines()[0].strip("《》 ")
        if first and first != entry.name:
            out.append(first[:120])
    seen = {norm_key(entry.name)}
    result = []
    for alias in out:
        key = norm_key(alias)
        if key and key not in seen:
            seen.add(key)
            result.append(alias)
    return result
