"""What a moderator's edit may store: a value the list's markdown can carry and read back as written.

The catalog's export is the list itself, and the list is read back by ``ptm-bot import``; an edit
that the line format cannot hold (a name with ``](``, a URL with a space, a bare year the list would
read as a month) would store a value that the next export writes as a different or broken line.
:func:`clean_value` takes out what is never stored (terminal escape sequences, bidi overrides);
:func:`check_url` and :func:`parse_edit_date` refuse what is not a link or a plausible date;
:func:`check_line_reads_back` renders the edited entry's line, reads it with the list's own parser,
and refuses the edit when a field would read back otherwise (or the line no longer fully reads).
Everything here is pure: no database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.catalog.listformat import parse_list, render_entry
from bot.catalog.model import Entry, EntryKind, format_date
from bot.errors import UserFacingError
from bot.textsafe import strip_controls
from bot.urls import http_url_problem

__all__ = [
    "EARLIEST_YEAR",
    "check_line_reads_back",
    "check_url",
    "clean_value",
    "latest_year",
    "parse_edit_date",
]

# The oldest year an entry may carry (the field's first papers are from the 1950s); the latest is
# next year (a paper announced for January, written in December).
EARLIEST_YEAR = 1950
# The list writes a month as YYMM ("2106:"), which it reads as 20YY: a date with a month is from 2000.
_EARLIEST_MONTH_YEAR = 2000

# The fields of a line that an edit may change, with the edited field each belongs to.
_READ_BACK = {
    "name": "name",
    "org": "org",
    "docs_url": "docs_url",
    "paper_title": "paper_title",
    "paper_url": "paper_url",
    "year": "date",
    "month": "date",
    "authors": "authors",
    "description": "description",
}


def latest_year() -> int:
    return datetime.now(UTC).year + 1


def clean_value(value: str) -> str:
    """*value* as stored: without terminal escape sequences, control characters or bidi overrides
    (as ``import`` stores a line), and without surrounding whitespace."""
    return strip_controls(value).strip()


def check_url(field: str, value: str) -> None:
    """:class:`UserFacingError` unless *value* is an http(s) URL with a host (:mod:`bot.urls`) and no
    whitespace."""
    if http_url_problem(value) is not None or any(c.isspace() for c in value):
        raise UserFacingError(
            f"{field} must be an http(s) URL with a host, like https://example.org/page "
            f"(got {value[:80]!r}); nothing changed."
        )


def parse_edit_date(value: str) -> tuple[int, int | None]:
    """``YYYY-MM`` or ``YYYY`` as (year, month), within the years the list can hold."""
    dm = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value)
    if dm is None or (dm.group(2) and not 1 <= int(dm.group(2)) <= 12):
        raise UserFacingError("date must be YYYY-MM or YYYY, e.g. 2021-06.")
    year, month = int(dm.group(1)), int(dm.group(2)) if dm.group(2) else None
    latest = latest_year()
    if not EARLIEST_YEAR <= year <= latest:
        raise UserFacingError(
            f"date must be between {EARLIEST_YEAR} and {latest} (got {value}); nothing changed."
        )
    if month is not None and year < _EARLIEST_MONTH_YEAR:
        raise UserFacingError(
            f"the list writes a month as YYMM, read as 20YY: a date with a month is from "
            f"{_EARLIEST_MONTH_YEAR} on (got {value}); give the year alone, e.g. {year}; nothing changed."
        )
    if month is None and 1 <= year % 100 <= 12:  # "2010:" is YYMM to the list's reader: 2020-10
        read = format_date(2000 + year // 100, year % 100)
        raise UserFacingError(
            f"the list would read the bare year {year} as {read} (it writes a month as YYMM): "
            f"give the month, e.g. {year}-06; nothing changed."
        )
    return year, month


def _read_back(entry: Entry) -> tuple[Entry | None, set[str]]:
    """The entry as the list's parser reads its rendered line, and that line's (non-benign) problems."""
    heading = "## Survey" if entry.kind == EntryKind.SURVEY else "## PTM"
    text = "\n".join(["# List", "", heading, "", *render_entry(entry), ""])
    doc = parse_list(text)
    problems = {p.problem for p in doc.problems if not p.benign}
    return (doc.entries[0] if len(doc.entries) == 1 else None), problems


def _differs(read: Entry | None, entry: Entry, attr: str) -> bool:
    if read is None:
        return True
    got, want = getattr(read, attr), getattr(entry, attr)
    if attr == "month" and want is None:  # a bare year: the parser may take the month from arXiv
        return False
    return bool(got != want)


def check_line_reads_back(before: Entry, after: Entry, field: str, value: str) -> None:
    """:class:`UserFacingError` when the list's line of *after* (the entry as edited) would not read
    back as written: a field that read back before the edit reads otherwise, or the line holds a
    problem it did not have. Resources (free blocks of text and links) are not lines: not checked."""
    if after.kind == EntryKind.RESOURCE or after.phrasing.get("form") == "text":
        return
    read_before, problems_before = _read_back(before)
    read_after, problems_after = _read_back(after)
    broken = [
        attr
        for attr in _READ_BACK
        if not _differs(read_before, before, attr) and _differs(read_after, after, attr)
    ]
    new_problems = sorted(problems_after - problems_before)
    if not broken and not new_problems:
        return
    if field == "name" and after.kind == EntryKind.SURVEY and broken == ["name"]:
        raise UserFacingError(
            "a survey's name in the list is its paper title: edit paper_title instead; nothing changed."
        )
    if broken:
        attr = broken[0]
        got = None if read_after is None else getattr(read_after, attr)
        if attr in ("year", "month") and read_after is not None:
            got = format_date(read_after.year, read_after.month)
        what = f"{_READ_BACK[attr]} would read back as {got!r}"
    else:
        what = new_problems[0]
    raise UserFacingError(
        f"The list's line cannot hold {field} {value[:80]!r} (markdown link syntax, brackets or "
        f"parentheses change how the line reads: {what}); nothing changed."
    )
