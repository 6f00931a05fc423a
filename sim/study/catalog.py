"""The price catalog: API token prices, GPU hourly prices and hosted training prices.

API prices come from genai-prices (a maintained package whose data ships with it and works
offline) and from ``sim/data/api_prices.toml`` (the dated reference prices the source
documents use, named ``<model>@2024``). GPU and training prices, which no package ships
offline, are our own dated files in ``sim/data/``. Fields a vendor does not publish are
derived from its conventions (cached input = 10% of input, batch = 50% of standard, as the
calculator page does) and flagged as inferred.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from importlib import resources
from importlib.metadata import version
from typing import Any

CACHED_CONVENTION = 0.10
BATCH_CONVENTION = 0.50


@dataclass(frozen=True)
class ApiPrice:
    """Per-1M-token prices of one API model.

    ``inferred`` lists the fields derived from a vendor convention rather than published.
    """

    model: str
    provider: str
    input: float
    output: float
    cached_input: float
    batch_input: float
    batch_output: float
    checked: str
    source: str
    inferred: tuple[str, ...] = ()

    @property
    def cached_factor(self) -> float:
        """Cached-input price as a fraction of the input price."""
        return self.cached_input / self.input if self.input else CACHED_CONVENTION

    @property
    def batch_discount(self) -> float:
        """Discount of the batch API on input tokens."""
        return 1.0 - self.batch_input / self.input if self.input else BATCH_CONVENTION


@dataclass(frozen=True)
class GpuPrice:
    """Hourly price of one GPU, on demand and spot."""

    gpu: str
    memory_gb: float
    on_demand_hourly: float
    spot_hourly: float
    spot_inferred: bool
    checked: str
    source: str


@dataclass(frozen=True)
class TrainingPrice:
    """A hosted fine-tuning provider's training price per 1M tokens, with its range."""

    provider: str
    price_per_1m: float
    low: float
    high: float
    checked: str
    source: str


def _data(name: str) -> str:
    return resources.files("sim").joinpath("data", name).read_text(encoding="utf-8")


@cache
def reference_api_prices() -> dict[str, ApiPrice]:
    """The dated reference prices of ``sim/data/api_prices.toml``."""
    out = {}
    for model, e in tomllib.loads(_data("api_prices.toml")).items():
        conventions = {"cached_input": e["input"] * CACHED_CONVENTION,
                       "batch_input": e["input"] * BATCH_CONVENTION,
                       "batch_output": e["output"] * BATCH_CONVENTION}
        inferred = [k for k in conventions if k not in e]
        cached, b_in, b_out = (e.get(k, v) for k, v in conventions.items())
        out[model] = ApiPrice(model, e["provider"], e["input"], e["output"], cached, b_in,
                              b_out, str(e["checked"]), e["source"], tuple(inferred))
    return out


@cache
def gpu_prices() -> dict[str, GpuPrice]:
    """GPU hourly prices of ``sim/data/gpu_prices.csv``."""
    rows = csv.DictReader(_data("gpu_prices.csv").splitlines())
    return {
        r["gpu"]: GpuPrice(r["gpu"], float(r["memory_gb"]), float(r["on_demand_hourly"]),
                           float(r["spot_hourly"]), r["spot_inferred"] == "true", r["checked"],
                           r["source"])
        for r in rows
    }


@cache
def training_prices() -> dict[str, TrainingPrice]:
    """Hosted fine-tuning training prices of ``sim/data/training_prices.toml``."""
    return {
        name: TrainingPrice(name, e["price_per_1m"], e["low"], e["high"], str(e["checked"]),
                            e["source"])
        for name, e in tomllib.loads(_data("training_prices.toml")).items()
    }


def _verified(comments: str | None) -> str | None:
    if not comments:
        return None
    dates = re.findall(r"(\d{4}-\d{2}-\d{2})", comments)
    return max(dates) if dates else None


def _genai_model(ref: str) -> tuple[Any, Any] | None:
    """(provider, model) of genai-prices' data: its own matching, then an exact model id
    (first-party providers first), e.g. ``ft:gpt-4o-mini`` which its matching does not take."""
    from genai_prices import data_snapshot  # loads the price database: only when asked

    snap = data_snapshot.get_snapshot()
    provider_id, model_ref = ref.split("/", 1) if "/" in ref else (None, ref)
    try:
        return snap.find_provider_model(model_ref, None, provider_id, None)
    except LookupError:
        pass
    first = ("openai", "anthropic", "google")
    providers = sorted(snap.providers, key=lambda p: (p.id not in first, first.index(p.id)
                                                      if p.id in first else 0))
    for prov in providers:
        if provider_id and prov.id != provider_id:
            continue
        for m in prov.models:
            if m.id == model_ref:
                return prov, m
    return None


def _genai_price(ref: str) -> ApiPrice | None:
    from genai_prices import Usage  # its price database loads on import: only when asked

    found = _genai_model(ref)
    if found is None:
        return None
    prov, model = found
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    std = model.calc_price(usage, prov)
    inferred = []
    inp, out = float(std.input_price), float(std.output_price)
    cached = getattr(std.model_price, "cache_read_mtok", None)
    if cached is None:
        cached = inp * CACHED_CONVENTION
        inferred.append("cached_input")
    batch = model.calc_price(usage, prov, price_context={"processing": "batch"})
    b_in, b_out = float(batch.input_price), float(batch.output_price)
    if (b_in, b_out) == (inp, out):  # no batch tier published
        b_in, b_out = inp * BATCH_CONVENTION, out * BATCH_CONVENTION
        inferred += ["batch_input", "batch_output"]
    data = f"genai-prices {version('genai-prices')}"
    checked = _verified(getattr(model, "price_comments", None)) or data
    return ApiPrice(model.id, prov.id, inp, out, float(cached), b_in, b_out, checked,
                    f"{data} ({prov.name})", tuple(inferred))


@cache
def api_price(model: str) -> ApiPrice:
    """Prices of an API model: a dated reference entry, or genai-prices' current data.

    Parameters
    ----------
    model : str
        ``gpt-4o@2024`` (reference), ``gpt-4o`` or ``provider/model`` (genai-prices).

    Raises
    ------
    KeyError
        With the closest names when the model is unknown.

    Examples
    --------
    >>> p = api_price("gpt-4o@2024")
    >>> p.input, p.output, p.cached_input, p.inferred
    (5.0, 15.0, 0.5, ('cached_input', 'batch_input', 'batch_output'))
    """
    ref = reference_api_prices()
    if model in ref:
        return ref[model]
    found = _genai_price(model)
    if found is None:

        close = get_close_matches(model, list(ref) + _genai_ids(), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"'{model}' is not in the price catalog{hint} (ftrisk prices lists it)")
    return found


@cache
def _genai_ids() -> list[str]:
    from genai_prices import data_snapshot  # loads the price database: only when asked

    return [m.id for p in data_snapshot.get_snapshot().providers for m in p.models]


def gpu_price(gpu: str) -> GpuPrice:
    """Hourly price of a GPU by name (``a10g``, ``a100_40g``, ``a100_80g``, ``h100``)."""
    table = gpu_prices()
    if gpu not in table:
        raise KeyError(f"'{gpu}' is not in the GPU catalog; known: {', '.join(table)}")
    return table[gpu]


def training_price(provider: str) -> TrainingPrice:
    """Hosted training price by provider (``openai``, ``together``)."""
    table = training_prices()
    if provider not in table:
        raise KeyError(f"'{provider}' has no training price on file; known: "
                       f"{', '.join(table)}")
    return table[provider]


def list_api_prices(filter_text: str | None = None) -> list[ApiPrice]:
    """Reference entries plus every genai-prices model whose id or provider contains the
    filter (case-insensitive); without a filter, the reference entries and the current
    OpenAI, Anthropic and Google models."""
    from genai_prices import data_snapshot  # loads the price database: only when asked

    needle = (filter_text or "").lower()
    out = [p for k, p in reference_api_prices().items()
           if not needle or needle in k.lower() or needle in p.provider]
    for prov in data_snapshot.get_snapshot().providers:
        if not needle and prov.id not in ("openai", "anthropic", "google"):
            continue
        for m in prov.models:
            if needle and needle not in m.id.lower() and needle not in prov.id.lower():
                continue
            try:
                price = _genai_price(f"{prov.id}/{m.id}")
            except Exception:
                price = None
            if price is not None and (price.input or price.output):
                out.append(price)
    return out


def describe_source(price: Any) -> str:
    """Short provenance text for an inputs table: source, checked date, inferred fields."""
    inferred = getattr(price, "inferred", ())
    extra = f"; inferred: {', '.join(inferred)}" if inferred else ""
    return f"{price.source}, checked {price.checked}{extra}"
