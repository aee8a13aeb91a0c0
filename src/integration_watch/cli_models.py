"""`integration-watch models`: the translation routes on this machine, and installing argos packages."""

from __future__ import annotations

import json
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
            "routes": [_route_dict(r, i == 0) for found in routes.values() for i, r in enumerate(found)],
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
    for lang, found in routes.items():
        for i, route in enumerate(found):
            click.echo(f"  {lang if i == 0 else '':3} {'*' if i == 0 else ' '} {route.name}  ({route.kind})")


@models_group.command("install")
@click.argument("models", nargs=-1, required=True)
@click.pass_obj
@_friendly
def models_install_cmd(obj: dict[str, Any], models: tuple[str, ...]) -> None:
    """Install argos packages from .argosmodel FILES, or by LANGUAGE code (X→English) from the argos
    package index (needs internet). Then run 'translate' to fill in what was waiting."""
    from .models import install_argos_file, install_argos_from_index  # httpx, zip handling: only when installing

    files = [m for m in models if Path(m).suffix == ".argosmodel" or Path(m).exists()]
    codes = [m.lower() for m in models if m not in files]
    for code in codes:
        if not code.isalpha() or len(code) not in (2, 3):
            raise UserError(f"{code!r} is neither a .argosmodel file nor a language code like 'el'")
    installed = [install_argos_file(Path(f), obj["models"]) for f in files]
    if codes:
        installed += install_argos_from_index(codes, obj["models"])
    for pair in installed:
        click.echo(f"installed argos {pair.source}-{pair.target} {pair.version} into {pair.location}")
