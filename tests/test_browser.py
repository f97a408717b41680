"""Browser tests: the sample site (and a hostile fixture site) in Debian's
chromium, driven by Playwright for Python, served on localhost.

The fixtures (the built sample, its server, the browser, `watched` pages that
fail the test on a request leaving localhost or a JavaScript error) are in
conftest.py, shared with test_browser_layout.py. Run `make test` (it installs chromium from apt when missing) or
`pytest -m browser`.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest

from conftest import CHROMIUM, Server, build, make_project, valid_text

pytestmark = [pytest.mark.browser, pytest.mark.integration]

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt", allow_module_level=True)
pytest.importorskip("pagefind.index", reason="pagefind is not installed: pip install -e '.[test]'")

MTLS = "postmortems/2025/2025-07-17-checkout-mtls-certificate-expired/"
REPLICA = "postmortems/2024/2024-01-19-catalog-replica-lag-stale-prices/"


def test_material_search_finds_a_lesson_with_its_summary(sample_server, watched):
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(sample_server.url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # A phrase from the "What went wrong" lessons of the mTLS postmortem.
    page.locator("input.md-search__input").press_sequentially("renewal failures recorded", delay=5)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    groups = page.locator(".md-search-result__item")  # one per page, best first
    firsts = [groups.nth(i).locator("a.md-search-result__link").first.get_attribute("href") or "" for i in range(min(3, groups.count()))]
    assert any(MTLS in h for h in firsts), firsts
    first = page.locator(f'.md-search-result__item > .md-search-result__link[href*="{MTLS}"]').first
    article = first.locator("article").first.inner_text()
    assert "PM-2025" in article
    # The summary leads the page's result.
    assert "mTLS" in article or "certificate" in article.lower()


def test_pagefind_category_filter_narrows_results(sample_server, sample_site, watched):
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(sample_server.url + "search/")
    box = page.locator(".pagefind-ui__search-input")
    box.wait_for(timeout=10_000)
    box.fill("replica")
    message = page.locator(".pagefind-ui__message")
    page.wait_for_function("() => /\\d+ results?/.test(document.querySelector('.pagefind-ui__message')?.textContent || '')", timeout=10_000)
    before = int(re.search(r"(\d+) result", message.inner_text()).group(1))
    page.locator('input.pagefind-ui__filter-checkbox[name="category"][value="Data and storage"]').check()
    page.wait_for_function(
        f"() => {{ const m = (document.querySelector('.pagefind-ui__message')?.textContent || '').match(/(\\d+) results?/); return m && Number(m[1]) < {before}; }}",
        timeout=10_000,
    )
    after = int(re.search(r"(\d+) result", message.inner_text()).group(1))
    assert 0 < after < before
    page.wait_for_selector(".pagefind-ui__result-link")

    def outside_the_category() -> list[str]:
        # One snapshot of the links (the UI replaces them as results arrive): the pages listed
        # that are not in the category, or ["none"] while no link is shown yet.
        hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
        paths = [urlparse(href).path.strip("/") for href in hrefs]
        return [p for p in paths if 'data-pagefind-filter="category">Data and storage</a>'
                not in (sample_site / p / "index.html").read_text(encoding="utf-8")] if paths else ["none"]

    # The unfiltered results can stay on screen a moment after the count changed.
    deadline = time.monotonic() + 10
    while outside_the_category() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert outside_the_category() == []


@pytest.mark.parametrize("param", ["q", "query"])
def test_a_search_link_starts_the_faceted_search_alone(sample_server, watched, param):
    """`search/?q=` (Material's own parameter) and `?query=` start Pagefind's search; Material's
    search stays closed over it. Results read as text: no "¶" from headings, the start as a date."""
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(sample_server.url + f"search/?{param}=retry")
    page.wait_for_function("() => /\\d+ results? for retry/.test(document.querySelector('.pagefind-ui__message')?.textContent || '')",
                           timeout=10_000)
    assert page.evaluate("document.getElementById('__search').checked") is False
    assert page.url.endswith("search/?query=retry")
    page.wait_for_selector(".pagefind-ui__result-tag")
    results = page.locator(".pagefind-ui__results").inner_text()
    assert "¶" not in results and "Summary:" not in results and "Date:" not in results
    assert re.search(r"Started: \d{4}-\d{2}-\d{2}\b", results)
    # Filters: open beside the results on a wide screen, closed on a phone (they would push the results down).
    assert page.locator("details.pagefind-ui__filter-block[open]").count() == 1
    phone = watched(viewport={"width": 390, "height": 844}).page
    phone.goto(sample_server.url + "search/?query=retry")
    phone.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    assert phone.locator("details.pagefind-ui__filter-block[open]").count() == 0


def test_postmortem_page_header_chips_and_timeline(sample_server, watched):
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(sample_server.url + REPLICA)
    header = page.locator("header.pmkb-header")
    assert header.is_visible()
    assert page.locator(".pmkb-header__title").inner_text().startswith("Stale prices")
    assert page.locator(".pmkb-header__summary").is_visible()
    kinds = page.locator(".pmkb-timeline .pmkb-kind")
    assert kinds.count() >= 3 and kinds.first.is_visible()
    assert {"observation", "mitigation"} <= {t.strip().lower() for t in kinds.all_inner_texts()}
    # The edit link goes to the postmortem's source file.
    edit = page.locator("a.md-content__button[href*='/edit/']").first
    assert edit.get_attribute("href").endswith("edit/main/postmortems/2024/2024-01-19-catalog-replica-lag-stale-prices.md")
    chip = page.locator(".pmkb-chips a.pmkb-chip--data-storage")
    title = chip.inner_text()
    chip.click()
    page.wait_for_url(re.compile(r"/categories/data-storage/$"))
    assert page.locator("h1").first.inner_text().startswith(title)
    # Generated pages have no edit link.
    assert page.locator("a.md-content__button[href*='/edit/']").count() == 0


def test_phone_dark_and_print(sample_server, watched):
    phone = watched(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True, has_touch=True).page
    phone.goto(sample_server.url + MTLS)
    assert phone.locator("body").get_attribute("data-md-color-scheme") == "slate"
    assert phone.locator("header.pmkb-header").is_visible()
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways on a phone by {overflow}px"

    paper = watched(viewport={"width": 1280, "height": 900}).page
    paper.goto(sample_server.url + MTLS)
    paper.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", "a.md-content__button"):
        assert not paper.locator(hidden).first.is_visible(), hidden
    for kept in ("header.pmkb-header", ".pmkb-timeline", ".pmkb-action-items"):
        assert paper.locator(kept).first.is_visible(), kept
    background = paper.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    pdf = paper.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_lessons_page(sample_server, watched):
    page = watched().page
    page.goto(sample_server.url + "lessons/")
    assert page.locator("h2#time-expiry").is_visible()
    link = page.locator(f'.pmkb-lessons__from a[href$="{MTLS}"]').first
    assert link.is_visible()
    assert page.locator(".pmkb-lesson").count() > 20
    assert page.locator("a.md-content__button[href*='/edit/']").count() == 0


def test_trends_charts(sample_server, sample_site, watched):
    if not (sample_site / "trends" / "index.html").is_file():
        pytest.skip("trends/ is not generated yet (the trends page is being built separately)")
    page = watched(viewport={"width": 1280, "height": 900}).page
    page.goto(sample_server.url + "trends/")
    svgs = page.locator("article svg")
    assert svgs.count() >= 1
    for i in range(svgs.count()):
        svg = svgs.nth(i)
        svg.scroll_into_view_if_needed()
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 20
        assert svg.evaluate("(el) => el.querySelectorAll('rect, path, line, circle, polyline').length") > 0


def test_html_in_front_matter_is_text(tmp_path, browser, watched):
    evil = '<img src=x onerror="window.__pwned=1">'
    text = (
        valid_text()
        .replace("title: Checkout latency after a config push", f"title: 'Checkout {evil}'")
        .replace("summary: For 19 minutes,", "summary: <script>window.__pwned=2</script> For 19 minutes,")
        .replace("services: [checkout-api, payments-gateway]", "services: [checkout-api]")
        .replace("trigger: config push lowering max pool size", "trigger: '\"><svg onload=window.__pwned=3>'")
    )
    text = text.replace("The pool saturation metric had no alert.", "The pool had no alert <b onmouseover=window.__pwned=4>x</b>.")
    root = make_project(tmp_path / "evil", {"2024/evil.md": text}, {"pagefind": True, "reference_date": "2026-11-27"})
    result = build(root)
    assert result.returncode == 0, result.output
    server = Server(result.site)
    try:
        for path in ("postmortems/2024/evil/", "postmortems/", "categories/config-change/", "lessons/", "search/"):
            page = watched().page
            page.goto(server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__pwned") is None, path
            assert page.locator("img[src='x']").count() == 0, path
            assert page.locator("svg[onload]").count() == 0, path
        page = watched().page
        page.goto(server.url + "postmortems/2024/evil/")
        assert evil in page.locator(".pmkb-header__title").inner_text()
        assert "<script>" in page.locator(".pmkb-header__summary").inner_text()
        # Pagefind's results show the summary as text too.
        page.goto(server.url + "search/")
        page.locator(".pagefind-ui__search-input").fill("checkout")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
        assert page.evaluate("() => window.__pwned") is None
    finally:
        server.close()
