"""Who sells a catalog row, and why a field the vendor does not publish is what it is.

``sim/data/catalog_providers.toml`` names the genai-prices providers that are
**aggregators** (one API routed to other vendors' models) or **resellers** (models inside
another product); every other provider is a **vendor**. The calculator page lists vendors
and leaves aggregator services out; ``ftrisk prices`` and ``ftrisk cost`` do the same unless
asked (``--all``). The file also holds each vendor's **convention** for the fields the
catalog infers (the page's "Why it's inferred" table: cached input at 10% of input, batch at
50% of standard), so an inferred field carries its reason.

Examples
--------
>>> role_of("openrouter").role, role_of("huggingface_novita").role, role_of("openai").role
('aggregator', 'aggregator', 'vendor')
>>> inferred_reason("anthropic", "batch_output")
'derived at 50% of output: Anthropic documents a uniform 50% Message Batches discount'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

__all__ = ["BATCH_CONVENTION", "CACHED_CONVENTION", "ROLES", "ProviderRole",
           "inferred_reason", "role_of"]

#: A cached input token's price over the input price, where the vendor publishes none.
CACHED_CONVENTION = 0.10
#: A batch token's price over the standard price, where the vendor publishes none.
BATCH_CONVENTION = 0.50
#: What a provider's rows are: a vendor's own list price, or someone else's resold.
ROLES = ("vendor", "aggregator", "reseller")
Role = Literal["vendor", "aggregator", "reseller"]


@dataclass(frozen=True)
class ProviderRole:
    """A provider's role and, for an aggregator or reseller, why it is one."""

    provider: str
    role: Role
    why: str = ""

    @property
    def listed(self) -> bool:
        """True for a vendor: its rows are listed by default."""
        return self.role == "vendor"


@cache
def _data() -> dict[str, Any]:
    text = resources.files("sim").joinpath("data", "catalog_providers.toml").read_text(
        encoding="utf-8")
    return tomllib.loads(text)


def role_of(provider: str) -> ProviderRole:
    """The role of a genai-prices provider id (a vendor unless the data file says not).

    Examples
    --------
    >>> role_of("github-copilot").why
    "vendors' models inside GitHub Copilot's subscription and usage billing"
    """
    for key, entry in _data()["roles"].items():
        hit = provider.startswith(key[:-1]) if key.endswith("*") else provider == key
        if hit:
            return ProviderRole(provider, entry["role"], entry["why"])
    return ProviderRole(provider, "vendor")


def inferred_reason(provider: str, field: str) -> str:
    """Why ``field`` of a ``provider`` row is derived as it is, in the page's words.

    Parameters
    ----------
    provider : str
        The vendor (``openai``, ``anthropic``, ...); others take the default convention.
    field : str
        ``cached_input``, ``batch_input`` or ``batch_output``.
    """
    conventions = _data()["conventions"]
    conv = conventions.get(provider, conventions["default"])
    if field == "cached_input":
        return f"derived at {CACHED_CONVENTION:.0%} of input: {conv['cached_input']}"
    if field not in ("batch_input", "batch_output"):
        raise ValueError(f"'{field}' is never inferred; inferred fields are cached_input, "
                         "batch_input, batch_output")
    base = field.removeprefix("batch_")
    return f"derived at {BATCH_CONVENTION:.0%} of {base}: {conv['batch']}"
