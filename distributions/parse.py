"""Turn a study-file value (a TOML number, string or table) into a distribution.

The forms, with the probability convention of each (docs/study-file.md, "Values", lists
them with an example each, from :data:`distributions.VALUE_FORMS`):

- a number: a known value (:class:`Fixed`);
- ``"a to b"``: a **90% interval** — 5% of the mass below ``a``, 5% above ``b``; lognormal
  when ``a > 0``, normal otherwise. Numbers may use ``_`` or ``,`` separators, a ``k``/``M``
  suffix (thousand, million) or ``%`` (``"20% to 60%"`` is 0.2 to 0.6);
- a table with one key naming the family::

    fixed = 12
    uniform = [lo, hi]                  uniform_int = [lo, hi]     (whole numbers, both ends)
    triangular = [min, mode, max]       pert = [min, mode, max]  or {min, mode, max, lambda}
    normal = {mean, sd} | {p10, p90}    with optional min, max (truncation)
    lognormal = {p10, p90} | {median, p90} | {mean, sd} | {mu, sigma}
    beta = {mean, sd} | {a, b}          with optional min, max (default [0, 1])
    gamma = {mean, sd} | {shape, scale}
    bernoulli = p                       (1 with probability p, else 0)
    discrete = {values, weights}        (weights >= 0, normalised; equal when left out)
    empirical = [observations] | {values} | {file, column}   (optional method = "resample")
    quantiles = {p10, p50, p90}         (optional log = false: normal tails even when p10 > 0)

  ``{p10, p90}`` (lognormal, normal) puts **10%** below p10 and 10% above p90; a
  ``quantiles`` table passes exactly through all three (see :mod:`distributions.qpd`).

Truncation only when asked: the generic key ``truncate = [lo, hi]`` next to the family key
cuts any continuous family to ``[lo, hi]`` and renormalises, e.g.
``{ lognormal = { p10 = 1, p90 = 9 }, truncate = [0, 5] }``; use ``inf``/``-inf`` for an
open end (``truncate = [0, inf]``). For a normal it is the same as ``min``/``max`` (give one
or the other). A distribution is never cut silently to fit an input's domain: the study
loader rejects one whose draws leave it.

Empirical data files (``empirical = { file = "data/hours.csv", column = "hours" }``) are
read relative to ``base_dir`` — the study file's folder — with polars (CSV/TSV with a header
row, or parquet); see :mod:`distributions.empirical` for the interpolation used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from distributions.base import Distribution, fmt
from distributions.continuous import Beta, Gamma, Pert, Triangular, Uniform
from distributions.discrete import Bernoulli, Discrete, Fixed, UniformInt
from distributions.empirical import Empirical
from distributions.errors import DistributionError
from distributions.normal import Lognormal, Normal
from distributions.qpd import Quantiles
from distributions.truncated import Truncated

_NUMBER = r"[-+]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*[kKmM%]?"
_INTERVAL = re.compile(rf"^\s*({_NUMBER})\s+to\s+({_NUMBER})\s*$")
_SUFFIX = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "%": 0.01}
_TRUNCATE = "truncate"
_RESAMPLE = ("interpolate", "resample")
Maker = Callable[[object, Path | None], Distribution]


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
    bad = [i for i, v in enumerate(value) if not _is_number(v)]
    if bad:
        raise DistributionError(
            f"{family}: {names[bad[0]]}={value[bad[0]]!r} must be a number; write "
            f"[{', '.join(names)}]"
        )
    return [float(v) for v in value]


def _keyed(family: str, value: object,
           forms: Mapping[frozenset[str], Callable[..., Distribution]],
           optional: Sequence[str] = ()) -> Distribution:
    if not isinstance(value, Mapping):
        raise DistributionError(f"{family} takes a table, e.g. {family} = {_FORMS_TEXT[family]}")
    keys = set(value) - set(optional)
    for form, make in forms.items():
        if keys == form:
            for k, v in value.items():
                if not _is_number(v):
                    raise DistributionError(f"{family}: {k}={v!r} must be a number")
            return make(**{k: float(v) for k, v in value.items()})
    raise DistributionError(
        f"{family} takes {_FORMS_TEXT[family]}; got {{{', '.join(map(str, value))}}}"
    )


def _normal_mean_sd(mean: float, sd: float, min: float = -math.inf,
                    max: float = math.inf) -> Normal:
    return Normal(mean, sd, min, max)


def _beta_mean_sd(mean: float, sd: float, min: float = 0.0,
                  max: float = 1.0) -> Beta:
    return Beta.from_mean_sd(mean, sd, min, max)


def _beta_ab(a: float, b: float, min: float = 0.0, max: float = 1.0) -> Beta:
    return Beta(a, b, min, max)


def _quantiles(value: object) -> Distribution:
    log = None
    if isinstance(value, Mapping) and "log" in value:
        log = value["log"]
        if not isinstance(log, bool):
            raise DistributionError(f"quantiles: log={log!r} must be true or false")
        value = {k: v for k, v in value.items() if k != "log"}
    q = _keyed("quantiles", value, {frozenset({"p10", "p50", "p90"}): Quantiles})
    assert isinstance(q, Quantiles)
    return q if log is None else Quantiles(q.p10, q.p50, q.p90, log=log)


def _pert(value: object, _: Path | None) -> Distribution:
    if isinstance(value, Mapping):
        lam = value.get("lambda", 4.0)
        if not _is_number(lam):
            raise DistributionError(f"pert: lambda={lam!r} must be a number (4 is the usual)")
        rest = {k: v for k, v in value.items() if k != "lambda"}
        lo, mode, hi = _numbers("pert", rest, ("min", "mode", "max"))
        return Pert(lo, mode, hi, float(lam))
    return Pert(*_numbers("pert", value, ("min", "mode", "max")))


def _bernoulli(value: object, _: Path | None) -> Distribution:
    if isinstance(value, Mapping) and set(value) == {"p"}:
        value = value["p"]
    if not _is_number(value):
        raise DistributionError(
            f"bernoulli takes a probability, e.g. bernoulli = 0.3; got {value!r}"
        )
    return Bernoulli(float(value))  # type: ignore[arg-type]


def _discrete(value: object, _: Path | None) -> Distribution:
    if not isinstance(value, Mapping) or "values" not in value or not set(value) <= {
            "values", "weights"}:
        raise DistributionError(
            "discrete takes { values = [...], weights = [...] }, e.g. discrete = "
            "{ values = [1, 2, 3], weights = [0.2, 0.5, 0.3] }"
        )
    values, weights = value["values"], value.get("weights")
    for key, seq in (("values", values), ("weights", weights)):
        if seq is not None and not isinstance(seq, list):
            raise DistributionError(f"discrete: {key} must be a list of numbers, e.g. [1, 2, 3]")
        if seq is not None and not all(_is_number(v) for v in seq):
            bad = next(v for v in seq if not _is_number(v))
            raise DistributionError(f"discrete: {key} holds {bad!r}, not a number")
    return Discrete(tuple(values), None if weights is None else tuple(weights))


def _empirical(value: object, base_dir: Path | None) -> Distribution:
    example = ('empirical takes a list of observations or a table: [12, 15, 9], '
               '{ values = [...] } or { file = "data/hours.csv", column = "hours" }')
    if isinstance(value, list):
        return Empirical(tuple(value))
    if not isinstance(value, Mapping):
        raise DistributionError(example)
    method = value.get("method", "interpolate")
    if method not in _RESAMPLE:
        raise DistributionError(
            f"empirical: method={method!r} must be one of {', '.join(map(repr, _RESAMPLE))}"
        )
    resample = method == "resample"
    keys = set(value) - {"method"}
    if keys == {"values"}:
        if not isinstance(value["values"], list):
            raise DistributionError(example)
        return Empirical(tuple(value["values"]), resample=resample)
    if keys in ({"file"}, {"file", "column"}):
        file, column = value["file"], value.get("column")
        if not isinstance(file, str) or not (column is None or isinstance(column, str)):
            raise DistributionError('empirical: file and column must be strings, e.g. '
                                    '{ file = "data/hours.csv", column = "hours" }')
        return Empirical.from_file(file, column, base_dir=base_dir, resample=resample)
    raise DistributionError(f"{example}; got {{{', '.join(map(str, value))}}}")


_EXAMPLE = {
    "uniform": ("0.2", "0.6"),
    "uniform_int": ("5", "15"),
    "triangular": ("76", "120", "188"),
    "pert": ("76", "120", "188"),
}
_FORMS_TEXT = {
    "normal": "{ mean = 0.02, sd = 0.01 } or { p10, p90 } (optional min, max to truncate)",
    "lognormal": "{ p10 = 3000, p90 = 8000 } or { median, p90 } or { mean, sd } or "
                 "{ mu, sigma }",
    "beta": "{ mean = 0.05, sd = 0.01 } or { a, b } (optional min, max; default 0 and 1)",
    "gamma": "{ mean = 10, sd = 4 } or { shape, scale }",
    "quantiles": "{ p10 = 3000, p50 = 4500, p90 = 8000 } (optional log = false)",
}

_FAMILIES: dict[str, Maker] = {
    "fixed": lambda v, _: Fixed(_numbers("fixed", [v], ("value",))[0]),
    "uniform": lambda v, _: Uniform(*_numbers("uniform", v, ("lo", "hi"))),
    "uniform_int": lambda v, _: UniformInt(*_numbers("uniform_int", v, ("lo", "hi"))),  # type: ignore[arg-type]
    "triangular": lambda v, _: Triangular(*_numbers("triangular", v, ("min", "mode", "max"))),
    "pert": _pert,
    "normal": lambda v, _: _keyed("normal", v, {
        frozenset({"mean", "sd"}): _normal_mean_sd,
        frozenset({"p10", "p90"}): Normal.from_quantiles,
    }, optional=("min", "max")),
    "lognormal": lambda v, _: _keyed("lognormal", v, {
        frozenset({"p10", "p90"}): Lognormal.from_quantiles,
        frozenset({"median", "p90"}): Lognormal.from_median_p90,
        frozenset({"mean", "sd"}): Lognormal.from_mean_sd,
        frozenset({"mu", "sigma"}): Lognormal,
    }),
    "beta": lambda v, _: _keyed("beta", v, {
        frozenset({"mean", "sd"}): _beta_mean_sd,
        frozenset({"a", "b"}): _beta_ab,
    }, optional=("min", "max")),
    "gamma": lambda v, _: _keyed("gamma", v, {
        frozenset({"mean", "sd"}): Gamma.from_mean_sd,
        frozenset({"shape", "scale"}): Gamma,
    }),
    "bernoulli": _bernoulli,
    "discrete": _discrete,
    "empirical": _empirical,
    "quantiles": lambda v, _: _quantiles(v),
}

#: Family names accepted as table keys in a study file.
FAMILIES: tuple[str, ...] = tuple(_FAMILIES)


def parse(value: Any, *, name: str = "value", base_dir: str | Path | None = None
          ) -> Distribution:
    """Turn a study-file value into a distribution.

    Parameters
    ----------
    value : number, str or dict
        A number (known value), ``"a to b"`` (90% interval) or a table naming one family,
        optionally with ``truncate = [lo, hi]`` (see the module docstring).
    name : str
        The input's name, used in error messages.
    base_dir : str or Path, optional
        Folder that relative ``empirical`` file paths start from: the study file's folder.
        Default: the current folder.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionError
        With a one-line message naming ``name``, what is wrong and how to fix it.

    Examples
    --------
    >>> parse(12).describe()
    'fixed 12'
    >>> parse({"uniform": [0.2, 0.6]}).describe()
    'uniform(lo=0.2, hi=0.6); mean 0.4'
    >>> parse("3000 to 8000").family
    'lognormal'
    >>> parse({"quantiles": {"p10": 1, "p50": 2, "p90": 10}}).ppf([0.1, 0.5, 0.9]).round(9).tolist()
    [1.0, 2.0, 10.0]
    >>> parse({"lognormal": {"p10": 1, "p90": 9}, "truncate": [0, 5]}).support
    (0.0, 5.0)
    >>> try:
    ...     parse({"beta": {"mean": 0.05, "sd": 0.3}}, name="review_rate")
    ... except DistributionError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    review_rate: beta: sd=0.3 is too large for a beta with mean=0.05: it must be below 0.217945 ...
    """
    try:
        return _parse(value, None if base_dir is None else Path(base_dir))
    except DistributionError as err:
        raise DistributionError(f"{name}: {err}") from None


def _parse(value: Any, base_dir: Path | None) -> Distribution:
    if _is_number(value):
        return Fixed(float(value))
    if isinstance(value, str):
        return _interval(value)
    if isinstance(value, Mapping):
        return _table(value, base_dir)
    if isinstance(value, list):
        raise DistributionError(
            "a bare list is not a distribution; name the family, e.g. { uniform = [lo, hi] } "
            "or { empirical = [observations] }"
        )
    raise DistributionError(
        f"{value!r} is not a number, an interval string or a distribution table"
    )


def _interval(text: str) -> Distribution:
    m = _INTERVAL.match(text)
    if not m:
        raise DistributionError(
            f"{text!r} is not a number or an interval; write e.g. \"3000 to 8000\" "
            "(a 90% interval) or a number"
        )
    lo, hi = _number(m.group(1)), _number(m.group(2))
    if lo > 0:
        return Lognormal.from_interval(lo, hi)
    return Normal.from_interval(lo, hi)


def _table(value: Mapping[str, Any], base_dir: Path | None) -> Distribution:
    families = [k for k in value if k != _TRUNCATE]
    if len(families) != 1:
        raise DistributionError(
            f"a distribution table names exactly one family (one of {', '.join(FAMILIES)}), "
            f"optionally with truncate = [lo, hi]; got {{{', '.join(map(str, value))}}}"
        )
    family = families[0]
    if family not in _FAMILIES:

        close = get_close_matches(family, FAMILIES, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise DistributionError(
            f"unknown distribution '{family}'; {hint}families: {', '.join(FAMILIES)}"
        )
    params = value[family]
    if _TRUNCATE not in value:
        return _FAMILIES[family](params, base_dir)
    lo, hi = _bounds(value[_TRUNCATE])
    if family == "normal":
        if isinstance(params, Mapping) and ({"min", "max"} & set(params)):
            raise DistributionError(
                "normal: give either min/max or truncate, not both"
            )
        if isinstance(params, Mapping):
            params = {**params, "min": lo, "max": hi}
        return _FAMILIES[family](params, base_dir)
    return Truncated(_FAMILIES[family](params, base_dir), lo, hi)


def _bounds(value: object) -> tuple[float, float]:
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(_is_number(v) for v in value)):
        raise DistributionError(
            f"truncate={value!r} must be [lo, hi], e.g. truncate = [0, 1] (inf for an open "
            "end: [0, inf])"
        )
    lo, hi = float(value[0]), float(value[1])
    if math.isnan(lo) or math.isnan(hi) or not lo < hi:
        raise DistributionError(
            f"truncate = [{fmt(lo)}, {fmt(hi)}]: the lower bound must be below the upper one"
        )
    return lo, hi
