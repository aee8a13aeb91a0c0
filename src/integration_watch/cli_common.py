"""What every command module of the command line shares: one-line errors, the --format and --sources
options, the query command, filters."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .config import ConfigError, TranslationSettings, load_translation_settings
from .corpus import CorpusError
from .engines import ModelError
from .search import QueryError

if TYPE_CHECKING:
    from .routes import Engines

USAGE_ERROR = 2


class UserError(click.ClickException):
    """One clear line on stderr, no traceback, exit status 2."""

    exit_code = USAGE_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the product's own errors into one-line messages."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ConfigError, CorpusError, QueryError, ModelError) as exc:
            raise UserError(str(exc)) from None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


class LazyChoice(click.Choice):
    """A choice whose values live in a module imported only when the option is used or its help shown: the
    command line starts without loading what a command it does not run needs."""

    def __init__(self, module: str, name: str) -> None:
        self._where = (module, name)
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        module, name = self._where
        return tuple(getattr(importlib.import_module(f"{__package__}.{module}"), name))

    @choices.setter
    def choices(self, _: Any) -> None:
        pass


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help="Output format."
    )


def sources_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("sources.toml"),
        envvar="INTEGRATION_WATCH_SOURCES", show_default=True, help="Sources file (env INTEGRATION_WATCH_SOURCES).",
    )(fn)


def open_engines(models: Path, settings: TranslationSettings) -> Engines:
    """The routes on this machine; what cannot be used (a translation server down) is said on stderr."""
    from .routes import Engines

    found = Engines(models, settings=settings)
    for problem in found.problems:
        click.echo(f"warning: {problem}", err=True)
    return found


def translation_settings(sources_path: Path) -> TranslationSettings:
    """[translation] of --sources; without one given, a missing ./sources.toml means the default rule."""
    given = click.get_current_context().get_parameter_source("sources_path") != click.core.ParameterSource.DEFAULT
    return load_translation_settings(sources_path, required=given)


def existing_db(db: Path) -> Path:
    """Only crawl creates a corpus: any other command on a mistyped --db must say so, not report on (or
    write into) a new empty database."""
    if not db.exists():
        raise UserError(f"{db}: no such database (run 'integration-watch crawl' first)")
    return db


class QueryCommand(click.Command):
    """A command whose QUERY may start with '-' ('search -webinar ...'): an argument like '-word' that is no
    option of the command is the query's, so click does not refuse it as an unknown option '-w'."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            options = {o for p in self.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
            valued = {o for p in self.params if isinstance(p, click.Option) and not p.is_flag for o in p.opts}
            words = [i for i, a in enumerate(args) if a.startswith("-") and not a.startswith("--")
                     and a.split("=")[0] not in options and len(a) > 1 and (i == 0 or args[i - 1] not in valued)]
            if words:
                args = [a for i, a in enumerate(args) if i not in words] + ["--"] + [args[i] for i in words]
        return super().parse_args(ctx, args)


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang, --source, --since, --until as search and export read them (search.Filters)."""
    for option in reversed((
        click.option("--lang", help="Only articles in this language (ISO 639-1, e.g. it)."),
        click.option("--source", help="Only articles from this source."),
        click.option("--since", help="Published on or after: YYYY-MM-DD, YYYY-MM, YYYY or 7d."),
        click.option("--until", help="Published on or before (same forms)."),
    )):
        fn = option(fn)
    return fn
