"""The link check's fixtures: a local server answering every kind of link (``links_server``) and
the test's catalog with every link pointed at it (``catalog_on_server``). Helpers in
:mod:`tests.links.helpers`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.links.helpers import point_links_at, same_host_ok, script, special_entries
from tests.plugins.http import ScriptedServer

__all__ = ["SPECIAL_PATHS"]

SPECIAL_PATHS = ("missing", "moved", "slow", "reset", "busy")


@pytest.fixture
async def links_server() -> AsyncIterator[ScriptedServer]:
    async with ScriptedServer() as server:
        script(server, slow=1.0)
        yield server


@pytest.fixture
def catalog_on_server(db_path: Path, links_server: ScriptedServer) -> dict[str, tuple[int, str, str]]:
    """Every catalog link on the local server (per original host name: ``/ok``); five entries'
    docs URLs on the paths that fail, move, time out, reset and ask to wait (``SPECIAL_PATHS``).
    path -> (entry id, name, URL)."""
    special = {}
    for path, (entry_id, name) in zip(
        SPECIAL_PATHS, special_entries(db_path, len(SPECIAL_PATHS)), strict=True
    ):
        special[path] = (entry_id, name, f"http://special.test:{links_server.port}/{path}")
    point_links_at(db_path, same_host_ok(links_server.port), {i: url for i, _, url in special.values()})
    return special
