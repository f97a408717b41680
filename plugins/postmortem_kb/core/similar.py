"""Similar incidents, found through an inverted index (never all pairs).

Score: shared factor categories weigh 3, shared services 2, shared tags 1.
Each candidate comes with the reasons it was picked, shown on the page.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

from .model import Postmortem

WEIGHTS = {"category": 3, "service": 2, "tag": 1}
# A key shared by very many postmortems says little; skip it past this share.
MAX_POSTING_SHARE = 0.35
MIN_SCORE = 3
# Postings are in the knowledge base's order (newest first). A long posting (a
# factor category shared by a fifth of the base) is scanned only this far, so
# one page costs at most keys x MAX_SCAN steps, not a share of N: without the
# bound, a build compares every page with a fixed share of all others (quadratic).
MAX_SCAN = 400


@dataclass(frozen=True, slots=True)
class Similar:
    postmortem: Postmortem
    score: int
    reasons: tuple[str, ...]


def _keys(pm: Postmortem) -> list[tuple[str, str]]:
    return (
        [("category", c) for c in pm.categories]
        + [("service", s) for s in pm.services]
        + [("tag", t.casefold()) for t in pm.tags]
    )


class SimilarityIndex:
    def __init__(self, postmortems: list[Postmortem], titles: dict[str, str] | None = None) -> None:
        """`titles`: category slug -> title, for the reasons shown on the page."""
        self.postmortems = postmortems
        self.titles = titles or {}
        postings: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, pm in enumerate(postmortems):
            for key in _keys(pm):
                postings[key].append(index)
        limit = max(20, int(len(postmortems) * MAX_POSTING_SHARE))
        self.postings = {k: v[:MAX_SCAN] for k, v in postings.items() if len(v) <= limit}
        self.index_of = {pm.id: i for i, pm in enumerate(postmortems)}
        # Ties on score go to the newer incident (then the later one in the list):
        # one integer per candidate, `score * N + rank`, orders them in one comparison.
        self.by_date = sorted(range(len(postmortems)), key=lambda i: (postmortems[i].started_at, i))
        self.rank = [0] * len(postmortems)
        for position, index in enumerate(self.by_date):
            self.rank[index] = position

    def similar(self, pm: Postmortem, limit: int, exclude: set[str]) -> list[Similar]:
        if limit <= 0:
            return []
        scores: Counter[int] = Counter()
        keys = [key for key in _keys(pm) if key in self.postings]
        for key in keys:
            posting = self.postings[key]
            for _ in range(WEIGHTS[key[0]]):  # Counter.update counts in C
                scores.update(posting)
        skip = {self.index_of[x] for x in (*exclude, pm.id) if x in self.index_of}
        n, rank = len(self.postmortems), self.rank
        ranked = heapq.nlargest(
            limit, (score * n + rank[i] for i, score in scores.items() if score >= MIN_SCORE and i not in skip)
        )
        out = []
        for value in ranked:
            score, index = value // n, self.by_date[value % n]
            # The reasons of the winners only, in the order the keys were scored.
            reasons = [f"{kind} {value}" for kind, value in keys if self._scanned((kind, value), index)]
            out.append(Similar(self.postmortems[index], score, _describe(reasons, self.titles)))
        return out

    def _scanned(self, key: tuple[str, str], index: int) -> bool:
        posting = self.postings[key]
        position = bisect.bisect_left(posting, index)
        return position < len(posting) and posting[position] == index


def _describe(reasons: list[str], titles: dict[str, str]) -> tuple[str, ...]:
    """`same factors: Time and expiry, Dependency`: categories by their titles, as the chips show them."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for reason in reasons:
        kind, value = reason.split(" ", 1)
        grouped[kind].append(titles.get(value, value) if kind == "category" else value)
    labels = {"category": "same factor", "service": "same service", "tag": "shared tag"}
    return tuple(
        f"{labels[kind]}{'s' if len(values) > 1 else ''}: {', '.join(values)}"
        for kind, values in grouped.items()
    )
