"""Similar incidents, found through an inverted index (never all pairs).

Score: shared factor categories weigh 3, shared services 2, shared tags 1.
Each candidate comes with the reasons it was picked, shown on the page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .model import Postmortem

WEIGHTS = {"category": 3, "service": 2, "tag": 1}
# A key shared by very many postmortems says little; skip it past this share.
MAX_POSTING_SHARE = 0.35
MIN_SCORE = 3


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
    def __init__(self, postmortems: list[Postmortem]) -> None:
        self.postmortems = postmortems
        postings: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, pm in enumerate(postmortems):
            for key in _keys(pm):
                postings[key].append(index)
        limit = max(20, int(len(postmortems) * MAX_POSTING_SHARE))
        self.postings = {k: v for k, v in postings.items() if len(v) <= limit}

    def similar(self, pm: Postmortem, limit: int, exclude: set[str]) -> list[Similar]:
        if limit <= 0:
            return []
        scores: dict[int, int] = defaultdict(int)
        reasons: dict[int, list[str]] = defaultdict(list)
        for key in _keys(pm):
            for index in self.postings.get(key, ()):
                scores[index] += WEIGHTS[key[0]]
                reasons[index].append(f"{key[0]} {key[1]}")
        ranked = sorted(
            (
                (score, self.postmortems[i].started_at, i)
                for i, score in scores.items()
                if score >= MIN_SCORE
                and self.postmortems[i].id != pm.id
                and self.postmortems[i].id not in exclude
            ),
            reverse=True,
        )
        out = []
        for score, _, index in ranked[:limit]:
            out.append(Similar(self.postmortems[index], score, _describe(reasons[index])))
        return out


def _describe(reasons: list[str]) -> tuple[str, ...]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for reason in reasons:
        kind, value = reason.split(" ", 1)
        grouped[kind].append(value)
    labels = {"category": "same factor", "service": "same service", "tag": "shared tag"}
    return tuple(
        f"{labels[kind]}{'s' if len(values) > 1 else ''}: {', '.join(values)}"
        for kind, values in grouped.items()
    )
