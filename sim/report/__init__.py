"""Every page and chart: the run's report.html, decision-analysis sections and pages, the
serving simulation's charts, and writing a run's output folder.

Charts are pure functions from pre-aggregated polars frames to altair charts; pages are
self-contained HTML that renders offline (the Vega JavaScript is inlined).

Every name is imported on first use: ``ftrisk run`` imports :mod:`sim.report.folder` to
run a study, and the pages' modules (altair, ~40 MiB) only once the run is done, so the run
does not hold them while its chunks are in memory.
"""

import typing

from sim.lazy import keep_functions as _keep_functions
from sim.lazy import lazy_names as _lazy_names

__all__ = [
    "ANALYSIS_ROWS",
    "OPTIONAL_FILES",
    "OUTPUT_FILES",
    "RUN_FILES",
    "SHEETS",
    "EarlyAnalysis",
    "OutFolder",
    "Section",
    "analysis_of",
    "analysis_rows",
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

#: Each name with the module it lives in: imported on first use.
_LAZY = {
    "break_even_html": "sim.report.cards",
    "cards_html": "sim.report.cards",
    "fan_chart": "sim.report.charts",
    "npv_chart": "sim.report.charts",
    "payback_cdf_chart": "sim.report.charts",
    "comparison_chart": "sim.report.decision_charts",
    "sobol_chart": "sim.report.decision_charts",
    "spearman_chart": "sim.report.decision_charts",
    "sweep_chart": "sim.report.decision_charts",
    "tornado_chart": "sim.report.decision_charts",
    "voi_chart": "sim.report.decision_charts",
    "fit_chart": "sim.report.fit_page",
    "fit_page": "sim.report.fit_page",
    "pp_chart": "sim.report.fit_page",
    "OPTIONAL_FILES": "sim.report.folder",
    "OUTPUT_FILES": "sim.report.folder",
    "RUN_FILES": "sim.report.folder",
    "OutFolder": "sim.report.folder",
    "check_out_folder": "sim.report.folder",
    "run_to_folder": "sim.report.folder",
    "ANALYSIS_ROWS": "sim.report.analysis_plan",
    "analysis_of": "sim.report.analysis_plan",
    "analysis_rows": "sim.report.analysis_plan",
    "EarlyAnalysis": "sim.report.early",
    "html_page": "sim.report.page",
    "table": "sim.report.page",
    "vega_bundle": "sim.report.page",
    "history_chart": "sim.report.price_pages",
    "history_page": "sim.report.price_pages",
    "step_frame": "sim.report.price_pages",
    "figures": "sim.report.run_report",
    "render": "sim.report.run_report",
    "verdict_html": "sim.report.run_report",
    "Section": "sim.report.sections",
    "comparison_frame": "sim.report.sections",
    "page": "sim.report.sections",
    "sections": "sim.report.sections",
    "details_tables": "sim.report.tables",
    "inputs_table": "sim.report.tables",
    "manifest_table": "sim.report.tables",
    "summary_table": "sim.report.tables",
    "fit": "sim.report.theme",
    "message_chart": "sim.report.theme",
    "style": "sim.report.theme",
    "SHEETS": "sim.report.workbook",
    "write_workbook": "sim.report.workbook",
}

if typing.TYPE_CHECKING:
    from sim.report.analysis_plan import ANALYSIS_ROWS, analysis_of, analysis_rows
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
    from sim.report.early import EarlyAnalysis
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


__getattr__, __dir__ = _lazy_names("sim.report", _LAZY, globals())

#: Public functions named like a submodule (sim.report.sections.page and .sections).
_SHADOWED = ("page", "sections")

_keep_functions(__name__, _SHADOWED)
