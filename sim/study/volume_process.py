"""Reading ``[workload] volume_process``: monthly volume as a geometric random walk with
drift and optional seasonality (docs/model.md, "Workload"; docs/study-file.md)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.study.errors import StudyError
from sim.study.schema import PROCESS_KEY, VOLUME_PROCESS, growth_problem, top
from sim.study.strategy import make_inputs, unknown_keys
from sim.study.types import VolumeProcess

__all__ = ["read_volume_process", "season_curve"]

#: Keys of the process table besides its inputs.
SETTINGS = ("seasonality", "amplitude", "peak_month")


def season_curve(amplitude: float, peak_month: int) -> tuple[float, ...]:
    """Twelve multipliers ``1 + amplitude cos(2 pi (m - peak_month) / 12)`` for months
    m = 1..12 (their mean is 1).

    Examples
    --------
    >>> [round(x, 3) for x in season_curve(0.2, 12)[:3]] + [round(season_curve(0.2, 12)[-1], 3)]
    [1.173, 1.1, 1.0, 1.2]
    """
    return tuple(1.0 + amplitude * math.cos(2.0 * math.pi * (m - peak_month) / 12.0)
                 for m in range(1, 13))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seasonality(file: str, doc: Mapping[str, Any]) -> tuple[float, ...]:
    where = f"workload.{PROCESS_KEY}"
    if "seasonality" in doc:
        if "amplitude" in doc or "peak_month" in doc:
            raise StudyError(file, f"{where}.seasonality", "give either seasonality (12 "
                             "multipliers) or amplitude with peak_month, not both")
        s = doc["seasonality"]
        if (not isinstance(s, list) or len(s) != 12 or not all(_number(v) for v in s)
                or not all(math.isfinite(v) and v > 0 for v in s)):
            got = f"{len(s)} values" if isinstance(s, list) else repr(s)
            raise StudyError(file, f"{where}.seasonality", f"must be 12 numbers > 0, the "
                             f"volume multipliers of months 1..12 of the horizon (got {got}); "
                             "e.g. [0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2, "
                             "1.3]")
        mean = math.fsum(s) / 12.0
        return tuple(float(v) / mean for v in s)
    if "amplitude" in doc or "peak_month" in doc:
        a: Any = doc.get("amplitude")
        peak: Any = doc.get("peak_month")
        if not _number(a) or not 0 <= a < 1:
            raise StudyError(file, f"{where}.amplitude", f"{a!r} must be a number in [0, 1), "
                             "the seasonal swing (0.2: the peak month 20% above the average)")
        if not isinstance(peak, int) or isinstance(peak, bool) or not 1 <= peak <= 12:
            raise StudyError(file, f"{where}.peak_month", f"{peak!r} must be a whole month "
                             "1..12 of the horizon, the busiest one")
        return season_curve(float(a), peak)
    return (1.0,) * 12


def read_volume_process(file: str, workload_doc: Mapping[str, Any],
                        horizon_months: int) -> VolumeProcess | None:
    """The study's volume process, or None when ``[workload]`` has no ``volume_process``.

    Raises
    ------
    StudyError
        Both ``monthly_growth`` and ``volume_process`` given, an unknown key, a drift or
        volatility outside its domain (a negative volatility), seasonality that is not 12
        positive numbers, or a drift that could overflow the horizon's volume.
    """
    doc = workload_doc.get(PROCESS_KEY)
    if doc is None:
        return None
    where = f"workload.{PROCESS_KEY}"
    if "monthly_growth" in workload_doc:
        raise StudyError(file, where, "give either monthly_growth or volume_process, not both: "
                         "the process's drift is its growth (drift = ln(1 + g)); remove one")
    if not isinstance(doc, dict):
        raise StudyError(file, where, "must be a table, e.g. { drift = 0.02, volatility = "
                         "0.1 }")
    unknown_keys(file, f"{where}.", doc, [*VOLUME_PROCESS, *SETTINGS])
    inputs = make_inputs(file, where, doc, VOLUME_PROCESS)
    drift = inputs["drift"]
    problem = growth_problem(math.expm1(max(top(drift.dist), 0.0)), horizon_months)
    if problem:
        raise StudyError(file, f"{where}.drift", problem.replace("a month", "a month (as "
                                                                 "exp(drift) - 1)", 1))
    return VolumeProcess(drift, inputs["volatility"], _seasonality(file, doc))
