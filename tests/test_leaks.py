"""Audience leak canaries: what a build leaves out, it leaves out everywhere.

Five postmortems (public, internal, restricted, draft, in-review) each carry a
unique canary in every field and section, and in their file name. Three sites
are built (public, internal, preview) and every file of each output is
searched, whatever produced it (pages, search index, sitemap, exports, feeds,
SVG charts, Pagefind's index and fragments, gzip-compressed files
decompressed), so new outputs are covered as soon as they exist.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import pytest

from conftest import build, make_project

pytestmark = pytest.mark.integration

KINDS = ("public", "internal", "restricted", "draft", "review")
# Each excluded postmortem is also the only one in its year, severity and
# factor category, so counts on generated pages would give it away.
YEAR = {"public": 2024, "internal": 2023, "restricted": 2019, "draft": 2018, "review": 2017}
SEVERITY = {"public": "SEV3", "internal": "SEV2", "restricted": "SEV1", "draft": "SEV4", "review": "SEV4"}
CATEGORY = {
    "public": "config-change",
    "internal": "dependency",
    "restricted": "security",
    "draft": "time-expiry",
    "review": "data-storage",
}


def canary(kind: str, field: str) -> str:
    return f"zq{kind}{field}"


def postmortem(kind: str) -> str:
    c = lambda field: canary(kind, field)  # noqa: E731
    year = YEAR[kind]
    status = {"draft": "draft", "review": "in-review"}.get(kind, "published")
    visibility = kind if kind in ("public", "internal", "restricted") else "internal"
    related = "[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]" if kind == "public" else "[]"
    return f"""---
id: ZQ{kind.upper()}-ID
title: Outage {c('title')}
status: {status}
visibility: {visibility}
severity: {SEVERITY[kind]}
summary: Customers saw errors {c('summary')}.
started_at: {year}-03-14T09:12:00Z
detected_at: {year}-03-14T09:19:00Z
mitigated_at: {year}-03-14T09:31:00Z
resolved_at: {year}-03-14T11:00:00Z
services: [zq{kind}-svc]
teams: [zq{kind}-team]
authors: [{c('author')}]
reviewers: [{c('reviewer')}]
tags: [{c('tag')}]
detection: alert
trigger: {c('trigger')}
near_miss: false
impact:
  users_affected: 4200
  revenue: {c('revenue')}
contributing_factors:
  - category: {CATEGORY[kind]}
    description: {c('factor')}
action_items:
  - title: Add {c('actiontitle')}
    owner: {c('owner')}
    due: {year}-04-30
    status: open
    ticket: https://tracker.example.com/{c('ticket')}
related: {related}
---

## Impact

{c('impact')}

## Background

{c('background')}

## Timeline

- 09:05 [action] {c('timelinea')}
- 09:12 [observation] {c('timelineb')}
- 09:19 [detection] {c('timelinec')}

## Contributing Factors

{c('factors')}

## Lessons Learned

### What went well

{c('well')}

### What went wrong

{c('wrong')}

### Where we got lucky

{c('lucky')}

## Action Items

{c('actions')}

## Supporting Information

{c('supporting')}
"""


def corpus() -> dict[str, str]:
    return {f"{YEAR[kind]}/zq{kind}file.md": postmortem(kind) for kind in KINDS}


def output_texts(site: Path) -> dict[str, str]:
    """Every file of the site as text (gzip/zlib decompressed), plus its path."""
    texts: dict[str, str] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for unpack in (gzip.decompress, zlib.decompress):
            try:
                data = unpack(data)
                break
            except Exception:  # noqa: BLE001 - not compressed that way
                continue
        rel = path.relative_to(site).as_posix()
        texts[rel] = rel + "\n" + data.decode("utf-8", errors="replace")
    return texts


def leaks(texts: dict[str, str], kind: str) -> list[str]:
    pattern = re.compile(rf"zq-?{kind}", re.IGNORECASE)
    return [f"{rel}: {m.group(0)}...{text[m.start():m.start() + 40]!r}" for rel, text in texts.items() for m in [pattern.search(text)] if m]


SITES = {
    "public": ({"audience": "public"}, {"public"}),
    "internal": ({"audience": "internal"}, {"public", "internal"}),
    "preview": ({"audience": "internal", "include_drafts": True}, {"public", "internal", "draft", "review"}),
}


@pytest.fixture(scope="module", params=sorted(SITES))
def site(request, tmp_path_factory):
    options, shown = SITES[request.param]
    root = make_project(tmp_path_factory.mktemp(f"leak-{request.param}"), corpus(), {**options, "reference_date": "2026-01-15", "pagefind": True})
    result = build(root, env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert result.returncode == 0, result.output
    return request.param, shown, result, output_texts(result.site)


def test_excluded_canaries_appear_nowhere(site):
    name, shown, result, texts = site
    assert len(texts) > 20
    for kind in KINDS:
        found = leaks(texts, kind)
        if kind in shown:
            # Sanity: the search sees what is published, in every field.
            everything = "\n".join(texts.values())
            for field in ("title", "summary", "author", "tag", "trigger", "factor", "actiontitle", "owner", "impact", "well", "supporting"):
                assert canary(kind, field) in everything, f"{name}: {canary(kind, field)} missing"
        else:
            assert not found, f"{name} site leaks the {kind} postmortem:\n" + "\n".join(found[:20])


def test_build_log_counts_what_was_left_out(site):
    name, shown, result, _ = site
    assert f"{len(shown)} published, {len(KINDS) - len(shown)} left out" in result.output


def test_counts_do_not_reveal_excluded_postmortems(site):
    name, shown, result, texts = site
    listing = texts["postmortems/index.html"]
    pages = [rel for rel in texts if re.fullmatch(r"postmortems/\d{4}/[^/]+/index\.html", rel)]
    assert len(pages) == len(shown), pages
    # The listing names exactly the shown postmortems and says how many.
    assert len(re.findall(r"ZQ[A-Z]+-ID", listing)) >= len(shown)
    assert re.search(rf"\b{len(shown)}\b[^<]*postmortem", listing), "listing count"
    for kind in KINDS:
        if kind in shown:
            continue
        year, category = YEAR[kind], CATEGORY[kind]
        # No page, index entry or sitemap entry for its year or category.
        assert not any(f"years/{year}/" in rel for rel in texts), f"{name}: a page for year {year}"
        for rel, text in texts.items():
            if rel.endswith((".html", ".xml", ".json", ".csv")):
                assert f"years/{year}/" not in text, f"{name}: {rel} links year {year}"
        # The taxonomy lists every category, but one used only by excluded
        # postmortems counts zero and lists none of them.
        if category not in {CATEGORY[k] for k in shown}:
            page = texts.get(f"categories/{category}/index.html", "")
            assert not re.search(r"ZQ[A-Z]+-ID", page), f"{name}: category {category} lists a postmortem"
            if page:
                plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
                assert re.search(r"\bIncidents 0\b|\b0 incidents\b", plain), f"{name}: category {category} count"
                assert not re.search(r"\bIncidents [1-9]\d*(?![\d-])", plain), f"{name}: category {category} count"
            severity = texts.get(f"severities/{SEVERITY[kind].lower()}/index.html", "")
            if SEVERITY[kind] not in {SEVERITY[k] for k in shown}:
                assert not re.search(r"ZQ[A-Z]+-ID", severity), f"{name}: {SEVERITY[kind]} lists a postmortem"


def test_related_never_names_an_excluded_postmortem(site):
    name, shown, result, texts = site
    page = texts["postmortems/2024/zqpublicfile/index.html"]
    for kind in ("internal", "restricted", "draft"):
        linked = f"ZQ{kind.upper()}-ID" in page or f"zq{kind}file" in page
        assert linked == (kind in shown), f"{name}: related link to {kind} is {linked}"
    if shown == {"public"}:
        assert "Related incidents" not in page


# A postmortem saved under docs/ --------------------------------------------------

def test_a_postmortem_saved_under_docs_is_an_error_and_never_published(tmp_path):
    """MkDocs would publish it as an ordinary page, whatever its status and visibility."""
    import subprocess
    import sys

    misplaced = postmortem("restricted").replace("status: published", "status: draft")
    root = make_project(tmp_path / "kb", {"2024/zqpublicfile.md": postmortem("public").replace("[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]", "[]")},
                        {"audience": "public", "reference_date": "2026-01-15"},
                        docs={"index.md": "# Home\n", "incidents/zqrestrictedfile.md": misplaced,
                              # Material's page status and blog fields alone are not a postmortem
                              "guide.md": "---\ntitle: Guide\nstatus: new\nauthors: [a]\ndate: 2024-01-01\n---\n# Guide\n"})
    line = misplaced.splitlines().index("severity: SEV1") + 1
    expected = f"docs/incidents/zqrestrictedfile.md:{line}: error: this page is a postmortem (`severity`, `started_at`, `detected_at`), but it is outside `postmortems/`"

    strict = build(root)
    assert strict.returncode != 0 and expected in strict.output, strict.output
    lenient = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build"], cwd=root,
                             capture_output=True, text=True, timeout=300)
    assert lenient.returncode == 0 and expected in lenient.stdout + lenient.stderr
    texts = output_texts(root / "site")
    assert "guide/index.html" in texts and "incidents/zqrestrictedfile/index.html" not in texts
    assert not leaks(texts, "restricted")

    check = subprocess.run([str(Path(sys.executable).with_name("postmortem")), "check", "--no-cache"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and expected in check.stdout, check.stdout + check.stderr
    assert "guide.md" not in check.stdout


def test_what_makes_a_page_a_postmortem():
    from postmortem_kb.core.misplaced import misplaced

    def finding(text: str):
        return misplaced("docs/x.md", text.encode("utf-8"), "postmortems")

    assert finding("---\nstarted_at: 2024-01-01T00:00:00Z\nseverity: SEV2\n---\n# X\n").line == 2
    assert finding("\ufeff---\ntitle: x\n\nseverity: SEV2\naction_items: []\n---\n").line == 4
    assert finding("---\nseverity: SEV2\n---\n# X\n") is None  # one field of the format proves nothing
    assert finding("# started_at and severity in prose\n") is None  # no front matter
    assert finding("---\nstarted_at: [\nseverity: x\n---\n").line == 2  # broken YAML: refused all the same
    assert finding("---\nextra:\n  severity: x\n  started_at: y\n---\n") is None  # loaded: nested keys are not the format's
    assert finding("---\ntitle: Guide\n---\n```yaml\nseverity: SEV2\nstarted_at: x\n```\n") is None  # the body is not read
    assert finding("---\n- started_at\n- severity\n---\n") is None  # not a mapping


def test_links_to_left_out_postmortems_become_plain_text(tmp_path):
    """A public postmortem linking to an internal one builds with --strict for the public
    audience: the link's text stays, the link (whose address names the incident) goes."""
    public = postmortem("public").replace("[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]", "[]")
    public = public.replace("## Impact\n", "## Impact\n\nAs in [the earlier outage](../2023/zqinternalfile.md#impact) "
                            "and [the same one](../2023/zqinternalfile.md).\n", 1)
    assert "the earlier outage" in public
    root = make_project(tmp_path / "kb", {"2024/zqpublicfile.md": public, "2023/zqinternalfile.md": postmortem("internal")},
                        {"audience": "public", "reference_date": "2026-01-15"},
                        docs={"index.md": "# Home\n\nSee [an internal one](postmortems/2023/zqinternalfile.md).\n"})
    result = build(root)
    assert result.returncode == 0, result.output
    page = result.read("postmortems/2024/zqpublicfile/index.html")
    assert '<span class="pmkb-left-out">the earlier outage</span>' in page
    assert '<span class="pmkb-left-out">the same one</span>' in page
    assert '<span class="pmkb-left-out">an internal one</span>' in result.read("index.html")
    assert not leaks(output_texts(result.site), "internal")
    assert "zqinternalfile/ is shown as plain text" in result.output
    # The internal site keeps the links.
    internal = make_project(tmp_path / "internal", {"2024/zqpublicfile.md": public, "2023/zqinternalfile.md": postmortem("internal")},
                            {"audience": "internal", "reference_date": "2026-01-15"})
    result = build(internal)
    assert result.returncode == 0, result.output
    assert 'href="../../2023/zqinternalfile/#impact">the earlier outage</a>' in result.read("postmortems/2024/zqpublicfile/index.html")


def test_unlink_keeps_other_links():
    from postmortem_kb.render.unlink import LeftOut

    unlink = lambda text, page, urls: LeftOut(urls).unlink(text, page)  # noqa: E731
    page = "postmortems/2024/a/"
    text = ('<a href="../../2023/b/">b</a> <a href="../../2023/b/index.html#x">b2</a> <a href="#top">top</a> '
            '<a href="https://example.com/postmortems/2023/b/">ext</a> <a class="x" href="../c/">c</a>')
    out, gone = unlink(text, page, {"postmortems/2023/b/"})
    assert gone == ["postmortems/2023/b/", "postmortems/2023/b/"]
    assert out.startswith('<span class="pmkb-left-out">b</span> <span class="pmkb-left-out">b2</span> <a href="#top">')
    assert '<a href="https://example.com/postmortems/2023/b/">ext</a>' in out and '<a class="x" href="../c/">c</a>' in out
    assert unlink(text, page, set()) == (text, [])


@pytest.mark.parametrize("spoil", [
    lambda t: t.replace("near_miss: false", "near_miss: false\nnear_miss: false"),  # duplicate key
    lambda t: t[:4] + t[4:].replace("\n---\n", "\n...\n", 1),  # closed with `...`
    lambda t: t.replace("## Impact", "## Impact\n\x0c"),  # a control character
    lambda t: t.replace("title: Outage", "title: Embargoed: outage"),  # a colon in a value
    lambda t: t.replace("near_miss: false", "near_miss: !ENV X"),  # a tag MkDocs reads
    lambda t: t.replace("\n---\n", "\n\n", 2).replace("---\n", "---\n", 1),  # never closed
], ids=["duplicate-key", "dots", "control", "colon", "env-tag", "unclosed"])
def test_a_misplaced_postmortem_our_reader_refuses_is_still_refused(spoil):
    """Fail closed: MkDocs publishes the page anyway (unreadable front matter as text)."""
    from postmortem_kb.core.misplaced import misplaced

    text = spoil(postmortem("restricted"))
    assert text.startswith("---\n") and text != postmortem("restricted")
    finding = misplaced("docs/x.md", text.encode("utf-8"), "postmortems")
    assert finding is not None and finding.line == text.splitlines().index("severity: SEV1") + 1


def test_misplaced_pages_are_found_as_mkdocs_finds_them(tmp_path):
    """Other Markdown extensions, and folders reached through a symbolic link, once each."""
    from postmortem_kb.core.misplaced import pages

    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    for name in ("x.markdown", "y.mkd", "z.md", "notes.txt", ".hidden.md"):
        (docs / "a" / name).write_text("# x\n", encoding="utf-8")
    (docs / "link").symlink_to(docs / "a", target_is_directory=True)
    (docs / "a" / "loop").symlink_to(docs, target_is_directory=True)
    found = sorted(rel for rel, _ in pages(docs))
    assert {"a/x.markdown", "a/y.mkd", "a/z.md"} <= set(found) and not any("notes" in f or "hidden" in f for f in found)
    assert len(found) == len(set(found)) <= 6  # the loop is entered once at most


def test_unlink_reads_raw_html_however_it_is_written():
    from postmortem_kb.render.unlink import LeftOut

    left = LeftOut({"postmortems/2023/b/"})
    page = "guide/"
    for anchor in ("<a href='../postmortems/2023/b/'>b</a>", "<a href=../postmortems/2023/b/>b</a>",
                   '<A HREF="../postmortems/2023/b/">b</A>', '<a href = "../postmortems/2023/b/" class="x">b</a>'):
        out, gone = left.unlink(f"<p>{anchor}</p>", page)
        assert out == '<p><span class="pmkb-left-out">b</span></p>' and gone == ["postmortems/2023/b/"], anchor
    out, gone = left.unlink('<img alt="graph" src="../postmortems/2023/b/"><iframe SRC=../postmortems/2023/b/></iframe>', page)
    assert out == '<img alt="graph" src=""><iframe SRC=""></iframe>' and len(gone) == 2
    other = ('<video poster="../postmortems/2023/b/"></video><object data="../postmortems/2023/b/"></object>'
             '<area href="../postmortems/2023/b/"><form action="../postmortems/2023/b/"></form>')
    out, gone = left.unlink(other, page)
    assert "postmortems/2023/b" not in out and len(gone) == 4, out
    kept = '<a href="../postmortems/2023/c/">c</a><img src="../assets/b.png">'
    assert left.unlink(kept, page) == (kept, [])


def test_a_nav_entry_for_a_left_out_postmortem_leaves_the_navigation(tmp_path):
    """It linked to a page that is not built, from every page of the site."""
    public = postmortem("public").replace("[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]", "[]")
    root = make_project(tmp_path / "kb", {"2024/zqpublicfile.md": public, "2023/zqinternalfile.md": postmortem("internal")},
                        {"audience": "public", "reference_date": "2026-01-15"},
                        nav=["index.md", {"Outages": ["postmortems/2024/zqpublicfile.md", {"Old": "postmortems/2023/zqinternalfile.md"}]},
                             {"Internal": ["postmortems/2023/zqinternalfile.md"]}])
    result = build(root)
    assert result.returncode == 0, result.output
    assert "nav lists postmortems/2023/zqinternalfile.md, a postmortem this build leaves out" in result.output
    texts = output_texts(result.site)
    assert not leaks(texts, "internal")
    home = result.read("index.html")
    assert "zqpublicfile" in home and ">Internal<" not in home  # an emptied section goes too


def test_pages_mkdocs_leaves_out_are_not_misplaced(tmp_path):
    """`exclude_docs` (and MkDocs' default `/templates/`) are never built: nothing to refuse."""
    import subprocess
    import sys

    misplaced = postmortem("restricted")
    root = make_project(tmp_path / "kb", {"2024/zqpublicfile.md": postmortem("public").replace(
                            "[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]", "[]")},
                        {"audience": "public", "reference_date": "2026-01-15"},
                        docs={"index.md": "# Home\n", "archive/old.md": misplaced, "templates/pm.md": misplaced},
                        extra_config={"exclude_docs": "archive/\n"})
    assert build(root).returncode == 0
    check = subprocess.run([str(Path(sys.executable).with_name("postmortem")), "check", "--no-cache"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "misplaced" not in check.stdout, check.stdout


@pytest.mark.parametrize("head", [
    lambda t: "\n" + t,  # a blank first line: MkDocs shows the front matter as text
    lambda t: "%YAML 1.2\n" + t,
    lambda t: t.replace("severity:", "Severity:").replace("started_at:", "Started_at:"),
    lambda t: t[4:].replace("\n---\n", "\n\n", 1),  # no fences: MultiMarkdown metadata
    lambda t: t.replace("severity: SEV1\n", "").replace("started_at:", "{severity: SEV1, severity: SEV2, started_at:", 1)
              .replace("Z\ndetected_at", "Z}\ndetected_at", 1),  # a flow mapping with a duplicate key
], ids=["blank-line", "yaml-directive", "key-case", "no-fences", "flow-duplicate"])
def test_misplaced_postmortems_written_the_odd_ways_mkdocs_still_publishes(head):
    from postmortem_kb.core.misplaced import misplaced

    text = head(postmortem("restricted"))
    assert misplaced("docs/x.md", text.encode("utf-8"), "postmortems") is not None, text[:300]


def test_a_status_page_with_nested_keys_is_not_a_postmortem():
    from postmortem_kb.core.misplaced import misplaced

    page = "---\ntitle: Status\ntitle: Status page\nalerts:\n  severity: high\n  started_at: 09:00\n---\n# Status\n"
    assert misplaced("docs/status.md", page.encode(), "postmortems") is None
    rule = "---\n\nA page that starts with a rule.\n\n```yaml\nseverity: SEV2\nstarted_at: x\n```\n"
    assert misplaced("docs/rule.md", rule.encode(), "postmortems") is None


def test_misplaced_upper_case_md_and_links_to_misplaced_pages(tmp_path):
    """MkDocs copies `x.MD` as it is: refused too. Links and nav entries to a refused page
    are handled like those to any left-out postmortem, absolute ones included."""
    public = postmortem("public").replace("[ZQINTERNAL-ID, ZQRESTRICTED-ID, ZQDRAFT-ID]", "[]").replace(
        "## Impact\n", "## Impact\n\nSee [this](/postmortems/2023/zqinternalfile.md) and [that](../../leak/zqdraftfile.md).\n", 1)
    root = make_project(tmp_path / "kb", {"2024/zqpublicfile.md": public, "2023/zqinternalfile.md": postmortem("internal")},
                        {"audience": "public", "reference_date": "2026-01-15"},
                        docs={"index.md": "# Home\n", "leak/zqrestrictedfile.MD": postmortem("restricted"),
                              "leak/zqdraftfile.md": postmortem("draft")},
                        nav=["index.md", "leak/zqdraftfile.md", {"Abs": "/postmortems/2023/zqinternalfile.md"},
                             {"Full": "https://kb.example.com/postmortems/2023/zqinternalfile/"}])
    import subprocess
    import sys

    lenient = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build"], cwd=root,
                             capture_output=True, text=True, timeout=300)
    output = lenient.stdout + lenient.stderr
    assert "docs/leak/zqrestrictedfile.MD:" in output and "docs/leak/zqdraftfile.md:" in output
    texts = output_texts(root / "site")
    for kind in ("restricted", "draft", "internal"):
        assert not leaks(texts, kind), (kind, leaks(texts, kind)[:3])
