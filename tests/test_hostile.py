"""The hostile corpus (tests/hostile/): every broken postmortem is reported
clearly, at the right line, by `postmortem check` and by `mkdocs build`, fast
and without a traceback, while the valid postmortems of the same run are still
validated and published.

The expectations live in tests/hostile/expected.yaml, one entry per file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import MKDOCS, make_project

from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_bytes

pytestmark = pytest.mark.integration

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
POSTMORTEM = str(Path(sys.executable).with_name("postmortem"))
ALL_CASES = {**EXPECTED["cases"], **EXPECTED["generated"]}
# `path:line: level: message`, or `path: level: message` for whole-file findings.
FINDING = re.compile(r"(postmortems/[^\s:]+?)(?::(\d+))?: (error|warning): (.*)$")


def _generate(base: Path) -> None:
    """The cases too big or too odd to commit: a 10 MB file and symbolic links."""
    (base / "huge-10mb.md").write_bytes(b"---\nid: PM-H-HUGE\n---\n" + b"A" * (10 * 1024 * 1024))
    (base / "link-to-valid.md").symlink_to(base / "valid-1.md")
    (base / "loop").symlink_to(base, target_is_directory=True)  # postmortems/loop -> postmortems/
    outside = base.parent / "outside-the-kb"
    outside.mkdir()
    (outside / "secret.md").write_text("---\nid: PM-H-OUTSIDE\n---\n", encoding="utf-8")
    (base / "outside").symlink_to(outside, target_is_directory=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile"), {}, {"reference_date": "2026-01-15"})
    shutil.copytree(HOSTILE / "postmortems", root / "postmortems")
    _generate(root / "postmortems")
    return root


def _run(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"},
    )
    return proc, time.perf_counter() - started


def _findings(output: str) -> dict[str, list[tuple[int, str, str]]]:
    found: dict[str, list[tuple[int, str, str]]] = {}
    for line in output.splitlines():
        match = FINDING.search(line)
        if match:
            path, number, level, message = match.groups()
            found.setdefault(path.removeprefix("postmortems/"), []).append((int(number or 0), level, message))
    return found


def _assert_all_reported(found: dict[str, list[tuple[int, str, str]]], where: str) -> None:
    for case, spec in ALL_CASES.items():
        got = found.get(case, [])
        for line, code, part in spec["findings"]:
            assert any(n == line and part in message for n, _, message in got), (
                f"{where}: {case}: expected line {line} `{part}` ({code}); got {got}"
            )
        if not spec["findings"]:
            assert not got, f"{where}: {case} is valid but got {got}"
    # Nothing outside the corpus is reported (the symlinked folders are not walked).
    assert set(found) <= set(ALL_CASES), set(found) - set(ALL_CASES)


def test_expectations_cover_every_file():
    files = {p.relative_to(HOSTILE / "postmortems").as_posix() for p in (HOSTILE / "postmortems").rglob("*.md")}
    assert files == set(EXPECTED["cases"])


def test_postmortem_check_reports_every_case(corpus):
    proc, elapsed = _run([POSTMORTEM, "check"], corpus)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert elapsed < 10, f"postmortem check took {elapsed:.1f}s"
    _assert_all_reported(_findings(proc.stdout), "postmortem check")
    # Codes, through the JSON output of the same command.
    proc, _ = _run([POSTMORTEM, "check", "--format", "json"], corpus)
    data = json.loads(proc.stdout)
    codes = {(f["path"].removeprefix("postmortems/"), f["line"], f["code"]) for f in data["findings"]}
    for case, spec in ALL_CASES.items():
        for line, code, _ in spec["findings"]:
            assert (case, line, code) in codes, (case, line, code)
    assert data["checked"] == sum(1 for name in EXPECTED["cases"]) + 1  # + the 10 MB file


def test_mkdocs_build_strict_reports_every_case_and_fails(corpus, tmp_path):
    proc, elapsed = _run([MKDOCS, "build", "--strict", "-d", str(tmp_path / "site")], corpus)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output
    assert elapsed < 60, f"the strict build took {elapsed:.1f}s"
    _assert_all_reported(_findings(output), "mkdocs build --strict")
    # One closing line with the count of findings, at the very end of the plugin's output.
    assert re.search(r"postmortems: build failed: \d+ errors?, \d+ warnings? in \d+ files?", output), output[-2000:]


def test_non_strict_build_publishes_the_valid_ones(corpus, tmp_path):
    site = tmp_path / "site"
    proc, _ = _run([MKDOCS, "build", "-d", str(site)], corpus)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    _assert_all_reported(_findings(output), "mkdocs build")
    published = [case for case, spec in EXPECTED["cases"].items() if spec.get("published")]
    assert len(published) == 5
    listing = (site / "postmortems" / "index.html").read_text(encoding="utf-8")
    for case in published:
        page = site / "postmortems" / case.removesuffix(".md") / "index.html"
        assert page.is_file(), case
        assert "pmkb-header" in page.read_text(encoding="utf-8")
    for pm_id in ("PM-H-VALID", "PM-H-VALID2", "PM-H-BOM", "PM-H-CRLF", "PM-H-UNKNOWN"):
        assert pm_id in listing
    # No invalid file became a page, and nothing behind a symlink did.
    pages = {p.relative_to(site / "postmortems").parent.as_posix() for p in (site / "postmortems").rglob("index.html")}
    assert pages == {".", *(case.removesuffix(".md") for case in published)}, pages
    assert f"{len(published)} published" in output


@pytest.mark.parametrize("case", sorted(EXPECTED["cases"]))
def test_each_case_is_fast_in_process(case):
    data = (HOSTILE / "postmortems" / case).read_bytes()
    started = time.perf_counter()
    result = check_bytes(f"postmortems/{case}", data, Settings())
    assert time.perf_counter() - started < 1.0
    assert all(f.line >= 0 and f.message for f in result.findings)


def test_ten_megabytes_is_fast_in_process():
    data = b"---\nid: PM-H-HUGE\n---\n" + b"A" * (10 * 1024 * 1024)
    started = time.perf_counter()
    result = check_bytes("postmortems/huge.md", data, Settings())
    assert time.perf_counter() - started < 1.0
    assert [f.code for f in result.findings] == ["file.too-large"]
