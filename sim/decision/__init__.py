"""Decision analysis: which unknown drives the answer, what learning it is worth, and where
the decision flips (docs/model.md, "Summaries and decisions" and "Sensitivity").

Examples
--------
>>> from sim import load_study  # doctest: +SKIP
>>> from sim.decision import classic_tornado, simulate, value_of_information  # doctest: +SKIP
>>> study = load_study("studies/customer_support.toml")  # doctest: +SKIP
>>> classic_tornado(study).table("self_hosted_7b", top=5)  # doctest: +SKIP
>>> value_of_information(simulate(study)).sentences()  # doctest: +SKIP
"""

from sim.decision.actuals import (
    CheckResult,
    Observation,
    check_actuals,
    crps_ensemble,
    synthetic_actuals,
    weighted_quantile,
)
from sim.decision.analysis import (
    BREAK_EVEN_PARAM,
    DecisionAnalysis,
    analyze,
    break_even_values,
    focus_strategy,
)
from sim.decision.compare import Comparison, compare, recommend
from sim.decision.correlation import rank_correlations
from sim.decision.metrics import Metric, check_criterion, parse_metric
from sim.decision.samples import (
    SampleSet,
    check_strategies,
    decision_set,
    load_samples,
    simulate,
)
from sim.decision.screen import Screening, should_fine_tune
from sim.decision.sobol import SobolIndices, SobolResult, sobol_analysis, sobol_estimate
from sim.decision.sweep import Sweep, parse_values, sweep
from sim.decision.tornado import Tornado, classic_tornado, sample_tornado
from sim.decision.voi import (
    Estimate,
    ValueOfInformation,
    default_groups,
    evpi,
    evppi_bins,
    evppi_regression,
    value_of_information,
)

__all__ = [
    "BREAK_EVEN_PARAM",
    "CheckResult",
    "Comparison",
    "DecisionAnalysis",
    "Estimate",
    "Metric",
    "Observation",
    "SampleSet",
    "Screening",
    "SobolIndices",
    "SobolResult",
    "Sweep",
    "Tornado",
    "ValueOfInformation",
    "analyze",
    "break_even_values",
    "check_actuals",
    "check_criterion",
    "check_strategies",
    "classic_tornado",
    "compare",
    "crps_ensemble",
    "decision_set",
    "default_groups",
    "evpi",
    "evppi_bins",
    "evppi_regression",
    "focus_strategy",
    "load_samples",
    "parse_metric",
    "parse_values",
    "rank_correlations",
    "recommend",
    "sample_tornado",
    "should_fine_tune",
    "simulate",
    "sobol_analysis",
    "sobol_estimate",
    "sweep",
    "synthetic_actuals",
    "value_of_information",
    "weighted_quantile",
]
