"""Machine-readable exports written after the build.

- `incidents.json` (+ `incidents.schema.json`, its documented shape)
- `incidents.csv` and `action-items.csv`, for spreadsheets
- `postmortem.schema.json`, the front matter as a JSON Schema for editors
- `feed.xml`, an Atom feed of the published postmortems

Only `KnowledgeBase.published` is exported: the audience rules apply. Every
file is a pure function of the published data (and SOURCE_DATE_EPOCH for an
empty feed), so two builds of one commit write identical bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.knowledge_base import KnowledgeBase
from .feed import FEED_FILE, atom_feed
from .incidents_schema import incidents_schema
from .records import incidents_document
from .schema import front_matter_schema
from .tables import action_items_csv, incidents_csv

FILES = (
    "incidents.json",
    "incidents.schema.json",
    "incidents.csv",
    "action-items.csv",
    "postmortem.schema.json",
    FEED_FILE,
)


def to_json(data: Any) -> str:
    """Indented UTF-8 JSON. `<`, `>` and `&` are written as \\u escapes (as Go's
    encoder does): the same data for any parser, and never markup if a file is
    ever pasted into, or served as, HTML."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def render_exports(kb: KnowledgeBase, site_url: str | None) -> dict[str, bytes]:
    """Every export file's name and bytes (pure: nothing is written)."""
    site_url = site_url or None
    document = incidents_document(kb.published, kb.settings, site_url)
    records = document["incidents"]
    return {
        "incidents.json": to_json(document).encode("utf-8"),
        "incidents.schema.json": to_json(incidents_schema(site_url)).encode("utf-8"),
        "incidents.csv": incidents_csv(records).encode("utf-8"),
        "action-items.csv": action_items_csv(records).encode("utf-8"),
        "postmortem.schema.json": to_json(front_matter_schema(kb.settings, site_url)).encode("utf-8"),
        FEED_FILE: atom_feed(kb.published, kb.settings, site_url),
    }


def write_exports(
    kb: KnowledgeBase, site_dir: Path, options: Any, site_url: str | None, rendered: dict[str, bytes] | None = None
) -> list[str]:
    """Write the exports (`rendered`, or rendered now) into `site_dir`; returns the paths written (relative)."""
    site_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in (rendered if rendered is not None else render_exports(kb, site_url)).items():
        (site_dir / name).write_bytes(data)
        written.append(name)
    return written
