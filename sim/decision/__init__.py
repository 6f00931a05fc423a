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
    release_memory,
)
from sim.decision.compare import Comparison, compare, recommend
from sim.decision.correlation import rank_correlations
from sim.decision.crn import Draws, simulate_altered
from sim.decision.goal_seek import Goal, GoalSeek, goal_seek, parse_goal
from sim.decision.knob import Knob, knob
from sim.decision.metrics import Metric, check_criterion, parse_metric
from sim.decision.pilot import PilotValue, default_informs, evsi, pilot_rate, pilot_value
from sim.decision.precision import (
    PrecisionPlan,
    PrecisionTarget,
    parse_target_se,
    plan_samples,
    reached_in,
    reported_strategies,
)
from sim.decision.samples import (
    SampleSet,
    check_strategies,
    decision_set,
    load_samples,
    simulate,
)
from sim.decision.screen import Screening, should_fine_tune
from sim.decision.shapley import (
    GaussianCopula,
    ShapleyEstimate,
    ShapleyResult,
    closed_subset_variance,
    exact_linear_gaussian,
    shapley_analysis,
    shapley_effects,
)
from sim.decision.sobol import (
    SobolIndices,
    SobolResult,
    largest_sobol_n,
    sobol_analysis,
    sobol_bytes,
    sobol_estimate,
)
from sim.decision.stress import Stress, StressResult, default_stresses, parse_stress, stress_runs
from sim.decision.sweep import Sweep, crossing_interval, parse_values, sweep
from sim.decision.sweep_map import BreakEvenMap, sweep_map
from sim.decision.tail import TailDrivers, ks_distance, tail_drivers
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
from sim.decision.voi_summary import voi_summary

__all__ = [
    "BREAK_EVEN_PARAM",
    "BreakEvenMap",
    "CheckResult",
    "Comparison",
    "DecisionAnalysis",
    "Draws",
    "Estimate",
    "GaussianCopula",
    "Goal",
    "GoalSeek",
    "Knob",
    "Metric",
    "Observation",
    "PilotValue",
    "PrecisionPlan",
    "PrecisionTarget",
    "SampleSet",
    "Screening",
    "ShapleyEstimate",
    "ShapleyResult",
    "SobolIndices",
    "SobolResult",
    "Stress",
    "StressResult",
    "Sweep",
    "TailDrivers",
    "Tornado",
    "ValueOfInformation",
    "analyze",
    "break_even_values",
    "check_actuals",
    "check_criterion",
    "check_strategies",
    "classic_tornado",
    "closed_subset_variance",
    "compare",
    "crossing_interval",
    "crps_ensemble",
    "decision_set",
    "default_groups",
    "default_informs",
    "default_stresses",
    "evpi",
    "evppi_bins",
    "evppi_regression",
    "evsi",
    "exact_linear_gaussian",
    "focus_strategy",
    "goal_seek",
    "knob",
    "ks_distance",
    "largest_sobol_n",
    "load_samples",
    "parse_goal",
    "parse_metric",
    "parse_stress",
    "parse_target_se",
    "parse_values",
    "pilot_rate",
    "pilot_value",
    "plan_samples",
    "rank_correlations",
    "reached_in",
    "recommend",
    "release_memory",
    "reported_strategies",
    "sample_tornado",
    "shapley_analysis",
    "shapley_effects",
    "should_fine_tune",
    "simulate",
    "simulate_altered",
    "sobol_analysis",
    "sobol_bytes",
    "sobol_estimate",
    "stress_runs",
    "sweep",
    "sweep_map",
    "synthetic_actuals",
    "tail_drivers",
    "value_of_information",
    "voi_summary",
    "weighted_quantile",
]
