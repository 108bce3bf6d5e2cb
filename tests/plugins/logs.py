"""The one log guard: a test fails when the code under test logs an error."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

__all__ = ["LoggedErrors"]


class LoggedErrors(logging.Handler):
    """Collects ERROR records; a test that expects some calls :meth:`allow`."""

    PREFIXES = ("discord", "bot", "cogs", "db", "ptm")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.allowed = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self) -> list[logging.LogRecord]:
        """This test expects logged errors: do not fail it for them (returns the records so far)."""
        self.allowed = True
        return self.records

    def ours(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.name.startswith(self.PREFIXES)]


@pytest.fixture(autouse=True)
def no_logged_errors(caplog: pytest.LogCaptureFixture) -> Iterator[LoggedErrors]:
    """Fail the test if the project logged an error (a handler's exception, a failed reply, a
    poll that broke, ...). A test that expects one calls ``no_logged_errors.allow()``.

    Autouse and requested first, so it is torn down after ``simcord_env``: shutdown logs count
    too. INFO records are captured (``caplog``) for tests that assert on them.
    """
    caplog.set_level(logging.INFO)
    handler = LoggedErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    bad = handler.ours()
    if bad and not handler.allowed:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"bot logged {len(bad)} error(s):\n{lines}", pytrace=False)
