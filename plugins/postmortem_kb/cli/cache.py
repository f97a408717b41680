"""`postmortem check`'s result cache: a file whose bytes have not changed is not validated again.

Like ruff's and mypy's caches, it lives in the project, under
`.cache/postmortem-kb/` (Material for MkDocs keeps its plugins' caches in
`.cache/` too), and it is an optimisation only: whatever is wrong with it,
the check gives the same findings, just not as fast.

- Entries are keyed by the file's path and the SHA-256 of its bytes, so they
  stay valid across checkouts, rebases and fresh clones, where every
  modification time is new. (The repository's pull-request gate still runs
  with `--no-cache`: `.cache/` is part of the checkout a pull request
  controls.)
- The whole cache is dropped when anything that could change a result
  changes: the settings (except `reference_date`, which per-file validation
  never reads), the package's version, the validation code itself (the size
  and modification time of its modules, for editable installs), Python's and
  PyYAML's versions, or this file's format.
- Results whose findings depend on the clock (`frontmatter.future`) are never
  stored: the file is validated again at each run.
- The file is JSON, never pickle: the folder may come from a CI cache someone
  else could write to, so loading must never run code. Every entry is checked
  to have the expected shape before it is used; a file that does not parse,
  or an entry that does not fit, is ignored (and rewritten).
- It is written to a temporary file and renamed over the old one, so a run
  that is interrupted, or two runs at once, never leave half a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

import yaml

from .. import __version__
from ..core.findings import Finding, Level
from ..core.frontmatter import TIME_DEPENDENT_CODES
from ..core.settings import Settings
from ..core.validate import FileResult
from ..core.yamlnodes import HAS_LIBYAML

FORMAT_VERSION = 2  # 2: links and columns
CACHE_DIR = Path(".cache") / "postmortem-kb"
CACHE_FILE = "check.json"
ENV_VARIABLE = "POSTMORTEM_KB_CACHE"
_OFF = ("0", "false", "no", "off")
_LEVELS = {level.value: level for level in Level}
_CODE = re.compile(r"[a-z][a-z0-9_.-]*\Z")
# Control characters (ANSI escapes among them) never come from validation: an entry
# holding one was not written by this code, and must not reach a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Far above any real cache (10,000 postmortems: about 2 MB); a bigger file is not read.
MAX_CACHE_BYTES = 256 * 1024 * 1024
# The modules whose code decides a file's findings.
_CODE_FOLDERS = ("core", "lint")


def cache_disabled_by_environment() -> bool:
    """True when POSTMORTEM_KB_CACHE is `0` (or `false`, `no`, `off`)."""
    return os.environ.get(ENV_VARIABLE, "").strip().lower() in _OFF


def fingerprint(settings: Settings) -> str:
    """What every entry of a cache was computed with; a different value drops the whole cache."""
    # reference_date is today's date by default: it only marks action items overdue in
    # pages and `postmortem stats`, never a finding, and must not drop the cache daily.
    settings = dataclasses.replace(settings, reference_date=dt.date(1970, 1, 1))
    package = Path(__file__).resolve().parent.parent
    code = []
    for folder in _CODE_FOLDERS:
        for module in sorted((package / folder).glob("*.py")):
            stat = module.stat()
            code.append((f"{folder}/{module.name}", stat.st_size, stat.st_mtime_ns))
    # The YAML parser and the interpreter decide results too (libyaml's messages, regex engines).
    runtime = [sys.version, yaml.__version__, HAS_LIBYAML]
    text = json.dumps([FORMAT_VERSION, __version__, repr(settings), code, runtime])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResultCache:
    """The entries of one cache file: `{path: [digest, result]}` (see `_encode`)."""

    def __init__(self, path: Path, fingerprint: str, entries: dict[str, Any] | None = None) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self._entries: dict[str, Any] = entries or {}
        self.changed = False
        self.hits = 0

    @classmethod
    def open(cls, project_root: Path, settings: Settings) -> ResultCache:
        """The project's cache for these settings; empty when missing, stale or unreadable."""
        path = project_root / CACHE_DIR / CACHE_FILE
        stamp = fingerprint(settings)
        try:
            if path.stat().st_size > MAX_CACHE_BYTES:
                return cls(path, stamp)
            data = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return cls(path, stamp)
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT_VERSION
            or data.get("fingerprint") != stamp
            or not isinstance(data.get("entries"), dict)
        ):
            return cls(path, stamp)
        return cls(path, stamp, data["entries"])

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, rel: str, digest: str) -> FileResult | None:
        entry = self._entries.get(rel)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == digest):
            return None
        result = _decode(rel, entry[1])
        if result is None:  # not the shape this code writes: ignore it, validate the file
            del self._entries[rel]
            self.changed = True
            return None
        self.hits += 1
        return result

    def put(self, rel: str, digest: str, result: FileResult) -> None:
        if any(f.code in TIME_DEPENDENT_CODES for f in result.findings):
            # Right now, not necessarily tomorrow: validate it again next time.
            if self._entries.pop(rel, None) is not None:
                self.changed = True
            return
        self._entries[rel] = [digest, _encode(result)]
        self.changed = True

    def retain(self, rels: set[str]) -> None:
        """Forget files that are gone."""
        for rel in [r for r in self._entries if r not in rels]:
            del self._entries[rel]
            self.changed = True

    def save(self) -> None:
        """Write the cache if it changed: atomically, and never failing the check."""
        if not self.changed:
            return
        data = {"format": FORMAT_VERSION, "fingerprint": self.fingerprint, "entries": self._entries}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by postmortem-kb: a cache, never committed.\n*\n", encoding="utf-8")
            # A new name in the same folder (os.replace cannot cross file systems), created with
            # the usual permissions (mkstemp's are owner-only).
            temporary = folder / f".{CACHE_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        except OSError:
            return  # a read-only checkout, a full disk: the check itself is unaffected
        self.changed = False


def _encode(result: FileResult) -> list[Any]:
    """`[findings, id, id_line, related, status, visibility, links]`; a finding is
    `[line, level, code, message, column]`, a link `[written, resolved, line]`."""
    return [
        [[f.line, f.level.value, f.code, f.message, f.column] for f in result.findings],
        result.id,
        result.id_line,
        [[target, line] for target, line in result.related],
        result.status,
        result.visibility,
        [[written, resolved, line] for written, resolved, line in result.links],
    ]


def _is_int(value: Any) -> bool:
    return type(value) is int and value >= 0  # not bool, not negative


def _is_text(value: Any) -> bool:
    return type(value) is str and _CONTROL.search(value) is None


def _is_optional_text(value: Any) -> bool:
    return value is None or _is_text(value)


def _decode(rel: str, value: Any) -> FileResult | None:
    """The result `_encode` wrote, or None for anything else."""
    if not (isinstance(value, list) and len(value) == 7):
        return None
    raw_findings, pm_id, id_line, raw_related, status, visibility, raw_links = value
    if not (isinstance(raw_findings, list) and isinstance(raw_related, list) and isinstance(raw_links, list)):
        return None
    if not (_is_optional_text(pm_id) and _is_int(id_line) and _is_optional_text(status)
            and _is_optional_text(visibility)):
        return None
    findings = []
    for item in raw_findings:
        if not (isinstance(item, list) and len(item) == 5):
            return None
        line, level, code, message, column = item
        if not (_is_int(line) and _is_int(column) and _is_text(message) and type(code) is str and type(level) is str):
            return None
        if level not in _LEVELS or not _CODE.match(code):
            return None
        findings.append(Finding(rel, line, _LEVELS[level], code, message, column))
    related = []
    for item in raw_related:
        if not (isinstance(item, list) and len(item) == 2 and _is_text(item[0]) and _is_int(item[1])):
            return None
        related.append((item[0], item[1]))
    links = []
    for item in raw_links:
        if not (isinstance(item, list) and len(item) == 3 and _is_text(item[0]) and _is_text(item[1])
                and _is_int(item[2])):
            return None
        links.append((item[0], item[1], item[2]))
    return FileResult(rel, None, tuple(findings), pm_id, id_line, tuple(related), status, visibility, tuple(links))
