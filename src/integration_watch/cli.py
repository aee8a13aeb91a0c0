"""The `integration-watch` command line: crawl, translate, stories, recluster, export, show, demo; the other
commands are in their own modules: `search` cli_search.py, `sources` (check, suggest) cli_sources.py, `models`
cli_models.py, `trends` cli_trends.py, `digest` cli_digest.py, `stats` cli_stats.py, `serve` cli_serve.py."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only what every command needs is imported here: extraction, numpy, langdetect and the like load in the
# commands that use them, so that `--help` or a search starts in a fraction of a second (bench_startup.py).
from . import export
from .cli_common import (UserError, _friendly, existing_db, filter_options, format_option, open_engines,
                         sources_option, translation_settings)
from .cli_digest import digest_cmd
from .cli_models import models_group
from .cli_search import search_cmd
from .cli_serve import serve_cmd
from .cli_sources import sources_group
from .cli_stats import stats_cmd
from .cli_trends import trends_cmd
from .config import load_config
from .corpus import Corpus, CrawlLock
from .engines import default_models_dir
from .routes import Engines, apertium_modes
from .search import Filters, parse_query, search

if TYPE_CHECKING:
    from .crawl_report import CrawlReport
    from .stories import StoryReport
    from .translate import TranslateReport


class _OneLineErrors(click.Group):
    """Usage errors (a missing argument, a value of the wrong type) as one line pointing at --help, like every
    other error of this tool, instead of click's three-line usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"error: {exc.format_message()}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_OneLineErrors)
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("integration-watch.db"),
    envvar="INTEGRATION_WATCH_DB", show_default=True, help="Corpus database (env INTEGRATION_WATCH_DB).",
)
@click.option(
    "--models", type=click.Path(file_okay=False, path_type=Path), default=None, envvar="INTEGRATION_WATCH_MODELS",
    help="Translation models folder (env INTEGRATION_WATCH_MODELS) [default: ~/.local/share/integration-watch/models].",
)
@click.version_option(package_name="integration-watch")
@click.pass_context
def main(ctx: click.Context, db: Path, models: Path | None) -> None:
    """Watch how EU migrant-integration policy is reported across Europe: crawl the sites in sources.toml
    into a searchable SQLite corpus, in every language, translated offline to English."""
    ctx.obj = {"db": db, "models": models or default_models_dir()}


main.add_command(sources_group)
main.add_command(trends_cmd)
main.add_command(models_group)
main.add_command(digest_cmd)
main.add_command(stats_cmd)
main.add_command(serve_cmd)
main.add_command(search_cmd)


# --- crawl ---------------------------------------------------------------------------------------


class Duration(click.ParamType):
    """A time span: 90, 90s, 50m, 1.5h (a bare number is seconds)."""

    name = "duration"
    _UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", str(value).lower())
        if not match or float(match.group(1)) <= 0:
            self.fail(f"{value!r} is not a duration such as 50m, 90s or 1.5h", param, ctx)
        return float(match.group(1)) * self._UNITS[match.group(2)]


@main.command("crawl")
@sources_option
@click.option("--source", "source_names", multiple=True, help="Crawl only this source (repeatable).")
@click.option("--refresh", is_flag=True, help="Re-check known articles too (conditional requests), not only new ones.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Extraction processes [default: CPUs].")
@click.option("--no-translate", is_flag=True, help="Store new articles untranslated ('translate' does it later).")
@click.option("--max-time", type=Duration(), default=None,
              help="Stop after this long (e.g. 50m, 90s, 1.5h); what is left stays queued for the next run [exit 4].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print a line for every page.")
@format_option("text", "json")
@click.pass_obj
@_friendly
def crawl_cmd(obj: dict[str, Any], sources_path: Path, source_names: tuple[str, ...], refresh: bool,
              workers: int | None, no_translate: bool, max_time: float | None, quiet: bool, verbose: bool,
              fmt: str) -> None:
    """Crawl every source (or --source NAME) into the corpus; only new or changed pages are processed.
    New articles are then translated to English with the engines installed (see 'models list').

    Exit status: 0 all well, 1 a source failed entirely or stored nothing from its changed start pages, 3 some
    pages failed, 4 stopped by --max-time (the rest is queued for the next run), 2 bad input.
    """
    config = load_config(sources_path)
    engines = None if no_translate else open_engines(obj["models"], config.translation)
    report = _run_crawl(obj["db"], config, list(source_names), refresh, workers, quiet, verbose, engines, max_time)
    _print_report(report, fmt, quiet)
    sys.exit(report.exit_code)


def _run_crawl(db: Path, config: Any, names: list[str], refresh: bool, workers: int | None,
               quiet: bool, verbose: bool, engines: Engines | None, max_time: float | None = None) -> CrawlReport:
    from .crawl import crawl

    progress = _Progress(quiet=quiet, verbose=verbose)
    with CrawlLock(db), Corpus(db) as corpus:
        try:
            return crawl(config, corpus, source_names=names or None, refresh=refresh, workers=workers,
                         engines=engines, max_time=max_time, on_event=progress)
        finally:
            progress.close()
            if engines is not None:
                engines.close()


class _Progress:
    """A one-line counter on a terminal; a line per page with --verbose; silence otherwise."""

    def __init__(self, *, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.tty = sys.stderr.isatty() and not quiet and not verbose
        self.pages = 0
        self.articles = 0

    def __call__(self, source: str, url: str, outcome: str) -> None:
        self.pages += 1
        self.articles += outcome.startswith(("new article", "updated article"))
        if self.verbose:
            click.echo(f"{source}\t{outcome}\t{url}", err=True)
        elif self.tty:
            click.echo(f"\r{self.pages} pages, {self.articles} new or updated articles  [{source}]\033[K", err=True, nl=False)

    def close(self) -> None:
        if self.tty and self.pages:
            click.echo("", err=True)


def _print_report(report: CrawlReport, fmt: str, quiet: bool) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    for name, r in report.sources.items():
        if not quiet:
            click.echo(
                f"{name}: {r.fetched} fetched, {r.new} new, {r.updated} updated, {r.not_modified} not modified, "
                f"{r.skipped} known, {r.not_articles} not articles, {r.excluded} excluded, {len(r.errors)} errors"
                + (" (page budget reached; the rest is queued for the next run)" if r.budget_exhausted else "")
                + (f" (stopped by the time limit; {r.left_queued} pages queued for the next run)" if r.stopped else "")
            )
        for host, problem in r.robots_unreachable.items():
            click.echo(f"  {name}: robots.txt of {host} could not be read ({problem}): nothing was fetched "
                       "from it this run", err=True)
        for url, error in r.errors[:10]:
            click.echo(f"  {name}: {url}: {error}", err=True)
        if len(r.errors) > 10:
            click.echo(f"  {name}: … and {len(r.errors) - 10} more errors (see 'stats')", err=True)
        if r.failed:
            click.echo(f"  {name}: FAILED: none of its start URLs, feeds or sitemaps could be read", err=True)
        if r.stored_nothing:
            click.echo(f"  {name}: STORED NOTHING although its start pages were read: include took {r.links_taken} "
                       f"of the {r.links_seen} links on them and {r.not_articles} pages were not articles "
                       f"(see 'sources check {name}')", err=True)
    if report.translation and not quiet:
        click.echo(_translation_line(report.translation))
    if report.stories and not quiet:
        click.echo(_stories_line(report.stories))
    if not quiet or report.exit_code:
        stopped = (f" at the --max-time limit ({report.max_time:g} s): what it did not reach waits for the next run"
                   if report.stopped and report.max_time is not None else "")
        click.echo(f"run {report.run_id}: {report.status}{stopped}", err=bool(report.exit_code))


def _stories_line(s: StoryReport) -> str:
    return (f"stories: {s.articles} articles placed: {s.new_stories} new stories, {s.joined} joined a story, "
            f"{s.merged} stories merged ({s.seconds:.1f} s)"
            + (f"; stopped by the time limit: {s.left} articles wait for the next run" if s.stopped else ""))


def _translation_line(t: TranslateReport) -> str:
    return (
        f"translation: {t.articles} articles tried: {t.translated} translated, {t.english} already English, "
        f"{t.pending} still without an engine, {t.failed} failed; {t.sentences} sentences, "
        f"{t.engine_sentences} sent to an engine ({t.sentences - t.engine_sentences} repeats or remembered; "
        f"{t.seconds:.1f} s)" + (f"; stopped by the time limit: {t.left} articles wait for the next run" if t.stopped else "")
    )


# --- translation -----------------------------------------------------------------------------------


@main.command("translate")
@click.option("--lang", help="Only articles in this language (ISO 639-1).")
@click.option("--source", help="Only articles from this source.")
@click.option("--retranslate", is_flag=True, help="Redo articles that are already translated too.")
@sources_option
@format_option("text", "json")
@click.pass_obj
@_friendly
def translate_cmd(obj: dict[str, Any], lang: str | None, source: str | None, retranslate: bool,
                  sources_path: Path, fmt: str) -> None:
    """Translate what is waiting: articles never tried or failed, and those whose language has gained an
    engine (e.g. after 'models install'). Uses the translation memory; runs offline. The route per language
    follows [translation] in --sources (see 'models list')."""
    existing_db(obj["db"])
    from .stories import update_stories
    from .translate import translate_pending

    engines = open_engines(obj["models"], translation_settings(sources_path))
    try:
        with CrawlLock(obj["db"]), Corpus(obj["db"]) as corpus:
            Filters(lang, source).check_known(corpus)
            report = translate_pending(corpus, engines, lang=lang and lang.lower(), source=source,
                                       retranslate=retranslate)
            stories = update_stories(corpus)  # a new translation can join its story
            totals = corpus.translations.translation_stats()
    finally:
        engines.close()
    waiting = totals["waiting"]
    if fmt == "json":
        click.echo(json.dumps({**report.as_dict(), "waiting": waiting, "stories": stories.as_dict()}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(_translation_line(report))
    click.echo(_stories_line(stories))
    if waiting:  # the whole corpus, not only this run's articles: say so, or the two numbers contradict
        click.echo(f"in the corpus, {totals['status'].get('pending', 0)} articles wait for an engine ("
                   + ", ".join(f"{k} {v}" for k, v in waiting.items()) + "); see 'models install'")


# --- stories ---------------------------------------------------------------------------------------


@main.command("stories")
@click.option("--since", help="Seen (first stored) on or after: YYYY-MM-DD, YYYY-MM, YYYY or 7d.")
@click.option("--until", help="Seen on or before (same forms).")
@click.option("--lang", help="Only stories with an article in this language.")
@click.option("--source", help="Only stories with an article from this source.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@format_option("table", "json")
@click.pass_obj
@_friendly
def stories_cmd(obj: dict[str, Any], since: str | None, until: str | None, lang: str | None, source: str | None,
                limit: int, fmt: str) -> None:
    """Stories, latest sighting first: English headline, first and latest sighting, languages, sources,
    number of articles (copies and translations of one story are one story)."""
    filters = Filters(lang, source, since, until)
    where, args = filters.sql(dated="first_fetched")
    with Corpus(obj["db"], readonly=True) as corpus:
        filters.check_known(corpus)
        rows = corpus.stories.story_summaries(where, args, limit)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no stories")
        return
    for r in rows:
        click.echo(f"story {r['id']}  {r['articles']} article{'s' if r['articles'] > 1 else ''}  "
                   f"[{', '.join(r['languages'])}]  {r['published'] or '?'}  {r['headline'] or '(no title)'}")
        click.echo(f"    seen {r['first_seen'][:10]} .. {r['last_seen'][:10]}  sources: {', '.join(r['sources'])}")


@main.command("recluster")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Take the story thresholds from this sources.toml [default: those the corpus last used].")
@click.pass_obj
@_friendly
def recluster_cmd(obj: dict[str, Any], sources_path: Path | None) -> None:
    """Rebuild every story from the stored text (after a threshold change or new translations); nothing is
    fetched again."""
    with CrawlLock(existing_db(obj["db"])), Corpus(obj["db"]) as corpus:
        from .stories import Thresholds, recluster

        thresholds = (Thresholds.from_settings(load_config(sources_path).defaults) if sources_path
                      else Thresholds.of_corpus(corpus))
        report = recluster(corpus, thresholds)
        count = corpus.stories.story_stats()["stories"]
    click.echo(f"{report.articles} articles in {count} stories ({report.pairs_checked} candidate pairs checked)")


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (atomically: the file appears only when complete) instead of stdout.")
@click.option("--query", help="Only articles matching this search query (same language as 'search').")
@filter_options
@click.pass_obj
@_friendly
def export_cmd(obj: dict[str, Any], fmt: str, out: Path | None, query: str | None, lang: str | None,
               source: str | None, since: str | None, until: str | None) -> None:
    """Every matching article with its original and English text, as JSON Lines or CSV, streamed."""
    filters = Filters(lang, source, since, until)
    filters.check()
    if query:
        parse_query(query)
    with Corpus(obj["db"], readonly=True) as corpus:
        filters.check_known(corpus)
        records = export.rows(corpus, query=query, filters=filters)
        if out is None:
            count = export.write(records, sys.stdout, fmt)
        else:
            try:
                with export.atomic_output(out) as handle:
                    count = export.write(records, handle, fmt)
            except OSError as exc:
                raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"exported {count} articles" + (f" to {out}" if out else ""), err=True)


@main.command("show")
@click.argument("article_id", type=int)
@format_option("text", "json")
@click.pass_obj
@_friendly
def show_cmd(obj: dict[str, Any], article_id: int, fmt: str) -> None:
    """One article: metadata, then each paragraph of the original followed by its English translation
    (paragraphs in another language than the article's are marked)."""
    with Corpus(obj["db"], readonly=True) as corpus:
        # an id beyond SQLite's 64-bit integers cannot exist (and would raise OverflowError in the query)
        article = corpus.articles.article(article_id) if -(2**63) <= article_id < 2**63 else None
        if article is None:
            raise UserError(f"no article with id {article_id}")
        sid = article["story_id"]
        members = corpus.stories.story_members([sid]).get(sid, []) if sid is not None else []
        story = [m for m in members if m["id"] != article_id]
        article_copy_of = next((m["copy_of"] for m in members if m["id"] == article_id), None)
    if fmt == "json":
        click.echo(json.dumps({**article, "copy_of": article_copy_of, "same_story": story}, indent=2, ensure_ascii=False))
        return
    for key in ("title", "title_en", "url", "source", "lang", "languages", "published", "author", "sitename",
                "description", "first_fetched", "last_fetched", "translation_status", "translation_engine",
                "translation_note", "translation_waiting"):
        value = article[key]
        if value:
            click.echo(f"{key + ':':20} {', '.join(value) if isinstance(value, list) else value}")
    if article_copy_of:
        click.echo(f"{'copy of:':20} #{article_copy_of} (same story)")
    click.echo("")
    para_lang = {i: lang for i, lang in article["paragraph_langs"]}
    english = (article["text_en"] or "").split("\n") if article["text_en"] is not None else None
    for index, paragraph in enumerate(article["text"].split("\n")):
        if not paragraph.strip():
            continue
        lang = para_lang.get(index) or article["lang"]
        marker = f"[{lang}] " if lang and lang != article["lang"] else ""
        click.echo(marker + paragraph)
        if english is not None and lang != "en":
            line = english[index] if index < len(english) else ""
            click.echo("    en: " + (line if line.strip() else f"(not translated: no engine for {lang})"))
        click.echo("")
    if story:
        click.echo(f"same story (story {article['story_id']}), {len(story)} other article{'s' if len(story) > 1 else ''}"
                   " (copies marked; the others are separate write-ups):")
        for m in story:
            title = m["title_en"] if m["lang"] != "en" and m["title_en"] else m["title"]
            copy = f"  (copy of #{m['copy_of']})" if m["copy_of"] else ""
            click.echo(f"  #{m['id']}  [{m['lang']}]  {m['source']}  {(m['published'] or '')[:10]}  {title}{copy}")
            click.echo(f"      {m['url']}")


# --- demo ----------------------------------------------------------------------------------------


@main.command("demo")
@click.option("--query", default="integration strategy", show_default=True, help="The sample search.")
@click.pass_context
@_friendly
def demo_cmd(ctx: click.Context, query: str) -> None:
    """Serve the bundled fixture sites on 127.0.0.1, crawl them into demo.db (or --db) and search."""
    explicit = ctx.parent is not None and ctx.parent.get_parameter_source("db") != click.core.ParameterSource.DEFAULT
    db: Path = ctx.obj["db"] if explicit else Path("demo.db")
    from .fixtures import bundled_sites_dir, serve_fixture_sites

    sites_dir = bundled_sites_dir()
    template = sites_dir.parent / "sources.toml"
    if not template.is_file():
        raise UserError(f"demo fixtures not found at {sites_dir.parent}; install from a source checkout (pip install -e .)")
    with serve_fixture_sites(sites_dir) as sites, tempfile.TemporaryDirectory() as tmp:
        sources_file = Path(tmp) / "sources.toml"
        sources_file.write_text(sites.render(template.read_text()))
        config = load_config(sources_file)
        _reset_demo_db(db, {s.name for s in config.sources})
        click.echo(f"serving {len(sites.origins)} fixture sites on 127.0.0.1; crawling into {db}")
        report = _run_crawl(db, config, [], False, None, quiet=False, verbose=False,
                            engines=open_engines(ctx.obj["models"], config.translation))
    _print_report(report, "text", quiet=False)
    with Corpus(db, readonly=True) as corpus:
        hits = search(corpus, query, limit=5)
        waiting = corpus.translations.translation_stats()["waiting"]
    if waiting:
        click.echo(_why_untranslated(waiting, ctx.obj["models"]))
    click.echo(f"\nsample search {query!r}: {len(hits)} best matches")
    for h in hits:
        click.echo(f"  #{h.id} [{h.lang}] {h.title}\n      {h.snippet}")
    click.echo(f"\ntry: integration-watch --db {db} search \"Ολοκληρωμενη\"   or   integration-watch --db {db} stories"
               f"   or   integration-watch --db {db} show {hits[0].id if hits else 1}"
               f"   or   integration-watch --db {db} digest --out digest.html")
    sys.exit(report.exit_code)


def _why_untranslated(waiting: dict[str, int], models: Path) -> str:
    """Which languages the demo left untranslated, and why: this machine has no engine for them."""
    from .language_codes import language_name

    langs = ", ".join(f"{language_name(lang)} ({n} article{'s' * (n != 1)})" for lang, n in waiting.items())
    if shutil.which("apertium") is None:
        apertium = "Apertium is not installed (no 'apertium' command; ./setup.sh demo installs it with apt-get)"
    else:
        apertium = "Apertium here has " + (", ".join(apertium_modes()) or "no pair into English") + " only"
    return (f"\nnot translated, no engine on this machine: {langs}.\n  {apertium}; no argos model for them in "
            f"{models} ('integration-watch models install').\n  They are stored and searchable in their own "
            "language; 'integration-watch translate' fills in the English once an engine is installed.")


def _reset_demo_db(db: Path, demo_sources: set[str]) -> None:
    """The fixture sites get new ports each run, so the demo starts from an empty corpus; a database that
    holds anything but the demo's sources is never touched."""
    if not db.exists():
        return
    with Corpus(db, readonly=True) as corpus:
        names = {row["name"] for row in corpus.conn.execute("SELECT name FROM sources")}
    if not names <= demo_sources:
        raise UserError(f"{db} holds a real corpus ({', '.join(sorted(names - demo_sources))}); give the demo another --db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
