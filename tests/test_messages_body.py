"""Author-facing messages of the body rules and the linter: what a newcomer gets wrong
(12-hour times, zone names, near-miss headings, template placeholders, lint directives)
is reported once, at the line to fix, saying what to write instead.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb_cli_helpers import make_project
from postmortem_kb.cli.main import cli
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_text
from postmortem_kb.lint import lint_file

from conftest import valid_text

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))

# The valid fixture's timeline lines, on file lines 54 to 58.
T = ["- 09:05 [action]", "- 09:12 [observation]", "- 09:19 [detection]", "- 09:26 [decision]", "- 09:31 [mitigation]"]


def edited(*pairs: tuple[str, str]) -> str:
    text = valid_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def findings(text: str) -> list[tuple[int, str, str, str]]:
    result = check_text("postmortems/2024/x.md", text, SETTINGS, NOW)
    return [(f.line, f.level.value, f.code, f.message) for f in result.findings]


def at_midnight(first: str, *rest: str, started: str = "00:10", resolved: str = "01:00") -> str:
    """The fixture with `started_at` at `started` on 2024-03-14 and the timeline's stamps replaced
    (without `detected_at` and `mitigated_at`: the timeline is on lines 52 to 56)."""
    pairs = [
        ("started_at: 2024-03-14T09:12:00Z", f"started_at: 2024-03-14T{started}:00Z"),
        ("detected_at: 2024-03-14T09:19:00Z\n", ""),
        ("mitigated_at: 2024-03-14T09:31:00Z\n", ""),
        ("resolved_at: 2024-03-14T11:00:00Z", f"resolved_at: 2024-03-14T{resolved}:00Z"),
    ]
    stamps = (first, *rest)
    pairs += [(old, f"- {new} {old.split(' ', 2)[2]}") for old, new in zip(T, stamps)]
    return edited(*pairs)


# --- 1. 12-hour times, zone names and offsets after a time -----------------------------


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("9:19am", "09:19"),
        ("1:26pm", "13:26"),
        ("1:26 p.m.", "13:26"),
        ("1:26 PM", "13:26"),
        ("12:19pm", "12:19"),
        ("12:05am", "00:05"),
        ("**9:19am**", "09:19"),
    ],
)
def test_twelve_hour_time_is_an_error_with_the_24_hour_form(written: str, fixed: str) -> None:
    got = findings(edited((T[2], f"- {written} [detection]")))
    assert [(line, code) for line, _, code, _ in got] == [(56, "timeline.malformed")]
    assert f"timeline times are 24-hour `HH:MM`: write `{fixed}`" in got[0][3]
    assert f"`{written.strip('*')}`" in got[0][3]


def test_twelve_hour_timeline_gets_no_midnight_hint() -> None:
    # 12:19pm then 1:26pm used to be read as 12:19 then 01:26: an order error with a next-day hint.
    text = edited(*((old, f"- {new} {old.split(' ', 2)[2]}") for old, new in zip(
        T, ["11:05am", "11:12am", "12:19pm", "1:26pm", "1:31pm"])))
    got = findings(text)
    assert {code for _, _, code, _ in got} == {"timeline.malformed"}
    assert [line for line, *_ in got] == [54, 55, 56, 57, 58]
    assert "write `13:26`" in got[3][3]


@pytest.mark.parametrize(
    ("written", "wanted"),
    [
        ("09:12 CET", "2024-03-14 09:12+01:00"),
        ("09:12 (CEST)", "2024-03-14 09:12+02:00"),
        ("09:12 UTC+2", "2024-03-14 09:12+02:00"),
        ("09:12 GMT-5", "2024-03-14 09:12-05:00"),
        ("09:12 IST", "2024-03-14 09:12+HH:MM"),
        ("**09:12** CET", "2024-03-14 09:12+01:00"),
    ],
)
def test_zone_name_after_a_time_is_an_error(written: str, wanted: str) -> None:
    got = findings(edited((T[1], f"- {written} [observation]")))
    assert [(line, code) for line, _, code, _ in got] == [(55, "timeline.malformed")]
    message = got[0][3]
    assert f"`{written.replace('*', '')}`: a zone name is not read" in message
    assert "a time without a date is in the zone of `started_at` (`Z`)" in message
    assert f"write the date and the offset: `{wanted}`" in message


@pytest.mark.parametrize(
    ("written", "wanted"),
    [("09:26+01:00", "+01:00"), ("09:26Z", "Z"), ("09:26+0100", "+01:00"), ("09:26 +01:00", "+01:00")],
)
def test_offset_on_a_time_without_a_date_is_an_error(written: str, wanted: str) -> None:
    got = findings(edited((T[3], f"- {written} [decision]")))
    assert [(line, code) for line, _, code, _ in got] == [(57, "timeline.malformed")]
    assert "an offset is allowed only on a full datetime" in got[0][3]
    assert f"write the date too: `2024-03-14 09:26{wanted}`" in got[0][3]


def test_dated_entry_with_a_zone_name_and_utc_after_a_non_utc_start() -> None:
    text = edited(
        ("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14T10:12:00+01:00"),
        (T[0], "- 2024-03-14 09:05 PDT [action]"),
        (T[1], "- 09:12 UTC [observation]"),
    )
    got = findings(text)
    assert [(line, code) for line, _, code, _ in got] == [(54, "timeline.malformed"), (55, "timeline.malformed")]
    assert "write the offset: `2024-03-14 09:05-07:00`" in got[0][3]
    assert "in the zone of `started_at` (`+01:00`), not in UTC" in got[1][3]


def test_capitalised_descriptions_ranges_and_utc_are_not_suffixes() -> None:
    # Only the CET entry is wrong; `API`, `DB`, `CDN`, a range, `UTC` with a UTC start are fine.
    text = edited(
        (T[0], "- 09:05 API latency rises to +1500 ms;"),
        (T[1], "- 09:12 DB [observation]"),
        (T[2], "- 09:19 CDN edge nodes [detection]"),
        (T[3], "- 09:26-09:28 UTC [decision]"),
        (T[4], "- 09:31 CET [mitigation]"),
    )
    got = findings(text)
    assert [(line, code) for line, _, code, _ in got] == [(58, "timeline.malformed")]


@pytest.mark.parametrize(
    ("written", "flagged"),
    [
        # `AM` (account manager), `PM` (product manager) followed by what they did: people.
        ("9:20 AM (account manager) calls Jonas", False),
        ("9:20 PM Jonas joins the call", False),
        # A 12-hour clock: the entry ends there, or goes on with its `[kind]` or a separator.
        ("9:20 AM", True),
        ("9:20 AM [detection] the alert pages", True),
        ("9:20 AM - the alert pages", True),
        ("9:20 AM: the alert pages", True),
        ("9:20 AM — the alert pages", True),
        ("9:20 AM | the alert pages", True),
        # Lowercase, dotted or attached: a 12-hour clock whatever follows.
        ("9:20am the alert pages", True),
        ("9:20 am the alert pages", True),
        ("9:20 a.m. the alert pages", True),
        ("9:20AM the alert pages", True),
    ],
)
def test_uppercase_am_pm_is_a_clock_only_before_the_end_a_kind_or_a_separator(written: str, flagged: bool) -> None:
    got = findings(edited((T[2] + " The checkout latency alert pages the on-call engineer.", f"- {written}")))
    if not flagged:
        assert got == []
        return
    assert [(line, code) for line, _, code, _ in got] == [(56, "timeline.malformed")]
    assert "timeline times are 24-hour `HH:MM`: write `09:20`" in got[0][3]


@pytest.mark.parametrize(
    ("offset", "written", "part"),
    [
        ("+02:00", "09:19 CEST", "in the zone of `started_at` (`+02:00`, CEST's offset); drop the zone name: `09:19`"),
        ("+02:00", "09:19 UTC+2", "in the zone of `started_at` (`+02:00`, UTC+2's offset); drop the zone name: `09:19`"),
        ("Z", "09:19 GMT", "in the zone of `started_at` (`Z`, GMT's offset); drop the zone name: `09:19`"),
        # Another offset, or an ambiguous zone: the date and the offset, as before.
        ("+02:00", "09:19 CET", "for another zone, write the date and the offset: `2024-03-14 09:19+01:00`"),
        ("+05:30", "09:19 IST", "write the date and the offset: `2024-03-14 09:19+HH:MM` (with that zone's UTC offset)"),
    ],
)
def test_zone_name_of_started_at_s_own_offset_is_to_be_dropped(offset: str, written: str, part: str) -> None:
    text = edited(
        ("started_at: 2024-03-14T09:12:00Z", f"started_at: 2024-03-14T09:12:00{offset}"),
        ("detected_at: 2024-03-14T09:19:00Z\n", ""),
        ("mitigated_at: 2024-03-14T09:31:00Z\n", ""),
        (T[2], f"- {written} [detection]"),
    )
    got = findings(text)
    assert [(line, code) for line, _, code, _ in got] == [(54, "timeline.malformed")]
    assert f"`{written}`: a zone name is not read" in got[0][3]
    assert part in got[0][3]
    assert ("drop the zone name" in part) != ("write the date" in got[0][3])


# --- 2. Midnight: the hint, and entries far outside the incident ------------------------


def test_midnight_hint_dates_the_first_entry_when_it_was_the_evening_before() -> None:
    got = findings(at_midnight("23:55", "00:10", "00:19", "00:26", "00:31"))
    assert [(line, code) for line, _, code, _ in got] == [(53, "timeline.order")]
    assert "date both: `2024-03-13 23:55` there and `2024-03-14 00:10` here" in got[0][3]
    assert "2024-03-15" not in got[0][3]
    # Following the hint gives a valid timeline.
    assert findings(at_midnight("2024-03-13 23:55", "2024-03-14 00:10", "00:19", "00:26", "00:31")) == []
    # After a first entry later than `started_at` (23:50 after 23:45), the next day is still the hint.
    got = findings(at_midnight("23:50", "23:55", "00:10", "00:19", "00:26", started="23:45", resolved="23:59"))
    assert "write the date: `2024-03-15 00:10`" in next(m for _, _, c, m in got if c == "timeline.order")


def test_dated_entries_days_outside_the_incident_are_fine() -> None:
    # Background days before `started_at` and a follow-up days after `resolved_at` are normal
    # timeline entries; the format has no rule against them (`--strict` failed on a warning).
    text = at_midnight("2024-03-11 23:55", "2024-03-14 00:10", "00:19", "00:26", "2024-03-16 00:31")
    assert findings(text) == []


# --- 3. Required sections with a near-miss heading -------------------------------------


@pytest.mark.parametrize(
    ("heading", "line", "part"),
    [
        ("## Impacts\n", 48, "the heading `## Impacts` does not match it; did you mean `## Impact`?"),
        ("## Impact:\n", 48, "did you mean `## Impact`?"),
        ("## 1. Impact\n", 48, "did you mean `## Impact`?"),
        ("## **Impact**\n", 48, "did you mean `## Impact`?"),
        ("# Impact\n", 48, "`# Impact` is a level-1 heading: use `## Impact`"),
        ("### Impact\n", 48, "`### Impact` is a level-3 heading: use `## Impact`"),
        ("Impact\n------\n", 48, "`Impact` underlined with `---` is a setext heading: write `## Impact`"),
    ],
)
def test_near_miss_of_a_required_section_is_reported_at_its_heading(heading: str, line: int, part: str) -> None:
    got = findings(edited(("## Impact\n", heading)))
    assert [(n, code) for n, _, code, _ in got] == [(line, "section.missing")]
    assert got[0][3].startswith("missing required section `## Impact`: ")
    assert part in got[0][3]


@pytest.mark.parametrize(
    ("heading", "part"),
    [
        ("## Timeline (UTC)\n", "did you mean `## Timeline`?"),
        ("# Timeline\n", "is a level-1 heading"),
        ("### Timeline\n", "is a level-3 heading"),
        ("Timeline\n--------\n", "is a setext heading"),
    ],
)
def test_near_miss_of_the_timeline(heading: str, part: str) -> None:
    got = findings(edited(("## Timeline\n", heading)))
    assert [(n, code) for n, _, code, _ in got] == [(52, "section.missing")]
    assert part in got[0][3]


# --- 4. Lessons-learned subsections written as bold text or `##` -----------------------


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("**What went well**", "`**What went well**` is bold text, not a heading: make it `### What went well`"),
        ("**What went well:**", "make it `### What went well`"),
        ("#### What went well", "`#### What went well` is a level-4 heading: make it `### What went well`"),
    ],
)
def test_lessons_subsection_near_miss_is_reported_at_its_line(written: str, part: str) -> None:
    got = findings(edited(("### What went well\n", written + "\n")))
    assert [(n, level, code) for n, level, code, _ in got] == [(66, "warning", "section.lessons-subsection")]
    assert part in got[0][3]


def test_lessons_subsections_as_level_2_headings() -> None:
    text = edited(
        ("### What went well", "## What went well"),
        ("### What went wrong", "## What went wrong"),
        ("### Where we got lucky", "## Where we got lucky"),
    )
    got = sorted(findings(text))
    assert [(n, code) for n, _, code, _ in got] == [
        (64, "section.empty"),
        (66, "section.lessons-subsection"),
        (70, "section.lessons-subsection"),
        (74, "section.lessons-subsection"),
    ]
    assert "its subsections are `##` headings, which end it (line 66); make them `###`" in got[0][3]
    assert ("`## What went well` is a level-2 heading, which ends `## Lessons Learned`: "
            "make it `### What went well`") in got[1][3]
    assert "make it `### Where we got lucky`" in got[3][3]


# --- 5. Template placeholders are reported once per line -------------------------------


def test_placeholders_hide_the_other_findings_of_their_line() -> None:
    text = edited(
        ("started_at: 2024-03-14T09:12:00Z", 'started_at: "2024-03-14T{{ HH:MM }}:00Z"'),
        ("  - category: config-change", '  - category: "{{ category }}"'),
        *((old, "- {{ HH:MM }} [" + old.split("[", 1)[1] + " {{ what happened }}") for old in T),
    )
    got = findings(text)
    assert {code for _, _, code, _ in got} == {"template.placeholder"}
    lines = [line for line, *_ in got]
    assert lines == sorted(set(lines)), "one finding per line"
    assert 8 in lines and 27 in lines and lines[-5:] == [54, 55, 56, 57, 58]
    assert '"{{ HH:MM }}" (column 3) and "{{ what happened }}" (column' in got[-1][3]
    assert "are placeholders from the template" in got[-1][3]


@pytest.mark.parametrize(
    ("old", "new", "line", "code", "part"),
    [
        (
            "  - title: Validate pool settings in the config pipeline\n    owner: Priya Raman\n",
            '  - title: "{{ what to do }}"\n',
            40, "frontmatter.required", "`action_items[2]` has no `owner`",
        ),
        (
            "  - category: config-change\n"
            "    description: The pool size was lowered from 50 to 5 by a shared config template.\n",
            '  - category: "{{ category }}"\n',
            27, "frontmatter.required", "`contributing_factors[1]` has no `description`",
        ),
        ("trigger: config push lowering max pool size", 'triger: "{{ y }}"', 18, "frontmatter.unknown-key",
         "unknown key `triger` in the front matter (did you mean `trigger`?)"),
    ],
)
def test_placeholders_keep_the_other_problems_of_their_line(old: str, new: str, line: int, code: str, part: str) -> None:
    # Only what is said about the placeholder's own value goes (`{{ category }}` is not a category);
    # a missing `owner` or `description`, a misspelled key, are still there once it is filled in.
    got = findings(edited((old, new)))
    assert sorted((n, c) for n, _, c, _ in got) == sorted([(line, code), (line, "template.placeholder")])
    assert part in next(m for _, _, c, m in got if c == code)


def test_fresh_postmortem_new_file_has_one_finding_per_placeholder_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "kb", {})
    (root / "postmortems" / "_templates").mkdir(parents=True)
    (root / "postmortems" / "_templates" / "postmortem.md").write_text(
        (REPO / "postmortems" / "_templates" / "postmortem.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    runner = CliRunner()
    created = runner.invoke(cli, ["new", "--title", "Checkout latency", "--severity", "SEV2", "--service",
                                  "checkout-api", "--author", "Priya Raman", "--date", "2024-03-14"])
    assert created.exit_code == 0, created.output
    result = runner.invoke(cli, ["check", "--format", "json", created.stdout.strip()])
    found = json.loads(result.stdout)["findings"]
    assert found and {f["code"] for f in found} == {"template.placeholder"}
    lines = [f["line"] for f in found]
    assert len(lines) == len(set(lines))


# --- 6. YAML comments and directives are not prose ------------------------------------


def lint(text: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_file("postmortems/2024/x.md", text, Settings())]


def test_yaml_comment_is_not_linted_as_prose_but_still_for_secrets() -> None:
    text = edited(("trigger: config push lowering max pool size",
                   "trigger: config push  # human error, root cause, simply"))
    assert findings(text) == []
    leak = edited(("trigger: config push lowering max pool size",
                   "trigger: config push  # simply ghp_" + "a" * 36))
    assert lint(leak) == [(18, "secrets.github-token")]
    # A value's own words are still read, and so is a block scalar's `#`: it is text there.
    prose = edited(("trigger: config push lowering max pool size", "trigger: >-\n  simply a # root cause"))
    assert lint(prose) == [(19, "blameless.hindsight"), (19, "blameless.root-cause")]


def test_a_directive_text_is_never_linted() -> None:
    text = edited(("trigger: config push lowering max pool size",
                   'trigger: "config push, the root cause"  # postmortem-lint: disable=blameless.rootcause'))
    got = findings(text)
    assert [(line, code) for line, _, code, _ in got] == [(18, "blameless.root-cause"), (18, "lint.unknown-rule")]
    assert '"root cause" (column 28)' in got[0][3]
    assert "did you mean `blameless.root-cause`?" in got[1][3]
    # A secret is reported even inside a directive's text.
    leak = edited(("trigger: config push lowering max pool size",
                   "trigger: config push  # postmortem-lint: disable=ghp_" + "a" * 36))
    assert (18, "secrets.github-token") in lint(leak)


# --- 7. Inline directives that do not do what they say ---------------------------------


@pytest.mark.parametrize(("written", "family"), [("blameless", "blameless"), ("secret", "secrets"), ("pii.", "pii")])
def test_rule_family_in_a_directive_suggests_the_glob(written: str, family: str) -> None:
    got = lint_file("doc.md", f"Text. <!-- postmortem-lint: disable={written} -->\n", Settings())
    assert [f.code for f in got] == ["lint.unknown-rule"]
    assert (f"`{written}` in a `postmortem-lint: disable` comment is not a rule "
            f"(did you mean `{family}.*`?)") in got[0].message


@pytest.mark.parametrize(
    ("comment", "part"),
    [
        ("<!-- postmortem-lint disable=blameless.hindsight -->",
         "a directive starts with `postmortem-lint:`, the colon right after it: "
         "write `postmortem-lint: disable=blameless.hindsight`"),
        ("<!-- postmortem-lint : disable=blameless.hindsight -->", "the colon right after it"),
        ("<!-- Postmortem-Lint: Disable=blameless.hindsight -->",
         "directives are lowercase: write `postmortem-lint: disable=blameless.hindsight`"),
        ("<!-- postmortem-lint: disable=blameless.hindsight: quoting the customer -->",
         "after `disable=` (or `disable-next-line=`) come only rule ids"),
    ],
)
def test_unread_directive_is_a_warning(comment: str, part: str) -> None:
    got = lint_file("doc.md", f"We just restarted it. {comment}\n", Settings())
    assert sorted(f.code for f in got) == ["blameless.hindsight", "lint.directive"]
    message = next(f.message for f in got if f.code == "lint.directive")
    assert "is not read as a directive, so it disables nothing" in message and part in message


# --- 8. A clean timeline costs what it did before these messages ------------------------


@pytest.mark.parametrize("started", ["2024-03-14T09:00:00Z", "2024-03-14T10:00:00+01:00"])
def test_a_clean_timeline_entry_is_decided_by_its_match(started: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # `HH:MM [kind] text` and `HH:MM text` with nothing suspicious after the time: no look for an
    # am/pm, a zone name or an offset, and no per-entry or per-file extra call (`postmortem check`
    # reads every timeline of the knowledge base).
    from postmortem_kb.core import body
    from postmortem_kb.core.findings import Reporter
    from postmortem_kb.core.frontmatter import parse_datetime

    lines = [
        "- 09:05 [action] The config push rolls out.",
        "- 09:12 [observation] p99 latency rises.",
        "- 09:19 - the alert pages the on-call engineer.",
        "- 09:26 the on-call engineer decides to roll back.",
        "- 09:29: rollback starts.",
        "- 09:31 2 of 3 regions recover.",
        "- 2024-03-14 09:40 [resolution] latency is back to baseline.",
        "- 09:45 [communication] The status page is updated.",
    ]
    section = next(s for s in body.split_sections("## Timeline\n\n" + "\n".join(lines) + "\n", 1)
                   if s.key == "timeline")
    looked: list[tuple] = []
    monkeypatch.setattr(body, "_suffix_problem", lambda *args: looked.append(args))
    extra: list[str] = []

    def profile(frame, event, arg) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") in ("startswith", "utcoffset", "issuperset"):
            extra.append(arg.__name__)

    report = Reporter("x.md")
    start = parse_datetime(started)[0]
    sys.setprofile(profile)
    try:
        timeline = body.parse_timeline(section, report, start)
    finally:
        sys.setprofile(None)
    assert report.findings == [] and len(timeline) == len(lines)
    assert looked == [] and extra == []
