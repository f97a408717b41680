"""Body rules of the format: sections and the timeline.

Sections are the `##` headings outside fenced code; the timeline is read from
list items and table rows of the `## Timeline` section, each starting with a
timestamp and optionally a kind marker such as `[decision]`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .findings import Reporter
from .frontmatter import BIDI_CONTROLS, suggest
from .model import Section, TimelineEntry, normalise_heading
from .schema import LESSONS_SUBSECTIONS, MIN_TIMELINE_ENTRIES, REQUIRED_SECTIONS, TIMELINE_KINDS

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^( {0,1})(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_TABLE_ROW = re.compile(r"^[ \t]{0,3}\|(.*)\|?[ \t]*$")
_TABLE_RULE = re.compile(r"^[\s|:\-]+$")

_STAMP = (
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?"
    r"|(?P<tonly>\d{1,2}:\d{2}(?::\d{2})?)"
)
# A timestamp, optionally in bold or code, optionally followed by "UTC", then
# a separator and an optional [kind] marker (not a Markdown link).
_ENTRY = re.compile(
    r"^(?P<wrap>\*\*|`|__)?(?:" + _STAMP + r")(?:[ \t]*UTC)?(?P=wrap)?"
    r"(?P<rest>(?:[ \t]*(?:[-–—:|][ \t]*)?)(?:\[(?P<kind>[^\]\s]{1,30})\](?!\())?.*)$",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class ParsedBody:
    sections: tuple[Section, ...]
    timeline: tuple[TimelineEntry, ...]


def iter_lines_outside_code(lines: list[str]):
    """Yield (index, line) for lines that are not inside fenced code blocks."""
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE_OPEN.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            yield index, line
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            if not line.strip().strip(fence[0]):
                fence = None


def split_sections(body: str, body_line: int) -> list[Section]:
    lines = body.split("\n")
    headings: list[tuple[int, int, str]] = []  # (index, level, title)
    for index, line in iter_lines_outside_code(lines):
        match = _HEADING.match(line)
        if match:
            headings.append((index, len(match.group(1)), match.group(2)))
    sections: list[Section] = []
    for position, (index, level, title) in enumerate(headings):
        end = len(lines)
        for later_index, later_level, _ in headings[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        text = "\n".join(lines[index + 1 : end])
        sections.append(Section(title, level, body_line + index, text))
    return sections


def parse_body(
    body: str,
    body_line: int,
    report: Reporter,
    started_at: dt.datetime | None,
) -> ParsedBody:
    for index, line in enumerate(body.split("\n")):
        bidi = BIDI_CONTROLS.search(line)
        if bidi:
            report.error(
                body_line + index,
                "body.bidi",
                f"this line contains an invisible Unicode direction control (U+{ord(bidi.group()):04X}) "
                "that makes text display in another order than it is written; remove it",
            )
    sections = split_sections(body, body_line)
    top = [s for s in sections if s.level == 2]
    by_key: dict[str, Section] = {}
    for section in top:
        if section.key in by_key:
            report.warning(
                section.line,
                "section.duplicate",
                f"section `## {section.title}` appears twice (first on line {by_key[section.key].line}); "
                "merge them",
            )
            continue
        by_key[section.key] = section

    present = ", ".join(f"`## {s.title}`" for s in top) or "none"
    for title in REQUIRED_SECTIONS:
        section = by_key.get(normalise_heading(title))
        if section is None:
            report.error(
                body_line,
                "section.missing",
                f"missing required section `## {title}` (sections found: {present}); "
                "required: " + ", ".join(f"`## {t}`" for t in REQUIRED_SECTIONS),
            )
        elif not _has_content(section.text):
            report.error(
                section.line,
                "section.empty",
                f"section `## {section.title}` is empty; write what belongs in it",
            )

    lessons = by_key.get("lessons learned")
    if lessons is not None:
        sub_keys = {
            s.key
            for s in sections
            if s.level == 3 and lessons.line < s.line <= lessons.line + lessons.text.count("\n") + 1
        }
        for title in LESSONS_SUBSECTIONS:
            if normalise_heading(title) not in sub_keys:
                report.warning(
                    lessons.line,
                    "section.lessons-subsection",
                    f"`## Lessons Learned` has no `### {title}` subsection; add it",
                )

    timeline: tuple[TimelineEntry, ...] = ()
    section = by_key.get("timeline")
    if section is not None and _has_content(section.text):
        timeline = parse_timeline(section, report, started_at)
    return ParsedBody(tuple(sections), timeline)


def _has_content(text: str) -> bool:
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and not (stripped.startswith("<!--") and stripped.endswith("-->")):
            return True
    return False


def _candidates(section: Section) -> list[tuple[int, str, bool]]:
    """(file line, entry text, is table row) for each list item or table row."""
    lines = section.text.split("\n")
    found: list[tuple[int, str, bool]] = []
    in_table = False
    for index, line in iter_lines_outside_code(lines):
        file_line = section.line + 1 + index
        row = _TABLE_ROW.match(line)
        if row:
            cells = [c.strip() for c in row.group(1).split("|")]
            if _TABLE_RULE.match(line):
                in_table = True
                continue
            if not in_table:
                # The header row of a table, unless it already is an entry.
                if cells and _ENTRY.match(cells[0]):
                    found.append((file_line, " | ".join(cells), True))
                continue
            found.append((file_line, " | ".join(cells), True))
            continue
        in_table = False
        item = _LIST_ITEM.match(line)
        if item:
            found.append((file_line, item.group(2), False))
    return found


def parse_timeline(
    section: Section,
    report: Reporter,
    started_at: dt.datetime | None,
) -> tuple[TimelineEntry, ...]:
    tz = started_at.tzinfo if started_at is not None else dt.timezone.utc
    current_date = started_at.astimezone(tz).date() if started_at is not None else dt.date(2000, 1, 1)
    entries: list[TimelineEntry] = []
    previous: TimelineEntry | None = None
    for line, text, is_row in _candidates(section):
        match = _ENTRY.match(text)
        if not match:
            shown = text if len(text) <= 40 else text[:37] + "..."
            report.error(
                line,
                "timeline.malformed",
                f"timeline entry `{shown}` does not start with a timestamp; begin it with "
                "`HH:MM`, `YYYY-MM-DD HH:MM` or a full ISO 8601 datetime",
            )
            continue
        time_text = match.group("time") or match.group("tonly")
        try:
            parts = [int(p) for p in time_text.split(":")]
            clock = dt.time(parts[0], parts[1], parts[2] if len(parts) > 2 else 0)
        except ValueError:
            report.error(line, "timeline.malformed", f"`{time_text}` is not a valid time of day (00:00 to 23:59)")
            continue
        entry_tz = tz
        if match.group("date"):
            try:
                current_date = dt.date.fromisoformat(match.group("date"))
            except ValueError:
                report.error(line, "timeline.malformed", f"`{match.group('date')}` is not a real date")
                continue
            offset = match.group("offset")
            if offset:
                if offset == "Z":
                    entry_tz = dt.timezone.utc
                else:
                    digits = offset[1:].replace(":", "")
                    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                    entry_tz = dt.timezone(delta if offset[0] == "+" else -delta)
        at = dt.datetime.combine(current_date, clock, entry_tz)
        kind = match.group("kind")
        rest = match.group("rest")
        if kind is not None:
            if kind not in TIMELINE_KINDS:
                report.error(
                    line,
                    "timeline.kind",
                    f"unknown timeline kind `[{kind}]`{suggest(kind, TIMELINE_KINDS).replace('`', '`[', 1).replace('`?', ']`?')}; use one of "
                    + ", ".join(f"`[{k}]`" for k in TIMELINE_KINDS),
                )
                kind = None
            rest = rest.split("]", 1)[1] if "]" in rest else rest
        description = rest.strip().lstrip("-–—:|").strip()
        stamp = text[: match.start("rest")].strip("*`_ ")
        entry = TimelineEntry(at, stamp, kind, description, line)
        if previous is not None and at < previous.at:
            next_day = (
                (previous.at.date() + dt.timedelta(days=1)).isoformat() if started_at is not None else "YYYY-MM-DD"
            )
            hint = (
                f"; if it happened on a later day, write the date: `{next_day} {time_text}`"
                if not match.group("date")
                else ""
            )
            report.error(
                line,
                "timeline.order",
                f"timeline entry `{stamp}` is earlier than the entry before it (`{previous.stamp}` on "
                f"line {previous.line}); keep the timeline in chronological order{hint}",
            )
        entries.append(entry)
        previous = entry
    if len(entries) < MIN_TIMELINE_ENTRIES:
        report.error(
            section.line,
            "timeline.too-short",
            f"the timeline has {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}; a timeline needs at "
            f"least {MIN_TIMELINE_ENTRIES}, each a list item starting with a time, like `- 09:12 [observation] ...`",
        )
    return tuple(entries)
