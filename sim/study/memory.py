"""Does a self-hosted model fit its GPUs? The VRAM check the study loader runs (docs/model.md,
"Hardware that fits").

One serving instance holds the weights and the KV cache of the sequences in flight:

    weights  = model_size_b x bytes_per_param                       (GB)
    KV cache = max_batch x (input + output tokens) x kv_bytes_per_token / 1e9   (GB)
    usable   = gpus_per_instance x gpu_memory_gb x 0.9

and weights + KV cache must not exceed what is usable (0.9: vLLM's default
``gpu_memory_utilization``; the rest is activations and the CUDA context). Every figure is
the input's median (a distribution stands for its typical value, as in the serving
simulation); the context is the workload's median input plus output tokens, the batch the
study's ``max_batch`` or the hardware profile's reference batch (32).

``bytes_per_param`` defaults by quantization (none 2, int8 1, int4 0.5).
``kv_bytes_per_token`` defaults from the model size, for today's common open models of each
size in fp16 (all with grouped-query attention, 8 KV heads of 128): 2 (K and V) x layers x
KV heads x head size x 2 bytes. 7B: Mistral 7B (the model both seeds name; Llama 3 8B has
the same shape), 2 x 32 x 8 x 128 x 2 = 131,072 bytes; 13B: Mistral NeMo 12B's 40 layers,
163,840; 70B: Llama 3 70B's 80 layers, 327,680. Other sizes take the closest of the three (on
a log scale). Models with full multi-head attention need far more: Llama-2 7B 524,288,
Llama-2 13B 819,200 (give them as kv_bytes_per_token); with those the lesson's own reference
configurations (7B on an A10G, 13B on an A100 40GB, at batch 32 with 500 + 200 tokens) would
not fit (the lesson's 70B on 2x A100 80GB in bf16 does not fit at batch 32 either: 140 GB of
weights leave 4 GB of the 144 usable). ``gpu_memory_gb`` defaults to the catalog GPU's memory
(``gpu = "a10g"``) or the hardware profile's (``hardware = "a10g-7b"``); a strategy that names
neither (only ``gpu_hourly``) is not checked, since its GPU is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.study import catalog
from sim.study.errors import StudyError
from sim.study.hardware import get_profile, profile_for_size
from sim.study.types import Input, Strategy

#: Share of a GPU's memory the server may fill (vLLM's default gpu_memory_utilization).
USABLE_FRACTION = 0.9
#: KV-cache bytes per token by model size (fp16): 2 x layers x KV heads x head size x 2
#: (Mistral 7B, Mistral NeMo 12B, Llama 3 70B: grouped-query attention, 8 KV heads of 128).
KV_BYTES_PER_TOKEN = {7.0: 2 * 32 * 8 * 128 * 2, 13.0: 2 * 40 * 8 * 128 * 2,
                      70.0: 2 * 80 * 8 * 128 * 2}


def default_kv_bytes(model_size_b: float) -> float:
    """KV-cache bytes per token of the common model closest in size (log scale): Mistral 7B,
    Mistral NeMo 12B, Llama 3 70B.

    Examples
    --------
    >>> default_kv_bytes(7), default_kv_bytes(13), default_kv_bytes(70)
    (131072, 163840, 327680)
    """
    size = min(KV_BYTES_PER_TOKEN, key=lambda s: abs(math.log(s / model_size_b)))
    return KV_BYTES_PER_TOKEN[size]


@dataclass(frozen=True)
class MemoryFit:
    """What one serving instance must hold, and what it has (GB)."""

    weights_gb: float
    kv_gb: float
    usable_gb: float

    @property
    def fits(self) -> bool:
        """True when weights + KV cache fit in the usable memory."""
        return self.weights_gb + self.kv_gb <= self.usable_gb


def _median(inputs: Mapping[str, Input], key: str) -> float | None:
    inp = inputs.get(key)
    return None if inp is None else float(inp.dist.median)


def _gpu_memory(s: Strategy) -> tuple[float, str] | None:
    given = _median(s.inputs, "gpu_memory_gb")
    if given is not None:
        return given, "gpu_memory_gb"
    if "gpu" in s.options:
        return catalog.gpu_price(s.options["gpu"]).memory_gb, f'gpu = "{s.options["gpu"]}"'
    if "hardware" in s.options:
        memory = get_profile(s.options["hardware"]).gpu_memory_gb
        if memory is not None:
            return memory, f'hardware = "{s.options["hardware"]}"'
    return None


def check_memory(file: str, s: Strategy, context_tokens: float) -> MemoryFit | None:
    """Raise :class:`StudyError` when strategy ``s`` does not fit its GPUs.

    Parameters
    ----------
    file : str
        The study file, for the message.
    s : Strategy
        A strategy of a kind that serves on our own GPUs.
    context_tokens : float
        The workload's median input + output tokens per request.

    Returns
    -------
    MemoryFit or None
        The figures checked, or None when the GPU is unknown (not checked).
    """
    memory = _gpu_memory(s)
    if memory is None:
        return None
    gpu_gb, where = memory
    size = float(s.inputs["model_size_b"].dist.median)
    bpp = float(s.inputs["bytes_per_param"].dist.median)
    kv = _median(s.inputs, "kv_bytes_per_token") or default_kv_bytes(size)
    explicit = s.options.get("hardware")
    profile = get_profile(explicit) if explicit else profile_for_size(size)
    batch = _median(s.inputs, "max_batch") or float(profile.reference_batch)
    gpus_input = s.inputs["gpus_per_instance"]
    gpus = (float(profile.gpus_per_replica) if explicit and gpus_input.is_default
            else float(gpus_input.dist.median))
    fit = MemoryFit(size * bpp, batch * context_tokens * kv / 1e9,
                    gpus * gpu_gb * USABLE_FRACTION)
    if not fit.fits:
        raise StudyError(file, f"strategies.{s.name}", (
            f"does not fit in GPU memory: weights {fit.weights_gb:,.1f} GB (model_size_b "
            f"{size:g} x bytes_per_param {bpp:g}) + KV cache {fit.kv_gb:,.1f} GB (max_batch "
            f"{batch:g} x {context_tokens:,.0f} tokens of context, the workload's input + "
            f"output tokens, x kv_bytes_per_token {kv:,.0f}) = "
            f"{fit.weights_gb + fit.kv_gb:,.1f} GB > {fit.usable_gb:,.1f} GB usable "
            f"(gpus_per_instance {gpus:g} x {gpu_gb:g} GB from {where} x {USABLE_FRACTION}); "
            'set quantization = "int8" or "int4", raise gpus_per_instance (tensor '
            "parallel), lower max_batch, give the model's kv_bytes_per_token (grouped-query "
            "attention needs less) or choose a GPU with more memory"))
    return fit
