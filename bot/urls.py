"""Is this an http(s) URL a client can fetch? One answer for the config's URL keys, ``poll --feed``
and a moderator's edit of an entry's links (pure: :mod:`urllib.parse` only, cheap to import)."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["NOT_HTTP", "http_url_problem"]

NOT_HTTP = "not an http(s) URL"


def http_url_problem(url: str) -> str | None:
    """Why *url* is not an http(s) URL with a host that parses (``None``: it is one): :data:`NOT_HTTP`,
    the parser's complaint (``Invalid IPv6 URL``, ``Port out of range 0-65535``), or ``no host``."""
    if not url.lower().startswith(("http://", "https://")):
        return NOT_HTTP
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parsed on access: out of range raises)
    except ValueError as exc:
        return str(exc)
    if not parts.hostname:
        return "no host"
    return None
