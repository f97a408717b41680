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
_KEY_LINE = re.compile(r"[ \t]*[\"']?(" + "|".join(DISTINCTIVE) + r")[\"']?[ \t]*:")
# The extensions MkDocs reads as Markdown pages (mkdocs.utils.markdown_extensions).
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def _written_keys(text: str) -> list[tuple[str, int]]:
    """The distinctive keys written at the start of a line of the front matter (the lines
    after the opening `---` up to the first `---` or `...` line, or the end), with their
    lines: what a reader sees, whether or not the YAML loads."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")[1:], start=2):
        stripped = line.rstrip()
        if stripped in ("---", "..."):
            break
        match = _KEY_LINE.match(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = number
    return sorted(found.items(), key=lambda item: item[1])


def misplaced(path: str, data: bytes, postmortems_dir: str) -> Finding | None:
    """An error for a page (`path` as shown) that is a postmortem outside the knowledge base.

    It fails closed: front matter that our loader refuses (or that is never closed)
    still counts when two of the format's own keys are written in it, because MkDocs
    publishes such a page anyway, and shows unreadable front matter as text.
    """
    start = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not start.startswith(b"---") or sum(needle in data for needle in _NEEDLES) < 2:
        return None  # the usual page: no front matter, or none of these words
    text = start.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    keys = _written_keys(text)
    try:
        doc = split(path, decode(data))
        root = load(doc.front_matter)
    except (SourceError, YamlError):
        root = None
    if root is not None and root.kind == "map" and root.key_lines is not None:
        # Loaded: its own top-level keys decide (a nested `severity:` is not the format's).
        loaded = sorted((k for k in DISTINCTIVE if k in root.value), key=root.key_lines.__getitem__)
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
