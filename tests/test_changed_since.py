"""`--changed-since REF` against a real git repository in tmp_path (no network)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb_cli_helpers import make_project, postmortem
from postmortem_kb.cli.main import cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@example.com"),
                        ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@example.com")):
        monkeypatch.setenv(name, value)
    root = make_project(tmp_path / "repo", {
        "postmortems/2024/a.md": postmortem("PM-2024-001"),
        "postmortems/2024/b.md": postmortem("PM-2024-002", related="[PM-2024-003]"),
        "postmortems/2024/c.md": postmortem("PM-2024-003"),
        "postmortems/2024/old-warning.md": postmortem("PM-2024-004", body_extra="\nWe just waited.\n"),
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    monkeypatch.chdir(root)
    return root


def check(*args: str):
    return CliRunner().invoke(cli, ["check", "--format", "json", *args])


def test_only_changed_postmortems_plus_cross_file_findings(repo: Path) -> None:
    pms = repo / "postmortems" / "2024"
    # Modified and committed: a warning appears.
    (pms / "a.md").write_text(postmortem("PM-2024-001", body_extra="\nIt was obviously the cache.\n"), encoding="utf-8")
    # Added and committed: reuses the id of an unchanged file.
    (pms / "d.md").write_text(postmortem("PM-2024-002"), encoding="utf-8")
    # Deleted: b.md (unchanged) still links to it.
    (pms / "c.md").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature work")
    # Untracked, not committed yet: checked too.
    (pms / "e.md").write_text(postmortem("PM-2024-005", severity="SEV9"), encoding="utf-8")
    # Meanwhile main moves on; that change is not this branch's.
    git(repo, "checkout", "-q", "main")
    (pms / "old-warning.md").write_text(postmortem("PM-2024-004", body_extra="\nIt was simply slow.\n"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "main moves")
    git(repo, "checkout", "-q", "feature")

    result = check("--changed-since", "main")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["checked"] == 3  # a, d, e
    found = sorted((f["path"].rsplit("/", 1)[1], f["code"]) for f in data["findings"])
    assert found == [
        ("a.md", "blameless.hindsight"),
        ("b.md", "frontmatter.duplicate-id"),  # unchanged file, but the clash is this branch's
        ("b.md", "frontmatter.related-missing"),
        ("d.md", "frontmatter.duplicate-id"),
        ("e.md", "frontmatter.enum"),
    ]
    # old-warning.md has a warning, but this branch did not touch it.
    assert "old-warning.md" not in result.stdout


def test_nothing_changed_is_clean(repo: Path) -> None:
    result = check("--changed-since", "main")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["checked"] == 0


def test_lint_changed_since(repo: Path) -> None:
    (repo / "postmortems/2024/a.md").write_text(
        postmortem("PM-2024-001", body_extra="\nContact jane.doe@pantrylane.com.\n"), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["lint", "--changed-since", "main"])
    assert result.exit_code == 1
    assert "postmortems/2024/a.md" in result.stdout and "pii.email" in result.stdout
    assert "old-warning.md" not in result.stdout
    assert "1 postmortem linted (changed since main): 1 error, 0 warnings" in result.stderr


def test_unknown_ref_and_paths_with_changed_since_are_usage_errors(repo: Path) -> None:
    result = check("--changed-since", "no-such-branch")
    assert result.exit_code == 2 and "git merge-base" in result.stderr
    assert check("--changed-since", "--output=x").exit_code == 2
    assert check("--changed-since", "main", "postmortems").exit_code == 2


def test_outside_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path / "plain", {"postmortems/2024/a.md": postmortem()})
    monkeypatch.chdir(root)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = check("--changed-since", "main")
    assert result.exit_code == 2 and "Traceback" not in result.output
