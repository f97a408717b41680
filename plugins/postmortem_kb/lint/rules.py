"""The lint rules, as data: one row per pattern.

A rule id may have several rows (patterns); ids are stable, because inline
comments and `disabled_rules` in `mkdocs.yml` name them. `engine.py` runs the
table; nothing here is code but the row type.

Scopes (where a row looks):

- `prose`: the Markdown body outside code (fenced blocks, inline code), HTML
  comments and link targets, plus the front matter's prose values (title,
  summary, trigger, impact.revenue, factor descriptions, action-item titles);
- `actions`: action-item titles and the body's `## Action Items` section;
- `text`: the whole front matter and the body outside code (placeholders);
- `raw`: every character of the file, code included (secrets, personal data:
  a pasted log inside a code block is exactly where they hide).

Secret patterns follow the plugins of Yelp's detect-secrets (Apache-2.0),
re-expressed as rows; see docs/guides/writing-a-postmortem.md for why the
library itself is not a dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.findings import Level

PROSE, ACTIONS, TEXT, RAW = "prose", "actions", "text", "raw"


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern of one lint rule.

    - `message` starts with `{text}`, the matched span and its column (redacted
      for secrets and personal data); `suggestion` says what to write instead.
    - `anchors` are where a match can start, written as the text looks with
      ASCII letters lowercased and every digit turned into `0` (so `(000)`
      finds `(415)`). The regex is tried only there, which keeps clean text
      nearly free to lint. An anchor's complete words (followed by a
      non-letter inside the anchor, or the whole anchor when it is one word)
      must be words of the document before the anchor is even searched.
    - `whole_words=False`: a one-word anchor is only the start of a token
      (`akia` of `AKIAIOSFODNN7EXAMPLE`).
    - `requires`: words of which the document must hold one for the rule to
      run at all (the second word of a phrase).
    - `back`: characters a match may start with before its anchor (the local
      part before an e-mail's `@`).
    - `guard` names a check in `guards.GUARDS` each match must pass; `group`
      names the regex group that is the reported span.
    """

    id: str
    level: Level
    scope: str
    pattern: str
    message: str
    suggestion: str
    anchors: tuple[str, ...] = ()
    back: str = ""
    whole_words: bool = True
    requires: tuple[str, ...] = ()
    ignore_case: bool = True
    guard: str | None = None
    group: str | None = None
    redact: bool = False

    def compile(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)


W, E = Level.WARNING, Level.ERROR
_S = r"[ \t]*\n?[ \t>]*"  # whitespace between two words, across one wrapped line
_APOS = "['’]"

RULES: tuple[Rule, ...] = (
    # --- Blameless language (warnings with a suggested rewording) -------------
    Rule(
        "blameless.human-error", W, PROSE,
        rf"\b(?:human|operator|user|pilot|personnel|people){_S}(?:errors?|mistakes?)\b",
        '{text} names people as the cause, which ends the inquiry where it should start',
        "describe what made the action reasonable at the time: what the person saw, what the "
        "tooling allowed, what pressure they were under",
        anchors=("human", "operator", "user", "pilot", "personnel", "people"),
        requires=("error", "errors", "mistake", "mistakes"),
    ),
    Rule(
        "blameless.counterfactual", W, PROSE,
        rf"\b(?:should|could|would)(?:n{_APOS}t|{_S}not)?{_S}have\b"
        rf"|\b(?:should|could|would){_APOS}ve\b|\bif{_S}only\b",
        '{text} judges past decisions by what is known now',
        "say what people knew and did at the time, and what would help next time "
        '("the alert did not page; the dashboard was the only signal")',
        anchors=("should", "could", "would", "shouldn", "couldn", "wouldn", "if"),
        requires=("have", "ve", "only"),
    ),
    Rule(
        "blameless.failure-verb", W, PROSE,
        rf"\b(?:forgot|forgets|forgotten|neglected|neglects){_S}to\b",
        '{text} makes a person the subject of a failure',
        'say what happened and what made it easy to miss ("the step was not in the checklist")',
        anchors=("forgot", "forgets", "forgotten", "neglected", "neglects"),
    ),
    Rule(
        "blameless.failure-verb", W, PROSE,
        rf"\b(?:failed|fails|failing){_S}to\b|\b(?:ignored|ignores|ignoring|overlooked|overlooks)\b",
        '{text} with a person as the subject assigns blame',
        'say what happened without the verdict ("the alert went unanswered for 20 minutes '
        'because it was routed to a muted channel")',
        anchors=("failed", "fails", "failing", "ignored", "ignores", "ignoring", "overlooked",
                 "overlooks"),
        guard="person-subject",
    ),
    Rule(
        "blameless.judgement", W, PROSE,
        r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppily|sloppiness"
        r"|lazy(?![ \t-]*(?:load|init|eval|instan|fetch|import|propag|consum|compil|start|connect))"
        r"|laziness|reckless(?:ly|ness)?|incompeten(?:t|tly|ce)|stupid(?:ity)?|idiot(?:ic)?"
        r"|irresponsib(?:le|ly|ility))\b",
        '{text} judges a person, not the system',
        "describe the action and its context, and ask what made it easy to do",
        anchors=("careless", "carelessly", "carelessness", "negligent", "negligently", "negligence",
                 "sloppy", "sloppily", "sloppiness", "lazy", "laziness", "reckless", "recklessly",
                 "recklessness", "incompetent", "incompetently", "incompetence", "stupid", "stupidity",
                 "idiot", "idiotic", "irresponsible", "irresponsibly", "irresponsibility"),
    ),
    Rule(
        "blameless.hindsight", W, PROSE,
        # "not obviously", "wasn't clearly": honest uncertainty, not hindsight.
        rf"(?<!\bnot )(?<!n{_APOS}t )(?:"
        r"\bobviously\b|\bsimply\b"
        r"|\bclearly\b(?![ \t]+(?:marked|labell?ed|visible|documented|defined|stated|written|worded"
        r"|separated|explained|communicated|named|identified|readable|legible))"
        rf"|\bjust\b(?![-‐]|{_S}(?:before|after|as|under|over|below|above|about|around|past"
        r"|short|in[ \t]+time|enough|once|now|then|like|a[ \t]+few|a[ \t]+couple|a[ \t]+handful"
        r"|a[ \t]+single|an?[ \t]+(?:minute|hour|second|day|week|moment)|one|two|three|four|five"
        r"|minutes?|hours?|seconds?|days?|weeks?|\d)))",
        '{text} makes the situation sound simpler than it was for the people in it',
        'drop the word, or say why it looked simple at the time ("restarted the pod", not '
        '"just restarted the pod")',
        anchors=("obviously", "simply", "clearly", "just"),
    ),
    Rule(
        "blameless.root-cause", W, PROSE,
        rf"\broot(?:{_S}|-)caus(?:es|ed|e|ing)\b",
        '{text} suggests a single cause; incidents have several',
        'write "contributing factors" and list them',
        anchors=("root",),
        requires=("cause", "causes", "caused", "causing"),
    ),
    Rule(
        "blameless.vague-action", W, ACTIONS,
        rf"\bbe{_S}(?:more{_S})?(?:careful|vigilant|mindful|diligent)\b"
        rf"|\bpay{_S}(?:more|closer|extra|better){_S}attention\b|\bmake{_S}sure\b"
        rf"|\blook{_S}into\b|\btry{_S}(?:harder|to)\b|\braise{_S}awareness\b"
        rf"|\bremind{_S}(?:everyone|people|engineers|the{_S}team|staff|all)\b",
        '{text} is not an action anyone can finish or verify',
        'name the concrete change, an owner and how to check it is done ("add a CI check that '
        'fails when the pool size is below 20")',
        anchors=("be", "pay", "make", "look", "try", "raise", "remind"),
    ),
    # --- Template placeholders left in ------------------------------------------
    Rule(
        "template.placeholder", E, TEXT,
        r"\{\{[^{}]{0,400}?\}\}",
        "{text} is a placeholder from the template",
        "replace it with the real content (or delete the optional line it is on)",
        anchors=("{{",),
        ignore_case=False,
    ),
    # --- Secrets (errors: remove the value and rotate it) -------------------------
    Rule(
        "secrets.private-key", E, RAW,
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d",
        '{text} starts a private key',
        "remove the key from the document and rotate it; it stays in the repository history",
        anchors=("-----begin ", "putty-user-key-file-"),
        ignore_case=False,
    ),
    Rule(
        "secrets.aws-access-key", E, RAW,
        r"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        "{text} looks like an AWS access key id",
        "remove it and deactivate the key; write `AKIA…` or `<access key>` instead",
        anchors=("akia", "asia", "abia", "acca", "a0t"),
        whole_words=False,
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.aws-secret-key", E, RAW,
        r"aws.{0,20}?(?:secret|private).{0,20}?[:=][ \t]*[\"']?"
        r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        "{text} looks like an AWS secret access key",
        "remove it and rotate the key",
        anchors=("aws",),
        group="value",
        redact=True,
    ),
    Rule(
        "secrets.github-token", E, RAW,
        r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        "{text} looks like a GitHub token",
        "remove it and revoke the token",
        anchors=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.gitlab-token", E, RAW,
        r"(?<![A-Za-z0-9])gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|oas|agent)-[A-Za-z0-9_\-]{20,}",
        "{text} looks like a GitLab token",
        "remove it and revoke the token",
        anchors=("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "glcbt-", "glimt-", "glptt-",
                  "gloas-", "glagent-"),
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.slack-token", E, RAW,
        r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"
        r"|https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]+",
        "{text} looks like a Slack token or webhook",
        "remove it and revoke it in Slack",
        anchors=("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "https://hooks.slack.com/"),
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.stripe-key", E, RAW,
        r"(?<![A-Za-z0-9])[rs]k_live_[0-9A-Za-z]{16,}",
        "{text} looks like a live Stripe key",
        "remove it and roll the key in Stripe",
        anchors=("sk_live_", "rk_live_"),
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.google-api-key", E, RAW,
        r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_\-]{35}",
        "{text} looks like a Google API key",
        "remove it and restrict or delete the key",
        anchors=("aiza",),
        whole_words=False,
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.package-token", E, RAW,
        r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])|_authToken=[^\s\"']+"
        r"|pypi-AgE[A-Za-z0-9_\-]{50,}",
        "{text} looks like a package registry token",
        "remove it and revoke the token",
        anchors=("npm_", "_authtoken=", "pypi-age"),
        whole_words=False,
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.api-key", E, RAW,
        r"(?<![A-Za-z0-9])(?:SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"
        r"|sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{32,}"
        r"|AccountKey=[A-Za-z0-9+/=]{40,})",
        "{text} looks like a service API key",
        "remove it and revoke the key",
        anchors=("sg.", "sk-", "accountkey="),
        ignore_case=False,
        guard="secret-value",
        redact=True,
    ),
    Rule(
        "secrets.jwt", E, RAW,
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        "{text} looks like a JSON Web Token",
        "remove it; a token copied from a log can still be valid, so revoke the session",
        anchors=("eyj",),
        whole_words=False,
        ignore_case=False,
        redact=True,
    ),
    Rule(
        "secrets.bearer-token", E, RAW,
        r"\bbearer[ \t]+(?P<value>[A-Za-z0-9\-._~+/]{16,}=*)",
        "{text} looks like a bearer token",
        "remove it and revoke the token; write `Bearer <token>` instead",
        anchors=("bearer",),
        group="value",
        guard="secret-value",
        redact=True,
    ),
    Rule(
        "secrets.basic-auth", E, RAW,
        r"\bauthorization[\"']?[ \t]*[:=][ \t]*[\"']?basic[ \t]+(?P<value>[A-Za-z0-9+/]{8,}={0,2})",
        "{text} is an HTTP Basic credential (base64 is not encryption)",
        "remove it and change the password",
        anchors=("authorization",),
        group="value",
        guard="not-placeholder",
        redact=True,
    ),
    Rule(
        "secrets.url-password", E, RAW,
        r"://[^\s:/@\"'<>]*:(?P<value>[^\s/@\"'<>]+)@",
        "{text} is a password in a URL",
        "remove the password (write `user:***@host`) and change it",
        anchors=("://",),
        group="value",
        guard="not-placeholder",
        redact=True,
    ),
    Rule(
        "secrets.password-assignment", E, RAW,
        # Not after `:` or `/`: `arn:aws:...:secret:orders-db` names a secret, it is not one.
        r"(?<![A-Za-z:/])(?:(?:pg)?password|passwd|passphrase|pwd|secret|client[_-]?secret|secret[_-]?key"
        r"|api[_-]?key|apikey|access[_-]?key|private[_-]?key|access[_-]?token|auth[_-]?token"
        r"|refresh[_-]?token|session[_-]?token|token)"
        # SECRET_KEY_BASE, DB_PASSWORD_PROD; not secret_name or token_expires_at (not secrets).
        r"(?:[_-](?:base|value|prod|production|staging|stage|dev|live|old|new|current|plain|plaintext|raw))*"
        r"[\"']?[ \t]*[:=][ \t]*[\"']?(?P<value>[^\s\"'`,;)\]}<>]{6,})",
        "{text} looks like a credential assigned to a secret-named key",
        "remove the value (write `***`) and rotate the credential",
        anchors=("password", "pgpassword", "passwd", "passphrase", "pwd", "secret", "secretkey", "client",
                 "clientsecret", "api", "apikey", "access", "accesskey", "accesstoken", "private", "privatekey", "auth",
                 "authtoken", "refresh", "refreshtoken", "session", "sessiontoken", "token"),
        group="value",
        guard="secret-value",
        redact=True,
    ),
    # --- Personal data (errors: postmortems are widely read and kept forever) ------
    Rule(
        "pii.email", E, RAW,
        r"(?<![\w.%+-])(?P<value>[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![\w-]|\.[A-Za-z0-9])",
        "{text} is an e-mail address",
        "name the role or team instead (\"the on-call engineer\", \"the payments team\")",
        anchors=("@",),
        back="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-",
        ignore_case=False,
        guard="personal-email",
        group="value",
        redact=True,
    ),
    Rule(
        "pii.phone", E, RAW,
        r"(?<![\w+/.-])(?P<value>\+[1-9][\d \t().-]{6,20}\d)(?![\d])",
        "{text} is a phone number",
        "remove it; name the role or team instead",
        anchors=("+0",),
        whole_words=False,
        ignore_case=False,
        guard="phone-digits",
        group="value",
        redact=True,
    ),
    Rule(
        "pii.phone", E, RAW,
        r"(?<![\w.+/:-])(?P<value>\(\d{3}\)[ \t]?\d{3}[-. \t]\d{4}|\d{3}[-.]\d{3}[-.]\d{4})(?![\w]|[.-]\d)",
        "{text} is a phone number",
        "remove it; name the role or team instead",
        anchors=("(000)", "000-000-0000", "000.000.0000"),
        ignore_case=False,
        group="value",
        redact=True,
    ),
    Rule(
        "pii.phone", E, RAW,
        # National formats only next to a word that says so: alone, they look like counts.
        r"(?<![A-Za-z])(?:phone|telephone|tel|mobile|cell(?:phone)?|sms|fax|whatsapp)(?![a-z])"
        r"(?:[ \t_-]*(?:number|no\.?|nr\.?|#))?"
        r"[\"']?[ \t]*[:=]?[ \t]*[\"']?(?P<value>\(?\+?\d[\d \t().-]{5,18}\d)",
        "{text} is a phone number",
        "remove it; name the role or team instead",
        anchors=("phone", "telephone", "tel", "mobile", "cell", "cellphone", "sms", "fax", "whatsapp"),
        guard="phone-digits",
        group="value",
        redact=True,
    ),
)

RULE_IDS: tuple[str, ...] = tuple(dict.fromkeys(rule.id for rule in RULES))
LINT_PREFIXES = ("blameless.", "secrets.", "pii.", "template.", "lint.")


def is_lint_code(code: str) -> bool:
    """True for findings produced by the linter (not by the format's validation)."""
    return code.startswith(LINT_PREFIXES)
