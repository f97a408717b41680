"""Relative links in a postmortem's body, checked the way MkDocs checks them.

`mkdocs build --strict` stops on a Markdown link or image whose relative
target names a file (it has an extension) that is not among the site's
files. `postmortem check` reports the same links before the build does, so
that what passes `check --strict` builds. MkDocs itself only logs (INFO)
absolute links and links without an extension: they are left alone here too.

A postmortem's page is `postmortems/YYYY/name.md` in the site's tree, beside
the files of `docs/`: a link resolves against both.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection
from urllib.parse import unquote, urlsplit

from .body import fenced_spans
from .findings import Finding, Level

CODE = "body.link"
_INLINE = re.compile(
    r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+)[^\n]*?\1")
_MAYBE = re.compile(r"\][(:]")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def relative_links(body: str, body_line: int, src: str) -> tuple[tuple[str, str, int], ...]:
    """(target as written, the path it names in the site's tree, file line) for each
    link or image of `body` whose target is a relative path to a file. `src` is the
    postmortem's own path in that tree (`postmortems/2024/x.md`)."""
    if _MAYBE.search(body) is None:
        return ()  # most postmortems: no link at all (one regex scan: 2.5 µs; two `in` tests: 13)
    text = body
    for start, end in reversed(fenced_spans(text)):
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    if "`" in text:
        text = _INLINE_CODE.sub(_blank, text)
    found: list[tuple[int, str]] = [(m.start(1), m.group(1)) for m in _INLINE.finditer(text)]
    found += [(m.start(1), m.group(1)) for m in _REFERENCE.finditer(text)]
    links: list[tuple[str, str, int]] = []
    folder = posixpath.dirname(src)
    for offset, written in sorted(found):
        target = written[1:-1] if written.startswith("<") else written
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "\\")) or not parts.path:
            continue  # another site, an absolute path, or an anchor on this page
        path = unquote(parts.path)
        if not posixpath.splitext(path)[1] or path.endswith("/"):
            continue  # not a file: MkDocs only notes it
        resolved = posixpath.normpath(posixpath.join(folder, path))
        links.append((written, resolved, body_line + body.count("\n", 0, offset)))
    return tuple(links)


def missing_links(
    path: str,
    links: tuple[tuple[str, str, int], ...],
    postmortems: Collection[str],
    exists: Callable[[str], bool],
) -> list[Finding]:
    """Warnings for the links of `path` that name no postmortem (`postmortems`: their
    paths in the site's tree) and no file `exists` knows (the files of `docs/`)."""
    findings = []
    by_name: dict[str, list[str]] | None = None
    for written, resolved, line in links:
        if resolved in postmortems or (not resolved.startswith("../") and exists(resolved)):
            continue
        if by_name is None:
            by_name = {}
            for other in postmortems:
                by_name.setdefault(posixpath.basename(other), []).append(other)
        same = sorted(by_name.get(posixpath.basename(resolved), ()))
        hint = (
            f" (did you mean `{posixpath.relpath(same[0], posixpath.dirname(path))}`?)" if len(same) == 1 else ""
        )
        findings.append(
            Finding(
                path,
                line,
                Level.WARNING,
                CODE,
                f"the link `{written}` points to `{resolved}`, which is neither a postmortem nor a file "
                f"of the site{hint}; `mkdocs build --strict` stops on it: fix the path or remove the link",
            )
        )
    return findings

