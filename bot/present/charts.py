"""The stats chart: catalog entries per year, stacked by topic (a PNG made with matplotlib's Agg).

:func:`render_stats_chart` is pure and CPU-bound (it builds a ``Figure`` directly, never pyplot, so
it is safe in a worker thread); :func:`stats_chart_data` gathers the numbers in the caller's
session, and :func:`render_chart_png` draws them in :func:`asyncio.to_thread` after the session is
closed, so the event loop keeps answering and no transaction waits on the drawing.

Each entry is counted once, under its most specific topic (the rarest of its topics in the whole
catalog) among the :data:`MAX_TOPICS` most common ones; the rest go to "other", and entries
without topics to "untagged". So a bar's height is the number of entries of that year.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TypeVar

from bot.catalog.topics import topic_label

__all__ = [
    "CHART_FORMATS",
    "MAX_TOPICS",
    "render_chart_png",
    "render_stats_chart",
    "stack_by_primary_topic",
]

log = logging.getLogger(__name__)

MAX_TOPICS = 9
# A chart's year: a number, or the string a JSON round trip leaves.
Year = TypeVar("Year", int, str)
CHART_FORMATS = ("png", "svg", "pdf")  # what --chart writes, chosen by the file's extension
OTHER = "other"
UNTAGGED = "untagged"


def stack_by_primary_topic(
    rows: Iterable[tuple[int, int, str | None]], *, max_topics: int = MAX_TOPICS
) -> dict[int, dict[str, int]]:
    """``{year: {topic: entries}}`` with every entry counted once (see the module docstring)."""
    topics_of: dict[int, set[str]] = defaultdict(set)
    year_of: dict[int, int] = {}
    for entry_id, year, topic in rows:
        year_of[entry_id] = year
        if topic:
            topics_of[entry_id].add(topic)
    popularity = Counter(t for ts in topics_of.values() for t in ts)
    shown = {t for t, _ in popularity.most_common(max_topics)}
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry_id, year in year_of.items():
        mine = topics_of.get(entry_id)
        if not mine:
            label = UNTAGGED
        else:
            candidates = sorted((t for t in mine if t in shown), key=lambda t: (popularity[t], t))
            label = candidates[0] if candidates else OTHER
        out[year][label] += 1
    return {year: dict(counts) for year, counts in sorted(out.items())}


def render_stats_chart(stats_by_year_topic: Mapping[Year, Mapping[str, int]], fmt: str = "png") -> bytes:
    """A stacked bar chart (entries per year, one colour per topic) as PNG (or SVG, PDF) bytes."""
    # Imported here: matplotlib is slow to import and only this function needs it.
    import matplotlib
    from matplotlib.figure import Figure

    years = sorted(stats_by_year_topic, key=lambda y: int(y))
    totals: Counter[str] = Counter()
    for counts in stats_by_year_topic.values():
        totals.update(counts)
    # Biggest topics at the bottom; "other" and "untagged" on top.
    order = [t for t, _ in totals.most_common() if t not in (OTHER, UNTAGGED)]
    order += [t for t in (OTHER, UNTAGGED) if totals.get(t)]

    fig = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    ax = fig.subplots()
    xs = list(range(len(years)))
    bottoms = [0] * len(years)
    cmap = matplotlib.colormaps["tab10"]
    colours = [cmap(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]  # tab10 without its grey ("other" is grey)
    palette = [colours[i % len(colours)] for i in range(len(order))]
    fixed = {OTHER: "#b0b0b0", UNTAGGED: "#dddddd"}
    for colour, topic in zip(palette, order, strict=True):
        heights = [int(stats_by_year_topic[y].get(topic, 0)) for y in years]
        bar_colour = fixed.get(topic, colour)  # "other" and "untagged" in greys
        ax.bar(xs, heights, bottom=bottoms, label=topic_label(topic), color=bar_colour, width=0.8)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_xticks(xs, [str(y) for y in years])
    ax.set_ylabel("entries")
    ax.set_title("Catalog entries per year, by topic")
    ax.spines[["top", "right"]].set_visible(False)
    if order:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    if not years:
        ax.text(0.5, 0.5, "no dated entries", ha="center", va="center", transform=ax.transAxes)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


async def render_chart_png(data: Mapping[Year, Mapping[str, int]], fmt: str = "png") -> bytes:
    """Draw :func:`bot.catalog.chart_data.stats_chart_data`'s numbers off the event loop; no database session is held.
    *fmt* is one of :data:`CHART_FORMATS` (PNG unless asked)."""
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    return await asyncio.to_thread(render_stats_chart, data, fmt)
