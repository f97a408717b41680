"""Cross-incident statistics: pure functions over published postmortems.

No MkDocs, no HTML: counts, shares, periods, trend directions, quantiles and
action-item figures, each computed in one pass (knowledge bases reach 10,000
postmortems). Callers pass `KnowledgeBase.published`, never `.results`, so the
audience rules apply to every figure.
"""
