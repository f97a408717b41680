"""One valid and at least one invalid case for every rule of the format.

Each case edits the valid fixture (tests/fixtures/valid.md) and states the
finding expected: line, code, level and a part of the message a newcomer
reads. Lines refer to the edited file.
"""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kb.core.settings import Category, Settings, Severity
from postmortem_kb.core.validate import check_bytes, check_text

from conftest import valid_text

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))


def check(text: str, settings: Settings = SETTINGS):
    return check_text("postmortems/2024/x.md", text, settings, NOW)


def sub(old: str, new: str, count: int = 1) -> str:
    text = valid_text()
    assert old in text, old
    return text.replace(old, new, count)


def test_valid_fixture_has_no_findings():
    result = check(valid_text())
    assert result.findings == ()
    pm = result.record
    assert pm is not None
    assert pm.id == "PM-2024-001"
    assert pm.time_to_detect == dt.timedelta(minutes=7)
    assert pm.time_to_mitigate == dt.timedelta(minutes=19)
    assert pm.time_to_resolve == dt.timedelta(hours=1, minutes=48)
    assert [e.kind for e in pm.timeline] == ["action", "observation", "detection", "decision", "mitigation"]
    assert pm.categories == ("config-change", "observability-detection")
    assert pm.impact.users_affected == 4200
    assert pm.action_items[1].is_overdue(dt.date(2026, 11, 27))
    assert not pm.action_items[0].is_overdue(dt.date(2026, 11, 27))


# (case id, text, line, code, message part)
CASES = [
    # --- required fields
    ("id missing", sub("id: PM-2024-001\n", ""), 1, "frontmatter.required", "missing required field `id`"),
    ("title missing", sub("title: Checkout latency after a config push\n", ""), 1, "frontmatter.required", "`title`"),
    ("summary missing", sub("summary: For 19", "summry: For 19"), 7, "frontmatter.required", "`summary`"),
    ("services missing", sub("services: [checkout-api, payments-gateway]\n", ""), 1, "frontmatter.required", "`services`"),
    ("authors empty", sub("authors: [Priya Raman]", "authors: []"), 14, "frontmatter.required", "list at least one"),
    ("factors missing", sub("contributing_factors:", "contributing_factorz:"), 26, "frontmatter.required", "`contributing_factors`"),
    ("action items empty", sub("related: []", "related: []").replace(valid_text()[valid_text().index("action_items:"):valid_text().index("related:")], "action_items: []\n"), 31, "frontmatter.required", "`action_items` is empty"),
    # --- id
    ("id pattern", sub("id: PM-2024-001", "id: -PM 2024"), 2, "frontmatter.id", "not a valid id"),
    ("id too long", sub("id: PM-2024-001", "id: " + "A" * 70), 2, "frontmatter", "64"),
    # --- title / summary length
    ("title empty", sub("title: Checkout latency after a config push", "title: ''"), 3, "frontmatter.empty", "`title` is empty"),
    ("title too long", sub("title: Checkout latency after a config push", "title: " + "x" * 121), 3, "frontmatter.too-long", "120"),
    ("summary too long", sub("summary: For 19 minutes", "summary: " + "y" * 600 + " For"), 7, "frontmatter.too-long", "600"),
    ("title with a control character", sub("title: Checkout latency after a config push", 'title: "Checkout\\x01latency"'), 3, "frontmatter.control", "control character (U+0001)"),
    ("title is a list", sub("title: Checkout latency after a config push", "title: [a, b]"), 3, "frontmatter.type", "must be text"),
    # --- enums
    ("status enum", sub("status: published", "status: Published"), 4, "frontmatter.enum", "did you mean `published`"),
    ("visibility enum", sub("visibility: public", "visibility: secret"), 5, "frontmatter.enum", "`public`, `internal`, `restricted`"),
    ("severity enum", sub("severity: SEV2", "severity: sev5"), 6, "frontmatter.enum", "`SEV1`, `SEV2`, `SEV3`, `SEV4`"),
    ("detection enum", sub("detection: alert", "detection: pager"), 17, "frontmatter.enum", "`customer-report`"),
    # --- datetimes
    ("datetime no offset", sub("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14T09:12:00"), 8, "frontmatter.datetime", "no UTC offset"),
    ("datetime date only", sub("resolved_at: 2024-03-14T11:00:00Z", "resolved_at: 2024-03-14"), 11, "frontmatter.datetime", "date without a time"),
    ("datetime garbage", sub("detected_at: 2024-03-14T09:19:00Z", "detected_at: yesterday morning"), 9, "frontmatter.datetime", "not an ISO 8601 datetime"),
    ("datetime impossible", sub("detected_at: 2024-03-14T09:19:00Z", "detected_at: 2024-02-30T09:19:00Z"), 9, "frontmatter.datetime", "not a real date"),
    ("started missing", sub("started_at: 2024-03-14T09:12:00Z\n", ""), 1, "frontmatter.required", "`started_at`"),
    # --- ordering of the four timestamps
    ("detected before started", sub("detected_at: 2024-03-14T09:19:00Z", "detected_at: 2024-03-14T09:00:00Z"), 9, "frontmatter.order", "before `started_at`"),
    ("mitigated before detected", sub("mitigated_at: 2024-03-14T09:31:00Z", "mitigated_at: 2024-03-14T09:15:00Z"), 10, "frontmatter.order", "before `detected_at`"),
    ("resolved before mitigated", sub("resolved_at: 2024-03-14T11:00:00Z", "resolved_at: 2024-03-14T09:20:00Z"), 11, "frontmatter.order", "before `mitigated_at`"),
    ("datetime leaves the calendar in UTC", sub("started_at: 2024-03-14T09:12:00Z", "started_at: 0001-01-01T00:10:00+05:00"), 8, "frontmatter.datetime", "out of range"),
    ("resolved in the future", sub("resolved_at: 2024-03-14T11:00:00Z", "resolved_at: 2030-01-01T00:00:00Z"), 11, "frontmatter.future", "in the future"),
    # --- lists and slugs
    ("services not a list", sub("services: [checkout-api, payments-gateway]", "services: checkout-api"), 12, "frontmatter.type", "must be a list"),
    ("service not a slug", sub("services: [checkout-api, payments-gateway]", "services: [Checkout API]"), 12, "frontmatter.slug", "like `checkout-api`"),
    ("team not a slug", sub("teams: [checkout, sre]", "teams: [SRE Team]"), 13, "frontmatter.slug", "`sre-team`"),
    # --- reviewers when published
    ("published without reviewers", sub("reviewers: [Amara Osei]\n", ""), 4, "frontmatter.reviewers", "`reviewers` is required when `status: published`"),
    ("published with empty reviewers", sub("reviewers: [Amara Osei]", "reviewers: []"), 15, "frontmatter.required", "`reviewers` is empty"),
    # --- booleans and impact
    ("near_miss quoted", sub("near_miss: false", "near_miss: 'no'"), 19, "frontmatter.type", "`true` or `false`"),
    ("impact users negative", sub("users_affected: 4200", "users_affected: -3"), 21, "frontmatter.range", "0 or more"),
    ("impact users text", sub("users_affected: 4200", "users_affected: many"), 21, "frontmatter.type", "whole number"),
    ("impact budget range", sub("error_budget_consumed_pct: 35.5", "error_budget_consumed_pct: 135"), 22, "frontmatter.range", "between 0 and 100"),
    ("impact data_loss", sub("data_loss: false", "data_loss: maybe"), 23, "frontmatter.type", "`true` or `false`"),
    ("impact not a mapping", sub("impact:\n  users_affected: 4200\n  error_budget_consumed_pct: 35.5\n  data_loss: false\n  support_tickets: 57\n  revenue: about EUR 12,000 in abandoned baskets\n", "impact: big\n"), 20, "frontmatter.type", "must be a mapping"),
    # --- factors
    ("factor category unknown", sub("category: config-change", "category: config-changes"), 27, "frontmatter.category", "did you mean `config-change`"),
    ("factor without description", sub("    description: The pool size was lowered from 50 to 5 by a shared config template.\n", ""), 27, "frontmatter.required", "has no `description`"),
    ("factor description too long", sub("description: The pool saturation metric had no alert.", "description: " + "z" * 501), 30, "frontmatter.too-long", "500"),
    ("factor not a mapping", sub("  - category: config-change\n    description: The pool size was lowered from 50 to 5 by a shared config template.\n", "  - config-change\n"), 27, "frontmatter.type", "must be a mapping"),
    # --- action items
    ("action item without owner", sub("    owner: sre\n", ""), 32, "frontmatter.required", "has no `owner`"),
    ("action item due not a date", sub("due: 2024-04-30", "due: next week"), 34, "frontmatter.date", "`YYYY-MM-DD`"),
    ("action item due impossible", sub("due: 2024-04-30", "due: 2024-04-31"), 34, "frontmatter.date", "not a real date"),
    ("action item status enum", sub("status: done", "status: finished"), 35, "frontmatter.enum", "`open`, `in-progress`, `done`, `wont-do`"),
    ("action item type enum", sub("type: detect", "type: fix"), 36, "frontmatter.enum", "`prevent`"),
    ("action item priority enum", sub("priority: P1", "priority: high"), 37, "frontmatter.enum", "`P0`"),
    ("action item ticket javascript", sub("ticket: https://tracker.example.com/SRE-1", "ticket: javascript:alert(1)"), 38, "frontmatter.url", "http:// or https://"),
    ("action item ticket not url", sub("ticket: https://tracker.example.com/SRE-1", "ticket: SRE-1"), 38, "frontmatter.url", "http"),
    ("action item factor not own", sub("factor: observability-detection", "factor: security"), 39, "frontmatter.factor-ref", "not one of this postmortem's factor categories"),
    # --- related
    ("related self", sub("related: []", "related: [PM-2024-001]"), 45, "frontmatter.related", "own id"),
    ("related bad id", sub("related: []", "related: ['not an id!']"), 45, "frontmatter.related", "not a postmortem id"),
    # --- YAML itself
    ("yaml syntax", sub("title: Checkout latency after a config push", "title: [unclosed"), 3, "frontmatter.yaml", "invalid YAML"),
    ("yaml tab", sub("  users_affected: 4200", "\tusers_affected: 4200"), 21, "frontmatter.yaml", "tab"),
    ("yaml duplicate key", sub("severity: SEV2", "severity: SEV2\nseverity: SEV3"), 7, "frontmatter.yaml", "duplicate key `severity`"),
    ("yaml python tag", sub("title: Checkout latency after a config push", "title: !!python/object/apply:os.system ['id']"), 3, "frontmatter.yaml", "not allowed"),
    ("front matter is a list", "---\n- a\n- b\n---\n\n## Impact\n", 2, "frontmatter.not-mapping", "must be a mapping"),
    ("front matter is a scalar", "---\njust text\n---\n\n## Impact\n", 2, "frontmatter.not-mapping", "a single value"),
    ("front matter empty", "---\n---\n\n## Impact\n", 2, "frontmatter.not-mapping", "empty"),
    ("no front matter", "## Impact\n\nText\n", 1, "frontmatter.missing", "starts with a `---` line"),
    ("unclosed front matter", "---\nid: PM-1\ntitle: x\n", 1, "frontmatter.unclosed", "never closed"),
    ("empty file", "", 1, "file.empty", "the file is empty"),
    # --- body: sections
    ("missing section", sub("## Impact\n\nAbout 4,200 customers could not complete checkout.\n", ""), 47, "section.missing", "missing required section `## Impact`"),
    ("empty section", sub("## Contributing Factors\n\nThe template change applied to every service.\n", "## Contributing Factors\n\n"), 60, "section.empty", "`## Contributing Factors` is empty"),
    # --- body: timeline
    ("timeline out of order", sub("- 09:26 [decision]", "- 09:01 [decision]"), 57, "timeline.order", "chronological order"),
    ("timeline unknown kind", sub("[observation]", "[observed]"), 55, "timeline.kind", "did you mean `[observation]`"),
    ("timeline malformed entry", sub("- 09:26 [decision]", "- around half past nine [decision]"), 57, "timeline.malformed", "does not start with a timestamp"),
    ("timeline impossible time", sub("- 09:26 [decision]", "- 29:26 [decision]"), 57, "timeline.malformed", "not a valid time"),
    ("timeline too short", sub("- 09:12 [observation] p99 latency on checkout-api rises from 180 ms to 2.4 s.\n- 09:19 [detection] The checkout latency alert pages the on-call engineer.\n- 09:26 [decision] Roll back the 09:05 config push rather than scale out.\n- 09:31 [mitigation] Rollback completes; latency returns to baseline.\n", "- 09:31 [mitigation] Rollback completes.\n"), 52, "timeline.too-short", "at least 3"),
]


@pytest.mark.parametrize("case,text,line,code,part", CASES, ids=[c[0] for c in CASES])
def test_invalid_case(case, text, line, code, part):
    result = check(text)
    assert result.record is None, f"{case}: expected the file to be invalid"
    matching = [f for f in result.findings if f.code.startswith(code) and part in f.message]
    assert matching, f"{case}: no {code} finding containing {part!r}; got:\n" + "\n".join(
        f"{f.line} {f.code} {f.message}" for f in result.findings
    )
    assert matching[0].line == line, f"{case}: line {matching[0].line}, expected {line}: {matching[0].message}"
    assert matching[0].is_error


WARNING_CASES = [
    ("unknown key", sub("tags: [connection-pool, config]", "tagz: [connection-pool, config]"), 16, "frontmatter.unknown-key", "did you mean `tags`"),
    ("unknown nested key", sub("    owner: sre\n", "    owner: sre\n    ownr: x\n"), 34, "frontmatter.unknown-key", "did you mean `owner`"),
    ("lessons subsection missing", sub("### Where we got lucky\n", "### Luck\n"), 64, "section.lessons-subsection", "`### Where we got lucky`"),
    ("duplicate section", valid_text() + "\n## Impact\n\nMore.\n", 78, "section.duplicate", "appears twice"),
    ("duplicate service", sub("services: [checkout-api, payments-gateway]", "services: [checkout-api, checkout-api]"), 12, "frontmatter.duplicate", "twice"),
    ("year typo", sub("started_at: 2024-03-14T09:12:00Z", "started_at: 0024-03-14T09:12:00Z"), 8, "frontmatter.date-implausible", "in the year 24; is the year a typo?"),
]


@pytest.mark.parametrize("case,text,line,code,part", WARNING_CASES, ids=[c[0] for c in WARNING_CASES])
def test_warning_case(case, text, line, code, part):
    result = check(text)
    matching = [f for f in result.findings if f.code == code and part in f.message]
    assert matching, "\n".join(f"{f.line} {f.code} {f.message}" for f in result.findings)
    assert matching[0].line == line
    assert not matching[0].is_error
    assert result.record is not None, "warnings alone keep the postmortem publishable"


def test_custom_field_is_not_warned():
    text = sub("tags: [connection-pool, config]", "tags: [a]\ncost_center: ops-42")
    assert [f.code for f in check(text).findings] == ["frontmatter.unknown-key"]
    settings = Settings(custom_fields=("cost_center",), reference_date=dt.date(2026, 11, 27))
    result = check(text, settings)
    assert result.findings == ()
    assert result.record.custom == {"cost_center": "ops-42"}


def test_configured_taxonomy_and_severities():
    settings = Settings(
        taxonomy=(Category("config-change", "Config", ""), Category("alerting", "Alerting", "")),
        severities=(Severity("P1", ""), Severity("P2", "")),
        reference_date=dt.date(2026, 11, 27),
    )
    text = sub("severity: SEV2", "severity: P2").replace("observability-detection", "alerting")
    assert check(text, settings).findings == ()
    result = check(valid_text(), settings)
    codes = {f.code for f in result.findings}
    assert {"frontmatter.enum", "frontmatter.category"} <= codes


def test_all_findings_reported_not_just_the_first():
    text = sub("severity: SEV2", "severity: SEV9").replace("status: done", "status: finished").replace(
        "- 09:26 [decision]", "- 09:01 [decision]"
    ).replace("visibility: public", "visibility: everyone")
    codes = sorted(f.code for f in check(text).findings)
    assert codes == ["frontmatter.enum", "frontmatter.enum", "frontmatter.enum", "timeline.order"]


def test_yaml_types_are_not_trusted():
    # `title: yes` and `1.10` are a boolean and a float to YAML: they are text here.
    text = sub("title: Checkout latency after a config push", "title: yes").replace(
        "owner: sre", "owner: 1.10"
    )
    result = check(text)
    assert result.findings == ()
    assert result.record.title == "yes"
    assert result.record.action_items[0].owner == "1.10"


def test_bom_and_crlf_are_accepted():
    data = ("\ufeff" + valid_text()).replace("\n", "\r\n").encode("utf-8")
    result = check_bytes("x.md", data, SETTINGS, NOW)
    assert result.findings == ()
    assert result.record.timeline[0].line == 54


def test_not_utf8_is_reported_with_line():
    data = valid_text().replace("About 4,200", "About \xe9 4,200").encode("latin-1")
    result = check_bytes("x.md", data, SETTINGS, NOW)
    assert [(f.code, f.line) for f in result.findings] == [("file.encoding", 50)]
    assert "not valid UTF-8" in result.findings[0].message


@pytest.mark.parametrize(
    ("char", "hint"),
    [
        ("\x92", "it was probably `’`"),  # Windows-1252's apostrophe, read as Latin-1
        ("\x85", "it was probably `…`"),  # NEL: YAML would even read it as a line break
        ("\x9d", "the wrong encoding? retype it"),  # nothing in Windows-1252
        ("\x9b", "terminal colour codes"),  # CSI
    ],
)
def test_c1_control_characters_are_refused_at_their_line(char, hint):
    """U+0080 to U+009F are invisible, like the C0 controls: in the body as in the front matter."""
    data = valid_text().replace("About 4,200", f"About{char} 4,200").encode("utf-8")
    result = check_bytes("x.md", data, SETTINGS, NOW)
    assert [(f.code, f.line) for f in result.findings] == [("file.control", 50)]
    assert f"invisible control character (U+{ord(char):04X}); remove it" in result.findings[0].message
    assert hint in result.findings[0].message


def test_the_first_control_character_is_reported_whichever_kind():
    data = valid_text().replace("id: PM-2024-001", "id: PM-2024-001 # \x92").replace("About 4,200", "About\x01 4,200")
    result = check_bytes("x.md", data.encode("utf-8"), SETTINGS, NOW)
    assert [(f.code, f.line) for f in result.findings] == [("file.control", 2)]
    assert "(U+0092)" in result.findings[0].message


def test_text_with_other_two_byte_characters_is_not_a_control():
    """0xC2 starts `°`, `©` and the no-break space too: only U+0080 to U+009F are refused."""
    result = check(valid_text().replace("About 4,200", "About\u00a04,200 (±2%, ©, 20°C)"))
    assert result.findings == ()


def test_timeline_dates_offsets_and_tables():
    text = sub(
        "- 09:05 [action] The config push rolls out to all regions.\n- 09:12 [observation] p99 latency on checkout-api rises from 180 ms to 2.4 s.\n- 09:19 [detection] The checkout latency alert pages the on-call engineer.\n- 09:26 [decision] Roll back the 09:05 config push rather than scale out.\n- 09:31 [mitigation] Rollback completes; latency returns to baseline.\n",
        "| Time | What |\n|---|---|\n| 23:50 | [observation] Late. |\n| 2024-03-15 00:10 | [decision] Wait. |\n| 00:20 | [action] Restart. |\n| 2024-03-15T02:00:00+01:00 | [resolution] Done. |\n",
    )
    result = check(text)
    assert result.findings == (), [f.format() for f in result.findings]
    entries = result.record.timeline
    assert [e.kind for e in entries] == ["observation", "decision", "action", "resolution"]
    assert entries[0].at == dt.datetime(2024, 3, 14, 23, 50, tzinfo=dt.timezone.utc)
    assert entries[2].at == dt.datetime(2024, 3, 15, 0, 20, tzinfo=dt.timezone.utc)
    assert entries[3].at == dt.datetime(2024, 3, 15, 1, 0, tzinfo=dt.timezone.utc)


def test_timeline_times_use_started_at_offset():
    text = sub("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14T10:12:00+01:00")
    result = check(text)
    assert result.findings == ()
    assert result.record.timeline[1].at == dt.datetime(2024, 3, 14, 8, 12, tzinfo=dt.timezone.utc)


def test_midnight_without_date_suggests_the_date():
    text = sub("- 09:26 [decision]", "- 00:26 [decision]")
    finding = [f for f in check(text).findings if f.code == "timeline.order"][0]
    assert "`2024-03-15 00:26`" in finding.message


def test_headings_in_code_blocks_are_not_sections():
    text = sub("## Impact\n\nAbout", "## Impact\n\n```\n## Timeline\n```\n\nAbout")
    assert check(text).findings == ()


def test_secrets_are_found_even_when_the_yaml_is_broken():
    result = check("---\nid: [oops\n---\n\nour key AKIAIOSFODNN7EXAMPLE leaked\n")
    assert [(f.line, f.code) for f in result.findings] == [(2, "frontmatter.yaml"), (5, "secrets.aws-access-key")]


def test_utc_after_a_bold_or_code_time_keeps_the_kind():
    old = "- 09:05 [action] The config push rolls out to all regions."
    assert old in valid_text()
    for written in ("- **09:05** UTC — [action] Push.", "- `09:05` UTC: [action] Push.", "- **09:05 UTC** - [action] Push."):
        result = check(sub(old, written))
        assert result.findings == (), [f.format() for f in result.findings]
        first = result.record.timeline[0]
        assert (first.kind, first.text) == ("action", "Push."), written
