"""Errors raised for distributions that cannot exist or values that cannot be parsed."""

from __future__ import annotations


class DistributionError(ValueError):
    """A distribution's parameters are invalid; the message says what is wrong and how to fix it.

    Examples
    --------
    >>> from distributions import Lognormal
    >>> try:
    ...     Lognormal.from_quantiles(p10=9.0, p90=3.0)
    ... except DistributionError as err:
    ...     print(err)
    lognormal: p10=9 must be below p90=3; swap them or check the units
    """
