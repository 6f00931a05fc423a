"""One API model's prices, field by field, each with the date it was checked and, when the
vendor does not publish it, the reason it is what it is (the calculator page's inferred-price
table: cached input at 10% of input, batch at 50% of standard, by the vendor's convention).

Examples
--------
>>> p = ApiPrice.build("m", "openai", {"input": 2.0, "output": 8.0}, "2026-10-14", "test")
>>> p.cached_input, p.batch_output, p.inferred
(0.2, 4.0, ('cached_input', 'batch_input', 'batch_output'))
>>> p.field("cached_input").reason
"derived at 10% of input: OpenAI's convention, an automatic 90% discount on cache hits"
>>> p.field("input").checked, p.field("input").inferred
('2026-10-14', False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.study.providers import (
    BATCH_CONVENTION,
    CACHED_CONVENTION,
    inferred_reason,
    role_of,
)

__all__ = ["PRICE_FIELDS", "ApiPrice", "FieldPrice"]

#: The per-1M-token price fields of an API model, in display order.
PRICE_FIELDS = ("input", "output", "cached_input", "batch_input", "batch_output")
#: The field an inferred field is derived from, and by what factor.
_DERIVED = {"cached_input": ("input", CACHED_CONVENTION),
            "batch_input": ("input", BATCH_CONVENTION),
            "batch_output": ("output", BATCH_CONVENTION)}


@dataclass(frozen=True)
class FieldPrice:
    """One price field of a catalog row.

    Attributes
    ----------
    field : str
        One of :data:`PRICE_FIELDS`.
    price : float
        $ per 1M tokens.
    checked : str
        When the source last verified it (ISO date, a year, or the data's version when the
        source gives no date); an inferred field carries the date of the field it comes from.
    reason : str or None
        Why it is inferred (derived from a vendor convention); None when published.
    """

    field: str
    price: float
    checked: str
    reason: str | None = None

    @property
    def inferred(self) -> bool:
        """True when derived from a convention rather than published by the vendor."""
        return self.reason is not None


@dataclass(frozen=True)
class ApiPrice:
    """Per-1M-token prices of one API model, each field dated and, if inferred, explained.

    ``inferred`` lists the fields derived from a vendor convention rather than published;
    ``role`` says whether the row is a vendor's own list price or an aggregator's or
    reseller's (:mod:`sim.study.providers`). Build one with :meth:`build`.
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
    #: "vendor", "aggregator" or "reseller"
    role: str = "vendor"
    #: why an aggregator or reseller is one
    role_why: str = ""
    #: each field's checked date, in :data:`PRICE_FIELDS` order (empty: all ``checked``)
    field_checked: tuple[str, ...] = ()
    #: (field, reason) for each inferred field
    reasons: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(cls, model: str, provider: str, published: Mapping[str, float],
              checked: str | Mapping[str, str], source: str) -> ApiPrice:
        """A row from the fields the source publishes; the others derived and explained.

        Parameters
        ----------
        model, provider : str
            The model id and its provider (genai-prices' id, or the vendor).
        published : mapping
            Field to $ per 1M tokens; ``input`` and ``output`` are required.
        checked : str or mapping
            When the source last verified the fields: one date for all, or per field (an
            absent field takes the ``input`` field's date).
        source : str
            Where the prices come from.
        """
        dates = ({f: checked for f in PRICE_FIELDS} if isinstance(checked, str)
                 else dict(checked))
        base_date = dates.get("input", "")
        values: dict[str, float] = {}
        when: dict[str, str] = {}
        reasons: dict[str, str] = {}
        for field in PRICE_FIELDS:
            if field in published:
                values[field] = float(published[field])
                when[field] = dates.get(field, base_date)
                continue
            base, factor = _DERIVED[field]
            values[field] = float(published[base]) * factor
            when[field] = dates.get(base, base_date)
            reasons[field] = inferred_reason(provider, field)
        role = role_of(provider)
        dated = [d for d in when.values() if d[:1].isdigit()]
        entry = max(dated) if dated else base_date
        return cls(model, provider, values["input"], values["output"], values["cached_input"],
                   values["batch_input"], values["batch_output"], entry, source,
                   tuple(reasons), role.role, role.why, tuple(when[f] for f in PRICE_FIELDS),
                   tuple(reasons.items()))

    def field(self, name: str) -> FieldPrice:
        """One field with its price, checked date and (when inferred) reason."""
        if name not in PRICE_FIELDS:
            raise ValueError(f"'{name}' is not a price field; use one of "
                             f"{', '.join(PRICE_FIELDS)}")
        i = PRICE_FIELDS.index(name)
        checked = self.field_checked[i] if self.field_checked else self.checked
        reason = dict(self.reasons).get(name)
        if reason is None and name in self.inferred:
            reason = inferred_reason(self.provider, name)
        return FieldPrice(name, getattr(self, name), checked, reason)

    @property
    def fields(self) -> tuple[FieldPrice, ...]:
        """Every field, in :data:`PRICE_FIELDS` order."""
        return tuple(self.field(f) for f in PRICE_FIELDS)

    @property
    def cached_factor(self) -> float:
        """Cached-input price as a fraction of the input price."""
        return self.cached_input / self.input if self.input else CACHED_CONVENTION

    @property
    def batch_discount(self) -> float:
        """Discount of the batch API on input tokens."""
        return 1.0 - self.batch_input / self.input if self.input else BATCH_CONVENTION
