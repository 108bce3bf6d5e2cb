"""Pure renderers for the relevance model: ``/ptm-admin relevance show`` / ``retrain`` and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord

from bot.present.render import MessagePayload, fit_embed, safe, truncate
from bot.words import counted

if TYPE_CHECKING:
    from bot.relevance.store import ModelSummary, RetrainResult, VersionChange

__all__ = [
    "metrics_lines",
    "render_relevance_summary",
    "render_retrain_result",
    "render_version_change",
    "retrain_text",
    "summary_text",
    "version_change_text",
]

_SLICES = (("abstract", "with abstract"), ("title_only", "title only"), ("days", "real arXiv days"))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def metrics_lines(metrics: Mapping[str, Any]) -> list[str]:
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
    out = [f"relevance model {s.version} ({s.source}); {counted(s.decisions, 'moderator decision')} stored"]
    lines = metrics_lines(s.metrics)
    out.append("frozen test split:" if lines else "frozen test split: no figures stored with this model")
    out.extend(f"  {line}" for line in lines)
    for part, label in (("with_abstract", "with abstract"), ("title_only", "title only")):
        out.append(f"strongest features ({label}):")
        out.append(f"  for:     {_features(s.strongest[part]['positive'])}")
        out.append(f"  against: {_features(s.strongest[part]['negative'])}")
    if s.history:
        out.append("versions:")
        out.extend(f"  {_history_line(h)}" for h in s.history[:10])
    return "\n".join(out)


def render_relevance_summary(s: ModelSummary) -> MessagePayload:
    embed = discord.Embed(
        title=truncate(f"Relevance model {s.version}", 256),
        description=f"{'stored in the database' if s.source == 'database' else 'shipped with the bot'}; "
        f"{counted(s.decisions, 'moderator decision')} stored",
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
            value=truncate("\n".join(safe(_history_line(h, sep=" · ")) for h in s.history[:5]), 1024),
            inline=False,
        )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)


def _history_line(h: dict[str, Any], sep: str = "  ") -> str:
    """A version: its status, which check kept it aside (if one did), the note, the last change."""
    status = h["status"].replace("_", " ")
    if h["status"] == "kept_aside" and h.get("failed"):
        status += f" (failed: {', '.join(h['failed'])})"
    line = sep.join((h["version"], status, h.get("note") or ""))
    if h.get("last_change"):
        line += f"{sep}{h['last_change']}"
    return line


def version_change_text(c: VersionChange) -> str:
    what = "activated" if c.action == "activate" else "rolled back"
    shipped = " (the shipped model)" if c.source == "shipped" else ""
    return f"Relevance model {what}: {c.version}{shipped} now scores new papers (was {c.previous}); {c.note}."


def render_version_change(c: VersionChange) -> MessagePayload:
    return MessagePayload(content=safe(version_change_text(c)), ephemeral=True)


def retrain_text(r: RetrainResult) -> str:
    head = "activated" if r.activated else "kept aside"
    if r.dry_run:
        head = f"would be {head} (dry run: nothing stored)"
    out = [
        f"relevance model {r.version}: {head} ({r.items} training items, {r.decisions} of them your decisions)",
        f"  {r.reason}",
    ]
    out.extend(f"  {line}" for line in check_lines(r))
    out.extend(f"  {line}" for line in metrics_lines(r.metrics))
    return "\n".join(out)


def _pair(pair: list[Any] | None, fmt: str = "{:.2f}") -> str:
    new, old = pair or (None, None)
    shown = ["n/a" if v is None else fmt.format(v) for v in (new, old)]
    return f"{shown[0]} vs {shown[1]}"


def check_lines(r: RetrainResult) -> list[str]:
    """The guard's checks (new vs current), and per scored group (each whole day) its figures."""
    lines = []
    for c in r.checks:
        mark = {True: "passed", False: "FAILED", None: "skipped"}[c.get("passed")]
        lines.append(f"check {c['name']}: {mark}")
        for g in c.get("groups") or []:
            lines.append(
                f"  {g['group']} ({g['n']} papers, {g['positives']} positive): quality {_pair(g['quality'])}, "
                f"recall {_pair(g['recall'])}, precision {_pair(g['precision'])}, "
                f"flagged {_pair(g['flagged'], '{}')}"
            )
    return lines


def render_retrain_result(r: RetrainResult) -> MessagePayload:
    embed = discord.Embed(
        title=truncate(f"Relevance model {r.version}: {'activated' if r.activated else 'kept aside'}", 256),
        description=truncate(
            safe(f"{r.reason}\n{r.items} training items, {r.decisions} of them this server's decisions."),
            4096,
        ),
    )
    embed.add_field(
        name="Frozen test split",
        value=truncate("\n".join(metrics_lines(r.metrics)) or "no figures", 1024),
        inline=False,
    )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)
