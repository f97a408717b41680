"""`incidents.schema.json`: the documented shape of `incidents.json`."""

from __future__ import annotations

from typing import Any

from ..core.schema import ACTION_STATUSES, DETECTIONS, STATUSES, VISIBILITIES
from .records import FORMAT, VERSION

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}
_SECONDS = {"type": ["number", "null"], "minimum": 0}
_STRINGS = {"type": "array", "items": _STR}
_DATETIME = {"type": "string", "format": "date-time"}
_DATETIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def incidents_schema(site_url: str | None = None) -> dict[str, Any]:
    incident = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": _STR,
            "title": _STR,
            "status": {"enum": list(STATUSES)},
            "visibility": {"enum": list(VISIBILITIES)},
            "severity": _STR,
            "severity_rank": {"type": "integer", "minimum": 0, "description": "0 for the worst configured severity."},
            "summary": _STR,
            "started_at": _DATETIME,
            "detected_at": _DATETIME_OR_NULL,
            "mitigated_at": _DATETIME_OR_NULL,
            "resolved_at": _DATETIME,
            "time_to_detect_seconds": _SECONDS,
            "time_to_mitigate_seconds": _SECONDS,
            "time_to_resolve_seconds": {"type": "number", "minimum": 0},
            "year": {"type": "integer"},
            "quarter": {"type": "string", "pattern": r"^\d{4}-Q[1-4]$"},
            "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
            "services": _STRINGS,
            "teams": _STRINGS,
            "authors": _STRINGS,
            "reviewers": _STRINGS,
            "tags": _STRINGS,
            "detection": {"enum": [*DETECTIONS, None]},
            "trigger": _STR_OR_NULL,
            "near_miss": {"type": "boolean"},
            "impact": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "users_affected": _INT_OR_NULL,
                    "error_budget_consumed_pct": {"type": ["number", "null"]},
                    "data_loss": {"type": ["boolean", "null"]},
                    "support_tickets": _INT_OR_NULL,
                    "revenue": _STR_OR_NULL,
                },
                "required": ["users_affected", "error_budget_consumed_pct", "data_loss", "support_tickets", "revenue"],
            },
            "categories": _STRINGS,
            "contributing_factors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"category": _STR, "category_title": _STR, "description": _STR},
                    "required": ["category", "category_title", "description"],
                },
            },
            "action_items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "title": _STR,
                        "owner": _STR,
                        "due": {"type": "string", "format": "date"},
                        "status": {"enum": list(ACTION_STATUSES)},
                        "type": _STR_OR_NULL,
                        "priority": _STR_OR_NULL,
                        "ticket": _STR_OR_NULL,
                        "factor": _STR_OR_NULL,
                    },
                    "required": ["title", "owner", "due", "status", "type", "priority", "ticket", "factor"],
                },
            },
            "related": _STRINGS,
            "custom": {"type": "object"},
            "url": _STR,
            "source": _STR,
        },
    }
    incident["required"] = list(incident["properties"])
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if site_url:
        schema["$id"] = (site_url if site_url.endswith("/") else site_url + "/") + "incidents.schema.json"
    schema.update(
        {
            "title": "postmortem-kb incidents export",
            "description": "Every postmortem this build publishes, oldest started_at first, then by id.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "format": {"const": FORMAT},
                "version": {"const": VERSION},
                "site_url": _STR_OR_NULL,
                "audience": {"enum": ["public", "internal"]},
                "count": {"type": "integer", "minimum": 0},
                "incidents": {"type": "array", "items": {"$ref": "#/$defs/incident"}},
            },
            "required": ["format", "version", "site_url", "audience", "count", "incidents"],
            "$defs": {"incident": incident},
        }
    )
    return schema
