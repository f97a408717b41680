"""Exports (issue 3): incidents.json, the CSV files, the JSON Schemas and the
Atom feed parse, match the corpus, respect the audience and are
byte-reproducible; postmortem.schema.json accepts every valid postmortem and
rejects invalid ones."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from postmortem_kb.core.knowledge_base import assemble, is_postmortem_path
from postmortem_kb.core.settings import Category, Settings, Severity
from postmortem_kb.core.source import decode, split
from postmortem_kb.core.validate import check_text
from postmortem_kb.core.yamlnodes import load
from postmortem_kb.exports import FILES, render_exports, write_exports
from postmortem_kb.exports.schema import front_matter_schema

from conftest import REPO, valid_text
from helpers_pm import text

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = Settings(reference_date=dt.date(2026, 11, 27))
SITE = "https://kb.example.com/"
ATOM = "{http://www.w3.org/2005/Atom}"


def kb_from(files: dict[str, str], settings: Settings = SETTINGS):
    results = [check_text(path, body, settings, NOW) for path, body in files.items()]
    for result in results:
        assert result.record is not None, [f.format() for f in result.findings]
    return assemble(results, settings)


CORPUS = {
    "postmortems/2025/b.md": text(id="PM-B", started="2025-01-01T04:30:00+05:00", categories=("dependency", "config-change"),
                                  services=("edge", "checkout-api"), severity="SEV1", visibility="public", related=["PM-A", "PM-C"],
                                  items=[{"title": "=SUM(A1) renamed", "owner": "sre", "due": "2025-02-01", "status": "done", "priority": "P1",
                                          "ticket": "https://tracker.example.com/SRE-9", "factor": "dependency"},
                                         {"title": "Add a canary stage", "owner": "Lucía", "due": "2025-03-01", "status": "open"}]),
    "postmortems/2024/a.md": text(id="PM-A", started="2024-12-31T23:00:00Z", visibility="internal", detect=None, mitigate=None,
                                  trigger="a config push, then a retry storm", tags=["pool", "2024"]),
    "postmortems/2024/c.md": text(id="PM-C", started="2024-12-31T22:00:00-05:00", visibility="public", severity="SEV3",
                                  categories=("security",), summary="+1 customers saw a wrong total; @ops paged."),
}


def exports(kb, site_url=SITE) -> dict[str, bytes]:
    return render_exports(kb, site_url)


# incidents.json -------------------------------------------------------------

def test_incidents_json_matches_the_corpus():
    kb = kb_from(CORPUS)
    data = json.loads(exports(kb)["incidents.json"])
    assert data["format"] == "postmortem-kb/incidents" and data["version"] == 1
    assert data["count"] == 3 == len(data["incidents"])
    # Oldest start (as an instant) first: A is 23:00Z, C is 03:00Z next day, B is 23:30Z on 2024-12-31.
    assert [i["id"] for i in data["incidents"]] == ["PM-A", "PM-B", "PM-C"]
    by_id = {i["id"]: i for i in data["incidents"]}
    for pm in kb.published:
        record = by_id[pm.id]
        assert record["title"] == pm.title and record["severity"] == pm.severity
        assert record["started_at"] == pm.started_at.isoformat()
        assert record["time_to_resolve_seconds"] == (pm.resolved_at - pm.started_at).total_seconds()
        assert record["categories"] == list(dict.fromkeys(f.category for f in pm.factors))
        assert [a["title"] for a in record["action_items"]] == [a.title for a in pm.action_items]
        assert record["url"] == SITE + pm.path[:-3] + "/"
        assert record["source"] == pm.path
    a, b, c = by_id["PM-A"], by_id["PM-B"], by_id["PM-C"]
    assert a["detected_at"] is None and a["time_to_detect_seconds"] is None
    assert b["time_to_detect_seconds"] == 7 * 60 and b["time_to_mitigate_seconds"] == 19 * 60
    assert b["severity_rank"] == 0 and c["severity_rank"] == 2
    # Periods by the date as written: C started on 31 December in New York.
    assert (c["year"], c["quarter"], c["month"]) == (2024, "2024-Q4", "2024-12")
    assert b["quarter"] == "2025-Q1"
    assert b["contributing_factors"][0] == {"category": "dependency", "category_title": "Dependency",
                                            "description": "The dependency factor of PM-B."}
    assert b["action_items"][0]["ticket"] == "https://tracker.example.com/SRE-9"
    assert b["related"] == ["PM-A", "PM-C"]
    assert a["impact"] == {"users_affected": None, "error_budget_consumed_pct": None, "data_loss": None,
                           "support_tickets": None, "revenue": None}


def test_incidents_json_validates_against_its_schema():
    files = exports(kb_from(CORPUS))
    schema = json.loads(files["incidents.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(json.loads(files["incidents.json"]))
    assert schema["$id"] == SITE + "incidents.schema.json"


def test_a_public_build_exports_only_public_postmortems():
    settings = Settings(reference_date=dt.date(2026, 11, 27), audience="public")
    kb = kb_from(CORPUS, settings)
    files = exports(kb)
    data = json.loads(files["incidents.json"])
    assert [i["id"] for i in data["incidents"]] == ["PM-B", "PM-C"]
    assert data["audience"] == "public"
    # PM-A is internal: its id does not leak through `related`, the CSVs or the feed.
    assert data["incidents"][0]["related"] == ["PM-C"]
    for name in ("incidents.csv", "action-items.csv", "feed.xml", "incidents.json"):
        assert b"PM-A" not in files[name], name


# CSV ------------------------------------------------------------------------

def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_files_match_the_json():
    files = exports(kb_from(CORPUS))
    incidents = json.loads(files["incidents.json"])["incidents"]
    table = rows(files["incidents.csv"])
    assert [r["id"] for r in table] == [i["id"] for i in incidents]
    b = table[1]
    assert b["services"] == "edge; checkout-api"
    assert b["categories"] == "dependency; config-change"
    assert b["near_miss"] == "false" and b["detected_at"] == incidents[1]["detected_at"]
    assert b["action_items"] == "2" and b["action_items_open"] == "1"
    assert table[0]["time_to_detect_seconds"] == ""  # unknown is empty
    assert table[0]["tags"] == "pool; 2024"
    # Formula-looking text cannot run in a spreadsheet.
    assert table[2]["summary"].startswith("'+1 customers")
    items = rows(files["action-items.csv"])
    assert len(items) == sum(len(i["action_items"]) for i in incidents)
    first = [r for r in items if r["postmortem_id"] == "PM-B"]
    assert [r["item"] for r in first] == ["1", "2"]
    assert first[0]["title"] == "'=SUM(A1) renamed" and first[0]["ticket"] == "https://tracker.example.com/SRE-9"
    assert first[1]["type"] == "" and first[1]["owner"] == "Lucía"
    assert files["incidents.csv"].startswith(b"id,title,")  # no byte-order mark


# The feed -------------------------------------------------------------------

def test_atom_feed():
    kb = kb_from(CORPUS)
    root = ET.fromstring(exports(kb)["feed.xml"])
    assert root.tag == ATOM + "feed"
    entries = root.findall(ATOM + "entry")
    assert len(entries) == 3
    # Newest resolution first; the feed is dated by it (data, not the build time).
    resolved = sorted(((pm.resolved_at, pm) for pm in kb.published), key=lambda x: x[0], reverse=True)
    assert [e.find(ATOM + "id").text for e in entries] == [SITE + pm.path[:-3] + "/" for _, pm in resolved]
    assert root.find(ATOM + "updated").text == resolved[0][0].isoformat()
    terms = {c.get("term") for c in entries[0].findall(ATOM + "category")}
    assert resolved[0][1].severity in terms
    assert root.find(ATOM + "link[@rel='self']").get("href") == SITE + "feed.xml"


def test_feed_without_site_url_and_empty_feed(monkeypatch):
    kb = kb_from(CORPUS)
    root = ET.fromstring(render_exports(kb, None)["feed.xml"])
    assert root.find(ATOM + "entry/" + ATOM + "id").text.startswith("urn:postmortem-kb:postmortem:")
    empty = assemble([], SETTINGS)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = ET.fromstring(render_exports(empty, SITE)["feed.xml"])
    assert root.findall(ATOM + "entry") == []
    assert root.find(ATOM + "updated").text.startswith("2023-11-14T22:13:20")
    data = json.loads(render_exports(empty, SITE)["incidents.json"])
    assert data["count"] == 0 and data["incidents"] == []


# Reproducibility ----------------------------------------------------------------

def test_exports_are_byte_reproducible(tmp_path):
    first = exports(kb_from(CORPUS))
    # Another day: overdue flags would change, so no export carries them.
    later = Settings(reference_date=dt.date(2030, 1, 1))
    again = exports(kb_from(dict(reversed(list(CORPUS.items()))), later))
    assert first == again
    written = write_exports(kb_from(CORPUS), tmp_path / "site", None, SITE)
    assert sorted(written) == sorted(FILES)
    assert all((tmp_path / "site" / name).read_bytes() == first[name] for name in FILES)


# postmortem.schema.json -----------------------------------------------------------

def fm_data(text_: str):
    """The front matter as an editor sees it (timestamps stay text)."""
    doc = split("x.md", decode(text_.encode("utf-8")))
    return load(doc.front_matter).plain()


def validator(settings: Settings = SETTINGS):
    schema = front_matter_schema(settings, SITE)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def sample_texts() -> list[tuple[str, str]]:
    paths = sorted((REPO / "postmortems").rglob("*.md"))
    return [
        (p.name, p.read_text(encoding="utf-8"))
        for p in paths
        if is_postmortem_path(p.relative_to(REPO).as_posix())
    ]


VALID = [
    ("fixture valid.md", valid_text()),
    ("helper default", text()),
    ("no detected/mitigated", text(detect=None, mitigate=None)),
    ("empty teams", text(teams=()).replace("teams: []\n", "teams:\n")),
    ("numeric tag", text(tags=[2024, "db"])),
    ("draft without reviewers", text(status="draft").replace("reviewers:\n- Amara Osei\n", "")),
    ("near miss and impact", text(near_miss=True, impact={"users_affected": 0, "error_budget_consumed_pct": 12.5, "data_loss": False})),
    ("optional enum left empty", text(items=[{"title": "Add a check", "owner": "sre", "due": "2024-04-30", "status": "open", "type": None}])),
    ("space-separated datetime", text().replace("started_at: '2024-03-14T09:12:00+00:00'", "started_at: 2024-03-14 09:12:00 +00:00")),
]


@pytest.mark.parametrize("name, body", VALID + sample_texts(), ids=[n for n, _ in VALID + sample_texts()])
def test_schema_accepts_every_valid_postmortem(name, body):
    result = check_text("postmortems/2024/x.md", body, SETTINGS, NOW)
    if result.record is None:
        pytest.skip(f"{name} is not valid for the validator either: {[f.format() for f in result.findings][:2]}")
    errors = [e.message for e in validator().iter_errors(fm_data(body))]
    assert errors == []


def sub(old: str, new: str, base: str | None = None) -> str:
    source = base or valid_text()
    assert old in source, old
    return source.replace(old, new, 1)


INVALID = [
    ("id missing", sub("id: PM-2024-001\n", "")),
    ("id with a space", sub("id: PM-2024-001", "id: PM 2024")),
    ("status unknown", sub("status: published", "status: done")),
    ("severity unknown", sub("severity: SEV2", "severity: SEV9")),
    ("visibility unknown", sub("visibility: public", "visibility: secret")),
    ("title too long", sub("title: Checkout latency after a config push", "title: " + "x" * 121)),
    ("summary empty", sub("summary: For 19 minutes, 12% of checkouts timed out after a connection-pool setting was lowered.", 'summary: ""')),
    ("datetime without offset", sub("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14T09:12:00")),
    ("date only", sub("started_at: 2024-03-14T09:12:00Z", "started_at: 2024-03-14")),
    ("services empty", sub("services: [checkout-api, payments-gateway]", "services: []")),
    ("service not a slug", sub("services: [checkout-api, payments-gateway]", "services: [Checkout API]")),
    ("unknown key", sub("tags: [connection-pool, config]", "tgas: [connection-pool, config]")),
    ("unknown category", sub("category: config-change", "category: config-changes")),
    ("factor without description", sub("    description: The pool saturation metric had no alert.\n", "")),
    ("action item without owner", sub("    owner: sre\n", "")),
    ("priority unknown", sub("priority: P1", "priority: P9")),
    ("due not a date", sub("due: 2024-04-30", "due: next week")),
    ("ticket not http", sub("ticket: https://tracker.example.com/SRE-1", "ticket: javascript:alert(1)")),
    ("impact pct out of range", sub("error_budget_consumed_pct: 35.5", "error_budget_consumed_pct: 135.5")),
    ("impact negative", sub("users_affected: 4200", "users_affected: -3")),
    ("near_miss not a boolean", sub("near_miss: false", "near_miss: maybe")),
    ("published without reviewers", sub("reviewers: [Amara Osei]\n", "")),
    ("contributing factors empty", sub("contributing_factors:\n  - category: config-change\n    description: The pool size was lowered from 50 to 5 by a shared config template.\n  - category: observability-detection\n    description: The pool saturation metric had no alert.\n", "contributing_factors: []\n")),
    ("related not an id", sub("related: []", "related: [not an id]")),
    ("detection unknown", sub("detection: alert", "detection: pager")),
]


@pytest.mark.parametrize("name, body", INVALID, ids=[n for n, _ in INVALID])
def test_schema_rejects_invalid_postmortems(name, body):
    # The validator rejects each too (an error, or a warning for unknown keys: strict builds fail).
    result = check_text("postmortems/2024/x.md", body, SETTINGS, NOW)
    assert result.findings, name
    assert list(validator().iter_errors(fm_data(body))), name


def test_schema_follows_the_configured_taxonomy_severities_and_custom_fields():
    settings = Settings(
        taxonomy=(Category("vendor", "Vendor", "A supplier."), Category("people", "People", "Staffing.")),
        severities=(Severity("P1", "Worst."), Severity("P2", "Less bad.")),
        custom_fields=("cost_centre",),
        reference_date=dt.date(2026, 11, 27),
    )
    schema = front_matter_schema(settings)
    assert "$id" not in schema  # no site_url: no made-up address
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["severity"]["enum"] == ["P1", "P2"]
    assert schema["$defs"]["factor"]["properties"]["category"]["enum"] == ["vendor", "people"]
    assert schema["$defs"]["factor"]["properties"]["category"]["enumDescriptions"][0].startswith("Vendor")
    body = text(severity="P1", categories=("vendor",), cost_centre="CC-12")
    assert check_text("postmortems/2024/x.md", body, settings, NOW).record is not None
    v = jsonschema.Draft202012Validator(schema)
    assert list(v.iter_errors(fm_data(body))) == []
    assert list(v.iter_errors(fm_data(text(categories=("config-change",)))))  # not in this taxonomy


def test_schema_is_written_with_the_site_url():
    files = exports(kb_from(CORPUS))
    schema = json.loads(files["postmortem.schema.json"])
    assert schema["$id"] == SITE + "postmortem.schema.json"
    assert set(schema["required"]) >= {"id", "title", "status", "severity", "summary", "started_at", "resolved_at",
                                       "services", "authors", "contributing_factors", "action_items"}


@pytest.mark.parametrize(
    "value",
    ["2024-03-14T09:12:00Z", "2024-03-14T09:12Z", "2024-03-14 09:12:00 +01:00", "2024-03-14T09:12:00.123+0100",
     "2024-03-14T9:12:00-05", "2024-03-14t09:12:00z", "2024-03-14T09:12:00 UTC", "2024-03-14T09:12:00",
     "2024-03-14", "2024-03-14T09:12:00+25:00", "14/03/2024 09:12Z", "2024-03-14T09:12:00+01:60"],
)
def test_datetime_pattern_agrees_with_the_validator(value):
    import re

    from postmortem_kb.core.frontmatter import parse_datetime
    from postmortem_kb.exports.schema import DATETIME_PATTERN

    parsed, _ = parse_datetime(value)
    # The pattern cannot know calendars (2024-02-30); these examples are all real dates.
    assert (re.match(DATETIME_PATTERN, value) is not None) == (parsed is not None), value
