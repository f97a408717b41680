"""Index pages by dimension: categories, services, teams, severities, years.

Each dimension has an overview page and one page per value, listing the
postmortems it holds (newest first). Categories with no incidents still get
a page: zero is information.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from ..core.knowledge_base import KnowledgeBase
from ..core.model import Postmortem
from ..render import urls
from ..render.environment import Renderer
from . import GeneratedPage


def _group(postmortems: Iterable[Postmortem], keys: Callable[[Postmortem], Iterable[str]]) -> dict[str, list[Postmortem]]:
    groups: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        for key in dict.fromkeys(keys(pm)):
            groups[key].append(pm)
    return groups


def _value_page(kb: KnowledgeBase, renderer: Renderer, url: str, title: str, intro: str, members: list[Postmortem]) -> GeneratedPage:
    rows = renderer.render("listing", postmortems=members, page=url, settings=kb.settings, urls=urls)
    body = renderer.render("value-intro", intro=intro, count=len(members))
    return GeneratedPage(urls.src_uri(url), title, f"# {_md_escape(title)}\n\n{body}\n\n{rows}\n")


def _overview(renderer: Renderer, url: str, title: str, intro: str, rows: list[dict]) -> GeneratedPage:
    table = renderer.render("overview", rows=rows, page=url)
    return GeneratedPage(urls.src_uri(url), title, f"# {title}\n\n{intro}\n\n{table}\n", in_nav=True, search_exclude=True)


def _md_escape(text: str) -> str:
    # Headings are Markdown: escape what Markdown or HTML would interpret.
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#!":
        out = out.replace(ch, "\\" + ch)
    return out


def dimension_pages(kb: KnowledgeBase, renderer: Renderer) -> list[GeneratedPage]:
    settings = kb.settings
    pms = kb.published
    pages: list[GeneratedPage] = []

    by_category = _group(pms, lambda pm: pm.categories)
    rows = []
    for category in settings.taxonomy:
        members = by_category.get(category.slug, [])
        url = urls.category(category.slug)
        rows.append({"title": category.title, "url": url, "count": len(members), "note": category.description})
        pages.append(_value_page(kb, renderer, url, category.title, category.description, members))
    pages.append(_overview(renderer, urls.CATEGORIES, "Contributing factors", "Every category of the taxonomy, with the number of incidents it contributed to.", rows))

    for name, label, keys, url_of in (
        ("services", "Services", lambda pm: pm.services, urls.service),
        ("teams", "Teams", lambda pm: pm.teams, urls.team),
    ):
        groups = _group(pms, keys)
        rows = []
        for value in sorted(groups):
            url = url_of(value)
            rows.append({"title": value, "url": url, "count": len(groups[value]), "note": ""})
            pages.append(_value_page(kb, renderer, url, value, f"Postmortems involving {value}.", groups[value]))
        root = urls.SERVICES if name == "services" else urls.TEAMS
        pages.append(_overview(renderer, root, label, f"{label} named in the published postmortems.", rows))

    groups = _group(pms, lambda pm: [pm.severity])
    rows = []
    for severity in settings.severities:
        members = groups.get(severity.name, [])
        url = urls.severity(severity.name)
        rows.append({"title": severity.name, "url": url, "count": len(members), "note": severity.description})
        pages.append(_value_page(kb, renderer, url, severity.name, severity.description, members))
    pages.append(_overview(renderer, urls.SEVERITIES, "Severities", "Incidents by severity, worst first.", rows))

    groups = _group(pms, lambda pm: [str(pm.year)])
    rows = []
    for year in sorted(groups, reverse=True):
        url = urls.year(int(year))
        rows.append({"title": year, "url": url, "count": len(groups[year]), "note": ""})
        pages.append(_value_page(kb, renderer, url, year, f"Incidents that started in {year}.", groups[year]))
    pages.append(_overview(renderer, urls.YEARS, "Years", "Incidents by the year they started.", rows))
    return pages
