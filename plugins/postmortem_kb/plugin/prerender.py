"""Issue 6: a page's Markdown converted by the child that composed it.

Converting a page's Markdown to HTML is the largest single cost of a build
(about 4.5 ms a postmortem page here), and MkDocs does it in one process.
The child that composes a share of the postmortem pages (see the plugin's
`_start_composing`) also converts them, with MkDocs' own `Page.render`, the
same extensions and the same files, then converts every generated index
page, and sends the result of each page as soon as it has it. When MkDocs here reaches such a page, its `render` takes
that result instead of converting again: the same HTML, table of contents,
title and anchors, and the log lines the conversion wrote (a broken link
warns here, once, in order).

The result is used only if the page's Markdown is the one the child
converted: a plugin that changes it after this one gets a conversion here.
The child converts only when every Markdown extension is named in the
configuration: an extension object a plugin added may keep state (autorefs
records anchors), and that state would stay in the child. Functions given in
`mdx_configs` (a custom fence, a slug function) run in the child for its
pages: one that keeps state from page to page would see only those pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .child_log import Capture, replay


@dataclass(frozen=True, slots=True)
class Rendered:
    """What `Page.render` sets on a page, in a form that crosses a pipe."""

    markdown: str
    content: str
    toc: Any
    title: str | None
    anchors: set[str] | None
    links: dict[str, dict[str, str]] | None  # by the linked file's src_uri (File objects stay here)
    records: list[logging.LogRecord]


def possible(config: MkDocsConfig) -> bool:
    """Whether a child's conversion is the one this process would make (see the docstring)."""
    return all(isinstance(extension, str) for extension in config.markdown_extensions)


def render_in_child(file: File, markdown: str, config: MkDocsConfig, files: Files, capture: Capture) -> Rendered:
    """In the child: convert one page's Markdown exactly as MkDocs would here
    (take what `capture` holds from before first: the records are the conversion's)."""
    page = file.page if file.page is not None else Page(None, file, config)  # the child's copy
    page.markdown = markdown
    Page.render(page, config, files)
    links = page.links_to_anchors
    return Rendered(
        markdown,
        page.content or "",
        page.toc,
        page._title_from_render,
        page.present_anchor_ids,
        None if links is None else {target.src_uri: dict(found) for target, found in links.items()},
        capture.take(),
    )


def use_when_rendered(page: Page, rendered: Rendered) -> None:
    """Here: the next `page.render(...)` takes `rendered` (if the Markdown is still the same)."""

    def render(config: MkDocsConfig, files: Files) -> None:
        del page.render  # MkDocs' own method again, from now on
        targets = {src: files.get_file_from_path(src) for src in rendered.links or {}}
        if page.markdown != rendered.markdown or None in targets.values():
            page.render(config, files)  # changed since, or a file the child knew and this process does not
            return
        page.content = rendered.content
        page.toc = rendered.toc
        page._title_from_render = rendered.title
        page.present_anchor_ids = rendered.anchors
        if rendered.links is not None:
            page.links_to_anchors = {targets[src]: found for src, found in rendered.links.items()}  # type: ignore[misc]
        replay(rendered.records)

    page.render = render  # type: ignore[method-assign]
