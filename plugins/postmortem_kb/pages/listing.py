"""The "Postmortems" listing page: every published postmortem, newest first."""

from __future__ import annotations

from ..render import urls
from . import GeneratedPage, block_marker
from .context import Context


def listing_page(ctx: Context) -> GeneratedPage:
    page = urls.LISTING
    table = ctx.incidents_table(page, ctx.kb.published, "No postmortems are published in this build.")
    count = len(ctx.kb.published)
    markdown = (
        "# Postmortems\n\n"
        f"{count} postmortem{'s' if count != 1 else ''}, newest first. "
        "Browse them by [contributing factor](../categories/index.md), [service](../services/index.md), "
        "[team](../teams/index.md), [severity](../severities/index.md) or [year](../years/index.md).\n\n"
        f"{block_marker(0)}\n"
    )
    return GeneratedPage(
        urls.src_uri(page), "Postmortems", markdown, in_nav=True, search_exclude=True, blocks=(table,)
    )
