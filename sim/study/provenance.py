"""Where a study's prices came from, for the run's manifest: the catalog snapshot (the
genai-prices version and each of ftrisk's own data files with its hash and date) and the
inputs fitted to the price history.

Examples
--------
>>> snap = catalog_snapshot()
>>> sorted(snap["files"])[:2]
['api_prices.toml', 'catalog_providers.toml']
>>> len(snap["files"]["price_history.csv"]["sha256"])
64
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sim.study.types import Study

__all__ = ["DATA_FILES", "catalog_snapshot", "fitted_inputs", "provenance"]

#: ftrisk's own price data (``sim/data/``): what each file holds.
DATA_FILES = {
    "api_prices.toml": "dated reference API prices the source documents quote",
    "catalog_providers.toml": "genai-prices' providers that are aggregators or resellers, "
                              "and the vendors' conventions for inferred fields",
    "gpu_prices.csv": "GPU hourly prices, on demand and spot",
    "price_history.csv": "dated list prices per vendor, model and field",
    "training_prices.toml": "hosted fine-tuning training prices",
}
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_YEAR = re.compile(r"(?<![\d-])(20\d\d)(?![\d-])")


def _latest_date(text: str) -> str | None:
    """The latest ISO date in a file, or its latest year when it gives years only."""
    dates = _DATE.findall(text)
    if dates:
        return max(dates)
    years = _YEAR.findall(text)
    return max(years) if years else None


@cache
def _file_entry(name: str) -> dict[str, Any]:
    raw = resources.files("sim").joinpath("data", name).read_bytes()
    return {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw),
            "latest_date": _latest_date(raw.decode("utf-8")), "holds": DATA_FILES[name]}


@cache
def _genai_version() -> str | None:
    """The installed genai-prices version (its metadata read once per process)."""
    try:
        return version("genai-prices")
    except PackageNotFoundError:  # the catalog then holds only the reference entries
        return None


def catalog_snapshot() -> dict[str, Any]:
    """The price data a run used: the genai-prices version and ftrisk's own data files.

    Returns
    -------
    dict
        ``genai_prices`` (the installed version, whose bundled data gives current API
        prices) and ``files``: per file of ``sim/data/`` its ``sha256``, size, the latest
        date it mentions (a checked date, or the history's newest row) and what it holds.
    """
    return {"genai_prices": _genai_version(),
            "files": {name: dict(_file_entry(name)) for name in sorted(DATA_FILES)}}


def fitted_inputs(study: Study) -> list[dict[str, Any]]:
    """The manifest's ``fitted_inputs``: each input drawn from a fit, with the fit."""
    return [i.fit.to_json() for i in study.inputs() if i.fit is not None]


def provenance(study: Study) -> dict[str, Any]:
    """The manifest entries on prices: ``catalog_snapshot`` and ``fitted_inputs``."""
    return {"catalog_snapshot": catalog_snapshot(), "fitted_inputs": fitted_inputs(study)}
