"""`integration-watch digest`: what is new since the last digest, written, mailed or sent to chat and webhook
targets, and marked delivered. Building it is digest.py's, rendering digest_formats.py's, mailing mail.py's,
the chat targets notify.py's."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import export
from .cli_common import LazyChoice, UserError, _friendly, existing_db, sources_option
from .config import load_config
from .corpus import Corpus
from .search import Filters


@click.command("digest")
@click.option("--format", "fmt", type=LazyChoice("digest_formats", "FORMATS"), default=None,
              help="Output format [default: from --out's suffix, else markdown].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (atomically) instead of stdout; an empty digest leaves the file alone.")
@click.option("--since", help="A report over publication dates instead of what is new: YYYY-MM-DD, YYYY-MM, YYYY or 7d.")
@click.option("--until", help="... up to this date (same forms).")
@click.option("--lang", help="Only stories with a new article in this language (its own watermark).")
@click.option("--source", help="Only stories with a new article from this source (its own watermark).")
@click.option("--dry-run", is_flag=True, help="Show what the next digest holds without marking it delivered.")
@click.option("--again", is_flag=True, help="Write the last delivered digest again (e.g. when mailing it failed).")
@click.option("--mail-to", multiple=True, help="Mail it (HTML with a text part) to this address (repeatable); SMTP "
              "settings from [digest] in --sources. Delivered once the server accepts it.")
@click.option("--notify", multiple=True, metavar="URL",
              help="Send it to a chat or webhook target, an Apprise URL (slack://…, matrix://…, msteams://…, "
              "json://host/path; repeatable; needs the 'notify' extra). Delivered once one target accepts it.")
@sources_option
@click.pass_obj
@_friendly
def digest_cmd(obj: dict[str, Any], fmt: str | None, out: Path | None, since: str | None, until: str | None,
               lang: str | None, source: str | None, dry_run: bool, again: bool, mail_to: tuple[str, ...],
               notify: tuple[str, ...], sources_path: Path) -> None:
    """What is new since the last digest (the first time: published in the last 24 hours), one entry per story:
    English headline and lead, date, languages, sources, a link to every original. Stories carried by most sources
    come first. Written completely, a digest counts as delivered: the next one starts after it."""
    from . import digest, digest_formats

    fmt = fmt or (digest_formats.SUFFIXES.get(out.suffix.lower(), "markdown") if out else "markdown")
    filters = Filters(lang, source, since, until)
    filters.check()
    if again and (since or until):
        raise UserError("--again repeats the last delivered digest; it takes no --since/--until")
    report = bool(since or until)
    mailer = _mailer(sources_path, mail_to, dry_run) if mail_to else None  # bad settings fail before any work
    notifier = _notifier(notify, dry_run) if notify else None
    sent = bool(mail_to or notify)
    with Corpus(existing_db(obj["db"]), readonly=dry_run or again or report) as corpus:
        filters.check_known(corpus)  # a mistyped filter would otherwise say "nothing new" every day
        try:
            result = digest.build(corpus, filters, again=again, activity=fmt == "html" or bool(mail_to))
        except LookupError as exc:
            raise UserError(str(exc)) from None
        if not result.entries and (fmt != "json" or sent):
            click.echo(result.nothing_new())  # and nothing is mailed or sent on a day without news
            return
        document = digest_formats.render(result, fmt)
        try:
            if sent and out is None:
                pass  # the mail or the notification is the output
            elif out is None:
                click.echo(document, nl=False)
                sys.stdout.flush()  # delivered only once it has really been written
            else:
                with export.atomic_output(out) as handle:
                    handle.write(document)
        except OSError as exc:
            raise UserError(f"cannot write the digest{f' to {out}' if out else ''}: {exc.strerror or exc}; "
                            "not marked delivered") from None
        destination = str(out) if out else None
        if mailer is not None:
            mailer(result.title, digest_formats.render(result, "text"), digest_formats.render(result, "html"))
            destination = ", ".join(filter(None, ["mail to " + ", ".join(mail_to), destination]))
        if notifier is not None:
            shown = notifier(result.title, digest_formats.render(result, "markdown"))
            destination = ", ".join(filter(None, [destination, "notify " + ", ".join(shown)]))
        if not dry_run and result.window.kind == "new":
            kind = fmt if out else "mail" if mail_to else "notify" if notify else fmt
            digest.mark_delivered(corpus, result, kind, destination)
    if out is not None:
        new = "" if result.window.kind == "report" else "new "
        click.echo(f"digest: {len(result.entries)} stories, {result.articles} {new}articles -> {out}", err=True)


def _mailer(sources_path: Path, to: tuple[str, ...], dry_run: bool) -> Callable[[str, str, str], None]:
    """A function that mails a digest (subject, text, HTML) as [digest] in the sources file says, raising
    UserError unless the server accepted it; checked now, so that a missing setting fails before any work."""
    from . import mail

    if dry_run:
        raise UserError("--dry-run shows the next digest and delivers nothing: leave out --mail-to")
    settings = load_config(sources_path).digest
    try:
        password = mail.check(settings)
    except mail.MailError as exc:
        raise UserError(str(exc)) from None

    def send(subject: str, text: str, html: str) -> None:
        try:
            refused = mail.send(mail.compose(subject, text, html, settings, to), settings, password)
        except mail.MailError as exc:
            raise UserError(f"digest not mailed: {exc}; not marked delivered") from None
        for who, (code, answer) in refused.items():
            click.echo(f"warning: {who} refused the digest: {code} {answer.decode(errors='replace')}", err=True)
        click.echo(f"digest mailed to {', '.join(w for w in to if w not in refused)}", err=True)

    return send


def _notifier(urls: tuple[str, ...], dry_run: bool) -> Callable[[str, str], list[str]]:
    """A function that sends a digest (title, Markdown) to the Apprise URLs and returns them as shown (tokens
    hidden), raising UserError unless a target accepted it; the URLs are checked now, before any work."""
    from . import notify

    if dry_run:
        raise UserError("--dry-run shows the next digest and delivers nothing: leave out --notify")
    try:
        to = notify.targets(urls)
    except notify.NotifyError as exc:
        raise UserError(str(exc)) from None

    def send(title: str, markdown: str) -> list[str]:
        try:
            failed = notify.send(to, title, markdown)
        except notify.NotifyError as exc:
            raise UserError(f"digest not sent: {exc}; not marked delivered") from None
        for shown, why in failed:
            click.echo(f"warning: {shown} did not take the digest: {why}", err=True)
        sent_to = [t.shown for t in to if t.shown not in {f for f, _ in failed}]
        click.echo(f"digest sent to {', '.join(sent_to)}", err=True)
        return sent_to

    return send
