"""`integration-watch models`: the translation routes on this machine, and installing argos packages."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .cli_common import UserError, _friendly, format_option, open_engines, sources_option, translation_settings
from .routes import Route


@click.group("models")
def models_group() -> None:
    """Translation engines, language pairs and routes to English on this machine."""


def _route_dict(route: Route, used: bool) -> dict[str, Any]:
    return {"source": route.source, "name": route.name, "kind": route.kind, "used": used,
            "steps": [asdict(step) for step in route.steps]}


@models_group.command("list")
@sources_option
@format_option("table", "json")
@click.pass_obj
@_friendly
def models_list_cmd(obj: dict[str, Any], sources_path: Path, fmt: str) -> None:
    """Installed argos packages and Apertium pairs with versions, and every route to English per language:
    the first listed is used (argos > Apertium direct > shortest chain > longest; [translation] prefer in
    --sources can put one kind first)."""
    found = open_engines(obj["models"], translation_settings(sources_path))
    pairs = found.pairs()
    routes = found.all_routes()
    if fmt == "json":
        click.echo(json.dumps({
            "models_dir": str(obj["models"]),
            "pairs": [asdict(p) for p in pairs],
            "routes": [_route_dict(r, i == 0) for listed in routes.values() for i, r in enumerate(listed)],
        }, indent=2))
        return
    if not pairs:
        click.echo(f"no translation engines: install an argos package into {obj['models']} "
                   "('models install FILE.argosmodel') or a Debian Apertium pair (apt-get install apertium-eng-spa)")
        return
    click.echo(f"{'engine':9} {'pair':8} {'version':12} location")
    for p in pairs:
        click.echo(f"{p.engine:9} {p.source + '-' + p.target:8} {p.version:12} {p.location}")
    click.echo("\nroutes to English (* = used):")
    for lang, listed in routes.items():
        for i, route in enumerate(listed):
            click.echo(f"  {lang if i == 0 else '':3} {'*' if i == 0 else ' '} {route.name}  ({route.kind})")


ARGOS_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


@models_group.command("install")
@click.argument("models", nargs=-1, required=True)
@click.option("--index", "index_url", default=ARGOS_INDEX, envvar="INTEGRATION_WATCH_ARGOS_INDEX",
              help="The argos package index (env INTEGRATION_WATCH_ARGOS_INDEX), e.g. a mirror.")
@click.pass_obj
@_friendly
def models_install_cmd(obj: dict[str, Any], models: tuple[str, ...], index_url: str) -> None:
    """Install argos packages from .argosmodel FILES, or by LANGUAGE code (X→English) from the argos
    package index (needs internet; a progress bar on a terminal; a cut download is resumed; checked before
    it is installed). Then run 'translate' to fill in what was waiting."""
    from .models import install_argos_file, install_argos_from_index  # httpx, zip handling: only when installing

    files = [m for m in models if Path(m).suffix == ".argosmodel" or Path(m).exists()]
    codes = [m.lower() for m in models if m not in files]
    for code in codes:
        if not code.isalpha() or len(code) not in (2, 3):
            raise UserError(f"{code!r} is neither a .argosmodel file nor a language code like 'el'")
    installed = [install_argos_file(Path(f), obj["models"]) for f in files]
    if codes:
        bar = _ProgressBar() if sys.stderr.isatty() else None
        try:
            installed += install_argos_from_index(codes, obj["models"], index_url=index_url, on_progress=bar)
        finally:
            if bar is not None:
                bar.close()
    for pair in installed:
        click.echo(f"installed argos {pair.source}-{pair.target} {pair.version} into {pair.location}")


class _ProgressBar:
    """One line on stderr per download: what, a bar, megabytes of the total."""

    WIDTH = 30

    def __init__(self) -> None:
        self.drawn = ""

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if total:
            filled = self.WIDTH * done // total
            line = f"{label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done / 1e6:.1f} of {total / 1e6:.1f} MB"
        else:
            line = f"{label} {done / 1e6:.1f} MB"
        if line != self.drawn:
            click.echo("\r" + line + "\033[K", err=True, nl=False)
            self.drawn = line

    def close(self) -> None:
        if self.drawn:
            click.echo("", err=True)
