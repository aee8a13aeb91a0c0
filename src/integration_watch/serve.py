"""`integration-watch serve`: the corpus in Datasette, read-only, with this project's metadata and plugin.

Datasette is an optional extra (`pip install 'integration-watch[serve]'`); it is imported only here.
"""

from __future__ import annotations

import asyncio
import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

# Table views show the start of long cells (an article's text) instead of a wall of text.
SETTINGS = {"truncate_cells_html": 160, "default_page_size": 50, "sql_time_limit_ms": 3000, "facet_time_limit_ms": 500}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class ServeError(RuntimeError):
    """Datasette is missing or the corpus cannot be served."""


def metadata_for(db_path: Path) -> dict[str, Any]:
    """The bundled metadata, under the name Datasette gives this file (its stem), whatever it is called."""
    bundled = json.loads(resources.files("integration_watch.web").joinpath("metadata.json").read_text("utf-8"))
    metadata = copy.deepcopy(bundled)
    metadata["databases"] = {db_path.stem: bundled["databases"]["corpus"]}
    return metadata


def exposure_warning(host: str, port: int) -> str | None:
    if host in LOOPBACK:
        return None
    return (f"serving on {host}:{port}: anyone who can reach this machine on that port can read the whole corpus "
            "(read-only: nothing can be changed through it). Put it behind a proxy with authentication for a team.")


def build(db_path: Path) -> Any:
    """A Datasette instance over the corpus: opened read-only (mode=ro, so a crawl may keep writing beside
    it and what it commits shows up), with our metadata, settings and plugin."""
    try:
        from datasette.app import Datasette
        from datasette.plugins import pm
    except ImportError:
        raise ServeError("Datasette is not installed: pip install 'integration-watch[serve]'") from None
    from . import web

    if not pm.is_registered(web):  # an install without the entry point (e.g. an old editable install)
        pm.register(web, name="integration_watch.web")
    if not db_path.exists():
        raise ServeError(f"{db_path}: no such database (run 'integration-watch crawl' first)")
    return Datasette([str(db_path)], metadata=metadata_for(db_path), settings=SETTINGS)


def run(db_path: Path, host: str, port: int) -> None:
    import uvicorn

    ds = build(db_path)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
