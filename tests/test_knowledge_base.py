"""Cross-file rules, discovery and the audience rules, on real folders."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from postmortem_kb.core.knowledge_base import HIDDEN_REASON, ParseCache, discover, is_postmortem_path, load_knowledge_base
from postmortem_kb.core.settings import Settings

from conftest import valid_text

SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def variant(pm_id: str, **changes: str) -> str:
    text = valid_text().replace("id: PM-2024-001", f"id: {pm_id}")
    for old, new in changes.items():
        text = text.replace(old.replace("_", " ") if False else old, new)
    return text


@pytest.mark.parametrize(
    "rel,expected",
    [
        ("postmortems/2024/a.md", True),
        ("postmortems/index.md", False),
        ("postmortems/2024/README.md", False),
        ("postmortems/_templates/postmortem.md", False),
        ("postmortems/2024/_drafts/a.md", False),
        ("postmortems/2024/notes.txt", False),
        ("postmortems/_a.md", True),
    ],
)
def test_which_files_are_postmortems(rel, expected):
    assert is_postmortem_path(rel) is expected


def test_duplicate_ids_across_folders_are_errors_in_both(tmp_path):
    write(tmp_path, "postmortems/2024/a.md", valid_text())
    write(tmp_path, "postmortems/2025/b.md", valid_text())
    kb = load_knowledge_base(tmp_path, SETTINGS)
    dupes = [f for f in kb.findings if f.code == "frontmatter.duplicate-id"]
    assert [(f.path, f.line) for f in dupes] == [("postmortems/2024/a.md", 2), ("postmortems/2025/b.md", 2)]
    assert "postmortems/2025/b.md:2" in dupes[0].message
    assert kb.published == []


def test_related_must_exist(tmp_path):
    write(tmp_path, "postmortems/a.md", valid_text().replace("related: []", "related: [PM-2099-404]"))
    kb = load_knowledge_base(tmp_path, SETTINGS)
    assert [(f.code, f.line) for f in kb.findings] == [("frontmatter.related-missing", 45)]
    assert "`PM-2099-404`" in kb.findings[0].message


def test_related_existing_is_fine(tmp_path):
    write(tmp_path, "postmortems/a.md", valid_text().replace("related: []", "related: [PM-2024-002]"))
    write(tmp_path, "postmortems/b.md", valid_text().replace("PM-2024-001", "PM-2024-002"))
    kb = load_knowledge_base(tmp_path, SETTINGS)
    assert kb.findings == []
    assert [pm.id for pm in kb.published] == ["PM-2024-002", "PM-2024-001"] or len(kb.published) == 2


def corpus(root: Path) -> None:
    base = valid_text()
    write(root, "postmortems/public.md", base.replace("PM-2024-001", "PUB-1"))
    write(root, "postmortems/internal.md", base.replace("PM-2024-001", "INT-1").replace("visibility: public", "visibility: internal"))
    write(root, "postmortems/restricted.md", base.replace("PM-2024-001", "RES-1").replace("visibility: public", "visibility: restricted"))
    write(root, "postmortems/draft.md", base.replace("PM-2024-001", "DRA-1").replace("status: published", "status: draft"))
    write(root, "postmortems/review.md", base.replace("PM-2024-001", "REV-1").replace("status: published", "status: in-review").replace("visibility: public", "visibility: internal"))
    write(root, "postmortems/broken.md", base.replace("PM-2024-001", "BRK-1").replace("severity: SEV2", "severity: SEV9"))


@pytest.mark.parametrize(
    "settings,published,excluded",
    [
        (Settings(audience="public"), {"PUB-1"}, 4),
        (Settings(audience="internal"), {"PUB-1", "INT-1"}, 3),
        (Settings(audience="internal", include_restricted=True), {"PUB-1", "INT-1", "RES-1"}, 2),
        (Settings(audience="internal", include_drafts=True), {"PUB-1", "INT-1", "DRA-1", "REV-1"}, 1),
        (Settings(audience="public", include_drafts=True), {"PUB-1", "DRA-1"}, 3),
    ],
)
def test_audience_rules(tmp_path, settings, published, excluded):
    corpus(tmp_path)
    kb = load_knowledge_base(tmp_path, settings)
    assert {pm.id for pm in kb.published} == published
    assert sum(kb.excluded.values()) == excluded
    assert kb.invalid == 1  # the broken one is reported, never published


def test_symlinks_are_reported_not_followed(tmp_path):
    write(tmp_path, "postmortems/a.md", valid_text())
    secret = write(tmp_path, "outside/secret.md", valid_text().replace("PM-2024-001", "SECRET-1"))
    os.symlink(secret, tmp_path / "postmortems" / "link.md")
    os.symlink(tmp_path / "postmortems", tmp_path / "postmortems" / "loop")
    started = time.perf_counter()
    kb = load_knowledge_base(tmp_path, SETTINGS)
    assert time.perf_counter() - started < 2
    codes = sorted((f.path, f.code) for f in kb.findings)
    assert codes == [("postmortems/link.md", "file.symlink"), ("postmortems/loop", "file.symlink")]
    assert [pm.id for pm in kb.published] == ["PM-2024-001"]


def test_hidden_files_and_folders_are_counted_not_published(tmp_path):
    """Like MkDocs' `exclude_docs` default: a `.name` file or folder is left out, and counted."""
    write(tmp_path, "postmortems/2024/a.md", valid_text())
    write(tmp_path, "postmortems/2024/.a.md", valid_text().replace("PM-2024-001", "PM-HIDDEN-1"))
    write(tmp_path, "postmortems/.drafts/2024/b.md", valid_text().replace("PM-2024-001", "PM-HIDDEN-2"))
    os.symlink("nowhere", tmp_path / "postmortems" / "2024" / ".#a.md")  # an Emacs lock file
    write(tmp_path, "postmortems/.drafts/notes.txt", "not Markdown: not counted")
    found = discover(tmp_path, "postmortems")
    assert found.files == ("postmortems/2024/a.md",)
    assert found.findings == ()
    assert found.hidden == ("postmortems/.drafts/2024/b.md", "postmortems/2024/.#a.md", "postmortems/2024/.a.md")
    kb = load_knowledge_base(tmp_path, SETTINGS)
    assert [pm.id for pm in kb.published] == ["PM-2024-001"]
    assert kb.findings == []
    assert dict(kb.excluded) == {HIDDEN_REASON: 3}
    assert not is_postmortem_path("postmortems/.drafts/b.md") and not is_postmortem_path(".a.md")


def test_cache_reuses_unchanged_files(tmp_path):
    path = write(tmp_path, "postmortems/a.md", valid_text())
    write(tmp_path, "postmortems/b.md", valid_text().replace("PM-2024-001", "PM-2024-002"))
    cache = ParseCache()
    load_knowledge_base(tmp_path, SETTINGS, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
    load_knowledge_base(tmp_path, SETTINGS, cache=cache)
    assert (cache.hits, cache.misses) == (2, 2)
    path.write_text(valid_text().replace("SEV2", "SEV3"), encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    kb = load_knowledge_base(tmp_path, SETTINGS, cache=cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert {pm.severity for pm in kb.published} == {"SEV2", "SEV3"}


def test_discover_sorted_and_skips_pages(tmp_path):
    for rel in ("postmortems/b/2.md", "postmortems/a/1.md", "postmortems/index.md", "postmortems/_templates/t.md"):
        write(tmp_path, rel, "x")
    assert discover(tmp_path, "postmortems").files == ("postmortems/a/1.md", "postmortems/b/2.md")
