"""The knowledge base: every postmortem file, validated, with the audience applied.

Parsing and validation of a file are cached by (path, mtime_ns, size) and by
the settings, so `mkdocs serve` only re-reads what changed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .audience import exclusion_reason
from .findings import Finding, Level, sort_key
from .model import Postmortem
from .settings import Settings
from .validate import FileResult, check_bytes

PAGE_NAMES = ("index.md", "readme.md")


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[str, ...]  # POSIX paths relative to the project root
    findings: tuple[Finding, ...]  # symlinks and unreadable folders


def is_postmortem_path(relative: str) -> bool:
    """True for Markdown files that are postmortems, not pages (format: "The file")."""
    parts = relative.split("/")
    if not parts[-1].lower().endswith(".md"):
        return False
    if parts[-1].lower() in PAGE_NAMES:
        return False
    return not any(part.startswith("_") for part in parts[:-1])


def discover(project_root: Path, postmortems_dir: str) -> Discovery:
    """Every postmortem file under `postmortems_dir`, sorted; symlinks are reported, not followed."""
    base = project_root / postmortems_dir
    files: list[str] = []
    findings: list[Finding] = []
    if not base.is_dir():
        return Discovery((), ())

    def onerror(exc: OSError) -> None:
        findings.append(
            Finding(_rel(project_root, Path(exc.filename or base)), 0, Level.ERROR, "file.unreadable", f"cannot read: {exc.strerror}")
        )

    for folder, dirs, names in os.walk(base, onerror=onerror, followlinks=False):
        folder_path = Path(folder)
        for name in list(dirs):
            if (folder_path / name).is_symlink():
                dirs.remove(name)
                rel = _rel(project_root, folder_path / name)
                if is_postmortem_path(rel + "/x.md"):
                    findings.append(_symlink_finding(rel, "folder"))
        dirs.sort()
        for name in sorted(names):
            path = folder_path / name
            rel = _rel(project_root, path)
            if not is_postmortem_path(rel):
                continue
            if path.is_symlink():
                findings.append(_symlink_finding(rel, "file"))
                continue
            files.append(rel)
    return Discovery(tuple(sorted(files)), tuple(findings))


def _symlink_finding(rel: str, what: str) -> Finding:
    return Finding(
        rel,
        0,
        Level.ERROR,
        "file.symlink",
        f"this {what} is a symbolic link; links are not followed (they can point outside the "
        "repository or loop): move the postmortem itself under postmortems/",
    )


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class ParseCache:
    """Per-file results keyed by (path, mtime_ns, size); dropped when settings change."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, int, FileResult]] = {}
        self._settings: Settings | None = None
        self.hits = 0
        self.misses = 0

    def get(self, root: Path, rel: str, settings: Settings, now: dt.datetime) -> FileResult:
        if settings != self._settings:
            self._entries.clear()
            self._settings = settings
        path = root / rel
        try:
            stat = path.stat()
        except OSError as exc:
            return FileResult(rel, None, (Finding(rel, 0, Level.ERROR, "file.unreadable", f"cannot read: {exc.strerror}"),))
        cached = self._entries.get(rel)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            self.hits += 1
            return cached[2]
        self.misses += 1
        try:
            data = path.read_bytes()
        except OSError as exc:
            result = FileResult(rel, None, (Finding(rel, 0, Level.ERROR, "file.unreadable", f"cannot read: {exc.strerror}"),))
        else:
            result = check_bytes(rel, data, settings, now)
        self._entries[rel] = (stat.st_mtime_ns, stat.st_size, result)
        return result


@dataclass
class KnowledgeBase:
    """All files of one build or check, after the cross-file rules and the audience."""

    settings: Settings
    results: list[FileResult]
    findings: list[Finding]
    published: list[Postmortem]
    excluded: Counter[str] = field(default_factory=Counter)
    invalid: int = 0

    @property
    def by_id(self) -> dict[str, Postmortem]:
        return {pm.id: pm for pm in self.published}

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def findings_for(self, paths: set[str]) -> list[Finding]:
        return [f for f in self.findings if f.path in paths]


def load_knowledge_base(
    project_root: Path,
    settings: Settings,
    *,
    cache: ParseCache | None = None,
    now: dt.datetime | None = None,
) -> KnowledgeBase:
    """Discover, parse and validate every postmortem, then apply the cross-file rules."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cache = cache or ParseCache()
    discovery = discover(project_root, settings.postmortems_dir)
    results = [cache.get(project_root, rel, settings, now) for rel in discovery.files]
    return assemble(results, settings, list(discovery.findings))


def assemble(
    results: list[FileResult],
    settings: Settings,
    findings: list[Finding] | None = None,
    *,
    other_ids: frozenset[str] = frozenset(),
) -> KnowledgeBase:
    """Apply the cross-file rules and the audience to per-file results.

    `other_ids` are ids that exist elsewhere (the knowledge base, when files
    outside it are checked as a set of their own): `related` may name them.
    """
    findings = list(findings or [])
    extra: dict[str, list[Finding]] = {}

    # Unique ids across the whole knowledge base, wherever the files live.
    owners: dict[str, list[FileResult]] = {}
    for result in results:
        if result.id:
            owners.setdefault(result.id, []).append(result)
    for pm_id, holders in owners.items():
        if len(holders) < 2:
            continue
        for holder in holders:
            others = ", ".join(f"{h.path}:{h.id_line}" for h in holders if h is not holder)
            extra.setdefault(holder.path, []).append(
                Finding(
                    holder.path,
                    holder.id_line,
                    Level.ERROR,
                    "frontmatter.duplicate-id",
                    f"id `{pm_id}` is also used by {others}; ids must be unique: use the next free number",
                )
            )
    known = set(owners) | other_ids
    for result in results:
        for target, line in result.related:
            if target not in known:
                extra.setdefault(result.path, []).append(
                    Finding(
                        result.path,
                        line,
                        Level.ERROR,
                        "frontmatter.related-missing",
                        f"`related` lists `{target}`, but no postmortem has that id; check the id "
                        "or remove it",
                    )
                )

    kb = KnowledgeBase(settings, [], findings, [])
    for result in results:
        more = extra.get(result.path)
        if more:
            result = FileResult(
                result.path, None, result.findings + tuple(more), result.id, result.id_line,
                result.related, result.status, result.visibility,
            )
        kb.results.append(result)
        kb.findings.extend(result.findings)
        if result.record is None:
            kb.invalid += 1
            continue
        reason = exclusion_reason(result.record, settings)
        if reason is None:
            kb.published.append(result.record)
        else:
            kb.excluded[reason] += 1
    kb.findings.sort(key=sort_key)
    kb.published.sort(key=lambda pm: (pm.started_at, pm.id), reverse=True)
    return kb
