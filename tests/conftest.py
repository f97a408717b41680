"""Shared fixtures: fixture texts and a builder of real MkDocs sites in tmp_path."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
THEME_OVERRIDES = REPO / "theme_overrides"
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def valid_text() -> str:
    return (FIXTURES / "valid.md").read_text(encoding="utf-8")


@dataclass
class SiteResult:
    root: Path
    site: Path
    returncode: int
    output: str

    def read(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")


def make_project(
    root: Path,
    postmortems: dict[str, str],
    options: dict | None = None,
    docs: dict[str, str] | None = None,
    nav: list | None = None,
    extra_config: dict | None = None,
) -> Path:
    """Write a knowledge base project (mkdocs.yml, docs/, postmortems/) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "site_name": "Test KB",
        "site_url": "https://kb.example.com/",
        "docs_dir": "docs",
        "theme": {"name": "material", "custom_dir": str(THEME_OVERRIDES), "font": False, "features": ["content.action.edit"]},
        "plugins": ["search", {"postmortems": dict(options or {})}],
        "markdown_extensions": ["admonition", "attr_list", "tables", {"toc": {"permalink": True}}],
    }
    if nav is not None:
        config["nav"] = nav
    config.update(extra_config or {})
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    docs = docs if docs is not None else {"index.md": "# Home\n\nThe knowledge base.\n"}
    for rel, text in docs.items():
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    for rel, text in postmortems.items():
        path = root / "postmortems" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(root: Path, *args: str, env: dict[str, str] | None = None) -> SiteResult:
    """`mkdocs build --strict` in a subprocess, as a user would run it."""
    proc = subprocess.run(
        [MKDOCS, "build", "--strict", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
    )
    return SiteResult(root, root / "site", proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture
def site_builder(tmp_path: Path):
    """Build a site from postmortem texts: `site_builder({"2024/a.md": text}, options)`."""

    counter = {"n": 0}

    def _build(postmortems: dict[str, str], options: dict | None = None, **kwargs) -> SiteResult:
        counter["n"] += 1
        root = make_project(tmp_path / f"kb{counter['n']}", postmortems, options, **kwargs)
        return build(root)

    return _build


@pytest.fixture(autouse=True)
def _restore_mkdocs_logger():
    """The MkDocs CLI stops propagation on the `mkdocs` logger; undo it after each test."""
    logger = logging.getLogger("mkdocs")
    propagate, level, handlers = logger.propagate, logger.level, list(logger.handlers)
    yield
    logger.propagate, logger.level = propagate, level
    logger.handlers[:] = handlers


# Browser tests (test_browser*.py): Debian's chromium driven by Playwright, never a
# downloaded browser, and the sample site built once and served on localhost. Every
# page a test opens records its requests and console: a request that leaves
# localhost, a console error or an uncaught page error fails the test.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


class Server:
    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample knowledge base (pagefind: true in mkdocs.yml), built once."""
    out = tmp_path_factory.mktemp("sample") / "site"
    proc = subprocess.run(
        [MKDOCS, "build", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "pagefind" / "pagefind-ui.js").is_file(), "Pagefind did not run"
    return out


@pytest.fixture(scope="session")
def sample_server(sample_site):
    server = Server(sample_site)
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium with apt")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class Watched:
    """A page whose requests and console are recorded and checked at the end."""

    def __init__(self, browser, **context_options) -> None:
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def check(self) -> None:
        outside = [
            u for u in self.requests
            if urlparse(u).scheme not in ("data", "blob", "about") and urlparse(u).hostname not in ("127.0.0.1", "localhost")
        ]
        assert not outside, f"requests left localhost: {outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"
        self.context.close()


@pytest.fixture
def watched(browser):
    opened: list[Watched] = []

    def _open(**options) -> Watched:
        w = Watched(browser, **options)
        opened.append(w)
        return w

    yield _open
    for w in opened:
        w.check()
