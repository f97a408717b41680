"""Checks a match must pass before it is reported, named by `Rule.guard`.

Regexes find candidate spans; a few rules need a look around the match that a
regex cannot express well (who is the subject of "failed to"? is this value a
placeholder or a credential?). Each guard returns True to report the match.
The word lists are data too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# "failed to" / "ignored" are blaming with a person as subject, neutral with a
# system as subject ("the deploy failed to start").
PERSON_WORDS = frozenset(
    """
    i we he she they you me us him her them someone somebody anyone anybody nobody everyone
    everybody engineer engineers operator operators developer developers dev devs responder
    responders on-call oncall on-caller on-callers reviewer reviewers author authors admin admins
    administrator administrators sre sres ic commander manager managers lead leads staff person
    people human humans team teams user users customer customers colleague colleagues teammate
    teammates analyst analysts owner owners approver approvers maintainer maintainers contractor
    contractors employee employees intern interns tester testers dba dbas architect architects
    member members
    """.split()
)
# Words between the subject and the verb ("we had initially failed to").
SKIP_WORDS = frozenset(
    """
    had has have was were is are been also then again repeatedly initially still later both all
    completely never ever subsequently accidentally apparently eventually briefly silently quietly
    consistently simply just partly partially mostly largely somehow first twice once
    """.split()
)
# "the alert was ignored": someone ignored it, even if unnamed.
PASSIVE_WORDS = frozenset("was were been being got get gets went gone go goes remained remain remains".split())
FUNCTION_WORDS = frozenset(
    "the a an it its this that these those which what there here nothing something everything "
    "they then when while after before because".split()
)
_TOKEN = re.compile(r"[\w’'-]+")
_CLAUSE_END = re.compile(r"[.!?;:](?:\s|$)|\n[ \t]*\n|\n[ \t]*[-*+][ \t]|\|")

# Values that stand for a secret rather than being one.
_PLACEHOLDER = re.compile(
    r"^(?:\*+|x{3,}|\.{3}|…|<[^>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{.*\}\}|%\(?\w*\)?s?"
    r"|\[?(?:redacted|masked|hidden|removed|secret|password|token)\]?|passw(?:or)?d|pass|secret"
    r"|changeme|example|dummy|placeholder|your[_-]?\w*|\w*[_-]here|null|none|nil|true|false"
    r"|required|optional|undefined|empty)$",
    re.IGNORECASE,
)
_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")

_REMOTE_LOGIN = re.compile(r"\b(?:ssh|scp|sftp|rsync|mosh)\b[^\n]*$")
FILE_TLDS = frozenset(
    "png jpg jpeg gif svg webp md txt json yaml yml js ts py css html log csv gz zip tar lock".split()
)
ROLE_MAILBOXES = frozenset("noreply no-reply donotreply do-not-reply postmaster mailer-daemon".split())


@dataclass
class GuardContext:
    """What guards may know about the document beyond the matched text."""

    names: frozenset[str] = frozenset()  # lowercase words of people's names (authors...)
    document: str = ""  # prose of the document, to tell names from common nouns
    _lower_words: dict[str, bool] = field(default_factory=dict)

    def used_in_lowercase(self, word: str) -> bool:
        """True when `word` also appears uncapitalised: then it is a common noun, not a name."""
        known = self._lower_words.get(word)
        if known is None:
            known = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w])", self.document) is not None
            self._lower_words[word] = known
        return known


def _value(match: re.Match[str]) -> str:
    return match.group("value") if "value" in match.re.groupindex else match.group(0)


def person_subject(match: re.Match[str], text: str, ctx: GuardContext) -> bool:
    start = match.start()
    window = text[max(0, start - 120) : start]
    ends = list(_CLAUSE_END.finditer(window))
    if ends:
        window = window[ends[-1].end() :]
    tokens = _TOKEN.findall(window)
    verb = match.group(0).split()[0].lower()
    if not tokens:
        return False
    if verb.startswith(("ignor", "overlook")) and tokens[-1].lower() in PASSIVE_WORDS:
        return True
    index = len(tokens) - 1
    while index >= 0 and tokens[index].lower() in SKIP_WORDS:
        index -= 1
    if index < 0:
        return False
    subject = tokens[index]
    lower = subject.lower()
    if lower in PERSON_WORDS or lower in ctx.names:
        return True
    if any(ch in subject for ch in "-_./") or any(ch.isdigit() for ch in subject):
        return False
    if subject[0].isupper() and lower not in FUNCTION_WORDS:
        # "Retries failed to drain": a capitalised plural is a thing, not a name.
        if lower.endswith("s") and not lower.endswith(("ss", "us", "is", "os", "as")):
            return False
        return not ctx.used_in_lowercase(lower)
    # "the engineer on call failed to": a person a few words back.
    return any(t.lower() in PERSON_WORDS for t in tokens[max(0, index - 4) : index])


def not_placeholder(match: re.Match[str], text: str, ctx: GuardContext) -> bool:
    return _PLACEHOLDER.match(_value(match)) is None


def secret_value(match: re.Match[str], text: str, ctx: GuardContext) -> bool:
    """A credential-looking value: not a placeholder, a word, a number or a date."""
    value = _value(match).strip("\"'")
    if _PLACEHOLDER.match(value) or value.isdigit() or _DATE_OR_TIME.search(value):
        return False
    if "://" in value:
        return False
    has_digit = any(ch.isdigit() for ch in value)
    has_alpha = any(ch.isalpha() for ch in value)
    if has_digit and has_alpha:
        return True
    if len(value) >= 20 and any(ch.isupper() for ch in value) and any(ch.islower() for ch in value):
        return True
    return len(value) >= 8 and has_alpha and any(ch in "!@#$%^&*" for ch in value)


def personal_email(match: re.Match[str], text: str, ctx: GuardContext) -> bool:
    """Every address is personal data, even at example.com, except what is not a mailbox at all."""
    address = _value(match)
    local, _, domain = address.rpartition("@")
    tld = domain.lower().rsplit(".", 1)[-1]
    if tld in FILE_TLDS or local.lower() in ROLE_MAILBOXES:
        return False  # `icon@2x.png`; `noreply@` belongs to no person
    after = text[match.end() : match.end() + 2]
    if after.startswith(":") and after[1:2] not in ("", " ", "\t", "\n"):
        return False  # `git@github.com:org/repo.git` is an SSH remote
    line_start = text.rfind("\n", 0, match.start()) + 1
    return _REMOTE_LOGIN.search(text, line_start, match.start()) is None  # `ssh deploy@bastion`


def phone_digits(match: re.Match[str], text: str, ctx: GuardContext) -> bool:
    value = _value(match)
    if _DATE_OR_TIME.search(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return 7 <= digits <= 15


Guard = Callable[[re.Match[str], str, GuardContext], bool]

GUARDS: dict[str, Guard] = {
    "person-subject": person_subject,
    "not-placeholder": not_placeholder,
    "secret-value": secret_value,
    "personal-email": personal_email,
    "phone-digits": phone_digits,
}
