"""Pure renderers for moderators' gates (``/ptm-admin gate ...``, ``ptm-bot gate ...``)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.present.render import MessagePayload, fit_embed, safe, truncate_lines
from bot.relevance.gates import Gate

__all__ = ["gate_line", "render_gate_added", "render_gate_list", "render_gate_removed"]

_MODE_TITLE = {
    "always": "Always suggest (whatever the score)",
    "never": "Never suggest (whatever the score)",
}


def _who(gate: Gate) -> str:
    if gate.origin == "config":
        return "config file"
    if gate.set_by.isdigit():  # a Discord user: name and id as text (a mention would be a ping risk)
        who = f"{gate.set_by_name} ({gate.set_by})" if gate.set_by_name else gate.set_by
    else:
        who = gate.set_by
    when = f", {gate.set_at:%Y-%m-%d %H:%M} UTC" if gate.set_at else ""
    return f"{who}{when}"


def gate_line(gate: Gate) -> str:
    """``author 'Kaiming He' — mod (123…), 2026-12-07 10:00 UTC`` (external text escaped)."""
    return f"{gate.kind} '{safe(gate.value)}' — {safe(_who(gate))}"


def render_gate_list(gates: Sequence[Gate]) -> MessagePayload:
    """Every gate in force, by mode, each with where it comes from (the config file or who set it)."""
    if not gates:
        return MessagePayload(
            content="No gates: the model alone decides what is suggested. "
            "Add one with /ptm-admin gate add (or [relevance.gates] in the config file).",
            ephemeral=True,
        )
    embed = discord.Embed(
        title="Relevance gates",
        description=f"{len(gates)} gate(s), applied by every poll before the model.",
    )
    for mode in ("never", "always"):
        lines = [f"• {gate_line(g)}" for g in gates if g.mode == mode]
        if lines:
            embed.add_field(
                name=_MODE_TITLE[mode], value=truncate_lines("\n".join(lines), 1024), inline=False
            )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)


def render_gate_added(gate: Gate) -> MessagePayload:
    effect = (
        "papers it matches are suggested whatever their score (still scored and ranked)"
        if gate.mode == "always"
        else "papers it matches are never suggested"
    )
    return MessagePayload(
        content=f"Gate added: **{safe(gate.label)}**: {effect}, from the next poll on.", ephemeral=True
    )


def render_gate_removed(gate: Gate) -> MessagePayload:
    return MessagePayload(
        content=f"Gate removed: **{safe(gate.label)}** (set by {safe(_who(gate))}).", ephemeral=True
    )
