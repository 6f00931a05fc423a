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

The table spans ``|z| <= Z_MAX``. A family that also gives its exact quantile as a function
of the upper tail's probability (``exact_isf``: ``q = 1 - s`` loses ``s``'s digits) has its
far tails tabulated too, out to ``Z_FAR``, beyond the largest score a sampling plan can
draw (:data:`~distributions.base.Z_HI`), each checked the same way; elsewhere, and for a
family without ``exact_isf``, the far tails use the exact function.

Built tables are kept on disk (:func:`~distributions.cache.cache_dir`, ``ppf-tables``)
under a key of the family's parameters, this module's and the family's source, and
numpy's and scipy's versions: reading a study whose tables were built before needs no
``scipy.special`` (:mod:`distributions.special`: 0.2-0.4 s of a Python program's start,
~70 ms of an ``ftrisk`` command's), and the tables read back are the ones built, bit for
bit. The cache keeps the
:data:`KEEP_TABLES` newest tables (:func:`prune`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from distributions import special
from distributions.cache import cache_dir

FloatArray = NDArray[np.float64]

Z_MAX = 5.0
#: The far tails' tables end here: past the largest normal score a sampling plan draws
#: (``Phi^-1(1 - 2**-53)`` = 8.2095...), so a plan's draws never need the exact function.
Z_FAR = 8.25
#: Largest accepted interpolation error, as a fraction of the P0.1-P99.9 range.
REL_TOL = 1e-10
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))
#: The version of the cached tables' layout (:func:`_pack`).
_FORMAT = 1.0


@dataclass(frozen=True)
class HermiteTable:
    """Cubic Hermite interpolant on the grid ``z0 + i * h`` of the normal score: values
    ``x`` and slopes ``slope`` (already multiplied by ``h``) at the nodes.

    Examples
    --------
    >>> t = HermiteTable(0.0, 1.0, np.array([0.0, 1.0, 4.0]), np.array([0.0, 2.0, 4.0]))
    >>> t(np.array([0.5, 1.5])).tolist()  # x = z**2 exactly: a cubic reproduces it
    [0.25, 2.25]
    """

    z0: float
    h: float
    x: FloatArray
    slope: FloatArray

    def __call__(self, z: FloatArray) -> FloatArray:
        s = (z - self.z0) / self.h
        i = np.clip(s.astype(np.intp), 0, self.x.size - 2)
        t = s - i
        t2 = t * t
        t3 = t2 * t
        x0, x1 = self.x[i], self.x[i + 1]
        d0, d1 = self.slope[i], self.slope[i + 1]
        return np.asarray(
            (2 * t3 - 3 * t2 + 1) * x0
            + (t3 - 2 * t2 + t) * d0
            + (3 * t2 - 2 * t3) * x1
            + (t3 - t2) * d1, dtype=np.float64)


def _nodes(values: Callable[[FloatArray], FloatArray],
           logpdf: Callable[[FloatArray], FloatArray],
           lo: float, hi: float, intervals: int) -> tuple[HermiteTable | None, FloatArray]:
    """The table of ``values`` (the quantile as a function of the score) on ``intervals``
    equal intervals of ``[lo, hi]`` (None when a value or slope is not finite), and the
    midpoints of those intervals, where it is checked."""
    z = np.linspace(lo, hi, intervals + 1)
    mid = 0.5 * (z[1:] + z[:-1])
    x = values(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        slope = np.exp(-0.5 * z * z - logpdf(x)) / _SQRT_2PI
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(slope))):
        return None, mid
    h = float(z[1] - z[0])
    return HermiteTable(lo, h, x, slope * h), mid


def _tail_table(values: Callable[[FloatArray], FloatArray],
                logpdf: Callable[[FloatArray], FloatArray],
                lo: float, hi: float, tolerance: float) -> HermiteTable | None:
    """A far tail's table on ``[lo, hi]``, refined until it is within ``tolerance`` of
    ``values`` at every interval midpoint; None if it never is."""
    intervals = 64
    while intervals <= 4096:
        table, mid = _nodes(values, logpdf, lo, hi, intervals)
        if table is not None and np.max(np.abs(table(mid) - values(mid))) <= tolerance:
            return table
        intervals *= 4
    return None


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
    exact_isf : callable, optional
        The exact quantile at ``1 - s`` as a function of ``s``: when given, the far tails
        are tabulated too (to ``Z_FAR``).
    key : str, optional
        What ``exact_ppf`` computes (its family and parameters, exactly): when given, the
        tables are kept in and read from the disk cache.

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
        *,
        exact_isf: Callable[[FloatArray], FloatArray] | None = None,
        key: str | None = None,
    ) -> None:
        self._exact = exact_ppf
        self.max_error = np.nan
        #: the table on |z| <= Z_MAX (None: it never met the tolerance, the exact function
        #: is used), then the far tails' (None: exact there)
        self._main: HermiteTable | None = None
        self._lower: HermiteTable | None = None
        self._upper: HermiteTable | None = None
        path = None if key is None else _cache_path(key, intervals, exact_ppf, exact_isf)
        if path is not None and self._read(path):
            return
        self._build(exact_ppf, logpdf, intervals, exact_isf)
        if path is not None:
            _write(path, _pack(self))

    def _build(self, exact_ppf: Callable[[FloatArray], FloatArray],
               logpdf: Callable[[FloatArray], FloatArray], intervals: int,
               exact_isf: Callable[[FloatArray], FloatArray] | None) -> None:
        scale = float(np.ptp(exact_ppf(np.array([0.001, 0.999]))))
        while intervals <= 16384 and scale > 0:
            table, mid = _nodes(lambda z: exact_ppf(special.ndtr(z)), logpdf, -Z_MAX, Z_MAX,
                                intervals)
            if table is not None:
                # compare at the probabilities themselves, as the interpolant is used
                qm = special.ndtr(mid)
                err = np.max(np.abs(table(special.ndtri(qm)) - exact_ppf(qm)))
                if err <= REL_TOL * scale:
                    self._main = table
                    self.max_error = float(err)
                    break
            intervals *= 4
        if self.exact_only or exact_isf is None:
            return
        tolerance = REL_TOL * scale
        self._lower = _tail_table(lambda z: exact_ppf(special.ndtr(z)), logpdf,
                                  -Z_FAR, -Z_MAX, tolerance)
        self._upper = _tail_table(lambda z: exact_isf(special.ndtr(-z)), logpdf,
                                  Z_MAX, Z_FAR, tolerance)

    @property
    def exact_only(self) -> bool:
        """True when the table never met the tolerance: every quantile is exact."""
        return self._main is None

    def _read(self, path: Path) -> bool:
        """Take the tables from the cache file ``path``; False when it is missing or not
        a table file of this version."""
        try:
            flat = np.load(path, allow_pickle=False)
            main, lower, upper, error = _unpack(flat)
        except (OSError, ValueError, IndexError, EOFError):
            return False
        if main is not None:
            self.max_error = error
        self._main, self._lower, self._upper = main, lower, upper
        return True

    def _interp(self, z: FloatArray) -> FloatArray:
        """The main table's values at scores ``z`` (within Z_MAX: numpy, the formula the
        compiled kernel uses)."""
        assert self._main is not None
        return self._main(z)

    def __call__(self, q: FloatArray, out: FloatArray | None = None) -> FloatArray:
        """Quantiles of ``q`` (probabilities in [0, 1]); into ``out`` if given (a
        contiguous 1-d array of q's size, not q itself)."""
        main = self._main
        if main is None:
            if out is None:
                return self._exact(q)
            out[:] = self._exact(q)
            return out
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import hermite_into, hermite_ppf, ndtri

        q = np.asarray(q, dtype=np.float64)
        if out is None:
            out, far = hermite_ppf(q, main.z0, main.h, main.x, main.slope, Z_MAX)
        else:
            far = hermite_into(np.ascontiguousarray(q), main.z0, main.h, main.x, main.slope,
                               Z_MAX, out)
        if far:
            z = ndtri(q)  # the scores the compiled table used
            tail = ~(np.abs(z) <= Z_MAX)
            out[tail] = self._far(q[tail], z[tail])
        return out

    def _far(self, q: FloatArray, z: FloatArray) -> FloatArray:
        """Quantiles of probabilities ``q`` (scores ``z``) beyond ``Z_MAX``: from the far
        tails' tables where there are some (to ``Z_FAR``), else exact."""
        x = np.empty(q.shape)
        exact = np.ones(q.shape, dtype=bool)
        for table, side in ((self._lower, z < 0), (self._upper, z > 0)):
            if table is not None:
                use = side & (np.abs(z) <= Z_FAR)
                x[use] = table(z[use])
                exact &= ~use
        if exact.any():
            x[exact] = self._exact(q[exact])
        return x


def _pack(ppf: HermitePPF) -> FloatArray:
    """The tables of ``ppf`` as one array: the format, the main table's error, then each
    of the main, lower and upper tables as ``[z0, h, nodes, x..., slope...]`` (0 nodes for
    a table not there)."""
    parts = [np.array([_FORMAT, ppf.max_error])]
    for table in (ppf._main, ppf._lower, ppf._upper):
        if table is None:
            parts.append(np.zeros(3))
        else:
            parts += [np.array([table.z0, table.h, table.x.size]), table.x, table.slope]
    return np.concatenate(parts)


def _unpack(flat: FloatArray) -> tuple[HermiteTable | None, HermiteTable | None,
                                        HermiteTable | None, float]:
    """The main, lower and upper tables and the main table's error of :func:`_pack`'s
    array (ValueError: not such an array)."""
    if flat.dtype != np.float64 or flat.ndim != 1 or flat[0] != _FORMAT:
        raise ValueError("not a table file of this version")
    tables: list[HermiteTable | None] = []
    at = 2
    for _ in range(3):
        z0, h, n = (float(v) for v in flat[at:at + 3])
        m = int(n)
        at += 3
        if m != n or m < 0 or (m > 0 and not h > 0):
            raise ValueError("bad table header")
        if m == 0:
            tables.append(None)
            continue
        x, slope = flat[at:at + m].copy(), flat[at + m:at + 2 * m].copy()
        if slope.size != m:
            raise ValueError("truncated table file")
        tables.append(HermiteTable(z0, h, x, slope))
        at += 2 * m
    if at != flat.size:
        raise ValueError("trailing data")
    return tables[0], tables[1], tables[2], float(flat[1])


def _cache_path(key: str, intervals: int, *functions: Callable[..., object] | None
                ) -> Path | None:
    """Where the tables of ``key`` are cached: the key, the build's settings, the
    sources of this module and of the modules defining ``functions`` (of a
    ``functools.partial``, its function's), and numpy's and scipy's versions, hashed. None
    when a source cannot be read (no caching)."""
    import scipy  # the version only: ``import scipy`` does not import scipy.special

    # the sources as the kernels' builds read them for their keys
    from distributions.native import _source

    h = hashlib.sha256()
    settings = (key, intervals, Z_MAX, Z_FAR, REL_TOL, _FORMAT, np.__version__,
                scipy.__version__)
    h.update(repr(settings).encode())
    modules = {__name__, *(getattr(getattr(f, "func", f), "__module__", None) or ""
                           for f in functions if f is not None)}
    try:
        for name in sorted(modules):
            h.update(_source(name) + b"\0")
    except (ImportError, OSError, ValueError):
        return None
    return cache_dir("ppf-tables") / f"{h.hexdigest()[:32]}.npy"


def _write(path: Path, flat: FloatArray) -> None:
    """Save ``flat`` at ``path`` atomically (a reader sees the whole file or none); a
    cache that cannot be written only costs the build next time. Every
    :data:`PRUNE_EVERY` writes of a process, the folder is cut back to its
    :data:`KEEP_TABLES` newest files (:func:`prune`)."""
    global _writes
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.tmp.npy")
        np.save(tmp, flat, allow_pickle=False)
        tmp.replace(path)
    except OSError:
        return
    _writes += 1
    if _writes % PRUNE_EVERY == 0:
        prune(path.parent, KEEP_TABLES)


#: The most table files the cache keeps (~20 KB each): a sweep, a goal seek or an app's
#: slider over a PERT input makes a new table at each value.
KEEP_TABLES = 1000
#: Writes of a process between two looks at the cache's size.
PRUNE_EVERY = 50
_writes = 0


def prune(folder: Path, keep: int) -> int:
    """Remove all but the ``keep`` most recently written table files of ``folder``; the
    number removed (files that go away meanwhile, or cannot be removed, are skipped).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for i in range(3):
    ...     np.save(folder / f"{i}.npy", np.zeros(1))
    >>> prune(folder, 1), len(list(folder.glob("*.npy")))
    (2, 1)
    """
    found = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".npy") and ".tmp." not in entry.name:
            try:
                found.append((entry.stat().st_mtime_ns, entry.name))
            except OSError:
                continue
    found.sort(reverse=True)
    removed = 0
    for _, name in found[keep:]:
        try:
            os.remove(folder / name)
            removed += 1
        except OSError:
            continue
    return removed
