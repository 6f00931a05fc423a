"""Layered and concatenated charts without altair's repeated copies: :func:`panel` to
build a panel of a concatenation, :func:`chart_spec` to serialize a chart. Both give the
very spec altair's own calls give.

Copying a layered or concatenated altair chart runs its constructor again, and that
constructor deep-copies every part twice (a few hundred schema objects per layer, most of
them unset properties). A concatenation copies each of its parts when built, and altair
serializes a layered or concatenated chart from a shallow copy of it, at every level: the
layers of the NPV chart's panels were copied about ten times over, and the report's nine
charts spent some 0.4 s building and serializing, mostly in those copies.

:func:`chart_spec` walks the chart instead: each layered or concatenated chart is
serialized from its own properties (its copy would hold the same ones: building it made
them so), its single-view charts by altair as before; what it does not handle (parameters
to lift, facets and repeats, a value that is not plain JSON, a data transformer other than
the default) is left to altair. :func:`panel` gives a concatenation altair's plain layer
spec, copied once, where ``alt.layer`` would change nothing.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Sequence
from typing import Any

import altair as alt
import narwhals.stable.v1 as nw  # altair's own dataframe layer
from altair.utils import update_nested
from altair.utils.schemapi import SchemaBase, Undefined, debug_mode

#: The compound charts serialized here, each with the property holding its parts.
PARTS: dict[type, str] = {alt.LayerChart: "layer", alt.VConcatChart: "vconcat",
                          alt.HConcatChart: "hconcat", alt.ConcatChart: "concat"}
#: Properties SchemaBase.to_dict leaves out.
_SKIPPED = frozenset({"shorthand", "_cached_hash"})
#: How altair prepares a chart's data (a named dataset, its rows in the spec's "datasets"):
#: not public, so a chart with data of its own is left to altair should it go.
_prepare_data = getattr(importlib.import_module(alt.TopLevelMixin.__module__),
                        "_prepare_data", None)
#: Properties ``alt.layer`` moves from a layer to the layered chart, or lifts to the top.
_LIFTED = ("width", "height", "view", "params", "name")


def panel(layers: Sequence[alt.Chart], **properties: Any
          ) -> alt.LayerSpec | alt.LayerChart | alt.FacetChart:
    """``alt.layer(*layers, **properties)``, as a panel of a concatenation that costs one
    copy of its layers instead of about ten (see the module's docstring).

    The panel is altair's plain layer spec (``alt.LayerSpec``), which the concatenation's
    constructor copies once and which serializes without a copy; where ``alt.layer``
    would rework the layers (data they all share, hoisted to the panel; a size, view or
    parameters, moved up; a layer that is not a single-view chart), it is ``alt.layer``'s.
    Either way the concatenation's spec is the same. Not for a chart on its own: only
    concatenations take it.

    Parameters
    ----------
    layers : sequence of altair.Chart
        The layers, bottom first.
    **properties
        The panel's properties (``title``, ``width``, ``height``...).

    Returns
    -------
    altair.LayerSpec, or what ``alt.layer`` returns
        The panel, to pass to ``alt.vconcat`` or ``alt.hconcat``.

    Examples
    --------
    >>> import polars as pl
    >>> a = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> b = alt.Chart(pl.DataFrame({"y": [0]})).mark_rule().encode(y="y:Q")
    >>> type(panel([a, b], title="t")).__name__, type(panel([a], title="t")).__name__
    ('LayerSpec', 'LayerChart')
    >>> (alt.vconcat(panel([a, b], title="t")).to_dict()
    ...  == alt.vconcat(alt.layer(a, b, title="t")).to_dict())
    True
    """
    data = [layer._get("data") for layer in layers]
    plain = (all(type(layer) is alt.Chart for layer in layers)
             and not (data and data[0] is not Undefined and all(d is data[0] for d in data))
             and all(layer._get(p) is Undefined for layer in layers for p in _LIFTED))
    if not plain:
        return alt.layer(*layers, **properties)
    # altair's check at construction serializes the layers as charts of their own
    # ("$schema": not in a layer spec); the concatenation's to_dict() checks them in place
    with debug_mode(False):
        return alt.LayerSpec(layer=list(layers), **properties)


class _Unplain(Exception):
    """A value this module does not serialize itself: altair does the whole chart."""


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """``chart.to_dict(validate=False)``, without re-copying its parts at every layered or
    concatenated level (see the module's docstring).

    Parameters
    ----------
    chart : altair.TopLevelMixin
        Any chart; a single-view or faceted one is altair's to serialize.

    Returns
    -------
    dict
        The Vega-Lite spec, equal (keys in the same order) to altair's.

    Examples
    --------
    >>> import polars as pl
    >>> base = alt.Chart(pl.DataFrame({"x": [1, 2]})).mark_line().encode(x="x:Q")
    >>> chart = alt.layer(base, base.mark_point())
    >>> chart_spec(chart) == chart.to_dict(validate=False)
    True
    """
    theme = alt.theme.get()
    if (type(chart) not in PARTS or alt.data_transformers.active != "default"
            or theme is None):  # (altair says what is wrong with no theme)
        return chart.to_dict(validate=False)
    context: dict[str, Any] = {"datasets": {}}
    try:
        spec = _compound(chart, context)
    except _Unplain:
        return chart.to_dict(validate=False)
    # as altair's TopLevelMixin.to_dict does at the top level
    spec.setdefault("$schema", alt.SCHEMA_URL)
    top = dict(update_nested(theme(), spec, copy=True))
    if context["datasets"]:
        top.setdefault("datasets", {}).update(context["datasets"])
    return top


def _part(chart: Any, context: dict[str, Any]) -> Any:
    """A part of a compound chart: a compound one walked in turn, any other serialized by
    altair (as altair's own serialization of the parent would)."""
    if type(chart) in PARTS:
        return _compound(chart, context)
    if isinstance(chart, SchemaBase):
        return chart.to_dict(validate=False, context=context)
    raise _Unplain


def _compound(chart: Any, context: dict[str, Any]) -> dict[str, Any]:
    """A compound chart's spec, as TopLevelMixin.to_dict then SchemaBase.to_dict make it
    (below the top level) from a copy of the chart, which is the chart itself again."""
    kwds = dict(chart._kwds)
    if kwds.get("params", Undefined) is not Undefined:
        raise _Unplain  # parameters to lift: altair's to do
    inner = {**context, "top_level": False, "pre_transform": False}
    inner.setdefault("datasets", {})
    data = kwds.get("data", Undefined)
    if data is not Undefined:  # the layers' one frame, hoisted by alt.layer
        if _prepare_data is None:
            raise _Unplain
        with contextlib.suppress(TypeError):  # a dict, a URL...: as altair takes them
            data = nw.from_native(data, eager_or_interchange_only=True)
        kwds["data"] = _prepare_data(data, inner)
        inner["data"] = data  # the parts' fields get their types from it
    parts = PARTS[type(chart)]
    out: dict[str, Any] = {}
    for key, value in kwds.items():
        if value is Undefined or key in _SKIPPED:
            continue
        out[key] = ([_part(c, inner) for c in value] if key == parts
                    else _plain(value, inner))
    return out


def _plain(value: Any, context: dict[str, Any]) -> Any:
    """A compound chart's own property (title, config, sizes, resolve...) as altair's
    ``_todict`` gives it, for the types such properties hold; anything else is altair's."""
    if isinstance(value, SchemaBase):
        return value.to_dict(validate=False, context=context)
    if isinstance(value, (list, tuple)):
        return [_plain(v, context) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, context) for k, v in value.items() if v is not Undefined}
    if value is None or type(value) in (str, int, float, bool):  # numpy's: altair's
        return value
    raise _Unplain
