"""The digest to chat and webhook targets (Slack, Matrix, Teams, Discord, ntfy, a JSON webhook, ...) through
Apprise, the optional extra 'notify': one Apprise URL per target, the digest as Markdown (Apprise converts it
to what each service reads). Sent means at least one target accepted it; only then does the digest count as
delivered (the caller marks it), and the targets that failed are named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TIMEOUT = 60.0  # seconds for one target, retries included (Apprise's own connect/read timeouts apply per request)


class NotifyError(RuntimeError):
    """The digest could not be sent to any target, or a target URL is unusable; nothing counts as delivered."""


@dataclass(frozen=True)
class Target:
    shown: str  # the URL with its tokens and passwords hidden, for messages
    apprise: Any  # an apprise.Apprise holding this one URL


def targets(urls: Sequence[str]) -> list[Target]:
    """Each URL checked (before any work) and ready to send to; NotifyError for one Apprise cannot read."""
    try:
        import apprise  # an optional extra, and 0.1 s of imports: only when a digest is sent this way
    except ImportError:
        raise NotifyError("--notify needs the optional extra 'notify': pip install 'integration-watch[notify]'") from None
    out = []
    for url in urls:
        # memory: Apprise keeps nothing on disk between runs (its default may write a cache under $HOME)
        one = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
        if not one.add(url):
            scheme = url.partition("://")[0] if "://" in url else url[:20]
            raise NotifyError(f"--notify {scheme}://…: not a URL Apprise can send to (see its list of services, "
                              "e.g. slack://, matrix://, msteams://, json://host/path)")
        out.append(Target(one[0].url(privacy=True).partition("?")[0], one))  # Apprise hides tokens and passwords
    return out


def send(to: Sequence[Target], title: str, markdown: str) -> list[tuple[str, str]]:
    """Send the digest to every target; returns the (target, reason) of those that failed. Raises NotifyError
    when none accepted it."""
    failed: list[tuple[str, str]] = []
    for target in to:
        result = target.apprise.notify(markdown, title, body_format="markdown", timeout=TIMEOUT)
        if not result:
            reasons = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR")]
            failed.append((target.shown, reasons[-1] if reasons else "no reason given"))
    if len(failed) == len(to):
        raise NotifyError("no target accepted the digest: " + "; ".join(f"{t}: {why}" for t, why in failed))
    return failed
