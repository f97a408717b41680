"""`postmortem check` (the format, plus lint) and `postmortem lint` (lint only)."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import click

from ..core.findings import Finding, Level, plural, sort_key, visible
from ..core.knowledge_base import (
    PAGE_NAMES,
    KnowledgeBase,
    assemble,
    discover,
    is_hidden_path,
    is_postmortem_path,
    load_knowledge_base,
    symlink_finding,
)
from ..core.links import missing_links
from ..core.misplaced import find_misplaced, pages
from ..core.validate import check_bytes
from ..core.settings import Settings
from ..core.source import SourceError, decode
from ..render import urls
from ..lint import RULES, is_lint_code, lint_file, suggest_rule, unknown_rule_ids
from .cache import ResultCache, cache_disabled_by_environment
from .changes import GitError, changed_files
from .common import CONFIG_OPTION, EXIT_OK, JOBS_OPTION, docs_layout, fail, load_project
from .report import FORMATS, Outcome, emit

# Findings that depend on other files: always computed against the whole
# knowledge base, and always reported, even with --changed-since.
CROSS_FILE_CODES = ("frontmatter.duplicate-id", "frontmatter.related-missing")

FORMAT_OPTION = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text: `path:line: level: message`; json: one object, {checked, errors, warnings, strict, "
         "findings}, each finding {path, line, level, code, message, column}; github: workflow-command "
         "annotations (and a summary in $GITHUB_STEP_SUMMARY when set).",
)
CHANGED_OPTION = click.option(
    "--changed-since", metavar="REF",
    help="Only postmortems added or modified since the merge base of REF and HEAD (untracked "
         "files included), e.g. origin/main. Needs git.",
)
STRICT_OPTION = click.option(
    "--strict", is_flag=True, help="Warnings fail too (exit 1), as they do in `mkdocs build --strict`.",
)
QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="Print errors only, not warnings or the summary.")


def _relative(raw: str, root: Path) -> tuple[str, bool]:
    """(path relative to the project root, is a folder)."""
    path = Path(raw).resolve()
    try:
        rel = path.relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = Path(raw).as_posix()
    return ("" if rel == "." else rel), path.is_dir()


def _chooser(root: Path, paths: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a path (relative to the project root) is one of the given files or in one of the given folders."""
    wanted: set[str] = set()
    prefixes: list[str] = []
    for raw in paths:
        rel, is_dir = _relative(raw, root)
        if is_dir:
            prefixes.append(rel.rstrip("/") + "/" if rel else "")
        else:
            wanted.add(rel)

    def chosen(path: str) -> bool:
        return path in wanted or any(path.startswith(p) for p in prefixes)

    return chosen


def _select(kb: KnowledgeBase, chosen: Callable[[str], bool] | None) -> tuple[list[Finding], set[str]]:
    """Findings for the chosen files or folders (all when there is no choice)."""
    if chosen is None:
        return list(kb.findings), {r.path for r in kb.results}
    selected = {r.path for r in kb.results if chosen(r.path)}
    # Findings on paths not known as results (symlinks, unreadable folders) count too.
    return [f for f in kb.findings if f.path in selected or chosen(f.path)], selected


def _outside(kb: KnowledgeBase, root: Path, paths: tuple[str, ...]) -> tuple[list[tuple[str, Path]], list[Finding]]:
    """Files named on the command line that the knowledge base does not hold, and
    findings for the named ones that are symbolic links (never followed).

    They are never skipped silently: a file outside `postmortems/` (or under a
    `_` folder, or hidden) is still checked when it is named, or found in a
    named folder; so are the files of a hidden folder named as such.
    """
    known = {r.path for r in kb.results}
    known_links = {f.path for f in kb.findings if f.code == "file.symlink"}  # found under postmortems/ already
    base = (root / kb.settings.postmortems_dir).resolve()
    found: list[tuple[str, Path]] = []
    links: list[Finding] = []
    for raw in paths:
        path = Path(raw)
        resolved = path.resolve()
        inside = resolved == base or base in resolved.parents
        if path.is_dir():
            if inside:
                within = resolved.relative_to(base).as_posix()
                if within != "." and is_hidden_path(within):
                    prefix = _relative(raw, root)[0].rstrip("/") + "/"
                    found.extend((rel, root / rel) for rel in kb.hidden if rel.startswith(prefix))
                continue
            for file in sorted(p for p in path.rglob("*.md") if p.is_file()):
                rel = file.relative_to(path).as_posix()
                if base in file.resolve().parents:
                    continue  # a folder around the knowledge base (`.`): its files are checked as part of it
                if is_postmortem_path(rel) and not file.is_symlink():
                    found.append((file.as_posix(), file))
        elif path.is_symlink():
            rel, _ = _relative(str(path.parent), root)
            shown = f"{rel}/{path.name}" if rel else path.name
            if shown not in known_links:
                links.append(symlink_finding(shown if not shown.startswith("/") else path.as_posix(), "file"))
        elif path.is_file():
            rel, _ = _relative(raw, root)
            if rel not in known:
                found.append((rel if not rel.startswith("/") else path.as_posix(), path))
    return found, links


def _why_outside(kb: KnowledgeBase, root: Path, files: list[tuple[str, Path]]) -> str:
    """What the note on files checked apart says of them: where they are, or why the knowledge base leaves them out."""
    base = os.path.abspath(root / kb.settings.postmortems_dir)
    reasons = set()
    for _, file in files:
        within = os.path.relpath(os.path.abspath(file), base).replace(os.sep, "/")
        if within.startswith("../"):
            reasons.add(f"outside {kb.settings.postmortems_dir}/")
        elif is_hidden_path(within):
            reasons.add("hidden")
        elif file.name.lower() in PAGE_NAMES:
            reasons.add("a page: index.md or README.md")
        elif not file.name.endswith(".md"):
            reasons.add("not named `.md`")
        else:
            reasons.add("under a `_` folder")
    if len(reasons) == 1 and next(iter(reasons)).startswith("outside "):
        return next(iter(reasons))
    return "the knowledge base does not hold (" + "; ".join(sorted(reasons)) + ")"


def _check_outside(kb: KnowledgeBase, files: list[tuple[str, Path]]) -> tuple[list[Finding], set[str]]:
    """Validate files outside the knowledge base as a set of their own: ids must be
    unique among them; `related` may name them or any postmortem of the knowledge base."""
    results = []
    for shown, file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            results.append(None)
            click.echo(f"postmortem: {visible(shown)}: cannot read: {exc.strerror}", err=True)
            continue
        results.append(check_bytes(shown, data, kb.settings))
    known_ids = frozenset(r.id for r in kb.results if r.id)
    extra = assemble([r for r in results if r is not None], kb.settings, other_ids=known_ids)
    return list(extra.findings), {r.path for r in extra.results}


def _note_hidden(
    hidden: Iterable[str],
    settings: Settings,
    chosen: Callable[[str], bool] | None = None,
    checked: Collection[str] = (),
    verb: str = "check",
) -> None:
    """Name the hidden files in the scope of a check or lint, on stderr: left out, never silently."""
    left_out = [path for path in hidden if (chosen is None or chosen(path)) and path not in checked]
    if not left_out:
        return
    shown = ", ".join(visible(path) for path in left_out[:5]) + (", ..." if len(left_out) > 5 else "")
    click.echo(
        f"postmortem: {plural(len(left_out), 'hidden file')} under {settings.postmortems_dir}/ left out "
        f"(a name starting with a dot: MkDocs leaves such files out, and so does the site; name one "
        f"to {verb} it): {shown}",
        err=True,
    )


def _changed(kb: KnowledgeBase, changed: set[str]) -> tuple[list[Finding], set[str]]:
    selected = {r.path for r in kb.results if r.path in changed}
    findings = [f for f in kb.findings if f.path in changed or f.code in CROSS_FILE_CODES]
    return findings, selected


# Pages the plugin generates: a link into them is not judged here (MkDocs knows them).
_GENERATED_ROOTS = frozenset(
    url.strip("/") for url in (urls.CATEGORIES, urls.SERVICES, urls.TEAMS, urls.SEVERITIES, urls.YEARS,
                               urls.TRENDS, urls.ACTION_ITEMS, urls.LESSONS, "search/")
)


def _broken_links(kb: KnowledgeBase, selected: Collection[str], docs: Path) -> list[Finding]:
    """Warnings for the checked postmortems' relative links to files that are neither a
    postmortem nor a file of `docs/`: `mkdocs build --strict` stops on those."""
    postmortems = frozenset(r.path for r in kb.results)

    def exists(path: str) -> bool:
        if path == urls.LISTING + "index.md" or path.split("/", 1)[0] in _GENERATED_ROOTS:
            return True
        return (docs / path).is_file()

    found: list[Finding] = []
    for result in kb.results:
        if result.links and result.path in selected:
            found += missing_links(result.path, result.links, postmortems, exists)
    return found


def _warn_unknown_rules(settings: Settings) -> None:
    for rule in unknown_rule_ids(settings.disabled_rules):
        click.echo(
            f"postmortem: warning: `disabled_rules` lists `{rule}`, which is not a lint rule"
            f"{suggest_rule(rule)} (see `postmortem lint --list-rules`)",
            err=True,
        )


def _check_paths_exist(paths: tuple[str, ...]) -> None:
    for raw in paths:
        if not Path(raw).exists():
            fail(f"{raw}: no such file or folder")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@CONFIG_OPTION
@FORMAT_OPTION
@CHANGED_OPTION
@click.option("--no-lint", is_flag=True, help="Skip the blameless-language, secrets and personal-data rules.")
@STRICT_OPTION
@QUIET_OPTION
@JOBS_OPTION
@click.option(
    "--no-cache", is_flag=True,
    help="Neither read nor write the result cache in .cache/postmortem-kb/, so every file checked is "
         "validated (also: POSTMORTEM_KB_CACHE=0).",
)
def check(
    paths: tuple[str, ...],
    config_file: str,
    output_format: str,
    changed_since: str | None,
    no_lint: bool,
    strict: bool,
    quiet: bool,
    jobs: int | None,
    no_cache: bool,
) -> None:
    """Validate postmortems against the format, and lint them, without building the site.

    PATHS are files or folders (default: the whole knowledge base). The
    cross-file rules (unique ids, `related` ids that exist) always look at
    the whole knowledge base, and with --changed-since their findings are
    reported wherever they are. With PATHS or --changed-since, the other
    postmortems are read only for their `id` and `related`, which is all
    those rules need, so checking a few files stays fast.

    Results are cached in .cache/postmortem-kb/ (next to mkdocs.yml) by
    each file's content, so a file that has not changed is not validated
    again; the findings are the same. Large knowledge bases (300 files or
    more) are validated in one process per CPU.

    Exit status: 0 clean (warnings allowed unless --strict), 1 errors found,
    2 usage or configuration problem.

    \b
    Examples:
      postmortem check
      postmortem check postmortems/2024/2024-03-14-checkout-latency.md
      postmortem check --strict --changed-since origin/main
      postmortem check --format github --changed-since origin/main   # in GitHub Actions
      postmortem check --format json > findings.json
      postmortem check --jobs 1 --no-cache   # one process, every file validated
    """
    settings, root = load_project(config_file)
    if changed_since and paths:
        raise click.UsageError("give PATHS or --changed-since, not both")
    _check_paths_exist(paths)
    if no_lint:
        settings = dataclasses.replace(settings, disabled_rules=("*",))
    else:
        _warn_unknown_rules(settings)
    # Given files or --changed-since, the other postmortems are read only for their `id`
    # and `related`: the cross-file rules need those from every file, and nothing else
    # from them is reported (with --changed-since, their cross-file findings are).
    chosen: Callable[[str], bool] | None = None
    changed: set[str] = set()
    if changed_since:
        try:
            changed = changed_files(root, changed_since)
        except GitError as exc:
            fail(str(exc))
        chosen = changed.__contains__
    elif paths:
        chosen = _chooser(root, paths)
    # Only findings are reported: no records to build, and results can come from the cache.
    store = None if no_cache or cache_disabled_by_environment() else ResultCache.open(root, settings)
    kb = load_knowledge_base(root, settings, workers=jobs, records=False, store=store, selected=chosen)
    if store is not None:
        store.save()
    checked_outside: set[str] = set()
    if changed_since:
        findings, selected = _changed(kb, changed)
        scope = f"changed since {changed_since}"
    else:
        findings, selected = _select(kb, chosen)
        scope = ""
        outside, links = _outside(kb, root, paths)
        if links:
            findings = sorted(findings + links, key=sort_key)
            selected |= {link.path for link in links}
        if outside:
            more, more_selected = _check_outside(kb, outside)
            findings = sorted(findings + more, key=sort_key)
            selected |= more_selected
            if not quiet:
                click.echo(
                    f"postmortem: {plural(len(outside), 'file')} {_why_outside(kb, root, outside)} "
                    "checked as a set of their own",
                    err=True,
                )
        checked_outside = {shown for shown, _ in outside}
    # Postmortems saved under docs/ would be published as ordinary pages: always an error.
    docs, left_out_by_mkdocs = docs_layout(config_file, root)
    misplaced = find_misplaced(
        [(os.path.relpath(file, root).replace(os.sep, "/"), file)
         for rel, file in pages(docs, root / settings.postmortems_dir) if not left_out_by_mkdocs(rel)],
        settings.postmortems_dir,
    )
    if misplaced:
        findings = sorted(findings + misplaced, key=sort_key)
        selected |= {f.path for f in misplaced}
    broken = _broken_links(kb, selected, docs)
    if broken:
        findings = sorted(findings + broken, key=sort_key)
    if not quiet:
        _note_hidden(kb.hidden, kb.settings, chosen, checked_outside)
    if no_lint:
        findings = [f for f in findings if not is_lint_code(f.code)]
    outcome = Outcome("Postmortem check", len(selected), findings, strict=strict, scope=scope)
    sys.exit(emit(outcome, output_format, quiet=quiet, root=root))


def _lint_targets(root: Path, settings: Settings, paths: tuple[str, ...]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(reported path, file) for every file to lint, and the hidden files left out."""
    if not paths:
        found = discover(root, settings.postmortems_dir)
        return [(rel, root / rel) for rel in found.files], list(found.hidden)
    targets: list[tuple[str, Path]] = []
    hidden: list[str] = []
    for raw in paths:
        rel, is_dir = _relative(raw, root)
        if not is_dir:
            targets.append((rel, Path(raw)))
            continue
        # A named folder is linted even when hidden; hidden ones inside it are left out.
        for folder, dirs, names in os.walk(raw):
            # Same rule as the knowledge base: `_folders`, index.md and README.md are not postmortems.
            for top in (os.path.join(folder, d) for d in sorted(dirs) if d.startswith(".")):
                for inner, _, inner_names in os.walk(top):
                    for name in sorted(inner_names):
                        path = os.path.join(inner, name)
                        if is_postmortem_path(os.path.relpath(path, top).replace(os.sep, "/"), hidden_too=True):
                            hidden.append(_relative(path, root)[0])
            dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
            for name in sorted(names):
                file = Path(folder) / name
                if is_postmortem_path(name):
                    targets.append((_relative(str(file), root)[0], file))
                elif is_postmortem_path(name, hidden_too=True):
                    hidden.append(_relative(str(file), root)[0])
    return targets, sorted(hidden)


def _lint_one(rel: str, file: Path, settings: Settings) -> list[Finding]:
    try:
        data = file.read_bytes()
    except OSError as exc:
        return [Finding(rel, 0, Level.ERROR, "file.unreadable", f"cannot read: {exc.strerror}")]
    try:
        text = decode(data)
    except SourceError as exc:
        return [Finding(rel, exc.line, Level.ERROR, exc.code, exc.message)]
    return lint_file(rel, text, settings)


_SCOPE_NAMES = {"prose": "prose", "actions": "action items", "text": "text outside code", "raw": "everything"}


def _list_rules() -> None:
    seen: set[str] = set()
    for rule in RULES:
        if rule.id in seen:
            continue
        seen.add(rule.id)
        where = _SCOPE_NAMES[rule.scope]
        summary = rule.message.replace("{text} ", "").split(";")[0]
        click.echo(f"{rule.id:30} {rule.level.value:8} {where:18} {summary}")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@CONFIG_OPTION
@FORMAT_OPTION
@CHANGED_OPTION
@STRICT_OPTION
@QUIET_OPTION
@click.option("--list-rules", is_flag=True,
              help="List the rule ids (for inline comments and `disabled_rules`) and exit.")
def lint(
    paths: tuple[str, ...],
    config_file: str,
    output_format: str,
    changed_since: str | None,
    strict: bool,
    quiet: bool,
    list_rules: bool,
) -> None:
    """Run only the lint rules: blameless language, secrets, personal data, placeholders.

    Blameless-language findings are warnings with a suggested rewording;
    secrets, personal data and template placeholders left in are errors.
    PATHS are Markdown files or folders (default: the whole knowledge base);
    a file does not need valid front matter to be linted.

    Turn a rule off for one line with an HTML comment on that line,
    `<!-- postmortem-lint: disable=blameless.hindsight -->` (or `disable`
    alone for every rule), and for a whole site with the plugin option
    `disabled_rules` in mkdocs.yml.

    \b
    Examples:
      postmortem lint
      postmortem lint --strict postmortems/2025/2025-07-17-checkout-mtls-certificate-expired.md
      postmortem lint --changed-since origin/main
      postmortem lint --list-rules
    """
    if list_rules:
        _list_rules()
        sys.exit(EXIT_OK)
    settings, root = load_project(config_file)
    if changed_since and paths:
        raise click.UsageError("give PATHS or --changed-since, not both")
    _check_paths_exist(paths)
    _warn_unknown_rules(settings)
    targets, hidden = _lint_targets(root, settings, paths)
    scope = ""
    if changed_since:
        try:
            changed = changed_files(root, changed_since)
        except GitError as exc:
            fail(str(exc))
        targets = [(rel, file) for rel, file in targets if rel in changed]
        hidden = [rel for rel in hidden if rel in changed]
        scope = f"changed since {changed_since}"
    if not quiet:
        _note_hidden(hidden, settings, verb="lint")
    findings: list[Finding] = []
    for rel, file in targets:
        findings.extend(_lint_one(rel, file, settings))
    findings.sort(key=sort_key)
    outcome = Outcome("Postmortem lint", len(targets), findings, strict=strict, scope=scope)
    sys.exit(emit(outcome, output_format, quiet=quiet, root=root))
