"""Self-hosted fine-tuned model on rented GPUs (docs/model.md, "Monthly cost by strategy kind":
self_hosted)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.costs.project import Project
from sim.costs.quality import quality_cost_per_request
from sim.costs.retraining import Retraining
from sim.costs.workload import (
    HOURS_PER_MONTH,
    SECONDS_PER_DAY,
    PriceClock,
    Value,
    Workload,
)
from sim.serving import replica_hours_per_day


def instances_needed(tokens_per_day: Value, peak_to_average: Value, throughput: Value,
                     utilization: Value) -> Value:
    """Instances to serve the peak: ceil(peak tokens/s / (tokens/s per instance * utilization)).

    At least 1. A relative slack of 1e-9 keeps exact ratios (e.g. 2.0) from rounding up.

    Examples
    --------
    >>> float(instances_needed(10e6, 1.0, 5000.0, 0.2))  # lesson: 578 tok/s needed
    1.0
    >>> float(instances_needed(864e6, 1.0, 5000.0, 1.0))  # exactly 2 instances of load
    2.0
    """
    need = peak_to_average * tokens_per_day / SECONDS_PER_DAY / (throughput * utilization)
    return np.maximum(1.0, np.ceil(need * (1.0 - 1e-9)))


class SelfHostedKernel:
    """Monthly cost of a self-hosted model: serving + storage + MLOps + quality + fixed, and
    its one-off spend (the project over its build months, scheduled retrainings).

    Serving is ``instances(t) * gpus_per_instance * gpu_hourly * (1-d_gpu)**((t-1)/12) * 720
    * serving_hours_fraction`` (autoscaling bills fewer than 720 hours). With
    ``instances="auto"`` the count follows the volume each month (see
    :func:`instances_needed`). Storage is ``model_size_b * bytes_per_param`` GB at
    ``storage_price_per_gb_month``. Call :meth:`month` for t = 1, 2, ... in order.

    Examples
    --------
    >>> from sim.costs.workload import Workload
    >>> p = dict(gpu_hourly=2.06, instances=2.0, gpu_annual_price_drop=0.0, model_size_b=7.0,
    ...          bytes_per_param=2.0, storage_price_per_gb_month=0.023, mlops_fte=0.0,
    ...          fte_monthly_cost=0.0, review_rate=0.0, cost_per_review=0.0, error_rate=0.0,
    ...          cost_per_error=0.0, fixed_monthly_cost=0.0)
    >>> k = SelfHostedKernel(p, Workload(50_000, 500, 200))
    >>> round(float(k.month(1, 1.0)[0]), 3)  # 2 x 2.06 x 720 + 14 GB x 0.023
    2966.722
    """

    def __init__(self, p: Mapping[str, Value], w: Workload, project: Project | None = None,
                 retraining: Retraining | None = None, *, auto: bool = False,
                 curve: Any = None):
        # billed hours of one instance per month: 720 x the share of hours it runs
        self.hourly = (p["gpu_hourly"] * p.get("gpus_per_instance", 1.0) * HOURS_PER_MONTH
                       * p.get("serving_hours_fraction", 1.0))
        self.auto = auto
        self.curve = curve
        self._workload = w
        self.instances: Value = 1.0 if (auto or curve is not None) else p["instances"]
        if auto:
            self._need_per_volume = (w.peak_to_average * w.tokens_per_day / SECONDS_PER_DAY
                                     / (p["throughput_tokens_per_s"] * p["target_utilization"]))
        self.storage = p["model_size_b"] * p["bytes_per_param"] * p["storage_price_per_gb_month"]
        self.mlops = p["mlops_fte"] * p["fte_monthly_cost"]
        self.quality_cost = w.requests_per_month * quality_cost_per_request(p)
        self.fixed = p["fixed_monthly_cost"]
        self.prices = PriceClock(p["gpu_annual_price_drop"])
        self.constant = self.storage + self.mlops + self.fixed
        self.project = project
        self.retraining = retraining

    def instances_at(self, growth: Value) -> Value:
        """Instances serving month t's volume: fixed, from throughput ("auto"), or the
        average replicas of the serving simulation's capacity curve ("simulated")."""
        if self.curve is not None:
            w = self._workload
            hours = replica_hours_per_day(self.curve, w.requests_per_day * growth,
                                          input_tokens=w.input_tokens,
                                          output_tokens=w.output_tokens)
            return hours / 24.0
        if not self.auto:
            return self.instances
        return np.maximum(1.0, np.ceil(self._need_per_volume * growth * (1.0 - 1e-9)))

    def serving(self, growth: Value) -> Value:
        """Serving cost at the current GPU price for the given volume factor."""
        return self.instances_at(growth) * self.hourly * self.prices.factor

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, as the lesson's static calculation uses them."""
        return {"run": self.instances_at(1.0) * self.hourly, "storage": self.storage,
                "mlops": self.mlops, "quality": self.quality_cost, "fixed": self.fixed}

    def month(self, t: int, growth: Value) -> tuple[Value, Value]:
        """Run cost and one-off spend of month t, given the volume factor ``(1+g)**(t-1)``."""
        self.prices.step(t)
        run = self.serving(growth) + growth * self.quality_cost + self.constant
        spend: Value = 0.0 if self.project is None else self.project.spend(t)
        r = self.retraining
        if r is not None:
            spend = spend + r.spend(t, r.happens(t))
        return run, spend
