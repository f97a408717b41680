"""The postmortem format, version 1, as data.

One definition of every field, read by the validator (`frontmatter.py`), the
did-you-mean suggestions, the JSON Schema export and the documentation, so
they cannot drift apart. The contract itself is `postmortem-format.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT_VERSION = 1

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

STATUSES = ("draft", "in-review", "published")
VISIBILITIES = ("public", "internal", "restricted")
DETECTIONS = ("alert", "customer-report", "internal-report", "automated-test", "other")
ACTION_STATUSES = ("open", "in-progress", "done", "wont-do")
ACTION_TYPES = ("prevent", "detect", "mitigate", "process", "investigate")
PRIORITIES = ("P0", "P1", "P2", "P3")
TIMELINE_KINDS = (
    "observation",
    "decision",
    "action",
    "communication",
    "detection",
    "mitigation",
    "resolution",
)
OPEN_ACTION_STATUSES = ("open", "in-progress")

TIMESTAMP_FIELDS = ("started_at", "detected_at", "mitigated_at", "resolved_at")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One front-matter field.

    `type` is one of: string, enum, datetime, date, bool, int, number, url,
    slug, slug-list, string-list, id-list, impact, factors, action-items.
    `required` is True, False, or "published" (required when published).
    """

    name: str
    type: str
    required: bool | str
    description: str
    enum: tuple[str, ...] | None = None
    max_length: int | None = None


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("id", "id", True, "Unique id, convention PM-YYYY-NNN."),
        FieldSpec("title", "string", True, "What happened, in a line.", max_length=120),
        FieldSpec("status", "enum", True, "Only `published` appears on the site by default.", STATUSES),
        FieldSpec("visibility", "enum", False, "Audience: public, internal (default) or restricted.", VISIBILITIES),
        FieldSpec("severity", "severity", True, "One of the configured severities."),
        FieldSpec("summary", "string", True, "What happened and to whom, in plain words.", max_length=600),
        FieldSpec("started_at", "datetime", True, "When impact began (ISO 8601 with offset)."),
        FieldSpec("detected_at", "datetime", False, "When the incident was detected."),
        FieldSpec("mitigated_at", "datetime", False, "When impact was mitigated."),
        FieldSpec("resolved_at", "datetime", True, "When the incident was resolved."),
        FieldSpec("services", "slug-list", True, "Services that were affected (at least one)."),
        FieldSpec("teams", "slug-list", False, "Teams that responded or own the follow-up."),
        FieldSpec("authors", "string-list", True, "Who wrote the document (at least one)."),
        FieldSpec("reviewers", "string-list", "published", "Who reviewed it (required when published)."),
        FieldSpec("tags", "string-list", False, "Free keywords."),
        FieldSpec("detection", "enum", False, "How the incident was detected.", DETECTIONS),
        FieldSpec("trigger", "string", False, "The change or event that set the incident off.", max_length=300),
        FieldSpec("near_miss", "bool", False, "Caught before users were affected."),
        FieldSpec("impact", "impact", False, "Quantified impact."),
        FieldSpec("contributing_factors", "factors", True, "At least one {category, description}."),
        FieldSpec("action_items", "action-items", True, "At least one action item."),
        FieldSpec("related", "id-list", False, "Ids of related postmortems."),
    )
}

IMPACT_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("users_affected", "int", False, "Number of users affected (>= 0)."),
        FieldSpec("error_budget_consumed_pct", "number", False, "Share of the error budget consumed, 0 to 100."),
        FieldSpec("data_loss", "bool", False, "Whether data was lost."),
        FieldSpec("support_tickets", "int", False, "Support tickets raised (>= 0)."),
        FieldSpec("revenue", "string", False, "Revenue impact, in words.", max_length=200),
    )
}

FACTOR_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("category", "category", True, "A category slug of the configured taxonomy."),
        FieldSpec("description", "string", True, "The factor in this incident.", max_length=500),
    )
}

ACTION_ITEM_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("title", "string", True, "Starts with a verb; specific and bounded.", max_length=300),
        FieldSpec("owner", "string", True, "A team or a person.", max_length=120),
        FieldSpec("due", "date", True, "Due date, YYYY-MM-DD."),
        FieldSpec("status", "enum", True, "Progress of the item.", ACTION_STATUSES),
        FieldSpec("type", "enum", False, "What the item does.", ACTION_TYPES),
        FieldSpec("priority", "enum", False, "Priority.", PRIORITIES),
        FieldSpec("ticket", "url", False, "Link to the tracker (http or https)."),
        FieldSpec("factor", "factor-ref", False, "The factor category it addresses (one of this document's)."),
    )
}

REQUIRED_SECTIONS = ("Impact", "Timeline", "Contributing Factors", "Lessons Learned")
OPTIONAL_SECTIONS = (
    "Background",
    "Detection",
    "Response",
    "Recovery",
    "Action Items",
    "Open Questions",
    "Supporting Information",
)
LESSONS_SUBSECTIONS = ("What went well", "What went wrong", "Where we got lucky")
MIN_TIMELINE_ENTRIES = 3
