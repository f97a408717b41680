"""Work done beside the build in a forked child (issue 6): same results, whatever happens to the child."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from postmortem_kb.core.forked import Forked

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


@pytest.mark.integration
def test_a_build_that_forks_writes_the_same_site(tmp_path, monkeypatch):
    """Validation and page generation in forked processes (thresholds lowered so the
    test corpus qualifies) give the site a one-process build writes, byte for byte."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from conftest import build
    from postmortem_kb.core import knowledge_base
    from postmortem_kb.pages import registry
    from postmortem_kb.plugin import plugin as plugin_module
    from test_reproducible import EPOCH, digests, project

    root = project(tmp_path / "kb")
    serial = build(root, "-d", str(tmp_path / "serial"), env={"SOURCE_DATE_EPOCH": EPOCH})
    assert serial.returncode == 0, serial.output

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(knowledge_base, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(registry, "PARALLEL_MIN_FILES", 2)
    children: list[int] = []

    class Spy(Forked):
        def __init__(self, fn, **options) -> None:
            super().__init__(fn, **options)
            children.append(self._pid)

    monkeypatch.setattr(registry, "Forked", Spy)
    monkeypatch.setattr(plugin_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(plugin_module, "Forked", Spy)
    parent, composed_here = os.getpid(), []
    original_compose = plugin_module.PostmortemsPlugin._compose

    def counting_compose(self, pm, url):
        if os.getpid() == parent:
            composed_here.append(pm.path)
        return original_compose(self, pm, url)

    monkeypatch.setattr(plugin_module.PostmortemsPlugin, "_compose", counting_compose)
    monkeypatch.chdir(root)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "forked"))
    config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does (instances persist)
    mkdocs_build(config)
    # Generation and composition really ran in children.
    assert len(children) == 2 and all(pid > 0 for pid in children)
    pages = len(config.plugins["postmortems"].by_src)
    assert pages >= 4 and len(composed_here) == pages // 4  # the rest came from the child
    a, b = digests(tmp_path / "serial"), digests(tmp_path / "forked")
    assert a.keys() == b.keys()
    assert not sorted(rel for rel in a if a[rel] != b[rel])
