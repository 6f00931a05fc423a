"""Month-by-month cost paths: each strategy's monthly cost and the volume, per sample.

:func:`evaluate` folds the months into NPV and payback as it goes; forecasts compared with
bills (``ftrisk check``) and the finance workbook (``ftrisk run --xlsx``) need the months
themselves. :func:`monthly_paths` runs the same compiled model
(:func:`sim.costs.fused.simulate`) asking it to write each month's cost (so its costs are the
ones NPV and payback are computed from: a test checks that discounting its net savings gives
:func:`evaluate`'s NPV), returning arrays of shape (H, m). :func:`forecast_paths` draws the
study's own samples (its plan and seed) for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.costs.build import pack_study
from sim.costs.workload import Value
from sim.runner.model import discount_factors
from sim.runner.runner import input_values, sampling_plan
from sim.study import Study

__all__ = ["MonthlyPaths", "forecast_paths", "monthly_paths"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MonthlyPaths:
    """Monthly costs and volume of ``m`` samples over months 1..H.

    Attributes
    ----------
    cost : dict of str to ndarray, shape (H, m)
        Each compared strategy's total cost in each month, as the model counts it: the
        baseline's run cost; for another strategy the baseline's cost while it is being
        built, then its own run cost, plus the month's project or retraining spend.
    requests_per_day : ndarray, shape (H, m)
        Requests per day in each month, ``V0 (1 + g) ** (t - 1)``.
    """

    cost: dict[str, FloatArray]
    requests_per_day: FloatArray

    @property
    def horizon(self) -> int:
        """Number of months H."""
        return int(self.requests_per_day.shape[0])

    def net_saving(self, strategy: str, baseline: str) -> FloatArray:
        """Baseline cost minus the strategy's, by month, shape (H, m)."""
        return self.cost[baseline] - self.cost[strategy]


def monthly_paths(study: Study, values: Mapping[str, Value], m: int, *,
                  months: int | None = None) -> MonthlyPaths:
    """Monthly cost of every compared strategy and the volume, for ``m`` samples.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping
        Every input path to a float (fixed) or an array of length ``m``.
    m : int
        Number of samples.
    months : int, optional
        Compute months 1..``months`` only (default: the horizon).

    Returns
    -------
    MonthlyPaths

    Examples
    --------
    The lesson's example at its fixed inputs: GPT-4o at 50,000 requests/day of 500 + 200
    tokens is $8,250 of tokens plus 2% reviewed at $5 ($150,000), every month:

    >>> from sim.study import study_from_dict
    >>> from sim.runner.point import median_values
    >>> study = study_from_dict({"study": {"baseline": "api"}, "workload": {
    ...     "requests_per_day": 50_000, "input_tokens": 500, "output_tokens": 200},
    ...     "strategies": {"api": {"kind": "api", "input_price": 5.0, "output_price": 15.0,
    ...                            "review_rate": 0.02, "cost_per_review": 5.0}}})
    >>> p = monthly_paths(study, median_values(study), 1, months=3)
    >>> p.cost["api"][:, 0].tolist(), p.requests_per_day[:, 0].tolist()
    ([158250.0, 158250.0, 158250.0], [50000.0, 50000.0, 50000.0])
    """
    horizon = study.horizon_months if months is None else months
    if not 1 <= horizon <= study.horizon_months:
        raise ValueError(f"months={months} must be between 1 and the horizon "
                         f"({study.horizon_months})")
    packed, _ = pack_study(study, values, m)
    compared = study.compared()
    o = packed.simulate(horizon=study.horizon_months,
                        disc=discount_factors(study.discount_rate, study.horizon_months),
                        months=horizon, paths=True)
    paths, volume = o.paths, o.volume
    return MonthlyPaths({n: paths[i] for i, n in enumerate(compared)}, volume)


def forecast_paths(study: Study, *, samples: int | None = None, months: int | None = None,
                   chunk_size: int = 32768) -> tuple[dict[str, Value], MonthlyPaths]:
    """The study's own samples (its plan, seed and sample count) and their monthly paths.

    Sample i is the same joint draw as in ``ftrisk run`` of the same study.

    Parameters
    ----------
    study : Study
        The study.
    samples : int, optional
        Sample count (default: the study's).
    months : int, optional
        Months 1..``months`` (default: the horizon).
    chunk_size : int
        Samples per model call; results do not depend on it.

    Returns
    -------
    (dict of str to ndarray, MonthlyPaths)
        Every input's values (arrays of length n; fixed inputs as floats) and the paths.
    """
    if samples is not None:
        study = study.replace(samples=samples)
    plan = sampling_plan(study)
    n = study.samples
    values: dict[str, Value] = {}
    uncertain = [i.path for i in study.uncertain_inputs()]
    for inp in study.inputs():
        values[inp.path] = np.empty(n) if inp.uncertain else float(inp.dist.mean)
    parts: list[MonthlyPaths] = []
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        chunk = input_values(study, plan.rows(start, stop))
        for path in uncertain:
            values[path][start:stop] = chunk[path]  # type: ignore[index]
        parts.append(monthly_paths(study, chunk, stop - start, months=months))
    paths = MonthlyPaths({s: np.concatenate([p.cost[s] for p in parts], axis=1)
                          for s in parts[0].cost},
                         np.concatenate([p.requests_per_day for p in parts], axis=1))
    return values, paths
