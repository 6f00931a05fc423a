"""Rank correlations of every uncertain input with an output (docs/model.md, "Sensitivity")."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from distributions import average_ranks
from sim.decision.metrics import Metric, parse_metric
from sim.decision.samples import SampleSet, check_strategies


def rank_correlations(samples: SampleSet, *, metric: str | Metric = "npv",
                      strategies: Sequence[str] | None = None) -> pl.DataFrame:
    """Spearman rank correlation of each uncertain input with the metric, per strategy.

    Ties get average ranks (so a 0/1 payback indicator works). An output that does not
    vary gets correlation 0. ``se`` is the large-sample standard error ``(1 - rho^2) /
    sqrt(n - 3)`` (Fisher), a guide to which correlations are noise. Only the inputs a
    strategy is computed from (:meth:`~sim.study.Study.inputs_of`) are listed for it.

    Returns
    -------
    polars.DataFrame
        ``strategy, input, spearman, se``, sorted by ``|spearman|`` within each strategy.

    Examples
    --------
    >>> rank_correlations(simulate(study), metric="payback_within:12")  # doctest: +SKIP
    """
    study = samples.study
    m = parse_metric(metric, horizon=study.horizon_months)
    names = check_strategies(study, strategies)
    n = samples.n
    rx = samples.ranks - (n + 1) / 2.0
    sx = np.sqrt((rx * rx).sum(axis=1))
    rows: dict[str, list[object]] = {"strategy": [], "input": [], "spearman": [], "se": []}
    for s in names:
        ry = average_ranks(samples.output(s, m))[0] - (n + 1) / 2.0
        sy = math.sqrt(float(ry @ ry))
        denom = sx * sy
        rho = np.divide(rx @ ry, denom, out=np.zeros(len(samples.names)), where=denom > 0)
        se = (1 - rho * rho) / math.sqrt(max(n - 3, 1))
        enters = {i.path for i in study.inputs_of(s)}
        for path, r, e in zip(samples.names, rho, se, strict=True):
            if path not in enters:
                continue
            rows["strategy"].append(s)
            rows["input"].append(path)
            rows["spearman"].append(float(r))
            rows["se"].append(float(e))
    order = {s: i for i, s in enumerate(names)}
    return (pl.DataFrame(rows, schema={"strategy": pl.String, "input": pl.String,
                                       "spearman": pl.Float64, "se": pl.Float64})
            .with_columns(_o=pl.col("strategy").replace_strict(order, default=0),
                          _a=pl.col("spearman").abs())
            .sort(["_o", "_a"], descending=[False, True], maintain_order=True)
            .drop("_o", "_a"))
