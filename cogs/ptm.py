"""``/ptm``: look things up in the catalog (everyone).

Thin adapter: each command parses its options, calls one function of :mod:`bot.commands.member` and
sends the payload it returns (:func:`bot.client.paging.send_payload`). Errors go to the tree's funnel.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.actor import Actor
from bot.catalog.topics import TOPICS
from bot.client.bot import PTMBot
from bot.client.paging import send_payload
from bot.commands import digest as digest_handlers
from bot.commands import member as handlers
from bot.commands import suggest as suggest_handlers
from bot.commands import votes as vote_handlers

log = logging.getLogger(__name__)

MAX_CHOICES = 25
# /ptm stats draws a chart: once per member in this many seconds (the chart itself is cached).
STATS_COOLDOWN_SECONDS = 30.0


def _choice(name: str, value: str | None = None) -> app_commands.Choice[str]:
    # Discord allows at most 100 characters in a choice's name and value.
    return app_commands.Choice(name=name[:100], value=(value if value is not None else name)[:100])


async def _topic_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [_choice(label, slug) for label, slug in handlers.topic_names(current)]


def _topic_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Topics as fixed choices when Discord allows that many (25), else as autocomplete."""
    if len(TOPICS) <= MAX_CHOICES:
        choices = [_choice(info.label, slug) for slug, info in TOPICS.items()]
        return app_commands.choices(topic=choices)(func)
    return app_commands.autocomplete(topic=_topic_autocomplete)(func)


FOLLOW_KIND_CHOICES = [
    _choice("topic", "topic"),
    _choice("author", "author"),
    _choice("organisation", "org"),
    _choice("query", "query"),
]


class PTMCog(
    commands.GroupCog, group_name="ptm", group_description="Look up pre-trained models in the catalog"
):
    """Catalog look-ups for everyone."""

    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="model")
    @app_commands.describe(name="Model name or alias, e.g. DeBERTa, wav2vec 2.0, ViT")
    async def model(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        """Show a model: paper, date, organisation, authors, docs, topics and related entries."""
        await send_payload(interaction, await handlers.model(self.bot.db, name))

    @model.autocomplete("name")
    async def model_name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await handlers.model_names(self.bot.db, current)
        return [_choice(n) for n in names[:MAX_CHOICES]]

    @app_commands.command(name="cite")
    @app_commands.describe(name="Model name or alias, e.g. BERT, wav2vec 2.0, ViT")
    async def cite(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        """The BibTeX of a model's paper, ready to paste."""
        await send_payload(interaction, await handlers.cite(self.bot.db, name))

    @cite.autocomplete("name")
    async def cite_name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await handlers.model_names(self.bot.db, current)  # /ptm model's names, the same read
        return [_choice(n) for n in names[:MAX_CHOICES]]

    @app_commands.command(name="recent")
    @app_commands.describe(
        topic="A topic, e.g. speech, vision, multilingual", count="How many entries per page (1-25)"
    )
    @_topic_option
    async def recent(
        self, interaction: discord.Interaction, topic: str, count: app_commands.Range[int, 1, 25] = 10
    ) -> None:
        """The newest entries of a topic, newest first."""
        fetch = functools.partial(handlers.recent, self.bot.db, topic, count)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @app_commands.command(name="search")
    @app_commands.describe(
        query="Words to look for in names, paper titles, authors, organisations and descriptions"
    )
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        """Search the whole catalog, best matches first."""
        fetch = functools.partial(handlers.search, self.bot.db, query)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @app_commands.command(name="survey")
    @app_commands.describe(query="Only surveys about this (leave empty for all)")
    async def survey(self, interaction: discord.Interaction, query: str | None = None) -> None:
        """Surveys of the field, newest first."""
        fetch = functools.partial(handlers.survey, self.bot.db, query)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @app_commands.command(name="org")
    @app_commands.describe(org="Organisation, e.g. Google, Facebook, Microsoft")
    async def org(self, interaction: discord.Interaction, org: app_commands.Range[str, 1, 200]) -> None:
        """Entries released by an organisation, newest first."""
        fetch = functools.partial(handlers.org, self.bot.db, org)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @app_commands.command(name="author")
    @app_commands.describe(name="An author's name, e.g. Kaiming He")
    async def author(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        """Entries whose paper lists this author, newest first."""
        fetch = functools.partial(handlers.author, self.bot.db, name)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @org.autocomplete("org")
    async def org_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [_choice(n) for n in await handlers.org_names(self.bot.db, current)]

    @author.autocomplete("name")
    async def author_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [_choice(n) for n in await handlers.author_names(self.bot.db, current)]

    @app_commands.command(name="suggest")
    @app_commands.describe(
        paper="arXiv id or URL of the paper, e.g. https://arxiv.org/abs/2106.07447",
        note="Why moderators should look at it (optional, shown on the review card)",
    )
    async def suggest(
        self,
        interaction: discord.Interaction,
        paper: app_commands.Range[str, 4, 200],
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Suggest a paper for the catalog: moderators review it, and you get a DM with the outcome."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = Actor(interaction.user.id, str(interaction.user), via="command")
        payload, new = await suggest_handlers.suggest(
            self.bot.db, self.bot.http_session, self.bot.config, paper, note, actor
        )
        await send_payload(interaction, payload)
        if new is not None:
            self.bot.dispatch("suggestions_ready", [new.id])  # the review channel gets its card

    @app_commands.command(name="top")
    @app_commands.describe(
        period="Votes cast in the last week (7 days, the default) or month (30 days)",
        topic="Only entries of this topic, e.g. speech, vision (leave empty for all)",
    )
    @app_commands.choices(period=[_choice("week", "week"), _choice("month", "month")])
    @_topic_option
    async def top(
        self, interaction: discord.Interaction, period: str | None = None, topic: str | None = None
    ) -> None:
        """The entries members voted for most lately (👍 Vote on /ptm model, the digest's menu)."""
        now = discord.utils.utcnow()
        fetch = functools.partial(vote_handlers.top, self.bot.db, period, topic, now=now)
        await send_payload(interaction, await fetch(page=0), fetch=lambda page: fetch(page=page))

    @app_commands.command(name="stats")
    @app_commands.checks.cooldown(1, STATS_COOLDOWN_SECONDS, key=lambda i: (i.guild_id, i.user.id))
    async def stats(self, interaction: discord.Interaction) -> None:
        """Catalog counts by kind, topic and year, with a chart."""
        await interaction.response.defer(thinking=True)  # the chart takes longer than Discord waits
        await send_payload(interaction, await handlers.stats(self.bot.db))

    @app_commands.command(name="digest")
    @app_commands.describe(period="The last day or the last week (default: the server's digest period)")
    @app_commands.choices(period=[_choice("last day", "daily"), _choice("last week", "weekly")])
    async def digest(self, interaction: discord.Interaction, period: str | None = None) -> None:
        """What moderators added to the catalog lately: the digest, on demand."""
        payload = await digest_handlers.digest(self.bot.db, period or self.bot.config.digest.every)
        await send_payload(interaction, payload)

    @app_commands.command(name="follow")
    @app_commands.describe(
        kind="What to follow: a topic, an author, an organisation or a free query",
        value="e.g. speech, Kaiming He, Google, distillation",
    )
    @app_commands.choices(kind=FOLLOW_KIND_CHOICES)
    async def follow(
        self, interaction: discord.Interaction, kind: str, value: app_commands.Range[str, 1, 200]
    ) -> None:
        """Get a DM (at most one per digest period) when a matching entry joins the catalog."""
        payload = await digest_handlers.follow(self.bot.db, kind, value, member_id=interaction.user.id)
        await send_payload(interaction, payload)

    @app_commands.command(name="unfollow")
    @app_commands.describe(kind="What you follow: topic, author, org or query", value="As you followed it")
    @app_commands.choices(kind=FOLLOW_KIND_CHOICES)
    async def unfollow(
        self, interaction: discord.Interaction, kind: str, value: app_commands.Range[str, 1, 200]
    ) -> None:
        """Stop one of your follows."""
        payload = await digest_handlers.unfollow(self.bot.db, kind, value, member_id=interaction.user.id)
        await send_payload(interaction, payload)

    @unfollow.autocomplete("value")
    async def unfollow_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        kind = getattr(interaction.namespace, "kind", None)
        values = await digest_handlers.followed_values(
            self.bot.db, kind, current, member_id=interaction.user.id
        )
        return [_choice(v) for v in values]

    @app_commands.command(name="following")
    async def following(self, interaction: discord.Interaction) -> None:
        """What you follow (only you see it)."""
        await send_payload(
            interaction, await digest_handlers.following(self.bot.db, member_id=interaction.user.id)
        )


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(PTMCog(bot))
