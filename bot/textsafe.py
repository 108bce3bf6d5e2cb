"""Control characters out of text that reaches a terminal or the catalog.

A list file (or a file name) can carry terminal control bytes: an ESC sequence that retitles the
operator's terminal, clears the screen or hides a line. :func:`strip_controls` removes them from a
line of text to be stored (whole escape sequences, then any other control character but the tab);
:func:`escape_controls` shows them escaped (``\\x1b``) in a line printed as it is (a path, a message).
The bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) count as control characters:
they reorder what a terminal or Discord shows ("Trojan Source"), so a name could read as another.
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "has_controls", "strip_controls"]

# C0 (but the tab), DEL and C1: Unicode's "Cc" category, what a terminal acts on; and the bidi
# controls (ALM, LRM, RLM, the embeddings and overrides LRE..RLO, the isolates LRI..PDI), which reorder
# the text shown. Other format characters stay: the zero-width joiners are part of scripts and emoji.
_CONTROL = "\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
# Whole escape sequences first, so that no printable remainder ("[31m", "]0;title") is left behind:
# CSI (ESC [ or U+009B ... final byte), OSC / DCS / SOS / PM / APC up to their terminator, else ESC and
# the bytes of a short sequence (ESC 7, ESC ( B).
_ESCAPE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)


def has_controls(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def strip_controls(text: str) -> str:
    """*text* without escape sequences and control characters (the tab kept)."""
    if not has_controls(text):
        return text
    return _CONTROL_RE.sub("", _ESCAPE_RE.sub("", text))


def escape_controls(text: str) -> str:
    """*text* with each control character but the tab shown as an escape (``\\x1b``, ``\\n``)."""
    if not has_controls(text):
        return text
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
