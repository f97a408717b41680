"""`postmortem check`: output formats and exit codes, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pathlib import Path

from conftest import make_project, valid_text

POSTMORTEM = str(Path(sys.executable).with_name("postmortem"))


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POSTMORTEM, *args], cwd=root, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1"}, timeout=60,
    )


def bad_text() -> str:
    return valid_text().replace("PM-2024-001", "PM-2024-002").replace("severity: SEV2", "severity: SEV7").replace(
        "- 09:26 [decision]", "- 09:01 [decision]"
    )


def test_clean_knowledge_base_exits_0(tmp_path):
    root = make_project(tmp_path, {"2024/a.md": valid_text()})
    proc = run(root, "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "1 postmortem checked: 0 errors, 0 warnings" in proc.stderr


def test_errors_exit_1_with_path_line_level_message(tmp_path):
    root = make_project(tmp_path, {"2024/a.md": valid_text(), "2024/b.md": bad_text()})
    proc = run(root, "check")
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert lines == [
        "postmortems/2024/b.md:6: error: `severity: SEV7` is not allowed; use one of `SEV1`, `SEV2`, `SEV3`, `SEV4`",
        "postmortems/2024/b.md:57: error: timeline entry `09:01` is earlier than the entry before it (`09:19` on line 56); "
        "keep the timeline in chronological order; if it happened on a later day, write the date: `2024-03-15 09:01`",
    ]
    assert "2 postmortems checked: 2 errors, 0 warnings" in proc.stderr


def test_paths_select_files_but_cross_file_rules_see_everything(tmp_path):
    dup = valid_text()  # same id as a.md
    root = make_project(tmp_path, {"2024/a.md": valid_text(), "2025/b.md": dup, "2025/c.md": bad_text()})
    proc = run(root, "check", "postmortems/2024")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "postmortems/2024/a.md:2: error: id `PM-2024-001` is also used by postmortems/2025/b.md:2; ids must be unique: "
        "give all but one another id; the next free one is `PM-2024-003`"
    ]
    proc = run(root, "check", "postmortems/2025/c.md")
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["postmortems/2025/c.md"] * 2


def test_json_format(tmp_path):
    root = make_project(tmp_path, {"2024/a.md": valid_text(), "2024/b.md": bad_text()})
    proc = run(root, "check", "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["checked"] == 2 and data["errors"] == 2 and data["warnings"] == 0
    assert data["findings"][0] == {
        "path": "postmortems/2024/b.md",
        "line": 6,
        "level": "error",
        "code": "frontmatter.enum",
        "message": "`severity: SEV7` is not allowed; use one of `SEV1`, `SEV2`, `SEV3`, `SEV4`",
        "column": 0,
    }


def test_lint_findings_carry_their_column_in_json_and_github_and_sort_by_it(tmp_path):
    text = valid_text().replace("## Impact\n", "## Impact\n\nThe operator should have simply noticed it.\n", 1)
    root = make_project(tmp_path, {"2024/a.md": text})
    findings = json.loads(run(root, "check", "--format", "json").stdout)["findings"]
    on_line = [f for f in findings if f["message"].startswith("blameless.")]
    assert len(on_line) >= 2 and len({f["line"] for f in on_line}) == 1, on_line
    columns = [f["column"] for f in on_line]
    assert columns == sorted(columns) and all(c > 0 for c in columns)
    for f in on_line:
        assert f"(column {f['column']})" in f["message"]
    github = run(root, "check", "--format", "github").stdout
    assert f"line={on_line[0]['line']},col={on_line[0]['column']},title={on_line[0]['code']}" in github


def test_warnings_alone_exit_0(tmp_path):
    root = make_project(tmp_path, {"a.md": valid_text().replace("tags:", "tagz:")})
    proc = run(root, "check")
    assert proc.returncode == 0
    assert "warning: unknown key `tagz`" in proc.stdout


def test_configuration_is_read_from_mkdocs_yml(tmp_path):
    options = {"severities": [{"name": "P1"}, {"name": "P2"}]}
    root = make_project(tmp_path, {"a.md": valid_text()}, options)
    proc = run(root, "check")
    assert proc.returncode == 1
    assert "`severity: SEV2` is not allowed" in proc.stdout and "`P1`, `P2`" in proc.stdout


def test_usage_and_configuration_problems_exit_2(tmp_path):
    proc = run(tmp_path, "check")
    assert proc.returncode == 2
    assert "mkdocs.yml: not found" in proc.stderr
    root = make_project(tmp_path / "kb", {"a.md": valid_text()}, {"audience": "everyone"})
    proc = run(root, "check")
    assert proc.returncode == 2
    assert "audience" in proc.stderr and "Traceback" not in proc.stderr
    root = make_project(tmp_path / "kb2", {"a.md": valid_text()})
    proc = run(root, "check", "postmortems/nope.md")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    proc = run(root, "check", "--format", "xml")
    assert proc.returncode == 2


def test_a_taxonomy_slug_with_a_line_break_is_a_configuration_error(tmp_path):
    """`$` in the slug pattern also matches before a final line break: slugs are matched whole."""
    options = {"taxonomy": [{"slug": "config-change\n", "title": "Config"}]}
    root = make_project(tmp_path, {"a.md": valid_text()}, options)
    proc = run(root, "check")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "taxonomy: `config-change\\n` is not a slug" in proc.stderr


def test_help_has_examples(tmp_path):
    proc = run(tmp_path, "check", "--help")
    assert proc.returncode == 0
    assert "Examples:" in proc.stdout and "postmortem check postmortems/2024" not in proc.stderr


def test_files_outside_the_knowledge_base_are_checked_not_skipped(tmp_path):
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    held = tmp_path / "held"
    (held / "sub").mkdir(parents=True)
    (held / "ok.md").write_text(valid_text(), encoding="utf-8")  # same id as a.md: a separate set
    (held / "sub" / "bad.md").write_text(
        bad_text().replace("related: []", "related: [PM-2024-001, PM-NOPE]"), encoding="utf-8"
    )
    proc = run(root, "check", str(held / "ok.md"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 file outside postmortems/ checked as a set of their own" in proc.stderr
    assert "1 postmortem checked: 0 errors" in proc.stderr
    proc = run(root, "check", str(held))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{held}/sub/bad.md:6: error: `severity: SEV7`")
    assert any("`PM-NOPE`" in line for line in lines)
    assert not any("`PM-2024-001`" in line for line in lines)  # known in the knowledge base
    assert "2 postmortems checked: 3 errors" in proc.stderr


def test_hidden_files_are_named_as_left_out_and_checked_when_named(tmp_path):
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text(), "2024/.b.md": bad_text(),
                                          ".drafts/c.md": valid_text().replace("PM-2024-001", "PM-2024-009")})
    note = ("postmortem: 2 hidden files under postmortems/ left out (a name starting with a dot: MkDocs "
            "leaves such files out, and so does the site; name one to check it): "
            "postmortems/.drafts/c.md, postmortems/2024/.b.md")
    for output in ("text", "json", "github"):
        proc = run(root, "check", "--format", output)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert note in proc.stderr and ".b.md" not in proc.stdout
    assert "1 postmortem checked: 0 errors" in proc.stderr
    assert "hidden" not in run(root, "check", "-q").stderr  # errors only
    # Named, a hidden file is checked, as a set of its own (its id may repeat a published one).
    proc = run(root, "check", "postmortems/2024/.b.md")
    assert proc.returncode == 1
    assert proc.stdout.startswith("postmortems/2024/.b.md:6: error:")
    assert "postmortem: 1 file the knowledge base does not hold (hidden) checked as a set of their own" in proc.stderr
    assert "left out" not in proc.stderr
    # So are the files of a hidden folder named as such.
    proc = run(root, "check", "postmortems/.drafts")
    assert proc.returncode == 0 and "1 file the knowledge base does not hold (hidden) checked" in proc.stderr
    assert "1 postmortem checked: 0 errors" in proc.stderr and "left out" not in proc.stderr
    # A named folder: the hidden files in it are named as left out.
    proc = run(root, "check", "postmortems/2024")
    assert "1 hidden file under postmortems/ left out" in proc.stderr and "postmortems/2024/.b.md" in proc.stderr
    assert "postmortems/.drafts/c.md" not in proc.stderr
    # A page named: said as such.
    (root / "postmortems" / "README.md").write_text(valid_text().replace("PM-2024-001", "PM-2024-010"), encoding="utf-8")
    proc = run(root, "check", "postmortems/README.md", "postmortems/2024/.b.md")
    assert "2 files the knowledge base does not hold (a page: index.md or README.md; hidden) checked" in proc.stderr
    # lint names them too, and lints a hidden folder named as such.
    proc = run(root, "lint")
    assert "2 hidden files under postmortems/ left out" in proc.stderr and "name one to lint it" in proc.stderr
    proc = run(root, "lint", "postmortems/.drafts")
    assert "1 postmortem linted: 0 errors, 0 warnings" in proc.stderr
    assert "left out" not in proc.stderr


def test_a_named_symbolic_link_is_reported_not_followed(tmp_path):
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text(valid_text().replace("PM-2024-001", "PM-2024-002"), encoding="utf-8")
    (root / "postmortems" / "2024" / ".hid.md").symlink_to(elsewhere)
    (root / "postmortems" / "2024" / "link.md").symlink_to(elsewhere)
    for name in (".hid.md", "link.md"):
        proc = run(root, "check", f"postmortems/2024/{name}")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stdout.count(f"postmortems/2024/{name}: error: this file is a symbolic link; links are not followed") == 1
        assert "checked as a set of their own" not in proc.stderr


def test_a_folder_around_the_knowledge_base_checks_each_file_once(tmp_path):
    """`postmortem check .` from the project: the postmortems are checked as the knowledge
    base, once; only files outside `postmortems/` are checked as a set of their own."""
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text(), "2024/b.md": bad_text()})
    (root / "held").mkdir()
    (root / "held" / "c.md").write_text(valid_text().replace("PM-2024-001", "PM-2024-077"), encoding="utf-8")
    everything = run(root, "check", "--format", "json", ".")
    whole = run(root, "check", "--format", "json")
    assert everything.returncode == whole.returncode == 1
    findings = json.loads(everything.stdout)["findings"]
    assert sorted(f["path"] for f in findings) == sorted(f["path"] for f in json.loads(whole.stdout)["findings"])
    assert len({(f["path"], f["line"], f["code"]) for f in findings}) == len(findings)  # nothing twice
    text = run(root, "check", ".").stderr
    assert "1 file outside postmortems/ checked as a set of their own" in text
    assert "3 postmortems checked" in text


@pytest.mark.parametrize(
    "options,env,expected",
    [
        ({"reference_date": "0001-01-01"}, {}, "reference_date: 0001-01-01 is outside 1970-01-01 to 9998-12-31"),
        ({"reference_date": "9999-12-31"}, {}, "reference_date: 9999-12-31 is outside 1970-01-01 to 9998-12-31"),
        ({}, {"SOURCE_DATE_EPOCH": "99999999999999"}, "SOURCE_DATE_EPOCH=99999999999999 is not a time before the year 10000"),
    ],
)
def test_a_reference_date_at_the_calendars_ends_is_a_configuration_error(tmp_path, options, env, expected):
    """The pages count periods around the reference date: at the calendar's ends there are
    none, and the build crashed. Now `check` and the build both say which setting is wrong."""
    root = make_project(tmp_path / "kb", {"a.md": valid_text()}, options)
    proc = subprocess.run([POSTMORTEM, "check"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **env}, timeout=60)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr
    built = subprocess.run([str(Path(sys.executable).with_name("mkdocs")), "build", "-q"], cwd=root, capture_output=True,
                           text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}, timeout=120)
    assert built.returncode != 0 and expected in built.stderr and "Traceback" not in built.stderr


def test_control_characters_from_a_file_reach_no_terminal(tmp_path):
    """Text quoted from a file in a finding is shown with its control characters escaped:
    `\\x1b]0;...` would retitle the terminal, `\\x1b[2J` clear it. Raw ones are refused
    while reading (`file.control`); YAML escapes (`\\e`) and file names can still bring them."""
    text = valid_text().replace("severity: SEV2", 'severity: "SEV\\e[2J\\e]0;PWNED\\a"')
    root = make_project(tmp_path / "kb", {"2024/a.md": text})
    (root / "postmortems" / "2024" / "b\x1b[8m.md").write_text(
        valid_text().replace("PM-2024-001", "PM-2024-002").replace("- 09:26", "- 09:01"), encoding="utf-8")
    raw = valid_text().replace("PM-2024-001", "PM-2024-003").replace("- 09:26 [decision]", "- 09:26 \x1b[2J [decision]")
    (root / "postmortems" / "2024" / "c.md").write_text(raw, encoding="utf-8")
    for output in ("text", "github"):
        proc = run(root, "check", "--format", output)
        assert proc.returncode == 1
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
        assert "SEV\\x1b[2J\\x1b]0;PWNED\\x07" in proc.stdout
        assert "b\\x1b[8m.md" in proc.stdout
    proc = run(root, "check")
    assert "postmortems/2024/c.md:" in proc.stdout and "invisible control character (U+001B)" in proc.stdout


def test_a_file_ending_in_upper_case_md_is_an_error_not_a_broken_page(tmp_path):
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    (root / "postmortems" / "2024" / "B.MD").write_text(valid_text().replace("PM-2024-001", "PM-2024-002"), encoding="utf-8")
    proc = run(root, "check")
    assert proc.returncode == 1
    assert "postmortems/2024/B.MD: error: the file name ends in `.MD`, and MkDocs renders only `.md` files: rename it to `B.md`" in proc.stdout
    # Beside a `B.md`, renaming it would overwrite that file: the advice says so.
    (root / "postmortems" / "2024" / "B.md").write_text(valid_text().replace("PM-2024-001", "PM-2024-003"), encoding="utf-8")
    proc = run(root, "check")
    assert ("postmortems/2024/B.MD: error: the file name ends in `.MD`, and MkDocs renders only `.md` files; "
            "`B.md` is beside it: keep one of them, named `B.md`") in proc.stdout
    # `C.MD` beside `C.Md`: both would become `C.md`.
    for name in ("C.MD", "C.Md"):
        (root / "postmortems" / "2024" / name).write_text(valid_text().replace("PM-2024-001", f"PM-{name}"), encoding="utf-8")
    proc = run(root, "check")
    assert "C.MD: error: the file name ends in `.MD`, and MkDocs renders only `.md` files; `C.Md` is beside it" in proc.stdout
    assert "C.Md: error: the file name ends in `.Md`, and MkDocs renders only `.md` files; `C.MD` is beside it" in proc.stdout


def test_other_markdown_extensions_are_an_error_not_dropped(tmp_path):
    """MkDocs reads `.markdown` as Markdown in docs_dir; under postmortems/ it vanished without a word."""
    root = make_project(tmp_path / "kb", {"2024/a.md": valid_text()})
    for number, name in enumerate(("b.markdown", "c.mdown", "_d.mkd"), start=2):
        (root / "postmortems" / "2024" / name).write_text(valid_text().replace("PM-2024-001", f"PM-2024-00{number}"), encoding="utf-8")
    (root / "postmortems" / "2024" / "notes.txt").write_text("not Markdown\n", encoding="utf-8")
    (root / "postmortems" / "README.markdown").write_text("# About this folder\n", encoding="utf-8")  # a page
    proc = run(root, "check")
    assert proc.returncode == 1
    assert "postmortems/2024/b.markdown: error: the file name ends in `.markdown`, and postmortems are `.md` files: rename it to `b.md`" in proc.stdout
    assert "postmortems/2024/c.mdown: error:" in proc.stdout and "_d.mkd: error:" in proc.stdout
    assert "notes.txt" not in proc.stdout and "README" not in proc.stdout
    proc = run(root, "check", "postmortems/2024/b.markdown")
    assert "checked as a set of their own" in proc.stderr and "not named `.md`" in proc.stderr and "`_` folder" not in proc.stderr


def test_related_ids_in_another_case_and_ids_differing_only_in_case(tmp_path):
    other = valid_text().replace("PM-2024-001", "pm-2024-001")
    linking = valid_text().replace("PM-2024-001", "PM-2024-007").replace("related: []", "related: [pm-2024-00X, Pm-2024-001]")
    assert "related: [pm-2024-00X" in linking
    root = make_project(tmp_path, {"2024/a.md": valid_text(), "2024/b.md": other, "2024/c.md": linking})
    proc = run(root, "check")
    # The format makes ids unique as written: ids differing only in case are two ids.
    assert "postmortems/2024/a.md" not in proc.stdout and "postmortems/2024/b.md" not in proc.stdout
    assert "`related` lists `pm-2024-00X`, but no postmortem has that id; check" in proc.stdout
    root = make_project(tmp_path / "two", {"2024/a.md": valid_text(), "2024/c.md": linking})
    proc = run(root, "check")
    assert "`related` lists `Pm-2024-001`, but no postmortem has that id (did you mean `PM-2024-001`? ids are matched with their case)" in proc.stdout
