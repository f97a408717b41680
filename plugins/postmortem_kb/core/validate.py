"""One postmortem file in, one record and its findings out.

This is the single validation path: `postmortem check` and the MkDocs plugin
both call `check_file` (through `KnowledgeBase`), with the same `Settings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .body import parse_body
from .findings import Finding, Reporter
from .frontmatter import check_front_matter, identity
from .links import relative_links
from .model import Postmortem
from .settings import Settings
from .source import SourceError, decode, split
from .yamlnodes import YamlError, load
from ..lint import PLACEHOLDER, is_lint_code, lint_document


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one file.

    `record` is set only when the file has no errors (and only when records
    were asked for: `postmortem check` does without). `id`/`id_line` and
    `related` are kept even for invalid files, so the cross-file rules
    (unique ids, existing related ids) still see them.
    """

    path: str
    record: Postmortem | None
    findings: tuple[Finding, ...]
    id: str | None = None
    id_line: int = 0
    related: tuple[tuple[str, int], ...] = ()
    status: str | None = None
    visibility: str | None = None
    # Relative links of the body to files: (as written, path in the site's tree, line);
    # `postmortem check` looks them up among the other files (`core.links`).
    links: tuple[tuple[str, str, int], ...] = ()


def check_bytes(
    path: str,
    data: bytes,
    settings: Settings,
    now: dt.datetime | None = None,
    *,
    record: bool = True,
) -> FileResult:
    """Validate one file's bytes. `record=False` skips building the record (for `check`)."""
    report = Reporter(path)
    try:
        text = decode(data)
    except SourceError as exc:
        report.error(exc.line, exc.code, exc.message)
        return FileResult(path, None, tuple(report.findings))
    return check_text(path, text, settings, now, report, record=record)


def identify_bytes(path: str, data: bytes, settings: Settings) -> FileResult:
    """Only what the cross-file rules read from a file: its `id` (and line) and `related`,
    exactly as `check_bytes` reads them, and no findings at all.

    For the files around the ones being checked (`postmortem check FILE`,
    `--changed-since`): their ids decide whether the checked files' ids are
    unique and their `related` ids exist, but their own findings are not
    reported, so the body, the lint rules and the other fields are skipped.
    """
    try:
        doc = split(path, decode(data))
        root = load(doc.front_matter)
    except (SourceError, YamlError):
        return FileResult(path, None, ())
    if root is None or root.kind != "map":
        return FileResult(path, None, ())
    own_id, id_line, related = identity(root, settings, offset=doc.front_matter_line - 1)
    return FileResult(path, None, (), id=own_id, id_line=id_line, related=related)


def _placeholders_first(report: Reporter) -> None:
    """On a line that holds a placeholder, leave out what validation says about the placeholder's
    own value: the findings whose message quotes text with `{{` in it.

    `started_at: "2024-03-14T{{ HH:MM }}:00Z"` is one thing to fill in, not also a malformed
    datetime; `- {{ HH:MM }} [action] ...` not also an entry without a timestamp. What is wrong
    besides stays: an action item with no `owner`, a factor with no `description`, a misspelled
    key (`triger: "{{ y }}"`), and every lint finding (a secret next to a placeholder is still a
    secret).
    """
    lines = {f.line for f in report.findings if f.code == PLACEHOLDER}
    if lines:
        report.findings = [
            f for f in report.findings if f.line not in lines or "{{" not in f.message or is_lint_code(f.code)
        ]


def check_text(
    path: str,
    text: str,
    settings: Settings,
    now: dt.datetime | None = None,
    report: Reporter | None = None,
    *,
    record: bool = True,
) -> FileResult:
    report = report or Reporter(path)
    try:
        doc = split(path, text)
    except SourceError as exc:
        report.error(exc.line, exc.code, exc.message)
        return FileResult(path, None, tuple(report.findings))
    offset = doc.front_matter_line - 1
    try:
        root = load(doc.front_matter)
    except YamlError as exc:
        report.error(exc.line + offset, "frontmatter.yaml", exc.message)
        # A broken draft pasted from logs may still hold a secret: lint it anyway.
        lint_document(path, doc, None, offset, settings, report)
        return FileResult(path, None, tuple(report.findings))
    if root is None or root.kind != "map":
        what = "empty" if root is None else {"seq": "a list", "null": "empty"}.get(root.kind, "a single value")
        report.error(
            doc.front_matter_line if root is None else root.line + offset,
            "frontmatter.not-mapping",
            f"the front matter is {what}; it must be a mapping of fields, one `key: value` per line "
            "(`id: PM-2024-001`, `title: ...`)",
        )
        lint_document(path, doc, None, offset, settings, report)
        return FileResult(path, None, tuple(report.findings))

    fm = check_front_matter(root, report, settings, offset=offset, now=now)
    values = fm.values
    parsed = parse_body(doc.body, doc.body_line, report, values.get("started_at"))

    lint_document(path, doc, root, offset, settings, report)
    if report.findings:
        _placeholders_first(report)

    built = None
    if record and not report.has_errors:
        built = Postmortem(
            path=path,
            id=values["id"],
            title=values["title"],
            status=values["status"],
            visibility=values["visibility"],
            severity=values["severity"],
            summary=values["summary"],
            started_at=values["started_at"],
            resolved_at=values["resolved_at"],
            detected_at=values.get("detected_at"),
            mitigated_at=values.get("mitigated_at"),
            services=values["services"],
            teams=values["teams"],
            authors=values["authors"],
            reviewers=values["reviewers"],
            tags=values["tags"],
            detection=values["detection"],
            trigger=values["trigger"],
            near_miss=values["near_miss"],
            impact=values["impact"],
            factors=values["factors"],
            action_items=values["action_items"],
            related=values["related"],
            body=doc.body,
            body_line=doc.body_line,
            sections=parsed.sections,
            timeline=parsed.timeline,
            custom=fm.custom,
            lines=fm.lines,
        )
    return FileResult(
        path,
        built,
        tuple(report.findings),
        id=values.get("id"),
        id_line=fm.lines.get("id", 0),
        related=tuple(fm.related_lines),
        status=values.get("status"),
        visibility=values.get("visibility"),
        links=relative_links(doc.body, doc.body_line, path),
    )
