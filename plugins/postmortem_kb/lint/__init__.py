"""Blameless-language, secrets and personal-data rules (data, not code paths).

`lint_document` is called by the core validation path for every file; the
rules themselves live in `rules.py`.
"""

from __future__ import annotations

from typing import Any

from ..core.findings import Reporter
from ..core.settings import Settings


def lint_document(path: str, doc: Any, root: Any, offset: int, settings: Settings, report: Reporter) -> None:
    """Placeholder hook until the linter lands: no rules yet."""
    return None
