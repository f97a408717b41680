"""The pure statistics of issue 3, checked against values computed here,
independently (statistics module, hand counts), on small fixture corpora."""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest

from postmortem_kb.core.settings import DEFAULT_TAXONOMY, Category
from postmortem_kb.stats import actions
from postmortem_kb.stats.counts import factor_mix, group_by, per_period, per_period_by_key, share, top_values
from postmortem_kb.stats.durations import duration_rows, overall
from postmortem_kb.stats.periods import Period, chart_kind, comparison, period_of, span
from postmortem_kb.stats.quantiles import median, percentile, quantile, summarise
from postmortem_kb.stats.trends import MIN_CHANGE, SPARK_PERIODS, category_stats, direction, phrase, rising_most

from helpers_pm import item, record

REF = dt.date(2026, 11, 27)


# Quantiles -----------------------------------------------------------------

@pytest.mark.parametrize(
    "values",
    [[5.0], [1.0, 2.0], [10.0, 20.0, 30.0, 40.0], [3.0, 1.0, 2.0], [7.0] * 5, [1.0, 100.0, 1000.0, 5.0, 50.0, 2.0]],
)
def test_median_matches_statistics(values):
    assert median(values) == pytest.approx(statistics.median(values))


@pytest.mark.parametrize("n", [2, 3, 4, 9, 10, 11, 57])
def test_p90_is_linear_interpolation_like_statistics_inclusive(n):
    rng = random.Random(n)
    values = [rng.expovariate(1 / 3600) for _ in range(n)]
    expected = statistics.quantiles(values, n=10, method="inclusive")[8]
    assert percentile(values, 90) == pytest.approx(expected)


def test_quantiles_by_hand():
    # h = (n - 1) * q: for 10, 20, 30, 40 and q = 0.9, h = 2.7 -> 30 + 0.7 * 10.
    assert percentile([40, 10, 30, 20], 90) == pytest.approx(37)
    assert median([40, 10, 30, 20]) == 25
    assert quantile([1.0], 0.9) == 1.0
    assert percentile([], 90) is None and median([]) is None
    with pytest.raises(ValueError):
        quantile([], 0.5)


def test_summarise_durations():
    minutes = [dt.timedelta(minutes=m) for m in (5, 1, 120, 30)]
    s = summarise(minutes)
    assert s.count == 4
    assert s.median == dt.timedelta(minutes=17.5)
    assert s.p90_seconds == pytest.approx(statistics.quantiles([300, 60, 7200, 1800], n=10, method="inclusive")[8])
    assert summarise([]).median is None and summarise([]).count == 0


# Periods -------------------------------------------------------------------

@pytest.mark.parametrize(
    "day, kind, label",
    [
        (dt.date(2024, 1, 1), "quarter", "2024-Q1"),
        (dt.date(2024, 3, 31), "quarter", "2024-Q1"),
        (dt.date(2024, 4, 1), "quarter", "2024-Q2"),
        (dt.date(2024, 12, 31), "quarter", "2024-Q4"),
        (dt.date(2024, 12, 31), "month", "2024-12"),
        (dt.date(2025, 1, 1), "month", "2025-01"),
        (dt.date(1999, 7, 4), "year", "1999"),
    ],
)
def test_period_of(day, kind, label):
    assert period_of(day, kind).label == label


def test_period_uses_the_date_as_written_not_utc():
    # 23:30 on New Year's Eve in New York is already 2025 in UTC; like the year pages, the
    # trends count it in the period of the date the authors wrote.
    start = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert period_of(start, "quarter").label == "2024-Q4"
    assert record(started=start.isoformat()).year == 2024


def test_period_arithmetic_and_span_across_years():
    q4 = period_of(dt.date(2024, 11, 2), "quarter")
    assert q4.next().label == "2025-Q1" and q4.prev(4).label == "2023-Q4"
    assert q4.start == dt.date(2024, 10, 1) and q4.end == dt.date(2025, 1, 1)
    assert [p.label for p in span(q4.prev(), q4.next(2))] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert span(q4, q4.prev()) == []
    dec = period_of(dt.date(2024, 12, 5), "month")
    assert dec.next().label == "2025-01" and dec.coarsen("quarter") == q4
    assert Period("year", 2024).start == dt.date(2024, 1, 1)


def test_chart_kind_coarsens_long_ranges():
    assert chart_kind("quarter", dt.date(2020, 1, 1), dt.date(2026, 11, 1)) == "quarter"  # 28 quarters
    assert chart_kind("quarter", dt.date(1990, 1, 1), dt.date(2026, 11, 1)) == "year"  # 148 quarters
    assert chart_kind("month", dt.date(2024, 1, 1), dt.date(2026, 11, 1)) == "month"  # 35 months
    assert chart_kind("month", dt.date(2018, 1, 1), dt.date(2026, 11, 1)) == "quarter"  # 107 months, 36 quarters
    assert chart_kind("month", dt.date(1950, 1, 1), dt.date(2026, 11, 1)) == "year"  # even years exceed: years


def test_comparison_is_the_latest_complete_period_and_the_one_before():
    current, previous = comparison(REF, "quarter")
    assert (current.label, previous.label) == ("2026-Q3", "2026-Q2")
    current, previous = comparison(dt.date(2025, 1, 3), "quarter")
    assert (current.label, previous.label) == ("2024-Q4", "2024-Q3")
    current, previous = comparison(dt.date(2025, 1, 3), "month")
    assert (current.label, previous.label) == ("2024-12", "2024-11")


# Counts and trends ---------------------------------------------------------

CORPUS = [  # newest first, as KnowledgeBase.published
    record("PM-6", "2026-09-30T23:00", categories=("config-change", "dependency"), services=("a", "b")),
    record("PM-5", "2026-08-01T10:00", categories=("config-change",), services=("a",)),
    record("PM-4", "2026-06-15T10:00", categories=("dependency", "dependency"), services=("b",)),
    record("PM-3", "2026-04-01T00:10", categories=("capacity-load",), services=("c",)),
    record("PM-2", "2025-12-31T23:30-05:00", categories=("capacity-load", "config-change"), services=("a",)),
    record("PM-1", "2001-02-03T04:05", categories=("security",), services=("a",)),
]


def hand_count(slug):
    return sum(1 for pm in CORPUS if any(f.category == slug for f in pm.factors))


def test_category_stats_against_a_hand_count():
    stats = category_stats(CORPUS, DEFAULT_TAXONOMY, REF, "quarter")
    assert [s.category.slug for s in stats] == [c.slug for c in DEFAULT_TAXONOMY]  # zero categories included
    by_slug = {s.category.slug: s for s in stats}
    for category in DEFAULT_TAXONOMY:
        s = by_slug[category.slug]
        assert s.count == hand_count(category.slug)
        assert s.share == pytest.approx(hand_count(category.slug) / len(CORPUS))
    assert by_slug["dependency"].count == 2  # PM-4's two dependency factors count once
    assert by_slug["code-change"].count == 0 and by_slug["code-change"].last is None
    assert by_slug["config-change"].last.id == "PM-6"
    assert by_slug["security"].last.id == "PM-1"


def test_trend_directions():
    # Latest complete quarter on 2026-11-27: 2026-Q3 (PM-5, PM-6) against 2026-Q2 (PM-3, PM-4).
    by_slug = {s.category.slug: s for s in category_stats(CORPUS, DEFAULT_TAXONOMY, REF, "quarter")}
    expected = {
        "config-change": (2, 0, "rising"),
        "dependency": (1, 1, "steady"),
        "capacity-load": (0, 1, "slight"),  # one fewer: no trend
        "security": (0, 0, "none"),
        "code-change": (0, 0, "none"),
    }
    for slug, (current, previous, word) in expected.items():
        trend = by_slug[slug].trend
        assert (trend.current, trend.previous, trend.direction) == (current, previous, word), slug
        assert (trend.current_period.label, trend.previous_period.label) == ("2026-Q3", "2026-Q2")
    spark = by_slug["config-change"]
    assert len(spark.spark) == SPARK_PERIODS and spark.spark_periods[-1].label == "2026-Q3"
    assert spark.spark[-2:] == (0, 2)
    # PM-2 started on 31 December in its own offset: 2025-Q4 (four quarters before the last).
    assert spark.spark[-4] == 1
    assert [s.category.slug for s in rising_most(list(by_slug.values()))] == ["config-change"]


@pytest.mark.parametrize("current, previous, word", [(3, 1, "rising"), (0, 2, "falling"), (2, 2, "steady"), (0, 0, "none")])
def test_direction_table(current, previous, word):
    assert direction(current, previous) == word


@pytest.mark.parametrize(
    "current, previous, word, words",
    [
        (1, 0, "slight", "1 more"),
        (0, 1, "slight", "1 fewer"),
        (5, 4, "slight", "1 more"),
        (2, 0, "rising", "rising"),
        (0, 2, "falling", "falling"),
        (3, 3, "steady", "steady"),
        (0, 0, "none", "none in either quarter"),
    ],
)
def test_a_change_of_one_incident_is_no_trend(current, previous, word, words):
    assert MIN_CHANGE == 2
    assert direction(current, previous) == word
    assert phrase(current, previous, "quarter") == words


def test_rising_most_leaves_out_a_rise_from_zero_to_one():
    corpus = [record("A", "2026-08-01T10:00", categories=("security",))]  # 0 in 2026-Q2, 1 in 2026-Q3
    stats = category_stats(corpus, DEFAULT_TAXONOMY, REF, "quarter")
    security = next(s for s in stats if s.category.slug == "security")
    assert (security.trend.previous, security.trend.current, security.trend.direction) == (0, 1, "slight")
    assert security.trend.phrase == "1 more"
    assert rising_most(stats) == []


def test_single_incident_and_empty_corpus():
    one = [record("PM-1", "2026-08-01T10:00", categories=("code-change",))]
    stats = category_stats(one, DEFAULT_TAXONOMY, REF, "quarter")
    assert sum(s.count for s in stats) == 1
    assert {s.category.slug: s.share for s in stats}["code-change"] == 1.0
    empty = category_stats([], DEFAULT_TAXONOMY, REF, "quarter")
    assert all(s.count == 0 and s.share == 0 and s.trend.direction == "none" for s in empty)


def test_rising_most_orders_by_increase_then_count_then_taxonomy():
    corpus = [
        record("A", "2026-08-01T10:00", categories=("security", "dependency")),
        record("B", "2026-08-02T10:00", categories=("security", "dependency")),
        record("C", "2026-08-03T10:00", categories=("dependency", "code-change")),
        record("D", "2026-05-03T10:00", categories=("dependency",)),
    ]
    stats = category_stats(corpus, DEFAULT_TAXONOMY, REF, "quarter")
    # security +2 (2 vs 0), dependency +2 (3 vs 1): dependency has more now; code-change +1 is no rise.
    assert [s.category.slug for s in rising_most(stats, 3)] == ["dependency", "security"]


def test_per_period_and_factor_mix():
    periods = span(period_of(dt.date(2025, 10, 1), "quarter"), period_of(dt.date(2026, 9, 1), "quarter"))
    assert per_period(CORPUS, periods) == [1, 0, 2, 2]  # PM-1 (2001) is outside
    by_service = per_period_by_key(CORPUS, periods, lambda pm: pm.services)
    assert by_service["a"] == [1, 0, 0, 2] and by_service["b"] == [0, 0, 1, 1]
    mix = factor_mix(CORPUS[:2], DEFAULT_TAXONOMY)
    assert [(m.category.slug, m.count) for m in mix] == [("config-change", 2), ("dependency", 1)]
    assert mix[1].share == 0.5
    assert top_values(CORPUS, lambda pm: pm.services) == [("a", 4), ("b", 2), ("c", 1)]
    assert group_by(CORPUS, lambda pm: pm.services)["b"] == [CORPUS[0], CORPUS[2]]
    assert share(1, 0) == 0.0


# Durations -----------------------------------------------------------------

def test_duration_rows_against_statistics():
    corpus = [
        record("A", severity="SEV1", detect=2, mitigate=10, resolve=60, categories=("dependency",)),
        record("B", severity="SEV1", detect=None, mitigate=30, resolve=600, categories=("dependency", "security")),
        record("C", severity="SEV1", detect=20, mitigate=None, resolve=90, categories=("security",)),
        record("D", severity="SEV2", detect=5, mitigate=5, resolve=5),
    ]
    rows = duration_rows(corpus, [("SEV1", "SEV1"), ("SEV2", "SEV2"), ("SEV3", "SEV3")], lambda pm: (pm.severity,))
    sev1 = rows[0]
    assert sev1.incidents == 3
    assert sev1.metrics["detect"].count == 2  # B has no detected_at
    assert sev1.metrics["detect"].median == dt.timedelta(minutes=statistics.median([2, 20]))
    resolve = sev1.metrics["resolve"]
    assert resolve.median == dt.timedelta(minutes=90)
    assert resolve.p90_seconds == pytest.approx(statistics.quantiles([3600, 36000, 5400], n=10, method="inclusive")[8])
    assert rows[2].incidents == 0 and rows[2].metrics["resolve"].median is None  # an empty group still has a row
    by_cat = {r.key: r for r in duration_rows(corpus, [("dependency", "D"), ("security", "S")], lambda pm: pm.categories)}
    assert by_cat["dependency"].metrics["resolve"].median == dt.timedelta(minutes=(60 + 600) / 2)
    assert overall(corpus).metrics["mitigate"].count == 3


# Action items --------------------------------------------------------------

def items_corpus():
    return [
        record("PM-2", "2026-08-01T10:00", items=(
            item("Fix A", owner="SRE", due="2026-11-26", status="open"),      # overdue
            item("Fix B", owner="sre ", due="2026-11-27", status="in-progress"),  # due today: not overdue
            item("Fix C", owner="Lucía Fernández", due="2020-01-01", status="done"),
        )),
        record("PM-1", "2026-02-01T10:00", items=(
            item("Fix D", owner="Lucía Fernández", due="2026-01-01", status="in-progress"),  # overdue
            item("Fix E", owner="team-x", due="2026-03-01", status="wont-do"),
        )),
    ]


def test_overdue_groups_and_tally():
    refs = actions.collect(items_corpus(), REF)
    groups = actions.by_group(refs)
    assert [r.item.title for r in groups["overdue"]] == ["Fix D", "Fix A"]  # oldest due first
    assert [r.item.title for r in groups["in-progress"]] == ["Fix B"]
    assert [r.item.title for r in groups["done"]] == ["Fix C"]
    t = actions.tally(refs)
    assert (t.total, t.open, t.in_progress, t.overdue, t.done, t.wont_do) == (5, 1, 2, 2, 1, 1)
    assert t.completion_rate == pytest.approx(1 / (5 - 1))
    assert actions.tally([]).completion_rate is None


def test_tally_counts_overdue_items_by_status():
    refs = actions.collect(items_corpus(), REF)
    t = actions.tally(refs)
    groups = actions.by_group(refs)
    # Fix A (open) and Fix D (in progress) are overdue: each status says how many of its items are.
    assert (t.open_overdue, t.in_progress_overdue) == (1, 1)
    assert t.open_overdue + t.in_progress_overdue == t.overdue
    # What is left of each status is exactly its group on the action-items page.
    assert (t.open - t.open_overdue, t.in_progress - t.in_progress_overdue) == (len(groups["open"]), len(groups["in-progress"])) == (0, 1)


def test_owners_merge_case_and_spacing_and_get_unique_slugs():
    refs = actions.collect(items_corpus(), REF)
    owners = {o.name: o for o in actions.owners(refs)}
    # "SRE" and "sre " are one owner; with one use each, the first spelling in sort order shows.
    assert set(owners) == {"SRE", "Lucía Fernández", "team-x"}
    assert owners["SRE"].tally.total == 2 and owners["SRE"].slug == "sre"
    assert owners["Lucía Fernández"].slug == "lucia-fernandez"
    # One overdue each: ties by owner key.
    assert [o.name for o in actions.overdue_by_owner(owners.values())] == ["Lucía Fernández", "SRE"]
    slugs = actions.owner_slugs(["a b", "a-b", "李明"])
    assert slugs["a b"] == "a-b" and slugs["a-b"] == "a-b-2" and slugs["李明"].startswith("owner-")


def test_cohorts_count_items_in_the_period_of_their_incident():
    refs = actions.collect(items_corpus(), REF)
    periods = span(period_of(dt.date(2026, 1, 1), "quarter"), period_of(dt.date(2026, 10, 1), "quarter"))
    cohorts = actions.cohorts(refs, periods)
    assert [(c.period.label, c.tally.total, c.tally.done) for c in cohorts] == [
        ("2026-Q1", 2, 0), ("2026-Q2", 0, 0), ("2026-Q3", 3, 1), ("2026-Q4", 0, 0),
    ]


def test_custom_taxonomy_order_and_unknown_slugs():
    taxonomy = (Category("b", "B", ""), Category("a", "A", ""))
    corpus = [record("X", "2026-08-01T10:00", categories=("a", "b"))]
    assert [s.category.slug for s in category_stats(corpus, taxonomy, REF, "month")] == ["b", "a"]
