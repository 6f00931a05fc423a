"""The layout of the fused model's coefficient tables (:mod:`sim.costs.fused`,
:mod:`sim.costs.pack`): component kinds, coefficient slots and integer flags."""

from __future__ import annotations

#: Component kinds.
API, HOSTED, SELF_HOSTED, ROUTER = 0, 1, 2, 3

#: Coefficient slots of a component (columns of the slot table).
(TOKEN, QUALITY, CONST, MIGRATION, MONTHLY, FLOOR, RATE, KEEP, LIMIT, HOURLY, FIXED, NEED,
 RPD, WORK, PER_REQUEST, GPU_MONTHLY, BUILD, PROJECT, EVERY, RCOST, ACTIVE) = range(21)
N_SLOTS = 21

#: Integer flags of a component (columns of the flag table).
F_KIND, F_STEPPED, F_MODE, F_RETRAIN, F_WHEN_PAYS, F_PROJECT, F_CURVE = range(7)
N_FLAGS = 7

#: Coefficients shared by every component: the volume factor 1 + g, g, month-1 volume, and
#: a volume process's drift and volatility.
S_GROWTH, S_G, S_V0, S_DRIFT, S_VOL = range(5)
N_SHARED = 5

#: Rows of a component's state in a block, after its coefficients: the price factor, the
#: month's cuts, cuts done, the month's cut count, the smooth price before its floor,
#: the price a hosted model pays, its next retraining month, the GPU price factor, the
#: month's run cost and spend, the project's spend per build month and its build months
#: (at least 1), whether the retraining schedule is in whole months, the cut count the
#: price factor was last computed at, whether it retrains this month, log1p(g) and the
#: volume of a whole retraining period (NaN until first needed).
(X_FACTOR, X_CUTS, X_DONE, X_COUNT, X_RAW, X_PRICE, X_NEXT, X_GPU, X_RUN, X_SPEND, X_PER,
 X_DM, X_COUNTED, X_PRICED, X_DUE, X_LOG1PG, X_VFULL) = range(N_SLOTS, N_SLOTS + 17)
N_ROWS = N_SLOTS + 17

#: Rows of a strategy's state in a block: the cumulative net saving, the payback month
#: (the last candidate), the cumulative just after that month's one-off spend, NPV, TCO,
#: the last month it is being built, the month's run cost and spend, and the cumulative at
#: the end of the last candidate month (its fractional payback comes from those two).
Y_CUM, Y_MONTH, Y_START, Y_NPV, Y_TCO, Y_BUILD, Y_RUN, Y_SPEND, Y_END = range(9)
N_STRATEGY_ROWS = 9

#: Rows shared by a block: the volume factor 1 + g, g, V(t) / V0 this month ((1 + g) **
#: (t - 1) without a volume process), month-1 volume, the baseline's running total cost,
#: and a volume process's drift, volatility and log volume (without season). The block's
#: work array holds, after these rows, the baseline's cost of each month (one row a month).
M_GF, M_G, M_GROW, M_V0, M_TOTAL, M_DRIFT, M_VOL, M_LOGV = range(8)
N_BLOCK_ROWS = 8

#: Samples stepped together through the months (the lanes of the compiled loops).
BLOCK = 64
