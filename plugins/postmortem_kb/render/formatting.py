"""Human-readable values: durations, dates, relative URLs."""

from __future__ import annotations

import datetime as dt
import posixpath
from functools import lru_cache
from urllib.parse import quote


def duration(delta: dt.timedelta | None) -> str:
    """`1 h 48 min`, `3 d 4 h`, `45 s`; an em dash for unknown."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def when(value: dt.datetime | None) -> str:
    """`2024-03-14 09:12 UTC` (shown in the offset the author wrote)."""
    if value is None:
        return "—"
    offset = value.utcoffset() or dt.timedelta(0)
    if offset == dt.timedelta(0):
        zone = "UTC"
    else:
        total = int(offset.total_seconds() // 60)
        sign = "+" if total >= 0 else "-"
        zone = f"UTC{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
    return f"{value:%Y-%m-%d %H:%M} {zone}"


def page_url(src_uri: str) -> str:
    """The directory URL MkDocs gives `src_uri` (use_directory_urls)."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if stem == "index" or stem.endswith("/index"):
        return quote(stem[: -len("index")])
    return quote(stem + "/")  # as MkDocs quotes `File.url`: `a b#c.md` is `a%20b%23c/`


@lru_cache(maxsize=65536)
def relative(from_url: str, to_url: str) -> str:
    """Relative link between two site URLs (both relative to the site root).

    Called for every link of every generated page (hundreds of thousands at
    10,000 postmortems), hence segment arithmetic and a cache, not relpath.
    """
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    source = [p for p in from_dir.split("/") if p]
    target = [p for p in (to_url or "").split("/") if p]
    common = 0
    for a, b in zip(source, target):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(source) - common) + target[common:]
    rel = "/".join(parts) or "."
    if (to_url.endswith("/") or not to_url) and not rel.endswith("/"):
        rel += "/"
    return rel if rel != "./" else "./"
