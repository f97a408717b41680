"""Postmortems saved where MkDocs, not the knowledge base, would publish them.

A file under `docs/` is an ordinary page to MkDocs: it is published as it is,
whatever its `status` or `visibility` says, without validation, indexes or
audience rules. A postmortem saved there by mistake (a draft, a restricted
one) would leak into every build. So a page whose front matter carries the
fields only a postmortem has is an error, for `postmortem check` and for the
build alike, and the build leaves the page out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .findings import Finding, Level
from .source import SourceError, decode, split
from .yamlnodes import YamlError, load

CODE = "docs.misplaced-postmortem"
# Fields of the format no ordinary page (nor a Material blog post) has; two of
# them make a postmortem. `title`, `status` or `authors` alone prove nothing:
# Material's pages and blog posts use them too.
DISTINCTIVE = (
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "severity",
    "contributing_factors",
    "action_items",
)
_NEEDLES = tuple(key.encode("ascii") for key in DISTINCTIVE)
# A distinctive key at the start of a line (as a list item too: front matter that is a
# list), or inside a flow mapping on one line (`{severity: SEV1, started_at: ...}`).
_KEY = r"[\"']?(" + "|".join(DISTINCTIVE) + r")[\"']?[ \t]*:"
_KEY_LINE = re.compile(r"(?:-[ \t]+)?" + _KEY, re.IGNORECASE)
_FLOW_KEY = re.compile(r"[{,][ \t]*" + _KEY, re.IGNORECASE)
_FENCE = re.compile(r"-{3}[ \t]*")
# The extensions MkDocs reads as Markdown pages (mkdocs.utils.markdown_extensions).
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def _head(lines: list[str]) -> tuple[int, list[str]]:
    """The lines a page's metadata can be in, and the file line of the first: after blank
    lines and `%YAML` directives, the front matter up to its closing `---` or `...`; without
    a fence, or never closed, the first block up to a blank line (MkDocs reads a block of
    `key: value` lines at the top as MultiMarkdown metadata, and shows the rest as text)."""
    first = 0
    while first < len(lines) and (not lines[first].strip() or lines[first].startswith("%")):
        first += 1
    if first < len(lines) and _FENCE.fullmatch(lines[first]):
        for end in range(first + 1, len(lines)):
            if lines[end].rstrip() in ("---", "..."):
                return first + 2, lines[first + 1 : end]
        first += 1
    end = first
    while end < len(lines) and lines[end].strip():
        end += 1
    return first + 1, lines[first:end]


def _written_keys(text: str) -> list[tuple[str, int]]:
    """The distinctive keys written in a page's metadata lines (`_head`), with their file
    lines: what a reader sees, whether or not the YAML loads. Only at a line's start (or
    in a one-line flow mapping): a nested `severity:` is not the format's."""
    found: dict[str, int] = {}
    start, head = _head(text.split("\n"))
    in_item = False  # under a top-level `- ` item: front matter that is a list of mappings
    for number, line in enumerate(head, start=start):
        if line.startswith("-"):
            in_item = True
        elif line[:1] not in (" ", "\t"):
            in_item = False
        match = _KEY_LINE.match(line.lstrip() if in_item else line)
        for key in [match.group(1)] if match else [m.group(1) for m in _FLOW_KEY.finditer(line)]:
            found.setdefault(key.lower(), number)
    return sorted(found.items(), key=lambda item: item[1])


def misplaced(path: str, data: bytes, postmortems_dir: str) -> Finding | None:
    """An error for a page (`path` as shown) that is a postmortem outside the knowledge base.

    It fails closed: front matter that our loader refuses (or that is never closed, or
    not fenced at all) still counts when two of the format's own keys are written in it,
    because MkDocs publishes such a page anyway, and shows what it cannot read as text.
    """
    lowered = data.lower()
    if sum(needle in lowered for needle in _NEEDLES) < 2:
        return None  # the usual page: none of these words
    text = data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    keys = _written_keys(text)
    try:
        doc = split(path, decode(data))
        root = load(doc.front_matter)
    except (SourceError, YamlError):
        root = None
    if root is not None and root.kind == "map" and root.key_lines is not None:
        # Loaded: its own top-level keys decide (a nested `severity:` is not the format's).
        loaded = sorted((k for k in root.value if k.lower() in DISTINCTIVE), key=root.key_lines.__getitem__)
        keys = [(k, root.key_lines[k] + doc.front_matter_line - 1) for k in loaded]
    if len(keys) < 2:
        return None
    line = keys[0][1]
    fields = ", ".join(f"`{key}`" for key, _ in keys[:3])
    return Finding(
        path,
        line,
        Level.ERROR,
        CODE,
        f"this page is a postmortem ({fields}), but it is outside `{postmortems_dir}/`: MkDocs would "
        "publish it as an ordinary page, whatever its status and visibility, without validating it; "
        f"move it to `{postmortems_dir}/YYYY/` (the build leaves it out until then)",
    )


def pages(docs_dir: Path, skip: Path | None = None) -> Iterator[tuple[str, Path]]:
    """The Markdown pages of `docs_dir` as MkDocs finds them (hidden names left out),
    as (path relative to `docs_dir`, file); `skip` (the knowledge base) is not entered."""
    skip = skip.resolve() if skip is not None else None
    seen: set[Path] = set()  # folders followed through symbolic links, as MkDocs does: once each
    for folder, subfolders, names in os.walk(docs_dir, followlinks=True):
        here = Path(folder)
        real = here.resolve()
        if real in seen:
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and (skip is None or (here / name).resolve() != skip)
        )
        for name in sorted(names):
            if name.lower().endswith(MARKDOWN_EXTENSIONS) and not name.startswith("."):
                file = here / name
                yield file.relative_to(docs_dir).as_posix(), file


def find_misplaced(files: Iterable[tuple[str, Path]], postmortems_dir: str) -> list[Finding]:
    """Errors for the postmortems among `files` ((path as shown, file) pairs)."""
    found = []
    for shown, file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue  # unreadable: MkDocs says so when it reads the page
        finding = misplaced(shown, data, postmortems_dir)
        if finding is not None:
            found.append(finding)
    return found
