"""What every command shares: exit codes, loading `mkdocs.yml`, failing kindly."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from collections.abc import Callable
from typing import NoReturn

import click

from ..core.settings import Settings
from ..plugin.config import ConfigFileError, load_settings, read_mkdocs_yml

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

CONFIG_OPTION = click.option(
    "-f",
    "--config-file",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The site's mkdocs.yml; its `postmortems` block configures the knowledge base.",
)


JOBS_OPTION = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Validate in N processes (default: one per CPU; 1: this process only). Processes are "
    "used for 300 postmortems or more; the findings are the same either way.",
)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print `postmortem: message` on stderr and exit (2 by default: usage or configuration)."""
    click.echo(f"postmortem: {message}", err=True)
    sys.exit(code)


def load_project(config_file: str) -> tuple[Settings, Path]:
    """Settings and project root from `mkdocs.yml`, or exit 2 saying what is wrong."""
    try:
        return load_settings(Path(config_file))
    except ConfigFileError as exc:
        fail(str(exc))


def docs_layout(config_file: str, root: Path) -> tuple[Path, Callable[[str], bool]]:
    """The site's `docs_dir` (MkDocs' default `docs`) and a test of whether MkDocs leaves
    a page of it out (`exclude_docs` and its defaults, `.*` and `/templates/`; a
    `draft_docs` page is not left out: `mkdocs serve` shows it). For `postmortem check`'s
    look through the pages for misplaced postmortems and for link targets. `mkdocs.yml`
    was read successfully already."""
    import pathspec

    raw = read_mkdocs_yml(Path(config_file))  # read for the settings already: not parsed again
    value = raw.get("docs_dir")
    excluded = raw.get("exclude_docs")
    try:
        spec = pathspec.gitignore.GitIgnoreSpec.from_lines(
            [".*", "/templates/", *(excluded.splitlines() if isinstance(excluded, str) else ())]
        )
    except ValueError as exc:  # MkDocs says the same when it builds
        fail(f"{config_file}: exclude_docs: {exc}")
    return root / (value if isinstance(value, str) and value else "docs"), spec.match_file


def colour_allowed() -> bool | None:
    """None lets click decide (colour only on a terminal); False when NO_COLOR is set.

    https://no-color.org: any non-empty value of NO_COLOR turns colour off.
    """
    return False if os.environ.get("NO_COLOR") else None


