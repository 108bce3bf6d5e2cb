"""``/ptm-admin export [format]`` through the real command tree, offline (simcord)."""

from __future__ import annotations

import json

from bot.commands import admin
from bot.errors import UserFacingError
from tests.plugins.discord import World


async def test_export_attaches_each_format(world: World) -> None:
    r = await world.admin.slash(world.channel, "ptm-admin export")
    (attachment,) = r.response.attachments
    assert r.ephemeral and attachment.filename == "ptm-list.md"
    r = await world.admin.slash(world.channel, "ptm-admin export", format="bibtex")
    (attachment,) = r.response.attachments
    assert attachment.filename == "ptm-list.bib"
    assert "@misc{devlin2018bert," in (await attachment.read()).decode("utf-8")
    r = await world.admin.slash(world.channel, "ptm-admin export", format="json")
    (attachment,) = r.response.attachments
    assert json.loads(await attachment.read())["format"] == "ptm-bot catalog"


async def test_an_unknown_format_is_refused_with_a_suggestion(db) -> None:
    try:
        await admin.export(db, "htm")
    except UserFacingError as exc:
        assert "Unknown format 'htm' (did you mean 'html'?)" in str(exc)
    else:
        raise AssertionError("an unknown format was accepted")
