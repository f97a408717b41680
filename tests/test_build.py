"""Integration: real `mkdocs build --strict` runs of fixture sites and of the sample."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build, make_project, valid_text

pytestmark = pytest.mark.integration


def all_text(site: Path) -> str:
    chunks = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".csv", ".svg", ".txt", ".js"}:
            chunks.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(chunks)


def test_postmortem_page(site_builder):
    result = site_builder({"2024/2024-03-14-checkout.md": valid_text()}, {"reference_date": "2026-11-27"},
                          extra_config={"repo_url": "https://github.com/acme/kb", "edit_uri": "edit/main/docs/"})
    assert result.returncode == 0, result.output
    html = result.read("postmortems/2024/2024-03-14-checkout/index.html")
    # Header: title, severity, status, dates, durations, people.
    assert '<h1 class="pmkb-header__title">Checkout latency after a config push</h1>' in html
    assert ">SEV2</a>" in html and "2024-03-14 09:12 UTC" in html
    assert "<dt>Time to detect</dt><dd>7 min</dd>" in html
    assert "<dt>Time to resolve</dt><dd>1 h 48 min</dd>" in html
    assert "Priya Raman" in html and "Amara Osei" in html
    # Factor chips link to their category pages, which exist.
    chips = re.findall(r'<a class="pmkb-chip pmkb-chip--([a-z-]+)" href="([^"]+)"', html)
    assert ("config-change", "../../../categories/config-change/") in chips
    page_dir = result.site / "postmortems/2024/2024-03-14-checkout"
    for _, href in chips:
        assert (page_dir / href / "index.html").resolve().is_file()
    # Timeline kinds are marked; the list carries the timeline class.
    assert '<ul class="pmkb-timeline">' in html
    assert html.count('class="pmkb-kind pmkb-kind--') == 5
    assert '<span class="pmkb-kind pmkb-kind--decision">decision</span>' in html
    # Action items: overdue highlighted, ticket linked.
    assert "pmkb-ai--overdue" in html and 'href="https://tracker.example.com/SRE-1"' in html
    # The ticket shows its last segment (the whole URL in its title), as on the action-items page.
    assert 'title="https://tracker.example.com/SRE-1">SRE-1</a>' in html
    # Edit link to the source file in the repository.
    assert 'href="https://github.com/acme/kb/edit/main/postmortems/2024/2024-03-14-checkout.md"' in html
    # Not listed in the navigation.
    nav = html.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "2024-03-14-checkout" not in nav
    # The listing shows it with its summary.
    listing = result.read("postmortems/index.html")
    assert "Checkout latency after a config push" in listing and "12% of checkouts timed out" in listing


def test_timeline_written_in_other_ways_is_marked_where_it_is(site_builder):
    """An introduction before the timeline's list, "UTC" after a bold time, a kind in a
    table's next cell: the timeline's own list or table gets the class, each kind shows
    once, as a marker. A file name with a space and `#` gives links MkDocs can serve."""
    old_list = (
        "- 09:05 [action] The config push rolls out to all regions.\n"
        "- 09:12 [observation] p99 latency on checkout-api rises from 180 ms to 2.4 s.\n"
        "- 09:19 [detection] The checkout latency alert pages the on-call engineer.\n"
        "- 09:26 [decision] Roll back the 09:05 config push rather than scale out.\n"
        "- 09:31 [mitigation] Rollback completes; latency returns to baseline.\n"
    )
    assert old_list in valid_text()
    listed = valid_text().replace(old_list, (
        "All times UTC.\n\n"
        "- **09:05** UTC — [action] The config push rolls out to all regions.\n"
        "- `09:12` UTC: [observation] p99 latency rises.\n"
        "- 09:19 [detection] The alert pages the on-call engineer.\n"
        "- 09:31 [mitigation] Rollback completes.\n"
    )) + "\n## Open Questions\n\n- Why was the template shared?\n"
    tabled = valid_text().replace("PM-2024-001", "PM-2024-002").replace(old_list, (
        "| Time | What |\n|---|---|\n| 09:05 | [action] Push. |\n| 09:12 | [observation] Slow. |\n"
        "| 09:31 | [mitigation] Rolled back. |\n"
    ))
    result = site_builder({"2024/list.md": listed, "2024/a table #2.md": tabled, "2024/100%.md": tabled.replace("PM-2024-002", "PM-2024-003")},
                          extra_config={"repo_url": "https://github.com/acme/kb", "edit_uri": "edit/main/docs/"})
    assert result.returncode == 0, result.output
    html = result.read("postmortems/2024/list/index.html")
    timeline, questions = html.split('<h2 id="timeline"', 1)[1].split('<h2 id="open-questions"', 1)
    assert "<p>All times UTC.</p>" in timeline and '<ul class="pmkb-timeline">' in timeline
    assert "pmkb-timeline" not in questions
    assert [k for k in re.findall(r"pmkb-kind--([a-z]+)", timeline)] == ["action", "observation", "detection", "mitigation"]
    assert "[action]" not in timeline and "[observation]" not in timeline
    page = result.site / "postmortems/2024/a table #2/index.html"
    table = page.read_text(encoding="utf-8").split('<h2 id="timeline"', 1)[1].split("<h2", 1)[0]
    assert '<table class="pmkb-timeline">' in table
    assert table.count("pmkb-kind--observation") == 1 and "[observation]" not in table
    assert "Slow." in table
    # Links to it are quoted as MkDocs quotes the page's own URL.
    listing = result.read("postmortems/index.html")
    assert 'href="../postmortems/2024/a%20table%20%232/"' in listing and "a table #2/" not in listing
    assert '"url": "https://kb.example.com/postmortems/2024/a%20table%20%232/"' in result.read("incidents.json")
    # So are the edit links to the sources (MkDocs would cut `a table #2.md` at the `#`).
    assert 'href="https://github.com/acme/kb/edit/main/postmortems/2024/a%20table%20%232.md"' in page.read_text(encoding="utf-8")
    assert 'href="https://github.com/acme/kb/edit/main/postmortems/2024/100%25.md"' in result.read("postmortems/2024/100%/index.html")



def test_edit_links_of_postmortems_with_an_edit_uri_template(site_builder):
    """`edit_uri` and templates point at docs_dir, as MkDocs expects: postmortems are `../postmortems/`
    from there. `{path}` gets the path quoted once; `{path!q}` quotes it itself (never twice)."""
    text = valid_text()
    result = site_builder({"2024/a #2.md": text}, extra_config={
        "repo_url": "https://github.com/acme/kb", "edit_uri_template": "blob/main/docs/{path}"})
    assert result.returncode == 0, result.output
    html = (result.site / "postmortems/2024/a #2/index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/acme/kb/blob/main/postmortems/2024/a%20%232.md"' in html
    result = site_builder({"2024/a #2.md": text}, extra_config={
        "repo_url": "https://dev.azure.com/acme/kb", "edit_uri_template": "?path=/docs/{path!q}&version=GBmain"})
    html = (result.site / "postmortems/2024/a #2/index.html").read_text(encoding="utf-8")
    assert 'href="https://dev.azure.com/acme/kb?path=/docs/..%2Fpostmortems%2F2024%2Fa%20%232.md&version=GBmain"' in html


def test_edit_links_of_authored_pages_and_postmortems_agree(site_builder):
    """One `edit_uri` (MkDocs' default form, the docs folder) serves both kinds of page."""
    result = site_builder({"2024/a.md": valid_text()},
                          extra_config={"repo_url": "https://github.com/acme/kb", "edit_uri": "edit/main/docs/"})
    assert 'href="https://github.com/acme/kb/edit/main/docs/index.md"' in result.read("index.html")
    assert 'href="https://github.com/acme/kb/edit/main/postmortems/2024/a.md"' in result.read("postmortems/2024/a/index.html")


def test_strict_build_fails_and_reports_every_error(site_builder):
    bad1 = valid_text().replace("PM-2024-001", "PM-2024-002").replace("severity: SEV2", "severity: SEV9")
    bad2 = valid_text().replace("PM-2024-001", "PM-2024-003").replace("- 09:26", "- 09:01")
    result = site_builder({"a.md": valid_text(), "b.md": bad1, "c.md": bad2})
    assert result.returncode != 0
    assert "postmortems/b.md:6: error: `severity: SEV9` is not allowed" in result.output
    assert "postmortems/c.md:57: error: timeline entry `09:01`" in result.output
    assert "1 published, 0 left out, 2 invalid" in result.output
    assert "Traceback" not in result.output


def test_non_strict_build_leaves_invalid_out(tmp_path):
    bad = valid_text().replace("PM-2024-001", "PM-BAD").replace("severity: SEV2", "severity: SEV9")
    root = make_project(tmp_path, {"a.md": valid_text(), "bad.md": bad})
    import os, subprocess, sys
    proc = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0
    assert "PM-BAD" not in all_text(root / "site")


def audience_corpus() -> dict[str, str]:
    base = valid_text()
    return {
        "public.md": base.replace("PM-2024-001", "CANARY-PUBLIC"),
        "internal.md": base.replace("PM-2024-001", "CANARY-INTERNAL").replace("visibility: public", "visibility: internal"),
        "restricted.md": base.replace("PM-2024-001", "CANARY-RESTRICTED").replace("visibility: public", "visibility: restricted"),
        "draft.md": base.replace("PM-2024-001", "CANARY-DRAFT").replace("status: published", "status: draft"),
    }


@pytest.mark.parametrize(
    "options,present,absent",
    [
        ({"audience": "public"}, {"CANARY-PUBLIC"}, {"CANARY-INTERNAL", "CANARY-RESTRICTED", "CANARY-DRAFT"}),
        ({"audience": "internal"}, {"CANARY-PUBLIC", "CANARY-INTERNAL"}, {"CANARY-RESTRICTED", "CANARY-DRAFT"}),
        ({"include_drafts": True}, {"CANARY-PUBLIC", "CANARY-INTERNAL", "CANARY-DRAFT"}, {"CANARY-RESTRICTED"}),
        ({"include_restricted": True}, {"CANARY-PUBLIC", "CANARY-INTERNAL", "CANARY-RESTRICTED"}, {"CANARY-DRAFT"}),
    ],
)
def test_excluded_postmortems_leave_no_trace(site_builder, options, present, absent):
    result = site_builder(audience_corpus(), options)
    assert result.returncode == 0, result.output
    text = all_text(result.site)
    for canary in present:
        assert canary in text
    for canary in absent:
        assert canary not in text, f"{canary} leaked"
    assert f"{len(present)} published, {4 - len(present)} left out" in result.output


def test_hidden_files_leave_no_trace_and_are_counted(site_builder):
    """A `.name` file or folder is left out, as MkDocs leaves hidden files out of docs_dir."""
    base = valid_text()
    result = site_builder({"a.md": base, ".b.md": base.replace("PM-2024-001", "CANARY-HIDDEN-1"),
                           ".drafts/c.md": base.replace("PM-2024-001", "CANARY-HIDDEN-2")})
    assert result.returncode == 0, result.output
    assert "CANARY-HIDDEN" not in all_text(result.site)
    assert not any(part.startswith(".") for path in result.site.rglob("*") for part in path.relative_to(result.site).parts)
    assert ("1 published, 2 left out - left out: 2 hidden (the name of the file or of a folder above it "
            "starts with a dot)") in result.output


def test_preview_banner(site_builder):
    result = site_builder(audience_corpus(), {"include_drafts": True})
    html = result.read("postmortems/draft/index.html")
    assert 'class="pmkb-banner pmkb-banner--draft"' in html and "not published" in html
    assert "pmkb-banner" not in result.read("postmortems/public/index.html")


def test_front_matter_is_escaped(site_builder):
    text = valid_text().replace(
        "title: Checkout latency after a config push", "title: '<script>alert(1)</script> \"><img src=x onerror=alert(2)>'"
    ).replace("owner: sre", "owner: '<b>sre</b>'").replace("services: [checkout-api", "services: [checkout-api")
    result = site_builder({"x.md": text})
    assert result.returncode == 0, result.output
    # Markup formats only: CSV and JSON exports hold the values as data.
    text_out = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(result.site.rglob("*")) if p.suffix in {".html", ".svg", ".xml"}
    )
    assert "<script>alert(1)" not in text_out
    assert "<img src=x" not in text_out
    assert "<b>sre</b>" not in text_out
    html = result.read("postmortems/x/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>PM-2024-001: &lt;script&gt;" in html


def test_offline_no_external_assets(site_builder):
    result = site_builder({"x.md": valid_text()})
    for path in result.site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert not re.search(r'<script[^>]+src="(https?:)?//', html), path
        assert not re.search(r'<link[^>]+rel="stylesheet"[^>]+href="(https?:)?//', html), path


def test_sample_knowledge_base_builds_strict(tmp_path):
    result = build(REPO, "-d", str(tmp_path / "site"))
    assert result.returncode == 0, result.output
    site = tmp_path / "site"
    pages = list((site / "postmortems").rglob("index.html"))
    assert len(pages) >= 25  # 24+ postmortems and the listing
    text = all_text(site)
    # Drafts, in-review and restricted postmortems of the sample stay out.
    import yaml
    for path in (REPO / "postmortems").rglob("*.md"):
        head = path.read_text(encoding="utf-8").split("---")[1]
        meta = yaml.safe_load(head) if path.parent.name != "_templates" else None
        if not meta:
            continue
        if meta["status"] != "published" or meta.get("visibility") == "restricted":
            assert meta["id"] not in text, f"{meta['id']} leaked into the default build"
            assert meta["title"] not in text
    # The nav stays small: no postmortem is listed in it.
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "postmortems/20" not in nav


def test_lessons_headings_are_anchored_without_attr_list_in_the_config(site_builder):
    """The plugin enables attr_list when the site has not: the lessons page's headings carry it."""
    result = site_builder({"2024/a.md": valid_text()}, extra_config={"markdown_extensions": ["tables"]})
    assert result.returncode == 0, result.output
    html = result.read("lessons/index.html")
    assert "{#" not in html and re.search(r'<h2 id="[a-z-]+"', html)


@pytest.mark.parametrize(("edit_uri", "warns"), [("edit/main/", True), ("edit/main/docs/", False), ("-/edit/main/docs", False),
                                                 ("https://git.example.com/kb/edit/main/docs/", False)])
def test_an_edit_uri_that_does_not_end_with_the_docs_folder_is_a_warning(site_builder, edit_uri, warns):
    """Every edit link would be wrong (a postmortem's would climb out of the branch): --strict fails."""
    result = site_builder({"2024/a.md": valid_text()}, extra_config={"repo_url": "https://github.com/acme/kb", "edit_uri": edit_uri})
    expected = f"edit_uri `{edit_uri}` does not end with the docs folder `docs/`"
    assert (expected in result.output) is warns, result.output
    assert (result.returncode != 0) is warns
