"""A fast, verified quantile function for families whose exact inverse is slow.

``scipy.special.betaincinv`` costs about 1.4 s per million draws; a study with three PERT
or beta inputs would spend most of its time there. The quantile function of these families
is smooth as a function of the normal score ``z = Phi^-1(q)``, so a cubic Hermite
interpolant on a grid in ``z``, with the exact slopes ``dx/dz = phi(z) / pdf(x)`` at the
nodes, reproduces it to about 1e-12 of the distribution's range at ~30 ms per million
draws. Families tabulate a transformed quantile (the logit of a beta's, the log of a
gamma's) so the error is also small relative to the distance from a bound. The table is
checked against the exact quantiles at every interval midpoint when it is built; a table
that misses the tolerance is refined, and if it still misses, the exact function is used.
Probabilities in the far tails (|z| > Z_MAX) always use the exact function.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

Z_MAX = 5.0
#: Largest accepted interpolation error, as a fraction of the P0.1-P99.9 range.
REL_TOL = 1e-10
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


class HermitePPF:
    """Tabulated quantile function with exact tails and a build-time accuracy check.

    Parameters
    ----------
    exact_ppf : callable
        The exact (slow) quantile function.
    logpdf : callable
        Log density, used for the slopes at the nodes.
    intervals : int
        Starting number of grid intervals in normal-score space.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import special, stats
    >>> a, b = 2.0, 5.0
    >>> f = HermitePPF(lambda q: special.betaincinv(a, b, q), stats.beta(a, b).logpdf)
    >>> q = np.array([0.01, 0.5, 0.99])
    >>> bool(np.allclose(f(q), special.betaincinv(a, b, q), atol=1e-10))
    True
    """

    def __init__(
        self,
        exact_ppf: Callable[[FloatArray], FloatArray],
        logpdf: Callable[[FloatArray], FloatArray],
        intervals: int = 1024,
    ) -> None:
        self._exact = exact_ppf
        self.exact_only = True
        scale = float(np.ptp(exact_ppf(np.array([0.001, 0.999]))))
        while intervals <= 16384 and scale > 0:
            z = np.linspace(-Z_MAX, Z_MAX, intervals + 1)
            x = exact_ppf(special.ndtr(z))
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                slope = np.exp(-0.5 * z * z - logpdf(x)) / _SQRT_2PI
            if np.all(np.isfinite(x)) and np.all(np.isfinite(slope)):
                self._z0, self._h = -Z_MAX, float(z[1] - z[0])
                self._x, self._slope = x, slope * self._h
                # compare at the probabilities themselves, as the interpolant is used
                qm = special.ndtr(0.5 * (z[1:] + z[:-1]))
                err = np.max(np.abs(self._interp(special.ndtri(qm)) - exact_ppf(qm)))
                if err <= REL_TOL * scale:
                    self.exact_only = False
                    self.max_error = float(err)
                    break
            intervals *= 4

    def _interp(self, z: FloatArray) -> FloatArray:
        s = (z - self._z0) / self._h
        i = np.clip(s.astype(np.intp), 0, self._x.size - 2)
        t = s - i
        t2 = t * t
        t3 = t2 * t
        x0, x1 = self._x[i], self._x[i + 1]
        d0, d1 = self._slope[i], self._slope[i + 1]
        return (
            (2 * t3 - 3 * t2 + 1) * x0
            + (t3 - 2 * t2 + t) * d0
            + (3 * t2 - 2 * t3) * x1
            + (t3 - t2) * d1
        )

    def __call__(self, q: FloatArray, out: FloatArray | None = None) -> FloatArray:
        """Quantiles of ``q`` (probabilities in [0, 1]); into ``out`` if given (a
        contiguous 1-d array of q's size, not q itself)."""
        if self.exact_only:
            if out is None:
                return self._exact(q)
            out[:] = self._exact(q)
            return out
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import hermite_into, hermite_ppf

        q = np.asarray(q, dtype=np.float64)
        if out is None:
            out, far = hermite_ppf(q, self._z0, self._h, self._x, self._slope, Z_MAX)
        else:
            far = hermite_into(np.ascontiguousarray(q), self._z0, self._h, self._x,
                               self._slope, Z_MAX, out)
        if far:
            tail = ~(np.abs(special.ndtri(q)) <= Z_MAX)
            out[tail] = self._exact(q[tail])
        return out
