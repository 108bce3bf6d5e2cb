"""Text rendering: a payload as the terminal shows it (what ``ptm-bot ask`` prints)."""

from __future__ import annotations

import re

from bot.present.render.payload import MessagePayload

__all__ = ["render_text"]

_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((\S+?)\)")
_ESCAPE = re.compile(r"\\([\\*_`~|>\[\]()#@<:-])")


def _plain(text: str) -> str:
    """Markdown as a terminal shows it: links as ``text <url>``, escapes and zero-width spaces removed."""
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2).replace('%28', '(').replace('%29', ')')}>", text)
    text = text.replace("**", "")
    text = _ESCAPE.sub(r"\1", text)
    return text.replace("\u200b", "")


def render_text(payload: MessagePayload) -> str:
    """A readable, plain-text rendering of *payload*: content, then each embed, then attachments."""
    out: list[str] = []
    if payload.content:
        out.append(_plain(payload.content))
    for embed in payload.embeds:
        if out:
            out.append("")
        if embed.title:
            title = _plain(embed.title)
            out.append(f"{title} <{embed.url}>" if embed.url else title)
            out.append("=" * min(len(title), 72))
        if embed.description:
            out.append(_plain(embed.description))
        for f in embed.fields:
            value = _plain(f.value or "")
            name = _plain(f.name or "")
            if "\n" in value or not name.strip():
                out.append(f"{name}:" if name.strip() else "")
                out.extend("  " + line for line in value.splitlines())
            else:
                out.append(f"{name}: {value}")
        if embed.image and embed.image.url:
            out.append(f"[image: {embed.image.url}]")
        if embed.footer and embed.footer.text:
            out.append(f"-- {_plain(embed.footer.text)}")
    for attachment in payload.files:
        out.append(f"[attachment: {attachment.filename}, {len(attachment.data)} bytes]")
    if payload.vote_entry_id is not None:
        out.append("[\N{THUMBS UP SIGN} Vote button in Discord]")
    if payload.links:
        out.append("[buttons: " + ", ".join(f"{label} <{url}>" for label, url in payload.links) + "]")
    if payload.actions:
        out.append("[buttons in Discord: " + ", ".join(label for label, _ in payload.actions) + "]")
    if payload.page_count > 1:
        out.append(f"[page {payload.page + 1}/{payload.page_count}: Prev/Next buttons in Discord]")
    if payload.ephemeral:
        out.append("(only you can see this)")
    return "\n".join(out).strip("\n")
