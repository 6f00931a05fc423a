"""Reports of a run: altair charts and the self-contained HTML page."""

from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.html import render, vega_bundle

__all__ = ["fan_chart", "npv_chart", "payback_cdf_chart", "render", "vega_bundle"]
