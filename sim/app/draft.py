"""The study being edited in the app: the original TOML text and the user's changes.

A :class:`Draft` never holds a parsed study of its own: :meth:`Draft.toml` applies the
changes to the original text (with tomlkit, keeping every comment and the order of keys)
and :meth:`Draft.study` validates exactly that text with the loader. So the study the app
simulates and the file "Save as study" downloads are one and the same, and ``ftrisk run`` on
the saved file reproduces the app's figures for the same seed.

Changes an input can take: its central value and its spread, written as ``{ quantiles =
{ p10, p50, p90 } }`` (cut to the key's domain with ``truncate`` when its tails would leave
it), or ``fixed`` at its central value. Strategies can be switched off (their table and the
correlations naming them are dropped) and the ``[constraints]`` table's keys set or removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from distributions import DistributionError, parse
from sim.study import Input, Study, StudyError, study_from_dict
from sim.study.kinds import KINDS
from sim.study.loader import CARD_INPUTS
from sim.study.schema import WORKLOAD, Domain

__all__ = ["PRICE_KEYS", "Draft", "domain_of", "fixed_value", "ordered_inputs", "quantiles_value"]

#: Keys of price declines, shown right after the workload's inputs.
PRICE_KEYS = ("annual_price_drop", "price_cuts_per_year", "price_cut_size", "price_floor")


def domain_of(study: Study, path: str) -> Domain | None:
    """The physical domain of an input (None for a key the schema does not list).

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> domain_of(load_study("studies/legal_contracts.toml"), "workload.monthly_growth").lo
    ... # doctest: +SKIP
    -1.0
    """
    parts = path.split(".")
    if parts[0] == "workload":
        f = WORKLOAD.get(parts[-1])
    elif parts[0] == "constraints":
        f = CARD_INPUTS.get(parts[-1])
    else:
        f = KINDS[study.strategies[parts[1]].kind].fields.get(parts[-1])
    return None if f is None else f.domain


def _number(x: float, integer: bool) -> int | float:
    return round(x) if integer else float(x)


def quantiles_value(p10: float, p50: float, p90: float, domain: Domain | None = None
                    ) -> dict[str, Any]:
    """The study value through three quantiles, cut to ``domain`` when its tails leave it.

    Examples
    --------
    >>> quantiles_value(0.02, 0.12, 0.23)
    {'quantiles': {'p10': 0.02, 'p50': 0.12, 'p90': 0.23}}
    >>> from sim.study.schema import RATE
    >>> quantiles_value(0.0, 0.12, 0.23, RATE)["truncate"]
    [0.0, 1.0]
    """
    integer = bool(domain and domain.integer)
    value: dict[str, Any] = {"quantiles": {"p10": _number(p10, integer),
                                           "p50": _number(p50, integer),
                                           "p90": _number(p90, integer)}}
    if domain is None:
        return value
    try:
        dist = parse(value, name="value")
    except DistributionError:
        return value  # p10 < p50 < p90 broken: the loader says so
    lo, hi = dist.draw_range
    if not domain.contains(lo, hi, closed=False):
        value["truncate"] = [float(domain.lo), float(domain.hi)]
    return value


def fixed_value(x: float, domain: Domain | None = None) -> int | float:
    """A known value (a whole number for a whole-number key).

    Examples
    --------
    >>> from sim.study.schema import COUNT
    >>> fixed_value(11.6, COUNT), fixed_value(0.25)
    (12, 0.25)
    """
    return _number(x, bool(domain and domain.integer))


def _key_path(path: str) -> list[str]:
    parts = path.split(".")
    return parts if parts[0] in ("workload", "strategies", "constraints") else [
        "strategies", *parts]


def _names(between: Any) -> set[str]:
    out = set()
    for name in between if isinstance(between, list) else []:
        parts = str(name).split(".")
        out.add(parts[1] if parts[0] == "strategies" and len(parts) > 1 else parts[0])
    return out


@dataclass(frozen=True)
class Draft:
    """A study file's text and the changes made to it in the app.

    Attributes
    ----------
    text : str
        The original TOML text.
    file : str
        Its name (errors name it; relative data files are read beside it).
    inputs : dict
        Input path (``workload.x`` or ``strategies.s.x``) -> its new study value.
    off : frozenset of str
        Strategies switched off.
    constraints : dict
        ``[constraints]`` key -> its value, or None to remove the key.
    samples : int or None
        The sample count (None: the study's).

    Examples
    --------
    >>> text = open("studies/legal_contracts.toml").read()  # doctest: +SKIP
    >>> d = Draft(text, "legal_contracts.toml").with_input("hosted_ft.mlops_fte", 0.1)
    ... # doctest: +SKIP
    >>> d.study().input("hosted_ft.mlops_fte").dist.mean  # doctest: +SKIP
    0.1
    """

    text: str
    file: str = "<study>"
    inputs: Mapping[str, Any] = field(default_factory=dict)
    off: frozenset[str] = frozenset()
    constraints: Mapping[str, Any] = field(default_factory=dict)
    samples: int | None = None

    def with_input(self, path: str, value: Any) -> Draft:
        """A copy with one input's study value replaced."""
        return replace(self, inputs={**self.inputs, path: value})

    def with_off(self, names: set[str] | frozenset[str]) -> Draft:
        """A copy with these strategies switched off."""
        return replace(self, off=frozenset(names))

    def with_constraint(self, key: str, value: Any) -> Draft:
        """A copy with a ``[constraints]`` key set (None: removed)."""
        return replace(self, constraints={**self.constraints, key: value})

    def with_samples(self, n: int | None) -> Draft:
        """A copy run with ``n`` samples."""
        return replace(self, samples=n)

    @property
    def changed(self) -> bool:
        """True when anything differs from the original text."""
        return bool(self.inputs or self.off or self.constraints or self.samples)

    def toml(self) -> str:
        """The edited study as TOML text: the original with the changes applied.

        The last few results are kept (a page rerun asks for the same text more than once;
        parsing with tomlkit takes a tenth of a second).

        Raises
        ------
        StudyError
            When the original text is not TOML.
        """
        changes = json.dumps([self.inputs, sorted(self.off), self.constraints, self.samples],
                             sort_keys=True)
        return _edited(self.text, self.file, changes)

    def study(self) -> Study:
        """The edited study, validated by the loader.

        Raises
        ------
        StudyError
            The loader's message, naming the key and the fix.
        """
        text = self.toml() if self.changed else self.text
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise StudyError(self.file, "", f"is not valid TOML ({err}); fix the syntax"
                             ) from None
        return study_from_dict(doc, file=self.file,
                               sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                               default_name=Path(self.file).stem)


@functools.lru_cache(maxsize=32)
def _edited(text: str, file: str, changes: str) -> str:
    """:meth:`Draft.toml` of the changes written as JSON (``[inputs, off, constraints,
    samples]``)."""
    import tomlkit

    inputs, off, constraints, samples = json.loads(changes)
    try:
        doc = tomlkit.parse(text)
    except Exception as err:  # tomlkit's parse errors share no public base class
        raise StudyError(file, "", f"is not valid TOML ({err}); fix the syntax") from None
    _set_inputs(doc, inputs)
    _drop(doc, frozenset(off))
    _set_constraints(doc, constraints)
    if samples is not None:
        _table(doc, "study")["samples"] = int(samples)
    return tomlkit.dumps(doc)


def _table(node: Any, key: str) -> Any:
    """``node[key]``, a table added when missing."""
    import tomlkit

    if key not in node:
        node[key] = tomlkit.table()
    return node[key]


def _set_inputs(doc: Any, inputs: Mapping[str, Any]) -> None:
    for path, value in inputs.items():
        *tables, key = _key_path(path)
        node = doc
        for t in tables:
            node = _table(node, t)
        node[key] = _item(value)


def _drop(doc: Any, off: frozenset[str]) -> None:
    """Remove the strategies switched off, and the correlations naming them."""
    import tomlkit

    strategies = doc.get("strategies", {})
    for name in sorted(off):
        if name in strategies:
            del strategies[name]
    if not off or "correlations" not in doc:
        return
    kept = [c for c in doc["correlations"] if not (_names(c.get("between")) & off)]
    del doc["correlations"]
    if kept:
        aot = tomlkit.aot()
        for c in kept:
            aot.append(c)
        doc["correlations"] = aot


def _set_constraints(doc: Any, constraints: Mapping[str, Any]) -> None:
    if not constraints:
        return
    table = _table(doc, "constraints")
    for key, value in constraints.items():
        if value is not None:
            table[key] = value
        elif key in table:
            del table[key]
    if not table:
        del doc["constraints"]


def _item(value: Any) -> Any:
    """A tomlkit item for a study value: a number, or an inline table."""
    import tomlkit

    if isinstance(value, Mapping):
        t = tomlkit.inline_table()
        for k, v in value.items():
            t[k] = _item(v)
        return t
    if isinstance(value, list):
        return [_item(v) for v in value]
    return value


def ordered_inputs(study: Study) -> list[Input]:
    """The uncertain inputs in the order the app shows them: the workload's (volume, growth,
    tokens), then price declines, then every other, each group in study order.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> ordered_inputs(load_study("studies/legal_contracts.toml"))[0].path  # doctest: +SKIP
    'workload.requests_per_day'
    """
    inputs = study.uncertain_inputs()

    def rank(i: Input) -> int:
        if i.path.startswith("workload."):
            return 0
        return 1 if i.key in PRICE_KEYS else 2

    return sorted(inputs, key=rank)
