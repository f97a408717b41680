"""`check --format github`: workflow commands with GitHub's escaping, the step summary; exit codes, colour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb_cli_helpers import make_project, postmortem
from postmortem_kb.cli.main import cli
from postmortem_kb.cli.report import escape_data, escape_property, workflow_command
from postmortem_kb.core.findings import Finding, Level

HINDSIGHT = "\nWe just restarted the consumer.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "kb", {
        "postmortems/2024/good.md": postmortem("PM-2024-001"),
        "postmortems/2024/warn.md": postmortem("PM-2024-002", body_extra=HINDSIGHT),
        "postmortems/2024/bad, 100%.md": postmortem("PM-2024-003", severity="SEV9"),
    })
    monkeypatch.chdir(root)
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return root


def run(*args: str, env: dict[str, str] | None = None, color: bool = False):
    return CliRunner().invoke(cli, list(args), env=env, color=color)


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_workflow_command_syntax() -> None:
    finding = Finding("p/a, b.md", 12, Level.ERROR, "frontmatter.enum", "`severity: SEV9` is 100%\nwrong")
    assert workflow_command(finding, finding.path) == (
        "::error file=p/a%2C b.md,line=12,title=frontmatter.enum::`severity: SEV9` is 100%25%0Awrong"
    )
    whole_file = Finding("x.md", 0, Level.WARNING, "blameless.hindsight", "m")
    assert workflow_command(whole_file, "x.md") == "::warning file=x.md,title=blameless.hindsight::m"


def test_check_format_github_prints_exactly_one_command_per_finding(project: Path) -> None:
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=postmortems/2024/bad%2C 100%25.md,line=6,title=frontmatter.enum::`severity: SEV9` is not allowed"
    )
    assert lines[1].startswith(
        "::warning file=postmortems/2024/warn.md,line=57,col=4,title=blameless.hindsight::"
        'blameless.hindsight: "just" (column 4)'
    )
    assert len(lines) == 2
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert "3 postmortems checked: 1 error, 1 warning" in result.stderr


def test_step_summary_is_appended_when_set(project: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = run("check", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### ❌ Postmortem check\n")
    assert "| ❌ | `postmortems/2024/bad, 100%.md` | 6 | `frontmatter.enum` |" in text
    assert "| ⚠️ | `postmortems/2024/warn.md` | 57 | `blameless.hindsight` |" in text


def test_paths_are_made_relative_to_the_github_workspace(project: Path) -> None:
    result = run("check", "--format", "github", "postmortems/2024/warn.md",
                 env={"GITHUB_WORKSPACE": str(project.parent)})
    assert result.stdout.startswith("::warning file=kb/postmortems/2024/warn.md,line=57,")


def test_exit_codes(project: Path) -> None:
    assert run("check", "postmortems/2024/good.md").exit_code == 0
    assert run("check", "postmortems/2024/warn.md").exit_code == 0  # warnings pass...
    assert run("check", "--strict", "postmortems/2024/warn.md").exit_code == 1  # ...unless --strict
    assert run("check", "--no-lint", "--strict", "postmortems/2024/warn.md").exit_code == 0
    assert run("check").exit_code == 1
    assert run("check", "no/such/file.md").exit_code == 2
    assert run("check", "-f", "missing.yml").exit_code == 2
    assert run("check", "--format", "xml").exit_code == 2
    assert run("lint", "postmortems/2024/warn.md").exit_code == 0
    assert run("lint", "--strict", "postmortems/2024/warn.md").exit_code == 1
    assert run("lint", "postmortems/2024/bad, 100%.md").exit_code == 0  # lint does not judge the format


def test_broken_config_is_exit_2_without_traceback(project: Path) -> None:
    (project / "mkdocs.yml").write_text("plugins:\n  - postmortems:\n      audience: everyone\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "audience" in result.stderr


def test_json_format(project: Path) -> None:
    data = json.loads(run("check", "--format", "json").stdout)
    assert (data["checked"], data["errors"], data["warnings"]) == (3, 1, 1)
    assert {f["code"] for f in data["findings"]} == {"frontmatter.enum", "blameless.hindsight"}


def test_colour_only_on_a_terminal_and_never_with_no_color(project: Path) -> None:
    plain = run("check", "postmortems/2024/warn.md")
    assert "\x1b[" not in plain.output
    coloured = run("check", "postmortems/2024/warn.md", color=True)
    assert "\x1b[" in coloured.output
    no_color = run("check", "postmortems/2024/warn.md", color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color.output


def test_unknown_disabled_rules_are_warned_about(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "plugins:\n  - postmortems:\n      disabled_rules: [blameless.hindsigt]\n", encoding="utf-8"
    )
    result = run("check", "postmortems/2024/good.md")
    assert result.exit_code == 0
    assert "`blameless.hindsigt`, which is not a lint rule (did you mean `blameless.hindsight`?)" in result.stderr


def test_every_command_has_help_with_examples() -> None:
    for command in ([], ["new"], ["check"], ["lint"], ["stats"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output, command


def test_stats_respects_the_audience(project: Path) -> None:
    (project / "postmortems/2024/bad, 100%.md").unlink()
    (project / "postmortems/2024/public.md").write_text(
        postmortem("PM-2024-004", visibility="public", severity="SEV1", due="2025-12-31", action_status="open"),
        encoding="utf-8",
    )
    internal = json.loads(run("stats", "--format", "json").stdout)
    assert internal["published"] == 3
    assert internal["severities"] == {"SEV1": 1, "SEV2": 2, "SEV3": 0, "SEV4": 0}
    assert internal["categories"]["config-change"] == 3
    assert internal["action_items"] == {"total": 3, "open": 1, "overdue": 1}
    assert internal["overdue"][0]["id"] == "PM-2024-004" and internal["overdue"][0]["days_overdue"] == 31
    public = json.loads(run("stats", "--format", "json", "--audience", "public").stdout)
    assert public["published"] == 1 and public["left_out"] == {"visibility internal (this is a public build)": 2}
    text = run("stats").stdout
    assert "3 postmortems published (audience internal)" in text and "PM-2024-004" in text


def test_an_unexpected_failure_is_one_line_and_exit_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postmortem_kb.cli import check as check_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(check_module, "load_knowledge_base", boom)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "postmortem: internal error: RuntimeError: disk on fire" in result.stderr
    assert "Traceback" not in result.output
