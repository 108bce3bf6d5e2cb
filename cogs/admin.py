"""``/ptm-admin``: catalog corrections by moderators.

Permissions twice: ``default_permissions(manage_guild=True)`` hides the group from members by
default (server admins may change that in Integrations), and every command also runs the runtime
check :func:`bot.client.checks.moderator_only` (a configured moderator role, or Manage Server).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client.bot import PTMBot
from bot.client.checks import is_moderator, moderator_only
from bot.client.paging import send_payload
from bot.client.review.cards import refresh_message
from bot.commands import admin as handlers
from bot.commands import gates as gate_handlers
from bot.commands import member
from bot.commands import relevance as relevance_handlers
from bot.commands import routes as route_handlers
from bot.commands import suggest as suggest_handlers
from bot.commands.admin import EDITABLE
from bot.present.watch import render_poll_report
from bot.relevance import gate_store
from bot.relevance.gates import GATE_KINDS, GATE_MODES
from bot.review.actions import Actor
from bot.review.service import Decision

log = logging.getLogger(__name__)

KIND_CHOICES = [app_commands.Choice(name=kind, value=kind) for kind in ("model", "survey")]
GATE_MODE_CHOICES = [app_commands.Choice(name=mode, value=mode) for mode in GATE_MODES]
GATE_KIND_CHOICES = [app_commands.Choice(name=kind, value=kind) for kind in GATE_KINDS]
# The kind of yes: the relevance model learns a borderline keep without lowering its threshold.
# Approve a possible duplicate into the entry it repeats (the card's two extra buttons).
INTO_CHOICES = [
    app_commands.Choice(name="new version of the entry", value="version"),
    app_commands.Choice(name="alias of the entry", value="alias"),
]
APPROVAL_CHOICES = [
    app_commands.Choice(name="core", value="core"),
    app_commands.Choice(name="borderline-keep", value="borderline"),
]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(
    commands.GroupCog, group_name="ptm-admin", group_description="Correct the catalog (moderators)"
):
    """Moderator commands."""

    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="tag")
    @app_commands.describe(
        name="The entry to re-tag (a model name or alias)",
        topics="Its topics, comma-separated, e.g. speech, multilingual (replaces the current ones)",
    )
    @moderator_only()
    async def tag(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 200],
        topics: app_commands.Range[str, 1, 500],
    ) -> None:
        """Set an entry's topics (corrects the automatic classifier)."""
        payload = await handlers.tag(self.bot.db, name, topics, _actor(interaction))
        log.info("%s (%s) re-tagged %r: %s", interaction.user, interaction.user.id, name, topics)
        await send_payload(interaction, payload)

    @tag.autocomplete("name")
    async def tag_name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await member.model_names(self.bot.db, current)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    @app_commands.command(name="poll")
    @moderator_only()
    async def poll(self, interaction: discord.Interaction) -> None:
        """Poll the arXiv feeds now and post what is new (the scheduled poll, run early)."""
        watcher = self.bot.get_cog("Watcher")
        if watcher is None or watcher.job is None:  # type: ignore[attr-defined]
            await interaction.response.send_message("The arXiv watcher is not running.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await watcher.run_poll()  # type: ignore[attr-defined]
        log.info("%s (%s) ran an arXiv poll: %s", interaction.user, interaction.user.id, report.counts)
        await send_payload(interaction, render_poll_report(report))

    route = app_commands.Group(
        name="route", description="Review cards and digest entries of a topic to their own channel"
    )

    @route.command(name="add")
    @app_commands.describe(
        kind="topic (a topic slug) or query (words all in the title or abstract)",
        value="The topic (e.g. speech) or the query words",
        channel="The channel (name or id) the route's cards and digest entries go to",
        role="A role (name or id) to mention with them: the route's only mention",
        tag="When the channel is a forum: the forum tag (name) each card post gets",
        cards="The route takes review cards (default yes)",
        digest="The route takes the digest's entries (default yes)",
    )
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in ("topic", "query")])
    @moderator_only()
    async def route_add(
        self,
        interaction: discord.Interaction,
        kind: str,
        value: app_commands.Range[str, 1, 200],
        channel: app_commands.Range[str, 1, 200],
        role: app_commands.Range[str, 1, 200] | None = None,
        tag: app_commands.Range[str, 1, 100] | None = None,
        cards: bool = True,
        digest: bool = True,
    ) -> None:
        """Route a topic's review cards and digest entries to their own channel (after the others)."""
        payload = await route_handlers.route_add(
            self.bot.db,
            kind,
            value,
            channel,
            _actor(interaction),
            role=role,
            tag=tag,
            cards=cards,
            digest=digest,
        )
        await send_payload(interaction, payload)

    @route.command(name="remove")
    @app_commands.describe(number="The stored route's number, as /ptm-admin route list shows it")
    @moderator_only()
    async def route_remove(
        # At most an Integer id (32 bits on PostgreSQL): a larger number is refused, not a database error.
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 2_147_483_647],
    ) -> None:
        """Remove a route added with /ptm-admin route add (config routes are edited in the config)."""
        await send_payload(
            interaction, await route_handlers.route_remove(self.bot.db, number, _actor(interaction))
        )

    @route.command(name="list")
    @moderator_only()
    async def route_list(self, interaction: discord.Interaction) -> None:
        """Where review cards and digest entries go by topic, in order (the first match wins)."""
        await send_payload(interaction, await route_handlers.route_list(self.bot.db, config=self.bot.config))

    @app_commands.command(name="member-suggestions")
    @app_commands.describe(state="on or off; leave empty to see the current state")
    @app_commands.choices(state=[app_commands.Choice(name=s, value=s) for s in ("on", "off")])
    @moderator_only()
    async def member_suggestions(self, interaction: discord.Interaction, state: str | None = None) -> None:
        """Turn members' /ptm suggest on or off (or see whether it is on)."""
        payload = await suggest_handlers.member_suggestions(self.bot.db, state, _actor(interaction))
        await send_payload(interaction, payload)

    @app_commands.command(name="feeds")
    @moderator_only()
    async def feeds(self, interaction: discord.Interaction) -> None:
        """Show each arXiv feed's health (ok / failing / disabled) and last success."""
        await send_payload(interaction, await handlers.feeds(self.bot.db))

    @app_commands.command(name="links")
    @app_commands.describe(page="Page number (1 = dead links first, then moved ones)")
    @moderator_only()
    async def links(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        """Dead and moved catalog links (the weekly check), with a button to use a moved link's new URL."""
        await send_payload(interaction, await handlers.links(self.bot.db, page=page))

    # ---------------------------------------------------------------------------------------
    # Review: alternatives to reacting, and corrections

    @app_commands.command(name="pending")
    @app_commands.describe(page="Page number (1 = the highest scores)")
    @moderator_only()
    async def pending(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        """List suggestions waiting for a decision, highest scores first."""
        payload = await handlers.pending(self.bot.db, page=page - 1)
        await send_payload(interaction, payload, fetch=lambda p: handlers.pending(self.bot.db, page=p))

    @app_commands.command(name="approve")
    @app_commands.describe(
        arxiv_id="The suggestion's arXiv id or URL, e.g. 2111.09296",
        name="The catalog name to use instead of the proposed one",
        kind="model or survey, instead of the proposed kind",
        approval="core (default) or borderline-keep: keep it, but the model learns it as borderline",
        into="For a possible duplicate: a new version of the entry it repeats, or an alias of it",
    )
    @app_commands.choices(kind=KIND_CHOICES, approval=APPROVAL_CHOICES, into=INTO_CHOICES)
    @moderator_only()
    async def approve(
        self,
        interaction: discord.Interaction,
        arxiv_id: app_commands.Range[str, 4, 200],
        name: app_commands.Range[str, 1, 200] | None = None,
        kind: str | None = None,
        approval: str | None = None,
        into: str | None = None,
    ) -> None:
        """Approve a suggestion: the paper enters the catalog (like reacting ✅)."""
        payload, changed = await handlers.decide(
            self.bot.db,
            arxiv_id,
            Decision.APPROVE,
            _actor(interaction),
            name=name,
            kind=kind,
            approval=approval,
            into=into,
        )
        await send_payload(interaction, payload)
        if changed is not None:
            await refresh_message(self.bot, changed)

    @app_commands.command(name="reject")
    @app_commands.describe(
        arxiv_id="The suggestion's arXiv id or URL", reason="Why (kept in the audit trail)"
    )
    @moderator_only()
    async def reject(
        self,
        interaction: discord.Interaction,
        arxiv_id: app_commands.Range[str, 4, 200],
        reason: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Reject a suggestion: it is never suggested again (like reacting ❌)."""
        payload, changed = await handlers.decide(
            self.bot.db, arxiv_id, Decision.REJECT, _actor(interaction), reason=reason
        )
        await send_payload(interaction, payload)
        if changed is not None:
            await refresh_message(self.bot, changed)

    @app_commands.command(name="undo")
    @app_commands.describe(arxiv_id="The decided suggestion's arXiv id or URL")
    @moderator_only()
    async def undo(self, interaction: discord.Interaction, arxiv_id: app_commands.Range[str, 4, 200]) -> None:
        """Return a decided suggestion to pending; an approved paper leaves the catalog."""
        payload, changed = await handlers.undo(self.bot.db, arxiv_id, _actor(interaction))
        await send_payload(interaction, payload)
        await refresh_message(self.bot, changed)

    @app_commands.command(name="edit")
    @app_commands.describe(
        name="The entry to correct (a name or alias)",
        field="Which field to change",
        value="The new value (date as YYYY-MM or YYYY; authors comma-separated)",
    )
    @app_commands.choices(field=[app_commands.Choice(name=f, value=f) for f in EDITABLE])
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 200],
        field: str,
        value: app_commands.Range[str, 1, 1000],
    ) -> None:
        """Correct one field of a catalog entry."""
        await send_payload(
            interaction, await handlers.edit(self.bot.db, name, field, value, _actor(interaction))
        )

    @app_commands.command(name="remove")
    @app_commands.describe(name="The entry to remove (exact name or alias)")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        """Remove an entry from the catalog."""
        await send_payload(interaction, await handlers.remove(self.bot.db, name, _actor(interaction)))

    @app_commands.command(name="add")
    @app_commands.describe(
        paper="arXiv id or URL of the paper, e.g. https://arxiv.org/abs/2111.09296",
        name="Catalog name (default: proposed from the title)",
        kind="model or survey (default: proposed from the title)",
        approval="core (default) or borderline-keep: keep it, but the model learns it as borderline",
    )
    @app_commands.choices(kind=KIND_CHOICES, approval=APPROVAL_CHOICES)
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction,
        paper: app_commands.Range[str, 4, 200],
        name: app_commands.Range[str, 1, 200] | None = None,
        kind: str | None = None,
        approval: str | None = None,
    ) -> None:
        """Add a paper to the catalog by arXiv id or URL (a missed paper: the model learns from it)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await handlers.paper_to_add(self.bot.db, self.bot.http_session, self.bot.config, paper)
        payload, changed = await handlers.add(
            self.bot.db, found, name=name, kind=kind, actor=_actor(interaction), approval=approval
        )
        await send_payload(interaction, payload)
        # The paper may have been waiting in the review channel: its message now shows the approval.
        await refresh_message(self.bot, changed)

    @app_commands.command(name="export")
    @moderator_only()
    @app_commands.describe(format="md: the list (default); json; atom: the newest; bibtex; html: one page")
    @app_commands.choices(
        format=[app_commands.Choice(name=n, value=n) for n in ("md", "json", "atom", "bibtex", "html")]
    )
    async def export(self, interaction: discord.Interaction, format: str = "md") -> None:
        """Attach the catalog as the list's markdown, or as JSON, Atom, BibTeX or an HTML page."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_payload(interaction, await handlers.export(self.bot.db, format))

    @app_commands.command(name="publish")
    @moderator_only()
    async def publish(self, interaction: discord.Interaction) -> None:
        """Commit the exported list to its git repository on a new branch and push it."""
        from bot.ops.publish import publish, render_publish_result

        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await publish(
            self.bot.db, self.bot.config, http=self.bot.http_session, actor=_actor(interaction)
        )
        log.info("%s (%s) published the list: %s", interaction.user, interaction.user.id, result.line())
        await interaction.followup.send(render_publish_result(result), ephemeral=True)

    # ---------------------------------------------------------------------------------------
    # The relevance model

    relevance = app_commands.Group(name="relevance", description="The model that scores new arXiv papers")

    @relevance.command(name="show")
    @moderator_only()
    async def relevance_show(self, interaction: discord.Interaction) -> None:
        """The relevance model's figures, strongest features and versions."""
        await send_payload(interaction, await relevance_handlers.relevance_show(self.bot.db))

    @relevance.command(name="retrain")
    @moderator_only()
    async def relevance_retrain(self, interaction: discord.Interaction) -> None:
        """Retrain from the corpus plus this server's decisions; used only if no worse."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        payload = await relevance_handlers.relevance_retrain(
            self.bot.db, corpus=self.bot.config.relevance.corpus, actor=_actor(interaction)
        )
        log.info("%s (%s) retrained the relevance model", interaction.user, interaction.user.id)
        await send_payload(interaction, payload)

    # ---------------------------------------------------------------------------------------
    # Gates: always / never suggest, applied by the poll before the model

    gate = app_commands.Group(
        name="gate", description="Always or never suggest papers by term, author, org or category"
    )

    @gate.command(name="add")
    @app_commands.describe(
        mode="always: suggest whatever the score; never: never suggest",
        kind="term (title/abstract words), author (full name), org (in abstract/comments), category (e.g. cs.CL)",
        value="The word or phrase, author, organisation or arXiv category",
    )
    @app_commands.choices(mode=GATE_MODE_CHOICES, kind=GATE_KIND_CHOICES)
    @moderator_only()
    async def gate_add(
        self,
        interaction: discord.Interaction,
        mode: str,
        kind: str,
        value: app_commands.Range[str, 1, 200],
    ) -> None:
        """Add a gate: papers it matches are always (or never) suggested, whatever their score."""
        payload = await gate_handlers.gate_add(
            self.bot.db,
            self.bot.config,
            mode,
            kind,
            value,
            set_by=str(interaction.user.id),
            set_by_name=str(interaction.user),
        )
        await send_payload(interaction, payload)

    @gate.command(name="remove")
    @app_commands.describe(
        mode="always or never", kind="term, author, org or category", value="The gate's value"
    )
    @app_commands.choices(mode=GATE_MODE_CHOICES, kind=GATE_KIND_CHOICES)
    @moderator_only()
    async def gate_remove(
        self,
        interaction: discord.Interaction,
        mode: str,
        kind: str,
        value: app_commands.Range[str, 1, 200],
    ) -> None:
        """Remove a gate set with /ptm-admin gate add."""
        payload = await gate_handlers.gate_remove(
            self.bot.db,
            self.bot.config,
            mode,
            kind,
            value,
            removed_by=f"{interaction.user} ({interaction.user.id})",
        )
        await send_payload(interaction, payload)

    @gate_remove.autocomplete("value")
    async def gate_value_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not is_moderator(interaction.user, self.bot.config):  # autocomplete runs no checks
            return []
        gates = await gate_store.list_gates(self.bot.db, self.bot.config.relevance.gates)
        wanted = current.casefold()
        values = dict.fromkeys(
            g.value for g in gates if g.origin == "stored" and wanted in g.value.casefold()
        )
        return [app_commands.Choice(name=v[:100], value=v[:100]) for v in list(values)[:25]]

    @gate.command(name="list")
    @moderator_only()
    async def gate_list(self, interaction: discord.Interaction) -> None:
        """Every gate in force, from the config file and set by moderators, with who set it and when."""
        await send_payload(interaction, await gate_handlers.gate_list(self.bot.db, self.bot.config))

    @relevance.command(name="activate")
    @app_commands.describe(version="The stored version to score with (see /ptm-admin relevance show)")
    @moderator_only()
    async def relevance_activate(
        self, interaction: discord.Interaction, version: app_commands.Range[str, 1, 64]
    ) -> None:
        """Score with a stored version (e.g. one kept aside); the current one is retired."""
        payload = await relevance_handlers.relevance_activate(self.bot.db, version, _actor(interaction))
        log.info("%s (%s) activated relevance model %s", interaction.user, interaction.user.id, version)
        await send_payload(interaction, payload)

    @relevance.command(name="rollback")
    @moderator_only()
    async def relevance_rollback(self, interaction: discord.Interaction) -> None:
        """Go back to the version that was active before the current one (or the shipped model)."""
        payload = await relevance_handlers.relevance_rollback(self.bot.db, _actor(interaction))
        log.info("%s (%s) rolled the relevance model back", interaction.user, interaction.user.id)
        await send_payload(interaction, payload)


def _actor(interaction: discord.Interaction) -> Actor:
    return Actor(interaction.user.id, str(interaction.user), via="command")


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(AdminCog(bot))
