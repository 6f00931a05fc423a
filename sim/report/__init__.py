"""Every page and chart: the run's report.html, decision-analysis sections and pages, the
serving simulation's charts, and writing a run's output folder.

Charts are pure functions from pre-aggregated polars frames to altair charts; pages are
self-contained HTML that renders offline (the Vega JavaScript is inlined).
"""

from sim.report.cards import break_even_html, cards_html
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import (
    comparison_chart,
    sobol_chart,
    spearman_chart,
    sweep_chart,
    tornado_chart,
    voi_chart,
)
from sim.report.fit_page import fit_chart, fit_page, pp_chart
from sim.report.folder import (
    OPTIONAL_FILES,
    OUTPUT_FILES,
    RUN_FILES,
    OutFolder,
    check_out_folder,
    run_to_folder,
)
from sim.report.page import html_page, table, vega_bundle
from sim.report.price_pages import history_chart, history_page, step_frame
from sim.report.run_report import figures, render, verdict_html
from sim.report.sections import Section, comparison_frame, page, sections
from sim.report.tables import details_tables, inputs_table, manifest_table, summary_table
from sim.report.theme import fit, message_chart, style
from sim.report.workbook import SHEETS, write_workbook

__all__ = [
    "OPTIONAL_FILES",
    "OUTPUT_FILES",
    "RUN_FILES",
    "SHEETS",
    "OutFolder",
    "Section",
    "break_even_html",
    "cards_html",
    "check_out_folder",
    "comparison_chart",
    "comparison_frame",
    "details_tables",
    "fan_chart",
    "figures",
    "fit",
    "fit_chart",
    "fit_page",
    "history_chart",
    "history_page",
    "html_page",
    "inputs_table",
    "manifest_table",
    "message_chart",
    "npv_chart",
    "page",
    "payback_cdf_chart",
    "pp_chart",
    "render",
    "run_to_folder",
    "sections",
    "sobol_chart",
    "spearman_chart",
    "step_frame",
    "style",
    "summary_table",
    "sweep_chart",
    "table",
    "tornado_chart",
    "vega_bundle",
    "verdict_html",
    "voi_chart",
    "write_workbook",
]
