"""`postmortem check` at scale: worker processes and the result cache give the same findings.

No timing here (the machine is shared): only that the fast paths are exact,
and that the cache is used, invalidated and distrusted when it should be.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from postmortem_kb.cli import cache as cache_module
from postmortem_kb.cli.main import cli
from postmortem_kb.core import knowledge_base as kb_module
from postmortem_kb.core.knowledge_base import PARALLEL_MIN_FILES, ParseCache, load_knowledge_base
from postmortem_kb.core.settings import Settings

from conftest import valid_text
from pmkb_cli_helpers import MKDOCS_YML

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from generate import generate  # noqa: E402

SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
CACHE_FILE = Path(".cache") / "postmortem-kb" / "check.json"


def _spoil(rng: random.Random, text: str, index: int) -> bytes:
    """One of many ways to make a valid postmortem invalid (or to leave it valid)."""
    kind = (index // 3) % 12
    if kind == 0:
        return text.replace("severity: SEV", "severity: SEV9", 1).encode()
    if kind == 1:  # a duplicate id: the previous file's
        return text.replace(text.split("\n", 2)[1], f"id: PM-DUP-{index // 72:03d}", 1).encode()
    if kind == 2:
        return text.replace("## Timeline", "## Chronology", 1).encode()
    if kind == 3:
        return text.replace("related: []", "related: [PM-0000-404]", 1).encode()
    if kind == 4:
        return text.replace("title: ", "title: [unclosed ", 1).encode()
    if kind == 5:
        return (text + "\nThe engineer forgot to restart it; obviously human error.\n"
                "Credentials: password: hunter2xyz9, mail jane.doe@example.com\n").encode()
    if kind == 6:
        return b"\xff" + text.encode()
    if kind == 7:
        return b""
    if kind == 8:
        lines = text.split("\n")
        rng.shuffle(lines)
        return "\n".join(lines).encode()
    if kind == 9:
        return text.replace("resolved_at: ", "resolved_at: 2999-01-01T00:00:00Z\nx_resolved_at: ", 1).encode()
    return text.encode()


def write_mixed_knowledge_base(root: Path, n: int = 400) -> None:
    """`n` postmortems, a third of them invalid in different ways, some sharing ids."""
    rng = random.Random(11)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(extra=""), encoding="utf-8")
    for index, (rel, text) in enumerate(generate(n, seed=5)):
        path = root / "postmortems" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_spoil(rng, text, index) if index % 3 == 0 else text.encode())
    (root / "postmortems" / "2024").mkdir(parents=True, exist_ok=True)
    (root / "postmortems" / "2024" / "dup-a.md").write_text(valid_text(), encoding="utf-8")
    (root / "postmortems" / "2024" / "dup-b.md").write_text(valid_text(), encoding="utf-8")


def _summary(kb):
    return (
        [f.to_dict() for f in kb.findings],
        [(r.path, r.id, r.id_line, r.related, r.status, r.visibility) for r in kb.results],
        kb.invalid,
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    write_mixed_knowledge_base(root)
    return root


def test_the_mixed_set_is_large_and_varied(mixed: Path) -> None:
    kb = load_knowledge_base(mixed, SETTINGS, now=NOW)
    assert len(kb.results) >= PARALLEL_MIN_FILES
    codes = {f.code for f in kb.findings}
    for code in ("frontmatter.duplicate-id", "frontmatter.related-missing", "frontmatter.yaml", "file.encoding",
                 "file.empty", "section.missing", "frontmatter.enum", "frontmatter.future", "pii.email"):
        assert code in codes
    assert 0 < kb.invalid < len(kb.results) and kb.published


@pytest.mark.parametrize("records", [True, False])
def test_worker_processes_give_the_serial_results(mixed: Path, records: bool) -> None:
    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=records)
    parallel = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=3, records=records)
    assert _summary(parallel) == _summary(serial)
    assert [r.record for r in parallel.results] == [r.record for r in serial.results]
    assert parallel.published == serial.published and parallel.excluded == serial.excluded
    if not records:
        assert parallel.published == [] and all(r.record is None for r in parallel.results)
        assert parallel.invalid == load_knowledge_base(mixed, SETTINGS, now=NOW).invalid


def test_a_pool_that_cannot_start_falls_back_to_one_process(mixed: Path, monkeypatch) -> None:
    # `check` (no records) validates in a process pool.
    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)

    def no_fork():
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(kb_module, "_start_method", no_fork)
    assert _summary(load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2, records=False)) == _summary(serial)


def test_a_build_whose_children_cannot_fork_validates_here(mixed: Path, monkeypatch) -> None:
    # A build (records) validates in forked children: no fork, same records.
    import os

    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1)

    def no_fork():
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    again = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=3)
    assert _summary(again) == _summary(serial) and again.published == serial.published


def test_a_build_child_that_dies_is_replaced_here(mixed: Path, monkeypatch) -> None:
    import os

    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1)
    parent = os.getpid()
    original = kb_module._check_chunk

    def dies_in_children(*args):
        if os.getpid() != parent:
            os._exit(9)
        return original(*args)

    monkeypatch.setattr(kb_module, "_check_chunk", dies_in_children)
    again = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2)
    assert _summary(again) == _summary(serial) and again.published == serial.published


def test_a_broken_pool_falls_back_to_one_process(mixed: Path, monkeypatch) -> None:
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    class BrokenPool:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def submit(self, *args, **kwargs):
            future = concurrent.futures.Future()
            future.set_running_or_notify_cancel()  # started, so the main process does not take it
            future.set_exception(BrokenProcessPool("a worker was killed"))
            return future

        def shutdown(self, *args, **kwargs) -> None:
            pass

    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", BrokenPool)
    assert _summary(load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2, records=False)) == _summary(serial)


def test_the_parse_cache_works_with_worker_processes(mixed: Path) -> None:
    cache = ParseCache()
    first = load_knowledge_base(mixed, SETTINGS, now=NOW, cache=cache, workers=2)
    assert cache.misses == len(first.results) and cache.hits == 0
    again = load_knowledge_base(mixed, SETTINGS, now=NOW, cache=cache, workers=2)
    assert cache.hits == len(first.results)
    assert _summary(again) == _summary(first) == _summary(load_knowledge_base(mixed, SETTINGS, now=NOW))


@pytest.mark.parametrize("count", [1, 7, 300, 1_000, 10_000])
def test_chunks_cover_every_file_once_and_shrink_where_the_processes_meet(count: int) -> None:
    unclaimed = kb_module._Unclaimed(count, 2)
    front: list[tuple[int, int]] = []
    back: list[tuple[int, int]] = []
    while unclaimed:  # the worker and this process, in turns
        front.append(unclaimed.front())
        if unclaimed:
            back.append(unclaimed.back())
    chunks = sorted(front + back)
    assert chunks[0][0] == 0 and chunks[-1][1] == count
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:]))
    sizes = [end - start for start, end in front]
    assert sizes == sorted(sizes, reverse=True) or count < 10
    assert max(sizes) <= kb_module._CHUNK_MAX
    if count >= 1_000:  # the last chunks are a few files: no long wait at the end
        assert front[-1][1] - front[-1][0] <= kb_module._CHUNK_MIN


def test_a_worker_that_dies_mid_check_leaves_its_chunks_here(mixed: Path, monkeypatch, tmp_path: Path) -> None:
    import os

    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)
    parent = os.getpid()
    original = kb_module.check_file  # patched, not `_check_chunk`: the pool pickles that by name
    in_worker: list[str] = []
    here: list[str] = []

    def dies_in_the_worker_after_ten_files(root, rel, *args, **kwargs):
        if os.getpid() != parent:
            in_worker.append(rel)
            if len(in_worker) > 10:
                (tmp_path / "died").touch()
                os._exit(9)
        else:
            here.append(rel)
        return original(root, rel, *args, **kwargs)

    monkeypatch.setattr(kb_module, "check_file", dies_in_the_worker_after_ten_files)
    again = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2, records=False)
    assert _summary(again) == _summary(serial)
    # The worker's first chunk died with it: every file was validated here.
    assert (tmp_path / "died").exists()
    assert sorted(here) == sorted(r.path for r in serial.results)


def test_ctrl_c_is_left_to_the_main_process(mixed: Path, monkeypatch, tmp_path: Path) -> None:
    # Ctrl-C reaches every process of the terminal's group. A worker interrupted while
    # holding the pool's result lock hung the whole check: workers ignore it.
    import os
    import signal

    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)
    parent = os.getpid()
    original = kb_module.check_file

    def interrupted_in_the_worker(root, rel, *args, **kwargs):
        if os.getpid() != parent and not (tmp_path / "interrupted").exists():
            (tmp_path / "interrupted").touch()
            os.kill(os.getpid(), signal.SIGINT)
            (tmp_path / "went-on").touch()  # not reached if the worker died of it
        return original(root, rel, *args, **kwargs)

    monkeypatch.setattr(kb_module, "check_file", interrupted_in_the_worker)
    again = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2, records=False)
    assert _summary(again) == _summary(serial)
    assert (tmp_path / "interrupted").exists() and (tmp_path / "went-on").exists()


def test_a_fork_failing_after_the_first_leaves_no_worker_behind(monkeypatch) -> None:
    # With fork, the pool starts its workers in the first `submit`; when a later fork
    # fails there, the ones started waited forever (and the interpreter for them at exit).
    import multiprocessing
    from multiprocessing.context import ForkProcess

    starts = []
    original = ForkProcess.start

    def second_fork_fails(self):
        starts.append(self)
        if len(starts) == 2:
            raise OSError(11, "Resource temporarily unavailable")
        return original(self)

    monkeypatch.setattr(kb_module, "check_file", _by_name)
    monkeypatch.setattr(ForkProcess, "start", second_fork_fails)
    rels = [f"postmortems/{i:05d}.md" for i in range(400)]
    out = kb_module._check_in_processes(Path("."), rels, SETTINGS, NOW, 4, False, False)
    assert [result for result, _ in out] == rels
    assert len(starts) == 2 and starts[0].pid is not None
    starts[0].join(timeout=10)
    assert not starts[0].is_alive() and not [p for p in multiprocessing.active_children() if p.is_alive()]


def _by_name(root, rel, *args, **kwargs):
    return rel, None


def test_few_files_or_one_job_stay_in_one_process() -> None:
    assert kb_module.worker_count(None, PARALLEL_MIN_FILES - 1) == 1
    assert kb_module.worker_count(1, 10_000) == 1
    assert kb_module.worker_count(4, 10_000) == 4
    assert kb_module.worker_count(None, 10_000) == kb_module.available_cpus()


def test_check_jobs_option_gives_the_same_output(mixed: Path) -> None:
    runner = CliRunner()
    config = str(mixed / "mkdocs.yml")
    one = runner.invoke(cli, ["check", "-f", config, "--no-cache", "--jobs", "1", "--format", "json"])
    two = runner.invoke(cli, ["check", "-f", config, "--no-cache", "--jobs", "2", "--format", "json"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout and json.loads(one.stdout)


# The result cache ------------------------------------------------------------------


def _project(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "kb"
    (root / "postmortems").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(extra=extra), encoding="utf-8")
    for rel, text in generate(8, seed=3):
        path = root / "postmortems" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    bad = valid_text().replace("PM-2024-001", "PM-2099-001").replace("severity: SEV2", "severity: SEV7")
    (root / "postmortems" / "bad.md").write_text(bad + "\nWe should have known.\n", encoding="utf-8")
    return root


class Counting:
    """Counts the files validated (rather than served from the cache)."""

    def __init__(self, monkeypatch) -> None:
        self.paths: list[str] = []
        real = kb_module.check_bytes

        def counting(path, *args, **kwargs):
            self.paths.append(path)
            return real(path, *args, **kwargs)

        monkeypatch.setattr(kb_module, "check_bytes", counting)

    def take(self) -> list[str]:
        paths, self.paths = self.paths, []
        return paths


def check(root: Path, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, ["check", "-f", str(root / "mkdocs.yml"), *args], env=env)
    assert result.exit_code in (0, 1), result.output
    return result


def test_a_warm_cache_gives_the_cold_output_without_validating(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    counting = Counting(monkeypatch)
    cold = check(root, "--format", "json")
    assert len(counting.take()) == 9
    assert (root / CACHE_FILE).is_file()
    warm = check(root, "--format", "json")
    assert counting.take() == []
    assert warm.stdout == cold.stdout and warm.exit_code == cold.exit_code == 1
    assert check(root).stdout == check(root, "--no-cache").stdout
    # Never committed by accident, whatever the project's own .gitignore says.
    assert (root / CACHE_FILE).with_name(".gitignore").read_text().splitlines()[-1] == "*"


def test_editing_a_file_validates_only_that_file(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    check(root)
    counting = Counting(monkeypatch)
    bad = root / "postmortems" / "bad.md"
    bad.write_text(bad.read_text().replace("severity: SEV7", "severity: SEV3"), encoding="utf-8")
    after = check(root, "--format", "json")
    assert counting.take() == ["postmortems/bad.md"]
    assert "frontmatter.enum" not in after.stdout
    assert after.stdout == check(root, "--no-cache", "--format", "json").stdout
    counting.take()
    # Same content, new modification time (a fresh clone in CI): still served from the cache.
    bad.write_bytes(bad.read_bytes())
    check(root)
    assert counting.take() == []


def test_deleted_files_leave_the_cache(tmp_path) -> None:
    root = _project(tmp_path)
    check(root)
    (root / "postmortems" / "bad.md").unlink()
    check(root)
    entries = json.loads((root / CACHE_FILE).read_text())["entries"]
    assert "postmortems/bad.md" not in entries and len(entries) == 8


def test_a_changed_setting_invalidates_every_entry(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    check(root)
    counting = Counting(monkeypatch)
    config = root / "mkdocs.yml"
    config.write_text(MKDOCS_YML.format(extra="      disabled_rules: [blameless.counterfactual]\n"), encoding="utf-8")
    after = check(root, "--format", "json")
    assert len(counting.take()) == 9
    assert "blameless.counterfactual" not in after.stdout
    check(root, "--no-lint")  # a different rule set: a different cache
    assert len(counting.take()) == 9


def test_the_reference_date_does_not_invalidate(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    check(root)
    counting = Counting(monkeypatch)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("2026-01-31", "2026-02-01"), encoding="utf-8")
    check(root)
    assert counting.take() == []


def test_time_dependent_findings_are_never_served_from_the_cache(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    future = root / "postmortems" / "future.md"
    future.write_text(valid_text().replace("PM-2024-001", "PM-2099-002").replace(
        "resolved_at: 2024-03-14T11:00:00Z", "resolved_at: 2999-03-14T11:00:00Z"), encoding="utf-8")
    counting = Counting(monkeypatch)
    first = check(root, "--format", "json")
    assert "frontmatter.future" in first.stdout
    entries = json.loads((root / CACHE_FILE).read_text())["entries"]
    assert "postmortems/future.md" not in entries and "postmortems/bad.md" in entries
    counting.take()
    assert check(root, "--format", "json").stdout == first.stdout
    assert counting.take() == ["postmortems/future.md"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: "{not json",
        lambda text: "",
        lambda text: "[" * 100_000,
        lambda text: json.dumps([1, 2, 3]),
        lambda text: text.replace(f'"format":{cache_module.FORMAT_VERSION}', '"format":99'),
        lambda text: text.replace('"fingerprint":"', '"fingerprint":"x'),
    ],
    ids=["bad-json", "empty", "deep", "not-an-object", "other-format", "other-fingerprint"],
)
def test_an_unusable_cache_file_is_ignored_and_rewritten(tmp_path, monkeypatch, spoil) -> None:
    root = _project(tmp_path)
    cold = check(root, "--format", "json")
    path = root / CACHE_FILE
    path.write_text(spoil(path.read_text()), encoding="utf-8")
    counting = Counting(monkeypatch)
    assert check(root, "--format", "json").stdout == cold.stdout
    assert len(counting.take()) == 9
    assert json.loads(path.read_text())["format"] == cache_module.FORMAT_VERSION
    check(root)
    assert counting.take() == []


WRONG_SHAPES = [
    "a string",
    None,
    [],
    [[], None, 0, [], None, None],  # six items (no links)
    [[[1, "error", "x", "y"]], None, 0, [], None, None, []],  # a finding of four (no column)
    [[[1, "error", "x", "y", -2]], None, 0, [], None, None, []],  # a negative column
    [[[-1, "error", "x", "y", 0]], None, 0, [], None, None, []],
    [[[True, "error", "x", "y", 0]], None, 0, [], None, None, []],
    [[[1, "fatal", "x", "y", 0]], None, 0, [], None, None, []],
    [[[1, ["error"], "x", "y", 0]], None, 0, [], None, None, []],
    [[[1, "error", 3, "y", 0]], None, 0, [], None, None, []],
    [[[1, "error", "Not a code", "y", 0]], None, 0, [], None, None, []],
    [[], 42, 0, [], None, None, []],
    [[], None, "2", [], None, None, []],
    [[], None, 0, [["PM-1"]], None, None, []],
    [[], None, 0, [[1, 2]], None, None, []],
    [[], None, 0, "PM-1", None, None, []],
    [[], None, 0, [], {"x": 1}, None, []],
    [{"findings": []}, None, 0, [], None, None, []],
    [[], None, 0, [], None, None, [["a.md", "postmortems/a.md"]]],  # a link of two
    [[], None, 0, [], None, None, [["a.md", "postmortems/a.md", -1]]],
    [[], None, 0, [], None, None, [["a.md", "postmortems/\u001b[2Ja.md", 1]]],  # a control character
    [[], None, 0, [], None, None, "a.md"],
]


@pytest.mark.parametrize("wrong", WRONG_SHAPES, ids=[str(i) for i in range(len(WRONG_SHAPES))])
def test_a_tampered_entry_is_ignored(tmp_path, monkeypatch, wrong) -> None:
    root = _project(tmp_path)
    cold = check(root, "--format", "json")
    path = root / CACHE_FILE
    data = json.loads(path.read_text())
    data["entries"]["postmortems/bad.md"][1] = wrong
    data["entries"]["postmortems/nowhere.md"] = ["0" * 64, wrong]  # no such file: dropped
    path.write_text(json.dumps(data), encoding="utf-8")
    counting = Counting(monkeypatch)
    assert check(root, "--format", "json").stdout == cold.stdout
    assert counting.take() == ["postmortems/bad.md"]
    entries = json.loads(path.read_text())["entries"]
    assert "postmortems/nowhere.md" not in entries and entries["postmortems/bad.md"][1] != wrong


def test_no_cache_neither_reads_nor_writes_it(tmp_path) -> None:
    root = _project(tmp_path)
    cold = check(root, "--no-cache", "--format", "json")
    assert not (root / ".cache").exists()
    check(root, "--format", "json")
    # A well-formed entry is trusted (it is only a cache); --no-cache never looks at it.
    path = root / CACHE_FILE
    data = json.loads(path.read_text())
    data["entries"]["postmortems/bad.md"][1][0] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    assert check(root, "--no-cache", "--format", "json").stdout == cold.stdout
    assert check(root, "--format", "json").stdout != cold.stdout


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_the_environment_can_turn_the_cache_off(tmp_path, value) -> None:
    root = _project(tmp_path)
    check(root, env={"POSTMORTEM_KB_CACHE": value})
    assert not (root / ".cache").exists()


def test_a_read_only_cache_folder_does_not_fail_the_check(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    (root / ".cache").write_text("a file where the folder should be", encoding="utf-8")
    assert check(root, "--format", "json").stdout == check(root, "--no-cache", "--format", "json").stdout


def test_an_entry_with_control_characters_is_ignored(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    cold = check(root, "--format", "json")
    path = root / CACHE_FILE
    data = json.loads(path.read_text())
    data["entries"]["postmortems/bad.md"][1][0] = [[1, "error", "x.y", "\x1b]8;;https://evil\x1b\\\\click\x1b]8;;\x1b\\\\"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert check(root, "--format", "json").stdout == cold.stdout


def test_an_oversized_cache_file_is_not_read(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    cold = check(root, "--format", "json")
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 10)
    counting = Counting(monkeypatch)
    assert check(root, "--format", "json").stdout == cold.stdout
    assert len(counting.take()) == 9


# Checking some files: the others are read only for what the cross-file rules need ---

CROSS_FILE = ("frontmatter.duplicate-id", "frontmatter.related-missing")
HOSTILE = Path(__file__).resolve().parent / "hostile" / "postmortems"


def _reported(kb, chosen) -> list[dict]:
    """What `check` reports when some files are chosen: theirs, and the cross-file findings anywhere."""
    return [f.to_dict() for f in kb.findings if chosen(f.path) or f.code in CROSS_FILE]


def _identity_cases() -> list[tuple[str, bytes]]:
    """Ways to write (or break) `id` and `related`, each a whole file."""
    base = valid_text()
    own = "PM-2024-001"
    cases = {
        "valid": base,
        "id-list": base.replace(f"id: {own}", f"id: [{own}]"),
        "id-map": base.replace(f"id: {own}", "id: {a: 1}"),
        "id-empty": base.replace(f"id: {own}", "id:"),
        "id-number": base.replace(f"id: {own}", "id: 2024"),
        "id-quoted-spaces": base.replace(f"id: {own}", f'id: "  {own}  "'),
        "id-invalid": base.replace(f"id: {own}", "id: -PM 1"),
        "id-too-long": base.replace(f"id: {own}", "id: PM-" + "9" * 70),
        "id-bidi": base.replace(f"id: {own}", "id: PM-\u202e2024"),
        "id-missing": base.replace(f"id: {own}\n", ""),
        "id-last": base.replace(f"id: {own}\n", "").replace("\n---\n", f"\nid: {own}\n---\n", 1),
        "id-anchor-alias": base.replace(f"id: {own}", f"x-anchor: &a {own}\nid: *a"),
        "related-own": base.replace("related: []", f"related: [{own}, PM-2024-002]"),
        "related-mixed": base.replace("related: []", "related: [PM-2024-002, 'bad id', [x], PM-2024-002, ~, PM-9]"),
        "related-text": base.replace("related: []", "related: PM-2024-002"),
        "related-map": base.replace("related: []", "related: {PM-2024-002: yes}"),
        "related-block": base.replace("related: []", "related:\n  - PM-2024-002\n  -\n  - PM-2024-003"),
        "related-before-bad-id": base.replace("related: []", "related: [PM-2024-002]").replace(f"id: {own}", "id: [x]"),
        "duplicate-key": base.replace(f"id: {own}", f"id: {own}\nid: PM-2024-009"),
        "yaml-error": base.replace("title: ", "title: [unclosed ", 1),
        "not-a-mapping": "---\n- a\n- b\n---\n\n## Summary\n",
        "no-front-matter": "# Just a page\n",
        "bom": "\ufeff" + base,
        "crlf": base.replace("\n", "\r\n"),
    }
    out = [(f"postmortems/2024/{name}.md", text.encode("utf-8")) for name, text in cases.items()]
    out.append(("postmortems/2024/not-utf8.md", b"\xff" + base.encode()))
    return out


def test_identify_reads_id_and_related_as_validation_does(mixed: Path) -> None:
    from postmortem_kb.core.validate import check_bytes, identify_bytes

    files = [(rel, data) for rel, data in _identity_cases()]
    files += [(p.relative_to(mixed).as_posix(), p.read_bytes()) for p in sorted(mixed.rglob("*.md"))]
    files += [(p.relative_to(HOSTILE).as_posix(), p.read_bytes()) for p in sorted(HOSTILE.rglob("*.md"))]
    with_ids = with_related = 0
    for rel, data in files:
        full = check_bytes(rel, data, SETTINGS, NOW, record=False)
        quick = identify_bytes(rel, data, SETTINGS)
        assert (quick.id, quick.id_line, quick.related) == (full.id, full.id_line, full.related), rel
        assert quick.findings == () and quick.record is None
        with_ids += full.id is not None
        with_related += bool(full.related)
    assert with_ids > 300 and with_related > 5  # the cases cover both, not only failures


@pytest.mark.parametrize("workers", [1, 2])
def test_files_around_the_chosen_ones_are_read_only_for_their_ids(mixed: Path, workers: int) -> None:
    full = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)
    paths = [r.path for r in full.results]
    troubled = {next(f.path for f in full.findings if f.code == code)
                for code in (*CROSS_FILE, "frontmatter.yaml", "file.encoding", "section.missing")}
    choices = [set(random.Random(3).sample(paths, 1)), troubled, {p for p in paths if p.startswith("postmortems/2024/")}]
    for chosen_paths in choices:
        chosen = chosen_paths.__contains__
        part = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=workers, records=False, selected=chosen)
        assert [r.path for r in part.results] == paths
        assert [(r.id, r.id_line, r.related) for r in part.results] == [(r.id, r.id_line, r.related) for r in full.results]
        assert _reported(part, chosen) == _reported(full, chosen)
        # The others were not validated: no findings of their own, only the cross-file ones.
        assert all(f.code in CROSS_FILE for r in part.results if not chosen(r.path) for f in r.findings)
    with pytest.raises(ValueError):
        load_knowledge_base(mixed, SETTINGS, now=NOW, selected=lambda path: True)  # records need every file


def test_checking_one_file_validates_only_that_file(mixed: Path, monkeypatch) -> None:
    target = next(p.relative_to(mixed).as_posix() for p in sorted(mixed.rglob("dup-a.md")))
    counting = Counting(monkeypatch)
    monkeypatch.chdir(mixed)
    one = check(mixed, "--no-cache", "--jobs", "1", "--format", "json", target)
    assert counting.take() == [target]
    # Its duplicate id is found all the same (the other file is read for its id).
    reported = json.loads(one.stdout)
    findings = reported["findings"] if isinstance(reported, dict) else reported
    assert {f["code"] for f in findings if f["path"] == target} >= {"frontmatter.duplicate-id"}
    assert one.exit_code == 1
    # A folder: every file in it, in full, and nothing else.
    check(mixed, "--no-cache", "--jobs", "1", "postmortems/2024")
    assert sorted(counting.take()) == sorted(p.relative_to(mixed).as_posix() for p in (mixed / "postmortems" / "2024").rglob("*.md"))


def test_files_read_only_for_their_ids_never_enter_the_cache(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    one = check(root, "--format", "json", "postmortems/bad.md")
    assert one.stdout == check(root, "--no-cache", "--format", "json", "postmortems/bad.md").stdout
    cached = json.loads((root / CACHE_FILE).read_text())["entries"]
    assert list(cached) == ["postmortems/bad.md"]
    counting = Counting(monkeypatch)
    whole = check(root, "--format", "json")
    assert len(counting.take()) == 8  # all but bad.md: validated now, in full
    assert whole.stdout == check(root, "--no-cache", "--format", "json").stdout


def test_a_validator_bug_names_the_file_and_the_others_are_still_checked(mixed: Path, monkeypatch) -> None:
    """A crash on one file (a bug of ours) is an error on that file, not an aborted check."""
    from postmortem_kb.core import validate

    real = kb_module.check_bytes
    victim = "postmortems/2024/dup-a.md"

    def crashing(path, *args, **kwargs):
        if path == victim:
            raise OverflowError("date value out of range")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(kb_module, "check_bytes", crashing)
    serial = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=1, records=False)
    parallel = load_knowledge_base(mixed, SETTINGS, now=NOW, workers=2, records=False)  # the worker forks with it
    assert _summary(parallel) == _summary(serial)
    [failed] = [r for r in serial.results if r.path == victim]
    [finding] = failed.findings
    assert finding.code == "file.internal-error" and finding.is_error and finding.path == victim
    assert "OverflowError: date value out of range" in finding.message and "bug in postmortem-kb" in finding.message
    assert len(serial.results) == len(load_knowledge_base(mixed, SETTINGS, now=NOW, records=False).results)
    # In the command: the file is named, the exit status is 1 (errors found), not 2 (a crash).
    result = CliRunner().invoke(cli, ["check", "-f", str(mixed / "mkdocs.yml"), "--no-cache", "--jobs", "1"])
    assert result.exit_code == 1
    assert f"{victim}: error: postmortem-kb failed while validating this file" in result.output
    assert validate.check_bytes is real  # only the knowledge base's name for it was replaced


def test_files_read_for_their_ids_count_a_third_towards_the_pool(mixed: Path, monkeypatch) -> None:
    rels = list(kb_module.discover(mixed, "postmortems").files)
    assert PARALLEL_MIN_FILES <= len(rels) < 3 * PARALLEL_MIN_FILES

    def no_pool(*args, **kwargs):
        raise AssertionError("the process pool was started")

    monkeypatch.setattr(kb_module, "_check_in_processes", no_pool)
    one = kb_module.check_files(mixed, rels, SETTINGS, NOW, workers=2, records=False, full=frozenset(rels[:1]))
    assert len(one) == len(rels)  # in this process: one file in full, the others for their ids
    with pytest.raises(AssertionError, match="pool"):
        kb_module.check_files(mixed, rels, SETTINGS, NOW, workers=2, records=False)
