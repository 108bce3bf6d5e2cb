"""How an import merges: the options of ``ptm-bot import`` (and of a revert)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ImportOptions"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    overwrite: bool = False
    allow_structure: bool = False
    # Make the catalog exactly the document (revert): every field, order, section and title taken,
    # entries the document does not list deleted.
    exact: bool = False
