"""`postmortem new`: scaffolding from the template, prompts, and a file that passes `check` once filled."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import frontmatter
import pytest
from click.testing import CliRunner
from pmkb_cli_helpers import make_project, postmortem
from postmortem_kb.cli import new as new_module
from postmortem_kb.cli.main import cli
from postmortem_kb.cli.new import next_id, slugify

REPO = Path(__file__).resolve().parents[1]
OPTIONS = [
    "--title", "Checkout latency after a config push",
    "--severity", "sev2",
    "--service", "checkout-api",
    "--service", "payments-gateway",
    "--team", "checkout",
    "--author", "Priya Raman",
    "--date", "2024-03-14",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "kb", {
        "postmortems/2024/2024-01-02-a.md": postmortem("PM-2024-007"),
        "postmortems/2023/2023-05-06-b.md": postmortem("PM-2023-041"),
        # A broken draft still holds its id.
        "postmortems/2024/2024-02-03-broken.md": "---\nid: PM-2024-012\ntitle: [unclosed\n---\n",
    })
    (root / "postmortems" / "_templates").mkdir()
    (root / "postmortems" / "_templates" / "postmortem.md").write_text(
        (REPO / "postmortems" / "_templates" / "postmortem.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    return root


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def fill_placeholders(text: str) -> str:
    """Fill every placeholder as an author would, by kind; front matter through python-frontmatter."""
    times = (f"{9 + n // 6:02d}:{(n % 6) * 10:02d}" for n in itertools.count())

    def value(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if inner == "HH:MM":
            return next(times)
        if inner == "YYYY-MM-DD":
            return "2024-04-30"
        if inner == "category":
            return "config-change"
        if inner == "team or person":
            return "sre"
        return "Requests to checkout-api timed out for some customers"

    filled = re.sub(r"\{\{(.*?)\}\}", value, text, flags=re.DOTALL)
    post = frontmatter.loads(filled)
    post["status"] = "published"
    post["reviewers"] = ["Amara Osei"]
    return frontmatter.dumps(post, sort_keys=False) + "\n"


def test_new_creates_the_file_in_the_conventional_place(project: Path) -> None:
    result = run("new", *OPTIONS)
    assert result.exit_code == 0, result.output
    rel = "postmortems/2024/2024-03-14-checkout-latency-after-a-config-push.md"
    assert result.stdout.strip() == rel
    text = (project / rel).read_text(encoding="utf-8")
    post = frontmatter.loads(text)
    # Next free id of that year across the whole knowledge base (012 is a broken draft's).
    assert post["id"] == "PM-2024-013"
    assert post["title"] == "Checkout latency after a config push"
    assert post["severity"] == "SEV2"
    assert post["services"] == ["checkout-api", "payments-gateway"]
    assert post["teams"] == ["checkout"] and post["authors"] == ["Priya Raman"]
    assert post["started_at"].startswith("2024-03-14T")
    assert "{{ id }}" not in text and "{{ date }}" not in text


def test_unfilled_template_fails_check_and_filled_passes(project: Path) -> None:
    rel = run("new", *OPTIONS).stdout.strip()
    path = project / rel
    result = run("check", rel)
    assert result.exit_code == 1
    assert "template.placeholder" in result.output
    path.write_text(fill_placeholders(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("check", "--strict", rel)
    assert result.exit_code == 0, result.output
    assert "1 postmortem checked: 0 errors, 0 warnings" in result.output


def test_missing_options_without_a_terminal_exit_2_naming_them(project: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "--title", "Something broke"])
    assert result.exit_code == 2
    assert "missing --severity, --service, --author" in result.output
    assert not list((project / "postmortems").rglob("*something*"))


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--severity", "SEV9", "not a severity"),
    ("--service", "Checkout API", "`checkout-api`"),
    ("--date", "14/03/2024", "not a date"),
    ("--date", "2099-03-15", "is in the future"),
])
def test_invalid_values_exit_2(project: Path, option: str, value: str, message: str) -> None:
    args = list(OPTIONS)
    args[args.index(option) + 1] = value
    result = CliRunner().invoke(cli, ["new", *args])
    assert result.exit_code == 2 and message in result.output


def test_prompts_for_what_is_missing_in_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(new_module, "stdin_is_terminal", lambda: True)
    answers = "\n".join(["Search timeouts during reindex", "SEV7", "sev3", "Search API", "search-api", "", "Mei Lin, Rhys Morgan"]) + "\n"
    result = run("new", "--date", "2024-09-05", input=answers)
    assert result.exit_code == 0, result.output
    assert "is not a severity" in result.output and "is not a slug" in result.output
    post = frontmatter.load(project / result.stdout.strip().splitlines()[-1])
    assert post["severity"] == "SEV3" and post["services"] == ["search-api"]
    assert post["teams"] == [] and post["authors"] == ["Mei Lin", "Rhys Morgan"]


def test_existing_files_are_never_overwritten(project: Path) -> None:
    first = run("new", *OPTIONS).stdout.strip()
    second = run("new", *OPTIONS).stdout.strip()
    assert second.endswith("-2.md") and first != second
    assert frontmatter.load(project / second)["id"] == "PM-2024-014"


def test_today_is_the_default_date(project: Path) -> None:
    args = OPTIONS[: OPTIONS.index("--date")]
    rel = run("new", *args).stdout.strip()
    assert f"/{dt.date.today().isoformat()}-" in rel


def test_builtin_template_when_the_knowledge_base_has_none(project: Path) -> None:
    (project / "postmortems" / "_templates" / "postmortem.md").unlink()
    assert run("new", *OPTIONS).exit_code == 0


def test_the_packaged_template_is_the_repository_template() -> None:
    packaged = REPO / "plugins" / "postmortem_kb" / "cli" / "templates" / "postmortem.md"
    assert packaged.read_text(encoding="utf-8") == (REPO / "postmortems" / "_templates" / "postmortem.md").read_text(encoding="utf-8")


def test_helpers() -> None:
    assert slugify("Card payments failed (mTLS) — Wiśniewski's rename") == "card-payments-failed-mtls-wisniewski-s-rename"
    assert slugify("!!!") == "incident"
    assert len(slugify("word " * 40)) <= 60


def test_next_id_starts_at_001(tmp_path: Path) -> None:
    assert next_id(tmp_path / "nothing", 2030) == "PM-2030-001"


def test_next_id_counts_hidden_drafts_and_skips_pages(tmp_path: Path) -> None:
    """A hidden draft (`.drafts/`) is not published, but its id is taken all the same."""
    for rel, pm_id in (("2024/a.md", "PM-2024-001"), (".drafts/b.md", "PM-2024-002"), ("2024/.c.md", "PM-2024-003"),
                       ("_templates/t.md", "PM-2024-050"), ("README.md", "PM-2024-060")):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nid: {pm_id}\n---\n", encoding="utf-8")
    assert next_id(tmp_path, 2024) == "PM-2024-004"


def test_authors_separated_by_commas_as_for_services(project: Path) -> None:
    args = list(OPTIONS)
    args[args.index("--author") + 1] = "Priya Raman, Jon Smith"
    result = run("new", *args, "--author", "Mei Lin")
    assert result.exit_code == 0, result.output
    post = frontmatter.load(project / result.stdout.strip().splitlines()[-1])
    assert post["authors"] == ["Priya Raman", "Jon Smith", "Mei Lin"]
