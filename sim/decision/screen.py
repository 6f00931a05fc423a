"""The lesson's quick screening heuristic ``should_fine_tune`` (seed 001), as it scores.

A rule-of-thumb score, not a cost model: it looks at the monthly API bill, task
consistency, latency, quality bar, ML expertise and iteration speed. Use it to decide
whether a full study is worth writing, never instead of one.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("high", "medium", "low")


@dataclass(frozen=True)
class Screening:
    """Verdict, rationale, score, the monthly API cost estimate and the reasons."""

    verdict: str
    rationale: str
    score: int
    monthly_api_cost_estimate: float
    recommendations: tuple[str, ...]


def should_fine_tune(daily_requests: float, avg_tokens_per_request: float,
                     current_api_cost_per_1m: float, task_consistency: str,
                     latency_requirement_ms: float, quality_requirement: str,
                     team_ml_expertise: bool, iteration_speed_priority: bool) -> Screening:
    """Score a fine-tuning idea with the lesson's heuristic.

    Examples
    --------
    >>> s = should_fine_tune(50_000, 700, 10.0, "high", 300, "medium", True, False)
    >>> s.score, s.verdict, s.monthly_api_cost_estimate
    (7, 'STRONG: Fine-tune', 10500.0)
    """
    for name, value in (("task_consistency", task_consistency),
                        ("quality_requirement", quality_requirement)):
        if value not in LEVELS:
            raise ValueError(f"{name}: '{value}' must be one of {', '.join(LEVELS)}")
    monthly = daily_requests * avg_tokens_per_request * 30 * current_api_cost_per_1m / 1e6
    rules = [
        (monthly > 5000, 3, f"API cost ${monthly:,.0f}/month is high - fine-tuning serving will "
         "likely be cheaper"),
        (1000 < monthly <= 5000, 1, f"API cost ${monthly:,.0f}/month is medium - need to model "
         "full project cost"),
        (monthly <= 1000, -2, f"API cost ${monthly:,.0f}/month is low - API almost certainly "
         "cheaper at this volume"),
        (task_consistency == "high", 2, "High task consistency = smaller, specialized model can "
         "match large general model"),
        (task_consistency == "low", -2, "Low task consistency = fine-tuned model will struggle "
         "with edge cases"),
        (latency_requirement_ms < 500, 2, f"Strict latency ({latency_requirement_ms:g}ms) = "
         "self-hosted smaller model wins on p99 latency"),
        (500 <= latency_requirement_ms < 2000, 1, f"Moderate latency requirement "
         f"({latency_requirement_ms:g}ms) - both viable"),
        (quality_requirement == "high", -1, "High quality requirement: fine-tuned 7B may not "
         "match the frontier model on difficult reasoning"),
        (quality_requirement == "low", 1, "Low quality threshold: smaller fine-tuned model "
         "likely sufficient"),
        (not team_ml_expertise, -2, "No ML expertise: engineering cost will be high, consider "
         "managed fine-tuning"),
        (iteration_speed_priority, -2, "Fast iteration is priority: API allows prompt changes "
         "instantly, fine-tuning requires retraining"),
    ]
    score = sum(points for hit, points, _ in rules if hit)
    reasons = [why for hit, _, why in rules if hit]
    if score >= 3:
        verdict, why = "STRONG: Fine-tune", ("Multiple factors favor fine-tuning: high volume, "
                                             "consistent task, latency requirements")
    elif score >= 1:
        verdict, why = "LEAN: Fine-tune", "Marginal case - build detailed ROI model"
    elif score >= -1:
        verdict, why = "NEUTRAL: Build ROI model", ("Could go either way - depends on actual "
                                                    "costs and quality tradeoffs")
    elif score >= -3:
        verdict, why = "LEAN: Use API", ("Multiple factors favor API: lower volume, task "
                                         "variability, or iteration speed")
    else:
        verdict, why = "STRONG: Use API", "Fine-tuning economics strongly unfavorable"
    return Screening(verdict, why, score, round(monthly, 2), tuple(reasons))
