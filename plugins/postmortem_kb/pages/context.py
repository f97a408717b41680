"""Figures every generated page draws on, computed once per build."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..core.knowledge_base import KnowledgeBase
from ..core.model import Postmortem
from ..core.settings import Settings
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
    """The figures of one build, and the rendering helpers of its pages."""

    kb: KnowledgeBase
    renderer: Renderer
    period: str  # "quarter" or "month": the trends period of the configuration
    exports: bool
    refs: list[actions.ItemRef]
    owners: list[actions.Owner]
    links: Links
    categories: list[CategoryStat]
    # Rendered rows by (template, object, options): a postmortem or an action
    # item appears on many index pages; it is rendered once (see `rows`).
    _rows: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False)

    @property
    def settings(self) -> Settings:
        return self.kb.settings

    def render(self, name: str, **values: Any) -> str:
        """Render `partials/postmortem/<name>.html` for the page at `values["page"]`.

        Templates link with `rel(url)`: the page's way back to the site root
        plus the target. Not the shortest relative link, but the same in
        every browser, and much cheaper than `relative()` on pages with
        thousands of rows.
        """
        prefix = _prefix(values.get("page", ""))
        return self.renderer.render(
            name, L=self.links, settings=self.kb.settings, rel=lambda url: prefix + url, **values
        )

    def rows(self, name: str, objects: Iterable[Any], key: Callable[[Any], Hashable], page: str, var: str, **options: Any) -> list[Markup]:
        """`objects` rendered one by one with `<name>.html` (as `var`), each rendered once.

        A row is rendered with a NUL placeholder for the way back to the site
        root, put in per page. A value can hold a NUL (YAML's `"\\0"`): a row
        whose HTML holds more NULs than links is rendered for each page instead.
        """
        template = self.renderer.env.get_template(f"partials/postmortem/{name}.html")
        prefix = _prefix(page)
        links = [0]

        def placeholder(url: str) -> str:
            links[0] += 1
            return _ROOT + url

        context = {"L": self.links, "settings": self.kb.settings, "rel": placeholder, **options}
        settings_key = tuple(sorted(options.items()))
        out = []
        for obj in objects:
            cache_key = (name, key(obj), settings_key)
            html = self._rows.get(cache_key)
            if html is None:
                links[0] = 0
                # Autoescaped by the environment: safe to embed as is.
                html = template.render(context, **{var: obj}).strip()
                if html.count(_ROOT) != links[0]:
                    html = ""  # never cached: see below
                else:
                    self._rows[cache_key] = html
            if not html:
                exact = {**context, "rel": lambda url: prefix + url}
                out.append(Markup(template.render(exact, **{var: obj}).strip()))
                continue
            out.append(Markup(html.replace(_ROOT, prefix)))
        return out

    def ai_table(self, page: str, refs: Sequence[actions.ItemRef], empty: str, *, show_owner: bool = True, show_factor: bool = True) -> str:
        # An item is its postmortem's id and its (frozen, hashable) value: identical twins render alike.
        key = lambda ref: (ref.postmortem.id, ref.item)  # noqa: E731
        rows = self.rows("kb-ai-row", refs, key, page, "ref", show_owner=show_owner, show_factor=show_factor)
        return self.render("kb-ai-table", page=page, rows=rows, empty=empty, show_owner=show_owner)

    def incidents_table(self, page: str, postmortems: Sequence[Postmortem], empty: str) -> str:
        rows = self.rows("kb-incident-row", postmortems, lambda pm: pm.id, page, "pm")
        return self.render("kb-incidents", page=page, rows=rows, empty=empty)


_ROOT = "\x00"


def _prefix(page: object) -> str:
    """From a page URL back to the site root (`categories/x/` -> `../../`)."""
    return "../" * str(page or "").count("/")


def build_context(kb: KnowledgeBase, renderer: Renderer, options: Any = None) -> Context:
    period = getattr(options, "trends_period", None) or "quarter"
    exports = bool(getattr(options, "exports", True)) if options is not None else True
    today = kb.settings.reference_date
    refs = actions.collect(kb.published, today)
    owner_list = actions.owners(refs)
    links = Links(kb, {o.key: o.slug for o in owner_list})
    stats = category_stats(kb.published, kb.settings.taxonomy, today, period)
    return Context(kb, renderer, period, exports, refs, owner_list, links, stats)
