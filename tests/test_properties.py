"""Property-based tests: whatever the front matter and body, validation never
raises, and every problem comes back as a Finding with a line and a message."""

from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import valid_text

from postmortem_kb.core.findings import Finding
from postmortem_kb.core.schema import FIELDS
from postmortem_kb.core.settings import Settings
from postmortem_kb.core.validate import check_bytes, check_text, identify_bytes

SETTINGS = Settings()
PROFILE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# UTC offsets, the impossible ones too (`+24:00`, `-05:99`), and datetimes up to the
# calendar's ends, where converting to UTC leaves it (`0001-01-01T00:10:00+05:00`).
OFFSETS = st.sampled_from(["Z", "", "+00:00"]) | st.builds(
    lambda sign, h, m, colon: f"{sign}{h:02d}{':' if colon else ''}{m:02d}",
    st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99), st.booleans(),
)
STAMPS = st.builds(lambda d, offset: d.isoformat() + offset, st.datetimes(), OFFSETS)
KEYS = st.sampled_from(sorted(FIELDS)) | st.text(string.ascii_letters + "_-", min_size=1, max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)  # past what a float holds
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.dates().map(str)
    | st.datetimes().map(lambda d: d.isoformat())
    | STAMPS
    | st.sampled_from(["SEV1", "published", "draft", "public", "restricted", "2024-03-14T09:12:00Z", "yes", "~", "1.10", "0x1F"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
MAPPINGS = st.dictionaries(KEYS, VALUES, max_size=14)

BODY_LINES = st.sampled_from([
    "## Impact", "## Timeline", "## Contributing Factors", "## Lessons Learned", "### What went well",
    "- 09:12 [observation] x", "- 25:99 y", "- 2024-03-14 09:00 [decision] z", "| 09:05 | a |", "|---|---|",
    "```", "~~~", "", "text <script>", "- [kind] no time", "- 09:1", "#", "## ", "\t- 10:00",
]) | st.text(max_size=30) | st.builds(
    lambda d, offset, kind, dated: f"- {d.date().isoformat() + ' ' if dated else ''}{d:%H:%M}{offset} [{kind}] x",
    st.datetimes(), OFFSETS, st.sampled_from(["action", "observation", "nope"]), st.booleans(),
)
BODIES = st.lists(BODY_LINES, max_size=30).map("\n".join)


def assert_findings(result) -> None:
    for finding in result.findings:
        assert isinstance(finding, Finding)
        assert isinstance(finding.line, int) and finding.line >= 0
        assert finding.message and finding.message.strip()
        assert finding.code
    if result.record is None:
        assert any(f.is_error for f in result.findings)


@PROFILE
@given(MAPPINGS, BODIES)
def test_generated_front_matter_and_body(mapping, body):
    front = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False) if mapping else ""
    text = f"---\n{front}---\n{body}\n"
    assert_findings(check_text("p.md", text, SETTINGS))


@PROFILE
@given(st.text(max_size=400), BODIES)
def test_random_text_front_matter(front, body):
    assert_findings(check_text("p.md", f"---\n{front}\n---\n{body}", SETTINGS))


@PROFILE
@given(st.binary(max_size=600))
def test_random_bytes(data):
    assert_findings(check_bytes("p.md", data, SETTINGS))


@PROFILE
@given(st.data())
def test_mutated_valid_postmortem(data):
    """One field of a valid postmortem replaced with an arbitrary value."""
    lines = valid_text().split("\n")
    index = data.draw(st.integers(min_value=1, max_value=len(lines) - 1))
    value = data.draw(VALUES)
    line = lines[index]
    if ":" in line and not line.lstrip().startswith("-"):
        key = line.split(":", 1)[0]
        lines[index] = f"{key}: {yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
    else:
        lines[index] = data.draw(BODY_LINES)
    assert_findings(check_text("p.md", "\n".join(lines), SETTINGS))


IDS = st.sampled_from(["PM-2024-002", "PM-2024-001", "pm.9_x", "-bad", "PM 1", "", "~"]) | st.text(max_size=12)


@PROFILE
@given(st.data())
def test_identify_agrees_with_validation(data):
    """`postmortem check FILE` reads the other files with `identify_bytes`: whatever the
    front matter, it gives the id, its line and the related ids a full validation gives."""
    lines = valid_text().split("\n")

    def flow(value) -> str:
        return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()

    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        change = data.draw(st.sampled_from(["id", "related", "related", "other", "duplicate"]))
        if change in ("id", "related"):
            value = data.draw(st.lists(IDS, max_size=4) | VALUES if change == "related" else IDS | VALUES)
            index = next((i for i, line in enumerate(lines) if line.startswith(f"{change}:")), None)
            if index is None:  # replaced by an earlier change: back at the top
                lines.insert(1, f"{change}: {flow(value)}")
            else:
                lines[index] = f"{change}: {flow(value)}"
        elif change == "other":
            index = data.draw(st.integers(min_value=1, max_value=len(lines) - 1))
            line = lines[index]
            if ":" in line and not line.lstrip().startswith("-") and not line.startswith(("id:", "related:")):
                lines[index] = f"{line.split(':', 1)[0]}: {flow(data.draw(VALUES))}"
            else:
                lines[index] = data.draw(BODY_LINES)
        else:  # a second `id` or `related` key, anywhere
            index = data.draw(st.integers(min_value=1, max_value=len(lines) - 1))
            lines.insert(index, f"{data.draw(st.sampled_from(['id', 'related']))}: {flow(data.draw(IDS))}")
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    full = check_bytes("p.md", raw, SETTINGS, record=False)
    quick = identify_bytes("p.md", raw, SETTINGS)
    assert (quick.id, quick.id_line, quick.related) == (full.id, full.id_line, full.related)
    assert quick.findings == ()
    event(f"id {full.id is not None}, related {bool(full.related)}")
