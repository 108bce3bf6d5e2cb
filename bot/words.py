"""One way to say a count: ``counted(1, "paper")`` is "1 paper", ``counted(3, "entry", "entries")``
"3 entries". Every reply, report line and log message that counts something says it this way."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str, many: str | None = None) -> str:
    """*n* and *noun*, in the plural (*many*, else *noun* + "s") unless *n* is 1."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"
