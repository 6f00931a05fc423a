"""Reading genai-prices' bundled data (offline) into catalog rows (:class:`ApiPrice`).

Each row's fields are dated: a field published through a dated variant (a batch tier with
a start date) carries that date, the others the latest "verified on" date of the model's
price comments (or its provider's), else the package's version, since its data gives no
date. A field genai-prices does not publish is derived by the vendor's convention, with
the reason (:mod:`sim.study.providers`). genai-prices is imported only when a row is asked
for: it loads its whole price database (~0.2 s and ~35 MB at every study load). A row once
read is kept on disk (:func:`sim.cache.cache_dir`), per genai-prices version and per version
of the code that reads it, so later runs read it back without importing genai-prices.

To refresh the data: ``pip install -U genai-prices`` (its data ships with each release),
then run the tests (``tests/test_price_history.py`` checks the history's latest points
against it) and re-date the studies' "catalog checked" comments.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sim.cache import cache_dir
from sim.study.api_price import ApiPrice
from sim.study.providers import role_of

__all__ = ["FIRST_PARTY", "cache_file", "genai_ids", "genai_price", "genai_rows", "genai_version",
           "read_price"]

#: Vendors searched first for a bare model name (and listed without a filter).
FIRST_PARTY = ("openai", "anthropic", "google")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def genai_version() -> str:
    """The installed genai-prices version (its data's release)."""
    return version("genai-prices")


def _snapshot() -> Any:
    from genai_prices import data_snapshot  # loads the price database: only when asked

    return data_snapshot.get_snapshot()


def _verified(comments: str | None) -> str | None:
    dates = _DATE.findall(comments or "")
    return max(dates) if dates else None


def _number(value: Any) -> float | None:
    """A price as a float: a plain Decimal, or a tiered price's base rate."""
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        return float(value)
    base = getattr(value, "base", None)
    return None if base is None else float(base)


def _vendor_first(providers: list[Any]) -> list[Any]:
    """First-party vendors, then other vendors, then aggregators and resellers."""
    def rank(p: Any) -> tuple[int, int]:
        if p.id in FIRST_PARTY:
            return (0, FIRST_PARTY.index(p.id))
        return (1 if role_of(p.id).listed else 2, 0)
    return sorted(providers, key=rank)


def _find(ref: str) -> tuple[Any, Any] | None:
    """(provider, model) for ``provider/model`` or a bare model name: genai-prices' own
    matching, unless it lands on an aggregator or reseller while a vendor lists the same id;
    then an exact id (vendors first), e.g. ``ft:gpt-4o-mini``, which its matching does not
    take."""
    snap = _snapshot()
    provider_id, model_ref = ref.split("/", 1) if "/" in ref else (None, ref)
    try:
        found = snap.find_provider_model(model_ref, None, provider_id, None)
    except LookupError:
        found = None
    if found is not None and (provider_id or role_of(found[0].id).listed):
        return found
    for prov in _vendor_first(list(snap.providers)):
        if provider_id and prov.id != provider_id:
            continue
        for m in prov.models:
            if m.id == model_ref:
                return prov, m
    return found


def _batch_date(model: Any) -> str | None:
    for variant in model.price_variants or ():
        if variant.when.get("processing") == "batch" and variant.constraint is not None:
            start = getattr(variant.constraint, "start_date", None)
            if start is not None:
                return str(start)
    return None


def genai_price(ref: str) -> ApiPrice | None:
    """The catalog row of a genai-prices model (``gpt-4o`` or ``provider/model``), or None;
    read from the disk cache when an earlier run read it (see the module docstring).

    Examples
    --------
    >>> p = genai_price("openai/gpt-4o")
    >>> p.input, p.output, p.field("batch_input").checked, p.role
    (2.5, 10.0, '2026-10-14', 'vendor')
    """
    stored = _stored().get(ref)
    if stored is not None:
        return stored
    row = read_price(ref)
    if row is not None:
        _store(ref, row)
    return row


def read_price(ref: str) -> ApiPrice | None:
    """:func:`genai_price` read from genai-prices itself (no disk cache)."""
    from genai_prices import Usage  # its price database loads on import: only when asked

    found = _find(ref)
    if found is None:
        return None
    prov, model = found
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    std = model.calc_price(usage, prov)
    published: dict[str, float] = {"input": float(std.input_price),
                                   "output": float(std.output_price)}
    cached = _number(getattr(std.model_price, "cache_read_mtok", None))
    if cached is not None:
        published["cached_input"] = cached
    batch = model.calc_price(usage, prov, price_context={"processing": "batch"})
    b_in, b_out = float(batch.input_price), float(batch.output_price)
    if (b_in, b_out) != (published["input"], published["output"]):  # a batch tier published
        published.update(batch_input=b_in, batch_output=b_out)
    data = f"genai-prices {genai_version()}"
    checked = (_verified(getattr(model, "price_comments", None))
               or _verified(getattr(prov, "price_comments", None)) or data)
    dates = dict.fromkeys(("input", "output", "cached_input"), checked)
    batch_date = _batch_date(model)
    dates.update(batch_input=batch_date or checked, batch_output=batch_date or checked)
    return ApiPrice.build(model.id, prov.id, published, dates, f"{data} ({prov.name})")


@cache
def genai_ids() -> list[str]:
    """Every model id genai-prices knows (for suggestions)."""
    return [m.id for p in _snapshot().providers for m in p.models]


def genai_rows(needle: str = "", *, providers: tuple[str, ...] | None = None
               ) -> Iterator[ApiPrice]:
    """Rows of the models whose id or provider contains ``needle`` (case-insensitive), of
    ``providers`` only when given; models without a token price are skipped."""
    needle = needle.lower()
    for prov in _snapshot().providers:
        if providers is not None and prov.id not in providers:
            continue
        for m in prov.models:
            if needle and needle not in m.id.lower() and needle not in prov.id.lower():
                continue
            try:
                price = read_price(f"{prov.id}/{m.id}")
            except Exception:  # a model priced per request or per second, not per token
                price = None
            if price is not None and (price.input or price.output):
                yield price


#: The code a stored row depends on: a change to any of these files starts a new cache file.
_CODE = ("genai.py", "providers.py", "api_price.py")
_lock = threading.Lock()


def cache_file() -> Path:
    """Where the rows read from this genai-prices version by this code are kept."""
    here = Path(__file__).parent
    code = hashlib.sha256(b"".join((here / f).read_bytes() for f in _CODE)).hexdigest()
    return cache_dir("catalog") / f"genai-prices-{genai_version()}-{code[:16]}.json"


@cache
def _stored() -> dict[str, ApiPrice]:
    """The rows kept on disk (empty when there is no readable cache file)."""
    try:
        raw = json.loads(cache_file().read_text(encoding="utf-8"))
        return {ref: _row(fields) for ref, fields in raw.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _row(fields: dict[str, Any]) -> ApiPrice:
    """An :class:`ApiPrice` from its JSON fields (lists back to tuples)."""
    row = ApiPrice(**fields)
    return dataclasses.replace(row, inferred=tuple(row.inferred),
                               field_checked=tuple(row.field_checked),
                               reasons=tuple((f, r) for f, r in row.reasons))


def _store(ref: str, row: ApiPrice) -> None:
    """Keep ``row`` in memory and on disk (a read-only cache only costs the import next
    time)."""
    with _lock:
        rows = _stored()
        rows[ref] = row
        path = cache_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({k: dataclasses.asdict(v) for k, v in rows.items()}),
                           encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass
