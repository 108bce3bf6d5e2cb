"""``ptm-bot relevance show | train | activate | rollback``: the learned relevance model.

``train`` retrains from the shipped corpus plus this server's moderator decisions, exactly as
``/ptm-admin relevance retrain`` does, and activates the new model only when it is no worse (see
:mod:`bot.relevance.store`). ``train --output FILE`` trains on the corpus alone and writes the
model file without opening a database: that is how ``bot/relevance/data/relevance-model.json.gz`` is
built.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import textwrap
from pathlib import Path

from bot.cli.examples import examples_epilog
from bot.cli.numbers import whole_number
from bot.cli.options import add_subcommand, common_options
from bot.config import Config

__all__ = ["COMMANDS"]


def _probability(text: str) -> float:
    """A line on calibrated scores: a number from 0 to 1 (not nan)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:  # nan fails both comparisons
        raise argparse.ArgumentTypeError(f"must be a probability from 0 to 1, got {text}")
    return value


def _configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "The learned relevance model that scores new arXiv papers: show its figures on the frozen test "
        "split and its strongest features, retrain it from the shipped corpus plus the moderators' "
        "decisions stored in the database, evaluate it per whole arXiv day, or choose the active version."
    )
    sub = p.add_subparsers(
        dest="relevance_command", metavar="{show,train,eval,activate,rollback}", required=True
    )
    show = add_subcommand(
        sub,
        "relevance",
        "show",
        "the current model's figures, strongest features and versions",
        "The active relevance model: its figures per slice on the frozen test split, its "
        "strongest features with and without an abstract, and every stored version with its status (the "
        "check that kept a version aside) and the last change (who, through which door).",
    )
    show.add_argument("--json", action="store_true", help="print the summary as JSON")
    common_options(show)
    train = add_subcommand(
        sub,
        "relevance",
        "train",
        "retrain deterministically; the new model replaces the current one only when no worse",
        "Retrain from the shipped corpus (its training part) plus every moderator decision "
        "stored in the database (approve = relevant, as core or borderline-keep; reject = not; undone "
        "decisions do not count). The new model becomes active only when it is no worse beyond the noise, "
        "per whole day of the frozen test split and forward in time on the newer decisions; otherwise it "
        "is stored aside with the failed check. With nothing new since the latest version nothing is "
        "trained or stored.",
    )
    train.add_argument(
        "--corpus", type=Path, metavar="JSONL", help="another labelled corpus (.jsonl or .jsonl.gz)"
    )
    train.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="train on the corpus alone and write the model to FILE (.json or .json.gz); no database",
    )
    train.add_argument("--dry-run", action="store_true", help="train and compare, store nothing")
    train.add_argument("--json", action="store_true", help="print the result as JSON")
    common_options(train)
    activate = add_subcommand(
        sub,
        "relevance",
        "activate",
        "score with a stored version (e.g. one kept aside); the current one is retired",
        "Make a stored version the active one (kept aside or retired; `relevance show` lists "
        "them, with the check that kept a version aside). Audited as done from the terminal.",
    )
    activate.add_argument("version", help="the version, as `relevance show` prints it")
    common_options(activate)
    rollback = add_subcommand(
        sub,
        "relevance",
        "rollback",
        "go back to the version active before the current one (or the shipped model)",
        "Go back to the version that was active before the current one; the shipped model "
        "when there was none. Audited as done from the terminal.",
    )
    common_options(rollback)
    ev = sub.add_parser(
        "eval",
        help="figures per whole arXiv day: recall, precision of what is flagged and of the cards, AP",
        description=textwrap.fill(
            "Score every paper of labelled whole arXiv days (a directory of .jsonl/.jsonl.gz day "
            "files, one labelled paper per line: id, title, abstract, label, borderline, day, day_category) and "
            "print, per day and pooled: papers, core and borderline-core papers, how many are flagged and the "
            "precision of them, the precision of the best CARDS (the review budget), recall of core and of "
            "core+borderline, average precision, and the worst mistakes. Without --days: the shipped frozen "
            "test days, which no training or tuning choice has seen.",
            78,
        ),
        epilog=examples_epilog("relevance eval"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ev.add_argument(
        "--days", type=Path, metavar="DIR", help="labelled day files (default: the frozen test days)"
    )
    ev.add_argument("--model", type=Path, metavar="FILE", help="a model file (default: the shipped model)")
    ev.add_argument(
        "--cards",
        type=whole_number(0, 10_000),
        default=None,
        metavar="N",
        help="cards per poll for the card precision (default: review.cards_per_poll, 8)",
    )
    ev.add_argument(
        "--threshold", type=_probability, default=None, metavar="P", help="override the model's line (0 to 1)"
    )
    ev.add_argument(
        "--mistakes",
        type=whole_number(0, 10_000),
        default=5,
        metavar="N",
        help="worst mistakes to list (default 5)",
    )
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    common_options(ev)


def _eval_days(args: argparse.Namespace, config: Config) -> int:
    from bot.cli.errors import CLIError
    from bot.relevance.corpus import frozen_days
    from bot.relevance.days import day_lines, evaluate_days, load_days
    from bot.relevance.model import RelevanceModel, shipped_model

    try:
        items = frozen_days() if args.days is None else load_days(args.days)
    except (OSError, ValueError) as exc:
        raise CLIError(f"cannot read the days {args.days}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not items:
        raise CLIError(f"no labelled papers in {args.days}")
    try:
        model = shipped_model() if args.model is None else RelevanceModel.from_bytes(args.model.read_bytes())
    except (OSError, ValueError, KeyError) as exc:
        raise CLIError(
            f"cannot read the model {args.model}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    if (args.cards is not None and args.cards < 0) or args.mistakes < 0:
        raise CLIError("--cards and --mistakes take a number >= 0")
    cards = args.cards if args.cards is not None else config.review.cards_per_poll
    result = evaluate_days(
        model,
        items,
        cards=cards,
        mistakes=args.mistakes,
        threshold=args.threshold,
        card_min_score=config.review.card_min_score,
    )
    if args.json:
        print(json.dumps({"model": model.version, "cards": cards, **result}, ensure_ascii=False))
        return 0
    print(
        f"model {model.version}: {len(result['days'])} whole days, {len(items)} papers; cards per poll {cards}"
    )
    print("\n".join(day_lines(result)))
    for kind, rows in result["mistakes"].items():
        if rows:
            print(f"worst {kind.replace('_', ' ')}:")
            for r in rows:
                print(f"  {r['score']:.3f} {r['grade']:<10} {r['id']:<12} {r['title'][:80]}")
    return 0


async def _train_to_file(args: argparse.Namespace, config: Config) -> int:
    from bot.cli.errors import CLIError
    from bot.cli.outfile import check_output_path, database_file, write_output
    from bot.relevance.train import frozen_test, load_corpus, train_model

    catalog_file = database_file(config.database.url)
    check_output_path(str(args.output), database=catalog_file)  # refused before training
    try:
        corpus = await asyncio.to_thread(load_corpus, args.corpus)
    except (OSError, ValueError, KeyError) as exc:
        raise CLIError(f"cannot read the corpus {args.corpus}: {exc}") from exc
    train = [i for i in corpus if not frozen_test(i)]
    test = [i for i in corpus if frozen_test(i)]
    model = await asyncio.to_thread(train_model, train, evaluate_on=test)
    data = model.dumps().encode()
    if args.output.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    write_output(str(args.output), data, database=catalog_file)  # atomic; never the catalog's file
    if args.json:
        print(
            json.dumps({"version": model.version, "metrics": model.metrics, "trained_on": model.trained_on})
        )
    else:
        from bot.present.relevance import metrics_lines

        print(f"relevance model {model.version} written to {args.output}")
        print("\n".join(f"  {line}" for line in metrics_lines(model.metrics)))
    return 0


async def cmd_relevance(args: argparse.Namespace, config: Config) -> int:
    # In-function imports keep `ptm-bot --help` from loading NumPy, SQLAlchemy and discord.py.
    from bot.cli.opening import open_catalog
    from bot.present.relevance import retrain_text, summary_text
    from bot.relevance import store as relevance_store

    if args.relevance_command == "eval":
        return await asyncio.to_thread(_eval_days, args, config)
    if args.relevance_command == "train" and args.output is not None:
        return await _train_to_file(args, config)
    db = await open_catalog(config)
    try:
        if args.relevance_command == "show":
            s = await relevance_store.summary(db)
            print(json.dumps(s.as_dict(), ensure_ascii=False) if args.json else summary_text(s))
            return 0
        from bot.actor import TERMINAL

        if args.relevance_command in ("activate", "rollback"):
            from bot.present.relevance import version_change_text

            if args.relevance_command == "activate":
                change = await relevance_store.activate(db, args.version, TERMINAL)
            else:
                change = await relevance_store.rollback(db, TERMINAL)
            print(version_change_text(change))
            return 0
        corpus = args.corpus or (Path(config.relevance.corpus) if config.relevance.corpus else None)
        try:
            result = await relevance_store.retrain(
                db, corpus_path=corpus, dry_run=args.dry_run, actor=TERMINAL
            )
        except relevance_store.NothingNew as exc:  # an answer, not a failure: exit 0
            print(json.dumps({"nothing_new": str(exc)}) if args.json else str(exc))
            return 0
        print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else retrain_text(result))
        return 0
    finally:
        await db.close()


COMMANDS = [
    (
        "relevance",
        "show, retrain, evaluate (per whole day), activate or roll back the learned relevance model",
        _configure,
        cmd_relevance,
    ),
]
