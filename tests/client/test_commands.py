"""Every slash command through the real discord.py command tree, offline (simcord), on the shipped list."""

from __future__ import annotations

import discord
import pytest
import simcord
from discord import app_commands

from bot.catalog.topics import TOPICS
from bot.client.bot import EXTENSIONS, PTMBot, create_bot
from bot.client.checks import NotModerator, is_moderator
from bot.client.tree import APOLOGY, PTMCommandTree, user_message
from bot.commands import HANDLERS
from bot.commands import member as handlers
from bot.errors import UserFacingError
from tests.plugins.discord import GUILD_ID, World, bot_config
from tests.plugins.logs import LoggedErrors

PTM_COMMANDS = {
    "ptm model",
    "ptm recent",
    "ptm search",
    "ptm survey",
    "ptm org",
    "ptm author",
    "ptm stats",
    "ptm cite",
}


def fields(embed: discord.Embed) -> dict[str, str]:
    return {f.name or "": f.value or "" for f in embed.fields}


async def fresh(env: simcord.Env, message: discord.Message) -> discord.Message:
    channel = env.bot.get_channel(message.channel.id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.fetch_message(message.id)


# --------------------------------------------------------------------------------------------
# The bot itself


async def test_extensions_load_and_commands_are_synced_to_the_dev_guild(
    simcord_env: simcord.Env, world: World
) -> None:
    bot = simcord_env.bot
    assert isinstance(bot, PTMBot)
    assert set(bot.extensions) == set(EXTENSIONS)
    assert (
        bot.intents.value
        == (discord.Intents.none() | discord.Intents(guilds=True, guild_reactions=True)).value
    )
    assert not bot.intents.message_content and not bot.intents.members
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    assert bot.http_session is not None and not bot.http_session.closed
    visible = set(world.alice.available_commands(world.channel))
    assert PTM_COMMANDS <= visible
    assert "ptm-admin tag" not in visible  # default_permissions(manage_guild=True)
    assert "ptm-admin tag" in world.admin.available_commands(world.channel)
    # Only the dev guild was synced: no global commands.
    assert await bot.tree.fetch_commands() == []
    # Every /ptm command has a handler ask can run (one registry with the moderators'); every
    # option is described.
    assert set(handlers.HANDLERS) == PTM_COMMANDS
    assert PTM_COMMANDS | {"ptm-admin tag", "ptm-admin approve"} <= set(HANDLERS)
    for command in bot.tree.walk_commands():
        if isinstance(command, app_commands.Command):
            assert command.description and command.description != "…"
            for param in command.parameters:
                assert param.description and param.description != "…", (command.qualified_name, param.name)


async def test_close_keeps_a_borrowed_database_open(db) -> None:
    bot = create_bot(bot_config(), db)
    await bot.load_extensions()
    await bot.close()
    assert await handlers.model_names(db, "bert")  # still usable


# --------------------------------------------------------------------------------------------
# /ptm model


async def test_model_shows_entry_and_related(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    assert r.acknowledged and not r.ephemeral
    (embed,) = r.response.embeds
    assert embed.title == "DeBERTa"
    assert embed.url == "https://huggingface.co/docs/transformers/model_doc/deberta"
    assert "Decoding-enhanced BERT with Disentangled Attention" in (embed.description or "")
    f = fields(embed)
    assert f["Date"] == "2020-06" and f["Organisation"] == "Microsoft"
    assert "Pengcheng He" in f["Authors"]
    assert "DeBERTa-v2" in f["Related"]


async def test_model_related_same_paper(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm model", name="LED")
    (embed,) = r.response.embeds
    assert embed.title == "LED"
    assert "Longformer" in fields(embed)["Related"]


async def test_unknown_model_is_private_not_found_with_closest(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm model", name="debrta")
    assert r.ephemeral and not r.response.embeds
    assert r.response.content.startswith("No model called **debrta**")
    assert "DeBERTa" in r.response.content


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nystromformer", "Nyströmformer"),
        ("deberta v2", "DeBERTa-v2"),
        ("wav2vec 2.0", "Wav2Vec2"),
        ("vit", "Vision Transformer (ViT)"),
        ("swin", "Swin Transformer"),
        ("", None),
        ("b", None),
    ],
)
async def test_model_autocomplete(world: World, typed: str, expected: str | None) -> None:
    choices = await world.alice.autocomplete(world.channel, "ptm model", "name", typed)
    assert 0 < len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    if expected is not None:
        assert choices[0]["value"] == expected


# --------------------------------------------------------------------------------------------
# /ptm recent, search, survey, org, author


async def test_recent_speech_lists_speech_models_newest_first(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm recent", topic="speech", count=25)
    assert not r.ephemeral
    (embed,) = r.response.embeds
    assert embed.title == "Newest in Speech (audio)"
    text = embed.description or ""
    for name in ("Wav2Vec2", "Hubert", "WavLM", "XLS-R", "SEW", "UniSpeech"):
        assert f"**{name}**" in text
    for not_speech in ("**BERT**", "**DeBERTa**", "**Swin Transformer**"):
        assert not_speech not in text
    lines = text.splitlines()
    assert lines[0].startswith("1. **") and "2022-02" in lines[0]
    assert not r.response.components  # everything fits on one page


def _topic_param(bot: PTMBot) -> app_commands.Parameter:
    command = bot.tree.get_command("ptm").get_command("recent")  # type: ignore[union-attr]
    return next(p for p in command.parameters if p.name == "topic")


async def test_recent_topic_is_offered_as_choices_or_autocomplete(
    simcord_env: simcord.Env, world: World
) -> None:
    param = _topic_param(simcord_env.bot)
    if len(TOPICS) <= 25:
        assert [c.value for c in param.choices] == list(TOPICS)
        assert ("Speech (audio)", "speech") in [(c.name, c.value) for c in param.choices]
    else:
        assert not param.choices and param.autocomplete
        choices = await world.alice.autocomplete(world.channel, "ptm recent", "topic", "spe")
        assert {"name": "Speech (audio)", "value": "speech"} in choices
        assert len(await world.alice.autocomplete(world.channel, "ptm recent", "topic", "")) <= 25


async def test_recent_unknown_topic_is_one_private_line(simcord_env: simcord.Env, world: World) -> None:
    if _topic_param(simcord_env.bot).choices:
        # Discord only sends listed choices; the handler re-validates anyway.
        with pytest.raises(UserFacingError, match=r"^Unknown topic \*\*klingon\*\*\."):
            await handlers.recent(simcord_env.bot.db, "klingon")
        with pytest.raises(simcord.SetupError):
            await world.alice.slash(world.channel, "ptm recent", topic="klingon")
        return
    r = await world.alice.slash(world.channel, "ptm recent", topic="klingon")
    assert r.ephemeral and not r.response.embeds
    assert r.response.content.startswith("Unknown topic **klingon**.")
    assert "\n" not in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="klingon")


async def test_search_chinese(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm search", query="蒸馏")
    (embed,) = r.response.embeds
    assert "知识蒸馏" in (embed.description or "")


async def test_search_nothing_found(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm search", query="zzqqxx")
    assert r.ephemeral and "Nothing in the catalog matches" in r.response.content


async def test_survey(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm survey")
    (embed,) = r.response.embeds
    assert embed.title == "Surveys"
    assert "of 17" in embed.footer.text
    r = await world.alice.slash(world.channel, "ptm survey", query="graphs")
    (embed,) = r.response.embeds
    assert "A Survey of Pretraining on Graphs" in (embed.description or "")


async def test_org_and_author(world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm org", org="Microsoft")
    (embed,) = r.response.embeds
    assert embed.title == "From Microsoft" and "**DeBERTa**" in (embed.description or "")
    r = await world.alice.slash(world.channel, "ptm author", name="Kaiming He")
    (embed,) = r.response.embeds
    assert "**ViTMAE**" in (embed.description or "")


# --------------------------------------------------------------------------------------------
# Paging


async def test_paging_buttons(simcord_env: simcord.Env, world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm org", org="Microsoft")
    message = r.response.message
    assert "page 1/2" in r.response.embeds[0].footer.text
    first_page = r.response.embeds[0].description

    # Someone else cannot turn the pages.
    other = await world.bob.click(message, label="Next")
    assert other.ephemeral and "Only the person who ran this command" in other.response.content
    assert (await fresh(simcord_env, message)).embeds[0].description == first_page

    await world.alice.click(message, label="Next")
    page2 = (await fresh(simcord_env, message)).embeds[0]
    assert "page 2/2" in page2.footer.text and page2.description.startswith("11. ")
    await world.alice.click(message, label="Prev")
    assert (await fresh(simcord_env, message)).embeds[0].description == first_page

    # The buttons go away when the view times out.
    await simcord_env.advance_time(400)
    await simcord_env.settle()
    assert not (await fresh(simcord_env, message)).components


# --------------------------------------------------------------------------------------------
# /ptm stats


async def test_stats_defers_and_attaches_a_chart(simcord_env: simcord.Env, world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm stats")
    assert r.acknowledged and not r.deferred and not r.ephemeral
    (embed,) = r.response.embeds
    assert embed.title == "Catalog statistics"
    assert "153" in (embed.description or "")
    assert {"By year", "By topic"} <= set(fields(embed))
    (attachment,) = r.response.attachments
    assert attachment.filename == "ptm-stats.png"
    assert embed.image.url and embed.image.url.endswith("ptm-stats.png")
    data = await attachment.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000


# --------------------------------------------------------------------------------------------
# The error funnel


async def test_unexpected_exception_is_logged_and_apologised(
    simcord_env: simcord.Env,
    world: World,
    no_logged_errors: LoggedErrors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(handlers, "search", broken)
    r = await world.alice.slash(world.channel, "ptm search", query="bert")
    assert r.ephemeral and r.response.content == APOLOGY
    err = simcord.assert_error(simcord_env, app_commands.CommandInvokeError, contains="kaboom")
    assert isinstance(err.original, RuntimeError)
    records = no_logged_errors.allow()
    (record,) = [rec for rec in records if rec.name == "bot.client.tree"]
    assert record.exc_info is not None and "ptm search" in record.getMessage()


async def test_exception_after_defer_gets_a_followup_apology(
    simcord_env: simcord.Env,
    world: World,
    no_logged_errors: LoggedErrors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(handlers, "stats", broken)
    r = await world.alice.slash(world.channel, "ptm stats")
    # The deferred "thinking" reply was answered with the apology (a follow-up).
    assert r.acknowledged and not r.deferred
    assert APOLOGY in [r.response.content, *[f.content for f in r.followups]]
    simcord.assert_error(simcord_env, app_commands.CommandInvokeError, contains="chart failed")
    assert no_logged_errors.allow()


async def test_tree_observers_hear_each_interaction_and_cannot_break_it(
    simcord_env: simcord.Env,
    world: World,
    no_logged_errors: LoggedErrors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree = simcord_env.bot.tree
    assert isinstance(tree, PTMCommandTree)
    heard: list[tuple[str, str]] = []

    def broken_observer(command: str, outcome: str, seconds: float) -> None:
        raise RuntimeError("observer bug")

    tree.observers.append(lambda command, outcome, seconds: heard.append((command, outcome)))
    tree.observers.append(broken_observer)
    await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    await world.alice.slash(world.channel, "ptm search", query="   ")  # the user's mistake
    await world.alice.autocomplete(world.channel, "ptm model", "name", "deb")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(handlers, "search", broken)
    r = await world.alice.slash(world.channel, "ptm search", query="bert")
    assert r.ephemeral and r.response.content == APOLOGY
    assert heard == [
        ("ptm model", "ok"),
        ("ptm search", "user_error"),
        ("ptm model", "autocomplete"),
        ("ptm search", "error"),
    ]
    simcord.assert_error(simcord_env, UserFacingError)
    simcord.assert_error(simcord_env, app_commands.CommandInvokeError, contains="kaboom")
    failed = [rec for rec in no_logged_errors.allow() if "observer" in rec.getMessage()]
    assert len(failed) == 4  # logged, and every command still answered


# --------------------------------------------------------------------------------------------
# /ptm-admin tag


async def _show_admin_to(env: simcord.Env, world: World, *roles: simcord.RoleHandle) -> None:
    # default_permissions hides the group; server admins can show it to roles (Integrations).
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(GUILD_ID))
    admin = next(c for c in cmds if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {role: True for role in roles})


async def test_tag_by_moderator(simcord_env: simcord.Env, world: World) -> None:
    await _show_admin_to(simcord_env, world, world.mod_role)
    r = await world.mod.slash(world.channel, "ptm-admin tag", name="DeBERTa", topics="efficiency, Chinese")
    assert r.ephemeral
    assert r.response.content == "Topics of **DeBERTa** are now: Chinese, Efficiency."
    r = await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    assert fields(r.response.embeds[0])["Topics"] == "Chinese, Efficiency"


async def test_tag_by_manage_server_admin(world: World) -> None:
    r = await world.admin.slash(world.channel, "ptm-admin tag", name="Wav2Vec2", topics="speech")
    assert r.ephemeral and "Speech" in r.response.content


async def test_tag_refused_for_non_moderator(simcord_env: simcord.Env, world: World) -> None:
    # A server admin showed /ptm-admin to @everyone: the runtime check still refuses.
    await _show_admin_to(simcord_env, world, world.guild.default_role)
    assert "ptm-admin tag" in world.alice.available_commands(world.channel)
    r = await world.alice.slash(world.channel, "ptm-admin tag", name="DeBERTa", topics="speech")
    assert r.ephemeral and r.response.content.startswith("Only moderators can do that")
    simcord.assert_error(simcord_env, NotModerator)
    r = await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    assert "Speech" not in fields(r.response.embeds[0]).get("Topics", "")


async def test_tag_unknown_topic(simcord_env: simcord.Env, world: World) -> None:
    r = await world.admin.slash(world.channel, "ptm-admin tag", name="DeBERTa", topics="speech, klingon")
    assert r.ephemeral and r.response.content == "Unknown topic(s): **klingon**."
    simcord.assert_error(simcord_env, UserFacingError)


def test_is_moderator_is_pure() -> None:
    class Role:
        def __init__(self, id_: int, name: str) -> None:
            self.id, self.name = id_, name

    class Member:
        def __init__(self, roles: list[Role], manage: bool = False) -> None:
            self.roles = roles
            self.guild_permissions = discord.Permissions(manage_guild=manage)

    config = bot_config(moderator_roles=(42, "Curators"))
    assert is_moderator(Member([Role(42, "x")]), config)
    assert is_moderator(Member([Role(7, "curators")]), config)
    assert is_moderator(Member([], manage=True), config)
    assert not is_moderator(Member([Role(7, "members")]), config)
    assert not is_moderator(object(), config)  # a user outside a server


# --------------------------------------------------------------------------------------------
# Mentions


async def test_results_ping_nobody(simcord_env: simcord.Env, world: World) -> None:
    r = await world.alice.slash(world.channel, "ptm model", name=f"@everyone {world.mod.mention}")
    content = r.response.content
    assert "@\u200beveryone" in content  # escaped in the text itself
    assert not r.response.message.mention_everyone
    # And the bot-wide default: even raw mentions ping nobody.
    channel = simcord_env.bot.get_channel(world.channel.id)
    sent = await channel.send(f"@everyone @here {world.alice.mention} {world.mod_role.mention}")
    assert not sent.mention_everyone  # the bot may mention everyone, but its default forbids it
    stored = simcord_env.backend.get_message(world.channel.id, sent.id)
    assert stored.ping_user_ids == [] and stored.ping_role_ids == []
    assert world.alice.id in stored.mention_user_ids  # mentioned in the text, not pinged
    for result in (r.response.message,):
        stored = simcord_env.backend.get_message(world.channel.id, result.id)
        assert stored.ping_user_ids == [] and not stored.mention_everyone
    assert all(
        e.json.get("allowed_mentions") == {"parse": []}
        for e in simcord_env.http_requests
        if e.method == "POST" and e.path.endswith("/messages") and isinstance(e.json, dict)
    )


def test_invalid_value_line_keeps_the_value_in_its_code_span() -> None:

    class Dummy(app_commands.Transformer):
        pass

    error = app_commands.TransformerError("a`*b*`_c_", discord.AppCommandOptionType.string, Dummy())
    # Shown literally in one code span: no escape backslashes, no backtick closing it early.
    assert user_message(error) == "`a'*b*'_c_` is not a valid value here."


async def test_stats_has_a_cooldown_and_draws_its_chart_once_per_catalog_change(
    simcord_env: simcord.Env, world: World, monkeypatch: pytest.MonkeyPatch, db
) -> None:
    from bot.review import actions
    from bot.review.service import Decision
    from tests.plugins.database import add_pending

    drawn: list[object] = []
    real = handlers.render_chart_png

    async def counting(data, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(data)
        return await real(data, **kwargs)

    monkeypatch.setattr(handlers, "render_chart_png", counting)
    handlers._CHARTS.clear()
    r = await world.alice.slash(world.channel, "ptm stats")
    assert r.response.attachments
    r = await world.alice.slash(world.channel, "ptm stats")
    assert r.ephemeral and r.response.content.startswith("Slow down: try again in")
    simcord.assert_error(simcord_env, app_commands.CommandOnCooldown)
    r = await world.bob.slash(world.channel, "ptm stats")  # another member; the catalog is unchanged
    assert r.response.attachments and len(drawn) == 1
    await add_pending(db, arxiv_id="2401.00003", title="New speech model", name="NewSpeech")
    await actions.decide(db, "2401.00003", Decision.APPROVE, actions.Actor(1, "mod"))
    r = await world.admin.slash(world.channel, "ptm stats")
    assert r.response.attachments and len(drawn) == 2
