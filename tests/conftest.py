"""Shared fixtures: fixture texts and a builder of real MkDocs sites in tmp_path."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
