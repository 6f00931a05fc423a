"""The static point estimate: the lesson's ``compute_roi`` at the inputs' medians
(docs/model.md, "The static point estimate").

This is what a spreadsheet says: month-1 costs with no growth, no price decline and no
build months; payback = project cost / monthly saving without amortization. ftrisk shows it
beside the Monte Carlo distribution ("the spreadsheet says 6 months; P(<= 12) = 0.58").
Figures keep full precision (summary.json carries them so); the terminal and the report
round them as the lesson does (payback to 0.1 month, :func:`sim.display.months`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.costs.build import build_kernels, section
from sim.costs.workload import DAYS_PER_MONTH
from sim.study import Study


def median_values(study: Study) -> dict[str, float]:
    """Every input at its median (fixed inputs at their value)."""
    return {i.path: i.dist.median for i in study.inputs()}


def point_estimate(study: Study, values: Mapping[str, float] | None = None
                   ) -> dict[str, dict[str, Any]]:
    """The lesson's static ROI figures for every strategy against the baseline.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping, optional
        Input values to use; default: every input's median.

    Returns
    -------
    dict
        Per strategy: ``monthly_api_cost`` (the baseline's run cost), ``monthly_serving_cost``
        (this strategy's run cost: GPUs or tokens), ``monthly_storage_cost``,
        ``monthly_amortized_project_cost``, ``monthly_quality_cost_delta``,
        ``monthly_other_cost_delta`` (fixed monthly costs vs the baseline's),
        ``monthly_ft_total``, ``monthly_savings``, ``monthly_mlops_cost_delta`` (MLOps vs the
        baseline's: the lesson's sheet leaves it out, so it is NOT in the total, the savings
        or the payback; the decomposition adds it), ``total_project_cost``, ``compute_cost``,
        ``engineering_cost``, ``payback_months`` (project cost / monthly saving without
        amortization, or ``"never"`` when that saving is <= 0; None for the baseline),
        ``break_even_tokens_per_day`` and ``is_above_break_even`` (self-hosted only),
        ``current_daily_tokens``. Unrounded: the lesson rounds money to cents, payback to
        0.1 month and tokens down to a whole number; round only to show.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> point_estimate(load_study("studies/lesson_parity.toml"))["self_hosted_7b"][
    ...     "payback_months"]  # doctest: +SKIP
    2.857...
    """
    vals = dict(values) if values is not None else median_values(study)
    w, kernels = build_kernels(study, vals)
    daily_tokens = float(w.tokens_per_day)
    base = kernels[study.baseline].static_costs()
    api = float(base["run"])
    out: dict[str, dict[str, Any]] = {}
    for s in (study.strategies[n] for n in study.compared()):
        k = kernels[s.name].static_costs()
        serving, storage = float(k["run"]), float(k["storage"])
        quality = float(k["quality"] - base["quality"])
        other = float(k["fixed"] - base["fixed"] - base["storage"])
        mlops = float(k["mlops"] - base["mlops"])
        if s.is_baseline:
            project = compute = engineering = 0.0
            lifetime = 1.0
        else:
            project = float(kernels[s.name].project.cost)
            engineering = float(kernels[s.name].project.engineering)
            compute = project - engineering
            lifetime = float(section(vals, f"strategies.{s.name}")["model_lifetime_months"])
        amortized = project / lifetime
        ft_total = serving + storage + amortized + quality + other
        no_amort = api - (serving + storage + quality + other)
        payback: float | str | None
        if s.is_baseline:
            payback = None
        elif no_amort > 0:
            payback = project / no_amort
        else:
            payback = "never"
        fig: dict[str, Any] = {
            "monthly_api_cost": api,
            "monthly_serving_cost": serving,
            "monthly_storage_cost": storage,
            "monthly_amortized_project_cost": amortized,
            "monthly_quality_cost_delta": quality,
            "monthly_other_cost_delta": other,
            "monthly_ft_total": ft_total,
            "monthly_savings": api - ft_total,
            "monthly_mlops_cost_delta": mlops,
            "total_project_cost": project,
            "compute_cost": compute,
            "engineering_cost": engineering,
            "payback_months": payback,
            "current_daily_tokens": daily_tokens,
        }
        if s.kind_spec.gpu_serving and api > 0 and daily_tokens > 0:
            # lesson: fixed serving + storage divided by the baseline's blended $/token
            price_per_token = api / (daily_tokens * DAYS_PER_MONTH)
            be = (serving + storage) / price_per_token / DAYS_PER_MONTH
            fig["break_even_tokens_per_day"] = be
            fig["is_above_break_even"] = daily_tokens >= be
        out[s.name] = fig
    return out
