"""Reference configs shared by the serving tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from distributions import Distribution, Fixed, parse
from sim.serving import HardwareProfile, ServingConfig, get_profile, hourly_weights

HERE = Path(__file__).resolve().parent
STUDY = HERE / "support_chatbot.toml"


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential with the given mean: the service time of the M/M/c reference."""

    scale: float
    family = "exponential"

    def _ppf(self, q):
        return -self.scale * np.log1p(-q)

    @property
    def mean(self) -> float:
        return self.scale

    @property
    def var(self) -> float:
        return self.scale**2

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, float("inf"))

    def _params(self) -> str:
        return f"scale={self.scale}"


#: One replica that prefills and decodes 1,000 tokens/s at batch 1 (reference mix: output
#: only, prefill as fast as decode, k = 1), so token counts / 1000 are seconds.
UNIT = HardwareProfile("unit", 1.0, "test GPU", 1, 1.0, 1000.0, 1, 0.0, 1.0, 1.0, 1.0)


def mmc_config(path: str) -> ServingConfig:
    """B = 1 and exponential service of mean 1 s, in the prefill or the decode phase."""
    exp = Exponential(1000.0)
    if path == "prefill":
        return ServingConfig(UNIT, exp, Fixed(0.0), max_batch=1)
    return ServingConfig(UNIT, Fixed(0.0), exp, max_batch=1)


def chatbot_config(**kw) -> ServingConfig:
    """The lesson's support chatbot on a 7B/A10G: 10% of traffic 00:00-06:00, flat by day."""
    night = tuple(hourly_weights(weights=[0.1 / 6] * 6 + [0.9 / 18] * 18))
    base = {"hourly_weights": night}
    base.update(kw)
    return ServingConfig(get_profile("a10g-7b"), parse("1500 to 2400"), parse("70 to 140"),
                         **base)


def small_config(**kw) -> ServingConfig:
    """A cheap-to-simulate 7B config: short requests."""
    return ServingConfig(get_profile("a10g-7b"), Fixed(200.0), Fixed(40.0), **kw)
