"""How every chart of ftrisk's pages is sized and lettered, in one place.

Pages are at most :data:`PAGE_WIDTH` pixels wide (``max-width`` of the page's CSS, padding
included). A single or layered chart takes the whole column: :func:`fit` asks Vega-Lite to
fit the chart *with* its axes, labels and legend into :data:`CHART_WIDTH` ("fit" autosize).
Facets and concatenations cannot be fitted that way, so their plots are
:data:`PLOT_WIDTH` wide, which leaves room for a y axis of :data:`Y_LABEL_LIMIT` pixels.
Every text is at least :data:`FONT` pixels (:func:`style`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import altair as alt
import polars as pl

#: The page's width (CSS max-width of the body, padding included) and its text column.
PAGE_WIDTH = 1100
COLUMN_WIDTH = PAGE_WIDTH - 32
#: Outer width of a chart, axes and legend included.
CHART_WIDTH = 1040
#: Plot width of a facet or concatenation (no "fit" autosize there): CHART_WIDTH less a y
#: axis with its title.
PLOT_WIDTH = 900
#: Longest y-axis label (px) before it is cut with an ellipsis; the tooltip keeps it whole.
Y_LABEL_LIMIT = 300
#: Smallest font on a chart (px).
FONT = 12
#: Height of one row of a bar chart with a band per input (tornado, value of information).
ROW = 26
#: Tallest chart a page draws (px): a list of bars is cut to its top rows before this.
MAX_HEIGHT = 900

C = TypeVar("C", bound=alt.TopLevelMixin)

CONFIG: dict[str, Any] = {
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT + 1, "labelLimit": Y_LABEL_LIMIT},
    "legend": {"labelFontSize": FONT, "titleFontSize": FONT, "orient": "top",
               "labelLimit": 400},
    "title": {"fontSize": FONT + 3, "anchor": "start", "limit": CHART_WIDTH},
    "header": {"labelFontSize": FONT + 1, "titleFontSize": FONT + 1},
    "text": {"fontSize": FONT},
    "view": {"stroke": "#ddd"},
}


def fitted(height: int) -> dict[str, Any]:
    """The top-level properties :func:`fit` gives a chart, to pass where a layered or
    concatenated chart is built (``alt.layer(a, b, **fitted(300))``): every later
    ``.properties()`` of such a chart copies all its parts again.

    Examples
    --------
    >>> fitted(2000)["height"], fitted(200)["width"]
    (900, 1040)
    """
    return {"width": CHART_WIDTH, "height": min(height, MAX_HEIGHT),
            "autosize": alt.AutoSizeParams(type="fit", contains="padding")}


def styled() -> dict[str, Any]:
    """The top-level properties :func:`style` gives a chart (its ``config``), to pass where
    a layered or concatenated chart is built, as :func:`fitted`.

    Examples
    --------
    >>> styled()["config"].to_dict()["legend"]["orient"]
    'top'
    """
    return {"config": alt.Config(**CONFIG)}


def fit(chart: C, *, height: int) -> C:
    """``chart`` sized to the page's column: axes, labels and legend included in
    :data:`CHART_WIDTH`, the plot ``height`` pixels tall (at most :data:`MAX_HEIGHT`).

    Examples
    --------
    >>> import polars as pl
    >>> spec = fit(alt.Chart(pl.DataFrame({"x": [1]})).mark_point(), height=200).to_dict()
    >>> spec["width"], spec["height"], spec["autosize"]["type"]
    (1040, 200, 'fit')
    """
    return chart.properties(**fitted(height))


def style(chart: C) -> C:
    """``chart`` with the pages' fonts (at least :data:`FONT` px), legends on top and titles
    at the left, never wider than the chart.

    Examples
    --------
    >>> import polars as pl
    >>> spec = style(alt.Chart(pl.DataFrame({"x": [1]})).mark_point()).to_dict()
    >>> spec["config"]["axis"]["labelFontSize"], spec["config"]["legend"]["orient"]
    (12, 'top')
    """
    return chart.configure(**CONFIG)


@contextmanager
def unchecked() -> Iterator[None]:
    """Build and serialize charts without altair's schema checks at every object it
    creates (its debug mode): for pages whose chart functions are tested with the checks
    on (about a third of the time a report's charts take).

    Examples
    --------
    >>> with unchecked():
    ...     spec = message_chart("Nothing to compare.").to_dict(validate=False)
    >>> spec["mark"]["type"]
    'text'
    """
    with alt.utils.schemapi.debug_mode(False):
        yield


def message_chart(text: str) -> alt.Chart:
    """A chart holding one line of text: what stands where a chart has nothing to draw
    (an empty chart with a colour legend is sized 1.8e308 pixels by Vega).

    Examples
    --------
    >>> message_chart("Nothing to compare.").to_dict()["mark"]["type"]
    'text'
    """
    return style(fit(alt.Chart(pl.DataFrame({"text": [text]})).mark_text(
        align="left", baseline="middle", fontSize=FONT + 1, color="#555").encode(
        x=alt.XValue(0), y=alt.YValue(20), text=alt.Text("text:N")), height=40))
