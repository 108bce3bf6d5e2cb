"""Pure renderer tests: payload shape, escaping, Discord's limits, the text rendering."""

from __future__ import annotations

import json

import discord
import pytest

from bot.catalog.model import Entry, EntryHit, EntryKind
from bot.present import render
from bot.present.render import MessagePayload, fit_embed


def make_hit(entry_id: int = 1, **fields: object) -> EntryHit:
    values: dict[str, object] = {"kind": EntryKind.MODEL, "name": "DeBERTa"}
    values.update(fields)
    return EntryHit(id=entry_id, entry=Entry(**values))  # type: ignore[arg-type]


DEBERTA = make_hit(
    name="DeBERTa",
    year=2020,
    month=6,
    org="Microsoft",
    paper_title="DeBERTa: Decoding-enhanced BERT with Disentangled Attention",
    paper_url="https://arxiv.org/abs/2006.03654",
    arxiv_id="2006.03654",
    docs_url="https://huggingface.co/docs/transformers/model_doc/deberta",
    authors=["Pengcheng He", "Xiaodong Liu", "Jianfeng Gao", "Weizhu Chen"],
    topics=["efficiency"],
    aliases=["DeBERTa", "deberta-base"],
)


def embed_total(embed: discord.Embed) -> int:
    return len(embed)


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for f in embed.fields:
        assert 0 < len(f.name or "") <= 256
        assert 0 < len(f.value or "") <= 1024
    assert len(embed.footer.text or "") <= 2048
    assert embed_total(embed) <= 6000


def test_model_embed_shows_the_entry() -> None:
    related = [make_hit(2, name="DeBERTa-v2", year=2021, month=6, org="Microsoft")]
    payload = render.render_model(DEBERTA, related)
    assert not payload.ephemeral and payload.content is None
    (embed,) = payload.embeds
    assert embed.title == "DeBERTa"
    assert embed.url == "https://huggingface.co/docs/transformers/model_doc/deberta"
    assert (
        "[DeBERTa: Decoding-enhanced BERT with Disentangled Attention](https://arxiv.org/abs/2006.03654)"
        in (embed.description or "")
    )
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Date"] == "2020-06"
    assert fields["Organisation"] == "Microsoft"
    # Four authors: shortened past three.
    assert fields["Authors"] == "Pengcheng He, Xiaodong Liu, Jianfeng Gao, Weizhu Chen"
    assert "DeBERTa-v2" in fields["Related"]
    assert "deberta-base" in fields["Also known as"]


def test_authors_are_shortened_past_a_few() -> None:
    names = [f"Author {i}" for i in range(12)]
    assert render.short_authors(names) == "Author 0, Author 1, Author 2 et al. (12 authors)"
    assert render.short_authors(names[:2]) == "Author 0, Author 1"


def test_external_text_is_escaped() -> None:
    hit = make_hit(
        name="@everyone *bold* <@123>",
        org="__Org__",
        paper_title="Title ] with [brackets]",
        paper_url="https://example.org/a_(b)",
    )
    (embed,) = render.render_model(hit).embeds
    assert "@\u200beveryone" in (embed.title or "")
    assert "\\*bold\\*" in (embed.title or "")
    assert "\\_\\_Org\\_\\_" in {f.name: f.value for f in embed.fields}["Organisation"]
    # The link target stays one link even with parentheses in it.
    assert "(https://example.org/a_%28b%29)" in (embed.description or "")
    assert "\\[brackets\\]" in (embed.description or "")


def test_not_found_is_ephemeral_with_suggestions() -> None:
    payload = render.render_not_found("debrta", ["DeBERTa", "DeBERTa-v2"])
    assert payload.ephemeral and not payload.embeds
    assert (
        payload.content
        == "No model called **debrta** in the catalog. Did you mean **DeBERTa**, **DeBERTa-v2**?"
    )
    payload = render.render_not_found("@here zzz", [])
    assert "@here" not in (payload.content or "")


def test_entry_list_paging_footer() -> None:
    hits = [make_hit(i, name=f"Model {i}", year=2021, month=1) for i in range(10, 20)]
    payload = render.render_entry_list("Newest in Speech", hits, total=34, page=1, per_page=10)
    (embed,) = payload.embeds
    assert payload.page == 1 and payload.page_count == 4
    assert (embed.description or "").startswith("11. **Model 10** · 2021-01")
    assert embed.footer.text == "Showing 11–20 of 34 · page 2/4 · 14 more"


def test_fit_embed_on_huge_inputs() -> None:
    embed = discord.Embed(title="T" * 1000, description="line\n" * 5000)
    for _ in range(40):
        embed.add_field(name="N" * 400, value=("v" * 50 + "\n") * 100)
    embed.set_footer(text="f" * 5000)
    embed.set_author(name="a" * 500)
    fit_embed(embed)
    assert_within_limits(embed)
    assert embed.title.endswith("…")
    assert embed.fields[0].value.endswith("…")


def test_fit_embed_total_limit_keeps_short_embeds_intact() -> None:
    small = discord.Embed(title="x", description="y")
    small.add_field(name="a", value="b")
    before = small.to_dict()
    assert fit_embed(small).to_dict() == before
    # Each part within its own limit, but far over 6000 in total.
    big = discord.Embed(title="t" * 256, description="d" * 4096)
    for _ in range(25):
        big.add_field(name="n" * 256, value="v" * 1024)
    fit_embed(big)
    assert_within_limits(big)


def test_list_of_huge_entries_stays_within_limits() -> None:
    hits = [
        make_hit(
            i, name="N" * 300, org="O" * 300, paper_title="P" * 3000, paper_url="https://x.org/" + "p" * 500
        )
        for i in range(25)
    ]
    payload = render.render_entry_list("t" * 400, hits, total=1000, page=0, per_page=25)
    assert_within_limits(payload.embeds[0])
    assert len(json.dumps(payload.to_dict())) < 20_000


def test_model_embed_with_huge_entry_stays_within_limits() -> None:
    hit = make_hit(
        name="M" * 500,
        org="O" * 2000,
        paper_title="P" * 5000,
        paper_url="https://arxiv.org/abs/1",
        authors=[f"Author {'x' * 300} {i}" for i in range(300)],
        aliases=[f"alias{i}" * 20 for i in range(200)],
        topics=["speech"] * 300,
        description="D" * 10_000,
        kind=EntryKind.RESOURCE,
    )
    related = [make_hit(i, name="R" * 200) for i in range(50)]
    (embed,) = render.render_model(hit, related).embeds
    assert_within_limits(embed)


def test_content_is_capped() -> None:
    payload = render.render_not_found("x" * 5000, ["y" * 1000] * 5)
    assert len(payload.content or "") <= 2000


def test_payload_to_dict_and_stats_attachment() -> None:
    stats = {
        "total": 3,
        "kinds": {"survey": 1, "model": 2, "resource": 0},
        "years": {"2020": 2},
        "undated": 1,
        "topics": {"speech": 2},
    }
    payload = render.render_stats(stats, chart=b"\x89PNG fake")
    data = payload.to_dict()
    assert set(data) == {"content", "embeds", "ephemeral", "files"}
    assert data["files"] == [{"filename": render.CHART_FILENAME, "size": 9}]
    assert data["embeds"][0]["image"]["url"] == f"attachment://{render.CHART_FILENAME}"
    assert payload.send_kwargs()["files"][0].filename == render.CHART_FILENAME
    json.dumps(data)


def test_render_text_reads_like_discord() -> None:
    text = render.render_text(render.render_model(DEBERTA))
    assert text.splitlines()[0] == "DeBERTa <https://huggingface.co/docs/transformers/model_doc/deberta>"
    assert (
        "DeBERTa: Decoding-enhanced BERT with Disentangled Attention <https://arxiv.org/abs/2006.03654>"
        in text
    )
    assert "Date: 2020-06" in text
    ephemeral = render.render_text(MessagePayload(content="No **x**", ephemeral=True))
    assert ephemeral == "No x\n(only you can see this)"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "ftp://x", None])
def test_unusable_urls_are_dropped(url: str | None) -> None:
    hit = make_hit(docs_url=url, paper_url=url, paper_title="A paper")
    (embed,) = render.render_model(hit).embeds
    assert embed.url is None
    assert "](" not in (embed.description or "")


def test_unusable_docs_url_falls_back_to_the_paper() -> None:
    hit = make_hit(docs_url="not a url", paper_url="https://arxiv.org/abs/2006.03654", paper_title="A paper")
    (embed,) = render.render_model(hit).embeds
    assert embed.url == "https://arxiv.org/abs/2006.03654"


@pytest.mark.parametrize("text", ["x [d](e) y", "[a](b) [c]", "a\\[b](c)", "Foo [bar] baz"])
def test_link_text_brackets_are_escaped_once(text: str) -> None:
    # escape_markdown already escapes a "[" that opens a markdown link; escaping it again would
    # show a backslash and leave the bracket bare (ending the link text early).
    shown = render.link(text, "https://x.org")
    inner = shown[1 : shown.rindex("](https://x.org)")]
    assert "\\\\[" not in inner.replace("\\\\\\[", "")  # no doubled escape before a bracket
    assert render._plain(shown) == f"{text} <https://x.org>"
