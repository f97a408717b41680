"""The Atom feed of published postmortems (`feed.xml`), written with feedgen.

The format has no publication date, so an entry is dated by the incident's
`resolved_at` (a postmortem is written after resolution) and the feed by the
newest entry: the bytes depend on the data only. An empty feed is dated by
SOURCE_DATE_EPOCH, or the Unix epoch.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re

from feedgen.feed import FeedGenerator

from ..core.model import Postmortem
from ..core.settings import Settings
from .records import page_url

FEED_FILE = "feed.xml"
LIMIT = 50
# XML 1.0 forbids most control characters; lxml refuses them outright.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _fallback_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def feed_entries(postmortems: list[Postmortem]) -> list[Postmortem]:
    """Newest resolution first; at most `LIMIT`."""
    ordered = sorted(postmortems, key=lambda pm: (pm.resolved_at.astimezone(dt.timezone.utc), pm.id), reverse=True)
    return ordered[:LIMIT]


def _content(pm: Postmortem, settings: Settings) -> str:
    titles = {c.slug: c.title for c in settings.taxonomy}
    factors = "".join(
        f"<li>{html.escape(titles.get(f.category, f.category))}: {html.escape(f.description)}</li>" for f in pm.factors
    )
    return (
        f"<p>{html.escape(pm.summary)}</p>"
        f"<p>Severity {html.escape(pm.severity)} · services {html.escape(', '.join(pm.services))}</p>"
        f"<ul>{factors}</ul>"
    )


def atom_feed(postmortems: list[Postmortem], settings: Settings, site_url: str | None) -> bytes:
    entries = feed_entries(postmortems)
    base = (site_url if site_url.endswith("/") else site_url + "/") if site_url else None
    fg = FeedGenerator()
    fg.id(base + FEED_FILE if base else "urn:postmortem-kb:feed")
    fg.title("Published postmortems")
    fg.subtitle("Blameless postmortems, newest first.")
    fg.language("en")
    if base:
        fg.link(href=base, rel="alternate")
        fg.link(href=base + FEED_FILE, rel="self")
    updated = max((pm.resolved_at for pm in entries), default=None) or _fallback_date()
    fg.updated(updated)
    for pm in entries:
        entry = fg.add_entry(order="append")
        url = page_url(pm, site_url)
        entry.id(url if base else f"urn:postmortem-kb:postmortem:{pm.id}")
        entry.title(clean(f"{pm.id}: {pm.title}"))
        entry.link(href=url, rel="alternate")
        entry.updated(pm.resolved_at)
        entry.published(pm.resolved_at)
        entry.summary(clean(pm.summary))
        entry.content(clean(_content(pm, settings)), type="html")
        for author in pm.authors:
            entry.author({"name": clean(author)})
        entry.category([{"term": pm.severity, "label": f"Severity {pm.severity}"}])
        for slug in pm.categories:
            entry.category([{"term": slug, "label": clean(settings.category(slug).title if settings.category(slug) else slug)}])
    return fg.atom_str(pretty=True)
