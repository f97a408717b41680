"""Small knowledge bases in tmp_path for the CLI and lint tests (not a test module)."""

from __future__ import annotations

from pathlib import Path

MKDOCS_YML = """\
site_name: Test knowledge base
plugins:
  - postmortems:
      reference_date: "2026-01-31"
{extra}"""

BODY = """
## Impact

About 4,200 customers could not complete checkout for 19 minutes.

## Timeline

- 09:05 [action] The config push rolls out to all regions.
- 09:12 [observation] p99 latency on checkout-api rises from 180 ms to 2.4 s.
- 09:19 [detection] The checkout latency alert pages the on-call engineer.
- 09:26 [decision] Roll back the 09:05 config push rather than scale out.
- 09:31 [mitigation] Rollback completes; latency returns to baseline.

## Contributing Factors

The template change applied to every service at once.

## Lessons Learned

### What went well

The rollback took five minutes.

### What went wrong

Nothing alerted on the pool.

### Where we got lucky

It happened on a quiet morning.
{extra}"""


def postmortem(
    pm_id: str = "PM-2024-001",
    *,
    title: str = "Checkout latency after a config push",
    status: str = "published",
    visibility: str = "internal",
    severity: str = "SEV2",
    related: str = "[]",
    summary: str = "For 19 minutes, 12% of checkouts timed out after a connection-pool setting was lowered.",
    action_title: str = "Add an alert on connection-pool saturation above 80% for 5 minutes",
    due: str = "2024-04-30",
    action_status: str = "done",
    category: str = "config-change",
    body_extra: str = "",
) -> str:
    """A valid postmortem (with the defaults), as text."""
    return f"""---
id: {pm_id}
title: {title}
status: {status}
visibility: {visibility}
severity: {severity}
summary: {summary}
started_at: 2024-03-14T09:12:00Z
detected_at: 2024-03-14T09:19:00Z
mitigated_at: 2024-03-14T09:31:00Z
resolved_at: 2024-03-14T11:00:00Z
services: [checkout-api]
teams: [checkout]
authors: [Priya Raman]
reviewers: [Amara Osei]
contributing_factors:
  - category: {category}
    description: The pool size was lowered from 50 to 5 by a shared config template.
action_items:
  - title: {action_title}
    owner: sre
    due: {due}
    status: {action_status}
related: {related}
---
{BODY.format(extra=body_extra)}"""


def make_project(root: Path, files: dict[str, str], mkdocs_extra: str = "") -> Path:
    """Write mkdocs.yml and `files` (paths relative to `root`); returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(extra=mkdocs_extra), encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
