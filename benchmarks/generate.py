"""Synthetic knowledge bases for the benchmark: realistic, valid, reproducible.

`generate_postmortem(rng, index)` returns one postmortem (about 1,000 words,
15 to 30 timeline entries, 1 to 4 contributing factors, 1 to 6 action items)
that passes `postmortem check` with zero errors; `write_knowledge_base`
writes N of them from a seed. The same seed always gives the same files.

Standard library only, so it runs with the project's virtualenv as is.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

CATEGORIES = (
    "code-change", "config-change", "rollout-process", "capacity-load", "dependency",
    "infrastructure-network", "data-storage", "time-expiry", "complex-interaction",
    "automation-tooling", "observability-detection", "knowledge-process",
    "coordination-communication", "security",
)
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
SEVERITY_WEIGHTS = (1, 3, 5, 3)
DETECTIONS = ("alert", "customer-report", "internal-report", "automated-test", "other")
KINDS = ("observation", "decision", "action", "communication", "detection", "mitigation", "resolution")
ITEM_STATUS = ("open", "in-progress", "done", "wont-do")
ITEM_TYPES = ("prevent", "detect", "mitigate", "process", "investigate")
PRIORITIES = ("P0", "P1", "P2", "P3")

_SERVICE_A = (
    "checkout", "payments", "catalog", "search", "inventory", "orders", "pricing", "auth",
    "identity", "shipping", "returns", "loyalty", "reviews", "recommendations", "cart",
    "notifications", "billing", "ledger", "warehouse", "delivery", "promotions", "media",
    "profile", "sessions", "fraud", "tax", "invoices", "reporting", "ads", "gateway",
)
_SERVICE_B = ("api", "worker", "db", "cache", "queue", "web", "sync", "scheduler", "proxy", "stream")
SERVICES = tuple(f"{a}-{b}" for a in _SERVICE_A for b in _SERVICE_B)  # 300
TEAMS = (
    "checkout", "payments", "sre", "platform", "data", "search", "catalog", "identity",
    "logistics", "growth", "mobile", "web", "security", "networking", "storage", "billing",
    "support-tools", "observability", "release-eng", "database", "edge", "ml-platform",
)
TAGS = (
    "connection-pool", "config", "deploy", "canary", "rollback", "dns", "tls", "certificate",
    "retry-storm", "timeout", "cache", "cdn", "kafka", "postgres", "redis", "kubernetes",
    "autoscaling", "memory-leak", "disk-full", "replication", "migration", "feature-flag",
    "rate-limit", "load-balancer", "bgp", "cron", "batch", "clock-skew", "secrets", "oauth",
    "webhook", "third-party", "quota", "backpressure", "thundering-herd", "schema",
    "index", "vacuum", "gc-pause", "thread-pool", "circuit-breaker", "failover", "region",
    "latency", "error-rate", "paging", "runbook", "on-call", "capacity", "cost",
)
FIRST = (
    "Priya", "Amara", "Jonas", "Mei", "Carlos", "Fatima", "Liam", "Sofia", "Kenji", "Olu",
    "Ines", "Tomasz", "Aisha", "Mateo", "Hana", "Lars", "Nadia", "Ravi", "Elena", "Kwame",
)
LAST = (
    "Raman", "Osei", "Berg", "Chen", "Alvarez", "Haddad", "Murphy", "Rossi", "Tanaka", "Adeyemi",
    "Duarte", "Nowak", "Khan", "Silva", "Sato", "Nilsson", "Petrova", "Iyer", "Greco", "Mensah",
)
VERBS = (
    "Add", "Automate", "Document", "Migrate", "Limit", "Cap", "Review", "Test", "Split",
    "Remove", "Rotate", "Enforce", "Alert on", "Monitor", "Rehearse", "Shorten", "Publish",
)
OBJECTS = (
    "the connection-pool ceiling", "the retry budget", "the canary stage", "the rollback runbook",
    "certificate expiry dates", "queue depth", "replica lag", "the config pipeline checks",
    "the failover drill", "the dashboard for error rates", "the deploy freeze calendar",
    "the cache eviction policy", "the on-call handoff notes", "the autoscaling limits",
    "the DNS TTLs", "the schema migration plan", "the vendor status feed", "disk usage",
)
NOUNS = (
    "latency", "error rate", "queue depth", "replica", "deploy", "config push", "cache",
    "load balancer", "connection pool", "certificate", "dashboard", "alert", "runbook",
    "canary", "region", "node", "cluster", "partition", "consumer", "request", "timeout",
    "retry", "feature flag", "migration", "index", "snapshot", "backup", "quota", "token",
    "session", "worker", "scheduler", "pipeline", "endpoint", "gateway", "upstream",
)
ADJS = (
    "elevated", "intermittent", "stale", "saturated", "degraded", "partial", "slow",
    "unexpected", "regional", "noisy", "missing", "delayed", "inconsistent", "cold", "hot",
)
ACTS = (
    "rose", "dropped", "stalled", "recovered", "spiked", "drifted", "flapped", "held steady",
    "doubled", "fell back", "timed out", "queued up", "climbed", "settled",
)
PEOPLE = ("the on-call engineer", "the incident lead", "the database team", "the SRE on shift",
          "the service owner", "the communications lead", "a support engineer", "the platform team")
CONNECT = ("Meanwhile", "At that point", "As a result", "In parallel", "Soon after",
           "Because of this", "During the response", "Later")

KIND_TEXT = {
    "observation": "{svc} {noun} {act} from {a} ms to {b} ms across {n} nodes.",
    "decision": "{who} decides to roll back the {noun} change rather than scale out {svc}.",
    "action": "{who} drains {n} {noun} nodes of {svc} and restarts the {noun2}.",
    "communication": "{who} posts an update on the status page about {adj} {noun} on {svc}.",
    "detection": "The {svc} {noun} alert pages {who}.",
    "mitigation": "Traffic shifts away from the {adj} {noun}; {svc} {noun2} {act}.",
    "resolution": "{svc} {noun} is back to baseline and the incident is closed.",
}


def _sentence(rng: random.Random, services: list[str]) -> str:
    shape = rng.randrange(5)
    svc = rng.choice(services)
    noun, noun2 = rng.choice(NOUNS), rng.choice(NOUNS)
    if shape == 0:
        return f"The {rng.choice(ADJS)} {noun} on {svc} {rng.choice(ACTS)} after the {noun2} changed, which affected about {rng.randrange(2, 95)}% of requests."
    if shape == 1:
        return f"{rng.choice(CONNECT)}, {rng.choice(PEOPLE)} compared the {noun} graphs of {svc} with the {noun2} metrics from the previous week."
    if shape == 2:
        return f"The {noun2} behaviour was {rng.choice(ADJS)}, and the {noun} on {svc} {rng.choice(ACTS)} for {rng.randrange(2, 50)} minutes before anyone saw a pattern."
    if shape == 3:
        return f"Nobody on the team expected the {noun} and the {noun2} to interact this way, because the design notes for {svc} described them separately."
    return f"{rng.choice(CONNECT)}, the {rng.choice(ADJS)} {noun} meant that {rng.choice(PEOPLE)} needed {rng.randrange(3, 40)} more minutes to confirm the {noun2} state."


def _paragraph(rng: random.Random, services: list[str], sentences: tuple[int, int]) -> str:
    return " ".join(_sentence(rng, services) for _ in range(rng.randint(*sentences)))


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate_postmortem(rng: random.Random, index: int, *, existing_ids: list[str] | None = None) -> tuple[str, str]:
    """One postmortem: (relative path under postmortems/, file text)."""
    year = rng.randint(2019, 2025)
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    pm_id = f"PM-{year}-{index:05d}"
    services = rng.sample(SERVICES, rng.randint(1, 4))
    teams = rng.sample(TEAMS, rng.randint(1, 3))
    tags = rng.sample(TAGS, rng.randint(0, 5))
    categories = rng.sample(CATEGORIES, rng.randint(1, 4))
    severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    reviewer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    # Timeline: 15 to 30 entries on one day, in order, starting before 10:00.
    count = rng.randint(15, 30)
    minute = rng.randrange(0, 600)
    stamps: list[int] = []
    for _ in range(count):
        stamps.append(minute)
        minute += rng.randint(1, 18)
    start_of_day = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    started = start_of_day + dt.timedelta(minutes=stamps[1])
    detected = start_of_day + dt.timedelta(minutes=stamps[min(3, count - 1)])
    mitigated = start_of_day + dt.timedelta(minutes=stamps[count // 2])
    resolved = start_of_day + dt.timedelta(minutes=stamps[-1] + rng.randint(5, 120))

    title = f"{rng.choice(ADJS).capitalize()} {rng.choice(NOUNS)} on {services[0]} after a {rng.choice(NOUNS)} change"
    summary = (
        f"For {stamps[-1] - stamps[1]} minutes, {rng.randrange(1, 60)}% of requests to {services[0]} "
        f"saw {rng.choice(ADJS)} {rng.choice(NOUNS)} after a {rng.choice(NOUNS)} change."
    )

    fm: list[str] = [
        "---",
        f"id: {pm_id}",
        f"title: {_quote(title)}",
        "status: published",
        f"visibility: {rng.choice(('public', 'internal', 'internal'))}",
        f"severity: {severity}",
        f"summary: {_quote(summary)}",
        f"started_at: {_iso(started)}",
        f"detected_at: {_iso(detected)}",
        f"mitigated_at: {_iso(mitigated)}",
        f"resolved_at: {_iso(resolved)}",
        f"services: [{', '.join(services)}]",
        f"teams: [{', '.join(teams)}]",
        f"authors: [{author}]",
        f"reviewers: [{reviewer}]",
        f"tags: [{', '.join(tags)}]",
        f"detection: {rng.choice(DETECTIONS)}",
        f"trigger: {_quote(rng.choice(NOUNS) + ' change on ' + services[0])}",
        f"near_miss: {'true' if rng.random() < 0.08 else 'false'}",
        "impact:",
        f"  users_affected: {rng.randrange(0, 200_000)}",
        f"  error_budget_consumed_pct: {rng.randrange(0, 1000) / 10}",
        f"  data_loss: {'true' if rng.random() < 0.05 else 'false'}",
        f"  support_tickets: {rng.randrange(0, 400)}",
        "contributing_factors:",
    ]
    for category in categories:
        fm += [f"  - category: {category}", f"    description: {_quote(_sentence(rng, services))}"]
    fm.append("action_items:")
    for _ in range(rng.randint(1, 6)):
        due = day + dt.timedelta(days=rng.randint(14, 120))
        fm += [
            f"  - title: {_quote(rng.choice(VERBS) + ' ' + rng.choice(OBJECTS) + ' for ' + rng.choice(services))}",
            f"    owner: {rng.choice(teams)}",
            f"    due: {due.isoformat()}",
            f"    status: {rng.choices(ITEM_STATUS, (2, 1, 6, 1))[0]}",
            f"    type: {rng.choice(ITEM_TYPES)}",
            f"    priority: {rng.choice(PRIORITIES)}",
            f"    ticket: https://tracker.example.com/PM-{index}-{rng.randrange(1000)}",
            f"    factor: {rng.choice(categories)}",
        ]
    related: list[str] = []
    if existing_ids and rng.random() < 0.3:
        related = rng.sample(existing_ids, min(len(existing_ids), rng.randint(1, 2)))
    fm.append(f"related: [{', '.join(related)}]")
    fm.append("---")

    body: list[str] = ["", "## Impact", "", _paragraph(rng, services, (3, 5)), ""]
    if rng.random() < 0.6:
        body += ["## Background", "", _paragraph(rng, services, (2, 4)), ""]
    body += ["## Timeline", ""]
    for i, stamp in enumerate(stamps):
        kind = "observation" if i == 0 else "resolution" if i == count - 1 else rng.choice(KINDS[:6])
        text = KIND_TEXT[kind].format(
            svc=rng.choice(services), noun=rng.choice(NOUNS), noun2=rng.choice(NOUNS),
            act=rng.choice(ACTS), adj=rng.choice(ADJS), who=rng.choice(PEOPLE).capitalize(),
            a=rng.randrange(50, 400), b=rng.randrange(400, 9000), n=rng.randrange(2, 40),
        )
        body.append(f"- {stamp // 60:02d}:{stamp % 60:02d} [{kind}] {text}")
    body += ["", "## Detection", "", _paragraph(rng, services, (2, 4)), ""]
    body += ["## Response", "", _paragraph(rng, services, (2, 4)), ""]
    body += ["## Contributing Factors", ""]
    for category in categories:
        body += [f"**{category}.** {_paragraph(rng, services, (2, 4))}", ""]
    body += ["## Lessons Learned", ""]
    for sub in ("What went well", "What went wrong", "Where we got lucky"):
        body += [f"### {sub}", ""]
        body += [f"- {_sentence(rng, services)}" for _ in range(rng.randint(2, 4))]
        body.append("")
    if rng.random() < 0.5:
        body += ["## Action Items", "", _paragraph(rng, services, (1, 2)), ""]
    if rng.random() < 0.3:
        body += ["## Open Questions", "", f"- {_sentence(rng, services)}", f"- {_sentence(rng, services)}", ""]

    slug = "-".join(title.lower().split()[:5]).replace(".", "")
    rel = f"{year}/{day.isoformat()}-{slug}-{index:05d}.md"
    return rel, "\n".join(fm + body)


def generate(n: int, seed: int):
    """Yield (relative path, text) for N postmortems, reproducibly from `seed`."""
    rng = random.Random(seed)
    ids: list[str] = []
    for index in range(1, n + 1):
        rel, text = generate_postmortem(rng, index, existing_ids=ids[-200:])
        ids.append(text.split("\n", 2)[1][4:])
        yield rel, text


def write_knowledge_base(folder: Path, n: int, seed: int) -> list[str]:
    """Write N postmortems under `folder` (YYYY/...); returns their relative paths."""
    paths = []
    for rel, text in generate(n, seed):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(rel)
    return paths
