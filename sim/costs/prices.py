"""Per-token price paths of the API-priced kinds: smooth or in steps, never below a floor
(docs/model.md, "Price declines").

- **smooth**: ``(1 - d) ** ((t - 1) / 12)`` with the annual decline d (``annual_price_drop``);
- **steps**: ``N(t) = floor((t - 1) * rate / 12)`` cuts by month t, deterministic given the
  rate (``price_cuts_per_year``), each taking ``price_cut_size`` off: ``(1 - s) ** N(t)``;
- either way the factor never falls below ``price_floor`` (a fraction of today's price).

A step cut is a move to a cheaper model: :attr:`PricePath.cuts` counts the cuts of the
month that lowered the price (a cut at the floor changes nothing and is not counted), so an
api strategy can pay a migration for each.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.costs.workload import Value

#: Slack on N(t) so that an exact product such as 8 x 1.5 / 12 = 1 is not read as 0.999...
_EPS = 1e-9


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
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(np.log(floor) / np.log1p(-size) - _EPS)
    k = np.where(floor <= 0.0, np.inf, k)
    return np.where((size <= 0.0) | (floor >= 1.0), 0.0, k)


class PricePath:
    """The price factor of months 1, 2, ... (call :meth:`step` in order).

    Examples
    --------
    Two cuts a year of 30%, floor at 40% of today's price: cuts in months 7, 13, 19, ...;
    the third (0.7**3 = 0.343) is held at the floor, the fourth changes nothing.

    >>> path = PricePath({"price_cuts_per_year": 2.0, "price_cut_size": 0.3, "price_floor": 0.4})
    >>> months = [(t, round(float(path.step(t)), 3), float(path.cuts)) for t in range(1, 26)]
    >>> [m for m in months if m[0] in (1, 6, 7, 13, 19, 25)]
    [(1, 1.0, 0.0), (6, 1.0, 0.0), (7, 0.7, 1.0), (13, 0.49, 1.0), (19, 0.4, 1.0), (25, 0.4, 0.0)]
    """

    def __init__(self, p: Mapping[str, Value]) -> None:
        self.floor = p.get("price_floor", 0.0)
        self.stepped = "price_cuts_per_year" in p
        if self.stepped:
            self.rate = p["price_cuts_per_year"]
            self.keep = 1.0 - p["price_cut_size"]
            self.limit = cuts_to_floor(p["price_cut_size"], self.floor)
            self._done: Value = 0.0
        else:
            self.monthly = (1.0 - p.get("annual_price_drop", 0.0)) ** (1.0 / 12.0)
            self._raw: Value = 1.0
        #: the price factor of the last month stepped
        self.factor: Value = 1.0
        #: step cuts in the last month stepped that lowered the price
        self.cuts: Value = 0.0
        self._t = 0

    def step(self, t: int) -> Value:
        """The price factor of month t (call for t = 1, 2, ... in order)."""
        if t != self._t + 1:
            raise ValueError(f"months must be stepped in order: got {t} after {self._t}")
        self._t = t
        if self.stepped:
            n = np.floor((t - 1) * self.rate / 12.0 + _EPS)
            done = np.minimum(n, self.limit)
            self.cuts = done - self._done
            self._done = done
            self.factor = np.maximum(self.floor, self.keep ** n)
        elif t > 1:
            self._raw = self._raw * self.monthly
            self.factor = np.maximum(self.floor, self._raw)
        return self.factor
