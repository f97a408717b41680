"""Printing findings: text for people, JSON for tools, workflow commands for GitHub.

GitHub's workflow-command syntax and escaping follow the Actions toolkit
(`@actions/core`, `command.ts`): in the message `%`, CR and LF are escaped;
in a property value `:` and `,` are escaped as well.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click

from ..core.findings import Finding, Level, plural, visible
from .common import EXIT_ERRORS, EXIT_OK, colour_allowed

FORMATS = ("text", "json", "github")
SUMMARY_ROWS = 200  # a step summary holds 1 MiB; keep it readable well before that


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(finding: Finding, path: str) -> str:
    """`::error file=...,line=...,col=...,title=...::message` for one finding."""
    command = "error" if finding.level is Level.ERROR else "warning"
    properties = [f"file={escape_property(visible(path))}"]
    if finding.line:
        properties.append(f"line={finding.line}")
        if finding.column:
            properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(finding.code)}")
    return f"::{command} {','.join(properties)}::{escape_data(visible(finding.message, lines=True))}"


def workspace_path(path: str, root: Path) -> str:
    """The finding's path relative to the repository, as GitHub annotations need it.

    Findings are relative to the folder of `mkdocs.yml`; when that folder is
    not the repository's root, GITHUB_WORKSPACE tells how to get there.
    """
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    try:
        prefix = root.resolve().relative_to(Path(workspace).resolve())
    except ValueError:
        return path
    return (prefix / path).as_posix() if str(prefix) != "." else path


@dataclass
class Outcome:
    """What one `check` or `lint` run found."""

    title: str  # "Postmortem check" or "Postmortem lint"
    checked: int
    findings: list[Finding]
    strict: bool = False
    scope: str = ""  # e.g. "changed since origin/main"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def failed(self) -> bool:
        return bool(self.errors or (self.strict and self.warnings))

    def headline(self) -> str:
        what = f"{plural(self.checked, 'postmortem')} {'linted' if 'lint' in self.title else 'checked'}"
        if self.scope:
            what += f" ({self.scope})"
        text = f"{what}: {plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
        if self.strict and self.warnings and not self.errors:
            text += " (warnings fail with --strict, as in `mkdocs build --strict`)"
        return text


def emit(outcome: Outcome, output_format: str, *, quiet: bool, root: Path) -> int:
    """Print `outcome` in `output_format`; returns the exit code."""
    colour = colour_allowed()
    if output_format == "json":
        click.echo(json.dumps({
            "checked": outcome.checked,
            "errors": outcome.errors,
            "warnings": outcome.warnings,
            "strict": outcome.strict,
            "findings": [f.to_dict() for f in outcome.findings],
        }, indent=2, ensure_ascii=False))
    elif output_format == "github":
        for finding in outcome.findings:
            click.echo(workflow_command(finding, workspace_path(finding.path, root)))
        write_step_summary(outcome, root)
        click.echo(outcome.headline(), err=True)
    else:
        for finding in outcome.findings:
            if quiet and not finding.is_error:
                continue
            label = click.style(finding.level.value, fg="red" if finding.is_error else "yellow", bold=True)
            where = f"{visible(finding.path)}:{finding.line}" if finding.line else visible(finding.path)
            click.echo(f"{where}: {label}: {visible(finding.message)}", color=colour)
        if not quiet:
            fg = "red" if outcome.failed else ("yellow" if outcome.warnings else "green")
            click.echo(click.style(outcome.headline(), fg=fg), err=True, color=colour)
    return EXIT_ERRORS if outcome.failed else EXIT_OK


def _cell(text: str) -> str:
    return " ".join(visible(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def step_summary(outcome: Outcome, root: Path) -> str:
    """The Markdown appended to `$GITHUB_STEP_SUMMARY`."""
    icon = "❌" if outcome.failed else ("⚠️" if outcome.warnings else "✅")
    lines = [f"### {icon} {outcome.title}", "", outcome.headline() + ".", ""]
    if outcome.findings:
        lines += ["| | File | Line | Rule | Message |", "|---|---|---:|---|---|"]
        for finding in outcome.findings[:SUMMARY_ROWS]:
            mark = "❌" if finding.is_error else "⚠️"
            path = workspace_path(finding.path, root)
            code, message = f"`{_cell(finding.code)}`", _cell(finding.message)
            cells = [mark, f"`{_cell(path)}`", str(finding.line or ""), code, message]
            lines.append("| " + " | ".join(cells) + " |")
        if len(outcome.findings) > SUMMARY_ROWS:
            lines += ["", f"… and {len(outcome.findings) - SUMMARY_ROWS} more: see the job log."]
        lines.append("")
    return "\n".join(lines) + "\n"


def write_step_summary(outcome: Outcome, root: Path) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(step_summary(outcome, root))
    except OSError as exc:  # the annotations matter more than the summary
        click.echo(f"postmortem: cannot write the step summary to {target}: {exc.strerror}", err=True)
