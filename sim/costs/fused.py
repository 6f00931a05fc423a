"""The fused model, compiled (numba): the month loop of each strategy kind and the fold of
every strategy's months into NPV, TCO and payback, for a chunk of samples in one pass
(docs/model.md, "Price declines" to "Payback").

These are the model's only month loops. Each kind's loop (:func:`api_months`,
:func:`hosted_months`, :func:`self_hosted_months`) takes one sample's coefficients, prepared
by the kind's kernel (:mod:`sim.costs.api`, :mod:`sim.costs.hosted`,
:mod:`sim.costs.self_hosted`, packed by :mod:`sim.costs.pack`), and fills the month arrays
it is given. :func:`simulate` runs them for every sample and strategy: a strategy is its
components weighted by their active flags (a routing strategy: the router's project, then
its primary and fallback at their shares; any other: its one component), the baseline's
run cost is what every other strategy is compared with, and :func:`fold_strategy` applies
the payback rule (:mod:`sim.costs.payback`) while it sums NPV and TCO, with nothing stored
per month.

The arithmetic is done in the order the model's formulas state it (the order of the numpy
month loop these replaced), one sample at a time, so results do not depend on how samples
are chunked or on the number of workers. Two things are computed differently, with the
same result: a retraining schedule in whole months is found by counting (``D + T``,
``D + 2T``, ...) instead of a floating-point remainder each month, and a stepped price's
power ``(1 - s) ** N`` is recomputed only when N changes. Powers, ``expm1`` and ``log1p``
come from the C library where numpy may use its SIMD versions: those can differ in the
last bit.

Functions are compiled once and cached on disk (``cache=True``); they release the GIL
(``nogil=True``) so chunks run on threads, and use numpy's division semantics (x / 0 is inf
or NaN, never an exception). The per-month helpers are inlined into their callers. They
live in one module on purpose: numba's disk cache checks only the source file of the
function it loads, so a loop calling a helper from another file could run a stale copy.

The coefficients come packed: a flat float64 array ``vals`` with ``off[k]``/``step[k]``
per coefficient (``step`` 0 for a value shared by every sample, 1 for one per sample), so
a coefficient of sample i is ``vals[off[k] + i * step[k]]``; the slot and flag layout is
:mod:`sim.costs.slots`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, vectorize

from sim.costs.slots import (
    ACTIVE,
    API,
    BUILD,
    CONST,
    EVERY,
    F_CURVE,
    F_KIND,
    F_MODE,
    F_PROJECT,
    F_RETRAIN,
    F_STEPPED,
    F_WHEN_PAYS,
    FIXED,
    FLOOR,
    GPU_MONTHLY,
    HOURLY,
    KEEP,
    LIMIT,
    MIGRATION,
    MONTHLY,
    NEED,
    PER_REQUEST,
    PROJECT,
    QUALITY,
    RATE,
    RCOST,
    ROUTER,
    RPD,
    S_G,
    S_GROWTH,
    S_V0,
    SELF_HOSTED,
    TOKEN,
    WORK,
)

#: Slack on the cut count so that an exact product such as 8 x 1.5 / 12 = 1 is not 0.999...
CUT_EPS = 1e-9
#: Relative shrink of the instance ratio before rounding up (a load of exactly 2 gives 2).
INSTANCE_SLACK = 1e-9
#: Payback month stored for "not within the horizon" (null in samples.parquet).
NO_PAYBACK = 0

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
#: Helpers called per sample and month: inlined into the caller.
_INLINE = {**_JIT, "inline": "always"}


# -- rules shared by the kinds ------------------------------------------------------------

@njit(**_INLINE)
def fmax_floor(floor: float, x: float) -> float:
    """``np.maximum(floor, x)``: the larger, NaN if either is NaN."""
    if x != x or floor != floor:
        return math.nan
    return x if x > floor else floor


@njit(**_INLINE)
def price_path(stepped: bool, rate: float, keep: float, limit: float, floor: float,
               monthly: float, pf: np.ndarray, cuts: np.ndarray) -> None:
    """Price factor and price-lowering cuts of months 1..len(pf) (docs/model.md, "Price
    declines"): ``max(f, (1 - s) ** N(t))``, ``N(t) = floor((t - 1) rate / 12)``, with the
    cuts that lowered the price (those before the floor, ``limit``) counted for migrations;
    or smoothly ``max(f, (1 - d) ** ((t - 1) / 12))`` as a running product of ``monthly``
    (1 in month 1, no cuts)."""
    done_prev = 0.0
    raw = 1.0
    factor = 1.0
    n_prev = 0.0
    for k in range(pf.size):
        t = k + 1
        if stepped:
            n = math.floor((t - 1) * rate / 12.0 + CUT_EPS)
            done = n if n < limit else limit
            cuts[k] = done - done_prev
            done_prev = done
            if k == 0 or n != n_prev:  # the power changes only with a cut
                factor = fmax_floor(floor, keep ** n)
                n_prev = n
        else:
            cuts[k] = 0.0
            if t > 1:
                raw = raw * monthly
                factor = fmax_floor(floor, raw)
        pf[k] = factor


@njit(**_INLINE)
def project_spend(t: int, cost: float, build: float) -> float:
    """Project spend of month t: the cost spread over ``max(build, 1)`` months."""
    dm = build if build > 1.0 else 1.0
    return cost / dm if t <= dm else 0.0


@njit(**_INLINE)
def retrain_due(t: int, start: float, every: float) -> bool:
    """Whether month t is a scheduled retraining month: ``t > D`` and ``(t - D) % T == 0``."""
    return t > start and (t - start) % every == 0.0


@njit(**_INLINE)
def whole(start: float, every: float) -> bool:
    """Whether a schedule is in whole months: then its months ``D + k T`` are found by
    counting, the same months :func:`retrain_due` gives, without a remainder each month."""
    return start == math.floor(start) and every == math.floor(every) and every >= 1.0


@njit(**_INLINE)
def retrain_served(t: int, every: float, horizon: int) -> float:
    """Months within the horizon a retraining in month t serves: ``min(T, H - t + 1)``."""
    left = horizon - t + 1.0
    return every if every < left else left


@njit(**_INLINE)
def volume_sum(g: float, n: float) -> float:
    """``1 + (1 + g) + ... + (1 + g) ** (n - 1)`` in closed form (n when g = 0)."""
    if g == 0.0:
        return n
    return math.expm1(n * math.log1p(g)) / g


@njit(**_INLINE)
def round_up(load: float) -> float:
    """Instances for a load (in instances): ``max(1, ceil(load))``, the load shrunk by a
    relative 1e-9 first so that exactly 2 instances of load give 2, not 3."""
    x = math.ceil(load * (1.0 - INSTANCE_SLACK))
    return x if x > 1.0 else 1.0


@njit(**_INLINE)
def interp(x: float, xp: np.ndarray, fp: np.ndarray) -> float:
    """``np.interp(x, xp, fp)`` for one value (numpy's formula, bit for bit)."""
    n = xp.size
    if x != x:
        return x
    if x < xp[0]:
        return fp[0]
    if x >= xp[n - 1]:
        return fp[n - 1]
    lo, hi = 0, n - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if xp[mid] <= x:
            lo = mid
        else:
            hi = mid
    slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo])
    y = slope * (x - xp[lo]) + fp[lo]
    if y != y:
        y = slope * (x - xp[lo + 1]) + fp[lo + 1]
        if y != y and fp[lo] == fp[lo + 1]:
            y = fp[lo]
    return y


@njit(**_INLINE)
def instances(mode: int, fixed: float, need: float, rpd: float, work: float, per_request: float,
              growth: float, xp: np.ndarray, fp: np.ndarray) -> float:
    """Instances serving a month at volume factor ``growth``: ``fixed`` (mode 0); sized for
    the peak, ``round_up(need x growth)`` (mode 1, "auto"); or the serving simulation's
    replica-hours per day / 24 at the volume doing the same work (mode 2, "simulated": the
    curve ``xp -> fp``, proportional above its last knot)."""
    if mode == 0:
        return fixed
    if mode == 1:
        return round_up(need * growth)
    v = rpd * growth * work / per_request
    top = xp[xp.size - 1]
    hours = fp[fp.size - 1] * v / top if v > top else interp(v, xp, fp)
    return hours / 24.0


# -- the month loop of each kind ------------------------------------------------------------

@njit(**_INLINE)
def api_months(token: float, quality: float, const: float, migration: float,
               pf: np.ndarray, cuts: np.ndarray, grow: np.ndarray, run: np.ndarray) -> None:
    """An API-priced model's run cost: ``V(t)/V0 x (token bill x price factor + reviews and
    errors) + fixed + migration x the month's cuts``."""
    for k in range(run.size):
        run[k] = grow[k] * (token * pf[k] + quality) + const + migration * cuts[k]


@njit(**_INLINE)
def hosted_months(token: float, quality: float, const: float, pf: np.ndarray,
                  grow: np.ndarray, g: float, retrain: bool, when_pays: bool, start: float,
                  every: float, rcost: float, horizon: int, run: np.ndarray,
                  spend: np.ndarray) -> None:
    """A hosted fine-tune's run cost and retraining spend (added to ``spend``): its price
    factor is today's (1) until a retraining moves it onto the vendor's path ``pf``; under
    ``when_pays`` a scheduled retraining happens only when its charge is at most the saving
    of the price step over the months it serves within the horizon (docs/model.md,
    "Project, build months and retraining")."""
    price = 1.0
    counted = whole(start, every)
    next_due = start + every
    for k in range(run.size):
        t = k + 1
        due = False
        if retrain:
            if counted:
                due = t == next_due
                if due:
                    next_due = next_due + every
            else:
                due = retrain_due(t, start, every)
        if due:
            served = retrain_served(t, every, horizon)
            charge = rcost * served / every
            happened = True
            if when_pays:
                gain = token * (price - pf[k]) * grow[k] * volume_sum(g, served)
                happened = charge <= gain
            if happened:
                price = pf[k]
                spend[k] = spend[k] + charge
        run[k] = grow[k] * (token * price + quality) + const


@njit(**_INLINE)
def self_hosted_months(mode: int, fixed: float, need: float, rpd: float, work: float,
                       per_request: float, hourly: float, monthly: float, quality: float,
                       const: float, grow: np.ndarray, xp: np.ndarray, fp: np.ndarray,
                       run: np.ndarray) -> None:
    """A self-hosted model's run cost: ``instances x hourly x GPU price factor + V(t)/V0 x
    reviews and errors + storage + MLOps + fixed``; the GPU price falls by ``monthly`` a
    month from month 2 on."""
    factor = 1.0
    for k in range(run.size):
        if k > 0:
            factor = factor * monthly
        n = instances(mode, fixed, need, rpd, work, per_request, grow[k], xp, fp)
        run[k] = n * hourly * factor + grow[k] * quality + const


@njit(**_INLINE)
def scheduled_retraining(retrain: bool, when_pays: bool, start: float, every: float,
                         rcost: float, horizon: int, spend: np.ndarray) -> None:
    """Add a self-hosted model's retraining spend: each scheduled retraining, charged its
    share within the horizon (its price does not step, so ``when_pays`` never pays)."""
    if not retrain:
        return
    counted = whole(start, every)
    next_due = start + every
    for k in range(spend.size):
        t = k + 1
        if counted:
            due = t == next_due
            if due:
                next_due = next_due + every
        else:
            due = retrain_due(t, start, every)
        if due:
            charge = rcost * retrain_served(t, every, horizon) / every
            if not when_pays or charge <= 0.0:
                spend[k] = spend[k] + charge


# -- the payback rule -----------------------------------------------------------------------

@njit(**_INLINE)
def fold_strategy(base: np.ndarray, run: np.ndarray, spend: np.ndarray, building: float,
                  disc: np.ndarray, fan: np.ndarray, cost_out: np.ndarray
                  ) -> tuple[float, int, float, float]:
    """NPV, payback month, fractional payback and TCO of one strategy in one sample.

    The month's cost is the baseline's while the strategy is being built (``t <=
    building``), else its own run cost, plus its one-off spend; the net saving is the
    baseline's cost minus it. The payback rule (:mod:`sim.costs.payback`): month t is a
    candidate when the cumulative net saving ended month t - 1 below 0 (month 1 always
    is); the payback month is the last candidate, its fractional value interpolated with the
    month's spend paid at its start, kept as a running maximum; neither counts unless the
    cumulative ends the horizon above 0. ``fan`` (length 0 or the horizon) receives the
    cumulative net saving by month, ``cost_out`` (likewise) the month's cost.
    """
    cum = 0.0
    month = 1
    fractional = 0.0
    npv = 0.0
    tco = 0.0
    for k in range(run.size):
        t = k + 1
        cost = (base[k] if t <= building else run[k]) + spend[k]
        net = base[k] - cost
        if t == 1 or cum < 0.0:
            month = t
            start = cum - spend[k]  # just after the month's one-off spend
            cum = cum + net
            f = start / (start - cum)
            if f > 1.0:  # a candidate that is not the last may lie beyond t
                f = 1.0
            f = f + (t - 1)
            if f > fractional:  # NaN (0 / 0) never wins
                fractional = f
        else:
            cum = cum + net
        npv = npv + disc[k] * net
        tco = tco + cost
        if fan.size:
            fan[k] = cum
        if cost_out.size:
            cost_out[k] = cost
    if cum > 0.0:
        return npv, month, fractional, tco
    return npv, NO_PAYBACK, np.nan, tco


# -- strategies and the fused pass ----------------------------------------------------------

@njit(**_INLINE)
def _at(vals: np.ndarray, off: np.ndarray, step: np.ndarray, k: int, i: int) -> float:
    return vals[off[k] + i * step[k]]


@njit(**_INLINE)
def component_months(c: int, i: int, vals: np.ndarray, off: np.ndarray, step: np.ndarray,
                     slots: np.ndarray, flags: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                     coff: np.ndarray, g: float, grow: np.ndarray, horizon: int,
                     run: np.ndarray, spend: np.ndarray, pf: np.ndarray,
                     cuts: np.ndarray) -> None:
    """Run cost and one-off spend of component ``c`` in sample ``i`` (months 1..len(run))."""
    s = slots[c]
    f = flags[c]
    kind = f[F_KIND]
    project = f[F_PROJECT] != 0
    build = _at(vals, off, step, s[BUILD], i)
    cost = _at(vals, off, step, s[PROJECT], i) if project else 0.0
    for k in range(run.size):
        spend[k] = project_spend(k + 1, cost, build) if project else 0.0
    if kind == ROUTER:
        run[:] = 0.0
        return
    retrain = f[F_RETRAIN] != 0
    every = _at(vals, off, step, s[EVERY], i) if retrain else 1.0
    rcost = _at(vals, off, step, s[RCOST], i) if retrain else 0.0
    quality = _at(vals, off, step, s[QUALITY], i)
    const = _at(vals, off, step, s[CONST], i)
    if kind == SELF_HOSTED:
        q = f[F_CURVE]
        lo = coff[q] if q >= 0 else 0
        hi = coff[q + 1] if q >= 0 else 0
        self_hosted_months(f[F_MODE], _at(vals, off, step, s[FIXED], i),
                           _at(vals, off, step, s[NEED], i), _at(vals, off, step, s[RPD], i),
                           _at(vals, off, step, s[WORK], i),
                           _at(vals, off, step, s[PER_REQUEST], i),
                           _at(vals, off, step, s[HOURLY], i),
                           _at(vals, off, step, s[GPU_MONTHLY], i), quality, const, grow,
                           cx[lo:hi], cy[lo:hi], run)
        scheduled_retraining(retrain, f[F_WHEN_PAYS] != 0, build, every, rcost, horizon, spend)
        return
    price_path(f[F_STEPPED] != 0, _at(vals, off, step, s[RATE], i),
               _at(vals, off, step, s[KEEP], i), _at(vals, off, step, s[LIMIT], i),
               _at(vals, off, step, s[FLOOR], i), _at(vals, off, step, s[MONTHLY], i), pf, cuts)
    token = _at(vals, off, step, s[TOKEN], i)
    if kind == API:
        api_months(token, quality, const, _at(vals, off, step, s[MIGRATION], i), pf, cuts,
                   grow, run)
    else:
        hosted_months(token, quality, const, pf, grow, g, retrain, f[F_WHEN_PAYS] != 0, build,
                      every, rcost, horizon, run, spend)


@njit(**_INLINE)
def _growth(gf: float, grow: np.ndarray) -> None:
    growth = 1.0
    for k in range(grow.size):
        if k > 0:
            growth = growth * gf
        grow[k] = growth


@njit(**_JIT)
def component_months_one(vals: np.ndarray, off: np.ndarray, step: np.ndarray,
                         slots: np.ndarray, flags: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                         coff: np.ndarray, shared: np.ndarray, horizon: int, run: np.ndarray,
                         spend: np.ndarray) -> None:
    """Run cost and spend of component 0 in sample 0 (a wrapper for docs and tests)."""
    t_n = run.size
    grow = np.empty(t_n)
    _growth(_at(vals, off, step, shared[S_GROWTH], 0), grow)
    pf, cuts = np.empty(t_n), np.empty(t_n)
    component_months(0, 0, vals, off, step, slots, flags, cx, cy, coff,
                     _at(vals, off, step, shared[S_G], 0), grow, horizon, run, spend, pf, cuts)


@njit(**_INLINE)
def strategy_months(lo: int, hi: int, i: int, vals: np.ndarray, off: np.ndarray,
                    step: np.ndarray, slots: np.ndarray, flags: np.ndarray, cx: np.ndarray,
                    cy: np.ndarray, coff: np.ndarray, g: float, grow: np.ndarray,
                    horizon: int, run: np.ndarray, spend: np.ndarray, scratch: np.ndarray
                    ) -> float:
    """Run cost and spend of the strategy made of components ``lo..hi-1`` (each weighted by
    its active flag, in order); returns the last month it is still being built (the largest
    build months of an active component with a project; -inf when none)."""
    run[:] = 0.0
    spend[:] = 0.0
    building = -np.inf
    cr, cs, pf, cuts = scratch[0], scratch[1], scratch[2], scratch[3]
    for c in range(lo, hi):
        a = _at(vals, off, step, slots[c, ACTIVE], i)
        component_months(c, i, vals, off, step, slots, flags, cx, cy, coff, g, grow, horizon,
                         cr, cs, pf, cuts)
        for k in range(run.size):
            run[k] = run[k] + cr[k] * a
            spend[k] = spend[k] + cs[k] * a
        if flags[c, F_PROJECT] != 0 and a > 0.0:
            d = _at(vals, off, step, slots[c, BUILD], i)
            if d > building:
                building = d
    return building


@njit(**_JIT)
def simulate(vals: np.ndarray, off: np.ndarray, step: np.ndarray, slots: np.ndarray,
             flags: np.ndarray, cx: np.ndarray, cy: np.ndarray, coff: np.ndarray,
             s_lo: np.ndarray, s_hi: np.ndarray, base_s: int, shared: np.ndarray,
             horizon: int, months: int, disc: np.ndarray, m: int, keep: int,
             npv: np.ndarray, payback: np.ndarray, fractional: np.ndarray, tco: np.ndarray,
             fan: np.ndarray, paths: np.ndarray, volume: np.ndarray) -> None:
    """Evaluate every strategy (rows ``s``, components ``s_lo[s]..s_hi[s]-1``) on samples
    0..m-1 over months 1..``months`` (retraining charges use the ``horizon``).

    Writes per strategy and sample ``npv``, ``payback`` (int16, 0: none), ``fractional``
    (NaN: none) and ``tco`` (the baseline's row: NPV 0, no payback); the cumulative net
    saving of the first ``keep`` samples into ``fan`` (strategy, month, sample); and, when
    ``paths`` has m columns, each strategy's monthly cost into ``paths`` (strategy, month,
    sample) and the volume into ``volume`` (month, sample).
    """
    n_s = s_lo.size
    t_n = months
    base = np.empty(t_n)
    run = np.empty(t_n)
    spend = np.empty(t_n)
    grow = np.empty(t_n)
    scratch = np.empty((4, t_n))
    fan_row = np.empty(t_n)
    cost_row = np.empty(t_n)
    nothing = np.empty(0)
    want_paths = paths.shape[2] == m and m > 0
    for i in range(m):
        _growth(_at(vals, off, step, shared[S_GROWTH], i), grow)
        g = _at(vals, off, step, shared[S_G], i)
        if want_paths:
            v0 = _at(vals, off, step, shared[S_V0], i)
            for k in range(t_n):
                volume[k, i] = v0 * grow[k]
        strategy_months(s_lo[base_s], s_hi[base_s], i, vals, off, step, slots, flags, cx, cy,
                        coff, g, grow, horizon, base, spend, scratch)
        total = 0.0
        for k in range(t_n):
            total = total + base[k]
            if want_paths:
                paths[base_s, k, i] = base[k]
        npv[base_s, i] = 0.0
        payback[base_s, i] = NO_PAYBACK
        fractional[base_s, i] = np.nan
        tco[base_s, i] = total
        for s in range(n_s):
            if s == base_s:
                continue
            building = strategy_months(s_lo[s], s_hi[s], i, vals, off, step, slots, flags, cx,
                                       cy, coff, g, grow, horizon, run, spend, scratch)
            out_fan = fan_row if i < keep else nothing
            out_cost = cost_row if want_paths else nothing
            v, pb, fr, tc = fold_strategy(base, run, spend, building, disc, out_fan, out_cost)
            npv[s, i] = v
            payback[s, i] = pb
            fractional[s, i] = fr
            tco[s, i] = tc
            if i < keep:
                for k in range(t_n):
                    fan[s, k, i] = fan_row[k]
            if want_paths:
                for k in range(t_n):
                    paths[s, k, i] = cost_row[k]


@njit(**_JIT)
def instances_many(mode: int, fixed: np.ndarray, need: np.ndarray, rpd: np.ndarray,
                   work: np.ndarray, per_request: np.ndarray, growth: np.ndarray,
                   xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """:func:`instances` of equal-length arrays (the point estimate's month 1)."""
    out = np.empty(growth.size)
    for i in range(growth.size):
        out[i] = instances(mode, fixed[i], need[i], rpd[i], work[i], per_request[i], growth[i],
                           xp, fp)
    return out


# The same rules as numpy ufuncs (broadcasting, any shape), compiled from the same source:
# the schedule and workload helpers call these, so each rule has one implementation.
_F3 = ["float64(float64, float64, float64)"]
project_spend_ufunc = vectorize(_F3, cache=True)(project_spend.py_func)
retrain_due_ufunc = vectorize(["boolean(float64, float64, float64)"], cache=True)(
    retrain_due.py_func)
retrain_served_ufunc = vectorize(_F3, cache=True)(retrain_served.py_func)
volume_sum_ufunc = vectorize(["float64(float64, float64)"], cache=True)(volume_sum.py_func)
round_up_ufunc = vectorize(["float64(float64)"], cache=True)(round_up.py_func)
