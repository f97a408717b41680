"""Where each kind of page lives on the site (URLs relative to the site root)."""

from __future__ import annotations

from .formatting import page_url

LISTING = "postmortems/"
CATEGORIES = "categories/"
SERVICES = "services/"
TEAMS = "teams/"
SEVERITIES = "severities/"
YEARS = "years/"
TRENDS = "trends/"
ACTION_ITEMS = "action-items/"
LESSONS = "lessons/"


def postmortem(path: str) -> str:
    return page_url(path)


def category(slug: str) -> str:
    return f"{CATEGORIES}{slug}/"


def service(slug: str) -> str:
    return f"{SERVICES}{slug}/"


def team(slug: str) -> str:
    return f"{TEAMS}{slug}/"


def severity(name: str) -> str:
    return f"{SEVERITIES}{severity_slug(name)}/"


def severity_slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "severity"


def year(value: int) -> str:
    return f"{YEARS}{value}/"


def src_uri(url: str) -> str:
    """The generated page's source path for a directory URL."""
    return f"{url}index.md" if url.endswith("/") else f"{url}.md"


# Cross-incident pages (trends views, action items by owner) -----------------

ACTION_ITEMS_CLOSED = f"{ACTION_ITEMS}closed/"
OWNERS = f"{ACTION_ITEMS}owners/"


def owner(slug: str) -> str:
    return f"{OWNERS}{slug}/"


def trends_view(range_key: str, floor_key: str) -> str:
    """`trends/` is all time and every severity; the other views live below it."""
    if range_key == "all" and floor_key == "all":
        return TRENDS
    return f"{TRENDS}{range_key}/{floor_key}/"
