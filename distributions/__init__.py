"""The uncertain-input language of ftrisk: distributions, parsing of study values, sampling.

Knows nothing about fine-tuning. A study value is turned into an immutable
:class:`Distribution` with :func:`parse`; a :class:`SamplingPlan` draws the uniforms (Monte
Carlo, Latin hypercube or scrambled Sobol, rank-correlated with Iman–Conover) that every
distribution's ``ppf`` turns into samples; :func:`scrambled_sobol` gives scipy's scrambled
Sobol' points without importing scipy.stats.

Families: :class:`Fixed`, :class:`Uniform`, :class:`UniformInt`, :class:`Triangular`,
:class:`Pert`, :class:`Normal`, :class:`Lognormal`, :class:`Beta`, :class:`Gamma`,
:class:`Bernoulli`, :class:`Discrete`, :class:`Empirical`, :class:`Quantiles`, and
:class:`Decline` (an annual decline ``1 - exp(b)`` of a fitted log-slope ``b``, which a study
asks for through a fitted value, never by name); wrappers
:class:`Truncated` (asked for with ``truncate``) and :class:`Rounded` (whole-number inputs).

Fitting to data: :func:`fit_data` ranks families by AIC for a column read with
:func:`read_sample`, and its :class:`FitResult` gives the study value to paste
(``toml_value``) and chart frames (:func:`fit_frames`).

The fitting names are imported on first use (:func:`__getattr__`): fitting needs
scipy.stats (about 100 MB and most of a second to import), which reading, checking and
drawing a study never do.

Examples
--------
>>> import numpy as np
>>> from distributions import parse
>>> d = parse({"pert": [76, 120, 188]}, name="engineering_hours")
>>> d.mean
124.0
>>> x = d.sample(4, rng=np.random.default_rng(0))
>>> x.shape
(4,)
"""

from __future__ import annotations

import importlib
import typing

from distributions.base import TINY, Distribution, fmt, moments_by_quadrature
from distributions.continuous import Beta, Gamma, Pert, Triangular, Uniform
from distributions.decline import Decline
from distributions.discrete import Bernoulli, Discrete, Fixed, Rounded, UniformInt
from distributions.empirical import Empirical
from distributions.errors import DistributionError
from distributions.fit_checks import MIN_ROWS, FitError, check_sample
from distributions.fit_frames import FitFrames, fit_frames
from distributions.fit_io import read_sample
from distributions.forms import VALUE_FORMS, ValueForm
from distributions.normal import Lognormal, Normal
from distributions.parse import FAMILIES, parse
from distributions.qpd import Quantiles
from distributions.ranks import average_ranks, rank_correlation_matrix, spearman
from distributions.sampling import (
    BLOCK_SIZE,
    METHODS,
    Method,
    SamplingPlan,
    check_correlation,
    check_method,
    iman_conover,
    stream_key,
)
from distributions.sobol_points import scrambled_sobol
from distributions.truncated import Truncated

__all__ = [
    "BLOCK_SIZE",
    "FAMILIES",
    "FIT_FAMILIES",
    "METHODS",
    "MIN_ROWS",
    "TINY",
    "VALUE_FORMS",
    "Bernoulli",
    "Beta",
    "Decline",
    "Discrete",
    "Distribution",
    "DistributionError",
    "Empirical",
    "FamilyFit",
    "FitError",
    "FitFrames",
    "FitResult",
    "Fixed",
    "Gamma",
    "Lognormal",
    "Method",
    "Normal",
    "Pert",
    "Quantiles",
    "Rounded",
    "SamplingPlan",
    "Triangular",
    "Truncated",
    "Uniform",
    "UniformInt",
    "ValueForm",
    "average_ranks",
    "check_correlation",
    "check_method",
    "check_sample",
    "fit_data",
    "fit_frames",
    "fmt",
    "iman_conover",
    "moments_by_quadrature",
    "parse",
    "rank_correlation_matrix",
    "read_sample",
    "scrambled_sobol",
    "spearman",
    "stream_key",
    "toml_inline",
]

#: The names that need scipy.stats, each with the module it lives in: imported on first use.
_LAZY = {
    "FamilyFit": "distributions.fit",
    "FitResult": "distributions.fit",
    "fit_data": "distributions.fit",
    "toml_inline": "distributions.fit",
    "FIT_FAMILIES": "distributions.fit_families",
}

if typing.TYPE_CHECKING:
    from distributions.fit import FamilyFit, FitResult, fit_data, toml_inline
    from distributions.fit_families import FIT_FAMILIES


def __getattr__(name: str) -> typing.Any:
    """A fitting name, imported from its module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'distributions' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
