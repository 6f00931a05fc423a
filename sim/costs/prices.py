"""Per-token price paths of the API-priced kinds: smooth or in steps, never below a floor
(docs/model.md, "Price declines").

- **smooth**: ``(1 - d) ** ((t - 1) / 12)`` with the annual decline d (``annual_price_drop``);
- **steps**: ``N(t) = floor((t - 1) * rate / 12)`` cuts by month t, deterministic given the
  rate (``price_cuts_per_year``), each taking ``price_cut_size`` off: ``(1 - s) ** N(t)``;
- either way the factor never falls below ``price_floor`` (a fraction of today's price).

A step cut is a move to a cheaper model: the month loop counts the cuts of the month that
lowered the price (a cut at the floor changes nothing and is not counted), so an
api strategy can pay a migration for each.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.costs.arena import power, row, sub
from sim.costs.fused import CUT_EPS, price_path
from sim.costs.slots import FLOOR, KEEP, LIMIT, MONTHLY, RATE
from sim.costs.workload import Value

_EPS = CUT_EPS


def cuts_to_floor(size: Value, floor: Value) -> Value:
    """How many step cuts lower the price before the floor holds it: the smallest k with
    ``(1 - size) ** k <= floor`` (infinite without a floor, 0 when a cut changes nothing).

    Examples
    --------
    >>> [float(cuts_to_floor(0.5, f)) for f in (0.3, 0.25, 0.0)]
    [2.0, 2.0, inf]
    """
    size = np.asarray(size, dtype=np.float64)
    floor = np.asarray(floor, dtype=np.float64)
    if size.ndim == 1 and floor.shape in ((), size.shape):
        return _cuts_to_floor_per_sample(size, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(np.log(floor) / np.log1p(-size) - _EPS)
    k = np.where(floor <= 0.0, np.inf, k)
    return np.where((size <= 0.0) | (floor >= 1.0), 0.0, k)


def _cuts_to_floor_per_sample(size: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """:func:`cuts_to_floor` of per-sample sizes: the same operations, each written over
    one array (a row of the open arena, :mod:`sim.costs.arena`)."""
    k = row(size)
    k = np.negative(size) if k is None else np.negative(size, out=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log1p(k, out=k)
        np.true_divide(np.log(floor), k, out=k)
        np.subtract(k, _EPS, out=k)
        np.ceil(k, out=k)
    if floor.ndim:
        np.copyto(k, np.inf, where=floor <= 0.0)
        np.copyto(k, 0.0, where=(size <= 0.0) | (floor >= 1.0))
    elif floor >= 1.0:  # one floor for every sample: the same choices, made once
        k.fill(0.0)
    else:
        if floor <= 0.0:
            k.fill(np.inf)
        np.copyto(k, 0.0, where=size <= 0.0)
    return k


class PricePath:
    """The price path of one strategy: its coefficients, stepped by the compiled month loop
    (:func:`sim.costs.fused.price_path`).

    Examples
    --------
    Two cuts a year of 30%, floor at 40% of today's price: cuts in months 7, 13, 19, ...;
    the third (0.7**3 = 0.343) is held at the floor, the fourth changes nothing.

    >>> factor, cuts = PricePath({"price_cuts_per_year": 2.0, "price_cut_size": 0.3,
    ...                           "price_floor": 0.4}).path(25)
    >>> [(t, round(float(factor[t - 1]), 3), float(cuts[t - 1])) for t in (1, 6, 7, 13, 19, 25)]
    [(1, 1.0, 0.0), (6, 1.0, 0.0), (7, 0.7, 1.0), (13, 0.49, 1.0), (19, 0.4, 1.0), (25, 0.4, 0.0)]
    """

    def __init__(self, p: Mapping[str, Value]) -> None:
        self.floor: Value = p.get("price_floor", 0.0)
        self.stepped = "price_cuts_per_year" in p
        #: step cuts: cuts a year, what a cut keeps (1 - size), cuts before the floor holds
        self.rate: Value = 0.0
        self.keep: Value = 1.0
        self.limit: Value = 0.0
        #: smooth decline: the month-over-month factor (1 - d) ** (1 / 12)
        self.monthly: Value = 1.0
        if self.stepped:
            self.rate = p["price_cuts_per_year"]
            self.keep = sub(1.0, p["price_cut_size"])
            self.limit = cuts_to_floor(p["price_cut_size"], self.floor)
        else:
            self.monthly = power(1.0 - p.get("annual_price_drop", 0.0), 1.0 / 12.0)

    def path(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """Price factor and price-lowering cuts of months 1..``months`` (scalar
        coefficients only: one path)."""
        factor, cuts = np.empty(months), np.empty(months)
        price_path(self.stepped, float(self.rate), float(self.keep), float(self.limit),
                   float(self.floor), float(self.monthly), factor, cuts)
        return factor, cuts

    def slots(self) -> dict[int, Value]:
        """The coefficients as slots of the fused model (:mod:`sim.costs.fused`)."""
        return {FLOOR: self.floor, RATE: self.rate, KEEP: self.keep, LIMIT: self.limit,
                MONTHLY: self.monthly}
