"""Whole-number option types for argparse, bounded so that a number no database column holds is a
usage error (exit 2) rather than an ``OverflowError`` from the driver."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["MAX_ID", "MAX_INT", "snowflake", "whole_number"]

# SQLite's INTEGER and PostgreSQL's BIGINT: the widest whole number a query parameter can carry.
MAX_INT = 2**63 - 1
# An Integer column (a revision's number) is 32 bits on PostgreSQL; a count or an offset beyond it
# means nothing in a catalog this size, and two of them still add up inside MAX_INT (search pages).
MAX_ID = 2**31 - 1


def whole_number(low: int = -MAX_ID - 1, high: int = MAX_ID) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from *low* to *high* (argparse names the option)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}")
        return value

    return parse


def snowflake(text: str) -> int:
    """A Discord id (user, server): a positive 64-bit number."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a Discord id (a whole number)") from None
    if not 1 <= value <= MAX_INT:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a Discord id (from 1 to {MAX_INT})")
    return value
