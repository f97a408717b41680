"""Body rules of the format: sections and the timeline.

Sections are the `##` headings outside fenced code; the timeline is read from
list items and table rows of the `## Timeline` section, each starting with a
timestamp and optionally a kind marker such as `[decision]`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .findings import Reporter
from .frontmatter import BIDI_CONTROLS, in_utc_range, suggest
from .model import Section, TimelineEntry, normalise_heading
from .schema import LESSONS_SUBSECTIONS, MIN_TIMELINE_ENTRIES, REQUIRED_SECTIONS, TIMELINE_KINDS

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^( {0,1})(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_TABLE_ROW = re.compile(r"^[ \t]{0,3}\|(.*)\|?[ \t]*$")
_TABLE_RULE = re.compile(r"^[\s|:\-]+$")
# The same patterns for a whole text (MULTILINE: `^` and `$` at every line), to scan
# it once or match at a line start, instead of splitting it and looping over lines.
_FENCE_LINE = re.compile(_FENCE_OPEN.pattern, re.MULTILINE)
_HEADING_LINE = re.compile(_HEADING.pattern, re.MULTILINE)
_LIST_ITEM_LINE = re.compile(_LIST_ITEM.pattern, re.MULTILINE)

_STAMP = (
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?"
    r"|(?P<tonly>\d{1,2}:\d{2}(?::\d{2})?)"
)
# A timestamp, optionally in bold or code, optionally followed by "UTC", then
# a separator and an optional [kind] marker (not a Markdown link).
_ENTRY = re.compile(
    r"^(?P<wrap>\*\*|`|__)?(?:" + _STAMP + r")(?:[ \t]*UTC)?(?P=wrap)?(?:[ \t]*UTC)?"
    r"(?P<rest>(?:[ \t]*(?:[-–—:|][ \t]*)?)(?:\[(?P<kind>[^\]\s]{1,30})\](?!\())?.*)$",
    re.DOTALL,
)


_REQUIRED_KEYS = tuple((title, normalise_heading(title)) for title in REQUIRED_SECTIONS)
_LESSONS_KEYS = tuple((title, normalise_heading(title)) for title in LESSONS_SUBSECTIONS)


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


def fenced_spans(text: str) -> list[tuple[int, int]]:
    """Offsets `(start, end)` of the fenced code blocks of `text`, fence lines included.

    The same blocks as `iter_lines_outside_code` leaves out, found by one
    regex scan for fence lines instead of a loop over every line.
    """
    spans: list[tuple[int, int]] = []
    # A one-character search first (memchr): most bodies have neither fence character.
    if ("`" not in text or "```" not in text) and ("~" not in text or "~~~" not in text):
        return spans
    fence: str | None = None
    start = 0
    for match in _FENCE_LINE.finditer(text):
        marker = match.group(1)
        if fence is None:
            fence, start = marker, match.start()
        elif marker[0] == fence[0] and len(marker) >= len(fence):
            end = text.find("\n", match.start())
            end = len(text) if end == -1 else end
            if not text[match.start() : end].strip().strip(fence[0]):
                spans.append((start, end))
                fence = None
    if fence is not None:
        spans.append((start, len(text)))
    return spans


def _line_starts_with(text: str, char: str) -> Iterator[int]:
    """Offsets of the lines of `text` that start with `char` (found with `str.find`, not a regex scan)."""
    if text.startswith(char):
        yield 0
    needle = "\n" + char
    position = text.find(needle)
    while position != -1:
        yield position + 1
        position = text.find(needle, position + 1)


def split_sections(body: str, body_line: int) -> list[Section]:
    spans = fenced_spans(body)
    # (offset of the heading line, end of that line, line index, level, title)
    headings: list[tuple[int, int, int, int, str]] = []
    index = counted = span = 0
    for start in _line_starts_with(body, "#"):
        match = _HEADING_LINE.match(body, start)
        if match is None:
            continue
        while span < len(spans) and spans[span][1] < start:
            span += 1
        if span < len(spans) and spans[span][0] <= start:
            continue  # a `#` line inside fenced code
        index += body.count("\n", counted, start)
        counted = start
        headings.append((start, match.end(), index, len(match.group(1)), match.group(2)))
    sections: list[Section] = []
    for position, (_, line_end, index, level, title) in enumerate(headings):
        end = len(body)
        for later_start, _, _, later_level, _ in headings[position + 1 :]:
            if later_level <= level:
                end = later_start - 1  # the newline before the next heading
                break
        # The lines after the heading's, up to the next heading of the same level or higher.
        sections.append(Section(title, level, body_line + index, body[line_end + 1 : end]))
    return sections


def parse_body(
    body: str,
    body_line: int,
    report: Reporter,
    started_at: dt.datetime | None,
) -> ParsedBody:
    # One search of the whole body; the per-line loop only when there is something to report.
    bidi_anywhere = not body.isascii() and BIDI_CONTROLS.search(body)
    for index, line in enumerate(body.split("\n") if bidi_anywhere else ()):
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

    for title, key in _REQUIRED_KEYS:
        section = by_key.get(key)
        if section is None:
            present = ", ".join(f"`## {s.title}`" for s in top) or "none"
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
        for title, key in _LESSONS_KEYS:
            if key not in sub_keys:
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
    """True when a line holds more than whitespace or a one-line HTML comment."""
    start = 0
    while True:  # line by line without splitting: the first lines usually decide
        end = text.find("\n", start)
        stripped = (text[start:] if end == -1 else text[start:end]).strip()
        if stripped and not (stripped.startswith("<!--") and stripped.endswith("-->")):
            return True
        if end == -1:
            return False
        start = end + 1


def _candidates(section: Section) -> list[tuple[int, str, bool]]:
    """(file line, entry text, is table row) for each list item or table row."""
    text = section.text
    found: list[tuple[int, str, bool]] = []
    if "|" not in text and "```" not in text and "~~~" not in text:
        # No table and no code (the usual case): the list items, found by one scan.
        line, counted = section.line + 1, 0
        for item in _LIST_ITEM_LINE.finditer(text):
            line += text.count("\n", counted, item.start())
            counted = item.start()
            found.append((line, item.group(2), False))
        return found
    in_table = False
    for index, line in iter_lines_outside_code(text.split("\n")):
        file_line = section.line + 1 + index
        row = _TABLE_ROW.match(line) if "|" in line else None
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


_clocks: dict[str, dt.time | None] = {}


def _clock(text: str) -> dt.time | None:
    """`HH:MM[:SS]` as a time of day, None when out of range (cached: times repeat)."""
    try:
        return _clocks[text]
    except KeyError:
        pass
    try:
        parts = [int(p) for p in text.split(":")]
        clock: dt.time | None = dt.time(parts[0], parts[1], parts[2] if len(parts) > 2 else 0)
    except ValueError:
        clock = None
    if len(_clocks) >= 4096:
        _clocks.clear()
    _clocks[text] = clock
    return clock


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
        time_text, time_only, date_text, offset, kind, rest = match.group(
            "time", "tonly", "date", "offset", "kind", "rest"
        )
        time_text = time_text or time_only
        clock = _clock(time_text)
        if clock is None:
            report.error(line, "timeline.malformed", f"`{time_text}` is not a valid time of day (00:00 to 23:59)")
            continue
        entry_tz = tz
        if date_text:
            try:
                current_date = dt.date.fromisoformat(date_text)
            except ValueError:
                report.error(line, "timeline.malformed", f"`{date_text}` is not a real date")
                continue
            if offset:
                if offset == "Z":
                    entry_tz = dt.timezone.utc
                else:
                    digits = offset[1:].replace(":", "")
                    hours, minutes = int(digits[:2]), int(digits[2:])
                    if hours > 23 or minutes > 59:
                        report.error(line, "timeline.malformed", f"`{offset}` is not a UTC offset (-23:59 to +23:59)")
                        continue
                    delta = dt.timedelta(hours=hours, minutes=minutes)
                    entry_tz = dt.timezone(delta if offset[0] == "+" else -delta)
        at = dt.datetime.combine(current_date, clock, entry_tz)
        if not in_utc_range(at):
            report.error(line, "timeline.malformed", f"`{text[: match.start('rest')].strip('*`_ ')}` is out of range: "
                         "in UTC it falls outside the years 1 to 9999")
            continue
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
            next_day = "YYYY-MM-DD"
            if started_at is not None and previous.at.date() < dt.date.max:
                next_day = (previous.at.date() + dt.timedelta(days=1)).isoformat()
            hint = (
                f"; if it happened on a later day, write the date: `{next_day} {time_text}`"
                if not date_text
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
