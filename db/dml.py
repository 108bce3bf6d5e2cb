"""What an ``UPDATE`` or ``DELETE`` did, read off its result."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result

__all__ = ["rowcount"]


def rowcount(result: Result[Any]) -> int:
    """The rows an ``UPDATE`` or ``DELETE`` matched (a conditional update's "did I win").

    ``Session.execute`` returns a :class:`~sqlalchemy.engine.CursorResult` for a DML statement,
    but SQLAlchemy's stubs type every ``execute`` as a plain ``Result`` (there is no DML overload),
    so the one cast lives here.
    """
    return cast("CursorResult[Any]", result).rowcount
