"""The `postmortems` MkDocs plugin: a thin adapter over the pure core.

Event by event:

- `on_startup`: defining it keeps one plugin instance across `mkdocs serve`
  rebuilds, so the parse cache survives them.
- `on_config`: validate options into `Settings`; find the templates; add CSS.
- `on_files` (late): validate every postmortem; log every finding; add the
  published postmortems and the generated pages as files, outside the nav.
- `on_nav` (last): a large build forks the child that composes, converts and
  splits a share of the postmortem pages, then converts the generated pages
  (`prerender.py`, `search/presplit.py`).
- `on_page_read_source` / `on_page_markdown`: serve a postmortem's body (MkDocs
  never parses its YAML itself) and weave in the rendered header and blocks.
- `on_page_content`: mark the timeline and fill the blocks.
- `on_env` (last): a large build forks the child that writes a share of the
  pages (`writer.py`).
- `on_page_context`: the lighter copy for Material's indexer, and back; expose
  the record; keep the context of a page the child writes.
- `on_post_build`: first wait for that child, then write the exports and run
  Pagefind.
"""

from __future__ import annotations

import dataclasses
import gc
import html
import os
import pickle
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from collections.abc import Iterator

from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import _add_previous_and_next_links
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from ..core.audience import is_preview
from ..core.forked import ForkedStream
from ..core.misplaced import MARKDOWN_EXTENSIONS, misplaced
from ..core.knowledge_base import PARALLEL_MIN_FILES, KnowledgeBase, ParseCache, load_knowledge_base
from ..core.model import Postmortem
from ..core.settings import Settings
from ..core.similar import SimilarityIndex
from ..exports import render_exports, write_exports
from ..pages import GeneratedPage
from ..pages.lessons import lessons_page
from ..pages.home import MARKER as HOME_MARKER
from ..pages.home import overview_block
from ..pages.context import Context, build_context
from ..pages.registry import generate_pages
from ..render import urls
from ..render.blocks import fill_blocks
from ..render.unlink import LeftOut
from ..render.environment import Renderer
from ..render.postmortem_page import Link, compose_markdown, mark_timeline
from ..search import generated_search_meta, page_search_meta, pagefind_body
from ..core.findings import visible
from ..search import dirty as dirty_search
from ..search import presplit
from ..search.lean import flat_block, search_copy
from .config import PostmortemsConfig, to_settings
from .memo import BuildMemo, template_state
from .reliability import closing_line, empty_site_dir, keep_last_good  # issue 7
from . import prerender
from .child_log import capture_in_child, replay
from .writer import SEARCH_PLUGIN_MODULES, SHARE, PageWriter, chosen
from ..render.sanitize import neutralise_markdown, scrub_html  # issue 7

log = get_plugin_logger(__name__)

TEMPLATE = "postmortem.html"
STYLESHEETS = (
    "assets/stylesheets/postmortem-kb.css",
    "assets/stylesheets/postmortem-kb-indexes.css",
)
JAVASCRIPTS = ("assets/javascripts/postmortem-kb.js",)
# Search (issue 4): lessons page, Pagefind page and print styles; the Pagefind UI loader.
SEARCH_STYLESHEETS = ("assets/stylesheets/postmortem-kb-search.css",)
SEARCH_JAVASCRIPTS = ("assets/javascripts/postmortem-kb-search.js",)


# What Material's search plugin removes from every page after indexing it (kept in step).
_MATERIAL_SEARCH_ATTRS = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
_VALUED_SEARCH_ATTR = re.compile(r"data-search-\w+=\"[^\"]+\"")


def _strip_search_attrs(html: str) -> str:
    """`_MATERIAL_SEARCH_ATTRS.sub("", html)`, without scanning pages that have none
    (ours carry only bare `data-search-exclude`; the pattern alone tries every position)."""
    position = html.find("data-search-")
    while position >= 0:
        if _VALUED_SEARCH_ATTR.match(html, position):
            return _MATERIAL_SEARCH_ATTRS.sub("", html)
        position = html.find("data-search-", position + 1)
    return html


def _edit_uri_problem(config: MkDocsConfig, root: Path, postmortems_dir: str) -> str | None:
    """Why `edit_uri` would give wrong edit links, or None.

    MkDocs joins each page's path (relative to `docs_dir`) to `edit_uri`, so it
    must end with the docs folder; a postmortem's path is `../postmortems/...`
    from there (see `_edit_path`), which climbs out of whatever it ends with.
    """
    if not config.edit_uri or config.edit_uri_template:
        return None
    docs = os.path.relpath(config.docs_dir, root).replace(os.sep, "/")
    if docs.startswith("..") or docs == ".":
        return None
    path = urlsplit(config.edit_uri).path.rstrip("/")
    if path == docs or path.endswith("/" + docs):
        return None
    return (
        f"postmortems: edit_uri `{visible(config.edit_uri)}` does not end with the docs folder `{docs}/`, "
        "which MkDocs joins each page's path to: the edit links of pages and of postmortems "
        f"(`../{postmortems_dir}/...` from there) point at the wrong files; end it with `{docs}/` "
        f"(MkDocs' default form, as in `edit/main/{docs}/`)"
    )


def _is_attr_list(extension: Any) -> bool:
    """Whether a `markdown_extensions` entry (a name, a dotted path or an instance) is attr_list."""
    if isinstance(extension, str):
        return extension.rsplit(".", 1)[-1] == "attr_list"
    return type(extension).__name__ == "AttrListExtension"


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    supports_multiple_instances = False
    # Issue 6: Material's indexer reads a lighter copy of the pages (search/lean.py).
    # Off only in the test that proves the index is the same either way.
    search_copy = True

    def __init__(self) -> None:
        self.cache = ParseCache()
        self.is_serve = False
        self.settings: Settings | None = None
        self.root = Path(".")
        self.kb: KnowledgeBase | None = None
        self.renderer: Renderer | None = None
        self.by_src: dict[str, Postmortem] = {}
        self.left_out = LeftOut()  # the pages of the postmortems this build leaves out
        self.similar: SimilarityIndex | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.page_blocks: dict[str, tuple[str, ...]] = {}
        self.context: Context | None = None
        self.published_by_id: dict[str, Postmortem] = {}
        # Issue 7 (failure behaviour): see plugin/reliability.py.
        self.dirty = False
        self._site_dir = ""
        self.last_good: dict[str, Postmortem] = {}
        # Issue 6: what `mkdocs serve` can reuse from the previous build (plugin/memo.py).
        self.memo = BuildMemo()
        self._material_search = False
        self._full_content: tuple[Page, str] | None = None
        self._early_exports: Any = None  # rendered by the child that writes pages (see _start_writing)
        # Issue 6: postmortem pages composed in a forked child (see _start_composing).
        self._later: ForkedStream[tuple[str, Any]] | None = None
        self._later_urls: dict[str, str] = {}
        self._later_generated: set[str] = set()  # generated pages the child converts
        self._parallel = False  # this build may fork (set in on_files)
        # Issue 6: blocks the search indexer may read flattened (search/lean.py `flat_block`):
        # by page, the HTML they were found in and (start, end, flat copy) for each.
        self._page_flats: dict[str, tuple[str | None, ...]] = {}
        self._flat_spans: dict[str, tuple[str, list[tuple[int, int, str]]]] = {}
        # Issue 6: a share of the pages rendered and written by a forked child (plugin/writer.py).
        self._nav: Any = None
        self._writer: PageWriter | None = None
        self._index_here = True  # False in that child: the search index is collected here only
        # Issue 6: search sections the composing child split (search/presplit.py), pickled, by page.
        self._page_sections: dict[str, tuple[bytes, bytes]] = {}
        self._presplit: tuple[Page, bytes] | None = None
        self._search_plugins: list[Any] = []
        # `serve --dirty`: the search index as it should be after the last rebuild, and the
        # pages rendered in this one (search/dirty.py says why Material's own merge is not enough).
        self._dirty_index: list[dict[str, Any]] | None = None
        self._rendered_urls: set[str] = set()
        self._fresh_entries: list[dict[str, Any]] | None = None
        self._page_urls: set[str] | None = None  # the pages this build has, for the same merge
        self._kept = 0  # invalid postmortems served at their last valid version (serve)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.kb, self._site_dir = None, config.site_dir  # issue 7: no stale state in on_build_error
        self._full_content, self._nav = None, None
        self._page_sections, self._presplit = {}, None
        self._rendered_urls, self._fresh_entries = set(), None  # a failed build's are not this one's
        self._stop_writing()
        if not self.config.enabled:
            return None
        try:
            self.settings = to_settings(self.config)
        except ValidationError as exc:
            raise PluginError(f"postmortems: invalid configuration: {exc}") from None
        self.root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        dirs = [Path(d) for d in config.theme.dirs]
        if not any((d / TEMPLATE).is_file() for d in dirs):
            raise PluginError(
                f"postmortems: the template {TEMPLATE} was not found in the theme folders "
                f"({', '.join(str(d) for d in dirs)}); set `theme.custom_dir` to a folder holding "
                "postmortem-kb's templates (the repository's theme_overrides/)"
            )
        self.renderer = Renderer(dirs)
        self._search_plugins = [
            p for p in config.plugins.values()
            if type(p).__module__.startswith(SEARCH_PLUGIN_MODULES)
        ]
        self._material_search = any(
            type(p).__module__.startswith("material.plugins.search") for p in config.plugins.values()
        )
        for position, sheet in enumerate(STYLESHEETS):
            if sheet not in config.extra_css:
                config.extra_css.insert(position, sheet)
        for sheet in SEARCH_STYLESHEETS:  # search (issue 4)
            if sheet not in config.extra_css:
                config.extra_css.append(sheet)
        for script in (*JAVASCRIPTS, *SEARCH_JAVASCRIPTS):
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)
        problem = _edit_uri_problem(config, self.root, self.settings.postmortems_dir)
        if problem:
            log.warning(problem)
        # The generated pages anchor headings with attr_list (`## Time and expiry {#time-expiry}`).
        if not any(_is_attr_list(extension) for extension in config.markdown_extensions):
            config.markdown_extensions.append("attr_list")
        return config

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.settings is None or self.renderer is None:
            return None
        # Issue 6: a build validates in one process per CPU. Workers are forked,
        # which is safe only while this is the process's one thread: `serve`
        # rebuilds (beside the server's threads; they re-read only changed files
        # anyway), or another plugin's threads, keep it to one process.
        alone = not self.is_serve and threading.active_count() == 1
        kb = load_knowledge_base(self.root, self.settings, cache=self.cache, workers=None if alone else 1)
        self.kb = kb
        self._kept = 0
        if self.is_serve:  # issue 7: a postmortem being edited keeps its last good version
            for path in keep_last_good(kb, self.last_good):
                log.warning(f"{visible(path)}: has errors; serving its last valid version until they are fixed")
                self._kept += 1
        for finding in kb.findings:
            if finding.is_error:
                log.error(finding.format())
            else:
                log.warning(finding.format())
        self._log_summary(kb)
        misplaced_files = self._leave_out_misplaced(files)

        self.by_src = {}
        for pm in kb.published:
            if files.get_file_from_path(pm.path) is not None:
                log.warning(f"{visible(pm.path)}: a page with this path already exists in docs_dir; the postmortem is not added twice")
                continue
            file = File(
                pm.path,
                src_dir=str(self.root),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
                inclusion=InclusionLevel.NOT_IN_NAV,
            )
            file.edit_uri = self._edit_path(pm.path, config)
            files.append(file)
            self.by_src[pm.path] = pm
        # Postmortems this build leaves out are known to MkDocs as excluded: a link to one
        # is then an INFO line instead of "not found" (which fails --strict), and
        # `on_page_content` turns it into plain text. They are never built nor copied.
        left_out: dict[str, str] = dict(misplaced_files)  # source path -> URL
        for result in kb.results:
            if result.path not in self.by_src and files.get_file_from_path(result.path) is None:
                file = File(result.path, src_dir=str(self.root), dest_dir=config.site_dir,
                            use_directory_urls=config.use_directory_urls, inclusion=InclusionLevel.EXCLUDED)
                files.append(file)
                left_out[result.path] = file.url
        self.left_out = LeftOut(left_out.values(), left_out)
        previous = dict(self.generated)
        # Half the generated pages in a forked child, on the same terms as validation
        # (checked again: validation forks children, never threads, but another plugin may).
        derived = self._derive(kb, config, parallel=alone and threading.active_count() == 1)
        self.similar = derived["similar"]
        self.published_by_id = derived["published_by_id"]
        self.context = derived["context"]

        self.generated = {}
        for page in derived["pages"]:
            if files.get_file_from_path(page.src_uri) is not None:
                log.info(f"{page.src_uri} is written by an author; the generated page is not used")
                continue
            inclusion = InclusionLevel.UNDEFINED if page.in_nav else InclusionLevel.NOT_IN_NAV
            file = _GeneratedFile.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            # A `--dirty` rebuild skips a generated page whose content is the previous build's.
            file.unchanged = previous.get(page.src_uri) is page
            files.append(file)
            self.generated[page.src_uri] = page
        self._parallel = alone
        return files

    def _leave_out_misplaced(self, files: Files) -> dict[str, str]:
        """A postmortem saved under `docs_dir` is an error, and its file is not built nor
        copied: MkDocs would publish it whatever its status and visibility. Returns the
        source paths and URLs of those files, which the build leaves out like the others."""
        assert self.settings is not None
        found: dict[str, str] = {}
        for file in list(files):
            # Pages and `.MD` files (MkDocs copies those as they are), drafts included
            # (`serve` shows them); never `exclude_docs`, which nothing shows.
            if (file.generated_by is not None or not file.abs_src_path
                    or not file.src_uri.lower().endswith(MARKDOWN_EXTENSIONS)
                    or not file.inclusion.is_in_serve()):
                continue
            try:
                data = Path(file.abs_src_path).read_bytes()
            except OSError:
                continue  # MkDocs reports it when it reads the page
            shown = os.path.relpath(file.abs_src_path, self.root).replace(os.sep, "/")
            finding = misplaced(shown, data, self.settings.postmortems_dir)
            if finding is not None:
                log.error(finding.format())
                file.inclusion = InclusionLevel.EXCLUDED
                found[file.src_uri] = file.url
        return found

    def _edit_path(self, path: str, config: MkDocsConfig) -> str:
        """A postmortem's path as MkDocs joins it to `edit_uri`, which points at `docs_dir`
        in the repository (`edit/main/docs/`, MkDocs' own default): `../postmortems/...`.

        Quoted, as MkDocs appends it as it is (`a #2.md` would link to `a `), unless an
        `edit_uri_template` quotes it itself (`{path!q}`, for a query parameter).
        """
        relative = os.path.relpath(self.root / path, config.docs_dir).replace(os.sep, "/")
        return relative if "!q}" in str(config.edit_uri_template or "") else quote(relative)

    def _start_composing(self, config: MkDocsConfig, files: Files) -> None:
        """Issue 6: a large build composes a share of the postmortem pages in a
        forked child, and converts their Markdown there, while MkDocs renders
        the others here (plugin/prerender.py); then the child converts the
        generated index pages, which MkDocs reaches last.

        The child takes the pages in the order MkDocs reads them and sends each
        as soon as it is done. Besides composing (about a tenth of what a page
        costs) and converting it proves which blocks Material's search indexer
        may read flattened (`search.lean.flat_block`): that saves the indexer
        here as much as it costs there. A page whose URL is not the one the
        child used, or that the child did not deliver, is composed and
        converted here as usual: the Markdown is the same either way.
        """
        self._stop_composing()
        # Only a build where validation could fork (`_parallel`), and not `--dirty`: it
        # renders only the pages that changed, a few, composed here as they come.
        if not self._parallel or self.dirty or len(self.by_src) < PARALLEL_MIN_FILES:
            return
        if threading.active_count() != 1:  # checked again: another plugin may have started one
            return
        convert = prerender.possible(config)
        split = convert and self.search_copy and self._material_search and presplit.available()
        order = [f for f in files.documentation_pages() if f.src_uri in self.by_src]
        later = {f.src_uri: f.url for f in chosen(order, PRERENDER_SHARE if convert else 2 / 3)}
        # The index pages come after the postmortems in MkDocs' order, when the child has
        # sent its postmortem pages: it converts them all (0.7 ms a page, 0.3 s at 1,000).
        generated = [f for f in files.documentation_pages() if f.src_uri in self.generated] if convert else []

        def compose_later() -> Iterator[tuple[str, Any]]:
            # Converting Markdown leaves reference cycles (each Markdown instance and its
            # processors): collect them, but never walk what the child inherited (that would
            # copy the parent's memory page by page). Measured at 10,000: 350 MB without this.
            gc.freeze()
            gc.enable()
            capture = capture_in_child()
            for src, url in later.items():
                try:
                    markdown, blocks = self._compose(self.by_src[src], url)
                    flats = tuple(flat_block(b) if _FLATTEN_MIN <= len(b) and _RELATED_LIST not in b else None for b in blocks)
                    composing = capture.take()  # logged here when MkDocs reaches the page's Markdown
                    file = files.get_file_from_path(src)
                    rendered = prerender.render_in_child(file, markdown, config, files, capture) if convert and file else None
                    sections = None
                    if rendered is not None and split:
                        # What the indexer will read here (see _on_page_context_search_copy), split there.
                        final = _finish(rendered.content, blocks)
                        spans = _spans(final, blocks, flats)
                        lean = search_copy(_with_flats(final, spans) if spans else final)
                        sections = (presplit.digest(final), pickle.dumps(presplit.split(lean), pickle.HIGHEST_PROTOCOL))
                    yield src, (markdown, blocks, flats, rendered, sections, composing)
                except Exception:  # noqa: BLE001 - left out: done here, and reported for its own page
                    capture.take()
                    yield src, None
            for file in generated:
                try:
                    # What MkDocs' `read_source` makes of the file, which this plugin's
                    # `on_page_markdown` leaves as it is (see _generated_later).
                    markdown, _ = get_data(self.generated[file.src_uri].markdown)
                    yield file.src_uri, prerender.render_in_child(file, markdown, config, files, capture)
                except Exception:  # noqa: BLE001 - converted here instead
                    capture.take()
                    yield file.src_uri, None

        self._later_urls = later
        self._later_generated = {f.src_uri for f in generated}
        # A child that fails hands over nothing more: each page left is then done here.
        self._later = ForkedStream(compose_later)

    def _composed_later(self, src: str, url: str) -> _Composed | None:
        """The child's work on this postmortem page, if it did it for this URL."""
        if self._later_urls.get(src) != url:
            return None
        composed: _Composed | None = self._from_child(src)
        return composed

    def _generated_later(self, src: str) -> prerender.Rendered | None:
        """The child's conversion of this generated page, if it made one."""
        if src not in self._later_generated:
            return None
        rendered: prerender.Rendered | None = self._from_child(src)
        return rendered

    def _from_child(self, src: str) -> Any:
        """The composing child's item for `src`: it sends them in MkDocs' order, so
        the items of pages MkDocs did not ask for (skipped, or in another order) are passed."""
        while self._later is not None:
            item = self._later.next()
            if item is None:  # all sent, or the child failed
                self._later = None
                return None
            if item[0] == src:  # the pages come in MkDocs' order; a page MkDocs skipped is passed
                return item[1]
        return None

    def _stop_composing(self) -> None:
        if self._later is not None:
            self._later.cancel()
        self._later, self._later_urls, self._later_generated = None, {}, set()
        self._page_flats = {}

    def _compose(
        self, pm: Postmortem, url: str, neighbours: tuple[list[Link], list[Any], bool] | None = None
    ) -> tuple[str, tuple[str, ...]]:
        """A postmortem page's Markdown and the HTML blocks its markers stand for
        (`neighbours`: `_neighbours(pm)` when the caller has it already)."""
        assert self.settings is not None and self.renderer is not None
        related, similar, preview = neighbours or self._neighbours(pm)
        # Issue 7: raw HTML pasted into the body is shown as text, never run.
        safe = dataclasses.replace(pm, body=neutralise_markdown(pm.body))
        return compose_markdown(safe, self.settings, self.renderer, url, related, similar, preview=preview)

    def _neighbours(self, pm: Postmortem) -> tuple[list[Link], list[Any], bool]:
        """Related and similar incidents, and whether the page is a preview."""
        published = self.published_by_id
        related = [
            Link(f"{published[r].id}: {published[r].title}", urls.postmortem(published[r].path))
            for r in pm.related
            if r in published
        ]
        return related, self._similar(pm), is_preview(pm)

    def _derive(self, kb: KnowledgeBase, config: MkDocsConfig, *, parallel: bool = False) -> dict[str, Any]:
        """Everything computed from the published front matter; reused while serving if unchanged."""
        assert self.renderer is not None
        memo = self.memo
        key = (self.settings, repr(sorted(dict(self.config).items())), tuple(sorted(kb.excluded.items())),
               kb.invalid, config.site_url, config.use_directory_urls, template_state(config.theme.dirs))
        if self.is_serve and memo.start(key, kb.published):
            derived = memo.derived
            if not memo.lessons_unchanged():
                lessons = lessons_page(kb, self.renderer)
                derived["pages"] = [lessons if p.src_uri == lessons.src_uri else p for p in derived["pages"]]
            return derived
        context = build_context(kb, self.renderer, self.config)  # shared by the generated pages and the home block
        derived = {
            "similar": SimilarityIndex(kb.published, {c.slug: c.title for c in kb.settings.taxonomy}),
            "similar_results": {},
            # Built once per build: `kb.by_id` is a property that makes a new dict per call.
            "published_by_id": kb.by_id,
            "context": context,
        }
        derived["pages"] = generate_pages(kb, self.renderer, self.config, context, parallel=parallel)
        if self.is_serve:
            memo.remember(key, derived)
        return derived

    def _similar(self, pm: Postmortem) -> list[Any]:
        if self.similar is None:
            return []
        results: dict[str, list[Any]] = self.memo.derived.get("similar_results", {}) if self.is_serve else {}
        found = results.get(pm.id)
        if found is None:
            found = self.similar.similar(pm, self.settings.related_limit if self.settings else 0, exclude=set(pm.related))
            results[pm.id] = found
        return found

    def _log_summary(self, kb: KnowledgeBase) -> None:
        left_out = sum(kb.excluded.values())
        parts = [f"{len(kb.published)} published", f"{left_out} left out"]
        if kb.invalid:
            parts.append(f"{kb.invalid} invalid (see the errors above)")
        message = "postmortems: " + ", ".join(parts)
        if kb.excluded:
            reasons = Counter(kb.excluded)
            message += " - left out: " + "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        log.info(message)

    # Last: the navigation and the environment MkDocs builds the pages with.
    @event_priority(-1000)
    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.left_out:
            self._drop_left_out(nav, config.site_url or "")
        self._nav = nav
        # The files and their URLs are final now: the child composes with them.
        if self.config.enabled and self.settings is not None:
            self._start_composing(config, files)
        return nav

    def _drop_left_out(self, nav: Any, site_url: str) -> None:
        """A `nav:` entry naming a postmortem this build leaves out is taken out of the
        navigation (it would link to a page that is not built, on every page), with an
        INFO line, as for a body link to one."""
        dropped: list[Any] = []

        def prune(items: list[Any]) -> list[Any]:
            kept = []
            for item in items:
                children = getattr(item, "children", None)
                if children is not None:
                    item.children = prune(children)
                    if item.children or not children:
                        kept.append(item)
                elif getattr(item, "file", None) is not None and item.file.src_uri in self.left_out.sources:
                    dropped.append(item)
                elif getattr(item, "file", None) is None and self.left_out.names_page(getattr(item, "url", "") or "", site_url):
                    dropped.append(item)  # an absolute path or a full URL: a `Link`
                else:
                    kept.append(item)
            return kept

        nav.items = prune(nav.items)
        if not dropped:
            return
        nav.pages = [page for page in nav.pages if page not in dropped]
        _add_previous_and_next_links(nav.pages)
        for item in dropped:
            named = item.file.src_uri if getattr(item, "file", None) is not None else item.url
            log.info(f"nav lists {visible(named)}, a postmortem this build leaves out: "
                     "it is not in the navigation")

    @event_priority(-1000)
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.dirty and self.is_serve:  # search/dirty.py: a deleted or renamed page leaves search
            # As `Page.url` gives them (the home page's `./` is ``), which search locations use.
            self._page_urls = {"" if file.url in (".", "./") else file.url for file in files.documentation_pages()}
        # Every page has its Markdown now: compositions nobody asked for (pages another
        # plugin or `--dirty` skipped) are dropped, and a child still at work ends.
        self._stop_composing()
        self._start_writing(env, config, files)
        return env

    def _start_writing(self, env: Any, config: MkDocsConfig, files: Files) -> None:
        """Issue 6: a large build renders and writes a share of its pages in a forked
        child while MkDocs goes through all of them here (plugin/writer.py)."""
        self._stop_writing()
        if (
            not self.config.enabled
            or self.is_serve
            or self.dirty
            or self._nav is None
            or threading.active_count() != 1  # fork only a one-thread process
            or not PageWriter.possible(config, self)
        ):
            return
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        pages = [file.page for file in doc_files if file.page is not None]
        if len(pages) < PARALLEL_MIN_FILES:
            return
        # Written by MkDocs before the pages (a page must overwrite them, not the reverse).
        reserved = {file.dest_uri for file in files if not file.is_documentation_page()}
        reserved |= set(config.theme.static_templates) | set(config.extra_templates)
        kb, site_url = self.kb, config.site_url
        self._writer = PageWriter(
            chosen(pages, SHARE, lambda page: page.file.dest_uri in reserved),
            config, doc_files, self._nav, env, in_child=self._in_writer_child,
            # That child has time to spare: it also renders the exports (written at on_post_build).
            also=(lambda: render_exports(kb, site_url)) if self.config.exports and kb is not None else None,
        )

    def _in_writer_child(self) -> None:
        """In the writing child: its pages are indexed for search here, in the parent."""
        self._index_here = False
        for plugin in self._search_plugins:
            index = getattr(plugin, "search_index", None)
            if index is not None and hasattr(index, "add_entry_from_context"):
                index.add_entry_from_context = lambda page: None

    def _stop_writing(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._writer = None

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        pm = self.by_src.get(page.file.src_uri)
        if pm is None:
            return None
        # The body only: MkDocs must never parse a postmortem's YAML itself.
        return pm.body

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        src = page.file.src_uri
        pm = self.by_src.get(src)
        if pm is not None:
            assert self.settings is not None and self.renderer is not None and self.kb is not None
            page.title = html.escape(f"{pm.id}: {pm.title}")  # type: ignore[misc]
            page.meta = {"template": TEMPLATE, "search": page_search_meta()}
            url = page.url or urls.postmortem(pm.path)
            if self.is_serve:  # issue 6: an unchanged postmortem is not composed again
                neighbours = self._neighbours(pm)
                related, similar, preview = neighbours
                markdown, blocks = self.memo.compose(
                    src, (pm, url, preview, related, similar), lambda: self._compose(pm, url, neighbours)
                )
            else:
                later = self._composed_later(src, url)
                if later is not None:
                    markdown, blocks, self._page_flats[src], rendered, sections, composing = later
                    replay(composing)
                    if rendered is not None:
                        prerender.use_when_rendered(page, rendered)
                    if sections is not None:
                        self._page_sections[src] = sections
                else:
                    markdown, blocks = self._compose(pm, url)
            self.page_blocks[src] = blocks
            return markdown
        if HOME_MARKER in markdown and self.kb is not None and self.renderer is not None:
            markdown = markdown.replace(
                HOME_MARKER, overview_block(self.kb, self.renderer, page.url or "", self.config, self.context)  # issue 3: trends_period
            )
        generated = self.generated.get(src)
        if generated is not None:
            rendered = self._generated_later(src)  # never in `serve`: no composing child there
            if rendered is not None:  # used only if no later plugin changes the Markdown
                prerender.use_when_rendered(page, rendered)
            page.title = html.escape(generated.title)  # type: ignore[misc]
            if generated.search_exclude:
                page.meta.setdefault("search", {"exclude": True})
            search_meta = generated_search_meta(src)  # search (issue 4): listings stay out
            if search_meta is not None:
                page.meta.setdefault("search", search_meta)
        return markdown

    def on_page_content(self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.left_out:
            html_text, gone = self.left_out.unlink(html_text, page.url)
            for url in gone:
                log.info(f"{visible(page.file.src_uri)}: the link to {visible(url)} is shown as plain text: "
                         "that postmortem is not published in this build")
        content = self._page_content(html_text, page)
        return html_text if content is None else content

    def _page_content(self, html_text: str, page: Page) -> str | None:
        if page.file.src_uri in self.by_src:
            # Issue 7: scrub_html drops event handlers and script URLs from the rendered body.
            # Our blocks are filled in after scrubbing: they are escaped by construction.
            blocks = self.page_blocks.pop(page.file.src_uri, ())

            def finish() -> str:
                return _finish(html_text, blocks)

            if self.is_serve:  # issue 6: the same HTML and blocks as last time give the same page
                return self.memo.finish_content(page.file.src_uri, html_text, blocks, finish)
            final = finish()
            flats = self._page_flats.pop(page.file.src_uri, ())
            spans = _spans(final, blocks, flats) if flats and self.search_copy and self._material_search else []
            if spans:
                self._flat_spans[page.file.src_uri] = (final, spans)
            return final
        generated = self.generated.get(page.file.src_uri)
        if generated is not None and generated.blocks:  # issue 3: HTML kept out of Markdown
            return fill_blocks(html_text, generated.blocks)
        return None

    # Just before Material's search plugin (MkDocs' default priority, 0) indexes
    # `page.content`, and back just after: only other handlers at priority 0 see the copy.
    @event_priority(1)
    def _on_page_context_search_copy(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any] | None:
        if not (self.search_copy and self._material_search and self._index_here and page.content):
            return context
        src = page.file.src_uri
        generated = self.generated.get(src)
        if src in self.by_src or (generated is not None and src == urls.src_uri(urls.LESSONS)):
            html = page.content
            flat = self._flat_spans.pop(src, None)
            split = self._page_sections.pop(src, None)
            index = self._material_index() if split is not None else None
            if split is not None and index is not None and presplit.digest(html) == split[0]:
                # Split by the child from this very HTML: the indexer takes its sections.
                presplit.install(index, self._take_sections)
                self._presplit, lean = (page, split[1]), ""
            else:
                if flat is not None and flat[0] is html:  # unchanged since on_page_content
                    html = _with_flats(html, flat[1])
                lean = self.memo.search_copy(src, html, search_copy) if self.is_serve else search_copy(html)
        elif generated is not None and (page.meta.get("search") or {}).get("exclude"):
            lean = ""  # not indexed: the indexer only strips attributes, done on the full page below
        else:
            return context
        self._full_content, page.content = (page, page.content), lean
        return context

    def _material_index(self) -> Any:
        """Material's search index (made in its plugin's on_config), if Material's search is on."""
        for plugin in self._search_plugins:
            if type(plugin).__module__.startswith("material.plugins.search"):
                return getattr(plugin, "search_index", None)
        return None

    def _take_sections(self, page: Page) -> list[Any] | None:
        """For the indexer: the child's sections of this page, if it is the page they were kept for."""
        if self._presplit is None or self._presplit[0] is not page:
            return None
        sections, self._presplit = self._presplit[1], None
        return pickle.loads(sections)  # noqa: S301 - our own child's bytes

    @event_priority(-1)
    def _on_page_context_restore(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any] | None:
        if self._full_content is not None and self._full_content[0] is page:
            full, self._full_content = self._full_content[1], None
            page.content = _strip_search_attrs(full)
        pm = self.by_src.get(page.file.src_uri)
        if pm is not None:
            context["postmortem"] = pm
        if self.dirty and self.is_serve:
            self._rendered_urls.add(page.url)
        return context

    # Last: the context the template gets, kept for the pages a child writes (its fallback).
    @event_priority(-1000)
    def _on_page_context_keep(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any] | None:
        if self._writer is not None:
            self._writer.keep(page, context)
        return context

    on_page_context = CombinedEvent(_on_page_context_search_copy, _on_page_context_restore, _on_page_context_keep)

    # First: the pages the child wrote are all there before any plugin reads the site.
    @event_priority(1000)
    def _on_post_build_pages(self, *, config: MkDocsConfig) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            self._early_exports = writer.finish()  # None if the child failed: rendered here then

    def _on_post_build_site(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.kb is None:
            return
        self._flat_spans, self._page_sections, self._presplit = {}, {}, None
        if self.config.exports:
            exports = self.memo.derived.get("exports") if self.memo.reused else self._early_exports
            self._early_exports = None
            if exports is None:
                exports = render_exports(self.kb, config.site_url)
                if self.is_serve:
                    self.memo.derived["exports"] = exports
            written = write_exports(self.kb, Path(config.site_dir), self.config, config.site_url, exports)
            if written:
                log.info(f"postmortems: wrote {', '.join(written)}")
        self._run_pagefind(config)
        # Issue 7: one closing line with the count of findings. A strict build with
        # findings aborts right after this event: on_build_error says it failed.
        line = closing_line(self.kb, failed=False, kept=self._kept)
        if line and not config.strict:
            log.warning(line)

    # `serve --dirty` (search/dirty.py): this build's search entries, before Material's
    # search plugin (priority 0) merges them with the previous build's...
    @event_priority(50)
    def _on_post_build_fresh_search(self, *, config: MkDocsConfig) -> None:
        index = self._material_index() if self.config.enabled and self.dirty and self.is_serve else None
        self._fresh_entries = list(index.entries) if index is not None else None

    # ...and, once it has written its index, the index rewritten with one copy of each page:
    # before the plugins that read it at -100 (Material's offline plugin inlines it).
    @event_priority(-10)
    def _on_post_build_search(self, *, config: MkDocsConfig) -> None:
        fresh, self._fresh_entries = self._fresh_entries, None
        rendered, self._rendered_urls = self._rendered_urls, set()
        pages, self._page_urls = self._page_urls, None
        index = self._material_index()
        if fresh is None or index is None:
            return
        if self._dirty_index is None:  # the first build: Material had nothing to merge
            self._dirty_index = list(index.entries)
            return
        # Material merges the next build with its own previous index: make it this one, and
        # write it as Material writes it (with no previous index, it writes these entries).
        self._dirty_index = index.entries = dirty_search.merge(self._dirty_index, fresh, rendered, pages)
        path = Path(config.site_dir) / "search" / "search_index.json"
        path.write_bytes(index.generate_search_index(None).encode("utf-8"))

    on_post_build = CombinedEvent(
        _on_post_build_pages, _on_post_build_fresh_search, _on_post_build_site, _on_post_build_search
    )

    def on_build_error(self, *, error: Exception) -> None:
        """Issue 7: a failed build says so once, and leaves no complete-looking site."""
        if not self.config.enabled:
            return
        # Issue 6: nothing from a failed build is reused by the next one.
        self.memo, self.generated, self._full_content, self._early_exports = BuildMemo(), {}, None, None
        self._rendered_urls, self._fresh_entries, self._page_urls = set(), None, None
        self._flat_spans, self._page_sections, self._presplit = {}, {}, None
        self._stop_composing()
        self._stop_writing()
        emptied = False
        if self._site_dir and not self.is_serve and not self.dirty:
            emptied = empty_site_dir(self._site_dir)
        line = closing_line(self.kb, failed=True) if self.kb is not None else None
        if line is None:
            line = "postmortems: build failed" + (
                "; the site directory was emptied so that a failed build is never deployed" if emptied else ""
            )
        elif not emptied:
            line = line.split("; the site directory", 1)[0]
        log.error(line)

    # Search (issue 4): Pagefind indexes the built site, not while serving unless asked.
    def _run_pagefind(self, config: MkDocsConfig) -> None:
        if not self.config.pagefind or (self.is_serve and not self.config.pagefind_in_serve):
            return
        from ..search.pagefind import PagefindUnavailable, run_pagefind

        try:
            result = run_pagefind(Path(config.site_dir))
        except PagefindUnavailable as exc:
            log.warning(f"postmortems: pagefind: {exc}")
            return
        except Exception as exc:  # its binary's replies, its output folder: a message, not a traceback
            raise PluginError(f"postmortems: Pagefind could not index the site: {type(exc).__name__}: {exc}") from exc
        log.info(f"postmortems: Pagefind indexed {result.pages} pages ({result.bytes // 1024} KB in {result.output.name}/)")

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.config.enabled and self.settings is not None:
            folder = self.root / self.settings.postmortems_dir
            if folder.is_dir():
                server.watch(str(folder))
        return server


# A page composed in the child: its Markdown, its blocks, their flattened copies (or None),
# its Markdown converted (None when the child may not convert), its search sections, its log.
_Composed = tuple[
    str, tuple[str, ...], tuple[str | None, ...], "prerender.Rendered | None",
    tuple[bytes, bytes] | None,  # the search sections: digest of the page, pickled sections
    list[Any],  # what composing it logged
]
# The share of the postmortem pages the child composes and converts: it spends about
# 6 ms on each, this process about 5.3 ms on each of its own and 0.5 ms on each of the child's.
PRERENDER_SHARE = 0.38
_FLATTEN_MIN = 300  # smaller blocks (a timeline entry's time) cost the indexer next to nothing
_RELATED_LIST = 'class="pmkb-related"'  # changed by `pagefind_body` after filling: left as it is


def _finish(html_text: str, blocks: tuple[str, ...]) -> str:
    """A postmortem page's final HTML from its converted Markdown (see on_page_content)."""
    return pagefind_body(fill_blocks(scrub_html(mark_timeline(html_text)), blocks))


def _spans(html: str, blocks: tuple[str, ...], flats: tuple[str | None, ...]) -> list[tuple[int, int, str]]:
    """Where each block with a flattened copy sits in the page's final HTML."""
    spans = []
    for block, flat in zip(blocks, flats):
        if flat is not None:
            start = html.find(block)
            if start >= 0 and html.find(block, start + 1) < 0:  # once, or not at all
                spans.append((start, start + len(block), flat))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        return []  # overlapping: cannot happen with distinct blocks; the full HTML then
    return spans


def _with_flats(html: str, spans: list[tuple[int, int, str]]) -> str:
    """The page's HTML with each block replaced by its flattened copy (for the indexer only)."""
    out, position = [], 0
    for start, end, flat in spans:
        out += [html[position:start], flat]
        position = end
    out.append(html[position:])
    return "".join(out)


class _GeneratedFile(File):
    """A generated page that a `--dirty` rebuild may skip when its content did not change."""

    unchanged = False

    def is_modified(self) -> bool:
        if self.unchanged and os.path.isfile(self.abs_dest_path):
            return False
        return super().is_modified()
