"""`postmortem new`: start a postmortem from the template, in the conventional place.

The template is the knowledge base's own `postmortems/_templates/postmortem.md`
(so an organisation can adapt it), or the copy shipped with the package. Its
named placeholders (`{{ id }}`, `{{ title }}`, `{{ date }}`, `{{ severity }}`,
`{{ services }}`, `{{ teams }}`, `{{ authors }}`) are filled here; the others
are for the author, and `postmortem check` reports each one left.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import click

from ..core.knowledge_base import is_postmortem_path
from ..core.schema import SLUG_PATTERN
from ..core.settings import Settings
from ..core.source import SourceError, split
from ..core.yamlnodes import YamlError, load
from .common import CONFIG_OPTION, EXIT_OK, fail, load_project

TEMPLATE = "_templates/postmortem.md"
_ID = re.compile(r"^id:[ \t]*[\"']?PM-(\d{4})-(\d+)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_SLUG = re.compile(SLUG_PATTERN)
_LIST_PLACEHOLDER = re.compile(r"\[\s*([\"']?)\{\{\s*(services|teams|authors)\s*\}\}\1\s*\]")
_SCALAR_PLACEHOLDER = re.compile(r"([\"']?)\{\{\s*(id|title|severity|date)\s*\}\}\1")
MAX_TITLE = 120


def stdin_is_terminal() -> bool:
    """Whether `new` may ask questions (a function, so tests can pretend)."""
    return sys.stdin.isatty()


def slugify(text: str, limit: int = 60) -> str:
    """`Card payments failed (mTLS)` -> `card-payments-failed-mtls`, cut at a word."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "incident"


def next_id(folder: Path, year: int) -> str:
    """The next free `PM-YYYY-NNN` for `year`, across every file of the knowledge base.

    Files are read with a regex, not validated: an id taken by a draft with
    broken front matter, or by a hidden one (`.drafts/`), is still taken.
    """
    highest = 0
    if folder.is_dir():
        for path in folder.rglob("*.md"):
            rel = path.relative_to(folder).as_posix()
            if not is_postmortem_path(rel, hidden_too=True):
                continue
            try:
                head = path.read_text(encoding="utf-8-sig", errors="replace")[:20_000]
            except OSError:
                continue
            for match in _ID.finditer(head):
                if int(match.group(1)) == year:
                    highest = max(highest, int(match.group(2)))
    return f"PM-{year}-{highest + 1:03d}"


def read_template(root: Path, settings: Settings, explicit: str | None) -> str:
    if explicit:
        path = Path(explicit)
    else:
        path = root / settings.postmortems_dir / TEMPLATE
        if not path.is_file():
            return resources.files("postmortem_kb.cli").joinpath("templates/postmortem.md").read_text("utf-8")
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(f"{path}: cannot read the template: {exc.strerror}")


def fill(template: str, values: dict[str, object]) -> str:
    """Fill the named placeholders; lists become YAML flow lists, strings JSON-quoted scalars."""

    def as_list(match: re.Match[str]) -> str:
        items = values[match.group(2)]
        assert isinstance(items, (list, tuple))
        return json.dumps(list(items), ensure_ascii=False)

    def as_scalar(match: re.Match[str]) -> str:
        value = str(values[match.group(2)])
        return json.dumps(value, ensure_ascii=False) if match.group(1) else value

    return _SCALAR_PLACEHOLDER.sub(as_scalar, _LIST_PLACEHOLDER.sub(as_list, template))


# Validators: return the cleaned value or raise click.BadParameter (prompts ask again).

def _title(value: str) -> str:
    value = " ".join(str(value).split())
    if not value:
        raise click.BadParameter("the title is empty; say what happened, in a line")
    if len(value) > MAX_TITLE:
        raise click.BadParameter(f"the title is {len(value)} characters long; keep it to {MAX_TITLE} at most")
    return value


def _severity(settings: Settings) -> Callable[[str], str]:
    names = settings.severity_names

    def check(value: str) -> str:
        for name in names:
            if name.casefold() == str(value).strip().casefold():
                return name
        raise click.BadParameter(f"`{value}` is not a severity here; use one of {', '.join(names)}")

    return check


def _split(values: Iterable[str], commas: bool) -> list[str]:
    out: list[str] = []
    for value in values:
        parts = str(value).split(",") if commas else [str(value)]
        out += [p.strip() for p in parts if p.strip()]
    return list(dict.fromkeys(out))


def _slugs(what: str, required: bool) -> Callable[[Iterable[str] | str], list[str]]:
    def check(values: Iterable[str] | str) -> list[str]:
        items = _split([values] if isinstance(values, str) else values, commas=True)
        if required and not items:
            raise click.BadParameter(f"name at least one {what}")
        for item in items:
            if not _SLUG.fullmatch(item):
                raise click.BadParameter(
                    f"`{item}` is not a slug; use lowercase letters, digits and hyphens, like `{slugify(item)}`"
                )
        return items

    return check


def _authors(values: Iterable[str] | str) -> list[str]:
    items = _split([values] if isinstance(values, str) else values, commas=isinstance(values, str))
    if not items:
        raise click.BadParameter("name at least one author")
    return items


def _date(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not a date like 2024-03-14", param_hint="--date") from None
    if day > dt.date.today():
        # The file could never pass: its timestamps would be in the future.
        raise click.BadParameter(
            f"`{value}` is in the future; give the day the incident started", param_hint="--date"
        )
    return day


@click.command()
@click.option("--title", help="What happened, in one line (at most 120 characters).")
@click.option("--severity", help="One of the severities in mkdocs.yml (by default SEV1, worst, to SEV4).")
@click.option("--service", "services", multiple=True, metavar="SLUG",
              help="An affected service, as a slug (repeat the option, or separate with commas).")
@click.option("--team", "teams", multiple=True, metavar="SLUG",
              help="A team that responded or owns the follow-up (repeatable; optional).")
@click.option("--author", "authors", multiple=True, metavar="NAME",
              help="An author of the document (repeat the option, or separate names with commas).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="The day the incident started: file name, id year and timestamps. Default: today.")
@click.option("--slug", help="File-name slug (default: from the title). Starting it with the main service "
                             "lets CODEOWNERS route the review.")
@click.option("--template", "template_path", type=click.Path(dir_okay=False, exists=True),
              help="Template to start from (default: postmortems/_templates/postmortem.md, or the built-in one).")
@CONFIG_OPTION
def new(
    title: str | None,
    severity: str | None,
    services: tuple[str, ...],
    teams: tuple[str, ...],
    authors: tuple[str, ...],
    date_text: str | None,
    slug: str | None,
    template_path: str | None,
    config_file: str,
) -> None:
    """Start a new postmortem from the template, with the next free id.

    Creates postmortems/YYYY/YYYY-MM-DD-slug.md. In a terminal it asks for
    what the options do not give; otherwise every required option (--title,
    --severity, --service, --author) must be given, or it exits with status 2
    naming the missing ones. Then fill in each placeholder in double curly
    braces and run `postmortem check` on the file.

    \b
    Examples:
      postmortem new
      postmortem new --title "Checkout latency after a config push" --severity SEV2 \\
          --service checkout-api --team checkout --author "Priya Raman"
      postmortem new --date 2024-03-14 --title "..." --severity SEV3 --service search-api --author "Mei Lin"
    """
    settings, root = load_project(config_file)
    interactive = stdin_is_terminal()
    try:
        given_title = _title(title) if title is not None else None
        given_severity = _severity(settings)(severity) if severity is not None else None
        given_services = _slugs("service", required=False)(services)
        given_teams = _slugs("team", required=False)(teams)
        given_authors = _split(authors, commas=True)  # as --service and the prompt do
        day = _date(date_text)
        if slug is not None and not _SLUG.fullmatch(slug):
            raise click.BadParameter(f"`{slug}` is not a slug; try `{slugify(slug)}`", param_hint="--slug")
    except click.BadParameter as exc:
        raise click.UsageError(exc.format_message()) from None

    missing = [
        option
        for option, value in (("--title", given_title), ("--severity", given_severity),
                              ("--service", given_services), ("--author", given_authors))
        if not value
    ]
    if missing and not interactive:
        raise click.UsageError(
            f"missing {', '.join(missing)}: standard input is not a terminal, so `postmortem new` "
            "cannot ask; give them as options"
        )
    if given_title is None:
        given_title = click.prompt("Title (what happened, in one line)", value_proc=_title)
    if given_severity is None:
        given_severity = click.prompt(
            f"Severity ({', '.join(settings.severity_names)})", value_proc=_severity(settings)
        )
    if not given_services:
        given_services = click.prompt("Affected services (slugs, separated by commas)",
                                      value_proc=_slugs("service", required=True))
    if not given_teams and interactive and not teams:
        given_teams = click.prompt("Teams involved (slugs, separated by commas; Enter for none)",
                                   default="", show_default=False, value_proc=_slugs("team", required=False))
    if not given_authors:
        given_authors = click.prompt("Authors (names, separated by commas)", value_proc=_authors)

    folder = root / settings.postmortems_dir
    pm_id = next_id(folder, day.year)
    stem = f"{day.isoformat()}-{slug or slugify(given_title)}"
    target = folder / str(day.year) / f"{stem}.md"
    counter = 2
    while target.exists():
        target = folder / str(day.year) / f"{stem}-{counter}.md"
        counter += 1

    text = fill(read_template(root, settings, template_path), {
        "id": pm_id, "title": given_title, "severity": given_severity, "date": day.isoformat(),
        "services": given_services, "teams": given_teams, "authors": given_authors,
    })
    _check_template_result(text, template_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"{target}: cannot write: {exc.strerror}")
    shown = target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)
    click.echo(shown)
    click.echo(
        f"postmortem: created {shown} ({pm_id}). Replace each placeholder in double curly braces, "
        f"then run: postmortem check {shown}",
        err=True,
    )
    sys.exit(EXIT_OK)


def _check_template_result(text: str, template_path: str | None) -> None:
    """A customised template that no longer yields loadable front matter is a configuration problem."""
    try:
        load(split("template", text).front_matter)
    except (SourceError, YamlError) as exc:
        where = template_path or "the template"
        fail(f"{where}: after filling it, its front matter does not load: {getattr(exc, 'message', exc)}")
