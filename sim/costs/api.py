"""API strategy: pay per token, at prices that fall over time (docs/model.md, "Monthly cost by
strategy kind": api and hosted_ft; "Price declines: smooth, in steps, with a floor")."""

from __future__ import annotations

from collections.abc import Mapping

from sim.costs.pack import Component, project_slots
from sim.costs.prices import PricePath
from sim.costs.project import Project
from sim.costs.quality import quality_cost_per_request
from sim.costs.slots import API, CONST, F_KIND, F_STEPPED, MIGRATION, QUALITY, TOKEN
from sim.costs.workload import Value, Workload


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
        per_request = (w.input_tokens * p["input_price"] * cache
                       + w.output_tokens * p["output_price"]) * batch / 1e6
        #: token cost of month 1's volume at today's prices
        self.token_cost = w.requests_per_month * per_request
        self.quality_cost = w.requests_per_month * quality_cost_per_request(p)
        self.fixed = p["fixed_monthly_cost"]
        self.migration = p.get("migration_cost", 0.0)
        self.prices = PricePath(p)
        self.constant: Value = self.fixed
        self.project = project
        self._workload = w

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
