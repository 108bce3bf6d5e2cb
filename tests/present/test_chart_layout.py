"""The /ptm stats chart's numbers (issue 21): a continuous year axis, bar totals that are the embed's
"By year", a note saying how topics are counted and how many undated entries are left out."""

from __future__ import annotations

from bot.catalog.queries.stats import stats
from bot.present.charts import chart_layout, render_stats_chart


def test_years_are_continuous_and_totals_are_per_year() -> None:
    data = {2016: {"speech": 2, "vision": 1}, 2019: {"speech": 3, "other": 1}, 2022: {"survey": 2}}
    layout = chart_layout(data, undated=1)
    assert layout.years == [2016, 2017, 2018, 2019, 2020, 2021, 2022]  # empty years keep their place
    assert layout.totals == [3, 0, 0, 4, 0, 0, 2]
    assert [topic for topic, _ in layout.series] == ["speech", "survey", "vision", "other"]
    for _, heights in layout.series:
        assert len(heights) == len(layout.years)
    assert [sum(column) for column in zip(*(h for _, h in layout.series), strict=True)] == layout.totals
    assert layout.notes[-1] == "1 undated entry not shown"
    assert "most specific topic" in layout.notes[0]
    assert render_stats_chart(data, undated=1).startswith(b"\x89PNG")


def test_empty_catalog_has_no_years() -> None:
    layout = chart_layout({})
    assert (layout.years, layout.series, layout.totals) == ([], [], [])
    assert not any("undated" in note for note in layout.notes)


async def test_the_shipped_catalogs_chart_matches_the_embeds_counts(db) -> None:
    found = await db.read(stats, chart=True)  # the read /ptm stats makes
    numbers = found.numbers
    assert found.chart is not None
    layout = chart_layout(found.chart, undated=numbers["undated"])
    by_year = {int(y): n for y, n in numbers["years"].items()}
    assert dict(zip(layout.years, layout.totals, strict=True)) == {
        y: by_year.get(y, 0) for y in range(min(by_year), max(by_year) + 1)
    }
    assert sum(layout.totals) + numbers["undated"] == numbers["total"]
    assert f"{numbers['undated']} undated entries not shown" in layout.notes
