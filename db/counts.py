"""Counts that may stop at a cap (no SQLAlchemy here: the renderers import it)."""

from __future__ import annotations

__all__ = ["AtLeast"]


class AtLeast(int):
    """A hit count that stopped at a cap: there are at least this many (formats as ``2000+``)."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(int(self), spec) + "+"

    def __str__(self) -> str:
        return f"{int(self)}+"

    def __repr__(self) -> str:
        return f"AtLeast({int(self)})"
