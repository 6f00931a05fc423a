"""The uncertain-input language of ftrisk: distributions, parsing of study values, sampling.

Knows nothing about fine-tuning. A study value is turned into an immutable
:class:`Distribution` with :func:`parse`; a :class:`SamplingPlan` draws the uniforms that
every distribution's ``ppf`` turns into samples.

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

from distributions.base import Distribution, fmt
from distributions.continuous import Beta, Lognormal, Normal, Pert, Triangular, Uniform
from distributions.discrete import Fixed, Rounded, UniformInt
from distributions.errors import DistributionError
from distributions.parse import FAMILIES, parse
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

__all__ = [
    "BLOCK_SIZE",
    "FAMILIES",
    "METHODS",
    "Beta",
    "Distribution",
    "DistributionError",
    "Fixed",
    "Lognormal",
    "Method",
    "Normal",
    "Pert",
    "Rounded",
    "SamplingPlan",
    "Triangular",
    "Uniform",
    "UniformInt",
    "check_correlation",
    "check_method",
    "fmt",
    "iman_conover",
    "parse",
    "stream_key",
]
