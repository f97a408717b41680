"""Failure behaviour: a failed build leaves no complete-looking site, says so
once at the end with the counts, and `mkdocs serve` keeps the last good
version of a postmortem that is being edited."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from conftest import build, make_project, valid_text

pytestmark = pytest.mark.integration


def bad_text() -> str:
    return valid_text().replace("PM-2024-001", "PM-2024-002").replace("severity: SEV2", "severity: SEV9")


def test_failed_strict_build_leaves_no_site_and_one_closing_line(tmp_path):
    root = make_project(tmp_path / "kb", {"a.md": valid_text(), "b.md": bad_text()})
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("an old site", encoding="utf-8")
    result = build(root)
    assert result.returncode != 0
    assert "Traceback" not in result.output
    # Nothing that looks like a site is left behind (MkDocs had written every page).
    assert not site.exists() or not any(site.iterdir()), sorted(p.name for p in site.iterdir())
    lines = result.output.strip().splitlines()
    closing = [i for i, line in enumerate(lines) if "postmortems: build failed" in line]
    assert len(closing) == 1, result.output
    assert re.search(r"postmortems: build failed: 1 error, 0 warnings in 1 file", lines[closing[0]])
    # It comes after every finding; only MkDocs' own "Aborted" line follows it.
    assert all("error:" not in line for line in lines[closing[0] + 1 :])
    assert all("postmortem_kb" not in line for line in lines[closing[0] + 1 :])
    assert "Aborted with 1 errors in strict mode" in result.output  # MkDocs' own, on stdout


def test_non_strict_build_with_errors_closes_with_the_counts(tmp_path):
    import subprocess
    from conftest import MKDOCS

    root = make_project(tmp_path / "kb", {"a.md": valid_text(), "b.md": bad_text()})
    proc = subprocess.run([MKDOCS, "build"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    closing = [line for line in output.splitlines() if "postmortems: 1 error, 0 warnings in 1 file" in line]
    assert len(closing) == 1, output
    assert "1 invalid postmortem left out of the site" in closing[0]
    assert (root / "site" / "postmortems" / "a" / "index.html").is_file()


def test_clean_build_has_no_closing_complaint(site_builder):
    result = site_builder({"a.md": valid_text()})
    assert result.returncode == 0
    assert "build failed" not in result.output and "error" not in result.output.lower()


def test_serve_keeps_the_last_good_version_while_a_postmortem_is_edited(tmp_path, caplog):
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    root = make_project(tmp_path / "kb", {"a.md": valid_text(), "edited.md": valid_text().replace("PM-2024-001", "PM-2024-009")})
    site = tmp_path / "served"
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site))
        config.plugins.on_startup(command="serve", dirty=False)
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/")
        page = site / "postmortems" / "edited" / "index.html"
        assert "PM-2024-009" in page.read_text(encoding="utf-8")

        # The author breaks the file while editing it; another file is added.
        edited = root / "postmortems" / "edited.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("severity: SEV2", "severity: SEV22"), encoding="utf-8")
        (root / "postmortems" / "new.md").write_text(valid_text().replace("PM-2024-001", "PM-2024-010"), encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO):
            logging.getLogger("mkdocs").propagate = True
            mkdocs_build(config, serve_url="http://127.0.0.1:8000/")
        messages = [r.getMessage() for r in caplog.records]
        assert any("postmortems/edited.md:6: error: `severity: SEV22` is not allowed" in m for m in messages), messages
        assert any("serving its last valid version" in m for m in messages), messages
        # The closing line agrees: the invalid file is served, not left out.
        closing = [m for m in messages if "postmortems: 1 error" in m]
        assert closing and "1 invalid postmortem served at the last valid version" in closing[0], closing
        assert "left out of the site" not in closing[0]
        # The last good version is still served; the rest of the site is rebuilt.
        assert "PM-2024-009" in page.read_text(encoding="utf-8")
        assert (site / "postmortems" / "new" / "index.html").is_file()

        # Fixed: the new version replaces it.
        edited.write_text(edited.read_text(encoding="utf-8").replace("SEV22", "SEV3").replace(
            "Checkout latency after a config push", "Checkout latency, edited"), encoding="utf-8")
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/")
        assert "Checkout latency, edited" in page.read_text(encoding="utf-8")
    finally:
        os.chdir(cwd)


def test_a_pagefind_failure_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    """Pagefind's Python API talks JSON to its binary; whatever breaks there ends the
    build with one line (MkDocs prints a PluginError without a traceback)."""
    import json

    from mkdocs.exceptions import PluginError

    from postmortem_kb.plugin.plugin import PostmortemsPlugin
    from postmortem_kb.search import pagefind

    def broken(site_dir):
        raise json.JSONDecodeError("Expecting value", "", 0)

    monkeypatch.setattr(pagefind, "run_pagefind", broken)
    plugin = PostmortemsPlugin()
    plugin.load_config({"pagefind": True})
    plugin.is_serve = False
    with pytest.raises(PluginError, match=r"Pagefind could not index the site: JSONDecodeError: Expecting value"):
        plugin._run_pagefind(type("Config", (), {"site_dir": str(tmp_path)})())
