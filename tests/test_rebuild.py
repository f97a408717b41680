"""Rebuilds while serving (issue 6): work reused from the previous build never
changes the output.

Each test builds in process with the plugin in `serve` mode (one plugin
instance across builds, as `mkdocs serve` keeps it), edits postmortems, and
compares the rebuilt site with a fresh `mkdocs build` of the edited project.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import build, make_project, valid_text
from test_reproducible import EPOCH, digests

pytestmark = pytest.mark.integration

OTHER = valid_text().replace("PM-2024-001", "PM-2024-002").replace(
    "Checkout latency after a config push", "Search outage after an index rebuild"
)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A project (with its own copy of the theme overrides) and a function that
    rebuilds it the way `mkdocs serve` does."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from conftest import THEME_OVERRIDES

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    theme = tmp_path / "theme"
    shutil.copytree(THEME_OVERRIDES, theme)
    root = make_project(
        tmp_path / "kb", {"2024/a.md": valid_text(), "2024/b.md": OTHER},
        extra_config={"theme": {"name": "material", "custom_dir": str(theme), "font": False}},
    )
    site = tmp_path / "served"
    monkeypatch.chdir(root)
    state: dict = {}

    def rebuild(dirty: bool = False):
        if "config" not in state or state["dirty"] != dirty:
            state["config"] = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
            state["config"].plugins.on_startup(command="serve", dirty=dirty)
            state["dirty"] = dirty
        mkdocs_build(state["config"], dirty=dirty)
        return state["config"].plugins["postmortems"]

    return root, site, rebuild


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    # A later modification time than the page built from it, even on coarse clocks.
    time.sleep(0.02)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stamp = time.time() + 2
    os.utime(path, (stamp, stamp))


def fresh(root: Path, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    result = build(root, "-d", str(out), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.output
    return digests(out)


def assert_same_site(site: Path, expected: dict[str, str]) -> None:
    got = digests(site)
    assert got.keys() == expected.keys()
    assert sorted(rel for rel in got if got[rel] != expected[rel]) == []


def test_a_body_edit_reuses_the_generated_pages_and_gives_the_fresh_build(served, tmp_path):
    root, site, rebuild = served
    plugin = rebuild()
    first_pages = dict(plugin.generated)
    assert plugin.memo.reused is False

    edit(root / "postmortems/2024/a.md", "## Timeline", "A sentence added while writing.\n\n## Timeline")
    plugin = rebuild()
    assert plugin.memo.reused is True
    # The index pages are the very same objects: nothing was generated again.
    assert all(plugin.generated[src] is page for src, page in first_pages.items())
    assert "A sentence added while writing." in (site / "postmortems/2024/a/index.html").read_text(encoding="utf-8")
    assert_same_site(site, fresh(root, tmp_path))


def test_a_lessons_edit_regenerates_the_lessons_page_only(served, tmp_path):
    root, site, rebuild = served
    plugin = rebuild()
    first_pages = dict(plugin.generated)

    edit(root / "postmortems/2024/b.md", "Nothing alerted on the pool.", "Nothing alerted on the search index.")
    plugin = rebuild()
    assert plugin.memo.reused is True
    changed = sorted(src for src, page in plugin.generated.items() if first_pages.get(src) is not page)
    assert changed == ["lessons/index.md"]
    assert "Nothing alerted on the search index." in (site / "lessons/index.html").read_text(encoding="utf-8")
    assert_same_site(site, fresh(root, tmp_path))


def test_a_front_matter_edit_regenerates_everything(served, tmp_path):
    root, site, rebuild = served
    rebuild()
    edit(root / "postmortems/2024/b.md", "Search outage after an index rebuild", "Search outage, retitled")
    plugin = rebuild()
    assert plugin.memo.reused is False
    assert "Search outage, retitled" in (site / "postmortems/index.html").read_text(encoding="utf-8")
    assert "Search outage, retitled" in (site / "incidents.json").read_text(encoding="utf-8")
    # The other postmortem's "related"/"similar" links carry the new title too.
    assert_same_site(site, fresh(root, tmp_path))


def test_dirty_rebuild_skips_unchanged_generated_pages(served, tmp_path):
    root, site, rebuild = served
    rebuild(dirty=True)
    listing = site / "postmortems/index.html"
    categories = site / "categories/index.html"
    before = {p: p.stat().st_mtime_ns for p in (listing, categories)}

    time.sleep(0.02)
    edit(root / "postmortems/2024/a.md", "## Timeline", "Dirty edit.\n\n## Timeline")
    rebuild(dirty=True)
    assert "Dirty edit." in (site / "postmortems/2024/a/index.html").read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in before} == before  # not written again

    edit(root / "postmortems/2024/a.md", "Checkout latency after a config push", "Checkout latency, retitled")
    rebuild(dirty=True)
    assert "Checkout latency, retitled" in listing.read_text(encoding="utf-8")


def test_an_edited_template_shows_on_the_next_rebuild(served, tmp_path):
    root, site, rebuild = served
    rebuild()
    row = tmp_path / "theme" / "partials" / "postmortem" / "kb-incident-row.html"
    row.write_text(row.read_text(encoding="utf-8") + "<!-- edited row template -->", encoding="utf-8")
    plugin = rebuild()
    assert plugin.memo.reused is False
    assert "edited row template" in (site / "postmortems/index.html").read_text(encoding="utf-8")


def test_a_failed_rebuild_leaves_nothing_to_reuse(served, tmp_path):

    root, site, rebuild = served
    plugin = rebuild()
    header = tmp_path / "theme" / "partials" / "postmortem" / "kb-incidents.html"
    good = header.read_text(encoding="utf-8")
    header.write_text("{% if %}", encoding="utf-8")  # a template syntax error
    with pytest.raises(Exception):
        rebuild()
    assert plugin.memo.key is None and plugin.generated == {}
    header.write_text(good, encoding="utf-8")
    plugin = rebuild()
    assert plugin.memo.reused is False
    assert_same_site(site, fresh(root, tmp_path))


def test_dirty_rebuilds_keep_one_copy_of_each_search_entry(served, tmp_path):
    """Material's dirty-reload merge drops the old entries of one page only; an edit here
    renders more (the edited postmortem and the generated pages it changes), and their
    old entries stayed beside the new ones, one more copy at each rebuild."""
    import json
    from collections import Counter

    root, site, rebuild = served
    rebuild(dirty=True)
    index = site / "search" / "search_index.json"

    def locations() -> Counter:
        return Counter(entry["location"] for entry in json.loads(index.read_text(encoding="utf-8"))["docs"])

    first = locations()
    assert first and max(first.values()) == 1
    pm = root / "postmortems" / "2024" / "a.md"
    for title in ("Checkout latency after a pool change", "Checkout latency after a pool resize"):
        current = pm.read_text(encoding="utf-8").split("title: ", 1)[1].split("\n", 1)[0]
        edit(pm, f"title: {current}", f"title: {title}")
        rebuild(dirty=True)
        again = locations()
        assert max(again.values()) == 1, [loc for loc, n in again.items() if n > 1]
        assert set(again) == set(first)
        docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
        titles = [d["title"] for d in docs if d["location"] == "postmortems/2024/a/"]
        assert titles == [f"PM-2024-001: {title}"]


def test_a_deleted_postmortem_leaves_the_dirty_search_index(served, tmp_path):
    import json

    root, site, rebuild = served
    rebuild(dirty=True)
    index = site / "search" / "search_index.json"

    def pages() -> set[str]:
        return {entry["location"].split("#")[0] for entry in json.loads(index.read_text(encoding="utf-8"))["docs"]}

    assert {"", "postmortems/2024/b/"} <= pages()
    (root / "postmortems" / "2024" / "b.md").unlink()
    edit(root / "postmortems" / "2024" / "a.md", "Checkout latency after a config push", "Checkout latency, edited")
    rebuild(dirty=True)
    assert "postmortems/2024/b/" not in pages() and "" in pages() and "postmortems/2024/a/" in pages()


def test_pages_rendered_by_a_failed_build_do_not_leave_the_next_dirty_index(served, tmp_path):
    """A failed build never reaches the merge: the pages it rendered must not count as
    rendered by the next build, which skips them (their HTML is newer) and would drop them."""
    import json

    root, site, rebuild = served
    plugin = rebuild(dirty=True)
    index = site / "search" / "search_index.json"
    before = json.loads(index.read_text(encoding="utf-8"))["docs"]
    plugin._rendered_urls = {"", "postmortems/2024/b/"}  # what a build that failed after rendering them left
    plugin.on_build_error(error=RuntimeError("a plugin failed"))
    edit(root / "postmortems" / "2024" / "a.md", "Checkout latency after a config push", "Checkout latency, edited")
    rebuild(dirty=True)
    after = {entry["location"].split("#")[0] for entry in json.loads(index.read_text(encoding="utf-8"))["docs"]}
    assert {entry["location"].split("#")[0] for entry in before} == after
