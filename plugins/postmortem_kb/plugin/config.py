"""The plugin's configuration, typed and documented where each option is declared.

The same class validates the `postmortems` block for `mkdocs build` and for
`postmortem check` (see `load_settings`), so both judge files identically.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

from ..core.findings import visible
from ..core.schema import SLUG_PATTERN
from ..core.settings import (
    DEFAULT_SEVERITIES,
    DEFAULT_TAXONOMY,
    Category,
    Settings,
    Severity,
    default_reference_date,
    reference_date_problem,
)

PLUGIN_NAME = "postmortems"


class CategoryConfig(Config):
    """One contributing-factor category of the taxonomy."""

    slug = c.Type(str)
    """Lowercase slug used in front matter (`category: config-change`) and URLs."""
    title = c.Type(str)
    """Human title shown on the site."""
    description = c.Type(str, default="")
    """One line: what the category covers."""


class SeverityConfig(Config):
    """One severity level."""

    name = c.Type(str)
    """The value written in front matter (`severity: SEV2`)."""
    description = c.Type(str, default="")
    """What this severity means for your organisation."""


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReferenceDate(c.BaseConfigOption["dt.date | None"]):
    """A day written `YYYY-MM-DD`, as text (quoted, or from `!ENV`) or as the date YAML
    makes of it when unquoted. The one place where `reference_date` becomes a `date`;
    `to_settings` checks its range. Empty text means unset, as before."""

    def run_validation(self, value: object) -> dt.date | None:
        if isinstance(value, dt.datetime):  # `2026-11-27 10:00` unquoted: YAML's timestamp
            raise ValidationError(f"`{value}` has a time of day; give the day only, like 2026-01-31")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if _DATE_RE.fullmatch(text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    pass
            raise ValidationError(f"`{visible(value)}` is not a date like 2026-01-31")
        raise ValidationError(f"expected a date like 2026-01-31, not {type(value).__name__}")


class PostmortemsConfig(Config):
    """Options of the `postmortems` plugin."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (for example with `!ENV`) to build the site without it."""

    postmortems_dir = c.Type(str, default="postmortems")
    """Folder of the postmortems, relative to the folder of `mkdocs.yml`."""

    audience = c.Choice(("internal", "public"), default="internal")
    """Who the build is for: `public` publishes only `visibility: public`;
    `internal` publishes `public` and `internal`."""

    include_restricted = c.Type(bool, default=False)
    """With `audience: internal`, also publish `visibility: restricted` postmortems
    (tightly held builds only). No effect with `audience: public`, which publishes
    only `visibility: public`."""

    include_drafts = c.Type(bool, default=False)
    """Preview: also publish `draft` and `in-review` postmortems, with a banner."""

    taxonomy = c.Optional(c.ListOfItems(c.SubConfig(CategoryConfig)))
    """Contributing-factor categories; the format's 14 default categories when unset."""

    severities = c.Optional(c.ListOfItems(c.SubConfig(SeverityConfig)))
    """Severity levels, worst first; `SEV1` to `SEV4` when unset."""

    custom_fields = c.ListOfItems(c.Type(str), default=[])
    """Extra top-level front-matter keys your organisation uses (not warned about)."""

    reference_date = c.Optional(ReferenceDate())
    """`YYYY-MM-DD` used to decide which action items are overdue, from 1970-01-01 to
    9998-12-31, quoted or not (YAML reads `2026-11-27` unquoted as a date; both are
    accepted). Default: today (UTC), or the day of `SOURCE_DATE_EPOCH` when it is set."""

    disabled_rules = c.ListOfItems(c.Type(str), default=[])
    """Lint rule ids switched off for this site (for example `blameless.hindsight`)."""

    related_limit = c.Type(int, default=5)
    """How many computed "similar incidents" to show on each postmortem page."""

    trends_period = c.Choice(("quarter", "month"), default="quarter")
    """Period of the trend charts."""

    exports = c.Type(bool, default=True)
    """Write `incidents.json`, the CSV files, the JSON Schema and the feed."""

    pagefind = c.Type(bool, default=False)
    """Index the built site with Pagefind for faceted search (see the search guide)."""

    pagefind_in_serve = c.Type(bool, default=False)
    """Also run Pagefind after each `mkdocs serve` rebuild (slower reloads)."""


_SLUG_RE = re.compile(SLUG_PATTERN)


def to_settings(config: PostmortemsConfig) -> Settings:
    """Turn a validated plugin configuration into the core's `Settings`."""
    taxonomy = DEFAULT_TAXONOMY
    if config.taxonomy:
        taxonomy = tuple(
            Category(item.slug, item.title, item.description) for item in config.taxonomy
        )
        seen: set[str] = set()
        for category in taxonomy:
            if not _SLUG_RE.fullmatch(category.slug):
                raise ValidationError(
                    f"taxonomy: `{visible(category.slug)}` is not a slug (lowercase letters, digits, hyphens)"
                )
            if category.slug in seen:
                raise ValidationError(f"taxonomy: `{category.slug}` is listed twice")
            seen.add(category.slug)
    severities = DEFAULT_SEVERITIES
    if config.severities:
        severities = tuple(Severity(item.name, item.description) for item in config.severities)
        names = [s.name for s in severities]
        if len(set(names)) != len(names):
            raise ValidationError("severities: a severity name is listed twice")
    if config.reference_date is not None:
        reference = config.reference_date  # a date already: see ReferenceDate
        problem = reference_date_problem(reference)
        if problem:
            raise ValidationError(f"reference_date: {problem}")
    else:
        try:
            reference = default_reference_date()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    if config.related_limit < 0:
        raise ValidationError("related_limit must be 0 or more")
    return Settings(
        taxonomy=taxonomy,
        severities=severities,
        audience=config.audience,
        include_restricted=config.include_restricted,
        include_drafts=config.include_drafts,
        custom_fields=tuple(config.custom_fields),
        postmortems_dir=config.postmortems_dir,
        reference_date=reference,
        disabled_rules=tuple(config.disabled_rules),
        related_limit=config.related_limit,
    )


class ConfigFileError(Exception):
    """`mkdocs.yml` is missing, unreadable, or its `postmortems` block is invalid."""


def find_plugin_block(raw: dict[str, Any]) -> dict[str, Any] | None:
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        block = plugins.get(PLUGIN_NAME, None) if PLUGIN_NAME in plugins else None
        return dict(block or {}) if PLUGIN_NAME in plugins else None
    for entry in plugins:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return dict(entry[PLUGIN_NAME] or {})
    return None


_read: dict[str, tuple[bytes, dict[str, Any]]] = {}  # path -> (its bytes, as loaded)


def read_mkdocs_yml(config_file: Path) -> dict[str, Any]:
    """`config_file` as MkDocs' loader reads it (`!ENV`, `INHERIT`), `{}` when it is not a
    mapping. Parsed once while its bytes stay the same: `postmortem check` needs the
    plugin's block and `docs_dir` from it. Callers must not change what it returns."""
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    path = os.path.abspath(config_file)
    try:
        data = Path(config_file).read_bytes()
        cached = _read.get(path)
        if cached is None or cached[0] != data:
            with open(config_file, encoding="utf-8-sig") as handle:  # a named file: INHERIT is relative to it
                raw = yaml_load(handle, loader=get_yaml_loader())
            cached = _read[path] = (data, raw if isinstance(raw, dict) else {})
    except FileNotFoundError:
        raise ConfigFileError(
            f"{config_file}: not found; run from the knowledge base's folder or pass --config-file"
        ) from None
    except Exception as exc:  # mkdocs raises ConfigurationError with the YAML problem
        raise ConfigFileError(f"{config_file}: {exc}") from None
    return cached[1]


def load_config(config_file: Path) -> tuple[PostmortemsConfig, Path]:
    """Read the `postmortems` block of `config_file` without loading the whole site."""
    block = find_plugin_block(read_mkdocs_yml(config_file))
    if block is None:
        raise ConfigFileError(
            f"{config_file}: the `{PLUGIN_NAME}` plugin is not listed under `plugins:`"
        )
    config = PostmortemsConfig(config_file_path=str(config_file))
    config.load_dict(block)
    failed, warnings = config.validate()
    if failed:
        problems = "; ".join(f"{key}: {err}" for key, err in failed)
        raise ConfigFileError(f"{config_file}: invalid `{PLUGIN_NAME}` configuration: {problems}")
    for key, warning in warnings:
        raise ConfigFileError(f"{config_file}: `{PLUGIN_NAME}` configuration: {key}: {warning}")
    return config, Path(os.path.dirname(os.path.abspath(config_file)))


def load_settings(config_file: Path) -> tuple[Settings, Path]:
    """Settings and project root from `mkdocs.yml`: what `postmortem check` uses."""
    config, root = load_config(config_file)
    try:
        return to_settings(config), root
    except ValidationError as exc:
        raise ConfigFileError(f"{config_file}: invalid `{PLUGIN_NAME}` configuration: {exc}") from None
