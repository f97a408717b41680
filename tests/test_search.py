"""Search: Material's index tuning, the lessons page, and Pagefind (issue 4)."""

from __future__ import annotations

import json

import pytest

from conftest import valid_text
from postmortem_kb.pages.lessons import render_markdown, split_items
from postmortem_kb.search import generated_search_meta, page_search_meta, pagefind_body


@pytest.mark.parametrize(
    ("src_uri", "expected"),
    [
        ("categories/config-change/index.md", {"exclude": True}),
        ("services/checkout-api/index.md", {"exclude": True}),
        ("teams/sre/index.md", {"exclude": True}),
        ("severities/sev1/index.md", {"exclude": True}),
        ("years/2024/index.md", {"exclude": True}),
        ("postmortems/index.md", {"exclude": True}),
        ("search/index.md", {"exclude": True}),
        ("lessons/index.md", {"boost": 0.5}),
        ("guides/search.md", None),
    ],
)
def test_generated_search_meta(src_uri, expected):
    assert generated_search_meta(src_uri) == expected


def test_postmortems_are_boosted():
    assert page_search_meta()["boost"] > 1


def test_pagefind_body_and_related_are_marked():
    html = pagefind_body('<p>x</p><ul class="pmkb-related"><li>other</li></ul>')
    assert html.startswith('<div class="pmkb-pagefind-body" data-pagefind-body>')
    assert 'class="pmkb-related" data-search-exclude data-pagefind-ignore' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- one\n- two\n  continued\n", ["one", "two\ncontinued"]),
        ("1. first\n2. second\n", ["first", "second"]),
        ("A paragraph of prose.\nStill prose.\n", ["A paragraph of prose.\nStill prose."]),
        ("\n\n", []),
        ("- item with\n\n  a second paragraph\n- next", ["item with\n\na second paragraph", "next"]),
    ],
)
def test_split_items(text, expected):
    assert split_items(text) == expected


def test_lesson_markdown_is_rendered():
    assert render_markdown("The `pool` was **small**") == "The <code>pool</code> was <strong>small</strong>"


def _index(result) -> list[dict]:
    return json.loads(result.read("search/search_index.json"))["docs"]


@pytest.mark.integration
def test_material_index_is_tuned(site_builder):
    text = valid_text().replace("Nothing alerted on the pool.", "- Nothing alerted on the pool.\n- The `pool` dashboard was **hidden**.")
    result = site_builder({"2024/a.md": text}, {"reference_date": "2026-11-27"})
    assert result.returncode == 0, result.output
    docs = _index(result)
    locations = {d["location"] for d in docs}
    # Listing pages do not crowd the results; the lessons page is searchable.
    assert not any(loc.startswith(("categories/", "services/", "teams/", "severities/", "years/")) for loc in locations)
    assert "postmortems/" not in locations
    assert any(loc.startswith("lessons/") for loc in locations)
    main = next(d for d in docs if d["location"] == "postmortems/2024/a/")
    assert main["boost"] == 2.0
    # The summary comes first; categories, services and tags follow; no dates or people.
    assert main["text"].startswith("<p>For 19 minutes, 12% of checkouts timed out")
    for kept in ("checkout-api", "Configuration change", "#connection-pool"):
        assert kept in main["text"]
    for dropped in ("Priya Raman", "2024-03-14", "Started"):
        assert dropped not in main["text"]
    lessons = [d for d in docs if d["location"].startswith("lessons/")]
    assert all(d.get("boost") == 0.5 for d in lessons)
    # The lesson Markdown is rendered on the lessons page, linked to its source.
    page = result.read("lessons/index.html")
    assert "The <code>pool</code> dashboard was <strong>hidden</strong>." in page
    assert 'href="../postmortems/2024/a/"' in page
    assert "It happened on a quiet morning." in page
    assert "The rollback took five minutes." not in page  # "what went well" is not a lesson here
    # The lesson appears under each of its factors, indexed once.
    assert page.count("Nothing alerted on the pool.") == 2
    assert page.count("data-search-exclude data-pagefind-ignore") == 1
    # Generated pages have no edit link; postmortems link to their source.
    assert "/edit/" not in page
    assert "/edit/" not in result.read("categories/config-change/index.html")
    # Pagefind is off by default: no search page, no pagefind/ folder.
    assert not (result.site / "pagefind").exists()
    assert not (result.site / "search" / "index.html").exists()


@pytest.mark.integration
def test_pagefind_indexes_postmortems_with_filters(site_builder):
    pytest.importorskip("pagefind.index")
    text = valid_text().replace("title: Checkout latency after a config push", "title: 'Checkout \"><b>x</b> latency'")
    result = site_builder({"2024/a.md": text}, {"pagefind": True, "reference_date": "2026-11-27"})
    assert result.returncode == 0, result.output
    assert "Pagefind indexed 1 pages" in result.output
    entry = json.loads(result.read("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == 1  # postmortems only
    assert (result.site / "pagefind" / "pagefind-ui.js").is_file()
    page = result.read("postmortems/2024/a/index.html")
    for attribute in (
        'data-pagefind-filter="category">Configuration change</a>',
        'data-pagefind-filter="service">checkout-api</a>',
        'data-pagefind-filter="team">sre</a>',
        'data-pagefind-filter="severity">SEV2</a>',
        'data-pagefind-filter="year">2024</a>',
        'data-pagefind-sort="date[datetime]"',
        'data-pagefind-meta="summary"',
        "data-pagefind-body",
    ):
        assert attribute in page
    assert "Checkout &#34;&gt;&lt;b&gt;x&lt;/b&gt; latency" in page or "Checkout &quot;&gt;&lt;b&gt;x&lt;/b&gt; latency" in page
    search = result.read("search/index.html")
    assert 'id="pmkb-pagefind"' in search and 'data-bundle="../pagefind/"' in search


# --- Issue 6: Material's indexer reads a lighter copy of the pages -------------

EXCLUDED_BODY = """
## Notes {: data-search-exclude }

Text after an excluded heading stays out, as Material decides.

A paragraph kept out of search.
{: data-search-exclude }

A paragraph titled "data-search-exclude" that is indexed.
{: title="see data-search-exclude" }

A paragraph excluded with a value, which Material strips from the page.
{: data-search-exclude="yes" }

<div markdown data-search-exclude>
Not a tag: raw HTML is shown as text.
</div>
"""


def test_search_copy_keeps_material_index_identical(tmp_path, monkeypatch):
    """The sample postmortems (and odd bodies) give the same search_index.json
    whether Material's indexer reads the full pages or the lighter copy."""
    from pathlib import Path

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from conftest import make_project
    from postmortem_kb.plugin.plugin import PostmortemsPlugin

    repo = Path(__file__).resolve().parents[1] / "postmortems"
    sample = {p.relative_to(repo).as_posix(): p.read_text(encoding="utf-8") for p in sorted(repo.rglob("20*/*.md"))}
    odd = valid_text().replace("PM-2024-001", "PM-2024-777").replace("## Lessons Learned", EXCLUDED_BODY + "\n## Lessons Learned", 1)
    root = make_project(tmp_path / "kb", {**sample, "2024/odd.md": odd}, {"include_drafts": True})
    monkeypatch.chdir(root)
    indexes = {}
    for copy in (True, False):
        monkeypatch.setattr(PostmortemsPlugin, "search_copy", copy)
        site = tmp_path / f"site-{copy}"
        mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(site)))
        indexes[copy] = (site / "search" / "search_index.json").read_bytes()
        pages = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
        indexes[f"pages-{copy}"] = pages
    assert len(json.loads(indexes[True])["docs"]) > 200
    assert indexes[True] == indexes[False]
    # The pages themselves keep their full HTML.
    assert indexes["pages-True"] == indexes["pages-False"]


# The lessons page's shortcut for plain one-line lessons must give what Markdown gives.
from hypothesis import example, given, settings as hsettings, strategies as st  # noqa: E402

_LESSON_ALPHABET = st.sampled_from(list("abcXYZ019 .,;:?!'\"()%-+=*_`[]<>&#{}|~\\\t\u00e9\u2014") + [" ", "  ", "1. ", "- ", "\n"])


@hsettings(max_examples=400, deadline=None)
@given(st.lists(_LESSON_ALPHABET, min_size=1, max_size=30).map("".join))
def test_plain_lesson_shortcut_matches_markdown(text):
    from postmortem_kb.pages import lessons

    expected = lessons._MARKDOWN.reset().convert(text).strip()
    if expected.startswith("<p>") and expected.endswith("</p>") and expected.count("<p>") == 1:
        expected = expected[3:-4]
    if lessons._PLAIN.fullmatch(text):
        assert text == expected


def test_plain_lesson_shortcut_is_taken():
    from postmortem_kb.pages import lessons

    assert lessons._PLAIN.fullmatch("The pool size had no alert, and nobody owned the template.")
    assert not lessons._PLAIN.fullmatch("Use `kubectl` here")
    assert not lessons._PLAIN.fullmatch("1. A list")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # An excluded element goes with what it holds.
        ('<p>a</p><div data-search-exclude><p>x</p><span>y</span></div><p>b</p>', "<p>a</p><wbr><p>b</p>"),
        # Not when it holds an element of its own name: Material reads that differently.
        ('<div data-search-exclude><div>x</div><div>y</div></div>', '<div data-search-exclude><div>x</div><div>y</div></div>'),
        ('<ul class="pmkb-related" data-search-exclude data-pagefind-ignore><li>o</li></ul>', "<wbr>"),
        # A heading with an id opens a section in Material's index: kept.
        ('<h2 data-search-exclude id="n">N</h2><p>t</p>', '<h2 data-search-exclude id="n">N</h2><p>t</p>'),
        ('<div data-search-exclude><h3 id="x">X</h3></div>', '<div data-search-exclude><h3 id="x">X</h3></div>'),
        # The words inside another attribute's value, or in text, are not the attribute.
        ('<p title="see data-search-exclude">t</p>', '<p title="see data-search-exclude">t</p>'),
        ("<p>data-search-exclude in text</p>", "<p>data-search-exclude in text</p>"),
        # Never closed: left to the indexer.
        ("<div data-search-exclude><p>x</p>", "<div data-search-exclude><p>x</p>"),
        # The timeline's markers become their text.
        ('<li><time class="pmkb-tl-time" datetime="2024-01-01T09:30:00+00:00">09:30</time> '
         '<span class="pmkb-kind pmkb-kind--action">action</span> Rolled back.</li>', "<li>09:30 action Rolled back.</li>"),
        ('<li><time class="pmkb-tl-time" datetime="x">09:30</time> Rolled back.</li>', "<li>09:30 Rolled back.</li>"),
    ],
)
def test_search_copy_cases(html, expected):
    from postmortem_kb.search.lean import search_copy

    assert search_copy(html) == expected


def _material_index(html: str) -> list[tuple[str, str, str]]:
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(repr(s), "".join(s.title), "".join(s.text)) for s in parser.data if not s.is_excluded()]


@pytest.mark.parametrize(
    "html",
    [
        # The attribute inside a comment is not an attribute.
        '<h2 id="a">A</h2><!-- <div data-search-exclude> --><p>text</p><div class="x"><p>more</p></div><p>after</p>',
        # An element left open inside an excluded one: Material skips the rest of the page.
        '<h2 id="a">A</h2><p data-search-exclude>first <b>bold</p><p>after</p>',
        # A same-name element inside: Material's exclusion ends with it.
        '<div data-search-exclude><div>x</div>TAIL</div><p>after</p>',
        '<div data-search-exclude/><p>after</p>',
        '<details data-search-exclude><summary>s</summary>x</details><p>after</p>',
        '<p>x</p><div data-search-exclude><script>var a = "</div>";</script></div><p>after</p>',
    ],
)
def test_search_copy_indexes_like_the_page(html):
    """Whatever the HTML, Material's indexer reads the same from the copy as from the page."""
    from postmortem_kb.search.lean import search_copy

    assert _material_index(search_copy(html)) == _material_index(html)


# Issue 6: blocks handed to the indexer flattened (search/lean.py `flat_block`).
_TAGS = ("div", "span", "a", "dl", "dt", "dd", "table", "tr", "td", "strong", "p", "li", "ul", "code", "em", "h2", "h3", "pre")
_TEXTS = ("alpha", "beta gamma", " ", "\n", "  \n ", "\u00a0", "x&amp;y", "&lt;b&gt;", "it&#x27;s", "a\nb", " lead", "trail ")


@st.composite
def _blocks(draw, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            attrs = draw(st.sampled_from(("", ' class="k"', " data-search-exclude", ' title="t"', ' id="i"', ' class="headerlink"')))
            parts.append(f"<{tag}{attrs}>{draw(_blocks(depth + 1))}</{tag}>")
        elif draw(st.integers(0, 5)) == 0:
            parts.append(draw(st.sampled_from(("<wbr>", "<br>"))))
        else:
            parts.append(draw(st.sampled_from(_TEXTS)))
    return "".join(parts)


_CONTEXTS = (
    "{}",
    '<h2 id="s">S</h2><p>before</p>{}<p>after</p>',
    "<p>text</p> {} tail",
    " {} ",
    "<ul><li>x</li></ul>\n{}\n<p>y</p>",
    '<h2 id="s">S</h2>{}<h2 id="t">T</h2>z',
    "<p>open {}</p>",
)


@hsettings(max_examples=400, deadline=None)
@given(block=_blocks(), before=st.sampled_from(_TEXTS), context=st.sampled_from(_CONTEXTS))
# Found by this test: in `<pre>` whitespace stays as written, and "alpha" before it decides.
@example(block="<pre><p>\n<wbr><wbr><wbr></p><wbr></pre>", before="alpha", context=_CONTEXTS[1])
def test_a_flattened_block_indexes_like_the_block_wherever_it_is(block, before, context):
    """When `flat_block` vouches for a copy, Material's indexer reads any page holding
    the copy exactly as the page holding the block, whatever comes before and after
    (in the body text: blocks never sit inside a heading or an excluded element)."""
    from postmortem_kb.search.lean import flat_block, search_copy

    flat = flat_block(block)
    if flat is None:
        return
    page = context.format(before + block)
    copy = context.format(before + flat)
    assert _material_index(search_copy(copy)) == _material_index(search_copy(page)) == _material_index(page)


def test_flat_blocks_of_real_pages_are_vouched_for_and_smaller():
    from helpers_pm import item, record
    from postmortem_kb.core.settings import Settings
    from postmortem_kb.render.environment import Renderer
    from postmortem_kb.render.postmortem_page import compose_markdown
    from postmortem_kb.search.lean import flat_block

    from conftest import THEME_OVERRIDES

    pm = record("PM-9", items=(item(title="Cap the <pool> & add an alert", factor="config-change"),))
    _, blocks = compose_markdown(pm, Settings(), Renderer([THEME_OVERRIDES]), "postmortems/2024/pm-9/", [], [], preview=False)
    big = [b for b in blocks if len(b) >= 300]
    flats = [flat_block(b) for b in big]
    assert big and all(f is not None and len(f) < len(b) for f, b in zip(flats, big))
    assert all(_material_index(f) == _material_index(b) for f, b in zip(flats, big))


@pytest.mark.parametrize(
    "block",
    [
        # An exclusion the copy leaves to the indexer (same-name nesting): found by the property test.
        "<wbr><wbr><wbr><div data-search-exclude><p></p><div></div><wbr></div>",
        "<div><p>left open</p>",  # a tag never closed changes the indexer's stack for the page after it
        "<div><p>closed twice</p></div></div>",
        "<div><span>mis</div></span>",
        "<div><!-- a comment --><p>x</p></div>",
        "<div><script>var a = 1;</script><p>x</p></div>",
        "<div>a < b</div>",  # a bare `<`
        # Headings: their text goes to a section's title, read by other rules (review).
        "<div><h2>a<span> </span><span> </span>b</h2></div>",
        '<div><h3>T<a class="headerlink" href="#x">P</a></h3></div>',
        '<h1 id="t">T<a class="headerlink" href="#t">P</a></h1><p>body</p>',
    ],
)
def test_blocks_the_indexer_could_read_differently_in_a_page_are_not_flattened(block):
    from postmortem_kb.search.lean import flat_block

    assert flat_block(block) is None


def test_dirty_merge_keeps_each_rendered_page_once():
    from postmortem_kb.search.dirty import merge

    def e(location, title="t"):
        return {"location": location, "title": title, "text": ""}

    before = [e(""), e("a/"), e("a/#x"), e("b/"), e("lessons/")]
    fresh = [e("a/", "new"), e("a/#y", "new"), e("lessons/", "new")]
    merged = merge(before, fresh, {"a/", "lessons/"})
    assert merged == [e(""), e("b/"), *fresh]
    # A page rendered with no entries now (excluded from search) loses its old ones.
    assert merge(merged, [], {"b/"}) == [e(""), *fresh]
    # A page that is gone (deleted, renamed, now a draft) leaves too.
    assert merge(merged, [], set(), pages={"", "a/", "lessons/"}) == [e(""), *fresh]
