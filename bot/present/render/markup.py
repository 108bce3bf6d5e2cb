"""External text made safe for a message: markdown and mentions escaped (:func:`safe`), links
(:func:`link`, :func:`clean_url`), authors and topics shortened to a line; the embeds' colour."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import discord

from bot.catalog.topics import topic_label

__all__ = ["COLOUR", "SHOWN_AUTHORS", "clean_url", "link", "safe", "short_authors", "topic_names"]

COLOUR = discord.Colour(0x3B82F6)
SHOWN_AUTHORS = 3


def safe(text: str | None) -> str:
    """Escape markdown and neutralise @everyone/@here/user/role mentions in external text."""
    if not text:
        return ""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


_URL_OK = re.compile(r"^https?://[^\s<>\"]+$")


def clean_url(url: str | None) -> str | None:
    """*url* if Discord would accept it in a link or an embed's ``url``; otherwise ``None``."""
    if not url:
        return None
    url = url.strip()
    if not _URL_OK.match(url) or len(url) > 2000:
        return None
    return url


_BARE_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


def link(text: str, url: str | None) -> str:
    """A markdown link with escaped text (or just the escaped text when the URL is unusable)."""
    # Brackets end the link text: escape those that safe() left bare (it escapes a "[" that
    # starts a markdown link itself, and escaping that one again would show a backslash).
    shown = _BARE_BRACKET.sub(r"\1\\\2", safe(text))
    target = clean_url(url)
    if target is None:
        return shown
    target = target.replace("(", "%28").replace(")", "%29")
    return f"[{shown}]({target})"


def short_authors(authors: Sequence[str], shown: int = SHOWN_AUTHORS) -> str:
    """``A, B, C et al. (12 authors)``: the first few names, then a count."""
    names = [a for a in authors if a]
    if not names:
        return ""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} et al. ({len(names)} authors)"


def topic_names(slugs: Iterable[str]) -> str:
    return ", ".join(safe(topic_label(s)) for s in slugs)
