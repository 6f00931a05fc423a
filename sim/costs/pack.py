"""Packing a chunk's coefficients for the fused model (:mod:`sim.costs.fused`).

A kind's kernel (:mod:`sim.costs.api`, :mod:`sim.costs.hosted`, :mod:`sim.costs.self_hosted`)
computes its coefficients from the inputs, vectorized over samples (each a float shared by
every sample or an array with one value per sample), and hands them over as a
:class:`Component`: its kind, its coefficients by slot (:mod:`sim.costs.slots`) and its
flags. :class:`Packer` lays them out in one flat array, ``step`` 0 for a shared value (no
copy per sample) and 1 for a per-sample one, which is what the compiled loops read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.costs.arena import Arena
from sim.costs.fused import component_months_one, knots_at, simulate
from sim.costs.helpers import offered
from sim.costs.slots import (
    ACTIVE,
    API,
    BLOCK,
    BUILD,
    F_CURVE,
    F_KIND,
    F_PROJECT,
    F_STEPPED,
    FLOOR,
    GPU_MONTHLY,
    HOSTED,
    KEEP,
    LIMIT,
    MONTHLY,
    N_BLOCK_ROWS,
    N_FLAGS,
    N_ROWS,
    N_SHARED,
    N_SLOTS,
    N_STRATEGY_ROWS,
    PER_REQUEST,
    PROJECT,
    RATE,
    S_DRIFT,
    S_G,
    S_GROWTH,
    S_V0,
    S_VOL,
    WORK,
)
from sim.costs.workload import Value, Workload

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


#: Slots that are 1 when a component leaves them out: its active flag and the factors that
#: multiply (no price change, no rescaling of the volume).
ONE_BY_DEFAULT = (ACTIVE, MONTHLY, KEEP, GPU_MONTHLY, WORK, PER_REQUEST)


@dataclass(frozen=True)
class Component:
    """One kernel's coefficients: what the fused model needs to step it through the months.

    Attributes
    ----------
    kind : int
        :data:`~sim.costs.slots.API`, ``HOSTED``, ``SELF_HOSTED`` or ``ROUTER``.
    slots : dict of int to float or ndarray
        Coefficients by slot (a slot left out is 0, or 1 for the factors in
        :data:`ONE_BY_DEFAULT`).
    flags : dict of int to int
        Integer flags by column (left out: 0; ``F_CURVE`` is set by the packer).
    workload : Workload
        The workload it serves (its volume factor and growth).
    curve : tuple of two ndarrays, optional
        The capacity curve ``(volumes, replica-hours per day)`` of simulated serving.
    """

    kind: int
    slots: dict[int, Value]
    flags: dict[int, int]
    workload: Workload
    curve: tuple[FloatArray, FloatArray] | None = field(default=None)

    def months(self, horizon: int) -> tuple[FloatArray, FloatArray]:
        """Run cost and one-off spend of months 1..``horizon`` (scalar coefficients only).

        Examples
        --------
        >>> from sim.costs.slots import API, TOKEN, F_KIND
        >>> run, spend = Component(API, {TOKEN: 100.0}, {F_KIND: API},
        ...                        Workload(1.0, 1.0, 0.0, monthly_growth=0.5)).months(3)
        >>> run.tolist(), spend.tolist()
        ([100.0, 150.0, 225.0], [0.0, 0.0, 0.0])
        """
        packer = Packer(1)
        packer.add_shared(self.workload)
        c = packer.add(self)
        p = packer.done([(c, c + 1)], 0)
        run, spend = np.empty(horizon), np.empty(horizon)
        component_months_one(p.vals, p.off, p.step, p.slots, p.flags, p.cx, p.cy, p.coff,
                             p.cb, p.shared, horizon, run, spend)
        return run, spend


def project_slots(project: Any) -> dict[int, Value]:
    """The slots of a one-off project (none without one)."""
    if project is None:
        return {}
    return {BUILD: project.build_months, PROJECT: project.cost}


@dataclass(frozen=True)
class Packed:
    """A chunk's coefficients, laid out for :func:`sim.costs.fused.simulate`."""

    vals: FloatArray
    off: IntArray
    step: IntArray
    slots: IntArray
    flags: IntArray
    cx: FloatArray
    cy: FloatArray
    coff: IntArray
    #: each curve's search table, beside its knots (:func:`search_table`)
    cb: IntArray
    s_lo: IntArray
    s_hi: IntArray
    base_s: int
    shared: IntArray
    m: int
    #: a volume process's shocks (H - 1, m) and 12 seasonal multipliers (None: no process)
    shocks: FloatArray | None = None
    season: FloatArray | None = None

    def simulate(self, *, horizon: int, disc: FloatArray, keep: int = 0,
                 months: int | None = None, paths: bool = False,
                 helpable: bool = False) -> Outputs:
        """Run the fused model (:func:`sim.costs.fused.simulate`) on these coefficients:
        every strategy's NPV, payback, fractional payback and TCO per sample, the cumulative
        net saving of the first ``keep`` samples by month, and with ``paths`` each month's
        cost and volume (months 1..``months``, default the horizon). With ``helpable``,
        other threads may step some of its blocks meanwhile
        (:func:`sim.costs.helpers.help_open`): the same numbers."""
        t_n = horizon if months is None else months
        n_s, m = self.s_lo.size, self.m
        if n_s and not (self.s_lo[1:] == self.s_hi[:-1]).all():
            raise ValueError("each strategy's components must follow the previous one's")
        share, records = price_shares(self)
        out = Outputs(np.empty((n_s, m)), np.empty((n_s, m), dtype=np.int16),
                      np.empty((n_s, m)), np.empty((n_s, m)), np.empty((n_s, t_n, keep)),
                      np.empty((n_s, t_n, m if paths else 0)),
                      np.empty((t_n, m if paths else 0)))
        d = np.ascontiguousarray(disc[:t_n], dtype=np.float64)
        shocks = np.zeros((0, 0)) if self.shocks is None else self.shocks
        season = np.ones(12) if self.season is None else self.season
        claim = np.zeros(1, dtype=np.int64)  # the next block to step

        def step() -> int:  # blocks left, with work arrays of this thread's own
            return int(simulate(
                self.vals, self.off, self.step, self.slots, self.flags, self.cx, self.cy,
                self.coff, self.cb, self.s_lo, self.s_hi, self.base_s, self.shared, horizon,
                t_n, d, m, keep, out.npv, out.payback, out.fractional, out.tco, out.fan,
                out.paths, out.volume, self.shocks is not None, shocks, season, share,
                np.zeros((self.flags.shape[0], N_ROWS * BLOCK)),
                np.zeros((n_s, N_STRATEGY_ROWS * BLOCK)),
                np.zeros((N_BLOCK_ROWS + t_n * (1 + 2 * records)) * BLOCK), claim))

        if helpable:
            with offered(step):
                step()
        else:
            step()
        return out


@dataclass(frozen=True)
class Outputs:
    """What :meth:`Packed.simulate` returns (rows: strategies in the packed order)."""

    npv: FloatArray
    payback: NDArray[np.int16]
    fractional: FloatArray
    tco: FloatArray
    fan: FloatArray
    paths: FloatArray
    volume: FloatArray


def search_table(xp: FloatArray) -> IntArray:
    """Where :func:`sim.costs.fused.interp` starts its bisection of the curve knots ``xp``
    (increasing): for each of the ``xp.size`` buckets of equal width in log x from the
    first knot to the last, the last knot in a bucket below it (-1: none), so a value in
    bucket b lies between knots ``t[b]`` and ``t[b + 1] + 1``. All -1 when the knots are
    not positive (the search then bisects the whole curve).

    Examples
    --------
    >>> search_table(np.array([1.0, 1.5, 3.0, 7.0, 100.0])).tolist()  # 1.5 and 3 in bucket 0
    [-1, 2, 3, 3, 4]
    >>> search_table(np.array([0.0, 1.0, 2.0])).tolist()
    [-1, -1, -1]
    """
    k = xp.size
    # the kernel's own scale (its Python source, run here: no compiler at packing)
    base, scale = knots_at.py_func(xp, 0, k)
    if not scale > 0.0:
        return np.full(k, -1, dtype=np.int64)
    bucket = ((np.log(xp) - base) * scale).astype(np.int64)
    return np.searchsorted(bucket, np.arange(k), side="left").astype(np.int64) - 1


#: The coefficients a price path depends on (:func:`sim.costs.fused.price_month`).
PRICE_SLOTS = (RATE, KEEP, LIMIT, FLOOR, MONTHLY)


def price_shares(p: Packed) -> tuple[IntArray, int]:
    """Which components take the price path of one of the baseline's instead of computing
    it again (the ``share`` argument of :func:`sim.costs.fused.simulate`), and how many
    paths are recorded.

    An API or hosted component of another strategy (a routing strategy's fallback is
    often the baseline's model) shares the path of an API or hosted component of the
    baseline that comes before it when both step their price or both do not, and their
    price coefficients are equal bit for bit: the same formula on the same numbers gives
    the same path.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> from sim.costs.build import pack_study  # doctest: +SKIP
    >>> study = load_study("studies/code_completion.toml")  # doctest: +SKIP
    >>> p, _ = pack_study(study, {i.path: i.dist.median for i in study.inputs()}, 1)
    ... # doctest: +SKIP
    >>> price_shares(p)[0].tolist()  # doctest: +SKIP
    [[0, -1], [-1, -1], [-1, -1], [-1, 0]]
    """
    n_c = p.flags.shape[0]
    share = np.full((n_c, 2), -1, dtype=np.int64)
    records = 0
    if p.s_lo.size == 0:
        return share, records
    priced = (API, HOSTED)
    base = range(int(p.s_lo[p.base_s]), int(p.s_hi[p.base_s]))
    for c in range(n_c):
        if c in base or p.flags[c, F_KIND] not in priced:
            continue
        for src in base:
            if src >= c or p.flags[src, F_KIND] not in priced:
                continue
            if p.flags[src, F_STEPPED] != p.flags[c, F_STEPPED]:
                continue
            if all(_same_coefficient(p, p.slots[src, k], p.slots[c, k]) for k in PRICE_SLOTS):
                if share[src, 0] < 0:
                    share[src, 0] = records
                    records += 1
                share[c, 1] = share[src, 0]
                break
    return share, records


def _same_coefficient(p: Packed, a: int, b: int) -> bool:
    """Whether packed coefficients a and b hold the same value for every sample, bit for
    bit (NaN payloads and signed zeros included)."""
    if a == b:
        return True
    x, y = (p.vals[p.off[k]:p.off[k] + (p.m if p.step[k] else 1)].view(np.int64)
            for k in (a, b))
    return bool((x == y).all()) if x.size == y.size or min(x.size, y.size) == 1 else False


class Packer:
    """Collects components for ``m`` samples and lays them out (see :class:`Packed`).

    With an ``arena`` (:mod:`sim.costs.arena`), the packed array is the arena's: a
    per-sample coefficient computed into one of its rows stays where it is, another is
    copied into a free row, a shared one into its room for shared values (what does not
    fit is appended at the end).

    Examples
    --------
    >>> p = Packer(3)
    >>> p.value(2.0), p.value(np.array([1.0, 2.0, 3.0]))
    (0, 1)
    >>> done = p.done([], 0)
    >>> done.vals[:4].tolist(), done.off[:2].tolist(), done.step[:2].tolist()
    ([2.0, 1.0, 2.0, 3.0], [0, 1], [0, 1])
    """

    def __init__(self, m: int, arena: Arena | None = None) -> None:
        self.m = m
        self._parts: list[FloatArray | float] = []
        self._off: list[int] = []
        self._step: list[int] = []
        self._size = 0
        self._seen: dict[int, tuple[Any, int]] = {}
        self._components: list[Component] = []
        self._shared = [0] * N_SHARED
        self._process: Any = None
        self._zero = -1
        self._one = -1
        self._arena = arena if arena is not None and arena.m == m else None
        #: shared values written into the arena's room for them
        self._scalars = 0
        #: values that did not fit in the arena: (index, part), appended after it
        self._extra: list[tuple[int, FloatArray | float]] = []

    def value(self, v: Value) -> int:
        """The index of a coefficient (a float, or an array of one value per sample)."""
        key = id(v)
        seen = self._seen.get(key)
        if seen is not None and seen[0] is v:
            return seen[1]
        part: FloatArray | float
        if isinstance(v, float):  # a shared value (numpy's float64 too)
            part, step = float(v), 0
        else:
            a = np.asarray(v, dtype=np.float64)
            if a.ndim == 0 or a.size == 1:
                part, step = float(a.reshape(1)[0]), 0
            elif a.shape == (self.m,):
                part, step = a, 1
            else:
                raise ValueError(f"a coefficient of shape {a.shape} for {self.m} samples")
        k = len(self._off)
        self._step.append(step)
        self._seen[key] = (v, k)
        if self._arena is not None:
            self._off.append(self._place(k, part))
            return k
        self._parts.append(part)
        self._off.append(self._size)
        self._size += self.m if step else 1
        return k

    def _place(self, k: int, part: FloatArray | float) -> int:
        """Where value ``k`` goes in the arena (-1: appended after it, see :meth:`done`)."""
        arena = self._arena
        assert arena is not None
        if not isinstance(part, float):
            r = arena.row_of(part)
            if r < 0:
                row = arena.take()
                if row is None:
                    self._extra.append((k, part))
                    return -1
                np.copyto(row, part)
                r = arena.row_of(row)
            return r * self.m
        if self._scalars == arena.scalars:
            self._extra.append((k, part))
            return -1
        at = arena.rows * self.m + self._scalars
        arena.buf[at] = part
        self._scalars += 1
        return at

    @property
    def shared_used(self) -> int:
        """Shared values written into the arena."""
        return self._scalars

    def spill(self) -> tuple[int, int]:
        """Rows and shared values that did not fit in the arena (what the next chunk's
        arena should add)."""
        rows = sum(1 for k, _ in self._extra if self._step[k])
        return rows, len(self._extra) - rows

    def add_shared(self, w: Workload) -> None:
        """The workload's coefficients every component reads (volume factor, growth, volume)."""
        self._shared[S_GROWTH] = self.value(w.growth_factor)
        self._shared[S_G] = self.value(w.monthly_growth)
        self._shared[S_V0] = self.value(w.requests_per_day)
        p = w.process
        self._shared[S_DRIFT] = self.value(0.0 if p is None else p.drift)
        self._shared[S_VOL] = self.value(0.0 if p is None else p.volatility)
        self._process = p

    def add(self, c: Component) -> int:
        """Add a component; return its index."""
        self._components.append(c)
        return len(self._components) - 1

    def done(self, strategies: list[tuple[int, int]], base: int) -> Packed:
        """Lay out every coefficient; ``strategies`` are (first, one past last) component
        ranges, ``base`` the baseline's row among them."""
        n = len(self._components)
        zero = self.value(0.0)
        one = self.value(1.0)
        slots = np.full((n, N_SLOTS), zero, dtype=np.int64)
        slots[:, list(ONE_BY_DEFAULT)] = one
        flags = np.zeros((n, N_FLAGS), dtype=np.int64)
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        coff = [0]
        for i, c in enumerate(self._components):
            for k, v in c.slots.items():
                slots[i, k] = self.value(v)
            for k, f in c.flags.items():
                flags[i, k] = f
            flags[i, F_PROJECT] = int(PROJECT in c.slots)
            flags[i, F_CURVE] = -1
            if c.curve is not None:
                flags[i, F_CURVE] = len(xs)
                xs.append(np.asarray(c.curve[0], dtype=np.float64))
                ys.append(np.asarray(c.curve[1], dtype=np.float64))
                coff.append(coff[-1] + xs[-1].size)
        vals = self._vals()
        empty = np.zeros(0)
        return Packed(
            vals=vals, off=np.array(self._off, dtype=np.int64),
            step=np.array(self._step, dtype=np.int64), slots=slots, flags=flags,
            cx=np.concatenate(xs) if xs else empty, cy=np.concatenate(ys) if ys else empty,
            coff=np.array(coff, dtype=np.int64),
            cb=(np.concatenate([search_table(x) + a for x, a in zip(xs, coff[:-1], strict=True)])
                if xs else np.zeros(0, dtype=np.int64)),
            s_lo=np.array([a for a, _ in strategies], dtype=np.int64),
            s_hi=np.array([b for _, b in strategies], dtype=np.int64), base_s=base,
            shared=np.array(self._shared, dtype=np.int64), m=self.m,
            **self._process_arrays())

    def _vals(self) -> FloatArray:
        """The packed array (and each value's offset in it, in ``_off``)."""
        if self._arena is None:
            return _laid_out(self._parts, self._off, self._size)
        buf = self._arena.buf
        if not self._extra:
            return buf
        at = buf.size
        for k, part in self._extra:
            self._off[k] = at
            at += 1 if isinstance(part, float) else part.size
        tail = _laid_out([p for _, p in self._extra],
                         [self._off[k] - buf.size for k, _ in self._extra], at - buf.size)
        return np.concatenate([buf, tail])

    def _process_arrays(self) -> dict[str, FloatArray]:
        p = self._process
        if p is None:
            return {}
        shocks = np.ascontiguousarray(p.shocks, dtype=np.float64)
        if shocks.ndim == 2 and shocks.shape[1] == 1 != self.m:  # the same path for all
            shocks = np.repeat(shocks, self.m, axis=1)
        if shocks.ndim != 2 or shocks.shape[1] != self.m:
            raise ValueError(f"volume shocks of shape {shocks.shape} for {self.m} samples")
        return {"shocks": shocks,
                "season": np.ascontiguousarray(p.season, dtype=np.float64).reshape(12)}


def _laid_out(parts: list[FloatArray | float], off: list[int], size: int) -> FloatArray:
    """``parts`` (shared values and per-sample arrays) at offsets ``off`` of one array of
    ``size`` values (one 0 when there are none)."""
    if not parts:
        return np.zeros(1)
    if all(isinstance(p, float) for p in parts):  # a point estimate: every value shared
        return np.array(parts, dtype=np.float64)
    vals = np.empty(size)
    for at, part in zip(off, parts, strict=True):
        if isinstance(part, float):
            vals[at] = part
        else:
            vals[at:at + part.size] = part
    return vals
