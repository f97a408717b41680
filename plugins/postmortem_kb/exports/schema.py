"""`postmortem.schema.json`: the front matter as a JSON Schema (draft 2020-12).

Built from the field definitions the validator reads (`core.schema`), its
date patterns (checked against `core.frontmatter` by the tests) and the configured taxonomy and
severities, so an editor checks a postmortem the way the build does, as far
as JSON Schema can say it. Editors read YAML 1.2 (an unquoted
`2024-03-14T09:12:00Z` is a string); free-text fields also accept numbers
and booleans, because the validator takes any scalar as text.

What the schema cannot express is left to `postmortem check`: the order of
the timestamps, `resolved_at` in the future, real calendar dates, unique and
existing ids in `related`, and `factor` naming one of the document's own
categories.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..core import frontmatter
from ..core.schema import (
    ACTION_ITEM_FIELDS,
    FACTOR_FIELDS,
    FIELDS,
    FORMAT_VERSION,
    ID_PATTERN,
    IMPACT_FIELDS,
    SLUG_PATTERN,
    FieldSpec,
)
from ..core.settings import Settings

DRAFT = "https://json-schema.org/draft/2020-12/schema"
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\x00-\x1f/?#]+[^\s\x00-\x1f]*$"
# `frontmatter.parse_datetime` as a pattern: its regex with the offset made
# mandatory (the validator checks that in code) and offsets limited to real ones.
# tests/test_exports.py runs both over the same table of examples.
DATETIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?[ \t]*"
    r"(?:Z|z|UTC|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$"
)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"  # as `frontmatter.parse_date`
# The lengths the validator applies to text it reads without a FieldSpec length.
ENTRY_MAX = 200
ID_MAX = 64
URL_MAX = 2000
FACTOR_REF_MAX = 100


def _bidi() -> str | None:
    # Newer validators refuse Unicode direction controls in text; follow them when present.
    pattern = getattr(frontmatter, "BIDI_CONTROLS", None)
    return pattern.pattern if pattern is not None else None


def text(max_length: int | None, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "number", "boolean"], "minLength": 1, "pattern": r"\S"}
    if max_length is not None:
        schema["maxLength"] = max_length
    bidi = _bidi()
    if bidi:
        schema["not"] = {"type": "string", "pattern": bidi}
    if description:
        schema["description"] = description
    return schema


def patterned(pattern: str, max_length: int, description: str = "") -> dict[str, Any]:
    """A slug or an id: digits alone are valid too, and YAML reads them as a number."""
    schema: dict[str, Any] = {
        "anyOf": [
            {"type": "string", "pattern": pattern, "maxLength": max_length},
            {"type": "integer", "minimum": 0},
        ]
    }
    if description:
        schema["description"] = description
    return schema


def enum(values: tuple[str, ...], description: str = "", descriptions: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The values as written, plus the number or boolean YAML makes of any that look like one."""
    choices: list[Any] = list(values)
    for value in values:
        loaded = yaml.safe_load(value) if value.strip() else value
        if not isinstance(loaded, str) and isinstance(loaded, (int, float, bool)) and loaded not in choices:
            choices.append(loaded)
    schema: dict[str, Any] = {"enum": choices}
    if description:
        schema["description"] = description
    if descriptions:
        # Editors (VS Code) show these beside each completion; validators ignore them.
        schema["enumDescriptions"] = list(descriptions) + [""] * (len(choices) - len(descriptions))
    return schema


def datetime_schema(description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": DATETIME_PATTERN,
        "description": description + " ISO 8601 with a UTC offset, like 2024-03-14T09:12:00Z.",
    }


def date_schema(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DATE_PATTERN, "description": description}


def _list(items: dict[str, Any], required: bool, description: str) -> dict[str, Any]:
    if required:
        return {"type": "array", "minItems": 1, "items": items, "description": description}
    # An empty optional list (`teams:`) is accepted by the validator.
    return {"type": ["array", "null"], "items": items, "description": description}


def _field(spec: FieldSpec, settings: Settings) -> dict[str, Any]:
    required = spec.required is True
    kind = spec.type
    if kind == "id":
        return patterned(ID_PATTERN, ID_MAX, spec.description)
    if kind == "string":
        return text(spec.max_length, spec.description)
    if kind == "enum":
        return enum(spec.enum or (), spec.description)
    if kind == "severity":
        return enum(
            settings.severity_names, spec.description,
            tuple(s.description for s in settings.severities),
        )
    if kind == "datetime":
        return datetime_schema(spec.description)
    if kind == "date":
        return date_schema(spec.description)
    if kind == "bool":
        return {"type": "boolean", "description": spec.description}
    if kind == "slug-list":
        return _list(patterned(SLUG_PATTERN, ENTRY_MAX), required, spec.description)
    if kind == "string-list":
        return _list(text(ENTRY_MAX), required, spec.description)
    if kind == "id-list":
        return _list(patterned(ID_PATTERN, ID_MAX), False, spec.description)
    if kind == "impact":
        return {"$ref": "#/$defs/impact", "description": spec.description}
    if kind == "factors":
        return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/factor"}, "description": spec.description}
    if kind == "action-items":
        return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/action_item"}, "description": spec.description}
    raise ValueError(f"no JSON Schema for field type {kind!r}")  # pragma: no cover


def _categories(settings: Settings, description: str) -> dict[str, Any]:
    return enum(
        settings.category_slugs, description,
        tuple(f"{c.title}: {c.description}" for c in settings.taxonomy),
    )


def _impact() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, spec in IMPACT_FIELDS.items():
        if spec.type == "int":
            props[name] = {"type": "integer", "minimum": 0, "description": spec.description}
        elif spec.type == "number":
            props[name] = {"type": "number", "minimum": 0, "maximum": 100, "description": spec.description}
        elif spec.type == "bool":
            props[name] = {"type": "boolean", "description": spec.description}
        else:
            props[name] = text(spec.max_length, spec.description)
    return {"type": "object", "properties": props, "additionalProperties": False}


def _factor(settings: Settings) -> dict[str, Any]:
    spec = FACTOR_FIELDS["description"]
    return {
        "type": "object",
        "properties": {
            "category": _categories(settings, FACTOR_FIELDS["category"].description),
            "description": text(spec.max_length, spec.description),
        },
        "required": [n for n, s in FACTOR_FIELDS.items() if s.required is True],
        "additionalProperties": False,
    }


def _action_item(settings: Settings) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, spec in ACTION_ITEM_FIELDS.items():
        if spec.type == "string":
            props[name] = text(spec.max_length, spec.description)
        elif spec.type == "date":
            props[name] = date_schema(spec.description)
        elif spec.type == "enum":
            schema = enum(spec.enum or (), spec.description)
            if not spec.required:
                schema["enum"] = [*schema["enum"], None]  # an optional enum may be left empty
            props[name] = schema
        elif spec.type == "url":
            props[name] = {"type": "string", "pattern": URL_PATTERN, "maxLength": URL_MAX, "description": spec.description}
        elif spec.type == "factor-ref":
            props[name] = _categories(settings, spec.description)
        else:  # pragma: no cover - kept in step with core.schema by the tests
            raise ValueError(spec.type)
    return {
        "type": "object",
        "properties": props,
        "required": [n for n, s in ACTION_ITEM_FIELDS.items() if s.required is True],
        "additionalProperties": False,
    }


def front_matter_schema(settings: Settings, site_url: str | None = None) -> dict[str, Any]:
    properties = {name: _field(spec, settings) for name, spec in FIELDS.items()}
    for name in settings.custom_fields:
        properties.setdefault(name, {"description": "A custom field declared in the site's configuration."})
    schema: dict[str, Any] = {"$schema": DRAFT}
    if site_url:
        schema["$id"] = (site_url if site_url.endswith("/") else site_url + "/") + "postmortem.schema.json"
    schema.update(
        {
            "title": "Postmortem front matter",
            "description": (
                f"The front matter of a blameless postmortem, format version {FORMAT_VERSION}, "
                "with this site's taxonomy and severities. `postmortem check` applies the rules "
                "a JSON Schema cannot express."
            ),
            "type": "object",
            "properties": properties,
            "required": [n for n, s in FIELDS.items() if s.required is True],
            "additionalProperties": False,
            # Published postmortems must name their reviewers.
            "if": {"properties": {"status": {"const": "published"}}, "required": ["status"]},
            "then": {
                "required": ["reviewers"],
                "properties": {"reviewers": {"type": "array", "minItems": 1}},
            },
            "$defs": {
                "impact": _impact(),
                "factor": _factor(settings),
                "action_item": _action_item(settings),
            },
        }
    )
    return schema
