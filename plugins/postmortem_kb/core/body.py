"""Body rules of the format: sections and the timeline.

Sections are the `##` headings outside fenced code; the timeline is read from
list items and table rows of the `## Timeline` section, each starting with a
timestamp and optionally a kind marker such as `[decision]`.

What an author writes nearly right (`## Impacts`, `### Timeline`, a setext
heading, `**What went well**`, `9:19am`, `09:12 CET`) is reported at its own
line with what to write; that search runs only when something is missing or a
time is followed by something else than a `[kind]` or the start of a description,
so a clean body never pays for it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .findings import Reporter
from .frontmatter import BIDI_CONTROLS, in_utc_range, suggest
from .model import Section, TimelineEntry, normalise_heading
from .schema import (
    LESSONS_SUBSECTIONS,
    MIN_TIMELINE_ENTRIES,
    OPTIONAL_SECTIONS,
    REQUIRED_SECTIONS,
    TIMELINE_KINDS,
)

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

# Zone abbreviations an author may write after a time, with their offset (None: ambiguous,
# `IST` is India, Ireland or Israel; `CST` the US or China). A zone name is never read as a
# zone: the time would be taken in `started_at`'s offset, so it is reported instead.
_ZONES: dict[str, str | None] = {
    "GMT": "+00:00", "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00",
    "EEST": "+03:00", "WET": "+00:00", "WEST": "+01:00", "IST": None, "PST": "-08:00",
    "PDT": "-07:00", "MST": "-07:00", "MDT": "-06:00", "CST": None, "CDT": "-05:00",
    "EST": "-05:00", "EDT": "-04:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "AEST": "+10:00", "AEDT": "+11:00", "ACST": "+09:30", "AWST": "+08:00", "JST": "+09:00",
    "KST": "+09:00", "SGT": "+08:00", "HKT": "+08:00", "NZST": "+12:00", "NZDT": "+13:00",
    "MSK": "+03:00",
}
# What may follow a timestamp's time and would be silently dropped or misread: am/pm, a zone
# name (`CET`, `UTC+2`, `UTC` itself when `started_at` is not in UTC), an offset on a time
# without a date. Matched only at the end of the time, and only when ` [` does not follow it.
# The failure-path patterns are kept as text and compiled on first use (`re`'s cache): a
# process that never meets a near miss does not pay for compiling them.
_SUFFIX = (
    r"(?:\.\d+)?(?:"
    r"(?P<ampm>[ \t]?[aApP]\.?[mM]\.?)(?![A-Za-z0-9])"
    r"|[ \t]*\(?(?P<zone>(?:UTC|GMT)[ \t]?[+-][0-9]{1,2}(?::?[0-9]{2})?|"
    + "|".join(sorted(_ZONES, key=len, reverse=True))
    + r"|UTC)\)?(?![\w+-])"
    # `+0100` only glued to the time: `09:12 +1500 errors` is a count.
    r"|(?P<offset>Z|\+[0-9]{2}:?[0-9]{2}|[ \t]\+[0-9]{2}:[0-9]{2}|-[0-9]{2}:?[0-9]{2})(?![\w:])"
    r")"
)
# The rest of an entry without a `[kind]` that starts as a description does (`09:12 the alert
# fires`, `09:12 - 502s rise`, `09:12: paged`): a separator, or blanks then a `-`, a digit or a
# lowercase letter that does not begin `am`/`pm`. No am/pm, zone name or offset starts so.
_PLAIN_REST = re.compile(r"[ \t]*[:|–—]|[ \t]+(?:[-0-9b-oq-z]|[ap][^.mM])")
_DAY = dt.timedelta(days=1)
_UTC = dt.timezone.utc


_REQUIRED_KEYS = tuple((title, normalise_heading(title)) for title in REQUIRED_SECTIONS)
_LESSONS_KEYS = tuple((title, normalise_heading(title)) for title in LESSONS_SUBSECTIONS)
_LESSONS_KEYSET = frozenset(key for _, key in _LESSONS_KEYS)


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

    # Near misses (`## Impacts`, `### Timeline`, `**What went well**`) are looked for only when
    # something is missing: a clean body never pays for them.
    lessons = by_key.get("lessons learned")
    lessons_misses: dict[str, tuple[int, str, bool]] = {}
    if lessons is not None:
        last_line = lessons.line + lessons.text.count("\n") + 1
        sub_keys = {s.key for s in sections if s.level == 3 and lessons.line < s.line <= last_line}
        absent = [] if _LESSONS_KEYSET <= sub_keys else [(t, k) for t, k in _LESSONS_KEYS if k not in sub_keys]
        if absent:
            lessons_misses = _lessons_near_misses(lessons, last_line, sections, absent)
        for title, key in absent:
            miss = lessons_misses.get(key)
            report.warning(
                miss[0] if miss else lessons.line,
                "section.lessons-subsection",
                miss[1] if miss else f"`## Lessons Learned` has no `### {title}` subsection; add it",
            )

    misses: dict[str, tuple[int, str]] | None = None
    for title, key in _REQUIRED_KEYS:
        section = by_key.get(key)
        if section is None:
            if misses is None:
                wanted = [(t, k) for t, k in _REQUIRED_KEYS if k not in by_key]
                misses = _section_near_misses(body, body_line, sections, wanted)
            miss = misses.get(key)
            if miss is not None:
                report.error(miss[0], "section.missing", miss[1])
                continue
            present = ", ".join(f"`## {s.title}`" for s in top) or "none"
            report.error(
                body_line,
                "section.missing",
                f"missing required section `## {title}` (sections found: {present}); "
                "required: " + ", ".join(f"`## {t}`" for t in REQUIRED_SECTIONS),
            )
        elif not _has_content(section.text):
            promoted = [m for m in lessons_misses.values() if m[2]] if key == "lessons learned" else []
            report.error(
                section.line,
                "section.empty",
                f"section `## {section.title}` is empty; write what belongs in it"
                if not promoted
                else f"section `## {section.title}` is empty: its subsections are `##` headings, which end it "
                f"(line {promoted[0][0]}); make them `###` headings",
            )

    timeline: tuple[TimelineEntry, ...] = ()
    section = by_key.get("timeline")
    if section is not None and _has_content(section.text):
        timeline = parse_timeline(section, report, started_at)
    return ParsedBody(tuple(sections), timeline)


_NUMBERING = r"^(?:\d{1,3}(?:\.\d{1,3})*|[ivxIVX]{1,5}|[A-Za-z])[.)]?[ \t]+(?=\S)"
_SETEXT_RULE = r"^ {0,3}(=+|-+)[ \t]*$"
_KNOWN_KEYS = frozenset(normalise_heading(t) for t in (*REQUIRED_SECTIONS, *OPTIONAL_SECTIONS, *LESSONS_SUBSECTIONS))


def _loose_key(title: str) -> str:
    """A heading's key without what authors add around a title: emphasis, numbering, a
    trailing colon or parenthesis (`**1. Impact:**`, `Timeline (UTC)` are `impact`, `timeline`)."""
    text = title.strip().strip("*_`").strip()
    text = re.sub(_NUMBERING, "", text)
    text = re.sub(r"[ \t]*\([^()]*\)$", "", text).rstrip(" \t:.").strip("*_`").rstrip(" \t:.")
    return normalise_heading(text)


def _same_title(loose: str, key: str) -> bool:
    return loose == key or loose == key + "s" or loose + "s" == key


def _setext_headings(body: str, body_line: int) -> Iterator[tuple[int, int, str]]:
    """(file line, level, title) of setext headings: a paragraph line underlined with `===` or `---`."""
    lines = body.split("\n")
    previous: tuple[int, str] | None = None
    for index, line in iter_lines_outside_code(lines):
        rule = re.match(_SETEXT_RULE, line) if line[:4].strip()[:1] in ("=", "-") else None
        if rule and previous is not None and previous[0] == index - 1:
            yield body_line + index - 1, 1 if rule.group(1)[0] == "=" else 2, previous[1].strip()
            previous = None
            continue
        stripped = line.strip()
        plain = stripped and not line.startswith(("    ", "\t")) and not stripped.startswith(("#", "|", ">", "<"))
        previous = (index, stripped) if plain and not _LIST_ITEM.match(line) else None


def _section_near_misses(
    body: str, body_line: int, sections: list[Section], wanted: list[tuple[str, str]]
) -> dict[str, tuple[int, str]]:
    """For missing required sections, the heading the author probably meant: (line, message) by key."""
    found: dict[str, tuple[int, str]] = {}
    keys = [key for _, key in wanted]
    titles = dict((key, title) for title, key in wanted)

    def match(title: str, exact_key: str) -> str | None:
        loose = _loose_key(title)
        for key in keys:
            if _same_title(loose, key):
                return key
        if exact_key in _KNOWN_KEYS or loose in _KNOWN_KEYS:
            return None  # `## Detection` is a section of its own, not a typo of one
        close = difflib.get_close_matches(loose, keys, n=1, cutoff=0.6)
        return close[0] if close else None

    for section in sections:
        key = match(section.title, section.key)
        if key is None or key in found:
            continue
        title = titles[key]
        written = f"{'#' * section.level} {section.title}"
        if section.level == 2:
            message = f"the heading `{written}` does not match it; did you mean `## {title}`?"
        else:
            message = f"`{written}` is a level-{section.level} heading: use `## {title}`"
        found[key] = (section.line, f"missing required section `## {title}`: {message}")
    if len(found) < len(keys):
        for line, level, title in _setext_headings(body, body_line):
            key = match(title, normalise_heading(title))
            if key is None or key in found:
                continue
            rule = "===" if level == 1 else "---"
            found[key] = (
                line,
                f"missing required section `## {titles[key]}`: `{title}` underlined with `{rule}` is a "
                f"setext heading: write `## {titles[key]}`",
            )
    return found


# A line that stands for a subsection heading: in bold or italics, or ending with a colon.
_EMPHASIS_LINE = r"(?m)^[ \t]{0,3}(?P<text>(?:\*\*|__|\*(?![ \t])|_)[^\n]{1,80}?|[^\n]{1,60}?:)[ \t]*$"


def _lessons_near_misses(
    lessons: Section, last_line: int, sections: list[Section], absent: list[tuple[str, str]]
) -> dict[str, tuple[int, str, bool]]:
    """For missing `### What went well`-style subsections, the line the author meant as one:
    (line, message, is a level-2 heading) by key."""
    found: dict[str, tuple[int, str, bool]] = {}
    titles = dict((key, title) for title, key in absent)
    parent: Section | None = None  # the latest heading above level 3
    for section in sections:
        if section.level < 3:
            parent = section
        loose = _loose_key(section.title)
        if loose not in titles or loose in found:
            continue
        title = titles[loose]
        written = f"{'#' * section.level} {section.title}"
        inside = lessons.line < section.line <= last_line
        if section.level == 3 and inside:
            message = f"`{written}` is not `### {title}`: make it `### {title}`"
        elif section.level == 3:
            under = f", but under `{'#' * parent.level} {parent.title}` (line {parent.line})" if parent else ""
            message = f"`{written}` is not under `## Lessons Learned`{under}: move it there"
        elif section.level == 2:
            message = (
                f"`{written}` is a level-2 heading, which ends `## Lessons Learned`: make it `### {title}`"
            )
        else:
            message = f"`{written}` is a level-{section.level} heading: make it `### {title}`"
        found[loose] = (section.line, message, section.level == 2)
    if len(found) < len(titles):
        text = lessons.text
        for line in re.finditer(_EMPHASIS_LINE, text):
            loose = _loose_key(line.group("text"))
            if loose in titles and loose not in found:
                title = titles[loose]
                number = lessons.line + 1 + text.count("\n", 0, line.start())
                written = line.group("text").strip()
                what = "bold text" if written[:1] in "*_" else "a line of text"
                found[loose] = (number, f"`{written}` is {what}, not a heading: make it `### {title}`", False)
    return found


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


def _offset_text(offset: dt.timedelta | None) -> str:
    """`Z`, `+01:00`, `-05:30`: an offset as a timestamp writes it."""
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(offset) // dt.timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _written_offset(text: str) -> str | None:
    """`+2`, `-0530`, `+05:30` (after `UTC`, or an offset) as `+02:00`; None when impossible."""
    text = text.replace(" ", "").replace("\t", "")
    sign, digits = text[0], text[1:].replace(":", "")
    if len(digits) <= 2:
        digits = digits.zfill(2) + "00"
    hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 23 or minutes > 59:
        return None
    return f"{sign}{hours:02d}:{minutes:02d}"


def _same_offset(one: str, other: str) -> bool:
    """Whether two offsets as written (`Z`, `+00:00`, `-00:00`, `+02:00`) are the same."""
    zero = ("Z", "+00:00", "-00:00")
    return one == other or (one in zero and other in zero)


def _suffix_problem(
    text: str, end: int, clock: dt.time, time_text: str, date_text: str | None, day: dt.date, zone: str
) -> str | None:
    """The message for an am/pm, a zone name or an offset right after a timestamp's time
    (`end`), which the stamp grammar would otherwise leave to the description; None if none.

    `day` is the entry's date, `zone` the offset of `started_at` as written (`Z`, `+01:00`),
    or "" when `started_at` itself is unknown.
    """
    suffix = re.compile(_SUFFIX)
    found = suffix.match(text, end)
    if found is None and text[end : end + 1] in ("*", "`", "_"):
        # `**09:12** CET`: after the bold or code around the time.
        after = end + 1 + (text[end + 1 : end + 2] in ("*", "_"))
        found = suffix.match(text, after)
    if found is None:
        return None
    written = text[: found.end()].replace("*", "").replace("`", "").replace("__", "").strip(" \t")
    seconds = f":{clock.second:02d}" if time_text.count(":") == 2 else ""
    ampm, name, offset = found.group("ampm", "zone", "offset")
    if ampm is not None:
        if ampm[:1] in " \t" and ampm[1:] in ("AM", "PM"):
            # `11:30 AM (account manager) calls`, `11:30 PM joins`, `14:05 PM confirms`: a person;
            # a 12-hour clock only when the entry ends there or goes on with its `[kind]` or a separator.
            after = text[found.end() :].lstrip("*`_").lstrip(" \t")
            if clock.hour > 12 or (after and after[0] not in "[-–—:|"):
                return None
        if clock.hour > 12:
            hour = clock.hour
        else:
            hour = clock.hour % 12 + (12 if ampm.strip()[:1] in "pP" else 0)
        fixed = f"{date_text + ' ' if date_text else ''}{hour:02d}:{clock.minute:02d}{seconds}"
        return f"`{written}`: timeline times are 24-hour `HH:MM`: write `{fixed}`"
    hhmm = f"{clock:%H:%M}{seconds}"
    if name is not None:
        if name == "UTC":
            if zone in ("", "Z"):
                return None  # `09:12 UTC` with `started_at` in UTC: what it says is what it means
            if not date_text:
                return (
                    f"`{written}`: a time without a date is in the zone of `started_at` (`{zone}`), not in UTC; "
                    f"write the time in that zone, or the date and `Z`: `{day} {hhmm}Z`"
                )
            wanted = "Z"
        elif name[:3] in ("UTC", "GMT") and len(name) > 3:
            wanted = _written_offset(name[3:].strip()) or "+HH:MM"
        else:
            wanted = _ZONES.get(name) or "+HH:MM"
        which = " (with that zone's UTC offset)" if wanted == "+HH:MM" else ""
        if date_text:
            return f"`{written}`: a zone name is not read; write the offset: `{date_text} {hhmm}{wanted}`{which}"
        if zone and _same_offset(wanted, zone):
            # `10:40 CEST` with `started_at` at +02:00: the time is already read in that zone.
            return (
                f"`{written}`: a zone name is not read, and none is needed: a time without a date is in the zone "
                f"of `started_at` (`{zone}`, {name}'s offset); drop the zone name: `{hhmm}`"
            )
        where = f" (`{zone}`)" if zone else ""
        return (
            f"`{written}`: a zone name is not read; a time without a date is in the zone of "
            f"`started_at`{where}; for another zone, write the date and the offset: `{day} {hhmm}{wanted}`{which}"
        )
    if offset is None or date_text:
        return None
    offset = offset.strip()
    if offset[0] == "-":
        later = _clock(offset[1:3] + ":" + offset[-2:])
        if later is not None and later > clock:
            return None  # `09:00-10:00`: a range, not an offset
    wanted = "Z" if offset == "Z" else (_written_offset(offset) or "+HH:MM")
    where = f" (`{zone or 'Z'}`)"
    return (
        f"`{written}`: an offset is allowed only on a full datetime; a time without a date is in the zone "
        f"of `started_at`{where}; for another zone, write the date too: `{day} {hhmm}{wanted}`"
    )


def parse_timeline(
    section: Section,
    report: Reporter,
    started_at: dt.datetime | None,
) -> tuple[TimelineEntry, ...]:
    tz = started_at.tzinfo if started_at is not None else dt.timezone.utc
    current_date = started_at.astimezone(tz).date() if started_at is not None else dt.date(2000, 1, 1)
    # `started_at` is not in UTC: a `UTC` the stamp grammar took after a time would be misread.
    # (`parse_datetime` gives UTC as the `timezone.utc` singleton: no call needed to tell.)
    utc_elsewhere = tz is not _UTC
    entries: list[TimelineEntry] = []
    previous: TimelineEntry | None = None
    # Lines meant as entries but reported on their own (a template placeholder, a 12-hour
    # time): counted for `too-short`, which would only repeat their finding.
    reported = 0
    for line, text, is_row in _candidates(section):
        match = _ENTRY.match(text)
        if not match:
            if "{{" in text:
                reported += 1  # `- {{ HH:MM }} ...`: the linter reports the placeholder on this line
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
        # A `[kind]` right after the stamp (after a separator at most) is the usual case: then no
        # am/pm, zone name or offset stands between them, and one test of a group the match already
        # has decides. Otherwise what follows the time is looked at, unless it starts as a description
        # does; and a `UTC` the stamp grammar took matters when `started_at` is in another zone.
        if (kind is None or utc_elsewhere) and not offset and (
            (kind is None and _PLAIN_REST.match(rest) is None)
            or (utc_elsewhere and "UTC" in text and "UTC" in text[: match.start("rest")])
        ):
            end = match.end("tonly") if time_only else match.end("time")
            zone = _offset_text(started_at.utcoffset()) if started_at is not None else ""
            problem = _suffix_problem(text, end, clock, time_text, date_text, current_date, zone)
            if problem is not None:
                report.error(line, "timeline.malformed", problem)
                reported += 1
                continue
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
            report.error(
                line,
                "timeline.order",
                f"timeline entry `{stamp}` is earlier than the entry before it (`{previous.stamp}` on "
                f"line {previous.line}); keep the timeline in chronological order"
                + ("" if date_text else _order_hint(previous, len(entries) == 1, time_text, started_at, tz)),
            )
        entries.append(entry)
        previous = entry
    if len(entries) + reported < MIN_TIMELINE_ENTRIES:
        count = len(entries) + reported
        report.error(
            section.line,
            "timeline.too-short",
            f"the timeline has {count} entr{'y' if count == 1 else 'ies'}; a timeline needs at "
            f"least {MIN_TIMELINE_ENTRIES}, each a list item starting with a time, like `- 09:12 [observation] ...`",
        )
    return tuple(entries)


def _order_hint(
    previous: TimelineEntry,
    previous_is_first: bool,
    time_text: str,
    started_at: dt.datetime | None,
    tz: dt.tzinfo,
) -> str:
    """How to date an undated entry that is earlier than the one before it (across midnight)."""
    day = previous.at.date()
    if started_at is None or day == dt.date.max:
        return f"; if it happened on a later day, write the date: `YYYY-MM-DD {time_text}`"
    if previous_is_first and previous.at.time() > started_at.astimezone(tz).time() and day > dt.date.min:
        # Read again from its stamp (only here, not for every entry): whether it has a date, its time.
        stamp = _ENTRY.match(previous.stamp)
        if stamp is not None and not stamp.group("date"):
            # `- 23:55` then `- 00:10` with `started_at` at 00:10: the first entry is the evening
            # before, not this one the next day (which would put it after `resolved_at`). Dating the
            # first entry moves the undated ones after it too, so this one needs its date as well.
            previous_time = stamp.group("tonly")
            return (
                f"; if `{previous_time}` (line {previous.line}) was on the day before `started_at`, date both: "
                f"`{day - _DAY} {previous_time}` there and `{day} {time_text}` here"
            )
    return f"; if it happened on a later day, write the date: `{day + _DAY} {time_text}`"
