"""What each key of a study file means: its physical domain, default and help text.

Numeric keys are *inputs*: a number, a ``"a to b"`` interval or a distribution table
(docs/study-file.md, "Values"). A key with ``default=None`` is required. Defaults are neutral
values (0 for a cost a strategy doesn't have) or the lesson's stated figures; the report's
inputs table marks every input left at its default. Every field has a unit, shown with its
help text (:attr:`Field.text`) in errors, the inputs table and docs/study-file.md.

Every domain is finite. Each upper bound is generous (orders of magnitude beyond any real
case, its reason beside it) and they are chosen together so that no study can drive a figure
to inf or NaN, whatever its horizon (up to 600 months) and sample count (up to 1e9):

- the dearest first month any strategy can reach is about 4e31 $: self-hosted serving
  sized "auto" at the ceilings (1e12 requests/day x 2e8 tokens x a peak ratio just under 24,
  at 0.1 token/s per instance and 1% utilization, 1e4 GPUs per instance at 1e5 $/GPU-hour);
  tokens, reviews and errors reach about 1e23 $ a month, a project about 3e28 $ (retrained
  every month);
- volume growth over the horizon is capped at :data:`MAX_VOLUME_GROWTH` (1e100-fold,
  :func:`growth_problem`), so over 600 months no NPV or TCO exceeds about 1.2e132 $;
- squared and summed over 1e9 samples, as a variance needs, that is about 1.4e273, below
  the largest double (1.8e308) by a factor of about 1e35.

``tests/test_hostile_inputs.py`` runs a study with every input at its ceiling to check it.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from distributions import Distribution, Fixed, Rounded, fmt

INF = math.inf
#: The most the request volume may grow over a study's horizon: ``(1 + g) ** (H - 1)`` for
#: the largest monthly growth g the study can draw. With the ceilings of the domains below
#: it keeps every figure (and its square, summed over 1e9 samples) finite; see the module
#: docstring.
MAX_VOLUME_GROWTH = 1e100


@dataclass(frozen=True)
class Domain:
    """The physical range of an input, e.g. a rate in [0, 1] or a whole count >= 1.

    ``what`` names the kind of quantity and its sign; ``why`` gives the reason of a finite
    upper bound ``hi`` that ``what`` does not state itself (e.g. "$ per 1M tokens: 10,000x
    the dearest list price").
    """

    lo: float
    hi: float
    what: str
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False
    why: str = ""

    def upto(self, hi: float, why: str, *, lo: float | None = None) -> Domain:
        """This kind of quantity with the upper bound ``hi`` (and its reason ``why``); ``lo``
        replaces the lower bound (closed) when given.

        Examples
        --------
        >>> NONNEG.upto(100, "a century").text
        'a quantity >= 0, at most 100 (a century)'
        """
        if lo is None:
            return dataclasses.replace(self, hi=hi, why=why)
        return dataclasses.replace(self, lo=lo, lo_open=False, hi=hi, why=why,
                                   what=f"a quantity >= {fmt(lo)}")

    @property
    def text(self) -> str:
        """The domain in words, with the reason of its upper bound."""
        return f"{self.what}, at most {fmt(self.hi)} ({self.why})" if self.why else self.what

    @property
    def interval(self) -> str:
        """The domain as an interval, e.g. ``(0, 1e+12]``.

        Examples
        --------
        >>> RATE.interval, POS_RATE.interval
        ('[0, 1]', '(0, 1]')
        """
        return (f"{'(' if self.lo_open else '['}{fmt(self.lo)}, {fmt(self.hi)}"
                f"{')' if self.hi_open else ']'}")

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
        """Return what is wrong with ``dist`` for this domain, or None when it fits.

        An unbounded family (normal, lognormal, gamma) is judged by the values a sampling
        plan can actually draw (:attr:`~distributions.Distribution.draw_range`, about 8.2
        standard deviations around its centre), not by its infinite support.
        """
        kind = "whole number" if self.integer else "number"
        if dist.is_fixed:
            value = dist.support[0]
            if not self.contains(value, value):
                return f"{fmt(value)} is outside {self.text}; give a {kind} in {self.interval}"
            if self.integer and value != int(value):
                return f"{fmt(value)} must be a whole number ({self.text})"
            return None
        if self.integer and dist.discrete and not dist.integer:
            return f"{dist.describe()} has values that are not whole numbers ({self.text})"
        lo, hi = dist.draw_range
        if not self.contains(lo, hi, closed=dist.discrete):
            return (
                f"{dist.describe()} can draw values from {fmt(lo)} to {fmt(hi)}, outside "
                f"{self.text}; "
                "choose a family that stays inside (beta for rates, lognormal or pert for "
                "positive amounts) or cut it to the domain with truncate = "
                f"[{fmt(self.lo)}, {fmt(self.hi)}] next to the family key"
            )
        return None

    def adapt(self, dist: Distribution) -> Distribution:
        """Round a continuous distribution for a whole-number input (left as is otherwise)."""
        if self.integer and not dist.is_fixed and not dist.integer:
            return Rounded(dist)
        return dist


def top(dist: Distribution) -> float:
    """The largest value a sampling plan can draw from ``dist`` (its value when fixed)."""
    return dist.support[1] if dist.is_fixed else dist.draw_range[1]


def growth_problem(growth: float, horizon_months: int) -> str | None:
    """What is wrong with a largest monthly growth over a horizon, or None when it fits.

    The volume of the last month is ``(1 + growth) ** (horizon_months - 1)`` times the
    first month's; it may reach at most :data:`MAX_VOLUME_GROWTH`.

    Examples
    --------
    >>> growth_problem(0.18, 600) is None, growth_problem(1.0, 36) is None
    (True, True)
    >>> print(growth_problem(1.0, 600))  # doctest: +ELLIPSIS
    up to 1 a month over horizon_months = 600 multiplies the volume by 2.07e+180, beyond ...
    """
    months = horizon_months - 1
    if months < 1 or growth <= 0:
        return None
    log_factor = months * math.log10(1.0 + growth)
    limit = math.log10(MAX_VOLUME_GROWTH)
    if log_factor <= limit:
        return None
    most_growth = 10 ** (limit / months) - 1
    most_months = int(limit / math.log10(1.0 + growth)) + 1
    return (f"up to {fmt(growth)} a month over horizon_months = {horizon_months} multiplies "
            f"the volume by {10 ** (log_factor % 1):.3g}e+{int(log_factor)}, beyond the "
            f"{MAX_VOLUME_GROWTH:.0e}-fold that keeps every figure finite; narrow the growth "
            f"(draws up to {most_growth:.3g} a month over {horizon_months} months) or shorten "
            f"horizon_months (at most {most_months} at this growth)")


RATE = Domain(0.0, 1.0, "a fraction in [0, 1]")
POS_RATE = Domain(0.0, 1.0, "a fraction in (0, 1]", lo_open=True)
DECLINE = Domain(0.0, 1.0, "an annual decline in [0, 1)", hi_open=True)
MONEY = Domain(0.0, INF, "an amount >= 0")
NONNEG = Domain(0.0, INF, "a quantity >= 0")
POSITIVE = Domain(0.0, INF, "a quantity > 0", lo_open=True)
COUNT = Domain(1.0, INF, "a whole number >= 1", integer=True)
COUNT0 = Domain(0.0, INF, "a whole number >= 0", integer=True)

# -- the quantities of a study, each with its ceiling and the reason for it ------------
REQUESTS = POSITIVE.upto(1e12, "requests per day: 100x every web search in the world")
#: The calculators (``ftrisk cost``, ``screen``) also take a volume of 0.
REQUESTS0 = NONNEG.upto(REQUESTS.hi, REQUESTS.why)
TOKENS = NONNEG.upto(1e8, "tokens per request: 100x the longest context windows")
GROWTH = Domain(-1.0, 1.0, "a monthly growth rate > -1 (e.g. 0.02 for 2%)", lo_open=True,
                why="doubling every month")
PEAK = Domain(1.0, 24.0, "a peak-to-average ratio in [1, 24) (24: the whole day's traffic in "
              "one hour)", hi_open=True)
TOKEN_PRICE = MONEY.upto(1e7, "$ per 1M tokens: 10,000x the dearest list price")
PER_REVIEW = MONEY.upto(1e6, "$ per review: months of a specialist's time")
PER_ERROR = MONEY.upto(1e9, "$ per error: a catastrophic lawsuit")
MONTHLY = MONEY.upto(1e9, "$ per month: a large company's whole budget")
FTE_COST = Domain(0.0, 1e7, "an amount in [0, 1e7] (100x a top engineer's month)")
HOURS = NONNEG.upto(1e8, "engineering hours: 50,000 engineer-years")
HOURLY_RATE = MONEY.upto(1e5, "$ per engineering hour: 100x a top consultant")
MONTHS0 = COUNT0.upto(1200, "months: a century; horizons end at 600")
MONTHS = COUNT.upto(1200, "months: a century; horizons end at 600")
FRACTION_OF_PROJECT = NONNEG.upto(100, "a retrain at 100x the first project")
EPOCHS = POSITIVE.upto(1e4, "epochs per run: 1000x the usual 1-10")
RUNS = Domain(0.0, 1e6, "a whole number in [0, 1e6] (one run a minute for two years)",
              integer=True)
TRAINING_TOKENS = NONNEG.upto(1e15, "tokens per epoch: 10x the largest pretraining corpora")
PER_RUN = MONEY.upto(1e12, "$ of compute per training run: 10,000x a frontier pretraining run")
EXAMPLES = POSITIVE.upto(1e12, "training examples: 100x the largest datasets")
SEQUENCE = POSITIVE.upto(1e8, "tokens per example: 100x the longest context windows")
MODEL_SIZE = POSITIVE.upto(1e5, "billions of parameters: 100 trillion", lo=1e-4)
GPU_HOURLY = MONEY.upto(1e5, "$ per GPU-hour: 10,000x the dearest GPU")
GPUS = COUNT.upto(1e4, "GPUs per instance: more than any single machine")
INSTANCES = COUNT.upto(1e7, "instances: more than every datacenter GPU in the world")
THROUGHPUT = POSITIVE.upto(1e9, "tokens/s per instance: 10,000x a large GPU node", lo=0.1)
UTILIZATION = Domain(0.01, 1.0, "a fraction in [0.01, 1] (plan at 1% busy or more)")
BATCH = COUNT.upto(1024, "sequences decoded at once: 4x vLLM's default 256")
REPLICAS0 = COUNT0.upto(1e4, "replicas: the serving simulation plans up to 10,000")
REPLICAS = COUNT.upto(1e4, "replicas: the serving simulation plans up to 10,000")
SECONDS = NONNEG.upto(86_400, "seconds: a whole day")
STORAGE_PRICE_DOMAIN = MONEY.upto(1e3, "$ per GB-month: 40,000x object storage")
BYTES = POSITIVE.upto(64, "bytes per parameter: 8x fp64")
FTE = Domain(0.0, 1e6, "engineers in [0, 1e6] (10x the largest tech companies)")
LATENCY_MS = POSITIVE.upto(8.64e7, "milliseconds: a whole day")
LIFT = Domain(-10.0, 1.0, "a relative change in [-10, 1] (0.2: 20% fewer reviews and errors "
              "than the baseline; -0.5: 50% more)")
CUTS = Domain(0.0, 12.0, "a number of price cuts a year in [0, 12]")
CUT = Domain(0.0, 1.0, "a fraction in [0, 1)", hi_open=True)
MIGRATION = Domain(0.0, 1e9, "an amount in [0, 1e9] (a large company's whole budget)")
KV_BYTES = Domain(0.0, 1e9, "bytes in (0, 1e9] (1,000x the largest model's per token)",
                  lo_open=True)
GPU_MEMORY = Domain(0.0, 1e5, "GB in (0, 1e5] (500x the largest GPU's memory)", lo_open=True)
#: Model-FLOPs utilization (``ftrisk train-cost --mfu``): below 0.1% of the GPU's peak no run
#: ends (the hours of the FLOPs cross-check grow without bound as it nears 0).
MFU = Domain(0.001, 1.0, "a fraction in [0.001, 1] (0.1% of the GPU's peak or more)")


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
    "requests_per_day": Field(REQUESTS, None, "request volume in month 1",
                              unit="requests/day"),
    "input_tokens": Field(TOKENS, None, "input (prompt) tokens of a request",
                          unit="tokens/request"),
    "output_tokens": Field(TOKENS, None, "output tokens of a request", unit="tokens/request"),
    "monthly_growth": Field(GROWTH, 0.0, "growth of the request volume, month over month",
                            unit="fraction/month"),
    "cache_share": Field(RATE, 0.0, "share of input tokens served from a prompt cache",
                         unit="fraction"),
    "peak_to_average": Field(PEAK, 1.0, "peak-hour traffic over the daily average (capacity)",
                             unit="ratio"),
}

#: A monthly log drift: 1 would be 2.7x a month.
DRIFT = Domain(-1.0, 1.0, "a monthly log drift in [-1, 1] (e.g. 0.02 for about 2% a month)",
               why="e-fold every month")
#: Monthly volatility of the log volume.
VOLATILITY = Domain(0.0, 10.0, "a monthly volatility >= 0 (e.g. 0.1 for about 10% a month)",
                    why="22,000x up or down in a month at one standard deviation")

#: The workload key of a volume process (``[workload] volume_process = {...}``).
PROCESS_KEY = "volume_process"
#: The name of the process's shocks: their random stream, and their key among a chunk's
#: input values (a (horizon - 1, m) array).
SHOCKS = "workload.volume_process.shocks"
#: The inputs of ``[workload] volume_process`` (docs/model.md, "Workload"); its other keys,
#: ``seasonality`` or ``amplitude`` with ``peak_month``, are settings.
VOLUME_PROCESS: dict[str, Field] = {
    "drift": Field(DRIFT, 0.0, "drift of the log request volume, per month (the expected "
                   "volume grows by exp(drift) a month)", unit="1/month"),
    "volatility": Field(VOLATILITY, 0.0, "volatility of the log request volume, per month "
                        "(standard deviation of a month's log change)", unit="1/sqrt(month)"),
}

QUALITY: dict[str, Field] = {
    "review_rate": Field(RATE, 0.0, "share of requests a human reviews (a non-baseline "
                         "strategy that leaves it out: the baseline's x (1 - quality_lift))",
                         unit="fraction"),
    "cost_per_review": Field(PER_REVIEW, 0.0, "cost of one human review (default for a "
                             "non-baseline strategy: the baseline's)", unit="$/review"),
    "error_rate": Field(RATE, 0.0, "share of requests with a costly downstream error (a "
                        "non-baseline strategy that leaves it out: the baseline's x "
                        "(1 - quality_lift))", unit="fraction"),
    "cost_per_error": Field(PER_ERROR, 0.0, "cost of one downstream error (default for a "
                            "non-baseline strategy: the baseline's)", unit="$/error"),
    "quality_lift": Field(LIFT, 0.0, "relative reduction of the baseline's review and error "
                          "rates (0.2: 20% fewer; negative: more); non-baseline strategies",
                          unit="fraction of the baseline's rates"),
    "fixed_monthly_cost": Field(MONTHLY, 0.0, "other fixed costs (licences, support)",
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
    "engineering_hours": Field(HOURS, 0.0, "engineering hours to production (all phases)",
                               unit="hours"),
    "hourly_rate": Field(HOURLY_RATE, 150.0, "cost of an engineering hour (lesson: $150)",
                         unit="$/hour"),
    "build_months": Field(MONTHS0, 0.0, "months until production; the baseline runs meanwhile",
                          unit="months"),
    "model_lifetime_months": Field(
        MONTHS, 18.0, "months the project cost is amortized over in the static estimate "
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
            MONTHS, None, "months between retrainings (absent: never)", optional=True,
            unit="months"),
        "retrain_runs": Field(RUNS, runs, f"training runs a retraining redoes ({runs_help})",
                              unit="runs"),
        "retrain_engineering_share": Field(
            RATE, RETRAIN_ENGINEERING_SHARE, "share of the project's engineering a retraining "
            "redoes (lesson phases: hyperparameter search, evaluation, deployment)",
            unit="fraction"),
        "retrain_cost_fraction": Field(
            FRACTION_OF_PROJECT, None, "legacy simple form: the cost of a retraining over the "
            "project cost (instead of retrain_runs and retrain_engineering_share)", optional=True,
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
    return f"{field.domain.text}; {default}"
