from __future__ import annotations

import io
import logging
import time
from datetime import UTC, datetime

import feedparser
import pytest

from bot.watch.arxiv import FeedError, FeedPaper, ParsedFeed, parse_feed
from support.feedgen import generate_rss2_feed, rss2_to_atom_twin
from tests.plugins.feeds import FEEDS


def _parse(name: str) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes())


def _by_id(feed: ParsedFeed) -> dict[str, FeedPaper]:
    return {p.arxiv_id: p for p in feed.papers}


# --- the real documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("rss2-cs.CL-2026-04-27-trimmed.xml", "rss2", 3),
        ("rss2-cs.LG-2026-04-27-trimmed.xml", "rss2", 3),
        ("rss2-cs.AI-2026-04-27-trimmed.xml", "rss2", 3),
        ("rss2-cs-2026-03-29-empty-weekend.xml", "rss2", 0),
        ("rssatom-cs-2025-11-23-empty-weekend.xml", "atom", 0),
        ("rssatom-cs.CL-2026-04-27-mapped-from-rss2.xml", "atom", 3),
        ("apiatom-new-cs.LG_OR_cs.AI-2026-04-30.xml", "api", 20),
        ("apiatom-new-math.NT_OR_math.AG-2026-06-29.xml", "api", 5),
        ("apiatom-new-math.NT_OR_math.AG-2026-06-24.xml", "api", 3),
        ("apiatom-old-all_Einstein-2018-02-05.xml", "api", 10),
        ("apiatom-old-id_1301.7746-2013-02-02.xml", "api", 1),
        ("apiatom-old-id_1601.00001-2020-09-04.xml", "api", 1),
    ],
)
def test_every_fixture_parses(name: str, fmt: str, count: int) -> None:
    feed = _parse(name)
    assert feed.format == fmt
    assert len(feed.papers) == count
    assert feed.skipped == ()
    for paper in feed.papers:
        assert paper.url == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert paper.title and paper.title == " ".join(paper.title.split())
        assert (
            paper.abstract
            and "Announce Type" not in paper.abstract
            and not paper.abstract.startswith("Abstract")
        )
        assert paper.authors and all(a == " ".join(a.split()) for a in paper.authors)
        assert paper.categories and paper.primary_category == paper.categories[0]
        assert paper.announce_type in {"new", "cross", "replace", "replace-cross"}
        assert paper.published is not None and paper.published.tzinfo is not None


def test_rss2_cs_cl_items() -> None:
    feed = _parse("rss2-cs.CL-2026-04-27-trimmed.xml")
    assert [p.arxiv_id for p in feed.papers] == ["2604.22002", "2604.22027", "2604.22038"]
    first = feed.papers[0]
    assert first.version == 1
    assert first.announce_type == "new"
    # dc:creator is one string with a doubled space before "Deepti".
    assert first.authors == ("Anamta Khan", "Ratna Kandala", "Deepti", "Sheza Munir", "Joyojeet Pal")
    assert first.categories == ("cs.CL",)
    assert first.abstract.startswith("Social media platforms have become primary channels")
    assert first.published == datetime(2026, 4, 27, 4, 0, tzinfo=UTC)
    second = feed.papers[1]
    assert second.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert second.primary_category == "cs.CL"
    assert len(second.authors) == 8


def test_rss2_cs_lg_and_ai_items() -> None:
    lg = _by_id(_parse("rss2-cs.LG-2026-04-27-trimmed.xml"))
    assert set(lg) == {"2604.21952", "2604.21953", "2604.21956"}
    assert lg["2604.21952"].categories == ("cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO")
    assert lg["2604.21956"].authors[0] == "Michal Valko"
    ai = _by_id(_parse("rss2-cs.AI-2026-04-27-trimmed.xml"))
    assert ai["2604.21936"].categories == ("cs.AI", "cs.CV", "cs.MA")
    assert ai["2604.21935"].title.startswith("Math Takes Two")


def test_atom_twin_matches_rss2() -> None:
    rss = _parse("rss2-cs.CL-2026-04-27-trimmed.xml")
    atom = _parse("rssatom-cs.CL-2026-04-27-mapped-from-rss2.xml")
    assert atom.papers == rss.papers


def test_api_new_layout() -> None:
    papers = _by_id(_parse("apiatom-new-cs.LG_OR_cs.AI-2026-04-30.xml"))
    tide = papers["2604.26951"]
    assert tide.title.startswith("Turning the TIDE")
    # entry.author is only the last author; all four must be there.
    assert tide.authors == ("Gongbo Zhang", "Wen Wang", "Ye Tian", "Li Yuan")
    assert tide.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert tide.primary_category == "cs.CL"
    assert tide.version == 1 and tide.announce_type == "new"
    assert tide.comment is not None and "github.com/PKU-YuanGroup/TIDE" in tide.comment
    assert tide.published == datetime(2026, 4, 29, 17, 59, 1, tzinfo=UTC)
    # The primary category is put first even when it is not the first <category>.
    assert papers["2604.26932"].categories == ("math.OC", "cs.LG")


def test_api_classic_layout_old_ids_versions_and_msc_terms() -> None:
    papers = _by_id(_parse("apiatom-old-all_Einstein-2018-02-05.xml"))
    assert "math/0502287" in papers
    assert papers["math/0502287"].url == "https://arxiv.org/abs/math/0502287"
    # "53C30; 53C25" / "53D10, 53D15" are MSC classes, not arXiv categories.
    assert papers["0802.2137"].categories == ("math.DG",)
    assert papers["1801.05533"].categories == ("math.DG",)
    assert papers["0802.2137"].version == 3
    assert papers["0802.2137"].announce_type == "new"  # the API is a backfill: no announcements
    assert papers["0808.2097"].categories == ("math.DG", "math-ph", "math.MP")
    assert papers["0808.2097"].authors == ("A. Rod Gover", "Felipe Leitner")
    single = _parse("apiatom-old-id_1601.00001-2020-09-04.xml").papers[0]
    assert single.primary_category == "cond-mat.mes-hall"
    assert (
        single.title == "Inelastic effects in molecular transport junctions: The probe technique at high bias"
    )
    assert "\n" not in single.abstract


def test_empty_weekend_feeds_are_not_errors() -> None:
    for name in ("rss2-cs-2026-03-29-empty-weekend.xml", "rssatom-cs-2025-11-23-empty-weekend.xml"):
        feed = _parse(name)
        assert feed.papers == () and feed.skipped == ()


# --- generated documents -------------------------------------------------------------------------


def test_generated_mix_of_announce_types() -> None:
    feed = parse_feed(generate_rss2_feed(200, seed=7, category="cs.CL"))
    assert len(feed.papers) == 200
    kinds = {p.announce_type for p in feed.papers}
    assert kinds == {"new", "cross", "replace", "replace-cross"}
    for paper in feed.papers:
        if paper.announce_type in ("cross", "replace-cross"):
            # A cross-list in the cs.CL feed has another primary category, listed first.
            assert paper.primary_category != "cs.CL"
            assert "cs.CL" in paper.categories
        if paper.announce_type.startswith("replace"):
            assert paper.version is not None and paper.version >= 2
        else:
            assert paper.version == 1


def test_generated_atom_twin_round_trip() -> None:
    rss = generate_rss2_feed(50, seed=2)
    assert parse_feed(rss2_to_atom_twin(rss)).papers == parse_feed(rss).papers


def test_duplicate_items_are_merged() -> None:
    feed = parse_feed(generate_rss2_feed(30, seed=1, duplicates=5))
    ids = [p.arxiv_id for p in feed.papers]
    assert len(ids) == len(set(ids)) == 30
    raw = feedparser.parse(io.BytesIO(generate_rss2_feed(30, seed=1, duplicates=5)))
    assert len(raw.entries) == 35
    # The duplicate brought one more category; it is merged, not lost.
    dup_id = raw.entries[30].link.rsplit("/", 1)[-1]
    extra = {t.term for t in raw.entries[30].tags}
    merged = next(p for p in feed.papers if p.arxiv_id == dup_id)
    assert extra <= set(merged.categories)
    assert len(merged.categories) == len(set(merged.categories))


@pytest.mark.slow
def test_two_thousand_items_parse_fast() -> None:
    data = generate_rss2_feed(2000, seed=0)
    start = time.perf_counter()
    feedparser.parse(io.BytesIO(data))
    bare = time.perf_counter() - start
    start = time.perf_counter()
    feed = parse_feed(data)
    ours = time.perf_counter() - start
    assert len(feed.papers) == 2000
    # Generous bound for noisy CI; in practice the overhead is a few percent.
    assert ours < bare * 1.5 + 0.2


def test_broken_xml_with_entries_keeps_them(caplog: pytest.LogCaptureFixture) -> None:
    data = generate_rss2_feed(20, seed=3)
    truncated = data[: len(data) // 2]
    with caplog.at_level(logging.WARNING, logger="bot.watch.arxiv"):
        feed = parse_feed(truncated)
    assert 5 <= len(feed.papers) < 20
    assert "problems" in caplog.text
    mismatched = data.replace(b"</title>", b"</titel>", 1)
    assert len(parse_feed(mismatched).papers) == 20


@pytest.mark.parametrize(
    "document",
    [
        b"<<<<not xml at all",
        b'{"error": "rate limited"}',
        b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>cut",
        b"",
        b"   \n",
    ],
)
def test_broken_documents_without_entries_raise(document: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(document)


@pytest.mark.parametrize(
    "document",
    [
        b"<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>",
        b"<!DOCTYPE html>\n<html lang='en'><body><p>arXiv is down for maintenance</p></body></html>",
        b"\n  <?xml version='1.0'?>\n<html><body>Service Unavailable</body></html>",
    ],
)
def test_html_error_page_served_as_200_raises(document: bytes) -> None:
    with pytest.raises(FeedError, match=r"HTML|not an RSS|unreadable"):
        parse_feed(document)


def test_wrong_encoding_does_not_crash() -> None:
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + generate_rss2_feed(5, seed=1).decode("utf-8")
    text = text.replace("Abstract: ", "Abstract: Jörg’s naïve café. ")
    data = text.encode("latin-1", errors="replace")  # Latin-1 bytes declared as UTF-8
    feed = parse_feed(data)
    assert len(feed.papers) == 5
    assert all("café" in p.abstract or "caf" in p.abstract for p in feed.papers)


def test_item_without_id_is_skipped_not_fatal() -> None:
    data = generate_rss2_feed(3, seed=4)
    head, _sep, tail = data.partition(b"<guid")
    # Remove the first item's guid and link so nothing identifies it.
    tail = tail.split(b"</guid>", 1)[1]
    broken = head.replace(b"<link>https://arxiv.org/abs/", b"<link>https://example.org/", 1) + tail
    broken = broken.replace(b"<description>arXiv:", b"<description>", 1)
    feed = parse_feed(broken)
    assert len(feed.papers) == 2
    assert len(feed.skipped) == 1 and "no arXiv id" in feed.skipped[0]


def test_parse_feed_refuses_paths_and_urls() -> None:
    with pytest.raises(TypeError):
        parse_feed("https://rss.arxiv.org/rss/cs.CL")  # type: ignore[arg-type]
    # Bytes that look like a path are content, never opened.
    with pytest.raises(FeedError):
        parse_feed(str(FEEDS / "rss2-cs.CL-2026-04-27-trimmed.xml").encode())
