"""Work kept from one build to the next in the same process (`mkdocs serve`).

While an author edits a postmortem, each save rebuilds the site. The parse
cache (core/knowledge_base.py) already skips unchanged files; this module
lets the plugin skip the rest of its work when it cannot change the output:

- Everything computed from the *front matter* of the published postmortems
  (the generated index pages, trends and charts, similar incidents, the
  exports) is reused as long as no published postmortem's front matter, the
  set of published postmortems, the settings and the audience are unchanged:
  editing a body (the common case while writing) regenerates none of it.
- The lessons page also depends on each "Lessons learned" section: it is
  regenerated when one of those changed.
- A postmortem page's composed Markdown is reused while its record is the
  same object (the parse cache returns the same record for an unchanged
  file) and the front matter of the knowledge base is unchanged; its final
  HTML (and the copy Material's search indexer reads) is reused when
  Markdown produced the same HTML as last time.

Nothing here is persisted: a new process starts empty, and so does the
next build after one that failed (the plugin drops the memo in
`on_build_error`).

The key includes the size and modification time of the plugin's templates
(`partials/postmortem/` in the theme folders): `mkdocs serve` watches them,
and an edited template must show on the next rebuild.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Hashable

from ..core.model import Postmortem
from ..pages.lessons import lesson_sections

# Fields of a record that come from the body, not the front matter.
_BODY_FIELDS = frozenset({"body", "body_line", "sections", "timeline"})
_FRONT_MATTER_FIELDS = tuple(f.name for f in dataclasses.fields(Postmortem) if f.name not in _BODY_FIELDS)


def front_matter(pm: Postmortem) -> tuple[Any, ...]:
    """A record's front-matter values (and their lines), comparable with `==`."""
    return tuple(getattr(pm, name) for name in _FRONT_MATTER_FIELDS)


def same_front_matter(before: list[Postmortem], after: list[Postmortem]) -> bool:
    """True when both lists hold the same postmortems with the same front matter, in order."""
    if len(before) != len(after):
        return False
    return all(a is b or front_matter(a) == front_matter(b) for a, b in zip(before, after))


def template_state(dirs: list[str]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every template the plugin renders itself."""
    state = []
    for folder in dirs:
        partials = os.path.join(folder, "partials", "postmortem")
        if not os.path.isdir(partials):
            continue
        for entry in sorted(os.scandir(partials), key=lambda e: e.name):
            if entry.is_file():
                stat = entry.stat()
                state.append((entry.path, stat.st_mtime_ns, stat.st_size))
    return tuple(state)


def lessons_text(pm: Postmortem) -> tuple[tuple[str, str], ...]:
    """What the lessons page reads from a postmortem."""
    return tuple((key, section.text) for key, section in lesson_sections(pm).items())


def same_lessons(before: list[Postmortem], after: list[Postmortem]) -> bool:
    return len(before) == len(after) and all(
        a is b or lessons_text(a) == lessons_text(b) for a, b in zip(before, after)
    )


@dataclass
class BuildMemo:
    """What the previous build computed, and the inputs it was computed from."""

    key: Hashable = None
    published: list[Postmortem] = field(default_factory=list)
    # Anything derived from the front matter, by name (pages, context, similar, exports).
    derived: dict[str, Any] = field(default_factory=dict)
    # Per postmortem page: (record, page URL, preview) -> (Markdown, blocks).
    composed: dict[str, tuple[tuple[Any, ...], tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    # Per postmortem page: (the HTML Markdown produced, the blocks) -> the final HTML.
    content: dict[str, tuple[tuple[str, tuple[str, ...]], str]] = field(default_factory=dict)
    # Per page: its HTML -> the copy Material's search indexer reads.
    search: dict[str, tuple[str, str]] = field(default_factory=dict)
    reused: bool = False
    previous: list[Postmortem] = field(default_factory=list)

    def start(self, key: Hashable, published: list[Postmortem]) -> bool:
        """Begin a build; True when the front-matter-derived work can be reused.

        When it cannot, the key is forgotten until `remember` stores the new
        work: a build that fails half-way leaves nothing that looks reusable.
        """
        self.reused = self.key is not None and key == self.key and same_front_matter(self.published, published)
        if not self.reused:
            self.key = None
            self.derived.clear()
            self.composed.clear()
        self.previous, self.published = self.published, list(published)
        return self.reused

    def remember(self, key: Hashable, derived: dict[str, Any]) -> None:
        """Keep this build's front-matter-derived work for the next one."""
        self.derived.update(derived)
        self.key = key

    def lessons_unchanged(self) -> bool:
        return self.reused and same_lessons(self.previous, self.published)

    def compose(self, src: str, signature: tuple[Any, ...], make: Any) -> tuple[str, tuple[str, ...]]:
        cached = self.composed.get(src)
        if cached is not None and len(cached[0]) == len(signature) and all(
            a is b or a == b for a, b in zip(cached[0], signature)
        ):
            return cached[1]
        result = make()
        self.composed[src] = (signature, result)
        return result

    def search_copy(self, src: str, html: str, make: Any) -> str:
        cached = self.search.get(src)
        if cached is not None and (cached[0] is html or cached[0] == html):
            return cached[1]
        lean = make(html)
        self.search[src] = (html, lean)
        return lean

    def finish_content(self, src: str, html_in: str, blocks: tuple[str, ...], make: Any) -> str:
        cached = self.content.get(src)
        if cached is not None and cached[0] == (html_in, blocks):
            return cached[1]
        html_out = make()
        self.content[src] = ((html_in, blocks), html_out)
        return html_out
