"""Decision analysis: which unknown drives the answer, what learning it is worth, and where
the decision flips (docs/model.md, "Summaries and decisions" and "Sensitivity").

Examples
--------
>>> from sim import load_study  # doctest: +SKIP
>>> from sim.decision import classic_tornado, simulate, value_of_information  # doctest: +SKIP
>>> study = load_study("studies/customer_support.toml")  # doctest: +SKIP
>>> classic_tornado(study).table("self_hosted_7b", top=5)  # doctest: +SKIP
>>> value_of_information(simulate(study)).sentences()  # doctest: +SKIP

Every name is imported on first use (PEP 562): ``ftrisk run`` needs the analyses of its
report, not the actuals check, goal seeking, stress tests or precision control.
"""

import typing

from sim.lazy import keep_functions as _keep_functions
from sim.lazy import lazy_names as _lazy_names

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
    "sample_columns",
    "sample_tornado",
    "samples_of",
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

#: Each name with the module it lives in: imported on first use.
_LAZY = {
    "CheckResult": "sim.decision.actuals",
    "Observation": "sim.decision.actuals",
    "check_actuals": "sim.decision.actuals",
    "crps_ensemble": "sim.decision.actuals",
    "synthetic_actuals": "sim.decision.actuals",
    "weighted_quantile": "sim.decision.actuals",
    "BREAK_EVEN_PARAM": "sim.decision.analysis",
    "DecisionAnalysis": "sim.decision.analysis",
    "analyze": "sim.decision.analysis",
    "break_even_values": "sim.decision.analysis",
    "focus_strategy": "sim.decision.analysis",
    "release_memory": "sim.decision.analysis",
    "Comparison": "sim.decision.compare",
    "compare": "sim.decision.compare",
    "recommend": "sim.decision.compare",
    "rank_correlations": "sim.decision.correlation",
    "Draws": "sim.decision.crn",
    "simulate_altered": "sim.decision.crn",
    "Goal": "sim.decision.goal_seek",
    "GoalSeek": "sim.decision.goal_seek",
    "goal_seek": "sim.decision.goal_seek",
    "parse_goal": "sim.decision.goal_seek",
    "Knob": "sim.decision.knob",
    "knob": "sim.decision.knob",
    "Metric": "sim.decision.metrics",
    "check_criterion": "sim.decision.metrics",
    "parse_metric": "sim.decision.metrics",
    "PilotValue": "sim.decision.pilot",
    "default_informs": "sim.decision.pilot",
    "evsi": "sim.decision.pilot",
    "pilot_rate": "sim.decision.pilot",
    "pilot_value": "sim.decision.pilot",
    "PrecisionPlan": "sim.decision.precision",
    "PrecisionTarget": "sim.decision.precision",
    "parse_target_se": "sim.decision.precision",
    "plan_samples": "sim.decision.precision",
    "reached_in": "sim.decision.precision",
    "reported_strategies": "sim.decision.precision",
    "SampleSet": "sim.decision.samples",
    "check_strategies": "sim.decision.samples",
    "decision_set": "sim.decision.samples",
    "load_samples": "sim.decision.samples",
    "sample_columns": "sim.decision.samples",
    "samples_of": "sim.decision.samples",
    "simulate": "sim.decision.samples",
    "Screening": "sim.decision.screen",
    "should_fine_tune": "sim.decision.screen",
    "GaussianCopula": "sim.decision.shapley",
    "ShapleyEstimate": "sim.decision.shapley",
    "ShapleyResult": "sim.decision.shapley",
    "closed_subset_variance": "sim.decision.shapley",
    "exact_linear_gaussian": "sim.decision.shapley",
    "shapley_analysis": "sim.decision.shapley",
    "shapley_effects": "sim.decision.shapley",
    "SobolIndices": "sim.decision.sobol",
    "SobolResult": "sim.decision.sobol",
    "largest_sobol_n": "sim.decision.sobol",
    "sobol_analysis": "sim.decision.sobol",
    "sobol_bytes": "sim.decision.sobol",
    "sobol_estimate": "sim.decision.sobol",
    "Stress": "sim.decision.stress",
    "StressResult": "sim.decision.stress",
    "default_stresses": "sim.decision.stress",
    "parse_stress": "sim.decision.stress",
    "stress_runs": "sim.decision.stress",
    "Sweep": "sim.decision.sweep",
    "crossing_interval": "sim.decision.sweep",
    "parse_values": "sim.decision.sweep",
    "sweep": "sim.decision.sweep",
    "BreakEvenMap": "sim.decision.sweep_map",
    "sweep_map": "sim.decision.sweep_map",
    "TailDrivers": "sim.decision.tail",
    "ks_distance": "sim.decision.tail",
    "tail_drivers": "sim.decision.tail",
    "Tornado": "sim.decision.tornado",
    "classic_tornado": "sim.decision.tornado",
    "sample_tornado": "sim.decision.tornado",
    "Estimate": "sim.decision.voi",
    "ValueOfInformation": "sim.decision.voi",
    "default_groups": "sim.decision.voi",
    "evpi": "sim.decision.voi",
    "evppi_bins": "sim.decision.voi",
    "evppi_regression": "sim.decision.voi",
    "value_of_information": "sim.decision.voi",
    "voi_summary": "sim.decision.voi_summary",
}

if typing.TYPE_CHECKING:
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
        sample_columns,
        samples_of,
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
    from sim.decision.stress import (
        Stress,
        StressResult,
        default_stresses,
        parse_stress,
        stress_runs,
    )
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


__getattr__, __dir__ = _lazy_names("sim.decision", _LAZY, globals())

#: Public functions named like the submodule they live in (sim.decision.sweep.sweep, ...).
_SHADOWED = ("compare", "goal_seek", "knob", "sweep", "sweep_map", "voi_summary")

_keep_functions(__name__, _SHADOWED)
