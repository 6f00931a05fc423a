"""What each key of a study file means: its physical domain, default and help text.

Numeric keys are *inputs*: a number, a ``"a to b"`` interval or a distribution table
(docs/study-file.md, "Values"). A key with ``default=None`` is required. Defaults are neutral
values (0 for a cost a strategy doesn't have) or the lesson's stated figures; the report's
inputs table marks every input left at its default. Every field has a unit, shown with its
help text (:attr:`Field.text`) in errors, the inputs table and docs/study-file.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from distributions import Distribution, Fixed, Rounded, fmt

INF = math.inf


@dataclass(frozen=True)
class Domain:
    """The physical range of an input, e.g. a rate in [0, 1] or a whole count >= 1."""

    lo: float
    hi: float
    what: str
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    def contains(self, lo: float, hi: float, *, closed: bool = True) -> bool:
        """True when [lo, hi] lies inside the domain.

        With ``closed=False`` the ends themselves carry no mass (a continuous distribution),
        so they may touch an open bound: a lognormal's support (0, inf) fits "> 0".
        """
        strict_lo = self.lo_open and closed
        strict_hi = self.hi_open and closed
        ok_lo = lo > self.lo if strict_lo else lo >= self.lo
        ok_hi = hi < self.hi if strict_hi else hi <= self.hi
        return ok_lo and ok_hi

    def check(self, dist: Distribution) -> str | None:
        """Return what is wrong with ``dist`` for this domain, or None when it fits."""
        if dist.is_fixed:
            value = dist.support[0]
            if not self.contains(value, value):
                return f"{fmt(value)} is outside {self.what}"
            if self.integer and value != int(value):
                return f"{fmt(value)} must be a whole number ({self.what})"
            return None
        if self.integer and dist.discrete and not dist.integer:
            return f"{dist.describe()} has values that are not whole numbers ({self.what})"
        lo, hi = dist.draw_range
        if not self.contains(lo, hi, closed=dist.discrete):
            return (
                f"{dist.describe()} can draw values from {fmt(lo)} to {fmt(hi)}, outside "
                f"{self.what}; "
                "choose a family that stays inside (beta for rates, lognormal or pert for "
                "positive amounts) or cut it to the domain with truncate = [lo, hi] next to "
                "the family key"
            )
        return None

    def adapt(self, dist: Distribution) -> Distribution:
        """Round a continuous distribution for a whole-number input (left as is otherwise)."""
        if self.integer and not dist.is_fixed and not dist.integer:
            return Rounded(dist)
        return dist


RATE = Domain(0.0, 1.0, "a fraction in [0, 1]")
POS_RATE = Domain(0.0, 1.0, "a fraction in (0, 1]", lo_open=True)
DECLINE = Domain(0.0, 1.0, "an annual decline in [0, 1)", hi_open=True)
MONEY = Domain(0.0, INF, "an amount >= 0")
NONNEG = Domain(0.0, INF, "a quantity >= 0")
POSITIVE = Domain(0.0, INF, "a quantity > 0", lo_open=True)
PEAK = Domain(1.0, INF, "a peak-to-average ratio >= 1")
GROWTH = Domain(-1.0, INF, "a monthly growth rate > -1 (e.g. 0.02 for 2%)", lo_open=True)
COUNT = Domain(1.0, INF, "a whole number >= 1", integer=True)
COUNT0 = Domain(0.0, INF, "a whole number >= 0", integer=True)
LIFT = Domain(-10.0, 1.0, "a relative change in [-10, 1] (0.2: 20% fewer reviews and errors "
              "than the baseline; -0.5: 50% more)")
CUTS = Domain(0.0, 12.0, "a number of price cuts a year in [0, 12]")
CUT = Domain(0.0, 1.0, "a fraction in [0, 1)", hi_open=True)
# Finite ceilings for the fidelity keys (generous: orders of magnitude beyond any real case)
MIGRATION = Domain(0.0, 1e9, "an amount in [0, 1e9] (a large company's whole budget)")
KV_BYTES = Domain(0.0, 1e9, "bytes in (0, 1e9] (1,000x the largest model's per token)",
                  lo_open=True)
GPU_MEMORY = Domain(0.0, 1e5, "GB in (0, 1e5] (500x the largest GPU's memory)", lo_open=True)
FTE = Domain(0.0, 1e6, "engineers in [0, 1e6] (10x the largest tech companies)")
FTE_COST = Domain(0.0, 1e7, "an amount in [0, 1e7] (100x a top engineer's month)")
RUNS = Domain(0.0, 1e6, "a whole number in [0, 1e6] (one run a minute for two years)",
              integer=True)


@dataclass(frozen=True)
class Field:
    """One numeric key of a study section.

    Examples
    --------
    >>> Field(RATE, 0.0, "share of requests a human reviews", unit="fraction").required
    False
    """

    domain: Domain
    default: float | None
    help: str
    #: may be left out, meaning "not applicable" (e.g. no retraining)
    optional: bool = False
    #: what the number counts or costs, e.g. "$/1M tokens", "requests/day", "fraction"
    unit: str = ""

    @property
    def text(self) -> str:
        """The help text with its unit, as errors, the report and ``ftrisk describe`` show it.

        Examples
        --------
        >>> WORKLOAD["requests_per_day"].text
        'request volume in month 1 [requests/day]'
        """
        return f"{self.help} [{self.unit}]" if self.unit else self.help

    @property
    def required(self) -> bool:
        """True when the study must give this key."""
        return self.default is None and not self.optional

    def default_distribution(self) -> Distribution:
        """The default value as a point mass."""
        assert self.default is not None
        return Fixed(self.default)


WORKLOAD: dict[str, Field] = {
    "requests_per_day": Field(POSITIVE, None, "request volume in month 1",
                              unit="requests/day"),
    "input_tokens": Field(NONNEG, None, "input (prompt) tokens of a request",
                          unit="tokens/request"),
    "output_tokens": Field(NONNEG, None, "output tokens of a request", unit="tokens/request"),
    "monthly_growth": Field(GROWTH, 0.0, "growth of the request volume, month over month",
                            unit="fraction/month"),
    "cache_share": Field(RATE, 0.0, "share of input tokens served from a prompt cache",
                         unit="fraction"),
    "peak_to_average": Field(PEAK, 1.0, "peak-hour traffic over the daily average (capacity)",
                             unit="ratio"),
}

QUALITY: dict[str, Field] = {
    "review_rate": Field(RATE, 0.0, "share of requests a human reviews (a non-baseline "
                         "strategy that leaves it out: the baseline's x (1 - quality_lift))",
                         unit="fraction"),
    "cost_per_review": Field(MONEY, 0.0, "cost of one human review (default for a "
                             "non-baseline strategy: the baseline's)", unit="$/review"),
    "error_rate": Field(RATE, 0.0, "share of requests with a costly downstream error (a "
                        "non-baseline strategy that leaves it out: the baseline's x "
                        "(1 - quality_lift))", unit="fraction"),
    "cost_per_error": Field(MONEY, 0.0, "cost of one downstream error (default for a "
                            "non-baseline strategy: the baseline's)", unit="$/error"),
    "quality_lift": Field(LIFT, 0.0, "relative reduction of the baseline's review and error "
                          "rates (0.2: 20% fewer; negative: more); non-baseline strategies",
                          unit="fraction of the baseline's rates"),
    "fixed_monthly_cost": Field(MONEY, 0.0, "other fixed costs (licences, support)",
                                unit="$/month"),
}

#: Quality keys a non-baseline strategy that leaves them out takes from the baseline (the
#: rates times 1 - quality_lift, the costs as they are).
INHERITED = ("review_rate", "cost_per_review", "error_rate", "cost_per_error")
#: The rates quality_lift scales; a strategy stating one of them may not state quality_lift.
LIFTED = ("review_rate", "error_rate")

#: Step price cuts instead of a smooth decline, and a floor (the api and hosted_ft kinds).
PRICE_STEPS: dict[str, Field] = {
    "price_cuts_per_year": Field(
        CUTS, None, "step price cuts (instead of annual_price_drop): N(t) = "
        "floor((t - 1) x rate / 12) cuts by month t", optional=True, unit="cuts/year"),
    "price_cut_size": Field(CUT, None, "share each step cut takes off the price "
                            "(with price_cuts_per_year)", optional=True, unit="fraction"),
    "price_floor": Field(RATE, 0.0, "the price never falls below this share of today's "
                         "(smooth or step declines)", unit="x today's price"),
}

PROJECT: dict[str, Field] = {
    "engineering_hours": Field(NONNEG, 0.0, "engineering hours to production (all phases)",
                               unit="hours"),
    "hourly_rate": Field(MONEY, 150.0, "cost of an engineering hour (lesson: $150)",
                         unit="$/hour"),
    "build_months": Field(COUNT0, 0.0, "months until production; the baseline runs meanwhile",
                          unit="months"),
    "model_lifetime_months": Field(
        COUNT, 18.0, "months the project cost is amortized over in the static estimate "
        "(lesson: 18)", unit="months"
    ),
}

#: The share of the engineering hours a retraining redoes, from the lesson's phase table
#: (seed 001) at its midpoints: hyperparameter search 12 + evaluation and iteration 28 +
#: deployment and integration 16 = 56 of 132 hours (data collection and formatting,
#: experiment and evaluation set-up and monitoring are reused).
RETRAIN_ENGINEERING_SHARE = 0.42
#: $ per month of one ML engineer: the lesson's $150/h x 160 h.
FTE_MONTHLY_COST = 24_000.0


def retrain_fields(runs: float, runs_help: str) -> dict[str, Field]:
    """The retraining keys of a fine-tuned kind, with its default number of runs."""
    return {
        "retrain_every_months": Field(
            COUNT, None, "months between retrainings (absent: never)", optional=True,
            unit="months"),
        "retrain_runs": Field(RUNS, runs, f"training runs a retraining redoes ({runs_help})",
                              unit="runs"),
        "retrain_engineering_share": Field(
            RATE, RETRAIN_ENGINEERING_SHARE, "share of the project's engineering a retraining "
            "redoes (lesson phases: hyperparameter search, evaluation, deployment)",
            unit="fraction"),
        "retrain_cost_fraction": Field(
            NONNEG, None, "legacy simple form: the cost of a retraining over the project cost "
            "(instead of retrain_runs and retrain_engineering_share)", optional=True,
            unit="x project cost"),
    }


#: The split form of a retraining's cost (the legacy retrain_cost_fraction excludes them).
RETRAIN_SPLIT = ("retrain_runs", "retrain_engineering_share")

MLOPS: dict[str, Field] = {
    "mlops_fte": Field(FTE, 0.0, "ML engineers keeping the model in production (page: "
                       "0.5-1 per fine-tuned model)", unit="FTE"),
    "fte_monthly_cost": Field(FTE_COST, FTE_MONTHLY_COST, "cost of one ML engineer (lesson: "
                              "$150/h x 160 h)", unit="$/month"),
}

#: Project keys the baseline may not have: it is what runs today.
PROJECT_KEYS = frozenset(PROJECT) - {"model_lifetime_months"} | frozenset(
    retrain_fields(1.0, "")) | {
    "training_runs", "compute_per_run", "training_tokens", "epochs", "training_price_per_1m"
}


def fmt_domain(field: Field) -> str:
    """Short text for docs and errors: domain and default."""
    if field.default is not None:
        default = f"default {fmt(field.default)}"
    else:
        default = "optional" if field.optional else "required"
    return f"{field.domain.what}; {default}"
