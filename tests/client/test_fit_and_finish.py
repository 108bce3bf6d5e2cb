"""Discord as a member meets it (issue 21), through the real command tree in simcord: autocomplete
for /ptm org, /ptm author and /ptm unfollow, one canonical arXiv link per paper, and link buttons
on /ptm model. The export keeps the list's own URLs."""

from __future__ import annotations

import discord

from bot.catalog.actions import export
from tests.plugins.discord import World


async def test_org_autocomplete_offers_the_catalogs_organisations(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "ptm org", "org", "goo")
    values = [c["value"] for c in choices]
    assert 0 < len(values) <= 25 and "Google" in values
    assert all("goo" in v.casefold() for v in values)
    assert values[0].casefold().startswith("goo")  # starting with it first
    everything = await world.alice.autocomplete(world.channel, "ptm org", "org", "")
    assert 0 < len(everything) <= 25


async def test_author_autocomplete_offers_the_catalogs_authors(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "ptm author", "name", "kaiming")
    assert [c["value"] for c in choices][:1] == ["Kaiming He"]
    by_surname = await world.alice.autocomplete(world.channel, "ptm author", "name", "devlin")
    assert "Jacob Devlin" in [c["value"] for c in by_surname]
    assert 0 < len(await world.alice.autocomplete(world.channel, "ptm author", "name", "")) <= 25


async def test_unfollow_autocomplete_offers_the_members_own_follows(world: World) -> None:
    await world.alice.slash(world.channel, "ptm follow", kind="author", value="Kaiming He")
    await world.alice.slash(world.channel, "ptm follow", kind="topic", value="speech")
    await world.bob.slash(world.channel, "ptm follow", kind="author", value="Jacob Devlin")
    mine = await world.alice.autocomplete(world.channel, "ptm unfollow", "value", "", kind="author")
    assert [c["value"] for c in mine] == ["Kaiming He"]
    both = await world.alice.autocomplete(world.channel, "ptm unfollow", "value", "")
    assert sorted(c["value"] for c in both) == ["Kaiming He", "speech"]
    assert await world.alice.autocomplete(world.channel, "ptm unfollow", "value", "devlin") == []


async def test_model_links_the_paper_once_to_its_arxiv_page_with_buttons(world: World, simcord_env) -> None:
    r = await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    (embed,) = r.response.embeds
    abs_url = "https://arxiv.org/abs/2006.03654"
    text = str(embed.to_dict())
    assert f"]({abs_url})" in (embed.description or "")
    assert ".pdf" not in text and text.count("arxiv.org") == 1  # one link per paper
    buttons = [c for row in r.response.components for c in row["components"]]
    (vote,) = [b for b in buttons if b["style"] != discord.ButtonStyle.link.value]  # issue 22's Vote
    assert vote["label"] == "Vote" and vote["custom_id"].startswith("ptm:vote:")
    links = [b for b in buttons if b["style"] == discord.ButtonStyle.link.value]
    assert [(b["style"], b["label"], b["url"]) for b in links] == [
        (discord.ButtonStyle.link.value, "Paper", abs_url),
        (
            discord.ButtonStyle.link.value,
            "Docs",
            "https://huggingface.co/docs/transformers/model_doc/deberta",
        ),
    ]
    # The export keeps the list's own URL for the same paper.
    assert "(https://arxiv.org/abs/2006.03654.pdf)" in await export(simcord_env.bot.db)
