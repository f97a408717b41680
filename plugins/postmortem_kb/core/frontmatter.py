"""Front-matter rules of the format: types, enums, datetimes, lists, nesting.

`check_front_matter` turns a loaded `Y` mapping into typed values and reports
every problem it finds (it never stops at the first), each with the line of
the offending key or value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import AbstractSet, Any
from urllib.parse import urlsplit

from .findings import BIDI_CHARS, CONTROL_CHARS, Reporter
from .model import ActionItem, Factor, Impact
from .schema import (
    ACTION_ITEM_FIELDS,
    FACTOR_FIELDS,
    FIELDS,
    FieldSpec,
    ID_PATTERN,
    IMPACT_FIELDS,
    SLUG_PATTERN,
    TIMESTAMP_FIELDS,
)
from .settings import Settings
from .yamlnodes import DASH_ITEM, LOOKALIKES, Document, Y, abbreviated, char_name, lookalike_fix

ID_RE = re.compile(ID_PATTERN)
SLUG_RE = re.compile(SLUG_PATTERN)
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?"
    r"[ \t]*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?\Z")
# Unicode direction controls (embeddings, overrides, isolates): invisible, and they
# make text display in another order than it is written ("Trojan Source").
BIDI_CONTROLS = re.compile(f"[{BIDI_CHARS}]")
# Control characters a YAML escape can write (`"\x01"`, `"\0"`): invisible, and not allowed
# in the feed's XML. Tabs and line breaks are text.
CONTROLS = re.compile(f"[{CONTROL_CHARS}]")
# Allowed clock skew between the author's machine and the builder's.
_FUTURE_TOLERANCE = dt.timedelta(minutes=10)
_EARLIEST_YEAR = 1970  # earlier timestamps are typos (`0024` for `2024`), not incidents
# YAML 1.2's booleans. YAML 1.1 (PyYAML) also reads `yes`, `no`, `on` and `off` as booleans;
# YAML 1.2 and every other reader of the files read them as text, so they are refused.
_BOOLEANS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
# Codes whose message is already about the characters of the value, or not about them
# (its length): no note about a look-alike character in it.
_OWN_CHARACTER_CODES = frozenset({"frontmatter.control", "frontmatter.bidi", "frontmatter.too-long"})
# Findings that depend on the time of the check (`now`), not only on the file:
# a result holding one must not be reused later (see cli/cache.py).
TIME_DEPENDENT_CODES = frozenset({"frontmatter.future"})
_NOTHING: frozenset[str] = frozenset()

# The example of a list of text, where `[Jane Doe]` (a person) is not one.
_LIST_EXAMPLES = {"tags": "tags: [database, failover]"}

KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "empty",
    "timestamp": "a date",
    "seq": "a list",
    "map": "a mapping",
}


def suggest(word: str, choices: Any) -> str:
    """` (did you mean `x`?)` or the empty string."""
    match = closest(word, choices)
    return f" (did you mean `{match}`?)" if match is not None else ""


def closest(word: str, choices: Any) -> str | None:
    """The choice `word` is most likely a typo of, or None."""
    options = list(choices)
    lowered = {c.casefold(): c for c in options}
    if word.casefold() in lowered:
        return lowered[word.casefold()]
    # `SEV7` is not a typo of `SEV4`: never suggest a value that differs only in digits.
    letters = re.sub(r"\d", "", word.casefold())
    candidates = [c for c in lowered if re.sub(r"\d", "", c) != letters]
    close = difflib.get_close_matches(word.casefold(), candidates, n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def closest_key(key: str, known: Any) -> str | None:
    """The field a key is most likely a typo of: a near spelling (`servces`), or a known
    key with a word added (`due_date`, `owner_team`), too far apart for a spelling match."""
    match = closest(key, known)
    if match is None:
        first = re.split(r"[_\-. ]", key.casefold(), maxsplit=1)[0]
        if first != key.casefold() and first in known:
            match = first
    return match


def one_of(choices: Any) -> str:
    return ", ".join(f"`{c}`" for c in choices)


def parse_datetime(text: str) -> tuple[dt.datetime | None, str | None]:
    """Parse an ISO 8601 datetime with offset. Returns (value, problem)."""
    text = text.strip()
    match = _DATETIME_RE.match(text)
    if not match:
        if _DATE_RE.match(text):
            return None, (
                f"`{text}` is a date without a time; write the time and offset too, "
                f"for example `{text}T09:30:00Z`"
            )
        return None, (
            f"`{text}` is not an ISO 8601 datetime; write it like `2024-03-14T09:12:00Z` "
            "or `2024-03-14T10:12:00+01:00`"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None:
        example = f"{year}-{month}-{day}T{int(hour):02d}:{minute}:{second or '00'}"
        return None, (
            f"`{text}` has no UTC offset; add one, for example `{example}Z` for UTC "
            f"or `{example}+01:00`"
        )
    if offset in ("Z", "z", "UTC"):
        tz = dt.timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            return None, f"`{text}` has an impossible UTC offset `{offset}`"
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    micro = int((fraction or ".0")[1:7].ljust(6, "0"))
    try:
        value = dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz
        )
    except ValueError as exc:
        return None, f"`{text}` is not a real date and time ({exc})"
    if not in_utc_range(value):
        return None, f"`{text}` is out of range: in UTC it falls outside the years 1 to 9999"
    return value, None


def in_utc_range(value: dt.datetime) -> bool:
    """Whether an aware datetime has a UTC equivalent (`0001-01-01T00:10:00+05:00` has none):
    exports and feeds sort by UTC time, which would fail on it."""
    if 1 < value.year < 9999:  # an offset is under a day: only the calendar's first and last years can leave it
        return True
    try:
        value.astimezone(dt.timezone.utc)
    except OverflowError:
        return False
    return True


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    text = text.strip()
    if not _DATE_RE.match(text):
        return None, f"`{text}` is not a date; write it as `YYYY-MM-DD`, for example `2024-05-31`"
    try:
        return dt.date.fromisoformat(text), None
    except ValueError as exc:
        return None, f"`{text}` is not a real date ({exc})"


def is_http_url(text: str) -> bool:
    if _SPACE_OR_CONTROL.search(text):
        return False
    # Cheap answers first; `urlsplit` is the reference for everything else.
    if _PLAIN_HTTP_URL.match(text):
        return True  # scheme http(s), a plain ASCII host: what urlsplit accepts
    if not text[:6].lower().startswith(("http:", "https:")):
        return False  # urlsplit's scheme is what comes before the first `:`
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass
class FrontMatter:
    """Typed front-matter values; a field that failed validation is absent."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    related_lines: list[tuple[str, int]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)


class _Checker:
    def __init__(
        self, report: Reporter, settings: Settings, offset: int, now: dt.datetime, source: str = ""
    ) -> None:
        self.report = report
        self.settings = settings
        self.offset = offset  # file line of YAML line 1, minus one
        self.now = now
        self.source = source  # the YAML text, read only for a message's column

    def line(self, node: Y) -> int:
        return node.line + self.offset

    def err(self, node_or_line: Y | int, code: str, message: str) -> None:
        if isinstance(node_or_line, int):
            line = node_or_line
        else:
            line = self.line(node_or_line)
            raw = node_or_line.raw
            if raw is not None and not raw.isascii() and code not in _OWN_CHARACTER_CODES:
                # `2024‑03‑14` with U+2011 looks right and is not: name what is in the way.
                message += self.lookalike(node_or_line, raw)
        self.report.error(line, code, message)

    def lookalike(self, node: Y, raw: str) -> str:
        """`; it contains U+2011 NON-BREAKING HYPHEN at column 16: type a plain `-``, or ''."""
        match = LOOKALIKES.search(raw)
        if match is None:
            return ""
        char = match.group()
        where = ""
        lines = self.source.splitlines()  # as libyaml counts lines
        if 0 < node.line <= len(lines):
            text = lines[node.line - 1]
            start = text.find(raw)  # the value as written on its line (not when quoted with escapes)
            column = start + match.start() if start != -1 else text.find(char)
            if column != -1:
                where = f" at column {column + 1}"
        return f"; it contains {char_name(char)}{where}: {lookalike_fix(char)}"

    # Scalars ------------------------------------------------------------

    def string(self, name: str, node: Y, max_length: int | None, *, required: bool = True) -> str | None:
        if node.kind in ("seq", "map"):
            self.err(node, "frontmatter.type", f"`{name}` must be text, not {KIND_NAMES[node.kind]}")
            return None
        if node.kind == "null":
            if required:
                self.err(node, "frontmatter.empty", f"`{name}` is empty; give it a value")
            return None
        text = node.text.strip()
        if not text:
            self.err(node, "frontmatter.empty", f"`{name}` is empty; give it a value")
            return None
        control = None if text.isprintable() else CONTROLS.search(text)
        if control:
            self.err(
                node,
                "frontmatter.control",
                f"`{name}` contains an invisible control character (U+{ord(control.group()):04X}); remove it",
            )
            return None
        bidi = None if text.isascii() else BIDI_CONTROLS.search(text)
        if bidi:
            self.err(
                node,
                "frontmatter.bidi",
                f"`{name}` contains an invisible Unicode direction control (U+{ord(bidi.group()):04X}) "
                "that makes text display in another order than it is written; remove it",
            )
            return None
        if max_length is not None and len(text) > max_length:
            self.err(
                node,
                "frontmatter.too-long",
                f"`{name}` is {len(text)} characters long; keep it to {max_length} at most",
            )
            return None
        return text

    def enum(self, name: str, node: Y, choices: tuple[str, ...]) -> str | None:
        if node.kind in ("seq", "map", "null"):
            self.err(node, "frontmatter.enum", f"`{name}` must be one of {one_of(choices)}")
            return None
        text = node.text.strip()
        if text not in choices:
            self.err(
                node,
                "frontmatter.enum",
                f"`{name}: {text}` is not allowed{suggest(text, choices)}; use one of {one_of(choices)}",
            )
            return None
        return text

    def boolean(self, name: str, node: Y) -> bool | None:
        if node.kind != "bool":
            self.err(
                node,
                "frontmatter.type",
                f"`{name}` must be `true` or `false` (unquoted), not `{node.text}`",
            )
            return None
        if node.raw not in _BOOLEANS:  # `on`, `no`, `Yes`: YAML 1.1 only (a scalar's raw is set)
            self.err(
                node,
                "frontmatter.type",
                f"`{name}` must be `true` or `false`, not `{node.text}` (YAML 1.1 reads `{node.text}` as "
                f"{'true' if node.value else 'false'}, YAML 1.2 as text): write `true` or `false`",
            )
            return None
        return bool(node.value)

    def integer(self, name: str, node: Y, minimum: int = 0) -> int | None:
        if node.kind != "int":
            self.err(node, "frontmatter.type", f"`{name}` must be a whole number, not `{node.text}`")
            return None
        if node.value < minimum:
            self.err(node, "frontmatter.range", f"`{name}` must be {minimum} or more, not {node.value}")
            return None
        return int(node.value)

    def number(self, name: str, node: Y, low: float, high: float) -> float | None:
        if node.kind not in ("int", "float"):
            self.err(node, "frontmatter.type", f"`{name}` must be a number, not `{node.text}`")
            return None
        try:
            value = float(node.value)
        except OverflowError:  # an integer with hundreds of digits
            value = float("inf") if node.value > 0 else float("-inf")
        if not (low <= value <= high):
            self.err(
                node,
                "frontmatter.range",
                f"`{name}` must be between {low:g} and {high:g}, not {abbreviated(node.text)}",
            )
            return None
        return value

    def datetime(self, name: str, node: Y) -> dt.datetime | None:
        if node.kind in ("seq", "map", "null", "bool"):
            self.err(
                node,
                "frontmatter.datetime",
                f"`{name}` must be an ISO 8601 datetime with offset, like `2024-03-14T09:12:00Z`",
            )
            return None
        value, problem = parse_datetime(node.text)
        if problem:
            self.err(node, "frontmatter.datetime", f"`{name}`: {problem}")
        return value

    def date(self, name: str, node: Y) -> dt.date | None:
        if node.kind in ("seq", "map", "null", "bool"):
            self.err(node, "frontmatter.date", f"`{name}` must be a date like `2024-05-31`")
            return None
        value, problem = parse_date(node.text)
        if problem:
            self.err(node, "frontmatter.date", f"`{name}`: {problem}")
        return value

    # Lists --------------------------------------------------------------

    def items(
        self, name: str, node: Y, *, required: bool, example: str, own: str | None = None
    ) -> list[Y] | None:
        """The entries of a list. `own` (`text` or `slug`): a single value is shown as a list
        of its own comma-separated values (`tags: a, b` -> `tags: [a, b]`), not as `example`."""
        if node.kind == "null":
            if required:
                self.err(node, "frontmatter.required", f"`{name}` is empty; list at least one, like `{example}`")
            return [] if not required else None
        if node.kind != "seq":
            how = f"write it like `{example}`"
            if own is not None and node.kind == "str":  # `tags: a, b` (a number stays an example)
                how = self.own_list(name, node, slug=own == "slug") or how
            self.err(node, "frontmatter.type", f"`{name}` must be a list, not {KIND_NAMES[node.kind]}; {how}")
            return None
        if required and not node.value:
            self.err(node, "frontmatter.required", f"`{name}` is empty; list at least one, like `{example}`")
            return None
        return list(node.value)

    def own_list(self, name: str, node: Y, *, slug: bool) -> str | None:
        """How to write a list given as one text value, with the author's own values when they
        are one line of comma-separated entries (`tags: a, b` -> ``write it like `tags: [a, b]```),
        or None for the generic example. Lines of `-catalog-db` (no space after the dash) are
        one text folded over lines: each entry needs a space after its dash."""
        lines = self.source.splitlines()  # as libyaml counts lines
        written = lines[node.line - 1] if 0 < node.line <= len(lines) else ""
        text = node.text
        if text.startswith("-"):
            dash = DASH_ITEM.match(written)
            if dash is not None and text.startswith(f"-{dash.group(2)}"):
                return f"each list entry needs a space after its `-`: `{dash.group(1)}- {dash.group(2)}`"
        if text not in written:
            return None  # over several lines (or escaped): no one line of entries to show
        example = _own_list(name, text, slug=slug)
        return f"write it like `{example}`" if example is not None else None

    def string_list(self, name: str, node: Y, *, required: bool, slug: bool) -> tuple[str, ...] | None:
        example = f"{name}: [checkout-api]" if slug else _LIST_EXAMPLES.get(name, f"{name}: [Jane Doe]")
        items = self.items(name, node, required=required, example=example, own="slug" if slug else "text")
        if items is None:
            return None
        values: list[str] = []
        ok = True
        for index, item in enumerate(items, 1):
            text = self.string(f"{name}[{index}]", item, 200)
            if text is None:
                ok = False
                continue
            if slug and not SLUG_RE.fullmatch(text):
                fixed = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "my-service"
                self.err(
                    item,
                    "frontmatter.slug",
                    f"`{name}` entry `{text}` is not a slug; use lowercase letters, digits and "
                    f"hyphens, like `{fixed}`",
                )
                ok = False
                continue
            if text in values:
                self.report.warning(
                    self.line(item), "frontmatter.duplicate", f"`{name}` lists `{text}` twice; keep one"
                )
                continue
            values.append(text)
        return tuple(values) if ok else None

    def mapping(self, name: str, node: Y) -> dict[str, Y] | None:
        if node.kind != "map":
            self.err(node, "frontmatter.type", f"`{name}` must be a mapping of fields, not {KIND_NAMES[node.kind]}")
            return None
        return node.value

    def unknown_keys(
        self,
        where: str,
        mapping: Y,
        known: dict[str, FieldSpec],
        allowed_extra: tuple[str, ...] = (),
        also_required: tuple[str, ...] = (),
    ) -> AbstractSet[str]:
        """Warn about unknown keys. A key that is a typo of a required field of `known`
        (or of `also_required`) that the mapping lacks is that field's one error instead,
        on the typo's line (not a "missing field" on another line and a warning here);
        returns those fields, not to report again."""
        key_lines = mapping.key_lines
        assert key_lines is not None
        if key_lines.keys() <= known.keys():  # every key known, as in most mappings: one C-level check
            return _NOTHING
        claimed: AbstractSet[str] = _NOTHING
        missing: set[str] | None = None  # computed at the first unknown key
        for key, line in key_lines.items():
            if key in known or key in allowed_extra:
                continue
            if missing is None:
                fields = mapping.value
                missing = {n for n, spec in known.items() if spec.required is True and n not in fields}
                missing.update(name for name in also_required if name not in fields)
            match = closest_key(key, known)
            odd = _odd_character(key)  # `title` with a no-break space looks like `title`
            if match is not None and match in missing and match not in claimed:
                claimed = {*claimed, match}
                of = "" if where == "front matter" else f" of the {where}"
                self.report.error(
                    line + self.offset,
                    "frontmatter.required",
                    f"`{key}` is not a field{of}; did you mean the required `{match}`?{odd}",
                )
                continue
            hint = f" (did you mean `{match}`?)" if match is not None else ""
            hint += odd
            extra = (
                "; declare it under `custom_fields` in the plugin's configuration if it is intended"
                if where == "front matter"
                else ""
            )
            self.report.warning(
                line + self.offset,
                "frontmatter.unknown-key",
                f"unknown key `{key}` in the {where}{hint}{extra}",
            )
        return claimed

    # Compound fields ----------------------------------------------------

    def impact(self, node: Y) -> Impact | None:
        fields = self.mapping("impact", node)
        if fields is None:
            return None
        self.unknown_keys("`impact` mapping", node, IMPACT_FIELDS)
        values: dict[str, Any] = {}
        for key, child in fields.items():
            if key in ("users_affected", "support_tickets"):
                values[key] = self.integer(f"impact.{key}", child)
            elif key == "error_budget_consumed_pct":
                values[key] = self.number("impact.error_budget_consumed_pct", child, 0, 100)
            elif key == "data_loss":
                values[key] = self.boolean("impact.data_loss", child)
            elif key == "revenue":
                values[key] = self.string("impact.revenue", child, IMPACT_FIELDS["revenue"].max_length)
        return Impact(**{k: v for k, v in values.items() if v is not None})

    def factors(self, node: Y) -> tuple[Factor, ...] | None:
        items = self.items(
            "contributing_factors",
            node,
            required=True,
            example="contributing_factors: [{category: config-change, description: ...}]",
        )
        if items is None:
            return None
        slugs = self.settings.category_slugs
        result: list[Factor] = []
        ok = True
        for index, item in enumerate(items, 1):
            where = f"contributing_factors[{index}]"
            if item.kind != "map":
                self.err(
                    item,
                    "frontmatter.type",
                    f"`{where}` must be a mapping with `category` and `description`",
                )
                ok = False
                continue
            fields = item.value
            claimed = self.unknown_keys(f"`{where}` mapping", item, FACTOR_FIELDS)
            category = description = None
            if "category" not in fields:
                if "category" not in claimed:
                    self.err(item, "frontmatter.required", f"`{where}` has no `category`; use one of {one_of(slugs)}")
            else:
                category = self.enum_category(f"{where}.category", fields["category"], slugs)
            if "description" not in fields:
                if "description" not in claimed:
                    self.err(item, "frontmatter.required", f"`{where}` has no `description`: say how this factor contributed")
            else:
                description = self.string(
                    f"{where}.description", fields["description"], FACTOR_FIELDS["description"].max_length
                )
            if category is None or description is None:
                ok = False
                continue
            result.append(Factor(category, description, self.line(item)))
        return tuple(result) if ok else None

    def enum_category(self, name: str, node: Y, slugs: tuple[str, ...]) -> str | None:
        if node.kind in ("seq", "map", "null"):
            self.err(node, "frontmatter.category", f"`{name}` must be one of {one_of(slugs)}")
            return None
        text = node.text.strip()
        if text not in slugs:
            self.err(
                node,
                "frontmatter.category",
                f"`{name}: {text}` is not a category of the taxonomy{suggest(text, slugs)}; "
                f"use one of {one_of(slugs)}",
            )
            return None
        return text

    def action_items(self, node: Y, categories: tuple[str, ...] | None) -> tuple[ActionItem, ...] | None:
        items = self.items(
            "action_items",
            node,
            required=True,
            example="action_items: [{title: Add an alert on ..., owner: sre, due: 2024-06-30, status: open}]",
        )
        if items is None:
            return None
        result: list[ActionItem] = []
        ok = True
        for index, item in enumerate(items, 1):
            where = f"action_items[{index}]"
            if item.kind != "map":
                self.err(item, "frontmatter.type", f"`{where}` must be a mapping with `title`, `owner`, `due` and `status`")
                ok = False
                continue
            fields = item.value
            claimed = self.unknown_keys(f"`{where}` mapping", item, ACTION_ITEM_FIELDS)
            values: dict[str, Any] = {}
            item_ok = True
            for spec in ACTION_ITEM_FIELDS.values():
                child = fields.get(spec.name)
                if child is None:
                    if spec.name in claimed:
                        item_ok = False  # reported on the misspelled key's line
                    elif spec.required:
                        self.err(item, "frontmatter.required", f"`{where}` has no `{spec.name}`: {spec.description[0].lower()}{spec.description[1:]}")
                        item_ok = False
                    continue
                label = f"{where}.{spec.name}"
                if spec.type == "string":
                    value: Any = self.string(label, child, spec.max_length)
                elif spec.type == "date":
                    value = self.date(label, child)
                elif spec.type == "enum":
                    assert spec.enum is not None
                    if child.kind == "null" and not spec.required:
                        continue
                    value = self.enum(label, child, spec.enum)
                elif spec.type == "url":
                    text = self.string(label, child, 2000)
                    value = None
                    if text is not None:
                        if is_http_url(text):
                            value = text
                        else:
                            self.err(child, "frontmatter.url", f"`{label}` must be an http:// or https:// link to the tracker, not `{text}`")
                elif spec.type == "factor-ref":
                    text = self.string(label, child, 100)
                    value = None
                    if text is not None and categories is not None:
                        if text in categories:
                            value = text
                        else:
                            self.err(
                                child,
                                "frontmatter.factor-ref",
                                f"`{label}: {text}` is not one of this postmortem's factor categories"
                                f"{suggest(text, categories)}; use one of {one_of(categories)}",
                            )
                    elif text is not None:
                        value = text
                else:  # pragma: no cover - schema and checker are kept in step by tests
                    raise AssertionError(spec.type)
                if value is None:
                    item_ok = False
                else:
                    values[spec.name] = value
            if not item_ok:
                ok = False
                continue
            result.append(ActionItem(line=self.line(item), **values))
        return tuple(result) if ok else None

    def related(self, node: Y, own_id: str | None, out: list[tuple[str, int]]) -> tuple[str, ...] | None:
        items = self.items("related", node, required=False, example="related: [PM-2024-003]", own="text")
        if items is None:
            return None
        ids: list[str] = []
        ok = True
        for index, item in enumerate(items, 1):
            text = self.string(f"related[{index}]", item, 64)
            if text is None:
                ok = False
                continue
            if not ID_RE.match(text):
                self.err(item, "frontmatter.related", f"`related` entry `{text}` is not a postmortem id like `PM-2024-003`")
                ok = False
                continue
            if own_id is not None and text == own_id:
                self.err(item, "frontmatter.related", f"`related` lists this postmortem's own id `{text}`; remove it")
                ok = False
                continue
            if text not in ids:
                ids.append(text)
                out.append((text, self.line(item)))
        return tuple(ids) if ok else None


def check_front_matter(
    root: Y,
    report: Reporter,
    settings: Settings,
    *,
    offset: int,
    now: dt.datetime | None = None,
) -> FrontMatter:
    """Validate the front-matter mapping `root`; `offset` maps YAML lines to file lines."""
    now = now or dt.datetime.now(dt.timezone.utc)
    document = root if isinstance(root, Document) else None
    c = _Checker(report, settings, offset, now, document.source if document is not None else "")
    result = FrontMatter()
    assert root.kind == "map" and root.key_lines is not None
    fields: dict[str, Y] = root.value
    result.lines = {key: line + offset for key, line in root.key_lines.items()}
    if document is not None and document.comments:
        _report_cut_comments(c, document.comments)
    status = fields.get("status")
    published = status is not None and status.text.strip() == "published"
    # `reviewers` is required when published: `reviewer:` is then its typo, not an extra key.
    also_required = ("reviewers",) if published else ()
    claimed = c.unknown_keys("front matter", root, FIELDS, settings.custom_fields, also_required)
    first_line = 1  # a missing field has no line of its own: point at the opening `---`

    for name in settings.custom_fields:
        if name in fields:
            result.custom[name] = fields[name].plain()

    values = result.values

    def need(name: str) -> Y | None:
        node = fields.get(name)
        if node is None and name not in claimed:  # a claimed one is reported on its typo's line
            spec = FIELDS[name]
            c.err(
                first_line,
                "frontmatter.required",
                f"missing required field `{name}`: {spec.description[0].lower()}{spec.description[1:]}",
            )
        return node

    node = need("id")
    if node is not None:
        own_id = _own_id(c, node)
        if own_id is not None:
            values["id"] = own_id
    for name in ("title", "summary"):
        node = need(name)
        if node is not None:
            value = c.string(name, node, FIELDS[name].max_length)
            if value is not None:
                values[name] = value
    node = need("status")
    if node is not None:
        values["status"] = c.enum("status", node, FIELDS["status"].enum or ())
    node = fields.get("visibility")
    values["visibility"] = "internal"
    if node is not None:
        values["visibility"] = c.enum("visibility", node, FIELDS["visibility"].enum or ())
    node = need("severity")
    if node is not None:
        values["severity"] = c.enum("severity", node, settings.severity_names)

    for name in TIMESTAMP_FIELDS:
        node = fields.get(name) if not FIELDS[name].required else need(name)
        if node is not None:
            values[name] = c.datetime(name, node)
            if values[name] is not None and values[name].year < _EARLIEST_YEAR:
                # Valid ISO 8601, but a typo (`0024` for `2024`) would stretch every trend chart
                # over twenty centuries of empty quarters.
                c.report.warning(
                    c.line(node),
                    "frontmatter.date-implausible",
                    f"`{name}` is in the year {values[name].year}; is the year a typo? "
                    f"Write the incident's real date ({_EARLIEST_YEAR} or later)",
                )
    _check_order(c, fields, values)
    resolved = values.get("resolved_at")
    if resolved is not None and resolved > now + _FUTURE_TOLERANCE:
        c.err(
            fields["resolved_at"],
            "frontmatter.future",
            f"`resolved_at` ({resolved.isoformat()}) is in the future; a postmortem is written "
            "about a resolved incident: use the time it was resolved",
        )

    for name, slug in (("services", True), ("teams", True), ("authors", False), ("tags", False)):
        spec = FIELDS[name]
        node = need(name) if spec.required else fields.get(name)
        if node is not None:
            values[name] = c.string_list(name, node, required=spec.required is True, slug=slug)
        elif not spec.required:
            values[name] = ()
    node = fields.get("reviewers")
    if node is not None:
        values["reviewers"] = c.string_list(
            "reviewers", node, required=values.get("status") == "published", slug=False
        )
    else:
        values["reviewers"] = ()
        if values.get("status") == "published" and "reviewers" not in claimed:
            c.err(
                fields["status"],
                "frontmatter.reviewers",
                "`reviewers` is required when `status: published`: list who reviewed the postmortem, "
                "or set `status: in-review` until it is reviewed",
            )

    node = fields.get("detection")
    values["detection"] = c.enum("detection", node, FIELDS["detection"].enum or ()) if node is not None else None
    node = fields.get("trigger")
    values["trigger"] = c.string("trigger", node, FIELDS["trigger"].max_length) if node is not None else None
    node = fields.get("near_miss")
    values["near_miss"] = c.boolean("near_miss", node) if node is not None else False
    node = fields.get("impact")
    values["impact"] = c.impact(node) if node is not None else Impact()

    node = need("contributing_factors")
    factors = c.factors(node) if node is not None else None
    values["factors"] = factors
    categories = tuple(dict.fromkeys(f.category for f in factors)) if factors is not None else None
    node = need("action_items")
    values["action_items"] = c.action_items(node, categories) if node is not None else None
    node = fields.get("related")
    values["related"] = (
        c.related(node, values.get("id"), result.related_lines) if node is not None else ()
    )
    return result


# The free-text values, as `_cut_comments` labels them, where a `#` plausibly belongs to the
# text (`#2`, `#4521`). `severity: SEV3 #was-SEV2` on an enumeration, an id, a slug, a date,
# a number or a URL is a YAML comment written as one: never reported.
_TEXT_LABEL = re.compile(
    r"(?:title|summary|trigger|impact\.revenue"
    r"|contributing_factors\[\d+\]\.description|action_items\[\d+\]\.title)\Z"
)


def _report_cut_comments(c: _Checker, comments: tuple[tuple[int, str, str, str], ...]) -> None:
    """Warn about free-text values a YAML comment cut short: `title: Checkout latency #2
    after push` is `Checkout latency`, silently, unless the author hears about it."""
    for line, label, value, comment in comments:
        if not _TEXT_LABEL.match(label):
            continue
        shown = f"`{_clip(value)}`" if value else "empty"
        c.report.warning(
            line + c.offset,
            "frontmatter.comment",
            f"` {_clip(comment)}` starts a YAML comment, so `{label}` is {shown}; "
            "put the value in quotes if the `#` belongs to it",
        )


def _odd_character(text: str) -> str:
    """` (it contains U+00A0 NO-BREAK SPACE: type a plain space)` for a key, or ''."""
    match = None if text.isascii() else LOOKALIKES.search(text)
    if match is None:
        return ""
    return f" (it contains {char_name(match.group())}: {lookalike_fix(match.group())})"


def _clip(text: str, limit: int = 60) -> str:
    """`text`, or its start and `...` when it is longer than `limit` characters."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# An entry that is not one value: a dash or bullet list folded into it (`a - b`, `-a`).
_NOT_AN_ENTRY = re.compile(r"\A[-*+\u2022]|[ \t][-*+\u2022]([ \t]|\Z)")


def _own_list(name: str, text: str, *, slug: bool) -> str | None:
    """`tags: [connection-pool, config]` for `tags: connection-pool, config`: a one-line value
    written as the list the author meant, its commas separating the entries. None when an
    entry does not look like one value (then the generic example is better than nonsense)."""
    if "\n" in text:
        return None
    entries = [part.strip() for part in text.split(",")]
    if any(_NOT_AN_ENTRY.search(part) for part in entries):
        return None
    if (slug or name == "tags") and any("-" in part and len(part.split()) > 1 for part in entries):
        # `tags: postgresql pg-upgrade`: slugs or keywords separated by spaces, not one value
        # (`Checkout API` is one; a name like `Jean-Luc Picard` is, in `authors`).
        return None
    if slug:
        entries = [re.sub(r"[^a-z0-9]+", "-", part.casefold()).strip("-") for part in entries]
    entries = [part for part in entries if part]
    if not entries:
        return None
    return f"{name}: [{', '.join(_flow_entry(part) for part in entries)}]"


_PLAIN_FLOW_ENTRY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/()+-]*")


def _flow_entry(text: str) -> str:
    """An entry of a `[a, b]` list as YAML reads it back: plain when it can be, else quoted."""
    if _PLAIN_FLOW_ENTRY.fullmatch(text) and not text.endswith(" "):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _own_id(c: _Checker, node: Y) -> str | None:
    """The file's own `id`, or None after reporting why it is not one."""
    text = c.string("id", node, 64)
    if text is not None and not ID_RE.match(text):
        c.err(
            node,
            "frontmatter.id",
            f"`id: {text}` is not a valid id: use letters, digits, `.`, `_` and `-`, "
            "starting with a letter or digit, at most 64 characters (convention `PM-2024-001`)",
        )
        return None
    return text


_NO_CLOCK = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def identity(root: Y, settings: Settings, *, offset: int) -> tuple[str | None, int, tuple[tuple[str, int], ...]]:
    """(id, file line of the `id` key or 0, related ids with their lines): what the
    cross-file rules read from a file, computed exactly as `check_front_matter` computes
    them, without validating the rest. `root` is a mapping; findings are not kept."""
    assert root.kind == "map" and root.key_lines is not None
    c = _Checker(Reporter(""), settings, offset, _NO_CLOCK)  # `id` and `related` never read the clock
    fields: dict[str, Y] = root.value
    node = fields.get("id")
    own_id = _own_id(c, node) if node is not None else None
    related: list[tuple[str, int]] = []
    node = fields.get("related")
    if node is not None:
        c.related(node, own_id, related)
    id_line = root.key_lines["id"] + offset if "id" in root.key_lines else 0
    return own_id, id_line, tuple(related)


def _check_order(c: _Checker, fields: dict[str, Y], values: dict[str, Any]) -> None:
    """started <= detected <= mitigated <= resolved, each against every earlier one."""
    present = [(n, values[n]) for n in TIMESTAMP_FIELDS if values.get(n) is not None]
    for index, (name, value) in enumerate(present):
        for earlier_name, earlier in present[:index]:
            if value < earlier:
                c.err(
                    fields[name],
                    "frontmatter.order",
                    f"`{name}` ({value.isoformat()}) is before `{earlier_name}` ({earlier.isoformat()}); "
                    f"the order is started_at <= detected_at <= mitigated_at <= resolved_at",
                )
                break
