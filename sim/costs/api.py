"""API strategy: pay per token, at prices that fall over time (docs/model.md, "Monthly cost by
strategy kind": api and hosted_ft)."""

from __future__ import annotations

from collections.abc import Mapping

from sim.costs.project import Project
from sim.costs.workload import PriceClock, Value, Workload


def quality_cost_per_request(p: Mapping[str, Value]) -> Value:
    """Expected human-review and downstream-error cost of one request."""
    return p["review_rate"] * p["cost_per_review"] + p["error_rate"] * p["cost_per_error"]


class ApiKernel:
    """Monthly cost of serving the workload through a priced API.

    ``cost(t) = V(t)*30*(Tin*pin(t)*(1-h+h*c) + Tout*pout(t))*(1 - b*beta)/1e6
    + V(t)*30*quality + fixed``, with ``p(t) = p0*(1-d)**((t-1)/12)``, cache share h at price
    factor c, batch share b at discount beta. Call :meth:`operating` for t = 1, 2, ... in order.

    Examples
    --------
    >>> from sim.costs.workload import Workload
    >>> p = dict(input_price=5.0, output_price=15.0, annual_price_drop=0.0,
    ...          cached_price_factor=0.1, batch_share=0.0, batch_discount=0.5,
    ...          review_rate=0.0, cost_per_review=0.0, error_rate=0.0, cost_per_error=0.0,
    ...          fixed_monthly_cost=0.0)
    >>> k = ApiKernel(p, Workload(50_000, 500, 200))
    >>> float(k.operating(1, 1.0))
    8250.0
    """

    def __init__(self, p: Mapping[str, Value], w: Workload, project: Project | None = None):
        h = p.get("cache_share", w.cache_share)
        cache = 1.0 - h + h * p["cached_price_factor"]
        batch = 1.0 - p["batch_share"] * p["batch_discount"]
        per_request = (w.input_tokens * p["input_price"] * cache
                       + w.output_tokens * p["output_price"]) * batch / 1e6
        self.token_cost = w.requests_per_month * per_request
        self.quality_cost = w.requests_per_month * quality_cost_per_request(p)
        self.fixed = p["fixed_monthly_cost"]
        self.prices = PriceClock(p["annual_price_drop"])
        self.project = project

    def operating(self, t: int, growth: Value) -> Value:
        """Run cost in month t, given the volume factor ``(1+g)**(t-1)``."""
        price = self.prices.step(t)
        return growth * (self.token_cost * price + self.quality_cost) + self.fixed

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, as the lesson's static calculation uses them."""
        return {"run": self.token_cost, "storage": 0.0, "mlops": 0.0,
                "quality": self.quality_cost, "fixed": self.fixed}
