"""What every command module of the command line shares: one-line errors, the --format and --sources
options."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .config import ConfigError, TranslationSettings, load_translation_settings
from .corpus import CorpusError
from .engines import ModelError
from .search import QueryError

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


def translation_settings(sources_path: Path) -> TranslationSettings:
    """[translation] of --sources; without one given, a missing ./sources.toml means the default rule."""
    given = click.get_current_context().get_parameter_source("sources_path") != click.core.ParameterSource.DEFAULT
    return load_translation_settings(sources_path, required=given)
