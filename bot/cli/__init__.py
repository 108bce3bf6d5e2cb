"""``ptm-bot``, the command line: :mod:`bot.cli.main` reads the arguments and runs a subcommand.

:func:`console` is the console script's entry point (``pyproject.toml``). It only imports
:mod:`bot.cli.main` when called, so that Ctrl-C during the start-up imports (the slowest part of a
short command) is answered like any other Ctrl-C: exit status 130 and one line.
"""

from __future__ import annotations

import sys

__all__ = ["console"]


def console() -> int:
    """``ptm-bot``: :func:`bot.cli.main.main`, interruptible from the first import on."""
    try:
        from bot.cli.main import main

        return main()
    except KeyboardInterrupt:  # before main() could say it (imports, argument parsing)
        print("ptm-bot: interrupted", file=sys.stderr)
        return 130
