"""API strategy: pay per token, at prices that fall over time (docs/model.md, "Monthly cost by
strategy kind": api and hosted_ft; "Price declines: smooth, in steps, with a floor")."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import numpy as np

from sim.costs.arena import mul, over
from sim.costs.pack import Component, project_slots
from sim.costs.prices import PricePath
from sim.costs.project import Project
from sim.costs.quality import quality_cost_per_request
from sim.costs.slots import API, CONST, F_KIND, F_STEPPED, MIGRATION, QUALITY, TOKEN
from sim.costs.workload import Value, Workload


def _one(x: Value) -> bool:
    """Whether ``x`` is the float 1.0 (a factor that changes nothing)."""
    return isinstance(x, float) and x == 1.0


class ApiKernel:
    """Monthly cost of serving the workload through a priced API: its coefficients.

    ``run(t) = V(t)*30*(Tin*pin(t)*(1-h+h*c) + Tout*pout(t))*(1 - b*beta)/1e6
    + V(t)*30*quality + fixed + migration * cuts(t)``: per-token prices follow a
    :class:`~sim.costs.prices.PricePath` (smooth or step cuts, above a floor), cache share h at
    price factor c, batch share b at discount beta; each step cut of the month that lowers
    the price costs a migration (a move to the cheaper model and its re-evaluation). The
    month loop is :func:`sim.costs.fused.api_months`.

    Examples
    --------
    >>> from sim.costs.workload import Workload
    >>> p = dict(input_price=5.0, output_price=15.0, annual_price_drop=0.0,
    ...          cached_price_factor=0.1, batch_share=0.0, batch_discount=0.5,
    ...          review_rate=0.0, cost_per_review=0.0, error_rate=0.0, cost_per_error=0.0,
    ...          fixed_monthly_cost=0.0)
    >>> k = ApiKernel(p, Workload(50_000, 500, 200))
    >>> run, spend = k.component().months(1)
    >>> float(run[0]), float(spend[0])
    (8250.0, 0.0)
    """

    kind = API

    def __init__(self, p: Mapping[str, Value], w: Workload, project: Project | None = None):
        h = p.get("cache_share", w.cache_share)
        cache = 1.0 - h + h * p["cached_price_factor"]
        batch = 1.0 - p["batch_share"] * p["batch_discount"]
        #: token cost of one request at today's prices
        #: (w.input_tokens * input_price * cache + w.output_tokens * output_price) * batch
        #: / 1e6, over the first temporary (sim.costs.arena.over); a factor of exactly 1.0
        #: (no cache, no batch) is skipped: it leaves every float64 as it is
        t = w.input_tokens * p["input_price"]
        if not _one(cache):
            t = over(np.multiply, t, cache, t)
        u = w.output_tokens * p["output_price"]
        t = over(np.add, t, u, t if isinstance(t, np.ndarray) else u)
        if not _one(batch):
            t = over(np.multiply, t, batch, t)
        self._per_request = over(np.true_divide, t, 1e6, t)
        self._quality_per_request = quality_cost_per_request(p)
        self._uses_cache_share = "cache_share" not in p
        #: token cost of month 1's volume at today's prices
        self.token_cost = mul(w.requests_per_month, self._per_request)
        self.quality_cost = mul(w.requests_per_month, self._quality_per_request)
        self.fixed = p["fixed_monthly_cost"]
        self.migration = p.get("migration_cost", 0.0)
        self.prices = PricePath(p)
        self.constant: Value = self.fixed
        self.project = project
        self._workload = w

    def on(self, w: Workload) -> ApiKernel | None:
        """The same strategy serving ``w``, a workload of other volume but the same request
        size (a routing part's share): the same numbers as ``ApiKernel(p, w, project)``
        without recomputing what does not depend on the volume (None for another request
        size)."""
        v = self._workload
        if (w.input_tokens is not v.input_tokens or w.output_tokens is not v.output_tokens
                or (self._uses_cache_share and w.cache_share is not v.cache_share)):
            return None
        k = copy.copy(self)
        k.token_cost = mul(w.requests_per_month, self._per_request)
        k.quality_cost = mul(w.requests_per_month, self._quality_per_request)
        k._workload = w
        return k

    def component(self) -> Component:
        """The kernel's coefficients for the fused model (:mod:`sim.costs.fused`)."""
        slots = {TOKEN: self.token_cost, QUALITY: self.quality_cost, CONST: self.constant,
                 MIGRATION: self.migration, **self.prices.slots(),
                 **project_slots(self.project)}
        return Component(self.kind, slots, {F_KIND: self.kind,
                                            F_STEPPED: int(self.prices.stepped)},
                         self._workload)

    def components(self) -> list[Component]:
        """The strategy as the fused model steps it: this one component."""
        return [self.component()]

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, as the lesson's static calculation uses them."""
        return {"run": self.token_cost, "storage": 0.0, "mlops": 0.0,
                "quality": self.quality_cost, "fixed": self.fixed}
