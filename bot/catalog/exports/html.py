"""``html``: the catalog as ONE self-contained page (inline style and script, nothing fetched),
by section, with a search box and topic buttons (:mod:`.html_assets`), readable on a phone.

Every text from the catalog is HTML-escaped (titles carry ``<``, ``&`` and quotes); a link is
kept only when it is http(s) (a ``javascript:`` URL in a list is text, never a link).
"""

from __future__ import annotations

from collections import Counter
from html import escape

from bot.catalog.exports.data import CatalogExport, StampedEntry, by_section, paper_link
from bot.catalog.exports.html_assets import PAGE_SCRIPT, PAGE_STYLE
from bot.catalog.listformat.document import Section
from bot.catalog.listformat.lines import full_paper_title
from bot.catalog.model import Entry
from bot.catalog.topics import topic_label

__all__ = ["render_html", "safe_url"]


def _e(text: str) -> str:
    return escape(text, quote=True)


def safe_url(url: str | None) -> str | None:
    """*url* when it is an http(s) URL, else ``None`` (never a ``javascript:`` or ``data:`` link)."""
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


def _a(url: str | None, text: str, cls: str = "") -> str:
    href = safe_url(url)
    attr = f' class="{cls}"' if cls else ""
    if href is None:
        return f"<span{attr}>{_e(text)}</span>"
    return f'<a{attr} href="{_e(href)}" rel="noopener">{_e(text)}</a>'


def _haystack(entry: Entry) -> str:
    parts = [entry.name, *entry.aliases, full_paper_title(entry) or "", *entry.authors, entry.org or ""]
    parts += [
        *entry.topics,
        *(topic_label(t) for t in entry.topics),
        entry.description or "",
        entry.date or "",
    ]
    return " ".join(" ".join(parts).split()).lower()


def _entry(stamped: StampedEntry) -> str:
    entry = stamped.entry
    lines = []
    head = [_a(entry.docs_url or paper_link(entry), entry.name, "name")]
    if entry.date:
        head.insert(0, f'<span class="date">{_e(entry.date)}</span>')
    if entry.org:
        head.append(f'<span class="org">from {_e(entry.org)}</span>')
    lines.append(" ".join(head))
    title = full_paper_title(entry)
    if title and title != entry.name:
        lines.append(f'<div class="paper">{_a(paper_link(entry), title)}</div>')
    if entry.authors:
        lines.append(f'<div class="authors">{_e(", ".join(entry.authors))}</div>')
    if entry.description and entry.description != entry.name:
        lines.append(f'<div class="description">{_e(entry.description)}</div>')
    for link in entry.links:
        lines.append(f'<div class="link">{_a(link.url, link.label or link.url)}</div>')
    if entry.topics:
        tags = "".join(f'<span class="tag">{_e(topic_label(t))}</span>' for t in entry.topics)
        lines.append(f'<div class="tags">{tags}</div>')
    attrs = f'data-topics="{_e(" ".join(entry.topics))}" data-text="{_e(_haystack(entry))}"'
    return f'<li class="entry" {attrs}>\n' + "\n".join(lines) + "\n</li>"


def _section(index: int, section: Section, items: list[StampedEntry]) -> str:
    level = 3 if section.level >= 3 else 2
    title = section.title or section.key or "Resources"
    out = [f'<section class="catalog-section" id="section-{index}">', f"<h{level}>{_e(title)}</h{level}>"]
    if section.intro:
        out.append(f'<p class="intro">{_e(section.intro)}</p>')
    if items:
        out.append('<ul class="entries">')
        out.extend(_entry(s) for s in items)
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def _topic_buttons(export: CatalogExport) -> str:
    counts = Counter(t for s in export.entries for t in s.entry.topics)
    buttons = [
        f'<button type="button" class="topic" data-topic="{_e(slug)}" aria-pressed="false">'
        f"{_e(topic_label(slug))} <small>{n}</small></button>"
        for slug, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return '<div id="topics" role="group" aria-label="Topics">' + "".join(buttons) + "</div>"


def render_html(export: CatalogExport) -> str:
    """The page (UTF-8 text)."""
    title = export.title or "ptm-bot catalog"
    total = len(export.entries)
    sections = [_section(i, s, items) for i, (s, items) in enumerate(by_section(export))]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="ptm-bot">',
            f"<title>{_e(title)}</title>",
            f"<style>{PAGE_STYLE}</style>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{_e(title)}</h1>",
            '<input id="q" type="search" autocomplete="off" placeholder="Search names, papers, authors, '
            'organisations" aria-label="Search the catalog">',
            _topic_buttons(export),
            f'<p class="count"><span id="shown">{total}</span> of {total} entries</p>',
            "</header>",
            "<main>",
            *sections,
            '<p id="none" hidden>No entry matches.</p>',
            "</main>",
            f"<footer>{total} entries, exported by ptm-bot.</footer>",
            f"<script>{PAGE_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )
