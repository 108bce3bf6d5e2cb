"""The test suite's fixtures: one plugin, in ``tests/plugins/``.

- :mod:`tests.plugins.database`: ``shipped_db_file``, ``db_path``, ``db``, ``session``.
- :mod:`tests.plugins.discord`: the real bot in simcord (``simcord_bot``, ``simcord_env``, ``world``).
- :mod:`tests.plugins.feeds`: the captured arXiv documents and a watcher config
  (built feeds: :mod:`support.feedgen`).
- :mod:`tests.plugins.http`: a real aiohttp server on 127.0.0.1 (:class:`ScriptedServer`).
- :mod:`tests.plugins.links`: ``links_server``, ``catalog_on_server`` (the link check's local server).
- :mod:`tests.plugins.logs`: ``no_logged_errors`` (autouse): a logged error fails the test.
"""

pytest_plugins = [
    "tests.plugins.database",
    "tests.plugins.discord",
    "tests.plugins.feeds",
    "tests.plugins.http",
    "tests.plugins.links",
    "tests.plugins.logs",
]
