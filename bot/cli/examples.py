"""Examples for every ``ptm-bot`` subcommand's ``--help`` (shown under "examples:", kept as written)."""

from __future__ import annotations

__all__ = ["EXAMPLES", "examples_epilog"]

EXAMPLES: dict[str, tuple[str, ...]] = {
    "init": ("ptm-bot init", "ptm-bot init --db catalog.sqlite3 --empty"),
    "import": ("ptm-bot import README.md --dry-run --diff", "ptm-bot import README.md"),
    "history": ("ptm-bot history --limit 5",),
    "revert": ("ptm-bot revert 3 --dry-run", "ptm-bot revert 3"),
    "export": (
        "ptm-bot export -o list.md",
        "ptm-bot export --format json | head",
        "ptm-bot export --format html -o catalog.html",
        "ptm-bot export --format atom -o newest.atom",
        "ptm-bot export --format bibtex -o ptms.bib",
    ),
    "stats": ("ptm-bot stats", "ptm-bot stats --chart years.png"),
    "run": ("ptm-bot run --config config.toml  # the token from DISCORD_TOKEN",),
    "model": ("ptm-bot model deberta v3", "ptm-bot model XLNet --json"),
    "recent": ("ptm-bot recent speech", "ptm-bot recent long context --count 5"),
    "search": ("ptm-bot search knowledge distillation", "ptm-bot search 蒸馏 --json"),
    "survey": ("ptm-bot survey", "ptm-bot survey prompt learning"),
    "org": ("ptm-bot org google", "ptm-bot org VinAI --limit 5"),
    "author": ("ptm-bot author Kaiming He",),
    "cite": ("ptm-bot cite BERT", "ptm-bot cite wav2vec 2.0 >> refs.bib"),
    "top": ("ptm-bot top", "ptm-bot top --period month speech --json"),
    "poll": ("ptm-bot poll --dry-run", "ptm-bot poll --feed feed.xml --json"),
    "enrich": ("ptm-bot enrich", "ptm-bot enrich --all --json", "ptm-bot enrich 2106.07447"),
    "feeds": ("ptm-bot feeds", "ptm-bot feeds --enable https://rss.arxiv.org/rss/cs.CL"),
    "relevance": ("ptm-bot relevance show", "ptm-bot relevance eval --json"),
    "gate": ("ptm-bot gate add always author 'Kaiming He'", "ptm-bot gate list"),
    "links": ("ptm-bot links check", "ptm-bot links check --json > links.json"),
    "ask": (
        "ptm-bot ask '/ptm recent speech count=5'",
        "ptm-bot ask '/ptm cite BERT'",
        "ptm-bot ask '/ptm top month speech'",
        "ptm-bot ask '/ptm-admin feeds'",
        "ptm-bot ask '/ptm-admin links page=2'",
    ),
    "sync": ("ptm-bot sync --guild 123456789012345678",),
    "health": ("ptm-bot health", "ptm-bot health --json"),
    "config": ("ptm-bot config show", "ptm-bot config example > config.toml"),
    "publish": ("ptm-bot publish --dry-run", "ptm-bot publish --json"),
    # The sub-subcommands, by their full name.
    "relevance show": ("ptm-bot relevance show", "ptm-bot relevance show --json"),
    "relevance train": ("ptm-bot relevance train --dry-run", "ptm-bot relevance train --json"),
    "relevance eval": (
        "ptm-bot relevance eval",
        "ptm-bot relevance eval --days my-days/ --json",
        "ptm-bot relevance eval --model model.json.gz --cards 5 --mistakes 3",
    ),
    "relevance activate": ("ptm-bot relevance activate 20261207-ea5075404d",),
    "relevance rollback": ("ptm-bot relevance rollback",),
    "gate add": ("ptm-bot gate add always author 'Kaiming He'", "ptm-bot gate add never term ChatGPT for"),
    "gate remove": ("ptm-bot gate remove never term ChatGPT for",),
    "gate list": ("ptm-bot gate list", "ptm-bot gate list --json"),
    "links check": ("ptm-bot links check", "ptm-bot links check --json > links.json"),
    "config show": ("ptm-bot config show", "ptm-bot config show --json --config config.toml"),
    "config example": ("ptm-bot config example > config.toml",),
}


def examples_epilog(name: str) -> str | None:
    """The "examples:" block of *name*'s help, or None."""
    lines = EXAMPLES.get(name)
    if not lines:
        return None
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)
