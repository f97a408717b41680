"""Work done beside the build in a forked child (issue 6): same results, whatever happens to the child."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from postmortem_kb.core.forked import Forked, ForkedStream

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_the_result_comes_from_another_process():
    parent = os.getpid()
    assert Forked(os.getpid).result() != parent


def test_without_fork_it_runs_here():
    assert Forked(os.getpid, fork=False).result() == os.getpid()


def test_an_exception_in_the_child_is_raised_here_by_running_again():
    calls = []

    def fails() -> int:
        calls.append(os.getpid())
        raise ValueError("broken generator")

    forked = Forked(fails)
    with pytest.raises(ValueError, match="broken generator"):
        forked.result()
    assert calls == [os.getpid()]  # the parent's run (the child's list is its own copy)


def test_a_result_that_cannot_be_sent_is_computed_here():
    parent = os.getpid()
    result = Forked(lambda: (os.getpid(), lambda: None)).result()  # a lambda cannot be pickled
    assert result[0] == parent


def test_a_child_killed_on_the_way_is_replaced_by_a_run_here():
    parent = os.getpid()

    def dies() -> int:
        if os.getpid() != parent:
            os._exit(3)
        return 42

    assert Forked(dies).result() == 42


def test_cancel_ends_the_child(tmp_path):
    marker = tmp_path / "finished"

    def slow() -> None:
        import time

        time.sleep(5)
        marker.write_text("done")

    forked = Forked(slow)
    forked.cancel()
    forked.cancel()  # twice is harmless
    assert not marker.exists()


def _records(count: int):
    from helpers_pm import item, record

    teams = ("sre", "payments", "search", "platform")
    categories = ("config-change", "dependency", "capacity-load", "observability-detection")
    return [
        record(
            f"PM-{i:03d}",
            f"20{22 + i % 4}-0{1 + i % 9}-1{i % 10}T0{i % 10}:12",
            severity=f"SEV{1 + i % 3}",
            categories=(categories[i % 4], categories[(i + 1) % 4]),
            services=(f"svc-{i % 7}", f"svc-{(i * 3) % 11}"),
            teams=(teams[i % 4],),
            items=(item(title=f"Fix {i}", owner=teams[(i + 1) % 4], due=f"2025-0{1 + i % 9}-01", factor=categories[i % 4]),),
        )
        for i in range(count)
    ]


def test_generated_pages_are_the_same_generated_in_two_processes(monkeypatch):
    from conftest import THEME_OVERRIDES
    from postmortem_kb.core.knowledge_base import KnowledgeBase
    from postmortem_kb.core.settings import Settings
    from postmortem_kb.pages import registry
    from postmortem_kb.render.environment import Renderer

    records = sorted(_records(40), key=lambda pm: pm.started_at, reverse=True)
    kb = KnowledgeBase(Settings(reference_date=dt.date(2026, 11, 27)), [], [], records)
    options = type("O", (), {"trends_period": "quarter", "exports": True, "pagefind": True})()
    serial = registry.generate_pages(kb, Renderer([THEME_OVERRIDES]), options)
    monkeypatch.setattr(registry, "PARALLEL_MIN_FILES", 10)
    children: list[int] = []

    class Spy(Forked):
        def __init__(self, fn, **options) -> None:
            super().__init__(fn, **options)
            children.append(self._pid)

    monkeypatch.setattr(registry, "Forked", Spy)
    parallel = registry.generate_pages(kb, Renderer([THEME_OVERRIDES]), options, parallel=True)
    assert [p.src_uri for p in parallel] == [p.src_uri for p in serial]
    assert parallel == serial
    assert len(children) == 1 and children[0] > 0  # really generated in a child
    assert {"categories/index.md", "trends/index.md", "lessons/index.md", "services/index.md"} <= {p.src_uri for p in serial}


def _forking_everywhere(monkeypatch) -> list[str]:
    """Lower every threshold so a small test corpus is validated, generated and
    composed in forked children; returns the list the children are recorded in."""
    from postmortem_kb.core import forked as forked_module
    from postmortem_kb.core import knowledge_base
    from postmortem_kb.pages import registry
    from postmortem_kb.plugin import plugin as plugin_module

    children: list[str] = []

    class Spy(Forked):
        def __init__(self, fn, **options) -> None:
            super().__init__(fn, **options)
            children.append(f"{getattr(fn, '__qualname__', fn)}:{self._pid}")

    class StreamSpy(ForkedStream):
        def __init__(self, items, **options) -> None:
            super().__init__(items, **options)
            children.append(f"{getattr(items, '__qualname__', items)}:{self._pid}")

    monkeypatch.setattr(knowledge_base, "worker_count", lambda workers, files: 1 if workers == 1 else 2)
    for module in (registry, plugin_module):
        monkeypatch.setattr(module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(registry, "Forked", Spy)
    monkeypatch.setattr(plugin_module, "ForkedStream", StreamSpy)
    monkeypatch.setattr(forked_module, "Forked", Spy)  # knowledge_base imports it when it forks
    # Idle threads other tests leave behind (local web servers) would keep the plugin in one process.
    monkeypatch.setattr(plugin_module.threading, "active_count", lambda: 1)
    # The test process grows with the tests it ran; the writer's memory limit is for builds.
    from postmortem_kb.plugin import writer

    monkeypatch.setattr(writer, "_peak_rss_mb", lambda: 0.0)
    return children


def _started(root, site, *, dirty: bool = False, strict: bool = True):
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=strict)
    config.plugins.on_startup(command="build", dirty=dirty)  # as `mkdocs build` does (instances persist)
    return config


@pytest.mark.integration
def test_a_build_that_forks_writes_the_same_site(tmp_path, monkeypatch):
    """Validation, page generation and composition in forked children (thresholds
    lowered so the test corpus qualifies) give the site a one-process build
    writes, byte for byte (`search_index.json` included, though the indexer read
    flattened blocks), with no warning more (the build is strict)."""
    from mkdocs.commands.build import build as mkdocs_build

    from conftest import build
    from postmortem_kb.plugin import plugin as plugin_module
    from test_reproducible import EPOCH, digests, project

    root = project(tmp_path / "kb")
    serial = build(root, "-d", str(tmp_path / "serial"), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert serial.returncode == 0, serial.output

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    children = _forking_everywhere(monkeypatch)
    parent, composed_here = os.getpid(), []
    original_compose = plugin_module.PostmortemsPlugin._compose

    def counting_compose(self, pm, url, *more):
        if os.getpid() == parent:
            composed_here.append(pm.path)
        return original_compose(self, pm, url, *more)

    monkeypatch.setattr(plugin_module.PostmortemsPlugin, "_compose", counting_compose)
    flattened: list[int] = []
    original_with_flats = plugin_module._with_flats

    def counting_with_flats(html, spans):
        flattened.append(len(spans))
        return original_with_flats(html, spans)

    monkeypatch.setattr(plugin_module, "_with_flats", counting_with_flats)
    split_there: list[int] = []
    original_take = plugin_module.PostmortemsPlugin._take_sections

    def counting_take(self, page):
        sections = original_take(self, page)
        if sections is not None:
            split_there.append(len(sections))
        return sections

    monkeypatch.setattr(plugin_module.PostmortemsPlugin, "_take_sections", counting_take)
    written_there = _count_pages_written_in_child(monkeypatch)
    converted_here = _pages_converted_here(monkeypatch, "")
    monkeypatch.chdir(root)
    config = _started(root, tmp_path / "forked")
    with _log_lines() as lines:
        mkdocs_build(config)
    # Validation, generation, composition (with conversion) and writing really ran in children.
    assert len(children) == 4 and all(not child.endswith(":0") for child in children), children
    assert "compose_later" in children[2] and "PageWriter" in children[3]
    pages = len(config.plugins["postmortems"].by_src)
    in_child = len(plugin_module.chosen(range(pages), plugin_module.PRERENDER_SHARE))
    assert pages >= 3 and in_child >= 1
    # The child's pages were composed and converted there, the others here.
    by_src = config.plugins["postmortems"].by_src
    assert len(composed_here) == len([src for src in converted_here if src in by_src]) == pages - in_child
    # And every generated page was converted there too (they come after the postmortems).
    generated = config.plugins["postmortems"].generated
    assert len(generated) >= 10 and not [src for src in converted_here if src in generated]
    # The indexer took the child's sections for the child's pages (split from the HTML with
    # flattened blocks, see search/presplit.py); the index is the same, checked below.
    assert len(split_there) == in_child and all(split_there), split_there
    assert not flattened  # nothing left to flatten here
    # The child wrote its share of the pages; MkDocs' "Page skipped" line for them is not shown.
    pages_total = len(config.plugins["postmortems"].by_src) + len(config.plugins["postmortems"].generated)
    assert written_there.value >= pages_total // 2
    assert not [line for line in lines if "Page skipped" in line]
    a, b = digests(tmp_path / "serial"), digests(tmp_path / "forked")
    assert a.keys() == b.keys()
    assert not sorted(rel for rel in a if a[rel] != b[rel])


def _pages_converted_here(monkeypatch, prefix: str) -> list[str]:
    """A list, filled as pages under `prefix` have their Markdown converted by MkDocs in this process."""
    from mkdocs.structure.pages import Page

    converted, parent, original = [], os.getpid(), Page.render

    def counting_render(page, config, files):
        if os.getpid() == parent and page.file.src_uri.startswith(prefix):
            converted.append(page.file.src_uri)
        return original(page, config, files)

    monkeypatch.setattr(Page, "render", counting_render)
    return converted


def _count_pages_written_in_child(monkeypatch):
    """A counter, shared with the children, of the pages MkDocs' `_build_page` built in another process."""
    import multiprocessing

    from postmortem_kb.plugin import writer

    count = multiprocessing.Value("i", 0)
    parent = os.getpid()
    real = writer._mkdocs_build_page()

    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        real(page, config, doc_files, nav, env, dirty, excluded)
        if os.getpid() != parent:
            with count.get_lock():
                count.value += 1

    monkeypatch.setattr(writer, "_mkdocs_build_page", lambda: build_page)
    return count


class _log_lines:
    """Every line MkDocs logs (any level) while the block runs."""

    def __enter__(self) -> list[str]:
        import logging

        self.lines: list[str] = []
        self.logger = logging.getLogger("mkdocs")
        self.level = self.logger.level
        self.handler = logging.Handler(logging.DEBUG)
        self.handler.emit = lambda record: self.lines.append(f"{record.levelname} {record.getMessage()}")
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.DEBUG)
        return self.lines

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


@pytest.mark.integration
def test_pages_a_failed_writer_child_left_are_written_here(tmp_path, monkeypatch):
    """The child that writes pages dies on its first page: every one of its pages
    is rendered here from the context the plugins gave, and the site is the one
    a one-process build writes."""
    from mkdocs.commands.build import build as mkdocs_build

    from conftest import build
    from postmortem_kb.plugin import writer
    from test_reproducible import EPOCH, digests, project

    root = project(tmp_path / "kb")
    serial = build(root, "-d", str(tmp_path / "serial"), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert serial.returncode == 0, serial.output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    children = _forking_everywhere(monkeypatch)
    parent = os.getpid()
    real = writer._mkdocs_build_page()

    def dies_in_child(*args):
        if os.getpid() != parent:
            os._exit(3)
        return real(*args)

    monkeypatch.setattr(writer, "_mkdocs_build_page", lambda: dies_in_child)
    monkeypatch.chdir(root)
    mkdocs_build(_started(root, tmp_path / "forked"))
    assert any("PageWriter" in child for child in children)
    a, b = digests(tmp_path / "serial"), digests(tmp_path / "forked")
    assert a.keys() == b.keys()
    assert not sorted(rel for rel in a if a[rel] != b[rel])


@pytest.mark.integration
def test_a_warning_in_the_writer_child_fails_a_strict_build(tmp_path, monkeypatch):
    """What the child logs is logged here, once: a strict build counts its warnings."""
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort

    from postmortem_kb.plugin import writer
    from test_reproducible import project

    root = project(tmp_path / "kb")
    _forking_everywhere(monkeypatch)
    parent, warned = os.getpid(), []
    real = writer._mkdocs_build_page()

    def warns_in_child(page, *args):
        if os.getpid() != parent and not warned:
            warned.append(page.file.src_uri)
            logging.getLogger("mkdocs.plugins.example").warning(f"odd theme value on {page.file.src_uri}")
        return real(page, *args)

    monkeypatch.setattr(writer, "_mkdocs_build_page", lambda: warns_in_child)
    monkeypatch.chdir(root)
    with _log_lines() as lines, pytest.raises(Abort, match="1 warnings"):
        mkdocs_build(_started(root, tmp_path / "site"))
    assert len([line for line in lines if "odd theme value on" in line]) == 1
    assert not warned  # the warning came from the child, not from here


@pytest.mark.integration
def test_a_page_that_fails_in_the_writer_child_is_reported_as_itself(tmp_path, monkeypatch):
    from mkdocs.commands.build import build as mkdocs_build

    from postmortem_kb.plugin import writer
    from test_reproducible import project

    root = project(tmp_path / "kb")
    _forking_everywhere(monkeypatch)
    monkeypatch.chdir(root)
    config = _started(root, tmp_path / "site", strict=False)
    broken: list[str] = []
    original_init = writer.PageWriter.__init__

    def init(self, pages, *args, **options):
        broken.append(pages[-1].file.src_uri)
        pages[-1].meta["template"] = "no-such-template.html"  # fails in the child and again here
        original_init(self, pages, *args, **options)

    monkeypatch.setattr(writer.PageWriter, "__init__", init)
    with _log_lines() as lines, pytest.raises(Exception, match="no-such-template"):
        mkdocs_build(config)
    errors = [line for line in lines if line.startswith("ERROR Error building page")]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR Error building page '{broken[0]}': 'no-such-template.html'"), errors


def test_pages_for_the_writer_are_spread_and_avoid_reserved_paths():
    from types import SimpleNamespace

    from postmortem_kb.plugin.writer import chosen

    pages = [SimpleNamespace(file=SimpleNamespace(dest_uri=f"p{i}/index.html")) for i in range(8)]
    assert [p.file.dest_uri for p in chosen(pages, 0.5)] == [f"p{i}/index.html" for i in (1, 3, 5, 7)]
    assert len(chosen(pages, 0.75)) == 6
    skipped = chosen(pages, 0.5, lambda page: page.file.dest_uri == "p3/index.html")
    assert "p3/index.html" not in [p.file.dest_uri for p in skipped]


def test_no_writer_child_when_another_plugin_post_processes_pages(tmp_path):
    from conftest import make_project, valid_text
    from mkdocs.config import load_config

    from postmortem_kb.plugin.writer import PageWriter

    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["postmortems"]
    assert PageWriter.possible(config, plugin)
    config.plugins.events["post_page"].append(lambda output, **kwargs: output.upper())
    assert not PageWriter.possible(config, plugin)


def test_no_writer_child_when_another_plugin_reads_the_page_context(tmp_path):
    """The child runs `on_page_context` again for its pages: only for handlers known to
    do nothing twice (this plugin's and the search plugins')."""
    from conftest import make_project, valid_text
    from mkdocs.config import load_config

    from postmortem_kb.plugin.writer import PageWriter

    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["postmortems"]
    assert PageWriter.possible(config, plugin)
    config.plugins.events["page_context"].append(lambda context, **kwargs: context)
    assert not PageWriter.possible(config, plugin)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc (Linux)")
def test_a_child_does_not_outlive_a_parent_killed_without_cleanup(tmp_path):
    """A parent ended by a signal only it gets (a CI timeout) leaves no child writing on."""
    import time

    pidfile = tmp_path / "pid"
    middle = os.fork()
    if middle == 0:  # the parent to be killed
        try:
            child = Forked(lambda: time.sleep(30))
            pidfile.write_text(str(child._pid))
        finally:
            os._exit(0)  # no cleanup, as after SIGKILL
    os.waitpid(middle, 0)
    pid = int(pidfile.read_text())

    def alive() -> bool:
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            return False
        return "State:\tZ" not in status  # a zombie waiting for init is dead

    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive()


def test_no_writer_child_past_the_memory_limit(tmp_path, monkeypatch):
    """A child copies part of a large process (measured 565 MB at 10,000): past the limit, none."""
    from conftest import make_project, valid_text
    from mkdocs.config import load_config

    from postmortem_kb.plugin import writer

    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["postmortems"]
    assert 0 < writer._peak_rss_mb() < writer.MEMORY_LIMIT_MB
    monkeypatch.setattr(writer, "_peak_rss_mb", lambda: writer.MEMORY_LIMIT_MB + 1.0)
    assert not writer.PageWriter.possible(config, plugin)


@pytest.mark.integration
def test_a_dirty_build_composes_its_few_pages_here(tmp_path, monkeypatch):
    from mkdocs.commands.build import build as mkdocs_build

    from test_reproducible import project

    root = project(tmp_path / "kb")
    children = _forking_everywhere(monkeypatch)
    monkeypatch.chdir(root)
    mkdocs_build(_started(root, tmp_path / "site", dirty=True, strict=False), dirty=True)
    assert not any("compose_later" in child or "PageWriter" in child for child in children), children


@pytest.mark.integration
def test_a_page_that_fails_to_compose_is_reported_as_itself(tmp_path, monkeypatch, caplog):
    """The child leaves a failing page out; it fails here, under its own name, not
    under the name of the first page the child composed."""
    from mkdocs.commands.build import build as mkdocs_build

    from postmortem_kb.plugin import plugin as plugin_module
    from test_reproducible import project

    root = project(tmp_path / "kb")
    children = _forking_everywhere(monkeypatch)
    from postmortem_kb.cli.common import load_project
    from postmortem_kb.core.knowledge_base import load_knowledge_base

    settings, _ = load_project(str(root / "mkdocs.yml"))
    broken = load_knowledge_base(root, settings).published[-1].path  # the last page: one the child composes
    original = plugin_module.PostmortemsPlugin._compose

    def compose(self, pm, url, *more):
        if pm.path == broken:
            raise ValueError("this page cannot be composed")
        return original(self, pm, url, *more)

    monkeypatch.setattr(plugin_module.PostmortemsPlugin, "_compose", compose)
    monkeypatch.chdir(root)
    with pytest.raises(ValueError, match="cannot be composed"):
        mkdocs_build(_started(root, tmp_path / "site", strict=False))
    assert any("compose_later" in child for child in children)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR" and "Error reading page" in r.getMessage()]
    assert errors and all(broken in message for message in errors), errors


def test_the_child_composition_is_used_only_for_its_url():
    from postmortem_kb.plugin.plugin import PostmortemsPlugin

    plugin = PostmortemsPlugin()
    sent = [("postmortems/2024/skipped.md", ("skipped", ())), ("postmortems/2024/a.md", ("composed", ()))]
    plugin._later = ForkedStream(lambda: iter(sent))
    plugin._later_urls = {"postmortems/2024/a.md": "postmortems/2024/a/", "postmortems/2024/skipped.md": "x/"}
    assert plugin._composed_later("postmortems/2024/a.md", "elsewhere/a/") is None
    assert plugin._composed_later("postmortems/2024/b.md", "postmortems/2024/b/") is None
    # In MkDocs' order; a page MkDocs did not ask for is passed over.
    assert plugin._composed_later("postmortems/2024/a.md", "postmortems/2024/a/") == ("composed", ())
    assert plugin._composed_later("postmortems/2024/a.md", "postmortems/2024/a/") is None  # once
    assert plugin._later is None  # the child sent everything


def test_a_stream_from_a_child_that_fails_ends_where_it_failed():
    parent = os.getpid()

    def items():
        yield 1
        yield 2
        if os.getpid() != parent:
            os._exit(3)
        yield 3

    stream = ForkedStream(items)
    assert [stream.next() for _ in range(4)] == [1, 2, None, None]
    assert [ForkedStream(items, fork=False).next()] == [None]  # no child: nothing comes, all is done here


def test_a_failed_build_ends_a_child_still_composing(tmp_path):
    import time

    from conftest import make_project, valid_text
    from mkdocs.config import load_config

    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["postmortems"]
    plugin._later = ForkedStream(lambda: iter([time.sleep(30)]))
    pid = plugin._later._pid
    plugin.on_build_error(error=RuntimeError("a page failed"))
    assert plugin._later is None and plugin._later_urls == {}
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # ended and reaped


def test_a_fallback_replaces_the_work_of_a_failed_child():
    parent = os.getpid()

    def only_here() -> str:
        if os.getpid() != parent:
            raise RuntimeError("fails in the child")
        return "full result"

    assert Forked(only_here, fallback=lambda: "fallback").result() == "fallback"
    assert Forked(only_here).result() == "full result"


def _postmortems_with(extra: str, count: int = 4) -> dict[str, str]:
    """`count` valid postmortems (distinct ids), each with `extra` at the end of its body."""
    from conftest import valid_text

    return {
        f"2024/2024-03-1{i}-incident.md": valid_text().replace("PM-2024-001", f"PM-2024-10{i}") + "\n" + extra + "\n"
        for i in range(count)
    }


@pytest.mark.integration
def test_a_broken_link_in_a_page_converted_in_the_child_warns_here_once(tmp_path, monkeypatch):
    """The child converts a share of the pages; what MkDocs says while converting
    them (a link to a missing file) is said here, once per page, and fails a strict build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort

    from conftest import make_project

    from postmortem_kb.plugin import plugin as plugin_module

    root = make_project(tmp_path / "kb", _postmortems_with("See [the runbook](missing-runbook.md)."))
    children = _forking_everywhere(monkeypatch)
    converted_here = _pages_converted_here(monkeypatch, "postmortems/2024/")
    monkeypatch.chdir(root)
    config = _started(root, tmp_path / "site")
    with _log_lines() as lines, pytest.raises(Abort, match="4 warnings"):
        mkdocs_build(config)
    assert any("compose_later" in child for child in children)
    assert len(converted_here) == 4 - len(plugin_module.chosen(range(4), plugin_module.PRERENDER_SHARE)) < 4
    warned = [line for line in lines if line.startswith("WARNING") and "missing-runbook.md" in line]
    assert len(warned) == 4 and len(set(warned)) == 4, warned  # one for each page, none twice


@pytest.mark.integration
def test_markdown_changed_by_a_later_plugin_is_converted_here(tmp_path, monkeypatch):
    """A plugin that changes a page's Markdown after this one: the child's conversion
    (of the Markdown before the change) is not used; every page shows the change."""
    from mkdocs.commands.build import build as mkdocs_build

    from conftest import make_project

    root = make_project(tmp_path / "kb", _postmortems_with("Closing words."))
    _forking_everywhere(monkeypatch)
    monkeypatch.chdir(root)
    config = _started(root, tmp_path / "site")

    def later_plugin(markdown, *, page, config, files):
        changed = page.file.src_uri.startswith(("postmortems/2024/", "services/"))  # and generated pages
        return markdown + "\n\nAdded by a later plugin.\n" if changed else markdown

    config.plugins.events["page_markdown"].append(later_plugin)
    mkdocs_build(config)
    pages = sorted((tmp_path / "site" / "postmortems" / "2024").glob("*/index.html"))
    assert len(pages) == 4
    assert all("Added by a later plugin." in page.read_text(encoding="utf-8") for page in pages)
    services = sorted((tmp_path / "site" / "services").glob("*/index.html"))
    assert services and all("Added by a later plugin." in page.read_text(encoding="utf-8") for page in services)


def test_the_child_converts_only_with_extensions_named_in_the_configuration():
    from types import SimpleNamespace

    from markdown.extensions.toc import TocExtension

    from postmortem_kb.plugin import prerender

    assert prerender.possible(SimpleNamespace(markdown_extensions=["toc", "admonition"]))
    assert not prerender.possible(SimpleNamespace(markdown_extensions=["toc", TocExtension()]))
