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

#: Coefficients shared by every component: the volume factor 1 + g, g, and month-1 volume.
S_GROWTH, S_G, S_V0 = range(3)
