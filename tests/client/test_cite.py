"""``/ptm cite`` through the real command tree, offline (simcord), on a copy of the shipped list."""

from __future__ import annotations

import re

import simcord

from bot.actor import Actor
from bot.catalog import actions
from tests.plugins.discord import World

MOD = Actor(7, "mod", via="command")


async def test_cite_answers_the_papers_bibtex_in_a_code_block(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm cite", name="bert")
    assert r.acknowledged and not r.ephemeral and not r.response.embeds
    content = r.response.content
    assert content.startswith("BibTeX for **BERT**:\n```bibtex\n@misc{devlin2018bert,\n")
    assert content.endswith("}\n```")
    assert "  eprint = {1810.04805},\n  archivePrefix = {arXiv}," in content
    assert "author = {Jacob Devlin and Ming-Wei Chang and Kenton Lee and Kristina Toutanova}" in content


async def test_cite_offers_the_model_names_as_you_type(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "ptm cite", "name", "wav2vec 2.0")
    assert 0 < len(choices) <= 25 and choices[0]["value"] == "Wav2Vec2"
    r = await world.alice.slash(world.channel, "ptm cite", name=choices[0]["value"])
    assert re.search(r"@misc\{baevski2020wav2vec,", r.response.content)


async def test_cite_of_an_unknown_name_is_private_with_the_closest(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm cite", name="debrta")
    assert r.ephemeral and r.response.content.startswith("No model called **debrta**")
    assert "DeBERTa" in r.response.content


async def test_cite_pings_nobody_and_a_fence_cannot_break_out(
    simcord_env: simcord.Env, world: World, db
) -> None:
    await actions.edit(db, "BERT", "authors", f"@everyone, {world.mod.mention}, ```x", MOD)
    r = await world.alice.slash(world.channel, "ptm cite", name="BERT")
    content = r.response.content
    assert content.count("```") == 2  # the block's own fences only
    assert "@everyone" in content  # shown as written, inside the code block ...
    stored = simcord_env.backend.get_message(world.channel.id, r.response.message.id)
    assert stored.ping_user_ids == [] and stored.ping_role_ids == [] and not stored.mention_everyone
    assert all(  # ... and never a ping
        e.json.get("allowed_mentions") == {"parse": []}
        for e in simcord_env.http_requests
        if isinstance(e.json, dict) and "content" in e.json
    )
