"""The ``value_of_information`` block of summary.json: EVPI, EVPPI and EVSI with their
standard errors, as the report computes them (on its analysis samples)."""

from __future__ import annotations

from typing import Any

from sim.decision.pilot import PilotValue
from sim.decision.voi import Estimate, ValueOfInformation


def _estimate(e: Estimate) -> dict[str, float]:
    return {"value": e.value, "se": e.se, "plugin": e.plugin}


def voi_summary(voi: ValueOfInformation, pilot: PilotValue | None = None) -> dict[str, Any]:
    """The summary.json block: ``samples``, ``strategies`` (the choice), ``evpi``,
    ``evppi`` (one entry per input and group: ``name, inputs, kind, method, value, se,
    plugin``) and ``evsi`` (the default pilot's: ``strategy, informs, examples, cost, value,
    se, plugin, net``; null when no rate is uncertain). Values in dollars.

    Examples
    --------
    >>> voi_summary(value_of_information(simulate(study)))["evpi"]  # doctest: +SKIP
    {'value': 1234.5, 'se': 56.7, 'plugin': 1234.5}
    """
    evppi = [{"name": r["name"], "inputs": r["inputs"].split(", "), "kind": r["kind"],
              "method": r["method"], "value": r["evppi"], "se": r["se"],
              "plugin": r["plugin"]} for r in voi.frame.iter_rows(named=True)]
    evsi = None
    if pilot is not None:
        evsi = {"strategy": pilot.strategy, "informs": pilot.informs,
                "examples": pilot.examples, "effort": pilot.effort,
                "effort_sd": pilot.effort_sd, "cost": pilot.cost,
                **_estimate(pilot.evsi), "net": pilot.net,
                "sentence": pilot.sentence()}
    return {"samples": voi.n, "strategies": list(voi.strategies),
            "evpi": _estimate(voi.evpi), "evppi": evppi, "evsi": evsi}
