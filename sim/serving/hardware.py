"""The service rates a replica of a hardware profile runs at.

A profile (:mod:`sim.study.hardware`) quotes one aggregate figure (tokens/s at a reference
batch for a reference request mix, as the lesson does); :func:`service_rates` turns it into
the two speeds the serving model needs: a prefill speed (prompt tokens/s, compute-bound, one
prompt at a time) and a decode step time ``t(m) = t1 * (k + m)`` for ``m`` sequences in
flight (each sequence gains one token per step, so the aggregate decode speed ``m / t(m)``
grows with the batch and saturates at ``1 / t1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.study.hardware import (
    QUANTIZATIONS,
    HardwareProfile,
    Quantization,
    option_multipliers,
)


@dataclass(frozen=True)
class ServiceRates:
    """The speeds one replica serves at, after the serving options.

    Attributes
    ----------
    prefill_tokens_per_s : float
        Prompt tokens/s while a prefill runs (decoding pauses meanwhile).
    step_per_seq_s : float
        ``t1``: decode step time per sequence in flight.
    decode_half_batch : float
        ``k``: the step time is ``t1 * (k + m)`` with ``m`` sequences decoding.
    decode_multiplier : float
        Tokens gained per step and sequence (speculative decoding; 1 without).
    max_batch : int
        Sequences a replica holds at once (``B``).

    Examples
    --------
    >>> from sim.study.hardware import get_profile
    >>> r = service_rates(get_profile("a10g-7b"), max_batch=32)
    >>> round(r.tokens_per_s(500.0, 200.0))  # the lesson's 5,000 tok/s at batch 32
    5000
    """

    prefill_tokens_per_s: float
    step_per_seq_s: float
    decode_half_batch: float
    decode_multiplier: float
    max_batch: int

    def step_s(self, m: int) -> float:
        """Decode step time with ``m`` sequences in flight."""
        return self.step_per_seq_s * (self.decode_half_batch + m)

    def decode_rate(self, m: int) -> float:
        """Output tokens/s of each sequence when ``m`` are decoding."""
        return self.decode_multiplier / self.step_s(m)

    @property
    def full_decode_tokens_per_s(self) -> float:
        """Aggregate output tokens/s of a replica holding ``max_batch`` sequences."""
        return self.max_batch * self.decode_rate(self.max_batch)

    def work_s(self, input_tokens: Any, output_tokens: Any) -> Any:
        """Replica-seconds a request uses on a full replica: the capacity it takes.

        ``input/prefill speed + output/(aggregate decode speed at max_batch)``; a replica
        at 100% utilization does exactly one second of this work per second.
        """
        return (input_tokens / self.prefill_tokens_per_s
                + output_tokens / self.full_decode_tokens_per_s)

    def tokens_per_s(self, input_tokens: float, output_tokens: float) -> float:
        """Aggregate input + output tokens/s of a full replica for this request mix."""
        return float((input_tokens + output_tokens) / self.work_s(input_tokens, output_tokens))


def service_rates(profile: HardwareProfile, *, max_batch: int | None = None,
                  quantization: Quantization = "none", speculative_decoding: bool = False,
                  tokens_per_s: float | None = None) -> ServiceRates:
    """The speeds of one replica of ``profile`` with the given options.

    The profile's aggregate figure fixes the work of its reference request at its reference
    batch: ``(Tin + Tout) / tokens_per_s = Tin / P + Tout / D``, with the prefill speed
    ``P = prefill_speedup * D`` and ``D`` the aggregate decode speed at that batch; the step
    time ``t1 * (k + m)`` is then chosen so that ``D = B_ref / (t1 * (k + B_ref))``.
    Quantization multiplies both speeds, speculative decoding the decode speed.

    Parameters
    ----------
    profile : HardwareProfile
    max_batch : int, optional
        Sequences per replica; default the profile's reference batch.
    quantization : {"none", "int8", "int4"}
    speculative_decoding : bool
    tokens_per_s : float, optional
        A measured aggregate figure replacing the profile's (same reference mix and batch).

    Returns
    -------
    ServiceRates

    Raises
    ------
    ValueError
        For an unknown quantization or a batch below 1.

    Examples
    --------
    >>> from sim.study.hardware import get_profile
    >>> p = get_profile("a10g-7b")
    >>> int4 = service_rates(p, quantization="int4")
    >>> round(int4.tokens_per_s(500.0, 200.0))
    9000
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"{quantization!r} is not a valid 'quantization'. It must be one of "
                         f"{{{', '.join(repr(q) for q in QUANTIZATIONS)}}}")
    batch = profile.reference_batch if max_batch is None else int(max_batch)
    if batch < 1:
        raise ValueError(f"max_batch={max_batch!r} must be a whole number >= 1")
    aggregate = profile.tokens_per_s if tokens_per_s is None else float(tokens_per_s)
    if not aggregate > 0:
        raise ValueError(f"tokens_per_s={tokens_per_s!r} must be > 0")
    tin, tout = profile.reference_input_tokens, profile.reference_output_tokens
    decode = aggregate * (tin / profile.prefill_speedup + tout) / (tin + tout)
    k, b_ref = profile.decode_half_batch, profile.reference_batch
    opts = option_multipliers()
    q = float(opts["quantization"][quantization])
    spec = float(opts["speculative_decoding"]["decode_multiplier"]) if speculative_decoding \
        else 1.0
    return ServiceRates(
        prefill_tokens_per_s=profile.prefill_speedup * decode * q,
        step_per_seq_s=b_ref / (decode * (k + b_ref)) / q,
        decode_half_batch=k,
        decode_multiplier=spec,
        max_batch=batch,
    )
