"""`postmortem stats`: the knowledge base's figures, for a quick look without building.

Counts only what the build would publish (the audience settings of
`mkdocs.yml`, or the options given here), so the numbers match the site.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from typing import Any

import click

from ..core.knowledge_base import KnowledgeBase, load_knowledge_base
from ..core.settings import AUDIENCES
from ..core.findings import plural
from .common import CONFIG_OPTION, EXIT_OK, JOBS_OPTION, colour_allowed, load_project


def figures(kb: KnowledgeBase) -> dict[str, Any]:
    """The figures as plain data (the JSON output, and what the text output prints)."""
    settings = kb.settings
    today = settings.reference_date
    severities = Counter(pm.severity for pm in kb.published)
    categories = Counter(c for pm in kb.published for c in pm.categories)
    items = [(pm, item) for pm in kb.published for item in pm.action_items]
    overdue = sorted(
        ((pm, item) for pm, item in items if item.is_overdue(today)),
        key=lambda pair: (pair[1].due, pair[0].id),
    )
    return {
        "audience": settings.audience,
        "include_drafts": settings.include_drafts,
        "include_restricted": settings.include_restricted,
        "reference_date": today.isoformat(),
        "published": len(kb.published),
        "left_out": dict(sorted(kb.excluded.items())),
        "invalid": kb.invalid,
        "severities": {s.name: severities.get(s.name, 0) for s in settings.severities},
        "categories": {c.slug: categories.get(c.slug, 0) for c in settings.taxonomy},
        "action_items": {
            "total": len(items),
            "open": sum(1 for _, item in items if item.is_open()),
            "overdue": len(overdue),
        },
        "overdue": [
            {
                "id": pm.id,
                "path": pm.path,
                "title": item.title,
                "owner": item.owner,
                "due": item.due.isoformat(),
                "days_overdue": (today - item.due).days,
                "status": item.status,
            }
            for pm, item in overdue
        ],
    }


def _bar(count: int, largest: int, width: int = 24) -> str:
    return "█" * (round(count / largest * width) if largest else 0)


def _print_text(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    colour = colour_allowed()

    def heading(text: str) -> None:
        click.echo("")
        click.echo(click.style(text, bold=True), color=colour)

    audience = f"audience {data['audience']}"
    if data["include_drafts"]:
        audience += ", drafts included"
    if data["include_restricted"]:
        audience += ", restricted included"
    left_out = sum(data["left_out"].values())
    click.echo(
        f"{plural(data['published'], 'postmortem')} published ({audience}); "
        f"{left_out} left out, {data['invalid']} invalid",
        color=colour,
    )
    for reason, count in data["left_out"].items():
        click.echo(f"  left out: {count} {reason}")

    heading("By severity")
    largest = max(data["severities"].values(), default=0)
    for name, count in data["severities"].items():
        click.echo(f"  {name:<10} {count:>4}  {_bar(count, largest)}")

    heading("By contributing factor")
    titles = {c.slug: c.title for c in kb.settings.taxonomy}
    largest = max(data["categories"].values(), default=0)
    width = max((len(t) for t in titles.values()), default=10)
    for slug, count in sorted(data["categories"].items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {titles[slug]:<{width}} {count:>4}  {_bar(count, largest)}")

    items = data["action_items"]
    heading(f"Action items (reference date {data['reference_date']})")
    click.echo(f"  {items['total']} in all, {items['open']} open or in progress, {items['overdue']} overdue")
    for row in data["overdue"]:
        late = click.style(f"{row['days_overdue']} days late", fg="red")
        click.echo(f"  {row['id']}  due {row['due']} ({late})  {row['owner']}: {row['title']}", color=colour)


@click.command()
@CONFIG_OPTION
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts.")
@click.option("--audience", type=click.Choice(AUDIENCES), default=None,
              help="Count for this audience instead of the one in mkdocs.yml.")
@click.option("--include-drafts/--no-include-drafts", default=None,
              help="Also count draft and in-review postmortems (default: as in mkdocs.yml).")
@click.option("--include-restricted/--no-include-restricted", default=None,
              help="Also count restricted postmortems (default: as in mkdocs.yml).")
@JOBS_OPTION
def stats(
    config_file: str,
    output_format: str,
    audience: str | None,
    include_drafts: bool | None,
    include_restricted: bool | None,
    jobs: int | None,
) -> None:
    """Print the knowledge base's figures: counts per severity and contributing factor,
    and the overdue action items.

    Only what the site would publish is counted: the audience settings of
    mkdocs.yml apply (they may come from the environment through `!ENV`),
    unless the options below override them.

    \b
    Examples:
      postmortem stats
      postmortem stats --audience public
      PMKB_INCLUDE_DRAFTS=true postmortem stats
      postmortem stats --format json | jq '.action_items.overdue'
    """
    settings, root = load_project(config_file)
    changes: dict[str, object] = {}
    if audience is not None:
        changes["audience"] = audience
    if include_drafts is not None:
        changes["include_drafts"] = include_drafts
    if include_restricted is not None:
        changes["include_restricted"] = include_restricted
    # Lint stays on: a file with a pasted secret is invalid, so the site leaves it out too.
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    kb = load_knowledge_base(root, settings, workers=jobs)  # records needed: no result cache here
    data = figures(kb)
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_text(kb, data)
    sys.exit(EXIT_OK)
