"""`--changed-since REF`: the postmortem files a branch or pull request touches.

Compared with the merge base of REF and HEAD (what a pull request adds, not
what the base branch did since), against the work tree, plus untracked files:
a new postmortem is checked before its first commit too. Deleted files have
nothing left to check.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, this is not a repository, or REF is unknown."""


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed for --changed-since)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(args)}` took longer than 60 s") from None
    if done.returncode != 0:
        problem = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise GitError(f"`git {' '.join(args)}` failed: {problem}")
    return done.stdout


def changed_files(root: Path, ref: str) -> set[str]:
    """Paths (POSIX, relative to `root`) added, modified or renamed since `ref`, and untracked ones."""
    if ref.startswith("-"):
        raise GitError(f"`{ref}` is not a git revision")
    base = _git(root, "merge-base", ref, "HEAD").strip()
    changed = _git(root, "diff", "--name-only", "--no-renames", "--diff-filter=d", "--relative", "-z", base, "--")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    return {p for p in (changed + untracked).split("\0") if p}
