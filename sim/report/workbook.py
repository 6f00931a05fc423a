"""``summary.xlsx``: a run for the finance partner, as a spreadsheet (``ftrisk run --xlsx``).

Four sheets, every figure a number with a number format ($, %, months), never text:

- **Summary**: the study, its file's sha256, seed, sample count and sampling plan; then
  one row per strategy with the distribution summary (the figures of ``summary.json``:
  P(payback <= N), median payback, E[NPV] and its standard error, NPV P10/P50/P90,
  P(NPV > 0), P(best), CVaR 5%, mean TCO);
- **Spreadsheet**: the static view a spreadsheet gives, the lesson's ``compute_roi`` lines
  per strategy at every input's median (``point_estimate`` of ``summary.json``);
- **Cash flows at medians**: month by month at every input's median: each strategy's cost,
  its net saving vs the baseline and the cumulative net saving (growth, price declines,
  build months and retraining included, unlike the static view);
- **Cash flow bands**: per strategy and month, P10/P50/P90 of the cumulative net saving
  over the run's samples (those of the report's fan chart).

Tables are written through polars (``DataFrame.write_excel``) into one xlsxwriter workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from sim.runner.paths import monthly_paths
from sim.runner.point import median_values
from sim.runner.runner import FAN_SAMPLES

if TYPE_CHECKING:
    from sim.runner.runner import RunResult

__all__ = ["SHEETS", "write_workbook"]

#: The sheets of summary.xlsx, in order.
SHEETS = ("Summary", "Spreadsheet", "Cash flows at medians", "Cash flow bands")
MONEY = "$#,##0;[Red]-$#,##0"
CENTS = "$#,##0.00;[Red]-$#,##0.00"
PERCENT = "0.0%"
MONTHS = '0.0 "mo"'
TOKENS = "#,##0"

#: compute_roi lines of ``point_estimate``: (key, column title, number format).
ROI_LINES = (
    ("monthly_api_cost", "baseline run cost / month", CENTS),
    ("monthly_serving_cost", "run cost / month (GPUs or tokens)", CENTS),
    ("monthly_storage_cost", "storage / month", CENTS),
    ("monthly_amortized_project_cost", "amortized project / month", CENTS),
    ("monthly_quality_cost_delta", "quality cost vs baseline / month", CENTS),
    ("monthly_other_cost_delta", "MLOps and fixed vs baseline / month", CENTS),
    ("monthly_ft_total", "total cost / month", CENTS),
    ("monthly_savings", "saving / month", CENTS),
    ("total_project_cost", "project cost", CENTS),
    ("engineering_cost", "engineering", CENTS),
    ("compute_cost", "training compute", CENTS),
    ("payback_months", "payback (months)", MONTHS),
    ("break_even_tokens_per_day", "break-even tokens / day", TOKENS),
    ("current_daily_tokens", "tokens / day now", TOKENS),
)


def _distribution(doc: dict[str, Any], within: tuple[int, ...]) -> tuple[pl.DataFrame,
                                                                        dict[Any, Any]]:
    rows: dict[str, list[Any]] = {"strategy": [], "kind": []}
    formats: dict[Any, Any] = {}
    for n in within:
        rows[f"P(payback ≤ {n})"] = []
        formats[f"P(payback ≤ {n})"] = PERCENT
    money = ("E[NPV]", "E[NPV] se", "NPV P10", "NPV P50", "NPV P90", "CVaR 5%", "mean TCO")
    keys = ("npv_mean", "npv_mean_se", "npv_p10", "npv_p50", "npv_p90", "cvar5", "tco_mean")
    for title in ("median payback", *money, "P(NPV > 0)", "P(best)"):
        rows[title] = []
    formats.update({"median payback": MONTHS, "P(NPV > 0)": PERCENT, "P(best)": PERCENT})
    formats.update(dict.fromkeys(money, MONEY))
    for name, s in doc["strategies"].items():
        rows["strategy"].append(name + (" (baseline)" if s["is_baseline"] else ""))
        rows["kind"].append(s["kind"])
        for n in within:
            rows[f"P(payback ≤ {n})"].append(None if s["is_baseline"]
                                              else s["payback_within"][str(n)])
        rows["median payback"].append(s["payback_median_months_fractional"])
        for title, key in zip(money, keys, strict=True):
            rows[title].append(s[key])
        rows["P(NPV > 0)"].append(s["p_npv_positive"])
        rows["P(best)"].append(s["p_best"])
    schema = {k: pl.String if k in ("strategy", "kind") else pl.Float64 for k in rows}
    return pl.DataFrame(rows, schema=schema), formats


def _static(doc: dict[str, Any]) -> tuple[pl.DataFrame, dict[Any, Any]]:
    rows: dict[str, list[Any]] = {"strategy": [], "pays back": []}
    for _, title, _ in ROI_LINES:
        rows[title] = []
    for name, s in doc["strategies"].items():
        point = s["point_estimate"]
        rows["strategy"].append(name)
        pb = point.get("payback_months")
        rows["pays back"].append("baseline" if s["is_baseline"] else
                                 "never" if pb == "never" else "yes")
        for key, title, _ in ROI_LINES:
            v = point.get(key)
            rows[title].append(v if isinstance(v, int | float) and not isinstance(v, bool)
                               else None)
    schema = {k: pl.String if k in ("strategy", "pays back") else pl.Float64 for k in rows}
    return pl.DataFrame(rows, schema=schema), {t: f for _, t, f in ROI_LINES}


def _median_flows(result: RunResult) -> pl.DataFrame:
    study = result.study
    paths = monthly_paths(study, median_values(study), 1)
    cols: dict[str, Any] = {"month": list(range(1, paths.horizon + 1))}
    for name, cost in paths.cost.items():
        cols[f"cost {name}"] = cost[:, 0]
    for name in paths.cost:
        if name != study.baseline:
            net = paths.net_saving(name, study.baseline)[:, 0]
            cols[f"net saving {name}"] = net
            cols[f"cumulative {name}"] = net.cumsum()
    cols["requests / day"] = paths.requests_per_day[:, 0]
    return pl.DataFrame(cols)


def _bands(result: RunResult) -> pl.DataFrame:
    fan = result.fan
    out = pl.DataFrame({"month": list(range(1, result.study.horizon_months + 1))})
    for name in fan["strategy"].unique(maintain_order=True).to_list():
        part = fan.filter(pl.col("strategy") == name).sort("month").select(
            "month", *(pl.col(q).alias(f"{name} {q.upper()}") for q in ("p10", "p50", "p90")))
        out = out.join(part, on="month", how="left")
    return out


def write_workbook(result: RunResult, summary: dict[str, Any], path: str | Path) -> None:
    """Write ``summary.xlsx`` for a run (see the module docstring).

    Parameters
    ----------
    result : RunResult
        The run (its study, samples' fan and manifest).
    summary : dict
        Its ``summary.json`` document (:meth:`Summary.to_json`): the figures written.
    path : str or Path
        The file to write (inside the run's temporary output folder).

    Examples
    --------
    >>> from sim import load_study, run  # doctest: +SKIP
    >>> result = run(load_study("studies/lesson_parity.toml"))  # doctest: +SKIP
    >>> write_workbook(result, result.summary.to_json(), "summary.xlsx")  # doctest: +SKIP
    """
    import xlsxwriter  # heavy optional writer: only runs with --xlsx need it

    study = result.study
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    try:
        bold = wb.add_format({"bold": True})
        title = wb.add_format({"bold": True, "font_size": 14})
        ws = wb.add_worksheet(SHEETS[0])
        ws.write(0, 0, f"ftrisk: {study.name}", title)
        notes = [("study file", study.file), ("study sha256", study.sha256),
                 ("seed", study.seed), ("samples", summary["samples"]),
                 ("sampling", study.sampling), ("horizon (months)", study.horizon_months),
                 ("discount rate (annual)", study.discount_rate),
                 ("baseline", study.baseline), ("recommended", summary["recommended"]),
                 ("answer", summary["answer"]), ("verdict", summary["verdict"])]
        for i, (k, v) in enumerate(notes, start=2):
            ws.write(i, 0, k, bold)
            ws.write(i, 1, v)
        ws.set_column(0, 0, 24)
        table, formats = _distribution(summary, study.payback_within)
        row0 = len(notes) + 3
        ws.write(row0, 0, "Distribution over the samples (Monte Carlo)", bold)
        table.write_excel(wb, ws, position=(row0 + 1, 0), column_formats=formats,
                          autofit=True, table_style="Table Style Light 9")
        static, sformats = _static(summary)
        ws2 = wb.add_worksheet(SHEETS[1])
        ws2.write(0, 0, "The static spreadsheet view: the lesson's compute_roi at every "
                  "input's median (month 1: no growth, price decline, build months or "
                  "retraining; payback = project cost / monthly saving)", bold)
        static.write_excel(wb, ws2, position=(2, 0), column_formats=sformats, autofit=True,
                           table_style="Table Style Light 9")
        flows = _median_flows(result)
        ws3 = wb.add_worksheet(SHEETS[2])
        ws3.write(0, 0, "Monthly cash flows with every input at its median (growth, price "
                  "declines, build months and retraining included)", bold)
        flows.write_excel(wb, ws3, position=(2, 0), autofit=True,
                          column_formats={c: (TOKENS if c in ("month", "requests / day")
                                              else MONEY) for c in flows.columns},
                          table_style="Table Style Light 9", freeze_panes=(3, 1))
        bands = _bands(result)
        ws4 = wb.add_worksheet(SHEETS[3])
        fan_n = min(summary["samples"], FAN_SAMPLES)
        ws4.write(0, 0, "Cumulative net saving vs the baseline by month: P10 / P50 / P90 "
                  f"over the run's first {fan_n:,} samples (the report's fan chart)", bold)
        bands.write_excel(wb, ws4, position=(2, 0), autofit=True,
                          column_formats={c: MONEY for c in bands.columns if c != "month"},
                          table_style="Table Style Light 9", freeze_panes=(3, 1))
    finally:
        wb.close()
