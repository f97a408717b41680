"""The knowledge base: every postmortem file, validated, with the audience applied.

Parsing and validation of a file are cached by (path, mtime_ns, size) and by
the settings, so `mkdocs serve` only re-reads what changed. Large knowledge
bases are validated in several processes (`workers`): `postmortem check` in a
process pool, a build (which needs the records back) in forked children.
`check` can keep its results between runs in a `ResultStore`, keyed by each
file's content.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..lint import active_rules
from .audience import exclusion_reason
from .findings import Finding, Level, plural, sort_key
from .misplaced import MARKDOWN_EXTENSIONS
from .model import Postmortem
from .settings import Settings
from .validate import FileResult, check_bytes, identify_bytes

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

# Below this many files to validate, starting processes costs more than it saves.
PARALLEL_MIN_FILES = 300

PAGE_NAMES = ("index.md", "readme.md")


# Why a build or check leaves out hidden files, as `KnowledgeBase.excluded` counts it.
HIDDEN_REASON = "hidden (the name of the file or of a folder above it starts with a dot)"


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[str, ...]  # POSIX paths relative to the project root
    findings: tuple[Finding, ...]  # symlinks and unreadable folders
    # Markdown files left out because they or a folder above them are hidden (`.name`).
    hidden: tuple[str, ...] = ()


# The other extensions MkDocs reads as Markdown: an error here, not a postmortem.
OTHER_MARKDOWN = tuple(ext for ext in MARKDOWN_EXTENSIONS if ext != ".md")


def is_hidden_path(relative: str) -> bool:
    """True when the file or a folder in `relative` starts with a dot.

    MkDocs leaves such files out of `docs_dir` (`exclude_docs`), and editors
    put lock and backup files there (Emacs' `.#name.md`): they are not
    postmortems, and they are counted, not published.
    """
    return relative.startswith(".") or "/." in relative


def is_postmortem_path(relative: str, *, hidden_too: bool = False) -> bool:
    """True for Markdown files that are postmortems, not pages (format: "The file").

    `hidden_too`: also for hidden files that would be postmortems under another name.
    """
    parts = relative.split("/")
    if not parts[-1].lower().endswith(".md"):
        return False
    if parts[-1].lower() in PAGE_NAMES or (not hidden_too and is_hidden_path(relative)):
        return False
    return not any(part.startswith("_") for part in parts[:-1])


def discover(project_root: Path, postmortems_dir: str) -> Discovery:
    """Every postmortem file under `postmortems_dir`, sorted; symlinks are reported, not followed."""
    base = project_root / postmortems_dir
    files: list[str] = []
    findings: list[Finding] = []
    hidden: list[str] = []
    if not base.is_dir():
        return Discovery((), ())
    base_rel = _rel(project_root, base)
    # os.scandir rather than os.walk and a Path per file: the entry types come with the
    # listing (no stat per file) and paths are joined as strings (10,000 files: 20 ms, not 200).
    # (folder, its path relative to the project root, whether it or a folder above it
    # within the knowledge base is hidden: its Markdown files are then only counted)
    folders = [(os.fspath(base), "" if base_rel == "." else base_rel + "/", False)]
    while folders:
        folder, prefix, folder_hidden = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            findings.append(
                Finding(_rel(project_root, Path(exc.filename or base)), 0, Level.ERROR, "file.unreadable",
                        f"cannot read: {exc.strerror}")
            )
            continue
        # What is_postmortem_path says about the folders of every file in this one.
        folder_ok = not any(part.startswith("_") for part in prefix.split("/")[:-1])
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_dir = entry.is_dir()  # follows symlinks, as os.walk does
            except OSError:
                is_dir = False
            if is_dir:
                if entry.is_symlink():
                    if folder_ok and not folder_hidden and not entry.name.startswith(("_", ".")):
                        findings.append(symlink_finding(rel, "folder"))
                else:
                    folders.append((entry.path, rel + "/", folder_hidden or entry.name.startswith(".")))
                continue
            name = entry.name.lower()
            if not (folder_ok and name.endswith(".md") and name not in PAGE_NAMES):
                if (folder_ok and name.endswith(OTHER_MARKDOWN) and not (folder_hidden or name.startswith("."))
                        and name.rsplit(".", 1)[0] + ".md" not in PAGE_NAMES):  # `README.markdown` is a page
                    # MkDocs would render `x.markdown` from docs_dir; here it would vanish without a word.
                    stem = entry.name.rsplit(".", 1)[0]
                    findings.append(Finding(
                        rel, 0, Level.ERROR, "file.extension",
                        f"the file name ends in `.{entry.name.rsplit('.', 1)[1]}`, and postmortems are `.md` "
                        f"files: rename it to `{stem}.md`",
                    ))
                continue
            if folder_hidden or name.startswith("."):
                hidden.append(rel)
                continue
            if entry.is_symlink():
                findings.append(symlink_finding(rel, "file"))
                continue
            if not entry.name.endswith(".md"):  # `.MD`: MkDocs would copy it, not render it
                renamed = entry.name[:-3] + ".md"
                # `B.md`, or `B.Md` beside `B.MD`: renaming would overwrite it, or collide.
                beside = sorted(o.name for o in entries if o.name != entry.name and o.name.lower() == name)
                advice = (
                    f"; `{beside[0]}` is beside it: keep one of them, named `{renamed}`"
                    if beside
                    else f": rename it to `{renamed}`"
                )
                findings.append(Finding(
                    rel, 0, Level.ERROR, "file.extension",
                    f"the file name ends in `{entry.name[-3:]}`, and MkDocs renders only `.md` files{advice}",
                ))
                continue
            files.append(rel)
    return Discovery(tuple(sorted(files)), tuple(sorted(findings, key=sort_key)), tuple(sorted(hidden)))


def symlink_finding(rel: str, what: str) -> Finding:
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
        found = self.lookup(root, rel, settings)
        if isinstance(found, FileResult):
            return found
        result, _ = check_file(root, rel, settings, now)
        self.put(rel, found, result)
        return result

    def lookup(self, root: Path, rel: str, settings: Settings) -> FileResult | tuple[int, int]:
        """The cached result (or an unreadable file's), else the file's (mtime_ns, size) for `put`."""
        if settings != self._settings:
            self._entries.clear()
            self._settings = settings
        try:
            stat = os.stat(os.path.join(root, rel))
        except OSError as exc:
            return _unreadable(rel, exc)
        cached = self._entries.get(rel)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            self.hits += 1
            return cached[2]
        self.misses += 1
        return stat.st_mtime_ns, stat.st_size

    def put(self, rel: str, key: tuple[int, int], result: FileResult) -> None:
        self._entries[rel] = (key[0], key[1], result)


class ResultStore(Protocol):
    """Results kept between runs, by path and content digest (`cli/cache.py` keeps them in JSON).

    They hold no `record`: only what `postmortem check` reports.
    """

    def __len__(self) -> int: ...

    def get(self, rel: str, digest: str) -> FileResult | None: ...

    def put(self, rel: str, digest: str, result: FileResult) -> None: ...

    def retain(self, rels: set[str]) -> None: ...


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
_ONE_READ_MAX = 1 << 30  # a read returns less than asked only at the end of a file, below ~2 GB


def read_file(root: Path, rel: str) -> bytes:
    """A file's bytes, with the fewest system calls and objects: a third of the time of
    Path.read_bytes, which counts when 10,000 files are read (and hashed) on a cached run."""
    fd = os.open(os.path.join(root, rel), _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)  # the whole file in one read, as a rule
        if len(data) <= size < _ONE_READ_MAX:
            return data
        parts = [data]  # it grew since fstat, or it is huge: read to the end
        while chunk := os.read(fd, 1 << 20):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def _unreadable(rel: str, exc: OSError) -> FileResult:
    return FileResult(rel, None, (Finding(rel, 0, Level.ERROR, "file.unreadable", f"cannot read: {exc.strerror}"),))


def _failed(rel: str, exc: Exception) -> FileResult:
    message = (
        f"postmortem-kb failed while validating this file ({type(exc).__name__}: {exc}); "
        "this is a bug in postmortem-kb, not in the file: please report it with the file"
    )
    return FileResult(rel, None, (Finding(rel, 0, Level.ERROR, "file.internal-error", message),))


def check_file(
    root: Path,
    rel: str,
    settings: Settings,
    now: dt.datetime,
    *,
    records: bool = True,
    digest: bool = False,
    full: bool = True,
) -> tuple[FileResult, str | None]:
    """Read and validate one file; with `digest`, also the digest of the bytes validated.

    `full=False` reads only what the cross-file rules need (`identify_bytes`):
    such a result is never cached, so no digest comes with it.
    """
    try:
        data = read_file(root, rel)
    except OSError as exc:
        return _unreadable(rel, exc), None
    try:
        if not full:
            return identify_bytes(rel, data, settings), None
        result = check_bytes(rel, data, settings, now, record=records)
    except Exception as exc:  # noqa: BLE001 - a bug of ours: name the file, go on with the others
        return _failed(rel, exc), None
    return result, content_digest(data) if digest else None


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, as containers and `taskset` set it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def worker_count(workers: int | None, files: int) -> int:
    """Processes to validate `files` files with: `workers`, or one per CPU when None; 1 for few files."""
    if files < PARALLEL_MIN_FILES:
        return 1
    count = available_cpus() if workers is None else workers
    return max(1, min(count, files // 50))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while validating.

    Validation allocates many small objects that live until the end (results,
    findings, records) and creates no cycles worth collecting: the collector
    would traverse the growing results again and again (about 10% of the time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_chunk(
    root: Path,
    rels: list[str],
    settings: Settings,
    now: dt.datetime,
    records: bool,
    digests: bool,
    full: frozenset[str] | None = None,
) -> list[tuple[FileResult, str | None]]:
    """Validate a run of files (what one round trip to a worker process carries);
    with `full`, only those of them in full, the others for the cross-file rules."""
    with _gc_paused():
        return [
            check_file(root, rel, settings, now, records=records, digest=digests, full=full is None or rel in full)
            for rel in rels
        ]


def check_files(
    root: Path,
    rels: list[str],
    settings: Settings,
    now: dt.datetime,
    *,
    workers: int | None = 1,
    records: bool = True,
    digests: bool = False,
    full: frozenset[str] | None = None,
) -> list[tuple[FileResult, str | None]]:
    """`check_file` for each of `rels`, in order; in several processes when there are many.

    The results are the same whichever way they are computed: each file is
    validated on its own, and they come back in the order of `rels`. With
    `full`, only the files it names are validated in full (see `check_file`).
    """
    if full is not None and records:
        raise ValueError("records need every file validated in full: `full` goes with records=False")
    # A file read only for its id costs about a third of a full validation.
    chosen = len(rels) if full is None else sum(1 for rel in rels if rel in full)
    work = chosen + (len(rels) - chosen) // 3
    processes = worker_count(workers, work)
    if processes > 1 and records:
        return _check_in_children(root, rels, settings, now, processes, digests)
    if processes > 1:
        return _check_in_processes(root, rels, settings, now, processes, records, digests, full)
    return _check_chunk(root, rels, settings, now, records, digests, full)


# A child's share of the files, relative to this process's: a record costs about
# 0.4 of its validation time to send back (pickled by the child, read here).
_CHILD_SHARE = 0.72


def _check_in_children(
    root: Path, rels: list[str], settings: Settings, now: dt.datetime, processes: int, digests: bool
) -> list[tuple[FileResult, str | None]]:
    """Validate with records in `processes - 1` forked children and this process.

    Records are large (the body, its sections, the timeline), and sending them
    through a process pool's queues kept its worker waiting on this process's
    threads: measured at 1,000 files, the pool was no faster than one process.
    Each child here validates one contiguous share and sends every record back
    at once; this process validates the last share, then reads theirs. A child
    that fails is replaced by this process (see `core.forked`).
    """
    from .forked import Forked

    active_rules(tuple(settings.disabled_rules))  # compiled once, before the children fork
    weights = [_CHILD_SHARE] * (processes - 1) + [1.0]
    bounds = [0]
    for weight in weights[:-1]:
        bounds.append(bounds[-1] + round(len(rels) * weight / sum(weights)))
    parts = [rels[a:b] for a, b in zip(bounds, bounds[1:])] + [rels[bounds[-1]:]]
    children: list[Forked[list[tuple[FileResult, str | None]]]] = []
    try:
        for part in parts[:-1]:
            children.append(Forked(lambda part=part: _check_chunk(root, part, settings, now, True, digests)))
        mine = _check_chunk(root, parts[-1], settings, now, True, digests)
        results = [item for child in children for item in child.result()]
    finally:
        for child in children:  # after an error (or Ctrl-C): none left running
            child.cancel()
    return results + mine


def _start_method() -> BaseContext:
    import multiprocessing

    # fork: workers start in milliseconds with everything already imported and compiled.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


# Chunk sizes, in files: large enough that round trips stay few, small at the
# end, so that neither process waits long for the other's last chunk.
_CHUNK_MIN, _CHUNK_MAX = 8, 200


class _Unclaimed:
    """The files no process has taken yet, `[low, high)`, cut as they are taken.

    Each chunk is a quarter of what is left divided by the processes (guided
    self-scheduling): large at first, a few files at the end. Equal chunks of
    200 files left this process waiting 0.3 to 0.45 s for a worker's last two
    (the one it runs and the one queued for it) at 10,000 files.
    """

    def __init__(self, count: int, processes: int) -> None:
        self.low, self.high, self.processes = 0, count, processes

    def __bool__(self) -> bool:
        return self.low < self.high

    def _size(self) -> int:
        left = self.high - self.low
        return min(left, max(_CHUNK_MIN, min(_CHUNK_MAX, math.ceil(left / (4 * self.processes)))))

    def front(self) -> tuple[int, int]:
        start = self.low
        self.low += self._size()
        return start, self.low

    def back(self) -> tuple[int, int]:
        end = self.high
        self.high -= self._size()
        return self.high, end


def _worker_ignores_ctrl_c() -> None:
    """A pool worker's initializer. Ctrl-C reaches every process of the terminal's group:
    a worker interrupted while it holds the pool's result queue lock left the others, and
    `shutdown` here, waiting forever (and an idle one printed a traceback). This process
    alone handles it: it stops taking chunks and waits for the running ones."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_workers(pool: Any) -> None:
    """End the workers of a pool that broke while starting them. With fork they start in
    `submit`; when a later fork fails there, the pool has no manager thread yet, so
    `shutdown` would leave the ones already started waiting for work, and the interpreter
    waiting for them at exit. (`_processes` is the executor's own table of its workers.)"""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _check_in_processes(
    root: Path,
    rels: list[str],
    settings: Settings,
    now: dt.datetime,
    processes: int,
    records: bool,
    digests: bool,
    full: frozenset[str] | None = None,
) -> list[tuple[FileResult, str | None]]:
    """Validate in `processes` processes: the main one and `processes - 1` workers.

    Workers take chunks from the start (two each in flight, topped up between
    this process's chunks) while this process takes them from the end, until
    they meet (`_Unclaimed`). Any failure of the pool (no fork, no memory, a
    worker killed) leaves its chunks to this process: the results are the
    same, only later.
    """
    # Imported here: a small knowledge base (and the plugin) never pays for it.
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    active_rules(tuple(settings.disabled_rules))  # compiled once, here, before the workers fork
    unclaimed = _Unclaimed(len(rels), processes)
    done: dict[int, list[tuple[FileResult, str | None]]] = {}  # by the chunk's first file
    redo: list[tuple[int, int]] = []  # chunks a worker failed
    in_flight: dict[Future[list[tuple[FileResult, str | None]]], tuple[int, int]] = {}
    pool: ProcessPoolExecutor | None = None  # None once it fails: no more submissions
    started: ProcessPoolExecutor | None = None  # shut down in any case

    def part(start: int, end: int) -> tuple[list[str], frozenset[str] | None]:
        """A chunk's files, and which of them to validate in full (only those: it is pickled)."""
        chunk = rels[start:end]
        return chunk, None if full is None else frozenset(rel for rel in chunk if rel in full)

    def check_here(start: int, end: int) -> None:
        chunk, chunk_full = part(start, end)
        done[start] = _check_chunk(root, chunk, settings, now, records, digests, chunk_full)

    def collect(futures: Iterable[Future[list[tuple[FileResult, str | None]]]]) -> None:
        for future in list(futures):
            start, end = in_flight.pop(future)
            try:
                done[start] = future.result()
            except Exception:  # noqa: BLE001 - a broken pool: redone below
                redo.append((start, end))

    def top_up() -> None:
        nonlocal pool
        while pool is not None and unclaimed and len(in_flight) < 2 * (processes - 1):
            start, end = unclaimed.front()
            chunk, chunk_full = part(start, end)
            try:
                future = pool.submit(_check_chunk, root, chunk, settings, now, records, digests, chunk_full)
            except Exception:  # noqa: BLE001 - the pool broke: this process does the rest
                redo.append((start, end))
                _end_workers(pool)
                pool = None
                return
            in_flight[future] = (start, end)

    try:
        try:
            pool = started = ProcessPoolExecutor(
                max_workers=processes - 1, mp_context=_start_method(), initializer=_worker_ignores_ctrl_c
            )
        except Exception:  # noqa: BLE001 - no pool at all: this process does everything
            pool = None
        top_up()
        while unclaimed:
            check_here(*unclaimed.back())
            collect(future for future in in_flight if future.done())
            top_up()
        while in_flight:
            collect(wait(in_flight, return_when=FIRST_COMPLETED).done)
    finally:
        if started is not None:
            # wait=True: the workers are idle by now, and leaving the manager thread running
            # races with the interpreter's exit (CPython 3.11 then prints "Bad file descriptor").
            started.shutdown(wait=True, cancel_futures=True)
    for start, end in redo:
        check_here(start, end)
    return [item for start in sorted(done) for item in done[start]]


@dataclass
class KnowledgeBase:
    """All files of one build or check, after the cross-file rules and the audience."""

    settings: Settings
    results: list[FileResult]
    findings: list[Finding]
    published: list[Postmortem]
    excluded: Counter[str] = field(default_factory=Counter)
    invalid: int = 0
    hidden: list[str] = field(default_factory=list)  # files left out as hidden (`Discovery.hidden`)

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
    workers: int | None = 1,
    records: bool = True,
    store: ResultStore | None = None,
    selected: Callable[[str], bool] | None = None,
) -> KnowledgeBase:
    """Discover, parse and validate every postmortem, then apply the cross-file rules.

    - `workers`: processes to validate with, None for one per CPU; they are
      used only for `PARALLEL_MIN_FILES` files or more. Results are the same.
    - `records=False`: results without records (`postmortem check` needs only
      findings), so `published` stays empty; `invalid` still counts.
    - `store`: results of earlier runs by content; needs `records=False`.
    - `cache`: the in-process cache by (path, mtime_ns, size), for the plugin.
    - `selected`: validate in full only the files it accepts (a path relative to
      `project_root`); the others are read only for the cross-file rules (their
      id and `related`, see `validate.identify_bytes`), unless `store` already
      holds their whole result. Their own findings and `invalid` are therefore
      incomplete; the selected files' findings, and every cross-file finding,
      are the same as without it. Needs `records=False`.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    if store is not None and records:
        raise ValueError("a ResultStore keeps no records: use it with records=False")
    if cache is not None and not records:
        raise ValueError("a ParseCache keeps full results: use it with records=True")
    if selected is not None and records:
        raise ValueError("records need every file validated in full: `selected` goes with records=False")
    discovery = discover(project_root, settings.postmortems_dir)
    full = None if selected is None else frozenset(rel for rel in discovery.files if selected(rel))
    with _gc_paused():
        if store is not None:
            results = _load_with_store(project_root, discovery.files, settings, now, workers, store, full)
        else:
            results = _load_with_cache(project_root, discovery.files, settings, now, workers, records, cache, full)
        kb = assemble(results, settings, list(discovery.findings))
    kb.hidden = list(discovery.hidden)
    if discovery.hidden:
        kb.excluded[HIDDEN_REASON] += len(discovery.hidden)
    return kb


def _load_with_cache(
    root: Path,
    files: tuple[str, ...],
    settings: Settings,
    now: dt.datetime,
    workers: int | None,
    records: bool,
    cache: ParseCache | None,
    full: frozenset[str] | None = None,
) -> list[FileResult]:
    """Results from `cache` where the file has not changed, validated (and cached) otherwise."""
    results: list[FileResult | None] = [None] * len(files)
    todo: list[int] = []
    keys: dict[int, tuple[int, int]] = {}
    for index, rel in enumerate(files):
        found = cache.lookup(root, rel, settings) if cache is not None else None
        if isinstance(found, FileResult):
            results[index] = found
            continue
        todo.append(index)
        if found is not None:
            keys[index] = found
    checked = check_files(root, [files[i] for i in todo], settings, now, workers=workers, records=records, full=full)
    for index, (result, _) in zip(todo, checked):
        results[index] = result
        if cache is not None:
            cache.put(files[index], keys[index], result)
    return [r for r in results if r is not None]


def _load_with_store(
    root: Path,
    files: tuple[str, ...],
    settings: Settings,
    now: dt.datetime,
    workers: int | None,
    store: ResultStore,
    full: frozenset[str] | None = None,
) -> list[FileResult]:
    """Results from `store` for files whose content it knows, validated (and stored) otherwise."""
    results: list[FileResult | None] = [None] * len(files)
    todo: list[int] = []
    if len(store):  # an earlier run's results: look every file up by its content
        for index, rel in enumerate(files):
            try:
                data = read_file(root, rel)
            except OSError:
                todo.append(index)  # check_file reports it
                continue
            results[index] = store.get(rel, content_digest(data))
            if results[index] is None:
                todo.append(index)
    else:  # a first run: everything to validate, and no file read twice
        todo = list(range(len(files)))
    checked = check_files(
        root, [files[i] for i in todo], settings, now, workers=workers, records=False, digests=True, full=full
    )
    for index, (result, digest) in zip(todo, checked):
        results[index] = result
        if digest is not None:
            store.put(files[index], digest, result)
    store.retain(set(files))
    return [r for r in results if r is not None]


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _next_free(pm_id: str, known: Iterable[str]) -> str | None:
    """`PM-2024-010` for a duplicate `PM-2024-001` when `PM-2024-009` is the highest
    number with that prefix; None for an id that does not end in a number."""
    match = _NUMBERED.match(pm_id)
    if match is None:
        return None
    prefix, digits = match.groups()
    highest = 0
    for other in known:
        if other.startswith(prefix):
            found = _NUMBERED.match(other)
            if found is not None and found.group(1) == prefix:
                highest = max(highest, int(found.group(2)))
    return f"{prefix}{highest + 1:0{len(digits)}d}"


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
    known = set(owners) | other_ids
    for pm_id, holders in owners.items():
        if len(holders) < 2:
            continue
        free = _next_free(pm_id, known)
        fix = f"give all but one another id; the next free one is `{free}`" if free else "give all but one another id"
        for holder in holders:
            others = ", ".join(f"{h.path}:{h.id_line}" for h in holders if h is not holder)
            extra.setdefault(holder.path, []).append(
                Finding(
                    holder.path,
                    holder.id_line,
                    Level.ERROR,
                    "frontmatter.duplicate-id",
                    f"id `{pm_id}` is also used by {others}; ids must be unique: {fix}",
                )
            )
    # A file whose id cannot be read (broken YAML, a bad id) may be the one meant: say so.
    unreadable = sum(1 for result in results if result.id is None)
    maybe = (
        f" ({plural(unreadable, 'postmortem')} {'has' if unreadable == 1 else 'have'} no id that can be "
        "read: if one of them is meant, fix its errors first)"
        if unreadable else ""
    )
    folded: dict[str, str] | None = None  # built on the first unknown id
    for result in results:
        for target, line in result.related:
            if target not in known:
                if folded is None:
                    folded = {k.casefold(): k for k in sorted(known)}
                meant = folded.get(target.casefold())
                hint = f" (did you mean `{meant}`? ids are matched with their case)" if meant else ""
                extra.setdefault(result.path, []).append(
                    Finding(
                        result.path,
                        line,
                        Level.ERROR,
                        "frontmatter.related-missing",
                        f"`related` lists `{target}`, but no postmortem has that id{hint}; check the id "
                        f"or remove it{maybe}",
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
            # Without records (`records=False`), a valid file has no record either.
            if any(f.is_error for f in result.findings):
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
