"""Self-hosted fine-tuned model on rented GPUs (docs/model.md, "Monthly cost by strategy kind":
self_hosted)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.costs.arena import add, div, mul, over, power
from sim.costs.fused import instances_many, round_up_many
from sim.costs.pack import Component, project_slots
from sim.costs.project import Project
from sim.costs.quality import quality_cost_per_request
from sim.costs.retraining import Retraining
from sim.costs.slots import (
    CONST,
    F_KIND,
    F_MODE,
    FIXED,
    GPU_MONTHLY,
    HOURLY,
    NEED,
    PER_REQUEST,
    QUALITY,
    RPD,
    SELF_HOSTED,
    WORK,
)
from sim.costs.workload import HOURS_PER_MONTH, SECONDS_PER_DAY, Value, Workload


def instances_needed(tokens_per_day: Value, peak_to_average: Value, throughput: Value,
                     utilization: Value) -> Value:
    """Instances to serve the peak: ceil(peak tokens/s / (tokens/s per instance * utilization)).

    At least 1. A relative slack of 1e-9 keeps exact ratios (e.g. 2.0) from rounding up
    (:func:`sim.costs.fused.round_up`, the rule the month loop applies).

    Examples
    --------
    >>> float(instances_needed(10e6, 1.0, 5000.0, 0.2))  # lesson: 578 tok/s needed
    1.0
    >>> float(instances_needed(864e6, 1.0, 5000.0, 1.0))  # exactly 2 instances of load
    2.0
    """
    need = peak_to_average * tokens_per_day / SECONDS_PER_DAY / (throughput * utilization)
    return round_up_many(need)


#: How instances are counted: a number, sized for the peak, or the serving simulation.
FIXED_COUNT, AUTO, SIMULATED = 0, 1, 2


class SelfHostedKernel:
    """Monthly cost of a self-hosted model: serving + storage + MLOps + quality + fixed, and
    its one-off spend (the project over its build months, scheduled retrainings): its
    coefficients.

    Serving is ``instances(t) * gpus_per_instance * gpu_hourly * (1-d_gpu)**((t-1)/12) * 720
    * serving_hours_fraction`` (autoscaling bills fewer than 720 hours). With
    ``instances="auto"`` the count follows the volume each month (see
    :func:`instances_needed`). Storage is ``model_size_b * bytes_per_param`` GB at
    ``storage_price_per_gb_month``. The month loop is
    :func:`sim.costs.fused.self_hosted_months`.

    Examples
    --------
    >>> from sim.costs.workload import Workload
    >>> p = dict(gpu_hourly=2.06, instances=2.0, gpu_annual_price_drop=0.0, model_size_b=7.0,
    ...          bytes_per_param=2.0, storage_price_per_gb_month=0.023, mlops_fte=0.0,
    ...          fte_monthly_cost=0.0, review_rate=0.0, cost_per_review=0.0, error_rate=0.0,
    ...          cost_per_error=0.0, fixed_monthly_cost=0.0)
    >>> k = SelfHostedKernel(p, Workload(50_000, 500, 200))
    >>> round(float(k.component().months(1)[0][0]), 3)  # 2 x 2.06 x 720 + 14 GB x 0.023
    2966.722
    """

    def __init__(self, p: Mapping[str, Value], w: Workload, project: Project | None = None,
                 retraining: Retraining | None = None, *, auto: bool = False,
                 curve: Any = None):
        # billed hours of one instance per month: 720 x the share of hours it runs
        self.hourly = (p["gpu_hourly"] * p.get("gpus_per_instance", 1.0) * HOURS_PER_MONTH
                       * p.get("serving_hours_fraction", 1.0))
        self.mode = SIMULATED if curve is not None else (AUTO if auto else FIXED_COUNT)
        self.curve = curve
        self.instances: Value = 1.0 if self.mode != FIXED_COUNT else p["instances"]
        #: per-instance throughput at the target utilization ("auto")
        self._auto = auto
        self._capacity: Value = (p["throughput_tokens_per_s"] * p["target_utilization"]
                                 if auto else 0.0)
        self._quality_per_request = quality_cost_per_request(p)
        self._serve(w)
        self.storage = p["model_size_b"] * p["bytes_per_param"] * p["storage_price_per_gb_month"]
        self.mlops = p["mlops_fte"] * p["fte_monthly_cost"]
        self.fixed = p["fixed_monthly_cost"]
        #: the GPU price's month-over-month factor (1 - d_gpu) ** (1 / 12)
        self.gpu_monthly = power(1.0 - p["gpu_annual_price_drop"], 1.0 / 12.0)
        self.constant = add(self.storage + self.mlops, self.fixed)
        self.project = project
        self.retraining = retraining

    def _serve(self, w: Workload) -> None:
        """The terms that depend on the workload served."""
        self._workload = w
        self._need_per_volume: Value = 0.0
        if self._auto:
            t = w.peak_to_average * w.tokens_per_day
            self._need_per_volume = div(over(np.true_divide, t, SECONDS_PER_DAY, t),
                                        self._capacity)
        self._work: Value = 1.0
        self._per_request = 1.0
        if self.curve is not None:
            # a sample's volume is read at the volume doing the same work
            # (sim.serving.curve.replica_hours_per_day)
            self._work = self.curve.config.rates.work_s(w.input_tokens, w.output_tokens)
            self._per_request = self.curve.work_per_request_s
        self.quality_cost = mul(w.requests_per_month, self._quality_per_request)

    def on(self, w: Workload) -> SelfHostedKernel:
        """The same strategy serving ``w`` (a routing part's share of the volume): the same
        numbers as a kernel built on ``w``, without recomputing what does not depend on
        it."""
        k = copy.copy(self)
        k._serve(w)
        return k

    def instances_at(self, growth: Value) -> Value:
        """Instances serving a month of volume factor ``growth``: fixed, from throughput
        ("auto"), or the average replicas of the serving simulation's capacity curve
        ("simulated"), by the month loop's rule (:func:`sim.costs.fused.instances`)."""
        w = self._workload
        arrays = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (
            self.instances, self._need_per_volume, w.requests_per_day, self._work,
            self._per_request, growth)))
        xp, fp = self._curve_arrays()
        out = instances_many(self.mode, *(np.ascontiguousarray(a).ravel() for a in arrays),
                             xp, fp).reshape(arrays[0].shape)
        return float(out) if out.ndim == 0 else out

    def _curve_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self.curve is None:
            return np.zeros(1), np.zeros(1)
        return (np.asarray(self.curve.knots, dtype=np.float64),
                np.asarray(self.curve.replica_hours, dtype=np.float64))

    def component(self) -> Component:
        """The kernel's coefficients for the fused model (:mod:`sim.costs.fused`)."""
        w = self._workload
        slots: dict[int, Value] = {
            QUALITY: self.quality_cost, CONST: self.constant, HOURLY: self.hourly,
            FIXED: self.instances, NEED: self._need_per_volume, RPD: w.requests_per_day,
            WORK: self._work, PER_REQUEST: self._per_request, GPU_MONTHLY: self.gpu_monthly,
            **project_slots(self.project)}
        flags = {F_KIND: SELF_HOSTED, F_MODE: self.mode}
        if self.retraining is not None:
            r_slots, r_flags = self.retraining.slots()
            slots.update(r_slots)
            flags.update(r_flags)
        return Component(SELF_HOSTED, slots, flags, w,
                         None if self.curve is None else self._curve_arrays())

    def components(self) -> list[Component]:
        """The strategy as the fused model steps it: this one component."""
        return [self.component()]

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, as the lesson's static calculation uses them."""
        return {"run": self.instances_at(1.0) * self.hourly, "storage": self.storage,
                "mlops": self.mlops, "quality": self.quality_cost, "fixed": self.fixed}
