"""The list's free-form tail: blank-line-separated blocks of description lines and URLs."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.catalog.listformat.document import ParseProblem
from bot.catalog.listformat.lines import URL_RE
from bot.catalog.model import DateStyle, Entry, EntryKind, Link

__all__ = ["parse_resource", "resource_name"]

_LABEL_URL_RE = re.compile(r"^(?P<label>.*?)(?P<url>https?://\S+)$")


def resource_name(description: str | None, links: Sequence[Link], lineno: int) -> str:
    text = description or ""
    m = re.search(r"《([^》]+)》", text)
    if m:
        return m.group(1).strip()
    first = text.splitlines()[0].strip() if text else ""
    if first:
        return first[:120]
    if links:
        return links[0].url
    return f"resource at line {lineno}"


def parse_resource(block: list[tuple[int, str]], section: str, problems: list[ParseProblem]) -> Entry:
    desc, links = _read_block(block, problems)
    description = "\n".join(desc) or None
    first_line = block[0][0]
    entry = Entry(
        kind=EntryKind.RESOURCE,
        name=resource_name(description, links, first_line),
        section=section,
        date_style=DateStyle.NONE,
        description=description,
        links=links,
        source_line=first_line,
    )
    if not links:
        problems.append(ParseProblem(first_line, block[0][1], "resource without any URL"))
    return entry


def _read_block(block: list[tuple[int, str]], problems: list[ParseProblem]) -> tuple[list[str], list[Link]]:
    """A block's description lines and its links (a label on its own line before its URL)."""
    desc: list[str] = []
    links: list[Link] = []
    pending_label: str | None = None
    for i, (lineno, raw) in enumerate(block):
        line = raw.strip()
        m = _LABEL_URL_RE.match(line)
        if m and not m.group("label").strip().startswith("《"):
            label = m.group("label") or None
            if pending_label is not None:
                links.append(Link(m.group("url"), pending_label, label_own_line=True))
                pending_label = None
                if label:
                    problems.append(ParseProblem(lineno, raw, "URL has two labels; kept the first"))
            else:
                links.append(Link(m.group("url"), label))
            continue
        next_is_url = i + 1 < len(block) and URL_RE.match(block[i + 1][1].strip()) is not None
        if links or (next_is_url and (line.endswith(("：", ":")))) or pending_label is not None:
            if pending_label is not None:
                problems.append(ParseProblem(lineno, raw, "label without a URL"))
                desc.append(pending_label)
            pending_label = line
        else:
            desc.append(line)
    if pending_label is not None:
        lineno, raw = block[-1]
        problems.append(ParseProblem(lineno, raw, "label without a URL at the end of a block"))
        desc.append(pending_label)
    return desc, links
