"""The renderers (and the fetcher) name statuses from :mod:`db.enums`: importing them loads no
SQLAlchemy, so they stay pure and quick to import (issue 19 part 4)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib, pkgutil, sys
import bot.present
names = ["bot.present." + m.name for m in pkgutil.iter_modules(bot.present.__path__)]
for name in names + ["bot.watch.fetch", "bot.watch.report", "db.enums"]:
    importlib.import_module(name)
print(len(names), sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy" or m == "db.models"))
"""


def test_importing_the_renderers_imports_no_sqlalchemy() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    count, loaded = out.stdout.split(" ", 1)
    assert int(count) >= 7  # every module of bot.present was imported
    assert loaded.strip() == "[]"


def test_the_models_re_export_the_same_enums() -> None:
    from db import enums
    from db import models as m

    assert m.SuggestionStatus is enums.SuggestionStatus
    assert m.FeedHealth is enums.FeedHealth
    assert m.ModelStatus is enums.ModelStatus
