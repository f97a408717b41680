"""Author-facing messages of the body rules and the linter: what a newcomer gets wrong
(12-hour times, zone names, near-miss headings, template placeholders, lint directives)
is reported once, at the line to fix, saying what to write instead.
"""

from __future__ import annotations

import datetime as dt
import json
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


def test_dated_entry_far_outside_the_incident_is_a_warning() -> None:
    got = findings(at_midnight("2024-03-11 23:55", "2024-03-14 00:10", "00:19", "00:26", "2024-03-16 00:31"))
    assert [(line, level, code) for line, level, code, _ in got] == [
        (52, "warning", "timeline.range"),
        (56, "warning", "timeline.range"),
    ]
    assert "`2024-03-11 23:55` is more than a day before `started_at`" in got[0][3]
    assert "`2024-03-16 00:31` is more than a day after `resolved_at`" in got[1][3]
    # Within a day either side is fine (the fixture's 09:05 is before started_at 09:12).
    assert findings(at_midnight("2024-03-13 00:30", "2024-03-14 00:10", "00:19", "00:26", "2024-03-15 00:50")) == []


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
