"""`integration-watch serve`: the corpus in Datasette (serve.py and the web/ plugin)."""

from __future__ import annotations

import click

from .cli_common import UserError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int) -> None:
    """Browse and search the corpus in Datasette (read-only): ranked search grouped by story at /-/search, a page
    per story, the tables with facets. Needs the serve extra: pip install 'integration-watch[serve]'."""
    from .serve import ServeError, exposure_warning, run

    warning = exposure_warning(host, port)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"serving {ctx.obj['db']} read-only at http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/ "
               "(search: /-/search; Ctrl-C stops)", err=True)
    try:
        run(ctx.obj["db"], host, port)
    except ServeError as exc:
        raise UserError(str(exc)) from None
