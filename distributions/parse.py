"""Turn a study-file value (a TOML number, string or table) into a distribution.

The forms (SPEC §10):

- a number: a known value (:class:`Fixed`);
- ``"a to b"``: a 90% interval, 5% of the mass below ``a`` and 5% above ``b``; lognormal
  when ``a > 0``, normal otherwise;
- a table with one key naming the family::

    uniform = [lo, hi]            uniform_int = [lo, hi]
    triangular = [min, mode, max] pert = [min, mode, max]  (or {min, mode, max, lambda})
    normal = {mean, sd, min?, max?}
    lognormal = {p10, p90} | {median, p90} | {mean, sd}   (p10/p90: 10% outside each side)
    beta = {mean, sd} | {a, b}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from distributions.base import Distribution
from distributions.continuous import Beta, Lognormal, Normal, Pert, Triangular, Uniform
from distributions.discrete import Fixed, UniformInt
from distributions.errors import DistributionError

_NUMBER = r"[-+]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*[kKmM]?"
_INTERVAL = re.compile(rf"^\s*({_NUMBER})\s+to\s+({_NUMBER})\s*$")
_SUFFIX = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}


def _number(text: str) -> float:
    text = text.strip().replace("_", "").replace(",", "")
    scale = 1.0
    if text and text[-1] in _SUFFIX:
        scale = _SUFFIX[text[-1]]
        text = text[:-1].strip()
    return float(text) * scale


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _numbers(family: str, value: object, names: Sequence[str]) -> list[float]:
    if isinstance(value, Mapping):
        missing = [n for n in names if n not in value]
        extra = [k for k in value if k not in names]
        if missing or extra:
            raise DistributionError(
                f"{family} takes {{{', '.join(names)}}}; got {{{', '.join(map(str, value))}}}"
            )
        value = [value[n] for n in names]
    if not isinstance(value, list | tuple) or len(value) != len(names):
        raise DistributionError(
            f"{family} takes [{', '.join(names)}], e.g. {family} = [{', '.join(_EXAMPLE[family])}]"
        )
    if not all(_is_number(v) for v in value):
        raise DistributionError(f"{family}: [{', '.join(names)}] must all be numbers")
    return [float(v) for v in value]


def _keyed(family: str, value: object, forms: Mapping[frozenset[str], Callable[..., Distribution]],
           optional: Sequence[str] = ()) -> Distribution:
    if not isinstance(value, Mapping):
        raise DistributionError(f"{family} takes a table, e.g. {family} = {_FORMS_TEXT[family]}")
    keys = set(value) - set(optional)
    for form, make in forms.items():
        if keys == form:
            bad = [k for k, v in value.items() if not _is_number(v)]
            if bad:
                raise DistributionError(f"{family}: {bad[0]}={value[bad[0]]!r} must be a number")
            return make(**{k: float(v) for k, v in value.items()})
    raise DistributionError(
        f"{family} takes {_FORMS_TEXT[family]}; got {{{', '.join(map(str, value))}}}"
    )


def _normal(mean: float, sd: float, min: float = float("-inf"),  # noqa: A002
            max: float = float("inf")) -> Normal:  # noqa: A002
    return Normal(mean, sd, min, max)


def _pert(value: object) -> Distribution:
    if isinstance(value, Mapping):
        lam = value.get("lambda", 4.0)
        if not _is_number(lam):
            raise DistributionError(f"pert: lambda={lam!r} must be a number")
        rest = {k: v for k, v in value.items() if k != "lambda"}
        lo, mode, hi = _numbers("pert", rest, ("min", "mode", "max"))
        return Pert(lo, mode, hi, float(lam))
    return Pert(*_numbers("pert", value, ("min", "mode", "max")))


_EXAMPLE = {
    "uniform": ("0.2", "0.6"),
    "uniform_int": ("5", "15"),
    "triangular": ("76", "120", "188"),
    "pert": ("76", "120", "188"),
}
_FORMS_TEXT = {
    "normal": "{ mean = 0.02, sd = 0.01 } (optional min, max to truncate)",
    "lognormal": "{ p10 = 3000, p90 = 8000 } or { median, p90 } or { mean, sd }",
    "beta": "{ mean = 0.05, sd = 0.01 } or { a, b }",
}

_FAMILIES: dict[str, Callable[[object], Distribution]] = {
    "fixed": lambda v: Fixed(_numbers("fixed", [v], ("value",))[0]),
    "uniform": lambda v: Uniform(*_numbers("uniform", v, ("lo", "hi"))),
    "uniform_int": lambda v: UniformInt(*_numbers("uniform_int", v, ("lo", "hi"))),  # type: ignore[arg-type]
    "triangular": lambda v: Triangular(*_numbers("triangular", v, ("min", "mode", "max"))),
    "pert": _pert,
    "normal": lambda v: _keyed("normal", v, {frozenset({"mean", "sd"}): _normal},
                               optional=("min", "max")),
    "lognormal": lambda v: _keyed("lognormal", v, {
        frozenset({"p10", "p90"}): Lognormal.from_quantiles,
        frozenset({"median", "p90"}): Lognormal.from_median_p90,
        frozenset({"mean", "sd"}): Lognormal.from_mean_sd,
    }),
    "beta": lambda v: _keyed("beta", v, {
        frozenset({"mean", "sd"}): Beta.from_mean_sd,
        frozenset({"a", "b"}): Beta,
    }),
}

#: Family names accepted as table keys in a study file.
FAMILIES: tuple[str, ...] = tuple(_FAMILIES)


def parse(value: Any, *, name: str = "value") -> Distribution:
    """Turn a study-file value into a distribution.

    Parameters
    ----------
    value : number, str or dict
        A number (known value), ``"a to b"`` (90% interval) or a one-key table naming the
        family (see the module docstring).
    name : str
        The input's name, used in error messages.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionError
        With a message naming ``name``, what is wrong and how to fix it.

    Examples
    --------
    >>> parse(12).describe()
    'fixed 12'
    >>> parse({"uniform": [0.2, 0.6]}).describe()
    'uniform(lo=0.2, hi=0.6); mean 0.4'
    >>> parse("3000 to 8000").family
    'lognormal'
    """
    try:
        return _parse(value)
    except DistributionError as err:
        raise DistributionError(f"{name}: {err}") from None


def _parse(value: Any) -> Distribution:
    if _is_number(value):
        return Fixed(float(value))
    if isinstance(value, str):
        m = _INTERVAL.match(value)
        if not m:
            raise DistributionError(
                f"{value!r} is not a number or an interval; write e.g. \"3000 to 8000\" "
                "(a 90% interval) or a number"
            )
        lo, hi = _number(m.group(1)), _number(m.group(2))
        if lo > 0:
            return Lognormal.from_interval(lo, hi)
        return Normal.from_interval(lo, hi)
    if isinstance(value, Mapping):
        if len(value) != 1:
            raise DistributionError(
                f"a distribution table names exactly one family (one of {', '.join(FAMILIES)}); "
                f"got {{{', '.join(map(str, value))}}}"
            )
        (family, params), = value.items()
        if family not in _FAMILIES:
            from difflib import get_close_matches

            close = get_close_matches(family, FAMILIES, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DistributionError(
                f"unknown distribution '{family}'; {hint}families: {', '.join(FAMILIES)}"
            )
        return _FAMILIES[family](params)
    raise DistributionError(
        f"{value!r} is not a number, an interval string or a distribution table"
    )
