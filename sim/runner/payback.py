"""The payback rule (docs/model.md, "Payback"), applied by the fused model: see
:mod:`sim.costs.payback`, where it is compiled with the month loop
(:func:`sim.costs.fused.fold_lane`; :func:`fold_month` applies it to a block of samples)."""

from __future__ import annotations

__all__ = ["NO_PAYBACK", "fold_month"]

from sim.costs.payback import NO_PAYBACK, fold_month
