"""Blameless-language, secrets and personal-data rules (data, not code paths).

The rules are a table (`rules.RULES`); `engine.py` runs it. Two ways in:

- `lint_document`: the hook the core validation path (`core/validate.py`)
  calls for every file, so `postmortem check` and `mkdocs build` report the
  same findings;
- `lint_file`: lint a file on its own (`postmortem lint`), even one whose
  front matter is broken or missing, because a pasted secret matters most
  exactly when the rest of the file is still a draft.

No MkDocs imports here: this package is part of the pure core's world.
"""

from __future__ import annotations

from typing import Any

from ..core.findings import Finding, Reporter, sort_key
from ..core.settings import Settings
from ..core.source import SourceError, split
from ..core.yamlnodes import YamlError, load
from .engine import PLACEHOLDER, active_rules, lint_parts, suggest_rule, unknown_rule_ids
from .rules import RULE_IDS, RULES, Rule, is_lint_code

__all__ = [
    "PLACEHOLDER",
    "RULES",
    "RULE_IDS",
    "Rule",
    "active_rules",
    "is_lint_code",
    "lint_document",
    "lint_file",
    "suggest_rule",
    "unknown_rule_ids",
]


def lint_document(path: str, doc: Any, root: Any, offset: int, settings: Settings, report: Reporter) -> None:
    """Lint a split document (`core.source.SourceDoc`) whose front matter loaded as `root`."""
    lint_parts(
        report,
        front_matter=doc.front_matter,
        front_matter_line=doc.front_matter_line,
        body=doc.body,
        body_line=doc.body_line,
        root=root,
        disabled=settings.disabled_rules,
    )


def lint_file(path: str, text: str, settings: Settings) -> list[Finding]:
    """Lint one file's text (already decoded); returns the findings, sorted."""
    report = Reporter(path)
    try:
        doc = split(path, text)
    except SourceError:
        # No (closed) front matter: lint everything as body.
        lint_parts(report, front_matter="", front_matter_line=1, body=text, body_line=1, root=None,
                   disabled=settings.disabled_rules)
        return sorted(report.findings, key=sort_key)
    def root() -> Any:
        try:
            return load(doc.front_matter)
        except YamlError:
            return None  # the format's validation reports it; secrets are still looked for

    lint_document(path, doc, root, doc.front_matter_line - 1, settings, report)
    return sorted(report.findings, key=sort_key)
