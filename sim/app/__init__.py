"""``ftrisk app``: the calculator page's live what-if, with distributions instead of point
values (a Streamlit page, :mod:`sim.app.page`).

The layer above the commands: it imports the report's charts, the runner and the study
loader, and nothing imports it (``ftrisk app`` starts Streamlit on the page's file). The
modules without Streamlit (:mod:`sim.app.draft`, the study being edited, and
:mod:`sim.app.compute`, the in-memory run behind every change) are plain Python and tested
as such.

Examples
--------
>>> from sim.app import Draft, compute  # doctest: +SKIP
>>> live = compute(Draft(open("studies/legal_contracts.toml").read()).study())
... # doctest: +SKIP
>>> live.summary.verdict  # doctest: +SKIP
"""

from sim.app.compute import Live, compute, full_report
from sim.app.draft import Draft, domain_of, fixed_value, ordered_inputs, quantiles_value
from sim.app.uploads import data_files, stage

__all__ = ["Draft", "Live", "compute", "data_files", "domain_of", "fixed_value", "full_report",
           "ordered_inputs", "quantiles_value", "stage"]
