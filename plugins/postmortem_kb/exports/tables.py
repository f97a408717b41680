"""`incidents.csv` and `action-items.csv`: the same data as incidents.json, flat.

UTF-8, comma-separated, RFC 4180 quoting and CRLF line ends (what Python's
csv module writes). Lists are joined with "; ". A text cell that a
spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) gets a leading apostrophe, the usual defence against CSV injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
JOIN = "; "

INCIDENT_COLUMNS = (
    "id", "title", "status", "visibility", "severity", "severity_rank", "summary",
    "started_at", "detected_at", "mitigated_at", "resolved_at",
    "time_to_detect_seconds", "time_to_mitigate_seconds", "time_to_resolve_seconds",
    "year", "quarter", "month", "services", "teams", "tags", "categories",
    "detection", "trigger", "near_miss",
    "users_affected", "error_budget_consumed_pct", "data_loss", "support_tickets", "revenue",
    "action_items", "action_items_open", "related", "url", "source",
)

ACTION_ITEM_COLUMNS = (
    "postmortem_id", "postmortem_title", "severity", "started_at", "item", "title", "owner",
    "due", "status", "type", "priority", "factor", "ticket", "postmortem_url",
)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return cell(JOIN.join(str(v) for v in value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def incidents_csv(records: Sequence[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        impact = r["impact"]
        flat = {
            **r,
            **impact,
            "action_items": len(r["action_items"]),
            "action_items_open": sum(1 for a in r["action_items"] if a["status"] in ("open", "in-progress")),
        }
        rows.append([flat[c] for c in INCIDENT_COLUMNS])
    return _write(INCIDENT_COLUMNS, rows)


def action_items_csv(records: Sequence[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        for number, a in enumerate(r["action_items"], 1):
            rows.append([
                r["id"], r["title"], r["severity"], r["started_at"], number, a["title"], a["owner"],
                a["due"], a["status"], a["type"], a["priority"], a["factor"], a["ticket"], r["url"],
            ])
    return _write(ACTION_ITEM_COLUMNS, rows)
