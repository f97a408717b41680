"""Issue 6: a share of the pages rendered and written by a forked child.

MkDocs' last loop takes about half of a build: for each page, the context,
the plugins' `on_page_context` (Material's search indexer is one), the
theme's template, and the file. Only `on_page_context` must run in this
process, because the search index is collected here. The template and the
file depend on nothing that other pages change.

So at `on_env`, when every page has its content, `PageWriter` forks a child
that runs MkDocs' own `_build_page` for a share of the pages (each page
exactly as MkDocs builds it), while this process goes through the same loop
with those pages given an empty template: every plugin still sees every
page, and nothing is rendered twice. MkDocs skips writing an empty output and
logs "Page skipped" at info level; that line is dropped for these pages.

Whatever goes wrong in the child (an exception, a crash, no fork), the pages
are rendered here instead, at `on_post_build`, from the contexts the plugins
returned for them. The child's log records are replayed here, so a strict
build counts its warnings and an error names its page; they come after the
pages MkDocs went through here (the same lines, in a later place), and an
error in a template stops the build there rather than at its page.

The child runs `on_page_context` for its pages again (MkDocs' `_build_page`
does), so it is forked only when every handler of that event is this
plugin's or a search plugin's, whose indexing is switched off in the child.
"""

from __future__ import annotations

import gc
import inspect
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import BuildError
from mkdocs.structure.pages import Page
from mkdocs import utils

from ..core import forked
from .child_log import capture_in_child, replay

T = TypeVar("T")

# The child's share of the pages. Here each of them still costs its context and
# `on_page_context` (the search indexer: about half of what a page costs in
# this loop); the child skips the indexing. Measured at 1,000: see BENCHMARKS.md.
SHARE = 0.68


# The child's memory is not all shared with this process: what it allocates lands in
# the free slots of memory pages it shares, which the system then copies. Measured
# at 10,000 postmortems: 565 MB copied for 6,800 pages, on top of the 1.8 GB this
# process needs, where the build's limit is 2 GB. So no child past this size
# (10,000 postmortems reach about 1,500 MB here, 5,000 about 800 MB).
MEMORY_LIMIT_MB = 1000


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (what the child would start from)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX (nor is fork)
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)  # KB on Linux, bytes on macOS


# Plugins whose `on_page_context` only indexes the page for search.
SEARCH_PLUGIN_MODULES = ("material.plugins.search", "mkdocs.contrib.search")


def _mkdocs_build_page() -> Callable[..., None] | None:
    """MkDocs' own function that builds one page, if it is the one this module knows."""
    build_page = getattr(mkdocs_build, "_build_page", None)
    if build_page is None:
        return None
    expected = ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"]
    return build_page if list(inspect.signature(build_page).parameters) == expected else None


def chosen(items: Sequence[T], share: float, skip: Callable[[T], bool] = lambda item: False) -> list[T]:
    """`share` of the items, spread evenly over the sequence (none for which `skip` is true)."""
    picked, credit = [], 0.0
    for item in items:
        credit += share
        if credit >= 1.0 and not skip(item):
            picked.append(item)
            credit -= 1.0
    return picked


class _SkippedHere(logging.Filter):
    """Drops MkDocs' "Page skipped: ... empty output" line for the pages the child writes."""

    def __init__(self, srcs: set[str]) -> None:
        super().__init__()
        self.lines = {f"Page skipped: '{src}'. Generated empty output." for src in srcs}

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and record.getMessage() in self.lines)


class PageWriter:
    """The pages one forked child renders and writes (see the module's docstring)."""

    def __init__(
        self,
        pages: list[Page],
        config: MkDocsConfig,
        doc_files: Sequence[Any],
        nav: Any,
        env: Any,
        *,
        in_child: Callable[[], None] = lambda: None,
        also: Callable[[], Any] | None = None,
        fork: bool = True,
    ) -> None:
        build_page = _mkdocs_build_page()
        assert build_page is not None, "check PageWriter.possible() first"
        self.pages = pages
        self.srcs = {page.file.src_uri for page in pages}
        self.contexts: dict[str, dict[str, Any]] = {}
        self._env = env
        self._config = config

        def write() -> tuple[list[logging.LogRecord], Any]:
            # The child allocates for thousands of templates: collect its garbage, but
            # never walk what it inherited (that would copy the parent's memory).
            gc.freeze()
            gc.enable()
            capture = capture_in_child()  # printed by the parent, once
            in_child()
            # `also` first: what it allocates on the way is freed before the pages' copies pile up
            # (at 10,000, the exports last made the build's peak memory 150 MB higher).
            extra = also() if also is not None else None
            for page in pages:
                build_page(page, config, doc_files, nav, env, False, page.file.inclusion.is_excluded())
            return capture.take(), extra

        self._child: forked.Forked[tuple[list[logging.LogRecord], Any] | None] | None = forked.Forked(
            write, fork=fork, fallback=lambda: None
        )
        self._filter = _SkippedHere(self.srcs)
        try:
            # Here, the same pages go through MkDocs' loop with an empty template. MkDocs
            # asks for a page's template right after making it the current page; `meta`
            # stays as it is, for the plugins that read it.
            empty, srcs, get_template = env.from_string(""), self.srcs, env.get_template

            def template_here(name: Any, *args: Any, **kwargs: Any) -> Any:
                page = getattr(config, "_current_page", None)
                if page is not None and page.file.src_uri in srcs and not args and not kwargs:
                    return empty
                return get_template(name, *args, **kwargs)

            env.get_template = template_here
            logging.getLogger(mkdocs_build.__name__).addFilter(self._filter)
        except BaseException:
            self.cancel()
            raise

    @staticmethod
    def possible(config: MkDocsConfig, own: object) -> bool:
        """Whether pages can be written elsewhere: MkDocs' page builder is the known one,
        no other plugin post-processes page output (here it would get empty pages), and
        this process is small enough for a child to copy part of it (see MEMORY_LIMIT_MB)."""
        if not hasattr(os, "fork") or _mkdocs_build_page() is None or _peak_rss_mb() > MEMORY_LIMIT_MB:
            return False
        if any(getattr(handler, "__self__", None) is not own for handler in config.plugins.events["post_page"]):
            return False
        # The child runs `on_page_context` for its pages too (MkDocs' `_build_page` does): only
        # where that runs nothing twice that matters (no log line, no side effect), i.e. only
        # this plugin and the search plugins (whose indexing is switched off in the child).
        return all(
            getattr(handler, "__self__", None) is own
            or type(getattr(handler, "__self__", None)).__module__.startswith(SEARCH_PLUGIN_MODULES)
            for handler in config.plugins.events["page_context"]
        )

    def keep(self, page: Page, context: dict[str, Any]) -> None:
        """The context the plugins returned for one of the child's pages (for the fallback)."""
        if page.file.src_uri in self.srcs:
            self.contexts[page.file.src_uri] = context

    def finish(self) -> Any:
        """Wait for the child; replay its log; if it failed, render its pages here.
        Returns the result of `also()` from the child (None when it failed: the caller's to do)."""
        child, self._child = self._child, None
        if child is None:
            return None
        self._release()
        delivered = child.result()
        if delivered is not None:
            records, extra = delivered
            replay(records)
            return extra
        for page in self.pages:
            self._render_here(page)
        return None

    def cancel(self) -> None:
        """End the child (a failed build) without waiting for its pages."""
        child, self._child = self._child, None
        if child is not None:
            child.cancel()
            self._release()

    def _release(self) -> None:
        logging.getLogger(mkdocs_build.__name__).removeFilter(self._filter)
        self._env.__dict__.pop("get_template", None)  # the environment's own method again

    def _render_here(self, page: Page) -> None:
        """What MkDocs' `_build_page` does after `on_page_context`, with the context kept."""
        src, config = page.file.src_uri, self._config
        context = self.contexts.get(src)
        if context is None:  # never reached MkDocs' loop (the build stopped first)
            return
        config._current_page = page
        page.active = True
        try:
            output = self._env.get_template(page.meta.get("template", "main.html")).render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
            if output.strip():
                utils.write_file(output.encode("utf-8", errors="xmlcharrefreplace"), page.file.abs_dest_path)
            else:
                logging.getLogger(mkdocs_build.__name__).info(f"Page skipped: '{src}'. Generated empty output.")
        except Exception as exc:  # reported as MkDocs reports it
            message = f"Error building page '{src}':"
            if not isinstance(exc, BuildError):
                message += f" {exc}"
            logging.getLogger(mkdocs_build.__name__).error(message)
            raise
        finally:
            page.active = False
            config._current_page = None
