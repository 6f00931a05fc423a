"""Hosted fine-tuning: a vendor's fine-tuned model, priced per token (docs/model.md,
"Monthly cost by strategy kind": hosted_ft).

Like an API strategy, plus MLOps (evaluation pipelines, drift monitoring: ``mlops_fte`` x
``fte_monthly_cost``) and a price that moves only with retraining: the fine-tuned model
keeps today's per-token price until a retraining moves it onto the vendor's new base model,
whose price then applies (a step to the vendor's price path at that month, see
:class:`~sim.costs.prices.PricePath`). Falling vendor prices are not a free smooth decline
for a fine-tuned model: they are bought with a retraining.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.costs.api import ApiKernel
from sim.costs.arena import add
from sim.costs.pack import Component
from sim.costs.project import Project
from sim.costs.retraining import Retraining
from sim.costs.slots import HOSTED
from sim.costs.workload import Value, Workload


class HostedFtKernel(ApiKernel):
    """Monthly cost of a hosted fine-tuned model: its coefficients.

    ``run(t) = V(t)*30*(tokens * q(t) + quality) + fixed + mlops``, where ``q(t)`` is the
    vendor's price factor at the last retraining that happened (1 before any). In a
    scheduled month t, a retraining happens (``when_it_pays``) when its charged cost is at
    most the saving of the step, ``tokens x (q - vendor(t)) x (1+g)**(t-1) x
    volume_sum(g, served)``, over the months it serves within the horizon. The month loop
    is :func:`sim.costs.fused.hosted_months`.

    Examples
    --------
    Vendor prices halve in month 7 (one cut a year is too slow; two a year, 50% each);
    retraining every 6 months at $100 moves the price in month 7 (6 + 1 build month): a
    $1,000 token bill becomes $500 from then on.

    >>> from sim.costs.workload import Workload
    >>> p = dict(input_price=1.0, output_price=0.0, cached_price_factor=0.1, batch_share=0.0,
    ...          batch_discount=0.5, review_rate=0.0, cost_per_review=0.0, error_rate=0.0,
    ...          cost_per_error=0.0, fixed_monthly_cost=0.0, mlops_fte=0.0,
    ...          fte_monthly_cost=24000.0, price_cuts_per_year=2.0, price_cut_size=0.5)
    >>> r = Retraining(every=6, cost=100.0, start=1, horizon=12, when_it_pays=True)
    >>> k = HostedFtKernel(p, Workload(1000 / 30, 1e6, 0.0), None, r)
    >>> run, spend = k.component().months(12)
    >>> [(round(float(run[t - 1]), 6), float(spend[t - 1])) for t in (6, 7)]
    [(1000.0, 0.0), (500.0, 100.0)]
    """

    kind = HOSTED

    def __init__(self, p: Mapping[str, Value], w: Workload, project: Project | None = None,
                 retraining: Retraining | None = None):
        super().__init__(p, w, project)
        self.mlops = p["mlops_fte"] * p["fte_monthly_cost"]
        self.constant = add(self.fixed, self.mlops)
        self.retraining = retraining

    def component(self) -> Component:
        """The kernel's coefficients for the fused model (:mod:`sim.costs.fused`)."""
        c = super().component()
        if self.retraining is None:
            return c
        slots, flags = self.retraining.slots()
        return Component(c.kind, {**c.slots, **slots}, {**c.flags, **flags}, c.workload)

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, as the lesson's static calculation uses them."""
        return {**super().static_costs(), "mlops": self.mlops}
