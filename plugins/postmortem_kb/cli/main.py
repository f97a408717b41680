"""`postmortem`: validate postmortems without building the site.

Exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage or
configuration problems. Same validation code and same configuration (the
`postmortems` block of `mkdocs.yml`) as the MkDocs plugin.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..core.findings import Finding, Level
from ..core.knowledge_base import KnowledgeBase, load_knowledge_base
from ..plugin.config import ConfigFileError, load_settings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Group(click.Group):
    def main(self, *args, **kwargs):  # type: ignore[override]
        # click exits 2 on usage errors already; keep that, and never show a traceback.
        return super().main(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-kb")
def cli() -> None:
    """Work with a postmortem knowledge base (validate, lint, scaffold).

    \b
    Examples:
      postmortem check                      # the whole knowledge base
      postmortem check postmortems/2024     # one folder
      postmortem check --format json a.md   # machine-readable
    """


def _select(kb: KnowledgeBase, root: Path, paths: tuple[str, ...]) -> tuple[list[Finding], set[str]]:
    """Findings for the given files or folders (all when none are given)."""
    if not paths:
        return list(kb.findings), {r.path for r in kb.results}
    wanted: set[str] = set()
    prefixes: list[str] = []
    for raw in paths:
        path = Path(raw).resolve()
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = Path(raw).as_posix()
        if path.is_dir():
            prefixes.append(rel.rstrip("/") + "/" if rel not in ("", ".") else "")
        else:
            wanted.add(rel)
    selected = {
        r.path for r in kb.results if r.path in wanted or any(r.path.startswith(p) for p in prefixes)
    }
    # Findings on paths not known as results (symlinks, unreadable folders).
    findings = [
        f for f in kb.findings
        if f.path in selected or f.path in wanted or any(f.path.startswith(p) for p in prefixes)
    ]
    return findings, selected


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--config-file", default="mkdocs.yml", show_default=True, type=click.Path(dir_okay=False),
              help="The site's mkdocs.yml; its `postmortems` block configures the checks.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: `path:line: level: message`; json: a list of findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings or the summary.")
def check(paths: tuple[str, ...], config_file: str, output_format: str, quiet: bool) -> None:
    """Validate postmortems against the format, without building the site.

    PATHS are files or folders (default: the whole knowledge base). The
    cross-file rules (unique ids, `related` ids that exist) always look at the
    whole knowledge base.

    \b
    Examples:
      postmortem check
      postmortem check postmortems/2024/2024-03-14-checkout-latency.md
      postmortem check --format json > findings.json
    """
    try:
        settings, root = load_settings(Path(config_file))
    except ConfigFileError as exc:
        click.echo(f"postmortem: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for raw in paths:
        if not Path(raw).exists():
            click.echo(f"postmortem: {raw}: no such file or folder", err=True)
            sys.exit(EXIT_USAGE)
    kb = load_knowledge_base(root, settings)
    findings, selected = _select(kb, root, paths)
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    if output_format == "json":
        click.echo(json.dumps({
            "checked": len(selected),
            "errors": errors,
            "warnings": warnings,
            "findings": [f.to_dict() for f in findings],
        }, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            if quiet and not finding.is_error:
                continue
            colour = "red" if finding.level is Level.ERROR else "yellow"
            where = f"{finding.path}:{finding.line}" if finding.line else finding.path
            click.echo(f"{where}: {click.style(finding.level.value, fg=colour, bold=True)}: {finding.message}")
        if not quiet:
            summary = f"{len(selected)} postmortem{'s' if len(selected) != 1 else ''} checked: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
            click.echo(click.style(summary, fg="red" if errors else "green"), err=True)
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


def main() -> None:
    cli(prog_name="postmortem")


if __name__ == "__main__":  # pragma: no cover
    main()
