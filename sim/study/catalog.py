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
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from importlib import resources
from typing import Any

from sim.study.api_price import PRICE_FIELDS, ApiPrice, FieldPrice
from sim.study.genai import FIRST_PARTY, genai_ids, genai_price, genai_rows
from sim.study.providers import BATCH_CONVENTION, CACHED_CONVENTION, role_of


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
    """The dated reference prices of ``sim/data/api_prices.toml`` (fields it leaves out are
    derived by the vendor's convention, with the reason)."""
    out = {}
    for model, e in tomllib.loads(_data("api_prices.toml")).items():
        published = {k: e[k] for k in PRICE_FIELDS if k in e}
        out[model] = ApiPrice.build(model, e["provider"], published, str(e["checked"]),
                                    e["source"])
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
    if len(model) > 200:  # no model name is this long; matching it would take long
        raise KeyError(f"a name of {len(model):,} characters is not in the price catalog "
                       "(ftrisk prices lists it)")
    found = genai_price(model)
    if found is None:

        close = get_close_matches(model, list(dict.fromkeys([*ref, *genai_ids()])), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"'{model}' is not in the price catalog{hint} (ftrisk prices lists it)")
    return found


def gpu_price(gpu: str) -> GpuPrice:
    """Hourly price of a GPU by name (``a10g``, ``a100_40g``, ``a100_80g``, ``h100``)."""
    table = gpu_prices()
    if gpu not in table:
        raise KeyError(f"'{gpu}' is not in the GPU catalog;{_closest(gpu, table)} known: "
                       f"{', '.join(table)}")
    return table[gpu]


def _closest(name: str, names: Iterable[str]) -> str:
    """`` did you mean 'x'?`` for the names closest to ``name`` (empty when none is)."""
    close = get_close_matches(name, list(names), n=3) if len(name) <= 200 else []
    return f" did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def training_price(provider: str) -> TrainingPrice:
    """Hosted training price by provider (``openai``, ``together``)."""
    table = training_prices()
    if provider not in table:
        raise KeyError(f"'{provider}' has no training price on file;"
                       f"{_closest(provider, table)} known: {', '.join(table)}")
    return table[provider]


def list_api_prices(filter_text: str | None = None, *, include_all: bool = False
                    ) -> list[ApiPrice]:
    """Catalog rows: the reference entries and genai-prices' models whose id or provider
    contains the filter (case-insensitive); without a filter, the reference entries and
    the current OpenAI, Anthropic and Google models (every provider's with ``include_all``).

    Aggregator and reseller rows (:mod:`sim.study.providers`) are left out unless
    ``include_all``, as the calculator page leaves them out.

    Examples
    --------
    >>> sorted({(p.provider, p.role) for p in list_api_prices("gpt-4o-mini")})
    [('openai', 'vendor')]
    >>> sorted({(p.provider, p.role) for p in list_api_prices("gpt-4o-mini", include_all=True)})
    [('openai', 'vendor'), ('openrouter', 'aggregator')]
    """
    needle = (filter_text or "").lower()
    out = [p for k, p in reference_api_prices().items()
           if not needle or needle in k.lower() or needle in p.provider]
    providers = None if (needle or include_all) else FIRST_PARTY
    out += [p for p in genai_rows(needle, providers=providers)
            if include_all or role_of(p.provider).listed]
    return out


def describe_source(price: Any) -> str:
    """Short provenance text for an inputs table: source, checked date, inferred fields."""
    inferred = getattr(price, "inferred", ())
    extra = f"; inferred: {', '.join(inferred)}" if inferred else ""
    role = getattr(price, "role", "vendor")
    if role != "vendor":
        extra += f"; {'an' if role == 'aggregator' else 'a'} {role}'s row ({price.role_why})"
    checked = str(price.checked)
    when = f"checked {checked}" if checked[:1].isdigit() else "its data gives no checked date"
    return f"{price.source}, {when}{extra}"


__all__ = [
    "BATCH_CONVENTION",
    "CACHED_CONVENTION",
    "PRICE_FIELDS",
    "ApiPrice",
    "FieldPrice",
    "GpuPrice",
    "TrainingPrice",
    "api_price",
    "describe_source",
    "gpu_price",
    "gpu_prices",
    "list_api_prices",
    "reference_api_prices",
    "training_price",
    "training_prices",
]
