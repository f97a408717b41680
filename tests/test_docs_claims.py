"""What the README and the guides say, checked against what the code does.

Each test names the claim it keeps true. They run the commands as a user
runs them (the `postmortem` command, `mkdocs build`) in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config.base import ValidationError

from conftest import MKDOCS, REPO, build, make_project, valid_text
from postmortem_kb.core.schema import (
    ACTION_ITEM_FIELDS,
    ACTION_STATUSES,
    ACTION_TYPES,
    DETECTIONS,
    FACTOR_FIELDS,
    FIELDS,
    ID_PATTERN,
    IMPACT_FIELDS,
    PRIORITIES,
    STATUSES,
    VISIBILITIES,
)
from postmortem_kb.exports.tables import INCIDENT_COLUMNS
from postmortem_kb.plugin.config import PostmortemsConfig, ReferenceDate

POSTMORTEM = str(Path(sys.executable).with_name("postmortem"))
README = (REPO / "README.md").read_text(encoding="utf-8")
GUIDES = REPO / "docs" / "guides"


def guide(name: str) -> str:
    return (GUIDES / name).read_text(encoding="utf-8")


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [POSTMORTEM, *args], cwd=root, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=120,
    )


def write_project(root: Path, plugin_block: str, files: dict[str, str]) -> Path:
    """A knowledge base whose `postmortems` block is written as given (YAML text, not dumped)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(
        "site_name: Test KB\n"
        "theme:\n  name: material\n"
        f"  custom_dir: {REPO / 'theme_overrides'}\n  font: false\n"
        "plugins:\n  - search\n  - postmortems:\n" + plugin_block,
        encoding="utf-8",
    )
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    for rel, text in files.items():
        path = root / "postmortems" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# --- reference_date: quoted or not (README's Configuration block) -------------------------


def test_the_readme_writes_reference_date_unquoted() -> None:
    assert re.search(r"^ +reference_date: 2026-11-27 ", README, re.MULTILINE)


@pytest.mark.parametrize("written", ["2026-11-27", '"2026-11-27"', "'2026-11-27'"])
def test_an_unquoted_reference_date_is_a_date_for_check_and_stats(tmp_path, written) -> None:
    root = write_project(tmp_path, f"      reference_date: {written}\n", {"2024/a.md": valid_text()})
    stats = run(root, "stats")
    assert stats.returncode == 0, stats.stdout + stats.stderr
    assert "reference date 2026-11-27" in stats.stdout
    check = run(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.integration
def test_an_unquoted_reference_date_builds(tmp_path) -> None:
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {"2024/a.md": valid_text()})
    result = build(root)
    assert result.returncode == 0, result.output
    incidents = json.loads((result.site / "incidents.json").read_text(encoding="utf-8"))
    assert incidents["count"] == 1


def test_reference_date_from_env_reads_as_a_date_too(tmp_path) -> None:
    """`!ENV` parses the variable as YAML: `2025-06-01` arrives as a date (security guide's example)."""
    block = '      reference_date: !ENV [PMKB_REFERENCE_DATE, ""]\n'
    root = write_project(tmp_path, block, {"2024/a.md": valid_text()})
    given = run(root, "stats", env={"PMKB_REFERENCE_DATE": "2025-06-01", "SOURCE_DATE_EPOCH": "1704067200"})
    assert given.returncode == 0 and "reference date 2025-06-01" in given.stdout, given.stdout + given.stderr
    unset = run(root, "stats", env={"SOURCE_DATE_EPOCH": "1704067200"})
    assert unset.returncode == 0 and "reference date 2024-01-01" in unset.stdout, unset.stdout + unset.stderr


@pytest.mark.parametrize(
    "value,expected",
    [(dt.date(2026, 11, 27), dt.date(2026, 11, 27)), ("2026-11-27", dt.date(2026, 11, 27)), (" ", None)],
)
def test_the_option_makes_one_date_of_text_or_date(value, expected) -> None:
    assert ReferenceDate().run_validation(value) == expected


@pytest.mark.parametrize(
    "value,message",
    [
        ("2026-02-30", "is not a date like"),
        ("27/11/2026", "is not a date like"),
        (dt.datetime(2026, 11, 27, 10, 0), "has a time of day"),
        (20261127, "expected a date like"),
    ],
)
def test_the_option_refuses_what_is_not_a_day(value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        ReferenceDate().run_validation(value)


def test_a_reference_date_out_of_range_still_names_the_option(tmp_path) -> None:
    root = write_project(tmp_path, "      reference_date: 0001-01-01\n", {"2024/a.md": valid_text()})
    proc = run(root, "check")
    assert proc.returncode == 2
    assert "reference_date: 0001-01-01 is outside 1970-01-01 to 9998-12-31" in proc.stderr


# --- SOURCE_DATE_EPOCH fixes the reference date (security guide, reproducible builds) ------


def test_source_date_epoch_freezes_the_reference_date_unless_reference_date_is_set(tmp_path) -> None:
    root = write_project(tmp_path, "      include_drafts: false\n", {"2024/a.md": valid_text()})
    frozen = run(root, "stats", env={"SOURCE_DATE_EPOCH": "1704067200"})
    assert "reference date 2024-01-01" in frozen.stdout, frozen.stdout + frozen.stderr
    pinned = write_project(tmp_path / "pinned", "      reference_date: 2026-11-27\n", {"2024/a.md": valid_text()})
    explicit = run(pinned, "stats", env={"SOURCE_DATE_EPOCH": "1704067200"})
    assert "reference date 2026-11-27" in explicit.stdout, explicit.stdout + explicit.stderr
    assert "SOURCE_DATE_EPOCH=1704067200 postmortem stats" in guide("security-and-reliability.md")


# --- options: one complete table, and a complete README block ------------------------------


def _declared_options() -> list[str]:
    return [name for name, _ in PostmortemsConfig._schema]


def test_every_option_is_in_the_options_table_of_the_guide() -> None:
    text = guide("running-your-own.md")
    section = text.split("## The plugin's options", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)
    assert rows == _declared_options()


def test_every_option_is_in_the_readme_block() -> None:
    block = README.split("## Configuration", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    written = re.findall(r"^      ([a-z_]+):", block, re.MULTILINE)
    assert sorted(written) == sorted(_declared_options())


def test_include_restricted_has_no_effect_in_a_public_build(tmp_path) -> None:
    restricted = valid_text().replace("visibility: public", "visibility: restricted")
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {"2024/a.md": restricted})
    public = run(root, "stats", "--audience", "public", "--include-restricted")
    assert public.returncode == 0 and "0 postmortems published" in public.stdout, public.stdout
    internal = run(root, "stats", "--audience", "internal", "--include-restricted")
    assert "1 postmortem published" in internal.stdout, internal.stdout


# --- what the build and the commands really do ---------------------------------------------


def test_the_readme_new_command_works_outside_a_terminal(tmp_path) -> None:
    line = next(line for line in README.splitlines() if line.startswith(".venv/bin/postmortem new "))
    args = shlex.split(line)[1:]
    assert "--author" in args
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {})
    (root / "postmortems" / "_templates").mkdir(parents=True)
    template = REPO / "postmortems" / "_templates" / "postmortem.md"
    (root / "postmortems" / "_templates" / "postmortem.md").write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    created = run(root, *args)
    assert created.returncode == 0, created.stdout + created.stderr
    without = [a for i, a in enumerate(args) if a != "--author" and (i == 0 or args[i - 1] != "--author")]
    missing = run(root, *without)
    assert missing.returncode == 2 and "missing --author" in missing.stderr


def test_check_json_is_one_object_as_its_help_says(tmp_path) -> None:
    bad = valid_text().replace("severity: SEV2", "severity: SEV7")
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {"2024/a.md": bad})
    proc = run(root, "check", "--format", "json")
    data = json.loads(proc.stdout)
    assert list(data) == ["checked", "errors", "warnings", "strict", "findings"]
    assert list(data["findings"][0]) == ["path", "line", "level", "code", "message", "column"]
    helped = " ".join(run(root, "check", "--help").stdout.split())
    assert "json: one object, {checked, errors, warnings, strict, findings}" in helped
    assert "each finding {path, line, level, code, message, column}" in helped
    assert "a list of findings" not in helped


def test_an_unknown_disabled_rule_is_reported_by_check_not_by_the_build(tmp_path) -> None:
    block = "      reference_date: 2026-11-27\n      disabled_rules: [blameless.hindsigth]\n"
    root = write_project(tmp_path, block, {"2024/a.md": valid_text()})
    proc = run(root, "check", "--strict")
    assert proc.returncode == 0
    assert "`disabled_rules` lists `blameless.hindsigth`, which is not a lint rule" in proc.stderr
    built = build(root)
    assert built.returncode == 0 and "hindsigth" not in built.output, built.output


@pytest.mark.integration
def test_pages_urls_and_ignored_files(tmp_path) -> None:
    """Severity pages are lowercased, trend views have an `all` floor, and `index.md` /
    `README.md` under postmortems/ are neither postmortems nor pages."""
    files = {
        "2024/a.md": valid_text(),
        "README.md": "# About this folder\n\nCANARY-README\n",
        "2024/index.md": "# 2024\n\nCANARY-INDEX\n",
    }
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", files)
    check = run(root, "check")
    assert "1 postmortem checked" in check.stderr, check.stderr
    result = build(root)
    assert result.returncode == 0, result.output
    assert (result.site / "severities" / "sev2" / "index.html").is_file()
    assert (result.site / "trends" / "1y" / "all" / "index.html").is_file()
    assert (result.site / "trends" / "1y" / "sev1" / "index.html").is_file()
    assert not (result.site / "trends" / "1y" / "sev4").exists()  # the least severe is `all`
    assert (result.site / "lessons" / "index.html").is_file()
    assert not (result.site / "search" / "index.html").is_file()  # pagefind: false
    for path in result.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".csv"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "CANARY-" not in text, path


@pytest.mark.integration
def test_pagefind_indexes_every_page_when_no_postmortem_is_published(tmp_path) -> None:
    pytest.importorskip("pagefind.index", reason="pagefind is not installed: pip install -e '.[pagefind]'")
    draft = valid_text().replace("status: published", "status: draft")
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n      pagefind: true\n", {"2024/a.md": draft})
    result = build(root)
    assert result.returncode == 0, result.output
    pages = len(list(result.site.rglob("*.html")))
    assert re.search(rf"Pagefind indexed {pages} pages", result.output), result.output
    assert "no published postmortem" in guide("search.md") or "publishes no postmortem" in guide("search.md")


@pytest.mark.integration
def test_the_readme_build_log_line_is_the_samples(tmp_path) -> None:
    shown = re.search(r"^INFO    -  postmortem_kb: postmortems: \d+ published.*$", README, re.MULTILINE)
    assert shown
    proc = subprocess.run(
        [MKDOCS, "build", "-f", str(REPO / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PMKB_AUDIENCE": "internal",
             "PMKB_INCLUDE_DRAFTS": "false", "PMKB_INCLUDE_RESTRICTED": "false"},
    )
    assert proc.returncode == 0, proc.stderr
    logged = [line for line in proc.stderr.splitlines() if " published, " in line]
    assert logged == [shown.group(0)]


# --- the format as the guides describe it -------------------------------------------------


def test_the_csv_columns_in_the_guide_are_the_real_ones() -> None:
    text = guide("indexes-and-trends.md")
    item = text.split("- `incidents.csv`, in this order:", 1)[1].split("\n- `action-items.csv`", 1)[0]
    named = re.findall(r"`([a-z_]+)`", item)
    listed = [n for n in named if n in INCIDENT_COLUMNS]
    assert listed == list(INCIDENT_COLUMNS)
    for absent in ("authors", "reviewers", "custom"):
        assert absent not in INCIDENT_COLUMNS and f"`{absent}`" in item


def _rows(table: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", table, re.MULTILINE)}


def test_the_field_reference_covers_every_field_with_its_limits() -> None:
    text = guide("writing-a-postmortem.md")
    ref = text.split("## Field reference", 1)[1].split("\n## ", 1)[0]
    top, rest = ref.split("\n`impact`:\n", 1)
    impact, rest = rest.split("\nEach contributing factor:\n", 1)
    factor, actions = rest.split("\nEach action item:\n", 1)
    # Every field, with its limit, from the same definitions the validator reads.
    for fields, table in ((FIELDS, top), (IMPACT_FIELDS, impact), (FACTOR_FIELDS, factor), (ACTION_ITEM_FIELDS, actions)):
        rows = _rows(table)
        assert list(rows) == list(fields), (list(rows), list(fields))
        for spec in fields.values():
            if spec.max_length:
                assert f"at most {spec.max_length} characters" in rows[spec.name], spec.name
    rows, items = _rows(top), _rows(actions)
    assert ID_PATTERN in rows["id"]
    assert "at most 2,000 characters" in items["ticket"]
    for values, row in ((STATUSES, rows["status"]), (VISIBILITIES, rows["visibility"]),
                        (DETECTIONS, rows["detection"]), (ACTION_STATUSES, items["status"]),
                        (ACTION_TYPES, items["type"]), (PRIORITIES, items["priority"])):
        assert all(f"`{v}`" in row for v in values), row
    for name, spec in (*FIELDS.items(), *ACTION_ITEM_FIELDS.items()):
        required = (rows if name in FIELDS and spec is FIELDS[name] else items)[name].split("|")[2]
        if spec.required is True:
            assert required.strip().startswith("yes"), name
        elif spec.required == "published":
            assert "published" in required, name
        else:
            assert required.strip().startswith("no"), name


def _timeline_variant(entries: str) -> str:
    text = valid_text()
    start = text.index("## Timeline\n") + len("## Timeline\n\n")
    end = text.index("## Contributing Factors")
    return text[:start] + entries + "\n" + text[end:]


def test_a_timeline_table_and_seconds_as_the_guide_shows_them(tmp_path) -> None:
    text = guide("writing-a-postmortem.md")
    table = text.split("A timeline may be a table instead of a list", 1)[1].split("```markdown\n", 1)[1].split("```", 1)[0]
    listed = "- 09:05:30 [action] The config push rolls out.\n- 09:12 [observation] Latency rises.\n- 09:19:05 [detection] The alert pages.\n"
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {
        "2024/a.md": _timeline_variant(table),
        "2024/b.md": _timeline_variant(listed).replace("PM-2024-001", "PM-2024-002"),
    })
    proc = run(root, "check", "--strict", "--no-lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "`HH:MM:SS`" in text


def test_placeholders_in_code_are_not_reported(tmp_path) -> None:
    body = ("\n```\n{{ HH:MM }} in a fence\n```\n\nInline `{{ HH:MM }}` code.\n\n"
            "<!-- {{ HH:MM }} -->\n\nAnd {{ HH:MM }} in prose.\n")
    text = valid_text().replace("## Timeline", body + "\n## Timeline", 1)
    root = write_project(tmp_path, "      reference_date: 2026-11-27\n", {"2024/a.md": text})
    proc = run(root, "lint")
    placeholders = [line for line in proc.stdout.splitlines() if "template.placeholder" in line]
    assert len(placeholders) == 1 and "in prose" not in placeholders[0]
    line_of_prose = text.splitlines().index("And {{ HH:MM }} in prose.") + 1
    assert placeholders[0].startswith(f"postmortems/2024/a.md:{line_of_prose}:")
    listed = run(root, "lint", "--list-rules").stdout
    assert re.search(r"^template\.placeholder +error +text outside code", listed, re.MULTILINE)


# --- workflows and hooks as the guides describe them -------------------------------------


def test_the_guide_gives_the_pull_request_commands_as_the_workflow_runs_them() -> None:
    workflow = (REPO / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    text = " ".join(guide("running-your-own.md").split())
    assert "postmortem check --strict --no-cache --format github --changed-since" in workflow
    assert "`postmortem check --strict --no-cache --format github --changed-since origin/main`" in text
    assert "`postmortem check --strict --no-cache`" in text


def test_pre_commit_hooks_need_the_environment_on_path() -> None:
    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    languages = {hook["language"] for repo in config["repos"] for hook in repo["hooks"]}
    assert languages == {"system"}
    assert ".venv/bin" in guide("running-your-own.md").split("## pre-commit", 1)[1]


def test_the_make_browser_target_installs_only_as_root_or_with_sudo() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nbrowser:\n", 1)[1].split("\n\n", 1)[0]
    assert '"$$(id -u)" = 0' in target and "sudo -n true" in target
    assert "the browser tests will be skipped" in target
    for text in (README, guide("search.md")):
        assert "passwordless `sudo`" in text and "skipped" in text
