"""The stats chart: catalog entries per year, stacked by topic (a PNG made with matplotlib's Agg).

:func:`render_stats_chart` is pure and CPU-bound (it builds a ``Figure`` directly, never pyplot, so
it is safe in a worker thread); :func:`stats_chart_data` gathers the numbers in the caller's
session, and :func:`render_chart_png` draws them in :func:`asyncio.to_thread` after the session is
closed, so the event loop keeps answering and no transaction waits on the drawing.

Each entry is counted once, under its most specific topic (the rarest of its topics in the whole
catalog) among the :data:`MAX_TOPICS` most common ones; the rest go to "other", and entries
without topics to "untagged". So a bar's height is the number of entries of that year (the embed's
"By year"), while the embed's "By topic" counts an entry under each of its topics: the chart says
so, and how many undated entries it leaves out. The year axis is continuous: a year without
entries is an empty place, not skipped (:func:`chart_layout`, the chart's numbers, tested). The
legend sits under the plot in large type, readable when Discord scales the picture to 400 px.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from bot.catalog.topics import topic_label
from bot.words import counted

__all__ = [
    "CHART_FORMATS",
    "MAX_TOPICS",
    "ChartLayout",
    "chart_layout",
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


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """What the chart shows: every year from the first to the last (empty ones included), one
    series per topic (bottom first), each year's total, and the notes under the title."""

    years: list[int] = field(default_factory=list)
    series: list[tuple[str, list[int]]] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def chart_layout(stats_by_year_topic: Mapping[Year, Mapping[str, int]], *, undated: int = 0) -> ChartLayout:
    """The chart's numbers from :func:`stack_by_primary_topic`'s (pure; see the module docstring)."""
    dated = {int(y): counts for y, counts in stats_by_year_topic.items()}
    years = list(range(min(dated), max(dated) + 1)) if dated else []
    totals_by_topic: Counter[str] = Counter()
    for counts in dated.values():
        totals_by_topic.update({t: int(n) for t, n in counts.items()})
    # Biggest topics at the bottom; "other" and "untagged" on top.
    order = [t for t, _ in totals_by_topic.most_common() if t not in (OTHER, UNTAGGED)]
    order += [t for t in (OTHER, UNTAGGED) if totals_by_topic.get(t)]
    series = [(t, [int(dated.get(y, {}).get(t, 0)) for y in years]) for t in order]
    totals = [sum(int(n) for n in dated.get(y, {}).values()) for y in years]
    notes = [
        "each entry once, under its most specific topic",
        "(the counts by topic count every topic of an entry)",
    ]
    if undated:
        notes.append(f"{counted(undated, 'undated entry', 'undated entries')} not shown")
    return ChartLayout(years, series, totals, notes)


def render_stats_chart(
    stats_by_year_topic: Mapping[Year, Mapping[str, int]], fmt: str = "png", *, undated: int = 0
) -> bytes:
    """A stacked bar chart (entries per year, one colour per topic) as PNG (or SVG, PDF) bytes."""
    # Imported here: matplotlib is slow to import and only this function needs it.
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    layout = chart_layout(stats_by_year_topic, undated=undated)
    fig = Figure(figsize=(7, 5.8), dpi=130, layout="constrained")  # 910 px; type sized for 400 px
    ax = fig.subplots()
    bottoms = [0] * len(layout.years)
    cmap = matplotlib.colormaps["tab10"]
    colours = [cmap(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]  # tab10 without its grey ("other" is grey)
    fixed = {OTHER: "#b0b0b0", UNTAGGED: "#dddddd"}
    for index, (topic, heights) in enumerate(layout.series):
        colour = fixed.get(topic, colours[index % len(colours)])  # "other" and "untagged" in greys
        ax.bar(layout.years, heights, bottom=bottoms, label=topic_label(topic), color=colour, width=0.8)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))  # a number line: gaps stay gaps
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=15)
    ax.set_ylabel("entries", fontsize=15)
    fig.suptitle("Catalog entries per year, by topic", fontsize=19)
    ax.set_title("\n".join(layout.notes), fontsize=12, color="#444444")
    ax.spines[["top", "right"]].set_visible(False)
    if layout.series:
        fig.legend(
            loc="outside lower center",
            ncols=3,
            fontsize=14,
            frameon=False,
            handlelength=1.2,
            columnspacing=1.2,
        )
    if not layout.years:
        ax.text(0.5, 0.5, "no dated entries", ha="center", va="center", transform=ax.transAxes, fontsize=15)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


async def render_chart_png(
    data: Mapping[Year, Mapping[str, int]], fmt: str = "png", *, undated: int = 0
) -> bytes:
    """Draw :func:`bot.catalog.chart_data.stats_chart_data`'s numbers off the event loop; no database session is held.
    *fmt* is one of :data:`CHART_FORMATS` (PNG unless asked); *undated* entries are named in a note."""
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    return await asyncio.to_thread(lambda: render_stats_chart(data, fmt, undated=undated))
