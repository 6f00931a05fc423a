"""Hardware profiles shipped as data (``sim/data/hardware.toml``): one serving replica each,
a model on the GPUs that hold one copy of it, with its quoted throughput and price.

A catalog like the price catalog: the study loader validates ``hardware = "..."`` against
it, and the serving model (:mod:`sim.serving`) turns a profile into service rates.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, get_args

Quantization = Literal["none", "int8", "int4"]
QUANTIZATIONS: tuple[str, ...] = get_args(Quantization)

_FIELDS = ("model_size_b", "gpu", "gpus_per_replica", "hourly_usd", "tokens_per_s",
           "reference_batch", "reference_input_tokens", "reference_output_tokens",
           "prefill_speedup", "decode_half_batch", "source", "checked", "gpu_memory_gb")


@dataclass(frozen=True)
class HardwareProfile:
    """One serving replica: a model on the GPUs that hold one copy of it.

    Attributes
    ----------
    name : str
        Profile name, e.g. ``"a10g-7b"``.
    model_size_b : float
        Billions of parameters.
    gpu : str
        GPU model.
    gpus_per_replica : int
        GPUs per replica (tensor parallelism).
    hourly_usd : float
        $ per replica-hour.
    tokens_per_s : float
        Aggregate input + output tokens/s at ``reference_batch`` for the reference mix.
    reference_batch : int
        Sequences in flight the figure is quoted at.
    reference_input_tokens, reference_output_tokens : float
        The request mix the figure holds for.
    prefill_speedup : float
        Prefill tokens/s ÷ aggregate decode tokens/s at ``reference_batch``.
    decode_half_batch : float
        Batch at which aggregate decode speed is half its ceiling.
    source, checked : str
        Where the figures come from, and when.
    gpu_memory_gb : float or None
        Memory of one GPU (None: not stated; the VRAM check then needs ``gpu_memory_gb``).

    Examples
    --------
    >>> p = get_profile("a10g-7b")
    >>> p.hourly_usd, p.tokens_per_s
    (1.03, 5000.0)
    """

    name: str
    model_size_b: float
    gpu: str
    gpus_per_replica: int
    hourly_usd: float
    tokens_per_s: float
    reference_batch: int
    reference_input_tokens: float
    reference_output_tokens: float
    prefill_speedup: float
    decode_half_batch: float
    source: str = ""
    checked: str = ""
    gpu_memory_gb: float | None = None

    def __post_init__(self) -> None:
        for key in ("model_size_b", "hourly_usd", "tokens_per_s", "reference_batch",
                    "prefill_speedup", "decode_half_batch"):
            value = getattr(self, key)
            if not value > 0:
                raise ValueError(f"hardware profile {self.name!r}: {key}={value!r} must be > 0")
        if self.reference_input_tokens < 0 or self.reference_output_tokens <= 0:
            raise ValueError(f"hardware profile {self.name!r}: reference_output_tokens must be "
                             "> 0 and reference_input_tokens >= 0")
        if self.gpus_per_replica < 1:
            raise ValueError(f"hardware profile {self.name!r}: gpus_per_replica must be >= 1")


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("sim").joinpath("data/hardware.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_profiles() -> dict[str, HardwareProfile]:
    """Every hardware profile shipped in ``sim/data/hardware.toml``, by name.

    Returns
    -------
    dict of str to HardwareProfile

    Examples
    --------
    >>> sorted(load_profiles())
    ['2xa100-80gb-70b', 'a100-40gb-13b', 'a10g-7b']
    """
    out = {}
    for name, raw in _data()["profiles"].items():
        values = {k: raw[k] for k in _FIELDS if k in raw}
        for key in ("model_size_b", "hourly_usd", "tokens_per_s", "reference_input_tokens",
                    "reference_output_tokens", "prefill_speedup", "decode_half_batch"):
            values[key] = float(values[key])
        out[name] = HardwareProfile(name=name, **values)
    return out


def get_profile(name: str) -> HardwareProfile:
    """The hardware profile called ``name``.

    Raises
    ------
    ValueError
        If there is no such profile; the message lists the names there are.

    Examples
    --------
    >>> get_profile("2xa100-80gb-70b").gpus_per_replica
    2
    """
    profiles = load_profiles()
    if name not in profiles:
        raise ValueError(f"{name!r} is not a known hardware profile; it must be one of "
                         f"{{{', '.join(repr(p) for p in sorted(profiles))}}}")
    return profiles[name]


def profile_for_size(model_size_b: float) -> HardwareProfile:
    """The profile whose model size is closest to ``model_size_b`` (on a log scale).

    The lesson quotes serving figures for 7B, 13B and 70B only; other sizes take the nearest.

    Examples
    --------
    >>> profile_for_size(8).name, profile_for_size(20).name, profile_for_size(34).name
    ('a10g-7b', 'a100-40gb-13b', '2xa100-80gb-70b')
    """
    if not model_size_b > 0:
        raise ValueError(f"model_size_b={model_size_b!r} must be > 0")
    return min(load_profiles().values(),
               key=lambda p: abs(math.log(p.model_size_b / model_size_b)))


def option_multipliers() -> dict[str, Any]:
    """The throughput multipliers of the serving options (quantization, speculative decoding).

    Examples
    --------
    >>> option_multipliers()["quantization"]["int4"]
    1.8
    """
    return _data()["options"]


