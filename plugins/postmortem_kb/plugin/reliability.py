"""Failure behaviour of the plugin (issue 7), kept apart from the event handlers.

- A failed build never leaves a complete-looking site behind: MkDocs writes
  every page into `site_dir` and only then raises "Aborted with N warnings in
  strict mode", so `empty_site_dir` empties it (exactly what MkDocs' own
  clean step at the start of a build removes) on `on_build_error`. Not while
  serving (the server keeps its last site) and not for `--dirty` builds
  (which never cleaned, so emptying would remove more than this build wrote).
- A build with findings closes with one line that counts them
  (`closing_line`).
- While serving, a postmortem that had been valid and now has errors (it is
  being edited) keeps its last good version on the site; the errors are
  reported on every rebuild (`keep_last_good`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.audience import exclusion_reason
from ..core.findings import plural
from ..core.knowledge_base import KnowledgeBase
from ..core.model import Postmortem


def closing_line(kb: KnowledgeBase, *, failed: bool, kept: int = 0) -> str | None:
    """`postmortems: build failed: 3 errors, 1 warning in 2 files ...`, or None when clean.

    `kept`: invalid files served at their last valid version (`keep_last_good`)."""
    errors, warnings = len(kb.errors), len(kb.warnings)
    if not errors and not warnings:
        return None
    files = len({f.path for f in kb.findings})
    counts = f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"
    if failed:
        return (
            f"postmortems: build failed: {counts} (listed above); the site directory was emptied "
            "so that a failed build is never deployed"
        )
    left = kb.invalid - kept
    left_out = f"; {plural(left, 'invalid postmortem')} left out of the site" if left > 0 else ""
    served = f"; {plural(kept, 'invalid postmortem')} served at the last valid version" if kept else ""
    return f"postmortems: {counts} (listed above){left_out}{served}"


def keep_last_good(kb: KnowledgeBase, last_good: dict[str, Postmortem]) -> list[str]:
    """While serving: publish the last valid version of files that now have errors.

    Updates `last_good` with this build's valid records and returns the paths
    served from an earlier version.
    """
    valid = {r.path: r.record for r in kb.results if r.record is not None}
    kept: list[str] = []
    published_ids = {pm.id for pm in kb.published}
    for result in kb.results:
        if result.record is not None or result.path not in last_good:
            continue
        old = last_good[result.path]
        if old.id in published_ids or exclusion_reason(old, kb.settings) is not None:
            continue
        kb.published.append(old)
        published_ids.add(old.id)
        kept.append(result.path)
    present = {r.path for r in kb.results}
    for path in list(last_good):
        if path not in present:
            del last_good[path]  # deleted or renamed: gone from the site too
    last_good.update(valid)  # type: ignore[arg-type]
    if kept:
        kb.published.sort(key=lambda pm: (pm.started_at, pm.id), reverse=True)
    return kept


def empty_site_dir(site_dir: str) -> bool:
    """Remove everything in `site_dir` (not the folder itself); False when there is nothing."""
    from mkdocs import utils

    if not os.path.isdir(site_dir) or not any(Path(site_dir).iterdir()):
        return False
    utils.clean_directory(site_dir)
    return True
