"""Who a build is for, and which postmortems it may therefore publish.

A `public` build publishes `visibility: public`; an `internal` build publishes
`public` and `internal`; `restricted` needs `include_restricted`. Only
`status: published` appears unless `include_drafts` (the preview) is set.
"""

from __future__ import annotations

from .model import Postmortem
from .settings import Settings


def exclusion_reason(record: Postmortem, settings: Settings) -> str | None:
    """Why this build leaves `record` out, or None when it is published."""
    if record.status != "published" and not settings.include_drafts:
        return f"status {record.status} (set include_drafts to preview)"
    if record.visibility == "restricted" and not settings.include_restricted:
        return "visibility restricted (needs include_restricted)"
    if settings.audience == "public" and record.visibility != "public":
        return f"visibility {record.visibility} (this is a public build)"
    return None


def is_preview(record: Postmortem) -> bool:
    """Shown only because the build is a preview: carries a banner."""
    return record.status != "published"
