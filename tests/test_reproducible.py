"""Reproducible builds: two builds of the same sources are byte-identical.

MkDocs takes the sitemap's `<lastmod>` dates and the gzip header time of
`sitemap.xml.gz` from SOURCE_DATE_EPOCH when it is set; the knowledge base
takes its "overdue" reference date from the `reference_date` option, else
from SOURCE_DATE_EPOCH, else today (docs/guides/security-and-reliability.md).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from pathlib import Path

import pytest

from conftest import build, make_project, valid_text
from test_leaks import corpus as leak_corpus

from postmortem_kb.core.settings import default_reference_date

pytestmark = pytest.mark.integration

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def project(root: Path, options: dict | None = None) -> Path:
    postmortems = {**leak_corpus(), "2024/2024-03-14-checkout.md": valid_text().replace("PM-2024-001", "PM-REPRO-1")}
    return make_project(root, postmortems, {"include_drafts": True, **(options or {})})


def test_two_builds_are_byte_identical(tmp_path):
    root = project(tmp_path / "kb")
    first = build(root, "-d", str(tmp_path / "one"), env={"SOURCE_DATE_EPOCH": EPOCH})
    second = build(root, "-d", str(tmp_path / "two"), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert first.returncode == 0 and second.returncode == 0, first.output + second.output
    a, b = digests(tmp_path / "one"), digests(tmp_path / "two")
    assert len(a) > 30
    assert a.keys() == b.keys()
    different = sorted(rel for rel in a if a[rel] != b[rel])
    assert not different, f"files differ between two builds: {different}"
    # The dates come from SOURCE_DATE_EPOCH, not from the clock.
    sitemap = (tmp_path / "one" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2026-01-01</lastmod>" in sitemap
    with gzip.open(tmp_path / "one" / "sitemap.xml.gz") as handle:
        assert handle.read().decode("utf-8") == sitemap
    header = (tmp_path / "one" / "sitemap.xml.gz").read_bytes()[4:8]
    assert int.from_bytes(header, "little") == int(EPOCH)


def test_a_second_copy_of_the_project_builds_the_same_site(tmp_path):
    """The checkout folder's path does not end up in the output."""
    one = project(tmp_path / "checkout-a")
    two = project(tmp_path / "elsewhere" / "checkout-b")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert build(one, env=env).returncode == 0
    assert build(two, env=env).returncode == 0
    a, b = digests(one / "site"), digests(two / "site")
    assert a == b, sorted(rel for rel in a if a.get(rel) != b.get(rel))


def test_overdue_follows_the_reference_date(tmp_path):
    root_old = project(tmp_path / "old", {"reference_date": "2024-01-01"})
    root_new = project(tmp_path / "new", {"reference_date": "2030-01-01"})
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert build(root_old, env=env).returncode == 0
    assert build(root_new, env=env).returncode == 0
    page = "postmortems/2024/2024-03-14-checkout/index.html"
    assert "pmkb-ai--overdue" not in (root_old / "site" / page).read_text(encoding="utf-8")
    assert "pmkb-ai--overdue" in (root_new / "site" / page).read_text(encoding="utf-8")


def test_reference_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert default_reference_date() == dt.date(2026, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert default_reference_date() == dt.datetime.now(dt.timezone.utc).date()
