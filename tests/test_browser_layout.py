"""Browser tests of the layout of the sample site: tables scroll in one box and
nothing in them is clipped or cut mid-word, big charts keep legible text on a
phone, severity and timeline badges have AA contrast in both palettes, and the
action-item filter says when nothing matches.

Debian's chromium driven by Playwright for Python, with the fixtures of
conftest.py that test_browser.py uses too: every page records its requests and
console, and a request that leaves localhost or a JavaScript error fails the test.
"""

from __future__ import annotations

import pytest

from conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.integration]

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt", allow_module_level=True)

MTLS = "postmortems/2025/2025-07-17-checkout-mtls-certificate-expired/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def open_page(watched):
    """`open_page(url, **context_options)`: a loaded page, checked like every `watched` one."""

    def _open(url: str, **options):
        page = watched(**options).page
        page.goto(url)
        page.wait_for_load_state("load")
        return page

    return _open


# Tables ----------------------------------------------------------------------

# For each visible table of the article: the boxes between it and the article
# that scroll or clip sideways, whether its scroll box overflows its parent,
# whether all of it can be scrolled to, and the words drawn on two lines.
TABLE_REPORT = r"""
() => {
  document.querySelectorAll('article details').forEach(d => { d.open = true; });
  const article = document.querySelector('article');
  const out = [];
  for (const table of article.querySelectorAll('.pmkb-table-wrap table')) {
    if (!table.getClientRects().length) continue;
    const name = [...table.querySelectorAll('th')].slice(0, 3).map(th => th.textContent.trim()).join('|');
    const clipping = [];
    for (let el = table; el && el !== article; el = el.parentElement) {
      if (getComputedStyle(el).overflowX !== 'visible') clipping.push(el);
    }
    const box = clipping[clipping.length - 1] || null;
    const problems = [];
    if (clipping.length !== 1 || !box.classList.contains('pmkb-table-wrap')) {
      problems.push('scroll/clip boxes: ' + clipping.map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')).join(' > '));
    }
    if (box) {
      const parent = box.parentElement.getBoundingClientRect();
      const own = box.getBoundingClientRect();
      if (own.right > parent.right + 1 || own.left < parent.left - 1) problems.push('the scroll box sticks out of its parent');
      const right = table.getBoundingClientRect().right - own.left + box.scrollLeft;
      if (right > box.scrollWidth + 1) problems.push(`table ends at ${right}px, box scrolls to ${box.scrollWidth}px`);
    }
    const broken = [];
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = /[^\s\-\/]{2,}/g;
      let m;
      while ((m = words.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
    if (broken.length) problems.push(`${broken.length} words cut across lines: ${broken.slice(0, 5).join(', ')}`);
    out.push({name, problems});
  }
  return out;
}
"""


def _category_page(open_page, base: str) -> str:
    """The page of the mTLS postmortem's first contributing-factor category."""
    page = open_page(base + MTLS, viewport=DESKTOP)
    return page.locator(".pmkb-chips a.pmkb-chip").first.evaluate("a => new URL(a.href).pathname.replace(/^\\//, '')")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("path", [MTLS, "action-items/", "action-items/closed/", "severities/", "category"])
def test_tables_scroll_in_one_box_and_nothing_is_cut(sample_server, open_page, path, viewport):
    base = sample_server.url
    if path == "category":
        path = _category_page(open_page, base)
        assert path.startswith("categories/"), path
    page = open_page(base + path, viewport=VIEWPORTS[viewport])
    report = page.evaluate(TABLE_REPORT)
    assert report, f"no table on {path}"
    bad = [t for t in report if t["problems"]]
    assert not bad, f"{path} at {viewport}: {bad}"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {viewport}"


def test_postmortem_action_items_keep_readable_titles(sample_server, open_page):
    """The title column is not squeezed to a word per line: the table scrolls instead."""
    for viewport in (DESKTOP, PHONE):
        width = open_page(sample_server.url + MTLS, viewport=viewport).locator(
            "table.pmkb-action-items td").first.evaluate("td => td.getBoundingClientRect().width")
        assert width >= 200, f"action item titles are {width}px wide on a {viewport['width']}px screen"


def test_postmortem_action_items_fit_a_desktop_column(sample_server, open_page):
    """Priority, type and factor sit under the title: five columns, no sideways scrolling on a desktop."""
    page = open_page(sample_server.url + MTLS, viewport=DESKTOP)
    table = page.locator("table.pmkb-action-items")
    assert table.locator("thead th").all_inner_texts() == ["Action item", "Owner", "Due", "Status", "Ticket"]
    meta = table.locator("tbody tr").first.locator("td").first.locator(".pmkb-ai-meta")
    assert "factor" in meta.inner_text()
    spare = page.locator(".pmkb-table-wrap:has(table.pmkb-action-items)").evaluate("w => w.clientWidth - w.scrollWidth")
    assert spare >= 0, f"the action-item table scrolls by {-spare}px on a {DESKTOP['width']}px screen"


# Charts ----------------------------------------------------------------------

CHART_TEXT = r"""
() => [...document.querySelectorAll('article svg.pmkb-svg')].filter(svg => svg.getClientRects().length).map(svg => {
  const sizes = [...svg.querySelectorAll('text')].map(t => {
    const m = t.getScreenCTM();
    return {font: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b), rotated: Math.abs(m.b) > 1e-6,
            height: t.getBoundingClientRect().height, text: t.textContent};
  });
  const box = svg.closest('.pmkb-chart');
  return {id: svg.id, small: !!svg.closest('.pmkb-chart--small'), width: svg.getBoundingClientRect().width,
          scrolls: box.scrollWidth > box.clientWidth + 1, sizes};
})
"""


@pytest.mark.parametrize("path", ["trends/", "category"])
def test_chart_text_is_legible_on_a_phone(sample_server, sample_site, open_page, path):
    if path == "category":
        path = _category_page(open_page, sample_server.url)
    assert (sample_site / path / "index.html").is_file(), f"{path} is not generated"
    page = open_page(sample_server.url + path, viewport=PHONE, is_mobile=True, has_touch=True)
    charts = page.evaluate(CHART_TEXT)
    page_overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    big = [c for c in charts if not c["small"]]
    assert big, f"no big chart on {path}"
    small_text = [
        (c["id"], s["text"], round(s["font"], 2), s["height"])
        for c in charts for s in c["sizes"]
        if s["font"] < 9 or (not s["rotated"] and s["height"] < 9)
    ]
    assert not small_text, f"chart text under 9px on a phone: {small_text[:8]}"
    # The big charts scroll in their own box; the page itself does not.
    assert all(c["scrolls"] for c in big if c["width"] > PHONE["width"])
    assert page_overflow <= 1, f"{path} scrolls sideways by {page_overflow}px on a phone"
    # Small multiples still fit the screen.
    assert all(c["width"] <= PHONE["width"] for c in charts if c["small"])


# Badges ----------------------------------------------------------------------

CONTRAST = r"""
(selector) => {
  const parse = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const over = (top, bottom) => {
    const a = top.length > 3 ? top[3] : 1;
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a));
  };
  const page = parse(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  const seen = {};
  for (const el of document.querySelectorAll(selector)) {
    const key = [...el.classList].filter(c => /--/.test(c)).join(' ');
    if (seen[key]) continue;
    const style = getComputedStyle(el);
    const bg = over(parse(style.backgroundColor), page);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    seen[key] = {ratio: (hi + 0.05) / (lo + 0.05), fg: style.color, bg: style.backgroundColor, text: el.textContent.trim()};
  }
  return seen;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_have_aa_contrast(sample_server, open_page, scheme):
    base = sample_server.url
    page = open_page(base + "postmortems/", viewport=DESKTOP, color_scheme=scheme)
    assert page.locator("body").get_attribute("data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    # Every rank the stylesheet knows, and one past it (more severities configured).
    page.evaluate("""() => {
      const holder = document.createElement('p');
      for (const rank of [0, 1, 2, 3, 4, 9]) {
        const a = document.createElement('a');
        a.className = `pmkb-badge pmkb-sev pmkb-sev--${rank}`;
        a.textContent = `SEV-test-${rank}`;
        holder.append(a, ' ');
      }
      document.querySelector('article').append(holder);
    }""")
    badges = page.evaluate(CONTRAST, ".pmkb-sev")
    assert len(badges) >= 6, badges
    low = {k: v for k, v in badges.items() if v["ratio"] < 4.5}
    assert not low, f"severity badges under 4.5:1 in the {scheme} palette: {low}"

    page = open_page(base + MTLS, viewport=DESKTOP, color_scheme=scheme)
    kinds = page.evaluate(CONTRAST, ".pmkb-timeline .pmkb-kind")
    assert len(kinds) >= 5, kinds
    low = {k: v for k, v in kinds.items() if v["ratio"] < 4.5}
    assert not low, f"timeline badges under 4.5:1 in the {scheme} palette: {low}"
    header = page.evaluate(CONTRAST, ".pmkb-header .pmkb-sev")
    assert header and all(v["ratio"] >= 4.5 for v in header.values()), header


# Action-item filter ------------------------------------------------------------


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_action_item_filter_says_when_nothing_matches(sample_server, open_page, viewport):
    page = open_page(sample_server.url + "action-items/", viewport=VIEWPORTS[viewport])
    box = page.locator("[data-pmkb-filter]")
    assert box.is_visible()
    count = box.locator("[data-pmkb-filter-count]")
    assert count.get_attribute("aria-live") == "polite"
    lists = page.locator(".pmkb-ai-list")
    assert lists.count() >= 2

    page.locator("#pmkb-ai-filter").fill("zqxj no such item")
    assert count.is_visible()
    assert "No action item matches \u201czqxj no such item\u201d" in count.inner_text()
    # No table, and no table header, is left on screen.
    assert not any(lists.nth(i).is_visible() for i in range(lists.count()))
    assert page.locator(".pmkb-ai-list th:visible").count() == 0
    notes = page.locator(".pmkb-filter-none:visible")
    assert notes.count() == lists.count()

    # Some match: a section keeps its table only if a row of it is shown.
    page.locator("#pmkb-ai-filter").fill("sre")
    text = count.inner_text()
    assert "No action item matches" not in text and " of " in text
    shown = int(text.split(" of ")[0])
    assert shown > 0
    for i in range(lists.count()):
        rows = lists.nth(i).locator("tbody tr:visible").count()
        assert lists.nth(i).is_visible() == (rows > 0)
    assert page.locator(".pmkb-ai-list tbody tr:visible").count() == shown

    # Cleared: everything is back.
    page.locator("#pmkb-ai-filter").fill("")
    assert count.inner_text().strip() == ""
    assert all(lists.nth(i).is_visible() for i in range(lists.count()))
    assert page.locator(".pmkb-filter-none:visible").count() == 0
