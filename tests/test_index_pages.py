"""Index pages, trends and action items (issue 3) in real sites built with
`mkdocs build --strict` in tmp_path: counts against an independent count of
the front matter, charts that parse, every internal link resolving."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from postmortem_kb.core.settings import DEFAULT_SEVERITIES, DEFAULT_TAXONOMY

from helpers_pm import front_matter, text

pytestmark = pytest.mark.integration

OPTIONS = {"reference_date": "2026-11-27"}
HOME = {"index.md": "# Home\n\n<!-- postmortems:overview -->\n"}
NAV = [
    {"Home": "index.md"},
    {"Postmortems": "postmortems/index.md"},
    {"Contributing factors": "categories/index.md"},
    {"Trends": "trends/index.md"},
    {"Action items": "action-items/index.md"},
]
SVG = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" class="pmkb-svg.*?</svg>', re.DOTALL)
HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


def corpus() -> dict[str, dict]:
    """Front matter by file: a year boundary, several severities, owners and statuses."""
    specs = [
        dict(id="PM-2024-001", started="2024-12-31T23:30:00-05:00", severity="SEV1",
             categories=("config-change", "observability-detection"), services=("checkout-api", "payments")),
        dict(id="PM-2025-001", started="2025-01-01T00:15:00+00:00", severity="SEV2",
             categories=("config-change",), services=("checkout-api",), teams=("payments-team",)),
        dict(id="PM-2026-001", started="2026-08-03T10:00:00+02:00", severity="SEV3",
             categories=("dependency", "config-change"), services=("search",), detect=None,
             items=[{"title": "Add a retry budget", "owner": "Search Team", "due": "2026-09-01", "status": "open", "factor": "dependency"},
                    {"title": "Document the fallback", "owner": "search team", "due": "2027-01-01", "status": "in-progress"}]),
        dict(id="PM-2026-002", started="2026-05-10T10:00:00Z", severity="SEV2",
             categories=("dependency",), services=("search", "checkout-api"),
             items=[{"title": "Pin the client library", "owner": "sre", "due": "2026-06-01", "status": "done", "factor": "dependency"},
                    {"title": "Drop the legacy path", "owner": "sre", "due": "2026-06-01", "status": "wont-do"}]),
    ]
    return {f"{s['id'][3:7]}/{s['id'].lower()}.md": s for s in specs}


def build_site(site_builder, specs: dict[str, dict], options: dict | None = None, **kwargs):
    files = {path: text(**spec) for path, spec in specs.items()}
    result = site_builder(files, {**OPTIONS, **(options or {})}, docs=kwargs.pop("docs", HOME), nav=kwargs.pop("nav", NAV), **kwargs)
    assert result.returncode == 0, result.output
    return result


def check_links(site: Path) -> int:
    """Every relative href and src of every page resolves to a file of the site."""
    checked = 0
    for page in site.rglob("*.html"):
        for raw in HREF.findall(page.read_text(encoding="utf-8")):
            url = html.unescape(raw)
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "data:")) or not parts.path:
                continue
            path = unquote(parts.path)
            # 404.html links from the site root (site_url is https://kb.example.com/).
            target = (site / path.lstrip("/") if path.startswith("/") else page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)}: broken link {url}"
            checked += 1
    return checked


def charts(page_html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in SVG.findall(page_html)]


def rects(svg: ET.Element, css: str) -> list[ET.Element]:
    return [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if css in (r.get("class") or "").split()]


def quarter(started: str) -> str:
    day = dt.datetime.fromisoformat(started).date()  # the date as written
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_index_pages_trends_and_action_items(site_builder):
    specs = corpus()
    result = build_site(site_builder, specs)
    site = result.site
    fms = [front_matter(**spec) for spec in specs.values()]

    # Categories: every category of the taxonomy, counted independently from the front matter.
    expected = Counter(c for fm in fms for c in {f["category"] for f in fm["contributing_factors"]})
    page = result.read("categories/index.html")
    rows = dict(re.findall(r'data-category="([^"]+)" data-count="(\d+)"', page))
    assert set(rows) == {c.slug for c in DEFAULT_TAXONOMY}
    assert {slug: int(n) for slug, n in rows.items()} == {c.slug: expected.get(c.slug, 0) for c in DEFAULT_TAXONOMY}
    assert "16.7%" not in page and "75.0%" in page  # config-change: 3 of 4 incidents
    trends = dict(re.findall(r'data-category="([^"]+)" data-count="\d+" data-trend="([a-z]+)"', page))
    # 2026-Q3 (PM-2026-001) against 2026-Q2 (PM-2026-002): config-change went from 0 to 1, too small to be a trend.
    assert trends["config-change"] == "slight" and trends["dependency"] == "steady" and trends["security"] == "none"
    for category in DEFAULT_TAXONOMY:
        assert (site / "categories" / category.slug / "index.html").is_file()
    dep = result.read("categories/dependency/index.html")
    assert "The dependency factor of PM-2026-001." in dep  # the "why" in this incident
    assert "Add a retry budget" in dep and "Pin the client library" in dep and "Document the fallback" not in dep
    assert dep.index("PM-2026-001") < dep.index("PM-2026-002")  # newest first

    # The year boundary: the New York incident counts in 2024 (date as written), the other in 2025.
    assert "PM-2024-001" in result.read("years/2024/index.html")
    assert "PM-2024-001" not in result.read("years/2025/index.html")

    # Trends: the stacked chart by category holds exactly the independent counts per quarter.
    trends_page = result.read("trends/index.html")
    svgs = charts(trends_page)
    assert len(svgs) >= 6 and all(svg.get("role") == "img" for svg in svgs)
    by_category = next(s for s in svgs if s.get("id") == "pmkb-all-all-cat")
    got = Counter()
    for bar in rects(by_category, "pmkb-bar"):
        got[(bar.get("data-period"), bar.get("data-series"))] += int(bar.get("data-value"))
    want = Counter((quarter(fm["started_at"]), c) for fm in fms for c in {f["category"] for f in fm["contributing_factors"]})
    assert got == want
    by_severity = next(s for s in svgs if s.get("id") == "pmkb-all-all-sev")
    assert sum(int(b.get("data-value")) for b in rects(by_severity, "pmkb-bar")) == len(fms)
    assert "2024-Q4" in trends_page and "2026-Q4*" in trends_page  # the running quarter is marked
    # Durations: the SEV2 median time to resolve (both took 108 minutes).
    assert "1 h 48 min" in trends_page
    # Views: every (range, severity floor), linked from each other.
    for view in ("1y/all", "3y/sev1", "all/sev2", "1y/sev3"):
        assert (site / "trends" / view / "index.html").is_file(), view
    sev1 = charts(result.read("trends/all/sev1/index.html"))
    sev1_bars = rects(next(s for s in sev1 if s.get("id") == "pmkb-all-sev1-sev"), "pmkb-bar")
    assert [(b.get("data-series"), b.get("data-value")) for b in sev1_bars] == [("SEV1", "1")]
    # Small multiples: a panel for each category with incidents in the view; the others are named once.
    used = {f["category"] for fm in fms for f in fm["contributing_factors"]}
    panels = {s.get("id") for s in svgs if s.get("id", "").startswith("pmkb-all-all-sm-")}
    assert panels == {f"pmkb-all-all-sm-{slug}" for slug in used}
    unused = [c.title for c in DEFAULT_TAXONOMY if c.slug not in used]
    assert unused and f"No incidents in this view: {html.escape(', '.join(unused))}." in trends_page

    # Action items: overdue first, owners merged across case, per-owner pages.
    items = result.read("action-items/index.html")
    assert items.index("Add a retry budget") < items.index("Document the fallback")
    assert "Pin the client library" not in items  # closed items have their own page
    assert "Pin the client library" in result.read("action-items/closed/index.html")
    owner = result.read("action-items/owners/search-team/index.html")
    assert "Add a retry budget" in owner and "Document the fallback" in owner

    # Home: the knowledge base at a glance.
    home = result.read("index.html")
    assert "Recent postmortems" in home and "Categories rising most" in home and "Overdue action items" in home
    assert "Checkout latency PM-2026-001" in home and "Add a retry budget" in home

    # Exports are written and match the published corpus.
    data = json.loads(result.read("incidents.json"))
    assert sorted(i["id"] for i in data["incidents"]) == sorted(fm["id"] for fm in fms)
    assert (site / "postmortem.schema.json").is_file() and (site / "feed.xml").is_file()

    # Every internal link of every page resolves, and every chart parses.
    assert check_links(site) > 100
    for page_path in site.rglob("*.html"):
        charts(page_path.read_text(encoding="utf-8"))


def test_a_corpus_spanning_decades_is_charted_by_year(site_builder):
    specs = {
        "1970/a.md": dict(id="PM-1970", started="1970-06-01T10:00:00Z", categories=("security",)),
        "1999/b.md": dict(id="PM-1999", started="1999-12-31T23:00:00Z", categories=("time-expiry",)),
        "2026/c.md": dict(id="PM-2026", started="2026-02-01T10:00:00Z", categories=("time-expiry",)),
    }
    result = build_site(site_builder, specs, {"trends_period": "month"})
    page = result.read("trends/index.html")
    svg = next(s for s in charts(page) if s.get("id") == "pmkb-all-all-cat")
    periods = {b.get("data-period") for b in rects(svg, "pmkb-bar")}
    assert periods == {"1970", "1999", "2026"}
    assert "by year" in page
    # The last-year view keeps months.
    recent = next(s for s in charts(result.read("trends/1y/all/index.html")) if s.get("id") == "pmkb-1y-all-cat")
    assert {b.get("data-period") for b in rects(recent, "pmkb-bar")} == {"2026-02"}
    assert "2026-11*" in result.read("trends/1y/all/index.html")
    cat = result.read("categories/time-expiry/index.html")
    assert len(rects(next(s for s in charts(cat) if "trend" in s.get("id")), "pmkb-bar")) == 2
    check_links(result.site)


def test_an_empty_knowledge_base_builds_every_page(site_builder):
    result = site_builder({}, OPTIONS, docs=HOME, nav=NAV)
    assert result.returncode == 0, result.output
    assert "No incidents in this view (all time, all severities)" in result.read("trends/index.html")
    categories = result.read("categories/index.html")
    assert len(re.findall(r'data-count="0"', categories)) == len(DEFAULT_TAXONOMY)
    assert json.loads(result.read("incidents.json"))["count"] == 0
    check_links(result.site)


def test_a_public_build_leaves_internal_postmortems_out_everywhere(site_builder):
    specs = {
        "2025/pub.md": dict(id="PM-PUBLIC", started="2025-03-01T10:00:00Z", visibility="public", related=["PM-SECRET"]),
        "2025/int.md": dict(id="PM-SECRET", started="2025-03-02T10:00:00Z", visibility="internal",
                            title="Secret incident title", services=("secret-service",),
                            items=[{"title": "Rotate the secret key", "owner": "secret-owner", "due": "2025-04-01", "status": "open"}]),
    }
    result = build_site(site_builder, specs, {"audience": "public"})
    for path in result.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".xml"):
            body = path.read_text(encoding="utf-8", errors="replace")
            for secret in ("PM-SECRET", "Secret incident title", "secret-service", "secret-owner", "Rotate the secret key"):
                assert secret not in body, f"{path.relative_to(result.site)} names {secret}"
    rows = dict(re.findall(r'data-category="([^"]+)" data-count="(\d+)"', result.read("categories/index.html")))
    assert rows["config-change"] == "1"


def test_severity_views_follow_configured_severities(site_builder):
    options = {"severities": [{"name": "Critical"}, {"name": "Major"}, {"name": "Minor"}]}
    specs = {"2026/a.md": dict(id="PM-A", started="2026-08-01T10:00:00Z", severity="Major")}
    result = build_site(site_builder, specs, options)
    assert (result.site / "trends" / "all" / "critical" / "index.html").is_file()
    assert (result.site / "trends" / "1y" / "major" / "index.html").is_file()
    assert not (result.site / "trends" / "all" / "minor").exists()  # the mildest floor is "all"
    assert "Major or worse" in result.read("trends/index.html")
    assert [s.name for s in DEFAULT_SEVERITIES] != ["Critical"]


# Pure page generation (no MkDocs) ----------------------------------------------

def _kb(records):
    from postmortem_kb.core.knowledge_base import KnowledgeBase
    from postmortem_kb.core.settings import Settings

    settings = Settings(reference_date=dt.date(2026, 11, 27))
    return KnowledgeBase(settings, [], [], sorted(records, key=lambda pm: pm.started_at, reverse=True))


def _renderer():
    from conftest import THEME_OVERRIDES
    from postmortem_kb.render.environment import Renderer

    return Renderer([THEME_OVERRIDES])


def test_generated_pages_escape_every_value_and_fill_their_blocks():
    from helpers_pm import item, record
    from postmortem_kb.pages import block_marker, fill_blocks
    from postmortem_kb.pages.home import overview_block
    from postmortem_kb.pages.registry import generate_pages

    hostile = '<script>alert(1)</script>"><img src=x>'
    pm = record("PM-X", "2026-08-01T10:00", services=("svc",), items=(item(title=hostile, owner=hostile, due="2026-01-01", factor="config-change"),))
    pm = type(pm)(**{**{f: getattr(pm, f) for f in pm.__dataclass_fields__}, "title": hostile, "summary": hostile})
    pages = generate_pages(_kb([pm]), _renderer(), type("O", (), {"trends_period": "quarter", "exports": True, "pagefind": False})())
    for page in pages:
        html = page.markdown + "".join(page.blocks)
        assert "<script>alert" not in html and "<img src=x" not in html, page.src_uri
        for index in range(len(page.blocks)):
            assert page.markdown.count(block_marker(index)) == 1
        filled = fill_blocks(page.markdown, page.blocks)
        assert block_marker(0)[:-2] not in filled  # no token left
    by_uri = {p.src_uri: p for p in pages}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(by_uri["action-items/index.md"].blocks)
    assert {"trends/index.md", "action-items/index.md", "categories/index.md"} <= {p.src_uri for p in pages if p.in_nav}
    home = overview_block(_kb([pm]), _renderer(), "")
    assert "&lt;script&gt;" in home and "<script>alert" not in home
    assert 'href="action-items/owners/' in home  # links from the site root for the home page


def test_fill_blocks_leaves_other_comments_and_unknown_markers():
    from postmortem_kb.pages import fill_blocks

    from postmortem_kb.pages import block_marker

    page = f"<p>a</p><p>{block_marker(0)}</p><!-- x -->{block_marker(5)}<li>{block_marker(0)} text</li>"
    assert fill_blocks(page, ("<b>B</b>",)) == "<p>a</p><b>B</b><!-- x --><li><b>B</b> text</li>"
    assert fill_blocks("plain", ()) == "plain"


def test_a_postmortem_cannot_forge_a_block_marker():
    """The tokens hold a part chosen at random when the process starts: text cannot name a block."""
    from postmortem_kb.pages import block_marker, fill_blocks

    forged = "<p>pmkb000000000000x0z</p><!--pmkb-block-0-->"
    assert block_marker(0) not in forged
    assert fill_blocks(forged, ("<script>x</script>",)) == forged


def test_a_nul_in_a_value_is_refused_before_it_reaches_index_rows(site_builder):
    from conftest import valid_text

    """Index rows are rendered once with a NUL placeholder for the way back to the
    root, so a value holding a NUL (YAML's "\\0") must never reach them: validation
    refuses it, with the line, like every other control character."""
    text = valid_text().replace("title: Checkout latency after a config push", 'title: "Checkout\\0latency"', 1)
    result = site_builder({"2024/a.md": text})
    assert result.returncode != 0
    assert "a.md:3: error: `title` contains an invisible control character (U+0000); remove it" in result.output


# What the pages say: figures that agree, names instead of slugs (UX review) ----

def _pages(records, settings=None):
    from postmortem_kb.pages.registry import generate_pages

    kb = _kb(records)
    if settings is not None:
        kb = type(kb)(settings, [], [], kb.published)
    options = type("O", (), {"trends_period": "quarter", "exports": True, "pagefind": False})()
    return {p.src_uri: p for p in generate_pages(kb, _renderer(), options)}


def _filled(page) -> str:
    from postmortem_kb.pages import fill_blocks

    return fill_blocks(page.markdown, page.blocks)


def test_action_item_sections_agree_with_the_status_figures():
    from helpers_pm import item, record

    pm = record("PM-A", "2026-08-01T10:00", items=(
        item("Late work", due="2026-01-01", status="in-progress"),
        item("Late ask", due="2026-02-01", status="open"),
        item("Next ask", due="2027-01-01", status="open"),
        item("Dropped", due="2026-01-01", status="wont-do"),
    ))
    page = _pages([pm])["action-items/index.md"]
    headings = [line for line in page.markdown.splitlines() if line.startswith("## ")]
    assert headings == ["## Overdue (2)", "## Open, not overdue (1)", "## In progress, not overdue (0)", "## Done and won't do"]
    html = _filled(page)
    # The figures count every item of a status and say how many of them are overdue.
    assert '<dt>In progress</dt><dd>1 <span class="pmkb-muted">1 overdue</span>' in html
    assert '<dt>Open</dt><dd>2 <span class="pmkb-muted">1 overdue</span>' in html
    assert "of 3 open or in progress" in html
    # The empty section says where its item went; statuses read as words.
    assert "The in-progress item is overdue: listed under Overdue." in html
    assert ">in progress</span>" in html and ">in-progress<" not in html
    assert "won&#39;t do" in _filled(_pages([pm])["action-items/closed/index.md"])


def test_trend_wording_names_the_counts_and_calls_no_single_incident_a_trend():
    from helpers_pm import record
    from postmortem_kb.pages.home import overview_block

    records = [
        record("PM-1", "2026-08-01T10:00", categories=("security",)),  # 2026-Q3: 0 -> 1
        record("PM-2", "2026-05-01T10:00", categories=("dependency",)),  # 2026-Q2: 1 -> 0
        record("PM-3", "2024-05-01T10:00", categories=("code-change",)),  # long ago: none in either
    ]
    html = _filled(_pages(records)["categories/index.md"])
    assert "no incidents" not in html and " vs " not in html
    assert "Trend, 2026-Q2 → 2026-Q3" in html
    row = lambda slug: html[html.index(f'data-category="{slug}"'):].split("</tr>", 1)[0]  # noqa: E731
    assert 'data-trend="slight"' in row("security") and "1 more (0 → 1)" in row("security")
    assert "1 fewer (1 → 0)" in row("dependency") and "falling" not in row("dependency")
    assert "none in either quarter" in row("code-change") and "pmkb-trend--" not in row("code-change")
    intro = _filled(_pages(records)["categories/security/index.md"])
    assert "Trend, 2026-Q2 → 2026-Q3" in intro and "1 more (0 → 1)" in intro
    home = overview_block(_kb(records), _renderer(), "")
    assert "No category rose by 2 or more incidents." in home


def test_an_empty_trend_view_shows_one_message_and_names_the_severity():
    from helpers_pm import record

    pages = _pages([record("PM-1", "2026-08-01T10:00", severity="SEV2")])
    empty = pages["trends/1y/sev1/index.md"]
    assert empty.title == "Trends: last 4 quarters, SEV1 only"
    html = _filled(empty)
    assert "<svg" not in html and "pmkb-legend" not in html and "## " not in empty.markdown
    assert html.count("No incidents in this view (last 4 quarters, SEV1 only), so there is nothing to chart.") == 1
    assert "0 incidents from 2026-Q1 to 2026-Q4 (* 2026-Q4 so far), SEV1 only." in html
    # Only views with incidents are offered: all time at SEV1 is empty too.
    assert "trends/all/sev1/" not in html.split("Views with incidents:", 1)[1]
    assert 'href="../../../trends/1y/all/">last 4 quarters, all severities</a>' in html
    # A view whose near views are all empty offers all time, every severity.
    far = _filled(_pages([record("PM-1", "2020-08-01T10:00", severity="SEV2")])["trends/1y/sev1/index.md"])
    assert 'Views with incidents: <a href="../../../trends/">all time, all severities</a>.' in far
    # A view with incidents keeps its charts.
    full = pages["trends/1y/sev2/index.md"]
    assert full.title == "Trends: last 4 quarters, SEV2 or worse"
    assert "<svg" in _filled(full) and "nothing to chart" not in _filled(full)


def test_lesson_headings_are_markdown_for_the_table_of_contents():
    import dataclasses

    from helpers_pm import record
    from postmortem_kb.core.model import Section
    from postmortem_kb.core.settings import Category, Settings
    from postmortem_kb.pages.lessons import lessons_page

    sections = (
        Section("Lessons Learned", 2, 10, "### What went wrong\n\nNothing alerted.\n"),
        Section("What went wrong", 3, 11, "Nothing alerted."),
    )
    pm = dataclasses.replace(record("PM-1", "2026-08-01T10:00", categories=("x", "y")), sections=sections)
    settings = Settings(
        taxonomy=(Category("x", "Ex <b>*bold*</b> & co", "About x."), Category("y", "Why", "About y."), Category("z", "Zed", "")),
        reference_date=dt.date(2026, 11, 27),
    )
    kb = type(_kb([]))(settings, [], [], [pm])
    page = lessons_page(kb, _renderer())
    headings = [line for line in page.markdown.splitlines() if line.startswith("#")]
    # Markdown headings (escaped, anchored at the slug); "Zed" has no lessons, so no heading.
    assert headings == ["# Lessons learned", r"## Ex &lt;b&gt;\*bold\*&lt;/b&gt; &amp; co {#x}", "## Why {#y}"]
    html = "".join(page.blocks)
    assert "<h2" not in html and "Nothing alerted." in html
    assert html.count("data-search-exclude data-pagefind-ignore") == 1  # the repeat under "Why"


def test_postmortem_pages_and_the_lessons_toc_show_names_not_slugs(site_builder):
    specs = {
        "2025/a.md": dict(
            id="PM-2025-001", started="2025-07-17T10:00:00Z", categories=("observability-detection", "time-expiry"),
            services=("checkout-api",),
            items=[{"title": "Serve certificates through SDS", "owner": "Mei Lin", "due": "2026-03-31", "status": "in-progress", "factor": "time-expiry"},
                   {"title": "Alert on expiry", "owner": "platform", "due": "2025-08-15", "status": "done", "factor": "observability-detection"},
                   {"title": "Longer lifetimes", "owner": "platform", "due": "2025-10-31", "status": "wont-do", "factor": "time-expiry"}]),
        "2026/b.md": dict(id="PM-2026-001", started="2026-01-12T10:00:00Z", categories=("time-expiry",), services=("search",)),
    }
    result = build_site(site_builder, specs)
    page = result.read("postmortems/2025/a/index.html")
    table = page[page.index('class="pmkb-action-items"'):].split("</table>", 1)[0]
    assert ">Observability and detection</a>" in table and ">Time and expiry</a>" in table
    assert ">observability-detection<" not in table and ">time-expiry<" not in table
    assert ">in progress</span>" in table and ">won&#39;t do</span>" in table and ">in-progress<" not in table
    # Every item counted by status, closed ones too; the overdue ones among the pending.
    assert ('<dt>Action items</dt><dd>3 (1 in progress, 2 done or won&#39;t do; '
            '<span class="pmkb-overdue">1 overdue</span>)</dd>') in page
    assert "similar: same factor: Time and expiry" in page and "same factor: time-expiry" not in page
    # The lessons page: its category headings reach Material's table of contents.
    lessons = result.read("lessons/index.html")
    toc = lessons[lessons.index('aria-label="Table of contents"'):]
    for slug, title in (("time-expiry", "Time and expiry"), ("observability-detection", "Observability and detection")):
        assert f'<h2 id="{slug}">{title}<a class="headerlink"' in lessons
        assert re.search(rf'href="#{slug}"[^>]*>\s*<span class="md-ellipsis">\s*{title}', toc), slug


@pytest.mark.parametrize(("statuses", "late", "expected"), [
    ((), 0, ((), 0)),
    (("open", "open", "in-progress", "in-progress", "done", "wont-do"), 3,
     (("2 open", "2 in progress", "2 done or won't do"), 3)),
    (("done",), 0, (("1 done or won't do",), 0)),
    (("open",), 1, (("1 open",), 1)),
])
def test_header_counts_every_action_item_by_status(statuses, late, expected):
    from types import SimpleNamespace

    from postmortem_kb.render.postmortem_page import item_counts
    from postmortem_kb.stats.actions import ItemRef, tally

    refs = [ItemRef(SimpleNamespace(status=s), None, i < late and s in ("open", "in-progress"), "o")
            for i, s in enumerate(statuses)]
    counts = item_counts(tally(refs))
    assert (counts.by_status, counts.overdue) == expected
