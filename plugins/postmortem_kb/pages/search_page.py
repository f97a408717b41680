"""The faceted search page (`search/`), generated when `pagefind: true`.

It holds only a placeholder: `assets/javascripts/postmortem-kb-search.js`
loads Pagefind's UI from the site's own `pagefind/` folder (written by
`on_post_build`) and mounts it there, with its filters and a date sort.
"""

from __future__ import annotations

from . import GeneratedPage

URL = "search/"

MARKDOWN = """# Search

Search the postmortems, and filter by contributing factor, service, team, severity and year; results are newest first. The search box in the header searches the full text of every page.

<div id="pmkb-pagefind" class="pmkb-pagefind" data-bundle="../pagefind/" data-search-exclude>
<noscript><p>Faceted search needs JavaScript. Browse by <a href="../categories/">contributing factor</a>, <a href="../services/">service</a>, <a href="../teams/">team</a>, <a href="../severities/">severity</a> or <a href="../years/">year</a> instead.</p></noscript>
</div>
"""


def search_page() -> GeneratedPage:
    return GeneratedPage(f"{URL}index.md", "Search", MARKDOWN, in_nav=True, search_exclude=True)
