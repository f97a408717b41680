"""Hostile YAML is refused quickly with a clear message, never run or expanded."""

from __future__ import annotations

import time

import pytest

from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_bytes

BOMB = (
    "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)

CASES = [
    ("alias bomb", "---\n" + BOMB + "---\n", 6, "alias bomb"),
    ("python object", "---\nid: !!python/object/apply:os.system ['touch /tmp/pwned']\n---\n", 2, "not allowed"),
    ("python name", "---\nid: !!python/name:os.system\n---\n", 2, "not allowed"),
    ("custom tag", "---\nid: !Ref x\n---\n", 2, "not allowed"),
    ("deep flow nesting", "---\nid: " + "[" * 50_000 + "]" * 50_000 + "\n---\n", 2, "nests deeper"),
    ("deep block nesting", "---\n" + "".join("  " * i + f"k{i}:\n" for i in range(60)) + "---\n", 34, "nests deeper"),
    # Integers Python cannot print (over 4,300 digits) crashed the pages and exports.
    ("huge hex integer", "---\nimpact: {users_affected: 0x" + "f" * 4000 + "}\n---\n", 2, "more than 1,000 digits"),
    ("huge binary integer", "---\nx: [0b" + "1" * 20_000 + "]\n---\n", 2, "more than 1,000 digits"),
    ("huge base-60 integer", "---\nsupport_tickets: " + ":".join(["59"] * 3000) + "\n---\n", 2, "more than 1,000 digits"),
    ("huge front matter", "---\n" + "".join(f"k{i}: {'v' * 80}\n" for i in range(4000)) + "---\n", 2, "larger than"),
]


@pytest.mark.parametrize("case,text,line,part", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_refused_fast(case, text, line, part, tmp_path):
    started = time.perf_counter()
    result = check_bytes("p.md", text.encode(), Settings())
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"{case} took {elapsed:.2f}s"
    assert result.record is None
    finding = result.findings[0]
    assert finding.code == "frontmatter.yaml"
    assert part in finding.message
    assert finding.line == line


def test_python_tag_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    text = f"---\nid: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    check_bytes("p.md", text.encode(), Settings())
    assert not marker.exists()


def test_ten_megabyte_file_is_refused_fast():
    data = b"---\nid: x\n---\n" + b"A" * (10 * 1024 * 1024)
    started = time.perf_counter()
    result = check_bytes("big.md", data, Settings())
    assert time.perf_counter() - started < 1.0
    assert result.findings[0].code == "file.too-large"
    assert "10.0 MB" in result.findings[0].message
