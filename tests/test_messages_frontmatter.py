"""What an author reads about a broken front matter: each message says what is wrong
and what to write instead, with the author's own values, at the line to fix.

Each case edits the valid fixture (tests/fixtures/valid.md); lines refer to the
edited file.
"""

from __future__ import annotations

import datetime as dt

import pytest

from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_bytes, check_text

from conftest import valid_text

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))
TITLE = "title: Checkout latency after a config push"


def check(text: str):
    return check_text("postmortems/2024/x.md", text, SETTINGS, NOW)


def sub(old: str, new: str, text: str | None = None) -> str:
    text = valid_text() if text is None else text
    assert old in text, old
    return text.replace(old, new, 1)


def shown(result) -> str:
    return "\n".join(f"{f.line} {f.level.value} {f.code} {f.message}" for f in result.findings)


def only(result, code: str):
    """The one finding with `code`."""
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, shown(result)
    return found[0]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(start))


# --- 1. an unquoted ` #` cuts a value short ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "part"),
    [
        (TITLE, "title: Checkout latency #2 after push", 3,
         "` #2 after push` starts a YAML comment, so `title` is `Checkout latency`; "
         "put the value in quotes if the `#` belongs to it"),
        ("summary: For 19 minutes,", "summary: For 19 minutes #incident,", 7,
         "so `summary` is `For 19 minutes`"),
        ("trigger: config push lowering max pool size", "trigger: config push #4521 lowering max pool size", 18,
         "` #4521 lowering max pool size` starts a YAML comment, so `trigger` is `config push`"),
        ("    description: The pool saturation metric had no alert.",
         "    description: The pool saturation metric #metrics had no alert.", 30,
         "so `contributing_factors[2].description` is `The pool saturation metric`"),
        ("  - title: Validate pool settings in the config pipeline",
         "  - title: Validate pool settings #3 in the config pipeline", 40,
         "so `action_items[2].title` is `Validate pool settings`"),
        ("  revenue: about EUR 12,000 in abandoned baskets", "  revenue: about EUR 12,000 #estimate", 25,
         "` #estimate` starts a YAML comment, so `impact.revenue` is `about EUR 12,000`"),
    ],
)
def test_a_comment_right_after_a_hash_that_cuts_a_value_is_a_warning(old, new, line, part):
    result = check(sub(old, new))
    finding = only(result, "frontmatter.comment")
    assert (finding.line, finding.is_error) == (line, False)
    assert part in finding.message, finding.message
    assert len(result.findings) == 1, shown(result)


def test_a_comment_that_empties_a_value_says_so():
    result = check(sub(TITLE, "title: #2 Checkout latency"))
    finding = only(result, "frontmatter.comment")
    assert finding.line == 3
    assert "` #2 Checkout latency` starts a YAML comment, so `title` is empty" in finding.message
    assert only(result, "frontmatter.empty").line == 3


def test_only_a_hash_right_before_a_word_is_reported():
    # Comments written as comments, a quoted `#` and a URL fragment are normal YAML.
    text = (
        sub(TITLE, 'title: "Checkout latency #2 after push"  # the second one')
        .replace("severity: SEV2", "severity: SEV2 ## worst of the quarter")
        .replace("ticket: https://tracker.example.com/SRE-1", "ticket: https://tracker.example.com/SRE-1#top")
        .replace("detection: alert", "detection: alert # paged at 09:19")
        .replace("teams: [checkout, sre]", "teams:\n  - checkout #payments\n  - sre")  # a slug: see below
        .replace("trigger: config push lowering max pool size", "trigger: config push lowering #pool size")
    )
    result = check(text)
    assert [(f.line, f.code) for f in result.findings] == [(line_of(text, "trigger:"), "frontmatter.comment")], shown(result)
    assert "` #pool size` starts a YAML comment, so `trigger` is `config push lowering`" in result.findings[0].message
    assert result.record.title == "Checkout latency #2 after push"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("severity: SEV2", "severity: SEV3 #was-SEV2"),
        ("status: published", "status: published #since-monday"),
        ("visibility: public", "visibility: public #approved"),
        ("id: PM-2024-001", "id: PM-2024-001 #renumbered"),
        ("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14T09:12:00Z #utc"),
        ("detection: alert", "detection: alert #pagerduty"),
        ("near_miss: false", "near_miss: false #sadly"),
        ("teams: [checkout, sre]", "teams:\n  - checkout #payments\n  - sre"),
        ("tags: [connection-pool, config]", "tags:\n  - connection-pool #hikari\n  - config"),
        ("authors: [Priya Raman]", "authors:\n  - Priya Raman #on-call"),
        ("  users_affected: 4200", "  users_affected: 4200 #approx"),
        ("  error_budget_consumed_pct: 35.5", "  error_budget_consumed_pct: 35.5 #of-q1"),
        ("  - category: config-change", "  - category: config-change #mostly"),
        ("    owner: sre\n", "    owner: sre #platform\n"),
        ("    due: 2024-04-30", "    due: 2024-04-30 #moved"),
        ("    status: done", "    status: done #verified"),
        ("    priority: P1", "    priority: P1 #was-P2"),
        ("    ticket: https://tracker.example.com/SRE-1", "    ticket: https://tracker.example.com/SRE-1 #old"),
        ("    factor: observability-detection", "    factor: observability-detection #main"),
        ("related: []", "related:\n  - PM-2023-017 #same-pool"),
    ],
)
def test_a_comment_after_a_value_that_is_not_free_text_is_not_reported(old, new):
    # An enumeration, an id, a slug, a name, a date, a number or a URL never holds a `#`: a
    # ` #word` after it is a YAML comment written as one, not a value cut short (and
    # `--strict` fails on warnings).
    result = check(sub(old, new))
    assert result.findings == (), shown(result)


# --- 2. YAML syntax errors say what to write ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "parts"),
    [
        (TITLE, "title: Checkout: latency", 3,
         ["mapping values are not allowed", 'a value that contains `: ` must be in quotes: `title: "Checkout: latency"`']),
        (TITLE, "title: [SEV2] Checkout latency", 3,
         ["a value that starts with `[` is read as a list", '`title: "[SEV2] Checkout latency"`']),
        (TITLE, "title: {SEV2} Checkout latency", 3,
         ["a value that starts with `{` is read as a mapping", '`title: "{SEV2} Checkout latency"`']),
        (TITLE, "title: @checkout latency", 3,
         ["found character that cannot start any token", 'YAML reserves `@` at the start of a value', '`title: "@checkout latency"`']),
        (TITLE, "title: %checkout latency", 3, ["YAML reserves `%`", '`title: "%checkout latency"`']),
        (TITLE, "title: `checkout` latency", 3, ["YAML reserves a backtick", '`` title: "`checkout` latency" ``']),
        (TITLE, "title: 'the team's push'", 3,
         ["a `'` inside a value in single quotes ends it", "`title: 'the team''s push'`", "`title: \"the team's push\"`"]),
        (TITLE, "title: *bold* move", 3, ["read as an alias", '`title: "*bold* move"`']),
        ("    owner: sre\n", "    owner: sre: platform\n", 33, ['`owner: "sre: platform"`']),
        ("  - title: Validate pool settings", "  - title: Validate: pool settings", 40,
         ['`- title: "Validate: pool settings in the config pipeline"`']),
    ],
)
def test_common_yaml_mistakes_are_explained(old, new, line, parts):
    result = check(sub(old, new))
    finding = only(result, "frontmatter.yaml")
    assert finding.line == line, finding.message
    assert finding.message.startswith("invalid YAML: ")
    for part in parts:
        assert part in finding.message, finding.message


def test_a_no_break_space_is_named_on_its_own_line_not_the_next():
    result = check(sub("severity: SEV2", "severity:\u00a0SEV2"))
    finding = only(result, "frontmatter.yaml")
    assert finding.line == 6, finding.message  # libyaml reports line 7
    assert "U+00A0 NO-BREAK SPACE at column 10" in finding.message
    assert "type a plain space" in finding.message


def test_a_list_entry_without_a_space_after_its_dash_is_pointed_at():
    text = sub("services: [checkout-api, payments-gateway]", "services:\n  - checkout-api\n  -payments-gateway")
    finding = only(check(text), "frontmatter.yaml")
    assert finding.line == 14, finding.message  # libyaml reports line 15
    assert "a list entry needs a space after its `-`: `  - payments-gateway`" in finding.message


def test_a_key_without_a_space_after_its_colon_is_pointed_at():
    finding = only(check(sub("severity: SEV2", "severity:SEV2")), "frontmatter.yaml")
    assert finding.line == 6, finding.message
    assert "put a space after the `:` of a key: `severity: SEV2`" in finding.message


@pytest.mark.parametrize(
    ("old", "new", "line", "hint"),
    [
        ("services: [checkout-api, payments-gateway]", "services: [catalog-db, inventory-service", 12,
         "the list opened with `[` on this line is never closed: add `]`, `services: [catalog-db, inventory-service]`"),
        ("services: [checkout-api, payments-gateway]", "services: [catalog-db, inventory-service  # both", 12,
         "never closed: add `]`, `services: [catalog-db, inventory-service]`"),
        ("teams: [checkout, sre]", "teams: {checkout: payments", 13,
         "the mapping opened with `{` on this line is never closed: add `}`, `teams: {checkout: payments}`"),
        ("related: []", "related: [PM-2023-017", 45,
         "the list opened with `[` on this line is never closed: add `]`, `related: [PM-2023-017]`"),
        ("services: [checkout-api, payments-gateway]", "services: [catalog-db,\n  inventory-service", 12,
         "the list opened with `[` on this line is never closed: add `]` after its last entry"),
        ("teams: [checkout, sre]", "teams:\n  - [checkout, sre\n  - payments", 14,
         "never closed: add `]`, `- [checkout, sre]`"),
        ("action_items:\n  - title: Add", "action_items: [{title: Add", 31,
         "the `[` and `{` opened on this line are never closed: add `}]` after its last entry"),
    ],
)
def test_a_list_or_mapping_never_closed_says_what_to_add(old, new, line, hint):
    # Quoting `[catalog-db, inventory-service` as text would only turn the error into
    # "`services` must be a list".
    finding = only(check(sub(old, new)), "frontmatter.yaml")
    assert finding.line == line, finding.message
    assert hint in finding.message, finding.message
    assert "in quotes" not in finding.message, finding.message


def test_a_text_value_starting_with_a_bracket_never_closed_is_quoted():
    finding = only(check(sub(TITLE, "title: [SEV2 Checkout latency")), "frontmatter.yaml")
    assert finding.line == 3
    assert (
        "the list opened with `[` on this line is never closed, and `title` is text: if the `[` is part of it, "
        'put the whole value in quotes, `title: "[SEV2 Checkout latency"`'
    ) in finding.message, finding.message


@pytest.mark.parametrize(
    ("old", "new", "closing", "shown_line", "fixed"),
    [
        # The next `'` is an apostrophe 38 lines down: libyaml fails there, in the mapping.
        (("    owner: Priya Raman", "    owner: Priya's team"), (TITLE, "title: 'Checkout latency after a config push"),
         "38 lines down (`owner: Priya's team`)", 3, "`title: 'Checkout latency after a config push'`"),
        (("  - title: Validate pool settings", '  - title: Validate "pool" settings'),
         (TITLE, 'title: "Checkout latency after a config push'),
         '37 lines down (`- title: Validate "pool" settings in the config pipeline`)', 3,
         '`title: "Checkout latency after a config push"`'),
        (("    owner: Priya Raman", "    owner: Priya's team"), ("    owner: sre\n", "    owner: 'sre\n"),
         "8 lines down (`owner: Priya's team`)", 33, "`owner: 'sre'`"),
    ],
)
def test_a_quote_never_closed_is_pointed_at_where_it_opens(old, new, closing, shown_line, fixed):
    text = sub(*new, sub(*old))
    finding = only(check(text), "frontmatter.yaml")
    assert finding.line == shown_line, finding.message
    quote = new[1].split(": ", 1)[1][0]
    opened = f"the `{quote}` that opens the value on this line is never closed, so YAML reads on to the next `{quote}`"
    assert f"{opened}, {closing}" in finding.message, finding.message
    assert f"close the value on this line: {fixed}" in finding.message, finding.message


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_quote_left_open_to_the_end_says_it_is_never_closed(quote):
    finding = only(check(sub(TITLE, f"title: {quote}Checkout latency after a config push")), "frontmatter.yaml")
    assert finding.line == 3, finding.message
    assert (
        f"the `{quote}` that opens this value is never closed: add `{quote}` at its end, "
        f"`title: {quote}Checkout latency after a config push{quote}`"
    ) in finding.message, finding.message
    assert "inside a value" not in finding.message, finding.message


def test_a_value_quoted_over_several_lines_on_purpose_is_not_taken_for_a_quote_left_open():
    text = sub("summary: For 19 minutes, 12% of checkouts timed out after a connection-pool setting was lowered.",
               "summary: 'For 19 minutes, 12% of checkouts timed out\n  after a connection-pool setting was lowered.'")
    assert check(text).findings == ()
    finding = only(check(sub("trigger: config push", "trigger: config: push", text)), "frontmatter.yaml")
    assert finding.line == line_of(text, "trigger:"), finding.message
    assert "never closed" not in finding.message, finding.message


def test_a_body_read_as_yaml_because_the_closing_line_is_missing():
    # The closing `---` is gone; a thematic break further down closes the front matter instead.
    text = sub("related: []\n---\n", "related: []\n", sub("### Where we got lucky", "---\n\n### Where we got lucky"))
    finding = only(check(text), "frontmatter.yaml")
    assert finding.line == line_of(text, "## Impact") == 47
    assert "the body, from this line (`## Impact`), is read as YAML" in finding.message
    assert "add a `---` line before this heading" in finding.message


def test_an_unclosed_front_matter_says_where_the_body_starts():
    text = sub("related: []\n---\n", "related: []\n")
    finding = only(check(text), "frontmatter.unclosed")
    assert finding.line == 1
    assert "add a `---` line after the last field, before line 47 (`## Impact`) where the body starts" in finding.message


# --- 3. a misspelled required key is one error, on its line ------------------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("services: [", "service: [", 12, "`service` is not a field; did you mean the required `services`?"),
        ("summary: For", "summry: For", 7, "`summry` is not a field; did you mean the required `summary`?"),
        ("reviewers: [", "reviewer: [", 15, "`reviewer` is not a field; did you mean the required `reviewers`?"),
        ("    owner: sre\n", "    onwer: sre\n", 33,
         "`onwer` is not a field of the `action_items[1]` mapping; did you mean the required `owner`?"),
        ("  - category: config-change", "  - categroy: config-change", 27,
         "`categroy` is not a field of the `contributing_factors[1]` mapping; did you mean the required `category`?"),
        ("    due: 2024-04-30", "    due_date: 2024-04-30", 34,
         "`due_date` is not a field of the `action_items[1]` mapping; did you mean the required `due`?"),
    ],
)
def test_a_misspelled_required_key_is_one_error_on_its_line(old, new, line, message):
    result = check(sub(old, new))
    assert [(f.line, f.level.value, f.code, f.message) for f in result.findings] == [
        (line, "error", "frontmatter.required", message)
    ], shown(result)


def test_a_key_like_an_optional_or_present_field_stays_a_warning():
    result = check(sub("teams: [", "team: [").replace("tags: [", "tags: [a]\ntag: ["))
    assert [(f.line, f.code) for f in result.findings] == [
        (13, "frontmatter.unknown-key"), (17, "frontmatter.unknown-key")
    ], shown(result)
    assert "did you mean `teams`?); declare it under `custom_fields`" in result.findings[0].message
    # `due_date` names `due` even when `due` is there (a warning then).
    result = check(sub("    due: 2024-04-30\n", "    due: 2024-04-30\n    due_date: 2024-04-30\n"))
    assert "unknown key `due_date` in the `action_items[1]` mapping (did you mean `due`?)" in only(
        result, "frontmatter.unknown-key"
    ).message


# --- 4. a list written as one value is shown as the list ------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "example"),
    [
        ("tags: [connection-pool, config]", "tags: connection-pool, config", "`tags: [connection-pool, config]`"),
        ("services: [checkout-api, payments-gateway]", "services: Checkout API, payments-gateway",
         "`services: [checkout-api, payments-gateway]`"),
        ("authors: [Priya Raman]", "authors: Priya Raman", "`authors: [Priya Raman]`"),
        ("related: []", "related: PM-2023-017, PM-2024-009", "`related: [PM-2023-017, PM-2024-009]`"),
    ],
)
def test_a_list_written_as_one_value_is_shown_with_the_authors_values(old, new, example):
    finding = only(check(sub(old, new)), "frontmatter.type")
    assert f"must be a list, not a string; write it like {example}" in finding.message, finding.message


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("services: [checkout-api, payments-gateway]",
         "services:\n  -catalog-db\n  -inventory-service\n  -data-pipeline\n  -order-service",
         "`services` must be a list, not a string; each list entry needs a space after its `-`: `  - catalog-db`"),
        ("authors: [Priya Raman]", "authors:\n  -Tomasz Wiśniewski\n  - Lucía Fernández",
         "`authors` must be a list, not a string; each list entry needs a space after its `-`: `  - Tomasz Wiśniewski`"),
    ],
)
def test_list_entries_without_a_space_after_their_dash_are_pointed_at(old, new, hint):
    # YAML reads the lines as one text folded over them (`-catalog-db -inventory-service ...`).
    finding = only(check(sub(old, new)), "frontmatter.type")
    assert finding.message == hint, finding.message


@pytest.mark.parametrize(
    ("old", "new", "example"),
    [
        # Over several lines: the entries of a block list folded into one text.
        ("tags: [connection-pool, config]", "tags: postgresql pg-upgrade\n  - logical-replication\n  - wal",
         "`tags: [database, failover]`"),
        ("services: [checkout-api, payments-gateway]", "services: catalog-db\n  inventory-service",
         "`services: [checkout-api]`"),
        # One line, but without commas: several values, not one.
        ("tags: [connection-pool, config]", "tags: postgresql pg-upgrade logical-replication",
         "`tags: [database, failover]`"),
        ("services: [checkout-api, payments-gateway]", "services: catalog-db inventory-service",
         "`services: [checkout-api]`"),
        ("authors: [Priya Raman]", "authors: Priya Raman - Tomasz Wiśniewski", "`authors: [Jane Doe]`"),
        ("authors: [Priya Raman]", "authors: -Priya Raman", "`authors: [Jane Doe]`"),
    ],
)
def test_a_list_value_that_is_not_one_line_of_entries_gets_the_generic_example(old, new, example):
    finding = only(check(sub(old, new)), "frontmatter.type")
    assert finding.message.endswith(f"must be a list, not a string; write it like {example}"), finding.message


def test_names_with_hyphens_are_one_entry_each():
    finding = only(check(sub("authors: [Priya Raman]", "authors: Jean-Luc Picard, Priya Raman")), "frontmatter.type")
    assert "write it like `authors: [Jean-Luc Picard, Priya Raman]`" in finding.message, finding.message


# --- 5. characters that look like ASCII are named ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code", "part"),
    [
        ("started_at: 2024-03-14T09:12:00Z", "started_at: 2024\u201103\u201114T09:12:00Z", "frontmatter.datetime",
         "it contains U+2011 NON-BREAKING HYPHEN at column 17: type a plain `-`"),
        ("[checkout-api, payments-gateway]", "[checkout-api, payments\u2011gateway]", "frontmatter.slug",
         "it contains U+2011 NON-BREAKING HYPHEN at column 34"),
        ("id: PM-2024-001", "id: PM-2024-001\u200b", "frontmatter.id",
         "it contains U+200B ZERO WIDTH SPACE at column 16: remove it"),
        ("status: published", "status: pub\u00adlished", "frontmatter.enum", "it contains U+00AD SOFT HYPHEN at column 12"),
        ("users_affected: 4200", "users_affected: 4\u202f200", "frontmatter.type",
         "it contains U+202F NARROW NO-BREAK SPACE at column 20: type a plain space"),
        ("due: 2024-04-30", "due: 2024\u221204-30", "frontmatter.date", "it contains U+2212 MINUS SIGN at column 14"),
    ],
)
def test_an_invisible_or_look_alike_character_is_named_where_it_is(old, new, code, part):
    finding = only(check(sub(old, new)), code)
    assert part in finding.message, finding.message


def test_a_look_alike_character_is_named_only_in_a_value_that_fails():
    text = sub(TITLE, "title: Checkout latency\u00a0after a config\u2011push").replace(
        "severity: SEV2", "severity: SEV\u20112"
    )
    result = check(text)
    assert [(f.line, f.code) for f in result.findings] == [(6, "frontmatter.enum")], shown(result)
    assert "it contains U+2011 NON-BREAKING HYPHEN at column 14" in result.findings[0].message


# --- 6. front-matter delimiters and encodings ----------------------------------------------


def test_a_blank_line_before_the_opening_line():
    result = check("\n" + valid_text())
    finding = only(result, "frontmatter.missing")
    assert finding.line == 1
    assert "the front matter's opening `---` is on line 2; it must be on line 1: remove the blank line above it" in finding.message


def test_a_front_matter_closed_with_dots():
    finding = only(check(sub("related: []\n---\n", "related: []\n...\n")), "frontmatter.unclosed")
    assert finding.line == 46
    assert "closed with `...` on line 46: use `---`" in finding.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_named_as_such(encoding):
    result = check_bytes("x.md", valid_text().encode(encoding), SETTINGS, NOW)
    finding = only(result, "file.encoding")
    assert "the file is saved as UTF-16; save it as UTF-8" in finding.message


# --- 7. YAML 1.1 booleans ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["on", "off", "yes", "no", "Yes", "OFF", "NO"])
@pytest.mark.parametrize(("old", "name", "line"), [("near_miss: false", "near_miss", 19),
                                                   ("  data_loss: false", "impact.data_loss", 23)])
def test_yaml_1_1_booleans_are_refused(value, old, name, line):
    new = old.replace("false", value)
    finding = only(check(sub(old, new)), "frontmatter.type")
    assert finding.line == line
    assert f"`{name}` must be `true` or `false`, not `{value}`" in finding.message
    assert "write `true` or `false`" in finding.message


def test_only_yaml_1_2_spellings_are_booleans():
    for value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        result = check(sub("near_miss: false", f"near_miss: {value}"))
        assert result.findings == (), shown(result)
        assert result.record.near_miss is (value.lower() == "true")
    assert only(check(sub("near_miss: false", "near_miss: On")), "frontmatter.type").line == 19


def test_a_duplicate_key_says_where_the_first_one_is_relative_to_it():
    """The YAML's own line numbers are one less than the file's: the message counts from the duplicate."""
    from postmortem_kb.core.validate import check_text
    from postmortem_kb.core.settings import Settings
    from conftest import valid_text

    text = valid_text()
    lines = text.splitlines()
    severity = next(i for i, line in enumerate(lines) if line.startswith("severity:"))
    lines.insert(severity + 2, lines[severity])
    found = [f for f in check_text("a.md", "\n".join(lines) + "\n", Settings()).findings if f.code == "frontmatter.yaml"]
    assert [(f.line, f.message) for f in found] == [
        (severity + 3, "duplicate key `severity` (first defined 2 lines above): keep one")
    ]
