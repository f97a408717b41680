"""Figures every generated page draws on, computed once per build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.knowledge_base import KnowledgeBase
from ..core.model import Postmortem
from ..render import urls
from ..render.environment import Renderer
from ..stats import actions
from ..stats.trends import CategoryStat, category_stats


class Links:
    """Site URLs and display names, as the templates need them."""

    def __init__(self, kb: KnowledgeBase, owner_slugs: dict[str, str]) -> None:
        self.settings = kb.settings
        self.titles = {c.slug: c.title for c in kb.settings.taxonomy}
        self._owner_slugs = owner_slugs

    def pm(self, pm: Postmortem) -> str:
        return urls.postmortem(pm.path)

    def category(self, slug: str) -> str:
        return urls.category(slug)

    def service(self, slug: str) -> str:
        return urls.service(slug)

    def team(self, slug: str) -> str:
        return urls.team(slug)

    def severity(self, name: str) -> str:
        return urls.severity(name)

    def year(self, value: int) -> str:
        return urls.year(value)

    def owner(self, owner_key: str) -> str:
        return urls.owner(self._owner_slugs[owner_key])

    def title(self, slug: str) -> str:
        return self.titles.get(slug, slug)

    def rank(self, severity: str) -> int:
        return self.settings.severity_rank(severity)


@dataclass
class Context:
    kb: KnowledgeBase
    renderer: Renderer
    period: str  # "quarter" or "month": the trends period of the configuration
    exports: bool
    refs: list[actions.ItemRef]
    owners: list[actions.Owner]
    links: Links
    categories: list[CategoryStat]

    @property
    def settings(self):  # noqa: ANN201 - Settings; kept short for templates
        return self.kb.settings

    def render(self, name: str, **values: Any) -> str:
        return self.renderer.render(name, L=self.links, settings=self.kb.settings, **values)


def build_context(kb: KnowledgeBase, renderer: Renderer, options: Any = None) -> Context:
    period = getattr(options, "trends_period", None) or "quarter"
    exports = bool(getattr(options, "exports", True)) if options is not None else True
    today = kb.settings.reference_date
    refs = actions.collect(kb.published, today)
    owner_list = actions.owners(refs)
    links = Links(kb, {o.key: o.slug for o in owner_list})
    stats = category_stats(kb.published, kb.settings.taxonomy, today, period)
    return Context(kb, renderer, period, exports, refs, owner_list, links, stats)
