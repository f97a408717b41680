"""SVG charts (issue 3): well-formed XML, accessible, the expected bars, and
sensible output for zero, one and very many data points."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from postmortem_kb.charts import RangeGroup, RangeRow, Series, duration_ranges, heatmap, small_multiple, sparkline, stacked_bars
from postmortem_kb.charts.svg import fmt, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script> & "quotes" \u0007'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby"), root.get("aria-describedby")
    assert root.find(f"svg:title[@id='{title_id}']", NS) is not None
    assert root.find(f"svg:desc[@id='{desc_id}']", NS) is not None
    assert "fill=" not in svg.split(">", 1)[0]  # colours come from classes, not fixed fills
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "pmkb-bar" in (r.get("class") or "").split()]


def test_stacked_bars_hold_one_rect_per_non_zero_segment():
    series = [Series("a", "A", "pmkb-s0"), Series("b", "B", "pmkb-s1")]
    svg = stacked_bars("t", "Incidents", "desc", ["2024-Q1", "2024-Q2", "2024-Q3"], series, [[1, 0, 2], [3, 0, 0]])
    root = parse(svg)
    got = sorted((r.get("data-period"), r.get("data-series"), int(r.get("data-value"))) for r in bars(root))
    assert got == [("2024-Q1", "a", 1), ("2024-Q1", "b", 3), ("2024-Q3", "a", 2)]
    # Heights are proportional to the values, on one scale.
    heights = {(r.get("data-period"), r.get("data-series")): float(r.get("height")) for r in bars(root)}
    assert heights[("2024-Q1", "b")] == pytest.approx(3 * heights[("2024-Q1", "a")])
    assert heights[("2024-Q3", "a")] == pytest.approx(2 * heights[("2024-Q1", "a")])
    # The stack: b sits on top of a.
    ys = {(r.get("data-period"), r.get("data-series")): float(r.get("y")) for r in bars(root)}
    assert ys[("2024-Q1", "b")] < ys[("2024-Q1", "a")]
    # Every bar has a tooltip with its value.
    assert all(r.find("svg:title", NS).text.endswith("incidents") for r in bars(root))


def test_zero_one_and_empty():
    series = [Series("a", "A", "pmkb-s0")]
    empty = parse(stacked_bars("e", "T", "d", [], series, [[]]))
    assert not bars(empty) and "No incidents" in ET.tostring(empty, encoding="unicode")
    zeros = parse(stacked_bars("z", "T", "d", ["2024-Q1", "2024-Q2"], series, [[0, 0]]))
    assert not bars(zeros) and "No incidents" in ET.tostring(zeros, encoding="unicode")
    one = parse(stacked_bars("o", "T", "d", ["2024"], series, [[4]]))
    (bar,) = bars(one)
    assert float(bar.get("width")) <= 46  # one bar stays a bar, not a slab
    assert 0 < float(bar.get("x")) < 720 - float(bar.get("width"))


def test_decades_of_bars_keep_labels_apart():
    labels = [str(year) for year in range(1960, 2027)]  # 67 years
    series = [Series("a", "A", "pmkb-s0")]
    root = parse(stacked_bars("d", "T", "d", labels, series, [[1] * len(labels)]))
    assert len(bars(root)) == len(labels)
    shown = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if (t.text or "") in labels]
    xs = sorted(float(t.get("x")) for t in shown)
    assert labels[-1] in {t.text for t in shown}  # the latest period is always labelled
    assert all(b - a >= 40 for a, b in zip(xs, xs[1:]))  # no overlapping labels


def test_partial_last_period_is_marked():
    svg = stacked_bars("p", "T", "d", ["2026-Q3", "2026-Q4"], [Series("a", "A", "pmkb-s0")], [[1, 1]], partial_last=True)
    root = parse(svg)
    last = [r for r in bars(root) if r.get("data-period") == "2026-Q4"][0]
    assert "pmkb-bar--partial" in last.get("class")
    assert "2026-Q4*" in svg


def test_small_multiples_share_a_scale():
    a = parse(small_multiple("m1", "A", "d", ["q1", "q2"], [1, 4], 4, "pmkb-s0"))
    b = parse(small_multiple("m2", "B", "d", ["q1", "q2"], [2, 0], 4, "pmkb-s1"))
    ha = {r.get("data-period"): float(r.get("height")) for r in bars(a)}
    hb = {r.get("data-period"): float(r.get("height")) for r in bars(b)}
    assert hb["q1"] == pytest.approx(2 * ha["q1"]) and ha["q2"] == pytest.approx(4 * ha["q1"])
    assert "q2" not in hb
    parse(small_multiple("m3", "C", "d", [], [], 0, "pmkb-s2"))


def test_sparkline_for_zero_one_and_many_points():
    for values in ([], [3], [0, 1, 0, 2]):
        root = parse(sparkline("s", "Trend", ", ".join(map(str, values)), values))
        dots = list(root.iter("{http://www.w3.org/2000/svg}circle"))
        assert len(dots) == (1 if values else 0)
        lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
        assert len(lines) == (1 if len(values) > 1 else 0)
        if len(values) > 1:
            assert len(lines[0].get("points").split()) == len(values)


def test_heatmap_cells():
    root = parse(heatmap("h", "T", "d", ["Config", "Code"], ["svc-a", "svc-b"], [[3, 0], [1, 2]]))
    cells = {(r.get("data-row"), r.get("data-col")): int(r.get("data-value")) for r in root.iter("{http://www.w3.org/2000/svg}rect") if "pmkb-heat" in (r.get("class") or "")}
    assert cells == {("Config", "svc-a"): 3, ("Config", "svc-b"): 0, ("Code", "svc-a"): 1, ("Code", "svc-b"): 2}
    levels = {(r.get("data-row"), r.get("data-col")): r.get("class") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert "pmkb-heat--0" in levels[("Config", "svc-b")] and "pmkb-heat--5" in levels[("Config", "svc-a")]
    parse(heatmap("h2", "T", "d", [], [], []))


def test_duration_ranges_median_and_p90():
    groups = [
        RangeGroup("SEV1", 3, (RangeRow("Time to resolve", "pmkb-m2", 3, 600, 7200),)),
        RangeGroup("SEV2", 0, (RangeRow("Time to resolve", "pmkb-m2", 0, None, None),)),
    ]
    root = parse(duration_ranges("r", "T", "d", groups))
    ranges = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "pmkb-range" in (r.get("class") or "")]
    assert [(r.get("data-group"), r.get("data-median"), r.get("data-p90")) for r in ranges] == [("SEV1", "600", "7200")]
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 1
    none = parse(duration_ranges("n", "T", "d", groups[1:]))
    assert "No durations" in ET.tostring(none, encoding="unicode")
    zero = parse(duration_ranges("z", "T", "d", [RangeGroup("A", 1, (RangeRow("x", "pmkb-m0", 1, 0, 0),))]))
    assert zero is not None


def test_hostile_text_is_escaped_everywhere():
    series = [Series(HOSTILE, HOSTILE, "pmkb-s0")]
    outputs = [
        stacked_bars(HOSTILE, HOSTILE, HOSTILE, [HOSTILE], series, [[1]]),
        small_multiple(HOSTILE, HOSTILE, HOSTILE, [HOSTILE], [1], 1, "pmkb-s0"),
        sparkline(HOSTILE, HOSTILE, HOSTILE, [1, 2]),
        heatmap(HOSTILE, HOSTILE, HOSTILE, [HOSTILE], [HOSTILE], [[1]]),
        duration_ranges(HOSTILE, HOSTILE, HOSTILE, [RangeGroup(HOSTILE, 1, (RangeRow(HOSTILE, "pmkb-m0", 1, 60, 120),))]),
    ]
    for svg in outputs:
        root = parse(svg)
        assert "<script" not in svg
        assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
        assert 'id="pmkb-script-alert' in svg  # ids are reduced to safe characters


def test_helpers():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(1) == [0, 1]
    assert nice_ticks(230)[-1] >= 230
    assert fmt(1.005) in ("1", "1.01") and fmt(-0.001) == "0" and fmt(12.0) == "12"


# Labels: a long name is shortened, never the count; the full text stays a tooltip ---

def _labels(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter("{http://www.w3.org/2000/svg}text") if "pmkb-svg-label" in (t.get("class") or "").split()]


def _row(label: str, count: int) -> RangeGroup:
    return RangeGroup(label, count, (RangeRow("Time to resolve", "pmkb-m2", count, 600, 7200),))


def test_duration_labels_keep_their_count_and_get_the_room_they_need():
    from postmortem_kb.charts.svg import text_width

    names = ["Infrastructure and network", "Coordination and communication", "Security"]
    root = parse(duration_ranges("r", "T", "d", [_row(n, 7) for n in names]))
    shown = [t.text for t in _labels(root) if (t.text or "").endswith(")")]
    assert shown == [f"{n} (7)" for n in names]  # the taxonomy's longest titles fit whole
    # The plot starts right of the longest label, which starts inside the chart.
    ranges = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "pmkb-range" in (r.get("class") or "")]
    label_end = max(float(t.get("x")) for t in _labels(root) if (t.text or "").endswith(")"))
    assert label_end - text_width("Coordination and communication (7)") > 0
    assert all(float(r.get("x")) > label_end for r in ranges)


def test_a_duration_label_too_long_for_the_chart_is_cut_before_its_count():
    name = "A category with a very long title that no chart could show in full"
    root = parse(duration_ranges("r", "T", "d", [_row(name, 12)]))
    (label,) = [t for t in _labels(root) if (t.text or "").endswith("(12)")]
    assert label.text.endswith("… (12)") and len(label.text) < len(name)
    assert label.find("svg:title", NS).text == f"{name} (12)"  # the full label on hover


def test_heatmap_row_labels_fit_whole_or_keep_a_tooltip():
    rows = ["Coordination and communication", "Observability and detection", "x" * 80]
    root = parse(heatmap("h", "T", "d", rows, ["svc"], [[1], [2], [3]]))
    shown = {t.text: t for t in _labels(root)}
    assert "Coordination and communication" in shown and "Observability and detection" in shown
    assert shown["Coordination and communication"].find("svg:title", NS) is None  # whole: no tooltip needed
    (cut,) = [t for text, t in shown.items() if text and text.startswith("xxx")]
    assert cut.text.endswith("…") and cut.find("svg:title", NS).text == "x" * 80
    # The cells start right of the labels' column.
    cells = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "pmkb-heat" in (r.get("class") or "")]
    assert min(float(c.get("x")) for c in cells) > max(float(shown[r].get("x")) for r in rows[:2])


def test_with_count_shortens_the_name_only():
    from postmortem_kb.charts.svg import with_count

    assert with_count("Security", 1, 30) == "Security (1)"
    assert with_count("Coordination and communication", 6, 24) == "Coordination and co… (6)"
    assert len(with_count("Coordination and communication", 6, 24)) == 24
    assert with_count("Coordination", 1234, 5).endswith(" (1234)")  # the count survives any limit
