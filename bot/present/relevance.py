"""Pure renderers for the relevance model: ``/ptm-admin relevance show`` / ``retrain`` and the CLI."""

from __future__ import annotations

from typing import Any

import discord

from bot.present.render import MessagePayload, fit_embed, safe, truncate
from bot.relevance.store import ModelSummary, RetrainResult

__all__ = [
    "metrics_lines",
    "render_relevance_summary",
    "render_retrain_result",
    "retrain_text",
    "summary_text",
]

_SLICES = (("abstract", "with abstract"), ("title_only", "title only"), ("days", "real arXiv days"))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def metrics_lines(metrics: dict[str, Any]) -> list[str]:
    """One line per slice of the frozen test split, with its counts."""
    lines = []
    for key, label in _SLICES:
        s = metrics.get(key)
        if not s:
            continue
        line = (
            f"{label}: recall {_pct(s.get('recall'))} of {s['positives']}, "
            f"false positives {_pct(s.get('fpr_clear'))} of {s['clear_negatives']} clear negatives, "
            f"borderline flagged {_pct(s.get('borderline_flag_rate'))} of {s['borderline_negatives']}, "
            f"precision {_pct(s.get('precision'))} of {s['flagged']} flagged"
        )
        if key == "days" and s.get("core") is not None:
            line += f", core recall {_pct(s.get('core_recall'))} of {s['core']}"
        lines.append(line)
    return lines


def _features(pairs: list[tuple[str, float]] | list[list[Any]]) -> str:
    return ", ".join(f"{f} {float(w):+.1f}" for f, w in pairs) or "none"


def summary_text(s: ModelSummary) -> str:
    """The terminal form of ``ptm-bot relevance show``."""
    out = [f"relevance model {s.version} ({s.source}); {s.decisions} moderator decisions stored"]
    lines = metrics_lines(s.metrics)
    out.append("frozen test split:" if lines else "frozen test split: no figures stored with this model")
    out.extend(f"  {line}" for line in lines)
    for part, label in (("with_abstract", "with abstract"), ("title_only", "title only")):
        out.append(f"strongest features ({label}):")
        out.append(f"  for:     {_features(s.strongest[part]['positive'])}")
        out.append(f"  against: {_features(s.strongest[part]['negative'])}")
    if s.history:
        out.append("versions:")
        out.extend(f"  {h['version']}  {h['status']:<10}  {h['note']}" for h in s.history[:10])
    return "\n".join(out)


def render_relevance_summary(s: ModelSummary) -> MessagePayload:
    embed = discord.Embed(
        title=truncate(f"Relevance model {s.version}", 256),
        description=f"{'stored in the database' if s.source == 'database' else 'shipped with the bot'}; "
        f"{s.decisions} moderator decisions stored",
    )
    lines = metrics_lines(s.metrics)
    embed.add_field(
        name="Frozen test split", value=truncate("\n".join(lines) or "no figures", 1024), inline=False
    )
    for part, label in (("with_abstract", "with abstract"), ("title_only", "title only")):
        embed.add_field(
            name=f"Strongest features ({label})",
            value=truncate(
                safe(
                    f"for: {_features(s.strongest[part]['positive'][:5])}\n"
                    f"against: {_features(s.strongest[part]['negative'][:5])}"
                ),
                1024,
            ),
            inline=False,
        )
    if s.history:
        embed.add_field(
            name="Versions",
            value=truncate(
                "\n".join(safe(f"{h['version']} · {h['status']} · {h['note']}") for h in s.history[:5]), 1024
            ),
            inline=False,
        )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)


def retrain_text(r: RetrainResult) -> str:
    head = "activated" if r.activated else "kept aside"
    out = [
        f"relevance model {r.version}: {head} ({r.items} training items, {r.decisions} of them your decisions)",
        f"  {r.reason}",
    ]
    out.extend(f"  {line}" for line in metrics_lines(r.metrics))
    return "\n".join(out)


def render_retrain_result(r: RetrainResult) -> MessagePayload:
    embed = discord.Embed(
        title=truncate(f"Relevance model {r.version}: {'activated' if r.activated else 'kept aside'}", 256),
        description=truncate(
            safe(f"{r.reason}\n{r.items} training items, {r.decisions} of them this server's decisions."), 4096
        ),
    )
    embed.add_field(
        name="Frozen test split", value=truncate("\n".join(metrics_lines(r.metrics)) or "no figures", 1024),
        inline=False,
    )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)
