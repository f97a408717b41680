"""The lint rules: each with positive and negative cases, scopes, inline and site-wide disabling."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from pmkb_cli_helpers import postmortem
from postmortem_kb.core.findings import Level
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_text
from postmortem_kb.lint import RULE_IDS, RULES, lint_file

REPO = Path(__file__).resolve().parents[1]


def lint_body(text: str, settings: Settings | None = None) -> list:
    """Lint Markdown without front matter (the whole text is body, line 1 is line 1)."""
    return lint_file("doc.md", text, settings or Settings())


def codes(text: str, settings: Settings | None = None) -> list[str]:
    return [f.code for f in lint_body(text, settings)]


# --- Blameless language ---------------------------------------------------------------

POSITIVE = [
    ("blameless.human-error", "The outage was caused by human error."),
    ("blameless.human-error", "An operator error deleted the volume."),
    ("blameless.human-error", "In the end it was user error."),
    ("blameless.human-error", "The report blamed human\nerror, across a wrapped line."),
    ("blameless.counterfactual", "We should have rolled back sooner."),
    ("blameless.counterfactual", "The on-call could have paged the database team."),
    ("blameless.counterfactual", "A canary would have caught this."),
    ("blameless.counterfactual", "If only the alert had fired."),
    ("blameless.counterfactual", "We shouldn't have deployed on a Friday."),
    ("blameless.counterfactual", "They should not have restarted it."),
    ("blameless.counterfactual", "We should've known."),
    ("blameless.failure-verb", "The on-call engineer failed to notice the alert."),
    ("blameless.failure-verb", "Dave forgot to update the config."),
    ("blameless.failure-verb", "She ignored the warning."),
    ("blameless.failure-verb", "The alert was ignored for an hour."),
    ("blameless.failure-verb", "The reviewer overlooked the change."),
    ("blameless.failure-verb", "We neglected to test the rollback."),
    ("blameless.failure-verb", "The engineer on call failed to escalate."),
    ("blameless.judgement", "It was a careless change."),
    ("blameless.judgement", "A sloppy review let it through."),
    ("blameless.judgement", "This was negligent."),
    ("blameless.judgement", "A reckless deploy."),
    ("blameless.judgement", "The operator was incompetent."),
    ("blameless.judgement", "A lazy fix."),
    ("blameless.hindsight", "We just restarted the pod."),
    ("blameless.hindsight", "Obviously the cache was stale."),
    ("blameless.hindsight", "The dashboard clearly showed the spike."),
    ("blameless.hindsight", "Simply rolling back fixed it."),
    ("blameless.root-cause", "The root cause was a config push."),
    ("blameless.root-cause", "We ran a root-cause analysis."),
]


@pytest.mark.parametrize(("rule", "text"), POSITIVE)
def test_blameless_rule_flags(rule: str, text: str) -> None:
    findings = lint_body(text)
    assert rule in [f.code for f in findings], findings
    finding = next(f for f in findings if f.code == rule)
    assert finding.level is Level.WARNING
    assert finding.line == 1
    # The message names the rule, the span and its column, and suggests a rewording.
    assert finding.message.startswith(f"{rule}: \"")
    assert "(column " in finding.message and "; " in finding.message


NEGATIVE = [
    "The deploy failed to start.",
    "Some requests were slow. Requests failed to reach the database.",
    "checkout-api failed to connect to the pool.",
    "The `payments-worker` job failed to drain its queue.",
    "The client ignored the Retry-After header.",
    "It failed to renew because the role had been renamed.",
    "Latency rose just before 14:00 and fell just after the rollback.",
    "The fix landed just in time, with just under 2% of requests failing.",
    "Not just checkout but also search was slow.",
    "Lazy loading of images and lazily built caches are fine.",
    "The runbook step is clearly labelled.",
    "The job could not reach the database; it would retry every minute.",
    "We adjusted the justification; the shoulder of the curve rooted out nothing.",
    "Make sure is fine outside the action items section.",
    "It was not obvious from the dashboards that the replica lagged.",
    "The `human error` counter in code is a literal.",
    "See [the guide](https://example.com/root-cause-analysis) for the old process.",
    "<!-- a comment that says it was simply a human error -->",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_blameless_rules_leave_neutral_text_alone(text: str) -> None:
    assert lint_body(text) == []


def test_fenced_code_is_ignored_by_blameless_rules_but_not_by_secrets() -> None:
    text = (
        "Log excerpt:\n\n"
        "```text\n"
        "ERROR: user error, the client should have retried; simply ignored\n"
        "password=hunter22\n"
        "```\n"
    )
    assert codes(text) == ["secrets.password-assignment"]


def test_quotation_with_a_flagged_word_can_be_disabled_inline() -> None:
    quote = '> The customer wrote: "it was obviously a human error on your side".'
    assert sorted(codes(quote)) == ["blameless.hindsight", "blameless.human-error"]
    disabled = quote + " <!-- postmortem-lint: disable=blameless.human-error,blameless.hindsight -->"
    assert codes(disabled) == []
    assert codes(quote + " <!-- postmortem-lint: disable=blameless.human-error -->") == ["blameless.hindsight"]
    assert codes(quote + " <!-- postmortem-lint: disable -->") == []
    assert codes(quote + " <!-- postmortem-lint: disable=blameless.* -->") == []


def test_disable_next_line_and_unknown_rule_ids() -> None:
    text = "<!-- postmortem-lint: disable-next-line=blameless.hindsight -->\nWe just waited.\nWe just waited."
    findings = lint_body(text)
    assert [(f.code, f.line) for f in findings] == [("blameless.hindsight", 3)]
    findings = lint_body("We just waited. <!-- postmortem-lint: disable=blameless.hindsigth -->")
    assert [f.code for f in findings] == ["lint.unknown-rule", "blameless.hindsight"]  # a whole-line finding before a column
    assert "did you mean `blameless.hindsight`" in findings[0].message


def test_site_wide_disabled_rules_with_globs() -> None:
    text = "We just waited. Mail jane.doe@pantrylane.com or call +44 20 7946 0958."
    assert sorted(codes(text)) == ["blameless.hindsight", "pii.email", "pii.phone"]
    assert sorted(codes(text, Settings(disabled_rules=("blameless.hindsight",)))) == ["pii.email", "pii.phone"]
    assert codes(text, Settings(disabled_rules=("pii.*",))) == ["blameless.hindsight"]
    assert codes(text, Settings(disabled_rules=("*",))) == []


def test_column_points_at_the_span() -> None:
    (finding,) = lint_body("It was obviously stale.")
    assert '"obviously" (column 8)' in finding.message
    assert finding.format().startswith("doc.md:1: warning: blameless.hindsight: ")


def test_a_phrase_wrapped_over_two_lines_is_reported_on_its_first_line() -> None:
    (finding,) = lint_body("First line.\nThe team should\nhave waited.")
    assert (finding.code, finding.line) == ("blameless.counterfactual", 2)
    assert '"should have"' in finding.message


# --- Front matter: prose values and action items ---------------------------------------


def _fm_findings(text: str) -> list:
    return [f for f in check_text("pm.md", text, Settings()).findings]


def test_front_matter_prose_values_are_linted_on_their_own_lines() -> None:
    text = postmortem(
        summary=">-\n  The rollout went out on a Friday and we\n  should have waited for the canary.",
        title="Checkout latency, root cause unknown",
    )
    found = {(f.code, f.line) for f in _fm_findings(text)}
    assert ("blameless.root-cause", 3) in found
    assert ("blameless.counterfactual", 9) in found


def test_vague_action_items_apply_to_action_titles_and_the_action_items_section() -> None:
    text = postmortem(action_title="Be more careful when changing pool sizes")
    found = [(f.code, f.line) for f in _fm_findings(text)]
    assert ("blameless.vague-action", 20) in found
    # In the Action Items section of the body too, but not elsewhere in the body.
    body = "\n## Action Items\n\nWe will look into the retry logic.\n"
    text = postmortem(body_extra=body)
    vague = [f for f in _fm_findings(text) if f.code == "blameless.vague-action"]
    assert len(vague) == 1 and '"look into"' in vague[0].message
    assert not [f for f in _fm_findings(postmortem()) if f.code.startswith("blameless.")]


def test_people_named_in_the_front_matter_are_people() -> None:
    text = postmortem(body_extra="\nPriya failed to restart the consumer.\n")
    assert "blameless.failure-verb" in [f.code for f in _fm_findings(text)]


def test_lint_findings_fail_the_file_like_any_other_error() -> None:
    text = postmortem(body_extra="\nThe DSN was postgres://orders:Sup3rS3cret@db-1.internal:5432/orders\n")
    result = check_text("pm.md", text, Settings())
    assert result.record is None
    assert [f.code for f in result.findings] == ["secrets.url-password"]


# --- Secrets and personal data ---------------------------------------------------------

CLEAN_LOG = """\
```text
2024-03-14T09:12:03.123Z INFO checkout-api[4721]: request_id=0b6f2c4e-8a1d-4f3b-9c7e-2d5a6b8c9e0f trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 status=503 latency_ms=2412
2024-03-14T09:12:04+01:00 deploy 3f9c2a1b7e4d5f60718293a4b5c6d7e8f9a0b1c2 (v1.7.12) image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 took 00:03:12
kafka-broker-2 offset=184467 partition=12 lag=3.2s at 14:03:59+02:00 (UTC+2), ticket SRE-2207, PR #4821, build 2024.03.14-1
connect 10.42.7.19:5432 user=orders password=*** token=<redacted> url=postgres://orders:${DB_PASSWORD}@db-1:5432/orders
Authorization: Bearer <token>  api_key=$API_KEY  secret: see vault path kv/checkout  p99 +120 ms, 11,800 errors
secret_name=db-creds-2 token_expires_at=2024-03-14T10:00:00Z auth_method=oauth2 api_version=2024-01-01 private_ip=10.0.3.4
secret_arn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCd12 password_last_changed: 2023-11-02
git@github.com:pantrylane/checkout.git  noreply@pantrylane.com  icon@2x.png  ssh deploy@bastion.internal
```
The session token expired; password rotation and the secret store were not involved.
Commit 3f9c2a1 and UUID 123e4567-e89b-12d3-a456-426614174000 ran for 1h 12m between 09:12 and 10:24.
"""


def test_no_false_positives_on_timestamps_ids_hashes_and_versions() -> None:
    assert lint_body(CLEAN_LOG) == []


SECRETS = [
    ("secrets.aws-access-key", "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
    ("secrets.aws-secret-key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("secrets.private-key", "-----BEGIN RSA PRIVATE KEY-----"),
    ("secrets.private-key", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    ("secrets.bearer-token", 'curl -H "Authorization: Bearer 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d" https://api.internal/v1'),
    ("secrets.jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("secrets.url-password", "DATABASE_URL=postgres://orders:Sup3rS3cret@db-primary.internal:5432/orders"),
    ("secrets.password-assignment", "db connect failed: user=orders password=hunter22"),
    ("secrets.password-assignment", '{"client_secret": "k9Xq2LmP7vR4tZ8w"}'),
    ("secrets.password-assignment", "PGPASSWORD=Orders2024 psql -h db-1"),
    ("secrets.password-assignment", "SECRET_KEY_BASE=9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("secrets.url-password", "REDIS_URL=redis://:s3cretRedis@cache-1:6379/0"),
    ("secrets.github-token", "GITHUB_TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
    ("secrets.slack-token", "SLACK_BOT_TOKEN=xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp"),
    ("secrets.stripe-key", "key sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("secrets.google-api-key", "maps key AIza" + "SyA-1234567890abcdefghijklmnopqrstu"),
    ("secrets.basic-auth", "Authorization: Basic b3JkZXJzOmh1bnRlcjI="),
    ("pii.email", "Reported by jane.doe@pantrylane.com at 09:14."),
    ("pii.email", "From: oncall-lead@example.com"),  # fake-looking addresses are still addresses
    ("pii.phone", "Customer called from +44 20 7946 0958."),
    ("pii.phone", "customer_phone=+14155550100 status=active"),
    ("pii.phone", "Call back on (415) 555-0100 or 415-555-0101."),
    ("pii.phone", "phone: 020 7946 0958"),
]


@pytest.mark.parametrize(("rule", "line"), SECRETS)
def test_secrets_and_personal_data_are_errors_in_pasted_logs(rule: str, line: str) -> None:
    text = f"Log excerpt:\n\n```\n{CLEAN_LOG.splitlines()[1]}\n{line}\n```\n"
    findings = lint_body(text)
    assert rule in [f.code for f in findings], findings
    finding = next(f for f in findings if f.code == rule)
    assert finding.level is Level.ERROR and finding.line == 5
    # The secret itself never reaches the message (nor a CI log).
    for token in re.findall(r"[A-Za-z0-9+/_.-]{10,}", line):
        if any(ch.isdigit() for ch in token):
            assert token not in finding.message


def test_one_finding_per_secret() -> None:
    line = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    assert codes(line) == ["secrets.jwt"]


def test_secrets_in_front_matter_and_comments_are_found() -> None:
    text = postmortem().replace("authors: [Priya Raman]", "authors: [priya.raman@pantrylane.com]  # AKIAIOSFODNN7EXAMPLE")
    found = sorted(f.code for f in _fm_findings(text))
    assert found == ["pii.email", "secrets.aws-access-key"]


def test_lint_file_without_valid_front_matter_still_finds_secrets() -> None:
    text = "---\nid: [unclosed\n---\n\npassword=hunter22 in the body\n"
    assert [f.code for f in lint_file("x.md", text, Settings())] == ["secrets.password-assignment"]


# --- The table itself ------------------------------------------------------------------


def test_rules_are_data_with_stable_ids_and_levels() -> None:
    for rule in RULES:
        family = rule.id.split(".")[0]
        assert family in ("blameless", "secrets", "pii", "template"), rule.id
        expected = Level.WARNING if family == "blameless" else Level.ERROR
        assert rule.level is expected, rule.id
        assert rule.message.startswith("{text}") and rule.suggestion
        assert rule.anchors, rule.id
    assert len(RULE_IDS) == len(set(RULE_IDS))


def test_every_rule_is_documented_in_the_writing_guide() -> None:
    guide = (REPO / "docs" / "guides" / "writing-a-postmortem.md").read_text(encoding="utf-8")
    for rule_id in RULE_IDS:
        assert f"`{rule_id}`" in guide, rule_id


def test_the_sample_postmortems_are_lint_clean() -> None:
    findings = []
    for path in sorted((REPO / "postmortems").rglob("*.md")):
        if "_templates" in path.parts:
            continue
        findings += lint_file(path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8"), Settings())
    assert [f.format() for f in findings] == []


def test_the_writing_guide_example_is_a_valid_clean_postmortem() -> None:
    guide = (REPO / "docs" / "guides" / "writing-a-postmortem.md").read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(---\n.*?)```\n", guide, re.DOTALL).group(1)
    settings = Settings(reference_date=dt.date(2026, 1, 31))
    result = check_text("example.md", example, settings)
    assert [f.format() for f in result.findings] == []
    assert result.record is not None and result.record.id == "PM-2024-001"


@pytest.mark.integration
def test_mkdocs_build_strict_fails_on_lint_warnings_and_honours_disabling(site_builder) -> None:
    warned = postmortem(body_extra="\nWe just restarted the consumer.\n")
    result = site_builder({"2024/a.md": warned})
    assert result.returncode != 0
    assert "postmortems/2024/a.md:57: warning: blameless.hindsight:" in result.output
    quoted = postmortem(body_extra="\nWe just restarted the consumer. <!-- postmortem-lint: disable=blameless.hindsight -->\n")
    assert site_builder({"2024/a.md": quoted}).returncode == 0
    assert site_builder({"2024/a.md": warned}, {"disabled_rules": ["blameless.hindsight"]}).returncode == 0


# --- Front matter that does not load; many directives ----------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [("related: []", "related: [{{ id }}]"), ("related: []", "related: []\nregion: {{ region }}")],
)
def test_unquoted_placeholder_in_front_matter_that_does_not_load_is_reported(old: str, new: str) -> None:
    # `{{ id }}` unquoted is a YAML mapping inside a mapping: the front matter does not load, its
    # braces are no scalar of it, yet they are the placeholder. The whole front matter is read then.
    text = postmortem()
    assert old in text
    text = text.replace(old, new, 1)
    line = text.split("\n").index(new.split("\n")[-1]) + 1
    assert [(f.line, f.code) for f in lint_file("pm.md", text, Settings())] == [(line, "template.placeholder")]
    found = [(f.line, f.code) for f in check_text("pm.md", text, Settings()).findings]
    assert (line, "template.placeholder") in found and (line, "frontmatter.yaml") in found


def _calls(text: str) -> int:
    """How many Python and C calls linting `text` makes: its work, counted rather than timed."""
    calls = 0

    def count(frame, event, arg) -> None:
        nonlocal calls
        calls += 1

    sys.setprofile(count)
    try:
        lint_body(text)
    finally:
        sys.setprofile(None)
    return calls


def test_many_directives_cost_work_in_proportion() -> None:
    # A generated file with a directive before every line: whether a match lies inside a directive's
    # own text was found by scanning every directive for every match (16,000 of them: 27 s a file).
    def document(lines: int) -> str:
        directive = "<!-- postmortem-lint: disable-next-line=blameless.hindsight -->\n"
        return (directive + "We just restarted the pool.\n") * lines + "We just restarted it again.\n"

    small, large = document(200), document(800)
    assert [(f.line, f.code) for f in lint_body(large)] == [(1601, "blameless.hindsight")]
    ratio = _calls(large) / _calls(small)
    assert ratio < 6, ratio  # 4 times the lines: 4 when linear, 16 when quadratic
