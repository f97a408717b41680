"""The knowledge base's settings: one object shared by the plugin and the CLI.

Both adapters fill a `Settings` from the same source, the `postmortems`
plugin block of `mkdocs.yml` (validated by `postmortem_kb.plugin.config`), so
`postmortem check` and `mkdocs build` always judge a file the same way.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Category:
    """A contributing-factor category of the taxonomy."""

    slug: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Severity:
    """A severity level; the list is ordered from worst to mildest."""

    name: str
    description: str


DEFAULT_TAXONOMY: tuple[Category, ...] = (
    Category("code-change", "Code change", "A defect introduced by a code or binary deploy."),
    Category(
        "config-change",
        "Configuration change",
        "A configuration, feature-flag, secret or infrastructure-as-code change.",
    ),
    Category(
        "rollout-process",
        "Rollout process",
        "How changes ship: no canary, version skew, hard rollback, deployment planning.",
    ),
    Category(
        "capacity-load",
        "Capacity and load",
        "Traffic spikes, resource exhaustion, scaling limits, performance decay.",
    ),
    Category("dependency", "Dependency", "A third-party, cloud-provider or upstream internal service."),
    Category(
        "infrastructure-network",
        "Infrastructure and network",
        "Hardware, power, data centre, network, DNS, BGP, load balancers.",
    ),
    Category(
        "data-storage",
        "Data and storage",
        "Databases, migrations, replication, data pipelines, corruption.",
    ),
    Category(
        "time-expiry",
        "Time and expiry",
        "Clocks, time zones, leap seconds, certificate or credential expiry.",
    ),
    Category(
        "complex-interaction",
        "Complex interaction",
        "Emergent or cascading behaviour, retry storms, unexpected coupling.",
    ),
    Category(
        "automation-tooling",
        "Automation and tooling",
        "Automation or tooling that acted unexpectedly or got in the responders' way.",
    ),
    Category(
        "observability-detection",
        "Observability and detection",
        "Missing, noisy or misleading alerts and dashboards; late detection.",
    ),
    Category(
        "knowledge-process",
        "Knowledge and process",
        "Outdated runbooks or docs, review and test gaps, unclear ownership, training.",
    ),
    Category(
        "coordination-communication",
        "Coordination and communication",
        "Handoffs, escalation, cross-team or customer communication.",
    ),
    Category("security", "Security", "An attack, a vulnerability or abuse."),
)

DEFAULT_SEVERITIES: tuple[Severity, ...] = (
    Severity("SEV1", "Critical: a broad outage of a core customer journey, or data loss."),
    Severity("SEV2", "Major: a core journey degraded for many users, or a partial outage."),
    Severity("SEV3", "Minor: a limited or degraded experience for some users, with a workaround."),
    Severity("SEV4", "Low: little or no customer impact; internal or contained."),
)

AUDIENCES = ("public", "internal")


# The reference date's range: the pages count periods back and forward from it, and
# a date at the calendar's ends (`0001-01-01`, `9999-12-31`) has no period around it.
EARLIEST_REFERENCE = dt.date(1970, 1, 1)
LATEST_REFERENCE = dt.date(9998, 12, 31)


def reference_date_problem(value: dt.date) -> str | None:
    """Why `value` cannot be the reference date, or None."""
    if EARLIEST_REFERENCE <= value <= LATEST_REFERENCE:
        return None
    return f"{value.isoformat()} is outside {EARLIEST_REFERENCE.isoformat()} to {LATEST_REFERENCE.isoformat()}"


def default_reference_date() -> dt.date:
    """Today in UTC, or the day of `SOURCE_DATE_EPOCH` when that is set.

    The reference date is only used to mark action items overdue; fixing it
    makes two builds of the same commit identical. Raises ValueError for a
    `SOURCE_DATE_EPOCH` that gives no usable date.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch[:30]} is not a time before the year 10000") from None
        problem = reference_date_problem(day)
        if problem:
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch[:30]} gives no usable date: {problem}")
        return day
    return dt.datetime.now(dt.timezone.utc).date()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the core needs to know about one knowledge base."""

    taxonomy: tuple[Category, ...] = DEFAULT_TAXONOMY
    severities: tuple[Severity, ...] = DEFAULT_SEVERITIES
    audience: str = "internal"
    include_restricted: bool = False
    include_drafts: bool = False
    custom_fields: tuple[str, ...] = ()
    postmortems_dir: str = "postmortems"
    reference_date: dt.date = field(default_factory=default_reference_date)
    # Blameless-language and secrets rules switched off for this site.
    disabled_rules: tuple[str, ...] = ()
    related_limit: int = 5

    @property
    def category_slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.taxonomy)

    @property
    def severity_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.severities)

    def category(self, slug: str) -> Category | None:
        for category in self.taxonomy:
            if category.slug == slug:
                return category
        return None

    def severity_rank(self, name: str) -> int:
        """0 for the worst severity; unknown names sort last."""
        try:
            return self.severity_names.index(name)
        except ValueError:
            return len(self.severities)
