"""The fused model, compiled (numba): the month loop of each strategy kind and the fold of
every strategy's months into NPV, TCO and payback, for a chunk of samples in one pass
(docs/model.md, "Price declines" to "Payback").

These are the model's only month loops. Each kind's month (:func:`api_month`,
:func:`hosted_month`, :func:`self_hosted_month`) takes a block of samples' coefficients,
prepared by the kind's kernel (:mod:`sim.costs.api`, :mod:`sim.costs.hosted`,
:mod:`sim.costs.self_hosted`, packed by :mod:`sim.costs.pack`), and sets their run cost and
spend. :func:`simulate` runs them for every sample and strategy: a strategy is its
components weighted by their active flags (a routing strategy: the router's project, then
its primary and fallback at their shares; any other: its one component), the baseline's
cost is what every other strategy is compared with (kept month by month for the block),
and :func:`fold_lane` applies the payback rule (:mod:`sim.costs.payback`) sample by sample
while it sums NPV and TCO (:func:`fold_one` and :func:`fold_last` feed it a strategy's
cost as they add it up; :func:`fold_month` does the same for a block whose sums are
stored), with nothing else stored per month.

The arithmetic is done in the order the model's formulas state it (the order of the numpy
month loop these replaced), one sample at a time, so results do not depend on how samples
are chunked or on the number of workers. Four things are computed differently, with the
same result: a retraining schedule in whole months is found by counting (``D + T``,
``D + 2T``, ...) instead of a floating-point remainder each month; a stepped price's power
``(1 - s) ** N`` is recomputed only when its cut count N changes; a price path the
baseline has already computed (the same coefficients, bit for bit) is copied, not
computed again; and the fractional payback is interpolated once, in the payback month,
at the horizon (:func:`payback_fraction`), not for every candidate month as the rule's
running maximum states it. Powers, ``expm1`` and ``log1p``
come from the C library where numpy may use its SIMD versions: those can differ in the
last bit.

Functions are compiled once: ahead of time by the ``ftrisk`` command, with the signatures
given as ``native`` (:mod:`distributions.native`, loaded without numba; 512-bit vectors
where the processor has them, :data:`NATIVE_WIDE`), else just in time and cached on disk
(``cache=True``). They release the GIL
(``nogil=True``) so chunks run on threads, and use numpy's division semantics (x / 0 is inf
or NaN, never an exception). The per-sample path creates no array (no slice, no view: each
one would cost a reference count), only indexes the arrays it is given. They live in one
module on purpose: numba's disk cache checks only the source file of the
function it loads, so a loop calling a helper from another file could run a stale copy.

The coefficients come packed: a flat float64 array ``vals`` with ``off[k]``/``step[k]``
per coefficient (``step`` 0 for a value shared by every sample, 1 for one per sample), so
a coefficient of sample i is ``vals[off[k] + i * step[k]]``; the slot and flag layout is
:mod:`sim.costs.slots`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from distributions.jit import Deferred, njit
from sim.costs.slots import (
    ACTIVE,
    API,
    BLOCK,
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
    M_DRIFT,
    M_G,
    M_GF,
    M_GROW,
    M_LOGV,
    M_TOTAL,
    M_V0,
    M_VOL,
    MIGRATION,
    MONTHLY,
    N_BLOCK_ROWS,
    N_ROWS,
    N_SLOTS,
    NEED,
    PER_REQUEST,
    PROJECT,
    QUALITY,
    RATE,
    RCOST,
    ROUTER,
    RPD,
    S_DRIFT,
    S_G,
    S_GROWTH,
    S_V0,
    S_VOL,
    SELF_HOSTED,
    TOKEN,
    WORK,
    X_COUNT,
    X_COUNTED,
    X_CUTS,
    X_DM,
    X_DONE,
    X_DUE,
    X_FACTOR,
    X_GPU,
    X_LOG1PG,
    X_NEXT,
    X_PER,
    X_PRICE,
    X_PRICED,
    X_RAW,
    X_RUN,
    X_SPEND,
    X_VFULL,
    Y_BUILD,
    Y_CUM,
    Y_END,
    Y_MONTH,
    Y_NPV,
    Y_RUN,
    Y_SPEND,
    Y_START,
    Y_TCO,
)

#: Slack on the cut count so that an exact product such as 8 x 1.5 / 12 = 1 is not 0.999...
CUT_EPS = 1e-9
#: Relative shrink of the instance ratio before rounding up (a load of exactly 2 gives 2).
INSTANCE_SLACK = 1e-9
#: Payback month stored for "not within the horizon" (null in samples.parquet).
NO_PAYBACK = 0
#: Below this, ``months x g`` keeps a retraining period's volume factor finite (its
#: ``expm1`` argument ``months x log1p(g)`` is at most that, far from overflow at 709.78).
VOLUME_FINITE = 700.0
#: Components stepped together in one pass over the months (the baseline's and the next
#: strategies' in the first pass, then the next ones'): few enough that their state stays
#: in the core's first-level cache. One pass over the months for every strategy at once
#: was 15% slower on the five-strategy benchmark (benchmarks/bench_core.py).
PASS_COMPONENTS = 2

#: Compiled without numba's reference-counted allocator: passing arrays around costs an
#: atomic reference count per array per call otherwise, which dominated the run time.
_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "_nrt": False}
#: The month functions are inlined into their caller (numba's own inlining): a call passes
#: every array as its seven fields, dozens of arguments per call and month, which cost
#: about a tenth of the run time (benchmarks/bench_core.py, the model rows).
_INL = dict(_JIT, inline="always")
#: The wrappers that allocate their own arrays.
_ALLOC = {"cache": True, "nogil": True, "error_model": "numpy"}
#: What the kernels' ahead-of-time build depends on besides this file (its key,
#: :func:`distributions.native.build_key`): the slot numbers are compiled in as constants.
NATIVE_SOURCES = ("sim.costs.slots",)
#: Compiled first in the ahead-of-time build: the largest kernel, while the compiler holds
#: the least (:func:`distributions.native._in_order`).
NATIVE_FIRST = ("simulate",)
#: The ahead-of-time build may use 512-bit vectors where the processor has them (LLVM
#: prefers 256-bit ones, and numba's just-in-time compiler keeps that): the same bits (no
#: sum is reordered: each lane is a sample), 7-18% less time for :func:`simulate` on a
#: 32K chunk of four bundled studies over 3 rounds (benchmarks/bench_core.py, the model
#: rows).
NATIVE_WIDE = "-prefer-256-bit"


def _claim_typed(typingctx: Any, counter: Any, by: Any) -> Any:  # pragma: no cover - compiled
    """``counter[0] += by`` as one atomic step (``atomicrmw add``, sequentially consistent),
    returning the value before: threads that call it at once get different values."""
    # numba: only when compiling (a loaded build needs none)
    from numba import types

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.atomic_rmw("add", ary.data, args[1], "seq_cst")

    return types.int64(counter, types.int64), codegen


def _claim_intrinsic() -> Any:
    # numba: only when compiling (a loaded build needs none)
    from numba.extending import intrinsic

    return intrinsic(_claim_typed)


#: numba's intrinsic, made when the kernels are first compiled (distributions.jit.Deferred)
claim_next: Any = Deferred(_claim_intrinsic)


# -- rules shared by the kinds ------------------------------------------------------------

@njit(**_JIT)
def fmax_floor(floor: float, x: float) -> float:
    """``np.maximum(floor, x)``: the larger, NaN if either is NaN (as selects, no branch)."""
    r = x if x > floor else floor
    return math.nan if (x != x) | (floor != floor) else r


@njit(**_JIT)
def project_spend(t: int, cost: float, build: float) -> float:
    """Project spend of month t: the cost spread over ``max(build, 1)`` months."""
    dm = build if build > 1.0 else 1.0
    return cost / dm if t <= dm else 0.0


@njit(**_JIT)
def retrain_due(t: int, start: float, every: float) -> bool:
    """Whether month t is a scheduled retraining month: ``t > D`` and ``(t - D) % T == 0``."""
    return t > start and (t - start) % every == 0.0


@njit(**_JIT)
def whole(start: float, every: float) -> bool:
    """Whether a schedule is in whole months: then its months ``D + k T`` are found by
    counting, the same months :func:`retrain_due` gives, without a remainder each month."""
    return (start == np.floor(start)) & (every == np.floor(every)) & (every >= 1.0)


@njit(**_JIT)
def retrain_served(t: int, every: float, horizon: int) -> float:
    """Months within the horizon a retraining in month t serves: ``min(T, H - t + 1)``."""
    left = horizon - t + 1.0
    return every if every < left else left


@njit(**_JIT)
def volume_sum(g: float, n: float) -> float:
    """``1 + (1 + g) + ... + (1 + g) ** (n - 1)`` in closed form (n when g = 0)."""
    if g == 0.0:
        return n
    return math.expm1(n * math.log1p(g)) / g


@njit(**_JIT)
def round_up(load: float) -> float:
    """Instances for a load (in instances): ``max(1, ceil(load))``, the load shrunk by a
    relative 1e-9 first so that exactly 2 instances of load give 2, not 3."""
    x = np.ceil(load * (1.0 - INSTANCE_SLACK))
    return x if x > 1.0 else 1.0


@njit(**_JIT)
def knots_at(xp: np.ndarray, first: int, last: int) -> tuple[float, float]:
    """The log scale of the curve ``xp[first:last]``'s search table (:func:`interp`):
    ``(log xp[first], (last - first - 1) / log(xp[last - 1] / xp[first]))``, so that
    ``int((log x - base) x scale)`` is x's bucket, 0..last-first-1 across the curve; ``(0,
    0)``, no table, when the knots are not positive and increasing end to end."""
    if last - first < 2 or not xp[first] > 0.0:
        return 0.0, 0.0
    base = math.log(xp[first])
    span = math.log(xp[last - 1]) - base
    if not span > 0.0:
        return 0.0, 0.0
    return base, (last - first - 1) / span


@njit(**_JIT)
def interp(x: float, xp: np.ndarray, fp: np.ndarray, cb: np.ndarray, first: int, last: int,
           base: float, scale: float) -> float:
    """``np.interp(x, xp[first:last], fp[first:last])`` for one value (numpy's formula, bit
    for bit).

    With a search table (``cb[first:last]``, :func:`sim.costs.pack.search_table`; ``scale``
    from :func:`knots_at`; none when ``cb`` is empty or ``scale`` 0), the bisection starts
    from the knots around x's bucket in log x, usually one or two apart, instead of from
    the whole curve (a serving curve has ~2,700 knots: 12 unpredictable branches a
    sample-month, most of a simulated-serving study's model time). A start that does not
    bracket x (rounding at a bucket's edge) is widened to the curve's end on that side;
    the interval found is the one with ``xp[lo] <= x < xp[lo + 1]`` either way."""
    if x != x:
        return x
    if x < xp[first]:
        return fp[first]
    if x >= xp[last - 1]:
        return fp[last - 1]
    lo, hi = first, last - 1
    if scale > 0.0 and cb.size > 0:
        b = int((math.log(x) - base) * scale)
        b = min(max(b, 0), last - first - 2)
        lo = max(cb[first + b], first)
        hi = min(cb[first + b + 1] + 1, last - 1)
        if not xp[lo] <= x:
            lo = first
        if not x < xp[hi]:
            hi = last - 1
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


@njit(**_JIT)
def instances(mode: int, fixed: float, need: float, rpd: float, work: float, per_request: float,
              growth: float, xp: np.ndarray, fp: np.ndarray, cb: np.ndarray, first: int,
              last: int, base: float, scale: float) -> float:
    """Instances serving a month at volume factor ``growth``: ``fixed`` (mode 0); sized for
    the peak, ``round_up(need x growth)`` (mode 1, "auto"); or the serving simulation's
    replica-hours per day / 24 at the volume doing the same work (mode 2, "simulated": the
    curve ``xp[first:last] -> fp[first:last]``, proportional above its last knot, searched
    with ``cb``, ``base`` and ``scale``: :func:`interp`)."""
    if mode == 0:
        return fixed
    if mode == 1:
        return round_up(need * growth)
    v = rpd * growth * work / per_request
    top = xp[last - 1]
    hours = fp[last - 1] * v / top if v > top else interp(v, xp, fp, cb, first, last, base,
                                                           scale)
    return hours / 24.0


# -- one month of each kind, for a block of samples ----------------------------------------
# A block is BLOCK samples (lanes) stepped together month by month. ``x`` holds one
# component's coefficients and state, row r of lane j at ``x[r * BLOCK + j]`` (rows:
# sim.costs.slots), ``blk`` the block's shared rows likewise. Every loop runs over all
# BLOCK lanes (those past the last sample hold copies and are never written out): with a
# constant trip count and rows a constant distance apart, the compiler turns the loops into
# vector instructions. The branches that stay (a cut that changes the price, a retraining
# month) are rare and taken lane by lane.

B = BLOCK


@njit(**_JIT)
def cut_count(t: float, rate: float) -> float:
    """Price cuts made by month t at ``rate`` a year: ``N(t) = floor((t - 1) rate / 12)``
    (docs/model.md, "Price declines"), with :data:`CUT_EPS` of slack."""
    return np.floor((t - 1.0) * rate / 12.0 + CUT_EPS)


@njit(**_INL)
def price_month(t: int, stepped: bool, x: np.ndarray) -> None:
    """The price factor and the price-lowering cuts of month t (docs/model.md, "Price
    declines"): ``max(f, (1 - s) ** N(t))``, ``N(t) = floor((t - 1) rate / 12)``, the cuts
    before the floor (``limit``) counted for migrations; or smoothly ``max(f, (1 - d) **
    ((t - 1) / 12))`` as a running product of the monthly factor (1 in month 1, no cuts).

    A stepped price is counted in every lane every month (row ``X_COUNT``), in one loop
    without branches: ``(1 - s) ** N`` is a running product (row ``X_RAW``), multiplied
    by ``1 - s`` in a month whose count is one more than the count it was last computed at
    (row ``X_PRICED``). It equals the power up to floating-point rounding (an ulp per
    cut at most: docs/model.md, "Price declines"), without a call to ``pow`` and its branch in every
    lane that cuts. A count that moved otherwise (two cuts in a month at more than 12 a
    year, a count that fell or is NaN) asks the power, lane by lane, in a second loop that
    stops at the last such lane."""
    if stepped:
        tt = float(t)
        need = 0
        for j in range(B):
            n = cut_count(tt, x[RATE * B + j])
            limit = x[LIMIT * B + j]
            done = n if n < limit else limit
            x[X_CUTS * B + j] = done - x[X_DONE * B + j]
            x[X_DONE * B + j] = done
            x[X_COUNT * B + j] = n
            priced = x[X_PRICED * B + j]
            d = n - priced
            raw = x[X_RAW * B + j]
            raw = raw * x[KEEP * B + j] if d == 1.0 else raw
            x[X_RAW * B + j] = raw
            x[X_FACTOR * B + j] = fmax_floor(x[FLOOR * B + j], raw)
            ok = (d == 0.0) | (d == 1.0)
            x[X_PRICED * B + j] = n if ok else priced
            need += 0 if ok else 1
        j = 0
        while need > 0:
            n = x[X_COUNT * B + j]
            if n != x[X_PRICED * B + j]:
                raw = x[KEEP * B + j] ** n
                x[X_RAW * B + j] = raw
                x[X_FACTOR * B + j] = fmax_floor(x[FLOOR * B + j], raw)
                x[X_PRICED * B + j] = n
                need -= 1
            j += 1
    else:
        for j in range(B):
            x[X_CUTS * B + j] = 0.0
        if t > 1:
            for j in range(B):
                raw = x[X_RAW * B + j] * x[MONTHLY * B + j]
                floor = x[FLOOR * B + j]
                x[X_RAW * B + j] = raw
                x[X_FACTOR * B + j] = fmax_floor(floor, raw)


@njit(**_INL)
def due_months(t: int, x: np.ndarray) -> bool:
    """Mark the lanes that retrain in month t (row ``X_DUE``); True if any does. A schedule in
    whole months is counted (its months ``D + k T``, the same as :func:`retrain_due`'s,
    without a remainder each month); any other asks :func:`retrain_due`."""
    tt = float(t)
    any_due = False
    all_counted = True
    for j in range(B):
        counted = x[X_COUNTED * B + j] != 0.0
        nxt = x[X_NEXT * B + j]
        every = x[EVERY * B + j]
        due = counted & (tt == nxt)
        x[X_NEXT * B + j] = nxt + every if due else nxt
        x[X_DUE * B + j] = 1.0 if due else 0.0
        any_due = any_due | due
        all_counted = all_counted & counted
    if not all_counted:
        for j in range(B):
            if x[X_COUNTED * B + j] == 0.0 and retrain_due(t, x[BUILD * B + j],
                                                           x[EVERY * B + j]):
                x[X_DUE * B + j] = 1.0
                any_due = True
    return any_due


@njit(**_INL)
def api_month(x: np.ndarray, grow: np.ndarray) -> None:
    """An API-priced model's run cost: ``V(t)/V0 x (token bill x price factor + reviews and
    errors) + fixed + migration x the month's cuts``."""
    for j in range(B):
        x[X_RUN * B + j] = (grow[j] * (x[TOKEN * B + j] * x[X_FACTOR * B + j]
                                       + x[QUALITY * B + j]) + x[CONST * B + j]
                            + x[MIGRATION * B + j] * x[X_CUTS * B + j])


@njit(**_INL)
def served_volume(x: np.ndarray, j: int, g: float, served: float) -> float:
    """:func:`volume_sum` of lane j's growth over ``served`` months, with ``log1p(g)`` and
    the whole period's value kept for the lane's later retrainings (the same numbers)."""
    if g == 0.0:
        return served
    if served == x[EVERY * B + j] and x[X_VFULL * B + j] == x[X_VFULL * B + j]:
        return x[X_VFULL * B + j]
    if x[X_LOG1PG * B + j] != x[X_LOG1PG * B + j]:
        x[X_LOG1PG * B + j] = math.log1p(g)
    v = math.expm1(served * x[X_LOG1PG * B + j]) / g
    if served == x[EVERY * B + j]:
        x[X_VFULL * B + j] = v
    return v


@njit(**_INL)
def hosted_month(t: int, retrain: bool, when_pays: bool, horizon: int, x: np.ndarray,
                 grow: np.ndarray, g: np.ndarray) -> None:
    """A hosted fine-tune's run cost and retraining spend (added to the month's): its price
    factor is today's (1) until a retraining moves it onto the vendor's path; under
    ``when_pays`` a scheduled retraining happens only when its charge is at most the saving
    of the price step over the months it serves within the horizon (docs/model.md,
    "Project, build months and retraining")."""
    if retrain and due_months(t, x):
        # every lane at once, without branches (the lanes not due keep their state); a
        # lane whose saving needs a volume factor not yet known is marked (X_DUE = 2) and
        # weighed after, one by one
        later = 0
        for j in range(B):
            due = x[X_DUE * B + j] != 0.0
            every = x[EVERY * B + j]
            served = retrain_served(t, every, horizon)
            charge = x[RCOST * B + j] * served / every
            happened = True
            wait = False
            if when_pays:
                diff = x[X_PRICE * B + j] - x[X_FACTOR * B + j]
                gj = g[j]
                full = x[X_VFULL * B + j]
                # no step since the last retraining: the gain is 0 (or NaN) whatever the
                # finite volume factor, so it is not needed
                flat = (diff == 0.0) & (gj >= -1.0) & (served * gj < VOLUME_FINITE)
                known = (gj == 0.0) | ((served == every) & (full == full))
                v = 1.0 if flat else (served if gj == 0.0 else full)
                wait = due & (not flat) & (not known)
                happened = charge <= x[TOKEN * B + j] * diff * grow[j] * v
            apply = due & happened & (not wait)
            x[X_PRICE * B + j] = x[X_FACTOR * B + j] if apply else x[X_PRICE * B + j]
            x[X_SPEND * B + j] = x[X_SPEND * B + j] + charge if apply else x[X_SPEND * B + j]
            x[X_DUE * B + j] = 2.0 if wait else x[X_DUE * B + j]
            later += 1 if wait else 0
        j = 0
        while later > 0:
            if x[X_DUE * B + j] == 2.0:
                every = x[EVERY * B + j]
                served = retrain_served(t, every, horizon)
                charge = x[RCOST * B + j] * served / every
                gain = (x[TOKEN * B + j] * (x[X_PRICE * B + j] - x[X_FACTOR * B + j])
                        * grow[j] * served_volume(x, j, g[j], served))
                if charge <= gain:
                    x[X_PRICE * B + j] = x[X_FACTOR * B + j]
                    x[X_SPEND * B + j] = x[X_SPEND * B + j] + charge
                later -= 1
            j += 1
    for j in range(B):
        x[X_RUN * B + j] = (grow[j] * (x[TOKEN * B + j] * x[X_PRICE * B + j]
                                       + x[QUALITY * B + j]) + x[CONST * B + j])


@njit(**_INL)
def self_hosted_month(t: int, mode: int, retrain: bool, when_pays: bool, horizon: int,
                      x: np.ndarray, grow: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                      cb: np.ndarray, first: int, last: int) -> None:
    """A self-hosted model's run cost, ``instances x hourly x GPU price factor + V(t)/V0 x
    reviews and errors + storage + MLOps + fixed`` (the GPU price falls by its monthly
    factor from month 2 on), and its scheduled retrainings, each charged its share within
    the horizon (its price does not step, so ``when_pays`` never pays)."""
    if t > 1:
        for j in range(B):
            x[X_GPU * B + j] = x[X_GPU * B + j] * x[GPU_MONTHLY * B + j]
    if mode == 0:
        for j in range(B):
            x[X_RUN * B + j] = (x[FIXED * B + j] * x[HOURLY * B + j] * x[X_GPU * B + j]
                                + grow[j] * x[QUALITY * B + j] + x[CONST * B + j])
    elif mode == 1:
        for j in range(B):
            n = round_up(x[NEED * B + j] * grow[j])
            x[X_RUN * B + j] = (n * x[HOURLY * B + j] * x[X_GPU * B + j]
                                + grow[j] * x[QUALITY * B + j] + x[CONST * B + j])
    else:
        base, scale = knots_at(cx, first, last)
        for j in range(B):
            n = instances(mode, 0.0, 0.0, x[RPD * B + j], x[WORK * B + j],
                          x[PER_REQUEST * B + j], grow[j], cx, cy, cb, first, last, base,
                          scale)
            x[X_RUN * B + j] = (n * x[HOURLY * B + j] * x[X_GPU * B + j]
                                + grow[j] * x[QUALITY * B + j] + x[CONST * B + j])
    if retrain and due_months(t, x):
        for j in range(B):
            if x[X_DUE * B + j] != 0.0:
                every = x[EVERY * B + j]
                charge = x[RCOST * B + j] * retrain_served(t, every, horizon) / every
                if not when_pays or charge <= 0.0:
                    x[X_SPEND * B + j] = x[X_SPEND * B + j] + charge


@njit(**_INL)
def component_month(t: int, horizon: int, f: np.ndarray, x: np.ndarray, grow: np.ndarray,
                    g: np.ndarray, cx: np.ndarray, cy: np.ndarray, coff: np.ndarray,
                    cb: np.ndarray, own_price: bool) -> None:
    """Run cost and one-off spend (rows ``X_RUN``, ``X_SPEND``) of one component in month t:
    its project's instalment, then its kind's month (its price factor and cuts from
    :func:`price_month`, or, without ``own_price``, as already set: a copy of the same
    price path, see :func:`simulate`)."""
    kind = f[F_KIND]
    if f[F_PROJECT] != 0:
        tt = float(t)
        for j in range(B):
            per = x[X_PER * B + j]
            x[X_SPEND * B + j] = per if tt <= x[X_DM * B + j] else 0.0
    else:
        for j in range(B):
            x[X_SPEND * B + j] = 0.0
    retrain = f[F_RETRAIN] != 0
    when_pays = f[F_WHEN_PAYS] != 0
    if kind == ROUTER:
        for j in range(B):
            x[X_RUN * B + j] = 0.0
    elif kind == SELF_HOSTED:
        q = f[F_CURVE]
        first = coff[q] if q >= 0 else 0
        last = coff[q + 1] if q >= 0 else 0
        self_hosted_month(t, f[F_MODE], retrain, when_pays, horizon, x, grow, cx, cy, cb,
                          first, last)
    else:
        if own_price:
            price_month(t, f[F_STEPPED] != 0, x)
        if kind == API:
            api_month(x, grow)
        else:
            hosted_month(t, retrain, when_pays, horizon, x, grow, g)


@njit(**_INL)
def load_row(vals: np.ndarray, o: int, st: int, nb: int, x: np.ndarray, r: int) -> None:
    """Row r of a block from a packed coefficient at offset o: one value for every lane
    (step 0), or the block's nb samples (step 1) with the lanes past nb repeating the
    first."""
    if st == 0:
        v = vals[o]
        for j in range(B):
            x[r * B + j] = v
    elif nb == B:
        for j in range(B):
            x[r * B + j] = vals[o + j]
    else:
        for j in range(B):
            x[r * B + j] = vals[o + (j if j < nb else 0)]


@njit(**_JIT)
def load_component(c: int, b0: int, nb: int, vals: np.ndarray, off: np.ndarray,
                   step: np.ndarray, slots: np.ndarray, x: np.ndarray, first: bool) -> None:
    """Read component c's coefficients for samples b0..b0+nb-1 (lanes past nb repeat the
    first) and set its month-0 state.

    A coefficient shared by every sample is written at the first block a call steps
    (``first``) only: the months read the coefficient rows and never write them, so its
    row keeps it for the later blocks (copying them again at every block was 3-5% of
    :func:`simulate`'s time, benchmarks/bench_core.py's model rows)."""
    for k in range(N_SLOTS):
        idx = slots[c, k]
        st = step[idx]
        if st != 0 or first:
            load_row(vals, off[idx] + b0 * st, st, nb, x, k)
    for j in range(B):
        build = x[BUILD * B + j]
        dm = build if build > 1.0 else 1.0
        x[X_DM * B + j] = dm
        x[X_PER * B + j] = x[PROJECT * B + j] / dm
        x[X_FACTOR * B + j] = 1.0
        x[X_RAW * B + j] = 1.0
        x[X_DONE * B + j] = 0.0
        x[X_PRICED * B + j] = 0.0
        x[X_PRICE * B + j] = 1.0
        x[X_GPU * B + j] = 1.0
        x[X_COUNTED * B + j] = 1.0 if whole(build, x[EVERY * B + j]) else 0.0
        x[X_NEXT * B + j] = build + x[EVERY * B + j]
        x[X_LOG1PG * B + j] = np.nan
        x[X_VFULL * B + j] = np.nan


# -- the payback rule -----------------------------------------------------------------------

@njit(**_INL)
def fold_lane(j: int, t: int, b: float, run: float, spend: float, y: np.ndarray,
              disc: float, cost_row: bool) -> None:
    """Lane j of :func:`fold_month`, given the baseline's cost ``b`` and the strategy's run
    cost and spend; the month's cost goes to row ``Y_RUN`` with ``cost_row`` (only a
    run asked for its monthly costs reads it)."""
    # no branch: a choice is a select, a candidate's rows are written with a masked store
    # (their old values need not be read)
    tt = float(t)
    building = y[Y_BUILD * B + j]
    cum = y[Y_CUM * B + j]
    cost = (b if tt <= building else run) + spend
    net = b - cost
    candidate = (t == 1) | (cum < 0.0)
    start = cum - spend  # just after the month's one-off spend
    cum = cum + net
    if candidate:
        y[Y_MONTH * B + j] = tt
        y[Y_START * B + j] = start
        y[Y_END * B + j] = cum
    y[Y_CUM * B + j] = cum
    y[Y_NPV * B + j] = y[Y_NPV * B + j] + disc * net
    y[Y_TCO * B + j] = y[Y_TCO * B + j] + cost
    if cost_row:
        y[Y_RUN * B + j] = cost


@njit(**_INL)
def payback_fraction(j: int, y: np.ndarray) -> float:
    """Lane j's fractional payback once its months are folded (:func:`fold_month`), for a
    strategy that ends the horizon ahead: ``m - 1 + f``, ``f`` interpolated in its payback
    month m (the last candidate) from the cumulative just after that month's spend (row
    ``Y_START``) to the cumulative at its end (row ``Y_END``); 0 when ``f`` is 0 / 0 (m = 1
    with nothing spent and nothing saved).

    The rule's running maximum over the candidates' values, each ``f`` capped at 1
    (:mod:`sim.costs.payback`), is this one, the last's, bit for bit: an earlier candidate
    s < m has a value of at most s <= m - 1, and the last one's ``f`` lies in [0, 1] (the
    cumulative goes from below 0, or 0 in month 1, to at or above it, and the rounded
    difference is at least the start in size: no cap is needed), so its value is at least
    m - 1; both are rounded the same way, and an equal value is the same number. Computed
    once at the horizon rather than at every month: that division was ~5% of
    :func:`simulate`'s time."""
    start = y[Y_START * B + j]
    f = start / (start - y[Y_END * B + j]) + (y[Y_MONTH * B + j] - 1.0)
    return f if f == f else 0.0


@njit(**_INL)
def fold_month(t: int, base: np.ndarray, y: np.ndarray, disc: float) -> None:
    """One month of one strategy's net saving, NPV, TCO and payback (docs/model.md, "Net
    saving, NPV, TCO and ROI" and "Payback"; the rule: :mod:`sim.costs.payback`), its run
    cost and spend in rows ``Y_RUN`` and ``Y_SPEND``.

    The month's cost is the baseline's while the strategy is being built (``t <=
    Y_BUILD``), else its own run cost, plus its one-off spend; the net saving is the
    baseline's cost minus it. Month t is a payback candidate when the cumulative net saving
    ended month t - 1 below 0 (month 1 always is); the payback month is the last candidate,
    its fractional value interpolated with the month's spend paid at its start (capped at
    1 inside the month; 0 / 0 counts as 0), from the last candidate's cumulative just after
    its spend and at its end (rows ``Y_START``, ``Y_END``: :func:`payback_fraction`, once
    the months are done). Row ``Y_RUN`` receives the month's cost. Written without
    branches, so it is vectorized.
    """
    for j in range(B):
        fold_lane(j, t, base[j], y[Y_RUN * B + j], y[Y_SPEND * B + j], y, disc, True)


@njit(**_INL)
def fold_one(t: int, base: np.ndarray, x: np.ndarray, y: np.ndarray, disc: float,
             cost_row: bool) -> None:
    """:func:`fold_month` of a strategy of one component (x), its run cost and spend taken
    from the component's rows as :func:`strategy_month` would sum them (from 0, weighted
    by its active flag), without storing them first (the cost to row ``Y_RUN`` with
    ``cost_row``)."""
    for j in range(B):
        a = x[ACTIVE * B + j]
        fold_lane(j, t, base[j], 0.0 + x[X_RUN * B + j] * a, 0.0 + x[X_SPEND * B + j] * a,
                  y, disc, cost_row)


@njit(**_INL)
def fold_last(t: int, base: np.ndarray, x: np.ndarray, y: np.ndarray, disc: float,
              cost_row: bool) -> None:
    """:func:`fold_month` of a strategy whose components but the last (x) are summed in
    rows ``Y_RUN`` and ``Y_SPEND``: the last one's share added as :func:`strategy_month`
    would add it, without storing the sums first (the cost to row ``Y_RUN`` with
    ``cost_row``)."""
    for j in range(B):
        a = x[ACTIVE * B + j]
        fold_lane(j, t, base[j], y[Y_RUN * B + j] + x[X_RUN * B + j] * a,
                  y[Y_SPEND * B + j] + x[X_SPEND * B + j] * a, y, disc, cost_row)


@njit(**_INL)
def strategy_month(lo: int, hi: int, xs: np.ndarray, y: np.ndarray) -> None:
    """A strategy's run cost and spend this month (rows ``Y_RUN``, ``Y_SPEND``): its
    components' (``lo..hi-1``), each weighted by its active flag, added in order."""
    x = xs[lo]
    for j in range(B):  # the first from 0: 0 + its share, as the sum starts
        a = x[ACTIVE * B + j]
        y[Y_RUN * B + j] = 0.0 + x[X_RUN * B + j] * a
        y[Y_SPEND * B + j] = 0.0 + x[X_SPEND * B + j] * a
    for c in range(lo + 1, hi):
        x = xs[c]
        for j in range(B):
            a = x[ACTIVE * B + j]
            y[Y_RUN * B + j] = y[Y_RUN * B + j] + x[X_RUN * B + j] * a
            y[Y_SPEND * B + j] = y[Y_SPEND * B + j] + x[X_SPEND * B + j] * a


@njit(**_JIT)
def building_until(lo: int, hi: int, xs: np.ndarray, flags: np.ndarray, y: np.ndarray) -> None:
    """The last month the strategy is being built (row ``Y_BUILD``): the largest build
    months of an active component with a project (-inf when none)."""
    for j in range(B):
        y[Y_BUILD * B + j] = -np.inf
    for c in range(lo, hi):
        if flags[c, F_PROJECT] == 0:
            continue
        x = xs[c]
        for j in range(B):
            d = x[BUILD * B + j]
            now = y[Y_BUILD * B + j]
            y[Y_BUILD * B + j] = d if (x[ACTIVE * B + j] > 0.0) & (d > now) else now


# -- the fused pass ---------------------------------------------------------------------------

@njit(**_JIT)
def start_block(b0: int, nb: int, vals: np.ndarray, off: np.ndarray, step: np.ndarray,
                slots: np.ndarray, flags: np.ndarray, s_lo: np.ndarray, s_hi: np.ndarray,
                shared: np.ndarray, xs: np.ndarray, ys: np.ndarray, blk: np.ndarray,
                first: bool) -> None:
    """Month-0 state of the block of samples b0..b0+nb-1 (``first``: the first block this
    call steps): the shared rows, every component's coefficients and every strategy's
    running sums."""
    for r, k in ((M_GF, S_GROWTH), (M_G, S_G), (M_V0, S_V0), (M_DRIFT, S_DRIFT),
                 (M_VOL, S_VOL)):
        idx = shared[k]
        load_row(vals, off[idx] + b0 * step[idx], step[idx], nb, blk, r)
    for j in range(B):
        blk[M_GROW * B + j] = 1.0
        blk[M_TOTAL * B + j] = 0.0
        blk[M_LOGV * B + j] = 0.0
    for c in range(flags.shape[0]):
        load_component(c, b0, nb, vals, off, step, slots, xs[c], first)
    for s in range(s_lo.size):
        y = ys[s]
        building_until(s_lo[s], s_hi[s], xs, flags, y)
        for j in range(B):
            y[Y_CUM * B + j] = 0.0
            y[Y_MONTH * B + j] = 1.0
            y[Y_START * B + j] = 0.0
            y[Y_END * B + j] = 0.0
            y[Y_NPV * B + j] = 0.0
            y[Y_TCO * B + j] = 0.0


@njit(**_JIT)
def end_block(b0: int, nb: int, base_s: int, ys: np.ndarray, total: np.ndarray,
              npv: np.ndarray, payback: np.ndarray, fractional: np.ndarray,
              tco: np.ndarray) -> None:
    """Write the block's outcomes: per strategy NPV, payback month (0: none), fractional
    payback (NaN: none) and TCO; the baseline's row has NPV 0, no payback and its total
    cost."""
    for s in range(ys.shape[0]):
        y = ys[s]
        for j in range(nb):
            i = b0 + j
            ahead = s != base_s and y[Y_CUM * B + j] > 0.0
            npv[s, i] = 0.0 if s == base_s else y[Y_NPV * B + j]
            payback[s, i] = int(y[Y_MONTH * B + j]) if ahead else NO_PAYBACK
            fractional[s, i] = payback_fraction(j, y) if ahead else np.nan
            tco[s, i] = total[j] if s == base_s else y[Y_TCO * B + j]


@njit(**_INL)
def fold_strategies(k: int, b0: int, nb: int, first: int, last: int, base_s: int,
                    s_lo: np.ndarray, s_hi: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                    base: np.ndarray, disc: float, keep: int, fan: np.ndarray,
                    want_paths: bool, paths: np.ndarray) -> None:
    """Month k + 1 of strategies first..last-1 but the baseline (whose cost is ``base``):
    its cost from its components, folded into its sums (:func:`fold_lane`); the
    cumulative saving of the first ``keep`` samples into ``fan`` and, with ``want_paths``,
    the cost into ``paths``."""
    for s in range(first, last):
        if s == base_s:
            continue
        y = ys[s]
        lo = s_lo[s]
        hi = s_hi[s]
        if hi == lo + 1:
            fold_one(k + 1, base, xs[lo], y, disc, want_paths)
        else:
            strategy_month(lo, hi - 1, xs, y)
            fold_last(k + 1, base, xs[hi - 1], y, disc, want_paths)
        for j in range(min(nb, keep - b0)):
            fan[s, k, b0 + j] = y[Y_CUM * B + j]
        if want_paths:
            for j in range(nb):
                paths[s, k, b0 + j] = y[Y_RUN * B + j]


@njit(**_INL)
def shared_price(k: int, r: int, months: int, recs: np.ndarray, x: np.ndarray,
                 read: bool) -> None:
    """Month k + 1's price factor and cuts (rows ``X_FACTOR``, ``X_CUTS``) of a component
    from record r of ``recs`` (``read``), or into it; nothing when r < 0."""
    if r < 0:
        return
    at = (r * months + k) * 2 * B
    if read:
        for j in range(B):
            x[X_FACTOR * B + j] = recs[at + j]
            x[X_CUTS * B + j] = recs[at + B + j]
    else:
        for j in range(B):
            recs[at + j] = x[X_FACTOR * B + j]
            recs[at + B + j] = x[X_CUTS * B + j]


@njit(**_INL)
def baseline_month(k: int, b0: int, nb: int, lo: int, hi: int, xs: np.ndarray, y: np.ndarray,
                   base: np.ndarray, total: np.ndarray, want_paths: bool,
                   paths: np.ndarray, base_s: int) -> None:
    """The baseline's cost of month k + 1 (its components ``lo..hi-1``) into ``base``, added
    to its running ``total`` and, with ``want_paths``, into ``paths``."""
    if hi == lo + 1:  # one component: its share straight from it, as strategy_month sums
        x = xs[lo]
        for j in range(B):
            cost = 0.0 + x[X_RUN * B + j] * x[ACTIVE * B + j]
            base[j] = cost
            total[j] = total[j] + cost
    else:
        strategy_month(lo, hi, xs, y)
        for j in range(B):
            cost = y[Y_RUN * B + j]
            base[j] = cost
            total[j] = total[j] + cost
    if want_paths:
        for j in range(nb):
            paths[base_s, k, b0 + j] = base[j]


@njit(**_INL)
def pass_end(first: int, s_lo: np.ndarray, s_hi: np.ndarray, base_s: int) -> int:
    """One past the last strategy of the pass that starts at ``first``: as many as hold
    :data:`PASS_COMPONENTS` components (at least one strategy, and the baseline in the
    first pass)."""
    held = 0
    last = first
    while last < s_lo.size:
        size = s_hi[last] - s_lo[last]
        if last > first and last > base_s and held + size > PASS_COMPONENTS:
            break
        held += size
        last += 1
    return last


@njit(**_INL)
def volume_month(k: int, b0: int, nb: int, process: bool, shocks: np.ndarray,
                 season: np.ndarray, blk: np.ndarray) -> None:
    """The volume factor ``V(t) / V0`` of month t = k + 1 (row ``M_GROW``; docs/model.md,
    "Workload"): ``(1 + g) ** (t - 1)`` as a running product; or, for a volume process,
    ``exp(L(t)) season(t)`` with the log level ``L(1) = 0``, ``L(t) = L(t - 1) + drift -
    volatility**2 / 2 + volatility Z_t``, the shock ``Z_t`` of sample b0 + j at
    ``shocks[t - 2, b0 + j]`` (lanes past nb read the first sample's)."""
    grow = blk[M_GROW * B:(M_GROW + 1) * B]
    if not process:
        if k > 0:
            for j in range(B):
                grow[j] = grow[j] * blk[M_GF * B + j]
        return
    if k > 0:
        for j in range(B):
            v = blk[M_VOL * B + j]
            z = shocks[k - 1, b0 + (j if j < nb else 0)]
            blk[M_LOGV * B + j] = blk[M_LOGV * B + j] + ((blk[M_DRIFT * B + j] - 0.5 * v * v)
                                                         + v * z)
    s = season[k % 12]
    for j in range(B):
        grow[j] = math.exp(blk[M_LOGV * B + j]) * s


@njit(native=(
    # vals off step slots flags cx cy coff cb s_lo s_hi base_s shared horizon months disc m
    # keep
    "i8(const f8[::1], const i8[::1], const i8[::1], const i8[:, ::1], const i8[:, ::1],"
    " const f8[::1], const f8[::1], const i8[::1], const i8[::1], const i8[::1],"
    " const i8[::1], i8,"
    " const i8[::1], i8, i8, const f8[::1], i8, i8,"
    # npv payback fractional tco fan paths volume process shocks season share xs ys blk
    # claim
    " f8[:, ::1], i2[:, ::1], f8[:, ::1], f8[:, ::1], f8[:, :, ::1], f8[:, :, ::1],"
    " f8[:, ::1], b1, const f8[:, ::1], const f8[::1], const i8[:, ::1], f8[:, ::1],"
    " f8[:, ::1], f8[::1], i8[::1])",
), **_JIT)
def simulate(vals: np.ndarray, off: np.ndarray, step: np.ndarray, slots: np.ndarray,
             flags: np.ndarray, cx: np.ndarray, cy: np.ndarray, coff: np.ndarray,
             cb: np.ndarray, s_lo: np.ndarray, s_hi: np.ndarray, base_s: int, shared: np.ndarray,
             horizon: int, months: int, disc: np.ndarray, m: int, keep: int,
             npv: np.ndarray, payback: np.ndarray, fractional: np.ndarray, tco: np.ndarray,
             fan: np.ndarray, paths: np.ndarray, volume: np.ndarray, process: bool,
             shocks: np.ndarray, season: np.ndarray, share: np.ndarray, xs: np.ndarray,
             ys: np.ndarray, blk: np.ndarray, claim: np.ndarray) -> int:
    """Evaluate every strategy (rows ``s``, components ``s_lo[s]..s_hi[s]-1``, each range
    starting where the previous one ends) on samples 0..m-1 over months 1..``months``
    (retraining charges use the ``horizon``).

    Writes per strategy and sample ``npv``, ``payback`` (int16, 0: none), ``fractional``
    (NaN: none) and ``tco`` (the baseline's row: NPV 0, no payback); the cumulative net
    saving of the first ``keep`` samples into ``fan`` (strategy, month, sample); and, when
    ``paths`` has m columns, each strategy's monthly cost into ``paths`` (strategy, month,
    sample) and the volume into ``volume`` (month, sample). With ``process``, volume
    follows the volume process (:func:`volume_month`): ``shocks`` (months - 1, m) standard
    normals, ``season`` the 12 monthly multipliers. ``xs`` (components, ``N_ROWS *
    BLOCK``), ``ys`` (strategies, ``N_STRATEGY_ROWS * BLOCK``) and ``blk``
    (``(N_BLOCK_ROWS + months + 2 x months x records) * BLOCK``) are work arrays: nothing
    here allocates (the functions are compiled without numba's reference-counted
    allocator, whose atomic count on every array passed would dominate the time).

    The capacity curves of simulated serving are ``cx`` -> ``cy`` (curve q's knots at
    ``coff[q]..coff[q + 1] - 1``), each with its search table beside it in ``cb``
    (:func:`interp`, :func:`sim.costs.pack.search_table`).

    ``share`` (components, 2) names the price paths computed once: a component whose
    ``share[c, 0]`` is r >= 0 (one of the baseline's) records its price factor and cuts of
    every month as record r, and one whose ``share[c, 1]`` is r takes them from record r
    instead of computing the same path again (:func:`sim.costs.pack.price_shares`: equal
    price coefficients, bit for bit, give equal paths).

    A block of samples goes through the months in passes of a few strategies at a time
    (:data:`PASS_COMPONENTS`); the first pass holds the baseline and keeps its cost of
    every month for the others. Each sample's arithmetic is the same in any order: the
    passes only choose which state is in the cache.

    The blocks (of :data:`BLOCK` samples from sample 0) are claimed one at a time from
    ``claim[0]`` (an atomic count, 0 at first), so that other threads may step the same
    call's blocks at once, each with its own work arrays (:mod:`sim.costs.helpers`); a
    block's numbers do not depend on the thread. Returns the number of blocks this call
    stepped.
    """
    want_paths = paths.shape[2] == m and m > 0
    n_s = s_lo.size
    if n_s == 0:
        return 0
    grow = blk[M_GROW * B:(M_GROW + 1) * B]
    total = blk[M_TOTAL * B:(M_TOTAL + 1) * B]
    v0 = blk[M_V0 * B:(M_V0 + 1) * B]
    g = blk[M_G * B:(M_G + 1) * B]
    bases = blk[N_BLOCK_ROWS * B:(N_BLOCK_ROWS + months) * B]
    recs = blk[(N_BLOCK_ROWS + months) * B:]
    lo_b, hi_b = s_lo[base_s], s_hi[base_s]
    yb = ys[base_s]
    blocks = (m + B - 1) // B
    mine = 0  # blocks this call steps
    while True:
        bi = claim_next(claim, 1)
        if bi >= blocks:
            break
        b0 = bi * B
        nb = min(B, m - b0)
        start_block(b0, nb, vals, off, step, slots, flags, s_lo, s_hi, shared, xs, ys, blk,
                    mine == 0)
        mine += 1
        first = 0
        while first < n_s:
            # a pass: strategies first..last-1 month by month, their components (in a row)
            # c_lo..c_hi-1; the first holds the baseline and keeps its cost of each month
            opening = first == 0
            last = pass_end(first, s_lo, s_hi, base_s)
            c_lo, c_hi = s_lo[first], s_hi[last - 1]
            if not opening:  # the volume factor again from month 1 (the same numbers)
                for j in range(B):
                    grow[j] = 1.0
                    blk[M_LOGV * B + j] = 0.0
            for k in range(months):
                volume_month(k, b0, nb, process, shocks, season, blk)
                if opening and want_paths:
                    for j in range(nb):
                        volume[k, b0 + j] = v0[j] * grow[j]
                for c in range(c_lo, c_hi):
                    shared_price(k, share[c, 1], months, recs, xs[c], True)
                    component_month(k + 1, horizon, flags[c], xs[c], grow, g, cx, cy, coff,
                                    cb, share[c, 1] < 0)
                    shared_price(k, share[c, 0], months, recs, xs[c], False)
                base = bases[k * B:(k + 1) * B]
                if opening:
                    baseline_month(k, b0, nb, lo_b, hi_b, xs, yb, base, total, want_paths,
                                   paths, base_s)
                fold_strategies(k, b0, nb, first, last, base_s, s_lo, s_hi, xs, ys, base,
                                disc[k], keep, fan, want_paths, paths)
            first = last
        end_block(b0, nb, base_s, ys, total, npv, payback, fractional, tco)
    return mine


# -- wrappers for docs, tests and the point estimate -----------------------------------------

@njit(**_ALLOC)
def component_months_one(vals: np.ndarray, off: np.ndarray, step: np.ndarray,
                         slots: np.ndarray, flags: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                         coff: np.ndarray, cb: np.ndarray, shared: np.ndarray, horizon: int,
                         run: np.ndarray, spend: np.ndarray) -> None:
    """Run cost and spend of component 0 in sample 0 by month (a wrapper for docs and
    tests: the same month functions :func:`simulate` runs)."""
    x = np.zeros(N_ROWS * B)
    blk = np.zeros(N_BLOCK_ROWS * B)
    load_component(0, 0, 1, vals, off, step, slots, x, True)
    gf = vals[off[shared[S_GROWTH]]]
    for j in range(B):
        blk[M_GROW * B + j] = 1.0
        blk[M_G * B + j] = vals[off[shared[S_G]]]
    for k in range(run.size):
        if k > 0:
            for j in range(B):
                blk[M_GROW * B + j] = blk[M_GROW * B + j] * gf
        component_month(k + 1, horizon, flags[0], x, blk[M_GROW * B:(M_GROW + 1) * B],
                        blk[M_G * B:(M_G + 1) * B], cx, cy, coff, cb, True)
        run[k] = x[X_RUN * B]
        spend[k] = x[X_SPEND * B]


@njit(**_ALLOC)
def price_paths(stepped: bool, rate: np.ndarray, keep: np.ndarray, limit: np.ndarray,
                floor: np.ndarray, monthly: np.ndarray, factor: np.ndarray,
                cuts: np.ndarray) -> None:
    """Price factor and price-lowering cuts by month (rows) of up to :data:`BLOCK` samples
    (columns) stepped together (:func:`price_month`)."""
    x = np.zeros(N_ROWS * B)
    n = rate.size
    for j in range(B):
        i = j if j < n else 0
        x[RATE * B + j] = rate[i]
        x[KEEP * B + j] = keep[i]
        x[LIMIT * B + j] = limit[i]
        x[FLOOR * B + j] = floor[i]
        x[MONTHLY * B + j] = monthly[i]
        x[X_FACTOR * B + j] = 1.0
        x[X_RAW * B + j] = 1.0
    for k in range(factor.shape[0]):
        price_month(k + 1, stepped, x)
        for j in range(n):
            factor[k, j] = x[X_FACTOR * B + j]
            cuts[k, j] = x[X_CUTS * B + j]


def price_path(stepped: bool, rate: float, keep: float, limit: float, floor: float,
               monthly: float, factor: np.ndarray, cuts: np.ndarray) -> None:
    """Price factor and price-lowering cuts by month of one sample (:func:`price_paths`)."""
    f2, c2 = np.empty((factor.size, 1)), np.empty((factor.size, 1))
    price_paths(stepped, *(np.array([v], dtype=np.float64)
                           for v in (rate, keep, limit, floor, monthly)), f2, c2)
    factor[:] = f2[:, 0]
    cuts[:] = c2[:, 0]


@njit(native=(
    "f8[::1](i8, const f8[::1], const f8[::1], const f8[::1], const f8[::1], const f8[::1],"
    " const f8[::1], const f8[::1], const f8[::1])",
), **_ALLOC)
def instances_many(mode: int, fixed: np.ndarray, need: np.ndarray, rpd: np.ndarray,
                   work: np.ndarray, per_request: np.ndarray, growth: np.ndarray,
                   xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """:func:`instances` of equal-length arrays (the point estimate's month 1)."""
    out = np.empty(growth.size)
    none = np.zeros(0, dtype=np.int64)  # a plain bisection: few values
    for i in range(growth.size):
        out[i] = instances(mode, fixed[i], need[i], rpd[i], work[i], per_request[i], growth[i],
                           xp, fp, none, 0, xp.size, 0.0, 0.0)
    return out


# The same rules over arrays (numpy broadcasting, any shape), compiled from the same source:
# the schedule and workload helpers call these, so each rule has one implementation. They
# are plain compiled loops behind a broadcasting wrapper, not numba ufuncs: a numba ufunc
# builds its loop wrapper again at every import (~0.3 s each), a compiled loop loads from
# the disk cache.

@njit(native=("void(const f8[::1], const f8[::1], const f8[::1], f8[::1])",), **_ALLOC)
def _project_spend_loop(t: np.ndarray, cost: np.ndarray, build: np.ndarray,
                        out: np.ndarray) -> None:
    for i in range(out.size):
        out[i] = project_spend(t[i], cost[i], build[i])


@njit(native=("void(const f8[::1], const f8[::1], const f8[::1], b1[::1])",), **_ALLOC)
def _retrain_due_loop(t: np.ndarray, start: np.ndarray, every: np.ndarray,
                      out: np.ndarray) -> None:
    for i in range(out.size):
        out[i] = retrain_due(t[i], start[i], every[i])


@njit(native=("void(const f8[::1], const f8[::1], const f8[::1], f8[::1])",), **_ALLOC)
def _retrain_served_loop(t: np.ndarray, every: np.ndarray, horizon: np.ndarray,
                         out: np.ndarray) -> None:
    for i in range(out.size):
        out[i] = retrain_served(t[i], every[i], horizon[i])


@njit(native=("void(const f8[::1], const f8[::1], f8[::1])",), **_ALLOC)
def _volume_sum_loop(g: np.ndarray, n: np.ndarray, out: np.ndarray) -> None:
    for i in range(out.size):
        out[i] = volume_sum(g[i], n[i])


@njit(native=("void(const f8[::1], f8[::1])",), **_ALLOC)
def _round_up_loop(load: np.ndarray, out: np.ndarray) -> None:
    for i in range(out.size):
        out[i] = round_up(load[i])


def _broadcast(loop: Any, dtype: Any, *args: Any) -> Any:
    """``loop`` over the broadcast float64 arguments: an array of their shape, or a numpy
    scalar when every argument is a scalar (as a ufunc returns)."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    out = np.empty(flat[0].size, dtype=dtype)
    loop(*flat, out)
    return out.reshape(shape) if shape else out[0]


def project_spend_many(t: Any, cost: Any, build: Any) -> Any:
    """:func:`project_spend` broadcast over arrays."""
    return _broadcast(_project_spend_loop, np.float64, t, cost, build)


def retrain_due_many(t: Any, start: Any, every: Any) -> Any:
    """:func:`retrain_due` broadcast over arrays (booleans)."""
    return _broadcast(_retrain_due_loop, np.bool_, t, start, every)


def retrain_served_many(t: Any, every: Any, horizon: Any) -> Any:
    """:func:`retrain_served` broadcast over arrays."""
    return _broadcast(_retrain_served_loop, np.float64, t, every, horizon)


def volume_sum_many(g: Any, n: Any) -> Any:
    """:func:`volume_sum` broadcast over arrays."""
    return _broadcast(_volume_sum_loop, np.float64, g, n)


def round_up_many(load: Any) -> Any:
    """:func:`round_up` broadcast over arrays."""
    return _broadcast(_round_up_loop, np.float64, load)
