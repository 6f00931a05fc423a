"""Checks on a sample before it is fitted, and the support that decides the candidate families.

Every check raises a :class:`FitError` (a :class:`~distributions.DistributionError`, so a
``ValueError``) whose one-line message names the data, how many of its rows are at fault,
the first of them (rows count from 1, as data rows of a file do) and the fix.

The support of a sample decides which families ``family="auto"`` tries:

- ``"count"``: whole numbers >= 0, the largest at most :data:`COUNT_MAX` or some equal to 0
  (retrains per year, incidents per month): Poisson, negative binomial and the observed
  frequencies as a discrete table;
- ``"rate"``: every value strictly between 0 and 1: beta;
- ``"positive"``: every value > 0 (including whole numbers above :data:`COUNT_MAX`, such as
  token counts or requests per day, where a study rounds continuous draws for whole-number
  inputs): lognormal, gamma and normal;
- ``"real"``: anything else: normal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from distributions.base import FloatArray, fmt
from distributions.errors import DistributionError

Support = Literal["count", "rate", "positive", "real"]

#: Fewest rows a fit accepts: below ~20 the ranking by AIC is mostly noise and the
#: goodness-of-fit test has almost no power; state the belief as a range instead.
MIN_ROWS = 20
#: Whole numbers up to this size (or any set that contains 0) are counts for ``"auto"``.
COUNT_MAX = 100


class FitError(DistributionError):
    """Data that cannot be fitted as asked; the message names the data, the rows and the fix.

    Examples
    --------
    >>> try:
    ...     check_sample([1.0, 2.0], source="hours.csv:hours")
    ... except FitError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    hours.csv:hours: 2 rows; a fit needs at least 20: collect more data, ...
    """


def check_sample(data: ArrayLike, *, source: str = "data") -> FloatArray:
    """The sample as a 1-D float64 array, after the checks every fit needs.

    Parameters
    ----------
    data : array_like
        One-dimensional numbers (a list, numpy array or polars Series).
    source : str
        What the data are, for messages (e.g. ``"log.csv:tokens_in"``).

    Returns
    -------
    numpy.ndarray
        A float64 copy of the data.

    Raises
    ------
    FitError
        For data that are not one-dimensional numbers, fewer than :data:`MIN_ROWS` rows,
        NaN (or empty) rows, infinite rows, or rows that all hold the same value.

    Examples
    --------
    >>> check_sample(range(1, 21)).dtype
    dtype('float64')
    """
    try:
        x = np.array(data, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise FitError(f"{source}: the values are not numbers ({err}); fit a numeric "
                       "column") from None
    if x.ndim != 1:
        raise FitError(f"{source}: expected one column of numbers, got shape {x.shape}")
    n = x.size
    nan = np.isnan(x)
    if nan.any():
        raise FitError(
            f"{source}: {int(nan.sum())} of {n} rows are empty or NaN (first: row "
            f"{_first(nan)}); remove or fill them before fitting"
        )
    inf = np.isinf(x)
    if inf.any():
        i = int(np.argmax(inf))
        raise FitError(
            f"{source}: {int(inf.sum())} of {n} rows are infinite (first: row {i + 1}, "
            f"{x[i]}); remove them before fitting"
        )
    if n < MIN_ROWS:
        raise FitError(
            f"{source}: {n} rows; a fit needs at least {MIN_ROWS}: collect more data, or "
            'state the input as a belief instead (e.g. "3000 to 8000", a 90% interval)'
        )
    if x.min() == x.max():
        raise FitError(
            f"{source}: all {n} rows equal {fmt(float(x[0]))}; there is no spread to fit: "
            "write the number itself"
        )
    return x


def support_of(x: FloatArray) -> Support:
    """Which kind of quantity the (checked) sample is; see the module docstring.

    Examples
    --------
    >>> support_of(np.array([0.0, 3.0, 1.0])), support_of(np.array([0.2, 0.5]))
    ('count', 'rate')
    >>> support_of(np.array([120.0, 4000.0])), support_of(np.array([-1.0, 2.5]))
    ('positive', 'real')
    """
    lo, hi = float(x.min()), float(x.max())
    whole = bool(np.all(x == np.round(x)))
    if whole and lo >= 0 and (hi <= COUNT_MAX or lo == 0):
        return "count"
    if lo > 0 and hi < 1:
        return "rate"
    if lo > 0:
        return "positive"
    return "real"


def require(x: FloatArray, needs: Support, family: str, source: str) -> None:
    """Raise a :class:`FitError` when ``family`` (which needs ``needs``) cannot take ``x``.

    ``"real"`` accepts any checked sample; ``"positive"`` values > 0; ``"rate"`` values
    strictly inside (0, 1); ``"count"`` whole numbers >= 0.

    Examples
    --------
    >>> require(np.array([0.5, 2.0]), "positive", "gamma", "data")
    >>> try:
    ...     require(np.array([0.5, 0.0, -2.0]), "positive", "gamma", "data")
    ... except FitError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    data: gamma needs values > 0, but 2 of 3 rows are <= 0 (first: row 2, value 0); ...
    """
    n = x.size
    if needs == "positive":
        bad = x <= 0
        if bad.any():
            raise FitError(
                f"{source}: {family} needs values > 0, but {_count(bad, n)} rows are <= 0 "
                f"({_where(x, bad)}); remove them, or fit normal, which allows them"
            )
    elif needs == "rate":
        bad = (x <= 0) | (x >= 1)
        if bad.any():
            if x.min() >= 0 and x.max() <= 100 and x.max() > 1:
                fix = "percentages? divide them by 100"
            else:
                fix = ("a rate of exactly 0 or 1 has no beta density: remove those rows, or "
                       "fit another family")
            raise FitError(
                f"{source}: {family} needs rates strictly between 0 and 1, but "
                f"{_count(bad, n)} rows are outside ({_where(x, bad)}); {fix}"
            )
    elif needs == "count":
        bad = (x < 0) | (x != np.round(x))
        if bad.any():
            raise FitError(
                f"{source}: {family} needs counts (whole numbers >= 0), but "
                f"{_count(bad, n)} rows are not ({_where(x, bad)}); fit a continuous "
                "family (lognormal, gamma or normal) instead"
            )


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask)) + 1


def _count(mask: np.ndarray, n: int) -> str:
    return f"{int(mask.sum())} of {n}"


def _where(x: FloatArray, mask: np.ndarray) -> str:
    i = int(np.argmax(mask))
    return f"first: row {i + 1}, value {fmt(float(x[i]))}"
