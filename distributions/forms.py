"""Every way a study value can be written, with what it means and an example of each.

The reference of the study-file format (``docs/study-file.md``) is generated from
:data:`VALUE_FORMS`, and the tests parse every example with :func:`~distributions.parse`,
so the documented forms and the parser cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VALUE_FORMS", "ValueForm"]


@dataclass(frozen=True)
class ValueForm:
    """One way of writing a study value.

    Attributes
    ----------
    family : str
        The family key of the distribution table (a key of
        :data:`~distributions.parse.FAMILIES`); ``""`` for a plain number or an interval
        string, ``"truncate"`` for the truncation key that goes beside any family.
    syntax : str
        The form, as written in TOML.
    meaning : str
        What it states, with its probability convention.
    example : str
        A TOML line using it, e.g. ``training_runs = { uniform_int = [5, 15] }``.

    Examples
    --------
    >>> VALUE_FORMS[0].example
    'input_tokens = 500'
    """

    family: str
    syntax: str
    meaning: str
    example: str


VALUE_FORMS: tuple[ValueForm, ...] = (
    ValueForm("", "500", "a number: known exactly", "input_tokens = 500"),
    ValueForm("", '"a to b"', "a 90% interval: 5% of the mass below a, 5% above b; lognormal "
              "when a > 0, else normal", 'requests_per_day = "3000 to 8000"'),
    ValueForm("", '"3k to 8k", "20% to 60%", "1_000 to 5,000"', "the same, with thousands "
              "(k), millions (M), percentages (%) or digit separators",
              'annual_price_drop = "20% to 60%"'),
    ValueForm("fixed", "{ fixed = x }", "known exactly, written as a table",
              "gpu_hourly = { fixed = 1.03 }"),
    ValueForm("uniform", "{ uniform = [lo, hi] }", "every value between lo and hi equally likely",
              "annual_price_drop = { uniform = [0.2, 0.6] }"),
    ValueForm("uniform_int", "{ uniform_int = [lo, hi] }", "every whole number from lo to hi "
              "(both included) equally likely", "training_runs = { uniform_int = [5, 15] }"),
    ValueForm("triangular", "{ triangular = [min, mode, max] }", "triangular: a straight rise "
              "from min to the mode and fall to max",
              "engineering_hours = { triangular = [76, 120, 188] }"),
    ValueForm("pert", "{ pert = [min, mode, max] }", "beta-PERT (lambda 4): smoother than the "
              "triangle, mean (min + 4 mode + max) / 6",
              "engineering_hours = { pert = [76, 120, 188] }"),
    ValueForm("pert", "{ pert = { min, mode, max, lambda } }", "beta-PERT with another weight "
              "on the mode (larger: narrower)",
              "engineering_hours = { pert = { min = 76, mode = 120, max = 188, lambda = 6 } }"),
    ValueForm("normal", "{ normal = { mean, sd } }", "normal",
              "monthly_growth = { normal = { mean = 0.02, sd = 0.02 } }"),
    ValueForm("normal", "{ normal = { p10, p90 } }", "normal with 10% below p10 and 10% above "
              "p90", "monthly_growth = { normal = { p10 = 0.0, p90 = 0.04 } }"),
    ValueForm("normal", "{ normal = { mean, sd, min, max } }", "normal cut to [min, max] and "
              "renormalised (either bound may be left out)",
              "monthly_growth = { normal = { mean = 0.02, sd = 0.03, min = 0 } }"),
    ValueForm("lognormal", "{ lognormal = { p10, p90 } }", "lognormal with 10% below p10 and "
              "10% above p90", "requests_per_day = { lognormal = { p10 = 3000, p90 = 8000 } }"),
    ValueForm("lognormal", "{ lognormal = { median, p90 } }", "lognormal by its median and "
              "its 90th percentile",
              "requests_per_day = { lognormal = { median = 5000, p90 = 8000 } }"),
    ValueForm("lognormal", "{ lognormal = { mean, sd } }", "lognormal by its mean and standard "
              "deviation", "cost_per_error = { lognormal = { mean = 40, sd = 25 } }"),
    ValueForm("lognormal", "{ lognormal = { mu, sigma } }", "lognormal by the mean and standard "
              "deviation of the logarithm", "cost_per_error = { lognormal = { mu = 3.5, "
              "sigma = 0.6 } }"),
    ValueForm("beta", "{ beta = { mean, sd } }", "beta on [0, 1] by its mean and standard "
              "deviation: the family for rates",
              "review_rate = { beta = { mean = 0.05, sd = 0.01 } }"),
    ValueForm("beta", "{ beta = { a, b } }", "beta by its shape parameters",
              "review_rate = { beta = { a = 2, b = 38 } }"),
    ValueForm("beta", "{ beta = { mean, sd, min, max } }", "beta stretched to [min, max] (also "
              "with a, b)", "target_utilization = { beta = { mean = 0.6, sd = 0.1, min = 0.3, "
              "max = 0.9 } }"),
    ValueForm("gamma", "{ gamma = { mean, sd } }", "gamma by its mean and standard deviation",
              "cost_per_review = { gamma = { mean = 5, sd = 2 } }"),
    ValueForm("gamma", "{ gamma = { shape, scale } }", "gamma by its shape and scale",
              "cost_per_review = { gamma = { shape = 6.25, scale = 0.8 } }"),
    ValueForm("bernoulli", "{ bernoulli = p }", "1 with probability p, else 0",
              "mlops_fte = { bernoulli = 0.5 }"),
    ValueForm("discrete", "{ discrete = { values, weights } }", "one of the values, with "
              "probabilities proportional to the weights (equal when left out)",
              "instances = { discrete = { values = [1, 2, 4], weights = [0.2, 0.5, 0.3] } }"),
    ValueForm("empirical", "{ empirical = [observations] }", "the observations' distribution, "
              "interpolated between them (also { values = [...] })",
              "engineering_hours = { empirical = [96, 120, 135, 150, 188] }"),
    ValueForm("empirical", '{ empirical = { file, column } }', "observations from a CSV, TSV "
              "or parquet file (relative to the study file's folder) with a header row",
              'engineering_hours = { empirical = { file = "data/hours.csv", column = "hours" } }'),
    ValueForm("empirical", '{ empirical = { ..., method = "resample" } }', "draw the "
              "observations themselves, without interpolating",
              'engineering_hours = { empirical = { values = [96, 120, 188], '
              'method = "resample" } }'),
    ValueForm("quantiles", "{ quantiles = { p10, p50, p90 } }", "passes exactly through the "
              "three quantiles (log scale when p10 > 0; log = false for normal tails)",
              "requests_per_day = { quantiles = { p10 = 3000, p50 = 4500, p90 = 8000 } }"),
    ValueForm("truncate", "{ <family> = ..., truncate = [lo, hi] }", "any continuous family cut "
              "to [lo, hi] and renormalised (inf for an open end)",
              "cost_per_error = { lognormal = { p10 = 1, p90 = 9 }, truncate = [0, 5] }"),
)
